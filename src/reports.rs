//! The CSV files `clean` writes beside the cleaned list: the suppression
//! list, the bounce report and the removed-rows explanation (PRODUCT.md,
//! "Export"). Dates are ISO 8601 (UTC). The bounce report's cells carry text
//! from strangers' mail servers and are spreadsheet-safe; the suppression
//! list is re-imported into mail tools and keeps addresses as they are.

use std::collections::HashMap;

use crate::bounce::date::to_rfc3339;
use crate::bounce::{Reason, reason};
use crate::job::why;
use crate::list::{SubscriberList, spreadsheet_safe};
use crate::policy::{Assessment, Subscriber, Verdict};
use crate::store::ReportRow;

fn to_bytes(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail; a failure would only lose the row.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

fn date(epoch: Option<i64>) -> String {
    epoch.map(to_rfc3339).unwrap_or_default()
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
    let cell = |s: String| {
        if safe {
            spreadsheet_safe(&s).into_owned()
        } else {
            s
        }
    };
    let mut rows: Vec<(&String, &Assessment)> = verdicts
        .iter()
        .filter(|(_, a)| a.verdict.is_suppression())
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    let rows = rows
        .into_iter()
        .map(|(address, a)| {
            let in_list = subscribers.get(address).is_some_and(|s| s.in_list);
            vec![
                cell(address.clone()),
                a.verdict.as_str().to_string(),
                why(a.verdict, Some(a)),
                a.verdict_reason
                    .map(Reason::as_str)
                    .unwrap_or_default()
                    .to_string(),
                a.max_hard_streak.to_string(),
                a.bounces.to_string(),
                date(a.first_bounce),
                date(a.last_bounce),
                // A stranger's server wrote this: always guarded.
                spreadsheet_safe(a.last_diagnostic.as_deref().unwrap_or_default()).into_owned(),
                if in_list { "" } else { "not in list" }.to_string(),
            ]
        })
        .collect();
    to_bytes(
        &[
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
        ],
        rows,
    )
}

/// One row per classified bounce, oldest first; `note` explains a reason whose
/// label may surprise (`bounce::diagnose::why`). Cells with text from strangers'
/// mail servers are always spreadsheet-safe; with `spreadsheet_safe_cells` (the
/// default) the user's own cells (address, mailing, source) are too.
pub fn bounce_report_csv(events: &[ReportRow], spreadsheet_safe_cells: bool) -> Vec<u8> {
    // Cells that carry a stranger's text (the returned subject, the remote
    // server's status, reply and words) are guarded whatever the setting says.
    let guarded = |s: &str| spreadsheet_safe(s).into_owned();
    let safe = |s: &str| {
        if spreadsheet_safe_cells {
            spreadsheet_safe(s).into_owned()
        } else {
            s.to_string()
        }
    };
    let rows = events
        .iter()
        .map(|e| {
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
            vec![
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
            ]
        })
        .collect();
    to_bytes(
        &[
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
        ],
        rows,
    )
}

/// Every row missing from the cleaned list, with why.
pub fn removed_rows_csv(
    list: &SubscriberList,
    row_verdicts: &[Verdict],
    verdicts: &HashMap<String, Assessment>,
) -> Vec<u8> {
    let first_line = usize::from(list.dialect.has_header) + 1;
    let rows = list
        .rows
        .iter()
        .zip(row_verdicts)
        .filter(|(_, v)| v.is_removal())
        .map(|(row, v)| {
            let assessment = row.email.as_ref().and_then(|k| verdicts.get(k));
            vec![
                (row.index + first_line).to_string(),
                row.line.to_string(),
                row.email_raw.clone(),
                v.as_str().to_string(),
                why(*v, assessment),
            ]
        })
        .collect();
    to_bytes(&["row", "line", "address", "verdict", "why"], rows)
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
