//! Get-message round trips through the facade against plain `reqwest` + `serde_json` on the
//! same local server, and their throughput ratio (goal: the facade at 0.97 or more).
//!
//! `cargo bench -p mailtrap-sandbox --bench get_message`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use criterion::{Criterion, criterion_group};
use mailtrap_sandbox_api::sandbox::types::Message;

const SANDBOX: u64 = 4_200_900;
const MESSAGE: u64 = 5_300_000_123;

struct Setup {
    runtime: tokio::runtime::Runtime,
    facade: mailtrap_sandbox::Client,
    plain: reqwest::Client,
    url: String,
}

fn setup() -> Setup {
    let runtime = support::runtime();
    let body = Bytes::from(serde_json::to_vec(&support::message(MESSAGE, SANDBOX)).unwrap());
    let router = Router::new().route(
        "/api/sandboxes/{sandbox_id}/messages/{message_id}",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json; charset=utf-8")], body) }
        }),
    );
    let address = support::serve(&runtime, router);
    let (plain, base) = support::plain(address);
    Setup {
        facade: support::facade(address),
        plain,
        url: format!("{base}/api/sandboxes/{SANDBOX}/messages/{MESSAGE}"),
        runtime,
    }
}

async fn through_facade(setup: &Setup) {
    let message = setup
        .facade
        .sandbox(SANDBOX)
        .message(MESSAGE)
        .get()
        .await
        .unwrap();
    black_box(message);
}

async fn through_reqwest(setup: &Setup) {
    let response = setup
        .plain
        .get(&setup.url)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    let message: Message = serde_json::from_slice(&bytes).unwrap();
    black_box(message);
}

fn bench(c: &mut Criterion) {
    let setup = setup();
    let mut group = c.benchmark_group("get_message");
    group.bench_function("facade", |b| {
        b.iter(|| setup.runtime.block_on(through_facade(&setup)));
    });
    group.bench_function("reqwest+serde_json", |b| {
        b.iter(|| setup.runtime.block_on(through_reqwest(&setup)));
    });
    group.finish();
}

/// Rounds of one block through each client (the order alternating from round to round, so
/// that both sides see the same machine state); prints the median of the per-round
/// throughput ratios, facade over plain.
fn ratio() {
    let setup = setup();
    let rounds = 41;
    let per_block = 100;
    let (mut facade_total, mut plain_total) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::with_capacity(rounds);
    setup.runtime.block_on(async {
        for _ in 0..per_block {
            through_facade(&setup).await;
            through_reqwest(&setup).await;
        }
        for round in 0..rounds {
            let (mut facade, mut plain) = (Duration::ZERO, Duration::ZERO);
            for side in [round % 2 == 0, round % 2 != 0] {
                let started = Instant::now();
                for _ in 0..per_block {
                    if side {
                        through_facade(&setup).await;
                    } else {
                        through_reqwest(&setup).await;
                    }
                }
                if side {
                    facade = started.elapsed();
                } else {
                    plain = started.elapsed();
                }
            }
            facade_total += facade;
            plain_total += plain;
            ratios.push(plain.as_secs_f64() / facade.as_secs_f64());
        }
    });
    ratios.sort_by(f64::total_cmp);
    let calls = (rounds * per_block) as f64;
    println!(
        "get_message: facade {:.1} µs/call, reqwest+serde_json {:.1} µs/call; throughput ratio facade/plain: median {:.3} over {rounds} rounds (goal >= 0.97)",
        facade_total.as_secs_f64() * 1e6 / calls,
        plain_total.as_secs_f64() * 1e6 / calls,
        ratios[rounds / 2]
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    ratio();
    Criterion::default().configure_from_args().final_summary();
}
