//! The decision, as an ordered list of named rules.
//!
//! First the evidence is read in order of strength ([`BASES`]): what the
//! report's `Action` says, a reason the format states outright, the specific
//! words of the error, a reason the format suggests, the generic words, the
//! RFC 3463 status, RFC 5321's default reply texts, the SMTP reply code. The
//! words decide before the codes: a status or reply code is a class the
//! server picked, often a generic one (5.1.1 with "message size exceeded"). The first that gives a reason is the
//! *basis*. Then the [`CORRECTIONS`] are tried in order; the first that
//! applies decides instead (the stage the error answered, the status class,
//! whether the report is final). The rule that decided and the words it read
//! travel with the finding, and [`super::explain`] puts them into words.
//! Each rule's comment names its source.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::stage::SmtpCommand;
use super::status::{is_mailbox_status, is_policy_status, reason_from_status};
use super::words::{default_text_in, explanation, generic_words_in, phrase_in};
use super::{Evidence, reply::reason_from_reply_code, unreachable_regex};
use crate::bounce::markers::MarkerSet;
use crate::bounce::reason::{Group, Reason};

/// A named rule of the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    // Bases, strongest first.
    /// RFC 3464 `Action: delivered | relayed | expanded`: no failure.
    Action,
    /// The report's format states the reason (a provider's own error code).
    FormatCode,
    /// A specific phrase of the error decides.
    Words,
    /// The format suggests a reason the words do not name (a local delivery
    /// program failed).
    FormatFallback,
    /// The RFC 3463 status code decides; the words name no specific reason.
    StatusCode,
    /// Generic words ("blocked", "unknown", "quota") decide.
    GenericWords,
    /// RFC 5321's default reply text ("mailbox unavailable"), given for any
    /// refusal: weaker than the status code.
    DefaultText,
    /// Only the SMTP reply code is left (weakest evidence).
    ReplyCode,
    /// The report carries no error text.
    NoText,
    /// An error text none of the rules can read: held for review.
    Unread,
    // Corrections, in the order they are tried.
    /// RFC 3463 x.1.6: moved, no forwarding address.
    MovedStatus,
    /// "Full" or "insufficient storage" before any recipient was named: the
    /// receiving server's disk, not a mailbox.
    StorageBeforeRecipient,
    /// The error answered `MAIL FROM`: the sender was refused.
    SenderRefused,
    /// The error answered `HELO`/`EHLO` or the connection: the sending host
    /// was refused before any recipient was named.
    HostRefused,
    /// Spam named as the motive of a refusal of the sending IP or host.
    HostNamedForSpam,
    /// "example.com does not exist": the domain is what is missing.
    DomainMissing,
    /// A mailbox provider's published reply for an account that does not
    /// exist: its own directory speaks.
    ProviderDirectory,
    /// The reply names the table or directory its writer looked in.
    OwnLookupWords,
    /// "Unknown" only after the message body (DATA): a content filter.
    UnknownAfterData,
    /// "Unknown" under an x.7 (policy) status: a filter's answer.
    UnknownUnderPolicy,
    /// "Unknown" relayed with no stage, no mailbox status and no own lookup.
    UnknownUnbacked,
    /// RFC 3463 x.2.3: the administrative size limit.
    AdministrativeLimit,
    /// A delay warning (`Action: delayed`) whose words name no reason: the
    /// message is still queued and will expire.
    StillQueued,
    /// A delay warning about a connection problem: not expired yet.
    DelayedConnection,
}

