//! Delivery status notifications (RFC 3464, RFC 6533): the
//! `message/delivery-status` part → one raw finding per recipient block.
//!
//! Tolerates what MTAs really write: missing blank lines between blocks, an
//! `Original-Recipient` without a `Final-Recipient`, type prefixes
//! (`rfc822;`, `smtp;`, `X-Postfix;`) and folded long fields.

use super::RawFinding;
use super::address;
use super::diagnose;
use super::message::{Mail, parse_header_fields};
use super::text::Mentions;
use std::cell::OnceCell;

/// Fields of one recipient block, as written.
#[derive(Debug, Default)]
struct Block {
    final_recipient: Option<String>,
    original_recipient: Option<String>,
    action: Option<String>,
    status: Option<String>,
    diagnostic: Option<String>,
    remote_mta: Option<String>,
    last_attempt: Option<String>,
    actual_recipient: Option<String>,
}

impl Block {
    fn has_recipient(&self) -> bool {
        self.final_recipient.is_some() || self.original_recipient.is_some()
    }
}

/// Extracts per-recipient findings from a delivery-status body.
///
/// Blocks are the blank-line separated groups RFC 3464 prescribes; a group
/// holding several recipients (some MTAs leave the blank lines out) is split
/// where a recipient field repeats.
pub fn extract(mail: &Mail, status_part: &str) -> Vec<RawFinding> {
    let mut arrival = None;
    let mut blocks: Vec<Block> = Vec::new();
    for group in parse_groups(status_part) {
        let mut current = Block::default();
        let mut fields_since_final = 0usize;
        for (name, value) in group {
            let repeat = match name.as_str() {
                "final-recipient" => current.final_recipient.is_some(),
                "original-recipient" => {
                    current.original_recipient.is_some()
                        || current.final_recipient.is_some() && fields_since_final > 0
                }
                _ => false,
            };
            if repeat {
                blocks.push(std::mem::take(&mut current));
                fields_since_final = 0;
            }
            fields_since_final += 1;
            match name.as_str() {
                "final-recipient" => {
                    current.final_recipient = Some(value);
                    fields_since_final = 0;
                }
                "original-recipient" => current.original_recipient = Some(value),
                "x-actual-recipient" => {
                    if current.final_recipient.is_none() {
                        current.final_recipient = Some(value.clone());
                    }
                    current.actual_recipient = Some(value);
                }
                "action" => current.action = Some(value),
                "status" => current.status = Some(value),
                "diagnostic-code" => current.diagnostic = Some(value),
                "remote-mta" => current.remote_mta = Some(value),
                "last-attempt-date" => current.last_attempt = Some(value),
                "arrival-date" => arrival = Some(value),
                _ => {}
            }
        }
        if current.has_recipient() {
            blocks.push(current);
        }
    }
    let mentions = OnceCell::new();
    blocks
        .into_iter()
        .filter_map(|b| to_raw(mail, &mentions, b, arrival.as_deref()))
        .collect()
}

fn to_raw<'m>(
    mail: &'m Mail,
    mentions: &OnceCell<Mentions<'m>>,
    block: Block,
    arrival: Option<&str>,
) -> Option<RawFinding> {
    let original_recipient = block
        .original_recipient
        .as_deref()
        .and_then(address::from_dsn_field);
    // The final recipient is the one the failing server refused; without
    // one, the original stands in for it.
    let recipient = block
        .final_recipient
        .as_deref()
        .and_then(address::from_dsn_field)
        .or_else(|| original_recipient.clone())?;
    let diagnostic = block
        .diagnostic
        .as_deref()
        .map(strip_type)
        .unwrap_or_default()
        .to_string();
    // "X-Unix;" diagnostics come from the local delivery program (procmail,
    // a pipe), not from a mail server.
    let local_program = block
        .diagnostic
        .as_deref()
        .is_some_and(|d| d.trim_start().to_ascii_lowercase().starts_with("x-unix"))
        || block
            .actual_recipient
            .as_deref()
            .is_some_and(|a| strip_type(a).starts_with('|'));
    // No Diagnostic-Code: the notification's prose often gives the error
    // next to the address.
    let mut diagnostic = diagnostic;
    if diagnostic.trim().is_empty() {
        diagnostic = mentions
            .get_or_init(|| Mentions::new(&mail.text))
            .lines_about(&recipient)
            .unwrap_or_default();
    }
    let written_status = block.status.as_deref().and_then(diagnose::find_status);
    let diag_status = diagnose::find_status(&diagnostic);
    // "As written": prefer the Status field, but a generic x.0.0 there says
    // less than a specific code the diagnostic quotes.
    let status = match (written_status, diag_status) {
        (Some(w), Some(d)) if w.ends_with(".0.0") && !d.ends_with(".0.0") && w[..1] == d[..1] => {
            Some(d)
        }
        (Some(w), _) => Some(w),
        (None, d) => d,
    };
    Some(RawFinding {
        reply_code: diagnose::find_reply_code(&diagnostic),
        recipient,
        original_recipient,
        action: block.action.map(|a| first_word(&a)),
        status,
        diagnostic,
        remote_mta: block
            .remote_mta
            .as_deref()
            .map(strip_type)
            .map(str::to_string),
        date: block.last_attempt.or_else(|| arrival.map(str::to_string)),
        command: None,
        hint: None,
        fallback: local_program.then_some(super::Reason::MailerError),
        own_lookup: false,
    })
}

