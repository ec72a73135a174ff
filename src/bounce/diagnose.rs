//! From the evidence of one recipient (status code, SMTP reply code,
//! diagnostic text, action) to a [`Reason`].
//!
//! The text decides when it is clear ("a 5.1.1 whose text says spam is not
//! userunknown"); otherwise the RFC 3463 status code, then generic words, then
//! the SMTP reply code. The phrase tables are data in [`super::phrases`].

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;

use super::markers::MarkerSet;
use super::phrases::{PHRASES, WEAK_PHRASES};
use super::reason::Reason;

/// A compiled phrase table: one automaton, and for each pattern its table rank.
struct Table {
    /// `None` only if the static tables could not be compiled (a bug a test catches).
    automaton: Option<AhoCorasick>,
    rank: Vec<(usize, Reason)>,
}

impl Table {
    fn new(tables: &[(Reason, &[&str])]) -> Table {
        let mut patterns = Vec::new();
        let mut rank = Vec::new();
        for (i, (reason, phrases)) in tables.iter().enumerate() {
            for p in *phrases {
                patterns.push(*p);
                rank.push((i, *reason));
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        Table { automaton, rank }
    }

    /// The reason of the best-ranked phrase found in `text`.
    fn lookup(&self, text: &str) -> Option<Reason> {
        self.automaton
            .as_ref()?
            .find_overlapping_iter(text)
            .filter(|m| word_bounded(text, m.start(), m.end()))
            .map(|m| self.rank[m.pattern().as_usize()])
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, reason)| reason)
    }
}

/// Phrases match at the start of a word ("uce" not in "produced"); short
/// ones must also end a word, longer ones may be stems ("blacklist" in
/// "blacklisted").
fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    let is_word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    let first_is_word = bytes.get(start).is_some_and(|b| b.is_ascii_alphanumeric());
    let last_is_word = end > 0 && bytes[end - 1].is_ascii_alphanumeric();
    let short = end - start <= 4;
    let glued_before = first_is_word && is_word(before);
    let glued_after = short && last_is_word && is_word(after);
    !(glued_before || glued_after)
}

/// A phrase found in a text: the words as written, their reason, the table rank.
pub type PhraseMatch = (String, Reason, usize);

impl Table {
    /// Every phrase found in `text`, with its reason and rank (for tools).
    fn matches(&self, text: &str) -> Vec<PhraseMatch> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        automaton
            .find_overlapping_iter(text)
            .filter(|m| word_bounded(text, m.start(), m.end()))
            .map(|m| {
                let (rank, reason) = self.rank[m.pattern().as_usize()];
                (text[m.start()..m.end()].to_string(), reason, rank)
            })
            .collect()
    }
}

/// Which phrases of the tables a text contains: (phrase, reason, rank), the
/// specific table first. For tools that explain a decision.
pub fn explain(text: &str) -> (Vec<PhraseMatch>, Vec<PhraseMatch>) {
    (STRONG.matches(text), WEAK.matches(text))
}

static STRONG: LazyLock<Table> = LazyLock::new(|| Table::new(PHRASES));
static WEAK: LazyLock<Table> = LazyLock::new(|| Table::new(WEAK_PHRASES));

/// The best reason the text alone gives, from the specific phrase table.
pub fn reason_from_text(text: &str) -> Option<Reason> {
    STRONG.lookup(text)
}

/// The reason generic words give, used when nothing more specific is known.
pub fn reason_from_weak_text(text: &str) -> Option<Reason> {
    WEAK.lookup(text)
}

