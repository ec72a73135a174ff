//! TransWARE Active! hunter.

use super::signs::{header_has, subject_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct Activehunter;

impl MtaFamily for Activehunter {
    fn name(&self) -> &'static str {
        "Activehunter"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "x-ahmailid", &[""])
            || text_has(mail, &["active!hunter"])
            || text_has(mail, &[">>> "]) && subject_has(mail, &["failure notice :"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["following addresses had permanent fatal errors"],
            end: &[],
        }
    }
}
