//! Messages caught by a sandbox.

use chrono::{DateTime, Utc};
use mailtrap_sandbox_api::sandbox::types as api;
use serde::Serialize;

use super::common::{Conv, count, non_empty, open_enum, optional_id, required_id};
use crate::email::Mailbox;
use crate::eml::address_list;
use crate::ids::{MessageId, SandboxId};
use crate::models::MessageHeaders;

/// A message caught by a sandbox (its metadata; the bodies are behind
/// [`MessageHandle`](crate::resources::MessageHandle) methods such as `html()` and `eml()`,
/// and every To, Cc and Bcc address behind its `recipients()`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Message {
    /// Message id.
    pub id: MessageId,
    /// The sandbox holding it (`sandbox_id`, or `inbox_id` in older answers).
    pub sandbox_id: Option<SandboxId>,
    /// Decoded subject.
    pub subject: String,
    /// Sender address.
    pub from_email: String,
    /// Sender display name, if any.
    pub from_name: Option<String>,
    /// The To address as the listing gives it (Mailtrap joins several with commas; every
    /// To, Cc and Bcc address, one by one, is in
    /// [`MessageHandle::recipients`](crate::resources::MessageHandle::recipients)).
    pub to_email: String,
    /// First recipient display name, if any.
    pub to_name: Option<String>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the sandbox received it.
    pub created_at: Option<DateTime<Utc>>,
    /// Last change (its read state, for instance).
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether it was opened or marked read.
    pub is_read: bool,
    /// Size of the raw message in bytes.
    pub email_size: u64,
    /// Size of the HTML body in bytes.
    pub html_body_size: u64,
    /// Size of the text body in bytes.
    pub text_body_size: u64,
    /// Size for people, `691 Bytes`.
    pub human_size: String,
    /// The Mailtrap template it was sent with, if any (the API's `0` and `null` are `None`).
    pub template_id: Option<u64>,
    /// The variables that template was rendered with.
    pub template_variables: Option<serde_json::Map<String, serde_json::Value>>,
    /// Path of the HTML body (already encoded; follow verbatim).
    pub html_path: Option<String>,
    /// Path of the text body.
    pub txt_path: Option<String>,
    /// Path of the raw message.
    pub raw_path: Option<String>,
    /// Path of the `.eml` download.
    pub download_path: Option<String>,
    /// Path of the HTML source.
    pub html_source_path: Option<String>,
    /// The blacklist check of the sender, when one was run (the API's `false` is `None`).
    pub blacklists_report: Option<BlacklistsReport>,
    /// How the message arrived over SMTP, when known.
    pub smtp_information: Option<SmtpInformation>,
}

impl Message {
    /// Every recipient address known from the listing, without display names, each once:
    /// the To addresses Mailtrap gives (`to_email`, one or several separated by commas) and
    /// the SMTP envelope's `RCPT TO` (which includes Cc and Bcc) when the message came over
    /// SMTP.
    ///
    /// ```
    /// # fn show(message: &mailtrap_sandbox::models::Message) {
    /// for address in message.recipient_addresses() {
    ///     println!("{address}");
    /// }
    /// # }
    /// ```
    pub fn recipient_addresses(&self) -> impl Iterator<Item = &str> {
        let envelope = self
            .smtp_information
            .iter()
            .flat_map(|info| info.envelope.iter())
            .flat_map(|envelope| envelope.rcpt_to.iter().map(|to| bare_address(to)));
        let mut seen: Vec<String> = Vec::new();
        self.to_email
            .split(',')
            .map(bare_address)
            .chain(envelope)
            .filter(move |address| {
                let key = address.to_ascii_lowercase();
                if address.is_empty() || seen.contains(&key) {
                    false
                } else {
                    seen.push(key);
                    true
                }
            })
    }

