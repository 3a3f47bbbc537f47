//! The web inbox over real HTTP: signing in, the list, a message's tabs, the preview's
//! sandbox, protection of changes, live updates, downloads, and `web_ui = false`. (What only
//! a browser can show, such as scripts not running, is in the workspace's browser tests.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use std::time::Duration;

use futures_util::StreamExt as _;
use http_support::{Env, TOKEN, rich_message, start, start_with};
use mailtrap_sandbox_emulator::EmulatorConfig;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// A browser-like client of the inbox: no automatic redirects, its session cookie by hand.
struct Inbox {
    env: Env,
    client: reqwest::Client,
    cookie: String,
}

impl Inbox {
    async fn start() -> Self {
        Self::signed_in(start().await).await
    }

    async fn signed_in(env: Env) -> Self {
        let client = browser();
        let response = sign_in(&client, &env, &[("token", TOKEN)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = cookie_of(&response);
        Self {
            env,
            client,
            cookie,
        }
    }

    fn sandbox_path(&self) -> String {
        format!("/ui/sandboxes/{}", self.env.sandbox())
    }

    async fn get(&self, path: &str) -> Response {
        get(&self.client, &self.env.url(path), Some(&self.cookie)).await
    }

    async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/html; charset=utf-8",
            "{path}"
        );
        response.text().await.unwrap()
    }

    /// The anti-forgery token embedded in the inbox's forms.
    async fn csrf(&self) -> String {
        let page = self.page(&self.sandbox_path()).await;
        let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
        page[start..start + 32].to_owned()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], origin: Option<&str>) -> Response {
        let mut request = self
            .client
            .post(self.env.url(path))
            .header(COOKIE, &self.cookie)
            .form_body(form);
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        request.send().await.unwrap()
    }

    async fn api_message(&self, id: u64) -> Response {
        self.env
            .get(&format!(
                "/api/sandboxes/{}/messages/{id}",
                self.env.sandbox()
            ))
            .await
    }
}

/// Sends a form, as a browser does.
trait FormBody {
    fn form_body<V: AsRef<str>>(self, pairs: &[(&str, V)]) -> Self;
}

impl FormBody for reqwest::RequestBuilder {
    fn form_body<V: AsRef<str>>(self, pairs: &[(&str, V)]) -> Self {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            body.append_pair(name, value.as_ref());
        }
        self.header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.finish())
    }
}

