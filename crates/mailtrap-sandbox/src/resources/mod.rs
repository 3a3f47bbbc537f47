//! Resource handles: the way to every operation of the API.
//!
//! Handles are cheap values (a client clone and an id) built from the [`Client`](crate::Client):
//!
//! | handle | from | operations |
//! |---|---|---|
//! | [`ProjectsHandle`] | `client.projects()` | `list`, `create` |
//! | [`ProjectHandle`] | `client.project(id)` | `get`, `update`, `delete`, `create_sandbox`, `with_temp_sandbox`, `users` |
//! | [`SandboxesHandle`] | `client.sandboxes()` | `list` |
//! | [`SandboxHandle`] | `client.sandbox(id)` | `get`, `update`, `delete`, `clean`, `mark_all_read`, `reset_credentials`, `toggle_email_address`, `enable_email_address`, `disable_email_address`, `reset_email_address`, `messages`, `message`, `users`, sending |
//! | [`MessagesHandle`] | `sandbox.messages()` | `list` (one page or a stream), `stream` |
//! | [`MessageHandle`] | `sandbox.message(id)` | `get`, `mark_read`, `mark_unread`, `set_read`, `delete`, `forward`, `spam_report`, `html_analysis`, `headers`, `text`, `html`, `html_source`, `eml`, `eml_bytes`, `raw_bytes`, `raw_text`, `download_eml`, `download_raw`, `recipients`, `links`, `link_containing`, `one_time_code`, `one_time_code_with`, `placeholders`, `check_placeholders`, `attachments` |
//! | [`AttachmentsHandle`] | `message.attachments()` | `list`, `get` |
//! | [`AccountAccessesHandle`] | `client.account_accesses()` | `list` (filtered by project, sandbox, domain) |
//! | [`AccountAccessHandle`] | `client.account_access(id)` | `remove`, `update_permissions` |
//! | [`ApiTokensHandle`] | `client.api_tokens()` | `list`, `create` |
//! | [`ApiTokenHandle`] | `client.api_token(id)` | `get`, `delete`, `reset` |
//! | [`OrganizationHandle`] | `client.organization(id)` | `sub_accounts`, `create_sub_account` |
//!
//! and directly on the client: `accounts()`, `permission_resources()`, `billing_usage()`.
//!
//! Operations with optional parameters return a builder (`#[must_use]`) ending in
//! `.send()`; the others are plain `async fn`s.

pub(crate) mod access;
pub(crate) mod attachments;
mod message_checks;
pub(crate) mod messages;
pub(crate) mod projects;
pub(crate) mod sandboxes;
pub(crate) mod sending;
pub(crate) mod tokens;

pub use access::{AccountAccessHandle, AccountAccessesHandle, ListAccountAccesses};
pub use attachments::{AttachmentsHandle, ListAttachments};
pub use messages::{ListMessages, MessageHandle, MessagesHandle};
pub use projects::{ProjectHandle, ProjectsHandle};
pub use sandboxes::{SandboxHandle, SandboxesHandle, UpdateSandbox};
pub use tokens::{ApiTokenHandle, ApiTokensHandle, CreateApiToken, OrganizationHandle};

pub(crate) use messages::{fetch_message_page, fetch_message_page_dated};
