//! A 100 MiB `.eml` served by a local axum server, downloaded through the facade
//! (`message.download_eml()` streamed, and `save_to`) and with plain `reqwest`.
//!
//! Before criterion's measurements it prints, once:
//! - the peak RSS growth of the process during one streamed facade download (Linux: from
//!   `VmHWM` after resetting it through `/proc/self/clear_refs`, else from `VmRSS` sampled
//!   every millisecond); the goal is under 16 MiB;
//! - the throughput of the facade and of raw `reqwest` on the same `reqwest::Client` (best of
//!   6 interleaved runs each) and their ratio; the goal is at least 0.8.
//!
//! Run with `cargo bench -p mailtrap-sandbox --bench eml_download`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    missing_docs
)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::{StreamExt as _, stream};
use mailtrap_sandbox::Client;
use tokio::runtime::Runtime;

const SIZE: usize = 100 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;
const EML_PATH: &str = "/api/sandboxes/1/messages/2/body.eml";

/// A 100 MiB message generated on the fly: headers, then a body of text lines.
async fn eml() -> impl IntoResponse {
    let head = Bytes::from_static(
        b"From: bench@example.test\r\nTo: ana@example.test\r\nSubject: Big\r\n\r\n",
    );
    let line = Bytes::from(format!("{}\r\n", "x".repeat(CHUNK - 2)));
    let full_chunks = (SIZE - head.len()) / CHUNK;
    let tail = Bytes::from(vec![b'y'; SIZE - head.len() - full_chunks * CHUNK]);
    let chunks = stream::iter(
        std::iter::once(head)
            .chain(std::iter::repeat_n(line, full_chunks))
            .chain(std::iter::once(tail))
            .map(Ok::<_, std::io::Error>),
    );
    (
        [
            (header::CONTENT_TYPE, "message/rfc822".to_owned()),
            (header::CONTENT_LENGTH, SIZE.to_string()),
        ],
        Body::from_stream(chunks),
    )
}

struct Setup {
    /// Keeps the server running.
    _server: Runtime,
    /// Drives the clients.
    runtime: Runtime,
    client: Client,
    raw: reqwest::Client,
    url: String,
}

fn setup() -> Setup {
    let support::Runtimes {
        server,
        client: runtime,
    } = support::runtimes();
    let address = support::serve(&server, Router::new().route(EML_PATH, get(eml)));
    let client = support::facade(address);
    Setup {
        _server: server,
        runtime,
        client: client.clone(),
        // The same reqwest client (same pool and settings), used directly.
        raw: client.http_client().clone(),
        url: format!("http://{address}{EML_PATH}"),
    }
}

async fn facade_stream(client: &Client) -> usize {
    let download = client
        .sandbox(1)
        .message(2_u64)
        .download_eml()
        .await
        .unwrap();
    let mut stream = download.into_stream();
    let mut total = 0;
    while let Some(chunk) = stream.next().await {
        total += chunk.unwrap().len();
    }
    total
}

async fn raw_stream(raw: &reqwest::Client, url: &str) -> usize {
    let response = raw
        .get(url)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let mut stream = response.bytes_stream();
    let mut total = 0;
    while let Some(chunk) = stream.next().await {
        total += chunk.unwrap().len();
    }
    total
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|line| line.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Peak RSS growth (KiB) during one facade download, and how it was measured.
fn peak_growth(setup: &Setup) -> (u64, &'static str) {
    let before = status_kib("VmRSS:").unwrap_or(0);
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let sampled_peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let peak = Arc::clone(&sampled_peak);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(rss) = status_kib("VmRSS:") {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let total = setup.runtime.block_on(facade_stream(&setup.client));
    assert_eq!(total, SIZE);
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    match (reset, status_kib("VmHWM:")) {
        (true, Some(hwm)) => (hwm.saturating_sub(before), "VmHWM after clear_refs"),
        _ => (
            sampled_peak.load(Ordering::Relaxed).saturating_sub(before),
            "VmRSS sampled every 1 ms",
        ),
    }
}

/// Throughput (MiB/s) of one download.
fn throughput(download: impl FnOnce() -> usize) -> f64 {
    let started = Instant::now();
    let total = download();
    assert_eq!(total, SIZE);
    total as f64 / (1024.0 * 1024.0) / started.elapsed().as_secs_f64()
}

fn summary(setup: &Setup) {
    // Warm up the connection pool and the server.
    setup.runtime.block_on(facade_stream(&setup.client));
    setup.runtime.block_on(raw_stream(&setup.raw, &setup.url));
    let (growth_kib, method) = peak_growth(setup);
    // Interleaved runs, best of each, so that load from elsewhere hits both alike.
    let (mut facade, mut raw) = (0.0_f64, 0.0_f64);
    for _ in 0..6 {
        facade = facade.max(throughput(|| {
            setup.runtime.block_on(facade_stream(&setup.client))
        }));
        raw = raw.max(throughput(|| {
            setup.runtime.block_on(raw_stream(&setup.raw, &setup.url))
        }));
    }
    println!("eml_download summary (100 MiB .eml over 127.0.0.1):");
    println!(
        "  peak RSS growth during a streamed facade download: {:.1} MiB ({method}; goal < 16 MiB)",
        growth_kib as f64 / 1024.0
    );
    println!(
        "  best of 6 interleaved runs: facade stream {facade:.0} MiB/s, raw reqwest {raw:.0} MiB/s, \
         ratio {:.2} (goal >= 0.8)",
        facade / raw
    );
}

fn benches(c: &mut Criterion) {
    let setup = setup();
    summary(&setup);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("big.eml");

    let mut group = c.benchmark_group("eml_download");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("facade_stream", |b| {
        b.iter(|| setup.runtime.block_on(facade_stream(&setup.client)));
    });
    group.bench_function("raw_reqwest_stream", |b| {
        b.iter(|| setup.runtime.block_on(raw_stream(&setup.raw, &setup.url)));
    });
    group.bench_function("facade_save_to", |b| {
        b.iter(|| {
            setup.runtime.block_on(async {
                let download = setup
                    .client
                    .sandbox(1)
                    .message(2_u64)
                    .download_eml()
                    .await
                    .unwrap();
                download.save_to(&target).await.unwrap()
            })
        });
    });
    group.finish();
}

criterion_group!(eml_download, benches);
criterion_main!(eml_download);
