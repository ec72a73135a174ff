//! Yahoo! Mail.

use super::signs::{from_has, subject_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Yahoo;

impl MtaFamily for Yahoo {
    fn name(&self) -> &'static str {
        "Yahoo"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["sorry, we were unable to deliver your message to the following address"],
        ) || from_has(mail, &["@yahoo"]) && subject_has(mail, &["failure notice"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["unable to deliver your message to the following address"],
            end: &[],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
