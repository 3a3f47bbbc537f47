//! The messages and registry of an emulator with a data directory (the `persist` feature),
//! kept in SQLite and read on demand: memory holds only each sandbox's counts, whatever is
//! stored.
//!
//! Tables: `meta` (schema version, the seed as JSON), `registry` (one row per project,
//! sandbox, access, token, sub-account and template, plus the account, the counters and the
//! forwards: a change writes only its rows), `messages` (list facts, read state, the lowercased
//! search text and the raw bytes), `message_index` (an FTS5 trigram index of the search text,
//! so that `search` reads only candidates), `index_deletes` (index entries of deleted messages
//! still to remove) and `floors` (messages of a sandbox below its floor
//! are deleted: cleaning a sandbox or deleting it only moves the floor, and the rows are
//! purged afterwards, a chunk at a time, when nothing else is written).
//!
//! A message is indexed after it is acknowledged, not before: the transaction that makes a
//! message durable writes only its row, and the committer indexes new messages in id order a
//! chunk at a time when nothing else is written (or, past [`MAX_UNINDEXED`] waiting, a chunk
//! with each commit). `meta`'s `indexed_below` says how far it got: a search reads the
//! messages at or above it directly and asks the index only for those below. The mark is
//! written in the same transaction as the index, so a restart resumes where it stopped.
//! Message ids only grow, and each is written under the store's lock in id order, so every
//! message below the mark is in the index. Deleting a message leaves its index entry to the
//! same background work (its id is queued in `index_deletes`): a search checks every
//! candidate against `messages`, so a stale entry finds nothing. Keeping the index out of the
//! acknowledging transaction also keeps FTS5 from writing a small segment at every change's
//! savepoint (and merging them): it writes one per chunk.

mod db;
mod registry;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

pub(crate) use self::db::Db;
use self::db::Pressure;
pub(crate) use self::registry::Rows;
use super::DB_FILE;
use super::model::{FullMessage, MessageData, MessageEntry, Registry};
use super::waiter::{WaitMode, Waiter};
use super::{ListQuery, PAGE_SIZE};
use crate::config::Durability;
use crate::error::StartError;
use crate::time;

const SCHEMA_VERSION: &str = "2";
/// Messages purged per transaction after a clean or a delete.
const PURGE_CHUNK: i64 = 500;
/// Messages indexed per transaction.
const INDEX_CHUNK: i64 = 64;
/// Messages left unindexed (and searched directly) before indexing joins every commit instead
/// of waiting for an idle moment: about 100 MiB of search text for 10 KiB messages.
const MAX_UNINDEXED: i64 = 5_000;
/// Trigrams of a search string looked up in the index (more only narrow the candidates,
/// which are all checked against the text anyway).
const MAX_TRIGRAMS: usize = 16;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS registry (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    sandbox_id INTEGER NOT NULL,
    is_read INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    meta TEXT NOT NULL,
    digest TEXT NOT NULL,
    search_text TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_sandbox ON messages (sandbox_id, id, is_read);
CREATE VIRTUAL TABLE IF NOT EXISTS message_index USING fts5(
    search_text, content = '', contentless_delete = 1, tokenize = 'trigram', detail = 'none'
);
CREATE TABLE IF NOT EXISTS floors (sandbox_id INTEGER PRIMARY KEY, floor INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS index_deletes (id INTEGER PRIMARY KEY);
";

/// The columns of a list entry, in the order [`entry_from_row`] reads them.
const ENTRY_COLUMNS: &str = "id, sandbox_id, is_read, created_at, updated_at, size, meta, digest";

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// What was in the data directory at start-up.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) registry: Option<Registry>,
    pub(crate) seed: Option<Registry>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    total: usize,
    unread: usize,
}

/// A change to the messages, written when the store's change is done.
#[derive(Debug)]
enum Op {
    Insert {
        entry: MessageEntry,
        raw: Bytes,
        search_text: String,
    },
    SetRead {
        id: u64,
        is_read: bool,
        updated_at: String,
    },
    Delete(Vec<u64>),
    /// Every message of the sandbox below `floor` is deleted.
    Floor {
        sandbox_id: u64,
        floor: u64,
    },
    MarkSandboxRead {
        sandbox_id: u64,
        updated_at: String,
    },
    DeleteAll,
}

/// The messages of a data directory.
#[derive(Debug)]
pub(crate) struct DiskMessages {
    db: Arc<Db>,
    counts: HashMap<u64, Counts>,
    /// Per sandbox, the lowest id still visible (see the module's documentation).
    floors: HashMap<u64, u64>,
    /// Changes of the store's change in progress.
    pending: Vec<Op>,
}

fn parse_time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map_or_else(|_| time::now(), |t| t.with_timezone(&Utc))
}

