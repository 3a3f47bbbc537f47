//! The emulator's web inbox in a real browser: headless Chromium, driven over WebDriver
//! (`chromedriver`), against the emulator started in-process on 127.0.0.1, port 0.
//!
//! What only a browser can show: mail sent over SMTP and through the sending API listed; a
//! message's HTML inside the sandboxed frame with its `<script>` not run; new mail appearing
//! while the page is open, within 2 s; search, mark unread, delete, clean and an attachment's
//! download, done by clicking. Screenshots of the inbox and of a message are saved under
//! `target/web-inbox/` (and, with `MAILTRAP_README_SCREENSHOT=1`, the one the README shows).
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `CHROME_BIN` and `CHROMEDRIVER` name other binaries). Without them each test says so and
//! passes, unless `MAILTRAP_BROWSER_TESTS=require` (set by `.ci/run`), which makes a missing
//! browser a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use lettre::AsyncTransport;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart, header};
use mailtrap_sandbox::{Email, MessageId};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::{Value, json};
use support::smtp_mailer;
use tempfile::TempDir;

/// One browser at a time: the live-update deadline is about the inbox, not about a machine
/// busy starting several browsers.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long a page may take to show what a test waits for (except the live deadline).
const PATIENCE: Duration = Duration::from_secs(15);

/// The live-update promise: a message sent while the page is open is listed within 2 s.
const LIVE_DEADLINE: Duration = Duration::from_secs(2);

const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,800",
];

/// `name` as given by `variable`, or found on `PATH` under one of `names`.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable).map(PathBuf::from) {
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The browser and its driver, or why there is none.
fn browser_programs() -> Result<(PathBuf, PathBuf), String> {
    let chromium = program(
        "CHROME_BIN",
        &["chromium", "chromium-browser", "google-chrome", "chrome"],
    );
    let driver = program("CHROMEDRIVER", &["chromedriver"]);
    match (chromium, driver) {
        (Some(chromium), Some(driver)) => Ok((chromium, driver)),
        (chromium, driver) => Err(format!(
            "no {} found (install Debian's chromium and chromium-driver, or set CHROME_BIN and \
             CHROMEDRIVER)",
            match (chromium, driver) {
                (None, None) => "Chromium and no chromedriver",
                (None, Some(_)) => "Chromium",
                _ => "chromedriver",
            }
        )),
    }
}

