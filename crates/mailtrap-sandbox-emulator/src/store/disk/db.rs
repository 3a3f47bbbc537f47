//! The SQLite database of a data directory: one connection, a write transaction that stays
//! open between commits, and a committer thread (group commit).
//!
//! A change runs its statements at once, under the store's write lock, inside the open
//! transaction (each change in a savepoint of its own, so a failed change leaves nothing
//! behind). Reads use the same connection, so they see every change made so far, as the
//! in-memory state does. The committer commits whatever has been written since the last
//! commit, then acknowledges each change in it; callers wait for that acknowledgement before
//! answering, so an acknowledged message (SMTP `250`, HTTP `200`) survives the process being
//! killed right after (and, with [`Durability::Flushed`], a power loss). While a commit runs,
//! new changes wait, then go into the next commit together.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::config::Durability;
use crate::error::StartError;
use crate::private_files;
use crate::store::waiter::{Ack, WaitMode, Waiter};

struct Inner {
    conn: Connection,
    /// A transaction is open (changes not committed yet).
    in_transaction: bool,
    /// Changes written since the last commit, waiting for it.
    acks: Vec<Ack>,
    closing: bool,
    /// There may be background work to do: deleted messages to purge, new messages to index
    /// (done a chunk at a time when idle).
    background: bool,
}

/// The database and its committer.
pub(crate) struct Db {
    inner: Mutex<Inner>,
    wake: Condvar,
    committer: Mutex<Option<JoinHandle<()>>>,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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

impl Db {
    /// Opens (creating if needed) the database `file` in `dir`, readable by its owner only.
    /// `init` sets up the tables; the committer starts with [`Db::start`].
    pub(crate) fn open(
        dir: &Path,
        file: &str,
        durability: Durability,
        init: impl FnOnce(&Connection) -> Result<(), String>,
    ) -> Result<Self, StartError> {
        let storage_error = |message: String| StartError::Storage {
            path: dir.to_path_buf(),
            message,
        };
        private_files::create_dir(dir).map_err(|e| storage_error(e.to_string()))?;
        let path = dir.join(file);
        restrict_database(&path).map_err(|e| storage_error(e.to_string()))?;
        let conn = Connection::open(&path).map_err(|e| storage_error(e.to_string()))?;
        // SQLite makes its log files with the database's permissions: close it before them.
        restrict_database(&path).map_err(|e| storage_error(e.to_string()))?;
        configure(&conn, durability).map_err(|e| storage_error(e.to_string()))?;
        init(&conn).map_err(storage_error)?;
        restrict_database(&path).map_err(|e| storage_error(e.to_string()))?;
        Ok(Self {
            inner: Mutex::new(Inner {
                conn,
                in_transaction: false,
                acks: Vec::new(),
                closing: false,
                background: true,
            }),
            wake: Condvar::new(),
            committer: Mutex::new(None),
            path,
        })
    }

    /// Starts the committer thread. When there is nothing to commit, it calls `background`
    /// with [`Pressure::Idle`] (in a transaction of its own) until it returns 0, after start-up
    /// and after each [`Db::request_background`]. Before each commit it also calls it with
    /// [`Pressure::Busy`], in the transaction being committed, for work that cannot wait for
    /// an idle moment.
    pub(crate) fn start(self: &std::sync::Arc<Self>, background: Background) -> Result<(), String> {
        let db = std::sync::Arc::clone(self);
        let thread = std::thread::Builder::new()
            .name("emulator-sqlite-commit".to_owned())
            .spawn(move || db.commit_loop(background))
            .map_err(|e| format!("cannot start the commit thread: {e}"))?;
        *lock(&self.committer) = Some(thread);
        Ok(())
    }

    /// Reads (sees every change written, committed or not).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, String> {
        let inner = lock(&self.inner);
        f(&inner.conn).map_err(|e| format!("reading the data directory failed: {e}"))
    }

