//! Shared by the CLI's end-to-end tests: an emulator started in-process on 127.0.0.1 port 0,
//! the `mailtrap-sandbox` binary pointed at it, seeding helpers, and snapshot redactions.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use assert_cmd::Command;
use mailtrap_sandbox::{Client, Email, EmailAttachment, MessageId};
use mailtrap_sandbox_emulator::{EmulatorConfig, FaultSpec, RunningEmulator};

use tokio::runtime::Runtime;

/// Variables that would change what the binary does if the developer's shell had them set.
pub const CLEARED_ENV: &[&str] = &[
    "MAILTRAP_API_TOKEN",
    "MAILTRAP_BASE_URL",
    "MAILTRAP_SEND_BASE_URL",
    "MAILTRAP_EMULATOR_TOKEN",
    "MAILTRAP_TIMEOUT",
    "RUST_LOG",
];

/// The attachment the seeded message carries.
pub const SEED_ATTACHMENT: &[u8] = b"invoice,amount\nA-1001,42.00\n";

/// An emulator running on its own runtime while the test thread runs the binary.
pub struct Emu {
    runtime: Runtime,
    extra: std::cell::RefCell<Vec<(String, String)>>,
    emulator: Option<RunningEmulator>,
    pub base_url: String,
    pub token: String,
    pub account_id: u64,
    pub organization_id: u64,
    pub project_id: u64,
    pub sandbox_id: u64,
    pub smtp_username: String,
    pub smtp_password: String,
}

impl Emu {
    /// Starts a fresh emulator on 127.0.0.1, free ports, in memory.
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(EmulatorConfig::ephemeral().start())
            .expect("the emulator starts");
        let summary = emulator.summary().clone();
        Self {
            runtime,
            extra: std::cell::RefCell::new(Vec::new()),
            base_url: summary.base_url.clone(),
            token: summary.api_token.clone(),
            account_id: summary.account_id,
            organization_id: summary.organization_id,
            project_id: summary.project.id,
            sandbox_id: summary.sandbox.id,
            smtp_username: summary.sandbox.smtp_username.clone(),
            smtp_password: summary.sandbox.smtp_password,
            emulator: Some(emulator),
        }
    }

    /// The running emulator.
    pub fn emulator(&self) -> &RunningEmulator {
        self.emulator.as_ref().unwrap()
    }

    /// Adds an HTTP fault rule.
    pub fn fault(&self, spec: FaultSpec) {
        self.emulator().add_fault(spec).unwrap();
    }

    /// An SDK client for seeding and checking.
    pub fn client(&self) -> Client {
        Client::builder()
            .api_token(&self.token)
            .base_url(&self.base_url)
            .send_base_url(&self.base_url)
            .build()
            .unwrap()
    }

    /// Runs a future on the emulator's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Sends the seed email (text, HTML with a link, a one-time code and a CSV attachment)
    /// into the seeded sandbox; returns its id.
    pub fn seed_message(&self, subject: &str) -> MessageId {
        let email = Email::new()
            .from("Example App <no-reply@app.example.test>")
            .to("Ana Lima <ana@example.test>")
            .cc("support@app.example.test")
            .bcc("audit@app.example.test")
            .subject(subject)
            .text("Hi Ana,\nyour verification code is 604 219.\nReset: https://app.example.test/reset?t=Qx81\n")
            .html(
                "<p>Hi Ana,</p><p>Your verification code is <b>604219</b>.</p>\
                 <p><a href=\"https://app.example.test/reset?t=Qx81\">Choose a new password</a></p>",
            )
            .attach(EmailAttachment::from_bytes("invoice.csv", SEED_ATTACHMENT.to_vec()).content_type("text/csv"));
        let client = self.client();
        let outcome = self
            .block_on(client.sandbox(self.sandbox_id).send(email))
            .expect("the seed email is accepted");
        outcome.sandbox_message_ids()[0]
    }

    /// The binary pointed at the emulator with --token, --base-url and --send-base-url.
    pub fn cmd(&self) -> Command {
        let mut cmd = bare_cmd();
        cmd.args([
            "--token",
            &self.token,
            "--base-url",
            &self.base_url,
            "--send-base-url",
            &self.base_url,
        ]);
        cmd
    }

    /// Runs the binary with these arguments.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs the binary, asserts exit code 0, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_exit(&output, 0, args);
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs the binary with --json, asserts exit code 0, parses stdout as one JSON document.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let stdout = self.ok(&with_json);
        serde_json::from_str(&stdout).unwrap_or_else(|err| {
            panic!("stdout of {args:?} is not one JSON document ({err}):\n{stdout}")
        })
    }

    /// Every value worth redacting in this emulator's output, with its placeholder.
    pub fn redactions(&self) -> Vec<(String, String)> {
        let last4: String = self
            .token
            .chars()
            .skip(self.token.len().saturating_sub(4))
            .collect();
        let mut list = vec![
            (regex_escape(&self.token), "[TOKEN]".to_owned()),
            (
                regex_escape(&self.smtp_username),
                "[SMTP_USERNAME]".to_owned(),
            ),
            (
                regex_escape(&self.smtp_password),
                "[SMTP_PASSWORD]".to_owned(),
            ),
            (
                format!(r"\b{}\b", regex_escape(&last4)),
                "[LAST4]".to_owned(),
            ),
        ];
        list.extend(self.extra.borrow().iter().cloned());
        list
    }

    /// Redacts this literal value from later snapshots.
    pub fn redact(&self, value: &str, placeholder: &str) {
        self.extra
            .borrow_mut()
            .push((regex_escape(value), placeholder.to_owned()));
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            self.runtime.block_on(emulator.shutdown());
        }
    }
}

