//! The signals every bounce shares, and the fallback reader for bounces from
//! mail systems without a module of their own.

use super::signs::{from_has, has_header, subject_has, text_has};
use super::{Layout, Mail, MtaFamily, RawFinding, address, text};
use crate::bounce::listaddr;

/// Subjects that bounces use (lower case, substring).
const BOUNCE_SUBJECTS: &[&str] = &[
    "undelivered mail",
    "undeliverable",
    "mail delivery failed",
    "delivery failure",
    "delivery status notification",
    "delivery notification",
    "failure notice",
    "returned mail",
    "mail system error",
    "non remis",
    "nicht zustellbar",
    "unzustellbar",
    "delivery has failed",
    "delivery report",
    "message delivery has failed",
    "could not send message",
    "mail failure",
    "notice: mail delivery status",
    "delivery failed",
    "not delivered",
    "warning: message",
    "delayed mail",
    "delivery delayed",
    "error sending your mail",
    "rejected:",
    "message you sent blocked",
    "email delivery failure",
    "mail delivery subsystem",
    "delivery problem",
    "メールエラー",
    "エラー",
    "mail could not be delivered",
    "недоставленное",
    "не доставлено",
];

/// Sender names and local parts of mail systems.
const BOUNCE_SENDERS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "mail delivery",
    "mail-daemon",
    "mailerdaemon",
    "post_master",
    "mail.delivery.system",
    "mmsc ndr",
    "no-reply@",
    "interscan",
    "content-filter",
    "sysadmin@",
    "system administrator",
];

/// Fixed sentences that bounce notifications print.
const BOUNCE_TEXTS: &[&str] = &[
    "could not be delivered",
    "couldn't be delivered",
    "was not delivered",
    "wasn't delivered",
    "delivery has failed",
    "undeliverable",
    "unable to deliver",
    "permanent error",
    "permanent fatal errors",
    "delivery to the following recipient",
    "following address",
    "following recipient",
    "not be delivered",
    "delivery failed",
    "failed to deliver",
    "did not reach",
    "returned to sender",
    "mail delivery failed",
    "this is the mail system",
    "error occurred while trying to deliver",
    "the original message was received",
    "transcript of session follows",
];

/// True when a message carries at least one strong sign of a bounce.
pub fn has_bounce_signals(mail: &Mail) -> bool {
    let null_sender = mail
        .header("return-path")
        .is_some_and(|r| r.trim().trim_matches(['<', '>', ' ']).is_empty());
    has_header(mail, "x-failed-recipients")
        || from_has(mail, BOUNCE_SENDERS)
        || subject_has(mail, BOUNCE_SUBJECTS)
        || null_sender && text_has(mail, BOUNCE_TEXTS)
        || mail.original.is_some() && text_has(mail, BOUNCE_TEXTS)
}

/// Any bounce whose family has no module of its own.
pub struct Generic;

impl MtaFamily for Generic {
    fn name(&self) -> &'static str {
        "Generic"
    }

    /// Tried last, and only on messages with the common bounce signals.
    fn detect(&self, _mail: &Mail) -> bool {
        true
    }
}

/// When the prose names nobody: `X-Failed-Recipients`, then a VERP address,
/// then the returned original's `To` when it is not the list's own address.
pub fn fallback_recipients(mail: &Mail, layout: &Layout) -> Vec<RawFinding> {
    let diagnostic = text::section(&mail.text, layout).to_string();
    let mut recipients: Vec<String> = mail
        .headers_named("x-failed-recipients")
        .flat_map(|v| {
            address::find_all(v)
                .map(|(_, _, a)| a.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    if recipients.is_empty()
        && let Some(verp) = crate::bounce::arf::verp_recipient(mail)
    {
        recipients.push(verp);
    }
    // The original's `To`, unless it is the list's posting address (a
    // mailing to a list names the list there, not the subscriber).
    if recipients.is_empty() {
        let original = crate::bounce::original::extract(mail);
        if let Some(to) = original.to.as_deref().and_then(address::first)
            && !listaddr::is_list_address(&listaddr::list_addresses(mail), &to)
        {
            recipients.push(to);
        }
    }
    let mentions = text::Mentions::new(&diagnostic);
    recipients
        .into_iter()
        .map(|recipient| RawFinding {
            diagnostic: mentions
                .lines_about(&recipient)
                .unwrap_or_else(|| diagnostic.clone()),
            recipient,
            ..RawFinding::default()
        })
        .collect()
}
