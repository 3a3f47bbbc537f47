//! The web inbox's server side with 10,000 and with 100,000 messages stored (in memory, two
//! emulators running side by side), through real HTTP on loopback, against the API's own
//! pages of the same 30 messages as the baselines:
//! - `api_first_page` (baseline): `GET /api/sandboxes/{id}/messages`, JSON;
//! - `api_middle` (baseline of `rows_middle`): the API's page below the middle message
//!   (`?last_id=`);
//! - `inbox_page`: `GET /ui/sandboxes/{id}`, the whole page (side list, 30 rows, how to send);
//! - `rows_fragment`: `GET /ui/sandboxes/{id}/rows`, what live updates fetch;
//! - `rows_middle`: `GET /ui/sandboxes/{id}/rows?before=`, the next page that scrolling
//!   halfway down the list fetches;
//! - `api_search` (baseline of `rows_search`): the API's `?search=` for the same text;
//! - `rows_search`: a search that one message matches (every message is looked at);
//! - `message_page`: `GET /ui/sandboxes/{id}/messages/{id}`, a message with its HTML tab.
//!
//! It prints the page weight (the inbox page's HTML, CSS and JavaScript bytes), runs criterion
//! over every request at both sizes, then interleaved rounds (every request at both sizes in
//! each round, the order rotating from round to round, so that the load of a shared machine
//! falls on all alike) and prints each request's median time with two ratios, both medians of
//! per-round ratios: against the API's page at the same size, and 100,000 stored against
//! 10,000. `MAILTRAP_BENCH_ROUNDS` sets the number of rounds (30 by default).
//!
//! Run: `cargo bench -p mailtrap-sandbox-emulator --bench web_inbox`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::cast_precision_loss
)]

use std::time::Instant;

use criterion::{Criterion, criterion_group};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

/// How many messages each emulator stores.
const STORED: [usize; 2] = [10_000, 100_000];
/// Messages per batch request while storing them.
const PER_REQUEST: usize = 500;
/// Requests of each kind per interleaved round.
const PER_ROUND: u32 = 10;

