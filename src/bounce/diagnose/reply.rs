//! SMTP reply codes (RFC 5321): finding them in a text, what one says on its
//! own, and multi-line replies read as one.

use std::sync::LazyLock;

use regex::Regex;

use super::unreachable_regex;
use crate::bounce::reason::Reason;

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

static REPLY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z.#-])([245][0-9]{2})(?:[ ,;-]|$)")
        .unwrap_or_else(|_| unreachable_regex())
});

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
