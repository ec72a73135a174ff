//! List Hygiene: the core library.
//!
//! Reads mailbox exports ([`mailbox`]), recognises and classifies bounces
//! ([`bounce`]) and drives the whole pipeline for the command line and, later,
//! the window. Only [`ui`] (the window, behind the default `gui` feature)
//! depends on a GUI toolkit; everything else embeds without one.

pub mod bounce;
pub mod classify;
pub mod exports;
pub mod job;
pub mod list;
pub mod mailbox;
pub mod policy;
pub mod reports;
pub mod stats;
pub mod store;
#[cfg(feature = "gui")]
pub mod ui;
pub mod workspace;
