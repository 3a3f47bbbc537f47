//! The facade against the emulator, over real sockets: every operation, mail delivered over
//! real SMTP and read back, retries against injected faults, and persistence across a
//! restart.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::time::Duration;

use futures_util::TryStreamExt as _;
use lettre::AsyncTransport;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart, header};
use mailtrap_sandbox::models::AttachmentType;
use mailtrap_sandbox::{Client, Email, MessageFilter, RetryPolicy};
use mailtrap_sandbox_emulator::{EmulatorConfig, FaultSpec, RunningEmulator};
use sha2::{Digest as _, Sha256};
use support::smtp_mailer;

async fn emulator() -> RunningEmulator {
    EmulatorConfig::ephemeral().start().await.unwrap()
}

fn client(emulator: &RunningEmulator) -> Client {
    Client::builder()
        .api_token(emulator.api_token())
        .base_url(emulator.base_url())
        .send_base_url(emulator.base_url())
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap()
}

fn filter_subject(subject: &str) -> MessageFilter {
    MessageFilter::new().subject(subject)
}

#[tokio::test]
async fn projects_and_sandboxes_through_the_facade() {
    let emulator = emulator().await;
    let client = client(&emulator);

    let project = client.projects().create("E2E project").await.unwrap();
    assert_eq!(project.name, "E2E project");
    let listed = client.projects().list().await.unwrap();
    assert!(listed.iter().any(|p| p.id == project.id));
    let renamed = client.project(project.id).update("Renamed").await.unwrap();
    assert_eq!(renamed.name, "Renamed");
    assert_eq!(
        client.project(project.id).get().await.unwrap().name,
        "Renamed"
    );

    let sandbox = client
        .project(project.id)
        .create_sandbox("E2E sandbox")
        .await
        .unwrap();
    assert_eq!(sandbox.project_id, Some(project.id));
    assert!(
        client
            .sandboxes()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == sandbox.id)
    );
    let handle = client.sandbox(sandbox.id);
    assert_eq!(handle.get().await.unwrap().name, "E2E sandbox");
    let updated = handle.update().name("Staging").send().await.unwrap();
    assert_eq!(updated.name, "Staging");

    let before = handle.get().await.unwrap();
    let reset = handle.reset_credentials().await.unwrap();
    assert_ne!(reset.password, before.password, "new SMTP password");
    let enabled = handle.enable_email_address().await.unwrap();
    assert!(enabled.email_username_enabled);
    assert!(
        handle
            .enable_email_address()
            .await
            .unwrap()
            .email_username_enabled,
        "idempotent"
    );
    let disabled = handle.disable_email_address().await.unwrap();
    assert!(!disabled.email_username_enabled);
    let toggled = handle.toggle_email_address().await.unwrap();
    assert!(toggled.email_username_enabled);
    let readdressed = handle.reset_email_address().await.unwrap();
    assert_ne!(readdressed.email_username, toggled.email_username);
    handle.mark_all_read().await.unwrap();
    handle.clean().await.unwrap();

    let deleted = handle.delete().await.unwrap();
    assert_eq!(deleted.map(|deleted| deleted.id), Some(sandbox.id));
    assert!(handle.get().await.unwrap_err().is_not_found());
    assert_eq!(
        client.project(project.id).delete().await.unwrap(),
        project.id
    );
    assert!(
        client
            .project(project.id)
            .get()
            .await
            .unwrap_err()
            .is_not_found()
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn messages_sent_through_the_api_are_read_back_in_every_form() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let sandbox = client.sandbox(emulator.sandbox().id);

    let email = Email::new()
        .from(("Example App", "app@example.test"))
        .to("Ana <ana@example.test>")
        .cc("lead@example.test")
        .bcc("audit@example.test")
        .subject("Reset your password")
        .text("Your code is 482913. Reset: https://app.example.test/reset?t=abc")
        .html("<p>Your code is <b>482913</b>. <a href=\"https://app.example.test/reset?t=abc&amp;u=1\">Reset</a></p>")
        .attach_bytes("notes.txt", "text/plain", b"plain notes".to_vec())
        .category("password-reset");
    let outcome = sandbox.send(email).await.unwrap();
    let ids = outcome.sandbox_message_ids();
    assert_eq!(ids.len(), 1);
    let id = ids[0];
    assert!(u64::from(id) > u64::from(u32::MAX), "64-bit ids");

    let page = sandbox
        .messages()
        .list()
        .search("Reset")
        .send()
        .await
        .unwrap();
    assert_eq!(page.items().len(), 1);
    let message = sandbox.message(id).get().await.unwrap();
    assert_eq!(message.subject, "Reset your password");
    assert_eq!(message.from_email, "app@example.test");
    assert_eq!(message.to_email, "ana@example.test");
    assert!(!message.is_read);

    let handle = sandbox.message(id);
    assert!(handle.mark_read().await.unwrap().is_read);
    assert!(!handle.mark_unread().await.unwrap().is_read);
    assert!(handle.text().await.unwrap().contains("482913"));
    assert!(handle.html().await.unwrap().contains("<b>482913</b>"));
    assert!(
        handle
            .html_source()
            .await
            .unwrap()
            .contains("<b>482913</b>")
    );
    assert!(
        handle
            .raw_text()
            .await
            .unwrap()
            .contains("Subject: Reset your password")
    );
    let eml = handle.eml().await.unwrap();
    assert_eq!(eml.subject(), Some("Reset your password"));
    assert_eq!(eml.one_time_code().as_deref(), Some("482913"));
    assert_eq!(
        eml.link_containing("/reset").as_deref(),
        Some("https://app.example.test/reset?t=abc&u=1")
    );
    assert!(eml.check_placeholders().is_ok());
    assert!(
        eml.bcc().is_empty(),
        "Bcc is never written into the message"
    );

    let headers = handle.headers().await.unwrap();
    assert_eq!(headers.subject(), Some("Reset your password"));
    assert_eq!(
        headers.get("bcc"),
        Some("audit@example.test"),
        "Bcc from the envelope"
    );
    assert_eq!(headers.get("cc"), Some("lead@example.test"));

    // What a test asserts, straight from the handle.
    let recipients = handle.recipients().await.unwrap();
    assert_eq!(recipients.to_emails(), ["ana@example.test"]);
    assert_eq!(recipients.cc_emails(), ["lead@example.test"]);
    assert_eq!(recipients.bcc_emails(), ["audit@example.test"]);
    assert!(recipients.contains("LEAD@example.test"));
    assert_eq!(
        handle.one_time_code().await.unwrap().as_deref(),
        Some("482913")
    );
    assert_eq!(
        handle.link_containing("/reset").await.unwrap().as_deref(),
        Some("https://app.example.test/reset?t=abc&u=1")
    );
    handle.check_placeholders().await.unwrap();

    let attachments = handle.attachments().list().send().await.unwrap();
    assert_eq!(attachments.len(), 1);
    let attachment = &attachments[0];
    assert_eq!(attachment.filename, "notes.txt");
    assert_eq!(attachment.attachment_type, AttachmentType::Attachment);
    let inline_only = handle
        .attachments()
        .list()
        .attachment_type(AttachmentType::Inline)
        .send()
        .await
        .unwrap();
    assert!(inline_only.is_empty());
    let fetched = handle.attachments().get(attachment.id).await.unwrap();
    assert_eq!(fetched.size, 11);
    let content = handle
        .attachments()
        .download(&fetched)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&content[..], b"plain notes");

    let spam = handle.spam_report().await.unwrap();
    assert!(!spam.spam);
    let analysis = handle.html_analysis().await.unwrap();
    assert!(analysis.errors.is_empty(), "{analysis:?}");
    let forwarded = handle.forward("qa@example.test").await.unwrap();
    assert!(forwarded.success);

    let deleted = handle.delete().await.unwrap();
    assert_eq!(deleted.map(|deleted| deleted.id), Some(id));
    assert!(handle.get().await.unwrap_err().is_not_found());
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_batch_reports_each_email() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let sandbox = client.sandbox(emulator.sandbox().id);
    let base = Email::new()
        .from("app@example.test")
        .subject("Batch")
        .text("Hello");
    let batch = mailtrap_sandbox::EmailBatch::new(base)
        .email(Email::new().to("one@example.test"))
        .email(Email::new().to("two@example.test"));
    let outcome = sandbox.send_batch(batch).await.unwrap();
    assert!(outcome.all_succeeded());
    let stored: Vec<_> = sandbox.messages().stream().try_collect().await.unwrap();
    assert_eq!(stored.len(), 2);
    emulator.shutdown().await;
}