fn json_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<MessageEntry> {
    let meta: String = row.get(6)?;
    let digest: String = row.get(7)?;
    let size: i64 = row.get(5)?;
    let created_at: String = row.get(3)?;
    let updated_at: String = row.get(4)?;
    Ok(MessageEntry {
        data: Arc::new(MessageData {
            id: to_u64(row.get(0)?),
            sandbox_id: to_u64(row.get(1)?),
            size: usize::try_from(size).unwrap_or(0),
            created_at: parse_time(&created_at),
            meta: serde_json::from_str(&meta).map_err(json_error)?,
            digest: serde_json::from_str(&digest).map_err(json_error)?,
        }),
        is_read: row.get(2)?,
        updated_at: parse_time(&updated_at),
    })
}

/// The index query for `needle` (lowercased): each of its trigrams, quoted. `None` when it has
/// fewer than three characters (the index cannot help).
fn trigram_query(needle: &str) -> Option<String> {
    let chars: Vec<char> = needle.chars().collect();
    let mut seen = std::collections::HashSet::new();
    let terms: Vec<String> = chars
        .windows(3)
        .map(|w| w.iter().collect::<String>())
        .filter(|t| seen.insert(t.clone()))
        .take(MAX_TRIGRAMS)
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

impl DiskMessages {
    /// Opens the database in `dir` and reads the registry, the seed and the counts.
    pub(crate) fn open(dir: &Path, durability: Durability) -> Result<(Self, Loaded), StartError> {
        let storage_error = |message: String| StartError::Storage {
            path: dir.to_path_buf(),
            message,
        };
        let db = Arc::new(Db::open(dir, DB_FILE, durability, init)?);
        let (loaded, counts, floors) = db
            .read(|conn| {
                let seed: Option<String> = conn
                    .query_row("SELECT value FROM meta WHERE key = 'seed'", [], |row| {
                        row.get(0)
                    })
                    .optional()?;
                let registry = registry::load(conn)?;
                let mut counts = HashMap::new();
                let mut floors = HashMap::new();
                let mut stmt = conn.prepare("SELECT sandbox_id, floor FROM floors")?;
                for row in stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))? {
                    let (sandbox_id, floor): (i64, i64) = row?;
                    floors.insert(to_u64(sandbox_id), to_u64(floor));
                }
                let mut stmt = conn.prepare(
                    "SELECT m.sandbox_id, count(*), sum(m.is_read = 0) FROM messages m
                     LEFT JOIN floors f ON f.sandbox_id = m.sandbox_id
                     WHERE m.id >= coalesce(f.floor, 0) GROUP BY m.sandbox_id",
                )?;
                for row in stmt.query_map([], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                })? {
                    let (sandbox_id, total, unread) = row?;
                    counts.insert(
                        to_u64(sandbox_id),
                        Counts {
                            total: usize::try_from(total).unwrap_or(0),
                            unread: usize::try_from(unread).unwrap_or(0),
                        },
                    );
                }
                Ok((seed, registry, counts, floors))
            })
            .map_err(storage_error)
            .and_then(|(seed, registry, counts, floors)| {
                let seed = seed
                    .map(|json| serde_json::from_str(&json))
                    .transpose()
                    .map_err(|e| storage_error(format!("its saved seed cannot be read: {e}")))?;
                let registry = registry
                    .map_err(|e| storage_error(format!("its saved state cannot be read: {e}")))?;
                Ok((Loaded { registry, seed }, counts, floors))
            })?;
        db.start(background).map_err(storage_error)?;
        Ok((
            Self {
                db,
                counts,
                floors,
                pending: Vec::new(),
            },
            loaded,
        ))
    }

    /// The highest message id saved (to keep ids counting up).
    pub(crate) fn max_id(&self) -> Result<u64, String> {
        self.db.read(|conn| newest_id(conn).map(to_u64))
    }

    /// Messages of sandboxes that no longer exist are deleted (at start-up).
    pub(crate) fn forget_sandboxes_except(&mut self, live: &[u64]) {
        let gone: Vec<u64> = self
            .counts
            .keys()
            .filter(|id| !live.contains(id))
            .copied()
            .collect();
        for sandbox_id in gone {
            self.remove_sandbox(sandbox_id);
        }
    }

    fn floor(&self, sandbox_id: u64) -> u64 {
        self.floors.get(&sandbox_id).copied().unwrap_or(0)
    }

    pub(crate) fn counts(&self, sandbox_id: u64) -> (usize, usize) {
        self.counts
            .get(&sandbox_id)
            .map_or((0, 0), |c| (c.total, c.unread))
    }

    pub(crate) fn total(&self) -> usize {
        self.counts.values().map(|c| c.total).sum()
    }

    pub(crate) fn get(&self, sandbox_id: u64, id: u64) -> Result<Option<FullMessage>, String> {
        if id < self.floor(sandbox_id) {
            return Ok(None);
        }
        self.db.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS}, raw FROM messages WHERE id = ?1 AND sandbox_id = ?2"
            ))?
            .query_row(params![to_i64(id), to_i64(sandbox_id)], |row| {
                let raw: Vec<u8> = row.get(8)?;
                Ok(FullMessage {
                    entry: entry_from_row(row)?,
                    raw: Bytes::from(raw),
                })
            })
            .optional()
        })
    }

    pub(crate) fn entry(&self, sandbox_id: u64, id: u64) -> Result<Option<MessageEntry>, String> {
        if id < self.floor(sandbox_id) {
            return Ok(None);
        }
        self.db.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM messages WHERE id = ?1 AND sandbox_id = ?2"
            ))?
            .query_row(params![to_i64(id), to_i64(sandbox_id)], entry_from_row)
            .optional()
        })
    }

    pub(crate) fn list(
        &self,
        sandbox_id: u64,
        query: &ListQuery,
    ) -> Result<Vec<MessageEntry>, String> {
        let floor = to_i64(self.floor(sandbox_id));
        let below = query.last_id.map_or(i64::MAX, to_i64);
        let skip = i64::try_from(query.skip()).unwrap_or(i64::MAX);
        let page = PAGE_SIZE as i64;
        self.db.read(|conn| {
            let Some(needle) = query.search.as_deref().filter(|s| !s.is_empty()) else {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {ENTRY_COLUMNS} FROM messages
                     WHERE sandbox_id = ?1 AND id < ?2 AND id >= ?3
                     ORDER BY id DESC LIMIT ?4 OFFSET ?5"
                ))?;
                return stmt
                    .query_map(
                        params![to_i64(sandbox_id), below, floor, page, skip],
                        entry_from_row,
                    )?
                    .collect();
            };
            let ids = search(conn, to_i64(sandbox_id), needle, below, floor, skip)?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM messages WHERE id = ?1"
            ))?;
            ids.into_iter()
                .map(|id| stmt.query_row(params![id], entry_from_row))
                .collect()
        })
    }

    pub(crate) fn insert(&mut self, entry: MessageEntry, raw: Bytes, search_text: String) {
        let counts = self.counts.entry(entry.data.sandbox_id).or_default();
        counts.total += 1;
        if !entry.is_read {
            counts.unread += 1;
        }
        self.pending.push(Op::Insert {
            entry,
            raw,
            search_text,
        });
    }

    /// The ids of the oldest messages beyond `max_size` (`0`: no limit), oldest first.
    pub(crate) fn oldest_beyond(&self, sandbox_id: u64, max_size: u64) -> Result<Vec<u64>, String> {
        let (total, _) = self.counts(sandbox_id);
        let excess = (total as u64).saturating_sub(max_size);
        if max_size == 0 || excess == 0 {
            return Ok(Vec::new());
        }
        let floor = to_i64(self.floor(sandbox_id));
        self.db.read(|conn| {
            conn.prepare_cached(
                "SELECT id FROM messages WHERE sandbox_id = ?1 AND id >= ?2 ORDER BY id LIMIT ?3",
            )?
            .query_map(params![to_i64(sandbox_id), floor, to_i64(excess)], |row| {
                row.get::<_, i64>(0).map(to_u64)
            })?
            .collect()
        })
    }

    pub(crate) fn remove(
        &mut self,
        sandbox_id: u64,
        id: u64,
    ) -> Result<Option<MessageEntry>, String> {
        let Some(entry) = self.entry(sandbox_id, id)? else {
            return Ok(None);
        };
        self.discount(&entry);
        self.pending.push(Op::Delete(vec![id]));
        Ok(Some(entry))
    }

    fn discount(&mut self, entry: &MessageEntry) {
        if let Some(counts) = self.counts.get_mut(&entry.data.sandbox_id) {
            counts.total = counts.total.saturating_sub(1);
            if !entry.is_read {
                counts.unread = counts.unread.saturating_sub(1);
            }
        }
    }

    /// Removes from the counts a new (unread) message whose save failed: it is not on disk.
    pub(crate) fn forget_unsaved(&mut self, sandbox_id: u64) {
        if let Some(counts) = self.counts.get_mut(&sandbox_id) {
            counts.total = counts.total.saturating_sub(1);
            counts.unread = counts.unread.saturating_sub(1);
        }
    }

    pub(crate) fn set_read(
        &mut self,
        sandbox_id: u64,
        id: u64,
        is_read: bool,
        at: DateTime<Utc>,
    ) -> Result<Option<MessageEntry>, String> {
        let Some(mut entry) = self.entry(sandbox_id, id)? else {
            return Ok(None);
        };
        if entry.is_read != is_read {
            if let Some(counts) = self.counts.get_mut(&sandbox_id) {
                if is_read {
                    counts.unread = counts.unread.saturating_sub(1);
                } else {
                    counts.unread += 1;
                }
            }
            entry.is_read = is_read;
            entry.updated_at = at;
            self.pending.push(Op::SetRead {
                id,
                is_read,
                updated_at: time::format(&at),
            });
        }
        Ok(Some(entry))
    }

    pub(crate) fn mark_all_read(&mut self, sandbox_id: u64, at: DateTime<Utc>) {
        if let Some(counts) = self.counts.get_mut(&sandbox_id) {
            counts.unread = 0;
        }
        self.pending.push(Op::MarkSandboxRead {
            sandbox_id,
            updated_at: time::format(&at),
        });
    }

    /// Deletes every message of a sandbox, now and to come below `next_id`.
    pub(crate) fn clean(&mut self, sandbox_id: u64, next_id: u64) {
        self.counts.remove(&sandbox_id);
        self.floors.insert(sandbox_id, next_id);
        self.pending.push(Op::Floor {
            sandbox_id,
            floor: next_id,
        });
    }

    pub(crate) fn remove_sandbox(&mut self, sandbox_id: u64) {
        self.clean(sandbox_id, u64::MAX);
    }

    pub(crate) fn clear(&mut self) {
        self.counts.clear();
        self.floors.clear();
        self.pending.push(Op::DeleteAll);
    }

    /// Writes the store's change: its message changes, the registry rows it touched and the
    /// seed when given. Returns what to wait for.
    pub(crate) fn save(&mut self, mode: WaitMode, rows: &Rows, seed: Option<&str>) -> Waiter {
        let ops = std::mem::take(&mut self.pending);
        if ops.is_empty() && rows.is_empty() && seed.is_none() {
            return Waiter::Done;
        }
        let background = ops
            .iter()
            .any(|op| matches!(op, Op::Floor { .. } | Op::Insert { .. }));
        let waiter = self.db.write(mode, |conn| {
            for op in &ops {
                write_op(conn, op)?;
            }
            rows.write(conn)?;
            if let Some(json) = seed {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('seed', ?1)",
                )?
                .execute(params![json])?;
            }
            Ok(())
        });
        if background {
            // After the change is written, so that the purge or the index sees it.
            self.db.request_background();
        }
        waiter
    }

    /// Drops the message changes of a store change that failed (nothing was written yet).
    pub(crate) fn discard_pending(&mut self) {
        self.pending.clear();
    }

    /// Commits what is written and stops the committer.
    pub(crate) fn close(&self) {
        self.db.close();
    }
}

