//! The HTTP listener's bounds, over real sockets: partial request heads and idle keep-alive
//! connections are closed after the idle timeout, a stalled request body is answered `408`,
//! oversized heads `431`. (The token flood has a file of its own: it measures this process's
//! memory, which other tests running beside it would disturb.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_support::{TOKEN, start, start_with};
use mailtrap_sandbox_emulator::EmulatorConfig;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const IDLE: Duration = Duration::from_secs(1);

fn with_idle_timeout() -> EmulatorConfig {
    let mut config = EmulatorConfig::ephemeral();
    config.http_idle_timeout = IDLE;
    config
}

/// Reads until the server closes the connection (or `limit` passes); returns what was read
/// and whether it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let mut all = Vec::new();
    let deadline = Instant::now() + limit;
    loop {
        let mut buf = [0u8; 4096];
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return (all, false),
            Ok(Ok(0) | Err(_)) => return (all, true),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

async fn connect(addr: SocketAddr) -> TcpStream {
    TcpStream::connect(addr).await.unwrap()
}

#[tokio::test]
async fn slow_partial_heads_and_idle_connections_are_closed() {
    // 300 slow clients, as in the report that found them held forever.
    http_support::allow_open_files(2048);
    let env = start_with(with_idle_timeout()).await;
    let addr = env.emu.http_addr();
    let mut partial = Vec::new();
    for _ in 0..300 {
        let mut stream = connect(addr).await;
        stream
            .write_all(b"GET /api/sandboxes HTTP/1.1\r\nHost: emulator\r\nAuthor")
            .await
            .unwrap();
        partial.push(stream);
    }
    let mut silent = connect(addr).await;
    // A keep-alive connection that made one request, then went quiet.
    let mut kept_alive = connect(addr).await;
    kept_alive
        .write_all(
            format!(
                "GET /api/sandboxes HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();

    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut kept_alive, IDLE * 5).await;
    assert!(closed, "the idle keep-alive connection is closed");
    assert!(
        answer.starts_with(b"HTTP/1.1 200 OK"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let (_, closed) = read_until_closed(&mut silent, IDLE * 5).await;
    assert!(closed, "a connection that never sends anything is closed");
    for stream in &mut partial {
        let (answer, closed) = read_until_closed(stream, IDLE * 5).await;
        assert!(closed, "a partial head is closed");
        assert!(
            !answer.starts_with(b"HTTP/1.1 2"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
    assert!(started.elapsed() < IDLE * 5, "{:?}", started.elapsed());

    // The server still answers.
    let response = env.get("/api/sandboxes").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_head_dripped_a_byte_at_a_time_is_closed() {
    // The idle timeout bounds the whole head, not the gap between two bytes.
    let env = start_with(with_idle_timeout()).await;
    let stream = connect(env.emu.http_addr()).await;
    let (mut read, mut write) = stream.into_split();
    let started = Instant::now();
    let drip = tokio::spawn(async move {
        let head = b"GET /api/sandboxes HTTP/1.1\r\nHost: emulator\r\nX-Slow: ";
        for byte in head.iter().chain(std::iter::repeat(&b'x')).take(400) {
            if write.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(IDLE * 5, read.read_to_end(&mut answer)).await;
    let elapsed = started.elapsed();
    assert!(closed.is_ok(), "still open after {elapsed:?}");
    assert!(elapsed >= IDLE && elapsed < IDLE * 3, "{elapsed:?}");
    assert!(
        !answer.starts_with(b"HTTP/1.1 2"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    drip.abort();
}

#[tokio::test]
async fn a_stalled_request_body_is_answered_408() {
    let env = start_with(with_idle_timeout()).await;
    let addr = env.emu.http_addr();
    for path in [
        "/api/projects".to_owned(),
        format!("/api/send/{}", env.sandbox()),
    ] {
        let mut stream = connect(addr).await;
        stream
            .write_all(
                format!(
                    "POST {path} HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer {TOKEN}\r\n\
                     Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"project\""
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let (answer, _) = read_until_closed(&mut stream, IDLE * 5).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
    }
}

#[tokio::test]
async fn an_oversized_request_head_is_refused() {
    let env = start().await;
    let mut stream = connect(env.emu.http_addr()).await;
    let huge = "x".repeat(100 * 1024);
    stream
        .write_all(
            format!(
                "GET /api/sandboxes HTTP/1.1\r\nHost: e\r\nAuthorization: Bearer {huge}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(closed, "{answer}");
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
}
