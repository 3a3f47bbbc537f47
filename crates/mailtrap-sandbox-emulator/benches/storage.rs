//! Storage at scale: N stored 10 KiB messages (10,000 and 100,000) in one sandbox, in memory
//! and with a data directory. For each it reports:
//!
//! - ingest: messages per second while filling (8 threads delivering straight to the store, as
//!   the SMTP server does once a message is received: SMTP itself is measured by
//!   `smtp_ingest`), and the p50/p99 latency of 1,000 deliveries once N are stored;
//! - RSS (`VmRSS`) of the process: empty, after filling, and with a data directory, of a new
//!   process started on the filled directory (so that nothing of the filling is counted);
//! - start-up time with N stored (data directory), and how long after the last delivery the
//!   search index caught up (indexing follows the acknowledgement);
//! - list latency through real HTTP on loopback (p50/p99 of 200 requests; 50 for a search):
//!   the first page, a search matching 1 % of the messages, one matching all, one matching
//!   one, one matching nothing, and (5 requests) one matching nothing whose every trigram is
//!   in every message;
//! - the time to clean the sandbox.
//!
//! It also times creating a project with 500 and with 2,000 projects (data directory).
//!
//! Each (mode, N) runs in a child process of its own, so that RSS is that run's alone. Not part
//! of `cargo test` (it is a `harness = false` bench). Run:
//! `cargo bench -p mailtrap-sandbox-emulator --features persist --bench storage`; set
//! `MAILTRAP_BENCH_STORED=10000` to run one size only, `MAILTRAP_BENCH_MODES=memory,data_dir`
//! (any of `projects`, `memory`, `data_dir`) to choose the runs. Output: one JSON line per run.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss
)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant};

use mailtrap_sandbox_emulator::smtp::{Envelope, SmtpBackend};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator, SandboxLimits};
use serde_json::{Value, json};

const THREADS: usize = 8;
const MESSAGE_BYTES: usize = 10 * 1024;
/// Requests timed per list figure.
const SAMPLES: usize = 200;
/// Requests timed per search figure (a search that reads every message takes long at 100,000).
const SEARCH_SAMPLES: usize = 50;
/// Requests timed for the search whose trigrams are all in every message: with a data
/// directory it checks every message's text (seconds at 100,000).
const APART_SAMPLES: usize = 5;
const LATE_DELIVERIES: usize = 1_000;

/// A deterministic pseudo-random word list, so that text is varied like real mail.
fn words() -> Vec<String> {
    let syllables = [
        "ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "den", "val", "cor", "ith", "um", "ber",
        "gal", "tro", "ves", "an", "qui", "sol",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..2_000)
        .map(|_| {
            let n = 2 + (next() % 3) as usize;
            (0..n)
                .map(|_| syllables[(next() % syllables.len() as u64) as usize])
                .collect()
        })
        .collect()
}

