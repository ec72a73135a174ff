//! Microsoft Exchange Server 2000 / 2003.

use super::signs::{has_header, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Exchange2003;

impl MtaFamily for Exchange2003 {
    fn name(&self) -> &'static str {
        "Exchange2003"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &[
                "did not reach the following recipient",
                "did not reach some or all of the intended recipients",
            ],
        ) || has_header(mail, "x-ms-embedded-report")
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["did not reach the following recipient"],
            end: &[],
        }
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
