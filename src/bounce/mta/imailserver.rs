//! Ipswitch IMail Server.

use super::signs::{header_has, subject_has, text_has};
use super::{Mail, MtaFamily};

pub struct IMailServer;

impl MtaFamily for IMailServer {
    fn name(&self) -> &'static str {
        "IMailServer"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "x-mailer", &["ipswitch", "imail"])
            || subject_has(mail, &["undeliverable mail"])
                && text_has(mail, &["original message follows"])
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
