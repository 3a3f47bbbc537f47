//! Storing, listing and changing messages.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::model::{
    Forward, MessageData, MessageEntry, MessageMeta, Origin, StoredEnvelope, TemplateUse, take,
};
use super::{Changes, State, Store, StoreError, StoreEvent, digest};
use crate::persist::{MessageRow, Op, Waiter};
use crate::smtp::DeliveryError;
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

struct Prepared {
    incoming: Incoming,
    digest: super::model::Digest,
}

fn prepare(incoming: Incoming) -> Prepared {
    let parsed = crate::mail::parse(&incoming.raw);
    let digest = digest::digest(&parsed, &incoming.envelope);
    Prepared { incoming, digest }
}

fn insert(
    state: &mut State,
    changes: &mut Changes,
    prepared: Prepared,
    now: DateTime<Utc>,
) -> Result<u64, DeliveryError> {
    let Prepared { incoming, digest } = prepared;
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
    let meta = MessageMeta {
        envelope: incoming.envelope,
        origin: incoming.origin,
        template: incoming.template,
        first_attachment_id,
    };
    let meta_json =
        serde_json::to_string(&meta).map_err(|e| DeliveryError::Storage(e.to_string()))?;
    let data = Arc::new(MessageData {
        id,
        sandbox_id: incoming.sandbox_id,
        raw: bytes::Bytes::from(incoming.raw),
        created_at: now,
        meta,
        digest,
    });
    let stamp = time::format(&now);
    changes.push(Op::PutMessage(MessageRow {
        id,
        sandbox_id: data.sandbox_id,
        raw: data.raw.clone(),
        is_read: false,
        created_at: stamp.clone(),
        updated_at: stamp,
        meta: meta_json,
    }));
    changes.registry();
    let sandbox_id = data.sandbox_id;
    changes.notify(StoreEvent::MessageAdded {
        sandbox_id,
        message_id: id,
    });
    let list = state.messages.entry(sandbox_id).or_default();
    list.insert(MessageEntry {
        data,
        is_read: false,
        updated_at: now,
    });
    let dropped = list.drop_oldest_beyond(max_size);
    for &oldest in &dropped {
        changes.notify(StoreEvent::MessageDeleted {
            sandbox_id,
            message_id: oldest,
        });
    }
    if !dropped.is_empty() {
        changes.push(Op::DeleteMessages(dropped));
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

    /// Removes from memory a message whose save failed, so that memory matches the disk.
    pub(crate) fn forget(&self, sandbox_id: u64, message_id: u64) {
        let mut guard = self.write_guard();
        if let Some(list) = guard.messages.get_mut(&sandbox_id)
            && list.remove(message_id).is_some()
        {
            self.events.send([StoreEvent::MessageDeleted {
                sandbox_id,
                message_id,
            }]);
        }
    }

    /// One message.
    pub(crate) fn message(
        &self,
        sandbox_id: u64,
        message_id: u64,
    ) -> Result<MessageEntry, StoreError> {
        self.read(|state| find(state, sandbox_id, message_id).cloned())
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
            let Some(list) = state.sandbox_messages(sandbox_id) else {
                return Ok(Vec::new());
            };
            let skip = query
                .page
                .map_or(0, |p| p.saturating_sub(1).saturating_mul(PAGE_SIZE as u64));
            let skip = usize::try_from(skip).unwrap_or(usize::MAX);
            let range = match query.last_id {
                Some(last) => list.by_id.range(..last),
                None => list.by_id.range(..),
            };
            let found = range
                .rev()
                .map(|(_, entry)| entry)
                .filter(|entry| {
                    query
                        .search
                        .as_deref()
                        .is_none_or(|s| entry.data.digest.haystack.contains(s))
                })
                .skip(skip)
                .take(PAGE_SIZE)
                .cloned()
                .collect();
            Ok(found)
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
            find(state, sandbox_id, message_id)?;
            let Some(is_read) = is_read else {
                return find(state, sandbox_id, message_id).cloned();
            };
            let now = time::now();
            let entry = state
                .messages
                .get_mut(&sandbox_id)
                .and_then(|list| list.set_read(message_id, is_read, now))
                .cloned()
                .ok_or(StoreError::NotFound)?;
            changes.push(Op::SetRead {
                id: message_id,
                is_read: entry.is_read,
                updated_at: time::format(&entry.updated_at),
            });
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
                .get_mut(&sandbox_id)
                .and_then(|list| list.remove(message_id))
                .ok_or(StoreError::NotFound)?;
            changes.push(Op::DeleteMessages(vec![message_id]));
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
            changes.registry();
            Ok(())
        })
        .await
    }
}

/// Finds a message of a sandbox.
pub(crate) fn find(
    state: &State,
    sandbox_id: u64,
    message_id: u64,
) -> Result<&MessageEntry, StoreError> {
    if !state.reg.sandboxes.contains_key(&sandbox_id) {
        return Err(StoreError::NotFound);
    }
    state
        .sandbox_messages(sandbox_id)
        .and_then(|list| list.by_id.get(&message_id))
        .ok_or(StoreError::NotFound)
}