#[tokio::test]
async fn templates_render_on_the_emulator() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let sandbox = client.sandbox(emulator.sandbox().id);
    let email = Email::new()
        .from("app@example.test")
        .to("ana@example.test")
        .template(emulator.template_uuid())
        .template_variables(serde_json::json!({"user": {"name": "Ana"}, "company": "Example"}));
    let id = sandbox.send(email).await.unwrap().sandbox_message_ids()[0];
    let eml = sandbox.message(id).eml().await.unwrap();
    assert!(
        eml.text().unwrap_or_default().contains("Ana"),
        "{:?}",
        eml.text()
    );
    assert!(eml.check_placeholders().is_ok(), "{:?}", eml.placeholders());
    emulator.shutdown().await;
}

#[tokio::test]
async fn mail_sent_over_smtp_is_read_back_through_the_facade() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let sandbox = client.sandbox(emulator.sandbox().id);
    let pdf: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();

    let waiting = sandbox
        .wait_for(filter_subject("Welcome over SMTP"))
        .timeout(Duration::from_secs(20))
        .poll_interval(Duration::from_millis(50))
        .start()
        .await
        .unwrap();

    let message = lettre::Message::builder()
        .from("App <app@example.test>".parse::<Mailbox>().unwrap())
        .to("Ana <ana@example.test>".parse::<Mailbox>().unwrap())
        .cc("lead@example.test".parse::<Mailbox>().unwrap())
        .bcc("audit@example.test".parse::<Mailbox>().unwrap())
        .subject("Welcome over SMTP")
        .multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain(
                            "Confirm: https://app.example.test/confirm".to_owned(),
                        ))
                        .singlepart(SinglePart::html(
                            "<a href=\"https://app.example.test/confirm\">Confirm</a>".to_owned(),
                        )),
                )
                .singlepart(LettreAttachment::new("terms.pdf".to_owned()).body(
                    pdf.clone(),
                    header::ContentType::parse("application/pdf").unwrap(),
                )),
        )
        .unwrap();
    smtp_mailer(&emulator).send(message).await.unwrap();

    let found = waiting.wait().await.unwrap();
    assert_eq!(found.from_email, "app@example.test");
    let smtp_info = found.smtp_information.clone().unwrap();
    let envelope = smtp_info.envelope.unwrap();
    assert_eq!(envelope.mail_from.as_deref(), Some("app@example.test"));
    assert_eq!(envelope.rcpt_to.len(), 3);
    assert_eq!(envelope.client_ip.as_deref(), Some("127.0.0.1"));

    let handle = sandbox.message(found.id);
    let headers = handle.headers().await.unwrap();
    assert_eq!(headers.get("bcc"), Some("audit@example.test"));
    assert_eq!(headers.get("cc"), Some("lead@example.test"));
    assert!(
        handle
            .text()
            .await
            .unwrap()
            .contains("https://app.example.test/confirm")
    );
    let eml = handle.eml().await.unwrap();
    assert_eq!(eml.links(), ["https://app.example.test/confirm"]);
    // The same straight from the handle, and every recipient as a list: the Bcc recipient
    // is named by no header of the message, only by the SMTP envelope.
    assert_eq!(
        handle.links().await.unwrap(),
        ["https://app.example.test/confirm"]
    );
    let recipients = handle.recipients().await.unwrap();
    assert_eq!(recipients.to_emails(), ["ana@example.test"]);
    assert_eq!(recipients.to[0].name.as_deref(), Some("Ana"));
    assert_eq!(recipients.cc_emails(), ["lead@example.test"]);
    assert_eq!(recipients.bcc_emails(), ["audit@example.test"]);

    let attachments = handle.attachments().list().send().await.unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].filename, "terms.pdf");
    assert_eq!(attachments[0].content_type, "application/pdf");
    assert_eq!(attachments[0].size, pdf.len() as u64);
    let downloaded = handle
        .attachments()
        .download(&attachments[0])
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(Sha256::digest(&downloaded), Sha256::digest(&pdf));

    let spam = handle.spam_report().await.unwrap();
    assert!(spam.score < 5.0);
    assert!(handle.html_analysis().await.unwrap().errors.is_empty());
    emulator.shutdown().await;
}

