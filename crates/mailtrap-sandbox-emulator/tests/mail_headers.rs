//! `mail_headers` shows address headers as Mailtrap does, `addr` or `Name <addr>` per mailbox,
//! for messages delivered over SMTP (written however the sender liked) and for messages the
//! sending API composed (which writes `<addr>` for a recipient without a name).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;
mod smtp_support;

use http_support::Env;
use reqwest::Method;
use serde_json::{Value, json};

async fn headers_of(env: &Env, id: u64) -> Value {
    let sandbox = env.sandbox();
    let body = env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages/{id}/mail_headers"
        ))
        .await;
    body["headers"].clone()
}

/// The newest message of the sandbox.
async fn newest(env: &Env) -> u64 {
    let list = env
        .get_json(&format!("/api/sandboxes/{}/messages", env.sandbox()))
        .await;
    list[0]["id"].as_u64().unwrap()
}

#[tokio::test]
async fn smtp_messages_show_each_mailbox_as_addr_or_name_and_addr() {
    let env = http_support::start().await;
    let mut smtp = smtp_support::Raw::ehlo(env.emu.smtp_addr()).await;
    let sandbox = env.emu.sandbox().clone();
    smtp.login(&sandbox.smtp_username, &sandbox.smtp_password)
        .await;
    smtp.cmd("MAIL FROM:<jose@example.test>", "250").await;
    for rcpt in [
        "bare@example.test",
        "ann@example.test",
        "plain@example.test",
        "one@example.test",
        "two@example.test",
        "hidden@example.test",
    ] {
        smtp.cmd(&format!("RCPT TO:<{rcpt}>"), "250").await;
    }
    smtp.cmd("DATA", "354").await;
    smtp.send_bytes(
        b"From: =?UTF-8?Q?Jos=C3=A9_P=C3=A9rez?= <jose@example.test>\r\n\
          To: <bare@example.test>, one@example.test (first one),\r\n  \"Two\" <two@example.test>\r\n\
          Cc: \"Smith, Ann\" <ann@example.test>, plain@example.test\r\n\
          Reply-To: Support Desk <help@example.test>\r\n\
          Subject: Address forms\r\n\
          \r\n\
          Body.\r\n\
          .\r\n",
    )
    .await;
    let reply = smtp.reply().await;
    assert!(reply.starts_with("250"), "{reply}");

    let headers = headers_of(&env, newest(&env).await).await;
    assert_eq!(headers["from"], "José Pérez <jose@example.test>");
    // `addr (comment)` is the old way of naming a mailbox: the comment is the name.
    assert_eq!(
        headers["to"],
        "bare@example.test, first one <one@example.test>, Two <two@example.test>"
    );
    assert_eq!(
        headers["cc"],
        "\"Smith, Ann\" <ann@example.test>, plain@example.test"
    );
    assert_eq!(headers["reply_to"], "Support Desk <help@example.test>");
    assert_eq!(headers["bcc"], "hidden@example.test");
    assert_eq!(headers["subject"], "Address forms");
}

#[tokio::test]
async fn api_composed_messages_show_bare_addresses_for_recipients_without_a_name() {
    let env = http_support::start().await;
    let sandbox = env.sandbox();
    let sent = env
        .ok_json(
            Method::POST,
            &format!("/api/send/{sandbox}"),
            &json!({
                "from": {"email": "app@example.test", "name": "The App"},
                "to": [
                    {"email": "bob@example.test"},
                    {"email": "carol@example.test", "name": "Carol Jones"}
                ],
                "cc": [{"email": "lead@example.test"}],
                "bcc": [{"email": "audit@example.test"}],
                "reply_to": {"email": "support@example.test"},
                "subject": "Composed",
                "text": "Hello."
            }),
        )
        .await;
    let id: u64 = sent["message_ids"][0].as_str().unwrap().parse().unwrap();

    // The composer writes angle brackets around a bare address; the headers view does not.
    let raw = env
        .get(&format!("/api/sandboxes/{sandbox}/messages/{id}/body.raw"))
        .await
        .text()
        .await
        .unwrap();
    assert!(raw.contains("<lead@example.test>"), "{raw}");

    let headers = headers_of(&env, id).await;
    assert_eq!(headers["from"], "The App <app@example.test>");
    assert_eq!(
        headers["to"],
        "bob@example.test, Carol Jones <carol@example.test>"
    );
    assert_eq!(headers["cc"], "lead@example.test");
    assert_eq!(headers["reply_to"], "support@example.test");
    assert_eq!(headers["bcc"], "audit@example.test");
}

#[tokio::test]
async fn a_header_without_mailboxes_keeps_its_text() {
    let env = http_support::start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver(
            sandbox,
            "From: Sender <sender@example.test>\n\
             To: undisclosed-recipients:;\n\
             Subject: Group\n\
             \n\
             Body.\n",
            &["someone@example.test"],
        )
        .await;
    let headers = headers_of(&env, id).await;
    assert_eq!(headers["from"], "Sender <sender@example.test>");
    assert_eq!(headers["to"], "undisclosed-recipients:;");
    assert_eq!(headers["bcc"], "someone@example.test");
}
