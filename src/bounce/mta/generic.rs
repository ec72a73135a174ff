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
    // Microsoft's name for a bounce: "non-delivery report (NDR)" (Exchange
    // documentation); Exchange and IIS SMTP put "Non-Delivery" in subjects.
    "non-delivery",
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

/// Failure wording that, besides [`BOUNCE_TEXTS`], backs a weaker sign.
const FAILURE_TEXTS: &[&str] = &[
    // RFC 821's own example reply (§3.1), which mail systems kept printing.
    "no such user here",
    "user unknown",
    // Microsoft's name for a bounce (Exchange documentation).
    "non-delivery report",
];

/// Senders that are mail systems, but also send other notices: a sign only
/// with failure wording. MDaemon sends its delivery notices from its system
/// account `MDaemon@domain` (MDaemon's documentation of its system
/// messages).
const SYSTEM_SENDERS: &[&str] = &["mdaemon@"];

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
        || weak_sign(mail) && says_failed(mail)
}

/// Signs that a message comes from a mail system, each too weak alone:
/// - a top-level `multipart/report; report-type=delivery-status` (RFC 6522,
///   RFC 3464) whose status part the report's writer left unreadable;
/// - an envelope sender `MAILER-DAEMON@host`: Sendmail delivers a bounce's
///   null reverse-path (RFC 5321 §4.5.5) as its own mailer name, `$n`
///   (`confMAILER_NAME`, by default `MAILER-DAEMON`), so the message shows
///   `Return-Path: <MAILER-DAEMON@host>`;
/// - a sender in [`SYSTEM_SENDERS`].
fn weak_sign(mail: &Mail) -> bool {
    let report = mail.mime_type == "multipart/report"
        && mail.report_type.as_deref() == Some("delivery-status");
    let daemon_path = mail
        .header("return-path")
        .and_then(address::first)
        .is_some_and(|a| a.to_ascii_lowercase().starts_with("mailer-daemon@"));
    report || daemon_path || from_has(mail, SYSTEM_SENDERS)
}

/// The message says that a delivery failed.
fn says_failed(mail: &Mail) -> bool {
    text_has(mail, BOUNCE_TEXTS)
        || text_has(mail, FAILURE_TEXTS)
        || subject_has(mail, FAILURE_TEXTS)
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
    let diagnostic = text::section_of_mail(mail, layout).to_string();
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
            && !listaddr::is_list_address(listaddr::list_addresses(mail), &to)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &[(&str, &str)], text: &str) -> Mail {
        Mail {
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            text: text.into(),
            ..Mail::default()
        }
    }

    #[test]
    fn a_weak_sign_needs_failure_wording() {
        let failed = "Your message could not be delivered to anna@example.org.";
        let news = "Our spring offers for anna@example.org.";
        let daemon = [("return-path", "<MAILER-DAEMON@mx.example.net>")];
        assert!(has_bounce_signals(&mail(&daemon, failed)));
        assert!(!has_bounce_signals(&mail(&daemon, news)));
        let mdaemon = [("from", "MDaemon@mail.example.net")];
        assert!(has_bounce_signals(&mail(
            &mdaemon,
            "anna@example.org - no such user here."
        )));
        assert!(!has_bounce_signals(&mail(&mdaemon, news)));
        let report = |text: &str| Mail {
            mime_type: "multipart/report".into(),
            report_type: Some("delivery-status".into()),
            ..mail(&[], text)
        };
        assert!(has_bounce_signals(&report(failed)));
        assert!(!has_bounce_signals(&report(news)));
        // Root's mail (cron) is no mail system's.
        let root = [("return-path", "<root@mx.example.net>")];
        assert!(!has_bounce_signals(&mail(&root, failed)));
    }

    #[test]
    fn a_non_delivery_subject_is_a_sign() {
        let m = mail(&[("subject", "Non-Delivery: Spring regatta")], "");
        assert!(has_bounce_signals(&m));
    }
}