/// A page of ids, newest first, of the messages of a sandbox whose search text contains
/// `needle`, with ids in `floor..below`, after skipping `skip` of them.
struct Page {
    skip: i64,
    ids: Vec<i64>,
}

impl Page {
    /// Offers the next match (in descending id order); returns whether the page is full.
    fn offer(&mut self, id: i64) -> bool {
        if self.skip > 0 {
            self.skip -= 1;
        } else {
            self.ids.push(id);
        }
        self.ids.len() == PAGE_SIZE
    }
}

/// Finds the ids of a page of messages whose search text contains `needle` (lowercased): the
/// messages not indexed yet are read directly, the others through the index when `needle`
/// has a trigram.
fn search(
    conn: &Connection,
    sandbox_id: i64,
    needle: &str,
    below: i64,
    floor: i64,
    skip: i64,
) -> rusqlite::Result<Vec<i64>> {
    let mut page = Page {
        skip,
        ids: Vec::new(),
    };
    let Some(index_query) = trigram_query(needle) else {
        scan(conn, sandbox_id, needle, below, floor, &mut page)?;
        return Ok(page.ids);
    };
    let indexed_below = indexed_below(conn)?;
    if scan(
        conn,
        sandbox_id,
        needle,
        below,
        floor.max(indexed_below),
        &mut page,
    )? {
        return Ok(page.ids);
    }
    let mut candidates = conn.prepare_cached(
        "SELECT rowid FROM message_index WHERE message_index MATCH ?1 AND rowid < ?2 AND rowid >= ?3
         ORDER BY rowid DESC",
    )?;
    let mut check = conn.prepare_cached(
        "SELECT 1 FROM messages WHERE id = ?1 AND sandbox_id = ?2 AND instr(search_text, ?3) > 0",
    )?;
    let mut rows = candidates.query(params![index_query, below.min(indexed_below), floor])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if check.exists(params![id, sandbox_id, needle])? && page.offer(id) {
            break;
        }
    }
    Ok(page.ids)
}

