#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod analysis;
pub mod mail;
pub mod smtp;
pub mod templates;

#[cfg(feature = "tls")]
mod certs;
mod config;
mod conn;
mod delivery;
mod error;
mod faults;
mod http;
#[cfg(feature = "tls")]
mod https;
#[cfg(any(feature = "persist", feature = "tls"))]
mod private_files;
mod random;
mod ratelimit;
mod server;
mod store;
mod summary;
mod time;

pub use config::{DEFAULT_HTTP_ADDR, DEFAULT_SMTP_ADDR, Durability, EmulatorConfig, SandboxLimits};
pub use error::StartError;
pub use faults::{FaultError, FaultKind, FaultSpec, SmtpFaultSpec, SmtpFaultStage};
pub use server::{RunningEmulator, start};
pub use store::DB_FILE;
pub use store::Store;
pub use summary::{SeededProject, SeededSandbox, StartupSummary};