/// The reason an RFC 3463 status code gives on its own, when the code is
/// specific enough to decide (x.7.1 is not: the text must say why).
pub fn reason_from_status(status: &str) -> Option<Reason> {
    let mut parts = status.split('.');
    let class = parts.next()?;
    let subject: u32 = parts.next()?.parse().ok()?;
    let detail: u32 = parts.next()?.parse().ok()?;
    let permanent = class == "5";
    use Reason::*;
    Some(match (subject, detail) {
        (1, 1) | (1, 3) | (1, 4) | (1, 5) => UserUnknown,
        (1, 2) => HostUnknown,
        (1, 6) => HasMoved,
        (1, 7) | (1, 8) => Rejected,
        // Microsoft uses x.1.10 for "recipient not found"; a null MX (RFC 7505)
        // says so in words, which the phrase table catches first.
        (1, 10) => UserUnknown,
        (2, 1) => Suspend,
        (2, 2) => MailboxFull,
        (2, 3) => ExceedLimit,
        (2, 4) => SystemError,
        (3, 0) | (3, 3) | (3, 5) => SystemError,
        (3, 1) => SystemFull,
        (3, 2) => NotAccept,
        (3, 4) => MesgTooBig,
        (4, 1) | (4, 2) | (4, 6) | (4, 0) => NetworkError,
        (4, 3) => SystemError,
        (4, 4) if permanent => HostUnknown,
        (4, 4) => NetworkError,
        (4, 5) => TooManyConn,
        (4, 7) => Expired,
        (5, 3) => TooManyConn,
        // x.5.0 is "other or undefined protocol status": no reason at all.
        (5, 0) => return None,
        (5, _) => SyntaxError,
        (6, _) => ContentError,
        (7, 13) | (7, 14) => Suspend,
        (7, 23) | (7, 24) | (7, 26) | (7, 27) => AuthFailure,
        (7, 25) => RequirePtr,
        (7, 5) | (7, 6) | (7, 7) | (7, 9) | (7, 10) | (7, 11) | (7, 8) => SecurityError,
        (7, 4) => SecurityError,
        (7, 2) => Rejected,
        (7, 3) => SecurityError,
        (7, 12) => SecurityError,
        (7, 15) | (7, 16) | (7, 17) => PolicyViolation,
        (7, 18) | (7, 19) | (7, 20) | (7, 21) | (7, 22) => AuthFailure,
        (7, 30) => SecurityError,
        _ => return None,
    })
}

/// The reason an SMTP reply code gives on its own (weakest evidence).
pub fn reason_from_reply_code(code: &str) -> Option<Reason> {
    use Reason::*;
    Some(match code {
        "421" => SystemError,
        // 550 alone is "mailbox unavailable" for any reason, policy included:
        // too weak to call an address dead.
        "451" => SystemError,
        "452" => MailboxFull,
        "552" => MailboxFull,
        "553" => UserUnknown,
        "554" => Filtered,
        "500" | "501" | "502" | "503" | "504" => SyntaxError,
        "523" => MesgTooBig,
        "571" => Blocked,
        _ => return None,
    })
}

/// The SMTP command an error answered, when the text says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpCommand {
    Connect,
    Helo,
    MailFrom,
    RcptTo,
    Data,
}

/// How MTAs say which command an error answered (lower case). The marker
/// found last in the text wins, as in a session transcript.
const COMMAND_MARKERS: &[(&str, SmtpCommand)] = &[
    ("in reply to end of data command", SmtpCommand::Data),
    ("in reply to data command", SmtpCommand::Data),
    ("after end of data", SmtpCommand::Data),
    ("our final data", SmtpCommand::Data),
    ("after data", SmtpCommand::Data),
    ("in reply to rcpt to command", SmtpCommand::RcptTo),
    ("after rcpt to", SmtpCommand::RcptTo),
    ("our rcpt to", SmtpCommand::RcptTo),
    ("<<< rcpt to", SmtpCommand::RcptTo),
    ("after rcpt command", SmtpCommand::RcptTo),
    // qmail says which stage failed in its own words.
    ("does not like recipient", SmtpCommand::RcptTo),
    ("failed after i sent the message", SmtpCommand::Data),
    // qmail: "no SMTP connection got far enough; most progress was RCPT TO response".
    ("most progress was rcpt to", SmtpCommand::RcptTo),
    // Oracle Messaging Server: "Reason: Remote SMTP server has rejected address".
    ("server has rejected address", SmtpCommand::RcptTo),
    // Exchange's "Technical details: SMTP:RCPT host 192.0.2.1: 550 …".
    ("smtp:rcpt host", SmtpCommand::RcptTo),
    ("in reply to mail from command", SmtpCommand::MailFrom),
    ("after mail from", SmtpCommand::MailFrom),
    ("our mail from", SmtpCommand::MailFrom),
    ("in reply to helo command", SmtpCommand::Helo),
    ("after ehlo", SmtpCommand::Helo),
    ("after helo", SmtpCommand::Helo),
    ("in reply to ehlo command", SmtpCommand::Helo),
    ("refused to talk to me", SmtpCommand::Connect),
    ("after initial connection", SmtpCommand::Connect),
    ("smtp command data", SmtpCommand::Data),
    ("smtp command rcpt", SmtpCommand::RcptTo),
    ("smtp command mail", SmtpCommand::MailFrom),
];

