//! An open workspace as the window sees it: the job that loads a subscriber
//! list and mailboxes into it, and everything the views show, decided and
//! ready to draw: the verdicts, the review rows, the figures. The window only
//! calls into here; it never parses mail or runs SQL.
//!
//! [`load`] runs on a worker thread (it reports [`Progress`] and stops when
//! the cancel flag is set, leaving the workspace as it was). The [`Workspace`]
//! it returns is then owned by the window, which calls
//! [`Workspace::set_override`], [`Workspace::apply_settings`] and the exports.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::job::{self, ImportOutcome, JobError, Progress};
use crate::list::{self, ListOptions, SubscriberList, WriteSummary};
use crate::mailbox;
use crate::policy::{self, Assessment, Event, History, Mailing, Override, PolicySettings, Verdict};
use crate::reports;
use crate::stats::{self, Stats};
use crate::store::{MailingInfo, ReportRow, Store, StoreError};

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct LoadRequest {
    /// The workspace database (created when missing).
    pub db: PathBuf,
    /// The subscriber list, if one was given.
    pub list: Option<PathBuf>,
    pub list_options: ListOptions,
    /// Mailbox exports to import (may be empty: then only the history is shown).
    pub bounces: Vec<PathBuf>,
    /// Seconds since the epoch, recorded with the import.
    pub now: i64,
}

/// One line of the review table: an address (or a list row without one)
/// that the user may want to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// The matching key (normalised address); empty for a row without one.
    pub key: String,
    /// The address as the list spells it (or as the bounce did).
    pub address: String,
    pub verdict: Verdict,
    /// Why, in plain words.
    pub reason: String,
    pub hard_streak: u32,
    /// Mailings with a bounce.
    pub bounces: u32,
    pub last_bounce: Option<i64>,
    pub domain: String,
    pub in_list: bool,
    /// The user's decision, if any.
    pub overridden: Option<Override>,
    /// The list row this line stands for (invalid and duplicate rows).
    pub list_row: Option<usize>,
}

impl ReviewRow {
    /// Whether the user can decide keep / remove for it (it has an address).
    pub fn can_override(&self) -> bool {
        !self.key.is_empty()
            && !matches!(
                self.verdict,
                Verdict::RemoveInvalid | Verdict::RemoveDuplicate
            )
    }
}

/// What one import added: its bounce events by address, its messages by kind.
type ImportFacts = (HashMap<String, Vec<Event>>, HashMap<String, usize>);

/// An open workspace with everything decided.
pub struct Workspace {
    pub store: Store,
    pub list: Option<Arc<SubscriberList>>,
    pub settings: PolicySettings,
    /// Events, mailings, overrides, and the list's facts per address.
    pub history: History,
    pub verdicts: HashMap<String, Assessment>,
    /// The verdict of every list row (empty without a list).
    pub row_verdicts: Vec<Verdict>,
    pub rows: Vec<ReviewRow>,
    pub stats: Stats,
    /// The figures of the newest import alone (bounce counts, reasons,
    /// mailings and domains of its messages; verdict figures stay whole).
    pub last_import_stats: Option<Stats>,
    pub mailings: Vec<MailingInfo>,
    message_kinds: HashMap<String, usize>,
    /// What the import of this load read (none when no mailbox was given).
    pub outcome: Option<ImportOutcome>,
    /// The column choices the list was read with.
    pub list_options: ListOptions,
    /// The list's column labels and its rows with a problem (computed once).
    pub list_columns: Vec<String>,
    pub list_problems: Arc<Vec<list::Problem>>,
    /// Where the first messages that were not bounces came from.
    pub unrecognised: Vec<(String, i64)>,
    sorted_mailings: Vec<Mailing>,
    newsletter: Option<String>,
    /// The newest import's events and message kinds.
    last_import: Option<ImportFacts>,
    /// List rows by address key.
    list_rows_of: HashMap<String, Vec<usize>>,
    list_domains: HashMap<String, usize>,
}

/// How many unrecognised messages the window lists.
pub const UNRECOGNISED_SHOWN: usize = 500;

