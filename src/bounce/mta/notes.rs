//! Lotus Notes' SMTP MTA (before Domino took its name): a plain-text report
//! with "Failure Reasons" and "Returned Message" sections.

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct Notes;

impl MtaFamily for Notes {
    fn name(&self) -> &'static str {
        "Notes"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["------- failure reasons"])
            && text_has(mail, &["------- returned message"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["------- failure reasons"],
            end: &["------- returned message"],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
