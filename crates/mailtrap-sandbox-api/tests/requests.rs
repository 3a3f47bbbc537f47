//! One generated method per module against a local mock: the request line and headers it
//! sends, and the response it decodes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use futures_util::StreamExt;
use httpmock::prelude::*;
use mailtrap_sandbox_api::{accounts, sandbox, sending};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::json;

fn http() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer test-token"));
    reqwest::Client::builder()
        .user_agent("api-crate-tests")
        .default_headers(headers)
        .build()
        .unwrap()
}

#[tokio::test]
async fn sandbox_list_messages_sends_the_query_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/sandboxes/9001/messages")
                .query_param("last_id", "6100200300")
                .query_param("search", "receipt")
                .header("authorization", "Bearer test-token")
                .header("user-agent", "api-crate-tests")
                .header_missing("api-version");
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .json_body(
                    json!([{"id": 6_100_200_299_u64, "inbox_id": 9001, "subject": "Your receipt"}]),
                );
        })
        .await;
    let client = sandbox::Client::new_with_client(&server.base_url(), http());
    let page = client
        .get_sandbox_email_message(9001, Some(6_100_200_300), None, Some("receipt"))
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, Some(6_100_200_299));
}

#[tokio::test]
async fn sandbox_error_statuses_arrive_intact() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/sandboxes/1");
            then.status(404)
                .header("x-ratelimit-remaining", "148")
                .json_body(json!({"error": "Not Found"}));
        })
        .await;
    let client = sandbox::Client::new_with_client(&server.base_url(), http());
    let error = client.get_sandbox_attributes(1).await.unwrap_err();
    let progenitor_client::Error::UnexpectedResponse(response) = error else {
        panic!("expected the raw response, got {error:?}");
    };
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-ratelimit-remaining"], "148");
    assert_eq!(response.text().await.unwrap(), r#"{"error":"Not Found"}"#);
}

#[tokio::test]
async fn sandbox_body_endpoints_stream_bytes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/sandboxes/5/messages/6/body.eml");
            then.status(200)
                .header("content-type", "message/rfc822")
                .body("Subject: hi\r\n\r\nbody\r\n");
        })
        .await;
    let client = sandbox::Client::new_with_client(&server.base_url(), http());
    let mut body = client
        .get_sandbox_email_message_body_as_eml(5, 6)
        .await
        .unwrap()
        .into_inner_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(bytes, b"Subject: hi\r\n\r\nbody\r\n");
}

#[tokio::test]
async fn sending_posts_the_json_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/send/9001")
                .header("content-type", "application/json")
                .json_body(json!({
                    "from": {"email": "app@example.test", "name": "App"},
                    "to": [{"email": "ana@example.test"}],
                    "subject": "Hi",
                    "text": "Hello"
                }));
            then.status(200)
                .json_body(json!({"success": true, "message_ids": ["6100200301"]}));
        })
        .await;
    let client = sending::Client::new_with_client(&server.base_url(), http());
    let body = sending::types::SendRequest {
        from: sending::types::Address {
            email: "app@example.test".to_owned(),
            name: Some("App".to_owned()),
        },
        to: vec![sending::types::Address {
            email: "ana@example.test".to_owned(),
            name: None,
        }],
        subject: Some("Hi".to_owned()),
        text: Some("Hello".to_owned()),
        attachments: Vec::new(),
        bcc: Vec::new(),
        category: None,
        cc: Vec::new(),
        custom_variables: Default::default(),
        headers: Default::default(),
        html: None,
        reply_to: None,
        template_uuid: None,
        template_variables: Default::default(),
    };
    let response = client.send_email(9001, &body).await.unwrap().into_inner();
    mock.assert_async().await;
    assert_eq!(response.message_ids, ["6100200301"]);
}

#[tokio::test]
async fn accounts_access_filters_are_rails_style_arrays() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/account_accesses")
                .query_param("sandbox_ids[]", "1")
                .query_param("sandbox_ids[]", "2")
                .query_param("project_ids[]", "7");
            then.status(200)
                .json_body(json!([{"id": 501, "specifier_type": "User"}]));
        })
        .await;
    let client = accounts::Client::new_with_client(&server.base_url(), http());
    let accesses = client
        .get_all_users_in_account(None, Some(&vec![7]), Some(&vec![1, 2]))
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert_eq!(accesses[0].id, Some(501));
}
