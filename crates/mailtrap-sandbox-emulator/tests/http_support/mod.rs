//! Shared by the HTTP tests: an emulator on loopback ports, an HTTP client that sends the
//! token, and hand-written messages delivered through the store.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::{IpAddr, Ipv4Addr};

use mailtrap_sandbox_emulator::smtp::{Envelope, SmtpBackend};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

pub const TOKEN: &str = "test-token-0123456789";

/// An emulator with a known token, plus a client.
pub struct Env {
    pub emu: RunningEmulator,
    pub client: reqwest::Client,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

pub async fn start() -> Env {
    start_with(EmulatorConfig::ephemeral()).await
}

pub async fn start_with(mut config: EmulatorConfig) -> Env {
    if config.api_token.is_none() {
        config.api_token = Some(TOKEN.to_owned());
    }
    let emu = config.start().await.expect("the emulator starts");
    Env {
        emu,
        client: client(),
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    pub fn sandbox(&self) -> u64 {
        self.emu.sandbox().id
    }

    pub fn project(&self) -> u64 {
        self.emu.project().id
    }

    pub fn account(&self) -> u64 {
        self.emu.account_id()
    }

    /// A request with the token as a Bearer header.
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(self.emu.api_token())
    }

    pub async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        assert_json(&response);
        response.json().await.unwrap()
    }

    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Response {
        self.req(method, path).json(body).send().await.unwrap()
    }

    /// Sends a JSON body and expects 200 with JSON.
    pub async fn ok_json(&self, method: Method, path: &str, body: &Value) -> Value {
        let response = self.send_json(method.clone(), path, body).await;
        let status = response.status();
        assert_json(&response);
        let value: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{method} {path}: {value}");
        value
    }

    /// Delivers raw bytes through the store, as the SMTP server does.
    pub async fn deliver(&self, sandbox: u64, raw: &str, rcpt_to: &[&str]) -> u64 {
        let store = self.emu.store();
        let raw = raw.replace('\n', "\r\n").into_bytes();
        let envelope = Envelope {
            mail_from: "sender@example.test".to_owned(),
            rcpt_to: rcpt_to.iter().map(|s| (*s).to_owned()).collect(),
            client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        tokio::task::spawn_blocking(move || store.deliver(sandbox, raw, envelope))
            .await
            .unwrap()
            .expect("delivery succeeds")
    }

    /// Delivers a simple text message with this subject and recipient.
    pub async fn deliver_simple(&self, sandbox: u64, subject: &str, to: &str, text: &str) -> u64 {
        self.deliver(sandbox, &simple_message(subject, to, text), &[to])
            .await
    }
}

pub fn assert_json(response: &Response) {
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8",
        "{}",
        response.url()
    );
}

pub fn simple_message(subject: &str, to: &str, text: &str) -> String {
    format!(
        "From: Sender Person <sender@example.test>\n\
         To: {to}\n\
         Subject: {subject}\n\
         Date: Tue, 30 Dec 2025 16:55:50 +0000\n\
         Message-ID: <{}@example.test>\n\
         MIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\n\
         \n\
         {text}\n",
        subject.replace(' ', "-")
    )
}

/// A message with text, HTML (referring to an inline image) and a PDF attachment, with a Cc.
pub fn rich_message() -> String {
    "From: \"Ada Lovelace\" <ada@example.test>\n\
     To: \"Bob Builder\" <bob@example.test>\n\
     Cc: carol@example.test\n\
     Subject: Quarterly report\n\
     Date: Tue, 30 Dec 2025 16:55:50 +0000\n\
     Message-ID: <report-1@example.test>\n\
     X-Custom-Header: custom value\n\
     MIME-Version: 1.0\n\
     Content-Type: multipart/mixed; boundary=\"outer\"\n\
     \n\
     --outer\n\
     Content-Type: multipart/related; boundary=\"rel\"\n\
     \n\
     --rel\n\
     Content-Type: multipart/alternative; boundary=\"alt\"\n\
     \n\
     --alt\n\
     Content-Type: text/plain; charset=utf-8\n\
     \n\
     The report is attached.\n\
     --alt\n\
     Content-Type: text/html; charset=utf-8\n\
     \n\
     <html><body><p>The report is attached.</p><img src=\"cid:logo@example.test\"></body></html>\n\
     --alt--\n\
     --rel\n\
     Content-Type: image/png\n\
     Content-Disposition: inline; filename=\"logo.png\"\n\
     Content-ID: <logo@example.test>\n\
     Content-Transfer-Encoding: base64\n\
     \n\
     iVBORw0KGgo=\n\
     --rel--\n\
     --outer\n\
     Content-Type: application/pdf; name=\"report.pdf\"\n\
     Content-Disposition: attachment; filename=\"report.pdf\"\n\
     Content-Transfer-Encoding: base64\n\
     \n\
     JVBERi0xLjQKJcOkw7w=\n\
     --outer--\n"
        .to_owned()
}

/// Raises this process's soft limit on open files to at least `needed`: the client and the
/// server end of every connection live in this process, and many systems start at 1,024.
#[cfg(unix)]
pub fn allow_open_files(needed: u64) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_none_or(|current| current >= needed) {
        return;
    }
    assert!(
        limit.maximum.is_none_or(|maximum| maximum >= needed),
        "this test needs {needed} open files; the hard limit is {:?}",
        limit.maximum
    );
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(needed),
            maximum: limit.maximum,
        },
    )
    .unwrap();
}

/// Elsewhere the limit is left as it is.
#[cfg(not(unix))]
pub fn allow_open_files(_needed: u64) {}