/// Redactions for snapshots of output that does not come from an [`Emu`] of the test.
#[derive(Default)]
pub struct Redactions {
    extra: std::cell::RefCell<Vec<(String, String)>>,
}

impl Redactions {
    /// The values added with [`Redactions::redact`].
    pub fn redactions(&self) -> Vec<(String, String)> {
        self.extra.borrow().clone()
    }

    /// Redacts this literal value from later snapshots.
    pub fn redact(&self, value: &str, placeholder: &str) {
        self.extra
            .borrow_mut()
            .push((regex_escape(value), placeholder.to_owned()));
    }
}

/// The binary with the environment cleared of Mailtrap settings, and nothing else.
pub fn bare_cmd() -> Command {
    let mut cmd = Command::cargo_bin("mailtrap-sandbox").unwrap();
    for name in CLEARED_ENV {
        cmd.env_remove(name);
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Asserts the exit code, showing both streams when it differs.
pub fn assert_exit(output: &Output, code: i32, args: &[&str]) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code of {args:?}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Escapes a literal for a regex (insta filters are regexes).
pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The generic redactions: ports, timestamps, ids, random hex, email usernames, share links.
pub fn generic_filters() -> Vec<(String, String)> {
    [
        // First: a part of a Message-ID may look like any of the hex values below.
        (r"<[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+@[^>]+>", "<[MESSAGE_ID]>"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}| UTC)",
            "[TIME]",
        ),
        (r"\b[0-9a-f]{10}-[0-9a-f]{6}\b", "[EMAIL_USERNAME]"),
        (r"\b[0-9a-f]{32}\b", "[API_TOKEN]"),
        (r"\b[0-9a-f]{14}\b", "[SMTP_CREDENTIAL]"),
        (r"/share/[A-Za-z0-9_-]+", "/share/[KEY]"),
        (r#"boundary="[^"]+""#, r#"boundary="[BOUNDARY]""#),
        (
            r"\w{3}, \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}",
            "[DATE]",
        ),
        (r"(SMTP ports\s+)\d+", "${1}[PORT]"),
        (r#"("(smtp|pop3)_ports": \[\s*)\d+"#, "${1}[PORT]"),
        (r#"("smtp_port": )\d+"#, "${1}[PORT]"),
        (r"(Size\s+)(\d+(\.\d+)? KB \()?\d+ bytes\)?", "${1}[SIZE]"),
        (r#"("email_size": )\d+"#, "${1}[SIZE]"),
        (r#"("human_size": )"[^"]*""#, "${1}[SIZE]"),
        (r"\b\d{7,13}\b", "[ID]"),
    ]
    .into_iter()
    .map(|(pattern, replacement)| (pattern.to_owned(), replacement.to_owned()))
    .collect()
}

/// Asserts a snapshot of `text` with the emulator's values and the generic ones redacted.
#[macro_export]
macro_rules! snap {
    ($emu:expr, $name:expr, $text:expr) => {{
        let mut filters: Vec<(String, String)> = $emu.redactions();
        filters.extend($crate::common::generic_filters());
        let mut settings = insta::Settings::clone_current();
        for (pattern, replacement) in &filters {
            settings.add_filter(pattern, replacement.as_str());
        }
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $text));
    }};
}

/// Stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
