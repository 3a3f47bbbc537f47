//! Every error body form maps to the right kind, with a readable, bounded `Display`.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{Expect, Reply, client_with, expect, message_json};
use httpmock::MockServer;
use mailtrap_sandbox::{ApiErrorKind, Client, Error, RetryPolicy};
use serde_json::json;

/// Fetches sandbox 77001 from a server answering `reply`, without retries.
async fn error_for(reply: Reply) -> Error {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(&server, Expect::new("GET", "/api/sandboxes/77001"), reply).await;
    client_with(&server, RetryPolicy::none())
        .sandbox(77_001)
        .get()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn unauthorized_names_the_token_variable() {
    let err = error_for(
        Reply::json(json!({"error": "Incorrect API token"}))
            .status(401)
            .header("www-authenticate", "Token realm=\"Application\""),
    )
    .await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Unauthorized));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(!err.is_retryable());
    let api = err.api().unwrap();
    assert_eq!(api.messages(), ["Incorrect API token"]);
    assert_eq!(api.rate_limit().unwrap().limit, Some(150));
    assert_eq!(api.rate_limit().unwrap().remaining, Some(149));
    insta::assert_snapshot!(err, @"Mailtrap rejected the API token (401 Unauthorized on GET /api/sandboxes/{sandbox_id}): Incorrect API token. Check MAILTRAP_API_TOKEN (or the token given to ClientBuilder::api_token) and that the token is still active");
}

#[tokio::test]
async fn not_found() {
    let err = error_for(Reply::json(json!({"error": "Not Found"})).status(404)).await;
    assert!(err.is_not_found());
    insta::assert_snapshot!(err, @"not found (404 Not Found on GET /api/sandboxes/{sandbox_id}): Not Found. Check the ids, and that the token's account can see them");
}

#[tokio::test]
async fn validation_with_lists_and_single_strings() {
    let err = error_for(
        Reply::json(json!({"errors": {"name": ["can't be blank", "is too short (minimum is 2 characters)"], "base": "You have reached the limit of sandboxes for your plan"}}))
            .status(422),
    )
    .await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Validation));
    let api = err.api().unwrap();
    assert_eq!(api.field_errors()["name"].len(), 2);
    assert_eq!(
        api.field_errors()["base"],
        vec!["You have reached the limit of sandboxes for your plan"]
    );
    assert!(api.messages().is_empty());
    insta::assert_snapshot!(err, @"the request was refused as invalid (422 Unprocessable Entity on GET /api/sandboxes/{sandbox_id}): base: You have reached the limit of sandboxes for your plan; name: can't be blank, is too short (minimum is 2 characters)");
}

#[tokio::test]
async fn forbidden_with_an_errors_string() {
    let err =
        error_for(Reply::json(json!({"errors": "Account access forbidden"})).status(403)).await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Forbidden));
    insta::assert_snapshot!(err, @"the API token is not allowed to do this (403 Forbidden on GET /api/sandboxes/{sandbox_id}): Account access forbidden. Give the token access to this resource in Mailtrap's API token settings");
}

#[tokio::test]
async fn forbidden_as_plain_text() {
    let err = error_for(Reply::text(403, "text/plain; charset=utf-8", "Forbidden\n")).await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Forbidden));
    assert_eq!(err.api().unwrap().messages(), ["Forbidden"]);
    insta::assert_snapshot!(err, @"the API token is not allowed to do this (403 Forbidden on GET /api/sandboxes/{sandbox_id}): Forbidden. Give the token access to this resource in Mailtrap's API token settings");
}

#[tokio::test]
async fn forbidden_html_page_from_the_cdn() {
    let page = format!(
        "<!DOCTYPE html><html><head><title>Attention Required</title></head><body>{}</body></html>",
        "<p>Sorry, you have been blocked.</p>".repeat(200)
    );
    let err = error_for(Reply::text(403, "text/html; charset=UTF-8", page.clone())).await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Forbidden));
    assert!(err.api().unwrap().messages().is_empty());
    assert_eq!(err.api().unwrap().body().len(), page.len());
    insta::assert_snapshot!(err, @"the API token is not allowed to do this (403 Forbidden on GET /api/sandboxes/{sandbox_id}) (an HTML page of 7287 bytes instead of JSON (likely from a proxy or CDN in front of the API)). Give the token access to this resource in Mailtrap's API token settings");
}

#[tokio::test]
async fn rate_limited_with_errors_string_and_headers() {
    let err = error_for(
        Reply::json(json!({"errors": "Rate limit exceeded"}))
            .status(429)
            .header("x-ratelimit-remaining", "0"),
    )
    .await;
    assert_eq!(err.kind(), Some(ApiErrorKind::RateLimited));
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), None);
    insta::assert_snapshot!(err, @"rate limit reached (429 Too Many Requests on GET /api/sandboxes/{sandbox_id}): Rate limit exceeded. The limit is 150 requests per window; slow down or enable the client's rate limiter (ClientBuilder::rate_limit)");
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let err = error_for(
        Reply::json(json!({"success": false, "errors": ["Too many requests"]}))
            .status(429)
            .header("retry-after", "7"),
    )
    .await;
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    insta::assert_snapshot!(err, @"rate limit reached (429 Too Many Requests on GET /api/sandboxes/{sandbox_id}): Too many requests. Retry after 7 s");
}

