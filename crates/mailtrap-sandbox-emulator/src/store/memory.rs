//! The messages of an emulator without a data directory: each message's raw bytes are kept
//! once, with its list facts; `search` looks in the raw bytes where the text body is there as
//! it is (not transfer-encoded, and lowercased alike as ASCII or as Unicode), so that no
//! lowercased copy of the body is kept beside them.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::digest::{Searchable, ascii_lowercase_is_enough, contains_ascii_lowercased};
use super::model::{FullMessage, MessageEntry};
use super::{ListQuery, PAGE_SIZE};

/// What `search` looks in, for one message.
#[derive(Debug)]
struct SearchText {
    /// Subject, addresses and names, lowercased.
    head: Box<str>,
    /// The body: where it is in the raw bytes, or a lowercased copy when it is not there as
    /// it is.
    body: Body,
}

#[derive(Debug)]
enum Body {
    None,
    InRaw(Range<usize>),
    Lowercased(Box<str>),
}

#[derive(Debug)]
struct Stored {
    entry: MessageEntry,
    raw: Bytes,
    search: SearchText,
}

impl Stored {
    fn matches(&self, needle: &str, buffer: &mut Vec<u8>) -> bool {
        if self.search.head.contains(needle) {
            return true;
        }
        match &self.search.body {
            Body::None => false,
            Body::Lowercased(text) => text.contains(needle),
            Body::InRaw(range) => self
                .raw
                .get(range.clone())
                .is_some_and(|text| contains_ascii_lowercased(text, needle, buffer)),
        }
    }
}

fn search_text(raw: &[u8], searchable: Searchable) -> SearchText {
    let body = match searchable.body {
        None => Body::None,
        Some(body) => {
            let in_raw = (!body.is_empty() && ascii_lowercase_is_enough(&body))
                .then(|| memchr::memmem::find(raw, body.as_bytes()))
                .flatten();
            match in_raw {
                Some(start) => Body::InRaw(start..start + body.len()),
                None => Body::Lowercased(body.to_lowercase().into_boxed_str()),
            }
        }
    };
    SearchText {
        head: searchable.head.into_boxed_str(),
        body,
    }
}

/// The messages of one sandbox, by id.
#[derive(Debug, Default)]
struct SandboxMessages {
    by_id: BTreeMap<u64, Stored>,
    unread: usize,
}

impl SandboxMessages {
    fn remove(&mut self, id: u64) -> Option<Stored> {
        let stored = self.by_id.remove(&id)?;
        if !stored.entry.is_read {
            self.unread = self.unread.saturating_sub(1);
        }
        Some(stored)
    }
}

/// Every sandbox's messages.
#[derive(Debug, Default)]
pub(crate) struct MemoryMessages {
    sandboxes: HashMap<u64, SandboxMessages>,
}

impl MemoryMessages {
    pub(crate) fn counts(&self, sandbox_id: u64) -> (usize, usize) {
        self.sandboxes
            .get(&sandbox_id)
            .map_or((0, 0), |m| (m.by_id.len(), m.unread))
    }

    pub(crate) fn total(&self) -> usize {
        self.sandboxes.values().map(|m| m.by_id.len()).sum()
    }

    pub(crate) fn get(&self, sandbox_id: u64, id: u64) -> Option<FullMessage> {
        let stored = self.sandboxes.get(&sandbox_id)?.by_id.get(&id)?;
        Some(FullMessage {
            entry: stored.entry.clone(),
            raw: stored.raw.clone(),
        })
    }

    pub(crate) fn entry(&self, sandbox_id: u64, id: u64) -> Option<MessageEntry> {
        let stored = self.sandboxes.get(&sandbox_id)?.by_id.get(&id)?;
        Some(stored.entry.clone())
    }

    pub(crate) fn list(&self, sandbox_id: u64, query: &ListQuery) -> Vec<MessageEntry> {
        let Some(list) = self.sandboxes.get(&sandbox_id) else {
            return Vec::new();
        };
        let skip = query.skip();
        let range = match query.last_id {
            Some(last) => list.by_id.range(..last),
            None => list.by_id.range(..),
        };
        let mut buffer = Vec::new();
        range
            .rev()
            .map(|(_, stored)| stored)
            .filter(|stored| {
                query
                    .search
                    .as_deref()
                    .is_none_or(|needle| stored.matches(needle, &mut buffer))
            })
            .skip(skip)
            .take(PAGE_SIZE)
            .map(|stored| stored.entry.clone())
            .collect()
    }

    pub(crate) fn insert(&mut self, entry: MessageEntry, raw: Bytes, searchable: Searchable) {
        let search = search_text(&raw, searchable);
        let list = self.sandboxes.entry(entry.data.sandbox_id).or_default();
        if !entry.is_read {
            list.unread += 1;
        }
        let id = entry.data.id;
        if let Some(old) = list.by_id.insert(id, Stored { entry, raw, search })
            && !old.entry.is_read
        {
            list.unread = list.unread.saturating_sub(1);
        }
    }

    /// The ids of the oldest messages beyond `max_size` (`0`: no limit), oldest first.
    pub(crate) fn oldest_beyond(&self, sandbox_id: u64, max_size: u64) -> Vec<u64> {
        let Some(list) = self.sandboxes.get(&sandbox_id) else {
            return Vec::new();
        };
        let excess = (list.by_id.len() as u64).saturating_sub(max_size);
        if max_size == 0 || excess == 0 {
            return Vec::new();
        }
        list.by_id
            .keys()
            .take(usize::try_from(excess).unwrap_or(usize::MAX))
            .copied()
            .collect()
    }

    pub(crate) fn remove(&mut self, sandbox_id: u64, id: u64) -> Option<MessageEntry> {
        self.sandboxes
            .get_mut(&sandbox_id)?
            .remove(id)
            .map(|stored| stored.entry)
    }

    pub(crate) fn set_read(
        &mut self,
        sandbox_id: u64,
        id: u64,
        is_read: bool,
        at: DateTime<Utc>,
    ) -> Option<MessageEntry> {
        let list = self.sandboxes.get_mut(&sandbox_id)?;
        let stored = list.by_id.get_mut(&id)?;
        if stored.entry.is_read != is_read {
            if is_read {
                list.unread = list.unread.saturating_sub(1);
            } else {
                list.unread += 1;
            }
            stored.entry.is_read = is_read;
            stored.entry.updated_at = at;
        }
        Some(stored.entry.clone())
    }

    pub(crate) fn mark_all_read(&mut self, sandbox_id: u64, at: DateTime<Utc>) {
        if let Some(list) = self.sandboxes.get_mut(&sandbox_id) {
            for stored in list.by_id.values_mut().filter(|s| !s.entry.is_read) {
                stored.entry.is_read = true;
                stored.entry.updated_at = at;
            }
            list.unread = 0;
        }
    }

    pub(crate) fn remove_sandbox(&mut self, sandbox_id: u64) {
        self.sandboxes.remove(&sandbox_id);
    }

    pub(crate) fn clear(&mut self) {
        self.sandboxes.clear();
    }
}
