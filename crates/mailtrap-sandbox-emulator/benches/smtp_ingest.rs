//! SMTP ingest throughput: 10 KiB messages over 8 concurrent authenticated connections, each
//! message sent with a pipelined MAIL/RCPT/DATA group. Reported as messages per second
//! (criterion's "elem/s").
//!
//! Three targets:
//! - `counting_backend`: the SMTP server alone, over a backend defined here that parses every
//!   message and keeps only counts (the ceiling of the SMTP layer);
//! - `emulator_in_memory`: the whole emulator (`EmulatorConfig::ephemeral().start()`), storing
//!   into its in-memory store;
//! - `emulator_data_dir`: the same with a data directory (SQLite persistence) and the default
//!   durability, `Durability::Written`;
//! - `emulator_data_dir_flushed`: the same with `Durability::Flushed` (an fsync per commit).
//!
//! Run: `cargo bench -p mailtrap-sandbox-emulator --bench smtp_ingest`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailtrap_sandbox_emulator::mail::parse;
use mailtrap_sandbox_emulator::smtp::{
    DeliveryError, Envelope, SmtpBackend, SmtpConfig, SmtpStage, serve,
};
use mailtrap_sandbox_emulator::{Durability, EmulatorConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

const CONNECTIONS: usize = 8;
const MESSAGE_BYTES: usize = 10 * 1024;

/// Counts deliveries after parsing each message.
#[derive(Debug, Default)]
struct CountingBackend {
    delivered: AtomicU64,
    bytes: AtomicU64,
}

impl SmtpBackend for CountingBackend {
    fn authenticate(&self, username: &str, password: &str) -> Option<u64> {
        (username == "bench" && password == "bench-pass").then_some(1)
    }

    fn sandbox_for_address(&self, _address: &str) -> Option<u64> {
        None
    }

    fn max_message_size(&self, _sandbox_id: u64) -> Option<u64> {
        Some(5 * 1024 * 1024)
    }

    fn deliver(
        &self,
        _sandbox_id: u64,
        raw: Vec<u8>,
        _envelope: Envelope,
    ) -> Result<u64, DeliveryError> {
        let parsed = parse(&raw);
        self.bytes.fetch_add(
            u64::try_from(raw.len() + parsed.subject.len()).unwrap_or(0),
            Ordering::Relaxed,
        );
        Ok(self.delivered.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn smtp_fault(&self, _stage: SmtpStage, _value: &str) -> Option<(u16, String)> {
        None
    }
}

/// A 10 KiB multipart message with text, HTML and a small attachment.
fn message() -> Vec<u8> {
    let mut text = String::new();
    while text.len() < 4 * 1024 {
        text.push_str("The quick brown fox jumps over the lazy dog, again and again.\r\n");
    }
    let html = format!(
        "<html><body><p>{}</p></body></html>",
        text.replace("\r\n", "<br>\r\n")
    );
    let attachment = base64::engine::general_purpose::STANDARD.encode([7u8; 1024]);
    let mut raw = format!(
        "From: Bench <bench@load.test>\r\nTo: target@load.test\r\nSubject: ingest\r\n\
Message-ID: <m@load.test>\r\nDate: Wed, 03 Jan 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n{text}\r\n\
--b\r\nContent-Type: text/html\r\n\r\n{html}\r\n--b\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{attachment}\r\n--b--\r\n"
    )
    .into_bytes();
    raw.truncate(MESSAGE_BYTES - 16);
    while raw.len() < MESSAGE_BYTES - 2 {
        raw.push(b'x');
    }
    raw.extend_from_slice(b"\r\n");
    raw
}

struct Client {
    reader: BufReader<TcpStream>,
    line: String,
}

impl Client {
    async fn connect(addr: SocketAddr, user: &str, password: &str) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let mut client = Self {
            reader: BufReader::new(stream),
            line: String::new(),
        };
        client.expect("220").await;
        client
            .reader
            .get_mut()
            .write_all(b"EHLO bench.test\r\n")
            .await
            .unwrap();
        client.expect("250").await;
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
        client
            .reader
            .get_mut()
            .write_all(format!("AUTH PLAIN {token}\r\n").as_bytes())
            .await
            .unwrap();
        client.expect("235").await;
        client
    }

    /// Reads one (possibly multi-line) reply and checks its code.
    async fn expect(&mut self, code: &str) {
        loop {
            self.line.clear();
            self.reader.read_line(&mut self.line).await.unwrap();
            assert!(
                self.line.starts_with(code),
                "expected {code}: {}",
                self.line
            );
            if self.line.as_bytes().get(3) != Some(&b'-') {
                return;
            }
        }
    }

    async fn send(&mut self, message: &[u8]) {
        let stream = self.reader.get_mut();
        stream
            .write_all(b"MAIL FROM:<bench@load.test>\r\nRCPT TO:<target@load.test>\r\nDATA\r\n")
            .await
            .unwrap();
        self.expect("250").await;
        self.expect("250").await;
        self.expect("354").await;
        let stream = self.reader.get_mut();
        stream.write_all(message).await.unwrap();
        stream.write_all(b".\r\n").await.unwrap();
        self.expect("250").await;
    }
}

/// Sends `total` messages over `CONNECTIONS` connections; returns the time the sending took.
async fn ingest(target: &Target, total: u64, message: Arc<Vec<u8>>) -> Duration {
    let mut clients = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        clients.push(Client::connect(target.addr, &target.user, &target.password).await);
    }
    let per_client = total / CONNECTIONS as u64;
    let remainder = total % CONNECTIONS as u64;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for (index, mut client) in clients.into_iter().enumerate() {
        let count = per_client + u64::from((index as u64) < remainder);
        let message = Arc::clone(&message);
        tasks.push(tokio::spawn(async move {
            for _ in 0..count {
                client.send(&message).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    start.elapsed()
}

/// Where to send, and the SMTP credentials to use.
struct Target {
    addr: SocketAddr,
    user: String,
    password: String,
}

fn measure(c: &mut Criterion, runtime: &Runtime, name: &str, target: &Target) {
    let message = Arc::new(message());
    let mut group = c.benchmark_group("smtp_ingest_10KiB_x8");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| runtime.block_on(ingest(target, iters, Arc::clone(&message))));
    });
    group.finish();
}

fn counting_backend(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let shutdown = CancellationToken::new();
    let addr = runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(
            listener,
            Arc::new(CountingBackend::default()),
            SmtpConfig::default(),
            shutdown.clone(),
        ));
        addr
    });
    let target = Target {
        addr,
        user: "bench".to_owned(),
        password: "bench-pass".to_owned(),
    };
    measure(c, &runtime, "counting_backend", &target);
    shutdown.cancel();
}

