//! Fault injection: rules that make HTTP requests fail, wait or lose their connection, and SMTP
//! commands be rejected, so that clients can be tested against a misbehaving server.
//!
//! Rules come from [`crate::EmulatorConfig`] at start-up or from the control API
//! (`/_emulator/faults`, `/_emulator/smtp_faults`). They live in memory only.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::delivery::SmtpStage;

/// What an HTTP fault rule does to a request it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with `status`, `body` and `headers` instead of the real response.
    Fail,
    /// Wait `delay_ms` milliseconds, then answer normally (or apply the next matching rule).
    Delay,
    /// Close the connection without answering.
    Drop,
}

/// An HTTP fault rule, as given to the control API (`POST /_emulator/faults`) or to
/// [`crate::EmulatorConfig::faults`].
///
/// A rule applies to requests whose method and path match (`method` and `path_prefix`, both
/// optional), for the next `times` matching requests (unlimited when absent), each with a
/// probability of `percentage` % (always when absent). Control routes (`/_emulator/...`) are never
/// affected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FaultSpec {
    /// What the rule does.
    pub kind: FaultKind,
    /// Status of the failure response (`fail` only; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Body of the failure response: a JSON string is sent as text, anything else as JSON.
    /// Defaults to `{"error": "<reason phrase>"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Extra headers of the failure response.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// How long to wait (`delay` only; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Only requests with this method (`GET`, `POST`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Only requests whose path starts with this (`/api/sandboxes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Apply to this many matching requests, then stop; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Apply to this percentage (0 < p <= 100) of matching requests, chosen at random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
}

impl FaultSpec {
    fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            status: None,
            body: None,
            headers: BTreeMap::new(),
            delay_ms: None,
            method: None,
            path_prefix: None,
            times: None,
            percentage: None,
        }
    }

    /// Fail matching requests with `status` (and the default body).
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// // Every sending request answers 500 (add it with RunningEmulator::add_fault).
    /// let rule = FaultSpec::fail(500).path_prefix("/api/send");
    /// assert_eq!(rule.status, Some(500));
    /// ```
    pub fn fail(status: u16) -> Self {
        Self {
            status: Some(status),
            ..Self::new(FaultKind::Fail)
        }
    }

    /// Delay matching requests by `delay`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// // A slow API, to check the application's timeouts.
    /// let rule = FaultSpec::delay(Duration::from_secs(3));
    /// assert_eq!(rule.delay_ms, Some(3_000));
    /// ```
    pub fn delay(delay: Duration) -> Self {
        Self {
            delay_ms: Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)),
            ..Self::new(FaultKind::Delay)
        }
    }

    /// Close the connection of matching requests without answering.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// // The next send is dropped without an answer: did the application send twice?
    /// let rule = FaultSpec::drop_connection().method("POST").path_prefix("/api/send").times(1);
    /// assert_eq!(rule.times, Some(1));
    /// ```
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::Drop)
    }

    /// Sets the failure body.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// let rule = FaultSpec::fail(422).with_body(serde_json::json!({"errors": {"name": ["is taken"]}}));
    /// assert!(rule.body.is_some());
    /// ```
    #[must_use]
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds a header to the failure response.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// // Rate limited, with the wait in the answer.
    /// let rule = FaultSpec::fail(429).with_header("Retry-After", "2").times(1);
    /// assert_eq!(rule.headers["Retry-After"], "2");
    /// ```
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Limits the rule to this many matching requests.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// // Two failures, then the API recovers: does the client's retry get through?
    /// let rule = FaultSpec::fail(503).times(2);
    /// assert_eq!(rule.times, Some(2));
    /// ```
    #[must_use]
    pub fn times(mut self, times: u64) -> Self {
        self.times = Some(times);
        self
    }

    /// Applies the rule to this percentage of matching requests.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// // A flaky API: one request in ten fails.
    /// let rule = FaultSpec::fail(502).percentage(10.0);
    /// assert_eq!(rule.percentage, Some(10.0));
    /// ```
    #[must_use]
    pub fn percentage(mut self, percentage: f64) -> Self {
        self.percentage = Some(percentage);
        self
    }

    /// Limits the rule to one method.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// let rule = FaultSpec::fail(500).method("DELETE");
    /// assert_eq!(rule.method.as_deref(), Some("DELETE"));
    /// ```
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Limits the rule to paths starting with `prefix`.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::FaultSpec;
    ///
    /// let rule = FaultSpec::fail(404).path_prefix("/api/sandboxes");
    /// assert_eq!(rule.path_prefix.as_deref(), Some("/api/sandboxes"));
    /// ```
    #[must_use]
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }
}