/// A client that does not follow redirects, as the tests look at them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET url`, with the session cookie when given.
async fn get(client: &reqwest::Client, url: &str, cookie: Option<&str>) -> Response {
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

/// Posts the sign-in form.
async fn sign_in(client: &reqwest::Client, env: &Env, fields: &[(&str, &str)]) -> Response {
    client
        .post(env.url("/ui/login"))
        .form_body(fields)
        .send()
        .await
        .unwrap()
}

/// `name=value` of the response's session cookie.
fn cookie_of(response: &Response) -> String {
    let set = response.headers()[SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// The ids of the message rows of a page, in order.
fn row_ids(page: &str) -> Vec<u64> {
    page.match_indices("<li class=\"row")
        .map(|(at, _)| {
            let rest = &page[at..];
            let start = rest.find("data-id=\"").unwrap() + 9;
            let end = start + rest[start..].find('"').unwrap();
            rest[start..end].parse().unwrap()
        })
        .collect()
}

#[tokio::test]
async fn signing_in_takes_an_api_token_kept_in_a_strict_http_only_cookie() {
    let env = start().await;
    let client = browser();
    let root = get(&client, &env.url("/"), None).await;
    assert_eq!(root.status(), StatusCode::SEE_OTHER);
    assert_eq!(root.headers()[LOCATION], "/ui/login");
    let login = get(&client, &env.url("/ui/login"), None).await;
    assert_eq!(login.status(), StatusCode::OK);
    assert!(login.text().await.unwrap().contains("name=\"token\""));

    let wrong = sign_in(&client, &env, &[("token", "not-the-token")]).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("not one of the emulator's API tokens")
    );

    // The link `serve` prints signs in and leaves the token out of the address.
    let link = env.emu.summary().web_inbox_url.clone().unwrap();
    assert_eq!(link, env.url(&format!("/?token={TOKEN}")));
    let signed = get(&client, &link, None).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed.headers()[LOCATION], "/");
    let set = signed.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=2592000"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(
        !set.contains(TOKEN),
        "the cookie does not show the token as is: {set}"
    );
    let cookie = cookie_of(&signed);
    let root = get(&client, &env.url("/"), Some(&cookie)).await;
    assert_eq!(
        root.headers()[LOCATION],
        format!("/ui/sandboxes/{}", env.sandbox()).as_str()
    );

    // The cookie opens the inbox only, never the API.
    let api = get(&client, &env.url("/api/sandboxes"), Some(&cookie)).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);

    // Signed out: pages go to the sign-in page and come back; background requests get 401.
    let url = env.url(&format!("/ui/sandboxes/{}?q=a b", env.sandbox()));
    let page = get(&client, &url, None).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        page.headers()[LOCATION],
        format!(
            "/ui/login?next=%2Fui%2Fsandboxes%2F{}%3Fq%3Da%2520b",
            env.sandbox()
        )
        .as_str()
    );
    let events = get(&client, &env.url("/ui/events"), None).await;
    assert_eq!(events.status(), StatusCode::UNAUTHORIZED);
    let next = format!("/ui/sandboxes/{}?q=a%20b", env.sandbox());
    let back = sign_in(&client, &env, &[("token", TOKEN), ("next", &next)]).await;
    assert_eq!(back.headers()[LOCATION], next.as_str());
    let elsewhere = sign_in(
        &client,
        &env,
        &[("token", TOKEN), ("next", "//evil.example/")],
    )
    .await;
    assert_eq!(elsewhere.headers()[LOCATION], "/");
}

#[tokio::test]
async fn any_api_token_signs_in_until_it_is_deleted() {
    let inbox = Inbox::start().await;
    let created = inbox
        .env
        .ok_json(
            Method::POST,
            "/api/api_tokens",
            &json!({"name": "Browser", "resources": [{"resource_type": "project", "resource_id": inbox.env.project().to_string(), "access_level": 10}]}),
        )
        .await;
    let token = created["token"].as_str().unwrap();
    let response = sign_in(&inbox.client, &inbox.env, &[("token", token)]).await;
    let cookie = cookie_of(&response);
    let url = inbox.env.url(&inbox.sandbox_path());
    let page = |cookie: String| {
        let client = inbox.client.clone();
        let url = url.clone();
        async move { get(&client, &url, Some(&cookie)).await.status() }
    };
    assert_eq!(page(cookie.clone()).await, StatusCode::OK);
    let deleted = inbox
        .env
        .req(
            Method::DELETE,
            &format!("/api/api_tokens/{}", created["id"]),
        )
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    assert_eq!(page(cookie).await, StatusCode::SEE_OTHER);

    let out = inbox
        .post("/ui/logout", &[("csrf", &inbox.csrf().await)], None)
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn pages_carry_a_strict_policy_and_are_never_framed() {
    let inbox = Inbox::start().await;
    let response = inbox.get(&inbox.sandbox_path()).await;
    let headers = response.headers();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn the_list_is_newest_first_escaped_searchable_and_paged_like_the_api() {
    let inbox = Inbox::start().await;
    let sandbox = inbox.env.sandbox();
    let mut ids = Vec::new();
    for n in 1..=35 {
        let subject = format!("Message {n}");
        ids.push(
            inbox
                .env
                .deliver_simple(sandbox, &subject, "ana@example.test", "Hello")
                .await,
        );
    }
    let hostile = inbox
        .env
        .deliver_simple(
            sandbox,
            "<script>alert(1)</script> & \"quotes\"",
            "ana@example.test",
            "x",
        )
        .await;

    let page = inbox.page(&inbox.sandbox_path()).await;
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
        "the subject is escaped"
    );
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("36 messages"));
    let first = row_ids(&page);
    assert_eq!(first.len(), 30);
    assert_eq!(first[0], hostile);
    assert_eq!(first[1], ids[34]);

    // The next page continues below the last row, as the API's last_id does.
    let older = format!("{}?before={}", inbox.sandbox_path(), first[29]);
    assert!(page.contains(&format!("href=\"{older}\"")));
    let second = row_ids(&inbox.page(&older).await);
    let api: Vec<u64> = inbox
        .env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages?last_id={}",
            first[29]
        ))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    assert_eq!(second, api);
    assert_eq!(second.len(), 6);
    let rows = inbox
        .page(&format!(
            "{}/rows?before={}",
            inbox.sandbox_path(),
            first[29]
        ))
        .await;
    assert_eq!(row_ids(&rows), api, "the fragment the script appends");

    // Search has the API's semantics (here: subjects "Message 3" and "Message 30".."35").
    let found = row_ids(
        &inbox
            .page(&format!("{}?q=MESSAGE+3", inbox.sandbox_path()))
            .await,
    );
    let api: Vec<u64> = inbox
        .env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages?search=MESSAGE%203"
        ))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    assert_eq!(found, api);
    assert_eq!(found.len(), 7);
    let none = inbox
        .page(&format!("{}?q=%3Cnothing%3E", inbox.sandbox_path()))
        .await;
    assert!(none.contains("No message matches “&lt;nothing&gt;”."));
}

