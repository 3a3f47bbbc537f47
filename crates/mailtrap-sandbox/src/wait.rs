//! Wait for a message to arrive in a sandbox.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use mailtrap_sandbox::wait::MessageFilter;
//!
//! # async fn run(client: mailtrap_sandbox::Client) -> mailtrap_sandbox::Result<()> {
//! let sandbox = client.sandbox(4_288_340);
//! // ... make the application send its password-reset email ...
//! let message = sandbox
//!     .wait_for(
//!         MessageFilter::new()
//!             .subject_contains("Reset your password")
//!             .to("ana@example.com"),
//!     )
//!     .timeout(Duration::from_secs(20))
//!     .send()
//!     .await?;
//! println!("arrived: #{} {}", message.id, message.subject);
//! # Ok(())
//! # }
//! ```
//!
//! # How it polls
//!
//! When started, it notes the newest message id in the sandbox (or takes the one given with
//! [`WaitFor::since`]); only messages with a higher id count. To be sure not to miss a message
//! stored very quickly, start the wait before triggering the email ([`WaitFor::start`], then
//! [`PendingWait::wait`]). Each poll lists the sandbox
//! newest first, page after page (with `last_id`), down to that id, so a burst of mail
//! between two polls is read entirely, and a message that shows up late with a lower id than
//! one already seen is still found. Each message is checked once, oldest first: the first that
//! matches is returned. Bodies are fetched only for filters that need them
//! ([`MessageFilter::text_contains`], [`MessageFilter::html_contains`]) and only for
//! messages that passed the other conditions.
//!
//! Polls are [`poll_interval`](WaitFor::poll_interval) apart (1 s by default, well within
//! the API's 150 requests per 10 s). When the API answers 429 despite the client's own
//! retries, the wait doubles its interval (up to 30 s) and carries on until the deadline.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{ApiErrorKind, Error, Result};
use crate::ids::{MessageId, SandboxId};
use crate::models::Message;
use crate::resources::{SandboxHandle, fetch_message_page};

/// Default time to wait.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time between polls.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Longest time between polls after repeated 429 answers.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How many subjects of non-matching messages a timeout error shows.
const SHOWN_SUBJECTS: usize = 5;

/// What the awaited message must be like. Every condition set must hold; with none, any
/// new message matches.
///
/// Address conditions compare ignoring case; `to` matches any of the message's recipients
/// as Mailtrap lists them.
#[derive(Clone, Default)]
#[must_use]
pub struct MessageFilter {
    conditions: Vec<Condition>,
}

#[derive(Clone)]
enum Condition {
    SubjectEquals(String),
    SubjectContains(String),
    From(String),
    To(String),
    TextContains(String),
    HtmlContains(String),
    Matching {
        description: String,
        predicate: Arc<dyn Fn(&Message) -> bool + Send + Sync>,
    },
}

impl Condition {
    /// Whether the condition needs a body fetched.
    fn needs_body(&self) -> bool {
        matches!(self, Self::TextContains(_) | Self::HtmlContains(_))
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SubjectEquals(subject) => write!(f, "subject {subject:?}"),
            Self::SubjectContains(part) => write!(f, "subject containing {part:?}"),
            Self::From(address) => write!(f, "from {address}"),
            Self::To(address) => write!(f, "to {address}"),
            Self::TextContains(part) => write!(f, "text containing {part:?}"),
            Self::HtmlContains(part) => write!(f, "HTML containing {part:?}"),
            Self::Matching { description, .. } => f.write_str(description),
        }
    }
}

impl MessageFilter {
    /// A filter that any message matches; add conditions to narrow it.
    pub fn new() -> Self {
        Self::default()
    }

