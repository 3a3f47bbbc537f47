//! `send` from a template and from a batch file, and `messages list` paging, against the
//! emulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{Emu, assert_exit, stderr};

#[test]
fn send_from_a_template_with_variables() {
    let emu = Emu::start();
    let template = emu.emulator().summary().template_uuid.clone();
    let dir = tempfile::tempdir().unwrap();
    let vars = dir.path().join("vars.json");
    std::fs::write(&vars, r#"{"user": {"name": "Ana"}, "company": "Initech"}"#).unwrap();
    let sandbox = emu.sandbox_id.to_string();
    let sent = emu.json(&[
        "send",
        "--sandbox",
        &sandbox,
        "--from",
        "app@example.test",
        "--to",
        "ana@example.test",
        "--template",
        &template,
        "--vars-file",
        vars.to_str().unwrap(),
        "--var",
        "company=Acme",
    ]);
    let id = sent["message_ids"][0].as_str().unwrap().to_owned();
    let message = emu.json(&["messages", "get", "--sandbox", &sandbox, &id]);
    assert_eq!(message["subject"], "Welcome to Acme, Ana!");

    // A template takes no subject or body of its own.
    let args = [
        "send",
        "--sandbox",
        &sandbox,
        "--from",
        "a@example.test",
        "--to",
        "b@example.test",
        "--template",
        &template,
        "--subject",
        "x",
    ];
    assert_exit(&emu.run(&args), 2, &args);
    // --var without --template is a usage error.
    let args = [
        "send",
        "--sandbox",
        &sandbox,
        "--from",
        "a@example.test",
        "--to",
        "b@example.test",
        "--subject",
        "x",
        "--text",
        "y",
        "--var",
        "a=b",
    ];
    assert_exit(&emu.run(&args), 2, &args);
}

#[test]
fn send_a_batch_from_a_json_file() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.json");
    std::fs::write(
        &file,
        r#"{
          "base": {"from": {"email": "app@example.test", "name": "Example App"},
                   "subject": "Your weekly digest", "text": "Here is your week."},
          "requests": [
            {"to": [{"email": "ana@example.test", "name": "Ana"}]},
            {"to": ["ben@example.test"], "subject": "Your first digest"}
          ]
        }"#,
    )
    .unwrap();
    let sandbox = emu.sandbox_id.to_string();
    let path = file.to_str().unwrap();
    let shown = emu.ok(&["send", "--sandbox", &sandbox, "--batch", path]);
    assert!(shown.contains("2 of 2 emails sent."), "{shown}");
    let outcome = emu.json(&["send", "--sandbox", &sandbox, "--batch", path]);
    assert_eq!(outcome["responses"].as_array().unwrap().len(), 2);
    let subjects: Vec<String> = emu
        .json(&["messages", "list", "--sandbox", &sandbox])
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["subject"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|subject| *subject == "Your first digest")
            .count(),
        2
    );

    // A misspelt field is named, and nothing is sent.
    std::fs::write(
        &file,
        r#"{"requests": [{"to": ["a@example.test"], "subjet": "x"}]}"#,
    )
    .unwrap();
    let args = ["send", "--sandbox", &sandbox, "--batch", path];
    let output = emu.run(&args);
    assert_exit(&output, 2, &args);
    assert!(
        stderr(&output).contains("unknown field `subjet`"),
        "{}",
        stderr(&output)
    );
    // An email breaking the API's rules is refused before anything is sent.
    std::fs::write(&file, r#"{"requests": [{"to": ["a@example.test"]}]}"#).unwrap();
    let output = emu.run(&args);
    assert_exit(&output, 2, &args);
    assert!(
        stderr(&output).contains("requests[0]"),
        "{}",
        stderr(&output)
    );
    std::fs::write(&file, r#"{"requests": [{"subject": "x", "text": "y"}]}"#).unwrap();
    let output = emu.run(&args);
    assert_exit(&output, 2, &args);
    let said = stderr(&output);
    assert!(said.contains("requests[0] has no recipient"), "{said}");
    assert!(
        !said.contains(".to("),
        "no Rust method in a CLI message: {said}"
    );
}

#[test]
fn messages_list_pages_with_last_id_and_page() {
    let emu = Emu::start();
    let ids: Vec<u64> = (0..3)
        .map(|n| emu.seed_message(&format!("Message {n}")).get())
        .collect();
    let sandbox = emu.sandbox_id.to_string();
    let listed = |args: &[&str]| -> Vec<u64> {
        let mut full = vec!["messages", "list", "--sandbox", &sandbox];
        full.extend_from_slice(args);
        emu.json(&full)
            .as_array()
            .unwrap()
            .iter()
            .map(|message| message["id"].as_u64().unwrap())
            .collect()
    };
    let newest = ids[2].to_string();
    assert_eq!(listed(&["--last-id", &newest]), vec![ids[1], ids[0]]);
    assert_eq!(
        listed(&["--last-id", &newest, "--limit", "1"]),
        vec![ids[1]]
    );
    assert_eq!(listed(&["--page", "1"]), vec![ids[2], ids[1], ids[0]]);
    assert_eq!(listed(&["--page", "2"]), Vec::<u64>::new());
    let args = [
        "messages",
        "list",
        "--sandbox",
        &sandbox,
        "--page",
        "1",
        "--all",
    ];
    assert_exit(&emu.run(&args), 2, &args);
}

#[test]
fn wait_windows_trigger_then_wait_and_leftovers() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let old = emu.seed_message("Your sign-in code").to_string();

    // Trigger, then wait: the message that arrived first is found (the default look-back),
    // with the same vocabulary as the SDK (contains, ignoring case).
    let found = emu.json(&[
        "wait",
        "--sandbox",
        &sandbox,
        "--subject",
        "SIGN-IN code",
        "--timeout",
        "10s",
    ]);
    assert_eq!(found["id"].to_string(), old);

    // A message from before the wait is not taken with --only-new, nor with --since its id;
    // the hint names the flag that would include it.
    for window in [
        vec!["--only-new"],
        vec!["--since", &old],
        vec!["--look-back", "0s"],
    ] {
        let mut args = vec![
            "wait",
            "--sandbox",
            &sandbox,
            "--subject",
            "sign-in",
            "--timeout",
            "1s",
        ];
        args.extend_from_slice(&window);
        let output = emu.run(&args);
        assert_exit(&output, 4, &args);
        let stderr = stderr(&output);
        assert!(stderr.contains("--since"), "{window:?}: {stderr}");
        assert!(!stderr.contains("WaitFor"), "{window:?}: {stderr}");
    }
    let before = (old.parse::<u64>().unwrap() - 1).to_string();
    let found = emu.json(&[
        "wait",
        "--sandbox",
        &sandbox,
        "--subject-is",
        "Your sign-in code",
        "--since",
        &before,
        "--timeout",
        "10s",
    ]);
    assert_eq!(found["id"].to_string(), old);
    let args = [
        "wait",
        "--sandbox",
        &sandbox,
        "--since",
        "2999-01-01T00:00:00Z",
        "--timeout",
        "1s",
    ];
    assert_exit(&emu.run(&args), 4, &args);
    let args = ["wait", "--sandbox", &sandbox, "--since", "yesterday"];
    assert_exit(&emu.run(&args), 2, &args);
}