    pub(crate) fn from_api(raw: api::Message) -> Conv<Self> {
        Ok(Self {
            id: required_id(raw.id, "id")?,
            sandbox_id: optional_id(raw.sandbox_id.or(raw.inbox_id)),
            subject: raw.subject.unwrap_or_default(),
            from_email: raw.from_email.unwrap_or_default(),
            from_name: non_empty(raw.from_name),
            to_email: raw.to_email.unwrap_or_default(),
            to_name: non_empty(raw.to_name),
            sent_at: raw.sent_at,
            created_at: raw.created_at,
            updated_at: raw.updated_at,
            is_read: raw.is_read.unwrap_or(false),
            email_size: count(raw.email_size),
            html_body_size: count(raw.html_body_size),
            text_body_size: count(raw.text_body_size),
            human_size: raw.human_size.unwrap_or_default(),
            template_id: raw
                .template_id
                .and_then(|id| u64::try_from(id).ok())
                .filter(|id| *id != 0),
            template_variables: raw.template_variables,
            html_path: non_empty(raw.html_path),
            txt_path: non_empty(raw.txt_path),
            raw_path: non_empty(raw.raw_path),
            download_path: non_empty(raw.download_path),
            html_source_path: non_empty(raw.html_source_path),
            blacklists_report: match raw.blacklists_report_info {
                Some(api::BlacklistsReportInfo::BlacklistsReport(report)) => {
                    Some(BlacklistsReport::from_api(report))
                }
                Some(api::BlacklistsReportInfo::Boolean(_)) | None => None,
            },
            smtp_information: raw.smtp_information.map(SmtpInformation::from_api),
        })
    }
}

open_enum! {
    /// The state of a blacklist check.
    pub enum BlacklistResult {
        /// The check ran.
        Success => "success",
        /// The check has not finished.
        Pending => "pending",
        /// The check failed.
        Error => "error",
    }
}

/// The result of checking the sender's domain and IP against public blacklists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BlacklistsReport {
    /// Whether the check ran.
    pub result: Option<BlacklistResult>,
    /// The domain checked.
    pub domain: Option<String>,
    /// The IP address checked.
    pub ip: Option<String>,
    /// One verdict per blacklist.
    pub report: Vec<BlacklistCheck>,
}

impl BlacklistsReport {
    fn from_api(raw: api::BlacklistsReport) -> Self {
        Self {
            result: non_empty(raw.result).map(BlacklistResult::from),
            domain: non_empty(raw.domain),
            ip: non_empty(raw.ip),
            report: raw
                .report
                .into_iter()
                .map(|check| BlacklistCheck {
                    name: check.name.unwrap_or_default(),
                    url: non_empty(check.url),
                    in_black_list: check.in_black_list.unwrap_or(false),
                })
                .collect(),
        }
    }
}

/// One blacklist's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BlacklistCheck {
    /// Blacklist name.
    pub name: String,
    /// Where to read about it.
    pub url: Option<String>,
    /// Whether the sender is listed.
    pub in_black_list: bool,
}

/// How a message arrived over SMTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SmtpInformation {
    /// Whether the details are available.
    pub ok: bool,
    /// The envelope, when available (absent for mail sent over HTTP).
    pub envelope: Option<SmtpEnvelope>,
}

impl SmtpInformation {
    fn from_api(raw: api::SmtpInformation) -> Self {
        Self {
            ok: raw.ok.unwrap_or(false),
            envelope: raw.data.map(|data| SmtpEnvelope {
                mail_from: non_empty(data.mail_from_addr),
                client_ip: non_empty(data.client_ip),
                rcpt_to: data.rcpt_to_addrs,
            }),
        }
    }
}

/// The SMTP envelope of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SmtpEnvelope {
    /// `MAIL FROM` address.
    pub mail_from: Option<String>,
    /// Address of the sending client.
    pub client_ip: Option<String>,
    /// `RCPT TO` addresses.
    pub rcpt_to: Vec<String>,
}