/// Stores `stored` messages through the batch sending API; returns the newest one's id.
async fn store_messages(emu: &RunningEmulator, http: &reqwest::Client, stored: usize) -> u64 {
    let url = format!("{}/api/batch/{}", emu.base_url(), emu.sandbox().id);
    let mut newest = 0;
    for round in 0..stored / PER_REQUEST {
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
    /// The message halfway down the list.
    middle: u64,
}

impl Fixture {
    fn start(rt: &Runtime, stored: usize) -> Self {
        rt.block_on(async {
            let mut config = EmulatorConfig::ephemeral();
            // No limit: by default a sandbox keeps its newest 10,000 messages.
            config.sandbox_limits.max_size = 0;
            let emu = config.start().await.unwrap();
            let http = reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let started = Instant::now();
            let newest = store_messages(&emu, &http, stored).await;
            println!("stored {stored} messages in {:.1?}", started.elapsed());
            let signed_in = http
                .get(format!("{}/?token={}", emu.base_url(), emu.api_token()))
                .send()
                .await
                .unwrap();
            let cookie = signed_in.headers()[SET_COOKIE].to_str().unwrap();
            let cookie = cookie.split(';').next().unwrap().to_owned();
            let halfway: Value = http
                .get(format!(
                    "{}/api/sandboxes/{}/messages?page={}",
                    emu.base_url(),
                    emu.sandbox().id,
                    stored / 2 / 30 + 1
                ))
                .bearer_auth(emu.api_token())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let middle = halfway[0]["id"].as_u64().unwrap();
            Self {
                emu,
                http,
                cookie,
                newest,
                middle,
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

/// The requests measured, by name: the API's first (the baseline), middle and search pages
/// ([`baseline_of`]), then the inbox's.
fn requests(fixture: &Fixture) -> Vec<(&'static str, String)> {
    let sandbox = fixture.emu.sandbox().id;
    let ui = format!("/ui/sandboxes/{sandbox}");
    vec![
        (
            "api_first_page",
            format!("/api/sandboxes/{sandbox}/messages"),
        ),
        (
            "api_middle",
            format!(
                "/api/sandboxes/{sandbox}/messages?last_id={}",
                fixture.middle
            ),
        ),
        (
            "api_search",
            format!("/api/sandboxes/{sandbox}/messages?search=customer9999%40"),
        ),
        ("inbox_page", ui.clone()),
        ("rows_fragment", format!("{ui}/rows")),
        (
            "rows_middle",
            format!("{ui}/rows?before={}", fixture.middle),
        ),
        ("rows_search", format!("{ui}/rows?q=customer9999%40")),
        ("message_page", format!("{ui}/messages/{}", fixture.newest)),
    ]
}

/// The index in [`requests`] of the API request `name` is compared with.
fn baseline_of(name: &str) -> usize {
    match name {
        "rows_middle" => 1,
        "rows_search" => 2,
        _ => 0,
    }
}

/// Checks that each fixture answers what the benchmark claims, and prints the page weight.
fn check(rt: &Runtime, fixture: &Fixture, stored: usize) {
    let sandbox = fixture.emu.sandbox().id;
    let ui = format!("/ui/sandboxes/{sandbox}");
    rt.block_on(async {
        let rows = |page: &str| page.matches("<li class=\"row").count();
        let html = fixture.get(&ui).await;
        assert_eq!(rows(&html), 30);
        let css = fixture.get(&asset(&html, "app.css")).await;
        let js = fixture.get(&asset(&html, "app.js")).await;
        println!(
            "page weight, inbox of {stored}: HTML {} + CSS {} + JS {} = {} bytes (uncompressed)",
            html.len(),
            css.len(),
            js.len(),
            html.len() + css.len() + js.len()
        );
        let middle = fixture
            .get(&format!("{ui}/rows?before={}", fixture.middle))
            .await;
        assert_eq!(rows(&middle), 30);
        let api_middle: Value = serde_json::from_str(
            &fixture
                .get(&format!(
                    "/api/sandboxes/{sandbox}/messages?last_id={}",
                    fixture.middle
                ))
                .await,
        )
        .unwrap();
        assert_eq!(api_middle.as_array().unwrap().len(), 30);
        let found = fixture.get(&format!("{ui}/rows?q=customer9999%40")).await;
        assert_eq!(rows(&found), 1, "one message matches the search");
        let api_found: Value = serde_json::from_str(
            &fixture
                .get(&format!(
                    "/api/sandboxes/{sandbox}/messages?search=customer9999%40"
                ))
                .await,
        )
        .unwrap();
        assert_eq!(api_found.as_array().unwrap().len(), 1);
        assert!(
            html.contains(&format!("data-count=\"{stored}\"")),
            "the sandbox keeps all {stored} messages"
        );
        println!(
            "message page: HTML {} bytes",
            fixture
                .get(&format!("{ui}/messages/{}", fixture.newest))
                .await
                .len()
        );
    });
}

fn web_inbox(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let fixtures = start_all(&rt);
    for (stored, fixture) in STORED.iter().zip(&fixtures) {
        let mut group = c.benchmark_group(format!("web_inbox/{stored}"));
        group.sample_size(30);
        for (name, path) in requests(fixture) {
            group.bench_function(name, |b| b.iter(|| rt.block_on(fixture.get(&path))));
        }
        group.finish();
    }
    interleaved(&rt, &fixtures);
    for fixture in fixtures {
        rt.block_on(fixture.emu.shutdown());
    }
}

fn start_all(rt: &Runtime) -> Vec<Fixture> {
    STORED
        .iter()
        .map(|&stored| {
            let fixture = Fixture::start(rt, stored);
            check(rt, &fixture, stored);
            fixture
        })
        .collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Interleaved rounds of every request at both sizes; prints medians and ratios.
fn interleaved(rt: &Runtime, fixtures: &[Fixture]) {
    let rounds: usize = std::env::var("MAILTRAP_BENCH_ROUNDS")
        .ok()
        .map_or(30, |value| value.parse().expect("a number of rounds"));
    let requests: Vec<Vec<(&str, String)>> = fixtures.iter().map(requests).collect();
    let kinds = requests[0].len();
    let all: Vec<(usize, usize)> = (0..fixtures.len())
        .flat_map(|size| (0..kinds).map(move |kind| (size, kind)))
        .collect();
    // seconds per request, by size, kind and round
    let mut times = vec![vec![Vec::with_capacity(rounds); kinds]; fixtures.len()];
    rt.block_on(async {
        for round in 0..rounds {
            for step in 0..all.len() {
                let (size, kind) = all[(round + step) % all.len()];
                let fixture = &fixtures[size];
                let path = &requests[size][kind].1;
                let started = Instant::now();
                for _ in 0..PER_ROUND {
                    fixture.get(path).await;
                }
                times[size][kind].push((started.elapsed() / PER_ROUND).as_secs_f64());
            }
        }
    });
    let ratio = |a: &[f64], b: &[f64]| median(a.iter().zip(b).map(|(a, b)| a / b).collect());
    let (small, large) = (&times[0], &times[1]);
    println!(
        "interleaved, {rounds} rounds of {PER_ROUND} requests each: median per request; \
         ratios are medians of per-round ratios"
    );
    for kind in 0..kinds {
        let name = requests[0][kind].0;
        let baseline = baseline_of(name);
        let cells: Vec<String> = STORED
            .iter()
            .zip(&times)
            .map(|(stored, times)| {
                format!(
                    "{stored}: {:>8.1} µs (x{:.2} of {})",
                    median(times[kind].clone()) * 1e6,
                    ratio(&times[kind], &times[baseline]),
                    requests[0][baseline].0,
                )
            })
            .collect();
        println!(
            "  {name:<15} {}; 100,000 / 10,000: x{:.2}",
            cells.join("; "),
            ratio(&large[kind], &small[kind])
        );
    }
}

criterion_group!(benches, web_inbox);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
