//! Postfix ("This is the mail system at host …").

use super::signs::{header_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Postfix;

impl MtaFamily for Postfix {
    fn name(&self) -> &'static str {
        "Postfix"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &[
                "this is the mail system at host",
                "this is the postfix program at host",
            ],
        ) || header_has(mail, "x-postfix-queue-id", &[""])
    }

    fn layout(&self) -> Layout {
        Layout {
            // The line "The mail system" (older versions: "The Postfix program")
            // on its own, not "This is the mail system at host …".
            begin: &["the mail system\n", "the postfix program\n"],
            end: &[],
        }
    }
}
