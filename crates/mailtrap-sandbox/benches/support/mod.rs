//! Shared by the benchmarks: a local API server on loopback, and the fixtures it serves.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use mailtrap_sandbox::Client;
use serde_json::{Value, json};

pub const TOKEN: &str = "bench-token-0a1b2c";

/// One message as the API shapes it (invented values; about 1.5 KB of JSON).
pub fn message(id: u64, sandbox_id: u64) -> Value {
    let token = format!("QmVuY2g{id}%2Fx+Yz==");
    json!({
        "id": id,
        "sandbox_id": sandbox_id,
        "subject": format!("Your order #{id} has shipped"),
        "sent_at": "2025-03-14T09:26:53.589Z",
        "from_email": "robot@shop.example",
        "from_name": "Shop Robot",
        "to_email": "ada@customer.example",
        "to_name": "",
        "email_size": 1834,
        "is_read": false,
        "created_at": "2025-03-14T09:26:53.601-12:00",
        "updated_at": "2025-03-14T09:26:53.601Z",
        "template_id": 0,
        "template_variables": null,
        "html_body_size": 912,
        "text_body_size": 301,
        "human_size": "1.8 KB",
        "html_path": format!("/api/testing_message_parts/{token}/body.html"),
        "txt_path": format!("/api/testing_message_parts/{token}/body.txt"),
        "raw_path": format!("/api/testing_message_parts/{token}/body.raw"),
        "download_path": format!("/api/testing_message_parts/{token}/body.eml"),
        "html_source_path": format!("/api/testing_message_parts/{token}/body.htmlsource"),
        "blacklists_report_info": {"result": "success", "domain": "shop.example", "ip": "192.0.2.7",
            "report": [{"name": "ExampleBL", "url": "https://bl.example", "in_black_list": false}]},
        "smtp_information": {"ok": false}
    })
}

/// Serves `router` on 127.0.0.1, port chosen by the system, on the given (server) runtime.
pub fn serve(runtime: &tokio::runtime::Runtime, router: Router) -> SocketAddr {
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        address
    })
}

/// The facade client for the local server (no retries: a failure must show).
pub fn facade(address: SocketAddr) -> Client {
    Client::builder()
        .api_token(TOKEN)
        .base_url(format!("http://{address}"))
        .send_base_url(format!("http://{address}"))
        .retry(mailtrap_sandbox::RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A plain reqwest client configured like the facade's (auth header, user agent, timeouts).
pub fn plain(address: SocketAddr) -> (reqwest::Client, String) {
    let headers = mailtrap_sandbox::ClientBuilder::auth_headers(TOKEN).unwrap();
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .user_agent("plain-reqwest-bench")
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    (client, format!("http://{address}"))
}

/// The two runtimes of a benchmark: the server's, with two workers of its own (as a separate
/// process would have), and the client's, a current-thread runtime driven by `block_on` (as in a
/// `#[tokio::test]`, where users of the crate run it).
pub struct Runtimes {
    /// Runs the local API server.
    pub server: tokio::runtime::Runtime,
    /// Runs the clients under measurement.
    pub client: tokio::runtime::Runtime,
}

/// Both runtimes.
pub fn runtimes() -> Runtimes {
    Runtimes {
        server: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
        client: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
    }
}

/// `MAILTRAP_BENCH_ONLY="<way> <count>"` asks a benchmark to run only that way, `count` times,
/// and to skip criterion: a run made for counting instructions under
/// `valgrind --tool=callgrind`, which, unlike wall time on a shared machine, does not vary.
/// Run it twice with two counts and subtract, so that start-up cancels out.
pub fn only() -> Option<(String, usize)> {
    let value = std::env::var("MAILTRAP_BENCH_ONLY").ok()?;
    let (way, count) = value
        .split_once(' ')
        .expect("MAILTRAP_BENCH_ONLY is \"<way> <count>\"");
    Some((way.to_owned(), count.parse().expect("a count of runs")))
}