#[tokio::test]
async fn a_message_shows_every_tab_and_is_marked_read_on_open() {
    let inbox = Inbox::start().await;
    let sandbox = inbox.env.sandbox();
    let id = inbox
        .env
        .deliver(
            sandbox,
            &rich_message(),
            &[
                "bob@example.test",
                "carol@example.test",
                "hidden@example.test",
            ],
        )
        .await;
    let base = format!("{}/messages/{id}", inbox.sandbox_path());
    let page = inbox.page(&base).await;
    assert!(page.contains("<h1>Quarterly report</h1>"));
    assert!(page.contains("Ada Lovelace &lt;ada@example.test&gt;"));
    assert!(
        page.contains("hidden@example.test"),
        "Bcc from the envelope"
    );
    assert!(
        page.contains("sandbox=\"allow-popups allow-popups-to-escape-sandbox\""),
        "the preview frame runs no script and has no origin"
    );
    let api: Value = inbox.api_message(id).await.json().await.unwrap();
    assert_eq!(api["is_read"], true);

    let tab = |name: &str| format!("{base}?tab={name}");
    let text = inbox.page(&tab("text")).await;
    assert!(text.contains("<pre class=\"text\">The report is attached."));
    let links = inbox.page(&tab("links")).await;
    assert!(links.contains("The message has no links."));
    assert!(links.contains("No one-time code found"));
    assert!(links.contains("Unrendered placeholders"));
    let source = inbox.page(&tab("source")).await;
    assert!(source.contains("<span class=\"t\">&lt;img</span> <span class=\"a\">src</span>"));
    let raw = inbox.page(&tab("raw")).await;
    assert!(raw.contains("Message-ID: &lt;report-1@example.test&gt;"));
    let headers = inbox.page(&tab("headers")).await;
    assert!(headers.contains("<th scope=\"row\">X-Custom-Header</th><td>custom value</td>"));
    assert!(headers.contains("hidden@example.test"));
    let attachments = inbox.page(&tab("attachments")).await;
    assert!(attachments.contains("report.pdf"));
    assert!(attachments.contains(&format!("src=\"{base}/attachments/0?inline=1\"")));
    assert!(
        !attachments.contains(&format!("{base}/attachments/1?inline=1")),
        "no thumbnail for a PDF"
    );
    let spam = inbox.page(&tab("spam")).await;
    assert!(spam.contains("of a threshold of 5.0"));
    let check = inbox.page(&tab("check")).await;
    assert!(check.contains("No construct") || check.contains("<table class=\"rules\">"));
    // An unknown tab falls back to the HTML.
    assert!(inbox.page(&tab("nope")).await.contains("iframe"));

    let missing = inbox
        .get(&format!("{}/messages/1", inbox.sandbox_path()))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let missing = inbox.get("/ui/sandboxes/1").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_preview_is_sandboxed_and_loads_nothing_remote_until_asked() {
    let inbox = Inbox::start().await;
    let sandbox = inbox.env.sandbox();
    let id = inbox
        .env
        .deliver(sandbox, &rich_message(), &["bob@example.test"])
        .await;
    let preview = format!("{}/messages/{id}/preview", inbox.sandbox_path());
    let response = inbox.get(&preview).await;
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(policy.contains("img-src data:;"), "{policy}");
    assert!(
        policy.contains("sandbox allow-popups allow-popups-to-escape-sandbox"),
        "{policy}"
    );
    assert!(!policy.contains("allow-scripts") && !policy.contains("allow-same-origin"));
    assert!(
        !policy.contains("script-src"),
        "scripts fall under default-src 'none'"
    );
    let body = response.text().await.unwrap();
    assert!(
        body.starts_with("<html><body><base target=\"_blank\">")
            || body.contains("<base target=\"_blank\">")
    );
    assert!(
        body.contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\">"),
        "inline images are embedded: {body}"
    );

    let remote = inbox.get(&format!("{preview}?remote=1")).await;
    let policy = remote.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(policy.contains("img-src data: http: https:;"), "{policy}");
    assert!(policy.contains("sandbox allow-popups"), "{policy}");
}

