//! Outlook.com (formerly Hotmail, MSN, Live): the consumer mailbox service's
//! own delivery reports, sent from its postmaster address.

use super::signs::from_has;
use super::{Mail, MtaFamily};

pub struct Outlook;

impl MtaFamily for Outlook {
    fn name(&self) -> &'static str {
        "Outlook"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(
            mail,
            &[
                "@hotmail.",
                "@outlook.",
                "@live.",
                "@msn.com",
                "@windowslive.",
            ],
        )
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
