//! Storing, listing and changing messages.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::digest::Searchable;
use super::model::{
    Forward, FullMessage, MessageData, MessageEntry, MessageMeta, Origin, StoredEnvelope,
    TemplateUse, take,
};
use super::{Changes, RegistryKey, State, Store, StoreError, StoreEvent, Waiter, digest};
use crate::delivery::DeliveryError;
use crate::time;

/// Messages per page of the list.
pub(crate) const PAGE_SIZE: usize = 30;
/// Forwards remembered for the control API.
const MAX_FORWARDS: usize = 1000;

impl From<StoreError> for DeliveryError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => DeliveryError::NoSuchSandbox,
            StoreError::Storage(e) => DeliveryError::Storage(e),
            other => DeliveryError::Storage(other.to_string()),
        }
    }
}

/// A message to store.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) sandbox_id: u64,
    pub(crate) raw: Vec<u8>,
    pub(crate) envelope: StoredEnvelope,
    pub(crate) origin: Origin,
    pub(crate) template: Option<TemplateUse>,
}

/// The filters of the message list.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListQuery {
    /// Lowercased text to look for.
    pub(crate) search: Option<String>,
    /// Only ids strictly below this.
    pub(crate) last_id: Option<u64>,
    /// 1-based page of [`PAGE_SIZE`].
    pub(crate) page: Option<u64>,
}

impl ListQuery {
    /// Matching messages skipped before the page.
    pub(crate) fn skip(&self) -> usize {
        let skip = self
            .page
            .map_or(0, |p| p.saturating_sub(1).saturating_mul(PAGE_SIZE as u64));
        usize::try_from(skip).unwrap_or(usize::MAX)
    }
}

struct Prepared {
    incoming: Incoming,
    digest: super::model::Digest,
    searchable: Searchable,
}

fn prepare(incoming: Incoming) -> Prepared {
    let parsed = crate::mail::parse(&incoming.raw);
    let (digest, searchable) = digest::digest(&parsed, &incoming.envelope);
    Prepared {
        incoming,
        digest,
        searchable,
    }
}

fn insert(
    state: &mut State,
    changes: &mut Changes,
    prepared: Prepared,
    now: DateTime<Utc>,
) -> Result<u64, DeliveryError> {
    let Prepared {
        incoming,
        digest,
        searchable,
    } = prepared;
    let sandbox = state
        .reg
        .sandboxes
        .get_mut(&incoming.sandbox_id)
        .ok_or(DeliveryError::NoSuchSandbox)?;
    if incoming.raw.len() as u64 > sandbox.max_message_size {
        return Err(DeliveryError::TooLarge(sandbox.max_message_size));
    }
    let id = take(&mut state.reg.next.message);
    let first_attachment_id = state.reg.next.attachment;
    state.reg.next.attachment += digest.attachment_count as u64;
    sandbox.sent_messages_count += 1;
    sandbox.last_message_sent_at = Some(now);
    let max_size = sandbox.max_size;
    let sandbox_id = incoming.sandbox_id;
    let mut raw = incoming.raw;
    // Kept as long as the message: no spare capacity.
    raw.shrink_to_fit();
    let entry = MessageEntry {
        data: Arc::new(MessageData {
            id,
            sandbox_id,
            size: raw.len(),
            created_at: now,
            meta: MessageMeta {
                envelope: incoming.envelope,
                origin: incoming.origin,
                template: incoming.template,
                first_attachment_id,
            },
            digest,
        }),
        is_read: false,
        updated_at: now,
    };
    state
        .messages
        .insert(entry, bytes::Bytes::from(raw), searchable);
    let dropped = state.messages.drop_oldest_beyond(sandbox_id, max_size)?;
    changes.touch(RegistryKey::Sandbox(sandbox_id));
    changes.touch(RegistryKey::Counters);
    changes.notify(StoreEvent::MessageAdded {
        sandbox_id,
        message_id: id,
    });
    for &oldest in &dropped {
        changes.notify(StoreEvent::MessageDeleted {
            sandbox_id,
            message_id: oldest,
        });
    }
    Ok(id)
}

impl Store {
    /// Stores a message and waits, blocking, until it is saved. Returns its id.
    pub(crate) fn deliver_blocking(&self, incoming: Incoming) -> Result<u64, DeliveryError> {
        let sandbox_id = incoming.sandbox_id;
        let prepared = prepare(incoming);
        let (id, waiter) =
            self.write_deferred(|state, changes| insert(state, changes, prepared, time::now()))?;
        match waiter.wait_blocking() {
            Ok(()) => Ok(id),
            Err(e) => {
                self.forget(sandbox_id, id);
                Err(DeliveryError::Storage(e))
            }
        }
    }