#[tokio::test]
async fn the_page_says_how_much_remote_content_is_blocked() {
    let inbox = Inbox::start().await;
    let raw = "From: a@example.test\nTo: b@example.test\nSubject: Remote\n\
               Content-Type: text/html\n\n\
               <p><img src=\"https://img.example/a.png\"><img src=\"http://img.example/b.png\"></p>\n";
    let id = inbox
        .env
        .deliver(inbox.env.sandbox(), raw, &["b@example.test"])
        .await;
    let base = format!("{}/messages/{id}", inbox.sandbox_path());
    let page = inbox.page(&base).await;
    assert!(page.contains("this message loads 2 resources from other hosts"));
    assert!(page.contains(&format!("src=\"{base}/preview\"")));
    let asked = inbox.page(&format!("{base}?remote=1")).await;
    assert!(asked.contains(&format!("src=\"{base}/preview?remote=1\"")));
    assert!(asked.contains("Remote content is loaded."));
}

#[tokio::test]
async fn changes_need_this_origin_and_the_form_token() {
    let inbox = Inbox::start().await;
    let sandbox = inbox.env.sandbox();
    let id = inbox
        .env
        .deliver_simple(sandbox, "Keep me", "ana@example.test", "x")
        .await;
    let delete = format!("{}/messages/{id}/delete", inbox.sandbox_path());
    let origin = inbox.env.emu.base_url().to_owned();
    let csrf = inbox.csrf().await;

    let no_token = inbox.post(&delete, &[], Some(&origin)).await;
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let wrong_token = inbox
        .post(&delete, &[("csrf", &"0".repeat(32))], Some(&origin))
        .await;
    assert_eq!(wrong_token.status(), StatusCode::FORBIDDEN);
    // Another port of the same host is the same site (the cookie goes along), not the same
    // origin.
    let other_port = inbox
        .post(&delete, &[("csrf", &csrf)], Some("http://127.0.0.1:1"))
        .await;
    assert_eq!(other_port.status(), StatusCode::FORBIDDEN);
    let same_site = inbox
        .client
        .post(inbox.env.url(&delete))
        .header(COOKIE, &inbox.cookie)
        .header("sec-fetch-site", "same-site")
        .form_body(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::FORBIDDEN);
    let signed_out = inbox
        .client
        .post(inbox.env.url(&delete))
        .form_body(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(inbox.api_message(id).await.status(), StatusCode::OK);

    let deleted = inbox.post(&delete, &[("csrf", &csrf)], Some(&origin)).await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(inbox.api_message(id).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_actions_do_what_the_api_does() {
    let inbox = Inbox::start().await;
    let sandbox = inbox.env.sandbox();
    let origin = inbox.env.emu.base_url().to_owned();
    let csrf = inbox.csrf().await;
    let first = inbox
        .env
        .deliver_simple(sandbox, "First", "ana@example.test", "x")
        .await;
    let second = inbox
        .env
        .deliver_simple(sandbox, "Second", "ana@example.test", "x")
        .await;
    let message = |id: u64| format!("{}/messages/{id}", inbox.sandbox_path());
    let is_read = |id: u64| {
        let response = inbox.api_message(id);
        async move { response.await.json::<Value>().await.unwrap()["is_read"].clone() }
    };

    inbox.page(&message(first)).await;
    assert_eq!(is_read(first).await, true);
    let back = format!("{}?q=First", inbox.sandbox_path());
    let unread = inbox
        .post(
            &format!("{}/read", message(first)),
            &[("csrf", &csrf), ("read", "false"), ("back", &back)],
            Some(&origin),
        )
        .await;
    assert_eq!(unread.status(), StatusCode::SEE_OTHER);
    assert_eq!(unread.headers()[LOCATION], back.as_str());
    assert_eq!(is_read(first).await, false);

    let forwarded = inbox
        .post(
            &format!("{}/forward", message(second)),
            &[("csrf", &csrf), ("email", "qa@example.test")],
            Some(&origin),
        )
        .await;
    assert_eq!(forwarded.status(), StatusCode::SEE_OTHER);
    let forwards = inbox.env.get_json("/_emulator/forwards").await;
    assert_eq!(forwards[0]["email"], "qa@example.test");
    assert_eq!(forwards[0]["message_id"], second);
    // The API's address rules: `qa@localhost` has a one-label domain.
    for email in ["not an address", "qa@localhost"] {
        let invalid = inbox
            .post(
                &format!("{}/forward", message(second)),
                &[("csrf", &csrf), ("email", email)],
                Some(&origin),
            )
            .await;
        assert_eq!(
            invalid.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email}"
        );
    }

    let all_read = inbox
        .post(
            &format!("{}/read", inbox.sandbox_path()),
            &[("csrf", &csrf)],
            Some(&origin),
        )
        .await;
    assert_eq!(all_read.status(), StatusCode::SEE_OTHER);
    assert_eq!(is_read(first).await, true);
    assert_eq!(is_read(second).await, true);

    let cleaned = inbox
        .post(
            &format!("{}/clean", inbox.sandbox_path()),
            &[("csrf", &csrf)],
            Some(&origin),
        )
        .await;
    assert_eq!(cleaned.status(), StatusCode::SEE_OTHER);
    let left = inbox
        .env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages"))
        .await;
    assert_eq!(left, json!([]));
    let gone = inbox
        .post(
            &format!("{}/delete", message(first)),
            &[("csrf", &csrf)],
            Some(&origin),
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

/// Reads server-sent events until one contains `needle`; returns it.
async fn next_event(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
    needle: &str,
) -> Value {
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: "))
                    && data.contains(needle)
                {
                    return serde_json::from_str::<Value>(data).unwrap();
                }
            }
            let chunk = stream.next().await.expect("the stream stays open").unwrap();
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no event with {needle} in 10 s"))
}

#[tokio::test]
async fn live_updates_are_pushed_by_the_store() {
    let inbox = Inbox::start().await;
    let sandbox = inbox.env.sandbox();
    let response = inbox.get("/ui/events").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();

    let id = inbox
        .env
        .deliver_simple(sandbox, "Live", "ana@example.test", "x")
        .await;
    let added = next_event(&mut stream, &mut buffer, "\"added\"").await;
    assert_eq!(
        added,
        json!({"type": "added", "sandbox": sandbox, "message": id, "count": 1, "unread": 1})
    );
    inbox
        .env
        .ok_json(
            Method::PATCH,
            &format!("/api/sandboxes/{sandbox}/messages/{id}"),
            &json!({"message": {"is_read": true}}),
        )
        .await;
    let read = next_event(&mut stream, &mut buffer, "\"read\"").await;
    assert_eq!(read["read"], true);
    assert_eq!(read["unread"], 0);
    inbox
        .env
        .req(
            Method::DELETE,
            &format!("/api/sandboxes/{sandbox}/messages/{id}"),
        )
        .send()
        .await
        .unwrap();
    let deleted = next_event(&mut stream, &mut buffer, "\"deleted\"").await;
    assert_eq!(deleted["count"], 0);
    inbox
        .env
        .ok_json(
            Method::POST,
            &format!("/api/projects/{}/sandboxes", inbox.env.project()),
            &json!({"sandbox": {"name": "Second"}}),
        )
        .await;
    next_event(&mut stream, &mut buffer, "\"resources\"").await;

    // The stream ends when the emulator stops, so that stopping does not wait for browsers.
    inbox.env.emu.shutdown().await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
}

#[tokio::test]
async fn attachments_download_and_only_raster_images_show_inline() {
    let inbox = Inbox::start().await;
    let id = inbox
        .env
        .deliver(inbox.env.sandbox(), &rich_message(), &["bob@example.test"])
        .await;
    let base = format!("{}/messages/{id}/attachments", inbox.sandbox_path());
    let pdf = inbox.get(&format!("{base}/1?inline=1")).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()[CONTENT_TYPE], "application/pdf");
    assert!(
        pdf.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"report.pdf\"")
    );
    assert_eq!(
        pdf.headers()["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    assert_eq!(pdf.headers()["x-content-type-options"], "nosniff");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
    let png = inbox.get(&format!("{base}/0?inline=1")).await;
    assert_eq!(png.headers()["content-disposition"], "inline");
    assert_eq!(png.headers()[CONTENT_TYPE], "image/png");
    let missing = inbox.get(&format!("{base}/2")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let eml = inbox
        .get(&format!("{}/messages/{id}/eml", inbox.sandbox_path()))
        .await;
    assert_eq!(eml.headers()[CONTENT_TYPE], "message/rfc822");
    assert!(
        eml.text()
            .await
            .unwrap()
            .contains("Subject: Quarterly report")
    );
}

#[tokio::test]
async fn assets_are_embedded_and_cached_for_good() {
    let inbox = Inbox::start().await;
    let page = inbox.page(&inbox.sandbox_path()).await;
    for name in ["app.css", "app.js", "icon.svg"] {
        let start = page.find(&format!("/ui/assets/{name}?v=")).unwrap();
        let end = start + page[start..].find('"').unwrap();
        let response = inbox
            .client
            .get(inbox.env.url(&page[start..end]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{name} needs no session");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    let missing = inbox.get("/ui/assets/other.js").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn faults_and_the_rate_limit_never_touch_the_inbox() {
    let mut config = EmulatorConfig::ephemeral();
    config.enforce_rate_limit = true;
    let inbox = Inbox::signed_in(start_with(config).await).await;
    inbox
        .env
        .ok_json(
            Method::POST,
            "/_emulator/faults",
            &json!({"kind": "fail", "status": 503}),
        )
        .await;
    for _ in 0..160 {
        assert_eq!(
            inbox.get(&inbox.sandbox_path()).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        inbox.env.get("/api/sandboxes").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn without_the_inbox_nothing_is_served_at_the_root() {
    let mut config = EmulatorConfig::ephemeral();
    config.web_ui = false;
    let env = start_with(config).await;
    assert_eq!(env.emu.summary().web_inbox_url, None);
    assert!(!env.emu.summary().to_string().contains("Web inbox"));
    for path in ["/", "/ui/login", &format!("/?token={TOKEN}")] {
        let response = env.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(env.get("/api/sandboxes").await.status(), StatusCode::OK);
}
