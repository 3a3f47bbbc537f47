//! How a change's caller waits until it is saved (with a data directory; in memory there is
//! nothing to wait for).

use std::sync::mpsc;

/// How the caller will wait for its changes to be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitMode {
    /// From a thread that may block (SMTP delivery runs in `spawn_blocking`).
    #[cfg_attr(
        not(feature = "persist"),
        allow(dead_code, reason = "only a data directory saves")
    )]
    Blocking,
    /// From async code.
    Async,
}

/// The saving side of a [`Waiter`]: told the result once the change is committed.
#[cfg_attr(
    not(feature = "persist"),
    allow(dead_code, reason = "only a data directory saves")
)]
pub(crate) enum Ack {
    Blocking(mpsc::SyncSender<Result<(), String>>),
    Async(tokio::sync::oneshot::Sender<Result<(), String>>),
}

#[cfg_attr(
    not(feature = "persist"),
    allow(dead_code, reason = "only a data directory saves")
)]
impl Ack {
    /// An acknowledgement and the waiter it wakes.
    pub(crate) fn new(mode: WaitMode) -> (Self, Waiter) {
        match mode {
            WaitMode::Blocking => {
                let (tx, rx) = mpsc::sync_channel(1);
                (Ack::Blocking(tx), Waiter::Blocking(rx))
            }
            WaitMode::Async => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                (Ack::Async(tx), Waiter::Async(rx))
            }
        }
    }

    pub(crate) fn send(self, result: Result<(), String>) {
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