impl Rule {
    /// The rule's name, as written in the bounce report and the contract.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Action => "action",
            Rule::FormatCode => "format-code",
            Rule::Words => "words",
            Rule::FormatFallback => "format-fallback",
            Rule::StatusCode => "status-code",
            Rule::GenericWords => "generic-words",
            Rule::DefaultText => "default-text",
            Rule::ReplyCode => "reply-code",
            Rule::NoText => "no-text",
            Rule::Unread => "unread",
            Rule::MovedStatus => "moved-status",
            Rule::StorageBeforeRecipient => "storage-before-recipient",
            Rule::HostNamedForSpam => "host-named-for-spam",
            Rule::SenderRefused => "sender-refused",
            Rule::HostRefused => "host-refused",
            Rule::DomainMissing => "domain-missing",
            Rule::ProviderDirectory => "provider-directory",
            Rule::OwnLookupWords => "own-lookup-words",
            Rule::UnknownAfterData => "unknown-after-data",
            Rule::UnknownUnderPolicy => "unknown-under-policy",
            Rule::UnknownUnbacked => "unknown-unbacked",
            Rule::AdministrativeLimit => "administrative-limit",
            Rule::StillQueued => "still-queued",
            Rule::DelayedConnection => "delayed-connection",
        }
    }

    /// The rule of a stored name (`None` for a name this version does not know).
    pub fn parse(name: &str) -> Option<Rule> {
        ALL_RULES.iter().copied().find(|r| r.name() == name)
    }
}

/// Every rule, bases first, then corrections in order.
pub const ALL_RULES: [Rule; 24] = [
    Rule::Action,
    Rule::FormatCode,
    Rule::Words,
    Rule::FormatFallback,
    Rule::StatusCode,
    Rule::GenericWords,
    Rule::DefaultText,
    Rule::ReplyCode,
    Rule::NoText,
    Rule::Unread,
    Rule::MovedStatus,
    Rule::StorageBeforeRecipient,
    Rule::SenderRefused,
    Rule::HostRefused,
    Rule::HostNamedForSpam,
    Rule::DomainMissing,
    Rule::ProviderDirectory,
    Rule::OwnLookupWords,
    Rule::UnknownAfterData,
    Rule::UnknownUnderPolicy,
    Rule::UnknownUnbacked,
    Rule::AdministrativeLimit,
    Rule::StillQueued,
    Rule::DelayedConnection,
];

/// The outcome for one recipient: the reason, the rule that decided it, the
/// basis the reason was first read from, and the words (or code) read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub reason: Reason,
    pub rule: Rule,
    pub basis: Rule,
    /// The phrase as written in the error, or the status or reply code the
    /// basis read.
    pub words: Option<String>,
}

/// Decides the reason for one recipient.
pub fn decide(e: &Evidence<'_>) -> Reason {
    decide_with_rule(e).reason
}

/// Decides the reason for one recipient, with the rule that decided.
pub fn decide_with_rule(e: &Evidence<'_>) -> Decision {
    let action = e.action.map(|a| a.trim().to_ascii_lowercase());
    let delayed = action.as_deref() == Some("delayed");
    let (reason, basis, words) = basis(e, action.as_deref());
    let facts = Facts {
        reason,
        basis,
        e,
        delayed,
    };
    let final_basis = matches!(basis, Rule::Action | Rule::FormatCode);
    let corrected = (!final_basis)
        .then(|| {
            CORRECTIONS
                .iter()
                .find_map(|(rule, applies)| applies(&facts).map(|r| (r, *rule)))
        })
        .flatten();
    let (reason, rule) = corrected.unwrap_or((reason, basis));
    Decision {
        reason,
        rule,
        basis,
        words,
    }
}

