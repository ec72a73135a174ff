//! An unnamed MTA: "---The following addresses had delivery errors---".

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct X1;

impl MtaFamily for X1 {
    fn name(&self) -> &'static str {
        "X1"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["---the following addresses had delivery errors---"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["---the following addresses had delivery errors---"],
            end: &[],
        }
    }
}
