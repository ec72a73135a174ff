//! BIGLOBE (Japanese ISP).

use super::signs::from_has;
use super::{Mail, MtaFamily};

pub struct Biglobe;

impl MtaFamily for Biglobe {
    fn name(&self) -> &'static str {
        "Biglobe"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["@biglobe."])
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