/// The first reason the evidence gives, strongest evidence first.
fn basis(e: &Evidence<'_>, action: Option<&str>) -> (Reason, Rule, Option<String>) {
    // RFC 3464 §2.3.3; "deliverable" is Postfix's address-verification
    // report (`sendmail -bv`): the address would be delivered.
    if let Some(action) = action
        && matches!(action, "delivered" | "relayed" | "expanded" | "deliverable")
    {
        return (Reason::Delivered, Rule::Action, Some(action.to_string()));
    }
    if let Some(hint) = e.hint {
        return (hint, Rule::FormatCode, None);
    }
    let text = e.diagnostic;
    // A generic x.0.0 and a success 2.x.x say nothing about why.
    let status = e
        .status
        .filter(|s| !s.ends_with(".0.0") && !s.starts_with("2."));
    if let Some((r, words)) = phrase_in(text) {
        return (r, Rule::Words, Some(words.to_string()));
    }
    if let Some(r) = e.fallback {
        return (r, Rule::FormatFallback, None);
    }
    let from_status = status.and_then(|s| Some((reason_from_status(s)?, s)));
    if let Some((r, words)) = generic_words_in(explanation(text)) {
        // Generic words about the address ("unknown", "does not exist") say
        // less than a status code about the same subject (x.1.1, x.2.1);
        // words about a condition ("quota", "suspended", "spam") say more.
        let about_the_address = r.group() == Group::Address;
        if !(about_the_address && from_status.is_some()) {
            return (r, Rule::GenericWords, Some(words.to_string()));
        }
    }
    if let Some((r, s)) = from_status {
        return (r, Rule::StatusCode, Some(s.to_string()));
    }
    if let Some((r, words)) = default_text_in(text) {
        return (r, Rule::DefaultText, Some(words.to_string()));
    }
    if let Some(code) = e.reply_code
        && let Some(r) = reason_from_reply_code(code)
    {
        return (r, Rule::ReplyCode, Some(code.to_string()));
    }
    // An error text that says nothing we can classify is held for review;
    // with no text at all, nothing can be told.
    if text.trim().is_empty() {
        return (Reason::Undefined, Rule::NoText, None);
    }
    (Reason::OnHold, Rule::Unread, None)
}

/// What a correction reads: the basis and the evidence.
struct Facts<'a, 'e> {
    reason: Reason,
    basis: Rule,
    e: &'a Evidence<'e>,
    delayed: bool,
}

type Correction = (Rule, fn(&Facts<'_, '_>) -> Option<Reason>);

/// The corrections, in order: the first that applies decides.
const CORRECTIONS: &[Correction] = &[
    (Rule::MovedStatus, moved_status),
    (Rule::StorageBeforeRecipient, storage_before_recipient),
    (Rule::SenderRefused, sender_refused),
    (Rule::HostRefused, host_refused),
    (Rule::HostNamedForSpam, host_named_for_spam),
    (Rule::DomainMissing, domain_missing),
    (Rule::ProviderDirectory, provider_directory),
    (Rule::OwnLookupWords, own_lookup_words),
    (Rule::UnknownAfterData, unknown_after_data),
    (Rule::UnknownUnderPolicy, unknown_under_policy),
    (Rule::UnknownUnbacked, unknown_unbacked),
    (Rule::AdministrativeLimit, administrative_limit),
    (Rule::StillQueued, still_queued),
    (Rule::DelayedConnection, delayed_connection),
];

/// RFC 3463 x.1.6 "destination mailbox has moved, no forwarding address":
/// more specific than any "not our user" wording that comes with it.
fn moved_status(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.e.status.is_some_and(|s| s.get(1..) == Some(".1.6")) && f.reason.group() == Group::Address)
        .then_some(Reason::HasMoved)
}

/// The stages before `RCPT TO` (RFC 5321 §3.1–3.3): no recipient is named
/// yet, so nothing said there is about the recipient's address or mailbox.
fn before_recipient(c: Option<SmtpCommand>) -> bool {
    matches!(
        c,
        Some(SmtpCommand::Connect | SmtpCommand::Helo | SmtpCommand::MailFrom)
    )
}

/// RFC 5321 §4.2.2 / §4.5.3.1.10: "452 insufficient system storage" given
/// before any recipient was named ("insufficient disk space" at MAIL FROM)
/// is the receiving server's disk, not the recipient's mailbox.
fn storage_before_recipient(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::MailboxFull && before_recipient(f.e.command)).then_some(Reason::SystemFull)
}

/// RFC 5321 §3.3: `MAIL FROM` names the sender only, so an error answering
/// it is about the sender (`rejected`), unless a specific sender-side phrase
/// says more (reverse DNS, authentication, a block list).
fn sender_refused(f: &Facts<'_, '_>) -> Option<Reason> {
    use Reason::*;
    let generic = matches!(
        f.reason,
        UserUnknown | HostUnknown | Undefined | OnHold | SystemError | Filtered
    ) || f.reason == Blocked && f.basis != Rule::Words;
    (f.e.command == Some(SmtpCommand::MailFrom) && generic).then_some(Rejected)
}