/// The SMTP command a diagnostic or transcript says the error answered.
pub fn find_command(text: &str) -> Option<SmtpCommand> {
    static MARKERS: LazyLock<MarkerSet> = LazyLock::new(|| {
        let phrases: Vec<&str> = COMMAND_MARKERS.iter().map(|(m, _)| *m).collect();
        MarkerSet::new(&phrases)
    });
    if text.contains(">>>")
        && let Some(c) = transcript_command(&text.to_ascii_lowercase())
    {
        return Some(c);
    }
    // Every marker contains one of these words; most texts have none of them,
    // and then the whitespace-normalising copy is not needed.
    static TRIGGERS: LazyLock<MarkerSet> = LazyLock::new(|| {
        MarkerSet::new(&[
            "reply to",
            "after",
            "our ",
            "talk to",
            "smtp command",
            "<<<",
            "most progress",
            "does not like",
            "failed after",
            "smtp:rcpt",
            "rejected address",
        ])
    });
    if !TRIGGERS.any(text) {
        return None;
    }
    MARKERS
        .last(&squeeze(text))
        .map(|(_, _, i)| COMMAND_MARKERS[i].1)
}

/// The SMTP command a transcript line `>>> RCPT To:<…>` sent (the text after
/// `>>> `, lower case); `None` for commands that no error is attributed to.
pub fn sent_command(line: &str) -> Option<SmtpCommand> {
    match line.split_whitespace().next().unwrap_or("") {
        "data" => Some(SmtpCommand::Data),
        "rcpt" => Some(SmtpCommand::RcptTo),
        "mail" => Some(SmtpCommand::MailFrom),
        "helo" | "ehlo" => Some(SmtpCommand::Helo),
        _ => None,
    }
}

/// In a session transcript (`>>> RCPT To:<…>` / `<<< 550 …`), the command
/// sent last before the first error reply. With pipelining the RCPT replies
/// arrive after `>>> DATA` was sent; a later `503` ("need RCPT") to DATA
/// shows that the error answered RCPT.
fn transcript_command(lower: &str) -> Option<SmtpCommand> {
    let mut last = None;
    let mut lines = lower.lines().map(str::trim_start);
    let mut found = None;
    for line in lines.by_ref() {
        if let Some(cmd) = line.strip_prefix(">>> ") {
            last = sent_command(cmd).or(last);
        } else if let Some(reply) = line.strip_prefix("<<< ")
            && (reply.starts_with('4') || reply.starts_with('5'))
            && !reply.starts_with("503")
        {
            found = Some(last);
            break;
        }
    }
    let found = found?;
    let rejects_data_for_want_of_recipients = |l: &str| {
        l.starts_with("<<< 503")
            || l.starts_with("<<<")
                && (l.contains("no valid recipients") || l.contains("need rcpt"))
    };
    if found == Some(SmtpCommand::Data) && lines.any(rejects_data_for_want_of_recipients) {
        return Some(SmtpCommand::RcptTo);
    }
    found
}

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

/// Where a reason came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Text,
    Status,
    WeakText,
    Other,
}

/// Decides the reason for one recipient.
pub fn decide(e: &Evidence<'_>) -> Reason {
    let action = e.action.map(|a| a.trim().to_ascii_lowercase());
    if let Some(action) = &action
        && matches!(action.as_str(), "delivered" | "relayed" | "expanded")
    {
        return Reason::Delivered;
    }
    if let Some(hint) = e.hint {
        return hint;
    }
    let delayed = action.as_deref() == Some("delayed");
    let (reason, source) = first_reason(e);
    adjust(reason, source, e, delayed)
}

fn first_reason(e: &Evidence<'_>) -> (Reason, Source) {
    let text = e.diagnostic;
    let status = e
        .status
        .filter(|s| !s.ends_with(".0.0") && !s.starts_with("2."));
    if let Some(r) = reason_from_text(text) {
        return (r, Source::Text);
    }
    if let Some(r) = e.fallback {
        return (r, Source::Status);
    }
    if let Some(r) = status.and_then(reason_from_status) {
        return (r, Source::Status);
    }
    if let Some(r) = reason_from_weak_text(explanation(text)) {
        return (r, Source::WeakText);
    }
    if let Some(r) = e.reply_code.and_then(reason_from_reply_code) {
        return (r, Source::Other);
    }
    // An error text that says nothing we can classify is held for review;
    // with no text at all, nothing can be told.
    if text.trim().is_empty() {
        return (Reason::Undefined, Source::Other);
    }
    (Reason::OnHold, Source::Other)
}

