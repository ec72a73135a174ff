//! OpenSMTPD ("This is the MAILER-DAEMON, please DO NOT REPLY").

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct OpenSmtpd;

impl MtaFamily for OpenSmtpd {
    fn name(&self) -> &'static str {
        "OpenSMTPD"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["this is the mailer-daemon, please do not reply"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["following list of recipients", "following recipients"],
            end: &["below is a copy of the original message"],
        }
    }
}
