//! Yandex Mail.

use super::signs::from_has;
use super::{Mail, MtaFamily};

pub struct Yandex;

impl MtaFamily for Yandex {
    fn name(&self) -> &'static str {
        "Yandex"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["yandex"])
    }

    fn own_lookup(&self) -> bool {
        true
    }
}
