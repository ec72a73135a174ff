//! The integration test suite, in one crate so it builds once.

mod causes;
mod clean;
mod cli;
mod common;
mod concurrency;
mod corpus;
mod crash;
mod demo;
mod fixtures;
#[cfg(feature = "gui")]
mod gui;
mod line_ends;
mod robustness;
