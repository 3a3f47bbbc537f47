//! Wait for a message to arrive in a sandbox.
//!
//! Write the test in its natural order: make the application send, then wait.
//!
//! ```
//! use std::time::Duration;
//!
//! use mailtrap_sandbox::wait::MessageFilter;
//!
//! # async fn trigger_password_reset(sandbox: &mailtrap_sandbox::resources::SandboxHandle, to: &str) -> mailtrap_sandbox::Result<()> {
//! #     let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to(to);
//! #     sandbox.send(email.subject("Reset your password").text("Code: 482913")).await.map(drop)
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
//! # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
//! # let sandbox = client.sandbox(emulator.sandbox().id);
//! let inbox = sandbox.test_inbox("reset"); // a recipient no other test uses
//! trigger_password_reset(&sandbox, inbox.address()).await?;
//! let message = inbox
//!     .wait_for(MessageFilter::new().subject("Reset your password"))
//!     .timeout(Duration::from_secs(20))
//!     .send()
//!     .await?;
//! println!("arrived: #{} {}", message.id, message.subject);
//! # Ok(())
//! # }
//! ```
//!
//! # Which messages count: the window
//!
//! By default a wait also accepts matching mail received up to 30 s
//! ([`DEFAULT_LOOK_BACK`]) *before* it started, so "trigger, then wait" passes however fast
//! the mail is. The 30 s are measured in the server's clock (the `Date` of its answers
//! against each message's `created_at`), so a skewed local clock changes nothing. Other
//! windows:
//!
//! - [`WaitFor::look_back`]: another length (`Duration::ZERO`: from the start of the wait on).
//! - [`WaitFor::only_new`]: only messages stored after the wait started (the newest message
//!   at the start is the floor); start it before triggering ([`WaitFor::start`]).
//! - [`WaitFor::since`]: only messages newer than a message id.
//! - [`WaitFor::received_after`]: only messages received at or after a time.
//!
//! Mail left by an earlier test never matches when each test sends to its own address:
//! [`SandboxHandle::test_inbox`] gives one, and its `wait_for` adds the `to` condition.
//! Against a shared sandbox with a look-back window, a leftover with the same subject and
//! recipient within the last 30 s would match: use a unique recipient, or `only_new`.
//!
//! # One filter vocabulary
//!
//! [`MessageFilter`] and the command line's `wait` flags mean the same:
//!
//! | Method | `wait` flag | Holds when |
//! |---|---|---|
//! | [`subject`](MessageFilter::subject) | `--subject` | the subject contains the text, ignoring case |
//! | [`subject_is`](MessageFilter::subject_is) | `--subject-is` | the subject is exactly the text |
//! | [`from`](MessageFilter::from) | `--from` | the sender's address is this one, ignoring case |
//! | [`to`](MessageFilter::to) | `--to` | a recipient (To, Cc, or SMTP envelope, which includes Bcc) is this address, ignoring case |
//! | [`text_contains`](MessageFilter::text_contains) | `--text` | the text body contains the text |
//! | [`html_contains`](MessageFilter::html_contains) | `--html` | the HTML body contains the text |
//! | [`body_contains`](MessageFilter::body_contains) | `--contains` | the text or the HTML body contains the text |
//!
//! # How it polls, and its deadline
//!
//! Each poll lists the sandbox newest first, page after page (with `last_id`), down to the
//! window's lower edge (at most 20 pages of 30), so a burst of mail between two polls is read
//! entirely. Later polls stop at the page that reaches the newest message an earlier poll
//! listed, since new mail always gets a higher id: in a busy sandbox a poll costs one request,
//! plus one per 30 messages that arrived since (mail deleted meanwhile only drops out of the
//! listing). Each message is checked once, oldest first: the first that matches is returned.
//! Bodies are fetched only for body conditions and only for messages that passed the others.
//!
//! The timeout is a whole deadline: no request runs past it (a request still running is
//! abandoned, retries and their backoff are cut), so `timeout(5 s)` returns within about
//! 5 s whatever the server does. Polls are [`poll_interval`](WaitFor::poll_interval) apart:
//! 20 ms when the client talks to a loopback address (a local emulator), 1 s otherwise (after
//! the first poll, which reads the window, one request per poll unless mail pours in: well
//! within Mailtrap's 150 requests per 10 s, see `BENCHMARKS.md`). When the API
//! answers 429 despite the client's own retries, the wait doubles its interval (up to 30 s);
//! connection failures and 5xx answers are noted and polling carries on until the deadline.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::error::{ApiErrorKind, Error, Result};
use crate::ids::{MessageId, SandboxId};
use crate::models::Message;
use crate::resources::{SandboxHandle, fetch_message_page_dated};

