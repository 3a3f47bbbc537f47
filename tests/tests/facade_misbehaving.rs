//! The facade against a server that misbehaves on a real socket: resets before and after the
//! headers, truncated and slow bodies, hangs, 429 with and without `Retry-After`, 5xx,
//! `success: false`, wrong-shaped JSON and answers lost after processing. Each error says
//! whether anything was sent, nothing that must not be repeated is, and deadlines hold
//! (bounds are generous: they tell a whole deadline from a 30 s request timeout or a 10 s
//! rate-limit wait, not a speed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use mailtrap_sandbox::{ApiErrorKind, Client, Email, Error, MessageFilter, RetryPolicy};
use mailtrap_sandbox_tests::misbehaving::{Misbehaving, Reply};

fn client(server: &Misbehaving, retry: RetryPolicy) -> Client {
    Client::builder()
        .api_token("test-token")
        .base_url(&server.base_url)
        .retry(retry)
        .build()
        .unwrap()
}

/// Retries with short waits (the server's answers decide what is retried).
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(20))
}

fn email() -> Email {
    Email::new()
        .from("app@example.test")
        .to("ana@example.test")
        .subject("Welcome")
        .text("Hello")
}

const MESSAGE: &str = r#"{"id": 5, "subject": "Welcome", "from_email": "app@example.test",
    "to_email": "ana@example.test", "created_at": "2026-01-01T00:00:00Z"}"#;

