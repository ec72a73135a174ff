//! Exim ("This message was created automatically by mail delivery software").

use super::signs::{has_header, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Exim;

impl MtaFamily for Exim {
    fn name(&self) -> &'static str {
        "Exim"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["this message was created automatically by mail delivery software"],
        ) || has_header(mail, "x-failed-recipients")
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &[
                "following address(es) failed",
                "following address failed",
                "following addresses failed",
                "address(es) deferred",
                "could not be delivered to one or more",
            ],
            end: &[
                "------ this is a copy of the message",
                "included is a copy of the message",
                "the following text was generated during the delivery attempt",
            ],
        }
    }
}