/// Default time to wait.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time between polls against a remote API (Mailtrap).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Default time between polls when the client talks to a loopback address (an emulator).
pub const LOOPBACK_POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How long before the start of a wait a matching message may have been received and still
/// count, by default (see the [module docs](self)).
pub const DEFAULT_LOOK_BACK: Duration = Duration::from_secs(30);
/// Longest time between polls after repeated 429 answers.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How many subjects of non-matching messages a timeout error shows.
const SHOWN_SUBJECTS: usize = 5;
/// How many pages one poll reads at most.
const MAX_PAGES_PER_POLL: usize = 20;

/// What the awaited message must be like. Every condition set must hold; with none, any
/// message in the window matches. See the [module docs](self) for the vocabulary, shared
/// with the command line's `wait` flags.
#[derive(Clone, Default)]
#[must_use]
pub struct MessageFilter {
    conditions: Vec<Condition>,
}

#[derive(Clone)]
enum Condition {
    SubjectIs(String),
    Subject {
        shown: String,
        lower: String,
    },
    From(String),
    To(String),
    TextContains(String),
    HtmlContains(String),
    BodyContains(String),
    Matching {
        description: String,
        predicate: Arc<dyn Fn(&Message) -> bool + Send + Sync>,
    },
}

impl Condition {
    /// Whether the condition needs a body fetched.
    fn needs_body(&self) -> bool {
        matches!(
            self,
            Self::TextContains(_) | Self::HtmlContains(_) | Self::BodyContains(_)
        )
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SubjectIs(subject) => write!(f, "subject {subject:?}"),
            Self::Subject { shown, .. } => write!(f, "subject containing {shown:?}"),
            Self::From(address) => write!(f, "from {address}"),
            Self::To(address) => write!(f, "to {address}"),
            Self::TextContains(part) => write!(f, "text containing {part:?}"),
            Self::HtmlContains(part) => write!(f, "HTML containing {part:?}"),
            Self::BodyContains(part) => write!(f, "body containing {part:?}"),
            Self::Matching { description, .. } => f.write_str(description),
        }
    }
}

impl MessageFilter {
    /// A filter that any message matches; add conditions to narrow it.
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// assert_eq!(MessageFilter::new().to_string(), "any message");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The subject contains `part`, ignoring case (the `wait --subject` flag).
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// let filter = MessageFilter::new().subject("reset");
    /// assert_eq!(filter.to_string(), "a message with subject containing \"reset\"");
    /// ```
    pub fn subject(mut self, part: impl Into<String>) -> Self {
        let shown = part.into();
        let lower = shown.to_lowercase();
        self.conditions.push(Condition::Subject { shown, lower });
        self
    }

    /// The subject is exactly `subject` (the `wait --subject-is` flag).
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// let filter = MessageFilter::new().subject_is("Reset your password");
    /// assert_eq!(filter.to_string(), "a message with subject \"Reset your password\"");
    /// ```
    pub fn subject_is(mut self, subject: impl Into<String>) -> Self {
        self.conditions.push(Condition::SubjectIs(subject.into()));
        self
    }

    /// The sender's address is `address`, ignoring case (the `wait --from` flag).
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// let filter = MessageFilter::new().from("no-reply@app.example.com");
    /// assert_eq!(filter.to_string(), "a message with from no-reply@app.example.com");
    /// ```
    pub fn from(mut self, address: impl Into<String>) -> Self {
        self.conditions
            .push(Condition::From(address.into().trim().to_owned()));
        self
    }

    /// `address` is among the recipients, ignoring case: the To addresses Mailtrap lists,
    /// and the SMTP envelope's (which holds Cc and Bcc too) when the message came over SMTP
    /// (the `wait --to` flag).
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// let filter = MessageFilter::new().to("ana@example.com");
    /// assert_eq!(filter.to_string(), "a message with to ana@example.com");
    /// ```
    pub fn to(mut self, address: impl Into<String>) -> Self {
        self.conditions
            .push(Condition::To(address.into().trim().to_owned()));
        self
    }

