//! Mimecast.

use super::signs::{header_has, text_has};
use super::{Mail, MtaFamily};

pub struct Mimecast;

impl MtaFamily for Mimecast {
    fn name(&self) -> &'static str {
        "Mimecast"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "received", &["mimecast"])
            || text_has(mail, &["mimecast"])
            || header_has(mail, "x-mc-system", &[""])
    }
}
