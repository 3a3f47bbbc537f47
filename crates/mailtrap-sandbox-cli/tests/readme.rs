//! The command lines of the root README's `sh` blocks run against the emulator and succeed.
//!
//! Every line starting with `mailtrap-sandbox ` in a ```sh (or ```shell, ```bash) block runs
//! in `sh`, with the binary first on `PATH`, against a fresh emulator seeded with a message
//! (with an attachment) and an extra API token, and these variables set: `MAILTRAP_API_TOKEN`,
//! `MAILTRAP_BASE_URL`, `MAILTRAP_SEND_BASE_URL`, `SANDBOX_ID`, `PROJECT_ID`, `MESSAGE_ID`,
//! `ATTACHMENT_ID`, `ACCOUNT_ID`, `ORGANIZATION_ID`, `ACCESS_ID` (the seeded teammate's access),
//! `TOKEN_ID` (the extra token), `TEMPLATE_UUID` (the emulator's example template). It runs in
//! an empty directory holding `welcome.txt`, `welcome.html`, `report.pdf`, `user.json`
//! (template variables) and `digest.json` (a batch). While a `wait` line runs, the seed message
//! (subject "Reset your password") is sent again every half second, for lines that count only
//! mail newer than `MESSAGE_ID`. `serve` (which runs until Ctrl-C) and `--live` lines (which
//! need Mailtrap) are skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stderr
)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::Emu;

/// The subject of the seed message, which `wait` lines must match.
const SEED_SUBJECT: &str = "Reset your password";

/// The command lines of the `sh` blocks of `markdown` (continuation lines joined).
fn readme_command_lines(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            let info = trimmed.trim_start_matches('`').trim();
            in_block = !in_block && matches!(info, "sh" | "shell" | "bash");
            pending.clear();
            continue;
        }
        if !in_block {
            continue;
        }
        let continued = !pending.is_empty();
        if !continued && !trimmed.starts_with("mailtrap-sandbox ") {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head.trim_end());
                pending.push(' ');
            }
            None => {
                pending.push_str(trimmed);
                lines.push(std::mem::take(&mut pending));
            }
        }
    }
    lines
}

/// Runs every command line of `markdown`'s `sh` blocks against a fresh emulator and asserts
/// that each exits 0. Returns how many ran.
fn run_readme_commands(markdown: &str) -> usize {
    let path = binary_path();
    let mut ran = 0;
    for line in readme_command_lines(markdown) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.get(1) == Some(&"serve") || words.contains(&"--live") {
            eprintln!("skipped (needs a terminal or Mailtrap): {line}");
            continue;
        }
        run_one(&line, &path);
        ran += 1;
    }
    ran
}

