//! Saving to SQLite.
//!
//! The in-memory state is the one that answers requests; SQLite is written through. Every
//! change is sent, in the order it was made in memory, to one writer thread, which commits
//! whatever has queued up in a single transaction (group commit) and then acknowledges each
//! change. Callers wait for that acknowledgement before answering, so an acknowledged message
//! (SMTP `250`, HTTP `200`) survives the process being killed right after (and, with
//! [`Durability::Flushed`], a power loss).
//!
//! Tables: `meta` (the registry and the seed, as JSON documents) and `messages` (the raw bytes,
//! read state, timestamps and a small JSON of envelope facts). Everything else is derived from
//! the raw bytes at load.

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use bytes::Bytes;
use rusqlite::{Connection, OptionalExtension, params};

use super::{DB_FILE, Loaded, MessageRow, Op, WaitMode, Waiter};
use crate::config::Durability;
use crate::error::StartError;
use crate::private_files;

const SCHEMA_VERSION: &str = "1";
/// Most changes committed in one transaction.
const MAX_BATCH: usize = 1024;

enum Ack {
    Blocking(mpsc::SyncSender<Result<(), String>>),
    Async(tokio::sync::oneshot::Sender<Result<(), String>>),
}

impl Ack {
    fn send(self, result: Result<(), String>) {
        // The waiter may have gone away (a dropped HTTP request); that is fine.
        match self {
            Ack::Blocking(tx) => {
                let _ = tx.send(result);
            }
            Ack::Async(tx) => {
                let _ = tx.send(result);
            }
        }
    }
}

struct Job {
    ops: Vec<Op>,
    ack: Ack,
}

/// The writer thread and the way to it.
#[derive(Debug)]
pub(crate) struct Persist {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("ops", &self.ops.len()).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Persist {
    /// Opens (creating if needed) the database in `dir`, reads what it holds and starts the
    /// writer thread.
    pub(crate) fn open(dir: &Path, durability: Durability) -> Result<(Self, Loaded), StartError> {
        let storage_error = |message: String| StartError::Storage {
            path: dir.to_path_buf(),
            message,
        };
        private_files::create_dir(dir).map_err(|e| storage_error(e.to_string()))?;
        let path = dir.join(DB_FILE);
        restrict_database(&path).map_err(|e| storage_error(e.to_string()))?;
        let conn = Connection::open(&path).map_err(|e| storage_error(e.to_string()))?;
        // SQLite makes its log files with the database's permissions: close it before them.
        restrict_database(&path).map_err(|e| storage_error(e.to_string()))?;
        init(&conn, durability).map_err(|e| storage_error(e.to_string()))?;
        restrict_database(&path).map_err(|e| storage_error(e.to_string()))?;
        check_version(&conn).map_err(storage_error)?;
        let loaded = load(&conn).map_err(|e| storage_error(e.to_string()))?;
        let (tx, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("emulator-sqlite-writer".to_owned())
            .spawn(move || writer(conn, &rx))
            .map_err(|e| storage_error(format!("cannot start the writer thread: {e}")))?;
        Ok((
            Self {
                tx: Mutex::new(Some(tx)),
                thread: Mutex::new(Some(thread)),
            },
            loaded,
        ))
    }

    /// Queues changes. Call this while holding the lock under which they were made in memory,
    /// so that the database sees them in the same order.
    pub(crate) fn submit(&self, ops: Vec<Op>, mode: WaitMode) -> Waiter {
        if ops.is_empty() {
            return Waiter::Done;
        }
        let (ack, waiter) = match mode {
            WaitMode::Blocking => {
                let (tx, rx) = mpsc::sync_channel(1);
                (Ack::Blocking(tx), Waiter::Blocking(rx))
            }
            WaitMode::Async => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                (Ack::Async(tx), Waiter::Async(rx))
            }
        };
        let guard = lock(&self.tx);
        let Some(tx) = guard.as_ref() else {
            return Waiter::Failed("the emulator is shutting down".to_owned());
        };
        match tx.send(Job { ops, ack }) {
            Ok(()) => waiter,
            Err(_) => Waiter::Failed("the storage writer stopped".to_owned()),
        }
    }

    /// Saves what is queued and stops the writer.
    pub(crate) fn close(&self) {
        drop(lock(&self.tx).take());
        if let Some(thread) = lock(&self.thread).take()
            && thread.join().is_err()
        {
            tracing::error!("the storage writer thread panicked");
        }
    }
}

impl Drop for Persist {
    fn drop(&mut self) {
        self.close();
    }
}

/// The database and its write-ahead log and shared-memory files, owner only.
fn restrict_database(path: &Path) -> std::io::Result<()> {
    private_files::restrict_file(path)?;
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        private_files::restrict_file(Path::new(&name))?;
    }
    Ok(())
}

