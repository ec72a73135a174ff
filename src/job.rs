//! The whole pipeline behind `listhygiene clean` (and, later, the window):
//! read the subscriber list → read and classify the mailboxes → store the
//! import → apply the policy → write the exports.
//!
//! Runs on the caller's thread; the caller may run it on a worker and poll
//! the [`Progress`] it reports. Cancelling (the flag) stops within one batch
//! of messages and leaves the workspace as it was: the import is one
//! transaction. Input files are only read; every export is written
//! atomically and never replaces a file unless asked to.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::bounce::{self, Reason};
use crate::exports::CleanTargets;
use crate::list::{self, ExportSet, ListError, ListOptions, SubscriberList};
use crate::mailbox::{self, Item, Limits, Skipped};
use crate::policy::{self, Assessment, History, PolicySettings, Subscriber, Verdict};
use crate::reports;
use crate::store::{self, Import, ImportMessage, ImportSummary, Store, StoreError};

/// What to clean, and how.
#[derive(Debug, Clone)]
pub struct CleanRequest {
    pub list: PathBuf,
    pub bounces: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub db: PathBuf,
    pub settings: PolicySettings,
    pub list_options: ListOptions,
    /// Replace existing export files.
    pub force: bool,
    /// Seconds since the epoch: when the import started (recorded with it).
    pub now: i64,
}

/// Where the job is; reported as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    ReadingList,
    /// Messages read so far; `bytes` of the `total_bytes` the inputs hold
    /// (an estimate: archives count uncompressed, so `bytes` may pass it).
    ReadingMail {
        messages: usize,
        bytes: u64,
        total_bytes: u64,
    },
    Storing {
        messages: usize,
    },
    Deciding,
    Exporting,
}

/// Why the job stopped.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    List(#[from] ListError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] list::ExportError),
    #[error("no such file or folder: {}", .0.display())]
    Missing(PathBuf),
    #[error("cancelled; the workspace is unchanged")]
    Cancelled,
}

/// What the job did and found.
#[derive(Debug, Clone, Default)]
pub struct CleanReport {
    /// What reading the mailboxes found and added.
    pub read: ImportOutcome,
    /// Bounced addresses (whole history) that are in the list.
    pub matched: usize,
    /// List rows removed, by verdict.
    pub removed: HashMap<Verdict, usize>,
    pub kept_rows: usize,
    pub files: Vec<PathBuf>,
}

