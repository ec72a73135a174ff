//! Bigfoot mail forwarding.

use super::signs::from_has;
use super::{Mail, MtaFamily};

pub struct Bigfoot;

impl MtaFamily for Bigfoot {
    fn name(&self) -> &'static str {
        "Bigfoot"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["bigfoot.com"])
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
