//! Sendmail ("The original message was received at …").

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct Sendmail;

impl MtaFamily for Sendmail {
    fn name(&self) -> &'static str {
        "Sendmail"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &[
                "the original message was received at",
                "----- transcript of session follows -----",
                "following addresses had permanent fatal errors",
            ],
        )
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["following addresses had", "following addresses have"],
            end: &[],
        }
    }
}
