//! The integration test suite, in one crate so it builds once.

mod common;
mod fixtures;
