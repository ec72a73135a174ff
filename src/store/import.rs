//! One import: the transaction that messages are added to batch by batch,
//! and how each message's bounce is placed in a mailing.

use rusqlite::{OptionalExtension, params};

use super::{ImportMessage, ImportSummary, StoreError, mailing, message_kind, normalize};
use crate::bounce::Analysis;

/// An import in progress: one open transaction.
pub struct Import<'a> {
    pub(super) tx: rusqlite::Transaction<'a>,
    /// The workspace file, for the errors.
    pub(super) path: &'a std::path::Path,
    pub(super) import_id: i64,
    pub(super) summary: ImportSummary,
}

impl Import<'_> {
    /// Adds a batch. Returns `false` when `cancelled` said stop (the caller
    /// then drops the import, and nothing is kept).
    pub fn add(
        &mut self,
        messages: &[ImportMessage],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<bool, StoreError> {
        let path = self.path;
        self.add_batch(messages, cancelled).map_err(|e| e.at(path))
    }

    fn add_batch(
        &mut self,
        messages: &[ImportMessage],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<bool, StoreError> {
        let tx = &self.tx;
        let summary = &mut self.summary;
        let mut known = tx.prepare_cached("SELECT 1 FROM messages WHERE dedupe_key = ?1")?;
        let mut add_message = tx.prepare_cached(
            "INSERT INTO messages (dedupe_key, import_id, source, idx, kind, decoder)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut add_event = tx.prepare_cached(
            "INSERT INTO events (message_id, mailing_id, address, address_raw, date, kind,
               reason, status, reply_code, action, diagnostic, remote_mta, rule, note,
               original_address, original_raw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for m in messages {
            if cancelled() {
                return Ok(false);
            }
            if known.exists(params![m.dedupe_key])? {
                summary.duplicates += 1;
                continue;
            }
            add_message.execute(params![
                m.dedupe_key,
                self.import_id,
                m.source,
                m.index as i64,
                message_kind(m.analysis.kind),
                m.analysis.decoder,
            ])?;
            let message_id = tx.last_insert_rowid();
            summary.messages += 1;
            for f in &m.analysis.findings {
                *summary.kinds.entry(f.kind.as_str()).or_default() += 1;
            }
            if m.analysis.kind == crate::bounce::MessageKind::NotBounce {
                *summary.kinds.entry("not_bounce").or_default() += 1;
            }
            if m.analysis.findings.is_empty() {
                continue;
            }
            let arrival = m
                .analysis
                .findings
                .iter()
                .find_map(|f| f.date)
                .or(m.arrival)
                .unwrap_or(0);
            let (mailing_id, created) = mailing_for(tx, &m.analysis, arrival)?;
            summary.new_mailings += usize::from(created);
            for f in &m.analysis.findings {
                let address = normalize(&f.recipient);
                // Kept only when it is another matching key than the final
                // recipient's (not merely another spelling of it).
                let original = f
                    .original_recipient
                    .as_deref()
                    .map(|raw| (normalize(raw), raw))
                    .filter(|(key, _)| *key != address);
                add_event.execute(params![
                    message_id,
                    mailing_id,
                    address,
                    f.recipient,
                    f.date.unwrap_or(arrival),
                    f.kind.as_str(),
                    f.reason.as_str(),
                    f.status,
                    f.reply_code,
                    f.action,
                    f.diagnostic,
                    f.remote_mta,
                    f.rule.name(),
                    f.note,
                    original.as_ref().map(|(key, _)| key),
                    original.as_ref().map(|(_, raw)| raw),
                ])?;
                summary.events += 1;
            }
        }
        Ok(true)
    }

    /// What the import has added so far.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// Makes the import permanent.
    pub fn commit(self) -> Result<ImportSummary, StoreError> {
        let named = |e| StoreError::from(e).at(self.path);
        self.tx
            .execute(
                "UPDATE imports SET messages = ?1, duplicates = ?2 WHERE id = ?3",
                params![
                    self.summary.messages as i64,
                    self.summary.duplicates as i64,
                    self.import_id
                ],
            )
            .map_err(named)?;
        self.tx.commit().map_err(named)?;
        Ok(self.summary)
    }
}

/// The mailing a message's bounce belongs to: from its original, else the
/// latest known mailing dated within the 5 days before the bounce arrived,
/// else a mailing of the arrival day. Returns its id and whether it is new.
pub(super) fn mailing_for(
    tx: &rusqlite::Transaction<'_>,
    analysis: &Analysis,
    arrival: i64,
) -> Result<(i64, bool), StoreError> {
    let reference = match mailing::mailing_of(&analysis.original) {
        Some(m) => m,
        None => {
            let recent: Option<i64> = tx
                .query_row(
                    "SELECT id FROM mailings WHERE date <= ?1 AND date >= ?2
                     ORDER BY date DESC, id DESC LIMIT 1",
                    params![arrival, arrival - mailing::ATTACH_WINDOW_SECS],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = recent {
                return Ok((id, false));
            }
            mailing::orphan_mailing(arrival)
        }
    };
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM mailings WHERE mailing_key = ?1",
            params![reference.key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    tx.execute(
        "INSERT INTO mailings (mailing_key, stream, date, subject) VALUES (?1, ?2, ?3, ?4)",
        params![
            reference.key,
            reference.stream,
            reference.date,
            reference.subject
        ],
    )?;
    Ok((tx.last_insert_rowid(), true))
}