fn emulator(
    c: &mut Criterion,
    name: &str,
    data_dir: Option<&std::path::Path>,
    durability: Durability,
) {
    let runtime = Runtime::new().unwrap();
    let mut config = EmulatorConfig::ephemeral();
    config.data_dir = data_dir.map(std::path::Path::to_path_buf);
    config.durability = durability;
    let running = runtime.block_on(config.start()).unwrap();
    let target = Target {
        addr: running.smtp_addr(),
        user: running.sandbox().smtp_username.clone(),
        password: running.sandbox().smtp_password.clone(),
    };
    measure(c, &runtime, name, &target);
    runtime.block_on(running.shutdown());
}

fn emulator_in_memory(c: &mut Criterion) {
    emulator(c, "emulator_in_memory", None, Durability::default());
}

fn emulator_data_dir(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    emulator(
        c,
        "emulator_data_dir",
        Some(dir.path()),
        Durability::Written,
    );
}

fn emulator_data_dir_flushed(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    emulator(
        c,
        "emulator_data_dir_flushed",
        Some(dir.path()),
        Durability::Flushed,
    );
}

criterion_group!(
    benches,
    counting_backend,
    emulator_in_memory,
    emulator_data_dir,
    emulator_data_dir_flushed
);
criterion_main!(benches);
