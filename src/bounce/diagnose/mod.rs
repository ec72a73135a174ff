//! From the evidence of one recipient (status code, SMTP reply code,
//! diagnostic text, action, the SMTP stage) to a [`Reason`], and the named
//! rule that decided it.
//!
//! One idea a module: [`status`] (RFC 3463 codes), [`reply`] (RFC 5321 reply
//! codes), [`stage`] (which SMTP command an error answered), [`words`] (the
//! phrase tables of [`super::phrases`] and their matcher), [`rules`] (the
//! decision: an ordered list of named rules), [`explain`] (the decision in
//! words, for the review pane and the bounce report).
//!
//! The words decide when they are clear ("a 5.1.1 whose text says spam is not
//! userunknown"); otherwise the RFC 3463 status code, then generic words, then
//! the SMTP reply code. Corrections that need more than the words (the stage,
//! the status class, whether the report is final) follow, in order.

pub mod explain;
pub mod reply;
pub mod rules;
pub mod stage;
pub mod status;
pub mod words;

use regex::Regex;

use super::reason::Reason;

pub use explain::{note, why};
pub use reply::{find_reply_code, join_reply_lines, reason_from_reply_code};
pub use rules::{Decision, Rule, decide, decide_with_rule};
pub use stage::{SmtpCommand, find_command, sent_command};
pub use status::{find_status, is_mailbox_status, reason_from_status};
pub use words::{PhraseMatch, explain, reason_from_text, reason_from_weak_text, squeeze};

/// Everything known about one failed recipient, for deciding the reason.
#[derive(Debug, Default, Clone, Copy)]
pub struct Evidence<'a> {
    pub action: Option<&'a str>,
    pub status: Option<&'a str>,
    pub reply_code: Option<&'a str>,
    pub diagnostic: &'a str,
    /// The SMTP command the error answered, if known.
    pub command: Option<SmtpCommand>,
    /// A reason the MTA family's format states outright (e.g. its own error code).
    pub hint: Option<Reason>,
    /// A reason the format suggests when the text names none.
    pub fallback: Option<Reason>,
    /// The reporting system looked the recipient up itself
    /// ([`super::RawFinding::own_lookup`]).
    pub own_lookup: bool,
}

