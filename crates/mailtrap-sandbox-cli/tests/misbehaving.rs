//! The command against a server that misbehaves on a real socket: hangs, resets, truncated and
//! slow bodies, 429 with and without `Retry-After`, 5xx, `success: false`, wrong-shaped JSON,
//! answers lost after processing, escape sequences. Exit codes as documented, deadlines held
//! (bounds are generous: they tell a deadline from a 30 s request timeout, not a speed), no
//! send repeated, nothing printed raw.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::Output;
use std::time::{Duration, Instant};

use common::{assert_exit, bare_cmd, stderr, stdout};
use mailtrap_sandbox_tests::misbehaving::{Misbehaving, Reply};

/// Runs the binary against `server` with a token and no retries unless `args` say otherwise.
fn run(server: &Misbehaving, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = bare_cmd()
        .args(["--token", "test-token", "--base-url", &server.base_url])
        .args(args)
        .output()
        .unwrap();
    (output, started.elapsed())
}

/// A sandbox id for the commands (the server ignores it).
const SANDBOX: &str = "4310001";

const SEND: &[&str] = &[
    "send",
    "--sandbox",
    SANDBOX,
    "--from",
    "app@example.test",
    "--to",
    "ana@example.test",
    "--subject",
    "Welcome",
    "--text",
    "Hi",
];

fn assert_no_raw_control(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the terminal: {text:?}"
    );
}

#[test]
fn wait_ends_at_its_timeout_against_a_server_that_never_answers() {
    let server = Misbehaving::start(vec![Reply::Hang]);
    let (output, took) = run(&server, &["wait", "--sandbox", SANDBOX, "--timeout", "2s"]);
    assert_exit(&output, 4, &["wait"]);
    assert!(
        took < Duration::from_secs(5),
        "wait --timeout 2s took {took:?}"
    );
    let stderr = stderr(&output);
    assert!(stderr.contains("timed out after"), "{stderr}");
    assert!(
        stderr.contains("--timeout"),
        "the hint names the flag: {stderr}"
    );
    assert!(!stderr.contains("ClientBuilder"), "{stderr}");
}

