//! HCL / IBM Notes and Domino.

use super::signs::{header_has, subject_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Domino;

impl MtaFamily for Domino {
    fn name(&self) -> &'static str {
        "Domino"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["was not delivered to:", "domino directory"])
            || subject_has(mail, &["delivery failure:", "delivery report:"])
                && header_has(mail, "x-mailer", &["lotus", "domino"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["was not delivered to:"],
            end: &[],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
