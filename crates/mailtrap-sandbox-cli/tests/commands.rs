//! Every command family against the emulator, in human and `--json` output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{Emu, SEED_ATTACHMENT, assert_exit};

#[test]
fn projects_list_get_create_update_delete() {
    let emu = Emu::start();
    snap!(emu, "projects_list", emu.ok(&["projects", "list"]));
    let list = emu.json(&["projects", "list"]);
    assert_eq!(list[0]["id"], emu.project_id);
    assert_eq!(list[0]["sandboxes"][0]["id"], emu.sandbox_id);
    snap!(
        emu,
        "projects_list_json",
        serde_json::to_string_pretty(&list).unwrap()
    );

    snap!(
        emu,
        "projects_create",
        emu.ok(&["projects", "create", "Checkout emails"])
    );
    let created = emu.json(&["projects", "create", "Billing emails"]);
    let id = created["id"].as_u64().unwrap().to_string();
    assert_eq!(created["name"], "Billing emails");

    snap!(emu, "projects_get", emu.ok(&["projects", "get", &id]));
    let shown = emu.json(&["projects", "get", &id]);
    assert_eq!(shown["name"], "Billing emails");

    snap!(
        emu,
        "projects_update",
        emu.ok(&["projects", "update", &id, "--name", "Invoices"])
    );
    assert_eq!(emu.json(&["projects", "get", &id])["name"], "Invoices");

    snap!(emu, "projects_delete", emu.ok(&["projects", "delete", &id]));
    assert_exit(&emu.run(&["projects", "get", &id]), 3, &["projects", "get"]);
}

