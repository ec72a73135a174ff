//! Google Groups: a message to a group that does not exist or does not let
//! the sender post. The group refused the *sender*, so the reason is
//! `rejected`; the failed recipient is the group address, named in
//! `X-Failed-Recipients`. The prose is localised, so detection leans on the
//! headers and the link to groups.google.com.

use super::signs::{from_has, header_has, text_has};
use super::{Mail, MtaFamily, RawFinding, address};
use crate::bounce::Reason;

pub struct GoogleGroups;

impl MtaFamily for GoogleGroups {
    fn name(&self) -> &'static str {
        "GoogleGroups"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(
            mail,
            &["mailer-daemon@googlemail.", "mailer-daemon@google."],
        ) && (text_has(
            mail,
            &[
                "groups.google",
                "google groups",
                "the group you tried to contact",
            ],
        ) || header_has(
            mail,
            "x-failed-recipients",
            &["googlegroups.com", "groups."],
        ))
    }

    fn extract(&self, mail: &Mail) -> Vec<RawFinding> {
        let diagnostic = mail.text.lines().take(12).collect::<Vec<_>>().join("\n");
        mail.headers_named("x-failed-recipients")
            .flat_map(|v| {
                address::find_all(v)
                    .map(|(_, _, a)| a.to_string())
                    .collect::<Vec<_>>()
            })
            .map(|recipient| RawFinding {
                recipient,
                diagnostic: diagnostic.clone(),
                hint: Some(Reason::Rejected),
                ..RawFinding::default()
            })
            .collect()
    }
}
