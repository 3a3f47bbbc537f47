//! List-messages latency with 10,000 messages stored, through real HTTP on loopback, in memory
//! and with a data directory (SQLite write-through; reads come from memory either way).
//!
//! Targets per storage mode:
//! - `first_page`: `GET /api/sandboxes/{id}/messages` (the 30 newest);
//! - `last_id_middle`: the page below the 5,000th message (`?last_id=`);
//! - `search`: `?search=` for a word in 1 % of the messages (scans the index).
//!
//! After criterion, each mode also prints p50/p90/p99 of 2,000 sequential first-page requests.
//!
//! Run: `cargo bench -p mailtrap-sandbox-emulator --bench list_messages`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout
)]

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const STORED: usize = 10_000;
const BATCH: usize = 500;

struct Fixture {
    emu: RunningEmulator,
    client: reqwest::Client,
    list_url: String,
    middle_id: u64,
    _dir: Option<tempfile::TempDir>,
}

fn body_text(i: usize) -> String {
    let marker = if i.is_multiple_of(100) { " needle" } else { "" };
    format!(
        "Hello user {i},{marker}\n\n{}",
        "Your order has shipped and will arrive soon. ".repeat(40)
    )
}

async fn fill(emu: &RunningEmulator, client: &reqwest::Client) -> u64 {
    let sandbox = emu.sandbox().id;
    let url = format!("{}/api/batch/{sandbox}", emu.base_url());
    let mut middle = 0;
    for chunk in 0..STORED / BATCH {
        let requests: Vec<Value> = (0..BATCH)
            .map(|j| {
                let i = chunk * BATCH + j;
                json!({
                    "to": [{"email": format!("user{i}@example.test"), "name": format!("User {i}")}],
                    "subject": format!("Order {i} shipped"),
                    "text": body_text(i),
                    "html": format!("<p>{}</p>", body_text(i)),
                })
            })
            .collect();
        let body = json!({
            "base": {"from": {"email": "shop@example.test", "name": "Shop"}},
            "requests": requests,
        });
        let response: Value = client
            .post(&url)
            .bearer_auth(emu.api_token())
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let responses = response["responses"].as_array().unwrap();
        assert!(responses.iter().all(|r| r["success"] == true), "{response}");
        if chunk == STORED / BATCH / 2 {
            middle = responses[0]["message_ids"][0]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
        }
    }
    middle
}

fn fixture(rt: &Runtime, data_dir: bool) -> Fixture {
    rt.block_on(async {
        let dir = data_dir.then(|| tempfile::tempdir().unwrap());
        let mut config = EmulatorConfig::ephemeral();
        config.data_dir = dir.as_ref().map(|d| d.path().to_path_buf());
        let emu = config.start().await.unwrap();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let started = Instant::now();
        let middle_id = fill(&emu, &client).await;
        println!(
            "stored {STORED} messages ({}) in {:.1?}",
            if data_dir { "data dir" } else { "in memory" },
            started.elapsed()
        );
        let list_url = format!(
            "{}/api/sandboxes/{}/messages",
            emu.base_url(),
            emu.sandbox().id
        );
        Fixture {
            emu,
            client,
            list_url,
            middle_id,
            _dir: dir,
        }
    })
}

async fn get(fixture: &Fixture, url: &str) -> usize {
    let response = fixture
        .client
        .get(url)
        .bearer_auth(fixture.emu.api_token())
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    response.bytes().await.unwrap().len()
}

fn percentiles(rt: &Runtime, fixture: &Fixture, label: &str) {
    let mut samples: Vec<Duration> = rt.block_on(async {
        let mut samples = Vec::with_capacity(2000);
        for _ in 0..2000 {
            let started = Instant::now();
            get(fixture, &fixture.list_url).await;
            samples.push(started.elapsed());
        }
        samples
    });
    samples.sort_unstable();
    let at = |p: usize| samples[samples.len() * p / 100];
    println!(
        "{label}: first page, 2000 requests: p50 {:?}  p90 {:?}  p99 {:?}",
        at(50),
        at(90),
        at(99)
    );
}

fn bench_mode(c: &mut Criterion, data_dir: bool) {
    let rt = Runtime::new().unwrap();
    let fixture = fixture(&rt, data_dir);
    let label = if data_dir { "data_dir" } else { "in_memory" };
    let mut group = c.benchmark_group(format!("list_messages/{label}"));
    group.bench_function("first_page", |b| {
        b.iter(|| rt.block_on(get(&fixture, &fixture.list_url)));
    });
    let middle = format!("{}?last_id={}", fixture.list_url, fixture.middle_id);
    group.bench_function("last_id_middle", |b| {
        b.iter(|| rt.block_on(get(&fixture, &middle)));
    });
    let search = format!("{}?search=needle", fixture.list_url);
    group.bench_function("search", |b| {
        b.iter(|| rt.block_on(get(&fixture, &search)));
    });
    group.finish();
    percentiles(&rt, &fixture, label);
    rt.block_on(fixture.emu.shutdown());
}

fn in_memory(c: &mut Criterion) {
    bench_mode(c, false);
}

fn data_dir(c: &mut Criterion) {
    bench_mode(c, true);
}

criterion_group!(benches, in_memory, data_dir);
criterion_main!(benches);
