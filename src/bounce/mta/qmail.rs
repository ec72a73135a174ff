//! qmail and its forks (netqmail, notqmail).

use super::signs::{header_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Qmail;

impl MtaFamily for Qmail {
    fn name(&self) -> &'static str {
        "qmail"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["this is the qmail-send program", "qmail-send program at"],
        ) || header_has(mail, "received", &["qmail "])
            && text_has(mail, &["i'm afraid i wasn't able to deliver"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &[
                "i'm afraid i wasn't able to deliver",
                "i'm not going to try again",
                "this is a permanent error",
            ],
            end: &["--- below this line is a copy"],
        }
    }
}
