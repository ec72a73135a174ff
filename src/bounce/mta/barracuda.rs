//! Barracuda Spam Firewall.

use super::signs::{header_has, text_has};
use super::{Mail, MtaFamily};

pub struct Barracuda;

impl MtaFamily for Barracuda {
    fn name(&self) -> &'static str {
        "Barracuda"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["barracuda", "spam firewall"])
            || header_has(mail, "received", &["barracuda"])
    }
}
