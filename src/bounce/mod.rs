//! One message → what it says about its recipients.
//!
//! [`analyze`] recognises a message in the order BOUNCES.md gives: a delivery
//! status notification (RFC 3464 / 6533), a feedback report (RFC 5965 ARF), a
//! non-standard bounce written by a known MTA family ([`mta`]), an auto-reply
//! (RFC 3834 and vendor forms), or not a bounce. Each failed recipient becomes
//! a [`Finding`] with its kind and reason. Classification is a pure function of
//! the message bytes: no I/O, no global state beyond static tables.

pub mod address;
pub mod arf;
pub mod autoreply;
pub mod date;
pub mod diagnose;
pub mod dsn;
pub mod listaddr;
pub mod markers;
pub mod message;
pub mod mta;
pub mod original;
pub mod phrases;
pub mod reason;
pub mod text;

use serde::Serialize;

pub use message::{Mail, MailError};
pub use original::Original;
pub use reason::{Group, Kind, Reason};

/// What sort of message this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A bounce or delivery report (standard DSN or an MTA's own format).
    Bounce,
    /// An ARF feedback report (a spam complaint).
    Complaint,
    /// An automatic reply (out of office, vacation).
    AutoReply,
    /// Not a bounce: a human reply, a newsletter, spam.
    NotBounce,
}

/// Per-recipient facts as a decoder read them, before the reason is decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawFinding {
    pub recipient: String,
    /// The address the sender used (`Original-Recipient`, Postfix's
    /// "expanded from"), when the report names one; [`finalize`] keeps it
    /// only when it differs from `recipient`.
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub reply_code: Option<String>,
    pub diagnostic: String,
    pub remote_mta: Option<String>,
    /// A date as written in the message (RFC 5322 or similar).
    pub date: Option<String>,
    /// The SMTP command the error answered, when the format says it elsewhere.
    pub command: Option<diagnose::SmtpCommand>,
    /// A reason the format states outright.
    pub hint: Option<Reason>,
    /// A reason the format suggests, used when the text names none
    /// (a local delivery program failed, for example).
    pub fallback: Option<Reason>,
    /// The report comes from the system that looked the recipient up itself
    /// (the mailbox host, or a gateway checking its directory), so its
    /// "unknown user" is a finding even when no SMTP stage is named.
    pub own_lookup: bool,
}

/// One recipient's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The final recipient: the address the failing server was given.
    pub recipient: String,
    /// The address the sender used, before aliasing or forwarding, when the
    /// report names one that differs from `recipient` (case aside). The
    /// subscriber list holds this one.
    pub original_recipient: Option<String>,
    pub kind: Kind,
    pub reason: Reason,
    pub status: Option<String>,
    pub reply_code: Option<String>,
    pub action: Option<String>,
    pub diagnostic: Option<String>,
    pub remote_mta: Option<String>,
    /// Seconds since the Unix epoch, UTC.
    pub date: Option<i64>,
    /// The rule of the decision that gave the reason (`diagnose::rules`).
    pub rule: diagnose::Rule,
    /// The decision in words: the rule and the evidence it read.
    pub note: String,
}

impl Finding {
    /// The reason's group; a temporary `notaccept` belongs with the mailbox
    /// problems (BOUNCES.md), since it is soft.
    pub fn group(&self) -> Group {
        match (self.reason, self.kind) {
            (Reason::NotAccept, Kind::Soft) => Group::Mailbox,
            (reason, _) => reason.group(),
        }
    }
}

/// Everything one message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub kind: MessageKind,
    /// The decoder that recognised the message (`RFC3464`, `Postfix`, `ARF`, …).
    pub decoder: Option<&'static str>,
    pub findings: Vec<Finding>,
    pub original: Original,
}

impl Analysis {
    fn not_bounce(original: Original) -> Analysis {
        Analysis {
            kind: MessageKind::NotBounce,
            decoder: None,
            findings: Vec::new(),
            original,
        }
    }
}

/// Analyses one raw message.
pub fn analyze(raw: &[u8]) -> Result<Analysis, MailError> {
    let mail = message::parse(raw)?;
    Ok(analyze_mail(&mail))
}

