//! Errors of starting the emulator.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::faults::FaultError;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A setting is wrong.
    #[error("invalid emulator configuration: {0}")]
    InvalidConfig(String),
    /// A start-up fault rule is wrong.
    #[error(transparent)]
    InvalidFault(#[from] FaultError),
    /// A listening address could not be bound.
    #[error(
        "cannot listen for {service} on {addr}: {source} (is something else using that port? \
         choose another address, or port 0 for any free port)"
    )]
    Bind {
        /// `HTTP`, `HTTPS` or `SMTP`.
        service: &'static str,
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The data directory could not be opened or read.
    #[error("cannot use the data directory {path}: {message}")]
    Storage {
        /// The data directory.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The TLS certificates (HTTPS and `STARTTLS`) could not be made, read or saved.
    #[error("cannot set up TLS (HTTPS and STARTTLS): {0}")]
    Tls(String),
    /// A start-up task failed unexpectedly.
    #[error("the emulator failed to start: {0}")]
    Internal(String),
}