fn first_word(value: &str) -> String {
    value
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Drops a DSN type prefix (`smtp; `, `dns; `, `X-Postfix; `).
pub(crate) fn strip_type(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && kind.len() < 24 => rest.trim(),
        _ => value.trim(),
    }
}

/// The blank-line separated field groups of a delivery-status body.
fn parse_groups(body: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in body.split("\n\n") {
        let chunk = chunk.trim_matches('\n');
        if chunk.is_empty() {
            continue;
        }
        let mut fields = parse_header_fields(&format!("{chunk}\n\n"));
        if fields.is_empty() {
            fields = chunk
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
        }
        out.push(fields);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_blocks_are_read() {
        let body = "Reporting-MTA: dns; mx.example.com\nArrival-Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <a@example.org>: User unknown\n\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.2.2\n";
        let got = extract(&Mail::default(), body);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].recipient, "a@example.org");
        assert_eq!(got[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(got[0].reply_code.as_deref(), Some("550"));
        assert_eq!(got[1].action.as_deref(), Some("delayed"));
    }

    #[test]
    fn blocks_without_blank_lines_are_split() {
        let body = "Final-Recipient: rfc822; a@example.org\nStatus: 5.1.1\nFinal-Recipient: rfc822; b@example.org\nStatus: 5.2.2\n";
        let got = extract(&Mail::default(), body);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].status.as_deref(), Some("5.2.2"));
    }

    #[test]
    fn a_missing_diagnostic_is_taken_from_the_prose_with_its_status() {
        let mail = Mail {
            text: "Delivery failed for these recipients:\n\
                   <anna@example.org>: 550 5.2.2 mailbox full\n\
                   <bob@example.org>: 550 5.1.1 user unknown\n"
                .to_string(),
            ..Mail::default()
        };
        let body = "Final-Recipient: rfc822; anna@example.org\nAction: failed\nStatus: 5.0.0\n\n\
                    Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.0.0\n";
        let got = extract(&mail, body);
        assert_eq!(got.len(), 2);
        // Each takes its own line, not the next recipient's.
        assert_eq!(
            got[0].diagnostic,
            "<anna@example.org>: 550 5.2.2 mailbox full"
        );
        assert_eq!(
            got[1].diagnostic,
            "<bob@example.org>: 550 5.1.1 user unknown"
        );
        // A generic x.0.0 Status gives way to the specific code quoted there.
        assert_eq!(got[0].status.as_deref(), Some("5.2.2"));
        assert_eq!(got[1].status.as_deref(), Some("5.1.1"));
    }

    /// A standard report about one recipient block, `fields` given as written.
    fn report(fields: &str) -> Vec<u8> {
        format!(
            "From: MAILER-DAEMON@mx.example.net\n\
             To: bounces@news.example.com\n\
             Subject: Undelivered Mail Returned to Sender\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\
             \n\
             --r\n\
             Content-Type: text/plain\n\
             \n\
             The mail system\n\
             \n\
             --r\n\
             Content-Type: message/delivery-status\n\
             \n\
             Reporting-MTA: dns; mx.example.net\n\
             \n\
             {fields}\
             Action: failed\n\
             Status: 5.1.1\n\
             Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\
             \n\
             --r--\n"
        )
        .into_bytes()
    }

    fn findings(raw: &[u8]) -> Vec<crate::bounce::Finding> {
        crate::bounce::analyze(raw)
            .unwrap_or_else(|e| panic!("parse: {e}"))
            .findings
    }

    #[test]
    fn an_original_recipient_other_than_the_final_one_comes_through() {
        let got = findings(&report(
            "Original-Recipient: rfc822; Anna@Example.org\n\
             Final-Recipient: rfc822; anna.m@mail.example.org\n",
        ));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].recipient, "anna.m@mail.example.org");
        assert_eq!(
            got[0].original_recipient.as_deref(),
            Some("Anna@Example.org")
        );
    }

    #[test]
    fn an_original_recipient_equal_to_the_final_one_is_not_repeated() {
        let got = findings(&report(
            "Final-Recipient: rfc822; anna@example.org\n\
             Original-Recipient: rfc822;ANNA@example.org\n",
        ));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].recipient, "anna@example.org");
        assert_eq!(got[0].original_recipient, None);
        // Alone, it is the recipient.
        let got = findings(&report("Original-Recipient: rfc822; bob@example.org\n"));
        assert_eq!(got[0].recipient, "bob@example.org");
        assert_eq!(got[0].original_recipient, None);
    }
}
