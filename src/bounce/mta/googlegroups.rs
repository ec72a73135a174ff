//! Google Groups ("the group you tried to contact may not exist").

use super::signs::{from_has, text_has};
use super::{Mail, MtaFamily};

pub struct GoogleGroups;

impl MtaFamily for GoogleGroups {
    fn name(&self) -> &'static str {
        "GoogleGroups"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &[
                "google groups",
                "the group you tried to contact",
                "groups.google.com",
            ],
        ) && from_has(
            mail,
            &["mailer-daemon@googlemail.com", "mailer-daemon@google.com"],
        )
    }
}
