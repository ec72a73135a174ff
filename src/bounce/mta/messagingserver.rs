//! Oracle / Sun Java System Messaging Server.

use super::signs::{header_has, text_has};
use super::{Layout, Mail, MtaFamily};

pub struct MessagingServer;

impl MtaFamily for MessagingServer {
    fn name(&self) -> &'static str {
        "MessagingServer"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(
            mail,
            &["this report relates to a message you sent with the following header fields"],
        ) || header_has(mail, "content-type", &["boundary_(id_"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &[
                "your message cannot be delivered to the following recipients",
                "the following recipients",
                "recipient address:",
            ],
            end: &[],
        }
    }
}
