//! From the evidence of one recipient (status code, SMTP reply code,
//! diagnostic text, action) to a [`Reason`].
//!
//! The text decides when it is clear ("a 5.1.1 whose text says spam is not
//! userunknown"); otherwise the RFC 3463 status code, then generic words, then
//! the SMTP reply code. The phrase tables are data in [`super::phrases`].

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::phrases::{PHRASES, WEAK_PHRASES};
use super::reason::Reason;

/// A compiled phrase table: one automaton, and for each pattern its table rank.
struct Table {
    automaton: AhoCorasick,
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
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .unwrap_or_else(|_| AhoCorasick::new(Vec::<&str>::new()).expect("empty automaton"));
        Table { automaton, rank }
    }

    /// The reason of the best-ranked phrase found in `text`.
    fn lookup(&self, text: &str) -> Option<Reason> {
        self.automaton
            .find_overlapping_iter(text)
            .filter(|m| word_bounded(text, m.start(), m.end()))
            .map(|m| self.rank[m.pattern().as_usize()])
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, reason)| reason)
    }
}

/// Short phrases must not match inside a longer word ("uce" in "produced").
fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    let is_word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    let first_is_word = bytes.get(start).is_some_and(|b| b.is_ascii_alphanumeric());
    let last_is_word = end > 0 && bytes[end - 1].is_ascii_alphanumeric();
    !(first_is_word && is_word(before)) && !(last_is_word && is_word(after))
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
        (1, 10) => NotAccept,
        (2, 1) => Suspend,
        (2, 2) => MailboxFull,
        (2, 3) => ExceedLimit,
        (2, 4) => SystemError,
        (3, 0) | (3, 3) | (3, 5) => SystemError,
        (3, 1) => SystemFull,
        (3, 2) => NotAccept,
        (3, 4) => MesgTooBig,
        (4, 1) | (4, 2) | (4, 3) | (4, 6) | (4, 0) => NetworkError,
        (4, 4) if permanent => HostUnknown,
        (4, 4) => NetworkError,
        (4, 5) => TooManyConn,
        (4, 7) => Expired,
        (5, 3) => TooManyConn,
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
        "450" | "550" => UserUnknown,
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

/// Everything known about one failed recipient, for deciding the reason.
#[derive(Debug, Default, Clone, Copy)]
pub struct Evidence<'a> {
    pub action: Option<&'a str>,
    pub status: Option<&'a str>,
    pub reply_code: Option<&'a str>,
    pub diagnostic: &'a str,
    /// A reason the MTA family's format states outright (e.g. its own error code).
    pub hint: Option<Reason>,
}

/// Decides the reason for one recipient.
pub fn decide(e: &Evidence<'_>) -> Reason {
    if let Some(action) = e.action {
        let action = action.trim().to_ascii_lowercase();
        if matches!(action.as_str(), "delivered" | "relayed" | "expanded") {
            return Reason::Delivered;
        }
    }
    let text = e.diagnostic;
    let status = e
        .status
        .filter(|s| !s.ends_with(".0.0") && !s.starts_with("2."));
    let specific_status = status.and_then(reason_from_status);
    if let Some(hint) = e.hint {
        return hint;
    }
    if let Some(r) = reason_from_text(text) {
        return r;
    }
    if let Some(r) = specific_status {
        return r;
    }
    if let Some(r) = reason_from_weak_text(text) {
        return r;
    }
    let delayed = e
        .action
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("delayed"));
    if delayed {
        return Reason::Expired;
    }
    if let Some(r) = e.reply_code.and_then(reason_from_reply_code) {
        return r;
    }
    if text.trim().is_empty() && e.status.is_none() {
        return Reason::OnHold;
    }
    Reason::Undefined
}

static STATUS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)")
        .unwrap_or_else(|_| unreachable_regex())
});
static REPLY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z.#-])([245][0-9]{2})(?:[ -]|$)")
        .unwrap_or_else(|_| unreachable_regex())
});

fn unreachable_regex() -> Regex {
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
            (421..=559).contains(&n) || (200..=299).contains(&n) && n == 250
        })
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
