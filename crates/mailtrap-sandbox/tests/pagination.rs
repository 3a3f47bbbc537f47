//! The message stream: pages of 30, 20 and `[]`, the repeated-cursor guard, errors.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Expect, Reply, client, client_with, expect, message_json};
use futures_util::{StreamExt as _, TryStreamExt as _};
use httpmock::MockServer;
use mailtrap_sandbox::{ApiErrorKind, MessageId, RetryPolicy};
use serde_json::{Value, json};

/// Messages with ids `from, from-1, ...` (newest first), `count` of them.
fn page(from: u64, count: u64) -> Value {
    Value::Array(
        (0..count)
            .map(|i| message_json(from - i, 77_001, &format!("Message {}", from - i)))
            .collect(),
    )
}

#[tokio::test]
async fn the_stream_walks_pages_of_30_20_and_stops_on_empty() {
    let server = MockServer::start_async().await;
    let (first, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages").query("search=order"),
        Reply::json(page(5_000_000_100, 30)),
    )
    .await;
    let (second, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages")
            .query("last_id=5000000071&search=order"),
        Reply::json(page(5_000_000_070, 20)),
    )
    .await;
    let (third, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages")
            .query("last_id=5000000051&search=order"),
        Reply::json(json!([])),
    )
    .await;

    let messages: Vec<_> = client(&server)
        .sandbox(77_001)
        .messages()
        .list()
        .search("order")
        .stream()
        .try_collect()
        .await
        .unwrap();

    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
    assert_eq!(messages.len(), 50);
    assert_eq!(messages[0].id, MessageId::new(5_000_000_100));
    assert_eq!(messages[49].id, MessageId::new(5_000_000_051));
    assert!(messages.windows(2).all(|pair| pair[0].id > pair[1].id));
}

#[tokio::test]
async fn the_stream_starts_below_a_given_last_id() {
    let server = MockServer::start_async().await;
    let (first, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages").query("last_id=900"),
        Reply::json(page(899, 2)),
    )
    .await;
    let (end, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages").query("last_id=898"),
        Reply::json(json!([])),
    )
    .await;
    let ids: Vec<u64> = client(&server)
        .sandbox(77_001)
        .messages()
        .list()
        .last_id(900)
        .stream()
        .map_ok(|message| message.id.get())
        .try_collect()
        .await
        .unwrap();
    first.assert_async().await;
    end.assert_async().await;
    assert_eq!(ids, vec![899, 898]);
}

#[tokio::test]
async fn a_server_that_ignores_the_cursor_does_not_loop_forever() {
    let server = MockServer::start_async().await;
    let (no_cursor, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages"),
        Reply::json(page(700, 30)),
    )
    .await;
    // Whatever the cursor, the same first page again.
    let (with_cursor, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages").query("last_id=671"),
        Reply::json(page(700, 30)),
    )
    .await;

    let messages: Vec<_> = client(&server)
        .sandbox(77_001)
        .messages()
        .stream()
        .try_collect()
        .await
        .unwrap();

    no_cursor.assert_calls_async(1).await;
    with_cursor.assert_calls_async(1).await;
    assert_eq!(messages.len(), 30, "the repeated page is not yielded again");
}

#[tokio::test]
async fn an_error_is_yielded_once_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    let (_first, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages"),
        Reply::json(page(500, 30)),
    )
    .await;
    let (_failing, recorded) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages").query("last_id=471"),
        Reply::json(json!({"error": "Not Found"})).status(404),
    )
    .await;

    let results: Vec<_> = client_with(&server, RetryPolicy::none())
        .sandbox(77_001)
        .messages()
        .stream()
        .collect()
        .await;

    assert_eq!(results.len(), 31);
    assert!(results[..30].iter().all(Result::is_ok));
    let err = results[30].as_ref().unwrap_err();
    assert_eq!(err.kind(), Some(ApiErrorKind::NotFound));
    assert_eq!(recorded.len(), 1);
}

#[tokio::test]
async fn the_stream_fetches_lazily() {
    let server = MockServer::start_async().await;
    let (first, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages"),
        Reply::json(page(300, 30)),
    )
    .await;
    let (second, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages").query("last_id=271"),
        Reply::json(json!([])),
    )
    .await;
    let mut stream = client(&server).sandbox(77_001).messages().stream();
    first.assert_calls_async(0).await;
    let newest = stream.next().await.unwrap().unwrap();
    assert_eq!(newest.id, MessageId::new(300));
    first.assert_calls_async(1).await;
    second.assert_calls_async(0).await;
}
