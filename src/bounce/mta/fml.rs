//! The FML mailing list manager: "You are not a member of this mailing
//! list". The list refused the *sender*, so the reason is `rejected`, and
//! the failed recipient is the list address.

use super::signs::{has_header, header_has, subject_has, text_has};
use super::{Mail, MtaFamily, RawFinding, address};
use crate::bounce::Reason;

pub struct Fml;

impl MtaFamily for Fml {
    fn name(&self) -> &'static str {
        "FML"
    }

    fn detect(&self, mail: &Mail) -> bool {
        (header_has(mail, "x-mlserver", &["fml"]) || has_header(mail, "x-ml-name"))
            && (text_has(mail, &["not a member of this mailing list"])
                || subject_has(mail, &["are not member"]))
    }

    fn self_evident(&self, _mail: &Mail) -> bool {
        true
    }

    fn extract(&self, mail: &Mail) -> Vec<RawFinding> {
        let line = mail.text.lines().find(|l| {
            l.to_ascii_lowercase()
                .contains("not a member of this mailing list")
        });
        let list = line
            .and_then(address::first)
            .or_else(|| mail.header("x-ml-name").and_then(address::first));
        list.map(|recipient| RawFinding {
            recipient,
            diagnostic: line.unwrap_or("").to_string(),
            hint: Some(Reason::Rejected),
            ..RawFinding::default()
        })
        .into_iter()
        .collect()
    }
}
