//! The CSV files `clean` writes beside the cleaned list: the suppression
//! list, the bounce report and the removed-rows explanation (PRODUCT.md,
//! "Export"). Dates are ISO 8601 (UTC). The bounce report's cells carry text
//! from strangers' mail servers and are spreadsheet-safe; the suppression
//! list is re-imported into mail tools and keeps addresses as they are.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use crate::bounce::date::to_rfc3339;
use crate::bounce::{Reason, reason};
use crate::job::why;
use crate::list::{SubscriberList, spreadsheet_safe};
use crate::policy::{Assessment, Subscriber, Verdict};
use crate::store::ReportRow;

fn date(epoch: Option<i64>) -> String {
    epoch.map(to_rfc3339).unwrap_or_default()
}

/// The suppression list's columns.
const SUPPRESSION_HEADER: [&str; 10] = [
    "address",
    "verdict",
    "reason",
    "reason_code",
    "hard_streak",
    "bounces",
    "first_bounce",
    "last_bounce",
    "last_diagnostic",
    "not_in_list",
];

/// Writes the suppression list row by row (see [`suppression_csv`]); the caller
/// hands in the addresses in order.
pub struct SuppressionWriter<W: Write> {
    csv: csv::Writer<W>,
    safe: bool,
}

impl<W: Write> SuppressionWriter<W> {
    /// Writes the header row.
    pub fn new(out: W, safe: bool) -> io::Result<Self> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(SUPPRESSION_HEADER)?;
        Ok(SuppressionWriter { csv, safe })
    }

    /// Writes the row of one address, if its verdict is a suppression.
    pub fn write(&mut self, address: &str, a: &Assessment, in_list: bool) -> io::Result<()> {
        if !a.verdict.is_suppression() {
            return Ok(());
        }
        let address = if self.safe {
            spreadsheet_safe(address)
        } else {
            Cow::Borrowed(address)
        };
        self.csv.write_record([
            address.as_ref(),
            a.verdict.as_str(),
            &why(a.verdict, Some(a)),
            a.verdict_reason.map(Reason::as_str).unwrap_or_default(),
            &a.max_hard_streak.to_string(),
            &a.bounces.to_string(),
            &date(a.first_bounce),
            &date(a.last_bounce),
            // A stranger's server wrote this: always guarded.
            &spreadsheet_safe(a.last_diagnostic.as_deref().unwrap_or_default()),
            if in_list { "" } else { "not in list" },
        ])?;
        Ok(())
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> io::Result<()> {
        self.csv.flush()
    }
}

/// Addresses removed for a bounce or a complaint (duplicates and invalid rows
/// are not suppressions), sorted by address. The last diagnostic, a remote
/// server's text, is always spreadsheet-safe; with `safe` the addresses are too
/// (off by default: the file is re-imported into mail tools, and addresses may
/// validly begin with `+`, `-` or `=`).
pub fn suppression_csv(
    verdicts: &HashMap<String, Assessment>,
    subscribers: &HashMap<String, Subscriber>,
    safe: bool,
) -> Vec<u8> {
    let mut rows: Vec<(&String, &Assessment)> = verdicts
        .iter()
        .filter(|(_, a)| a.verdict.is_suppression())
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    if let Ok(mut w) = SuppressionWriter::new(&mut out, safe) {
        for (address, a) in rows {
            let in_list = subscribers.get(address).is_some_and(|s| s.in_list);
            let _ = w.write(address, a, in_list);
        }
        let _ = w.finish();
    }
    out
}

/// The bounce report's columns.
const BOUNCE_REPORT_HEADER: [&str; 13] = [
    "date",
    "mailing",
    "subject",
    "address",
    "kind",
    "group",
    "reason",
    "status",
    "reply_code",
    "diagnostic",
    "source",
    "rule",
    "note",
];

/// Writes the bounce report row by row (see [`bounce_report_csv`]).
pub struct BounceReportWriter<W: Write> {
    csv: csv::Writer<W>,
    safe_cells: bool,
}

impl<W: Write> BounceReportWriter<W> {
    /// Writes the header row.
    pub fn new(out: W, spreadsheet_safe_cells: bool) -> io::Result<Self> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(BOUNCE_REPORT_HEADER)?;
        Ok(BounceReportWriter {
            csv,
            safe_cells: spreadsheet_safe_cells,
        })
    }

    /// Writes one classified bounce.
    pub fn write(&mut self, e: &ReportRow) -> io::Result<()> {
        // Cells that carry a stranger's text (the returned subject, the remote
        // server's status, reply and words) are guarded whatever the setting says.
        let guarded = |s: &str| spreadsheet_safe(s).into_owned();
        let safe = |s: &str| {
            if self.safe_cells {
                spreadsheet_safe(s).into_owned()
            } else {
                s.to_string()
            }
        };
        let parsed = Reason::parse(&e.reason);
        let group = parsed
            .map(|r| r.group().as_str())
            .unwrap_or(reason::Group::Undetermined.as_str());
        let note = e.note.clone().unwrap_or_else(|| {
            parsed
                .and_then(|r| {
                    crate::bounce::diagnose::why(
                        r,
                        e.status.as_deref(),
                        e.diagnostic.as_deref().unwrap_or(""),
                    )
                })
                .unwrap_or("")
                .to_string()
        });
        self.csv.write_record([
            to_rfc3339(e.date),
            safe(&e.mailing),
            guarded(e.subject.as_deref().unwrap_or("")),
            safe(&e.address),
            e.kind.clone(),
            group.to_string(),
            e.reason.clone(),
            guarded(e.status.as_deref().unwrap_or("")),
            guarded(e.reply_code.as_deref().unwrap_or("")),
            guarded(e.diagnostic.as_deref().unwrap_or("")),
            safe(&format!("{}:{}", e.source, e.index)),
            e.rule.clone().unwrap_or_default(),
            guarded(&note),
        ])?;
        Ok(())
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> io::Result<()> {
        self.csv.flush()
    }
}