    /// The text body contains `part` (the `wait --text` flag). Needs one extra request per
    /// candidate message (made only when the other conditions hold); a message without a
    /// text body does not match.
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// let filter = MessageFilter::new().text_contains("/confirm?token=");
    /// assert_eq!(filter.to_string(), "a message with text containing \"/confirm?token=\"");
    /// ```
    pub fn text_contains(mut self, part: impl Into<String>) -> Self {
        self.conditions.push(Condition::TextContains(part.into()));
        self
    }

    /// The HTML body contains `part` (the `wait --html` flag). Needs one extra request per
    /// candidate message (made only when the other conditions hold); a message without an
    /// HTML body does not match.
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// let filter = MessageFilter::new().html_contains("<b>Welcome</b>");
    /// assert_eq!(filter.to_string(), "a message with HTML containing \"<b>Welcome</b>\"");
    /// ```
    pub fn html_contains(mut self, part: impl Into<String>) -> Self {
        self.conditions.push(Condition::HtmlContains(part.into()));
        self
    }

    /// The text body or the HTML body contains `part` (the `wait --contains` flag). Needs
    /// up to two extra requests per candidate message.
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    ///
    /// let filter = MessageFilter::new().body_contains("Welcome");
    /// assert_eq!(filter.to_string(), "a message with body containing \"Welcome\"");
    /// ```
    pub fn body_contains(mut self, part: impl Into<String>) -> Self {
        self.conditions.push(Condition::BodyContains(part.into()));
        self
    }

    /// Any test over the message's metadata; `description` names it in the timeout error
    /// ("with 2 attachments", for instance).
    ///
    /// ```
    /// use mailtrap_sandbox::wait::MessageFilter;
    ///
    /// let filter = MessageFilter::new()
    ///     .subject("Invoice")
    ///     .matching("smaller than 1 MB", |message| message.email_size < 1_000_000);
    /// assert_eq!(
    ///     filter.to_string(),
    ///     "a message with subject containing \"Invoice\" and smaller than 1 MB"
    /// );
    /// ```
    pub fn matching(
        mut self,
        description: impl Into<String>,
        predicate: impl Fn(&Message) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.conditions.push(Condition::Matching {
            description: description.into(),
            predicate: Arc::new(predicate),
        });
        self
    }

    /// Whether the conditions that need no body hold.
    fn matches_metadata(&self, message: &Message) -> bool {
        self.conditions.iter().all(|condition| match condition {
            Condition::SubjectIs(subject) => message.subject == *subject,
            Condition::Subject { lower, .. } => {
                message.subject.to_lowercase().contains(lower.as_str())
            }
            Condition::From(address) => message.from_email.trim().eq_ignore_ascii_case(address),
            Condition::To(address) => message
                .recipient_addresses()
                .any(|to| to.eq_ignore_ascii_case(address)),
            Condition::Matching { predicate, .. } => predicate(message),
            Condition::TextContains(_)
            | Condition::HtmlContains(_)
            | Condition::BodyContains(_) => true,
        })
    }

    fn needs_body(&self) -> bool {
        self.conditions.iter().any(Condition::needs_body)
    }
}

impl fmt::Display for MessageFilter {
    /// `a message with subject containing "Reset" and to ana@example.com`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.conditions.is_empty() {
            return f.write_str("any message");
        }
        f.write_str("a message with ")?;
        for (index, condition) in self.conditions.iter().enumerate() {
            if index > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "{condition}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for MessageFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MessageFilter")
            .field(&self.to_string())
            .finish()
    }
}

/// Which messages a wait counts (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Window {
    /// Messages received up to this long before the wait started, and later ones (in the
    /// server's clock).
    LookBack(Duration),
    /// Only messages stored after the wait started.
    OnlyNew,
    /// Only messages newer than this one (with a higher id).
    Since(MessageId),
    /// Only messages received at or after this time.
    ReceivedAfter(DateTime<Utc>),
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LookBack(span) => write!(
                f,
                "received at most {} s before the wait began",
                span.as_secs_f64()
            ),
            Self::OnlyNew => f.write_str("arriving after the wait began"),
            Self::Since(id) => write!(f, "newer than message {id}"),
            Self::ReceivedAfter(time) => write!(
                f,
                "received from {}",
                time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

/// A matching message that was outside the wait's window (too old), as a timeout reports
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutsideMatch {
    /// Its id.
    pub id: MessageId,
    /// Its subject.
    pub subject: String,
    /// When the sandbox received it, when the API said.
    pub received_at: Option<DateTime<Utc>>,
}

/// No matching message arrived in time: what was awaited and what was seen instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitTimeout {
    /// The sandbox watched.
    pub sandbox: SandboxId,
    /// What was awaited, in words (the filter's `Display`).
    pub awaited: String,
    /// Which messages counted.
    pub window: Window,
    /// How long it waited.
    pub waited: Duration,
    /// How many times it listed the sandbox.
    pub polls: u32,
    /// How many messages in the window it checked (none matched).
    pub seen: usize,
    /// Subjects of the most recent messages it checked, newest first (at most 5).
    pub seen_subjects: Vec<String>,
    /// The newest message that matches the filter but was outside the window, if one was
    /// listed.
    pub outside_match: Option<OutsideMatch>,
    /// The last error met while polling (a 429 that outlasted the retries, a request cut
    /// by the deadline), if any.
    pub last_error: Option<String>,
}

