//! Office 365 / Exchange Online / Outlook.com.

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct Office365;

impl MtaFamily for Office365 {
    fn name(&self) -> &'static str {
        "Office365"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &[
                "microsoft exchange online",
                "outlook.com",
                "office 365",
                "office365",
                "your message to",
                "couldn't be delivered",
            ],
        ) && text_has(
            mail,
            &[
                "delivery has failed to these recipients or groups",
                "couldn't be delivered",
                "your message wasn't delivered",
                "diagnostic information for administrators",
            ],
        )
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &[
                "delivery has failed to these recipients or groups",
                "your message wasn't delivered to",
                "couldn't be delivered",
            ],
            end: &[
                "diagnostic information for administrators",
                "original message headers",
            ],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