/// Runs the pipeline.
pub fn run_clean(
    req: &CleanRequest,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<CleanReport, JobError> {
    progress(Progress::ReadingList);
    let list = list::read_list(&req.list, &req.list_options)?;
    require_paths(&req.bounces)?;
    protect_inputs(&req.bounces);
    // Every export is checked before anything is read or stored, so that a bad
    // folder or an existing file fails before the import, not after it.
    let targets = CleanTargets::new(&req.list, &req.out_dir);
    ExportSet::prepare_folder(&req.out_dir)?;
    list::protect_workspace(&req.db);
    let exports = ExportSet::new(req.force).with_mode_of(&req.list);
    for target in targets.all() {
        exports.check(target)?;
    }
    let mut store = Store::open(&req.db)?;
    list::protect_workspace(&req.db);
    let mut report = CleanReport {
        read: import_mailboxes(&mut store, &req.bounces, req.now, progress, cancel)?,
        ..CleanReport::default()
    };

    progress(Progress::Deciding);
    write_exports(
        exports,
        &targets,
        &list,
        &req.settings,
        &store,
        &mut report,
        progress,
    )?;
    Ok(report)
}

/// Registers the mailboxes (files, and folders with all they hold) as inputs that
/// no export may replace.
fn protect_inputs(bounces: &[PathBuf]) {
    for path in bounces {
        list::protect_input(path);
    }
}

/// Fails with [`JobError::Missing`] for the first path that does not exist.
/// Callers check before they open a workspace, so that a typo creates none.
pub fn require_paths(paths: &[PathBuf]) -> Result<(), JobError> {
    match paths.iter().find(|p| !p.exists()) {
        Some(missing) => Err(JobError::Missing(missing.clone())),
        None => Ok(()),
    }
}

/// Adds what the subscriber list says about each address to the history:
/// in the list, invalid, last activity. Then each bounce counts for the
/// list row of its final recipient, or else of its original recipient
/// ([`policy::attribute_to_list`]).
pub fn merge_list(history: &mut History, list: &SubscriberList) {
    for row in &list.rows {
        let Some(key) = list.email(row) else { continue };
        let entry = history.subscribers.entry(key.to_string()).or_default();
        entry.in_list = true;
        entry.invalid |= !row.email_valid;
        entry.last_activity = entry.last_activity.max(row.activity);
    }
    policy::attribute_to_list(&mut history.events, &history.subscribers);
}

/// What the subscriber list says about one address, as [`merge_list`] puts it
/// into a history: found by key, without a map of every address.
pub fn list_subscriber(list: &SubscriberList, key: &str) -> Subscriber {
    let mut out = Subscriber::default();
    for row in list.rows_with(key) {
        out.in_list = true;
        out.invalid |= !row.email_valid;
        out.last_activity = out.last_activity.max(row.activity);
    }
    out
}

/// What one import of mailboxes read and added.
#[derive(Debug, Clone, Default)]
pub struct ImportOutcome {
    /// Messages read (including those already in the workspace).
    pub messages: usize,
    pub import: ImportSummary,
    /// Recipients by kind in this import's new messages (messages already in
    /// the workspace are not counted again), as [`ImportSummary::kinds`].
    pub kinds: HashMap<&'static str, usize>,
    /// Sources that could not be read, with why.
    pub unreadable: Vec<(String, String)>,
    /// Files and folders passed over, by reason.
    pub skipped: Skipped,
}

/// Reads the mailboxes into the workspace as one import: all of it, or, when
/// cancelled or failed, nothing.
pub fn import_mailboxes(
    store: &mut Store,
    bounces: &[PathBuf],
    now: i64,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<ImportOutcome, JobError> {
    require_paths(bounces)?;
    protect_inputs(bounces);
    let sources = bounces
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let mut outcome = ImportOutcome::default();
    let mut import = store.begin_import(&sources, now)?;
    read_mail(bounces, progress, cancel, &mut outcome, &mut import)?;
    progress(Progress::Storing {
        messages: import.summary().messages,
    });
    // Dropping the import on an error or a cancel above rolled it back.
    outcome.import = import.commit()?;
    outcome.kinds = outcome.import.kinds.clone();
    Ok(outcome)
}

/// Reads and classifies every message, in parallel, and adds them to the
/// import batch by batch, so memory does not grow with the mailbox. Stops
/// early when cancelled.
fn read_mail(
    bounces: &[PathBuf],
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
    report: &mut ImportOutcome,
    import: &mut Import<'_>,
) -> Result<(), JobError> {
    let total_bytes = mailbox::total_size(bounces);
    let bytes = std::cell::Cell::new(0u64);
    let cancelled = || cancel.load(Ordering::Relaxed);
    let mut items: Vec<Item> = Vec::new();
    let mut read = 0usize;
    let mut failure: Option<StoreError> = None;
    let mut flush = |items: &mut Vec<Item>| -> bool {
        let done: Vec<Result<ImportMessage, (String, String)>> =
            items.par_iter().map(decode_item).collect();
        items.clear();
        let mut batch = Vec::with_capacity(done.len());
        for d in done {
            match d {
                Ok(m) => batch.push(m),
                Err(u) => report.unreadable.push(u),
            }
        }
        read += batch.len();
        progress(Progress::ReadingMail {
            messages: read,
            bytes: bytes.get(),
            total_bytes,
        });
        match import.add(&batch, &cancelled) {
            Ok(going_on) => going_on,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    };
    let mut going_on = true;
    let summary = mailbox::walk(bounces, &Limits::default(), |item| {
        if let Item::Message(m) = &item {
            bytes.set(bytes.get() + m.bytes.len() as u64);
        }
        items.push(item);
        if items.len() >= 512 {
            going_on = flush(&mut items);
        }
        going_on && !cancelled()
    });
    if going_on && !cancelled() {
        flush(&mut items);
    }
    if let Some(e) = failure {
        return Err(e.into());
    }
    if cancelled() {
        return Err(JobError::Cancelled);
    }
    report.messages = summary.messages;
    report.skipped = summary.skipped;
    Ok(())
}

/// Decodes one item of a mailbox walk into what the import stores, or an
/// unreadable source with why. A decoder panic (a bug) is contained.
fn decode_item(item: &Item) -> Result<ImportMessage, (String, String)> {
    match item {
        Item::Message(m) => {
            let label = || format!("{}:{}", m.source, m.index);
            match std::panic::catch_unwind(|| bounce::analyze(&m.bytes)) {
                Ok(Ok(analysis)) => Ok(ImportMessage {
                    dedupe_key: store::dedupe::message_key(&m.bytes),
                    source: m.source.clone(),
                    index: m.index,
                    arrival: None,
                    analysis,
                }),
                Ok(Err(e)) => Err((label(), e.to_string())),
                Err(_) => Err((label(), "internal error while decoding this message".into())),
            }
        }
        Item::Unreadable { source, error, .. } => Err((source.clone(), error.clone())),
    }
}

/// The verdict of one list row: its address's verdict, or `remove_duplicate`
/// for a second copy of an address that stays.
pub fn row_verdict(
    list: &SubscriberList,
    row: &list::Row,
    verdicts: &HashMap<String, Assessment>,
) -> Verdict {
    let key = list.email(row);
    row_verdict_of(
        row,
        key.is_some(),
        key.and_then(|k| verdicts.get(k)).map(|a| a.verdict),
    )
}

/// [`row_verdict`] from the row, whether it has an address key, and the
/// verdict about that address when it was decided.
fn row_verdict_of(row: &list::Row, has_key: bool, address: Option<Verdict>) -> Verdict {
    let verdict = match (has_key, address) {
        (false, _) => Verdict::RemoveInvalid,
        (true, Some(v)) => v,
        (true, None) if !row.email_valid => Verdict::RemoveInvalid,
        (true, None) => Verdict::Keep,
    };
    if verdict.is_removal() {
        return verdict;
    }
    if row.duplicate_of.is_some() {
        return Verdict::RemoveDuplicate;
    }
    verdict
}

/// Decides address by address from the store and writes the four files of
/// `clean` all together, or none of them. Memory holds the list and one
/// address's events at a time, never the whole history: the decisions stream
/// into the suppression list, the bounce report streams from the store.
fn write_exports(
    mut exports: ExportSet,
    targets: &CleanTargets,
    list: &SubscriberList,
    settings: &PolicySettings,
    store: &Store,
    report: &mut CleanReport,
    progress: &dyn Fn(Progress),
) -> Result<(), JobError> {
    let mailings = store.policy_mailings()?;
    let overrides = store.overrides()?;
    let chosen = store.setting("newsletter_stream")?;
    let newsletter =
        policy::newsletter_of(chosen.as_deref(), &mailings, &store.events_per_mailing()?);
    let with_original = store.events_with_original()?;
    let subscriber = |key: &str| list_subscriber(list, key);

    // The decided verdict of each row's address, and the decisions behind the
    // removed rows' "why".
    let mut decided: Vec<Option<Verdict>> = vec![None; list.rows.len()];
    let mut behind_removals: HashMap<String, Assessment> = HashMap::new();
    let mut matched = 0usize;
    stage_streamed(&mut exports, &targets.suppression, |w| {
        let mut csv = reports::SuppressionWriter::new(w, false)?;
        let mut decider = policy::Decider::new(
            &mailings,
            newsletter,
            &overrides,
            settings,
            &subscriber,
            with_original,
            |key: &str, a: &Assessment, events: &[policy::Event]| -> std::io::Result<()> {
                let mut in_list = false;
                for row in list.rows_with(key) {
                    in_list = true;
                    if let Some(slot) = decided.get_mut(row.index) {
                        *slot = Some(a.verdict);
                    }
                }
                matched += usize::from(in_list && !events.is_empty());
                if in_list && a.verdict.is_removal() {
                    let kept = Assessment {
                        last_diagnostic: None,
                        ..a.clone()
                    };
                    behind_removals.insert(key.to_string(), kept);
                }
                csv.write(key, a, in_list)
            },
        );
        store.for_each_address(|key, events| decider.push(key, events).map_err(Streamed::Write))?;
        decider.finish()?;
        Ok(csv.finish()?)
    })?;
    report.matched = matched;

    progress(Progress::Exporting);
    let row_verdicts: Vec<Verdict> = list
        .rows
        .iter()
        .map(|row| row_verdict_of(row, list.email(row).is_some(), decided[row.index]))
        .collect();
    for v in &row_verdicts {
        if v.is_removal() {
            *report.removed.entry(*v).or_default() += 1;
        } else {
            report.kept_rows += 1;
        }
    }
    exports.stage_with(&targets.cleaned, |w| {
        list.write_cleaned_to(w, |row| !row_verdicts[row.index].is_removal())
    })?;
    stage_streamed(&mut exports, &targets.bounce_report, |w| {
        let mut csv = reports::BounceReportWriter::new(w, true)?;
        store.for_each_report_row(|row| csv.write(&row).map_err(Streamed::Write))?;
        Ok(csv.finish()?)
    })?;
    exports.stage_with(&targets.removed_rows, |w| {
        reports::write_removed_rows(w, list, &row_verdicts, |k| behind_removals.get(k))
    })?;
    report.files = exports.commit()?;
    Ok(())
}

/// What stops a stream from the store into an export: the store, or the writing.
enum Streamed {
    Store(StoreError),
    Write(std::io::Error),
}

impl From<StoreError> for Streamed {
    fn from(e: StoreError) -> Self {
        Streamed::Store(e)
    }
}

impl From<std::io::Error> for Streamed {
    fn from(e: std::io::Error) -> Self {
        Streamed::Write(e)
    }
}

/// Stages `out` through `write`, which streams from the store: a failure of the
/// store is reported as the store's, a failure to write as the export's.
fn stage_streamed(
    exports: &mut ExportSet,
    out: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), Streamed>,
) -> Result<(), JobError> {
    let mut failure: Option<StoreError> = None;
    exports
        .stage_with(out, |w| match write(w) {
            Ok(()) => Ok(()),
            Err(Streamed::Write(e)) => Err(e),
            Err(Streamed::Store(e)) => {
                let message = e.to_string();
                failure = Some(e);
                Err(std::io::Error::other(message))
            }
        })
        .map_err(|e| failure.map_or(JobError::Export(e), JobError::Store))
}

/// The plain-language "why" of a verdict, for reports.
pub fn why(verdict: Verdict, assessment: Option<&Assessment>) -> String {
    let reason = assessment.and_then(|a| a.verdict_reason);
    match verdict {
        Verdict::RemoveComplaint => "Marked as spam by the reader".into(),
        Verdict::RemoveHard => format!(
            "{} hard bounces in a row: {}",
            assessment.map_or(0, |a| a.max_hard_streak),
            reason.map_or("address problem", Reason::label)
        ),
        Verdict::RemoveManual => "Removed by you".into(),
        Verdict::RemoveSoft => "Soft bounces in too many mailings in a row".into(),
        Verdict::RemoveInvalid => "Not a valid e-mail address".into(),
        Verdict::RemoveDuplicate => "Second copy of an address already in the list".into(),
        Verdict::Watch => "Bounced recently; not yet removed".into(),
        Verdict::Keep => "Keep".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-column list (name, e-mail) of these addresses.
    fn list_of(emails: &[&str]) -> SubscriberList {
        let mut csv = String::from("name,email\n");
        for (i, e) in emails.iter().enumerate() {
            csv.push_str(&format!("n{i},{e}\n"));
        }
        let opts = ListOptions {
            has_header: Some(true),
            email_column: Some("email".into()),
            ..ListOptions::default()
        };
        match list::parse_list(std::path::Path::new("list.csv"), csv.into_bytes(), &opts) {
            Ok(list) => list,
            Err(e) => panic!("{e}"),
        }
    }

    fn verdicts(pairs: &[(&str, Verdict)]) -> HashMap<String, Assessment> {
        pairs
            .iter()
            .map(|(k, v)| {
                let a = Assessment {
                    verdict: *v,
                    hard_streak: 0,
                    max_hard_streak: 0,
                    bounces: 0,
                    first_bounce: None,
                    last_bounce: None,
                    last_reason: None,
                    verdict_reason: None,
                    last_diagnostic: None,
                    alive_after_removal: false,
                };
                (k.to_string(), a)
            })
            .collect()
    }

    fn row_verdicts(list: &SubscriberList, v: &HashMap<String, Assessment>) -> Vec<Verdict> {
        list.rows.iter().map(|r| row_verdict(list, r, v)).collect()
    }

    #[test]
    fn a_second_copy_of_a_kept_address_is_remove_duplicate() {
        let list = list_of(&["anna@example.org", "ben@example.org", "Anna@Example.org"]);
        let v = verdicts(&[("anna@example.org", Verdict::Keep)]);
        assert_eq!(
            row_verdicts(&list, &v),
            [Verdict::Keep, Verdict::Keep, Verdict::RemoveDuplicate]
        );
    }

    #[test]
    fn every_copy_of_a_removed_address_goes_with_its_verdict() {
        let list = list_of(&["anna@example.org", "ANNA@example.org"]);
        let v = verdicts(&[("anna@example.org", Verdict::RemoveHard)]);
        assert_eq!(
            row_verdicts(&list, &v),
            [Verdict::RemoveHard, Verdict::RemoveHard]
        );
    }

    #[test]
    fn rows_without_a_valid_address_are_remove_invalid() {
        let list = list_of(&["not an address", "", "frank@example.com"]);
        assert_eq!(
            row_verdicts(&list, &verdicts(&[])),
            [
                Verdict::RemoveInvalid,
                Verdict::RemoveInvalid,
                Verdict::Keep
            ]
        );
    }

    #[test]
    fn a_listed_address_is_found_by_key_with_its_facts() {
        let list = list_of(&["Anna@Example.org", "ben@example.org", "anna@example.org"]);
        let anna = list_subscriber(&list, "anna@example.org");
        assert!(anna.in_list && !anna.invalid);
        assert!(!list_subscriber(&list, "carl@example.org").in_list);
        let rows: Vec<usize> = list
            .rows_with("anna@example.org")
            .map(|r| r.index)
            .collect();
        assert_eq!(rows, [0, 2]);
    }
}
