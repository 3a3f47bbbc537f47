//! The emulator's data: one account with its projects, sandboxes, accesses, API tokens,
//! sub-accounts and templates (the "registry", saved one row per item with a data directory),
//! and the messages (kept by [`super::storage`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::templates::Template;

/// Everything except the messages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Registry {
    pub(crate) account: Account,
    pub(crate) organization: Organization,
    pub(crate) owner: User,
    pub(crate) projects: BTreeMap<u64, Project>,
    pub(crate) sandboxes: BTreeMap<u64, Sandbox>,
    pub(crate) accesses: BTreeMap<u64, Access>,
    pub(crate) api_tokens: BTreeMap<u64, ApiToken>,
    pub(crate) sub_accounts: BTreeMap<u64, SubAccount>,
    pub(crate) templates: BTreeMap<String, Template>,
    #[serde(default)]
    pub(crate) forwards: Vec<Forward>,
    pub(crate) next: Counters,
}

/// The next id of each kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Counters {
    pub(crate) project: u64,
    pub(crate) sandbox: u64,
    pub(crate) access: u64,
    pub(crate) api_token: u64,
    pub(crate) sub_account: u64,
    pub(crate) template: u64,
    pub(crate) message: u64,
    pub(crate) attachment: u64,
}

impl Counters {
    /// Keeps every counter at least as high as `other`'s, so that ids are never reused.
    pub(crate) fn raise_to(&mut self, other: &Counters) {
        self.project = self.project.max(other.project);
        self.sandbox = self.sandbox.max(other.sandbox);
        self.access = self.access.max(other.access);
        self.api_token = self.api_token.max(other.api_token);
        self.sub_account = self.sub_account.max(other.sub_account);
        self.template = self.template.max(other.template);
        self.message = self.message.max(other.message);
        self.attachment = self.attachment.max(other.attachment);
    }
}

/// Takes the next id of a counter.
pub(crate) fn take(counter: &mut u64) -> u64 {
    let id = *counter;
    *counter += 1;
    id
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Account {
    pub(crate) id: u64,
    pub(crate) name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Organization {
    pub(crate) id: u64,
    pub(crate) name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Project {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) share_key: String,
    pub(crate) created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sandbox {
    pub(crate) id: u64,
    pub(crate) project_id: u64,
    pub(crate) name: String,
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) email_username: String,
    pub(crate) email_username_enabled: bool,
    pub(crate) max_size: u64,
    pub(crate) max_message_size: u64,
    pub(crate) sent_messages_count: u64,
    pub(crate) forwarded_messages_count: u64,
    pub(crate) last_message_sent_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
}

/// The kinds of resources an access can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ResourceType {
    Account,
    Billing,
    Organization,
    Project,
    Sandbox,
    Domain,
    EmailCampaignPermissionScope,
}

impl ResourceType {
    /// Parses a resource type as clients send it (`inbox` is the legacy name of `sandbox`).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "account" => Self::Account,
            "billing" => Self::Billing,
            "organization" => Self::Organization,
            "project" => Self::Project,
            "sandbox" | "inbox" => Self::Sandbox,
            "domain" => Self::Domain,
            "email_campaign_permission_scope" => Self::EmailCampaignPermissionScope,
            _ => return None,
        })
    }
}

/// One resource an access covers, with its level (1000 owner, 100 admin, 10 viewer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Resource {
    pub(crate) resource_type: ResourceType,
    pub(crate) resource_id: u64,
    pub(crate) access_level: u32,
}

/// Who an access belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Specifier {
    /// The account owner.
    Owner,
    /// A teammate: a user of the account other than the owner.
    User(User),
    /// An invited person who has not signed up yet.
    Invite { id: u64, email: String },
    /// An API token.
    ApiToken { token_id: u64 },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Access {
    pub(crate) id: u64,
    pub(crate) specifier: Specifier,
    pub(crate) resources: Vec<Resource>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiToken {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) token: String,
    pub(crate) access_id: u64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SubAccount {
    pub(crate) id: u64,
    pub(crate) name: String,
}

/// A recorded forward (the emulator does not really send it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Forward {
    pub(crate) sandbox_id: u64,
    pub(crate) message_id: u64,
    pub(crate) email: String,
    pub(crate) forwarded_at: DateTime<Utc>,
}

/// How a message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Origin {
    Smtp,
    Api,
}

/// The envelope as recorded with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredEnvelope {
    pub(crate) mail_from: String,
    pub(crate) rcpt_to: Vec<String>,
    pub(crate) client_ip: Option<String>,
}

/// The template a message was rendered from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TemplateUse {
    pub(crate) id: u64,
    pub(crate) variables: Option<serde_json::Value>,
}

/// What is saved with a message besides its raw bytes and read state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MessageMeta {
    pub(crate) envelope: StoredEnvelope,
    pub(crate) origin: Origin,
    pub(crate) template: Option<TemplateUse>,
    pub(crate) first_attachment_id: u64,
}

/// A person in a message, as the list shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Person {
    pub(crate) email: String,
    pub(crate) name: String,
}

/// Facts derived from the raw bytes at delivery, for lists and views (saved with the message,
/// so that a list never parses).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Digest {
    pub(crate) subject: String,
    pub(crate) from: Person,
    pub(crate) to: Person,
    pub(crate) text_size: usize,
    pub(crate) html_size: usize,
    pub(crate) attachment_count: usize,
}

/// The parts of a message that never change, except its bytes (kept by the message storage:
/// [`super::storage`]).
#[derive(Debug)]
pub(crate) struct MessageData {
    pub(crate) id: u64,
    pub(crate) sandbox_id: u64,
    /// Size of the raw message, in bytes.
    pub(crate) size: usize,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) meta: MessageMeta,
    pub(crate) digest: Digest,
}

/// A stored message, as lists show it.
#[derive(Debug, Clone)]
pub(crate) struct MessageEntry {
    pub(crate) data: Arc<MessageData>,
    pub(crate) is_read: bool,
    pub(crate) updated_at: DateTime<Utc>,
}

/// A stored message with its raw bytes.
#[derive(Debug, Clone)]
pub(crate) struct FullMessage {
    pub(crate) entry: MessageEntry,
    pub(crate) raw: Bytes,
}