/// Reads the search text of a sandbox's messages with ids in `floor..below`, newest first,
/// offering each match to `page`; returns whether the page is full.
fn scan(
    conn: &Connection,
    sandbox_id: i64,
    needle: &str,
    below: i64,
    floor: i64,
    page: &mut Page,
) -> rusqlite::Result<bool> {
    if floor >= below {
        return Ok(false);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM messages
         WHERE sandbox_id = ?1 AND id < ?2 AND id >= ?3 AND instr(search_text, ?4) > 0
         ORDER BY id DESC",
    )?;
    let mut rows = stmt.query(params![sandbox_id, below, floor, needle])?;
    while let Some(row) = rows.next()? {
        if page.offer(row.get(0)?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The highest message id saved (0 when none is).
fn newest_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT coalesce(max(id), 0) FROM messages")?
        .query_row([], |row| row.get(0))
}

/// Every message with a lower id is in the index (or deleted).
fn indexed_below(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'indexed_below'")?
        .query_row([], |row| row.get(0))
        .optional()
        .map(|mark| mark.unwrap_or(0))
}

/// The committer's background work: purging deleted messages and bringing the index up to
/// date when idle; when busy, only the index, and only past [`MAX_UNINDEXED`] waiting.
fn background(conn: &Connection, pressure: Pressure) -> rusqlite::Result<usize> {
    match pressure {
        Pressure::Idle => Ok(purge_chunk(conn)? + index_chunk(conn)?),
        Pressure::Busy => {
            let newest = newest_id(conn)?;
            let deletes_waiting = conn
                .prepare_cached("SELECT 1 FROM index_deletes LIMIT 1 OFFSET ?1")?
                .exists(params![MAX_UNINDEXED])?;
            if deletes_waiting || newest - indexed_below(conn)? >= MAX_UNINDEXED {
                index_chunk(conn)
            } else {
                Ok(0)
            }
        }
    }
}

/// Brings the index up to date by up to [`INDEX_CHUNK`] messages deleted and as many new
/// ones, oldest first, moving the mark past them; returns how many.
fn index_chunk(conn: &Connection) -> rusqlite::Result<usize> {
    let deleted: Vec<i64> = conn
        .prepare_cached("SELECT id FROM index_deletes LIMIT ?1")?
        .query_map(params![INDEX_CHUNK], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut unindex = conn.prepare_cached("DELETE FROM message_index WHERE rowid = ?1")?;
    let mut dequeue = conn.prepare_cached("DELETE FROM index_deletes WHERE id = ?1")?;
    for id in &deleted {
        unindex.execute(params![id])?;
        dequeue.execute(params![id])?;
    }
    Ok(deleted.len() + index_new(conn)?)
}

/// Indexes up to [`INDEX_CHUNK`] of the messages not indexed yet, oldest first, and moves the
/// mark past them; returns how many.
fn index_new(conn: &Connection) -> rusqlite::Result<usize> {
    let from = indexed_below(conn)?;
    let mut select = conn.prepare_cached(
        "SELECT id, search_text FROM messages WHERE id >= ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut insert =
        conn.prepare_cached("INSERT INTO message_index (rowid, search_text) VALUES (?1, ?2)")?;
    let mut rows = select.query(params![from, INDEX_CHUNK])?;
    let mut last = None;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        insert.execute(params![id, row.get_ref(1)?.as_str()?])?;
        last = Some(id);
        count += 1;
    }
    if let Some(last) = last {
        conn.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'indexed_below'")?
            .execute(params![(last + 1).to_string()])?;
    }
    Ok(count)
}

fn write_op(conn: &Connection, op: &Op) -> rusqlite::Result<()> {
    match op {
        Op::Insert {
            entry,
            raw,
            search_text,
        } => {
            let data = &entry.data;
            let meta = serde_json::to_string(&data.meta).map_err(json_error)?;
            let digest = serde_json::to_string(&data.digest).map_err(json_error)?;
            conn.prepare_cached(
                "INSERT OR REPLACE INTO messages (id, sandbox_id, is_read, created_at, updated_at,
                     size, meta, digest, search_text, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                to_i64(data.id),
                to_i64(data.sandbox_id),
                entry.is_read,
                time::format(&data.created_at),
                time::format(&entry.updated_at),
                i64::try_from(data.size).unwrap_or(i64::MAX),
                meta,
                digest,
                search_text,
                raw.as_ref(),
            ])?;
            // Ids only grow, so a new message is above the mark and indexed later; should one
            // ever be written below it, it is indexed now, so that the mark stays true.
            if to_i64(data.id) < indexed_below(conn)? {
                conn.prepare_cached(
                    "INSERT INTO message_index (rowid, search_text) VALUES (?1, ?2)",
                )?
                .execute(params![to_i64(data.id), search_text])?;
            }
        }
        Op::SetRead {
            id,
            is_read,
            updated_at,
        } => {
            conn.prepare_cached("UPDATE messages SET is_read = ?2, updated_at = ?3 WHERE id = ?1")?
                .execute(params![to_i64(*id), is_read, updated_at])?;
        }
        Op::Delete(ids) => {
            let indexed_below = indexed_below(conn)?;
            for id in ids {
                delete_message(conn, to_i64(*id), indexed_below)?;
            }
        }
        Op::Floor { sandbox_id, floor } => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO floors (sandbox_id, floor) VALUES (?1, ?2)",
            )?
            .execute(params![to_i64(*sandbox_id), to_i64(*floor)])?;
        }
        Op::MarkSandboxRead {
            sandbox_id,
            updated_at,
        } => {
            conn.prepare_cached(
                "UPDATE messages SET is_read = 1, updated_at = ?2 WHERE sandbox_id = ?1 AND is_read = 0",
            )?
            .execute(params![to_i64(*sandbox_id), updated_at])?;
        }
        Op::DeleteAll => {
            conn.execute_batch(
                "DELETE FROM messages;
                 INSERT INTO message_index (message_index) VALUES ('delete-all');
                 DELETE FROM index_deletes;
                 DELETE FROM floors;",
            )?;
        }
    }
    Ok(())
}

