//! Amazon SES receiving: reports SES's inbound servers send when a domain's
//! receipt rule bounces a message.
//!
//! SES receiving holds no mailboxes. Its bounces come from a rule the domain
//! owner configured, with a reply the owner picked from templates ("550 5.1.1
//! Mailbox does not exist", "552 5.3.4 Message too large", "550 5.2.0
//! Message Filtered"). A "mailbox does not exist" is thus the rule's canned
//! text, not the result of a mailbox lookup: it is `filtered`. Its
//! "Temporary failure" template says nothing at all (`onhold`). Amazon
//! WorkMail, which is built on SES receiving but has mailboxes, is its own
//! family.

use super::signs::has_header;
use super::{Mail, MtaFamily, RawFinding};
use crate::bounce::{Reason, diagnose};

pub struct ReceivingSes;

impl MtaFamily for ReceivingSes {
    fn name(&self) -> &'static str {
        "ReceivingSES"
    }

    fn detect(&self, mail: &Mail) -> bool {
        has_header(mail, "x-ses-outgoing")
            && mail.delivery_status.as_deref().is_some_and(|report| {
                report
                    .to_ascii_lowercase()
                    .lines()
                    .any(is_ses_inbound_reporter)
            })
    }

    fn refine_report(&self, _mail: &Mail, found: &mut [RawFinding]) {
        for raw in found {
            let words = diagnose::reason_from_text(&raw.diagnostic);
            let says_unknown = words == Some(Reason::UserUnknown)
                || raw
                    .status
                    .as_deref()
                    .is_some_and(diagnose::is_mailbox_status);
            if says_unknown {
                raw.hint = Some(Reason::Filtered);
            } else if raw.status.as_deref().is_some_and(|s| s.starts_with('4'))
                && matches!(words, None | Some(Reason::SystemError))
            {
                // The "Temporary failure" template: the rule says nothing more.
                raw.hint = Some(Reason::OnHold);
            }
        }
    }
}

/// `Reporting-MTA: dns; inbound-smtp.us-west-2.amazonaws.com`
fn is_ses_inbound_reporter(lower_line: &str) -> bool {
    lower_line.starts_with("reporting-mta:")
        && lower_line.contains("inbound-smtp.")
        && lower_line.contains("amazonaws.com")
}