/// Loads a workspace: reads the list, imports the mailboxes, decides.
pub fn load(
    req: &LoadRequest,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<Workspace, JobError> {
    job::require_paths(&req.bounces)?;
    list::protect_workspace(&req.db);
    let mut store = Store::open(&req.db)?;
    list::protect_workspace(&req.db);
    // Without a list, the workspace's last one (if it is still there).
    let (list_path, list_options) = match &req.list {
        Some(path) => (Some(path.clone()), req.list_options.clone()),
        None => remembered_list(&store)?,
    };
    let list = match &list_path {
        Some(path) => {
            progress(Progress::ReadingList);
            let list = list::read_list(path, &list_options)?;
            remember_list(&mut store, path, &list_options)?;
            Some(Arc::new(list))
        }
        None => None,
    };
    let outcome = if req.bounces.is_empty() {
        None
    } else {
        Some(job::import_mailboxes(
            &mut store,
            &req.bounces,
            req.now,
            progress,
            cancel,
        )?)
    };
    progress(Progress::Deciding);
    let mut ws = Workspace::open(store, list)?;
    ws.outcome = outcome;
    ws.list_options = list_options;
    Ok(ws)
}

/// The list a workspace was last used with, and the columns chosen for it.
fn remembered_list(store: &Store) -> Result<(Option<PathBuf>, ListOptions), StoreError> {
    let path = store
        .setting("list_path")?
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    let options = ListOptions {
        email_column: store
            .setting("list_email_column")?
            .filter(|v| !v.is_empty()),
        activity_column: store
            .setting("list_activity_column")?
            .filter(|v| !v.is_empty()),
        ..ListOptions::default()
    };
    Ok((path, options))
}

fn remember_list(store: &mut Store, path: &Path, opts: &ListOptions) -> Result<(), StoreError> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    store.set_setting("list_path", &absolute.to_string_lossy())?;
    let column = |c: &Option<String>| c.clone().unwrap_or_default();
    store.set_setting("list_email_column", &column(&opts.email_column))?;
    store.set_setting("list_activity_column", &column(&opts.activity_column))
}

impl Workspace {
    /// Decides everything for a store and an optional list.
    pub fn open(store: Store, list: Option<Arc<SubscriberList>>) -> Result<Workspace, StoreError> {
        let settings = store.policy_settings()?;
        let mut history = store.history()?;
        let mut list_rows_of: HashMap<String, Vec<usize>> = HashMap::new();
        let mut list_domains: HashMap<String, usize> = HashMap::new();
        if let Some(list) = &list {
            job::merge_list(&mut history, list);
            for row in &list.rows {
                let Some(key) = list.email(row) else { continue };
                list_rows_of
                    .entry(key.to_string())
                    .or_default()
                    .push(row.index);
                *list_domains
                    .entry(stats::domain_of(key).to_string())
                    .or_default() += 1;
            }
        }
        let last_import = match store.last_import()? {
            Some(id) => {
                let mut events = store.import_events(id)?;
                policy::attribute_to_list(&mut events, &history.subscribers);
                Some((events, store.import_message_kinds(id)?))
            }
            None => None,
        };
        let list_columns = list.as_ref().map(|l| l.column_names()).unwrap_or_default();
        let list_problems = list.as_ref().map(|l| l.problems()).unwrap_or_default();
        let mut sorted_mailings = history.mailings.clone();
        sorted_mailings.sort_by_key(|m| (m.date, m.id));
        let newsletter = history.newsletter();
        let mut ws = Workspace {
            mailings: store.mailings()?,
            message_kinds: store.message_kinds()?,
            store,
            list,
            settings,
            history,
            verdicts: HashMap::new(),
            row_verdicts: Vec::new(),
            rows: Vec::new(),
            stats: Stats::default(),
            last_import_stats: None,
            outcome: None,
            list_options: ListOptions::default(),
            list_columns,
            list_problems: Arc::new(list_problems),
            unrecognised: Vec::new(),
            sorted_mailings,
            newsletter,
            last_import,
            list_rows_of,
            list_domains,
        };
        ws.decide_all();
        if ws.stats.not_recognised > 0 {
            ws.unrecognised = ws
                .store
                .messages_of_kind("not_bounce", UNRECOGNISED_SHOWN)?;
        }
        Ok(ws)
    }

