//! GMX and WEB.DE.

use super::signs::{from_has, header_has};
use super::{Mail, MtaFamily};

pub struct Gmx;

impl MtaFamily for Gmx {
    fn name(&self) -> &'static str {
        "GMX"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["@gmx.", "@web.de"]) || header_has(mail, "envelope-to", &["gmx"])
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
