//! Symantec / Broadcom MessageLabs Email Security.cloud.

use super::signs::{header_has, text_has};
use super::{Mail, MtaFamily};

pub struct MessageLabs;

impl MtaFamily for MessageLabs {
    fn name(&self) -> &'static str {
        "MessageLabs"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "received", &["messagelabs"]) || text_has(mail, &["messagelabs"])
    }
}
