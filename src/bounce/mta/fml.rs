//! The FML mailing list manager.

use super::signs::{has_header, header_has, text_has};
use super::{Mail, MtaFamily};

pub struct Fml;

impl MtaFamily for Fml {
    fn name(&self) -> &'static str {
        "FML"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "x-mlserver", &["fml"])
            || has_header(mail, "x-ml-name") && text_has(mail, &["not a member"])
    }
}
