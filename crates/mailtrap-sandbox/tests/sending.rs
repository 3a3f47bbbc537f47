//! Sending into a sandbox: the request reaches the sending host with the right body, and
//! every answer shape decodes.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Expect, Reply, TOKEN, client, expect, quick_retries};
use httpmock::MockServer;
use mailtrap_sandbox::email::{Email, EmailBatch};
use mailtrap_sandbox::{ApiErrorKind, Client, MessageId};
use serde_json::json;

fn welcome() -> Email {
    Email::new()
        .from(("Shop Robot", "robot@shop.example"))
        .to("ada@customer.example")
        .subject("Welcome aboard")
        .text("Hello Ada, welcome to the shop.")
        .category("onboarding")
}

#[tokio::test]
async fn send_posts_the_email_to_the_sending_host() {
    let management = MockServer::start_async().await;
    let sending = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &sending,
        Expect::new("POST", "/api/send/77001"),
        Reply::json(json!({"success": true, "message_ids": ["5300000123"]})),
    )
    .await;
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(management.base_url())
        .send_base_url(sending.base_url())
        .retry(quick_retries())
        .build()
        .unwrap();

    let outcome = client.sandbox(77_001).send(welcome()).await.unwrap();

    mock.assert_async().await;
    assert_eq!(recorded.content_type().as_deref(), Some("application/json"));
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "category": "onboarding",
      "from": {
        "email": "robot@shop.example",
        "name": "Shop Robot"
      },
      "subject": "Welcome aboard",
      "text": "Hello Ada, welcome to the shop.",
      "to": [
        {
          "email": "ada@customer.example"
        }
      ]
    }
    "#);
    assert!(outcome.success);
    assert_eq!(outcome.message_ids, vec!["5300000123"]);
    assert_eq!(
        outcome.sandbox_message_ids(),
        vec![MessageId::new(5_300_000_123)]
    );
}

#[tokio::test]
async fn send_without_message_ids() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(
        &server,
        Expect::new("POST", "/api/send/77001"),
        Reply::json(json!({"success": true})),
    )
    .await;
    let outcome = client(&server)
        .sandbox(77_001)
        .send(welcome())
        .await
        .unwrap();
    assert!(outcome.success);
    assert!(outcome.message_ids.is_empty());
    assert!(outcome.sandbox_message_ids().is_empty());
}

#[tokio::test]
async fn send_errors_keep_the_api_messages_and_are_not_repeated() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/send/77001"),
        Reply::json(json!({"success": false, "errors": ["Sandbox is full"]})).status(500),
    )
    .await;
    let err = client(&server)
        .sandbox(77_001)
        .send(welcome())
        .await
        .unwrap_err();
    assert_eq!(recorded.len(), 1);
    assert_eq!(err.kind(), Some(ApiErrorKind::Server));
    assert_eq!(err.api().unwrap().messages(), ["Sandbox is full"]);
    assert_eq!(err.api().unwrap().request(), "POST /api/send/{sandbox_id}");
}

#[tokio::test]
async fn batch_posts_base_and_requests() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/batch/77001"),
        Reply::json(json!({"success": true, "responses": [
            {"success": true, "message_ids": ["5300000200"]},
            {"success": true, "message_ids": ["5300000201"]}
        ]})),
    )
    .await;
    let batch = EmailBatch::new(
        Email::new()
            .from("robot@shop.example")
            .subject("Your order shipped")
            .text("It is on its way."),
    )
    .email(Email::new().to("ada@customer.example"))
    .email(Email::new().to("bo@customer.example"));

    let outcome = client(&server)
        .sandbox(77_001)
        .send_batch(batch)
        .await
        .unwrap();

    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "base": {
        "from": {
          "email": "robot@shop.example"
        },
        "subject": "Your order shipped",
        "text": "It is on its way."
      },
      "requests": [
        {
          "to": [
            {
              "email": "ada@customer.example"
            }
          ]
        },
        {
          "to": [
            {
              "email": "bo@customer.example"
            }
          ]
        }
      ]
    }
    "#);
    assert!(outcome.all_succeeded());
    assert_eq!(
        outcome.responses[1].sandbox_message_ids(),
        vec![MessageId::new(5_300_000_201)]
    );
}

#[tokio::test]
async fn batch_keeps_per_item_errors() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(
        &server,
        Expect::new("POST", "/api/batch/77001"),
        Reply::json(json!({"success": true, "responses": [
            {"success": true, "message_ids": ["5300000300"]},
            {"success": false, "errors": ["'to' address is invalid", "'subject' is required"]}
        ]})),
    )
    .await;
    let batch = EmailBatch::new(
        Email::new()
            .from("robot@shop.example")
            .subject("Hi")
            .text("Hi"),
    )
    .email(Email::new().to("ada@customer.example"))
    .email(Email::new().to("bo@customer.example"));

    let err = client(&server)
        .sandbox(77_001)
        .send_batch(batch)
        .await
        .unwrap_err();
    let mailtrap_sandbox::Error::Batch(batch_error) = &err else {
        panic!("expected a batch error, got {err:?}");
    };
    let outcome = batch_error.outcome();

    assert!(outcome.success);
    assert!(!outcome.all_succeeded());
    let failures: Vec<_> = outcome.failures().collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].0, 1);
    assert_eq!(
        failures[0].1.errors,
        vec!["'to' address is invalid", "'subject' is required"]
    );
    assert!(failures[0].1.message_ids.is_empty());
}