#[test]
fn sandboxes_every_operation() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    snap!(emu, "sandboxes_list", emu.ok(&["sandboxes", "list"]));
    let list = emu.json(&["sandboxes", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    snap!(
        emu,
        "sandboxes_get",
        emu.ok(&["sandboxes", "get", &sandbox])
    );
    let shown = emu.json(&["sandboxes", "get", &sandbox]);
    assert_eq!(shown["username"], emu.smtp_username);
    snap!(
        emu,
        "sandboxes_get_json",
        serde_json::to_string_pretty(&shown).unwrap()
    );

    let project = emu.project_id.to_string();
    snap!(
        emu,
        "sandboxes_create",
        emu.ok(&["sandboxes", "create", "--project", &project, "Staging"])
    );
    let created = emu.json(&["sandboxes", "create", "--project", &project, "QA"]);
    let id = created["id"].as_u64().unwrap().to_string();

    let updated = emu.json(&[
        "sandboxes",
        "update",
        &id,
        "--name",
        "QA nightly",
        "--email-username",
        "qa-nightly",
    ]);
    assert_eq!(updated["name"], "QA nightly");
    assert_eq!(updated["email_username"], "qa-nightly");

    emu.seed_message("Reset your password");
    snap!(
        emu,
        "sandboxes_mark_read",
        emu.ok(&["sandboxes", "mark-read", &sandbox])
    );
    assert_eq!(
        emu.json(&["sandboxes", "get", &sandbox])["emails_unread_count"],
        0
    );
    snap!(
        emu,
        "sandboxes_clean",
        emu.ok(&["sandboxes", "clean", &sandbox])
    );
    assert_eq!(emu.json(&["sandboxes", "get", &sandbox])["emails_count"], 0);

    let reset = emu.json(&["sandboxes", "reset-credentials", &id]);
    assert_ne!(reset["username"], created["username"]);
    assert_ne!(reset["password"], created["password"]);

    // A new sandbox's address starts disabled; enable and disable are idempotent.
    let enabled = emu.json(&["sandboxes", "email-address", "enable", &id]);
    assert_eq!(enabled["email_username_enabled"], true);
    assert_eq!(
        emu.json(&["sandboxes", "email-address", "enable", &id])["email_username_enabled"],
        true
    );
    snap!(
        emu,
        "sandboxes_email_address_disable",
        emu.ok(&["sandboxes", "email-address", "disable", &id])
    );
    let renewed = emu.json(&["sandboxes", "email-address", "reset", &id]);
    assert_ne!(renewed["email_username"], "qa-nightly");

    snap!(
        emu,
        "sandboxes_delete",
        emu.ok(&["sandboxes", "delete", &id])
    );
    assert_exit(
        &emu.run(&["sandboxes", "get", &id]),
        3,
        &["sandboxes", "get"],
    );
}

#[test]
fn messages_list_read_mark_reports_and_delete() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let first = emu.seed_message("Welcome aboard").to_string();
    let second = emu.seed_message("Reset your password").to_string();

    snap!(
        emu,
        "messages_list",
        emu.ok(&["messages", "list", "--sandbox", &sandbox])
    );
    let list = emu.json(&["messages", "list", "--sandbox", &sandbox]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"].to_string(), second, "newest first");
    snap!(
        emu,
        "messages_list_json",
        serde_json::to_string_pretty(&list).unwrap()
    );

    let found = emu.json(&[
        "messages",
        "list",
        "--sandbox",
        &sandbox,
        "--search",
        "aboard",
    ]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    let limited = emu.json(&["messages", "list", "--sandbox", &sandbox, "--limit", "1"]);
    assert_eq!(limited.as_array().unwrap().len(), 1);

    snap!(
        emu,
        "messages_get",
        emu.ok(&["messages", "get", "--sandbox", &sandbox, &second])
    );
    let message = emu.json(&["messages", "get", "--sandbox", &sandbox, &second]);
    assert_eq!(message["subject"], "Reset your password");

    let read = emu.json(&["messages", "mark-read", "--sandbox", &sandbox, &second]);
    assert_eq!(read["is_read"], true);
    snap!(
        emu,
        "messages_mark_unread",
        emu.ok(&["messages", "mark-unread", "--sandbox", &sandbox, &second])
    );
    assert_eq!(
        emu.json(&["messages", "get", "--sandbox", &sandbox, &second])["is_read"],
        false
    );

    snap!(
        emu,
        "messages_headers",
        emu.ok(&["messages", "headers", "--sandbox", &sandbox, &second])
    );
    let headers = emu.json(&["messages", "headers", "--sandbox", &sandbox, &second]);
    assert_eq!(headers["bcc"], "audit@app.example.test");

    snap!(
        emu,
        "messages_spam",
        emu.ok(&["messages", "spam", "--sandbox", &sandbox, &second])
    );
    let spam = emu.json(&["messages", "spam", "--sandbox", &sandbox, &second]);
    assert!(spam["score"].is_number());
    snap!(
        emu,
        "messages_analyze",
        emu.ok(&["messages", "analyze", "--sandbox", &sandbox, &second])
    );
    assert_eq!(
        emu.json(&["messages", "analyze", "--sandbox", &sandbox, &second])["status"],
        "success"
    );

    snap!(
        emu,
        "messages_links",
        emu.ok(&["messages", "links", "--sandbox", &sandbox, &second])
    );
    let links = emu.json(&["messages", "links", "--sandbox", &sandbox, &second]);
    assert_eq!(
        links["links"][0]["url"],
        "https://app.example.test/reset?t=Qx81"
    );
    assert_eq!(links["links"][0]["text"], "Choose a new password");

    let forwarded = emu.json(&[
        "messages",
        "forward",
        "--sandbox",
        &sandbox,
        &second,
        "--to",
        "qa@example.test",
    ]);
    assert_eq!(forwarded["success"], true);

    snap!(
        emu,
        "messages_delete",
        emu.ok(&["messages", "delete", "--sandbox", &sandbox, &first])
    );
    assert_exit(
        &emu.run(&["messages", "get", "--sandbox", &sandbox, &first]),
        3,
        &["messages", "get"],
    );
}

#[test]
fn messages_list_all_pages() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    for index in 0..33 {
        emu.seed_message(&format!("Bulk message {index}"));
    }
    let page = emu.json(&["messages", "list", "--sandbox", &sandbox]);
    assert_eq!(page.as_array().unwrap().len(), 30, "one page by default");
    let all = emu.json(&["messages", "list", "--sandbox", &sandbox, "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 33);
    let some = emu.json(&["messages", "list", "--sandbox", &sandbox, "--limit", "31"]);
    assert_eq!(some.as_array().unwrap().len(), 31);
    let capped = emu.json(&[
        "messages",
        "list",
        "--sandbox",
        &sandbox,
        "--all",
        "--limit",
        "5",
    ]);
    assert_eq!(capped.as_array().unwrap().len(), 5);
}

#[test]
fn message_bodies_to_stdout_and_files() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let id = emu.seed_message("Your receipt").to_string();
    let base = ["messages", "body", "--sandbox", &sandbox, &id];

    let text = emu.ok(&[&base[..], &["--format", "txt"]].concat());
    assert!(
        text.contains("your verification code is 604 219."),
        "{text}"
    );
    let html = emu.ok(&[&base[..], &["--format", "html"]].concat());
    assert!(html.contains("<b>604219</b>"), "{html}");
    let source = emu.ok(&[&base[..], &["--format", "html-source"]].concat());
    assert!(source.contains("Choose a new password"), "{source}");
    let raw = emu.ok(&[&base[..], &["--format", "raw"]].concat());
    assert!(raw.contains("Subject: Your receipt"), "{raw}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipt.eml");
    let path_text = path.to_str().unwrap();
    let written = emu.ok(&[&base[..], &["--format", "eml", "-o", path_text]].concat());
    assert!(written.starts_with("Wrote "), "{written}");
    let eml = std::fs::read(&path).unwrap();
    let expected = emu
        .block_on(
            emu.client()
                .sandbox(emu.sandbox_id)
                .message(id.parse::<u64>().unwrap())
                .eml_bytes(),
        )
        .unwrap();
    assert_eq!(
        eml,
        expected.to_vec(),
        "the file holds the .eml byte for byte"
    );
    assert!(!dir.path().join("receipt.eml.part").exists());

    let json = emu.json(
        &[
            &base[..],
            &[
                "--format",
                "txt",
                "-o",
                dir.path().join("a.txt").to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert_eq!(json["format"], "txt");
    assert_eq!(
        json["bytes"].as_u64().unwrap(),
        std::fs::metadata(dir.path().join("a.txt")).unwrap().len()
    );
    let inline = emu.json(&[&base[..], &["--format", "eml"]].concat());
    assert!(
        inline["content"]
            .as_str()
            .unwrap()
            .contains("Subject: Your receipt")
    );
}

#[test]
fn attachments_list_get_download() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let message = emu.seed_message("Invoice A-1001").to_string();
    let of = ["--sandbox", sandbox.as_str(), "--message", message.as_str()];

    snap!(
        emu,
        "attachments_list",
        emu.ok(&[&["attachments", "list"][..], &of].concat())
    );
    let list = emu.json(&[&["attachments", "list"][..], &of].concat());
    assert_eq!(list[0]["filename"], "invoice.csv");
    snap!(
        emu,
        "attachments_list_json",
        serde_json::to_string_pretty(&list).unwrap()
    );
    let id = list[0]["id"].as_u64().unwrap().to_string();

    snap!(
        emu,
        "attachments_get",
        emu.ok(&[&["attachments", "get"][..], &of, &[id.as_str()]].concat())
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("files");
    let saved = emu.json(
        &[
            &["attachments", "download"][..],
            &of,
            &["-o", out.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(saved[0]["bytes"], SEED_ATTACHMENT.len());
    assert_eq!(
        std::fs::read(out.join("invoice.csv")).unwrap(),
        SEED_ATTACHMENT
    );

    let one = dir.path().join("one");
    let human = emu.ok(&[
        &["attachments", "download"][..],
        &of,
        &[id.as_str(), "-o", one.to_str().unwrap()],
    ]
    .concat());
    assert!(human.contains("invoice.csv"), "{human}");
    assert_eq!(
        std::fs::read(one.join("invoice.csv")).unwrap(),
        SEED_ATTACHMENT
    );
}

#[test]
fn send_then_wait_for_it_its_links_and_its_code() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("body.html");
    std::fs::write(&html, "<p>Your code is <b>551 902</b>. <a href=\"https://app.example.test/confirm?c=9\">Confirm</a></p>").unwrap();
    let report = dir.path().join("report.txt");
    std::fs::write(&report, "quarterly numbers\n").unwrap();
    let send = [
        "send",
        "--sandbox",
        &sandbox,
        "--from",
        "Example App <no-reply@app.example.test>",
        "--to",
        "ana@example.test",
        "--to",
        "Bruno <bruno@example.test>",
        "--cc",
        "team@example.test",
        "--bcc",
        "audit@example.test",
        "--subject",
        "Confirm your address",
        "--text",
        "Your code is 551 902. Confirm at https://app.example.test/confirm?c=9",
        "--html-file",
        html.to_str().unwrap(),
        "--attach",
        report.to_str().unwrap(),
        "--category",
        "signup",
    ];
    snap!(emu, "send", emu.ok(&send));
    let sent = emu.json(&send);
    assert_eq!(sent["success"], true);
    let since = sent["message_ids"][0]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap()
        - 1;

    let wait = [
        "wait",
        "--sandbox",
        &sandbox,
        "--subject",
        "Confirm",
        "--to",
        "ana@example.test",
        "--from",
        "no-reply@app.example.test",
        "--contains",
        "551 902",
        "--timeout",
        "10s",
        "--since",
        &since.to_string(),
    ];
    snap!(emu, "wait", emu.ok(&wait));
    let waited = emu.json(&wait);
    assert_eq!(waited["subject"], "Confirm your address");
    assert_eq!(waited["to_email"], "ana@example.test");

    let links = emu.json(&[&wait[..], &["--links"]].concat());
    assert_eq!(
        links["links"][0]["url"],
        "https://app.example.test/confirm?c=9"
    );
    assert_eq!(emu.ok(&[&wait[..], &["--code"]].concat()), "551902\n");
    assert_eq!(
        emu.json(&[&wait[..], &["--code"]].concat())["code"],
        "551902"
    );

    let id = waited["id"].to_string();
    let attachments = emu.json(&[
        "attachments",
        "list",
        "--sandbox",
        &sandbox,
        "--message",
        &id,
    ]);
    assert_eq!(attachments[0]["filename"], "report.txt");
    let headers = emu.json(&["messages", "headers", "--sandbox", &sandbox, &id]);
    assert_eq!(headers["bcc"], "audit@example.test");
    assert!(
        headers["cc"]
            .as_str()
            .unwrap()
            .contains("team@example.test")
    );
}

#[test]
fn wait_sees_a_message_that_arrives_while_waiting() {
    let emu = Emu::start();
    let sandbox = emu.sandbox_id.to_string();
    let mut child = emu.cmd();
    child
        .args([
            "--json",
            "wait",
            "--sandbox",
            &sandbox,
            "--subject",
            "Late",
            "--timeout",
            "20s",
            "--poll-interval",
            "100ms",
        ])
        .timeout(std::time::Duration::from_secs(30));
    let handle = std::thread::spawn(move || child.output().unwrap());
    // Send until the wait sees one: a message that lands before the wait has noted where
    // the sandbox stood does not count, and a slow start must not make the test flaky.
    while !handle.is_finished() {
        std::thread::sleep(std::time::Duration::from_millis(500));
        emu.seed_message("Late arrival");
    }
    let output = handle.join().unwrap();
    assert_exit(&output, 0, &["wait"]);
    let message: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(message["subject"], "Late arrival");
}

#[test]
fn users_and_permissions() {
    let emu = Emu::start();
    snap!(emu, "users_list", emu.ok(&["users", "list"]));
    let users = emu.json(&["users", "list"]);
    assert_eq!(
        users.as_array().unwrap().len(),
        2,
        "the owner and the teammate (API tokens are not listed, as on Mailtrap)"
    );
    snap!(
        emu,
        "users_list_json",
        serde_json::to_string_pretty(&users).unwrap()
    );
    let by_project = emu.json(&["users", "list", "--project", &emu.project_id.to_string()]);
    assert!(!by_project.as_array().unwrap().is_empty());
    let by_sandbox = emu.json(&["users", "list", "--sandbox", &emu.sandbox_id.to_string()]);
    assert!(!by_sandbox.as_array().unwrap().is_empty());

    // The seeded teammate: change their permissions, then remove their access.
    let access_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|access| access["specifier"]["email"] == "teammate@emulator.localhost")
        .map(|access| access["id"].clone())
        .expect("the emulator seeds a teammate");
    let access = access_id.to_string();
    let grant = format!("sandbox:{}:viewer", emu.sandbox_id);
    let revoke = format!("project:{}", emu.project_id);
    snap!(
        emu,
        "users_grant",
        emu.ok(&["users", "grant", &access, &grant, "--revoke", &revoke])
    );
    let granted = emu.json(&["users", "list", "--sandbox", &emu.sandbox_id.to_string()]);
    assert!(
        granted
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == access_id && a["resources"][0]["resource_type"] == "sandbox"),
        "{granted}"
    );
    snap!(emu, "users_remove", emu.ok(&["users", "remove", &access]));
    assert_eq!(emu.json(&["users", "list"]).as_array().unwrap().len(), 1);

    snap!(
        emu,
        "permissions_resources",
        emu.ok(&["permissions", "resources"])
    );
    let resources = emu.json(&["permissions", "resources"]);
    assert!(!resources.as_array().unwrap().is_empty());
}

#[test]
fn accounts_tokens_billing_sub_accounts() {
    let emu = Emu::start();
    snap!(emu, "accounts_list", emu.ok(&["accounts", "list"]));
    assert_eq!(emu.json(&["accounts", "list"])[0]["id"], emu.account_id);

    snap!(emu, "tokens_list", emu.ok(&["tokens", "list"]));
    let tokens = emu.json(&["tokens", "list"]);
    snap!(
        emu,
        "tokens_list_json",
        serde_json::to_string_pretty(&tokens).unwrap()
    );
    let own = tokens[0]["id"].to_string();
    snap!(emu, "tokens_get", emu.ok(&["tokens", "get", &own]));

    let resource = format!("sandbox:{}:admin", emu.sandbox_id);
    let created = emu.json(&["tokens", "create", "Deploy bot", "--resource", &resource]);
    let value = created["value"].as_str().unwrap().to_owned();
    let id = created["token"]["id"].to_string();
    assert_eq!(
        created["token"]["resources"][0]["resource_id"],
        emu.sandbox_id
    );
    // The new token works.
    let with_new = common::bare_cmd()
        .args([
            "--token",
            &value,
            "--base-url",
            &emu.base_url,
            "--json",
            "sandboxes",
            "list",
        ])
        .output()
        .unwrap();
    assert_exit(&with_new, 0, &["sandboxes", "list"]);

    let reset = emu.ok(&["tokens", "reset", &id]);
    assert!(!reset.contains(&value), "a new value");
    assert!(reset.contains("shown only now"), "{reset}");
    snap!(emu, "tokens_delete", emu.ok(&["tokens", "delete", &id]));
    assert_exit(&emu.run(&["tokens", "get", &id]), 3, &["tokens", "get"]);

    snap!(emu, "billing_usage", emu.ok(&["billing", "usage"]));
    let usage = emu.json(&["billing", "usage"]);
    assert!(usage.get("testing").is_some());

    let org = emu.organization_id.to_string();
    snap!(
        emu,
        "sub_accounts_create",
        emu.ok(&[
            "sub-accounts",
            "create",
            "--organization",
            &org,
            "Agency client"
        ])
    );
    snap!(
        emu,
        "sub_accounts_list",
        emu.ok(&["sub-accounts", "list", "--organization", &org])
    );
    let list = emu.json(&["sub-accounts", "list", "--organization", &org]);
    assert_eq!(list[0]["name"], "Agency client");
}

#[test]
fn verbose_traces_requests_on_stderr_without_the_token() {
    let emu = Emu::start();
    let output = emu.run(&["-v", "projects", "list"]);
    assert_exit(&output, 0, &["-v"]);
    let stderr = common::stderr(&output);
    assert!(stderr.contains("/api/projects"), "{stderr}");
    assert!(
        !stderr.contains(&emu.token),
        "the token never appears in traces"
    );
    assert!(!common::stdout(&output).contains(&emu.token));
}

#[test]
fn a_local_base_url_serves_sending_too() {
    let emu = Emu::start();
    let output = common::bare_cmd()
        .env("MAILTRAP_API_TOKEN", &emu.token)
        .env("MAILTRAP_BASE_URL", &emu.base_url)
        .args([
            "--json",
            "send",
            "--sandbox",
            &emu.sandbox_id.to_string(),
            "--from",
            "a@example.test",
            "--to",
            "b@example.test",
            "--subject",
            "Local",
            "--text",
            "Sent without --send-base-url.",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0, &["send"]);
    let sent: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sent["success"], true);
}
