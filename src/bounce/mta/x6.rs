//! An unnamed MTA: "We had trouble delivering your message. Full details follow".

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct X6;

impl MtaFamily for X6 {
    fn name(&self) -> &'static str {
        "X6"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["we had trouble delivering your message"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["full details follow"],
            // The original's headers come next, as a text attachment.
            end: &["the attachment contains the original mail headers"],
        }
    }
}
