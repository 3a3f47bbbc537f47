//! Streams 10,000 messages through the facade's pagination stream against fetching the same
//! pages with plain `reqwest` + `serde_json`, and prints their throughput ratio (goal: the
//! facade at 0.95 or more). Neither side keeps the messages: memory stays at one page.
//!
//! `cargo bench -p mailtrap-sandbox --bench pagination`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod support;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use bytes::Bytes;
use criterion::{Criterion, criterion_group};
use futures_util::StreamExt as _;
use mailtrap_sandbox_api::sandbox::types::Message;
use serde_json::Value;

const SANDBOX: u64 = 77_001;
const TOTAL: u64 = 10_000;
const PER_PAGE: u64 = 30;
/// The highest id; ids run down from here.
const NEWEST: u64 = 5_300_010_000;

struct Setup {
    /// Keeps the server running.
    _server: tokio::runtime::Runtime,
    /// Drives the clients.
    runtime: tokio::runtime::Runtime,
    facade: mailtrap_sandbox::Client,
    plain: reqwest::Client,
    url: String,
}

/// Every page the server can answer, keyed by `last_id` (`None` for the first page).
fn pages() -> HashMap<Option<u64>, Bytes> {
    let oldest = NEWEST - TOTAL + 1;
    let mut pages = HashMap::new();
    let mut cursor: Option<u64> = None;
    loop {
        let top = cursor.map_or(NEWEST, |last| last - 1);
        let ids: Vec<u64> = (0..PER_PAGE)
            .map_while(|i| top.checked_sub(i).filter(|id| *id >= oldest))
            .collect();
        let page = Value::Array(
            ids.iter()
                .map(|id| support::message(*id, SANDBOX))
                .collect(),
        );
        pages.insert(cursor, Bytes::from(serde_json::to_vec(&page).unwrap()));
        match ids.last() {
            Some(last) => cursor = Some(*last),
            None => break,
        }
    }
    pages
}

fn setup() -> Setup {
    let support::Runtimes {
        server,
        client: runtime,
    } = support::runtimes();
    let pages = Arc::new(pages());
    let router = Router::new().route(
        "/api/sandboxes/{sandbox_id}/messages",
        get(move |Query(query): Query<HashMap<String, String>>| {
            let pages = Arc::clone(&pages);
            async move {
                let cursor = query.get("last_id").map(|id| id.parse::<u64>().unwrap());
                let body = pages
                    .get(&cursor)
                    .cloned()
                    .unwrap_or_else(|| Bytes::from_static(b"[]"));
                ([("content-type", "application/json; charset=utf-8")], body)
            }
        }),
    );
    let address = support::serve(&server, router);
    let (plain, base) = support::plain(address);
    Setup {
        _server: server,
        facade: support::facade(address),
        plain,
        url: format!("{base}/api/sandboxes/{SANDBOX}/messages"),
        runtime,
    }
}

async fn through_facade(setup: &Setup) -> u64 {
    let mut stream = setup.facade.sandbox(SANDBOX).messages().stream();
    let mut count = 0;
    while let Some(message) = stream.next().await {
        black_box(message.unwrap());
        count += 1;
    }
    count
}

async fn through_reqwest(setup: &Setup) -> u64 {
    let mut count = 0;
    let mut last_id: Option<i64> = None;
    loop {
        let mut request = setup.plain.get(&setup.url);
        if let Some(last_id) = last_id {
            request = request.query(&[("last_id", last_id)]);
        }
        let bytes = request
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let page: Vec<Message> = serde_json::from_slice(&bytes).unwrap();
        let Some(lowest) = page.iter().filter_map(|message| message.id).min() else {
            break;
        };
        for message in page {
            black_box(message);
            count += 1;
        }
        last_id = Some(lowest);
    }
    count
}

fn bench(c: &mut Criterion) {
    let setup = setup();
    assert_eq!(setup.runtime.block_on(through_facade(&setup)), TOTAL);
    assert_eq!(setup.runtime.block_on(through_reqwest(&setup)), TOTAL);
    let mut group = c.benchmark_group("pagination_10000");
    group.sample_size(20);
    group.throughput(criterion::Throughput::Elements(TOTAL));
    group.bench_function("facade stream", |b| {
        b.iter(|| setup.runtime.block_on(through_facade(&setup)));
    });
    group.bench_function("reqwest+serde_json pages", |b| {
        b.iter(|| setup.runtime.block_on(through_reqwest(&setup)));
    });
    group.finish();
}

/// Rounds of one full walk through each client (the order alternating from round to round);
/// prints the median of the per-round throughput ratios, facade over plain.
fn ratio() {
    let setup = setup();
    let rounds = 21;
    let (mut facade_total, mut plain_total) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::with_capacity(rounds);
    setup.runtime.block_on(async {
        through_facade(&setup).await;
        through_reqwest(&setup).await;
        for round in 0..rounds {
            let (mut facade, mut plain) = (Duration::ZERO, Duration::ZERO);
            for side in [round % 2 == 0, round % 2 != 0] {
                let started = Instant::now();
                if side {
                    assert_eq!(through_facade(&setup).await, TOTAL);
                    facade = started.elapsed();
                } else {
                    assert_eq!(through_reqwest(&setup).await, TOTAL);
                    plain = started.elapsed();
                }
            }
            facade_total += facade;
            plain_total += plain;
            ratios.push(plain.as_secs_f64() / facade.as_secs_f64());
        }
    });
    ratios.sort_by(f64::total_cmp);
    let walks = rounds as f64;
    println!(
        "pagination: facade {:.1} ms per 10,000 messages, reqwest+serde_json {:.1} ms; throughput ratio facade/plain: {:.3} overall, median {:.3} over {rounds} rounds (goal >= 0.95)",
        facade_total.as_secs_f64() * 1e3 / walks,
        plain_total.as_secs_f64() * 1e3 / walks,
        plain_total.as_secs_f64() / facade_total.as_secs_f64(),
        ratios[rounds / 2]
    );
}

criterion_group!(benches, bench);

fn main() {
    if let Some((way, count)) = support::only() {
        let facade = match way.as_str() {
            "facade" => true,
            "plain" => false,
            other => panic!("unknown way `{other}`: facade or plain"),
        };
        let setup = setup();
        setup.runtime.block_on(async {
            for _ in 0..count {
                let seen = if facade {
                    through_facade(&setup).await
                } else {
                    through_reqwest(&setup).await
                };
                assert_eq!(seen, TOTAL);
            }
        });
        return;
    }
    benches();
    ratio();
    Criterion::default().configure_from_args().final_summary();
}
