//! Retries: what is repeated, what never is, and how long the client waits.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use common::{
    Expect, Reply, client, client_with, expect_sequence, message_json, project_json, quick_retries,
    sandbox_json,
};
use httpmock::MockServer;
use mailtrap_sandbox::{ApiErrorKind, Client, Error, RetryPolicy};
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn rate_limited() -> Reply {
    Reply::json(json!({"errors": "Rate limit exceeded"}))
        .status(429)
        .header("x-ratelimit-remaining", "0")
}

fn unavailable() -> Reply {
    Reply::text(
        503,
        "text/html",
        "<html><body>Service Unavailable</body></html>",
    )
}

#[tokio::test]
async fn a_429_then_200_is_retried_after_the_window() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect_sequence(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42"),
        vec![
            rate_limited(),
            Reply::json(message_json(42, 77_001, "After the wait")),
        ],
    )
    .await;
    let client = client_with(
        &server,
        quick_retries().rate_limit_window(Duration::from_millis(300)),
    );

    let started = Instant::now();
    let message = client.sandbox(77_001).message(42).get().await.unwrap();

    assert_eq!(message.subject, "After the wait");
    assert_eq!(recorded.len(), 2);
    mock.assert_calls_async(2).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect_sequence(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        vec![
            rate_limited().header("retry-after", "1"),
            Reply::json(sandbox_json(77_001, 300, "Staging")),
        ],
    )
    .await;
    // A window far longer than Retry-After: the wait must come from the header.
    let client = client_with(
        &server,
        quick_retries().rate_limit_window(Duration::from_secs(30)),
    );

    let started = Instant::now();
    client.sandbox(77_001).get().await.unwrap();
    let waited = started.elapsed();

    assert_eq!(recorded.len(), 2);
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(
        waited < Duration::from_secs(10),
        "waited {waited:?}: the window was used instead"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_returned_at_once() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect_sequence(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        vec![rate_limited().header("retry-after", "3600")],
    )
    .await;
    let err = client(&server).sandbox(77_001).get().await.unwrap_err();
    assert_eq!(recorded.len(), 1);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn a_503_twice_then_200_is_retried() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect_sequence(
        &server,
        Expect::new("GET", "/api/projects"),
        vec![
            unavailable(),
            unavailable(),
            Reply::json(json!([project_json(300, "Checkout")])),
        ],
    )
    .await;
    let projects = client(&server).projects().list().await.unwrap();
    assert_eq!(recorded.len(), 3);
    assert_eq!(projects[0].name, "Checkout");
}

#[tokio::test]
async fn retries_stop_after_the_limit() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect_sequence(
        &server,
        Expect::new("GET", "/api/projects"),
        vec![unavailable()],
    )
    .await;
    let err = client_with(&server, quick_retries().max_retries(2))
        .projects()
        .list()
        .await
        .unwrap_err();
    assert_eq!(recorded.len(), 3, "one attempt and two retries");
    assert_eq!(err.kind(), Some(ApiErrorKind::Server));
}

#[tokio::test]
async fn no_retries_when_disabled() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect_sequence(
        &server,
        Expect::new("GET", "/api/projects"),
        vec![unavailable()],
    )
    .await;
    client_with(&server, RetryPolicy::none())
        .projects()
        .list()
        .await
        .unwrap_err();
    assert_eq!(recorded.len(), 1);
}

#[tokio::test]
async fn idempotent_patches_and_deletes_are_retried() {
    let server = MockServer::start_async().await;
    let (_clean, cleaned) = expect_sequence(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/clean"),
        vec![
            unavailable(),
            Reply::json(sandbox_json(77_001, 300, "Staging")),
        ],
    )
    .await;
    let (_delete, deleted) = expect_sequence(
        &server,
        Expect::new("DELETE", "/api/sandboxes/77001/messages/42"),
        vec![
            rate_limited(),
            Reply::json(message_json(42, 77_001, "Gone")),
        ],
    )
    .await;
    let (_read, marked) = expect_sequence(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/messages/42"),
        vec![unavailable(), Reply::json(message_json(42, 77_001, "Read"))],
    )
    .await;
    let client = client(&server);
    client.sandbox(77_001).clean().await.unwrap();
    client.sandbox(77_001).message(42).delete().await.unwrap();
    client
        .sandbox(77_001)
        .message(42)
        .mark_read()
        .await
        .unwrap();
    assert_eq!(cleaned.len(), 2);
    assert_eq!(deleted.len(), 2);
    assert_eq!(marked.len(), 2);
}

