//! Bad input gets the documented message and exit code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{Emu, assert_exit, bare_cmd, stderr};
use mailtrap_sandbox_emulator::FaultSpec;

#[test]
fn help_documents_the_exit_codes_and_hides_the_token() {
    let output = bare_cmd()
        .env("MAILTRAP_API_TOKEN", "secret-token-value")
        .arg("--help")
        .output()
        .unwrap();
    assert_exit(&output, 0, &["--help"]);
    let help = common::stdout(&output);
    for line in [
        "0  success",
        "2  usage",
        "3  not found",
        "4  timed out",
        "5  authentication",
        "6  rate limited",
    ] {
        assert!(help.contains(line), "--help lacks {line:?}:\n{help}");
    }
    assert!(
        !help.contains("secret-token-value"),
        "the token's value is never shown"
    );
}

#[test]
fn unknown_ids_exit_3() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    for args in [
        vec!["sandboxes", "get", "999999"],
        vec!["projects", "delete", "999999"],
        vec!["messages", "get", "--sandbox", &sandbox, "5999999999"],
        vec!["messages", "list", "--sandbox", "999999"],
        vec![
            "attachments",
            "list",
            "--sandbox",
            &sandbox,
            "--message",
            "5999999999",
        ],
        vec!["tokens", "get", "999999"],
    ] {
        let output = emu.run(&args);
        assert_exit(&output, 3, &args);
        let stderr = stderr(&output);
        assert!(stderr.starts_with("error: could not "), "{stderr}");
        assert!(stderr.contains("not found (404 Not Found"), "{stderr}");
        assert!(stderr.contains("\nhint: check the id"), "{stderr}");
    }
    let output = emu.run(&["sandboxes", "get", "999999"]);
    snap!(emu, "error_not_found", stderr(&output));
}

#[test]
fn a_missing_token_exits_5_and_names_the_variable_and_the_flag() {
    let emu = Emu::start();
    let output = bare_cmd()
        .args(["--base-url", &emu.base_url, "sandboxes", "list"])
        .output()
        .unwrap();
    assert_exit(&output, 5, &["sandboxes", "list"]);
    let stderr = stderr(&output);
    assert!(
        stderr.contains("MAILTRAP_API_TOKEN") && stderr.contains("--token"),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        2,
        "one line for what failed, one for what to do: {stderr}"
    );
    snap!(emu, "error_missing_token", stderr);

    // An empty variable counts as missing.
    let output = bare_cmd()
        .env("MAILTRAP_API_TOKEN", "  ")
        .args(["projects", "list"])
        .output()
        .unwrap();
    assert_exit(&output, 5, &["projects", "list"]);
}

#[test]
fn a_rejected_token_exits_5_without_showing_it() {
    let emu = Emu::start();
    let output = bare_cmd()
        .env("MAILTRAP_API_TOKEN", "wrong-token-1234")
        .env("MAILTRAP_BASE_URL", &emu.base_url)
        .args(["projects", "list"])
        .output()
        .unwrap();
    assert_exit(&output, 5, &["projects", "list"]);
    let stderr = stderr(&output);
    assert!(
        stderr.contains("rejected the token (401 Unauthorized"),
        "{stderr}"
    );
    assert!(stderr.contains("Incorrect API token"), "{stderr}");
    assert!(!stderr.contains("wrong-token-1234"));
    snap!(emu, "error_rejected_token", stderr);
}

