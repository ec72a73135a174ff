//! RFC 3463 enhanced status codes: finding them in a text and what one says
//! on its own.

use std::sync::LazyLock;

use regex::Regex;

use super::unreachable_regex;
use crate::bounce::reason::Reason;

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

/// RFC 3463 x.7.x: security or policy status ("delivery not authorised").
pub fn is_policy_status(status: &str) -> bool {
    status.get(1..3) == Some(".7")
}

/// RFC 3463 codes that speak of the mailbox itself: x.1.x (addressing) and
/// x.2.1 (mailbox disabled).
pub fn is_mailbox_status(status: &str) -> bool {
    let detail = status.get(1..).unwrap_or("");
    detail.starts_with(".1.") || detail == ".2.1"
}

static STATUS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)")
        .unwrap_or_else(|_| unreachable_regex())
});

/// The first RFC 3463 status code written in a text (`5.1.1`, `4.7.0`).
pub fn find_status(text: &str) -> Option<String> {
    STATUS_RE.captures(text).map(|c| c[1].to_string())
}
