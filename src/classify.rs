//! The `classify` pipeline: mailbox exports in, one record per recipient out,
//! in input order.
//!
//! A reader thread streams messages from [`crate::mailbox`] in batches over a
//! bounded channel; each batch is classified in parallel (rayon) and handed to
//! the caller in order, so memory stays flat however large the mailbox is.
//! The JSON-lines form is the contract in BOUNCES.md ("The machine-readable
//! contract").

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::bounce::{self, Analysis, Kind, MessageKind, Original};
use crate::mailbox::{self, Item, Limits, RawMessage, WalkSummary};

/// One output line: one recipient of one message, or one message that is not
/// a bounce, or one input that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub source: String,
    pub index: usize,
    pub recipient: Option<String>,
    /// `hard`, `soft`, `complaint`, `auto_reply`, `delivered`,
    /// `undetermined`, `not_bounce` or `unreadable`.
    pub kind: &'static str,
    pub reason: Option<&'static str>,
    pub group: Option<&'static str>,
    pub status: Option<String>,
    /// The address the sender used, when the report names one that differs
    /// from `recipient` (which stays the final recipient, after aliasing or
    /// forwarding).
    pub original_recipient: Option<String>,
    pub reply_code: Option<String>,
    pub action: Option<String>,
    pub diagnostic: Option<String>,
    pub remote_mta: Option<String>,
    /// RFC 3339, UTC.
    pub date: Option<String>,
    pub original: Option<OriginalRecord>,
    /// The decoder that recognised the message (`RFC3464`, `Postfix`, …).
    pub decoder: Option<&'static str>,
    /// The named rule of the decision that gave the reason (`words`,
    /// `status-code`, `unknown-after-data`, …).
    pub rule: Option<&'static str>,
    /// The decision in words: what the rule read.
    pub note: Option<String>,
    /// Why the input could not be read (only for `unreadable`).
    pub error: Option<String>,
}

/// The returned original's headers, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginalRecord {
    pub message_id: Option<String>,
    pub subject: Option<String>,
    /// RFC 3339 when the date could be read, else as written.
    pub date: Option<String>,
    pub from: Option<String>,
    pub list_id: Option<String>,
    pub campaign: Option<String>,
}

impl From<&Original> for OriginalRecord {
    fn from(o: &Original) -> Self {
        OriginalRecord {
            message_id: o.message_id.clone(),
            subject: o.subject.clone(),
            date: o
                .date_epoch
                .map(bounce::date::to_rfc3339)
                .or_else(|| o.date.clone()),
            from: o.from.clone(),
            list_id: o.list_id.clone(),
            campaign: o.campaign.clone(),
        }
    }
}

impl Record {
    fn empty(source: &str, index: usize, kind: &'static str) -> Record {
        Record {
            source: source.to_string(),
            index,
            recipient: None,
            kind,
            reason: None,
            group: None,
            status: None,
            original_recipient: None,
            reply_code: None,
            action: None,
            diagnostic: None,
            remote_mta: None,
            date: None,
            original: None,
            decoder: None,
            rule: None,
            note: None,
            error: None,
        }
    }

    /// A record for an input that could not be read.
    pub fn unreadable(source: &str, index: usize, error: &str) -> Record {
        Record {
            error: Some(error.to_string()),
            ..Record::empty(source, index, "unreadable")
        }
    }
}

/// Classifies one raw message into its output records. Never panics: a
/// decoder bug on a strange message becomes an `unreadable` record.
pub fn classify_message(msg: &RawMessage) -> Vec<Record> {
    let analysis = std::panic::catch_unwind(|| bounce::analyze(&msg.bytes));
    match analysis {
        Ok(Ok(a)) => records_of(&msg.source, msg.index, &a),
        Ok(Err(e)) => vec![Record::unreadable(&msg.source, msg.index, &e.to_string())],
        Err(_) => vec![Record::unreadable(
            &msg.source,
            msg.index,
            "internal error while decoding this message",
        )],
    }
}

/// Output records of an analysed message.
pub fn records_of(source: &str, index: usize, a: &Analysis) -> Vec<Record> {
    let original = OriginalRecord::from(&a.original);
    if a.kind == MessageKind::NotBounce || a.findings.is_empty() {
        return vec![Record {
            original: Some(original),
            ..Record::empty(source, index, "not_bounce")
        }];
    }
    a.findings
        .iter()
        .map(|f| Record {
            recipient: Some(f.recipient.clone()),
            reason: Some(f.reason.as_str()),
            group: Some(f.group().as_str()),
            status: f.status.clone(),
            original_recipient: f.original_recipient.clone(),
            reply_code: f.reply_code.clone(),
            action: f.action.clone(),
            diagnostic: f.diagnostic.clone(),
            remote_mta: f.remote_mta.clone(),
            date: f.date.map(bounce::date::to_rfc3339),
            original: Some(original.clone()),
            decoder: a.decoder,
            rule: Some(f.rule.name()),
            note: Some(f.note.clone()),
            ..Record::empty(source, index, f.kind.as_str())
        })
        .collect()
}

