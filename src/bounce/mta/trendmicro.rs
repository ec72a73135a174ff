//! Trend Micro InterScan Messaging Security Suite.

use super::signs::{from_has, header_has, text_has};
use super::{Mail, MtaFamily};

pub struct TrendMicro;

impl MtaFamily for TrendMicro {
    fn name(&self) -> &'static str {
        "TrendMicro"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["interscan"])
            || header_has(mail, "x-mailer", &["interscan"])
            || text_has(mail, &["interscan"])
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
