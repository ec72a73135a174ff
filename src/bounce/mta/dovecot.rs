//! Dovecot's delivery agent (LDA / LMTP) refusing a message. Its rejection
//! text is configurable; the default is "Your message to <%t> was
//! automatically rejected:" followed by the reason on the next line
//! ("Quota exceeded (mailbox for user is full)", "Not enough disk space").
//!
//! Dovecot speaks last: its reason is what happened at the mailbox. When a
//! delivery report carries it beside another MTA's diagnostic, Dovecot's
//! words come first, so they decide.

use super::signs::text_has;
use super::{Mail, MtaFamily, RawFinding};

pub struct Dovecot;

const REJECTED: &str = "was automatically rejected:";

impl MtaFamily for Dovecot {
    fn name(&self) -> &'static str {
        "Dovecot"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &[REJECTED]) && text_has(mail, &["your message to <"])
    }

    fn refine_report(&self, mail: &Mail, found: &mut [RawFinding]) {
        let Some(reason) = rejection_reason(&mail.text) else {
            return;
        };
        for raw in found {
            if !raw.diagnostic.contains(&reason) {
                raw.diagnostic = format!("{reason} {}", raw.diagnostic);
            }
        }
    }
}

/// The reason under "Your message to <…> was automatically rejected:", up to
/// the next blank line.
fn rejection_reason(text: &str) -> Option<String> {
    let mut lines = text.lines();
    lines.find(|l| {
        let lower = l.to_ascii_lowercase();
        lower.contains("your message to <") && lower.trim_end().ends_with(REJECTED)
    })?;
    let reason: Vec<&str> = lines
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with("--"))
        .collect();
    (!reason.is_empty()).then(|| reason.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_follows_the_rejection_line() {
        let text = "Your message to <anna@example.org> was automatically rejected:\n\
                    Quota exceeded (mailbox for user is full)\n\n--boundary\n";
        assert_eq!(
            rejection_reason(text).as_deref(),
            Some("Quota exceeded (mailbox for user is full)")
        );
        assert_eq!(rejection_reason("Your message was delivered.\n"), None);
    }
}