/// How many times a report may be found returned inside another (a bounce
/// forwarded, then bounced again) before the nesting is no longer read. Each
/// level is parsed from a copy of the rest of the message, so without a bound
/// a crafted message would cost time and memory quadratic in its size.
const MAX_NESTED_REPORTS: usize = 3;

/// Analyses a parsed message.
pub fn analyze_mail(mail: &Mail) -> Analysis {
    analyze_nested(mail, 0)
}

fn analyze_nested(mail: &Mail, depth: usize) -> Analysis {
    let original = original::extract(mail);
    listaddr::prime(mail, &original);
    let message_date = mail.header("date").and_then(date::parse);
    let fallback_date = original.date_epoch.or(message_date);
    let finish = |kind, decoder: &'static str, raws: Vec<RawFinding>, original: Original| {
        let mut findings = finalize(raws, fallback_date);
        // A reason the format states outright: name the format.
        for f in findings
            .iter_mut()
            .filter(|f| f.rule == diagnose::Rule::FormatCode)
        {
            f.note = diagnose::explain::format_note(f.reason, decoder);
        }
        Analysis {
            kind,
            decoder: Some(decoder),
            findings,
            original,
        }
    };

    if let Some(report) = &mail.feedback_report {
        let raws = arf::extract(mail, report, &original);
        return finish(MessageKind::Complaint, "ARF", raws, original);
    }
    if arf::is_vendor_complaint(mail) {
        let raws = arf::extract(mail, "", &original);
        if !raws.is_empty() {
            return finish(MessageKind::Complaint, "ARF", raws, original);
        }
    }
    if let Some(status) = &mail.delivery_status {
        let mut raws = dsn::extract(mail, status);
        if !raws.is_empty() {
            let decoder = mta::refine_dsn(mail, &mut raws);
            return finish(MessageKind::Bounce, decoder, raws, original);
        }
    }
    // The returned message, when it is a report itself, parsed once for both
    // of its uses below.
    let returned = mail
        .embedded_report
        .as_deref()
        .filter(|_| depth < MAX_NESTED_REPORTS)
        .and_then(|inner| message::parse(inner.as_bytes()).ok());
    // A forwarded bounce: the report is the attached message, not this one.
    if let Some(inner) = &returned
        && (inner.delivery_status.is_some() || inner.feedback_report.is_some())
    {
        let analysis = analyze_nested(inner, depth + 1);
        if !analysis.findings.is_empty() {
            return analysis;
        }
    }
    if let Some((decoder, raws)) = mta::extract(mail)
        && !raws.is_empty()
    {
        let mut analysis = finish(MessageKind::Bounce, decoder, raws, original);
        if let Some(inner) = returned {
            sharpen_from_returned(inner, &mut analysis.findings);
        }
        return analysis;
    }
    if let Some(raw) = autoreply::extract(mail) {
        return finish(MessageKind::AutoReply, "RFC3834", vec![raw], original);
    }
    Analysis::not_bounce(original)
}

/// A finding that names neither a status nor an SMTP reply code: the notice
/// only says the message could not be delivered.
fn is_vague(finding: &Finding) -> bool {
    finding.status.is_none() && finding.reply_code.is_none()
}

/// A gateway's notice may say no more than "could not deliver" while the
/// message it returns is the downstream server's own failure report, with the
/// SMTP reply for the same recipient (a relayed or re-bounced failure). That
/// reply then decides. Only vague findings are replaced, and only by a report
/// about the same address that names a status or a reply code. `inner` is
/// the returned message.
fn sharpen_from_returned(mut inner: Mail, findings: &mut [Finding]) {
    if !findings.iter().any(is_vague) {
        return;
    }
    // The readers skip the addresses in a report's own `To`, its addressee.
    // The returned message may be addressed to the very recipient we look
    // for, and only recipients the notice named are taken from it.
    inner.headers.retain(|(name, _)| name != "to");
    let Some((_, raws)) = mta::extract_returned(&inner) else {
        return;
    };
    let relayed = finalize(raws, None);
    let by_recipient: std::collections::HashMap<String, &Finding> = relayed
        .iter()
        .filter(|r| !is_vague(r))
        .map(|r| (r.recipient.to_lowercase(), r))
        .collect();
    for finding in findings.iter_mut().filter(|f| is_vague(f)) {
        let Some(reply) = by_recipient.get(&finding.recipient.to_lowercase()) else {
            continue;
        };
        finding.kind = reply.kind;
        finding.reason = reply.reason;
        finding.rule = reply.rule;
        if finding.original_recipient.is_none() {
            finding
                .original_recipient
                .clone_from(&reply.original_recipient);
        }
        finding.note.clone_from(&reply.note);
        finding.status.clone_from(&reply.status);
        finding.reply_code.clone_from(&reply.reply_code);
        finding.diagnostic.clone_from(&reply.diagnostic);
        if reply.remote_mta.is_some() {
            finding.remote_mta.clone_from(&reply.remote_mta);
        }
    }
}