impl WaitTimeout {
    /// What happened, without advice (the command line adds its own, naming its flags).
    ///
    /// ```
    /// # fn show(timeout: &mailtrap_sandbox::wait::WaitTimeout) {
    /// eprintln!("{}", timeout.summary());
    /// # }
    /// ```
    #[must_use]
    pub fn summary(&self) -> String {
        let mut out = format!(
            "timed out after {:.1} s waiting for {} in sandbox {} ({}): {} poll{}, ",
            self.waited.as_secs_f64(),
            self.awaited,
            self.sandbox,
            self.window,
            self.polls,
            if self.polls == 1 { "" } else { "s" },
        );
        match self.seen {
            0 => out.push_str("no message in the window"),
            1 => out.push_str("1 message in the window did not match"),
            n => out.push_str(&format!("{n} messages in the window, none matched")),
        }
        if !self.seen_subjects.is_empty() {
            let subjects: Vec<String> = self
                .seen_subjects
                .iter()
                .map(|s| format!("{s:?}"))
                .collect();
            out.push_str(&format!(" (latest subjects: {})", subjects.join(", ")));
        }
        if let Some(outside) = &self.outside_match {
            out.push_str(&format!(
                "; message {} ({:?}) matches but was received before the window",
                outside.id, outside.subject
            ));
            if let Some(at) = outside.received_at {
                out.push_str(&format!(
                    ", at {}",
                    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ));
            }
        }
        if let Some(error) = &self.last_error {
            out.push_str(&format!("; last error: {error}"));
        }
        out
    }
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())?;
        match &self.outside_match {
            Some(OutsideMatch {
                received_at: Some(at),
                ..
            }) => write!(
                f,
                ". To include it, start the window there with WaitFor::received_after({}) \
                 or widen it with WaitFor::look_back",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            Some(outside) => write!(
                f,
                ". To include it, wait with WaitFor::since({})",
                outside.id.get().saturating_sub(1)
            ),
            None if self.last_error.is_some() && self.seen == 0 => f.write_str(
                ". The API did not answer as expected (see the last error): check the base \
                 URL (ClientBuilder::base_url) and the API, or raise WaitFor::timeout",
            ),
            None => f.write_str(
                ". Check the filter and that the message is sent to this sandbox, or raise \
                 WaitFor::timeout",
            ),
        }
    }
}

impl std::error::Error for WaitTimeout {}

impl SandboxHandle {
    /// Waits for a message matching `filter` (see the [`wait`](crate::wait) module for the
    /// window and how it polls). Configure with [`WaitFor::timeout`], the window methods
    /// and [`WaitFor::poll_interval`]; run with [`WaitFor::send`].
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, MessageFilter};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// // The application sends (here, the sandbox itself)...
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// sandbox.send(email.subject("Welcome, Ana").text("Hello")).await?;
    /// // ... then the test waits: mail received shortly before the wait counts too.
    /// let message = sandbox
    ///     .wait_for(MessageFilter::new().subject("welcome").to("ana@example.com"))
    ///     .send()
    ///     .await?;
    /// assert_eq!(message.subject, "Welcome, Ana");
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for(&self, filter: MessageFilter) -> WaitFor {
        WaitFor {
            sandbox: self.clone(),
            filter,
            timeout: DEFAULT_TIMEOUT,
            poll_interval: None,
            window: Window::LookBack(DEFAULT_LOOK_BACK),
            search: None,
        }
    }
}