/// One row per classified bounce, oldest first; `note` explains a reason whose
/// label may surprise (`bounce::diagnose::why`). Cells with text from strangers'
/// mail servers are always spreadsheet-safe; with `spreadsheet_safe_cells` (the
/// default) the user's own cells (address, mailing, source) are too.
pub fn bounce_report_csv(events: &[ReportRow], spreadsheet_safe_cells: bool) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    if let Ok(mut w) = BounceReportWriter::new(&mut out, spreadsheet_safe_cells) {
        for e in events {
            let _ = w.write(e);
        }
        let _ = w.finish();
    }
    out
}

/// Writes every row missing from the cleaned list, with why; `assessment`
/// gives the decision about a row's address, where there was one.
pub fn write_removed_rows<'a>(
    out: &mut dyn Write,
    list: &SubscriberList,
    row_verdicts: &[Verdict],
    assessment: impl Fn(&str) -> Option<&'a Assessment>,
) -> io::Result<()> {
    let first_line = usize::from(list.dialect.has_header) + 1;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["row", "line", "address", "verdict", "why"])?;
    for (row, v) in list.rows.iter().zip(row_verdicts) {
        if !v.is_removal() {
            continue;
        }
        let a = list.email(row).and_then(&assessment);
        csv.write_record([
            (row.index + first_line).to_string(),
            row.line.to_string(),
            list.email_raw(row),
            v.as_str().to_string(),
            why(*v, a),
        ])?;
    }
    csv.flush()
}

/// Every row missing from the cleaned list, with why.
pub fn removed_rows_csv(
    list: &SubscriberList,
    row_verdicts: &[Verdict],
    verdicts: &HashMap<String, Assessment>,
) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write_removed_rows(&mut out, list, row_verdicts, |k| verdicts.get(k));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(reason: &str, status: &str, diagnostic: &str) -> ReportRow {
        ReportRow {
            date: 1_735_689_600,
            mailing: "weekly 2025-01-01".into(),
            subject: Some("Example Weekly #1".into()),
            address: "anna@example.org".into(),
            original_recipient: None,
            kind: "soft".into(),
            reason: reason.into(),
            status: Some(status.into()),
            reply_code: Some("550".into()),
            diagnostic: Some(diagnostic.into()),
            source: "bounces.mbox".into(),
            index: 3,
            rule: None,
            note: None,
        }
    }

    #[test]
    fn a_strangers_text_is_always_spreadsheet_safe() {
        let attack = "@SUM(1+1)*cmd|' /C calc'!A0";
        let rows = [ReportRow {
            subject: Some("=HYPERLINK(\"http://x\")".into()),
            ..event("mailboxfull", "5.2.2", attack)
        }];
        let bytes = bounce_report_csv(&rows, false);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let record = reader
            .records()
            .next()
            .and_then(Result::ok)
            .unwrap_or_default();
        assert_eq!(record.get(2), Some("'=HYPERLINK(\"http://x\")"));
        assert_eq!(record.get(9), Some(format!("'{attack}").as_str()));

        let mut verdicts = HashMap::new();
        verdicts.insert(
            "+anna@example.org".to_string(),
            Assessment {
                verdict: Verdict::RemoveComplaint,
                hard_streak: 0,
                max_hard_streak: 0,
                bounces: 1,
                first_bounce: None,
                last_bounce: None,
                last_reason: Some(Reason::MailboxFull),
                verdict_reason: Some(Reason::Feedback),
                last_diagnostic: Some(attack.into()),
                alive_after_removal: false,
            },
        );
        let bytes = suppression_csv(&verdicts, &HashMap::new(), false);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let record = reader
            .records()
            .next()
            .and_then(Result::ok)
            .unwrap_or_default();
        assert_eq!(
            record.get(0),
            Some("+anna@example.org"),
            "the user's own address"
        );
        assert_eq!(record.get(3), Some("feedback"), "the complaint's reason");
        assert_eq!(record.get(8), Some(format!("'{attack}").as_str()));
    }

    #[test]
    fn the_bounce_report_gives_the_deciding_rule_and_its_note() {
        let stored = ReportRow {
            rule: Some("unknown-after-data".into()),
            note: Some("Rejected by a filter at the recipient: the words “User unknown” in the reply to DATA.".into()),
            ..event("filtered", "5.0.0", "550 User unknown")
        };
        let bytes = bounce_report_csv(&[stored], true);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader.headers().cloned().unwrap_or_default();
        let rows: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let row = &rows[0];
        assert_eq!(
            col("rule").and_then(|i| row.get(i)),
            Some("unknown-after-data")
        );
        assert!(
            col("note")
                .and_then(|i| row.get(i))
                .is_some_and(|n| n.contains("in the reply to DATA")),
            "{row:?}"
        );
    }

    #[test]
    fn the_bounce_report_notes_a_surprising_reason() {
        let bytes = bounce_report_csv(
            &[
                event("filtered", "5.0.0", "550 User unknown"),
                event("mailboxfull", "5.2.2", "552 5.2.2 Mailbox full"),
            ],
            true,
        );
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader.headers().cloned().unwrap_or_default();
        assert_eq!(headers.get(headers.len() - 1), Some("note"));
        let rows: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
        assert_eq!(rows.len(), 2);
        let note = rows[0].get(headers.len() - 1).unwrap_or("");
        assert!(note.contains("RCPT TO"), "{note}");
        assert_eq!(rows[1].get(headers.len() - 1), Some(""));
        assert_eq!(rows[0].get(10), Some("bounces.mbox:3"));
    }
}