/// RFC 5321 §3.1, §4.1.1.1: refused at the greeting (HELO/EHLO) or on
/// connection, before any recipient was named: the sending host was refused.
fn host_refused(f: &Facts<'_, '_>) -> Option<Reason> {
    use Reason::*;
    (matches!(f.e.command, Some(SmtpCommand::Helo | SmtpCommand::Connect))
        && matches!(
            f.reason,
            Undefined
                | OnHold
                | UserUnknown
                | HostUnknown
                | NotAccept
                | Filtered
                | Rejected
                | SpamDetected
        ))
    .then_some(Blocked)
}

/// Words that make the sending IP or host the subject of a refusal.
static HOST_NAMED: LazyLock<MarkerSet> = LazyLock::new(|| {
    MarkerSet::new(&[
        "your ip",
        "client host",
        "client ip",
        "sending ip",
        "sender ip",
        "ip address",
        "your host",
        "your server",
        "from ip",
        "connections from",
        "connection from",
    ])
});

/// A refusal of the sending IP or host that names spam as its motive ("your
/// IP has been blocked for sending spam", block lists' own wording) is a
/// block of the host (RFC 5321 §4.2.2: 554 at connection time): the message
/// content was not judged. Not after DATA, where the content was.
fn host_named_for_spam(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::SpamDetected
        && f.e.command != Some(SmtpCommand::Data)
        && HOST_NAMED.any(f.e.diagnostic))
    .then_some(Reason::Blocked)
}

static DOMAIN_MISSING_RE: LazyLock<Regex> = LazyLock::new(|| {
    // "example.com does not exist" (Sendmail, Exim), and Gmail's published
    // "because the domain example.com couldn't be found" under its "Address
    // not found" headline.
    Regex::new(
        r"(?i)(?:(?:^|[\s<(\[])(?:[a-z0-9-]+\.)+[a-z]{2,}>?\s+does not exist|the domain (?:[a-z0-9-]+\.)+[a-z]{2,} (?:couldn't|could not|cannot|can't) be found)",
    )
        .unwrap_or_else(|_| unreachable_regex())
});

/// "example.com does not exist" (Sendmail, Exim): what is missing is the
/// domain, not a mailbox.
fn domain_missing(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::UserUnknown && DOMAIN_MISSING_RE.is_match(f.e.diagnostic))
        .then_some(Reason::HostUnknown)
}

/// Providers' published replies for a mailbox that does not exist
/// (`phrases::PROVIDER_MAILBOX_REPLIES`).
static PROVIDER_MAILBOX_REPLIES: LazyLock<MarkerSet> =
    LazyLock::new(|| MarkerSet::new(crate::bounce::phrases::PROVIDER_MAILBOX_REPLIES));

/// A mailbox provider's published reply for an account that does not exist
/// is its directory speaking, at whatever stage and under whatever status it
/// comes (Yahoo answers after DATA, Yandex with x.7.1). It keeps the later
/// corrections from reading it as a filter's answer.
fn provider_directory(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::UserUnknown && PROVIDER_MAILBOX_REPLIES.any(f.e.diagnostic))
        .then_some(Reason::UserUnknown)
}

/// Replies that name the writer's own lookup (`phrases::LOOKUP_REPLIES`).
static LOOKUP_REPLIES: LazyLock<MarkerSet> =
    LazyLock::new(|| MarkerSet::new(crate::bounce::phrases::LOOKUP_REPLIES));

/// A reply that names the table or directory its writer looked the
/// recipient up in ("User unknown in local recipient table", Postfix's
/// smtpd; "mail.local: unknown user", Sendmail's local delivery agent) is the
/// mailbox system's own finding, whatever family wrote the report around it
/// and even when the stage is not written: these lookups happen at RCPT TO
/// or at final delivery. Not after DATA: then a filter repeats the words.
fn own_lookup_words(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::UserUnknown
        && f.e.command != Some(SmtpCommand::Data)
        && !f.e.status.is_some_and(is_policy_status)
        && LOOKUP_REPLIES.any(f.e.diagnostic))
    .then_some(Reason::UserUnknown)
}

