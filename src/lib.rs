//! List Hygiene: the core library.
//!
//! Reads mailbox exports ([`mailbox`]), recognises and classifies bounces
//! ([`bounce`]) and drives the whole pipeline for the command line and, later,
//! the window. Nothing in this crate depends on a GUI toolkit.

pub mod bounce;
pub mod classify;
pub mod job;
pub mod list;
pub mod mailbox;
pub mod policy;
pub mod reports;
pub mod store;