/// Deletes a message; its index entry, if it has one (`id` below the mark `indexed_below`), is
/// deleted later (a search checks each candidate against `messages`, so a stale entry finds
/// nothing).
fn delete_message(conn: &Connection, id: i64, indexed_below: i64) -> rusqlite::Result<()> {
    if id < indexed_below {
        conn.prepare_cached("INSERT OR IGNORE INTO index_deletes (id) VALUES (?1)")?
            .execute(params![id])?;
    }
    conn.prepare_cached("DELETE FROM messages WHERE id = ?1")?
        .execute(params![id])?;
    Ok(())
}

/// Deletes up to [`PURGE_CHUNK`] messages below their sandbox's floor; returns how many. A
/// floor with nothing left below it that no sandbox needs (a deleted sandbox's) goes too.
pub(crate) fn purge_chunk(conn: &Connection) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            // CROSS JOIN keeps `floors` the outer loop: each floor is then a range of
            // `messages_by_sandbox`, where SQLite would otherwise scan every message.
            "SELECT m.id FROM floors f CROSS JOIN messages m ON m.sandbox_id = f.sandbox_id
             WHERE m.id < f.floor LIMIT ?1",
        )?
        .query_map(params![PURGE_CHUNK], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let indexed_below = indexed_below(conn)?;
    for id in &ids {
        delete_message(conn, *id, indexed_below)?;
    }
    if ids.is_empty() {
        conn.prepare_cached(
            "DELETE FROM floors WHERE floor = ?1
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.sandbox_id = floors.sandbox_id)",
        )?
        .execute(params![i64::MAX])?;
    }
    Ok(ids.len())
}