/// Postfix-style rejections name the rule, then why: "Recipient address
/// rejected: <why>". When the specific table found nothing, the generic words
/// are read in the why alone: the prefix says only that the address was
/// refused, not that it does not exist ("…rejected: Greylisted", "…rejected:
/// On hold"). Without a why ("Address rejected.") the whole text is read.
fn explanation(text: &str) -> &str {
    const PREFIX: &str = "address rejected:";
    let lower = text.to_ascii_lowercase();
    match lower.find(PREFIX) {
        Some(at) => text.get(at + PREFIX.len()..).unwrap_or(text),
        None => text,
    }
}

const NETWORK_WORDS: &[&str] = &[
    "connection timed out",
    "timed out in connect",
    "host not reachable",
];

/// Corrections that depend on more than the words: the SMTP command the
/// error answered, whether the report is final, and the status detail.
fn adjust(reason: Reason, source: Source, e: &Evidence<'_>, delayed: bool) -> Reason {
    use Reason::*;
    // RFC 3463 x.1.6: moved, no forwarding address; more specific than any
    // "not our user" wording that comes with it.
    if e.status.is_some_and(|s| s.get(1..) == Some(".1.6"))
        && reason.group() == super::reason::Group::Address
    {
        return HasMoved;
    }
    // Errors answering MAIL FROM are about the sender, not the recipient.
    if e.command == Some(SmtpCommand::MailFrom) {
        let generic = matches!(
            reason,
            UserUnknown | HostUnknown | Undefined | OnHold | SystemError | Filtered
        ) || reason == Blocked && source != Source::Text;
        if generic {
            return Rejected;
        }
    }
    // Refused at the greeting (HELO/EHLO) or on connection: the recipient was
    // never named, so the refusal is of the sending host.
    if matches!(e.command, Some(SmtpCommand::Helo | SmtpCommand::Connect))
        && matches!(
            reason,
            Undefined | OnHold | UserUnknown | Filtered | Rejected
        )
    {
        return Blocked;
    }
    // "example.com does not exist": what is missing is the domain.
    if reason == UserUnknown && DOMAIN_MISSING_RE.is_match(e.diagnostic) {
        return HostUnknown;
    }
    // A mailbox provider's published reply for an account that does not
    // exist is its directory speaking, at whatever stage and under whatever
    // status it comes (Yahoo answers after DATA, Yandex with x.7.1).
    if reason == UserUnknown && PROVIDER_MAILBOX_REPLIES.any(e.diagnostic) {
        return UserUnknown;
    }
    // An address "unknown" only after the message body was sent is a content
    // filter speaking: the same server accepted the recipient at RCPT TO.
    if reason == UserUnknown && e.command == Some(SmtpCommand::Data) {
        return Filtered;
    }
    // "User unknown" under a policy status (x.7.x: delivery not authorised)
    // is a filter's answer, not a statement about the mailbox, even at RCPT
    // TO; unless the mailbox host's own directory said it.
    if reason == UserUnknown && !e.own_lookup && e.status.is_some_and(is_policy_status) {
        return Filtered;
    }
    // "User unknown" relayed from another server without the SMTP command it
    // answered, and without a mailbox status (x.1.x, x.2.1) to back it, is
    // not proof that the mailbox is gone: filters and relays answer "unknown"
    // at other stages too. Unless the reporting system looked the recipient
    // up itself, it is `filtered` (soft), and the address is not removed on
    // its account.
    if reason == UserUnknown
        && source != Source::Status
        && !e.own_lookup
        && !matches!(e.command, Some(SmtpCommand::RcptTo))
        && !e.status.is_some_and(is_mailbox_status)
    {
        return Filtered;
    }
    // RFC 3463 x.2.3 is the administrative size limit, whatever the words.
    if reason == MesgTooBig && e.status.is_some_and(|s| s.get(1..) == Some(".2.3")) {
        return ExceedLimit;
    }
    if delayed && source != Source::Text {
        return Expired;
    }
    // A delay warning about a connection problem has not expired yet.
    if delayed
        && reason == Expired
        && NETWORK_WORDS
            .iter()
            .any(|w| e.diagnostic.to_ascii_lowercase().contains(w))
    {
        return NetworkError;
    }
    reason
}