    /// The workspace file.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    fn decide_all(&mut self) {
        self.verdicts = policy::assess_all(&self.history, &self.settings);
        self.row_verdicts = match &self.list {
            Some(list) => list
                .rows
                .iter()
                .map(|r| job::row_verdict(list, r, &self.verdicts))
                .collect(),
            None => Vec::new(),
        };
        self.rows = self.build_rows();
        self.refresh_stats();
    }

    fn refresh_stats(&mut self) {
        self.stats = self.figures(None, &self.mailings, &self.message_kinds);
        self.last_import_stats = self.last_import.as_ref().map(|(events, kinds)| {
            let touched: std::collections::HashSet<u64> =
                events.values().flatten().map(|e| e.mailing).collect();
            let mailings: Vec<MailingInfo> = self
                .mailings
                .iter()
                .filter(|m| touched.contains(&m.id))
                .cloned()
                .collect();
            self.figures(Some(events), &mailings, kinds)
        });
    }

    fn figures(
        &self,
        events: Option<&HashMap<String, Vec<Event>>>,
        mailings: &[MailingInfo],
        message_kinds: &HashMap<String, usize>,
    ) -> Stats {
        stats::compute(&stats::Inputs {
            history: &self.history,
            events,
            verdicts: &self.verdicts,
            mailings,
            message_kinds,
            row_verdicts: self.list.as_ref().map(|_| self.row_verdicts.as_slice()),
            list_domains: &self.list_domains,
            hard_threshold: self.settings.hard_threshold,
            whole_list: self.settings.whole_list,
        })
    }

    /// The review lines: every address with a bounce or an override, then the
    /// list rows that go for being invalid or duplicate, sorted by address.
    fn build_rows(&self) -> Vec<ReviewRow> {
        let mut keys: Vec<&String> = self.history.events.keys().collect();
        keys.extend(self.history.overrides.keys());
        keys.sort_unstable();
        keys.dedup();
        let mut rows: Vec<ReviewRow> = keys.into_iter().map(|k| self.address_row(k)).collect();
        if let Some(list) = &self.list {
            for (row, verdict) in list.rows.iter().zip(&self.row_verdicts) {
                let reason = match verdict {
                    Verdict::RemoveInvalid => job::why(*verdict, None),
                    Verdict::RemoveDuplicate => {
                        let first = row.duplicate_of.and_then(|i| list.rows.get(i));
                        let line = first.map_or(0, |r| r.line);
                        format!("Second copy of the address on line {line}")
                    }
                    _ => continue,
                };
                let key = list.email(row).unwrap_or_default().to_string();
                let written = list.email_raw(row);
                rows.push(ReviewRow {
                    domain: stats::domain_of(&key).to_string(),
                    address: if written.trim().is_empty() {
                        format!("(empty, line {})", row.line)
                    } else {
                        written.trim().to_string()
                    },
                    key,
                    verdict: *verdict,
                    reason,
                    hard_streak: 0,
                    bounces: 0,
                    last_bounce: None,
                    in_list: true,
                    overridden: None,
                    list_row: Some(row.index),
                });
            }
        }
        rows.sort_by(|a, b| a.key.cmp(&b.key).then(a.list_row.cmp(&b.list_row)));
        rows
    }

    fn address_row(&self, key: &str) -> ReviewRow {
        let assessment = self.verdicts.get(key);
        let verdict = assessment.map_or(Verdict::Keep, |a| a.verdict);
        let address = self
            .list_rows_of
            .get(key)
            .and_then(|rows| rows.first())
            .and_then(|i| {
                let list = self.list.as_ref()?;
                Some(list.email_raw(list.rows.get(*i)?))
            })
            .map_or_else(|| key.to_string(), |written| written.trim().to_string());
        let reason = match verdict {
            Verdict::Keep | Verdict::Watch => assessment
                .and_then(|a| a.last_reason)
                .map_or_else(|| job::why(verdict, assessment), |r| r.label().to_string()),
            _ => job::why(verdict, assessment),
        };
        ReviewRow {
            key: key.to_string(),
            address,
            verdict,
            reason,
            hard_streak: assessment.map_or(0, |a| a.hard_streak),
            bounces: assessment.map_or(0, |a| a.bounces),
            last_bounce: assessment.and_then(|a| a.last_bounce),
            domain: stats::domain_of(key).to_string(),
            in_list: self.history.subscribers.get(key).is_some_and(|s| s.in_list),
            overridden: self.history.overrides.get(key).copied(),
            list_row: None,
        }
    }

    /// Records keep / remove (or, with `None`, withdraws the decision) for
    /// these addresses, re-decides them, and returns what each had before, for
    /// undo. Invalid keys are ignored.
    pub fn set_override(
        &mut self,
        keys: &[String],
        action: Option<Override>,
        now: i64,
    ) -> Result<Vec<(String, Option<Override>)>, StoreError> {
        let changes: Vec<(String, Option<Override>)> =
            keys.iter().map(|k| (k.clone(), action)).collect();
        self.apply_overrides(&changes, now)
    }

    /// Sets each address's override to its own value (undo uses this), and
    /// returns the previous values.
    pub fn apply_overrides(
        &mut self,
        changes: &[(String, Option<Override>)],
        now: i64,
    ) -> Result<Vec<(String, Option<Override>)>, StoreError> {
        let mut before = Vec::with_capacity(changes.len());
        let changes: Vec<(String, Option<Override>)> = changes
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .cloned()
            .collect();
        self.store.set_overrides(&changes, now)?;
        for (key, action) in &changes {
            let previous = match action {
                Some(a) => self.history.overrides.insert(key.clone(), *a),
                None => self.history.overrides.remove(key),
            };
            before.push((key.clone(), previous));
            self.redecide(key);
        }
        self.refresh_stats();
        Ok(before)
    }

    /// Re-decides one address and updates its review line and list rows.
    fn redecide(&mut self, key: &str) {
        let no_events = Vec::new();
        let events = self.history.events.get(key).unwrap_or(&no_events);
        let subscriber = self
            .history
            .subscribers
            .get(key)
            .cloned()
            .unwrap_or_default();
        let assessment = policy::assess(
            events,
            &self.sorted_mailings,
            self.newsletter.as_deref(),
            &subscriber,
            self.history.overrides.get(key).copied(),
            &self.settings,
        );
        self.verdicts.insert(key.to_string(), assessment);
        if let Some(list) = &self.list
            && let Some(indices) = self.list_rows_of.get(key)
        {
            for &i in indices {
                if let (Some(row), Some(slot)) = (list.rows.get(i), self.row_verdicts.get_mut(i)) {
                    *slot = job::row_verdict(list, row, &self.verdicts);
                }
            }
        }
        let line = self.address_row(key);
        match self.rows.binary_search_by(|r| {
            r.key
                .as_str()
                .cmp(key)
                .then(r.list_row.is_some().cmp(&false))
        }) {
            Ok(i) => self.rows[i] = line,
            Err(i) => self.rows.insert(i, line),
        }
    }

    /// Saves new policy settings in the workspace and re-decides everything.
    pub fn apply_settings(&mut self, settings: PolicySettings) -> Result<(), StoreError> {
        self.store.set_policy_settings(&settings)?;
        self.settings = settings;
        self.decide_all();
        Ok(())
    }

    /// The stored bounces that count for one address, oldest first: those
    /// of its final recipient, and those of its original recipient that the
    /// list attributes to it.
    pub fn evidence(&self, key: &str) -> Result<Vec<ReportRow>, StoreError> {
        let mut rows = self.store.evidence(key)?;
        rows.retain(|row| {
            let address = crate::store::normalize(&row.address);
            let original = row
                .original_recipient
                .as_deref()
                .map(crate::store::normalize);
            policy::attributed(&address, original.as_deref(), &self.history.subscribers) == key
        });
        Ok(rows)
    }

    /// The raw bytes of a stored message, by the source and index it was
    /// read from (a piece of evidence, an unrecognised message), if the
    /// source can still be read.
    pub fn raw_message(source: &str, index: i64) -> Option<Vec<u8>> {
        mailbox::fetch(source, usize::try_from(index).ok()?)
    }

    /// Writes the cleaned list (needs a list). Every export refuses to replace
    /// an existing file unless `force`.
    pub fn export_cleaned(&self, out: &Path, force: bool) -> Result<Written, ExportFailure> {
        let list = self.list.as_ref().ok_or(ExportFailure::NoList)?;
        let summary: WriteSummary = list::write_cleaned(
            list,
            |row| {
                !self
                    .row_verdicts
                    .get(row.index)
                    .is_some_and(|v| v.is_removal())
            },
            out,
            force,
        )?;
        Ok(Written {
            path: out.to_path_buf(),
            rows: summary.rows_kept,
            bytes: summary.bytes,
        })
    }

    /// Writes the suppression list.
    pub fn export_suppression(
        &self,
        out: &Path,
        force: bool,
        safe: bool,
    ) -> Result<Written, ExportFailure> {
        let bytes = reports::suppression_csv(&self.verdicts, &self.history.subscribers, safe);
        let rows = self
            .verdicts
            .values()
            .filter(|a| a.verdict.is_suppression())
            .count();
        write(out, &bytes, rows, force)
    }

    /// Writes the bounce report (one row per classified bounce).
    pub fn export_report(
        &self,
        out: &Path,
        force: bool,
        safe: bool,
    ) -> Result<Written, ExportFailure> {
        let events = self.store.report_rows()?;
        write(
            out,
            &reports::bounce_report_csv(&events, safe),
            events.len(),
            force,
        )
    }

    /// Writes every list row the cleaned list leaves out, with why.
    pub fn export_removed_rows(&self, out: &Path, force: bool) -> Result<Written, ExportFailure> {
        let list = self.list.as_ref().ok_or(ExportFailure::NoList)?;
        let bytes = reports::removed_rows_csv(list, &self.row_verdicts, &self.verdicts);
        let rows = self.row_verdicts.iter().filter(|v| v.is_removal()).count();
        write(out, &bytes, rows, force)
    }

    /// Writes the figures of the statistics view (of the newest import alone
    /// with `last_import`, when there is one).
    pub fn export_figures(
        &self,
        out: &Path,
        force: bool,
        safe: bool,
        last_import: bool,
    ) -> Result<Written, ExportFailure> {
        let figures = match (&self.last_import_stats, last_import) {
            (Some(last), true) => last,
            _ => &self.stats,
        };
        let bytes = stats::figures_csv(figures, safe);
        // A few hundred rows at most: counting them back is cheaper than
        // keeping a second count in step with `figures_csv`.
        let rows = csv::Reader::from_reader(bytes.as_slice()).records().count();
        write(out, &bytes, rows, force)
    }
}

