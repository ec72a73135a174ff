//! Sendmail version 5 (old style, no DSN).

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct V5Sendmail;

impl MtaFamily for V5Sendmail {
    fn name(&self) -> &'static str {
        "V5sendmail"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["----- transcript of session follows -----"])
            && text_has(mail, &["----- unsent message follows -----"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["transcript of session follows"],
            end: &[],
        }
    }
}
