//! Gmail and Google Workspace senders.

use super::signs::{from_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Gmail;

impl MtaFamily for Gmail {
    fn name(&self) -> &'static str {
        "Gmail"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(
            mail,
            &[
                "mailer-daemon@googlemail.com",
                "mailer-daemon@google.com",
                "mailer-daemon@gmail.com",
            ],
        ) && !text_has(mail, &["google groups", "the group you tried to contact"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &[],
            end: &["----- original message -----"],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