/// The SMTP stage an SMTP fault rule is checked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpFaultStage {
    /// `AUTH`, matched against the username.
    Auth,
    /// `MAIL FROM`, matched against the sender address.
    MailFrom,
    /// `RCPT TO`, matched against each recipient address.
    RcptTo,
}

impl From<SmtpStage> for SmtpFaultStage {
    fn from(stage: SmtpStage) -> Self {
        match stage {
            SmtpStage::Auth => Self::Auth,
            SmtpStage::MailFrom => Self::MailFrom,
            SmtpStage::RcptTo => Self::RcptTo,
        }
    }
}

/// An SMTP fault rule, as given to the control API (`POST /_emulator/smtp_faults`) or to
/// [`crate::EmulatorConfig::smtp_faults`]: reject a command whose value matches `matches`
/// (case-insensitive; `*` matches any run of characters; absent matches everything) with `code`
/// and `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SmtpFaultSpec {
    /// The stage checked.
    pub stage: SmtpFaultStage,
    /// The pattern the value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// The SMTP reply code, 400 to 599.
    pub code: u16,
    /// The reply text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Apply to this many matching commands, then stop; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

impl SmtpFaultSpec {
    /// Rejects every command of `stage` with `code`.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{SmtpFaultSpec, SmtpFaultStage};
    ///
    /// // The SMTP server refuses every sender: the application must report it.
    /// let rule = SmtpFaultSpec::new(SmtpFaultStage::MailFrom, 451);
    /// assert_eq!(rule.code, 451);
    /// ```
    pub fn new(stage: SmtpFaultStage, code: u16) -> Self {
        Self {
            stage,
            matches: None,
            code,
            message: None,
            times: None,
        }
    }

    /// Only values matching `pattern` (`*` is a wildcard).
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{SmtpFaultSpec, SmtpFaultStage};
    ///
    /// let rule = SmtpFaultSpec::new(SmtpFaultStage::RcptTo, 550).matching("*@bounce.example");
    /// assert_eq!(rule.matches.as_deref(), Some("*@bounce.example"));
    /// ```
    #[must_use]
    pub fn matching(mut self, pattern: impl Into<String>) -> Self {
        self.matches = Some(pattern.into());
        self
    }

    /// Sets the reply text.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{SmtpFaultSpec, SmtpFaultStage};
    ///
    /// let rule = SmtpFaultSpec::new(SmtpFaultStage::RcptTo, 552).message("mailbox full");
    /// assert_eq!(rule.message.as_deref(), Some("mailbox full"));
    /// ```
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Limits the rule to this many matching commands.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{SmtpFaultSpec, SmtpFaultStage};
    ///
    /// // A temporary failure once, then delivery works: does the application retry?
    /// let rule = SmtpFaultSpec::new(SmtpFaultStage::RcptTo, 451).times(1);
    /// assert_eq!(rule.times, Some(1));
    /// ```
    #[must_use]
    pub fn times(mut self, times: u64) -> Self {
        self.times = Some(times);
        self
    }
}

/// Why a fault rule was refused: field name and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault rule: {}", describe(.0))]
pub struct FaultError(pub BTreeMap<String, Vec<String>>);

