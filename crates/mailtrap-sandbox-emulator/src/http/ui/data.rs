//! Everything the web inbox asks of the store, in one place. Each call is cheap at 100,000
//! messages: the projects and sandboxes with their counts, one page of a sandbox's messages
//! newest first (the API's `search` and `last_id` semantics), one message, and the changes
//! a user can make. The rest of the inbox sees only the plain values defined here.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::http::AppState;
use crate::store::model::{MessageEntry, Origin};
use crate::store::{ListQuery, StoreError, resources};

pub(super) use crate::store::StoreEvent;

/// Messages per page of the list (the API's page size).
pub(super) const PAGE_SIZE: usize = crate::store::PAGE_SIZE;

/// A sandbox in the side list.
#[derive(Debug, Clone)]
pub(super) struct SandboxItem {
    pub(super) id: u64,
    pub(super) name: String,
    pub(super) unread: usize,
}

/// A project with its sandboxes, in id order.
#[derive(Debug, Clone)]
pub(super) struct ProjectItem {
    pub(super) name: String,
    pub(super) sandboxes: Vec<SandboxItem>,
}

/// The selected sandbox, with what a sender needs to deliver into it.
#[derive(Debug, Clone)]
pub(super) struct SandboxInfo {
    pub(super) id: u64,
    pub(super) name: String,
    pub(super) project_name: String,
    pub(super) count: usize,
    pub(super) unread: usize,
    pub(super) smtp_host: String,
    pub(super) smtp_port: u16,
    pub(super) username: String,
    pub(super) password: String,
    /// `name@domain`, when the sandbox's own address is turned on.
    pub(super) email_address: Option<String>,
    pub(super) base_url: String,
}

/// A message as a row of the list.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) id: u64,
    pub(super) subject: String,
    pub(super) from_name: String,
    pub(super) from_email: String,
    pub(super) to_name: String,
    pub(super) to_email: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) size: usize,
    pub(super) attachments: usize,
    pub(super) is_read: bool,
}

/// One message with its raw bytes and envelope.
#[derive(Debug, Clone)]
pub(super) struct Message {
    pub(super) row: Row,
    pub(super) raw: Bytes,
    pub(super) mail_from: String,
    pub(super) rcpt_to: Vec<String>,
    pub(super) client_ip: Option<String>,
    /// `SMTP` or `sending API`.
    pub(super) origin: &'static str,
}

fn row(entry: &MessageEntry) -> Row {
    let data = &entry.data;
    Row {
        id: data.id,
        subject: data.digest.subject.clone(),
        from_name: data.digest.from.name.clone(),
        from_email: data.digest.from.email.clone(),
        to_name: data.digest.to.name.clone(),
        to_email: data.digest.to.email.clone(),
        created_at: data.created_at,
        size: data.size,
        attachments: data.digest.attachment_count,
        is_read: entry.is_read,
    }
}

/// Whether `token` is one of the account's API tokens.
pub(super) fn token_is_valid(app: &AppState, token: &str) -> bool {
    app.store.token_is_valid(token)
}

/// The projects with their sandboxes and unread counts.
pub(super) fn projects(app: &AppState) -> Vec<ProjectItem> {
    app.store.read(|state| {
        state
            .reg
            .projects
            .values()
            .map(|project| ProjectItem {
                name: project.name.clone(),
                sandboxes: state
                    .reg
                    .sandboxes
                    .values()
                    .filter(|s| s.project_id == project.id)
                    .map(|s| SandboxItem {
                        id: s.id,
                        name: s.name.clone(),
                        unread: state.counts(s.id).1,
                    })
                    .collect(),
            })
            .collect()
    })
}

/// The first sandbox, which `/` opens.
pub(super) fn first_sandbox(app: &AppState) -> Option<u64> {
    app.store
        .read(|state| state.reg.sandboxes.keys().next().copied())
}

