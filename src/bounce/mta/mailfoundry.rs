//! MailFoundry.

use super::signs::text_has;
use super::{Mail, MtaFamily};

pub struct MailFoundry;

impl MtaFamily for MailFoundry {
    fn name(&self) -> &'static str {
        "MailFoundry"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["delivery failed for the following reason"])
            && text_has(mail, &["unable to deliver message to"])
    }
}