fn init(conn: &Connection) -> Result<(), String> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )
    .map_err(|e| e.to_string())?;
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)",
        params![SCHEMA_VERSION],
    )
    .map_err(|e| e.to_string())?;
    let version: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(|e| e.to_string())?;
    match version.as_deref() {
        // A directory written before indexing moved off the acknowledgement has every
        // message indexed: its mark starts past them.
        Some(SCHEMA_VERSION) => conn
            .execute_batch(SCHEMA)
            .and_then(|()| {
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value)
                     SELECT 'indexed_below', coalesce(max(id), 0) + 1 FROM messages",
                    [],
                )
            })
            .map(drop)
            .map_err(|e| e.to_string()),
        other => Err(format!(
            "it was written by an incompatible emulator version (schema {}); use another directory",
            other.unwrap_or("unknown")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        init(&conn).unwrap();
        conn
    }

    /// Writes a message row as the store would, without indexing it.
    fn add(conn: &Connection, id: i64, sandbox_id: i64, text: &str) {
        conn.execute(
            "INSERT INTO messages (id, sandbox_id, is_read, created_at, updated_at, size, meta,
                 digest, search_text, raw)
             VALUES (?1, ?2, 0, '', '', 0, '{}', '{}', ?3, x'')",
            params![id, sandbox_id, text],
        )
        .unwrap();
    }

    fn text(id: i64) -> String {
        let mut text = format!("message {id} word{} from shop@example.test", id % 7);
        if id % 5 == 0 {
            text.push_str(" reset your password");
        }
        text
    }

    /// What a search must give: every match with an id in `floor..below`, newest first, then
    /// skip and a page.
    fn expected(
        conn: &Connection,
        sandbox_id: i64,
        needle: &str,
        (below, floor, skip): (i64, i64, i64),
    ) -> Vec<i64> {
        let mut stmt = conn
            .prepare("SELECT id, sandbox_id, search_text FROM messages ORDER BY id DESC")
            .unwrap();
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .unwrap();
        rows.map(Result::unwrap)
            .filter(|(id, sandbox, text)| {
                *sandbox == sandbox_id && *id < below && *id >= floor && text.contains(needle)
            })
            .map(|(id, _, _)| id)
            .skip(usize::try_from(skip).unwrap())
            .take(PAGE_SIZE)
            .collect()
    }

    fn check_every_search(conn: &Connection, stage: &str) {
        for needle in ["reset", "word3", "shop@example", "zzz", "rd", "message 1"] {
            for (below, floor, skip) in [
                (i64::MAX, 0, 0),
                (i64::MAX, 0, 40),
                (200, 0, 0),
                (i64::MAX, 150, 3),
                (120, 100, 0),
            ] {
                for sandbox_id in [1, 2] {
                    assert_eq!(
                        search(conn, sandbox_id, needle, below, floor, skip).unwrap(),
                        expected(conn, sandbox_id, needle, (below, floor, skip)),
                        "{stage}: {needle:?} in sandbox {sandbox_id}, ids {floor}..{below}, skip {skip}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_search_finds_the_same_however_far_indexing_got() {
        let conn = database();
        for id in 1..=300 {
            add(&conn, id, 1 + id % 2, &text(id));
        }
        assert_eq!(indexed_below(&conn).unwrap(), 1);
        check_every_search(&conn, "nothing indexed");
        let mut stage = 0;
        while index_chunk(&conn).unwrap() > 0 {
            stage += 1;
            check_every_search(&conn, &format!("after {stage} chunks"));
        }
        assert_eq!(stage, 5, "300 messages in chunks of {INDEX_CHUNK}");
        assert_eq!(indexed_below(&conn).unwrap(), 301);
        // New mail after everything was indexed is found before it is indexed in turn.
        for id in 301..=310 {
            add(&conn, id, 1 + id % 2, &text(id));
        }
        check_every_search(&conn, "ten new");
        assert_eq!(index_chunk(&conn).unwrap(), 10);
        check_every_search(&conn, "all indexed");
    }

    #[test]
    fn deleting_indexed_and_unindexed_messages_leaves_nothing_behind() {
        let conn = database();
        for id in 1..=100 {
            add(&conn, id, 1, &text(id));
        }
        index_chunk(&conn).unwrap();
        // 10 is indexed, 70 is not yet.
        let mark = indexed_below(&conn).unwrap();
        delete_message(&conn, 10, mark).unwrap();
        delete_message(&conn, 70, mark).unwrap();
        while index_chunk(&conn).unwrap() > 0 {}
        let found = search(&conn, 1, "reset", i64::MAX, 0, 0).unwrap();
        assert!(!found.contains(&10) && !found.contains(&70), "{found:?}");
        assert_eq!(found, expected(&conn, 1, "reset", (i64::MAX, 0, 0)));
        let indexed: i64 = conn
            .query_row(
                "SELECT count(*) FROM message_index WHERE message_index MATCH '\"res\"'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(indexed, 18, "20 messages had 'reset', two were deleted");
    }

    #[test]
    fn a_busy_committer_indexes_only_once_too_much_waits() {
        let conn = database();
        let max_unindexed = MAX_UNINDEXED;
        for id in 1..max_unindexed {
            add(&conn, id, 1, "short");
        }
        assert_eq!(background(&conn, Pressure::Busy).unwrap(), 0);
        add(&conn, max_unindexed, 1, "short");
        add(&conn, max_unindexed + 1, 1, "short");
        assert_eq!(
            background(&conn, Pressure::Busy).unwrap(),
            usize::try_from(INDEX_CHUNK).unwrap()
        );
        assert_eq!(indexed_below(&conn).unwrap(), INDEX_CHUNK + 1);
        // Idle, it goes on until nothing is left.
        while background(&conn, Pressure::Idle).unwrap() > 0 {}
        assert_eq!(indexed_below(&conn).unwrap(), max_unindexed + 2);
    }

    #[test]
    fn the_readme_states_the_indexing_bounds() {
        let readme = include_str!("../../../README.md");
        let row = format!(
            "| messages waiting to be indexed for `search` (with a data directory) | {},{:03} | \
             each commit also indexes a batch of {INDEX_CHUNK} |",
            MAX_UNINDEXED / 1000,
            MAX_UNINDEXED % 1000
        );
        assert!(readme.contains(&row), "the README has no row {row:?}");
    }

    #[test]
    fn a_directory_from_before_deferred_indexing_starts_with_everything_indexed() {
        let conn = database();
        for id in 1..=20 {
            add(&conn, id, 1, &text(id));
            conn.execute(
                "INSERT INTO message_index (rowid, search_text) VALUES (?1, ?2)",
                params![id, text(id)],
            )
            .unwrap();
        }
        // Such a directory has no mark: opening it sets one past its messages.
        conn.execute("DELETE FROM meta WHERE key = 'indexed_below'", [])
            .unwrap();
        init(&conn).unwrap();
        assert_eq!(indexed_below(&conn).unwrap(), 21);
        assert_eq!(index_chunk(&conn).unwrap(), 0);
        assert_eq!(
            search(&conn, 1, "reset", i64::MAX, 0, 0).unwrap(),
            [20, 15, 10, 5]
        );
    }

    fn insert_op(id: u64, search_text: &str) -> Op {
        let now = time::now();
        Op::Insert {
            entry: MessageEntry {
                data: Arc::new(MessageData {
                    id,
                    sandbox_id: 1,
                    size: 0,
                    created_at: now,
                    meta: super::super::model::MessageMeta {
                        envelope: super::super::model::StoredEnvelope {
                            mail_from: "app@example.test".to_owned(),
                            rcpt_to: vec!["ana@example.test".to_owned()],
                            client_ip: None,
                        },
                        origin: super::super::model::Origin::Smtp,
                        template: None,
                        first_attachment_id: 1,
                    },
                    digest: super::super::model::Digest::default(),
                }),
                is_read: false,
                updated_at: now,
            },
            raw: Bytes::new(),
            search_text: search_text.to_owned(),
        }
    }

    #[test]
    fn a_new_message_is_indexed_later_unless_written_below_the_mark() {
        let conn = database();
        write_op(&conn, &insert_op(60, "a new reset")).unwrap();
        let indexed = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM message_index", [], |row| row.get(0))
                .unwrap()
        };
        assert_eq!(indexed(&conn), 0, "indexing waits for the committer");
        assert_eq!(index_chunk(&conn).unwrap(), 1);
        assert_eq!(indexed_below(&conn).unwrap(), 61);
        // Ids only grow; should one ever be written below the mark, it is indexed at once.
        write_op(&conn, &insert_op(7, "a stray reset")).unwrap();
        assert_eq!(indexed(&conn), 2);
        assert_eq!(search(&conn, 1, "reset", i64::MAX, 0, 0).unwrap(), [60, 7]);
    }
}