fn run_one(line: &str, path: &std::ffi::OsStr) -> std::process::Output {
    let emu = Emu::start();
    let message = emu.seed_message(SEED_SUBJECT);
    let client = emu.client();
    let attachment = emu
        .block_on(
            client
                .sandbox(emu.sandbox_id)
                .message(message)
                .attachments()
                .list()
                .send(),
        )
        .unwrap()[0]
        .id;
    let token = emu
        .block_on(client.api_tokens().create("README token").send())
        .unwrap();
    let accesses = emu
        .block_on(client.account_accesses().list().send())
        .unwrap();
    let access = accesses
        .iter()
        .find(|access| access.specifier.email.as_deref() == Some("teammate@emulator.localhost"))
        .map(|access| access.id)
        .expect("the seeded teammate's access");
    let dir = tempfile::tempdir().unwrap();
    write_samples(dir.path());

    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(line)
        .current_dir(dir.path())
        .env("PATH", path);
    for name in common::CLEARED_ENV {
        cmd.env_remove(name);
    }
    let vars: [(&str, String); 12] = [
        ("MAILTRAP_API_TOKEN", emu.token.clone()),
        ("MAILTRAP_BASE_URL", emu.base_url.clone()),
        ("MAILTRAP_SEND_BASE_URL", emu.base_url.clone()),
        ("SANDBOX_ID", emu.sandbox_id.to_string()),
        ("PROJECT_ID", emu.project_id.to_string()),
        ("MESSAGE_ID", message.to_string()),
        ("ATTACHMENT_ID", attachment.to_string()),
        ("ACCOUNT_ID", emu.account_id.to_string()),
        ("ORGANIZATION_ID", emu.organization_id.to_string()),
        ("ACCESS_ID", access.to_string()),
        ("TOKEN_ID", token.token.id.to_string()),
        (
            "TEMPLATE_UUID",
            emu.emulator().summary().template_uuid.clone(),
        ),
    ];
    cmd.envs(vars.iter().map(|(name, value)| (*name, value.as_str())));
    let mut cmd = assert_cmd::Command::from_std(cmd);
    cmd.timeout(Duration::from_secs(60));
    let output = if line.split_whitespace().nth(1) == Some("wait") {
        let handle = std::thread::spawn(move || cmd.output().unwrap());
        // Until the wait ends: a `--since "$MESSAGE_ID"` line counts only mail newer than the
        // seed message.
        while !handle.is_finished() {
            std::thread::sleep(Duration::from_millis(500));
            emu.seed_message(SEED_SUBJECT);
        }
        handle.join().unwrap()
    } else {
        cmd.output().unwrap()
    };
    assert_eq!(
        output.status.code(),
        Some(0),
        "README command failed: {line}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `PATH` with the binary's directory first.
fn binary_path() -> std::ffi::OsString {
    let binary = assert_cmd::cargo::cargo_bin("mailtrap-sandbox");
    let bin_dir = binary.parent().unwrap().to_path_buf();
    std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap()
}

/// The CLI README's "Send, then wait" block runs as written, as one script against one
/// emulator, with nothing sent on its behalf: the wait starts after the send and still finds
/// the message (the seeded message, with another subject, is not taken instead).
#[test]
fn cli_readme_send_then_wait_runs_as_one_script() {
    let markdown =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = markdown.find("## Send, then wait").expect("the section");
    let section = &markdown[start + 2..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let lines = readme_command_lines(section);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("mailtrap-sandbox send "), "{lines:?}");
    assert!(lines[1].starts_with("mailtrap-sandbox wait "), "{lines:?}");
    let script = format!("set -e\n{}", lines.join("\n"));
    let output = run_one(&script, &binary_path());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().last(),
        Some("604219"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Files the cheat sheet's `send` examples attach or read.
fn write_samples(dir: &Path) {
    std::fs::write(
        dir.join("welcome.txt"),
        "Welcome aboard! Your code is 604219.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("welcome.html"),
        "<p>Welcome aboard! <a href=\"https://app.example.test/start\">Get started</a></p>\n",
    )
    .unwrap();
    std::fs::write(dir.join("report.pdf"), b"%PDF-1.4\n% sample\n%%EOF\n").unwrap();
    std::fs::write(dir.join("user.json"), r#"{"user": {"name": "Ana"}}"#).unwrap();
    std::fs::write(
        dir.join("digest.json"),
        r#"{"base": {"from": {"email": "app@example.com", "name": "App"},
                     "subject": "Your weekly digest", "text": "Here is what happened this week."},
            "requests": [{"to": [{"email": "ana@example.com"}]}, {"to": ["Ben <ben@example.com>"]}]}"#,
    )
    .unwrap();
}

/// The root README (or the file named by `MAILTRAP_CLI_README`, to try notes before they
/// are merged).
fn readme_path() -> PathBuf {
    std::env::var_os("MAILTRAP_CLI_README").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
        PathBuf::from,
    )
}

#[test]
fn readme_commands_run_against_the_emulator() {
    let path = readme_path();
    let markdown = std::fs::read_to_string(&path).unwrap_or_default();
    if readme_command_lines(&markdown).is_empty() {
        eprintln!(
            "skipped: {} has no `mailtrap-sandbox ...` line in a ```sh block yet",
            path.display()
        );
        return;
    }
    let ran = run_readme_commands(&markdown);
    assert!(
        ran > 0,
        "every command line of {} was skipped",
        path.display()
    );
}

#[test]
fn command_lines_are_found_in_sh_blocks_only() {
    let markdown = "\
Intro `mailtrap-sandbox projects list` in prose.

```sh
# a comment
export SANDBOX_ID=1
mailtrap-sandbox projects list
mailtrap-sandbox messages list \\
  --sandbox \"$SANDBOX_ID\"
```

```rust
mailtrap-sandbox not-rust
```

```
mailtrap-sandbox no-language
```

```bash
mailtrap-sandbox serve --json
```
";
    assert_eq!(
        readme_command_lines(markdown),
        [
            "mailtrap-sandbox projects list",
            "mailtrap-sandbox messages list --sandbox \"$SANDBOX_ID\"",
            "mailtrap-sandbox serve --json",
        ]
    );
}

#[test]
fn the_helper_runs_commands_with_the_variables_set() {
    let markdown = "\
```sh
mailtrap-sandbox messages get --sandbox \"$SANDBOX_ID\" \"$MESSAGE_ID\"
mailtrap-sandbox attachments get --sandbox \"$SANDBOX_ID\" --message \"$MESSAGE_ID\" \"$ATTACHMENT_ID\"
mailtrap-sandbox send --sandbox \"$SANDBOX_ID\" --from app@example.test --to ana@example.test \\
  --subject Hello --text-file welcome.txt --attach report.pdf
mailtrap-sandbox wait --sandbox \"$SANDBOX_ID\" --subject \"Reset\" --timeout 20s --code
mailtrap-sandbox users grant \"$ACCESS_ID\" \"sandbox:$SANDBOX_ID:viewer\"
mailtrap-sandbox serve
```
";
    assert_eq!(run_readme_commands(markdown), 5, "serve is skipped");
}

#[test]
#[should_panic(expected = "README command failed")]
fn the_helper_fails_on_a_failing_command() {
    run_readme_commands("```sh\nmailtrap-sandbox sandboxes get 999\n```\n");
}
