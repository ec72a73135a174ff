//! Mail.Ru (Russian Exim variant).

use super::signs::from_has;
use super::{Mail, MtaFamily};

pub struct MailRu;

impl MtaFamily for MailRu {
    fn name(&self) -> &'static str {
        "MailRu"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["mail.ru", "@inbox.ru", "@bk.ru", "@list.ru"])
    }
}