/// The text without the lines of a session transcript that we sent
/// (`>>> …`); `None` when it has none.
fn sent_lines_removed(text: &str) -> Option<String> {
    if !text.contains(">>>") {
        return None;
    }
    Some(
        text.lines()
            .filter(|l| !l.trim_start().starts_with(">>>"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Decides reason and kind for each raw finding, merging duplicates of one recipient.
fn finalize(raws: Vec<RawFinding>, fallback_date: Option<i64>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(raws.len());
    let mut seen = std::collections::HashSet::with_capacity(raws.len());
    for raw in raws {
        let recipient = raw.recipient.trim().to_string();
        // One finding per recipient: the first report about it wins.
        if recipient.is_empty() || !seen.insert(recipient.to_lowercase()) {
            continue;
        }
        let diagnostic = diagnose::join_reply_lines(&diagnose::squeeze(&raw.diagnostic));
        let status = raw
            .status
            .clone()
            .or_else(|| diagnose::find_status(&diagnostic));
        let reply_code = raw
            .reply_code
            .clone()
            .or_else(|| diagnose::find_reply_code(&diagnostic));
        // The stage is read before the lines are joined: a session
        // transcript (`>>> RCPT To:` / `<<< 550 …`) is read line by line.
        let command = raw
            .command
            .or_else(|| diagnose::find_command(&raw.diagnostic));
        // The commands we sent (`>>> RCPT To:<…> NOTIFY=… ORCPT=rfc822;…`,
        // RFC 3461 parameters included) are not the error: the reason is
        // read from the replies.
        let replies = sent_lines_removed(&raw.diagnostic)
            .map(|t| diagnose::join_reply_lines(&diagnose::squeeze(&t)));
        let decision = diagnose::decide_with_rule(&diagnose::Evidence {
            action: raw.action.as_deref(),
            status: status.as_deref(),
            reply_code: reply_code.as_deref(),
            diagnostic: replies.as_deref().unwrap_or(&diagnostic),
            command,
            hint: raw.hint,
            fallback: raw.fallback,
            own_lookup: raw.own_lookup,
        });
        let reason = decision.reason;
        let note = diagnose::note(&decision, command);
        let kind = reason::kind_of(
            reason,
            status.as_deref(),
            reply_code.as_deref(),
            &diagnostic,
        );
        let date = raw.date.as_deref().and_then(date::parse).or(fallback_date);
        let original_recipient = raw
            .original_recipient
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty() && !address::same_address(o, &recipient))
            .map(str::to_string);
        let finding = Finding {
            recipient,
            original_recipient,
            kind,
            reason,
            status,
            reply_code,
            action: raw.action.map(|a| a.trim().to_ascii_lowercase()),
            diagnostic: (!diagnostic.is_empty()).then_some(diagnostic),
            remote_mta: raw.remote_mta,
            date,
            rule: decision.rule,
            note,
        };
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gateway notice that says only "could not deliver", returning `inner`.
    fn gateway_notice(inner: &str) -> Vec<u8> {
        format!(
            "From: \"InterScan MSS\" <postmaster@gw.example.org>\n\
             To: <bounces@news.example.com>\n\
             Subject: Mail could not be delivered\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\n\
             \n\
             --b1\n\
             Content-Type: text/plain\n\
             \n\
             ****** Message from InterScan Messaging Security Suite ******\n\
             The following mail could not be delivered.\n\
             Reason: Unable to deliver message to <ana@corp.example.org>.\n\
             \n\
             --b1\n\
             Content-Type: message/rfc822\n\
             \n\
             {inner}\n\
             --b1--\n"
        )
        .into_bytes()
    }

    fn relayed_report(recipient: &str) -> String {
        format!(
            "From: MAILER-DAEMON@mail.corp.example.org\n\
             Subject: Returned mail: see transcript for details\n\
             \n\
             ----- The following addresses had permanent fatal errors -----\n\
             <{recipient}>\n\
             \n\
             ----- Transcript of session follows -----\n\
             >>> RCPT To:<{recipient}>\n\
             <<< 550 5.1.1 <{recipient}>... User unknown\n"
        )
    }

    fn only_finding(raw: &[u8]) -> Finding {
        let analysis = analyze(raw).unwrap_or_else(|e| panic!("parse: {e}"));
        assert_eq!(analysis.findings.len(), 1, "{:?}", analysis.findings);
        analysis.findings[0].clone()
    }

    /// A two-recipient report whose `Diagnostic-Code`s hold the bare reply,
    /// while each recipient's paragraph of the notice says the stage, in two
    /// shapes the prose reader does not both take as recipient lines.
    #[test]
    fn each_recipients_stage_is_read_from_its_paragraph() {
        let block = |r: &str| {
            format!(
                "Final-Recipient: rfc822; {r}\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 User unknown\n"
            )
        };
        let raw = format!(
            "From: MAILER-DAEMON@mx.example.net\n\
             To: bounces@news.example.com\n\
             Subject: Undelivered Mail Returned to Sender\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\
             \n\
             --r\n\
             Content-Type: text/plain\n\
             \n\
             We could not deliver your message.\n\
             \n\
             <anna@example.org>: the server mx.example.org said 550 User unknown\n\
             \x20   (in reply to end of DATA command)\n\
             \n\
             Recipient address: bo@example.net\n\
             the server mx.example.net said 550 User unknown (in reply to RCPT TO command)\n\
             \n\
             --r\n\
             Content-Type: message/delivery-status\n\
             \n\
             Reporting-MTA: dns; mx.example.net\n\
             \n\
             {}\n\
             {}\n\
             --r--\n",
            block("anna@example.org"),
            block("bo@example.net")
        );
        let analysis = analyze(raw.as_bytes()).unwrap_or_else(|e| panic!("parse: {e}"));
        let reason_of = |r: &str| {
            analysis
                .findings
                .iter()
                .find(|f| f.recipient == r)
                .map(|f| (f.kind, f.reason))
        };
        assert_eq!(
            reason_of("anna@example.org"),
            Some((Kind::Soft, Reason::Filtered))
        );
        assert_eq!(
            reason_of("bo@example.net"),
            Some((Kind::Hard, Reason::UserUnknown))
        );
    }

    #[test]
    fn a_relayed_report_about_the_same_recipient_decides() {
        let f = only_finding(&gateway_notice(&relayed_report("ana@corp.example.org")));
        assert_eq!(f.recipient, "ana@corp.example.org");
        assert_eq!((f.kind, f.reason), (Kind::Hard, Reason::UserUnknown));
        assert_eq!(f.status.as_deref(), Some("5.1.1"));
        assert_eq!(f.reply_code.as_deref(), Some("550"));
    }

    #[test]
    fn a_relayed_report_about_another_address_is_not_taken() {
        let f = only_finding(&gateway_notice(&relayed_report("bo@corp.example.org")));
        assert_eq!(f.recipient, "ana@corp.example.org");
        assert_ne!(f.kind, Kind::Hard);
        assert_eq!((f.status, f.reply_code), (None, None));
    }

    #[test]
    fn a_returned_newsletter_quoting_a_reply_is_not_a_report() {
        let newsletter = "From: Weekly <weekly@news.example.com>\n\
             To: ana@corp.example.org\n\
             Subject: Deliverability tips\n\
             \n\
             When a server said: 550 5.1.1 <ana@corp.example.org> User unknown,\n\
             the address is gone.\n";
        let f = only_finding(&gateway_notice(newsletter));
        assert_eq!(f.recipient, "ana@corp.example.org");
        assert_ne!(f.kind, Kind::Hard);
        assert_eq!((f.status, f.reply_code), (None, None));
    }
}
