//! Apache James.

use super::signs::{header_has, text_has};
use super::{Mail, MtaFamily};

pub struct ApacheJames;

impl MtaFamily for ApacheJames {
    fn name(&self) -> &'static str {
        "ApacheJames"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["apache james", "error message below:"])
            || header_has(mail, "message-id", &["javamail.", "james"])
    }
}