/// Who a message was addressed to, one address at a time: `To` and `Cc` from its headers;
/// `Bcc` from its header when the API shows it, plus the SMTP envelope's recipients that no
/// header names (how a Bcc recipient shows in mail sent over SMTP). Each address once.
/// From [`MessageHandle::recipients`](crate::resources::MessageHandle::recipients).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Recipients {
    /// `To` mailboxes, in order.
    pub to: Vec<Mailbox>,
    /// `Cc` mailboxes, in order.
    pub cc: Vec<Mailbox>,
    /// `Bcc` mailboxes: the header's, then the envelope's other recipients.
    pub bcc: Vec<Mailbox>,
}

impl Recipients {
    /// The `To` addresses, without names.
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
    /// assert_eq!(message.recipients().await?.to_emails(), ["ana@example.com"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn to_emails(&self) -> Vec<&str> {
        emails(&self.to)
    }

    /// The `Cc` addresses, without names.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.cc("bo@example.com").subject("Hi").text("Hi")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// assert_eq!(message.recipients().await?.cc_emails(), ["bo@example.com"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn cc_emails(&self) -> Vec<&str> {
        emails(&self.cc)
    }

    /// The `Bcc` addresses, without names.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.bcc("audit@example.com").subject("Hi").text("Hi")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// assert_eq!(message.recipients().await?.bcc_emails(), ["audit@example.com"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn bcc_emails(&self) -> Vec<&str> {
        emails(&self.bcc)
    }

    /// Every mailbox: `To`, then `Cc`, then `Bcc`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.cc("bo@example.com").subject("Hi").text("Hi")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let recipients = message.recipients().await?;
    /// let everyone: Vec<&str> = recipients.all().map(|mailbox| mailbox.email.as_str()).collect();
    /// assert_eq!(everyone, ["ana@example.com", "bo@example.com"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn all(&self) -> impl Iterator<Item = &Mailbox> {
        self.to.iter().chain(&self.cc).chain(&self.bcc)
    }

    /// Whether `email` is among them (ignoring case).
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
    /// let recipients = message.recipients().await?;
    /// assert!(recipients.contains("ANA@example.com"));
    /// assert!(!recipients.contains("eve@example.com"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn contains(&self, email: &str) -> bool {
        let email = email.trim();
        self.all()
            .any(|mailbox| mailbox.email.eq_ignore_ascii_case(email))
    }

    /// From the message's headers and SMTP envelope (`RCPT TO` addresses).
    pub(crate) fn from_parts(headers: &MessageHeaders, envelope: &[String]) -> Self {
        let list = |name: &str| {
            let mut mailboxes = headers.get(name).map(address_list).unwrap_or_default();
            mailboxes.retain(|mailbox| mailbox.email.contains('@'));
            mailboxes
        };
        let mut recipients = Self {
            to: list("to"),
            cc: list("cc"),
            bcc: Vec::new(),
        };
        for mailbox in list("bcc").into_iter().chain(
            envelope
                .iter()
                .map(|to| Mailbox::new(None::<String>, bare_address(to))),
        ) {
            if !mailbox.email.is_empty() && !recipients.contains(&mailbox.email) {
                recipients.bcc.push(mailbox);
            }
        }
        for list in [&mut recipients.to, &mut recipients.cc] {
            let mut seen: Vec<String> = Vec::new();
            list.retain(|mailbox| {
                let key = mailbox.email.to_ascii_lowercase();
                let first = !seen.contains(&key);
                seen.push(key);
                first
            });
        }
        recipients
    }
}

fn emails(mailboxes: &[Mailbox]) -> Vec<&str> {
    mailboxes
        .iter()
        .map(|mailbox| mailbox.email.as_str())
        .collect()
}

/// The address of `Name <addr>` or `addr`, trimmed.
fn bare_address(entry: &str) -> &str {
    let entry = entry.trim();
    match (entry.rfind('<'), entry.strip_suffix('>')) {
        (Some(open), Some(without_close)) => without_close.get(open + 1..).unwrap_or(entry).trim(),
        _ => entry,
    }
}
