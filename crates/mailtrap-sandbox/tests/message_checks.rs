//! What a test asserts straight from a message handle: recipients as lists (headers and SMTP
//! envelope), links, codes and placeholders (from the parsed message).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Expect, Reply, client, expect, message_json};
use httpmock::MockServer;
use mailtrap_sandbox::Error;
use serde_json::json;

#[tokio::test]
async fn recipients_are_lists_from_the_headers_and_the_envelope() {
    let server = MockServer::start_async().await;
    let mut message = message_json(42, 77_001, "Welcome");
    message["to_email"] = json!("ada@customer.example, bo@customer.example");
    message["smtp_information"] = json!({"ok": true, "data": {
        "mail_from_addr": "bounce@shop.example",
        "rcpt_to_addrs": ["<ada@customer.example>", "bo@customer.example", "lead@shop.example",
                          "AUDIT@shop.example", "audit@shop.example"]
    }});
    let (get, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42"),
        Reply::json(message),
    )
    .await;
    let (headers, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/mail_headers"),
        Reply::json(json!({"headers": {
            "to": "\"Lima, Ada\" <ada@customer.example>, bo@customer.example",
            "cc": "Lead <lead@shop.example>",
            // Mailtrap's words on some plans: no address, so no recipient.
            "bcc": "not available for your plan",
            "subject": "Welcome"
        }})),
    )
    .await;

    let recipients = client(&server)
        .sandbox(77_001)
        .message(42)
        .recipients()
        .await
        .unwrap();
    get.assert_async().await;
    headers.assert_async().await;
    assert_eq!(
        recipients.to_emails(),
        ["ada@customer.example", "bo@customer.example"]
    );
    assert_eq!(recipients.to[0].name.as_deref(), Some("Lima, Ada"));
    assert_eq!(recipients.cc_emails(), ["lead@shop.example"]);
    // Only the envelope names it (a Bcc over SMTP), once whatever its case.
    assert_eq!(recipients.bcc_emails(), ["AUDIT@shop.example"]);
    assert!(recipients.contains("audit@SHOP.example"));
    assert!(!recipients.contains("robot@shop.example"));
}

fn eml(body: &str) -> String {
    format!(
        "From: Shop <robot@shop.example>\r\nTo: ada@customer.example\r\n\
         Subject: Hello {{{{first_name}}}}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

#[tokio::test]
async fn links_codes_and_placeholders_come_from_the_parsed_message() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/body.eml"),
        Reply::text(
            200,
            "message/rfc822",
            eml("Your code is 730 112. Reset: https://shop.example/reset?t=Qm9"),
        ),
    )
    .await;
    let message = client(&server).sandbox(77_001).message(42);

    assert_eq!(
        message.links().await.unwrap(),
        ["https://shop.example/reset?t=Qm9"]
    );
    assert_eq!(
        message.link_containing("/reset").await.unwrap().as_deref(),
        Some("https://shop.example/reset?t=Qm9")
    );
    assert_eq!(message.link_containing("/nowhere").await.unwrap(), None);
    assert_eq!(
        message.one_time_code().await.unwrap().as_deref(),
        Some("730112")
    );
    assert_eq!(message.placeholders().await.unwrap().len(), 1);
    let err = message.check_placeholders().await.unwrap_err();
    let Error::Placeholders(found) = &err else {
        panic!("expected unrendered placeholders, got {err:?}");
    };
    assert_eq!(found.0.len(), 1);
    let shown = format!("{err:?}");
    assert!(
        shown.starts_with("1 unrendered template placeholder found"),
        "{shown}"
    );
    assert!(shown.contains("first_name"), "{shown}");
    assert_eq!(mock.calls_async().await, 6);
}