    /// The subject is exactly `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.conditions
            .push(Condition::SubjectEquals(subject.into()));
        self
    }

    /// The subject contains `part` (case-sensitive).
    pub fn subject_contains(mut self, part: impl Into<String>) -> Self {
        self.conditions
            .push(Condition::SubjectContains(part.into()));
        self
    }

    /// The sender's address is `address` (ignoring case).
    pub fn from(mut self, address: impl Into<String>) -> Self {
        self.conditions
            .push(Condition::From(address.into().trim().to_owned()));
        self
    }

    /// `address` is among the recipients (ignoring case).
    pub fn to(mut self, address: impl Into<String>) -> Self {
        self.conditions
            .push(Condition::To(address.into().trim().to_owned()));
        self
    }

    /// The text body contains `part`. Needs one extra request per candidate message (made
    /// only when the other conditions hold); a message without a text body does not match.
    pub fn text_contains(mut self, part: impl Into<String>) -> Self {
        self.conditions.push(Condition::TextContains(part.into()));
        self
    }

    /// The HTML body contains `part`. Needs one extra request per candidate message (made
    /// only when the other conditions hold); a message without an HTML body does not match.
    pub fn html_contains(mut self, part: impl Into<String>) -> Self {
        self.conditions.push(Condition::HtmlContains(part.into()));
        self
    }

    /// Any test over the message's metadata; `description` names it in the timeout error
    /// ("with 2 attachments", for instance).
    ///
    /// ```
    /// use mailtrap_sandbox::wait::MessageFilter;
    ///
    /// let filter = MessageFilter::new()
    ///     .subject_contains("Invoice")
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
            Condition::SubjectEquals(subject) => message.subject == *subject,
            Condition::SubjectContains(part) => message.subject.contains(part.as_str()),
            Condition::From(address) => message.from_email.trim().eq_ignore_ascii_case(address),
            Condition::To(address) => {
                recipients(&message.to_email).any(|to| to.eq_ignore_ascii_case(address))
            }
            Condition::Matching { predicate, .. } => predicate(message),
            Condition::TextContains(_) | Condition::HtmlContains(_) => true,
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

/// The addresses of Mailtrap's `to_email` (one address, or several separated by commas),
/// each without a display name.
fn recipients(to_email: &str) -> impl Iterator<Item = &str> {
    to_email.split(',').map(|entry| {
        let entry = entry.trim();
        match (entry.rfind('<'), entry.strip_suffix('>')) {
            (Some(open), Some(without_close)) => {
                without_close.get(open + 1..).unwrap_or(entry).trim()
            }
            _ => entry,
        }
    })
}

