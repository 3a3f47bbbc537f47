//! Where messages are kept: in memory ([`super::memory`]) or, with a data directory, in
//! SQLite and read on demand ([`super::disk`]). The rest of the store sees one interface.
//!
//! Changes are made under the store's write lock. In memory they take effect at once; on disk
//! they are collected and written, with the registry rows the change touched, when the change
//! is done ([`super::Store`]'s `apply`).

use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::digest::Searchable;
#[cfg(feature = "persist")]
use super::disk::DiskMessages;
use super::memory::MemoryMessages;
use super::model::{FullMessage, MessageEntry};
use super::{ListQuery, StoreError};

/// The messages of every sandbox.
#[derive(Debug)]
pub(crate) enum Messages {
    Memory(MemoryMessages),
    #[cfg(feature = "persist")]
    Disk(DiskMessages),
}

#[cfg(feature = "persist")]
fn storage(error: String) -> StoreError {
    StoreError::Storage(error)
}

impl Messages {
    /// How many messages a sandbox holds, and how many are unread.
    pub(crate) fn counts(&self, sandbox_id: u64) -> (usize, usize) {
        match self {
            Messages::Memory(m) => m.counts(sandbox_id),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.counts(sandbox_id),
        }
    }

    /// How many messages there are in all.
    pub(crate) fn total(&self) -> usize {
        match self {
            Messages::Memory(m) => m.total(),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.total(),
        }
    }

    /// A message with its raw bytes.
    pub(crate) fn get(&self, sandbox_id: u64, id: u64) -> Result<Option<FullMessage>, StoreError> {
        match self {
            Messages::Memory(m) => Ok(m.get(sandbox_id, id)),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.get(sandbox_id, id).map_err(storage),
        }
    }

    /// A message as lists show it.
    pub(crate) fn entry(
        &self,
        sandbox_id: u64,
        id: u64,
    ) -> Result<Option<MessageEntry>, StoreError> {
        match self {
            Messages::Memory(m) => Ok(m.entry(sandbox_id, id)),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.entry(sandbox_id, id).map_err(storage),
        }
    }

    /// A page of a sandbox's messages, newest first.
    pub(crate) fn list(
        &self,
        sandbox_id: u64,
        query: &ListQuery,
    ) -> Result<Vec<MessageEntry>, StoreError> {
        match self {
            Messages::Memory(m) => Ok(m.list(sandbox_id, query)),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.list(sandbox_id, query).map_err(storage),
        }
    }

    pub(crate) fn insert(&mut self, entry: MessageEntry, raw: Bytes, searchable: Searchable) {
        match self {
            Messages::Memory(m) => m.insert(entry, raw, searchable),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.insert(entry, raw, searchable.lowercased()),
        }
    }

    /// Removes a sandbox's oldest messages until at most `max_size` are left (`0`: no limit),
    /// on delivery and when the limit is lowered; returns the ids removed, oldest first.
    pub(crate) fn drop_oldest_beyond(
        &mut self,
        sandbox_id: u64,
        max_size: u64,
    ) -> Result<Vec<u64>, StoreError> {
        let oldest = match self {
            Messages::Memory(m) => m.oldest_beyond(sandbox_id, max_size),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.oldest_beyond(sandbox_id, max_size).map_err(storage)?,
        };
        for &id in &oldest {
            self.remove(sandbox_id, id)?;
        }
        Ok(oldest)
    }

    pub(crate) fn remove(
        &mut self,
        sandbox_id: u64,
        id: u64,
    ) -> Result<Option<MessageEntry>, StoreError> {
        match self {
            Messages::Memory(m) => Ok(m.remove(sandbox_id, id)),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.remove(sandbox_id, id).map_err(storage),
        }
    }

    /// Forgets a message whose save failed (so that memory matches the disk).
    pub(crate) fn forget(&mut self, sandbox_id: u64, id: u64) -> bool {
        match self {
            Messages::Memory(m) => m.remove(sandbox_id, id).is_some(),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => match d.entry(sandbox_id, id) {
                // Still there: its save did not fail after all.
                Ok(Some(_)) => false,
                _ => {
                    d.forget_unsaved(sandbox_id);
                    true
                }
            },
        }
    }

    pub(crate) fn set_read(
        &mut self,
        sandbox_id: u64,
        id: u64,
        is_read: bool,
        at: DateTime<Utc>,
    ) -> Result<Option<MessageEntry>, StoreError> {
        match self {
            Messages::Memory(m) => Ok(m.set_read(sandbox_id, id, is_read, at)),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.set_read(sandbox_id, id, is_read, at).map_err(storage),
        }
    }

    pub(crate) fn mark_all_read(&mut self, sandbox_id: u64, at: DateTime<Utc>) {
        match self {
            Messages::Memory(m) => m.mark_all_read(sandbox_id, at),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.mark_all_read(sandbox_id, at),
        }
    }

    /// Deletes every message of a sandbox (`next_id`: the id the next message will get).
    pub(crate) fn clean(&mut self, sandbox_id: u64, next_id: u64) {
        match self {
            Messages::Memory(m) => m.remove_sandbox(sandbox_id),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.clean(sandbox_id, next_id),
        }
        #[cfg(not(feature = "persist"))]
        let _ = next_id;
    }

    /// Deletes a sandbox's messages for good (the sandbox is deleted).
    pub(crate) fn remove_sandbox(&mut self, sandbox_id: u64) {
        match self {
            Messages::Memory(m) => m.remove_sandbox(sandbox_id),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.remove_sandbox(sandbox_id),
        }
    }

    /// Deletes every message.
    pub(crate) fn clear(&mut self) {
        match self {
            Messages::Memory(m) => m.clear(),
            #[cfg(feature = "persist")]
            Messages::Disk(d) => d.clear(),
        }
    }
}
