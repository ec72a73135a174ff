//! AOL Mail.

use super::signs::{from_has, header_has};
use super::{Layout, Mail, MtaFamily};

pub struct Aol;

impl MtaFamily for Aol {
    fn name(&self) -> &'static str {
        "Aol"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["@aol.com"]) || header_has(mail, "x-aol-ip", &[""])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["the mail system"],
            end: &[],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
