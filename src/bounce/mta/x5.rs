//! An unnamed Japanese MTA.

use super::signs::text_has;
use super::{Mail, MtaFamily};

pub struct X5;

impl MtaFamily for X5 {
    fn name(&self) -> &'static str {
        "X5"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["following addresses had permanent delivery errors"])
    }
}
