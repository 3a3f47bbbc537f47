//! `wait_for` against a small in-process server whose sandbox fills up while the client
//! polls: mail arriving between polls (more than a page of it), later polls stopping at what
//! an earlier one listed (also when mail is deleted or listed late), `since`, body conditions,
//! 429 back-off and the timeout error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mailtrap_sandbox::wait::MessageFilter;
use mailtrap_sandbox::{Client, Error, MessageId, RetryPolicy};
use serde_json::json;

const PAGE_SIZE: usize = 30;
const SANDBOX: u64 = 4_288_340;

#[derive(Clone, Debug)]
struct Mail {
    id: u64,
    subject: String,
    from: String,
    to: String,
    text: Option<String>,
    html: Option<String>,
    /// When the sandbox received it: stamped when stored (an hour ago for the mail a
    /// server starts with, left by "earlier tests").
    created_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn mail(id: u64, subject: &str) -> Mail {
    Mail {
        id,
        subject: subject.to_owned(),
        from: "no-reply@app.example.test".to_owned(),
        to: "ana@example.test".to_owned(),
        text: Some(format!("Text of message {id}")),
        html: None,
        created_at: None,
    }
}

/// One listing request as the server saw it.
#[derive(Clone, Debug)]
struct ListCall {
    last_id: Option<u64>,
    search: Option<String>,
    at: Instant,
    status: u16,
}

#[derive(Default)]
struct Inner {
    /// Stored messages.
    mail: Vec<Mail>,
    /// Messages to store after the listing call with this number (from 1) was answered.
    deliveries: HashMap<usize, Vec<Mail>>,
    /// Listing calls (by number, from 1) to answer with 429.
    rate_limited: Vec<usize>,
    /// Listing calls (by number, from 1) after which every stored message is deleted.
    cleanings: Vec<usize>,
    /// How many of the next body requests to answer with 500.
    failing_bodies: usize,
    lists: Vec<ListCall>,
    /// Ids whose text or HTML body was requested.
    bodies: Vec<(u64, &'static str)>,
}

#[derive(Clone, Default)]
struct Server(Arc<Mutex<Inner>>);

impl Server {
    fn with_mail(mail: Vec<Mail>) -> Self {
        let server = Self::default();
        let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
        server.0.lock().unwrap().mail = stamped(mail, an_hour_ago);
        server
    }

    /// Stores `mail` once listing call `call` has been answered.
    fn deliver_after(self, call: usize, mail: Vec<Mail>) -> Self {
        self.0.lock().unwrap().deliveries.insert(call, mail);
        self
    }

    /// Stores a message now, as an application sending mail would.
    fn store(&self, mail: Mail) {
        self.0
            .lock()
            .unwrap()
            .mail
            .extend(stamped(vec![mail], chrono::Utc::now()));
    }

    /// Stores `Noise {id}` messages now, one per id.
    fn store_noise(&self, ids: std::ops::RangeInclusive<u64>) {
        for id in ids {
            self.store(mail(id, &format!("Noise {id}")));
        }
    }

    /// Deletes every stored message once listing call `call` has been answered (before
    /// that call's deliveries).
    fn clean_after(self, call: usize) -> Self {
        self.0.lock().unwrap().cleanings.push(call);
        self
    }

    /// Answers the next `count` body requests with 500.
    fn fail_bodies(self, count: usize) -> Self {
        self.0.lock().unwrap().failing_bodies = count;
        self
    }

    fn rate_limit(self, calls: &[usize]) -> Self {
        self.0.lock().unwrap().rate_limited = calls.to_vec();
        self
    }

    fn lists(&self) -> Vec<ListCall> {
        self.0.lock().unwrap().lists.clone()
    }

    /// The `last_id` of each listing call, in order.
    fn listed_last_ids(&self) -> Vec<Option<u64>> {
        self.lists().iter().map(|call| call.last_id).collect()
    }

    fn bodies(&self) -> Vec<(u64, &'static str)> {
        self.0.lock().unwrap().bodies.clone()
    }

