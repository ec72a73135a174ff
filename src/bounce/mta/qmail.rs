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

/// qmail-send's greeting (qmail-send.c: "Hi. This is the qmail-send program
/// at …").
const GREETING: &[&str] = &["this is the qmail-send program", "qmail-send program at"];

const BOILERPLATE: &[&str] = &[
    "i'm not going to try again; this message has been in the queue too long.",
    "giving up on",
];

impl MtaFamily for Qmail {
    fn name(&self) -> &'static str {
        "qmail"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, GREETING)
            || header_has(mail, "received", &["qmail "])
                && text_has(mail, &["i'm afraid i wasn't able to deliver"])
    }

    /// qmail-send's greeting ("Hi. This is the qmail-send program at …",
    /// qmail-send.c) is printed by nothing else: a notice that carries it is
    /// a bounce even without a null sender or a bounce subject (an export
    /// that lost its envelope).
    fn self_evident(&self, mail: &Mail) -> bool {
        text_has(mail, GREETING)
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
            f.diagnostic = without_boilerplate(&f.diagnostic);
        }
    }
}

/// The diagnostic without qmail's closing sentences. They may follow the
/// error on the same line, glued to it ("(#4.4.3)I'm not going…"), and wrap
/// onto the next, so whitespace is collapsed first; a sentence ends at its
/// full stop.
fn without_boilerplate(diagnostic: &str) -> String {
    let mut text = crate::bounce::diagnose::squeeze(diagnostic);
    for b in BOILERPLATE {
        while let Some(at) = text.to_ascii_lowercase().find(b) {
            let end = if b.ends_with('.') {
                at + b.len()
            } else {
                text[at..].find(". ").map_or(text.len(), |e| at + e + 1)
            };
            text.replace_range(at..end, " ");
        }
    }
    crate::bounce::diagnose::squeeze(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_sentence_is_dropped_even_when_glued_and_wrapped() {
        assert_eq!(
            without_boilerplate(
                "Unable to contact LDAP server. (#4.4.3)I'm not going to try again; this\nmessage has been in the queue too long."
            ),
            "Unable to contact LDAP server. (#4.4.3)"
        );
        assert_eq!(
            without_boilerplate(
                "192.0.2.1 does not like recipient.\nRemote host said: 550 No such user\nGiving up on 192.0.2.1."
            ),
            "192.0.2.1 does not like recipient. Remote host said: 550 No such user"
        );
    }
}
