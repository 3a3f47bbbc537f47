//! `demo` (offline, the whole flow) and `serve` (the emulator as a server).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::{Redactions, assert_exit, bare_cmd, stderr, stdout};

#[test]
fn demo_runs_offline_and_reports_the_whole_flow() {
    let output = bare_cmd()
        .arg("demo")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_exit(&output, 0, &["demo"]);
    let report = stdout(&output);
    for fact in [
        "Created project",
        "Bcc           audit@acme.test",
        "https://app.acme.test/activate?token=Zx81-demo-7Qp (\"Activate your account\")",
        "Code          482913",
        "Code          739204",
        "welcome-pack.pdf, application/pdf",
        "(matches the file sent)",
        "Spam score",
        "HTML check    success",
        "Placeholders  none left",
        "Deleted project",
        "Demo finished: every check passed.",
    ] {
        assert!(
            report.contains(fact),
            "the report lacks {fact:?}:\n{report}"
        );
    }
    let emu = Redactions::default();
    snap!(emu, "demo_report", report);
}

#[test]
fn demo_json_is_one_document() {
    let output = bare_cmd()
        .args(["--json", "demo", "--keep"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_exit(&output, 0, &["demo"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["mode"], "emulator");
    assert_eq!(report["cleaned_up"], false, "--keep keeps them");
    let messages = report["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["sent_through"], "sending API");
    assert_eq!(messages[0]["code"], "482913");
    assert_eq!(messages[0]["attachments"][0]["matches_sent"], true);
    assert_eq!(messages[1]["sent_through"], "SMTP server");
    assert_eq!(messages[1]["bcc"], "security-log@acme.test");
    let emu = Redactions::default();
    snap!(
        emu,
        "demo_report_json",
        serde_json::to_string_pretty(&report).unwrap()
    );
}

#[test]
fn demo_live_without_a_token_exits_5() {
    let output = bare_cmd().args(["demo", "--live"]).output().unwrap();
    assert_exit(&output, 5, &["demo", "--live"]);
    let stderr = stderr(&output);
    assert!(
        stderr.contains("MAILTRAP_API_TOKEN") && stderr.contains("without --live"),
        "{stderr}"
    );
}

/// Starts `serve` on free ports (with `extra` arguments), reads its summary, runs `check`
/// against it, stops it with SIGTERM and expects a clean exit.
#[cfg(unix)]
fn with_server(json: bool, extra: &[&str], check: impl FnOnce(&str, &str)) -> String {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailtrap-sandbox"));
    for name in common::CLEARED_ENV {
        cmd.env_remove(name);
    }
    cmd.env("MAILTRAP_EMULATOR_TOKEN", "serve-test-token");
    if json {
        cmd.arg("--json");
    }
    let mut child = cmd
        .args([
            "serve",
            "--http-addr",
            "127.0.0.1:0",
            "--smtp-addr",
            "127.0.0.1:0",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut summary = String::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "serve ended early:\n{summary}"
        );
        summary.push_str(&line);
        let done = if json {
            line == "}\n"
        } else {
            line.contains("Control API")
        };
        if done {
            break;
        }
    }
    let base_url = summary
        .split_whitespace()
        .map(|word| word.trim_matches(|c| c == '"' || c == ','))
        .find(|word| word.starts_with("http://127.0.0.1:") && !word.contains("/_emulator"))
        .unwrap()
        .to_owned();
    check(&summary, &base_url);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "serve stops cleanly on SIGTERM");
    summary
}

#[cfg(unix)]
#[test]
fn serve_prints_its_summary_and_answers_until_stopped() {
    let summary = with_server(false, &[], |summary, base_url| {
        assert!(
            summary.contains("API token      serve-test-token"),
            "{summary}"
        );
        let output = bare_cmd()
            .args([
                "--token",
                "serve-test-token",
                "--base-url",
                base_url,
                "--json",
                "sandboxes",
                "list",
            ])
            .output()
            .unwrap();
        assert_exit(&output, 0, &["sandboxes", "list"]);
    });
    let emu = Redactions::default();
    emu.redact("serve-test-token", "[TOKEN]");
    // In memory, the CA certificate (for STARTTLS) is in a temporary directory.
    let ca_path = summary
        .lines()
        .find_map(|line| line.trim().strip_prefix("CA certificate "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the summary names the CA certificate");
    assert!(std::path::Path::new(ca_path).is_absolute(), "{ca_path}");
    emu.redact(ca_path, "[CA_CERT]");
    snap!(emu, "serve_summary", summary);
}

#[cfg(unix)]
#[test]
fn serve_json_summary_is_one_document() {
    let summary = with_server(true, &[], |summary, base_url| {
        let parsed: serde_json::Value = serde_json::from_str(summary).unwrap();
        assert_eq!(parsed["api_token"], "serve-test-token");
        assert_eq!(parsed["base_url"], base_url);
        assert!(parsed["sandbox"]["id"].as_u64().is_some());
        assert!(
            !parsed["sandbox"]["smtp_username"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    });
    let emu = Redactions::default();
    emu.redact("serve-test-token", "[TOKEN]");
    let parsed: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let ca_path = parsed["ca_cert_path"]
        .as_str()
        .expect("the CA is always named");
    emu.redact(ca_path, "[CA_CERT]");
    snap!(emu, "serve_summary_json", summary);
}

#[cfg(unix)]
#[test]
fn serve_with_https_names_the_https_url_and_the_ca_certificate() {
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path().to_str().unwrap();
    let ca_path = data_dir.path().join("tls").join("ca.pem");
    let summary = with_server(
        false,
        &["--https-addr", "127.0.0.1:0", "--data-dir", dir],
        |summary, _| {
            assert!(
                summary.contains(&format!("CA certificate {}", ca_path.display())),
                "{summary}"
            );
            let pem = std::fs::read_to_string(&ca_path).unwrap();
            assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
            // The HTTPS port is listening.
            let https = summary
                .split_whitespace()
                .find_map(|word| word.strip_prefix("https://"))
                .unwrap();
            std::net::TcpStream::connect(https).unwrap();
        },
    );
    let emu = Redactions::default();
    emu.redact("serve-test-token", "[TOKEN]");
    emu.redact(dir, "[DATA_DIR]");
    snap!(emu, "serve_summary_https", summary);

    // The JSON summary has the same facts.
    let summary = with_server(
        true,
        &["--https-addr", "127.0.0.1:0", "--data-dir", dir],
        |summary, _| {
            let parsed: serde_json::Value = serde_json::from_str(summary).unwrap();
            assert_eq!(parsed["ca_cert_path"], ca_path.to_str().unwrap());
            let url = parsed["https_base_url"].as_str().unwrap();
            assert_eq!(
                url,
                format!("https://{}", parsed["https_addr"].as_str().unwrap())
            );
        },
    );
    assert!(
        summary.contains("\"https_base_url\": \"https://127.0.0.1:"),
        "{summary}"
    );
}

/// The status code of `GET path` on `addr`, over a plain socket.
fn status_of(addr: &str, path: &str) -> u16 {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

#[cfg(unix)]
#[test]
fn serve_prints_the_web_inbox_link_unless_told_not_to_serve_it() {
    with_server(false, &[], |summary, base_url| {
        let addr = base_url.strip_prefix("http://").unwrap();
        let link = format!("{base_url}/?token=serve-test-token");
        assert!(
            summary.contains(&format!("Web inbox      {link}")),
            "{summary}"
        );
        // The link signs the browser in and redirects to the plain address.
        assert_eq!(status_of(addr, "/?token=serve-test-token"), 303);
        assert_eq!(status_of(addr, "/ui/login"), 200);
    });
    with_server(false, &["--no-ui"], |summary, base_url| {
        let addr = base_url.strip_prefix("http://").unwrap();
        assert!(!summary.contains("Web inbox"), "{summary}");
        assert_eq!(status_of(addr, "/ui/login"), 404);
        assert_eq!(status_of(addr, "/"), 404);
    });
}

#[test]
fn serve_refuses_a_taken_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = bare_cmd()
        .args(["serve", "--http-addr", &addr, "--smtp-addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_exit(&output, 1, &["serve"]);
    assert!(stderr(&output).contains(&addr), "{}", stderr(&output));
}
