//! Get-message round trips through the facade against plain `reqwest` + `serde_json` on the
//! same local server, and their throughput ratio (goal: the facade at 0.97 or more). The
//! generated layer alone (`mailtrap-sandbox-api`) is measured too, to show where any
//! difference comes from.
//!
//! `cargo bench -p mailtrap-sandbox --bench get_message`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::cast_possible_wrap
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
    /// Keeps the server running.
    _server: tokio::runtime::Runtime,
    /// Drives the clients.
    runtime: tokio::runtime::Runtime,
    facade: mailtrap_sandbox::Client,
    generated: mailtrap_sandbox_api::sandbox::Client,
    plain: reqwest::Client,
    url: String,
}

fn setup() -> Setup {
    let support::Runtimes {
        server,
        client: runtime,
    } = support::runtimes();
    let body = Bytes::from(serde_json::to_vec(&support::message(MESSAGE, SANDBOX)).unwrap());
    let router = Router::new().route(
        "/api/sandboxes/{sandbox_id}/messages/{message_id}",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json; charset=utf-8")], body) }
        }),
    );
    let address = support::serve(&server, router);
    let (plain, base) = support::plain(address);
    let facade = support::facade(address);
    let generated = mailtrap_sandbox_api::sandbox::Client::new_with_client(
        facade.base_url(),
        facade.http_client().clone(),
    );
    Setup {
        _server: server,
        facade,
        generated,
        plain,
        url: format!("{base}/api/sandboxes/{SANDBOX}/messages/{MESSAGE}"),
        runtime,
    }
}

/// The three ways to the same message.
#[derive(Clone, Copy)]
enum Way {
    Facade,
    Generated,
    Plain,
}

async fn get_message(setup: &Setup, way: Way) {
    match way {
        Way::Facade => {
            let message = setup
                .facade
                .sandbox(SANDBOX)
                .message(MESSAGE)
                .get()
                .await
                .unwrap();
            black_box(message);
        }
        Way::Generated => {
            let message = setup
                .generated
                .show_sandbox_email_message(SANDBOX as i64, MESSAGE as i64)
                .await
                .unwrap();
            black_box(message.into_inner());
        }
        Way::Plain => {
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
    }
}

fn bench(c: &mut Criterion) {
    let setup = setup();
    let mut group = c.benchmark_group("get_message");
    for (name, way) in [
        ("facade", Way::Facade),
        ("generated layer", Way::Generated),
        ("reqwest+serde_json", Way::Plain),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| setup.runtime.block_on(get_message(&setup, way)));
        });
    }
    group.finish();
}

/// Rounds of a short block through each way, the order rotating from round to round so that
/// all see the same machine state; prints per-call times and the facade's throughput
/// relative to plain reqwest (from the total time, and the median of per-round ratios).
fn ratio() {
    let setup = setup();
    let ways = [Way::Facade, Way::Generated, Way::Plain];
    let rounds = 600;
    let per_block = 5;
    let mut totals = [Duration::ZERO; 3];
    let mut ratios = Vec::with_capacity(rounds);
    setup.runtime.block_on(async {
        for _ in 0..200 {
            for way in ways {
                get_message(&setup, way).await;
            }
        }
        for round in 0..rounds {
            let mut block = [Duration::ZERO; 3];
            for step in 0..ways.len() {
                let index = (round + step) % ways.len();
                let started = Instant::now();
                for _ in 0..per_block {
                    get_message(&setup, ways[index]).await;
                }
                block[index] = started.elapsed();
            }
            for (total, time) in totals.iter_mut().zip(block) {
                *total += time;
            }
            ratios.push(block[2].as_secs_f64() / block[0].as_secs_f64());
        }
    });
    ratios.sort_by(f64::total_cmp);
    let per_call = |total: Duration| total.as_secs_f64() * 1e6 / (rounds * per_block) as f64;
    println!(
        "get_message: facade {:.1} µs/call, generated layer {:.1} µs/call, reqwest+serde_json {:.1} µs/call; \
         throughput ratio facade/plain: {:.3} overall, median {:.3} over {rounds} rounds (goal >= 0.97)",
        per_call(totals[0]),
        per_call(totals[1]),
        per_call(totals[2]),
        totals[2].as_secs_f64() / totals[0].as_secs_f64(),
        ratios[rounds / 2]
    );
}

criterion_group!(benches, bench);

fn main() {
    if let Some((way, count)) = support::only() {
        let way = match way.as_str() {
            "facade" => Way::Facade,
            "generated" => Way::Generated,
            "plain" => Way::Plain,
            other => panic!("unknown way `{other}`: facade, generated or plain"),
        };
        let setup = setup();
        setup.runtime.block_on(async {
            for _ in 0..count {
                get_message(&setup, way).await;
            }
        });
        return;
    }
    benches();
    ratio();
    Criterion::default().configure_from_args().final_summary();
}
