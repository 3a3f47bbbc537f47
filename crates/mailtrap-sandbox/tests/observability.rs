//! Tracing: one span per attempt with method, path template, status, attempt and elapsed
//! time; no token or message content in any log line, at any level, from any crate.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Expect, Reply, TOKEN, client, expect, expect_sequence, message_json};
use httpmock::MockServer;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Everything logged at TRACE by every crate while `run` runs on this thread.
async fn capture<F: Future<Output = ()>>(run: F) -> String {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    run.await;
    captured.text()
}

#[tokio::test]
async fn each_attempt_has_a_span_with_the_path_template_and_status() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect_sequence(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42"),
        vec![
            Reply::text(503, "text/plain", "busy"),
            Reply::json(message_json(42, 77_001, "Secret subject 7f3e")),
        ],
    )
    .await;
    let client = client(&server);

    let logs = capture(async {
        client.sandbox(77_001).message(42).get().await.unwrap();
    })
    .await;

    let spans: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("mailtrap.request") && line.contains("close"))
        .collect();
    assert_eq!(spans.len(), 2, "{logs}");
    for (line, (attempt, status)) in spans.iter().zip([(1, 503), (2, 200)]) {
        assert!(line.contains("method=\"GET\""), "{line}");
        assert!(
            line.contains("path=\"/api/sandboxes/{sandbox_id}/messages/{message_id}\""),
            "{line}"
        );
        assert!(line.contains(&format!("attempt={attempt}")), "{line}");
        assert!(line.contains(&format!("status={status}")), "{line}");
        assert!(line.contains("elapsed_ms="), "{line}");
    }
    assert!(logs.contains("retrying"), "{logs}");
    assert!(
        !logs.contains(TOKEN),
        "the token leaked into the logs:\n{logs}"
    );
    assert!(
        !logs.contains("Secret subject 7f3e"),
        "message content leaked into the logs:\n{logs}"
    );
}

#[tokio::test]
async fn message_bodies_stay_out_of_the_logs() {
    let server = MockServer::start_async().await;
    let (_text, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/body.txt"),
        Reply::text(200, "text/plain; charset=utf-8", "one-time code 918273"),
    )
    .await;
    let (_failing, _) = expect(
        &server,
        Expect::new("POST", "/api/sandboxes/77001/messages/42/forward"),
        Reply::json(json!({"errors": "Rate limit exceeded"})).status(429),
    )
    .await;
    let client = client(&server);

    let logs = capture(async {
        assert_eq!(
            client.sandbox(77_001).message(42).text().await.unwrap(),
            "one-time code 918273"
        );
        client
            .sandbox(77_001)
            .message(42)
            .forward("qa@team.example")
            .await
            .unwrap_err();
    })
    .await;

    assert!(logs.contains("mailtrap.request"), "{logs}");
    assert!(
        !logs.contains(TOKEN),
        "the token leaked into the logs:\n{logs}"
    );
    assert!(
        !logs.contains("918273"),
        "a message body leaked into the logs:\n{logs}"
    );
}
