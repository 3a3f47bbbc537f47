//! The README's "Bounds and timeouts" table says what the code does, for every bound a user can
//! read back: the SMTP server's and the sandboxes' defaults, the sending API's limits, the HTTP
//! idle timeout and the rate limit (as the control API reports it). The other rows are held by
//! the tests that reach them on a socket (`http_limits`, `smtp_protocol`, `emulator_smtp`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use std::time::Duration;

use mailtrap_sandbox_emulator::smtp::{COMMAND_LINE_LIMIT, DATA_LINE_LIMIT, SmtpConfig};
use mailtrap_sandbox_emulator::{EmulatorConfig, SandboxLimits, mail};

const README: &str = include_str!("../README.md");

/// The bound cell of the table row whose first cell starts with `what`.
fn bound(what: &str) -> &'static str {
    let table = README
        .split_once("## Bounds and timeouts")
        .expect("the README has a bounds section")
        .1;
    let row = table
        .lines()
        .find(|line| line.starts_with(&format!("| {what}")))
        .unwrap_or_else(|| panic!("no row for {what:?} in the README's bounds table"));
    row.split('|').nth(2).unwrap().trim()
}

/// `4096` → `4,096`, as the README writes numbers.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `1048576` → `1 MiB`, `65536` → `64 KiB`.
fn size(bytes: u64) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        assert!(
            bytes.is_multiple_of(1024),
            "{bytes} is not a whole number of KiB"
        );
        format!("{} KiB", bytes / 1024)
    }
}

fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs())
}

fn assert_says(what: &str, expected: &str) {
    let cell = bound(what);
    assert!(
        cell.contains(expected),
        "the README's bound for {what:?} is {cell:?}, the code's is {expected:?}"
    );
}

#[test]
fn the_smtp_rows_match_the_defaults() {
    let smtp = SmtpConfig::default();
    assert_says(
        "SMTP sessions",
        &format!("{} at once", count(smtp.max_connections as u64)),
    );
    assert_says("SMTP idle", &seconds(smtp.idle_timeout));
    assert_says(
        "SMTP `DATA`",
        &format!("each line within {}", seconds(smtp.idle_timeout)),
    );
    assert_says(
        "SMTP command line",
        &format!("{} octets", count(COMMAND_LINE_LIMIT as u64)),
    );
    assert_says("SMTP line inside `DATA`", &size(DATA_LINE_LIMIT as u64));
    let sandbox = SandboxLimits::default();
    assert_says(
        "SMTP message",
        &format!(
            "({}), at most {}",
            size(sandbox.max_message_size),
            size(smtp.max_message_bytes)
        ),
    );
    assert_eq!(
        bound("SMTP recipients per message"),
        count(smtp.max_recipients as u64)
    );
    assert_says(
        "SMTP commands without a delivered message",
        &format!("{} (`RCPT TO` not counted)", smtp.max_commands_per_message),
    );
    assert_says(
        "messages per sandbox",
        &format!("({})", count(sandbox.max_size)),
    );
}

#[test]
fn the_sending_api_row_matches_its_limits() {
    let row = bound("sending API");
    for expected in [
        format!(
            "{} addresses per recipient field",
            count(mail::MAX_RECIPIENTS_PER_FIELD as u64)
        ),
        format!("`category` {} characters", mail::MAX_CATEGORY_LEN),
        format!(
            "`custom_variables` {} bytes",
            count(mail::MAX_CUSTOM_VARIABLES_BYTES as u64)
        ),
    ] {
        assert!(row.contains(&expected), "{row:?} lacks {expected:?}");
    }
}

#[tokio::test]
async fn the_http_rows_match_the_running_emulator() {
    let idle = seconds(EmulatorConfig::default().http_idle_timeout);
    assert_says("HTTP idle connection", &idle);
    assert_says("HTTP request body pausing", &format!("({idle})"));

    let env = http_support::start().await;
    let rate = env.get_json("/_emulator/rate_limit").await;
    let limit = rate["limit"].as_u64().unwrap();
    let window = rate["window_seconds"].as_u64().unwrap();
    let section = README
        .split_once("### Rate limit")
        .expect("the README has a rate-limit section")
        .1;
    assert!(
        section.contains(&format!("`X-Ratelimit-Limit: {limit}`"))
            && section.contains(&format!("in {window}-second windows")),
        "the README's rate limit is not {limit} requests per {window} s"
    );
}

#[test]
fn the_formats_are_the_readmes() {
    assert_eq!(count(100), "100");
    assert_eq!(count(4096), "4,096");
    assert_eq!(count(10_000), "10,000");
    assert_eq!(size(64 * 1024), "64 KiB");
    assert_eq!(size(50 * 1024 * 1024), "50 MiB");
}