/// Issue 12's "trigger, then wait": the application's email is in the sandbox before the
/// test starts waiting (sent over SMTP, listed), and the wait, at its defaults, still finds
/// it; the same email left by an earlier test (same subject, its own address) is not matched.
#[tokio::test]
async fn trigger_then_wait_finds_mail_already_there_and_not_an_earlier_tests() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let sandbox = client.sandbox(emulator.sandbox().id);
    let mailer = smtp_mailer(&emulator);
    let sign_up = |to: &str, code: &str| {
        lettre::Message::builder()
            .from("app@example.test".parse::<Mailbox>().unwrap())
            .to(to.parse::<Mailbox>().unwrap())
            .subject("Your sign-in code")
            .body(format!("Code: {code}"))
            .unwrap()
    };
    let earlier = sandbox.test_inbox("sign-in");
    mailer
        .send(sign_up(earlier.address(), "111111"))
        .await
        .unwrap();
    let inbox = sandbox.test_inbox("sign-in");

    // Trigger: the SMTP transaction ends once the message is stored.
    mailer
        .send(sign_up(inbox.address(), "222222"))
        .await
        .unwrap();
    let listed = sandbox.messages().list().send().await.unwrap();
    assert_eq!(
        listed.items().len(),
        2,
        "both are in before the wait starts"
    );

    // Then wait, at the defaults (a 30 s look-back).
    let message = inbox
        .wait_for(filter_subject("Your sign-in code"))
        .send()
        .await
        .unwrap();
    assert_eq!(message.to_email, inbox.address());
    let text = sandbox.message(message.id).text().await.unwrap();
    assert_eq!(text.trim(), "Code: 222222");
    emulator.shutdown().await;
}

