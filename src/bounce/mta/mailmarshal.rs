//! Trustwave / Marshal MailMarshal SMTP.

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct MailMarshal;

impl MtaFamily for MailMarshal {
    fn name(&self) -> &'static str {
        "MailMarshalSMTP"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["the following recipients were affected", "mailmarshal"],
        )
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["the following recipients were affected"],
            end: &[],
        }
    }
}
