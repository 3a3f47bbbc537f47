//! What the demo found, as JSON (`--json`) or as readable sections.

use mailtrap_sandbox::ids::{MessageId, ProjectId, SandboxId};
use serde::Serialize;

use crate::table::fields;

/// The whole report.
#[derive(Debug, Serialize)]
pub(super) struct Report {
    /// `emulator` or `live`.
    pub(super) mode: &'static str,
    pub(super) base_url: String,
    pub(super) project: Option<ProjectFacts>,
    pub(super) sandbox: Option<SandboxFacts>,
    pub(super) messages: Vec<MessageFacts>,
    /// Whether the project and sandbox were deleted at the end.
    pub(super) cleaned_up: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct ProjectFacts {
    pub(super) id: ProjectId,
    pub(super) name: String,
}

#[derive(Debug, Serialize)]
pub(super) struct SandboxFacts {
    pub(super) id: SandboxId,
    pub(super) name: String,
    pub(super) smtp_host: String,
    pub(super) smtp_port: u16,
}

/// One delivered message, as the API shows it.
#[derive(Debug, Serialize)]
pub(super) struct MessageFacts {
    /// `sending API` or `SMTP`.
    pub(super) sent_through: &'static str,
    pub(super) id: MessageId,
    pub(super) subject: String,
    pub(super) from: String,
    pub(super) to: String,
    /// The `bcc` the API reports (Mailtrap may say it is not available on the plan).
    pub(super) bcc: Option<String>,
    pub(super) link: Option<LinkFacts>,
    pub(super) code: Option<String>,
    pub(super) attachments: Vec<AttachmentFacts>,
    pub(super) spam: SpamFacts,
    pub(super) html_analysis: HtmlFacts,
    /// Template placeholders found in the delivered subject and bodies (none expected).
    pub(super) placeholders_left: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct LinkFacts {
    pub(super) url: String,
    pub(super) text: String,
}

#[derive(Debug, Serialize)]
pub(super) struct AttachmentFacts {
    pub(super) filename: String,
    pub(super) content_type: String,
    pub(super) size: u64,
    pub(super) sha256: String,
    /// Whether the downloaded bytes are the ones sent.
    pub(super) matches_sent: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct SpamFacts {
    pub(super) score: f64,
    pub(super) threshold: Option<f64>,
    pub(super) spam: bool,
    pub(super) rules: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct HtmlFacts {
    pub(super) status: Option<String>,
    /// Rule names of the constructs some email clients do not support.
    pub(super) issues: Vec<String>,
}

impl MessageFacts {
    /// The message as an indented block of aligned fields.
    pub(super) fn render(&self) -> String {
        let link = self.link.as_ref().map_or_else(
            || "none found".to_owned(),
            |link| {
                if link.text.is_empty() {
                    link.url.clone()
                } else {
                    format!("{} ({:?})", link.url, link.text)
                }
            },
        );
        let attachments = if self.attachments.is_empty() {
            "none".to_owned()
        } else {
            self.attachments
                .iter()
                .map(|file| {
                    format!(
                        "{}, {}, {} bytes, SHA-256 {} ({})",
                        file.filename,
                        file.content_type,
                        file.size,
                        file.sha256,
                        if file.matches_sent {
                            "matches the file sent"
                        } else {
                            "DIFFERS from the file sent"
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let spam = format!(
            "{} ({}, {}{})",
            self.spam.score,
            self.spam.threshold.map_or_else(
                || "no threshold given".to_owned(),
                |threshold| format!("threshold {threshold}")
            ),
            if self.spam.spam { "spam" } else { "not spam" },
            if self.spam.rules.is_empty() {
                String::new()
            } else {
                format!("; rules: {}", self.spam.rules.join(", "))
            }
        );
        let html = format!(
            "{}, {}",
            self.html_analysis.status.as_deref().unwrap_or("no status"),
            match self.html_analysis.issues.len() {
                0 => "no unsupported construct".to_owned(),
                _ => format!(
                    "not supported everywhere: {}",
                    self.html_analysis.issues.join(", ")
                ),
            }
        );
        let placeholders = if self.placeholders_left.is_empty() {
            "none left".to_owned()
        } else {
            format!("LEFT UNRENDERED: {}", self.placeholders_left.join("; "))
        };
        let block = fields(&[
            ("Subject", self.subject.clone()),
            ("From", self.from.clone()),
            ("To", self.to.clone()),
            ("Bcc", self.bcc.clone().unwrap_or_else(|| "-".to_owned())),
            ("Link", link),
            (
                "Code",
                self.code.clone().unwrap_or_else(|| "none found".to_owned()),
            ),
            ("Attachments", attachments),
            ("Spam score", spam),
            ("HTML check", html),
            ("Placeholders", placeholders),
        ]);
        let indented: Vec<String> = block.lines().map(|line| format!("   {line}")).collect();
        format!(
            "Message {}, sent through the {}:\n{}",
            self.id,
            self.sent_through,
            indented.join("\n")
        )
    }
}
