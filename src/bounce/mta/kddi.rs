//! KDDI au one net (Japanese).

use super::signs::{from_has, text_has};
use super::{Mail, MtaFamily};

pub struct Kddi;

impl MtaFamily for Kddi {
    fn name(&self) -> &'static str {
        "KDDI"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["dion.ne.jp", "@au.com"]) || text_has(mail, &["au one net"])
    }
}