/// A wait for a message. Built by [`SandboxHandle::wait_for`].
#[derive(Debug, Clone)]
#[must_use = "call .send() to start waiting"]
pub struct WaitFor {
    sandbox: SandboxHandle,
    filter: MessageFilter,
    timeout: Duration,
    poll_interval: Option<Duration>,
    window: Window,
    search: Option<String>,
}

impl WaitFor {
    /// How long to wait at most, every request included (default 30 s): a whole deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::{Error, MessageFilter};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let wait = sandbox.wait_for(MessageFilter::new().subject("Never sent"));
    /// let outcome = wait.timeout(Duration::from_millis(200)).send().await;
    /// assert!(matches!(outcome, Err(Error::WaitTimeout(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time between polls (default 20 ms against a loopback address, 1 s otherwise; at
    /// least 10 ms).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let wait = sandbox.wait_for(MessageFilter::new().subject("Welcome"));
    /// let message = wait.poll_interval(Duration::from_millis(100)).send().await?;
    /// # assert_eq!(message.subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = Some(interval.max(Duration::from_millis(10)));
        self
    }

    /// Counts messages received up to `span` before the wait started, and later ones, in
    /// the server's clock (default 30 s; `Duration::ZERO` counts from the start on).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let wait = sandbox.wait_for(MessageFilter::new().subject("Welcome"));
    /// let message = wait.look_back(Duration::from_secs(120)).send().await?;
    /// # assert_eq!(message.subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    pub fn look_back(mut self, span: Duration) -> Self {
        self.window = Window::LookBack(span);
        self
    }

    /// Counts only messages stored after the wait started (the newest message then is the
    /// floor). Start it before triggering the email ([`start`](Self::start)).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, MessageFilter};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let pending = sandbox.wait_for(MessageFilter::new()).only_new().start().await?;
    /// // "Welcome", already there, no longer counts; the next message does.
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// sandbox.send(email.subject("Your code").text("482913")).await?;
    /// assert_eq!(pending.wait().await?.subject, "Your code");
    /// # Ok(())
    /// # }
    /// ```
    pub fn only_new(mut self) -> Self {
        self.window = Window::OnlyNew;
        self
    }

    /// Counts only messages newer than this one (with a higher id). Take the id from a
    /// message you already saw, or from
    /// [`SendOutcome::sandbox_message_ids`](crate::models::SendOutcome::sandbox_message_ids).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, MessageFilter};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Code");
    /// sandbox.send(email.clone().text("111111")).await?;
    /// let first = sandbox.wait_for(MessageFilter::new().subject("Code")).send().await?;
    /// sandbox.send(email.text("222222")).await?; // "resend the code"
    /// let second = sandbox.wait_for(MessageFilter::new().subject("Code")).since(first.id).send().await?;
    /// assert!(second.id > first.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn since(mut self, id: impl Into<MessageId>) -> Self {
        self.window = Window::Since(id.into());
        self
    }

    /// Counts only messages received at or after `time` (the server's `created_at`).
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let from = chrono::Utc::now() - chrono::Duration::minutes(5);
    /// let message = sandbox.wait_for(MessageFilter::new()).received_after(from).send().await?;
    /// # assert_eq!(message.subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    pub fn received_after(mut self, time: DateTime<Utc>) -> Self {
        self.window = Window::ReceivedAfter(time);
        self
    }

    /// Narrows each listing with the API's own search (over subjects, addresses and text),
    /// to read fewer pages in a busy sandbox. The filter still decides what matches.
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let message = sandbox
    ///     .wait_for(MessageFilter::new().subject_is("Welcome"))
    ///     .search("Welcome")
    ///     .send()
    ///     .await?;
    /// # assert_eq!(message.subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    pub fn search(mut self, query: impl Into<String>) -> Self {
        self.search = Some(query.into());
        self
    }

    /// Fixes the window (the newest message now for [`only_new`](Self::only_new), the
    /// server's time now for a look-back) without waiting yet; then
    /// [`PendingWait::wait`]. Bounded by the timeout.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, MessageFilter};
    ///
    /// # async fn trigger_password_reset(sandbox: &mailtrap_sandbox::resources::SandboxHandle) -> mailtrap_sandbox::Result<()> {
    /// #     let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// #     sandbox.send(email.subject("Reset your password").text("Code: 482913")).await.map(drop)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let pending = sandbox
    ///     .wait_for(MessageFilter::new().subject("Reset"))
    ///     .only_new()
    ///     .start()
    ///     .await?;
    /// trigger_password_reset(&sandbox).await?;
    /// let message = pending.wait().await?;
    /// assert_eq!(message.subject, "Reset your password");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the listing request; [`Error::WaitTimeout`] when it does not answer
    /// within the timeout.
    pub async fn start(self) -> Result<PendingWait> {
        let deadline = Instant::now() + self.timeout;
        self.start_until(deadline).await
    }

    async fn start_until(self, deadline: Instant) -> Result<PendingWait> {
        let started = Instant::now();
        let interval = self.poll_interval.unwrap_or_else(|| {
            if self.sandbox.client.transport.loopback {
                LOOPBACK_POLL_INTERVAL
            } else {
                DEFAULT_POLL_INTERVAL
            }
        });
        let mut poller = Poller {
            wait: self,
            interval,
            floor: None,
            horizon: None,
            checked: HashSet::new(),
            seen_subjects: Vec::new(),
            outside_match: None,
            listed_top: None,
            polls: 0,
            last_error: None,
        };
        match poller.wait.window {
            Window::Since(id) => poller.floor = Some(id),
            Window::ReceivedAfter(time) => poller.horizon = Some(time),
            Window::OnlyNew | Window::LookBack(_) => {
                let first = tokio::time::timeout_at(deadline, poller.list_page(None)).await;
                let (page, server_now) = match first {
                    Ok(result) => result?,
                    Err(_) => {
                        poller.last_error =
                            Some("the first listing did not answer before the deadline".into());
                        return Err(poller.timeout(started.elapsed()));
                    }
                };
                if let Window::LookBack(span) = poller.wait.window {
                    let now = server_now.unwrap_or_else(Utc::now);
                    let span = chrono::Duration::from_std(span).unwrap_or(chrono::Duration::MAX);
                    poller.horizon = Some(now.checked_sub_signed(span).unwrap_or(now));
                } else {
                    // The newest message now is the floor; an empty sandbox counts all.
                    poller.floor = Some(
                        page.iter()
                            .map(|message| message.id)
                            .max()
                            .unwrap_or(MessageId::new(0)),
                    );
                }
            }
        }
        tracing::debug!(
            sandbox = %poller.wait.sandbox.id,
            floor = ?poller.floor,
            horizon = ?poller.horizon,
            "waiting for a message"
        );
        Ok(PendingWait { poller })
    }

    /// Waits, and returns the first matching message in the window ([`start`](Self::start)
    /// then [`PendingWait::wait`], the whole within the timeout).
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let message = sandbox.wait_for(MessageFilter::new().subject("Welcome")).send().await?;
    /// assert_eq!(message.to_email, "ana@example.com");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::WaitTimeout`] when none arrives in time (it says what was awaited, what was
    /// seen, and a matching message outside the window); any other [`Error`] of the listing
    /// or body requests but 429s, 5xx answers and connection failures, which are noted and
    /// polled through.
    pub async fn send(self) -> Result<Message> {
        let started = Instant::now();
        let deadline = started + self.timeout;
        let pending = self.start_until(deadline).await?;
        pending.wait_until(started, deadline).await
    }
}