#[test]
fn wait_ends_at_its_timeout_after_429_with_and_without_retry_after() {
    for first in [
        Reply::json(429, r#"{"errors": "Too many requests"}"#),
        Reply::json_with(
            429,
            ("Retry-After", "30"),
            r#"{"errors": "Too many requests"}"#,
        ),
    ] {
        let server = Misbehaving::start(vec![first, Reply::json(200, "[]")]);
        let (output, took) = run(
            &server,
            &[
                "wait",
                "--sandbox",
                SANDBOX,
                "--timeout",
                "2s",
                "--poll-interval",
                "200ms",
            ],
        );
        assert_exit(&output, 4, &["wait"]);
        assert!(
            took < Duration::from_secs(5),
            "wait --timeout 2s took {took:?}"
        );
    }
}

#[test]
fn wait_ends_at_its_timeout_while_a_body_trickles_in() {
    let server = Misbehaving::start(vec![Reply::SlowBody("[]".repeat(40))]);
    let (output, took) = run(&server, &["wait", "--sandbox", SANDBOX, "--timeout", "2s"]);
    assert_exit(&output, 4, &["wait"]);
    assert!(
        took < Duration::from_secs(5),
        "wait --timeout 2s took {took:?}"
    );
}

#[test]
fn request_timeout_flag_and_variable_bound_each_request() {
    let server = Misbehaving::start(vec![Reply::Hang]);
    let (output, took) = run(
        &server,
        &[
            "--request-timeout",
            "1s",
            "--retries",
            "0",
            "projects",
            "list",
        ],
    );
    assert_exit(&output, 4, &["projects", "list"]);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let stderr = stderr(&output);
    assert!(stderr.contains("--request-timeout"), "{stderr}");
    assert!(stderr.contains("MAILTRAP_TIMEOUT"), "{stderr}");
    assert!(!stderr.contains("ClientBuilder"), "{stderr}");

    let started = Instant::now();
    let output = bare_cmd()
        .env("MAILTRAP_TIMEOUT", "1s")
        .args([
            "--token",
            "t",
            "--base-url",
            &server.base_url,
            "--retries",
            "0",
        ])
        .args(["sandboxes", "list"])
        .output()
        .unwrap();
    assert_exit(&output, 4, &["sandboxes", "list"]);
    assert!(started.elapsed() < Duration::from_secs(5));

    let output = bare_cmd()
        .args([
            "--token",
            "t",
            "--request-timeout",
            "0s",
            "projects",
            "list",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 2, &["--request-timeout", "0s"]);
}

#[test]
fn a_send_whose_answer_is_lost_is_not_repeated_and_says_it_may_have_been_stored() {
    for reply in [
        Reply::ResetBeforeHeaders,
        Reply::ResetAfterHeaders,
        Reply::Truncated,
    ] {
        let server = Misbehaving::start(vec![reply.clone()]);
        let (output, _) = run(&server, SEND);
        assert_eq!(server.count("POST"), 1, "{reply:?}: the send was repeated");
        assert_exit(&output, 1, SEND);
        let stderr = stderr(&output);
        assert!(stderr.contains("may have been"), "{reply:?}: {stderr}");
        assert!(
            stderr.contains("messages list --sandbox"),
            "{reply:?}: {stderr}"
        );
        assert!(!stdout(&output).contains("Sent"), "{reply:?}");
    }
    let server = Misbehaving::start(vec![Reply::Hang]);
    let mut args = vec!["--request-timeout", "1s"];
    args.extend_from_slice(SEND);
    let (output, took) = run(&server, &args);
    assert_eq!(server.count("POST"), 1, "the send was repeated");
    assert_exit(&output, 4, &args);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        stderr(&output).contains("may have been"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn nothing_sent_when_nothing_listens() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = bare_cmd()
        .args([
            "--token",
            "t",
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .args(SEND)
        .output()
        .unwrap();
    assert_exit(&output, 1, SEND);
    let stderr = stderr(&output);
    assert!(
        stderr.contains("could not connect, nothing was sent"),
        "{stderr}"
    );
    assert!(stderr.contains("--base-url"), "{stderr}");
}

#[test]
fn success_false_is_an_error_not_sent() {
    let server = Misbehaving::start(vec![Reply::json(
        200,
        r#"{"success": false, "errors": ["'from' domain is not allowed"]}"#,
    )]);
    let (output, _) = run(&server, SEND);
    assert_exit(&output, 1, SEND);
    assert_eq!(server.count("POST"), 1);
    assert!(!stdout(&output).contains("Sent"), "{}", stdout(&output));
    let stderr = stderr(&output);
    assert!(stderr.contains("could not send the email"), "{stderr}");
    assert!(
        stderr.contains("'from' domain is not allowed"),
        "the API's reason: {stderr}"
    );
}

#[test]
fn server_errors_are_retried_for_reads_then_reported() {
    let server = Misbehaving::start(vec![Reply::json(503, r#"{"error": "maintenance"}"#)]);
    let (output, _) = run(&server, &["--retries", "1", "projects", "list"]);
    assert_exit(&output, 1, &["projects", "list"]);
    assert_eq!(server.count("GET"), 2, "one try and one retry");
    let stderr = stderr(&output);
    assert!(stderr.contains("503"), "{stderr}");
    assert!(stderr.contains("hint: try again later"), "{stderr}");

    // A send, or any other creation, is never repeated, even on 5xx or a lost answer.
    for reply in [
        Reply::json(500, r#"{"error": "oops"}"#),
        Reply::ResetAfterHeaders,
    ] {
        for args in [
            SEND,
            &["projects", "create", "Checkout emails"],
            &["tokens", "create", "CI"],
            &[
                "messages",
                "forward",
                "--sandbox",
                SANDBOX,
                "5000000001",
                "--to",
                "qa@example.test",
            ],
        ] {
            let server = Misbehaving::start(vec![reply.clone()]);
            let (output, _) = run(&server, args);
            assert_exit(&output, 1, args);
            assert_eq!(
                server.count("POST"),
                1,
                "{args:?} was repeated after {reply:?}"
            );
        }
    }
}

#[test]
fn wrong_shaped_json_is_an_error_that_reads_well() {
    let server = Misbehaving::start(vec![Reply::json(200, r#"{"projects": "none"}"#)]);
    let (output, _) = run(&server, &["projects", "list"]);
    assert_exit(&output, 1, &["projects", "list"]);
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with("error: could not list projects"),
        "{stderr}"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn escape_sequences_from_the_server_are_shown_escaped() {
    let hostile = r#"{"errors": "bad \u001b]0;pwned\u0007\u001b[2J input"}"#;
    let server = Misbehaving::start(vec![Reply::json(422, hostile)]);
    let (output, _) = run(&server, &["projects", "create", "Demo"]);
    assert_exit(&output, 1, &["projects", "create"]);
    let stderr = stderr(&output);
    assert_no_raw_control(&stderr);
    assert!(stderr.contains(r"\u{1b}[2J"), "{stderr}");

    let server = Misbehaving::start(vec![Reply::json(
        200,
        r#"[{"id": 7, "name": "Evil\u001b[2J\u001b]0;x\u0007\nForged: line", "sandboxes": [], "inboxes": []}]"#,
    )]);
    let (output, _) = run(&server, &["projects", "list"]);
    assert_exit(&output, 0, &["projects", "list"]);
    let shown = stdout(&output);
    assert_no_raw_control(&shown);
    assert!(!shown.contains("\nForged"), "{shown}");
    // --json stays exact.
    let (output, _) = run(&server, &["--json", "projects", "list"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json[0]["name"],
        "Evil\u{1b}[2J\u{1b}]0;x\u{7}\nForged: line"
    );
}

#[test]
fn a_retried_delete_that_finds_nothing_after_a_lost_answer_succeeded() {
    for lost in [Reply::ResetAfterHeaders, Reply::Truncated] {
        let server = Misbehaving::start(vec![
            lost.clone(),
            Reply::json(404, r#"{"error": "Not Found"}"#),
        ]);
        let (output, _) = run(&server, &["projects", "delete", "2640001"]);
        assert_eq!(server.count("DELETE"), 2, "{lost:?}");
        assert_exit(&output, 0, &["projects", "delete"]);
        assert!(
            stdout(&output).contains("Deleted project 2640001"),
            "{}",
            stdout(&output)
        );
    }
    // A first answer of 404 is still "not found".
    let server = Misbehaving::start(vec![Reply::json(404, r#"{"error": "Not Found"}"#)]);
    let (output, _) = run(&server, &["projects", "delete", "2640001"]);
    assert_exit(&output, 3, &["projects", "delete"]);
}

#[test]
fn a_batch_with_a_refused_email_shows_each_outcome_and_fails() {
    let server = Misbehaving::start(vec![Reply::json(
        200,
        r#"{"success": true, "responses": [
            {"success": true, "message_ids": ["5000000011"]},
            {"success": false, "errors": ["'to' address is invalid \u001b[2J"]}
        ]}"#,
    )]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.json");
    std::fs::write(
        &file,
        r#"{"base": {"from": "app@example.test", "subject": "Hi", "text": "Hello"},
            "requests": [{"to": ["ana@example.test"]}, {"to": ["ben@example.test"]}]}"#,
    )
    .unwrap();
    let args = [
        "send",
        "--sandbox",
        SANDBOX,
        "--batch",
        file.to_str().unwrap(),
    ];
    let (output, _) = run(&server, &args);
    assert_exit(&output, 1, &args);
    assert_eq!(server.count("POST"), 1);
    let shown = stdout(&output);
    assert_no_raw_control(&shown);
    assert!(
        shown.contains("5000000011"),
        "the sent email keeps its id: {shown}"
    );
    assert!(shown.contains("1 of 2 emails sent."), "{shown}");
    let stderr = stderr(&output);
    assert_no_raw_control(&stderr);
    assert!(stderr.contains("1 of 2 refused (#1)"), "{stderr}");
}

#[test]
fn forward_checks_what_it_is_answered() {
    for body in [
        r#"{"success": false, "errors": ["not confirmed"]}"#,
        r#"[1, 2]"#,
    ] {
        let server = Misbehaving::start(vec![Reply::json(200, body)]);
        let args = [
            "messages",
            "forward",
            "--sandbox",
            SANDBOX,
            "5000000001",
            "--to",
            "qa@example.test",
        ];
        let (output, _) = run(&server, &args);
        assert_exit(&output, 1, &args);
        assert!(
            !stdout(&output).contains("Forwarded"),
            "{body}: {}",
            stdout(&output)
        );
        assert_eq!(server.count("POST"), 1);
    }
}

#[test]
fn reads_are_retried_past_resets_and_truncated_bodies() {
    let server = Misbehaving::start(vec![
        Reply::ResetBeforeHeaders,
        Reply::Truncated,
        Reply::json(200, "[]"),
    ]);
    let (output, _) = run(&server, &["--retries", "2", "projects", "list"]);
    assert_exit(&output, 0, &["projects", "list"]);
    assert_eq!(server.count("GET"), 3);
    assert_eq!(stdout(&output).trim(), "No projects.");
}

#[test]
fn rate_limited_reads_exit_6_and_a_slow_body_is_cut_by_the_request_timeout() {
    for reply in [
        Reply::json(429, r#"{"errors": "Too many requests"}"#),
        Reply::json_with(
            429,
            ("Retry-After", "30"),
            r#"{"errors": "Too many requests"}"#,
        ),
    ] {
        let server = Misbehaving::start(vec![reply]);
        let (output, took) = run(&server, &["--retries", "0", "projects", "list"]);
        assert_exit(&output, 6, &["projects", "list"]);
        assert!(took < Duration::from_secs(5), "took {took:?}");
    }
    let server = Misbehaving::start(vec![Reply::SlowBody("[]".repeat(40))]);
    let args = [
        "--request-timeout",
        "1s",
        "--retries",
        "0",
        "projects",
        "list",
    ];
    let (output, took) = run(&server, &args);
    assert_exit(&output, 4, &args);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        stderr(&output).contains("--request-timeout"),
        "{}",
        stderr(&output)
    );
}
