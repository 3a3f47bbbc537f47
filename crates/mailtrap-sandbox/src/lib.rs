//! Rust client for the Mailtrap Sandbox (email testing) API.
//!
//! Every operation of the API (projects, sandboxes, messages, attachments, sending, users
//! and access, API tokens, billing, sub-accounts) through one [`Client`], with typed ids,
//! readable models, one error type, retries that never repeat what must not be repeated,
//! and a stream over all messages of a sandbox.
//!
//! # Quickstart
//!
//! ```no_run
//! # // Not run: it reads a Mailtrap account's token from the environment (the examples of
//! # // the handles' methods run against the in-process emulator).
//! use futures_util::TryStreamExt as _;
//! use mailtrap_sandbox::Client;
//!
//! # async fn run() -> mailtrap_sandbox::Result<()> {
//! // MAILTRAP_API_TOKEN (and optionally MAILTRAP_BASE_URL) from the environment.
//! let client = Client::from_env()?;
//!
//! // The newest messages of a sandbox matching a search.
//! let sandbox = client.sandbox(4_288_340);
//! let page = sandbox.messages().list().search("reset").send().await?;
//! for message in &page {
//!     println!("{} from {}: {}", message.id, message.from_email, message.subject);
//! }
//!
//! // Read one, then walk every message, a page at a time.
//! if let Some(first) = page.items().first() {
//!     let html = sandbox.message(first.id).html().await?;
//!     println!("{} bytes of HTML", html.len());
//! }
//! let mut all = sandbox.messages().stream();
//! while let Some(message) = all.try_next().await? {
//!     println!("{}", message.subject);
//! }
//!
//! // Errors say what happened and what to do.
//! match client.sandbox(1).get().await {
//!     Err(err) if err.is_not_found() => println!("no such sandbox"),
//!     other => println!("{:?}", other.map(|sandbox| sandbox.name)),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! - [`Client`] / [`ClientBuilder`]: configuration (token, hosts, timeouts, retries, rate
//!   limiter); one connection pool for both hosts; cheap to clone.
//! - [`resources`]: the handles that lead to every operation.
//! - [`models`]: what the API returns; [`ids`]: typed ids.
//! - [`Error`]: one error type with [`Error::is_not_found`], [`Error::is_retryable`],
//!   [`Error::status`], [`Error::retry_after`].
//! - [`RetryPolicy`], [`RateLimit`]: when to retry, and the optional client-side limiter.
//! - Helpers for email tests: [`email`] (compose and send, checked first), [`wait`] (wait for
//!   a message to arrive), [`extract`] (links, one-time codes, template placeholders),
//!   [`eml`] (parsed `.eml` files) and [`download`] (streaming downloads of bodies and
//!   attachments).
//!
//! Requests are traced with `tracing` (a `mailtrap.request` span per attempt with method,
//! path template, status, attempt and elapsed time); no token or message body is logged.
#![warn(missing_docs)]

// Core (client, transport, errors, ids, models, resources, pagination).
pub mod client;
pub mod error;
pub mod ids;
mod limiter;
pub mod models;
pub mod pagination;
pub mod resources;
pub mod retry;
mod transport;

// Helpers for email tests (sending, waiting, extraction, parsing, downloads).
pub mod download;
pub mod email;
pub mod eml;
#[cfg(feature = "emulator")]
pub mod emulator;
pub use mailtrap_sandbox_extract as extract;
pub mod inbox;
mod temp_sandbox;
pub mod wait;

pub use client::{Client, ClientBuilder};
pub use error::{
    ApiError, ApiErrorKind, DecodeError, Delivery, Error, RateLimitInfo, Result, TransportError,
};
pub use ids::{
    AccountAccessId, AccountId, ApiTokenId, AttachmentId, DomainId, MessageId, OrganizationId,
    ProjectId, SandboxId,
};
pub use limiter::RateLimit;
pub use pagination::{MessageStream, Page};
pub use retry::RetryPolicy;

// Email-testing helpers (F2).
pub use download::Download;
pub use email::{Email, EmailAttachment, EmailBatch, InvalidEmail, Mailbox};
pub use eml::Eml;
pub use extract::CodeFinder;
pub use inbox::TestInbox;
pub use wait::MessageFilter;

/// The `reqwest` version this crate uses, for [`ClientBuilder::http_client`].
pub use reqwest;

/// The examples of the crate's README, compiled by `cargo test` as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
