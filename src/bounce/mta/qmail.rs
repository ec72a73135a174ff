//! qmail and its forks (netqmail, notqmail).
//!
//! Every final qmail bounce ends a recipient's paragraph with the same
//! sentence about the queue ("I'm not going to try again; this message has
//! been in the queue too long.") or about permanence; that sentence is
//! boilerplate, not the reason, so it is dropped before the reason is read.
//! qmail writes the status in its own form, `(#5.1.1)`.

use super::signs::{header_has, text_has};
use super::{Layout, Mail, MtaFamily, RawFinding};

pub struct Qmail;

const BOILERPLATE: &[&str] = &[
    "i'm not going to try again; this message has been in the queue too long.",
    "giving up on",
];

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

    fn adjust(&self, _mail: &Mail, found: &mut Vec<RawFinding>) {
        for f in found.iter_mut() {
            let mut text = f.diagnostic.clone();
            for b in BOILERPLATE {
                // The sentence may follow the error on the same line.
                while let Some(at) = text.to_ascii_lowercase().find(b) {
                    let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
                    text.replace_range(at..end, "");
                }
            }
            f.diagnostic = text;
        }
    }
}