    async fn start(&self) -> Client {
        let app = Router::new()
            .route("/api/sandboxes/{sandbox}/messages", get(list))
            .route("/api/sandboxes/{sandbox}/messages/{id}/body.txt", get(text))
            .route(
                "/api/sandboxes/{sandbox}/messages/{id}/body.html",
                get(html),
            )
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Client::builder()
            .api_token("f2-wait-token")
            .base_url(format!("http://{address}"))
            .send_base_url(format!("http://{address}"))
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
    }
}

/// The mail, received at `at` unless it says otherwise.
fn stamped(mail: Vec<Mail>, at: chrono::DateTime<chrono::Utc>) -> Vec<Mail> {
    mail.into_iter()
        .map(|mut mail| {
            mail.created_at.get_or_insert(at);
            mail
        })
        .collect()
}

fn rate_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-limit", "150".parse().unwrap());
    headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
    headers
}

async fn list(
    State(server): State<Server>,
    Path(sandbox): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = server.0.lock().unwrap();
    let number = inner.lists.len() + 1;
    let last_id = query.get("last_id").map(|id| id.parse::<u64>().unwrap());
    let search = query.get("search").cloned();
    if sandbox != SANDBOX {
        inner.lists.push(ListCall {
            last_id,
            search,
            at: Instant::now(),
            status: 404,
        });
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "Not Found"})),
        )
            .into_response();
    }
    if inner.rate_limited.contains(&number) {
        inner.lists.push(ListCall {
            last_id,
            search,
            at: Instant::now(),
            status: 429,
        });
        return (
            StatusCode::TOO_MANY_REQUESTS,
            rate_headers(),
            axum::Json(json!({"errors": "Rate limit exceeded"})),
        )
            .into_response();
    }
    let mut page: Vec<&Mail> = inner
        .mail
        .iter()
        .filter(|m| last_id.is_none_or(|last| m.id < last))
        .filter(|m| search.as_deref().is_none_or(|s| m.subject.contains(s)))
        .collect();
    page.sort_by_key(|m| std::cmp::Reverse(m.id));
    let body: Vec<serde_json::Value> = page
        .into_iter()
        .take(PAGE_SIZE)
        .map(|m| {
            json!({
                "id": m.id,
                "sandbox_id": SANDBOX,
                "subject": m.subject,
                "from_email": m.from,
                "from_name": "",
                "to_email": m.to,
                "to_name": "",
                "is_read": false,
                "template_id": 0,
                "template_variables": null,
                "created_at": m.created_at,
            })
        })
        .collect();
    inner.lists.push(ListCall {
        last_id,
        search,
        at: Instant::now(),
        status: 200,
    });
    if inner.cleanings.contains(&number) {
        inner.mail.clear();
    }
    if let Some(new_mail) = inner.deliveries.remove(&number) {
        inner.mail.extend(stamped(new_mail, chrono::Utc::now()));
    }
    (rate_headers(), axum::Json(body)).into_response()
}

async fn body(server: &Server, id: u64, kind: &'static str) -> Response {
    let mut inner = server.0.lock().unwrap();
    inner.bodies.push((id, kind));
    if inner.failing_bodies > 0 {
        inner.failing_bodies -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    }
    let found = inner.mail.iter().find(|m| m.id == id).cloned();
    match found {
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "Not Found"})),
        )
            .into_response(),
        Some(mail) => match if kind == "text" { mail.text } else { mail.html } {
            Some(content) => content.into_response(),
            None => (StatusCode::CONFLICT, "Conflict").into_response(),
        },
    }
}

async fn text(State(server): State<Server>, Path((_, id)): Path<(u64, u64)>) -> Response {
    body(&server, id, "text").await
}

async fn html(State(server): State<Server>, Path((_, id)): Path<(u64, u64)>) -> Response {
    body(&server, id, "html").await
}

fn fast() -> Duration {
    Duration::from_millis(20)
}

