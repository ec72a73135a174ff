//! Amazon WorkMail.

use super::signs::{has_header, header_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct AmazonWorkMail;

impl MtaFamily for AmazonWorkMail {
    fn name(&self) -> &'static str {
        "AmazonWorkMail"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["an error occurred while trying to deliver the mail to the following recipients"],
        ) || has_header(mail, "x-mailer") && header_has(mail, "x-mailer", &["amazon workmail"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["to the following recipients"],
            end: &["technical report:"],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