/// A wait whose window is fixed ([`WaitFor::start`]): [`wait`](Self::wait) for the
/// message.
pub struct PendingWait {
    poller: Poller,
}

impl fmt::Debug for PendingWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingWait")
            .field("sandbox", &self.poller.wait.sandbox.id)
            .field("filter", &self.poller.wait.filter)
            .field("after", &self.poller.floor)
            .field("received_after", &self.poller.horizon)
            .finish_non_exhaustive()
    }
}

impl PendingWait {
    /// Only messages with a higher id than this one count (for [`WaitFor::only_new`] and
    /// [`WaitFor::since`]; `None` for a time window).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, MessageFilter};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let sent = sandbox.send(email.subject("Welcome").text("Hi")).await?;
    /// let pending = sandbox.wait_for(MessageFilter::new()).only_new().start().await?;
    /// assert_eq!(pending.after(), sent.sandbox_message_ids().first().copied()); // the newest then
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn after(&self) -> Option<MessageId> {
        self.poller.floor
    }

    /// Only messages received at or after this time count (for a look-back or
    /// [`WaitFor::received_after`]; `None` for an id window).
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let pending = sandbox.wait_for(MessageFilter::new()).start().await?; // 30 s look-back
    /// assert!(pending.received_after().is_some_and(|from| from < chrono::Utc::now()));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn received_after(&self) -> Option<DateTime<Utc>> {
        self.poller.horizon
    }

    /// Polls until a matching message arrives or the timeout (counted from this call)
    /// passes; returns the first match, oldest first.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, MessageFilter};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let pending = sandbox.wait_for(MessageFilter::new().subject("Welcome")).only_new().start().await?;
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// sandbox.send(email.subject("Welcome").text("Hello")).await?;
    /// let message = pending.wait().await?;
    /// assert_eq!(message.subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`WaitFor::send`].
    pub async fn wait(self) -> Result<Message> {
        let started = Instant::now();
        let deadline = started + self.poller.wait.timeout;
        self.wait_until(started, deadline).await
    }

    async fn wait_until(mut self, started: Instant, deadline: Instant) -> Result<Message> {
        let base = self.poller.interval;
        let mut interval = base;
        loop {
            match tokio::time::timeout_at(deadline, self.poller.poll()).await {
                Err(_) => {
                    self.poller.last_error =
                        Some("a request was still running at the deadline".to_owned());
                    return Err(self.poller.timeout(started.elapsed()));
                }
                Ok(Ok(Some(message))) => return Ok(message),
                Ok(Ok(None)) => interval = base,
                Ok(Err(err)) if err.kind() == Some(ApiErrorKind::RateLimited) => {
                    interval = err
                        .retry_after()
                        .unwrap_or(interval * 2)
                        .clamp(base, MAX_BACKOFF);
                    tracing::info!(
                        wait_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
                        "rate limited while waiting; polling less often"
                    );
                    self.poller.last_error = Some(err.to_string());
                }
                Ok(Err(err)) if passing(&err) => {
                    tracing::info!(error = %err, "poll failed; trying again until the deadline");
                    self.poller.last_error = Some(err.to_string());
                }
                Ok(Err(err)) => return Err(err),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(self.poller.timeout(started.elapsed()));
            }
            tokio::time::sleep_until((now + interval).min(deadline)).await;
            if Instant::now() >= deadline {
                return Err(self.poller.timeout(started.elapsed()));
            }
        }
    }
}