#[tokio::test]
async fn errors_array_with_and_without_success_false() {
    for body in [
        json!({"errors": ["'subject' is required", "'from' is required"]}),
        json!({"success": false, "errors": ["'subject' is required", "'from' is required"]}),
    ] {
        let err = error_for(Reply::json(body).status(400)).await;
        assert_eq!(err.kind(), Some(ApiErrorKind::Validation));
        assert_eq!(
            err.api().unwrap().messages(),
            ["'subject' is required", "'from' is required"]
        );
        insta::allow_duplicates! {
            insta::assert_snapshot!(err, @"the request was refused as invalid (400 Bad Request on GET /api/sandboxes/{sandbox_id}): 'subject' is required; 'from' is required");
        }
    }
}

#[tokio::test]
async fn server_error_with_an_empty_body() {
    let err = error_for(Reply::text(502, "", "")).await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Server));
    assert!(err.is_retryable());
    insta::assert_snapshot!(err, @"Mailtrap failed to handle the request (502 Bad Gateway on GET /api/sandboxes/{sandbox_id}) (empty body). Try again later");
}

#[tokio::test]
async fn long_text_bodies_are_cut_in_display() {
    let err = error_for(Reply::text(500, "text/plain", "boom ".repeat(1000))).await;
    let shown = err.to_string();
    assert!(shown.chars().count() < 400, "{shown}");
    assert!(shown.contains('…'));
    assert_eq!(err.api().unwrap().body().len(), 5000);
}

#[tokio::test]
async fn unknown_status_is_other() {
    let err = error_for(Reply::json(json!({"message": "I'm a teapot"})).status(418)).await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Other));
    insta::assert_snapshot!(err, @"unexpected answer (418 I'm a teapot on GET /api/sandboxes/{sandbox_id}): I'm a teapot");
}

#[tokio::test]
async fn conflict_outside_body_endpoints_is_conflict() {
    let err = error_for(Reply::json(json!({"error": "Sandbox is busy"})).status(409)).await;
    assert_eq!(err.kind(), Some(ApiErrorKind::Conflict));
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let server = MockServer::start_async().await;
    let mut broken = message_json(41, 77_001, "Broken date");
    broken["created_at"] = json!("yesterday at noon");
    let (_mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages"),
        Reply::json(json!([message_json(42, 77_001, "Fine"), broken])),
    )
    .await;
    let err = client_with(&server, RetryPolicy::none())
        .sandbox(77_001)
        .messages()
        .list()
        .send()
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path(), "[1].created_at");
    insta::assert_snapshot!(err.to_string().split("; the body starts with").next().unwrap(), @"could not read the answer to GET /api/sandboxes/{sandbox_id}/messages (200 OK): at `[1].created_at`: input contains invalid characters at line 1 column 1094");
    assert!(err.to_string().contains("the body starts with: [{"));
}

#[tokio::test]
async fn a_missing_id_is_a_decode_error() {
    let server = MockServer::start_async().await;
    let mut nameless = message_json(41, 77_001, "No id");
    nameless.as_object_mut().unwrap().remove("id");
    let (_mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages"),
        Reply::json(json!([message_json(42, 77_001, "Fine"), nameless])),
    )
    .await;
    let err = client_with(&server, RetryPolicy::none())
        .sandbox(77_001)
        .messages()
        .list()
        .send()
        .await
        .unwrap_err();
    insta::assert_snapshot!(err, @"could not read the answer to GET /api/sandboxes/{sandbox_id}/messages (200 OK): at `[1].id`: missing field");
}

/// A client for a local port that nothing listens on (the sending API follows it), without
/// retries.
fn closed_port_client() -> Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    Client::builder()
        .api_token("t")
        .base_url(format!("http://{address}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let client = closed_port_client();
    let err = client.sandbox(1).get().await.unwrap_err();
    assert!(matches!(err, Error::NotSent(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.nothing_sent());
    assert!(
        err.to_string().starts_with(
            "could not connect to the Mailtrap API for GET /api/sandboxes/{sandbox_id}: \
             nothing was sent"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_send_to_a_closed_port_names_the_sending_base_url() {
    let client = closed_port_client();
    let email = mailtrap_sandbox::Email::new()
        .from("robot@shop.example")
        .to("ana@example.com")
        .subject("Hi")
        .text("Hello");
    let err = client.sandbox(1).send(email).await.unwrap_err();
    assert!(err.nothing_sent(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("(ClientBuilder::send_base_url, MAILTRAP_SEND_BASE_URL)"),
        "{text}"
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = MockServer::start_async().await;
    let _slow = server
        .mock_async(|when, then| {
            when.path("/api/sandboxes/1");
            then.status(200)
                .delay(Duration::from_millis(800))
                .json_body(json!({"id": 1}));
        })
        .await;
    let client = Client::builder()
        .api_token("t")
        .base_url(server.base_url())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.sandbox(1).get().await.unwrap_err();
    assert!(matches!(err, Error::MaybeApplied(_)), "{err:?}");
    assert!(err.is_retryable(), "a GET is safe to repeat");
    assert!(err.is_timeout());
    assert!(err.to_string().contains("no answer came in time"), "{err}");
}