/// A sandbox, or `None` when there is no such sandbox.
pub(super) fn sandbox(app: &AppState, id: u64) -> Option<SandboxInfo> {
    let info = app.store.info();
    app.store.read(|state| {
        let sandbox = state.reg.sandboxes.get(&id)?;
        let (count, unread) = state.counts(id);
        Some(SandboxInfo {
            id,
            name: sandbox.name.clone(),
            project_name: state
                .reg
                .projects
                .get(&sandbox.project_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            count,
            unread,
            smtp_host: info.smtp_host.clone(),
            smtp_port: info.smtp_port,
            username: sandbox.username.clone(),
            password: sandbox.password.clone(),
            email_address: sandbox
                .email_username_enabled
                .then(|| format!("{}@{}", sandbox.email_username, info.email_domain)),
            base_url: info.base_url.clone(),
        })
    })
}

/// How many messages a sandbox holds, and how many of them are unread.
pub(super) fn counts(app: &AppState, sandbox_id: u64) -> Option<(usize, usize)> {
    app.store.read(|state| {
        state
            .reg
            .sandboxes
            .contains_key(&sandbox_id)
            .then(|| state.counts(sandbox_id))
    })
}

/// One page of messages, newest first: those below `before` (when given) whose subject,
/// addresses, names or text contain `search` (ignoring case), as the API's list does.
pub(super) fn rows(
    app: &AppState,
    sandbox_id: u64,
    search: Option<&str>,
    before: Option<u64>,
) -> Result<Vec<Row>, StoreError> {
    let query = ListQuery {
        search: search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase),
        last_id: before,
        page: None,
    };
    Ok(app
        .store
        .list_messages(sandbox_id, &query)?
        .iter()
        .map(row)
        .collect())
}

/// One message.
pub(super) fn message(
    app: &AppState,
    sandbox_id: u64,
    message_id: u64,
) -> Result<Message, StoreError> {
    let message = app.store.message(sandbox_id, message_id)?;
    let entry = &message.entry;
    let envelope = &entry.data.meta.envelope;
    Ok(Message {
        row: row(entry),
        raw: message.raw.clone(),
        mail_from: envelope.mail_from.clone(),
        rcpt_to: envelope.rcpt_to.clone(),
        client_ip: envelope.client_ip.clone(),
        origin: match entry.data.meta.origin {
            Origin::Smtp => "SMTP",
            Origin::Api => "sending API",
        },
    })
}

/// Marks a message read or unread.
pub(super) async fn set_read(
    app: &AppState,
    sandbox_id: u64,
    message_id: u64,
    is_read: bool,
) -> Result<(), StoreError> {
    app.store
        .set_read(sandbox_id, message_id, Some(is_read))
        .await
        .map(drop)
}

/// Deletes a message.
pub(super) async fn delete(
    app: &AppState,
    sandbox_id: u64,
    message_id: u64,
) -> Result<(), StoreError> {
    app.store
        .delete_message(sandbox_id, message_id)
        .await
        .map(drop)
}

/// Records a forward of a message to `email`, as the API's forward does (nothing is sent).
pub(super) async fn forward(
    app: &AppState,
    sandbox_id: u64,
    message_id: u64,
    email: String,
) -> Result<(), StoreError> {
    app.store.forward(sandbox_id, message_id, email).await
}

/// Deletes every message of a sandbox.
pub(super) async fn clean(app: &AppState, sandbox_id: u64) -> Result<(), StoreError> {
    app.store
        .write(|state, changes| resources::clean_sandbox(state, changes, sandbox_id))
        .await
}

/// Marks every message of a sandbox read.
pub(super) async fn mark_all_read(app: &AppState, sandbox_id: u64) -> Result<(), StoreError> {
    app.store
        .write(|state, changes| resources::mark_all_read(state, changes, sandbox_id))
        .await
}

/// The store's change notifications, from now on.
pub(super) fn subscribe(app: &AppState) -> broadcast::Receiver<StoreEvent> {
    app.store.subscribe()
}