fn init(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // In WAL mode, NORMAL has the commit written to the log file (safe if the process dies);
    // FULL also flushes it to the disk (safe if the machine dies).
    let synchronous = match durability {
        Durability::Written => "NORMAL",
        Durability::Flushed => "FULL",
    };
    conn.pragma_update(None, "synchronous", synchronous)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (
             key TEXT PRIMARY KEY,
             value TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS messages (
             id INTEGER PRIMARY KEY,
             sandbox_id INTEGER NOT NULL,
             is_read INTEGER NOT NULL,
             created_at TEXT NOT NULL,
             updated_at TEXT NOT NULL,
             meta TEXT NOT NULL,
             raw BLOB NOT NULL
         );
         CREATE INDEX IF NOT EXISTS messages_by_sandbox ON messages (sandbox_id);",
    )?;
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)",
        params![SCHEMA_VERSION],
    )?;
    Ok(())
}

fn check_version(conn: &Connection) -> Result<(), String> {
    let version: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(|e| e.to_string())?;
    match version.as_deref() {
        Some(SCHEMA_VERSION) => Ok(()),
        other => Err(format!(
            "it was written by an incompatible emulator version (schema {}); use another directory",
            other.unwrap_or("unknown")
        )),
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn load(conn: &Connection) -> rusqlite::Result<Loaded> {
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row(
            "SELECT value FROM meta WHERE key = ?1",
            params![key],
            |row| row.get(0),
        )
        .optional()
    };
    let registry = get("registry")?;
    let seed = get("seed")?;
    let mut stmt = conn.prepare(
        "SELECT id, sandbox_id, is_read, created_at, updated_at, meta, raw FROM messages ORDER BY id",
    )?;
    let messages = stmt
        .query_map([], |row| {
            let id: i64 = row.get(0)?;
            let sandbox_id: i64 = row.get(1)?;
            let raw: Vec<u8> = row.get(6)?;
            Ok(MessageRow {
                id: u64::try_from(id).unwrap_or(0),
                sandbox_id: u64::try_from(sandbox_id).unwrap_or(0),
                is_read: row.get(2)?,
                created_at: row.get(3)?,
                updated_at: row.get(4)?,
                meta: row.get(5)?,
                raw: Bytes::from(raw),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Loaded {
        registry,
        seed,
        messages,
    })
}

fn writer(mut conn: Connection, rx: &mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let result = write_batch(&mut conn, &jobs).map_err(|e| {
            tracing::error!(error = %e, "saving to the data directory failed");
            format!("saving to the data directory failed: {e}")
        });
        for job in jobs {
            job.ack.send(result.clone());
        }
    }
}

fn write_batch(conn: &mut Connection, jobs: &[Job]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let mut registry: Option<&str> = None;
    for op in jobs.iter().flat_map(|job| &job.ops) {
        match op {
            Op::PutMessage(m) => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO messages
                         (id, sandbox_id, is_read, created_at, updated_at, meta, raw)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    to_i64(m.id),
                    to_i64(m.sandbox_id),
                    m.is_read,
                    m.created_at,
                    m.updated_at,
                    m.meta,
                    m.raw.as_ref()
                ])?;
            }
            Op::SetRead {
                id,
                is_read,
                updated_at,
            } => {
                tx.prepare_cached(
                    "UPDATE messages SET is_read = ?2, updated_at = ?3 WHERE id = ?1",
                )?
                .execute(params![to_i64(*id), is_read, updated_at])?;
            }
            Op::DeleteMessages(ids) => {
                let mut stmt = tx.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
                for id in ids {
                    stmt.execute(params![to_i64(*id)])?;
                }
            }
            Op::MarkSandboxRead {
                sandbox_id,
                updated_at,
            } => {
                tx.prepare_cached(
                    "UPDATE messages SET is_read = 1, updated_at = ?2
                     WHERE sandbox_id = ?1 AND is_read = 0",
                )?
                .execute(params![to_i64(*sandbox_id), updated_at])?;
            }
            Op::DeleteSandboxMessages(sandbox_id) => {
                tx.prepare_cached("DELETE FROM messages WHERE sandbox_id = ?1")?
                    .execute(params![to_i64(*sandbox_id)])?;
            }
            Op::DeleteAllMessages => {
                tx.execute("DELETE FROM messages", [])?;
            }
            Op::Registry(json) => registry = Some(json),
            Op::Seed(json) => {
                tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES ('seed', ?1)")?
                    .execute(params![json])?;
            }
        }
    }
    if let Some(json) = registry {
        tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES ('registry', ?1)")?
            .execute(params![json])?;
    }
    tx.commit()
}
