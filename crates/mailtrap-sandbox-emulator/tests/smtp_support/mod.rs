//! Shared by the SMTP tests: an in-memory backend, a server on a loopback port, and a raw
//! line-based client.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailtrap_sandbox_emulator::smtp::{
    DeliveryError, Envelope, SmtpBackend, SmtpConfig, SmtpStage, serve,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Sandbox 1: user `alpha`/`alpha-pass`, address `alpha@inbox.test`, 20 000 bytes max.
pub const ALPHA: u64 = 1;
/// Sandbox 2: user `beta`/`beta-pass`, address `beta@inbox.test`, 1 MB max.
pub const BETA: u64 = 2;

#[derive(Debug, Clone)]
pub struct Delivered {
    pub sandbox: u64,
    pub raw: Vec<u8>,
    pub envelope: Envelope,
}

#[derive(Debug, Default)]
pub struct FakeBackend {
    pub delivered: Mutex<Vec<Delivered>>,
    pub faults: Mutex<HashMap<(String, String), (u16, String)>>,
    pub fail_delivery: Mutex<Option<DeliveryError>>,
    pub deleted: Mutex<Vec<u64>>,
}

fn stage_name(stage: SmtpStage) -> &'static str {
    match stage {
        SmtpStage::Auth => "auth",
        SmtpStage::MailFrom => "mail",
        SmtpStage::RcptTo => "rcpt",
    }
}

impl FakeBackend {
    pub fn delivered(&self) -> Vec<Delivered> {
        self.delivered.lock().unwrap().clone()
    }

    pub fn add_fault(&self, stage: SmtpStage, value: &str, code: u16, text: &str) {
        self.faults.lock().unwrap().insert(
            (stage_name(stage).to_owned(), value.to_owned()),
            (code, text.to_owned()),
        );
    }
}

impl SmtpBackend for FakeBackend {
    fn authenticate(&self, username: &str, password: &str) -> Option<u64> {
        match (username, password) {
            ("alpha", "alpha-pass") => Some(ALPHA),
            ("beta", "beta-pass") => Some(BETA),
            _ => None,
        }
    }

    fn sandbox_for_address(&self, address: &str) -> Option<u64> {
        match address.to_ascii_lowercase().as_str() {
            "alpha@inbox.test" => Some(ALPHA),
            "beta@inbox.test" => Some(BETA),
            _ => None,
        }
    }

    fn max_message_size(&self, sandbox_id: u64) -> Option<u64> {
        if self.deleted.lock().unwrap().contains(&sandbox_id) {
            return None;
        }
        match sandbox_id {
            ALPHA => Some(20_000),
            BETA => Some(1_000_000),
            _ => None,
        }
    }

    fn deliver(
        &self,
        sandbox_id: u64,
        raw: Vec<u8>,
        envelope: Envelope,
    ) -> Result<u64, DeliveryError> {
        if let Some(error) = self.fail_delivery.lock().unwrap().clone() {
            return Err(error);
        }
        let mut delivered = self.delivered.lock().unwrap();
        delivered.push(Delivered {
            sandbox: sandbox_id,
            raw,
            envelope,
        });
        Ok(5_000_000_000 + delivered.len() as u64)
    }

    fn smtp_fault(&self, stage: SmtpStage, value: &str) -> Option<(u16, String)> {
        self.faults
            .lock()
            .unwrap()
            .get(&(stage_name(stage).to_owned(), value.to_owned()))
            .cloned()
    }
}

pub struct Server {
    pub addr: SocketAddr,
    pub backend: Arc<FakeBackend>,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<std::io::Result<()>>,
}

pub async fn start() -> Server {
    start_with(SmtpConfig::default()).await
}

pub async fn start_with(config: SmtpConfig) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let backend = Arc::new(FakeBackend::default());
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(serve(
        listener,
        Arc::clone(&backend),
        config,
        shutdown.clone(),
    ));
    Server {
        addr,
        backend,
        shutdown,
        task,
    }
}

/// Waits until `check` holds (deliveries happen on the blocking pool).
pub async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached in 2 s");
}

/// A raw SMTP client for protocol scripts.
pub struct Raw {
    pub reader: BufReader<TcpStream>,
}

impl Raw {
    /// Connects and reads the greeting.
    pub async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut raw = Self {
            reader: BufReader::new(stream),
        };
        let greeting = raw.reply().await;
        assert!(greeting.starts_with("220 "), "{greeting}");
        raw
    }

    /// Connects, sends EHLO and reads its reply.
    pub async fn ehlo(addr: SocketAddr) -> Self {
        let mut raw = Self::connect(addr).await;
        raw.send("EHLO client.test").await;
        let reply = raw.reply().await;
        assert!(reply.starts_with("250"), "{reply}");
        raw
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).await.unwrap();
    }

    pub async fn send(&mut self, line: &str) {
        self.send_bytes(format!("{line}\r\n").as_bytes()).await;
    }

    /// Reads one reply, multi-line replies joined with `\n`. Empty at EOF.
    pub async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), self.reader.read_line(&mut line))
                    .await
                    .expect("reply within 10 s")
                    .unwrap_or(0);
            if read == 0 {
                return all;
            }
            let line = line.trim_end_matches(['\r', '\n']).to_owned();
            let more = line.as_bytes().get(3) == Some(&b'-');
            if !all.is_empty() {
                all.push('\n');
            }
            all.push_str(&line);
            if !more {
                return all;
            }
        }
    }

    /// Sends a command and asserts the reply starts with `code`; returns the reply.
    pub async fn cmd(&mut self, line: &str, code: &str) -> String {
        self.send(line).await;
        let reply = self.reply().await;
        assert!(
            reply.starts_with(code),
            "`{line}`: expected {code}, got {reply:?}"
        );
        reply
    }

    /// AUTH PLAIN with an initial response.
    pub async fn login(&mut self, user: &str, password: &str) {
        use base64::Engine as _;
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
        self.cmd(&format!("AUTH PLAIN {token}"), "235").await;
    }

    /// Whether the server closed the connection (EOF within 5 s).
    pub async fn is_closed(&mut self) -> bool {
        let mut line = String::new();
        matches!(
            tokio::time::timeout(Duration::from_secs(5), self.reader.read_line(&mut line)).await,
            Ok(Ok(0) | Err(_))
        )
    }
}

pub fn message(subject: &str, body: &str) -> String {
    format!(
        "From: Sender <sender@client.test>\r\nTo: alpha@inbox.test\r\nSubject: {subject}\r\n\r\n{body}\r\n"
    )
}
