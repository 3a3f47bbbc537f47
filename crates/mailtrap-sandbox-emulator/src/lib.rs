//! A local server that speaks the Mailtrap Sandbox API over HTTP and accepts mail over SMTP, so
//! that email tests run offline, without an account.
//!
//! - **HTTP** (one listener): the management API on its current paths (`/api/sandboxes`,
//!   `/api/projects`, `/api/account_accesses`, ...) and its legacy paths
//!   (`/api/accounts/{account_id}/inboxes/...`), the sending API (`POST /api/send/{sandbox_id}`,
//!   `POST /api/batch/{sandbox_id}`), the opaque `/api/testing_message_parts/...` links, and a
//!   control API under `/_emulator/` for fault injection, templates and reset.
//! - **SMTP**: messages sent with a sandbox's credentials, or to its email address, land in it.
//!
//! Every route needs the API token (`Authorization: Bearer <token>` or `Api-Token: <token>`).
//! Responses follow real Mailtrap traffic: 64-bit ids above 2^32, RFC 3339 timestamps with
//! milliseconds, `X-Ratelimit-*` headers, Mailtrap's error bodies.
//!
//! ```no_run
//! use mailtrap_sandbox_emulator::{EmulatorConfig, FaultSpec};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = EmulatorConfig::ephemeral().start().await?;
//! let base_url = emulator.base_url();          // http://127.0.0.1:<port>
//! let token = emulator.api_token();
//! let sandbox_id = emulator.sandbox().id;
//! // Make the next two requests to /api/sandboxes fail with 503:
//! emulator.add_fault(FaultSpec::fail(503).times(2).path_prefix("/api/sandboxes"))?;
//! # let _ = (base_url, token, sandbox_id);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! See the crate's README for the routes, the control API and persistence.

#![warn(missing_docs)]

pub mod analysis;
pub mod mail;
pub mod smtp;

mod config;
mod conn;
mod error;
mod faults;
mod http;
mod persist;
mod random;
mod ratelimit;
mod server;
mod store;
mod summary;
mod templates;
mod time;

pub use config::{DEFAULT_HTTP_ADDR, DEFAULT_SMTP_ADDR, EmulatorConfig, SandboxLimits};
pub use error::StartError;
pub use faults::{FaultError, FaultKind, FaultSpec, SmtpFaultSpec, SmtpFaultStage};
pub use persist::DB_FILE;
pub use server::{RunningEmulator, start};
pub use store::Store;
pub use summary::{SeededProject, SeededSandbox, StartupSummary};
