//! Shared helpers for the facade's request-shape tests: a mock server, a client pointed at
//! it, exact request matchers and fixtures (invented values).
#![allow(
    dead_code,
    clippy::needless_pass_by_value,
    clippy::indexing_slicing,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{HttpMockRequest, HttpMockResponse, Mock, MockServer};
use mailtrap_sandbox::{Client, RetryPolicy};
use serde_json::{Value, json};

/// The token every test client sends.
pub const TOKEN: &str = "test-token-3f9a1c";
/// The user agent every test client sends by default.
pub const USER_AGENT: &str = concat!("mailtrap-sandbox-rs/", env!("CARGO_PKG_VERSION"));

/// A retry policy with short waits, so retry tests run fast.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .rate_limit_window(Duration::from_millis(50))
}

/// A client for both hosts on the mock server.
pub fn client(server: &MockServer) -> Client {
    client_with(server, quick_retries())
}

/// A client for both hosts on the mock server, with a given retry policy.
pub fn client_with(server: &MockServer, retry: RetryPolicy) -> Client {
    Client::builder()
        .api_token(TOKEN)
        .base_url(server.base_url())
        .send_base_url(server.base_url())
        .retry(retry)
        .build()
        .unwrap()
}

/// The requests one mock answered, in order.
#[derive(Clone, Default)]
pub struct Recorded(Arc<Mutex<Vec<HttpMockRequest>>>);

impl Recorded {
    /// How many requests were answered.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// The JSON body of the only request.
    pub fn json_body(&self) -> Value {
        let requests = self.0.lock().unwrap();
        assert_eq!(requests.len(), 1, "expected exactly one request");
        serde_json::from_slice(requests[0].body_ref()).expect("request body is JSON")
    }

    /// The `Content-Type` of the only request.
    pub fn content_type(&self) -> Option<String> {
        let requests = self.0.lock().unwrap();
        requests[0]
            .headers_vec()
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.clone())
    }
}

/// What a request must be.
pub struct Expect {
    pub method: &'static str,
    pub path: String,
    /// The exact raw query string (`None`: no query at all).
    pub query: Option<String>,
}

impl Expect {
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: None,
        }
    }

    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }
}

/// What the mock answers.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(value: Value) -> Self {
        Self {
            status: 200,
            content_type: "application/json; charset=utf-8",
            body: serde_json::to_vec(&value).unwrap(),
            headers: vec![
                ("x-ratelimit-limit", "150".to_owned()),
                ("x-ratelimit-remaining", "149".to_owned()),
            ],
        }
    }

    pub fn text(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn to_response(&self) -> HttpMockResponse {
        let mut builder = HttpMockResponse::builder().status(self.status);
        if !self.content_type.is_empty() {
            builder = builder.header("content-type", self.content_type);
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.clone());
        }
        builder.body(self.body.clone()).build()
    }
}

/// Mocks one exact request (method, path, raw query, auth and user agent headers) and
/// records what it received.
pub async fn expect<'a>(
    server: &'a MockServer,
    expect: Expect,
    reply: Reply,
) -> (Mock<'a>, Recorded) {
    expect_sequence(server, expect, vec![reply]).await
}

/// Like [`expect`], answering the n-th request with the n-th reply (the last one repeats).
pub async fn expect_sequence<'a>(
    server: &'a MockServer,
    expect: Expect,
    replies: Vec<Reply>,
) -> (Mock<'a>, Recorded) {
    assert!(!replies.is_empty());
    let recorded = Recorded::default();
    let sink = recorded.clone();
    let query = expect.query.clone();
    let mock = server
        .mock_async(move |when, then| {
            when.method(expect.method)
                .path(expect.path.clone())
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("user-agent", USER_AGENT)
                .is_true(move |req: &HttpMockRequest| {
                    let uri = req.uri_str();
                    let raw_query = uri.split_once('?').map(|(_, q)| q.to_owned());
                    raw_query == query
                });
            then.respond_with(move |req: &HttpMockRequest| {
                let mut seen = sink.0.lock().unwrap();
                seen.push(req.clone());
                let index = (seen.len() - 1).min(replies.len() - 1);
                replies[index].to_response()
            });
        })
        .await;
    (mock, recorded)
}

/// A message as the current API shapes it (invented values).
pub fn message_json(id: u64, sandbox_id: u64, subject: &str) -> Value {
    let token = format!("QkF{id}x%2Fq+Zr9w==");
    json!({
        "id": id,
        "sandbox_id": sandbox_id,
        "subject": subject,
        "sent_at": "2025-03-14T09:26:53.589Z",
        "from_email": "robot@shop.example",
        "from_name": "Shop Robot",
        "to_email": "ada@customer.example",
        "to_name": "",
        "email_size": 1834,
        "is_read": false,
        "created_at": "2025-03-14T09:26:53.601Z",
        "updated_at": "2025-03-14T09:26:53.601Z",
        "template_id": null,
        "template_variables": null,
        "html_body_size": 912,
        "text_body_size": 301,
        "human_size": "1.8 KB",
        "html_path": format!("/api/testing_message_parts/{token}/body.html"),
        "txt_path": format!("/api/testing_message_parts/{token}/body.txt"),
        "raw_path": format!("/api/testing_message_parts/{token}/body.raw"),
        "download_path": format!("/api/testing_message_parts/{token}/body.eml"),
        "html_source_path": format!("/api/testing_message_parts/{token}/body.htmlsource"),
        "blacklists_report_info": false,
        "smtp_information": {"ok": false}
    })
}

/// A sandbox as the API shapes it (invented values).
pub fn sandbox_json(id: u64, project_id: u64, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "username": "a1b2c3d4e5f6a7",
        "password": "9f8e7d6c5b4a39",
        "max_size": 50,
        "status": "active",
        "email_username": "qa-team-7c1f",
        "email_username_enabled": false,
        "sent_messages_count": 12,
        "forwarded_messages_count": 0,
        "used": true,
        "forward_from_email_address": "a7-i77001@forward.example",
        "project_id": project_id,
        "domain": "smtp.sandbox.example",
        "pop3_domain": "pop3.sandbox.example",
        "email_domain": "inbox.sandbox.example",
        "api_domain": "send.sandbox.example",
        "emails_count": 3,
        "emails_unread_count": 1,
        "last_message_sent_at": "2025-03-14T09:26:53.601+02:00",
        "smtp_ports": [25, 465, 587, 2525],
        "pop3_ports": [1100, 9950],
        "max_message_size": 10485760,
        "permissions": {"can_read": true, "can_update": true, "can_destroy": true, "can_leave": false}
    })
}

/// A project holding one sandbox (invented values).
pub fn project_json(id: u64, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "share_links": {"admin": "https://share.example/a/1", "viewer": "https://share.example/v/1"},
        "sandboxes": [sandbox_json(77_001, id, "Staging")],
        "permissions": {"can_read": true, "can_update": true, "can_destroy": true, "can_leave": false}
    })
}