fn message(i: usize, words: &[String]) -> Vec<u8> {
    let marker = if i.is_multiple_of(100) { " needle" } else { "" };
    let mut body = format!("Hello user {i},{marker}\r\n\r\n");
    let mut k = i.wrapping_mul(2_654_435_761);
    while body.len() < MESSAGE_BYTES - 400 {
        for _ in 0..12 {
            k = k.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            body.push_str(&words[(k >> 33) % words.len()]);
            body.push(' ');
        }
        body.push_str("\r\n");
    }
    format!(
        "From: Shop <shop@example.test>\r\nTo: User {i} <user{i}@example.test>\r\n\
         Subject: Order {i} shipped\r\nMessage-ID: <{i}@example.test>\r\n\
         Date: Thu, 03 Dec 2026 08:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

fn envelope(i: usize) -> Envelope {
    Envelope {
        mail_from: "shop@example.test".to_owned(),
        rcpt_to: vec![format!("user{i}@example.test")],
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn config(dir: Option<&Path>) -> EmulatorConfig {
    let mut config = EmulatorConfig::ephemeral();
    config.api_token = Some("bench-token".to_owned());
    config.data_dir = dir.map(Path::to_path_buf);
    config.web_ui = false;
    let mut limits = SandboxLimits::default();
    limits.max_size = 0;
    config.sandbox_limits = limits;
    config
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn summarize(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

/// Fills the sandbox with `stored` messages; returns messages per second and the raw bytes.
fn fill(emu: &RunningEmulator, sandbox: u64, stored: usize, words: &[String]) -> (f64, usize) {
    let start = Instant::now();
    let bytes: usize = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = emu.store();
                scope.spawn(move || {
                    let mut bytes = 0;
                    for i in (t..stored).step_by(THREADS) {
                        let raw = message(i, words);
                        bytes += raw.len();
                        store.deliver(sandbox, raw, envelope(i)).unwrap();
                    }
                    bytes
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).sum()
    });
    (stored as f64 / start.elapsed().as_secs_f64(), bytes)
}

async fn timed_get(client: &reqwest::Client, url: &str) -> (Duration, Value) {
    let start = Instant::now();
    let response = client
        .get(url)
        .bearer_auth("bench-token")
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let body: Value = response.json().await.unwrap();
    (start.elapsed(), body)
}

async fn latency(client: &reqwest::Client, url: &str, count: usize, expect: usize) -> (f64, f64) {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let (elapsed, body) = timed_get(client, url).await;
        assert_eq!(body.as_array().unwrap().len(), expect, "{url}");
        samples.push(elapsed);
    }
    summarize(samples)
}

/// List and search latency, then the time to clean the sandbox.
async fn queries(emu: &RunningEmulator, sandbox: u64, stored: usize) -> Value {
    let client = reqwest::Client::new();
    let list = format!("{}/api/sandboxes/{sandbox}/messages", emu.base_url());
    // (name, query, samples, messages on the first page)
    let runs = [
        ("list", String::new(), SAMPLES, 30),
        (
            "search_match",
            "?search=needle".to_owned(),
            SEARCH_SAMPLES,
            30,
        ),
        (
            "search_all",
            "?search=shipped".to_owned(),
            SEARCH_SAMPLES,
            30,
        ),
        (
            "search_none",
            "?search=zqxv-nothing".to_owned(),
            SEARCH_SAMPLES,
            0,
        ),
        // Every trigram of it is in every message, the string in none.
        (
            "search_apart",
            "?search=order%20shipped".to_owned(),
            APART_SAMPLES,
            0,
        ),
        (
            "search_one",
            format!("?search=user{}%40example", stored / 2),
            SEARCH_SAMPLES,
            1,
        ),
    ];
    let mut result = json!({});
    for (name, query, samples, expect) in runs {
        let (p50, p99) = latency(&client, &format!("{list}{query}"), samples, expect).await;
        result[format!("{name}_p50_ms")] = json!(p50);
        result[format!("{name}_p99_ms")] = json!(p99);
    }
    let rss_after_queries = rss_mib();

    let start = Instant::now();
    let response = client
        .patch(format!("{}/api/sandboxes/{sandbox}/clean", emu.base_url()))
        .bearer_auth("bench-token")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let clean_ms = start.elapsed().as_secs_f64() * 1000.0;
    let (_, after) = timed_get(&client, &list).await;
    assert_eq!(after, json!([]));
    result["rss_after_queries_mib"] = json!(rss_after_queries);
    result["clean_ms"] = json!(clean_ms);
    result
}

/// A restart on a filled data directory, in a process of its own: start-up time, RSS, then
/// the queries.
async fn restart(stored: usize, dir: &Path) -> Value {
    let rss_before = rss_mib();
    let start = Instant::now();
    let emu = config(Some(dir)).start().await.unwrap();
    let startup_ms = start.elapsed().as_secs_f64() * 1000.0;
    let rss_restarted = rss_mib();
    let sandbox = emu.sandbox().id;
    let mut result = queries(&emu, sandbox, stored).await;
    result["startup_ms"] = json!(startup_ms);
    result["rss_process_mib"] = json!(rss_before);
    result["rss_restarted_mib"] = json!(rss_restarted);
    emu.shutdown().await;
    result
}

/// One (mode, N) run, in this process (a data directory's restart in another).
async fn run(mode: &str, stored: usize) -> Value {
    let words = words();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = (mode == "data_dir").then(|| dir.path().join("data"));
    let emu = config(data_dir.as_deref()).start().await.unwrap();
    let rss_empty = rss_mib();
    let sandbox = emu.sandbox().id;
    let (ingest_per_s, raw_bytes) =
        tokio::task::block_in_place(|| fill(&emu, sandbox, stored, &words));
    let late: Vec<Duration> = tokio::task::block_in_place(|| {
        let store = emu.store();
        (stored..stored + LATE_DELIVERIES)
            .map(|i| {
                let raw = message(i, &words);
                let start = Instant::now();
                store.deliver(sandbox, raw, envelope(i)).unwrap();
                start.elapsed()
            })
            .collect()
    });
    let (deliver_p50, deliver_p99) = summarize(late);
    let rss_filled = rss_mib();
    let raw_mib = raw_bytes as f64 / (1024.0 * 1024.0);
    let index_caught_up_ms = data_dir.as_deref().map(|path| {
        tokio::task::block_in_place(|| wait_indexed(&path.join(mailtrap_sandbox_emulator::DB_FILE)))
    });
    let mut result = match &data_dir {
        Some(path) => {
            emu.shutdown().await;
            child(&format!("restart:{stored}:{}", path.display()))
        }
        None => {
            let result = queries(&emu, sandbox, stored).await;
            emu.shutdown().await;
            result
        }
    };
    result["mode"] = json!(mode);
    result["stored"] = json!(stored);
    result["raw_mib"] = json!(raw_mib);
    result["ingest_msg_per_s"] = json!(ingest_per_s.round());
    result["deliver_p50_ms"] = json!(deliver_p50);
    result["deliver_p99_ms"] = json!(deliver_p99);
    result["rss_empty_mib"] = json!(rss_empty);
    result["rss_filled_mib"] = json!(rss_filled);
    result["rss_filled_per_raw"] = json!(rss_filled / raw_mib);
    result["index_caught_up_ms"] = json!(index_caught_up_ms);
    result
}

/// How long the index may take to catch up after the last delivery (it takes tens of ms at
/// 100,000 messages) before the benchmark fails instead of waiting on.
const INDEX_PATIENCE: Duration = Duration::from_secs(300);

/// With a data directory, waits until every message stored is in the search index (indexing
/// follows the acknowledgement) and returns how long that took after the last delivery, in
/// ms: so that the searches of the restarted process are timed on a complete index. Code that
/// indexes before acknowledging has no mark and takes 0. Gives up after [`INDEX_PATIENCE`].
fn wait_indexed(database: &Path) -> f64 {
    use rusqlite::OptionalExtension as _;
    let conn =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let start = Instant::now();
    loop {
        let mark: Option<i64> = conn
            .query_row(
                "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'indexed_below'",
                [],
                |row| row.get(0),
            )
            .optional()
            .unwrap();
        let next: i64 = conn
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM messages", [], |row| {
                row.get(0)
            })
            .unwrap();
        if mark.is_none_or(|mark| mark >= next) {
            return start.elapsed().as_secs_f64() * 1000.0;
        }
        assert!(
            start.elapsed() < INDEX_PATIENCE,
            "the search index did not catch up within {INDEX_PATIENCE:?} of the last delivery \
             (indexed below id {mark:?}, newest id {})",
            next - 1
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `what` in a child process; returns the JSON it prints.
fn child(what: &str) -> Value {
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new(&exe)
        .env("MAILTRAP_BENCH_CHILD", what)
        .output()
        .unwrap();
    if !output.status.success() {
        eprintln!("{what} failed: {}", String::from_utf8_lossy(&output.stderr));
        std::process::exit(1);
    }
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Creating a project with 500, then 2,000 projects (data directory): p50 of 50 creates.
async fn projects() -> Value {
    let dir = tempfile::tempdir().unwrap();
    let emu = config(Some(dir.path())).start().await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/api/projects", emu.base_url());
    let mut created = 1;
    let mut result = json!({"mode": "projects"});
    for target in [500, 2_000] {
        while created < target {
            let response = client
                .post(&url)
                .bearer_auth("bench-token")
                .json(&json!({"project": {"name": format!("Project {created}")}}))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            created += 1;
        }
        let mut samples = Vec::new();
        for i in 0..50 {
            let start = Instant::now();
            let response = client
                .post(&url)
                .bearer_auth("bench-token")
                .json(&json!({"project": {"name": format!("Timed {target} {i}")}}))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            samples.push(start.elapsed());
        }
        created += 50;
        result[format!("create_project_p50_ms_at_{target}")] = json!(summarize(samples).0);
    }
    emu.shutdown().await;
    result
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Ok(what) = std::env::var("MAILTRAP_BENCH_CHILD") {
        let result = runtime.block_on(async {
            let mut parts = what.splitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("restart"), Some(stored), Some(dir)) => {
                    restart(stored.parse().unwrap(), Path::new(dir)).await
                }
                (Some(mode), Some(stored), None) => run(mode, stored.parse().unwrap()).await,
                _ => projects().await,
            }
        });
        println!("{result}");
        return;
    }
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored.
    let sizes: Vec<usize> = match std::env::var("MAILTRAP_BENCH_STORED") {
        Ok(n) => vec![n.parse().unwrap()],
        Err(_) => vec![10_000, 100_000],
    };
    let modes: Vec<String> = match std::env::var("MAILTRAP_BENCH_MODES") {
        Ok(modes) => modes.split(',').map(str::to_owned).collect(),
        Err(_) => vec![
            "projects".to_owned(),
            "memory".to_owned(),
            "data_dir".to_owned(),
        ],
    };
    let mut runs = Vec::new();
    if modes.iter().any(|m| m == "projects") {
        runs.push("projects".to_owned());
    }
    for stored in &sizes {
        for mode in modes.iter().filter(|m| *m != "projects") {
            runs.push(format!("{mode}:{stored}"));
        }
    }
    for run in runs {
        println!("{}", child(&run));
    }
}
