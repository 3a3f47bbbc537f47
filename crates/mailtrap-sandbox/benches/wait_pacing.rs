//! How many requests a wait that never matches makes against Mailtrap at default settings
//! (Mailtrap allows 150 per 10 s per token).
//!
//! The client is built as a user builds it for Mailtrap, with defaults only, but its base URL
//! names a host that is not a loopback address (`sandbox-api.example`), which `reqwest`
//! resolves to a local server on 127.0.0.1: the facade polls as it would poll Mailtrap. The
//! server counts every request it receives while a wait for a subject that never arrives
//! runs out its timeout. Two sandboxes: an empty one, and a busy one whose 600 messages (20
//! pages of 30) were all received within the wait's look-back window, so that a poll that
//! reads the window down to its edge makes 20 requests.
//!
//! `cargo bench -p mailtrap-sandbox --bench wait_pacing` (prints the counts and the busiest
//! 10 s; each wait runs `MAILTRAP_BENCH_WAIT_SECS`, 20 s by default, so about 40 s in all).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::cast_precision_loss
)]

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use mailtrap_sandbox::{Client, MessageFilter};
use serde::Deserialize;
use serde_json::Value;

const SANDBOX: u64 = 4_200_901;
/// Mailtrap's page size.
const PAGE: u64 = 30;
/// Mailtrap's limit: requests per 10 s.
const LIMIT: usize = 150;
const WINDOW: Duration = Duration::from_secs(10);

#[derive(Clone)]
struct Sandbox {
    /// Messages stored, ids 1 to this.
    stored: u64,
    /// When each request arrived.
    requests: Arc<Mutex<Vec<Instant>>>,
}

#[derive(Deserialize)]
struct Listing {
    last_id: Option<u64>,
}

/// `GET /api/sandboxes/{id}/messages`: newest first, 30 a page, below `last_id`; every
/// message received a second ago.
async fn list(State(sandbox): State<Sandbox>, Query(listing): Query<Listing>) -> axum::Json<Value> {
    sandbox.requests.lock().unwrap().push(Instant::now());
    let top = listing
        .last_id
        .map_or(sandbox.stored, |id| id.saturating_sub(1))
        .min(sandbox.stored);
    let received = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    let page: Vec<Value> = (top.saturating_sub(PAGE - 1).max(1)..=top)
        .rev()
        .map(|id| {
            let mut message = support::message(id, SANDBOX);
            message["created_at"] = Value::String(received.clone());
            message
        })
        .collect();
    axum::Json(Value::Array(page))
}

/// The most requests that arrived within any 10 s.
fn busiest_window(requests: &[Instant]) -> usize {
    let mut most = 0;
    let mut first = 0;
    for (last, at) in requests.iter().enumerate() {
        while at.duration_since(requests[first]) >= WINDOW {
            first += 1;
        }
        most = most.max(last + 1 - first);
    }
    most
}

fn measure(runtimes: &support::Runtimes, stored: u64, waited: Duration) {
    let sandbox = Sandbox {
        stored,
        requests: Arc::default(),
    };
    let router = Router::new()
        .route("/api/sandboxes/{sandbox_id}/messages", get(list))
        .with_state(sandbox.clone());
    let address: SocketAddr = support::serve(&runtimes.server, router);
    let client = Client::builder()
        .api_token(support::TOKEN)
        .base_url(format!("http://sandbox-api.example:{}", address.port()))
        .http_client_builder(reqwest::Client::builder().resolve("sandbox-api.example", address))
        .build()
        .unwrap();
    let started = Instant::now();
    let outcome = runtimes.client.block_on(
        client
            .sandbox(SANDBOX)
            .wait_for(MessageFilter::new().subject_is("This subject never arrives"))
            .timeout(waited)
            .send(),
    );
    let elapsed = started.elapsed();
    let err = outcome.expect_err("nothing matches");
    assert!(
        matches!(err, mailtrap_sandbox::Error::WaitTimeout(_)),
        "{err}"
    );
    let requests = sandbox.requests.lock().unwrap().clone();
    let per_window = requests.len() as f64 * WINDOW.as_secs_f64() / elapsed.as_secs_f64();
    let busiest = busiest_window(&requests);
    println!(
        "wait_pacing, {stored} messages in the window: {} requests in {:.1} s = {per_window:.1} per 10 s; \
         busiest 10 s: {busiest} (Mailtrap's limit: {LIMIT}){}",
        requests.len(),
        elapsed.as_secs_f64(),
        if busiest > LIMIT { " EXCEEDED" } else { "" },
    );
}

fn main() {
    let secs: u64 = std::env::var("MAILTRAP_BENCH_WAIT_SECS")
        .ok()
        .map_or(20, |value| value.parse().expect("a number of seconds"));
    // `cargo test --benches` runs the benchmark binaries once: keep that short.
    let waited = if std::env::args().any(|arg| arg == "--bench") {
        Duration::from_secs(secs)
    } else {
        Duration::from_secs(2)
    };
    let runtimes = support::runtimes();
    for stored in [0, 20 * PAGE] {
        measure(&runtimes, stored, waited);
    }
}
