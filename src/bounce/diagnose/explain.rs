//! The decision in words: which rule decided, on what evidence, for the
//! review pane's evidence and the bounce report's `note`.

use super::rules::{Decision, Rule};
use super::stage::SmtpCommand;
use super::status::is_policy_status;
use super::words::{explanation, reason_from_text, reason_from_weak_text};
use crate::bounce::reason::Reason;

/// One sentence: the reason's label, then what decided it ("Address does not
/// exist: the words “user unknown” in the reply to RCPT TO decide.").
pub fn note(d: &Decision, stage: Option<SmtpCommand>) -> String {
    let label = d.reason.label();
    let words = d.words.as_deref().unwrap_or("");
    let to = stage
        .map(stage_name)
        .map_or(String::new(), |s| format!(" in the reply to {s}"));
    let read = match d.basis {
        Rule::Action => format!("the report's Action field says “{words}”"),
        Rule::FormatCode => "the report's own format states it".to_string(),
        Rule::Words => format!("the words “{words}”{to}"),
        Rule::FormatFallback => "the report's format (a local delivery program failed)".to_string(),
        Rule::StatusCode => {
            format!("the status code {words} (RFC 3463){to}; the words name no reason")
        }
        Rule::GenericWords => format!("the generic words “{words}”{to}"),
        Rule::DefaultText => {
            format!("the reply's default text “{words}”{to} (RFC 5321; given for any refusal)")
        }
        Rule::ReplyCode => format!("only the SMTP reply code {words}{to}"),
        Rule::NoText => "the report carries no error text".to_string(),
        _ => "the error text names no reason we recognise; kept for review".to_string(),
    };
    let corrected = match d.rule {
        Rule::MovedStatus => " Status x.1.6 says the mailbox moved, with no forwarding address.",
        Rule::StorageBeforeRecipient => {
            " It came before any recipient was named: the receiving server's storage, not the mailbox."
        }
        Rule::HostNamedForSpam => {
            " The refusal names your sending IP or host: a block of the host, not a judgement of this message."
        }
        Rule::SenderRefused => {
            " The error answered MAIL FROM: your sender address was refused, not the recipient."
        }
        Rule::HostRefused => {
            " The error came before any recipient was named (greeting or connection): your sending host was refused."
        }
        Rule::DomainMissing => " The text says the domain does not exist.",
        Rule::ProviderDirectory => {
            " This is the mailbox provider's own published reply for an account that does not exist."
        }
        Rule::OwnLookupWords => {
            " The reply names the table or directory its server looked the address up in: the mailbox system's own finding."
        }
        Rule::UnknownAfterData => {
            " But it came after the message body (DATA), when the recipient had been accepted: a content filter spoke. Not counted as a hard bounce."
        }
        Rule::UnknownUnderPolicy => {
            " But under a policy status code (x.7, delivery not authorised): a filter refused the message. Not counted as a hard bounce."
        }
        Rule::UnknownUnbacked => {
            " But the report does not show the recipient's server saying so when the address was given (RCPT TO), and no mailbox status code backs it: a filter or relay may be speaking. Not counted as a hard bounce."
        }
        Rule::AdministrativeLimit => " Status x.2.3 is an administrative size limit.",
        Rule::StillQueued => " The report is a delay warning: the message is still queued.",
        Rule::DelayedConnection => {
            " The report is a delay warning about a connection problem: not expired yet."
        }
        _ => "",
    };
    format!("{label}: {read}.{corrected}")
}

/// The note of a reason a report's format states outright, naming the
/// format ("an ARF feedback report (RFC 5965)", "an RFC 3834 automatic
/// reply", an MTA family's own code).
pub fn format_note(reason: Reason, decoder: &str) -> String {
    let what = match decoder {
        "ARF" => "an ARF feedback report (RFC 5965) or a provider's complaint notice".to_string(),
        "RFC3834" => "an automatic reply (RFC 3834 Auto-Submitted, or its subject)".to_string(),
        other => format!("{other}'s own report format"),
    };
    format!("{}: {what} says so.", reason.label())
}

fn stage_name(c: SmtpCommand) -> &'static str {
    match c {
        SmtpCommand::Connect => "the connection",
        SmtpCommand::Helo => "HELO/EHLO",
        SmtpCommand::MailFrom => "MAIL FROM",
        SmtpCommand::RcptTo => "RCPT TO",
        SmtpCommand::Data => "DATA",
    }
}

/// Why a stored verdict reads as it does, for the cases where the label alone
/// may surprise a reader of the diagnostic (a "User unknown" text labelled
/// `filtered`), for bounces stored before the deciding rule was kept. `None`
/// when the label speaks for itself.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounce::diagnose::{Evidence, decide_with_rule};

    #[test]
    fn the_note_names_the_words_and_the_stage() {
        let e = Evidence {
            action: Some("failed"),
            status: Some("5.1.1"),
            diagnostic: "550 5.1.1 <anna@example.org>: User unknown",
            command: Some(SmtpCommand::RcptTo),
            ..Evidence::default()
        };
        let n = note(&decide_with_rule(&e), e.command);
        assert_eq!(
            n,
            "Address does not exist: the words “User unknown” in the reply to RCPT TO."
        );
        let e = Evidence {
            command: Some(SmtpCommand::Data),
            ..e
        };
        let n = note(&decide_with_rule(&e), e.command);
        assert!(n.starts_with("Rejected by a filter at the recipient: the words “User unknown” in the reply to DATA. But it came after the message body"), "{n}");
    }
}