/// Writes an export of `rows` data rows.
fn write(out: &Path, bytes: &[u8], rows: usize, force: bool) -> Result<Written, ExportFailure> {
    list::write_atomic(out, bytes, force)?;
    Ok(Written {
        path: out.to_path_buf(),
        rows,
        bytes: bytes.len(),
    })
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    /// Data rows written.
    pub rows: usize,
    pub bytes: usize,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    #[error("load a subscriber list first")]
    NoList,
    #[error(transparent)]
    Export(#[from] list::ExportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ExportFailure {
    /// The file exists and was not replaced (ask the user, then retry with force).
    pub fn is_exists(&self) -> bool {
        matches!(
            self,
            ExportFailure::Export(list::ExportError::Exists { .. })
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// A list of five rows, the bounces of two fixtures and a complaint,
    /// loaded into a fresh workspace. The fixtures are separate sends, so
    /// the whole-list assumption is off: a send without a bounce from an
    /// address says nothing about it.
    fn loaded(dir: &Path) -> Workspace {
        let mut store = Store::open(&dir.join("ws.sqlite")).unwrap();
        store
            .set_policy_settings(&PolicySettings {
                whole_list: false,
                ..PolicySettings::default()
            })
            .unwrap();
        drop(store);
        let list = dir.join("list.csv");
        std::fs::write(
            &list,
            "email,name\nmaria.lopez@example.org,Maria\nDaniel.Kovacs@example.net,Daniel\nolivia.chen@example.net,Olivia\nfrank@example.com,Frank\nnot-an-address,Nobody\n",
        )
        .unwrap();
        let req = LoadRequest {
            db: dir.join("ws.sqlite"),
            list: Some(list),
            list_options: ListOptions::default(),
            bounces: vec![
                fixture("postfix-01.eml"),
                fixture("postfix-02.eml"),
                fixture("arf-01.eml"),
            ],
            now: 1_790_000_000,
        };
        load(&req, &|_| {}, &AtomicBool::new(false)).unwrap()
    }

    fn row<'a>(ws: &'a Workspace, key: &str) -> &'a ReviewRow {
        ws.rows
            .iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("no review row for {key}"))
    }

    #[test]
    fn review_rows_hold_every_bounced_address_and_every_removed_row() {
        let dir = tempfile::tempdir().unwrap();
        let ws = loaded(dir.path());
        let maria = row(&ws, "maria.lopez@example.org");
        assert_eq!(maria.verdict, Verdict::Watch, "one hard bounce of three");
        assert_eq!((maria.hard_streak, maria.bounces), (1, 1));
        assert!(maria.in_list);
        assert_eq!(maria.reason, "Address does not exist");
        let daniel = row(&ws, "daniel.kovacs@example.net");
        assert_eq!(daniel.verdict, Verdict::RemoveComplaint);
        assert_eq!(
            daniel.address, "Daniel.Kovacs@example.net",
            "the list's spelling"
        );
        let peter = row(&ws, "peter.novak@nosuchdomain.example");
        assert!(!peter.in_list);
        let invalid = ws
            .rows
            .iter()
            .find(|r| r.verdict == Verdict::RemoveInvalid)
            .unwrap();
        assert_eq!(invalid.address, "not-an-address");
        assert!(!invalid.can_override());
        assert!(
            ws.rows.iter().all(|r| r.key != "frank@example.com"),
            "no bounce, no row"
        );
        assert_eq!(ws.stats.rows_to_remove, 2);
        assert_eq!(ws.stats.list_rows, 5);
    }

    #[test]
    fn an_override_is_stored_decided_and_undone() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = loaded(dir.path());
        let keys = vec!["maria.lopez@example.org".to_string()];
        let before = ws.set_override(&keys, Some(Override::Remove), 1).unwrap();
        assert_eq!(before, [(keys[0].clone(), None)]);
        assert_eq!(row(&ws, &keys[0]).verdict, Verdict::RemoveManual);
        assert_eq!(row(&ws, &keys[0]).overridden, Some(Override::Remove));
        assert_eq!(ws.row_verdicts[0], Verdict::RemoveManual);
        assert_eq!(ws.stats.rows_to_remove, 3);
        assert_eq!(
            ws.store.overrides().unwrap().get(&keys[0]),
            Some(&Override::Remove)
        );
        // The rows stay sorted and unique after the update.
        assert_eq!(ws.rows.iter().filter(|r| r.key == keys[0]).count(), 1);

        ws.apply_overrides(&before, 2).unwrap();
        assert_eq!(row(&ws, &keys[0]).verdict, Verdict::Watch);
        assert_eq!(ws.row_verdicts[0], Verdict::Watch);
        assert_eq!(ws.stats.rows_to_remove, 2);
        assert!(ws.store.overrides().unwrap().is_empty());

        // A keep beats a complaint.
        let daniel = vec!["daniel.kovacs@example.net".to_string()];
        ws.set_override(&daniel, Some(Override::Keep), 3).unwrap();
        assert_eq!(row(&ws, &daniel[0]).verdict, Verdict::Keep);
        assert_eq!(ws.row_verdicts[1], Verdict::Keep);
    }

    /// A Postfix notice (prose only) from the issue sent on May `day`,
    /// for the list's `anna@example.org`, an alias that forwarded to
    /// `anna.m@mail.example.org`.
    fn expanded_alias_bounce(day: u32) -> String {
        format!(
            "From MAILER-DAEMON Thu May {day:2} 10:00:00 2024\n\
             From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n\
             To: news@example.com\n\
             Subject: Undelivered Mail Returned to Sender\n\
             Date: Thu, {day:02} May 2024 10:00:00 +0000\n\
             Message-ID: <alias{day}@mx.example.net>\n\
             \n\
             This is the mail system at host mx.example.net.\n\
             \n\
             I'm sorry to have to inform you that your message could not\n\
             be delivered to one or more recipients.\n\
             \n\
             \x20                  The mail system\n\
             \n\
             <anna.m@mail.example.org> (expanded from <anna@example.org>): host\n\
             \x20   mx.mail.example.org[192.0.2.25] said: 550 5.1.1\n\
             \x20   <anna.m@mail.example.org>: Recipient address rejected: User unknown\n\
             \x20   (in reply to RCPT TO command)\n\
             \n\
             ------ This is a copy of the message, including all the headers. ------\n\
             \n\
             From: Weekly <news@example.com>\n\
             To: anna@example.org\n\
             List-Id: Weekly <weekly.example.com>\n\
             Subject: Issue {day}\n\
             Date: Thu, {day:02} May 2024 09:00:00 +0000\n\
             Message-ID: <issue{day}@example.com>\n\
             \n\
             Hello\n\
             \n"
        )
    }

    #[test]
    fn a_list_row_matched_by_the_original_recipient_takes_its_bounces() {
        let dir = tempfile::tempdir().unwrap();
        let mail = dir.path().join("bounces.mbox");
        let mbox: String = [1, 8, 15].into_iter().map(expanded_alias_bounce).collect();
        std::fs::write(&mail, mbox).unwrap();
        let list = dir.path().join("list.csv");
        std::fs::write(&list, "email\nanna@example.org\nben@example.org\n").unwrap();
        let req = LoadRequest {
            db: dir.path().join("ws.sqlite"),
            list: Some(list),
            list_options: ListOptions::default(),
            bounces: vec![mail],
            now: 1_790_000_000,
        };
        let ws = load(&req, &|_| {}, &AtomicBool::new(false)).unwrap();
        let anna = row(&ws, "anna@example.org");
        assert_eq!(anna.verdict, Verdict::RemoveHard);
        assert_eq!((anna.hard_streak, anna.bounces), (3, 3));
        assert!(anna.in_list);
        assert!(
            ws.rows.iter().all(|r| r.key != "anna.m@mail.example.org"),
            "the bounces count for the list row, not beside it"
        );
        assert_eq!(ws.row_verdicts, [Verdict::RemoveHard, Verdict::Keep]);
        let evidence = ws.evidence("anna@example.org").unwrap();
        assert_eq!(evidence.len(), 3);
        assert_eq!(evidence[0].address, "anna.m@mail.example.org");
        assert_eq!(
            evidence[0].original_recipient.as_deref(),
            Some("anna@example.org")
        );
        let last = ws
            .last_import_stats
            .as_ref()
            .map(|s| (s.matched, s.not_in_list_hard));
        assert_eq!(last, Some((1, 0)), "the last import's figures agree");
    }

    #[test]
    fn a_workspace_reopens_with_its_list() {
        let dir = tempfile::tempdir().unwrap();
        let first = loaded(dir.path());
        drop(first);
        let req = LoadRequest {
            db: dir.path().join("ws.sqlite"),
            ..LoadRequest::default()
        };
        let ws = load(&req, &|_| {}, &AtomicBool::new(false)).unwrap();
        let list = ws.list.as_ref().expect("the list comes back");
        assert_eq!(list.len(), 5);
        assert!(ws.outcome.is_none());
        assert_eq!(
            row(&ws, "daniel.kovacs@example.net").verdict,
            Verdict::RemoveComplaint
        );
        std::fs::remove_file(dir.path().join("list.csv")).unwrap();
        let ws = load(&req, &|_| {}, &AtomicBool::new(false)).unwrap();
        assert!(ws.list.is_none(), "a list that is gone is not an error");
        assert_eq!(ws.stats.messages, 3);
    }

    #[test]
    fn messages_that_are_not_bounces_can_be_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let req = LoadRequest {
            db: dir.path().join("ws.sqlite"),
            bounces: vec![fixture("notbounce-01.eml"), fixture("postfix-01.eml")],
            ..LoadRequest::default()
        };
        let ws = load(&req, &|_| {}, &AtomicBool::new(false)).unwrap();
        assert_eq!((ws.stats.messages, ws.stats.not_recognised), (2, 1));
        let found = ws.store.messages_of_kind("not_bounce", 10).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].0.ends_with("notbounce-01.eml"), "{:?}", found[0]);
        let raw = Workspace::raw_message(&found[0].0, found[0].1).unwrap();
        assert_eq!(raw, std::fs::read(fixture("notbounce-01.eml")).unwrap());
    }

    #[test]
    fn the_last_import_has_figures_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let first = loaded(dir.path());
        assert_eq!(first.last_import_stats.as_ref().unwrap().messages, 3);
        drop(first);
        let req = LoadRequest {
            db: dir.path().join("ws.sqlite"),
            bounces: vec![fixture("notbounce-01.eml"), fixture("postfix-01.eml")],
            now: 1_790_100_000,
            ..LoadRequest::default()
        };
        let ws = load(&req, &|_| {}, &AtomicBool::new(false)).unwrap();
        // postfix-01 was imported before: only the other message is new.
        assert_eq!(ws.stats.messages, 4);
        let last = ws.last_import_stats.as_ref().unwrap();
        assert_eq!((last.messages, last.not_recognised, last.hard), (1, 1, 0));
        assert!(last.mailings.is_empty());
        assert_eq!(ws.stats.hard, 2);
        assert_eq!(
            last.rows_to_remove, ws.stats.rows_to_remove,
            "verdicts stay whole"
        );
    }

    #[test]
    fn a_missing_mailbox_is_named_and_creates_no_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ws.sqlite");
        let req = LoadRequest {
            db: db.clone(),
            bounces: vec![dir.path().join("no-such.mbox")],
            ..LoadRequest::default()
        };
        let error = load(&req, &|_| {}, &AtomicBool::new(false)).err().unwrap();
        assert!(error.to_string().contains("no-such.mbox"), "{error}");
        assert!(!db.exists());
    }

    #[test]
    fn settings_are_saved_and_decide_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = loaded(dir.path());
        let strict = PolicySettings {
            hard_threshold: 1,
            ..ws.settings.clone()
        };
        ws.apply_settings(strict.clone()).unwrap();
        assert_eq!(
            row(&ws, "maria.lopez@example.org").verdict,
            Verdict::RemoveHard
        );
        assert_eq!(ws.stats.rows_to_remove, 3);
        let reopened = Store::open(&dir.path().join("ws.sqlite")).unwrap();
        assert_eq!(reopened.policy_settings().unwrap(), strict);
    }

    #[test]
    fn exports_say_what_they_wrote_and_never_replace_silently() {
        let dir = tempfile::tempdir().unwrap();
        let ws = loaded(dir.path());
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let cleaned = ws.export_cleaned(&out.join("clean.csv"), false).unwrap();
        assert_eq!(cleaned.rows, 3);
        assert_eq!(
            std::fs::read_to_string(out.join("clean.csv")).unwrap(),
            "email,name\nmaria.lopez@example.org,Maria\nolivia.chen@example.net,Olivia\nfrank@example.com,Frank\n"
        );
        let again = ws
            .export_cleaned(&out.join("clean.csv"), false)
            .unwrap_err();
        assert!(again.is_exists(), "{again}");
        assert!(ws.export_cleaned(&out.join("clean.csv"), true).is_ok());

        let report = ws
            .export_report(&out.join("report.csv"), false, true)
            .unwrap();
        assert_eq!(report.rows, 5, "one row per classified recipient");
        let suppression = ws
            .export_suppression(&out.join("suppression.csv"), false, false)
            .unwrap();
        assert_eq!(
            suppression.rows, 1,
            "the complaint (one hard bounce is not enough)"
        );
        let removed = ws
            .export_removed_rows(&out.join("removed.csv"), false)
            .unwrap();
        assert_eq!(removed.rows, 2);
        let figures = ws
            .export_figures(&out.join("figures.csv"), false, true, false)
            .unwrap();
        assert!(figures.rows > 10);
    }
}
