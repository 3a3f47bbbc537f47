//! Reports about a message: spam score, HTML client support, headers, forward outcome.

use std::collections::BTreeMap;

use mailtrap_sandbox_api::sandbox::types as api;
use serde::Serialize;

use super::common::{non_empty, open_enum};

/// A SpamAssassin-style report of a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SpamReport {
    /// Scanner response code, `0` when fine.
    pub response_code: Option<i64>,
    /// Scanner response text, `EX_OK`.
    pub response_message: Option<String>,
    /// Scanner protocol version.
    pub response_version: Option<String>,
    /// Sum of the points of the rules that fired.
    pub score: f64,
    /// Whether the score reaches the threshold.
    pub spam: bool,
    /// Score from which a message counts as spam.
    pub threshold: Option<f64>,
    /// The rules that fired.
    pub details: Vec<SpamRule>,
}

/// One spam rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SpamRule {
    /// Rule name, `MISSING_MID`.
    pub rule_name: String,
    /// Points it added (the API sends a number or a numeric string); `None` when absent or
    /// not a number.
    pub points: Option<f64>,
    /// What it checks.
    pub description: Option<String>,
}

impl SpamReport {
    pub(crate) fn from_api(raw: api::SpamReportResponse) -> Self {
        let report = raw.report.unwrap_or_default();
        Self {
            response_code: report.response_code,
            response_message: non_empty(report.response_message),
            response_version: non_empty(report.response_version),
            score: report.score.unwrap_or(0.0),
            spam: report.spam.unwrap_or(false),
            threshold: report.threshold,
            details: report
                .details
                .into_iter()
                .map(|rule| SpamRule {
                    rule_name: rule.rule_name.unwrap_or_default(),
                    points: rule.pts.and_then(|pts| match pts {
                        api::SpamRulePts::Number(points) => Some(points),
                        api::SpamRulePts::String(text) => text.trim().parse().ok(),
                    }),
                    description: non_empty(rule.description),
                })
                .collect(),
        }
    }
}

open_enum! {
    /// Whether an HTML analysis ran.
    pub enum HtmlAnalysisStatus {
        /// It ran; [`HtmlAnalysis::errors`] lists what it found.
        Success => "success",
    }
}

/// Markup in a message's HTML body that some email clients do not support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HtmlAnalysis {
    /// Whether the analysis ran; `None` when the API did not say.
    pub status: Option<HtmlAnalysisStatus>,
    /// The constructs found (empty when the HTML is fine everywhere).
    pub errors: Vec<HtmlIssue>,
}

/// One construct of the HTML body that some clients do not support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HtmlIssue {
    /// Line of the HTML body.
    pub error_line: Option<u64>,
    /// What was found.
    pub rule_name: String,
    /// The clients that do not support it.
    pub email_clients: EmailClients,
}

/// Email clients by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EmailClients {
    /// Desktop clients.
    pub desktop: Vec<String>,
    /// Mobile clients.
    pub mobile: Vec<String>,
    /// Web clients.
    pub web: Vec<String>,
}

impl HtmlAnalysis {
    pub(crate) fn from_api(raw: api::HtmlAnalysisResponse) -> Self {
        let report = raw.report.unwrap_or_default();
        Self {
            status: non_empty(report.status).map(HtmlAnalysisStatus::from),
            errors: report
                .errors
                .into_iter()
                .map(|issue| {
                    let clients = issue.email_clients.unwrap_or_default();
                    HtmlIssue {
                        error_line: issue.error_line.and_then(|line| u64::try_from(line).ok()),
                        rule_name: issue.rule_name.unwrap_or_default(),
                        email_clients: EmailClients {
                            desktop: clients.desktop,
                            mobile: clients.mobile,
                            web: clients.web,
                        },
                    }
                })
                .collect(),
        }
    }
}

/// A message's headers, by the API's lower snake_case names (`date`, `from`, `to`,
/// `subject`, `mime_version`, `content_type`, `cc`, `bcc`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
#[non_exhaustive]
pub struct MessageHeaders {
    /// Every header the API returned.
    pub headers: BTreeMap<String, String>,
}

impl MessageHeaders {
    pub(crate) fn from_api(raw: api::MailHeadersResponse) -> Self {
        Self {
            headers: raw.headers,
        }
    }

    /// A header by name; `Content-Type`, `content-type` and `content_type` all find
    /// `content_type`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let headers = message.headers().await?;
    /// assert!(headers.get("Content-Type").is_some_and(|value| value.starts_with("text/plain")));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        let key = name.trim().to_ascii_lowercase().replace('-', "_");
        self.headers.get(&key).map(String::as_str)
    }

    /// The `subject` header.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// assert_eq!(message.headers().await?.subject(), Some("Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.get("subject")
    }

    /// The `from` header.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// assert!(message.headers().await?.from().is_some_and(|from| from.contains("robot@shop.example")));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn from(&self) -> Option<&str> {
        self.get("from")
    }

    /// The `to` header.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// assert!(message.headers().await?.to().is_some_and(|to| to.contains("ana@example.com")));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn to(&self) -> Option<&str> {
        self.get("to")
    }

    /// Iterates over name and value pairs, by name.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// for (name, value) in message.headers().await?.iter() {
    ///     println!("{name}: {value}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }
}

/// The outcome of forwarding a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ForwardOutcome {
    /// Whether the forward was accepted (assumed when the API does not say).
    pub success: bool,
    /// What the server said about it.
    pub message: Option<String>,
}

impl ForwardOutcome {
    pub(crate) fn from_api(raw: api::ForwardResponse) -> Self {
        Self {
            // Unknown until `confirmed` looks at the message.
            success: raw.success.unwrap_or(raw.message.is_some()),
            message: non_empty(raw.message),
        }
    }

    /// The outcome when the answer says the forward was done: `"success": true`, or a
    /// message and no `"success": false`; an error otherwise.
    pub(crate) fn confirmed(self, request: String) -> crate::Result<Self> {
        if self.success {
            return Ok(self);
        }
        let said = self.message.unwrap_or_default();
        if said.is_empty() {
            return Err(crate::error::DecodeError::new(
                request,
                reqwest::StatusCode::OK,
                ".".to_owned(),
                "the answer says neither `success` nor a message, so the forward is not \
                 known to have happened"
                    .to_owned(),
                b"",
            )
            .into());
        }
        let body = serde_json::json!({ "success": false, "message": said }).to_string();
        Err(crate::error::ApiError::unsuccessful(
            request,
            reqwest::StatusCode::OK,
            bytes::Bytes::from(body),
        )
        .into())
    }
}
