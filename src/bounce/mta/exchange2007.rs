//! Microsoft Exchange Server 2007 and later (on premises).

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct Exchange2007;

impl MtaFamily for Exchange2007 {
    fn name(&self) -> &'static str {
        "Exchange2007"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &[
                "delivery has failed to these recipients or distribution lists",
                "delivery has failed to these recipients or groups",
                "sent by microsoft exchange server",
            ],
        )
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["delivery has failed to these recipients"],
            end: &["original message headers"],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
