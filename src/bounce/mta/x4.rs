//! qmail-derived MTAs with their own wording ("Your mail message to the following address(es) could not be delivered").

use super::signs::text_has;
use super::{Mail, MtaFamily};

pub struct X4;

impl MtaFamily for X4 {
    fn name(&self) -> &'static str {
        "X4"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &[
                "your mail message to the following address(es) could not be delivered",
                "child status",
            ],
        )
    }
}