fn describe(errors: &BTreeMap<String, Vec<String>>) -> String {
    errors
        .iter()
        .map(|(field, messages)| format!("{field} {}", messages.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A prepared failure response.
#[derive(Debug, Clone)]
pub(crate) struct FailResponse {
    pub(crate) status: StatusCode,
    pub(crate) content_type: HeaderValue,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
}

#[derive(Debug, Clone)]
enum Action {
    Fail(FailResponse),
    Delay(Duration),
    Drop,
}

#[derive(Debug)]
struct HttpRule {
    id: u64,
    spec: FaultSpec,
    action: Action,
    remaining: Option<u64>,
    fired: u64,
}

#[derive(Debug)]
struct SmtpRule {
    id: u64,
    spec: SmtpFaultSpec,
    remaining: Option<u64>,
    fired: u64,
}

/// What to do with one HTTP request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Serve it normally.
    Pass,
    /// Answer with this instead.
    Fail(FailResponse),
    /// Close the connection.
    Drop,
}

/// The decision for one HTTP request: first wait `delay`, then apply `outcome`.
#[derive(Debug)]
pub(crate) struct Decision {
    pub(crate) delay: Duration,
    pub(crate) outcome: Outcome,
}

/// The active fault rules.
#[derive(Debug)]
pub(crate) struct FaultRegistry {
    http: Mutex<Vec<HttpRule>>,
    smtp: Mutex<Vec<SmtpRule>>,
    next_id: AtomicU64,
    initial_http: Vec<FaultSpec>,
    initial_smtp: Vec<SmtpFaultSpec>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FaultRegistry {
    /// A registry holding the start-up rules.
    pub(crate) fn new(http: Vec<FaultSpec>, smtp: Vec<SmtpFaultSpec>) -> Result<Self, FaultError> {
        let registry = Self {
            http: Mutex::new(Vec::new()),
            smtp: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            initial_http: http,
            initial_smtp: smtp,
        };
        registry.reset()?;
        Ok(registry)
    }

    /// Back to the start-up rules.
    pub(crate) fn reset(&self) -> Result<(), FaultError> {
        let http = self
            .initial_http
            .iter()
            .map(|spec| self.http_rule(spec.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let smtp = self
            .initial_smtp
            .iter()
            .map(|spec| self.smtp_rule(spec.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        *lock(&self.http) = http;
        *lock(&self.smtp) = smtp;
        Ok(())
    }

    fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn http_rule(&self, spec: FaultSpec) -> Result<HttpRule, FaultError> {
        let action = validate_http(&spec)?;
        Ok(HttpRule {
            id: self.id(),
            remaining: spec.times,
            spec,
            action,
            fired: 0,
        })
    }

    fn smtp_rule(&self, spec: SmtpFaultSpec) -> Result<SmtpRule, FaultError> {
        validate_smtp(&spec)?;
        Ok(SmtpRule {
            id: self.id(),
            remaining: spec.times,
            spec,
            fired: 0,
        })
    }

    /// Adds an HTTP rule; returns its description.
    pub(crate) fn add_http(&self, spec: FaultSpec) -> Result<Value, FaultError> {
        let rule = self.http_rule(spec)?;
        let view = http_view(&rule);
        lock(&self.http).push(rule);
        Ok(view)
    }

    /// Adds an SMTP rule; returns its description.
    pub(crate) fn add_smtp(&self, spec: SmtpFaultSpec) -> Result<Value, FaultError> {
        let rule = self.smtp_rule(spec)?;
        let view = smtp_view(&rule);
        lock(&self.smtp).push(rule);
        Ok(view)
    }

    /// The HTTP rules, in the order they are checked.
    pub(crate) fn list_http(&self) -> Vec<Value> {
        lock(&self.http).iter().map(http_view).collect()
    }

    /// The SMTP rules, in the order they are checked.
    pub(crate) fn list_smtp(&self) -> Vec<Value> {
        lock(&self.smtp).iter().map(smtp_view).collect()
    }

    /// Removes every HTTP rule; returns how many there were.
    pub(crate) fn clear_http(&self) -> usize {
        std::mem::take(&mut *lock(&self.http)).len()
    }

    /// Removes every SMTP rule; returns how many there were.
    pub(crate) fn clear_smtp(&self) -> usize {
        std::mem::take(&mut *lock(&self.smtp)).len()
    }

    /// Removes one HTTP rule.
    pub(crate) fn remove_http(&self, id: u64) -> bool {
        let mut rules = lock(&self.http);
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// Removes one SMTP rule.
    pub(crate) fn remove_smtp(&self, id: u64) -> bool {
        let mut rules = lock(&self.smtp);
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// Decides the fate of one HTTP request. Delay rules add up; the first fail or drop rule
    /// that fires ends the search.
    pub(crate) fn decide(&self, method: &str, path: &str) -> Decision {
        let mut rules = lock(&self.http);
        let mut delay = Duration::ZERO;
        for rule in rules.iter_mut() {
            if !fires(&rule.spec, rule.remaining, method, path) {
                continue;
            }
            if let Some(remaining) = rule.remaining.as_mut() {
                *remaining = remaining.saturating_sub(1);
            }
            rule.fired += 1;
            match &rule.action {
                Action::Delay(d) => delay += *d,
                Action::Fail(response) => {
                    return Decision {
                        delay,
                        outcome: Outcome::Fail(response.clone()),
                    };
                }
                Action::Drop => {
                    return Decision {
                        delay,
                        outcome: Outcome::Drop,
                    };
                }
            }
        }
        Decision {
            delay,
            outcome: Outcome::Pass,
        }
    }

    /// The first SMTP rule of `stage` matching `value`, if any: `(code, text)`.
    pub(crate) fn smtp_fault(&self, stage: SmtpStage, value: &str) -> Option<(u16, String)> {
        let stage = SmtpFaultStage::from(stage);
        let mut rules = lock(&self.smtp);
        let rule = rules.iter_mut().find(|rule| {
            rule.spec.stage == stage
                && rule.remaining != Some(0)
                && rule
                    .spec
                    .matches
                    .as_deref()
                    .is_none_or(|pattern| glob_match(pattern, value))
        })?;
        if let Some(remaining) = rule.remaining.as_mut() {
            *remaining = remaining.saturating_sub(1);
        }
        rule.fired += 1;
        let text = rule
            .spec
            .message
            .clone()
            .unwrap_or_else(|| "Rejected by an emulator fault rule".to_owned());
        Some((rule.spec.code, text))
    }
}

fn fires(spec: &FaultSpec, remaining: Option<u64>, method: &str, path: &str) -> bool {
    if remaining == Some(0) {
        return false;
    }
    if let Some(m) = &spec.method
        && !m.eq_ignore_ascii_case(method)
    {
        return false;
    }
    if let Some(prefix) = &spec.path_prefix
        && !path.starts_with(prefix.as_str())
    {
        return false;
    }
    match spec.percentage {
        Some(p) => fastrand::f64() * 100.0 < p,
        None => true,
    }
}

fn validate_http(spec: &FaultSpec) -> Result<Action, FaultError> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |field: &str, message: String| {
        errors.entry(field.to_owned()).or_default().push(message);
    };
    if let Some(p) = spec.percentage
        && !(p > 0.0 && p <= 100.0)
    {
        add(
            "percentage",
            "must be greater than 0 and at most 100".to_owned(),
        );
    }
    if let Some(prefix) = &spec.path_prefix
        && !prefix.starts_with('/')
    {
        add("path_prefix", "must start with '/'".to_owned());
    }
    if let Some(method) = &spec.method
        && (method.is_empty() || !method.chars().all(|c| c.is_ascii_alphabetic()))
    {
        add(
            "method",
            "must be an HTTP method such as GET or POST".to_owned(),
        );
    }
    let kind_field = |field: &str| format!("is only used by fault kind '{field}'");
    let action = match spec.kind {
        FaultKind::Fail => {
            if spec.delay_ms.is_some() {
                add("delay_ms", kind_field("delay"));
            }
            let status = match spec.status {
                None => {
                    add("status", "is required for fault kind 'fail'".to_owned());
                    None
                }
                Some(code) => match StatusCode::from_u16(code) {
                    Ok(status) if (200..=599).contains(&code) => Some(status),
                    _ => {
                        add(
                            "status",
                            "must be an HTTP status from 200 to 599".to_owned(),
                        );
                        None
                    }
                },
            };
            let mut headers = Vec::new();
            for (name, value) in &spec.headers {
                match (
                    HeaderName::try_from(name.as_str()),
                    HeaderValue::try_from(value.as_str()),
                ) {
                    (Ok(n), Ok(v)) => headers.push((n, v)),
                    _ => add("headers", format!("'{name}' is not a valid header")),
                }
            }
            status.map(|status| {
                let (content_type, body) = fail_body(status, spec.body.as_ref());
                Action::Fail(FailResponse {
                    status,
                    content_type,
                    headers,
                    body,
                })
            })
        }
        FaultKind::Delay => {
            for (field, present) in [
                ("status", spec.status.is_some()),
                ("body", spec.body.is_some()),
                ("headers", !spec.headers.is_empty()),
            ] {
                if present {
                    add(field, kind_field("fail"));
                }
            }
            match spec.delay_ms {
                None => {
                    add("delay_ms", "is required for fault kind 'delay'".to_owned());
                    None
                }
                Some(ms) if ms > 600_000 => {
                    add(
                        "delay_ms",
                        "must be at most 600000 (ten minutes)".to_owned(),
                    );
                    None
                }
                Some(ms) => Some(Action::Delay(Duration::from_millis(ms))),
            }
        }
        FaultKind::Drop => {
            for (field, present) in [
                ("status", spec.status.is_some()),
                ("body", spec.body.is_some()),
                ("headers", !spec.headers.is_empty()),
                ("delay_ms", spec.delay_ms.is_some()),
            ] {
                if present {
                    add(field, "is not used by fault kind 'drop'".to_owned());
                }
            }
            Some(Action::Drop)
        }
    };
    match action {
        Some(action) if errors.is_empty() => Ok(action),
        _ => Err(FaultError(errors)),
    }
}

fn fail_body(status: StatusCode, body: Option<&Value>) -> (HeaderValue, Bytes) {
    let json = HeaderValue::from_static("application/json; charset=utf-8");
    match body {
        Some(Value::String(text)) => (
            HeaderValue::from_static("text/plain; charset=utf-8"),
            Bytes::from(text.clone()),
        ),
        Some(value) => (json, Bytes::from(value.to_string())),
        None => {
            let reason = status.canonical_reason().unwrap_or("Injected failure");
            (json, Bytes::from(json!({ "error": reason }).to_string()))
        }
    }
}

fn validate_smtp(spec: &SmtpFaultSpec) -> Result<(), FaultError> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !(400..=599).contains(&spec.code) {
        errors
            .entry("code".to_owned())
            .or_default()
            .push("must be an SMTP error code from 400 to 599".to_owned());
    }
    if let Some(message) = &spec.message
        && message.chars().any(|c| c == '\r' || c == '\n')
    {
        errors
            .entry("message".to_owned())
            .or_default()
            .push("must be a single line".to_owned());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(FaultError(errors))
    }
}

fn http_view(rule: &HttpRule) -> Value {
    let mut view = serde_json::to_value(&rule.spec).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut view {
        map.insert("id".to_owned(), json!(rule.id));
        map.insert("remaining".to_owned(), json!(rule.remaining));
        map.insert("fired".to_owned(), json!(rule.fired));
    }
    view
}

fn smtp_view(rule: &SmtpRule) -> Value {
    let mut view = serde_json::to_value(&rule.spec).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut view {
        map.insert("id".to_owned(), json!(rule.id));
        map.insert("remaining".to_owned(), json!(rule.remaining));
        map.insert("fired".to_owned(), json!(rule.fired));
    }
    view
}

/// Case-insensitive match where `*` stands for any run of characters.
fn glob_match(pattern: &str, value: &str) -> bool {
    let pattern = pattern.to_lowercase();
    let value = value.to_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == value;
    }
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if !value.starts_with(first) || value.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = value.get(first.len()..).unwrap_or("");
    let middle = parts.get(1..parts.len() - 1).unwrap_or(&[]);
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_a_shell() {
        assert!(glob_match("bob@example.com", "BOB@example.com"));
        assert!(!glob_match("bob@example.com", "bobby@example.com"));
        assert!(glob_match("*@example.com", "anyone@example.com"));
        assert!(glob_match("bounce*", "bounce-123@x.org"));
        assert!(glob_match("*block*", "we-block-you@x.org"));
        assert!(!glob_match("*block*", "fine@x.org"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a*a", "a"));
    }

    #[test]
    fn fail_rules_need_a_status_and_fire_the_given_number_of_times() {
        let registry = FaultRegistry::new(Vec::new(), Vec::new()).unwrap();
        let err = registry
            .add_http(FaultSpec::new(FaultKind::Fail))
            .unwrap_err();
        assert!(err.0.contains_key("status"), "{err}");
        registry
            .add_http(FaultSpec::fail(503).times(2).path_prefix("/api/sandboxes"))
            .unwrap();
        assert!(matches!(
            registry.decide("GET", "/api/projects").outcome,
            Outcome::Pass
        ));
        for _ in 0..2 {
            assert!(matches!(
                registry.decide("GET", "/api/sandboxes/1").outcome,
                Outcome::Fail(_)
            ));
        }
        assert!(matches!(
            registry.decide("GET", "/api/sandboxes/1").outcome,
            Outcome::Pass
        ));
    }

    #[test]
    fn delays_add_up_before_a_failure() {
        let registry = FaultRegistry::new(
            vec![
                FaultSpec::delay(Duration::from_millis(5)),
                FaultSpec::delay(Duration::from_millis(7)).method("post"),
                FaultSpec::drop_connection().method("POST"),
            ],
            Vec::new(),
        )
        .unwrap();
        let decision = registry.decide("POST", "/x");
        assert_eq!(decision.delay, Duration::from_millis(12));
        assert!(matches!(decision.outcome, Outcome::Drop));
        let decision = registry.decide("GET", "/x");
        assert_eq!(decision.delay, Duration::from_millis(5));
        assert!(matches!(decision.outcome, Outcome::Pass));
    }

    #[test]
    fn smtp_rules_match_stage_and_pattern() {
        let registry = FaultRegistry::new(
            Vec::new(),
            vec![
                SmtpFaultSpec::new(SmtpFaultStage::RcptTo, 550)
                    .matching("*@blocked.test")
                    .times(1),
            ],
        )
        .unwrap();
        assert_eq!(
            registry.smtp_fault(SmtpStage::MailFrom, "a@blocked.test"),
            None
        );
        assert_eq!(
            registry.smtp_fault(SmtpStage::RcptTo, "a@Blocked.test"),
            Some((550, "Rejected by an emulator fault rule".to_owned()))
        );
        assert_eq!(
            registry.smtp_fault(SmtpStage::RcptTo, "a@blocked.test"),
            None
        );
        assert!(
            registry
                .add_smtp(SmtpFaultSpec::new(SmtpFaultStage::Auth, 250))
                .is_err()
        );
    }
}
