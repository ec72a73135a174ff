//! KDDI EZweb / au mobile mail (Japanese).

use super::signs::{from_has, header_has};
use super::{Mail, MtaFamily};

pub struct Ezweb;

impl MtaFamily for Ezweb {
    fn name(&self) -> &'static str {
        "EZweb"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["ezweb.ne.jp", "@au.com"]) || header_has(mail, "received", &["ezweb mail"])
    }
}
