//! How long a test waits for its email: the time from the SMTP server's reply to the
//! message's final `.` (the mail is accepted) to `wait_for(...).send()` returning it, against
//! the emulator running in-process on 127.0.0.1 (goal: under 50 ms p50 at default settings).
//! The baseline, measured in the same run, is the same wait polling every second (the
//! default before waits learned to poll a loopback address every 20 ms).
//!
//! Each round cleans the sandbox (not timed), starts the wait, lets a random part of the poll
//! interval pass (so that the mail arrives at any point of the poll cycle, as in a real test)
//! and sends one message over a fresh SMTP connection from the "application" runtime. The
//! wait runs on a current-thread runtime, as in `#[tokio::test]`; the emulator on a runtime
//! of its own with two workers, as a separate process would have.
//!
//! `cargo bench -p mailtrap-sandbox --bench wait_latency` (criterion, then interleaved rounds
//! of both settings with their percentiles; `MAILTRAP_BENCH_ROUNDS` sets how many, 40 by
//! default).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::cast_precision_loss
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group};
use mailtrap_sandbox::{Client, MessageFilter};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

/// The old default poll interval, the baseline.
const OLD_POLL: Duration = Duration::from_secs(1);
/// The facade's default poll interval against a loopback address (what `Default` gets).
const LOOPBACK_POLL: Duration = mailtrap_sandbox::wait::LOOPBACK_POLL_INTERVAL;

struct Setup {
    /// Runs the emulator.
    server: tokio::runtime::Runtime,
    /// Runs the sending application (the SMTP client).
    app: tokio::runtime::Runtime,
    /// Runs the waits (current thread, as `#[tokio::test]`).
    runtime: tokio::runtime::Runtime,
    emulator: Option<RunningEmulator>,
    /// A client with default settings.
    client: Client,
    sandbox: u64,
    smtp: SocketAddr,
    to: String,
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            self.server.block_on(emulator.shutdown());
        }
    }
}

fn setup() -> Setup {
    let multi = |workers| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .unwrap()
    };
    let server = multi(2);
    let app = multi(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let emulator = server
        .block_on(EmulatorConfig::ephemeral().start())
        .unwrap();
    let client = Client::builder()
        .api_token(emulator.api_token())
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    Setup {
        sandbox: emulator.sandbox().id,
        smtp: emulator.smtp_addr(),
        to: emulator.sandbox().email_address.clone(),
        emulator: Some(emulator),
        server,
        app,
        runtime,
        client,
    }
}

/// Reads one SMTP reply (all its lines) and returns its code.
async fn reply(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).await.unwrap() > 0,
            "SMTP closed"
        );
        if line.as_bytes().get(3) != Some(&b'-') {
            return line[..3].parse().unwrap();
        }
    }
}

/// Waits `delay`, then sends one message over a new SMTP connection; returns when the
/// server's reply to the final `.` was read.
async fn send_mail(smtp: SocketAddr, to: String, subject: String, delay: Duration) -> Instant {
    let mut session = BufReader::new(TcpStream::connect(smtp).await.unwrap());
    assert_eq!(reply(&mut session).await, 220);
    tokio::time::sleep(delay).await;
    for (command, code) in [
        ("EHLO app.example\r\n".to_owned(), 250),
        ("MAIL FROM:<app@app.example>\r\n".to_owned(), 250),
        (format!("RCPT TO:<{to}>\r\n"), 250),
        ("DATA\r\n".to_owned(), 354),
    ] {
        session
            .get_mut()
            .write_all(command.as_bytes())
            .await
            .unwrap();
        assert_eq!(reply(&mut session).await, code, "{command}");
    }
    let data = format!(
        "From: app@app.example\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nConfirm: https://app.example/c/1\r\n.\r\n"
    );
    session.get_mut().write_all(data.as_bytes()).await.unwrap();
    assert_eq!(reply(&mut session).await, 250);
    let accepted = Instant::now();
    let _ = session.get_mut().write_all(b"QUIT\r\n").await;
    accepted
}

/// One round: the time from SMTP acceptance to the wait returning the message.
async fn round(setup: &Setup, poll: Option<Duration>, number: u64) -> Duration {
    let sandbox = setup.client.sandbox(setup.sandbox);
    sandbox.clean().await.unwrap();
    let subject = format!("Confirm your address ({number})");
    let mut wait = sandbox
        .wait_for(MessageFilter::new().subject_is(subject.clone()))
        .timeout(Duration::from_secs(10));
    if let Some(interval) = poll {
        wait = wait.poll_interval(interval);
    }
    let waiter = tokio::spawn(async move {
        let message = wait.send().await;
        (message, Instant::now())
    });
    let delay = poll.unwrap_or(LOOPBACK_POLL).mul_f64(fastrand::f64());
    let accepted = setup
        .app
        .spawn(send_mail(
            setup.smtp,
            setup.to.clone(),
            subject.clone(),
            delay,
        ))
        .await
        .unwrap();
    let (message, returned) = waiter.await.unwrap();
    assert_eq!(message.unwrap().subject, subject);
    returned.saturating_duration_since(accepted)
}

fn bench(c: &mut Criterion) {
    let setup = setup();
    let mut group = c.benchmark_group("wait_latency");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let mut number = 0;
    for (name, poll) in [("default (20 ms poll)", None), ("1 s poll", Some(OLD_POLL))] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                setup.runtime.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        number += 1;
                        total += round(&setup, poll, number).await;
                    }
                    total
                })
            });
        });
    }
    group.finish();
}

fn percentile(sorted: &[Duration], percent: usize) -> f64 {
    let index = (sorted.len() * percent / 100).min(sorted.len() - 1);
    sorted[index].as_secs_f64() * 1e3
}

/// Rounds of both settings, alternating, so that both see the same machine state; prints
/// each one's percentiles and the ratio of the medians.
fn interleaved() {
    let rounds: usize = std::env::var("MAILTRAP_BENCH_ROUNDS")
        .ok()
        .map_or(40, |value| value.parse().expect("a number of rounds"));
    let setup = setup();
    let mut default = Vec::with_capacity(rounds);
    let mut old = Vec::with_capacity(rounds);
    setup.runtime.block_on(async {
        for number in 0..rounds as u64 {
            let (first, second) = if number % 2 == 0 {
                (None, Some(OLD_POLL))
            } else {
                (Some(OLD_POLL), None)
            };
            for poll in [first, second] {
                let latency = round(&setup, poll, number * 2 + u64::from(poll.is_some())).await;
                if poll.is_some() {
                    old.push(latency);
                } else {
                    default.push(latency);
                }
            }
        }
    });
    default.sort();
    old.sort();
    for (name, latencies) in [("default (20 ms poll)", &default), ("1 s poll", &old)] {
        println!(
            "wait_latency {name}: p10 {:.1} ms, p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms over {rounds} rounds",
            percentile(latencies, 10),
            percentile(latencies, 50),
            percentile(latencies, 90),
            percentile(latencies, 100),
        );
    }
    println!(
        "wait_latency p50 ratio 1 s poll / default: {:.1} (goal: default p50 < 50 ms)",
        percentile(&old, 50) / percentile(&default, 50)
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    interleaved();
    Criterion::default().configure_from_args().final_summary();
}