/// Whether a failed poll is worth polling through: a failure that may pass (5xx, a lost
/// connection) rather than one that will not (401, 404).
fn passing(err: &Error) -> bool {
    matches!(err, Error::NotSent(_) | Error::MaybeApplied(_))
        || err.kind() == Some(ApiErrorKind::Server)
}

/// The state of one wait.
struct Poller {
    wait: WaitFor,
    interval: Duration,
    /// Only messages with a higher id count.
    floor: Option<MessageId>,
    /// Only messages received at or after this time count.
    horizon: Option<DateTime<Utc>>,
    /// Messages already checked.
    checked: HashSet<MessageId>,
    /// Subjects of the newest messages checked, newest first.
    seen_subjects: Vec<String>,
    /// The newest matching message outside the window.
    outside_match: Option<OutsideMatch>,
    /// The highest id listed by an earlier poll that ended without error: later polls stop
    /// at the page that reaches it, so waiting in a busy sandbox costs one request per poll,
    /// not one per page of the window. Sound because new mail always gets a higher id than
    /// any stored before (Mailtrap's and the emulator's ids are never reused); deleting mail
    /// only removes ids. A message that becomes visible late with an id a little below this
    /// one is still read when it sits on that last page (listed newest first, 30 a page).
    listed_top: Option<MessageId>,
    polls: u32,
    last_error: Option<String>,
}

impl Poller {
    async fn list_page(
        &mut self,
        last_id: Option<MessageId>,
    ) -> Result<(Vec<Message>, Option<DateTime<Utc>>)> {
        let handle = &self.wait.sandbox;
        self.polls += u32::from(last_id.is_none());
        let (page, date) = fetch_message_page_dated(
            &handle.client,
            handle.id,
            self.wait.search.as_deref(),
            last_id,
        )
        .await?;
        Ok((page.into_items(), date))
    }

    /// Whether a message is in the window.
    fn in_window(&self, message: &Message) -> bool {
        let above_floor = self.floor.is_none_or(|floor| message.id > floor);
        let recent = match (self.horizon, message.created_at) {
            (Some(horizon), Some(at)) => at >= horizon,
            _ => true,
        };
        above_floor && recent
    }