/// A regex that matches nothing: the fallback for a static pattern that could
/// not be compiled (a bug the tests catch), so that no input can panic.
pub(crate) fn unreachable_regex() -> Regex {
    Regex::new("$^").unwrap_or_else(|_| std::process::abort())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(status: Option<&str>, text: &str) -> Reason {
        decide(&Evidence {
            status,
            diagnostic: text,
            action: Some("failed"),
            ..Evidence::default()
        })
    }

    #[test]
    fn clear_text_beats_the_status_code() {
        assert_eq!(
            reason(
                Some("5.7.1"),
                "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"
            ),
            Reason::Blocked
        );
        assert_eq!(
            reason(Some("5.1.1"), "Message rejected as spam"),
            Reason::SpamDetected
        );
    }

    #[test]
    fn status_code_decides_when_text_is_silent() {
        assert_eq!(
            reason(Some("5.1.1"), "550 5.1.1 <a@example.org>"),
            Reason::UserUnknown
        );
        assert_eq!(reason(Some("5.2.2"), ""), Reason::MailboxFull);
        assert_eq!(reason(Some("4.4.7"), ""), Reason::Expired);
    }

    /// Replies that mailbox providers publish in their postmaster pages,
    /// as given at RCPT TO (or at DATA for content), with the reason their
    /// documentation states.
    #[test]
    fn published_provider_replies() {
        use Reason::*;
        let cases: &[(&str, Reason)] = &[
            // Gmail
            (
                "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.",
                UserUnknown,
            ),
            (
                "552-5.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm",
                MailboxFull,
            ),
            (
                "452-4.2.2 The recipient's inbox is out of storage space and inbound mail cannot be delivered.",
                MailboxFull,
            ),
            (
                "550-5.2.1 The email account that you tried to reach is disabled.",
                Suspend,
            ),
            (
                "450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.",
                Speeding,
            ),
            (
                "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.",
                AuthFailure,
            ),
            (
                "550-5.7.27 This mail has been blocked because the sender's domain does not pass DMARC",
                AuthFailure,
            ),
            (
                "550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP.",
                RequirePtr,
            ),
            (
                "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your SPF domain. To protect our users from spam, mail sent from your domain has been temporarily rate limited.",
                BadReputation,
            ),
            // Microsoft (Outlook.com, Exchange Online)
            (
                "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
                UserUnknown,
            ),
            (
                "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)",
                UserUnknown,
            ),
            (
                "552 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException",
                MailboxFull,
            ),
            (
                "550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/",
                Blocked,
            ),
            (
                "550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification and has a DMARC policy of reject.",
                AuthFailure,
            ),
            (
                "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
                AuthFailure,
            ),
            (
                "554 5.4.14 Hop count exceeded - possible mail loop ATTR34",
                NetworkError,
            ),
            (
                "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
                Blocked,
            ),
            // Yahoo and AOL
            (
                "554 delivery error: dd This user doesn't have a yahoo.com account (anna@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com",
                UserUnknown,
            ),
            (
                "554 delivery error: dd Sorry your message to anna@yahoo.com cannot be delivered. This mailbox is disabled (554.30). - mta1234.mail.bf1.yahoo.com",
                Suspend,
            ),
            (
                "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1",
                BadReputation,
            ),
            (
                "554 5.7.9 Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes",
                PolicyViolation,
            ),
            (
                "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list",
                Blocked,
            ),
            (
                "554 5.7.1 :(DYN:T1) https://postmaster.aol.com/error-codes#554dynt1",
                Blocked,
            ),
            (
                "421 4.7.1 :(DNS:NR) https://postmaster.aol.com/error-codes#421dnsnr",
                RequirePtr,
            ),
            // Yandex, mail.ru
            (
                "550 5.7.1 Message rejected under suspicion of SPAM; https://ya.cc/1IrBc",
                SpamDetected,
            ),
            (
                "550 Message was not accepted -- invalid mailbox.  Local mailbox anna@mail.ru is unavailable: user not found",
                UserUnknown,
            ),
            // Postfix, qmail and block lists
            (
                "550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown in local recipient table",
                UserUnknown,
            ),
            (
                "450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]",
                RequirePtr,
            ),
            (
                "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
                Blocked,
            ),
            ("550 Sender IP reverse lookup rejected", RequirePtr),
            (
                "554 Sorry, no mailbox here by that name. (#5.1.1)",
                UserUnknown,
            ),
            (
                "552 sorry, mailbox anna is over quota temporarily (#5.1.1)",
                MailboxFull,
            ),
            (
                "550 5.1.2 Host unknown (Name server: example.invalid: host not found)",
                HostUnknown,
            ),
            // RFC 5321's 551 and Gmail's header checks
            (
                "551 User not local; please try <anna@new.example.org>",
                HasMoved,
            ),
            (
                "550-5.7.1 Messages missing a valid Message-ID header are not accepted.",
                NotCompliantRfc,
            ),
        ];
        for (text, want) in cases {
            let status = find_status(text);
            let got = decide(&Evidence {
                status: status.as_deref(),
                reply_code: find_reply_code(text).as_deref(),
                diagnostic: text,
                action: Some("failed"),
                command: Some(SmtpCommand::RcptTo),
                ..Evidence::default()
            });
            assert_eq!(got, *want, "{text}");
        }
    }

    #[test]
    fn localised_replies_are_read() {
        let at_rcpt = |text| {
            decide(&Evidence {
                status: Some("5.0.0"),
                diagnostic: text,
                action: Some("failed"),
                command: Some(SmtpCommand::RcptTo),
                ..Evidence::default()
            })
        };
        assert_eq!(at_rcpt("550 Benutzer unbekannt"), Reason::UserUnknown);
        assert_eq!(at_rcpt("550 Utilisateur inconnu"), Reason::UserUnknown);
        assert_eq!(at_rcpt("550 Usuario desconocido"), Reason::UserUnknown);
        assert_eq!(at_rcpt("552 Postfach voll"), Reason::MailboxFull);
        assert_eq!(at_rcpt("552 Boîte aux lettres pleine"), Reason::MailboxFull);
        assert_eq!(at_rcpt("552 Casella piena"), Reason::MailboxFull);
    }

    #[test]
    fn a_missing_domain_is_hostunknown() {
        assert_eq!(
            reason(None, "553 mail.example.com does not exist"),
            Reason::HostUnknown
        );
        assert_eq!(
            reason(Some("5.1.1"), "550 <anna@example.com> does not exist"),
            Reason::UserUnknown
        );
    }

    fn unknown_user(
        command: Option<SmtpCommand>,
        status: Option<&str>,
        own_lookup: bool,
    ) -> Reason {
        decide(&Evidence {
            status,
            diagnostic: "550 <anna@example.com>: User unknown",
            action: Some("failed"),
            command,
            own_lookup,
            ..Evidence::default()
        })
    }

    #[test]
    fn a_surprising_label_is_explained() {
        let relayed = why(Reason::Filtered, Some("5.0.0"), "550 User unknown");
        assert!(
            relayed.is_some_and(|w| w.contains("RCPT TO")),
            "{relayed:?}"
        );
        let policy = why(Reason::Filtered, Some("5.7.1"), "550 5.7.1 User unknown");
        assert!(policy.is_some_and(|w| w.contains("x.7")), "{policy:?}");
        assert_eq!(
            why(Reason::Filtered, None, "Message filtered by policy"),
            None
        );
        assert_eq!(
            why(Reason::UserUnknown, Some("5.1.1"), "User unknown"),
            None
        );
        assert!(why(Reason::OnHold, None, "Nyaan").is_some());
    }

    #[test]
    fn x7_user_unknown_is_a_filter_unless_a_provider_says_so() {
        let at_rcpt = |text| {
            decide(&Evidence {
                status: Some("5.7.1"),
                diagnostic: text,
                action: Some("failed"),
                command: Some(SmtpCommand::RcptTo),
                ..Evidence::default()
            })
        };
        assert_eq!(
            at_rcpt("550 5.7.1 <a@example.org>: Recipient address rejected: User unknown"),
            Reason::Filtered
        );
        assert_eq!(at_rcpt("550 5.7.1 No such user!"), Reason::UserUnknown);
    }

    #[test]
    fn a_providers_own_no_such_account_is_hard_at_any_stage() {
        let at = |command, text| {
            decide(&Evidence {
                status: Some("5.0.0"),
                diagnostic: text,
                action: Some("failed"),
                command,
                ..Evidence::default()
            })
        };
        let yahoo = "554 delivery error: dd This user doesn't have a yahoo.com account (anna@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com";
        // Yahoo answers after the message body; a relay may not say when.
        assert_eq!(at(Some(SmtpCommand::Data), yahoo), Reason::UserUnknown);
        assert_eq!(at(None, yahoo), Reason::UserUnknown);
        // The same words from an unnamed server after DATA stay a filter's.
        assert_eq!(
            at(Some(SmtpCommand::Data), "550 User unknown"),
            Reason::Filtered
        );
        // Gmail's sentence is written by other servers too: not on the list.
        assert_eq!(
            at(
                None,
                "The email account that you tried to reach does not exist."
            ),
            Reason::Filtered
        );
    }

    #[test]
    fn a_rejection_prefix_is_read_for_its_reason() {
        assert_eq!(
            reason(
                Some("5.0.0"),
                "550 <a@example.org>: Recipient address rejected: On hold"
            ),
            Reason::OnHold
        );
        assert_eq!(
            reason(Some("5.1.0"), "550 #5.1.0 Address rejected."),
            Reason::UserUnknown
        );
    }

    #[test]
    fn unclassifiable_text_is_held_and_no_text_is_undefined() {
        assert_eq!(reason(None, "Nyaan nyaan"), Reason::OnHold);
        assert_eq!(reason(None, ""), Reason::Undefined);
        assert_eq!(
            reason(None, "--- Delivery report unavailable ---"),
            Reason::Undefined
        );
    }

    #[test]
    fn a_refusal_at_the_greeting_is_of_the_sending_host() {
        let at = |command| {
            decide(&Evidence {
                status: Some("5.0.0"),
                diagnostic: "550 Rejected",
                action: Some("failed"),
                command,
                ..Evidence::default()
            })
        };
        assert_eq!(at(Some(SmtpCommand::Helo)), Reason::Blocked);
        assert_eq!(at(None), Reason::OnHold);
        assert_eq!(
            find_command(
                "SMTP error from remote mail server after EHLO mx.example.com: 550 Rejected"
            ),
            Some(SmtpCommand::Helo)
        );
    }

    #[test]
    fn a_relayed_unknown_user_needs_a_stage_or_a_mailbox_status() {
        // Said at RCPT TO, or with a mailbox status: the address is gone.
        assert_eq!(
            unknown_user(Some(SmtpCommand::RcptTo), None, false),
            Reason::UserUnknown
        );
        assert_eq!(
            unknown_user(None, Some("5.1.1"), false),
            Reason::UserUnknown
        );
        assert_eq!(
            unknown_user(None, Some("5.2.1"), false),
            Reason::UserUnknown
        );
        // Said by the system that holds the mailbox: its own finding.
        assert_eq!(unknown_user(None, Some("5.0.0"), true), Reason::UserUnknown);
        // Relayed with no stage and no mailbox status, or after DATA: a filter may be speaking.
        assert_eq!(unknown_user(None, None, false), Reason::Filtered);
        assert_eq!(unknown_user(None, Some("5.0.0"), false), Reason::Filtered);
        assert_eq!(
            unknown_user(Some(SmtpCommand::Data), Some("5.1.1"), true),
            Reason::Filtered
        );
    }

    fn at(command: Option<SmtpCommand>, text: &str) -> Reason {
        let status = find_status(text);
        decide(&Evidence {
            status: status.as_deref(),
            reply_code: find_reply_code(text).as_deref(),
            diagnostic: text,
            action: Some("failed"),
            command,
            ..Evidence::default()
        })
    }

    /// Cause: a status code that beats clear words. The words decide; RFC
    /// 5321's default "mailbox unavailable" is weaker than the status.
    #[test]
    fn clear_words_beat_the_status_code() {
        use Reason::*;
        let rcpt = Some(SmtpCommand::RcptTo);
        assert_eq!(at(rcpt, "552 5.1.1 Message size exceeded"), MesgTooBig);
        assert_eq!(
            at(rcpt, "550 5.1.1 [SUSPEND] Mailbox currently suspended"),
            Suspend
        );
        assert_eq!(at(rcpt, "550 5.2.1 Mailbox not available"), Suspend);
        assert_eq!(
            at(rcpt, "550 5.2.1 <anna@example.org>: User unknown"),
            UserUnknown
        );
        assert_eq!(at(rcpt, "550 5.1.1 Mailbox unavailable"), UserUnknown);
        assert_eq!(
            at(rcpt, "554 Your IP 192.0.2.1 is on our block list"),
            Blocked
        );
        assert_eq!(
            at(rcpt, "554 5.7.1 <news@example.com>: unverified sender"),
            Rejected
        );
        assert_eq!(
            at(Some(SmtpCommand::Data), "554 5.7.1 Bulk email rejected"),
            SpamDetected
        );
    }

    /// X.400 diagnostics name their code (X.411, RFC 2156); generic address
    /// words say less than a status about the address.
    #[test]
    fn x400_diagnostics_and_address_words_under_a_status() {
        use Reason::*;
        assert_eq!(
            at(
                None,
                "Reason 1 (Unable-To-Transfer); Diagnostic -1 (Unknown)"
            ),
            Undefined
        );
        assert_eq!(
            at(
                None,
                "Reason 1 (Unable-To-Transfer); Diagnostic 5 (Maximum-Time-Expired)"
            ),
            Expired
        );
        assert_eq!(
            at(None, "550 5.2.1 <anna@example.org> is unknown here"),
            Suspend
        );
        assert_eq!(at(None, "550 5.2.2 quota exceeded, unknown"), MailboxFull);
        assert_eq!(
            at(Some(SmtpCommand::RcptTo), "550 User not known"),
            UserUnknown
        );
        // Gmail's published text under its "Address not found" headline.
        assert_eq!(
            at(
                None,
                "Address not found. Your message wasn't delivered to anna@nodomain.example because the domain nodomain.example couldn't be found."
            ),
            HostUnknown
        );
    }

    /// Cause: words read without what they refer to.
    #[test]
    fn words_are_read_with_their_referent() {
        use Reason::*;
        let rcpt = Some(SmtpCommand::RcptTo);
        assert_eq!(
            at(
                rcpt,
                "450 4.7.1 Relay quota exceeded for 192.0.2.1 per hour"
            ),
            Speeding
        );
        assert_eq!(
            at(rcpt, "550 5.4.5 Daily user sending quota exceeded."),
            Speeding
        );
        assert_eq!(at(rcpt, "452 4.5.3 Too many recipients per hour"), Speeding);
        assert_eq!(at(rcpt, "452 4.2.2 Mailbox quota exceeded"), MailboxFull);
        assert_eq!(
            at(
                Some(SmtpCommand::MailFrom),
                "452 4.3.1 Insufficient disk space; try again later"
            ),
            SystemFull
        );
        assert_eq!(
            at(
                Some(SmtpCommand::Connect),
                "554 5.7.1 Your IP 192.0.2.1 has been blocked for sending spam"
            ),
            Blocked
        );
        assert_eq!(
            at(
                None,
                "554 5.7.1 Client host 192.0.2.1 rejected: spam source"
            ),
            Blocked
        );
        assert_eq!(
            at(
                Some(SmtpCommand::Data),
                "554 5.7.1 Message rejected as spam"
            ),
            SpamDetected
        );
        assert_eq!(
            at(
                Some(SmtpCommand::Data),
                "552 5.6.0 Headers too large (32768 max)"
            ),
            ContentError
        );
        assert_eq!(
            at(
                Some(SmtpCommand::Data),
                "550 5.5.2 Line length limit exceeded"
            ),
            ContentError
        );
        assert_eq!(
            at(
                rcpt,
                "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required [Stage: CreateMessage]"
            ),
            PolicyViolation
        );
        assert_eq!(
            at(Some(SmtpCommand::Helo), "501 5.5.2 Invalid domain name"),
            Blocked
        );
    }

    #[test]
    fn codes_are_found_in_text() {
        assert_eq!(
            find_status("smtp; 550 5.1.1 <a@b>: nope").as_deref(),
            Some("5.1.1")
        );
        assert_eq!(
            find_reply_code("smtp; 550 5.1.1 <a@b>: nope").as_deref(),
            Some("550")
        );
        assert_eq!(find_status("version 10.5.1.12 of"), None);
    }
}