/// A chromedriver process, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium session with its own profile and download folder.
struct Browser {
    client: Client,
    downloads: TempDir,
    _profile: TempDir,
    _driver: Driver,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts one, or returns `None` (after saying why) when no browser is installed and the
    /// browser tests are not required.
    async fn start() -> Option<Self> {
        let (chromium, driver_path) = match browser_programs() {
            Ok(found) => found,
            Err(why) => {
                assert!(
                    std::env::var("MAILTRAP_BROWSER_TESTS").as_deref() != Ok("require"),
                    "MAILTRAP_BROWSER_TESTS=require, but {why}"
                );
                eprintln!("skipped: the web inbox's browser test needs a browser: {why}");
                return None;
            }
        };
        let turn = ONE_AT_A_TIME.lock().await;
        let port = free_port();
        let driver = Driver(
            Command::new(&driver_path)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{} did not start: {e}", driver_path.display())),
        );
        let url = format!("http://127.0.0.1:{port}");
        wait_until_up(&url).await;
        let profile = TempDir::new().unwrap();
        let downloads = TempDir::new().unwrap();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("no browser session from {}: {e}", driver_path.display()));
        Some(Self {
            client,
            downloads,
            _profile: profile,
            _driver: driver,
            _turn: turn,
        })
    }

    /// Opens the inbox with the token-bearing link `serve` prints, which signs in.
    async fn sign_in(&self, emulator: &RunningEmulator) {
        self.goto(&format!(
            "{}/?token={}",
            emulator.base_url(),
            emulator.api_token()
        ))
        .await;
        self.find(".rows, .empty").await;
    }

    /// Signs in as a person does: the inbox's address, then the token typed into the form.
    async fn sign_in_with_the_form(&self, emulator: &RunningEmulator) {
        self.goto(emulator.base_url()).await;
        let field = self.find("input#token").await;
        field
            .send_keys(&format!("{}\u{E007}", emulator.api_token()))
            .await
            .unwrap();
        self.find(".rows, .empty").await;
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// The first element matching `css`, waiting for it.
    async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(error) => panic!("no {css} on {}: {error}", self.where_we_are().await),
        }
    }

    /// The page's address and text, for a failure's message.
    async fn where_we_are(&self) -> String {
        let url = self.client.current_url().await.map(String::from);
        let text = match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        format!("{url:?}, which reads:\n{text}")
    }

    /// The subjects of the listed messages, in order, read in one go (the list may be
    /// replaced at any moment by a live update or a navigation); `None` while the page is
    /// changing.
    async fn subjects(&self) -> Option<Vec<String>> {
        let read = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll('.row .subject'), \
                 (e) => e.innerText.trim());",
                Vec::new(),
            )
            .await
            .ok()?;
        serde_json::from_value(read).ok()
    }

    /// Waits until the listed subjects are `expected`.
    async fn wait_for_subjects(&self, expected: &[&str]) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let subjects = self.subjects().await;
            if subjects.as_deref().is_some_and(|s| s == expected) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the list shows {subjects:?}, not {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the row of the message with `subject`, and waits for its page.
    async fn open(&self, subject: &str) {
        let row = self
            .client
            .find(Locator::XPath(&format!(
                "//li[contains(@class,'row')]//span[contains(@class,'subject')][normalize-space()='{subject}']"
            )))
            .await
            .unwrap_or_else(|e| panic!("no row for {subject:?}: {e}"));
        row.click().await.unwrap();
        let heading = self.find("#message h1").await;
        assert_eq!(heading.text().await.unwrap(), subject);
    }

    /// Clicks what `locator` finds, waiting for it.
    async fn click(&self, locator: Locator<'_>) {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(locator)
            .await
            .unwrap_or_else(|e| panic!("nothing to click at {locator:?}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks a button by its text.
    async fn press(&self, text: &str) {
        self.client
            .find(Locator::XPath(&format!(
                "//button[normalize-space()='{text}']"
            )))
            .await
            .unwrap_or_else(|e| panic!("no {text:?} button: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Saves a screenshot as `target/web-inbox/<name>`; returns its path.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let dir = target_dir().join("web-inbox");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }

    async fn close(self) {
        self.client.close().await.unwrap();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits for chromedriver to answer its status.
async fn wait_until_up(url: &str) {
    let deadline = Instant::now() + PATIENCE;
    let http = reqwest::Client::new();
    loop {
        if let Ok(response) = http.get(format!("{url}/status")).send().await
            && response.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer at {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

async fn emulator() -> RunningEmulator {
    EmulatorConfig::ephemeral().start().await.unwrap()
}

fn client(emulator: &RunningEmulator) -> mailtrap_sandbox::Client {
    mailtrap_sandbox::Client::builder()
        .api_token(emulator.api_token())
        .base_url(emulator.base_url())
        .send_base_url(emulator.base_url())
        .build()
        .unwrap()
}

/// Sends through the sending API; returns the stored message's id.
async fn send_api(emulator: &RunningEmulator, email: Email) -> MessageId {
    let outcome = client(emulator)
        .sandbox(emulator.sandbox().id)
        .send(email)
        .await
        .unwrap();
    *outcome.sandbox_message_ids().first().unwrap()
}

/// Sends over SMTP with the sandbox's credentials.
async fn send_smtp(emulator: &RunningEmulator, message: lettre::Message) {
    smtp_mailer(emulator).send(message).await.unwrap();
}

fn mailbox(address: &str) -> Mailbox {
    address.parse().unwrap()
}

/// A plain message over SMTP.
fn smtp_message(subject: &str, text: &str) -> lettre::Message {
    lettre::Message::builder()
        .from(mailbox("Billing <billing@shop.example.test>"))
        .to(mailbox("Ana <ana@example.test>"))
        .subject(subject)
        .body(text.to_owned())
        .unwrap()
}

/// The hostile part of a message: a script and an event handler that would mark the page if
/// they ran.
const HOSTILE_HTML: &str = r##"<!doctype html><html><head><title>Welcome</title></head>
<body style="margin:0;background:#f3f4f8;font-family:Helvetica,Arial,sans-serif;color:#1f2937">
<div style="max-width:520px;margin:32px auto;background:#fff;border-radius:12px;padding:32px">
<h1 id="greeting" style="margin:0 0 12px;font-size:24px">Welcome aboard, Ana</h1>
<p style="line-height:1.5">Thanks for signing up. Confirm your address to finish setting up
your account.</p>
<p style="margin:24px 0"><a href="https://app.example.test/confirm?t=Qx7"
style="background:#4f46e5;color:#fff;padding:12px 20px;border-radius:8px;text-decoration:none">Confirm
my address</a></p>
<p style="line-height:1.5">Or enter this code in the app: <b style="font-size:20px;letter-spacing:2px">482 915</b></p>
<p style="color:#6b7280;font-size:13px">The link and the code expire in 30 minutes.</p>
<p id="marker" hidden>script did not run</p>
</div>
<script>document.getElementById("marker").textContent = "script ran";
try { parent.document.title = "owned"; } catch (e) {}</script>
<img src="data:," onerror="document.body.dataset.handler = 'ran'" alt="">
</body></html>"##;

/// What the hostile message's script would have changed.
async fn marker_text(browser: &Browser) -> String {
    let marker = browser.find("#marker").await;
    marker
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

fn welcome_email() -> Email {
    Email::new()
        .from("Example App <no-reply@app.example.test>")
        .to("ana@example.test")
        .subject("Welcome aboard")
        .text("Confirm your address: https://app.example.test/confirm?t=Qx7\nYour code is 482 915.")
        .html(HOSTILE_HTML)
}

#[tokio::test]
async fn the_list_shows_smtp_and_api_mail_and_a_message_renders_sandboxed() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let emulator = emulator().await;
    send_smtp(
        &emulator,
        smtp_message("Your invoice #1042", "Invoice attached."),
    )
    .await;
    send_api(
        &emulator,
        Email::new()
            .from("Example App <security@app.example.test>")
            .to("ana@example.test")
            .subject("Reset your password")
            .text("Choose a new password: https://app.example.test/reset?t=d41d8"),
    )
    .await;
    send_smtp(
        &emulator,
        smtp_message("Order 7731 has shipped", "It arrives on Friday."),
    )
    .await;
    send_api(&emulator, welcome_email()).await;

    browser.sign_in(&emulator).await;
    let listed = [
        "Welcome aboard",
        "Order 7731 has shipped",
        "Reset your password",
        "Your invoice #1042",
    ];
    browser.wait_for_subjects(&listed).await;
    let badge = browser.find(".sandbox[aria-current] .badge").await;
    assert_eq!(
        badge.text().await.unwrap(),
        "4",
        "four unread in the side list"
    );
    browser.screenshot("inbox.png").await;

    browser.open("Welcome aboard").await;
    let frame = browser.find("iframe#preview").await;
    assert_eq!(
        frame.attr("sandbox").await.unwrap().as_deref(),
        Some("allow-popups allow-popups-to-escape-sandbox"),
        "no allow-scripts, no allow-same-origin"
    );
    // The message's document, inside its frame.
    frame.clone().enter_frame().await.unwrap();
    let greeting = browser.find("#greeting").await;
    assert_eq!(greeting.text().await.unwrap(), "Welcome aboard, Ana");
    assert_eq!(marker_text(&browser).await, "script did not run");
    let body = browser.find("body").await;
    assert_eq!(
        body.attr("data-handler").await.unwrap(),
        None,
        "an event handler of the mail ran"
    );
    browser.client.enter_parent_frame().await.unwrap();
    assert!(
        browser
            .client
            .title()
            .await
            .unwrap()
            .contains("Welcome aboard"),
        "the mail reached the inbox's page"
    );
    let shot = browser.screenshot("message.png").await;
    if std::env::var("MAILTRAP_README_SCREENSHOT").as_deref() == Ok("1") {
        let readme_image = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/web-inbox.png");
        std::fs::copy(&shot, readme_image).unwrap();
    }

    // Opened, so read: the bold row and the badge go.
    let row = browser.find(".row:has(a[aria-current])").await;
    assert!(!row.attr("class").await.unwrap().unwrap().contains("unread"));
    browser
        .client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(
            "//a[@aria-current='page']/span[contains(@class,'badge')][normalize-space()='3']",
        ))
        .await
        .unwrap();

    // Opened on its own, the preview is still sandboxed by its policy: the script does not run.
    let src = frame.attr("src").await.unwrap().unwrap();
    browser.goto(&format!("{}{src}", emulator.base_url())).await;
    assert_eq!(marker_text(&browser).await, "script did not run");

    // The links tab: the link and the code, as a test would find them.
    browser.client.back().await.unwrap();
    browser.find("#message").await;
    browser
        .client
        .find(Locator::XPath(
            "//nav[contains(@class,'tabs')]/a[starts-with(normalize-space(),'Links')]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(browser.find("#code").await.text().await.unwrap(), "482915");
    browser
        .find("a[href='https://app.example.test/confirm?t=Qx7']")
        .await;

    browser.close().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_message_sent_while_the_page_is_open_appears_within_two_seconds() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let emulator = emulator().await;
    browser.sign_in(&emulator).await;
    browser.find(".empty").await;
    // The page listens once its event stream is open.
    browser.find("html[data-live='on']").await;

    send_smtp(&emulator, smtp_message("Arrived live", "Hello")).await;
    let sent = Instant::now();
    browser
        .client
        .wait()
        .at_most(LIVE_DEADLINE)
        .every(Duration::from_millis(20))
        .for_element(Locator::XPath(
            "//li[contains(@class,'row')]//span[contains(@class,'subject')][normalize-space()='Arrived live']",
        ))
        .await
        .unwrap_or_else(|e| panic!("not listed {LIVE_DEADLINE:?} after it was sent: {e}"));
    eprintln!("listed {:?} after the SMTP send returned", sent.elapsed());
    let unread = browser.find("#counts [data-unread]").await;
    assert_eq!(unread.text().await.unwrap(), "1");

    // And through the API, while the page still shows the first one.
    send_api(
        &emulator,
        Email::new()
            .from("app@example.test")
            .to("ana@example.test")
            .subject("Second, live")
            .text("Hi"),
    )
    .await;
    let within = tokio::time::timeout(
        LIVE_DEADLINE,
        browser.wait_for_subjects(&["Second, live", "Arrived live"]),
    )
    .await;
    assert!(
        within.is_ok(),
        "the API's message was not listed within 2 s"
    );
    assert_eq!(
        browser
            .find(".sandbox[aria-current] .badge")
            .await
            .text()
            .await
            .unwrap(),
        "2"
    );
    browser.close().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn search_mark_unread_delete_download_and_clean_by_clicking() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let emulator = emulator().await;
    let sandbox = client(&emulator).sandbox(emulator.sandbox().id);
    let pdf: Vec<u8> = b"%PDF-1.4\n% a small test file\n".repeat(40);
    let with_attachment = lettre::Message::builder()
        .from(mailbox("Billing <billing@shop.example.test>"))
        .to(mailbox("Ana <ana@example.test>"))
        .subject("Receipt with PDF")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain("Your receipt is attached.".to_owned()))
                .singlepart(LettreAttachment::new("receipt.pdf".to_owned()).body(
                    pdf.clone(),
                    header::ContentType::parse("application/pdf").unwrap(),
                )),
        )
        .unwrap();
    send_smtp(&emulator, with_attachment).await;
    send_smtp(&emulator, smtp_message("Quarterly invoice", "Invoice 7")).await;
    let newsletter = send_api(
        &emulator,
        Email::new()
            .from("news@example.test")
            .to("ana@example.test")
            .subject("Weekly news")
            .text("News"),
    )
    .await;

    browser.sign_in_with_the_form(&emulator).await;
    browser
        .wait_for_subjects(&["Weekly news", "Quarterly invoice", "Receipt with PDF"])
        .await;

    // Search, with the keyboard: "/" focuses the box.
    browser.find("body").await.send_keys("/").await.unwrap();
    let search = browser.client.active_element().await.unwrap();
    assert_eq!(search.attr("id").await.unwrap().as_deref(), Some("search"));
    search.send_keys("invoice\u{E007}").await.unwrap(); // Enter
    browser.wait_for_subjects(&["Quarterly invoice"]).await;
    browser.find("a.clear").await.click().await.unwrap();
    browser
        .wait_for_subjects(&["Weekly news", "Quarterly invoice", "Receipt with PDF"])
        .await;

    // Mark unread: opening read it, the button unreads it.
    browser.open("Weekly news").await;
    let message = sandbox.message(newsletter);
    assert!(message.get().await.unwrap().is_read);
    browser.press("Mark unread").await;
    // Back on the list with all three unread (the two never opened were unread already, so
    // any one unread row proves nothing).
    wait_until(
        &browser,
        "return !document.querySelector('#message') \
         && document.querySelectorAll('.row.unread').length === 3;",
    )
    .await;
    assert!(!message.get().await.unwrap().is_read);

    // Download an attachment: the file lands in the download folder, byte for byte.
    browser.open("Receipt with PDF").await;
    browser
        .client
        .find(Locator::XPath(
            "//nav[contains(@class,'tabs')]/a[starts-with(normalize-space(),'Attachments')]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .find("table.attachments a[download]")
        .await
        .click()
        .await
        .unwrap();
    let file = browser.downloads.path().join("receipt.pdf");
    let deadline = Instant::now() + PATIENCE;
    while std::fs::read(&file).ok().as_deref() != Some(pdf.as_slice()) {
        assert!(
            Instant::now() < deadline,
            "receipt.pdf was not downloaded whole (folder: {:?})",
            std::fs::read_dir(browser.downloads.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Delete: gone from the list and from the API.
    browser.open("Weekly news").await;
    browser.press("Delete").await;
    browser
        .wait_for_subjects(&["Quarterly invoice", "Receipt with PDF"])
        .await;
    assert!(message.get().await.unwrap_err().is_not_found());

    // Clean the sandbox, after the confirmation.
    browser.press("Clean sandbox").await;
    browser.client.accept_alert().await.unwrap();
    browser.find(".empty").await;
    browser.wait_for_subjects(&[]).await;
    assert!(sandbox.messages().list().send().await.unwrap().is_empty());

    browser.close().await;
    emulator.shutdown().await;
}

/// Reads a number the page computes, waiting until it is there (`null` until then).
async fn page_number(browser: &Browser, script: &str) -> f64 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = browser
            .client
            .execute(script, Vec::new())
            .await
            .unwrap()
            .as_f64()
        {
            return value;
        }
        assert!(Instant::now() < deadline, "no value from {script}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// What one load of a page took, from the browser's Performance API (milliseconds since
/// navigation start, bytes as decoded).
struct Load {
    first_paint: f64,
    dom_content_loaded: f64,
    response_end: f64,
    html_bytes: f64,
}

async fn measure_load(browser: &Browser, url: &str) -> Load {
    browser.goto(url).await;
    browser.find(".list-head").await;
    let navigation = "const n = performance.getEntriesByType('navigation')[0]; ";
    Load {
        first_paint: page_number(
            browser,
            "const e = performance.getEntriesByName('first-contentful-paint')[0]; \
             return e ? e.startTime : null;",
        )
        .await,
        dom_content_loaded: page_number(
            browser,
            &format!("{navigation}return n.domContentLoadedEventEnd || null;"),
        )
        .await,
        response_end: page_number(browser, &format!("{navigation}return n.responseEnd;")).await,
        html_bytes: page_number(browser, &format!("{navigation}return n.decodedBodySize;")).await,
    }
}

/// Not a check but the measurement behind BENCHMARKS.md: how long headless Chromium takes to
/// show the inbox of a sandbox holding 10,000 messages (first contentful paint and
/// DOMContentLoaded, from navigation start), against the inbox of an empty sandbox in the same
/// run (the baseline), loads interleaved; and the page's weight (HTML, CSS and JavaScript).
/// Run it with
/// `cargo test --release -p mailtrap-sandbox-tests --test web_inbox_browser -- --ignored --nocapture first_render`.
#[tokio::test]
#[ignore = "a measurement for BENCHMARKS.md, not a check"]
async fn first_render_of_an_inbox_with_10000_messages() {
    const STORED: usize = 10_000;
    const LOADS: usize = 15;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let emulator = emulator().await;
    let api = client(&emulator);
    let empty = api
        .project(emulator.project().id)
        .create_sandbox("Empty")
        .await
        .unwrap();
    let full = api.sandbox(emulator.sandbox().id);
    for round in 0..STORED / 500 {
        let base = Email::new().from("Shop <shop@example.test>");
        let mut batch = mailtrap_sandbox::EmailBatch::new(base);
        for n in 0..500 {
            let i = round * 500 + n;
            batch = batch.email(
                Email::new()
                    .to(format!("customer{i}@example.test"))
                    .subject(format!("Your receipt no. {i}"))
                    .text(format!("Thank you for order {i}."))
                    .html(format!(
                        "<h1>Receipt {i}</h1><p>Thank you for order {i}.</p>"
                    )),
            );
        }
        assert!(full.send_batch(batch).await.unwrap().all_succeeded());
    }
    // The first page shown fetches the stylesheet and the script; later ones take them from
    // the cache (they are cached for good).
    browser.sign_in(&emulator).await;
    let assets = page_number(
        &browser,
        "const a = performance.getEntriesByType('resource')\
         .filter((r) => r.name.includes('/ui/assets/app.')); \
         return a.length === 2 ? a.reduce((sum, r) => sum + r.decodedBodySize, 0) : null;",
    )
    .await;
    eprintln!("CSS + JS: {assets} bytes, fetched by the first page only");
    let base = emulator.base_url();
    let pages = [
        ("empty sandbox", format!("{base}/ui/sandboxes/{}", empty.id)),
        (
            "10,000 messages",
            format!("{base}/ui/sandboxes/{}", emulator.sandbox().id),
        ),
    ];
    let mut loads: [Vec<Load>; 2] = [Vec::new(), Vec::new()];
    // Round 0 warms up.
    for round in 0..=LOADS {
        for (index, (_, url)) in pages.iter().enumerate() {
            let load = measure_load(&browser, url).await;
            if round > 0 {
                loads[index].push(load);
            }
        }
    }
    let of = |index: usize, figure: fn(&Load) -> f64| -> f64 {
        median(loads[index].iter().map(figure).collect())
    };
    let paint = |l: &Load| l.first_paint;
    let ready = |l: &Load| l.dom_content_loaded;
    for (index, (label, _)) in pages.iter().enumerate() {
        eprintln!(
            "{label}: first contentful paint {:.1} ms (x{:.2} of the empty sandbox's), \
             DOMContentLoaded {:.1} ms (x{:.2}), HTML received at {:.1} ms, HTML {} bytes \
             (medians of {LOADS} loads)",
            of(index, paint),
            of(index, paint) / of(0, paint),
            of(index, ready),
            of(index, ready) / of(0, ready),
            of(index, |l| l.response_end),
            of(index, |l| l.html_bytes),
        );
    }
    browser.close().await;
    emulator.shutdown().await;
}

/// The `background-color` the page computes for `css`.
async fn background(browser: &Browser, css: &str) -> String {
    let script =
        format!("return getComputedStyle(document.querySelector({css:?})).backgroundColor;");
    browser
        .client
        .execute(&script, Vec::new())
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_phone_reads_one_column_and_the_theme_switches_to_dark() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let emulator = emulator().await;
    send_api(&emulator, welcome_email()).await;
    browser.sign_in(&emulator).await;

    // Light by default (the headless browser prefers light), dark after two presses of `t`
    // (auto, light, dark), and still dark on the next page: the choice is kept.
    let light = background(&browser, "body").await;
    let body = browser.find("body").await;
    body.send_keys("tt").await.unwrap();
    assert_eq!(
        browser.find(".theme-toggle").await.text().await.unwrap(),
        "Theme: dark"
    );
    browser.find("html[data-theme='dark']").await;
    let dark = background(&browser, "body").await;
    assert_ne!(light, dark);
    assert_eq!(dark, "rgb(15, 18, 23)");
    browser.open("Welcome aboard").await;
    browser.find("html[data-theme='dark']").await;
    browser.screenshot("message-dark.png").await;

    // A phone: the message alone, with a way back to the list.
    browser.client.set_window_size(390, 844).await.unwrap();
    let list = browser.find("#list").await;
    assert!(
        !list.is_displayed().await.unwrap(),
        "the list hides while reading"
    );
    let back = browser.find("a.back").await;
    assert!(back.is_displayed().await.unwrap());
    let frame = browser.find("iframe#preview").await;
    let (_, _, width, _) = frame.rectangle().await.unwrap();
    assert!(width <= 390.0, "the preview fits the phone: {width} px");
    browser.screenshot("message-phone.png").await;
    back.click().await.unwrap();
    browser.wait_for_subjects(&["Welcome aboard"]).await;
    assert!(browser.find("#list").await.is_displayed().await.unwrap());

    browser.close().await;
    emulator.shutdown().await;
}

/// A one-pixel PNG: an image attachment the inbox shows as a thumbnail.
const PIXEL_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// Runs `script` until it returns `true`.
async fn wait_until(browser: &Browser, script: &str) {
    let deadline = Instant::now() + PATIENCE;
    // A script run while the page navigates fails; that is "not yet", not a failure.
    loop {
        let answer = browser.client.execute(script, Vec::new()).await;
        if matches!(answer, Ok(Value::Bool(true))) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still not true ({answer:?}): {script} on {}",
            browser.where_we_are().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Presses a key on the page (not in a field), and waits for the tab it picks.
async fn press_tab_key(browser: &Browser, key: &str, label: &str) -> Element {
    browser.find("body").await.send_keys(key).await.unwrap();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let current = browser.find(".tabs a[aria-current='page']").await;
        if current.text().await.unwrap().starts_with(label) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "key {key} did not open the {label} tab"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.find("section.panel").await
}

#[tokio::test]
async fn every_view_of_a_message_in_the_browser_and_the_keyboard() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let emulator = emulator().await;
    // The emulator's own icon under another name of this host: another origin, as a remote
    // image is, but reachable without the internet.
    let remote_image = format!(
        "http://localhost:{}/ui/assets/icon.svg",
        emulator.http_addr().port()
    );
    let html = format!(
        "<html><body><h1 style=\"display:flex\">Your order</h1>\
         <p>Track it: <a href=\"https://shop.example.test/track/7731\">track order 7731</a>.</p>\
         <p>Code 204 613.</p><img id=\"remote\" src=\"{remote_image}\" alt=\"logo\"></body></html>"
    );
    let photo =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, PIXEL_PNG).unwrap();
    let order = lettre::Message::builder()
        .from(mailbox("Shop <shop@example.test>"))
        .to(mailbox("Ana <ana@example.test>"))
        .bcc(mailbox("audit@example.test"))
        .subject("Your order, with a photo")
        .multipart(
            MultiPart::mixed()
                .multipart(MultiPart::alternative_plain_html(
                    "Track it: https://shop.example.test/track/7731\nCode 204 613.".to_owned(),
                    html,
                ))
                .singlepart(
                    LettreAttachment::new("photo.png".to_owned())
                        .body(photo, header::ContentType::parse("image/png").unwrap()),
                ),
        )
        .unwrap();
    send_smtp(&emulator, smtp_message("An older note", "Hello")).await;
    send_smtp(&emulator, order).await;
    browser.sign_in(&emulator).await;
    browser
        .wait_for_subjects(&["Your order, with a photo", "An older note"])
        .await;
    browser.open("Your order, with a photo").await;

    // Remote content: blocked, and the page says so, until asked for.
    let note = browser.find("p.remote").await;
    assert!(
        note.text()
            .await
            .unwrap()
            .starts_with("Remote content is blocked: this message loads 1 resource"),
        "{}",
        note.text().await.unwrap()
    );
    let frame = browser.find("iframe#preview").await;
    frame.clone().enter_frame().await.unwrap();
    wait_until(
        &browser,
        "return document.getElementById('remote').complete;",
    )
    .await;
    let width = page_number(
        &browser,
        "return document.getElementById('remote').naturalWidth;",
    )
    .await;
    assert!(
        width.abs() < f64::EPSILON,
        "the remote image loaded while blocked"
    );
    browser.client.enter_parent_frame().await.unwrap();
    browser
        .click(Locator::LinkText("Load remote content"))
        .await;
    browser.find("p.remote a:not([href*='remote=1'])").await;
    assert!(
        browser
            .find("p.remote")
            .await
            .text()
            .await
            .unwrap()
            .starts_with("Remote content is loaded.")
    );
    browser
        .find("iframe#preview")
        .await
        .enter_frame()
        .await
        .unwrap();
    wait_until(
        &browser,
        "const i = document.getElementById('remote'); return i.complete && i.naturalWidth > 0;",
    )
    .await;
    browser.client.enter_parent_frame().await.unwrap();

    // Preview widths: the phone's is 375 px wide.
    browser
        .click(Locator::Css(".widths [data-width='phone']"))
        .await;
    browser.find(".frame-wrap[data-width='phone']").await;
    let (_, _, width, _) = browser
        .find("iframe#preview")
        .await
        .rectangle()
        .await
        .unwrap();
    assert!(
        (370.0..=380.0).contains(&width),
        "phone preview {width} px wide"
    );

    // The other tabs, by their digit keys.
    let text = press_tab_key(&browser, "2", "Text").await;
    assert!(text.text().await.unwrap().contains("Code 204 613."));
    press_tab_key(&browser, "3", "Links").await;
    browser
        .find("a[href='https://shop.example.test/track/7731']")
        .await;
    assert_eq!(browser.find("#code").await.text().await.unwrap(), "204613");
    press_tab_key(&browser, "4", "Source").await;
    let tag = browser.find("pre.source span.t").await;
    assert_eq!(tag.text().await.unwrap(), "<html");
    assert_ne!(
        tag.css_value("color").await.unwrap(),
        browser
            .find("pre.source")
            .await
            .css_value("color")
            .await
            .unwrap(),
        "the source is highlighted"
    );
    let raw = press_tab_key(&browser, "5", "Raw").await;
    assert!(
        raw.text()
            .await
            .unwrap()
            .contains("Subject: Your order, with a photo")
    );
    press_tab_key(&browser, "6", "Headers").await;
    let bcc = browser
        .client
        .find(Locator::XPath(
            "//table[contains(@class,'headers')]//tr[th[normalize-space()='Bcc']]/td",
        ))
        .await
        .unwrap();
    assert!(bcc.text().await.unwrap().contains("audit@example.test"));
    press_tab_key(&browser, "7", "Attachments 1").await;
    wait_until(
        &browser,
        "const i = document.querySelector('td.thumb img'); \
         return !!i && i.complete && i.naturalWidth === 1;",
    )
    .await;
    assert_eq!(
        browser
            .find("table.attachments a[download]")
            .await
            .attr("download")
            .await
            .unwrap()
            .as_deref(),
        Some("photo.png")
    );
    press_tab_key(&browser, "8", "Spam").await;
    browser.find("p.verdict").await;
    browser
        .client
        .find(Locator::XPath(
            "//table[contains(@class,'rules')]//td/code[normalize-space()='HTML_MESSAGE']",
        ))
        .await
        .unwrap();
    press_tab_key(&browser, "9", "HTML check").await;
    let issues = browser
        .client
        .find_all(Locator::Css("section.panel table.rules tbody tr"))
        .await
        .unwrap();
    assert!(
        !issues.is_empty(),
        "display:flex is not supported everywhere"
    );

    // Forward: recorded, as the API's forward is.
    browser.click(Locator::Css("details.forward summary")).await;
    browser
        .find("input#forward-to")
        .await
        .send_keys("qa@example.test\u{E007}")
        .await
        .unwrap();
    let notice = browser.find("p.notice").await;
    assert_eq!(
        notice.text().await.unwrap(),
        "Forwarded to qa@example.test (recorded; nothing is sent)."
    );
    let forwards: Value = reqwest::Client::new()
        .get(format!("{}/_emulator/forwards", emulator.base_url()))
        .bearer_auth(emulator.api_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(forwards[0]["email"], "qa@example.test", "{forwards}");

    // The keyboard: `u` marks unread (back to the list), `j` opens the first message, Delete
    // deletes it.
    browser.find("body").await.send_keys("u").await.unwrap();
    wait_until(
        &browser,
        "return !document.querySelector('#message') \
         && document.querySelectorAll('.row.unread').length === 2;",
    )
    .await;
    browser.find("body").await.send_keys("j").await.unwrap();
    let heading = browser.find("#message h1").await;
    assert_eq!(heading.text().await.unwrap(), "Your order, with a photo");
    browser
        .find("body")
        .await
        .send_keys("\u{E017}") // Delete
        .await
        .unwrap();
    browser.wait_for_subjects(&["An older note"]).await;

    browser.close().await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn scrolling_down_the_list_loads_older_messages_and_all_can_be_marked_read() {
    const STORED: usize = 65;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let emulator = emulator().await;
    let emails = (0..STORED).map(|i| {
        Email::new()
            .to("ana@example.test")
            .subject(format!("Message {i}"))
            .text("Hi")
    });
    let batch =
        mailtrap_sandbox::EmailBatch::new(Email::new().from("app@example.test")).emails(emails);
    let sandbox = client(&emulator).sandbox(emulator.sandbox().id);
    assert!(sandbox.send_batch(batch).await.unwrap().all_succeeded());
    browser.sign_in(&emulator).await;
    let rows = "return document.querySelectorAll('#rows .row').length;";
    assert!((page_number(&browser, rows).await - 30.0).abs() < f64::EPSILON);

    // Each scroll to the bottom brings the next page of 30, in place; the last is short.
    for shown in [60, STORED] {
        browser
            .client
            .execute(
                "const list = document.getElementById('list'); list.scrollTop = list.scrollHeight;",
                Vec::new(),
            )
            .await
            .unwrap();
        wait_until(
            &browser,
            &format!("return document.querySelectorAll('#rows .row').length === {shown};"),
        )
        .await;
    }
    let subjects = browser.subjects().await.unwrap();
    let expected: Vec<String> = (0..STORED).rev().map(|i| format!("Message {i}")).collect();
    assert_eq!(subjects, expected, "newest first, none twice, none missing");

    browser.press("Mark all read").await;
    wait_until(
        &browser,
        "return document.querySelectorAll('.row.unread').length === 0 \
         && document.querySelector('#counts [data-unread]').textContent === '0';",
    )
    .await;
    // And in the store: none unread on the API's first page either.
    let unread = sandbox
        .messages()
        .list()
        .send()
        .await
        .unwrap()
        .items()
        .iter()
        .filter(|m| !m.is_read)
        .count();
    assert_eq!(unread, 0);

    browser.close().await;
    emulator.shutdown().await;
}