#[tokio::test]
async fn users_tokens_billing_and_sub_accounts() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let seeded = emulator.sandbox().id;

    let accounts = client.accounts().await.unwrap();
    assert_eq!(u64::from(accounts[0].id), emulator.account_id());
    let resources = client.permission_resources().await.unwrap();
    assert!(!resources.is_empty());

    let created = client.api_tokens().create("ci").send().await.unwrap();
    assert!(!created.value.expose().is_empty());
    let tokens = client.api_tokens().list().await.unwrap();
    assert!(tokens.iter().any(|t| t.id == created.token.id));
    assert_eq!(
        client.api_token(created.token.id).get().await.unwrap().name,
        "ci"
    );
    let reset = client.api_token(created.token.id).reset().await.unwrap();
    assert_ne!(reset.value.expose(), created.value.expose());

    let all = client.account_accesses().list().send().await.unwrap();
    assert!(all.len() >= 2);
    let for_sandbox = client.sandbox(seeded).users().send().await.unwrap();
    assert!(!for_sandbox.is_empty());
    let for_project = client
        .project(emulator.project().id)
        .users()
        .send()
        .await
        .unwrap();
    assert!(!for_project.is_empty());

    // The seeded teammate: permissions changed in bulk, then the access removed.
    let teammate = all
        .iter()
        .find(|a| a.specifier.email.as_deref() == Some("teammate@emulator.localhost"))
        .map(|a| a.id)
        .expect("the emulator seeds a teammate");
    client
        .account_access(teammate)
        .update_permissions(vec![mailtrap_sandbox::models::PermissionChange::grant(
            mailtrap_sandbox::models::ResourceType::Sandbox,
            seeded,
            mailtrap_sandbox::models::AccessLevel::Viewer,
        )])
        .await
        .unwrap();
    let for_sandbox = client.sandbox(seeded).users().send().await.unwrap();
    assert!(for_sandbox.iter().any(|a| a.id == teammate));
    assert_eq!(
        client.account_access(teammate).remove().await.unwrap(),
        teammate
    );
    let left = client.account_accesses().list().send().await.unwrap();
    assert!(left.iter().all(|a| a.id != teammate));
    client.api_token(created.token.id).delete().await.unwrap();

    let usage = client.billing_usage().await.unwrap();
    assert!(usage.testing.is_some());
    let organization = client.organization(emulator.summary().organization_id);
    let sub = organization.create_sub_account("Team B").await.unwrap();
    assert!(
        organization
            .sub_accounts()
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == sub.id)
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn safe_requests_are_retried_through_injected_faults_and_sends_are_not() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let sandbox_id = emulator.sandbox().id;
    emulator
        .add_fault(FaultSpec::fail(503).times(2).path_prefix("/api/sandboxes"))
        .unwrap();
    let sandbox = client.sandbox(sandbox_id).get().await.unwrap();
    assert_eq!(sandbox.id, sandbox_id.into());

    emulator
        .add_fault(FaultSpec::fail(503).times(1).path_prefix("/api/send"))
        .unwrap();
    let email = Email::new()
        .from("app@example.test")
        .to("ana@example.test")
        .subject("Once")
        .text("Only once");
    let error = client.sandbox(sandbox_id).send(email).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    let stored = client
        .sandbox(sandbox_id)
        .messages()
        .list()
        .send()
        .await
        .unwrap();
    assert!(
        stored.items().is_empty(),
        "the failed send was not repeated"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn messages_survive_a_restart_with_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = EmulatorConfig::ephemeral();
    config.data_dir = Some(dir.path().to_path_buf());
    config.api_token = Some("persistent-token".to_owned());
    let first = config.clone().start().await.unwrap();
    let sandbox_id = first.sandbox().id;
    let id = client(&first)
        .sandbox(sandbox_id)
        .send(
            Email::new()
                .from("app@example.test")
                .to("ana@example.test")
                .subject("Kept")
                .text("Still here after a restart"),
        )
        .await
        .unwrap()
        .sandbox_message_ids()[0];
    first.shutdown().await;

    let second = config.start().await.unwrap();
    let client = client(&second);
    let message = client.sandbox(sandbox_id).message(id).get().await.unwrap();
    assert_eq!(message.subject, "Kept");
    let text = client.sandbox(sandbox_id).message(id).text().await.unwrap();
    assert!(text.contains("Still here after a restart"));
    second.shutdown().await;
}
