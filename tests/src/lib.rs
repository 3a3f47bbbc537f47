//! Support for the workspace's end-to-end suite (the tests themselves are in `tests/`):
//! reading our OpenAPI description and checking JSON against its schemas.

// Test support: a broken fixture should stop the test with a message.
#![allow(clippy::panic, clippy::expect_used)]

pub mod openapi;
