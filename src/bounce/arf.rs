//! Complaints: RFC 5965 feedback reports (ARF), and the vendor forms that
//! carry the same meaning without the standard part (Microsoft's JMRP
//! reports, Apple Mail's one-click unsubscribe).
//!
//! The complaining recipient comes from `Original-Rcpt-To`, else the returned
//! original's `To`, else a VERP address on the report itself.

use super::RawFinding;
use super::address;
use super::message::{Mail, field, parse_header_fields};
use super::original::Original;

/// True when a message without a `message/feedback-report` part is still a
/// complaint in a vendor's own form.
pub fn is_vendor_complaint(mail: &Mail) -> bool {
    if mail
        .header("x-apple-unsubscribe")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    let subject = mail.subject().to_ascii_lowercase();
    subject.starts_with("complaint about message from")
        && mail
            .original
            .as_deref()
            .is_some_and(|o| o.to_ascii_lowercase().contains("x-hmxmroriginalrecipient:"))
}

/// Findings of a complaint: one per complaining recipient.
pub fn extract(mail: &Mail, report: &str, original: &Original) -> Vec<RawFinding> {
    let report_fields = parse_header_fields(&format!("{}\n\n", report.trim()));
    let mut recipients: Vec<String> = report_fields
        .iter()
        .filter(|(n, _)| n == "original-rcpt-to" || n == "removal-recipient")
        .filter_map(|(_, v)| address::first(v))
        .collect();
    let original_fields = mail
        .original
        .as_deref()
        .map(parse_header_fields)
        .unwrap_or_default();
    if recipients.is_empty()
        && let Some(r) =
            field(&original_fields, "x-hmxmroriginalrecipient").and_then(address::first)
    {
        recipients.push(r);
    }
    if recipients.is_empty()
        && mail.header("x-apple-unsubscribe").is_some()
        && let Some(from) = address::first(mail.from())
    {
        recipients.push(from);
    }
    if recipients.is_empty()
        && let Some(to) = original.to.as_deref()
    {
        recipients.extend(
            address::find_all(to)
                .map(|(_, _, a)| a.to_string())
                .filter(|a| !is_redacted(a)),
        );
    }
    if recipients.is_empty()
        && let Some(verp) = verp_recipient(mail)
    {
        recipients.push(verp);
    }
    let date = field(&report_fields, "arrival-date")
        .or_else(|| field(&report_fields, "received-date"))
        .map(str::to_string);
    let feedback_type = field(&report_fields, "feedback-type")
        .unwrap_or("abuse")
        .to_string();
    recipients
        .into_iter()
        .map(|recipient| RawFinding {
            recipient,
            diagnostic: format!("Feedback-Type: {feedback_type}"),
            date: date.clone(),
            hint: Some(super::Reason::Feedback),
            ..RawFinding::default()
        })
        .collect()
}

/// Redaction placeholders some providers put where the address was.
fn is_redacted(addr: &str) -> bool {
    let lower = addr.to_ascii_lowercase();
    lower.contains("redacted") && !lower.starts_with("redacted@") || lower.ends_with(".invalid")
}

/// The recipient a VERP address on the report names (`To`, `Delivered-To`,
/// `X-Original-To`).
pub fn verp_recipient(mail: &Mail) -> Option<String> {
    ["x-original-to", "delivered-to", "to", "envelope-to"]
        .iter()
        .flat_map(|h| mail.headers_named(h))
        .filter_map(address::first)
        .find_map(|a| address::from_verp(&a))
}