#[test]
fn bad_flag_values_exit_2() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["sandboxes", "get", "abc"], "invalid value 'abc'"),
        (
            vec!["wait", "--sandbox", &sandbox, "--timeout", "soon"],
            "is not a duration",
        ),
        (
            vec![
                "messages",
                "body",
                "--sandbox",
                &sandbox,
                "1",
                "--format",
                "pdf",
            ],
            "invalid value 'pdf'",
        ),
        (
            vec!["messages", "list", "--sandbox", &sandbox, "--limit", "0"],
            "--limit",
        ),
        (
            vec!["users", "grant", "1", "planet:1:viewer"],
            "is not a resource type",
        ),
        (
            vec!["users", "grant", "1", "sandbox:1"],
            "expected TYPE:ID:LEVEL",
        ),
        (vec!["projects", "frobnicate"], "unrecognized subcommand"),
        (vec!["sandboxes", "update", "1"], "--name"),
        (vec!["users", "grant", "1"], "no permission given"),
        (
            vec![
                "send",
                "--sandbox",
                &sandbox,
                "--from",
                "a@example.test",
                "--to",
                "b@example.test",
                "--subject",
                "x",
            ],
            "nothing to send",
        ),
        (
            vec![
                "send",
                "--sandbox",
                &sandbox,
                "--from",
                "not an address",
                "--to",
                "b@example.test",
                "--subject",
                "x",
                "--text",
                "y",
            ],
            "'from' address is invalid",
        ),
    ];
    for (args, expected) in cases {
        let output = emu.run(&args);
        assert_exit(&output, 2, &args);
        let stderr = stderr(&output);
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in:\n{stderr}"
        );
    }
    let output = bare_cmd()
        .args([
            "--token",
            "t",
            "--base-url",
            "not a url",
            "projects",
            "list",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 2, &["--base-url"]);
    assert!(
        stderr(&output).contains("--base-url"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unreadable_attachment_exits_1_and_names_the_file() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let missing = tempfile::tempdir()
        .unwrap()
        .path()
        .join("missing-report.pdf");
    let args = [
        "send",
        "--sandbox",
        &sandbox,
        "--from",
        "a@example.test",
        "--to",
        "b@example.test",
        "--subject",
        "Report",
        "--text",
        "attached",
        "--attach",
        missing.to_str().unwrap(),
    ];
    let output = emu.run(&args);
    assert_exit(&output, 1, &args);
    let stderr = stderr(&output);
    assert!(
        stderr.contains("could not read the attachment") && stderr.contains("missing-report.pdf"),
        "{stderr}"
    );
    // Nothing was sent.
    assert_eq!(
        emu.json(&["messages", "list", "--sandbox", &sandbox])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn a_wait_that_times_out_exits_4() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    emu.seed_message("Something else");
    let args = [
        "wait",
        "--sandbox",
        &sandbox,
        "--subject",
        "Never sent",
        "--timeout",
        "600ms",
        "--poll-interval",
        "100ms",
        "--since",
        "0",
    ];
    let output = emu.run(&args);
    assert_exit(&output, 4, &args);
    let stderr = stderr(&output);
    assert!(stderr.contains("timed out after"), "{stderr}");
    assert!(
        stderr.contains("\"Something else\""),
        "says what it saw: {stderr}"
    );
    assert!(stderr.contains("hint: raise --timeout"), "{stderr}");
    assert!(common::stdout(&output).is_empty());
}

#[test]
fn a_code_that_is_not_there_exits_1() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let sent = emu.json(&[
        "send",
        "--sandbox",
        &sandbox,
        "--from",
        "a@example.test",
        "--to",
        "b@example.test",
        "--subject",
        "No code",
        "--text",
        "Nothing to see.",
    ]);
    let since = sent["message_ids"][0]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap()
        - 1;
    let output = emu.run(&[
        "wait",
        "--sandbox",
        &sandbox,
        "--since",
        &since.to_string(),
        "--timeout",
        "5s",
        "--code",
    ]);
    assert_exit(&output, 1, &["wait", "--code"]);
    assert!(
        stderr(&output).contains("no one-time code was found"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn rate_limiting_exits_6_and_server_errors_exit_1() {
    let emu = Emu::start();
    emu.fault(FaultSpec::fail(429).times(1).path_prefix("/api/projects"));
    let output = emu.run(&["--retries", "0", "projects", "list"]);
    assert_exit(&output, 6, &["projects", "list"]);
    assert!(
        stderr(&output).contains("hint: Mailtrap allows 150 requests per 10 seconds"),
        "{}",
        stderr(&output)
    );

    emu.fault(FaultSpec::fail(503).times(1).path_prefix("/api/sandboxes"));
    let output = emu.run(&["--retries", "0", "sandboxes", "list"]);
    assert_exit(&output, 1, &["sandboxes", "list"]);
    assert!(stderr(&output).contains("503"), "{}", stderr(&output));

    // With retries (the default), a passing failure is absorbed.
    emu.fault(FaultSpec::fail(503).times(1).path_prefix("/api/sandboxes"));
    emu.ok(&["sandboxes", "list"]);
}

#[test]
fn an_unreachable_api_exits_1_with_a_hint() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let output = bare_cmd()
        .args([
            "--retries",
            "0",
            "--token",
            "t",
            "--base-url",
            &url,
            "projects",
            "list",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 1, &["projects", "list"]);
    let stderr = stderr(&output);
    assert!(stderr.contains("could not list projects"), "{stderr}");
    assert!(stderr.contains("hint: check --base-url"), "{stderr}");
}