/// Counts of what a run saw, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub messages: usize,
    pub hard: usize,
    pub soft: usize,
    pub complaint: usize,
    pub auto_reply: usize,
    pub delivered: usize,
    pub undetermined: usize,
    pub not_bounce: usize,
    pub unreadable: usize,
}

impl Counts {
    fn add(&mut self, records: &[Record]) {
        for r in records {
            match r.kind {
                k if k == Kind::Hard.as_str() => self.hard += 1,
                k if k == Kind::Soft.as_str() => self.soft += 1,
                k if k == Kind::Complaint.as_str() => self.complaint += 1,
                k if k == Kind::AutoReply.as_str() => self.auto_reply += 1,
                k if k == Kind::Delivered.as_str() => self.delivered += 1,
                k if k == Kind::Undetermined.as_str() => self.undetermined += 1,
                "not_bounce" => self.not_bounce += 1,
                _ => self.unreadable += 1,
            }
        }
    }
}

/// What a whole run read and found.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub walk: WalkSummary,
    pub counts: Counts,
}

const BATCH: usize = 512;

/// Reads every path, classifies every message in parallel and calls `emit`
/// with each message's records, in input order. `emit` returning `false`, or
/// `cancel` being set, stops the run early.
pub fn run<E>(paths: &[PathBuf], limits: &Limits, cancel: &AtomicBool, mut emit: E) -> RunSummary
where
    E: FnMut(&[Record]) -> bool,
{
    run_rendered(paths, limits, cancel, |_| (), |records, ()| emit(records))
}

/// Like [`run`], with a `render` step (such as serialising the records) that
/// runs in parallel with the classification; `emit` receives each message's
/// records with their rendering, in input order.
pub fn run_rendered<T, R, E>(
    paths: &[PathBuf],
    limits: &Limits,
    cancel: &AtomicBool,
    render: R,
    mut emit: E,
) -> RunSummary
where
    T: Send,
    R: Fn(&[Record]) -> T + Sync,
    E: FnMut(&[Record], T) -> bool,
{
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Item>>(4);
    let mut counts = Counts::default();
    let walk = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let summary = mailbox::walk(paths, limits, |item| {
                batch.push(item);
                if batch.len() >= BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if tx.send(full).is_err() {
                        return false;
                    }
                }
                !cancel.load(Ordering::Relaxed)
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            summary
        });
        let mut stopped = false;
        for batch in rx.iter() {
            if stopped {
                continue;
            }
            let results: Vec<(Vec<Record>, T)> = batch
                .par_iter()
                .map(|item| {
                    let records = match item {
                        Item::Message(m) => classify_message(m),
                        Item::Unreadable {
                            source,
                            index,
                            error,
                        } => vec![Record::unreadable(source, *index, error)],
                    };
                    let rendered = render(&records);
                    (records, rendered)
                })
                .collect();
            for (records, rendered) in results {
                counts.add(&records);
                if !emit(&records, rendered) {
                    stopped = true;
                    cancel.store(true, Ordering::Relaxed);
                    break;
                }
            }
            if cancel.load(Ordering::Relaxed) {
                stopped = true;
            }
        }
        reader.join().unwrap_or_default()
    });
    counts.messages = walk.messages;
    RunSummary { walk, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Postfix report for an alias: the list held `anna@example.org`,
    /// which forwarded to `anna.m@mail.example.org`.
    const ALIASED: &[u8] = b"From: MAILER-DAEMON@mx.example.net\n\
        To: bounces@news.example.com\n\
        Subject: Undelivered Mail Returned to Sender\n\
        MIME-Version: 1.0\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\
        \n\
        --r\n\
        Content-Type: message/delivery-status\n\
        \n\
        Reporting-MTA: dns; mx.example.net\n\
        \n\
        Final-Recipient: rfc822; anna.m@mail.example.org\n\
        Original-Recipient: rfc822; anna@example.org\n\
        Action: failed\n\
        Status: 5.1.1\n\
        Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\
        \n\
        --r--\n";

    fn json_of(raw: &[u8]) -> Vec<serde_json::Value> {
        let analysis = bounce::analyze(raw).unwrap_or_else(|e| panic!("parse: {e}"));
        records_of("test.eml", 0, &analysis)
            .iter()
            .map(|r| serde_json::to_value(r).unwrap_or_else(|e| panic!("serialise: {e}")))
            .collect()
    }

    #[test]
    fn a_record_carries_the_original_recipient_beside_the_final_one() {
        let lines = json_of(ALIASED);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["recipient"], "anna.m@mail.example.org");
        assert_eq!(lines[0]["original_recipient"], "anna@example.org");
    }

    #[test]
    fn an_unknown_original_recipient_is_null() {
        let same = String::from_utf8_lossy(ALIASED).replace(
            "rfc822; anna@example.org",
            "rfc822; anna.m@mail.example.org",
        );
        let lines = json_of(same.as_bytes());
        assert_eq!(lines[0]["recipient"], "anna.m@mail.example.org");
        assert!(lines[0]["original_recipient"].is_null(), "{lines:?}");
        let not_bounce = json_of(b"From: ana@example.org\nSubject: Hello\n\nHi!\n");
        assert_eq!(not_bounce[0]["kind"], "not_bounce");
        assert!(not_bounce[0]["original_recipient"].is_null());
    }
}
