//! An unnamed MTA: "This is an automatically generated Delivery Status Notification."

use super::signs::text_has;
use super::{Mail, MtaFamily};

pub struct X3;

impl MtaFamily for X3 {
    fn name(&self) -> &'static str {
        "X3"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["this is an automatically generated delivery status notification"],
        )
    }
}
