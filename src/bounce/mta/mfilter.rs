//! Digital Arts m-FILTER (Japanese).

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily};

pub struct MFilter;

impl MtaFamily for MFilter {
    fn name(&self) -> &'static str {
        "mFILTER"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["m-filter", "-------server message"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &[],
            end: &["-------original message"],
        }
    }
}
