//! McAfee SaaS / MX Logic.

use super::signs::{from_has, has_header, header_has};
use super::{Layout, Mail, MtaFamily};

pub struct MxLogic;

impl MtaFamily for MxLogic {
    fn name(&self) -> &'static str {
        "MXLogic"
    }

    fn detect(&self, mail: &Mail) -> bool {
        header_has(mail, "received", &["mxlogic", "mxl"])
            || has_header(mail, "x-mxl-noteid")
            || from_has(mail, &["mxl"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &[],
            end: &["included is a copy of the message header"],
        }
    }
}