/// Waits (polling fast, for at most 10 s) for a message matching `filter`; returns its id.
async fn wait_fast_for(client: &Client, filter: MessageFilter) -> MessageId {
    client
        .sandbox(SANDBOX)
        .wait_for(filter)
        .poll_interval(fast())
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn mail_arriving_between_polls_is_found_even_beyond_the_first_page() {
    // Already there: an older reset email, which must not count.
    let server = Server::with_mail(vec![
        mail(100, "Welcome"),
        mail(101, "Reset your password"),
        mail(102, "Weekly digest"),
    ]);
    // Between the first and the second poll, 40 messages arrive; the awaited one is the
    // second oldest, so it sits on the second page of the listing.
    let burst: Vec<Mail> = (103..143)
        .map(|id| {
            if id == 104 {
                mail(id, "Reset your password")
            } else {
                mail(id, &format!("Noise {id}"))
            }
        })
        .collect();
    let server = server.deliver_after(2, burst);
    let client = server.start().await;
    let id = wait_fast_for(&client, MessageFilter::new().subject("Reset your password")).await;
    assert_eq!(id, MessageId::new(104));
    let last_ids = server.listed_last_ids();
    // Baseline, an empty poll, then the poll that pages down to the floor with last_id.
    assert_eq!(last_ids, [None, None, None, Some(113)]);
}

#[tokio::test]
async fn the_earliest_match_wins_and_later_polls_skip_checked_messages() {
    let server = Server::with_mail(vec![mail(10, "Old")])
        .deliver_after(1, vec![mail(11, "Noise")])
        .deliver_after(
            2,
            vec![
                mail(13, "Your code"),
                mail(12, "Your code"),
                mail(14, "Noise"),
            ],
        );
    let client = server.start().await;
    let message = client
        .sandbox(SANDBOX)
        .wait_for(MessageFilter::new().subject("code").to("ANA@example.test"))
        .poll_interval(fast())
        .send()
        .await
        .unwrap();
    assert_eq!(message.id, MessageId::new(12));
}

#[tokio::test]
async fn since_counts_messages_that_arrived_before_the_call() {
    let server = Server::with_mail(vec![
        mail(100, "Reset your password"),
        mail(101, "Welcome"),
        mail(102, "Reset your password"),
    ]);
    let client = server.start().await;
    let message = client
        .sandbox(SANDBOX)
        .wait_for(MessageFilter::new().subject("Reset"))
        .since(101_u64)
        .poll_interval(fast())
        .send()
        .await
        .unwrap();
    assert_eq!(message.id, MessageId::new(102));
    // No baseline listing with `since`: the first poll already finds it.
    assert_eq!(server.lists().len(), 1);
}

#[tokio::test]
async fn start_before_triggering_the_email_then_wait() {
    let server = Server::with_mail(vec![mail(30, "Reset your password")]);
    let client = server.start().await;
    let pending = client
        .sandbox(SANDBOX)
        .wait_for(MessageFilter::new().subject("Reset your password"))
        .only_new()
        .poll_interval(fast())
        .start()
        .await
        .unwrap();
    assert_eq!(pending.after(), Some(MessageId::new(30)));
    // The application stores its email before the test starts waiting: still found, by the
    // first poll.
    server.store(mail(31, "Reset your password"));
    let message = pending.wait().await.unwrap();
    assert_eq!(message.id, MessageId::new(31));
    assert_eq!(server.lists().len(), 2);
}

#[tokio::test]
async fn trigger_then_wait_finds_mail_that_arrived_first_but_not_an_earlier_tests_leftover() {
    // Left by an earlier test an hour ago: the same subject, to the same address.
    let server = Server::with_mail(vec![mail(40, "Reset your password")]);
    let client = server.start().await;
    // The application's email is in the sandbox before the test starts waiting.
    server.store(mail(41, "Reset your password"));
    let message = client
        .sandbox(SANDBOX)
        .wait_for(MessageFilter::new().subject("Reset your password"))
        .poll_interval(fast())
        .send()
        .await
        .unwrap();
    assert_eq!(message.id, MessageId::new(41));
    // The listing that fixes the window (in the server's clock), then the first poll finds
    // it: no waiting for mail that is already there.
    assert_eq!(server.lists().len(), 2);
}

#[tokio::test]
async fn an_empty_sandbox_counts_every_message() {
    let server = Server::default().deliver_after(1, vec![mail(7, "First ever")]);
    let client = server.start().await;
    let message = client
        .sandbox(SANDBOX)
        .wait_for(MessageFilter::new())
        .poll_interval(fast())
        .send()
        .await
        .unwrap();
    assert_eq!(message.id, MessageId::new(7));
}

#[tokio::test]
async fn body_conditions_fetch_bodies_only_for_candidates() {
    let mut no_text = mail(51, "Sign-in code");
    no_text.text = None;
    no_text.html = Some("<p>code 123456</p>".to_owned());
    let mut wrong = mail(52, "Sign-in code");
    wrong.text = Some("Nothing to see".to_owned());
    let mut right = mail(53, "Sign-in code");
    right.text = Some("Your sign-in code is 482913".to_owned());
    right.html = Some("<p>Your sign-in code is <b>482913</b></p>".to_owned());
    let server = Server::with_mail(vec![mail(50, "Sign-in code")]).deliver_after(
        1,
        vec![
            mail(54, "Sign-in code"),
            no_text,
            wrong,
            mail(55, "Other"),
            right,
        ],
    );
    let client = server.start().await;
    let message = client
        .sandbox(SANDBOX)
        .wait_for(
            MessageFilter::new()
                .subject("Sign-in code")
                .from("No-Reply@App.Example.Test")
                .text_contains("sign-in code is")
                .html_contains("<b>482913</b>"),
        )
        .poll_interval(fast())
        .send()
        .await
        .unwrap();
    assert_eq!(message.id, MessageId::new(53));
    // 51 has no text part (409): skipped. 52's text does not match: its HTML is never read.
    // 55's subject does not match: no body read. 54 is newer than 53: never reached.
    assert_eq!(
        server.bodies(),
        [(51, "text"), (52, "text"), (53, "text"), (53, "html")]
    );
}

#[tokio::test]
async fn closures_over_the_message_and_search_narrowing() {
    let server = Server::with_mail(vec![mail(1, "Invoice 0001")]).deliver_after(
        1,
        vec![
            mail(2, "Invoice 0002"),
            mail(3, "Receipt 0003"),
            mail(4, "Invoice 0004"),
        ],
    );
    let client = server.start().await;
    let message = client
        .sandbox(SANDBOX)
        .wait_for(
            MessageFilter::new()
                .matching("an even id", |m| m.id.get() % 2 == 0)
                .subject("0004"),
        )
        .search("Invoice")
        .poll_interval(fast())
        .send()
        .await
        .unwrap();
    assert_eq!(message.id, MessageId::new(4));
    assert!(
        server
            .lists()
            .iter()
            .all(|call| call.search.as_deref() == Some("Invoice"))
    );
}

#[tokio::test]
async fn timeout_says_what_it_waited_for_and_what_it_saw() {
    let server = Server::with_mail(vec![mail(1, "Old")]).deliver_after(
        1,
        vec![mail(2, "Welcome, Ana"), mail(3, "Confirm your address")],
    );
    let client = server.start().await;
    let started = Instant::now();
    let err = client
        .sandbox(SANDBOX)
        .wait_for(
            MessageFilter::new()
                .subject("Reset")
                .to("ana@example.test")
                .text_contains("/reset?token="),
        )
        .poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert!(started.elapsed() >= Duration::from_secs(1));
    let Error::WaitTimeout(timeout) = &err else {
        panic!("expected a wait timeout, got {err:?}");
    };
    assert_eq!(timeout.seen, 2);
    assert_eq!(
        timeout.seen_subjects,
        ["Confirm your address", "Welcome, Ana"]
    );
    assert!(timeout.polls >= 3, "{timeout:?}");
    assert_cut_by_the_deadline_at_most(timeout);
    assert!(!err.is_retryable());
    insta::with_settings!({filters => timeout_filters()}, {
        insta::assert_snapshot!(err.to_string(), @r#"timed out after [elapsed] s waiting for a message with subject containing "Reset" and to ana@example.test and text containing "/reset?token=" in sandbox 4288340 (received at most 30 s before the wait began): [n] polls, 2 messages in the window, none matched (latest subjects: "Confirm your address", "Welcome, Ana"). Check the filter and that the message is sent to this sandbox, or raise WaitFor::timeout"#);
    });
}

#[tokio::test]
async fn timeout_with_nothing_new() {
    let server = Server::with_mail(vec![mail(1, "Old")]);
    let client = server.start().await;
    let err = client
        .sandbox(SANDBOX)
        .wait_for(MessageFilter::new())
        .poll_interval(Duration::from_millis(30))
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    let Error::WaitTimeout(timeout) = &err else {
        panic!("expected a wait timeout, got {err:?}");
    };
    // The leftover is reported with its id and time, and how to include it.
    assert_eq!(
        timeout.outside_match.as_ref().map(|outside| outside.id),
        Some(MessageId::new(1))
    );
    assert_cut_by_the_deadline_at_most(timeout);
    insta::with_settings!({filters => timeout_filters()}, {
        insta::assert_snapshot!(err.to_string(), @r#"timed out after [elapsed] s waiting for any message in sandbox 4288340 (received at most 30 s before the wait began): [n] polls, no message in the window; message 1 ("Old") matches but was received before the window, at [time]. To include it, start the window there with WaitFor::received_after([time]) or widen it with WaitFor::look_back"#);
    });
}

#[tokio::test]
async fn rate_limiting_slows_polling_down_instead_of_failing() {
    let interval = Duration::from_millis(40);
    let server = Server::with_mail(vec![mail(1, "Old")])
        .rate_limit(&[2, 3])
        .deliver_after(4, vec![mail(2, "Reset your password")]);
    let client = server.start().await;
    let message = client
        .sandbox(SANDBOX)
        .wait_for(MessageFilter::new().subject("Reset"))
        .poll_interval(interval)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(message.id, MessageId::new(2));
    let calls = server.lists();
    let statuses: Vec<u16> = calls.iter().map(|call| call.status).collect();
    assert_eq!(statuses, [200, 429, 429, 200, 200]);
    // After each 429 the wait doubles: 2 and then 4 intervals (lower bounds only).
    assert!(calls[2].at - calls[1].at >= interval * 2, "{calls:?}");
    assert!(calls[3].at - calls[2].at >= interval * 4, "{calls:?}");
    // Back to the normal pace after a success.
    assert!(calls[4].at - calls[3].at < interval * 4, "{calls:?}");
}

#[tokio::test]
async fn other_errors_end_the_wait() {
    let server = Server::default();
    let client = server.start().await;
    let err = client
        .sandbox(999)
        .wait_for(MessageFilter::new())
        .poll_interval(fast())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn filters_describe_themselves() {
    assert_eq!(MessageFilter::new().to_string(), "any message");
    assert_eq!(
        MessageFilter::new()
            .subject_is("Hi")
            .from("a@example.test")
            .html_contains("<b>")
            .to_string(),
        "a message with subject \"Hi\" and from a@example.test and HTML containing \"<b>\""
    );
    assert_eq!(
        format!("{:?}", MessageFilter::new().subject("x")),
        "MessageFilter(\"a message with subject containing \\\"x\\\"\")"
    );
}

#[tokio::test]
async fn a_busy_window_is_paged_through_once_then_each_poll_reads_one_page() {
    // 600 messages received just now (20 pages, all in the look-back window), none awaited;
    // the awaited one arrives after the 25th listing.
    let server = Server::default();
    server.store_noise(1..=600);
    let server = server.deliver_after(25, vec![mail(601, "Your code")]);
    let client = server.start().await;
    assert_eq!(
        wait_fast_for(&client, MessageFilter::new().subject("code")).await,
        MessageId::new(601)
    );
    let last_ids = server.listed_last_ids();
    // The window's start, the first poll's 20 pages, then one page per poll (each page
    // reaches what the first poll listed): 26 requests, where reading the whole window at
    // every poll took 1 + 20 per poll (at the default 1 s interval against Mailtrap, 200
    // per 10 s, past its limit of 150).
    let mut expected = vec![None, None];
    expected.extend((1..20).map(|page| Some(601 - 30 * page)));
    expected.extend([None; 5]);
    assert_eq!(last_ids, expected);
}

#[tokio::test]
async fn mail_deleted_between_polls_hides_nothing_that_arrives_later() {
    // 60 messages received just now; after the first poll listed them all (up to 60), the
    // sandbox is cleaned, then the awaited one arrives with the next id (ids are never
    // reused).
    let server = Server::default();
    server.store_noise(1..=60);
    let server = server
        .clean_after(4)
        .deliver_after(5, vec![mail(61, "Your code")]);
    let client = server.start().await;
    assert_eq!(
        wait_fast_for(&client, MessageFilter::new().subject("code")).await,
        MessageId::new(61)
    );
    let last_ids = server.listed_last_ids();
    // The window's start; the first poll's two pages and the empty one below them (then the
    // cleaning); a poll that finds the sandbox empty; the poll that lists 61 alone (above
    // what was listed, so it pages on) and the empty page below it.
    assert_eq!(
        last_ids,
        [None, None, Some(31), Some(1), None, None, Some(61)]
    );
}

#[tokio::test]
async fn mail_listed_late_with_a_lower_id_is_still_read() {
    // 12 is listed before 11 (stored in the other order, as a server finishing two messages
    // out of order would show them): the poll after 11 appears reads the page holding both.
    let server = Server::default();
    server.store_noise(1..=10);
    server.store(mail(12, "Noise 12"));
    let server = server.deliver_after(2, vec![mail(11, "Your code")]);
    let client = server.start().await;
    assert_eq!(
        wait_fast_for(&client, MessageFilter::new().subject("code")).await,
        MessageId::new(11)
    );
    let last_ids = server.listed_last_ids();
    // The second poll stops at its first page (it reaches 12, listed before) and reads 11
    // on it.
    assert_eq!(last_ids, [None, None, Some(1), None]);
}

#[tokio::test]
async fn a_body_request_that_failed_is_made_again_at_the_next_poll() {
    let mut awaited = mail(21, "Your code");
    awaited.text = Some("Your code is 482913".to_owned());
    let server = Server::with_mail(vec![mail(20, "Old")])
        .deliver_after(1, vec![awaited])
        .fail_bodies(1);
    let client = server.start().await;
    let id = wait_fast_for(&client, MessageFilter::new().text_contains("482913")).await;
    assert_eq!(id, MessageId::new(21));
    // The first poll's body request got a 500 (polled through); the next poll asks again.
    assert_eq!(server.bodies(), [(21, "text"), (21, "text")]);
}

/// The only error a wait against a well-behaved server may end with: the deadline fell while a
/// poll's request was in flight, which on a busy machine is a matter of timing.
fn assert_cut_by_the_deadline_at_most(timeout: &mailtrap_sandbox::wait::WaitTimeout) {
    assert!(
        matches!(
            timeout.last_error.as_deref(),
            None | Some("a request was still running at the deadline")
        ),
        "{timeout:?}"
    );
}

/// Replaces what depends on timing in a wait timeout's message: the elapsed time, the number of
/// polls, the clock and whether the deadline fell during a request.
fn timeout_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"after \d+\.\d s", "after [elapsed] s"),
        (r"\d+ polls", "[n] polls"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[time]"),
        (
            "; last error: a request was still running at the deadline",
            "",
        ),
    ]
}
