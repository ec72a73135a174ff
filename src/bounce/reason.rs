//! The vocabulary of the verdict: reasons, the group each belongs to, and the
//! kind each group has (BOUNCES.md, "Reasons, groups and kinds").
//!
//! Reason names follow the Sisimai vocabulary so that results can be compared
//! with it. Deciding *which* reason applies lives in [`super::classify`].

use serde::Serialize;

/// Why a delivery failed (or what else the message reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    // address
    UserUnknown,
    HostUnknown,
    HasMoved,
    NotAccept,
    // mailbox
    MailboxFull,
    Suspend,
    // transient
    Expired,
    NetworkError,
    SystemError,
    SystemFull,
    TooManyConn,
    MailerError,
    // sender-side
    Blocked,
    BadReputation,
    AuthFailure,
    RequirePtr,
    SpamDetected,
    PolicyViolation,
    NoRelaying,
    Speeding,
    Rejected,
    SecurityError,
    VirusDetected,
    ContentError,
    NotCompliantRfc,
    Filtered,
    SyntaxError,
    MesgTooBig,
    ExceedLimit,
    // others
    Feedback,
    Vacation,
    Delivered,
    Undefined,
    OnHold,
}

/// What a reason says about the subscriber's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Address,
    Mailbox,
    Transient,
    SenderSide,
    Complaint,
    AutoReply,
    Delivered,
    Undetermined,
}

/// The `kind` field of the JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Hard,
    Soft,
    Complaint,
    AutoReply,
    Delivered,
    Undetermined,
}

impl Reason {
    pub const ALL: [Reason; 34] = [
        Reason::UserUnknown,
        Reason::HostUnknown,
        Reason::HasMoved,
        Reason::NotAccept,
        Reason::MailboxFull,
        Reason::Suspend,
        Reason::Expired,
        Reason::NetworkError,
        Reason::SystemError,
        Reason::SystemFull,
        Reason::TooManyConn,
        Reason::MailerError,
        Reason::Blocked,
        Reason::BadReputation,
        Reason::AuthFailure,
        Reason::RequirePtr,
        Reason::SpamDetected,
        Reason::PolicyViolation,
        Reason::NoRelaying,
        Reason::Speeding,
        Reason::Rejected,
        Reason::SecurityError,
        Reason::VirusDetected,
        Reason::ContentError,
        Reason::NotCompliantRfc,
        Reason::Filtered,
        Reason::SyntaxError,
        Reason::MesgTooBig,
        Reason::ExceedLimit,
        Reason::Feedback,
        Reason::Vacation,
        Reason::Delivered,
        Reason::Undefined,
        Reason::OnHold,
    ];

