//! Project automation for the workspace: `sync` (our OpenAPI description from upstream's,
//! with a drift report) and `codegen` (the low-level client from our description).

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod codegen;
pub mod drift;
pub mod sync;
pub mod workspace;
pub mod yaml;