/// No matching message arrived in time: what was awaited and what was seen instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitTimeout {
    /// The sandbox watched.
    pub sandbox: SandboxId,
    /// What was awaited, in words (the filter's `Display`).
    pub awaited: String,
    /// How long it waited.
    pub waited: Duration,
    /// How many times it listed the sandbox.
    pub polls: u32,
    /// How many new messages it saw (none matched).
    pub seen: usize,
    /// Subjects of the most recent messages it saw, newest first (at most 5).
    pub seen_subjects: Vec<String>,
    /// The last error met while polling (a 429 that outlasted the retries), if any.
    pub last_error: Option<String>,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timed out after {:.1} s waiting for {} in sandbox {}: {} poll{}, ",
            self.waited.as_secs_f64(),
            self.awaited,
            self.sandbox,
            self.polls,
            if self.polls == 1 { "" } else { "s" },
        )?;
        match self.seen {
            0 => f.write_str("no new message arrived")?,
            1 => f.write_str("1 new message arrived but did not match")?,
            n => write!(f, "{n} new messages arrived but none matched")?,
        }
        if !self.seen_subjects.is_empty() {
            let subjects: Vec<String> = self
                .seen_subjects
                .iter()
                .map(|s| format!("{s:?}"))
                .collect();
            write!(f, " (latest subjects: {})", subjects.join(", "))?;
        }
        if let Some(error) = &self.last_error {
            write!(f, "; last error: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WaitTimeout {}

impl SandboxHandle {
    /// Waits for a message matching `filter` to arrive (see the [`wait`](crate::wait) module
    /// for how it polls). Configure with [`WaitFor::timeout`], [`WaitFor::poll_interval`] and
    /// [`WaitFor::since`]; run with [`WaitFor::send`].
    pub fn wait_for(&self, filter: MessageFilter) -> WaitFor {
        WaitFor {
            sandbox: self.clone(),
            filter,
            timeout: DEFAULT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            since: None,
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
    poll_interval: Duration,
    since: Option<MessageId>,
    search: Option<String>,
}

impl WaitFor {
    /// How long to wait at most (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time between polls (default 1 s; at least 10 ms).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(10));
        self
    }

    /// Counts only messages newer than this one (with a higher id) instead of those that
    /// arrive after the call: no message is missed even if it arrived before the wait began.
    /// Take the id from a message you already saw, or from
    /// [`SendOutcome::sandbox_message_ids`](crate::models::SendOutcome::sandbox_message_ids).
    pub fn since(mut self, id: impl Into<MessageId>) -> Self {
        self.since = Some(id.into());
        self
    }

    /// Narrows each listing with the API's own search (over subjects, addresses and text),
    /// to read fewer pages in a busy sandbox. The filter still decides what matches.
    pub fn search(mut self, query: impl Into<String>) -> Self {
        self.search = Some(query.into());
        self
    }

    /// Notes where to start (the newest message now, unless [`since`](Self::since) was
    /// given) without waiting yet. Do this *before* making the application send its email,
    /// then [`PendingWait::wait`]: a message stored quickly cannot slip in before the wait
    /// begins.
    ///
    /// ```no_run
    /// use mailtrap_sandbox::wait::MessageFilter;
    ///
    /// # async fn trigger_password_reset() {}
    /// # async fn run(client: mailtrap_sandbox::Client) -> mailtrap_sandbox::Result<()> {
    /// let sandbox = client.sandbox(4_288_340);
    /// let pending = sandbox
    ///     .wait_for(MessageFilter::new().subject_contains("Reset"))
    ///     .start()
    ///     .await?;
    /// trigger_password_reset().await;
    /// let message = pending.wait().await?;
    /// # let _ = message;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the listing request.
    pub async fn start(self) -> Result<PendingWait> {
        let mut poller = Poller {
            wait: self,
            floor: None,
            checked: HashSet::new(),
            seen_subjects: Vec::new(),
            polls: 0,
            last_error: None,
        };
        poller.floor = match poller.wait.since {
            Some(id) => Some(id),
            // The newest message now is the floor: only what comes after counts.
            None => poller
                .list_page(None)
                .await?
                .iter()
                .map(|message| message.id)
                .max(),
        };
        tracing::debug!(sandbox = %poller.wait.sandbox.id, floor = ?poller.floor, "waiting for a message");
        Ok(PendingWait { poller })
    }

    /// Waits, and returns the first new message that matches ([`start`](Self::start) then
    /// [`PendingWait::wait`]).
    ///
    /// # Errors
    ///
    /// [`Error::WaitTimeout`] when none arrives in time (it says what was awaited and what
    /// was seen); any other [`Error`] of the listing or body requests (a 429 is not one: it
    /// slows the polling down instead).
    pub async fn send(self) -> Result<Message> {
        self.start().await?.wait().await
    }
}

/// A wait whose starting point is set ([`WaitFor::start`]): [`wait`](Self::wait) for the
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
            .finish_non_exhaustive()
    }
}

impl PendingWait {
    /// Only messages with a higher id than this one count (`None`: the sandbox was empty,
    /// every message counts).
    #[must_use]
    pub fn after(&self) -> Option<MessageId> {
        self.poller.floor
    }

    /// Polls until a matching message arrives or the timeout (counted from this call)
    /// passes; returns the first match, oldest first.
    ///
    /// # Errors
    ///
    /// [`Error::WaitTimeout`] when none arrives in time (it says what was awaited and what
    /// was seen); any other [`Error`] of the listing or body requests (a 429 is not one: it
    /// slows the polling down instead).
    pub async fn wait(mut self) -> Result<Message> {
        let started = Instant::now();
        let wait = self.poller.wait.clone();
        let deadline = started + wait.timeout;
        let mut interval = wait.poll_interval;
        loop {
            match self.poller.poll().await {
                Ok(Some(message)) => return Ok(message),
                Ok(None) => interval = wait.poll_interval,
                Err(err) if err.kind() == Some(ApiErrorKind::RateLimited) => {
                    interval = err
                        .retry_after()
                        .unwrap_or(interval * 2)
                        .clamp(wait.poll_interval, MAX_BACKOFF);
                    tracing::info!(
                        wait_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
                        "rate limited while waiting; polling less often"
                    );
                    self.poller.last_error = Some(err.to_string());
                }
                Err(err) => return Err(err),
            }
            if Instant::now() >= deadline {
                let poller = self.poller;
                return Err(Error::WaitTimeout(Box::new(WaitTimeout {
                    sandbox: wait.sandbox.id,
                    awaited: wait.filter.to_string(),
                    waited: started.elapsed(),
                    polls: poller.polls,
                    seen: poller.checked.len(),
                    seen_subjects: poller.seen_subjects,
                    last_error: poller.last_error,
                })));
            }
            sleep_until_next(interval, deadline).await;
        }
    }
}

/// Sleeps for `interval`, or until just after the deadline when that comes first (so one last
/// poll happens at the deadline).
async fn sleep_until_next(interval: Duration, deadline: Instant) {
    let now = Instant::now();
    let wake = (now + interval).min(deadline.max(now));
    tokio::time::sleep_until(wake).await;
}

/// The state of one wait.
struct Poller {
    wait: WaitFor,
    /// Only messages with a higher id count (`None`: the sandbox was empty, all count).
    floor: Option<MessageId>,
    /// Messages already checked.
    checked: HashSet<MessageId>,
    /// Subjects of the newest messages checked, newest first.
    seen_subjects: Vec<String>,
    polls: u32,
    last_error: Option<String>,
}

impl Poller {
    async fn list_page(&mut self, last_id: Option<MessageId>) -> Result<Vec<Message>> {
        let handle = &self.wait.sandbox;
        self.polls += u32::from(last_id.is_none());
        let page = fetch_message_page(
            &handle.client,
            handle.id,
            self.wait.search.as_deref(),
            last_id,
            None,
        )
        .await?;
        Ok(page.into_items())
    }

    /// One poll: every message above the floor not checked yet, checked oldest first.
    async fn poll(&mut self) -> Result<Option<Message>> {
        let mut fresh: Vec<Message> = Vec::new();
        let mut last_id = None;
        loop {
            let page = self.list_page(last_id).await?;
            let Some(lowest) = page.iter().map(|message| message.id).min() else {
                break;
            };
            let reached_floor = self.floor.is_some_and(|floor| lowest <= floor);
            fresh.extend(
                page.into_iter()
                    .filter(|message| self.floor.is_none_or(|floor| message.id > floor))
                    .filter(|message| !self.checked.contains(&message.id)),
            );
            // Stop at the floor, or at a page that did not move the cursor down.
            if reached_floor || last_id.is_some_and(|previous| lowest >= previous) {
                break;
            }
            last_id = Some(lowest);
        }
        fresh.sort_by_key(|message| message.id);
        fresh.dedup_by_key(|message| message.id);
        for message in fresh {
            self.checked.insert(message.id);
            self.seen_subjects.insert(0, message.subject.clone());
            self.seen_subjects.truncate(SHOWN_SUBJECTS);
            if self.matches(&message).await? {
                tracing::debug!(message = %message.id, "awaited message arrived");
                return Ok(Some(message));
            }
        }
        Ok(None)
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
        let mut text = None;
        let mut html = None;
        for condition in &filter.conditions {
            let (body, part) = match condition {
                Condition::TextContains(part) => (&mut text, part),
                Condition::HtmlContains(part) => (&mut html, part),
                _ => continue,
            };
            if body.is_none() {
                let fetched = match condition {
                    Condition::TextContains(_) => handle.text().await,
                    _ => handle.html().await,
                };
                *body = Some(match fetched {
                    Ok(content) => content,
                    // No such part (409) or deleted meanwhile (404): it cannot match.
                    Err(err)
                        if matches!(
                            err.kind(),
                            Some(ApiErrorKind::MissingPart | ApiErrorKind::NotFound)
                        ) =>
                    {
                        return Ok(false);
                    }
                    Err(err) => return Err(err),
                });
            }
            if !body
                .as_deref()
                .is_some_and(|content| content.contains(part.as_str()))
            {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