    /// Builds the timeout error from what was seen.
    fn timeout(&mut self, waited: Duration) -> Error {
        Error::WaitTimeout(Box::new(WaitTimeout {
            sandbox: self.wait.sandbox.id,
            awaited: self.wait.filter.to_string(),
            window: self.wait.window,
            waited,
            polls: self.polls,
            seen: self.checked.len(),
            seen_subjects: std::mem::take(&mut self.seen_subjects),
            outside_match: self.outside_match.take(),
            last_error: self.last_error.take(),
        }))
    }

    /// One poll: every message in the window not checked yet, checked oldest first.
    async fn poll(&mut self) -> Result<Option<Message>> {
        let mut fresh: Vec<Message> = Vec::new();
        let mut last_id = None;
        let mut top = self.listed_top;
        for _ in 0..MAX_PAGES_PER_POLL {
            let (page, _) = self.list_page(last_id).await?;
            let Some(lowest) = page.iter().map(|message| message.id).min() else {
                break;
            };
            top = top.max(page.iter().map(|message| message.id).max());
            // Below this, an earlier poll has listed everything already.
            let known = self.listed_top.is_some_and(|listed| lowest <= listed);
            let mut reached_bottom = false;
            for message in page {
                if !self.in_window(&message) {
                    reached_bottom = true;
                    self.note_outside(&message);
                } else if !self.checked.contains(&message.id) {
                    fresh.push(message);
                }
            }
            // Stop at the window's edge, at what an earlier poll listed, or at a page that
            // did not move the cursor down.
            if reached_bottom || known || last_id.is_some_and(|previous| lowest >= previous) {
                break;
            }
            last_id = Some(lowest);
        }
        fresh.sort_by_key(|message| message.id);
        fresh.dedup_by_key(|message| message.id);
        for message in fresh {
            // Checked only once decided: a body request that failed (a 5xx polled through)
            // leaves the message, and those after it, for the next poll.
            let matched = self.matches(&message).await?;
            self.checked.insert(message.id);
            self.seen_subjects.insert(0, message.subject.clone());
            self.seen_subjects.truncate(SHOWN_SUBJECTS);
            if matched {
                tracing::debug!(message = %message.id, "awaited message arrived");
                return Ok(Some(message));
            }
        }
        self.listed_top = top;
        Ok(None)
    }

    /// Remembers the newest message outside the window whose metadata matches.
    fn note_outside(&mut self, message: &Message) {
        let newer = self
            .outside_match
            .as_ref()
            .is_none_or(|known| message.id > known.id);
        if newer && self.wait.filter.matches_metadata(message) {
            self.outside_match = Some(OutsideMatch {
                id: message.id,
                subject: message.subject.clone(),
                received_at: message.created_at,
            });
        }
    }

    async fn matches(&self, message: &Message) -> Result<bool> {
        let filter = &self.wait.filter;
        if !filter.matches_metadata(message) {
            return Ok(false);
        }
        if !filter.needs_body() {
            return Ok(true);
        }
        let handle = self.wait.sandbox.message(message.id);
        let mut text: Option<Option<String>> = None;
        let mut html: Option<Option<String>> = None;
        for condition in &filter.conditions {
            let (want_text, want_html, part) = match condition {
                Condition::TextContains(part) => (true, false, part),
                Condition::HtmlContains(part) => (false, true, part),
                Condition::BodyContains(part) => (true, true, part),
                _ => continue,
            };
            let mut found = false;
            if want_text {
                if text.is_none() {
                    text = Some(body_part(handle.text().await)?);
                }
                found |= text
                    .as_ref()
                    .and_then(Option::as_deref)
                    .is_some_and(|content| content.contains(part.as_str()));
            }
            if want_html && !found {
                if html.is_none() {
                    html = Some(body_part(handle.html().await)?);
                }
                found |= html
                    .as_ref()
                    .and_then(Option::as_deref)
                    .is_some_and(|content| content.contains(part.as_str()));
            }
            if !found {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A body part, `None` when the message has none (409) or was deleted meanwhile (404).
fn body_part(fetched: Result<String>) -> Result<Option<String>> {
    match fetched {
        Ok(content) => Ok(Some(content)),
        Err(err)
            if matches!(
                err.kind(),
                Some(ApiErrorKind::MissingPart | ApiErrorKind::NotFound)
            ) =>
        {
            Ok(None)
        }
        Err(err) => Err(err),
    }
}
