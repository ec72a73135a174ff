//! An unnamed MTA: "Unable to deliver message to the following address(es)."

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct X2;

impl MtaFamily for X2 {
    fn name(&self) -> &'static str {
        "X2"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["unable to deliver message to the following address(es)"],
        )
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["unable to deliver message to the following address(es)"],
            end: &[],
        }
    }
}
