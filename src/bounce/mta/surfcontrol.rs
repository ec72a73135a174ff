//! Websense / SurfControl.

use super::signs::{header_has, text_has};
use super::{Mail, MtaFamily};

pub struct SurfControl;

impl MtaFamily for SurfControl {
    fn name(&self) -> &'static str {
        "SurfControl"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "x-mailer", &["surfcontrol"])
            || text_has(
                mail,
                &["a transcript of the attempts to send the message follows"],
            )
    }
}
