//! The Courier mail server.

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct Courier;

impl MtaFamily for Courier {
    fn name(&self) -> &'static str {
        "Courier"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["running the courier mail server", "courier mail server at"],
        )
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["undeliverable mail", "delayed mail"],
            end: &[],
        }
    }
}
