//! Saving the store in a data directory (the `persist` feature): what is saved, and how a
//! caller waits for it. The SQLite side is in [`sqlite`]; without the feature, [`Persist`] cannot
//! be made and a data directory is refused at start-up.

#[cfg(feature = "persist")]
mod sqlite;

use std::sync::mpsc;

use bytes::Bytes;

#[cfg(not(feature = "persist"))]
pub(crate) use self::disabled::Persist;
#[cfg(feature = "persist")]
pub(crate) use self::sqlite::Persist;

/// The name of the SQLite file the emulator keeps in its data directory.
pub const DB_FILE: &str = "emulator.sqlite3";

/// One change to save.
#[cfg_attr(
    not(feature = "persist"),
    allow(dead_code, reason = "only the SQLite side reads it")
)]
#[derive(Debug)]
pub(crate) enum Op {
    PutMessage(MessageRow),
    SetRead {
        id: u64,
        is_read: bool,
        updated_at: String,
    },
    DeleteMessages(Vec<u64>),
    /// Marks every message of a sandbox read.
    MarkSandboxRead {
        sandbox_id: u64,
        updated_at: String,
    },
    DeleteSandboxMessages(u64),
    DeleteAllMessages,
    /// The whole registry, as JSON (only the last one of a batch is written).
    Registry(String),
    /// The seed (the state `reset` returns to), as JSON.
    Seed(String),
}

/// A saved message.
#[cfg_attr(
    not(feature = "persist"),
    allow(dead_code, reason = "only the SQLite side reads it")
)]
#[derive(Debug)]
pub(crate) struct MessageRow {
    pub(crate) id: u64,
    pub(crate) sandbox_id: u64,
    pub(crate) raw: Bytes,
    pub(crate) is_read: bool,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) meta: String,
}

/// What was in the data directory at start-up.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) registry: Option<String>,
    pub(crate) seed: Option<String>,
    pub(crate) messages: Vec<MessageRow>,
}

/// How the caller will wait for its changes to be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitMode {
    /// From a thread that may block (SMTP delivery runs in `spawn_blocking`).
    Blocking,
    /// From async code.
    Async,
}

/// Waits until some changes are saved.
#[cfg_attr(
    not(feature = "persist"),
    allow(dead_code, reason = "only the SQLite side reads it")
)]
#[derive(Debug)]
pub(crate) enum Waiter {
    /// Nothing to wait for (in memory, or no change).
    Done,
    Blocking(mpsc::Receiver<Result<(), String>>),
    Async(tokio::sync::oneshot::Receiver<Result<(), String>>),
    Failed(String),
}

impl Waiter {
    /// Waits, blocking the thread.
    pub(crate) fn wait_blocking(self) -> Result<(), String> {
        match self {
            Waiter::Done => Ok(()),
            Waiter::Failed(e) => Err(e),
            Waiter::Blocking(rx) => rx
                .recv()
                .unwrap_or_else(|_| Err("the storage writer stopped".to_owned())),
            Waiter::Async(rx) => rx
                .blocking_recv()
                .unwrap_or_else(|_| Err("the storage writer stopped".to_owned())),
        }
    }

    /// Waits without blocking the thread.
    pub(crate) async fn wait(self) -> Result<(), String> {
        match self {
            Waiter::Done => Ok(()),
            Waiter::Failed(e) => Err(e),
            Waiter::Async(rx) => rx
                .await
                .unwrap_or_else(|_| Err("the storage writer stopped".to_owned())),
            Waiter::Blocking(rx) => tokio::task::spawn_blocking(move || {
                rx.recv()
                    .unwrap_or_else(|_| Err("the storage writer stopped".to_owned()))
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string())),
        }
    }
}

#[cfg(not(feature = "persist"))]
mod disabled {
    use std::path::Path;

    use super::{Loaded, Op, WaitMode, Waiter};
    use crate::config::{Durability, PERSIST_FEATURE_NEEDED};
    use crate::error::StartError;

    /// Without the `persist` feature there is nothing to save to: this type has no value.
    #[derive(Debug)]
    pub(crate) enum Persist {}

    impl Persist {
        /// Always refuses: the data directory needs the `persist` feature.
        pub(crate) fn open(
            _dir: &Path,
            _durability: Durability,
        ) -> Result<(Self, Loaded), StartError> {
            Err(StartError::InvalidConfig(PERSIST_FEATURE_NEEDED.to_owned()))
        }

        pub(crate) fn submit(&self, _ops: Vec<Op>, _mode: WaitMode) -> Waiter {
            match *self {}
        }

        pub(crate) fn close(&self) {
            match *self {}
        }
    }
}