#[tokio::test]
async fn a_post_is_never_repeated() {
    let server = MockServer::start_async().await;
    let (_create, created) = expect_sequence(
        &server,
        Expect::new("POST", "/api/projects"),
        vec![unavailable()],
    )
    .await;
    let (_forward, forwarded) = expect_sequence(
        &server,
        Expect::new("POST", "/api/sandboxes/77001/messages/42/forward"),
        vec![rate_limited()],
    )
    .await;
    let (_token, reset) = expect_sequence(
        &server,
        Expect::new("POST", "/api/api_tokens/70/reset"),
        vec![unavailable()],
    )
    .await;
    let client = client(&server);

    let err = client.projects().create("Checkout").await.unwrap_err();
    assert_eq!(err.kind(), Some(ApiErrorKind::Server));
    let err = client
        .sandbox(77_001)
        .message(42)
        .forward("qa@team.example")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ApiErrorKind::RateLimited));
    client.api_token(70).reset().await.unwrap_err();

    assert_eq!(created.len(), 1);
    assert_eq!(forwarded.len(), 1);
    assert_eq!(reset.len(), 1);
}

#[tokio::test]
async fn toggles_and_resets_are_never_repeated() {
    let server = MockServer::start_async().await;
    let (_toggle, toggled) = expect_sequence(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/toggle_email_username"),
        vec![unavailable()],
    )
    .await;
    let (_reset, reset) = expect_sequence(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/reset_credentials"),
        vec![unavailable()],
    )
    .await;
    let client = client(&server);
    client
        .sandbox(77_001)
        .toggle_email_address()
        .await
        .unwrap_err();
    client
        .sandbox(77_001)
        .reset_credentials()
        .await
        .unwrap_err();
    assert_eq!(toggled.len(), 1);
    assert_eq!(reset.len(), 1);
}

#[tokio::test]
async fn a_timed_out_post_is_not_repeated() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/projects");
            then.status(200)
                .delay(Duration::from_millis(600))
                .json_body(project_json(300, "Late"));
        })
        .await;
    let client = Client::builder()
        .api_token(common::TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_millis(100))
        .retry(quick_retries())
        .build()
        .unwrap();
    let err = client.projects().create("Late").await.unwrap_err();
    assert!(matches!(err, Error::MaybeApplied(_)), "{err:?}");
    assert!(err.is_timeout() && !err.is_retryable(), "{err:?}");
    assert!(
        err.to_string()
            .contains("It was not repeated, so that it cannot be applied twice"),
        "{err}"
    );
    slow.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_timed_out_get_is_repeated() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/projects");
            then.status(200)
                .delay(Duration::from_millis(600))
                .json_body(json!([]));
        })
        .await;
    let client = Client::builder()
        .api_token(common::TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_millis(100))
        .retry(quick_retries().max_retries(2))
        .build()
        .unwrap();
    let err = client.projects().list().await.unwrap_err();
    assert!(matches!(err, Error::MaybeApplied(_)), "{err:?}");
    assert_eq!(err.transport().map(|failure| failure.attempts()), Some(3));
    slow.assert_calls_async(3).await;
}

/// A connection that cannot be opened carried nothing, so even a create is retried; here
/// the server only starts listening after the first attempts failed.
#[tokio::test]
async fn a_connect_error_is_retried_even_for_a_post() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = probe.local_addr().unwrap();
    drop(probe);
    let body = serde_json::to_vec(&project_json(300, "Checkout")).unwrap();
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let read = socket.read(&mut buffer).await.unwrap();
            request.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&request);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text
                    .lines()
                    .find_map(|line| {
                        line.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(&body).await.unwrap();
        socket.shutdown().await.unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    let client = Client::builder()
        .api_token(common::TOKEN)
        .base_url(format!("http://{address}"))
        .retry(
            RetryPolicy::default()
                .max_retries(20)
                .initial_backoff(Duration::from_millis(40))
                .max_backoff(Duration::from_millis(40)),
        )
        .build()
        .unwrap();

    let project = client.projects().create("Checkout").await.unwrap();

    assert_eq!(project.name, "Checkout");
    let request = server.await.unwrap();
    assert!(
        request.starts_with("POST /api/projects HTTP/1.1"),
        "{request}"
    );
}

/// The client-side limiter keeps a client and its clones under the budget.
#[tokio::test]
async fn the_rate_limiter_spaces_requests_across_clones() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect_sequence(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        vec![Reply::json(sandbox_json(77_001, 300, "Staging"))],
    )
    .await;
    let client = Client::builder()
        .api_token(common::TOKEN)
        .base_url(server.base_url())
        .rate_limit(mailtrap_sandbox::RateLimit::new(
            2,
            Duration::from_millis(300),
        ))
        .build()
        .unwrap();

    let started = Instant::now();
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.sandbox(77_001).get().await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    assert_eq!(recorded.len(), 5);
    // 2 now, 2 after one window, 1 after two windows.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "took only {:?}",
        started.elapsed()
    );
}
