//! Support for the workspace's end-to-end suite (the tests themselves are in `tests/`):
//! reading our OpenAPI description and checking JSON against its schemas, and a misbehaving
//! HTTP server for the facade's and the CLI's failure tests.

// Test support: a broken fixture should stop the test with a message.
#![allow(clippy::panic, clippy::expect_used)]

pub mod misbehaving;
pub mod openapi;
