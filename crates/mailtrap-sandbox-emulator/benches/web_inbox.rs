//! The web inbox's server side with 10,000 messages stored (in memory), through real HTTP on
//! loopback, against the API's own list of the same 30 messages as the baseline:
//! - `api_first_page` (baseline): `GET /api/sandboxes/{id}/messages`, JSON;
//! - `inbox_page`: `GET /ui/sandboxes/{id}`, the whole page (side list, 30 rows, how to send);
//! - `rows_fragment`: `GET /ui/sandboxes/{id}/rows`, what live updates and scrolling fetch;
//! - `message_page`: `GET /ui/sandboxes/{id}/messages/{id}`, a message with its HTML tab.
//!
//! It also prints the page weight: the inbox page's HTML, CSS and JavaScript bytes.
//!
//! Run: `cargo bench -p mailtrap-sandbox-emulator --bench web_inbox`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout
)]

use criterion::{Criterion, criterion_group, criterion_main};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const STORED: usize = 10_000;
const PER_REQUEST: usize = 500;

/// Stores the messages through the batch sending API; returns the newest one's id.
async fn store_messages(emu: &RunningEmulator, http: &reqwest::Client) -> u64 {
    let url = format!("{}/api/batch/{}", emu.base_url(), emu.sandbox().id);
    let mut newest = 0;
    for round in 0..STORED / PER_REQUEST {
        let emails: Vec<Value> = (0..PER_REQUEST)
            .map(|n| {
                let i = round * PER_REQUEST + n;
                json!({
                    "to": [{"email": format!("customer{i}@example.test")}],
                    "subject": format!("Your receipt no. {i}"),
                    "text": format!("Thank you for order {i}."),
                    "html": format!("<h1>Receipt {i}</h1><p>Thank you for <a href=\"https://shop.example.test/o/{i}\">order {i}</a>.</p>"),
                })
            })
            .collect();
        let body = json!({"base": {"from": {"email": "shop@example.test"}}, "requests": emails});
        let answer: Value = http
            .post(&url)
            .bearer_auth(emu.api_token())
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let last = answer["responses"].as_array().unwrap().last().unwrap();
        newest = last["message_ids"][0].as_str().unwrap().parse().unwrap();
    }
    newest
}

struct Fixture {
    emu: RunningEmulator,
    http: reqwest::Client,
    cookie: String,
    newest: u64,
}

impl Fixture {
    fn start(rt: &Runtime) -> Self {
        rt.block_on(async {
            let emu = EmulatorConfig::ephemeral().start().await.unwrap();
            let http = reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let newest = store_messages(&emu, &http).await;
            let signed_in = http
                .get(format!("{}/?token={}", emu.base_url(), emu.api_token()))
                .send()
                .await
                .unwrap();
            let cookie = signed_in.headers()[SET_COOKIE].to_str().unwrap();
            let cookie = cookie.split(';').next().unwrap().to_owned();
            Self {
                emu,
                http,
                cookie,
                newest,
            }
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    /// `GET path` as the signed-in browser (and with the API token, for the API); the body.
    async fn get(&self, path: &str) -> String {
        let response = self
            .http
            .get(self.url(path))
            .header(COOKIE, &self.cookie)
            .bearer_auth(self.emu.api_token())
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.text().await.unwrap()
    }
}

/// The `href`/`src` of the page's stylesheet or script.
fn asset(page: &str, name: &str) -> String {
    let at = page.find(&format!("/ui/assets/{name}")).unwrap();
    let end = page[at..].find('"').unwrap();
    page[at..at + end].replace("&amp;", "&")
}

fn web_inbox(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let fixture = Fixture::start(&rt);
    let sandbox = fixture.emu.sandbox().id;
    let api = format!("/api/sandboxes/{sandbox}/messages");
    let page = format!("/ui/sandboxes/{sandbox}");
    let rows = format!("/ui/sandboxes/{sandbox}/rows");
    let message = format!("/ui/sandboxes/{sandbox}/messages/{}", fixture.newest);

    rt.block_on(async {
        let html = fixture.get(&page).await;
        assert_eq!(html.matches("<li class=\"row").count(), 30);
        let css = fixture.get(&asset(&html, "app.css")).await;
        let js = fixture.get(&asset(&html, "app.js")).await;
        println!(
            "page weight, inbox of {STORED}: HTML {} + CSS {} + JS {} = {} bytes (uncompressed)",
            html.len(),
            css.len(),
            js.len(),
            html.len() + css.len() + js.len()
        );
        println!(
            "message page: HTML {} bytes",
            fixture.get(&message).await.len()
        );
    });

    let mut group = c.benchmark_group(format!("web_inbox/{STORED}"));
    for (name, path) in [
        ("api_first_page", &api),
        ("inbox_page", &page),
        ("rows_fragment", &rows),
        ("message_page", &message),
    ] {
        group.bench_function(name, |b| b.iter(|| rt.block_on(fixture.get(path))));
    }
    group.finish();
    rt.block_on(fixture.emu.shutdown());
}

criterion_group!(benches, web_inbox);
criterion_main!(benches);