    /// Stores a message; returns its id and what to wait for before acknowledging it.
    pub(crate) fn deliver_deferred(
        &self,
        incoming: Incoming,
    ) -> Result<(u64, Waiter), DeliveryError> {
        let prepared = prepare(incoming);
        self.write_deferred(|state, changes| insert(state, changes, prepared, time::now()))
    }

    /// Forgets a message whose save failed, so that memory matches the disk.
    pub(crate) fn forget(&self, sandbox_id: u64, message_id: u64) {
        let mut guard = self.write_guard();
        if guard.messages.forget(sandbox_id, message_id) {
            self.events.send([StoreEvent::MessageDeleted {
                sandbox_id,
                message_id,
            }]);
        }
    }

    /// One message, with its raw bytes.
    pub(crate) fn message(
        &self,
        sandbox_id: u64,
        message_id: u64,
    ) -> Result<FullMessage, StoreError> {
        self.read(|state| {
            if !state.reg.sandboxes.contains_key(&sandbox_id) {
                return Err(StoreError::NotFound);
            }
            state
                .messages
                .get(sandbox_id, message_id)?
                .ok_or(StoreError::NotFound)
        })
    }

    /// One message, as lists show it (its bytes are not read).
    pub(crate) fn message_entry(
        &self,
        sandbox_id: u64,
        message_id: u64,
    ) -> Result<MessageEntry, StoreError> {
        self.read(|state| find(state, sandbox_id, message_id))
    }

    /// A page of the message list, newest first.
    pub(crate) fn list_messages(
        &self,
        sandbox_id: u64,
        query: &ListQuery,
    ) -> Result<Vec<MessageEntry>, StoreError> {
        self.read(|state| {
            if !state.reg.sandboxes.contains_key(&sandbox_id) {
                return Err(StoreError::NotFound);
            }
            state.messages.list(sandbox_id, query)
        })
    }

    /// Marks one message read or unread.
    pub(crate) async fn set_read(
        &self,
        sandbox_id: u64,
        message_id: u64,
        is_read: Option<bool>,
    ) -> Result<MessageEntry, StoreError> {
        self.write(|state, changes| {
            let entry = find(state, sandbox_id, message_id)?;
            let Some(is_read) = is_read else {
                return Ok(entry);
            };
            let entry = state
                .messages
                .set_read(sandbox_id, message_id, is_read, time::now())?
                .ok_or(StoreError::NotFound)?;
            changes.notify(StoreEvent::MessageRead {
                sandbox_id,
                message_id,
                is_read: entry.is_read,
            });
            Ok(entry)
        })
        .await
    }

    /// Deletes one message; returns it.
    pub(crate) async fn delete_message(
        &self,
        sandbox_id: u64,
        message_id: u64,
    ) -> Result<MessageEntry, StoreError> {
        self.write(|state, changes| {
            find(state, sandbox_id, message_id)?;
            let entry = state
                .messages
                .remove(sandbox_id, message_id)?
                .ok_or(StoreError::NotFound)?;
            changes.notify(StoreEvent::MessageDeleted {
                sandbox_id,
                message_id,
            });
            Ok(entry)
        })
        .await
    }

    /// Records a forward of one message to `email` (nothing is sent).
    pub(crate) async fn forward(
        &self,
        sandbox_id: u64,
        message_id: u64,
        email: String,
    ) -> Result<(), StoreError> {
        self.write(|state, changes| {
            find(state, sandbox_id, message_id)?;
            let sandbox = state
                .reg
                .sandboxes
                .get_mut(&sandbox_id)
                .ok_or(StoreError::NotFound)?;
            sandbox.forwarded_messages_count += 1;
            state.reg.forwards.push(Forward {
                sandbox_id,
                message_id,
                email,
                forwarded_at: time::now(),
            });
            let excess = state.reg.forwards.len().saturating_sub(MAX_FORWARDS);
            state.reg.forwards.drain(..excess);
            changes.touch(RegistryKey::Sandbox(sandbox_id));
            changes.touch(RegistryKey::Forwards);
            Ok(())
        })
        .await
    }
}

/// Finds a message of a sandbox (as lists show it).
pub(crate) fn find(
    state: &State,
    sandbox_id: u64,
    message_id: u64,
) -> Result<MessageEntry, StoreError> {
    if !state.reg.sandboxes.contains_key(&sandbox_id) {
        return Err(StoreError::NotFound);
    }
    state
        .messages
        .entry(sandbox_id, message_id)?
        .ok_or(StoreError::NotFound)
}