    /// The reason code as written in exports and the JSON contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::UserUnknown => "userunknown",
            Reason::HostUnknown => "hostunknown",
            Reason::HasMoved => "hasmoved",
            Reason::NotAccept => "notaccept",
            Reason::MailboxFull => "mailboxfull",
            Reason::Suspend => "suspend",
            Reason::Expired => "expired",
            Reason::NetworkError => "networkerror",
            Reason::SystemError => "systemerror",
            Reason::SystemFull => "systemfull",
            Reason::TooManyConn => "toomanyconn",
            Reason::MailerError => "mailererror",
            Reason::Blocked => "blocked",
            Reason::BadReputation => "badreputation",
            Reason::AuthFailure => "authfailure",
            Reason::RequirePtr => "requireptr",
            Reason::SpamDetected => "spamdetected",
            Reason::PolicyViolation => "policyviolation",
            Reason::NoRelaying => "norelaying",
            Reason::Speeding => "speeding",
            Reason::Rejected => "rejected",
            Reason::SecurityError => "securityerror",
            Reason::VirusDetected => "virusdetected",
            Reason::ContentError => "contenterror",
            Reason::NotCompliantRfc => "notcompliantrfc",
            Reason::Filtered => "filtered",
            Reason::SyntaxError => "syntaxerror",
            Reason::MesgTooBig => "mesgtoobig",
            Reason::ExceedLimit => "exceedlimit",
            Reason::Feedback => "feedback",
            Reason::Vacation => "vacation",
            Reason::Delivered => "delivered",
            Reason::Undefined => "undefined",
            Reason::OnHold => "onhold",
        }
    }

    /// Reads a reason code.
    pub fn parse(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == code)
    }

    pub fn group(self) -> Group {
        use Reason::*;
        match self {
            UserUnknown | HostUnknown | HasMoved | NotAccept => Group::Address,
            MailboxFull | Suspend => Group::Mailbox,
            Expired | NetworkError | SystemError | SystemFull | TooManyConn | MailerError => {
                Group::Transient
            }
            Blocked | BadReputation | AuthFailure | RequirePtr | SpamDetected | PolicyViolation
            | NoRelaying | Speeding | Rejected | SecurityError | VirusDetected | ContentError
            | NotCompliantRfc | Filtered | SyntaxError | MesgTooBig | ExceedLimit => {
                Group::SenderSide
            }
            Feedback => Group::Complaint,
            Vacation => Group::AutoReply,
            Delivered => Group::Delivered,
            Undefined | OnHold => Group::Undetermined,
        }
    }

    /// A plain-language label for the window and the exports.
    pub fn label(self) -> &'static str {
        use Reason::*;
        match self {
            UserUnknown => "Address does not exist",
            HostUnknown => "Domain does not exist",
            HasMoved => "Address has moved",
            NotAccept => "Domain accepts no mail",
            MailboxFull => "Mailbox full",
            Suspend => "Mailbox suspended or disabled",
            Expired => "Gave up after retrying",
            NetworkError => "Network or DNS problem",
            SystemError => "Error on the receiving server",
            SystemFull => "Receiving server out of disk space",
            TooManyConn => "Too many connections to the receiving server",
            MailerError => "Local delivery program failed",
            Blocked => "Blocked by the receiving server (your sending IP or host)",
            BadReputation => "Blocked by the receiving server (your sending reputation)",
            AuthFailure => "Rejected: SPF / DKIM / DMARC authentication failed",
            RequirePtr => "Rejected: your sending server has no valid reverse DNS",
            SpamDetected => "Rejected as spam by the receiving server",
            PolicyViolation => "Rejected by the receiving server's policy",
            NoRelaying => "Relaying denied",
            Speeding => "Rate limited: sending too fast",
            Rejected => "Your sender address was rejected",
            SecurityError => "Rejected for a security reason",
            VirusDetected => "Rejected: a virus was detected",
            ContentError => "Rejected: message format or content",
            NotCompliantRfc => "Rejected: message does not follow the standards",
            Filtered => "Rejected by a filter at the recipient",
            SyntaxError => "SMTP syntax error on the sending side",
            MesgTooBig => "Message too large",
            ExceedLimit => "Message exceeds a size limit",
            Feedback => "Marked as spam by the reader",
            Vacation => "Automatic reply (out of office)",
            Delivered => "Delivered",
            Undefined => "Could not tell why",
            OnHold => "Not enough information to tell",
        }
    }
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Address => "address",
            Group::Mailbox => "mailbox",
            Group::Transient => "transient",
            Group::SenderSide => "sender-side",
            Group::Complaint => "complaint",
            Group::AutoReply => "auto-reply",
            Group::Delivered => "delivered",
            Group::Undetermined => "undetermined",
        }
    }
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hard => "hard",
            Kind::Soft => "soft",
            Kind::Complaint => "complaint",
            Kind::AutoReply => "auto_reply",
            Kind::Delivered => "delivered",
            Kind::Undetermined => "undetermined",
        }
    }
}

/// The kind of a recipient's outcome. `notaccept` is hard unless the evidence
/// reads as temporary (a 4xx code found first, or the words "temporar" /
/// "persistent"), as the corpus README's rule says.
pub fn kind_of(reason: Reason, status: Option<&str>, reply_code: Option<&str>, text: &str) -> Kind {
    match reason.group() {
        Group::Address if reason == Reason::NotAccept => {
            if notaccept_is_temporary(status, reply_code, text) {
                Kind::Soft
            } else {
                Kind::Hard
            }
        }
        Group::Address => Kind::Hard,
        Group::Mailbox | Group::Transient | Group::SenderSide => Kind::Soft,
        Group::Complaint => Kind::Complaint,
        Group::AutoReply => Kind::AutoReply,
        Group::Delivered => Kind::Delivered,
        Group::Undetermined => Kind::Undetermined,
    }
}

fn notaccept_is_temporary(status: Option<&str>, reply_code: Option<&str>, text: &str) -> bool {
    let first = status.or(reply_code).and_then(|s| s.chars().next());
    match first {
        Some('5') => false,
        Some('4') => true,
        _ => {
            let lower = text.to_ascii_lowercase();
            lower.contains(" temporar") || lower.contains(" persistent")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips_through_its_code() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn notaccept_is_soft_only_when_temporary() {
        assert_eq!(
            kind_of(Reason::NotAccept, Some("4.0.0"), None, ""),
            Kind::Soft
        );
        assert_eq!(
            kind_of(Reason::NotAccept, Some("5.1.10"), None, ""),
            Kind::Hard
        );
        assert_eq!(
            kind_of(Reason::NotAccept, None, None, "null MX"),
            Kind::Hard
        );
    }

    #[test]
    fn sender_side_reasons_are_soft_even_when_permanent() {
        assert_eq!(
            kind_of(Reason::Blocked, Some("5.7.1"), Some("550"), ""),
            Kind::Soft
        );
    }
}
