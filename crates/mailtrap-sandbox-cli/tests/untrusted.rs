//! Mail is hostile: what a sender put in a subject, a name or an attachment's file name
//! reaches the terminal escaped (and `--json` exactly), and never decides where a file goes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{Emu, assert_exit, stderr, stdout};
use mailtrap_sandbox::{Email, EmailAttachment};
use mailtrap_sandbox_emulator::FaultSpec;

/// Retitles the terminal, clears it, turns text red and reverses it (a line break in a
/// subject is refused by the SDK; `misbehaving.rs` shows a forged line from a server).
const HOSTILE: &str = "Invoice \u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}fdp.exe";

fn assert_inert(text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "a control character reached the terminal: {text:?}"
    );
    assert!(!text.contains("\nForged"), "a line was forged: {text}");
}

#[test]
fn subjects_and_names_from_mail_are_shown_escaped_and_json_is_exact() {
    let emu = Emu::start();
    let email = Email::new()
        .from(("Mallory \u{1b}[5m", "mallory@example.test"))
        .to("ana@example.test")
        .subject(HOSTILE)
        .text("Hello \u{1b}[2J there\n");
    let client = emu.client();
    let id = emu
        .block_on(client.sandbox(emu.sandbox_id).send(email))
        .unwrap()
        .sandbox_message_ids()[0]
        .to_string();
    let sandbox = emu.sandbox_id.to_string();
    for args in [
        vec!["messages", "list", "--sandbox", &sandbox],
        vec!["messages", "get", "--sandbox", &sandbox, &id],
        vec!["messages", "headers", "--sandbox", &sandbox, &id],
        vec!["messages", "delete", "--sandbox", &sandbox, "5999999999"],
    ] {
        let output = emu.run(&args);
        assert_inert(&stdout(&output));
        assert_inert(&stderr(&output));
    }
    let shown = emu.ok(&["messages", "get", "--sandbox", &sandbox, &id]);
    assert!(shown.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2J"), "{shown}");

    // The body itself, written to a pipe, is exact: the user asked for the bytes.
    let body = emu.run(&["messages", "body", "--sandbox", &sandbox, &id]);
    assert!(stdout(&body).contains("\u{1b}[2J"));

    let json = emu.json(&["messages", "get", "--sandbox", &sandbox, &id]);
    assert_eq!(json["subject"], HOSTILE);
}

#[test]
fn hostile_attachment_names_are_saved_safely_and_a_failing_one_does_not_stop_the_others() {
    let emu = Emu::start();
    let long = format!("{}.pdf", "a".repeat(300));
    let names = [
        "../../outside.txt".to_owned(),
        "clear\u{1b}[2J.txt".to_owned(),
        long,
        "report.csv".to_owned(),
        "REPORT.CSV".to_owned(),
    ];
    let mut email = Email::new()
        .from("app@example.test")
        .to("ana@example.test")
        .subject("Files")
        .text("See the files.");
    for (index, name) in names.iter().enumerate() {
        email = email.attach(EmailAttachment::from_bytes(
            name.clone(),
            format!("content {index}").into_bytes(),
        ));
    }
    let client = emu.client();
    let sandbox_handle = client.sandbox(emu.sandbox_id);
    let message = emu
        .block_on(sandbox_handle.send(email))
        .unwrap()
        .sandbox_message_ids()[0];
    let attachments = emu
        .block_on(sandbox_handle.message(message).attachments().list().send())
        .unwrap();
    assert_eq!(attachments.len(), names.len());

    // The last attachment cannot be downloaded.
    let failing = attachments.last().unwrap();
    emu.fault(
        FaultSpec::fail(500)
            .path_prefix(failing.download_path.clone().unwrap())
            .method("GET"),
    );
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("in").join("here");
    let (sandbox, message) = (emu.sandbox_id.to_string(), message.to_string());
    let args = [
        "--retries",
        "0",
        "attachments",
        "download",
        "--sandbox",
        &sandbox,
        "--message",
        &message,
        "-o",
        dir.to_str().unwrap(),
    ];
    let output = emu.run(&args);
    assert_exit(&output, 1, &args);
    let shown = stdout(&output);
    assert_inert(&shown);
    assert_inert(&stderr(&output));
    assert!(
        stderr(&output).contains("1 of 5 attachments"),
        "{}",
        stderr(&output)
    );
    assert!(shown.contains("directory part removed"), "{shown}");
    assert!(shown.contains("name too long"), "{shown}");
    assert!(shown.contains("not saved"), "{shown}");

    // Everything saved is inside the directory, nothing outside it.
    let mut saved: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    saved.sort();
    assert_eq!(saved.len(), 4, "{saved:?}");
    assert!(saved.contains(&"outside.txt".to_owned()), "{saved:?}");
    assert!(saved.contains(&"clear_[2J.txt".to_owned()), "{saved:?}");
    assert!(saved.contains(&"report.csv".to_owned()), "{saved:?}");
    assert!(
        saved
            .iter()
            .any(|name| name.len() <= 120 && name.ends_with("~.pdf")),
        "{saved:?}"
    );
    assert!(!root.path().join("outside.txt").exists());
    assert!(!root.path().join("in").join("outside.txt").exists());
    assert_eq!(
        std::fs::read(dir.join("report.csv")).unwrap(),
        b"content 3".to_vec()
    );

    // --json reports the mapping exactly.
    let mut json_args = vec!["--json"];
    json_args.extend_from_slice(&args);
    let output = emu.run(&json_args);
    let files: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(files[1]["filename"], "clear\u{1b}[2J.txt");
    assert_eq!(files[1]["renamed"], "unsafe characters replaced");
    assert!(files[4]["error"].is_string(), "{files}");
}

#[test]
fn an_unknown_attachment_id_among_several_does_not_stop_the_others() {
    let emu = Emu::start();
    let message = emu.seed_message("Invoice");
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
        .id
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, message) = (emu.sandbox_id.to_string(), message.to_string());
    let mut args = vec![
        "attachments",
        "download",
        "--sandbox",
        &sandbox,
        "--message",
        &message,
        "-o",
        dir.path().to_str().unwrap(),
    ];
    args.push("7999999999");
    args.push(&attachment);
    let output = emu.run(&args);
    assert_exit(&output, 1, &args);
    assert!(stdout(&output).contains("not saved"), "{}", stdout(&output));
    assert_eq!(
        std::fs::read(dir.path().join("invoice.csv")).unwrap(),
        common::SEED_ATTACHMENT
    );
    // One unknown id alone is "not found".
    let output = emu.run(&args[..9]);
    assert_exit(&output, 3, &args[..9]);
}
