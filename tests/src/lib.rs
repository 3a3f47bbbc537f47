//! End-to-end test suite of the workspace; the tests live in `tests/`.
