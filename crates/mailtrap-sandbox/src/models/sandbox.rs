//! Sandboxes (called inboxes in older versions of the API).

use chrono::{DateTime, Utc};
use mailtrap_sandbox_api::sandbox::types as api;
use serde::Serialize;

use super::common::{
    Conv, Permissions, Secret, count, non_empty, open_enum, optional_id, required_id,
};
use crate::ids::{ProjectId, SandboxId};

open_enum! {
    /// The state of a sandbox.
    pub enum SandboxStatus {
        /// Catching mail.
        Active => "active",
        /// Not catching mail.
        Inactive => "inactive",
    }
}

/// A sandbox that catches mail, with its SMTP settings and counters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Sandbox {
    /// Sandbox id.
    pub id: SandboxId,
    /// Name.
    pub name: String,
    /// The project holding it.
    pub project_id: Option<ProjectId>,
    /// State.
    pub status: SandboxStatus,
    /// SMTP user name.
    pub username: String,
    /// SMTP password; `None` for users who may not see it.
    pub password: Option<Secret>,
    /// SMTP host.
    pub domain: String,
    /// SMTP ports.
    pub smtp_ports: Vec<u16>,
    /// POP3 host.
    pub pop3_domain: Option<String>,
    /// POP3 ports.
    pub pop3_ports: Vec<u16>,
    /// Host of the sending API for this sandbox.
    pub api_domain: Option<String>,
    /// Local part of the sandbox's own email address.
    pub email_username: String,
    /// Domain of that address.
    pub email_domain: Option<String>,
    /// Whether mail sent to that address is caught.
    pub email_username_enabled: bool,
    /// The address forwarded mail comes from.
    pub forward_from_email_address: Option<String>,
    /// Messages in the sandbox.
    pub emails_count: u64,
    /// Unread messages in the sandbox.
    pub emails_unread_count: u64,
    /// Messages received in the current billing cycle.
    pub sent_messages_count: u64,
    /// Messages forwarded in the current billing cycle.
    pub forwarded_messages_count: u64,
    /// Most messages kept; older ones are dropped.
    pub max_size: u64,
    /// Largest message accepted, in bytes.
    pub max_message_size: u64,
    /// Whether it ever received mail.
    pub used: bool,
    /// When the last message arrived (the API's `null` and `""` are `None`).
    pub last_message_sent_at: Option<DateTime<Utc>>,
    /// What the token may do with it.
    pub permissions: Permissions,
}

impl Sandbox {
    /// The sandbox's own email address (`<email_username>@<email_domain>`), when both parts
    /// are known.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox_id = emulator.sandbox().id;
    /// let sandbox = client.sandbox(sandbox_id).get().await?;
    /// if let Some(address) = sandbox.email_address() {
    ///     println!("mail to {address} lands in {}", sandbox.name);
    /// }
    /// # assert!(sandbox.email_address().is_some());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn email_address(&self) -> Option<String> {
        let domain = self.email_domain.as_deref()?;
        (!self.email_username.is_empty()).then(|| format!("{}@{domain}", self.email_username))
    }

    pub(crate) fn from_api(raw: api::Sandbox) -> Conv<Self> {
        let ports = |list: Vec<i64>| {
            list.into_iter()
                .filter_map(|port| u16::try_from(port).ok())
                .collect()
        };
        let permissions = raw.permissions.unwrap_or_default();
        Ok(Self {
            id: required_id(raw.id, "id")?,
            name: raw.name.unwrap_or_default(),
            project_id: optional_id(raw.project_id),
            status: raw
                .status
                .map_or(SandboxStatus::Active, SandboxStatus::from),
            username: raw.username.unwrap_or_default(),
            password: raw.password.map(Secret::new),
            domain: raw.domain.unwrap_or_default(),
            smtp_ports: ports(raw.smtp_ports),
            pop3_domain: non_empty(raw.pop3_domain),
            pop3_ports: ports(raw.pop3_ports),
            api_domain: non_empty(raw.api_domain),
            email_username: raw.email_username.unwrap_or_default(),
            email_domain: non_empty(raw.email_domain),
            email_username_enabled: raw.email_username_enabled.unwrap_or(false),
            forward_from_email_address: non_empty(raw.forward_from_email_address),
            emails_count: count(raw.emails_count),
            emails_unread_count: count(raw.emails_unread_count),
            sent_messages_count: count(raw.sent_messages_count),
            forwarded_messages_count: count(raw.forwarded_messages_count),
            max_size: count(raw.max_size),
            max_message_size: count(raw.max_message_size),
            used: raw.used.unwrap_or(false),
            last_message_sent_at: non_empty(raw.last_message_sent_at)
                .and_then(|text| DateTime::parse_from_rfc3339(text.trim()).ok())
                .map(|at| at.with_timezone(&Utc)),
            permissions: Permissions::new(
                permissions.can_read,
                permissions.can_update,
                permissions.can_destroy,
                permissions.can_leave,
            ),
        })
    }
}
