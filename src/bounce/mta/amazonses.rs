//! Amazon SES: its prose bounces ("The following message to <…> was
//! undeliverable"), and the JSON notifications SES publishes through SNS to
//! an e-mail subscription (`notificationType` Bounce, Complaint or Delivery),
//! which name each recipient with its action, status and diagnostic.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::signs::{from_has, has_header, text_has};
use super::{Mail, MtaFamily, RawFinding, text};
use crate::bounce::Reason;
use crate::bounce::diagnose;
use crate::bounce::dsn::strip_type;

pub struct AmazonSes;

impl MtaFamily for AmazonSes {
    fn name(&self) -> &'static str {
        "AmazonSES"
    }

    fn detect(&self, mail: &Mail) -> bool {
        from_has(mail, &["amazonses.com"])
            && !text_has(
                mail,
                &["an error occurred while trying to deliver the mail to the following recipients"],
            )
            || has_header(mail, "x-ses-outgoing")
            || ses_notification(&mail.text).is_some()
    }

    fn self_evident(&self, _mail: &Mail) -> bool {
        // An SNS notification comes from no-reply@sns.amazonaws.com, with none
        // of the usual bounce signs.
        true
    }

    fn extract(&self, mail: &Mail) -> Vec<RawFinding> {
        if let Some(notification) = ses_notification(&mail.text) {
            return from_notification(&notification);
        }
        if !from_has(mail, &["amazonses.com"]) && !has_header(mail, "x-ses-outgoing") {
            return Vec::new();
        }
        let mut found = text::extract(mail, &self.layout());
        self.refine_report(mail, &mut found);
        found
    }

    fn refine_report(&self, _mail: &Mail, found: &mut [RawFinding]) {
        for raw in found {
            unwrap_quoted_reply(raw);
        }
    }
}

/// SES writes its own category first and the remote server's reply in
/// quotes: `5.1.0 - Unknown address error 550-'5.7.1 <…>... Access denied'
/// (delivery attempts: 0)`. The category is SES's guess; the quoted reply is
/// what the receiving server said, and decides.
fn unwrap_quoted_reply(raw: &mut RawFinding) {
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*[245]\.\d{1,3}\.\d{1,3} - [^'\n]*?\b([245]\d\d)[- ]'(.+)'")
            .unwrap_or_else(|_| diagnose::unreachable_regex())
    });
    let Some(c) = QUOTED.captures(&raw.diagnostic) else {
        return;
    };
    let (code, reply) = (c[1].to_string(), c[2].trim().to_string());
    if let Some(status) = diagnose::find_status(&reply) {
        raw.status = Some(status);
    }
    raw.reply_code = Some(code.clone());
    raw.diagnostic = format!("{code} {reply}");
}

/// The SES notification object in a message body, unwrapped from its SNS
/// envelope. SNS mail folds the long `Message` line; unfolding restores it.
fn ses_notification(body: &str) -> Option<Value> {
    let trimmed = body.trim();
    if !trimmed.starts_with('{') || !trimmed.contains("notificationType") {
        return None;
    }
    // The JSON may be followed by SNS's footer ("If you wish to stop
    // receiving notifications…"): read the first value only.
    let first_value = |s: &str| {
        serde_json::Deserializer::from_str(s)
            .into_iter::<Value>()
            .next()
            .and_then(Result::ok)
    };
    let parsed = first_value(trimmed).or_else(|| first_value(&trimmed.replace("\n ", "")))?;
    let inner = match parsed.get("Message").and_then(Value::as_str) {
        Some(message) => serde_json::from_str(message).ok()?,
        None => parsed,
    };
    inner.get("notificationType").is_some().then_some(inner)
}

fn from_notification(n: &Value) -> Vec<RawFinding> {
    let str_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let kind = n
        .get("notificationType")
        .and_then(Value::as_str)
        .unwrap_or("");
    match kind {
        "Bounce" => {
            let bounce = n.get("bounce").cloned().unwrap_or(Value::Null);
            let date = str_of(&bounce, "timestamp");
            let remote = str_of(&bounce, "reportingMTA");
            list(&bounce, "bouncedRecipients")
                .iter()
                .filter_map(|r| {
                    Some(RawFinding {
                        recipient: str_of(r, "emailAddress")?,
                        action: str_of(r, "action"),
                        status: str_of(r, "status"),
                        diagnostic: str_of(r, "diagnosticCode")
                            .map(|d| strip_type(&d).to_string())
                            .unwrap_or_default(),
                        remote_mta: remote.as_deref().map(|m| strip_type(m).to_string()),
                        date: date.clone(),
                        ..RawFinding::default()
                    })
                })
                .collect()
        }
        "Complaint" => {
            let complaint = n.get("complaint").cloned().unwrap_or(Value::Null);
            let feedback =
                str_of(&complaint, "complaintFeedbackType").unwrap_or_else(|| "abuse".into());
            list(&complaint, "complainedRecipients")
                .iter()
                .filter_map(|r| {
                    Some(RawFinding {
                        recipient: str_of(r, "emailAddress")?,
                        diagnostic: format!("Feedback-Type: {feedback}"),
                        date: str_of(&complaint, "timestamp"),
                        hint: Some(Reason::Feedback),
                        ..RawFinding::default()
                    })
                })
                .collect()
        }
        "Delivery" => {
            let delivery = n.get("delivery").cloned().unwrap_or(Value::Null);
            let response = str_of(&delivery, "smtpResponse").unwrap_or_default();
            list(&delivery, "recipients")
                .iter()
                .filter_map(Value::as_str)
                .map(|r| RawFinding {
                    recipient: r.to_string(),
                    action: Some("delivered".into()),
                    diagnostic: response.clone(),
                    remote_mta: str_of(&delivery, "remoteMtaIp"),
                    date: str_of(&delivery, "timestamp"),
                    ..RawFinding::default()
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn list(v: &Value, key: &str) -> Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quoted_remote_reply_decides() {
        let mut raw = RawFinding {
            recipient: "anna@example.org".into(),
            status: Some("5.1.0".into()),
            diagnostic: "5.1.0 - Unknown address error 550-'5.2.2 <anna@example.org>... Mailbox Full' (delivery attempts: 0)".into(),
            ..RawFinding::default()
        };
        unwrap_quoted_reply(&mut raw);
        assert_eq!(raw.status.as_deref(), Some("5.2.2"));
        assert_eq!(raw.reply_code.as_deref(), Some("550"));
        assert_eq!(
            raw.diagnostic,
            "550 5.2.2 <anna@example.org>... Mailbox Full"
        );
    }

    #[test]
    fn other_diagnostics_are_left_alone() {
        let mut raw = RawFinding {
            diagnostic: "smtp; 550 5.1.1 user unknown".into(),
            ..RawFinding::default()
        };
        unwrap_quoted_reply(&mut raw);
        assert_eq!(raw.diagnostic, "smtp; 550 5.1.1 user unknown");
        assert_eq!(raw.status, None);
    }
}
