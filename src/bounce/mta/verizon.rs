//! Verizon Wireless MMS gateway.

use super::signs::from_has;
use super::{Mail, MtaFamily};

pub struct Verizon;

impl MtaFamily for Verizon {
    fn name(&self) -> &'static str {
        "Verizon"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["vzwpix.", "vtext.com", "verizon"])
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
