//! Amazon SES notifications.

use super::signs::{from_has, has_header, text_has};
use super::{Mail, MtaFamily};

pub struct AmazonSes;

impl MtaFamily for AmazonSes {
    fn name(&self) -> &'static str {
        "AmazonSES"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["amazonses.com"])
            && !text_has(
                mail,
                &["an error occurred while trying to deliver the mail to the following recipients"],
            )
            || has_header(mail, "x-ses-outgoing")
    }
}
