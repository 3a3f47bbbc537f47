//! `Client::from_env`, run in a child process so each case has its own environment.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::process::Command;

use mailtrap_sandbox::Client;

const CHILD: &str = "MAILTRAP_SANDBOX_FROM_ENV_CHILD";
const VARIABLES: [&str; 3] = [
    "MAILTRAP_API_TOKEN",
    "MAILTRAP_BASE_URL",
    "MAILTRAP_SEND_BASE_URL",
];

/// Not a test of its own: the body of the child process (it does nothing in a normal run).
#[test]
fn from_env_child_process() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    match Client::from_env() {
        Ok(client) => println!(
            "RESULT ok base={} send={}",
            client.base_url(),
            client.send_base_url()
        ),
        Err(err) => println!("RESULT err {err}"),
    }
}

/// Runs the child with exactly these variables set (the three Mailtrap ones cleared first).
fn from_env_with(vars: &[(&str, &str)]) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        "--exact",
        "from_env_child_process",
        "--nocapture",
        "--test-threads=1",
    ]);
    for name in VARIABLES {
        command.env_remove(name);
    }
    command.env(CHILD, "1");
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout
        .lines()
        .find_map(|line| line.split_once("RESULT ").map(|(_, result)| result))
        .unwrap_or_else(|| panic!("child printed no result: {stdout}"))
        .to_owned()
}

#[test]
fn a_missing_token_names_the_variable() {
    insta::assert_snapshot!(from_env_with(&[]), @"err missing configuration: MAILTRAP_API_TOKEN is not set. Set it to an API token from Mailtrap (Settings → API Tokens), for instance `export MAILTRAP_API_TOKEN=...`.");
}

#[test]
fn a_blank_token_counts_as_missing() {
    let result = from_env_with(&[("MAILTRAP_API_TOKEN", "   ")]);
    assert!(
        result.starts_with("err missing configuration: MAILTRAP_API_TOKEN"),
        "{result}"
    );
}

#[test]
fn defaults_apply_without_base_urls() {
    assert_eq!(
        from_env_with(&[("MAILTRAP_API_TOKEN", "abc123")]),
        "ok base=https://mailtrap.io send=https://sandbox.api.mailtrap.io"
    );
}

#[test]
fn base_urls_are_read() {
    assert_eq!(
        from_env_with(&[
            ("MAILTRAP_API_TOKEN", "abc123"),
            ("MAILTRAP_BASE_URL", "http://127.0.0.1:8025/"),
            ("MAILTRAP_SEND_BASE_URL", "http://127.0.0.1:8026"),
        ]),
        "ok base=http://127.0.0.1:8025 send=http://127.0.0.1:8026"
    );
}

#[test]
fn a_malformed_base_url_is_named() {
    insta::assert_snapshot!(
        from_env_with(&[("MAILTRAP_API_TOKEN", "abc123"), ("MAILTRAP_BASE_URL", "mailtrap.io")]),
        @"err invalid configuration: base_url: `mailtrap.io` is not a URL (relative URL without a base); expected something like https://mailtrap.io"
    );
}
