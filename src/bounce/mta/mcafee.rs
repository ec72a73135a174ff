//! McAfee (Intel Security) email gateway.

use super::signs::{header_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct McAfee;

impl MtaFamily for McAfee {
    fn name(&self) -> &'static str {
        "McAfee"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "x-nai-header", &[""])
            || text_has(
                mail,
                // Sendmail 8 writes the same words between five dashes.
                &[" --- the following addresses had delivery problems ---"],
            )
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["the following addresses had delivery problems"],
            end: &[],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