/// Why a stored verdict reads as it does, for the cases where the label alone
/// may surprise a reader of the diagnostic (a "User unknown" text labelled
/// `filtered`). `None` when the label speaks for itself.
pub fn why(reason: Reason, status: Option<&str>, diagnostic: &str) -> Option<&'static str> {
    let says_unknown = matches!(
        reason_from_text(diagnostic).or_else(|| reason_from_weak_text(explanation(diagnostic))),
        Some(Reason::UserUnknown)
    );
    match reason {
        Reason::Filtered if says_unknown && status.is_some_and(is_policy_status) => Some(
            "The text says the address is unknown, but under a policy status code (x.7, \
             delivery not authorised): a filter refused the message. Not counted as a hard bounce.",
        ),
        Reason::Filtered if says_unknown => Some(
            "The text says the address is unknown, but the report does not show the \
             recipient's server saying so when the address was given (RCPT TO), and no \
             mailbox status code backs it: a filter or relay may be speaking. Not counted \
             as a hard bounce.",
        ),
        Reason::OnHold => Some("The error text names no reason we recognise; kept for review."),
        Reason::Undefined => Some("The report carries no error text."),
        _ => None,
    }
}

/// Providers' published replies for a mailbox that does not exist, sent with
/// an x.7 status code.
static PROVIDER_MAILBOX_REPLIES: LazyLock<MarkerSet> =
    LazyLock::new(|| MarkerSet::new(super::phrases::PROVIDER_MAILBOX_REPLIES));

/// RFC 3463 x.7.x: security or policy status ("delivery not authorised").
fn is_policy_status(status: &str) -> bool {
    status.get(1..3) == Some(".7")
}

/// RFC 3463 codes that speak of the mailbox itself: x.1.x (addressing) and
/// x.2.1 (mailbox disabled).
pub fn is_mailbox_status(status: &str) -> bool {
    let detail = status.get(1..).unwrap_or("");
    detail.starts_with(".1.") || detail == ".2.1"
}

static DOMAIN_MISSING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[\s<(\[])(?:[a-z0-9-]+\.)+[a-z]{2,}>?\s+does not exist")
        .unwrap_or_else(|_| unreachable_regex())
});

static STATUS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)")
        .unwrap_or_else(|_| unreachable_regex())
});
static REPLY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z.#-])([245][0-9]{2})(?:[ ,;-]|$)")
        .unwrap_or_else(|_| unreachable_regex())
});

/// A regex that matches nothing: the fallback for a static pattern that could
/// not be compiled (a bug the tests catch), so that no input can panic.
pub(crate) fn unreachable_regex() -> Regex {
    Regex::new("$^").unwrap_or_else(|_| std::process::abort())
}

/// The first RFC 3463 status code written in a text (`5.1.1`, `4.7.0`).
pub fn find_status(text: &str) -> Option<String> {
    STATUS_RE.captures(text).map(|c| c[1].to_string())
}

/// The first SMTP reply code written in a text (`550`, `452`).
pub fn find_reply_code(text: &str) -> Option<String> {
    REPLY_RE
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .find(|code| {
            let n: u32 = code.parse().unwrap_or(0);
            (421..=559).contains(&n) || n == 250
        })
}

static CONTINUATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s([245][0-9]{2})(?:-|\s(?:[245]\.[0-9]{1,3}\.[0-9]{1,3}\s)?)(?:[245]\.[0-9]{1,3}\.[0-9]{1,3}\s)?")
        .unwrap_or_else(|_| unreachable_regex())
});

/// Removes the reply-code prefixes that multi-line SMTP replies repeat on
/// every line (`550-5.7.1 … 550-5.7.1 … 550 5.7.1 …`), keeping the first, so
/// that phrases broken across lines read whole again.
pub fn join_reply_lines(text: &str) -> String {
    let Some(first) = find_reply_code(text) else {
        return text.to_string();
    };
    let Some(first_at) = text.find(first.as_str()) else {
        return text.to_string();
    };
    let head_end = first_at + first.len() + 1;
    if head_end >= text.len() || !text.is_char_boundary(head_end) {
        return text.to_string();
    }
    let (head, tail) = text.split_at(head_end);
    let tail = CONTINUATION_RE.replace_all(tail, |c: &regex::Captures<'_>| {
        if c[1] == first {
            " ".to_string()
        } else {
            c[0].to_string()
        }
    });
    format!("{head}{tail}")
}

/// Collapses runs of whitespace into single spaces and trims.
pub fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
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
    fn the_phrase_tables_compile() {
        assert!(STRONG.automaton.is_some());
        assert!(WEAK.automaton.is_some());
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

    #[test]
    fn short_phrases_match_whole_words_only() {
        assert_eq!(reason_from_weak_text("produced by"), None);
    }
}
