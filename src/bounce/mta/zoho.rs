//! Zoho Mail.

use super::signs::{from_has, has_header};
use super::{Mail, MtaFamily};

pub struct Zoho;

impl MtaFamily for Zoho {
    fn name(&self) -> &'static str {
        "Zoho"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["zoho"]) || has_header(mail, "x-zohomail")
    }
}