/// RFC 5321 §3.3: recipients are accepted or refused at RCPT TO. An address
/// "unknown" only after the message body was sent is a content filter
/// speaking: the same server accepted the recipient at RCPT TO.
fn unknown_after_data(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::UserUnknown && f.e.command == Some(SmtpCommand::Data))
        .then_some(Reason::Filtered)
}

/// RFC 3463 x.7.x is "security or policy status" (delivery not authorised):
/// "user unknown" under it is a filter's answer, even at RCPT TO, unless the
/// mailbox host's own directory said it.
fn unknown_under_policy(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::UserUnknown && !f.e.own_lookup && f.e.status.is_some_and(is_policy_status))
        .then_some(Reason::Filtered)
}

/// "User unknown" relayed from another server without the SMTP command it
/// answered, and without a mailbox status (RFC 3463 x.1.x, x.2.1) to back it,
/// is not proof that the mailbox is gone: filters and relays answer
/// "unknown" at other stages too. Unless the reporting system looked the
/// recipient up itself, it is `filtered` (soft).
fn unknown_unbacked(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::UserUnknown
        && f.basis != Rule::StatusCode
        && f.basis != Rule::FormatFallback
        && !f.e.own_lookup
        && f.e.command != Some(SmtpCommand::RcptTo)
        && !f.e.status.is_some_and(is_mailbox_status))
    .then_some(Reason::Filtered)
}

/// RFC 3463 x.2.3 "message length exceeds administrative limit", whatever
/// size wording comes with it.
fn administrative_limit(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.reason == Reason::MesgTooBig && f.e.status.is_some_and(|s| s.get(1..) == Some(".2.3")))
        .then_some(Reason::ExceedLimit)
}

/// RFC 3464 `Action: delayed`: the message is still queued. Unless specific
/// words say why, the report says only that it has not arrived yet.
fn still_queued(f: &Facts<'_, '_>) -> Option<Reason> {
    (f.delayed && f.basis != Rule::Words).then_some(Reason::Expired)
}

const NETWORK_WORDS: &[&str] = &[
    "connection timed out",
    "timed out in connect",
    "host not reachable",
];

/// A delay warning about a connection problem has not expired yet.
fn delayed_connection(f: &Facts<'_, '_>) -> Option<Reason> {
    let lower = f.e.diagnostic.to_ascii_lowercase();
    (f.delayed && f.reason == Reason::Expired && NETWORK_WORDS.iter().any(|w| lower.contains(w)))
        .then_some(Reason::NetworkError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_unique_name_that_parses_back() {
        let mut names: Vec<&str> = ALL_RULES.iter().map(|r| r.name()).collect();
        for r in ALL_RULES {
            assert_eq!(Rule::parse(r.name()), Some(r));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL_RULES.len());
        for (rule, _) in CORRECTIONS {
            assert!(ALL_RULES.contains(rule));
        }
    }

    #[test]
    fn the_deciding_rule_and_its_words_are_given() {
        let d = decide_with_rule(&Evidence {
            action: Some("failed"),
            status: Some("5.1.1"),
            diagnostic: "550 5.1.1 <anna@example.org>: User unknown",
            command: Some(SmtpCommand::RcptTo),
            ..Evidence::default()
        });
        assert_eq!(
            (d.reason, d.rule, d.words.as_deref()),
            (Reason::UserUnknown, Rule::Words, Some("User unknown"))
        );
        let d = decide_with_rule(&Evidence {
            action: Some("failed"),
            status: Some("5.0.0"),
            diagnostic: "550 User unknown",
            command: Some(SmtpCommand::Data),
            ..Evidence::default()
        });
        assert_eq!(
            (d.reason, d.rule, d.basis),
            (Reason::Filtered, Rule::UnknownAfterData, Rule::Words)
        );
    }
}