#[tokio::test]
async fn a_send_reset_before_the_answer_may_have_been_applied_and_is_not_repeated() {
    let server = Misbehaving::start(vec![Reply::ResetBeforeHeaders]);
    let err = client(&server, quick())
        .sandbox(1)
        .send(email())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MaybeApplied(_)), "{err:?}");
    assert!(err.maybe_applied() && !err.nothing_sent() && !err.is_retryable());
    let shown = err.to_string();
    assert!(
        shown.starts_with("POST /api/send/{sandbox_id} was sent but the answer was lost"),
        "{shown}"
    );
    assert!(
        shown.contains("look for the message in the sandbox"),
        "{shown}"
    );
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn a_send_with_a_truncated_answer_is_not_repeated() {
    let server = Misbehaving::start(vec![Reply::Truncated]);
    let err = client(&server, quick())
        .sandbox(1)
        .send(email())
        .await
        .unwrap_err();
    assert!(err.maybe_applied(), "{err:?}");
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn a_read_reset_after_the_headers_is_retried_then_reported() {
    let server = Misbehaving::start(vec![Reply::ResetAfterHeaders]);
    let err = client(&server, quick().max_retries(2))
        .sandbox(1)
        .message(5)
        .get()
        .await
        .unwrap_err();
    assert!(err.maybe_applied() && err.is_retryable(), "{err:?}");
    assert_eq!(err.transport().map(|failure| failure.attempts()), Some(3));
    assert_eq!(server.count("GET"), 3);
}

#[tokio::test]
async fn a_slow_body_is_cut_by_the_request_timeout() {
    let server = Misbehaving::start(vec![Reply::SlowBody(MESSAGE.to_owned())]);
    let client = Client::builder()
        .api_token("test-token")
        .base_url(&server.base_url)
        .timeout(Duration::from_millis(400))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.sandbox(1).message(5).get().await.unwrap_err();
    assert!(err.is_timeout() && err.maybe_applied(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{err}");
}

#[tokio::test]
async fn a_closed_port_sent_nothing_so_even_a_send_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder()
        .api_token("test-token")
        .base_url(format!("http://{address}"))
        .retry(quick().max_retries(1))
        .build()
        .unwrap();
    let err = client.sandbox(1).send(email()).await.unwrap_err();
    assert!(matches!(err, Error::NotSent(_)), "{err:?}");
    assert!(err.nothing_sent() && err.is_retryable());
    assert_eq!(err.transport().map(|failure| failure.attempts()), Some(2));
    assert!(err.to_string().contains("nothing was sent"), "{err}");
}

#[tokio::test]
async fn a_wait_against_a_hung_server_ends_at_its_deadline() {
    let server = Misbehaving::start(vec![Reply::Hang]);
    let started = Instant::now();
    let err = client(&server, quick())
        .sandbox(1)
        .wait_for(MessageFilter::new())
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    let took = started.elapsed();
    let Error::WaitTimeout(timeout) = &err else {
        panic!("expected a wait timeout, got {err:?}");
    };
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(timeout.last_error.is_some(), "{timeout:?}");
    // The advice names the library's settings, not the command line's flags.
    let advice = err.to_string();
    assert!(
        advice.contains("ClientBuilder::base_url") && advice.contains("WaitFor::timeout"),
        "{advice}"
    );
}

#[tokio::test]
async fn a_wait_after_a_429_without_retry_after_ends_at_its_deadline() {
    // The client would wait the 10 s rate-limit window before retrying; the wait's deadline
    // cuts that.
    let server = Misbehaving::start(vec![Reply::json(
        429,
        r#"{"errors": "Rate limit exceeded"}"#,
    )]);
    let started = Instant::now();
    let err = client(&server, RetryPolicy::default())
        .sandbox(1)
        .wait_for(MessageFilter::new())
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_for_then_retried() {
    let server = Misbehaving::start(vec![
        Reply::json_with(
            429,
            ("Retry-After", "1"),
            r#"{"errors": "Rate limit exceeded"}"#,
        ),
        Reply::json(200, MESSAGE),
    ]);
    let started = Instant::now();
    let message = client(&server, quick())
        .sandbox(1)
        .message(5)
        .get()
        .await
        .unwrap();
    assert_eq!(message.subject, "Welcome");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(server.count("GET"), 2);
}

#[tokio::test]
async fn a_5xx_to_a_send_is_not_repeated() {
    let server = Misbehaving::start(vec![Reply::json(502, r#"{"error": "Bad gateway"}"#)]);
    let err = client(&server, quick())
        .sandbox(1)
        .send(email())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ApiErrorKind::Server), "{err:?}");
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn a_send_answered_success_false_is_an_error_with_the_apis_messages() {
    let server = Misbehaving::start(vec![Reply::json(
        200,
        r#"{"success": false, "errors": ["'from' domain is not verified", "bounce"]}"#,
    )]);
    let err = client(&server, quick())
        .sandbox(1)
        .send(email())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ApiErrorKind::Unsuccessful), "{err:?}");
    assert_eq!(
        err.api().unwrap().messages(),
        ["'from' domain is not verified", "bounce"]
    );
    assert_eq!(
        err.to_string(),
        "the API said the request failed (200 OK on POST /api/send/{sandbox_id}): 'from' \
         domain is not verified; bounce. The API reports that it did not do it: correct what \
         it names and try again"
    );
    // Debug reads like Display, for a test that returns the error.
    assert_eq!(format!("{err:?}"), err.to_string());
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn a_forward_is_checked() {
    let server = Misbehaving::start(vec![
        Reply::json(
            200,
            r#"{"success": false, "message": "address not confirmed"}"#,
        ),
        Reply::json(200, "{}"),
        Reply::json(200, r#"{"success": true, "message": "Forwarded"}"#),
    ]);
    let client = client(&server, quick());
    let message = client.sandbox(1).message(5);
    let refused = message.forward("qa@example.test").await.unwrap_err();
    assert_eq!(
        refused.kind(),
        Some(ApiErrorKind::Unsuccessful),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("address not confirmed"));
    let silent = message.forward("qa@example.test").await.unwrap_err();
    assert!(matches!(silent, Error::Decode(_)), "{silent:?}");
    let done = message.forward("qa@example.test").await.unwrap();
    assert!(done.success);
    assert_eq!(server.count("POST"), 3);
}

#[tokio::test]
async fn wrong_shaped_json_is_a_decode_error() {
    let server = Misbehaving::start(vec![Reply::json(200, r#"{"id": "five"}"#)]);
    let err = client(&server, quick())
        .sandbox(1)
        .message(5)
        .get()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_and_whose_retry_gets_404_succeeded() {
    // The first DELETE is processed but its answer is lost; the retry finds it gone.
    let server = Misbehaving::start(vec![
        Reply::ResetBeforeHeaders,
        Reply::json(404, r#"{"error": "Not Found"}"#),
    ]);
    let deleted = client(&server, quick())
        .sandbox(1)
        .message(5)
        .delete()
        .await
        .unwrap();
    assert_eq!(deleted, None);
    assert_eq!(server.count("DELETE"), 2);

    // A 404 to the first attempt is still "not found".
    let server = Misbehaving::start(vec![Reply::json(404, r#"{"error": "Not Found"}"#)]);
    let err = client(&server, quick())
        .sandbox(1)
        .message(5)
        .delete()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}
