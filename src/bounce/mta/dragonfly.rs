//! The DragonFly Mail Agent (dma).

use super::signs::text_has;
use super::{Mail, MtaFamily};

pub struct DragonFly;

impl MtaFamily for DragonFly {
    fn name(&self) -> &'static str {
        "DragonFly"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["this is the dragonfly mail agent"])
    }
}
