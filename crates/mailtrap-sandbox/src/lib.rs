//! Rust client for the Mailtrap Sandbox (email testing) API.
#![warn(missing_docs)]

// Core (client, transport, errors, ids, models, resources, pagination).
pub mod client;
pub mod error;
pub mod ids;
pub mod models;
pub mod pagination;
pub mod resources;
pub mod retry;

// Helpers for email tests (sending, waiting, extraction, parsing, downloads).
pub mod download;
pub mod email;
pub mod eml;
pub mod extract;
pub mod wait;