    /// Runs a change's statements in the open transaction (all or nothing) and returns what to
    /// wait for before acknowledging it.
    pub(crate) fn write(
        &self,
        mode: WaitMode,
        f: impl FnOnce(&Connection) -> rusqlite::Result<()>,
    ) -> Waiter {
        let mut inner = lock(&self.inner);
        if inner.closing {
            return Waiter::Failed("the emulator is shutting down".to_owned());
        }
        let result = (|| {
            if !inner.in_transaction {
                run(&inner.conn, "BEGIN")?;
                inner.in_transaction = true;
            }
            all_or_nothing(&inner.conn, f)
        })();
        if let Err(e) = result {
            tracing::error!(error = %e, "saving to the data directory failed");
            return Waiter::Failed(format!("saving to the data directory failed: {e}"));
        }
        let (ack, waiter) = Ack::new(mode);
        inner.acks.push(ack);
        drop(inner);
        self.wake.notify_one();
        waiter
    }

    /// Asks the committer to do its background work when idle.
    pub(crate) fn request_background(&self) {
        lock(&self.inner).background = true;
        self.wake.notify_one();
    }

    fn commit_loop(&self, background: Background) {
        loop {
            let mut inner = lock(&self.inner);
            let idle =
                |inner: &Inner| inner.acks.is_empty() && !inner.in_transaction && !inner.closing;
            while idle(&inner) && !inner.background {
                inner = self
                    .wake
                    .wait(inner)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if idle(&inner) {
                let done = (|| {
                    run(&inner.conn, "BEGIN")?;
                    let done = background(&inner.conn, Pressure::Idle);
                    match &done {
                        Ok(_) => run(&inner.conn, "COMMIT")?,
                        Err(_) => inner.conn.execute_batch("ROLLBACK")?,
                    }
                    done
                })();
                match done {
                    Ok(0) => inner.background = false,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "the storage's background work failed");
                        inner.background = false;
                    }
                }
                drop(inner);
                // Let waiting changes in before the next chunk.
                std::thread::yield_now();
                continue;
            }
            let acks = std::mem::take(&mut inner.acks);
            let result = if inner.in_transaction {
                inner.in_transaction = false;
                busy_work(&inner.conn, background);
                run(&inner.conn, "COMMIT").map_err(|e| {
                    let _ = inner.conn.execute_batch("ROLLBACK");
                    tracing::error!(error = %e, "saving to the data directory failed");
                    format!("saving to the data directory failed: {e}")
                })
            } else {
                Ok(())
            };
            let closing = inner.closing;
            drop(inner);
            for ack in acks {
                ack.send(result.clone());
            }
            if closing {
                return;
            }
        }
    }

    /// Commits what is written and stops the committer. Reads keep working.
    pub(crate) fn close(&self) {
        lock(&self.inner).closing = true;
        self.wake.notify_one();
        if let Some(thread) = lock(&self.committer).take()
            && thread.join().is_err()
        {
            tracing::error!("the storage commit thread panicked");
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        self.close();
    }
}

/// How pressing the committer's background work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pressure {
    /// Nothing waits for a commit: do any work due.
    Idle,
    /// Changes wait for the commit this work joins: do only what cannot wait any longer.
    Busy,
}

/// The committer's background work: returns how much it did (0: nothing left to do).
pub(crate) type Background = fn(&Connection, Pressure) -> rusqlite::Result<usize>;

/// Runs the background work that cannot wait, in the open transaction; when it fails, its
/// statements are undone and the commit goes on without them.
fn busy_work(conn: &Connection, background: Background) {
    if let Err(e) = all_or_nothing(conn, |conn| background(conn, Pressure::Busy)) {
        tracing::warn!(error = %e, "the storage's background work failed");
    }
}

/// Runs `f` in a savepoint of the open transaction: when it fails, its statements are undone
/// and the rest of the transaction is kept.
fn all_or_nothing<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    run(conn, "SAVEPOINT change")?;
    match f(conn) {
        Ok(value) => run(conn, "RELEASE change").map(|()| value),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK TO change; RELEASE change");
            Err(e)
        }
    }
}

/// Runs one statement without results, prepared once per connection (a transaction's
/// statements run for every change: parsing them each time was measurable).
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    // Room for every statement the store prepares (the default keeps 16, fewer than it uses,
    // so that some were parsed again at every change).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // In WAL mode, NORMAL has the commit written to the log file (safe if the process dies);
    // FULL also flushes it to the disk (safe if the machine dies).
    let synchronous = match durability {
        Durability::Written => "NORMAL",
        Durability::Flushed => "FULL",
    };
    conn.pragma_update(None, "synchronous", synchronous)?;
    Ok(())
}
