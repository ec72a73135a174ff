//! The workspace database: an embedded SQLite file holding the history of
//! imported bounces, the known mailings, the user's overrides and settings.
//!
//! Versioned migrations (`PRAGMA user_version`), WAL, foreign keys. An import
//! is one transaction: a cancelled or failed import leaves nothing
//! half-written. Messages are deduplicated by [`dedupe::message_key`], so a
//! mailbox imported twice adds nothing the second time. A file is read
//! read-only until it is known to be a workspace (or new); anything else is
//! reported and left as it was. The store knows nothing about the window; it
//! hands the policy a [`crate::policy::History`].

pub mod dedupe;
mod import;
pub mod mailing;

pub use import::Import;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::bounce::{Analysis, Kind, MessageKind, Reason};
use crate::policy::{Event, History, Mailing, Override, PolicySettings};

/// Why the workspace could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not a List Hygiene workspace ({reason}); it was left untouched")]
    NotAWorkspace { path: PathBuf, reason: String },
    #[error("{path}: made by a newer List Hygiene (schema {found}, this one knows {known})")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path} is damaged ({reason}); it was left untouched")]
    Damaged { path: PathBuf, reason: String },
    /// Another connection held the workspace past the busy timeout
    /// (SQLITE_BUSY, SQLITE_LOCKED). `path` is `None` where the error arose
    /// below the [`Store`] that knows it.
    #[error(
        "{}another program has this workspace open; try again when it has finished",
        at(.path)
    )]
    Busy { path: Option<PathBuf> },
    #[error("{}workspace database error: {source}", at(.path))]
    Sql {
        path: Option<PathBuf>,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> StoreError {
        if is_busy(&source) {
            StoreError::Busy { path: None }
        } else {
            StoreError::Sql { path: None, source }
        }
    }
}

impl StoreError {
    /// The error, naming `path` when it named no file.
    fn at(self, path: &Path) -> StoreError {
        match self {
            StoreError::Busy { path: None } => StoreError::Busy {
                path: Some(path.to_path_buf()),
            },
            StoreError::Sql { path: None, source } => StoreError::Sql {
                path: Some(path.to_path_buf()),
                source,
            },
            other => other,
        }
    }
}

/// "path: " before a message, when the path is known.
fn at(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}

/// How long an open or a write waits for another program's transaction
/// before it gives up with [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Every workspace's `PRAGMA application_id`: "LHyg" in ASCII. Workspaces
/// made before it was written carry 0 and are known by their schema.
pub(crate) const APPLICATION_ID: i32 = 0x4C48_7967;

/// The schema, one step per version. Never edit a released step; add one.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        sources TEXT NOT NULL,
        messages INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0
     );
     CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL,
        decoder TEXT
     );
     CREATE TABLE mailings (
        id INTEGER PRIMARY KEY,
        mailing_key TEXT NOT NULL UNIQUE,
        stream TEXT NOT NULL,
        date INTEGER NOT NULL,
        subject TEXT
     );
     CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        mailing_id INTEGER NOT NULL REFERENCES mailings(id),
        address TEXT NOT NULL,
        address_raw TEXT NOT NULL,
        date INTEGER NOT NULL,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT,
        reply_code TEXT,
        action TEXT,
        diagnostic TEXT,
        remote_mta TEXT
     );
     CREATE INDEX events_by_address ON events(address);
     CREATE INDEX events_by_mailing ON events(mailing_id);
     CREATE TABLE overrides (
        address TEXT PRIMARY KEY,
        action TEXT NOT NULL CHECK (action IN ('keep', 'remove')),
        at INTEGER NOT NULL
     );
     CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
     );",
    // 2: each bounce keeps the named rule that decided its reason and the
    // decision in words, and its original recipient (the address the sender
    // used, before an alias or a forward) when it differs from the final
    // one: its matching key and its spelling. Older rows have none (NULL).
    "ALTER TABLE events ADD COLUMN rule TEXT;
     ALTER TABLE events ADD COLUMN note TEXT;
     ALTER TABLE events ADD COLUMN original_address TEXT;
     ALTER TABLE events ADD COLUMN original_raw TEXT;
     CREATE INDEX events_by_original ON events(original_address);",
];

/// One message to import, with what the bounce engine found in it.
#[derive(Debug, Clone)]
pub struct ImportMessage {
    pub dedupe_key: String,
    pub source: String,
    pub index: usize,
    pub analysis: Analysis,
    /// When the bounce arrived (its `Date`), for bounces without an original.
    pub arrival: Option<i64>,
}

/// What one import added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub messages: usize,
    /// Messages already in the workspace, skipped.
    pub duplicates: usize,
    pub events: usize,
    pub new_mailings: usize,
    /// Recipients by kind (`hard`, `soft`, …) in the messages this import
    /// added, and `not_bounce` for its messages that are no bounce; messages
    /// already in the workspace are not counted again.
    pub kinds: std::collections::HashMap<&'static str, usize>,
}

/// One classified bounce as the bounce report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub date: i64,
    pub mailing: String,
    pub subject: Option<String>,
    /// The final recipient, as written.
    pub address: String,
    /// The original recipient, as written, when the bounce named another.
    pub original_recipient: Option<String>,
    pub kind: String,
    pub reason: String,
    pub status: Option<String>,
    pub reply_code: Option<String>,
    pub diagnostic: Option<String>,
    pub source: String,
    pub index: i64,
    /// The rule of the decision (`words`, `unknown-after-data`, …); `None`
    /// for bounces imported before it was kept.
    pub rule: Option<String>,
    /// The decision in words; `None` for bounces imported before it was kept.
    pub note: Option<String>,
}

/// One mailing as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailingInfo {
    pub id: u64,
    /// The campaign header's value, or stream + day.
    pub key: String,
    pub stream: String,
    /// Seconds since the epoch (UTC) of the send.
    pub date: i64,
    pub subject: Option<String>,
}

/// An open workspace.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) and migrates a workspace file.
    ///
    /// The file is first read without writing: only a workspace (known by
    /// its application id, or by its schema when it was made before the id
    /// was written) or an empty or missing file is then opened for writing.
    /// Anything else is refused and left exactly as it was.
    ///
    /// Another process opening or creating the same workspace at the same
    /// time is waited for (up to a few seconds), and then the workspace is
    /// used as that process left it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_timeout(path, BUSY_TIMEOUT)
    }

    /// [`Store::open`] with another busy timeout (tests make it short).
    pub(crate) fn open_with_timeout(path: &Path, timeout: Duration) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        match read_header(path)? {
            Header::Missing | Header::Empty => {}
            Header::NotSqlite => {
                return Err(StoreError::NotAWorkspace {
                    path: path.to_path_buf(),
                    reason: "it is not an SQLite database".into(),
                });
            }
            Header::Sqlite { wal } => {
                if wal && !sidecars_exist(path) {
                    inspect_as_it_stands(path, timeout)?;
                } else {
                    inspect_snapshot(&open_read_only(path, false, timeout)?, path)?;
                }
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .and_then(|conn| conn.busy_timeout(timeout).map(|()| conn))
            .map_err(|e| opening_error(path, e))?;
        Store::init(conn, path.to_path_buf(), timeout).map_err(|e| e.at(path))
    }

    /// A workspace in memory (tests, the demo).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::init(
            Connection::open_in_memory()?,
            PathBuf::from(":memory:"),
            BUSY_TIMEOUT,
        )
    }

    fn init(conn: Connection, path: PathBuf, timeout: Duration) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn, path };
        store.migrate()?;
        // WAL only once the file is known to be a workspace: switching
        // rewrites the header.
        use_wal(&store.conn, timeout)?;
        Ok(store)
    }

    /// Creates the schema in a new file, or brings an older workspace to
    /// this version, in one transaction that checks the file again first.
    fn migrate(&mut self) -> Result<(), StoreError> {
        if inspect_snapshot(&self.conn, &self.path)?.is_current() {
            return Ok(());
        }
        // IMMEDIATE: the write lock first, so that two processes creating
        // one workspace take turns, and the second finds the first's schema.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (from, stamped) = match inspect(&tx, &self.path)? {
            Found::Empty => (0, false),
            Found::Workspace { version, stamped } => (version, stamped),
        };
        let known = MIGRATIONS.len() as i64;
        for step in MIGRATIONS.iter().skip(from as usize) {
            tx.execute_batch(step)?;
        }
        if from < known {
            tx.pragma_update(None, "user_version", known)?;
        }
        if !stamped {
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Imports messages in one transaction. `cancelled` is polled between
    /// messages; when it says stop, nothing of this import is kept.
    pub fn import(
        &mut self,
        sources: &str,
        started_at: i64,
        messages: &[ImportMessage],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Option<ImportSummary>, StoreError> {
        let mut import = self.begin_import(sources, started_at)?;
        if !import.add(messages, cancelled)? {
            return Ok(None);
        }
        import.commit().map(Some)
    }

    /// Starts an import: one transaction that batches of messages are added
    /// to as they are read, so memory does not grow with the mailbox.
    /// Dropping the [`Import`] without [`Import::commit`] keeps nothing.
    pub fn begin_import(
        &mut self,
        sources: &str,
        started_at: i64,
    ) -> Result<Import<'_>, StoreError> {
        let path = &self.path;
        // IMMEDIATE: wait for another program's write here, at the start.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from(e).at(path))?;
        tx.execute(
            "INSERT INTO imports (started_at, sources) VALUES (?1, ?2)",
            params![started_at, sources],
        )
        .map_err(|e| StoreError::from(e).at(path))?;
        let import_id = tx.last_insert_rowid();
        Ok(Import {
            tx,
            path,
            import_id,
            summary: ImportSummary::default(),
        })
    }

    /// Everything the policy reads: mailings, events by address, overrides.
    /// The subscriber facts come from the list, not from here.
    pub fn history(&self) -> Result<History, StoreError> {
        Ok(History {
            mailings: self.policy_mailings()?,
            events: self.events(None)?,
            overrides: self.overrides()?,
            newsletter_stream: self.setting("newsletter_stream")?,
            ..History::default()
        })
    }

    /// Bounce events by address, oldest first: all of them, or those of the
    /// messages one import added.
    fn events(&self, import: Option<i64>) -> Result<HashMap<String, Vec<Event>>, StoreError> {
        let mut events: HashMap<String, Vec<Event>> = HashMap::new();
        self.each_event(
            "JOIN messages g ON g.id = e.message_id
             WHERE ?1 IS NULL OR g.import_id = ?1
             ORDER BY e.date, e.id",
            params![import],
            |address, event| -> Result<(), StoreError> {
                events.entry(address.to_string()).or_default().push(event);
                Ok(())
            },
        )?;
        Ok(events)
    }

    /// Known mailings, oldest first (as in [`Store::history`]).
    pub fn policy_mailings(&self) -> Result<Vec<Mailing>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, stream, date FROM mailings ORDER BY date, id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Mailing {
                id: r.get::<_, i64>(0)? as u64,
                stream: r.get(1)?,
                date: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many readable events each mailing has (the events [`Store::history`]
    /// hands the policy), for choosing the newsletter stream without holding
    /// every event.
    pub fn events_per_mailing(&self) -> Result<HashMap<u64, usize>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT mailing_id, kind, reason FROM events")?;
        let mut rows = stmt.query([])?;
        let mut out: HashMap<u64, usize> = HashMap::new();
        while let Some(r) = rows.next()? {
            let kind: String = r.get(1)?;
            let reason: String = r.get(2)?;
            if parse_kind(&kind).is_some() && Reason::parse(&reason).is_some() {
                *out.entry(r.get::<_, i64>(0)? as u64).or_default() += 1;
            }
        }
        Ok(out)
    }

    /// The events that name an original recipient other than the address they
    /// are stored under, with that address, oldest first.
    pub fn events_with_original(&self) -> Result<Vec<(String, Event)>, StoreError> {
        let mut out = Vec::new();
        self.each_event(
            "WHERE e.original_address IS NOT NULL AND e.original_address <> e.address
             ORDER BY e.date, e.id",
            [],
            |address, event| -> Result<(), StoreError> {
                out.push((address.to_string(), event));
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Hands `each` every stored address with its events, oldest first, in the
    /// order of the addresses (byte order, as `str` sorts), one address at a
    /// time: memory holds one address's events, whatever the history's size.
    pub fn for_each_address<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(&str, Vec<Event>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut current: Option<String> = None;
        let mut events: Vec<Event> = Vec::new();
        self.each_event::<E>("ORDER BY e.address, e.date, e.id", [], |address, event| {
            if current.as_deref() != Some(address) {
                if let Some(done) = current.take() {
                    each(&done, std::mem::take(&mut events))?;
                }
                current = Some(address.to_string());
            }
            events.push(event);
            Ok(())
        })?;
        if let Some(done) = current {
            each(&done, events)?;
        }
        Ok(())
    }

    /// Runs `each` over the readable events that `tail` (joins, a `WHERE` and / or
    /// an `ORDER BY` clause over `events e`, with `params`) selects, with the
    /// address each is stored under.
    fn each_event<E: From<StoreError>>(
        &self,
        tail: &str,
        params: impl rusqlite::Params,
        mut each: impl FnMut(&str, Event) -> Result<(), E>,
    ) -> Result<(), E> {
        let sql = format!(
            "SELECT e.address, e.mailing_id, e.date, e.kind, e.reason, e.diagnostic,
                    e.original_address
             FROM events e {tail}"
        );
        let sql_error = |e: rusqlite::Error| E::from(StoreError::from(e));
        let mut stmt = self.conn.prepare(&sql).map_err(sql_error)?;
        let mut rows = stmt.query(params).map_err(sql_error)?;
        while let Some(r) = rows.next().map_err(sql_error)? {
            let read = |r: &rusqlite::Row<'_>| -> Result<_, rusqlite::Error> {
                let kind: String = r.get(3)?;
                let reason: String = r.get(4)?;
                let (Some(kind), Some(reason)) = (parse_kind(&kind), Reason::parse(&reason)) else {
                    return Ok(None);
                };
                let event = Event {
                    mailing: r.get::<_, i64>(1)? as u64,
                    date: r.get(2)?,
                    kind,
                    reason,
                    diagnostic: r.get(5)?,
                    original_recipient: r.get(6)?,
                };
                Ok(Some((r.get::<_, String>(0)?, event)))
            };
            if let Some((address, event)) = read(r).map_err(sql_error)? {
                each(&address, event)?;
            }
        }
        Ok(())
    }

    /// Hands `each` every stored bounce event as the bounce report shows it,
    /// oldest first, one at a time ([`Store::report_rows`] without the list).
    pub fn for_each_report_row<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(ReportRow) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare(REPORT_ROWS_SQL)
            .map_err(|e| E::from(StoreError::from(e)))?;
        let mut rows = stmt.query([]).map_err(|e| E::from(StoreError::from(e)))?;
        while let Some(r) = rows.next().map_err(|e| E::from(StoreError::from(e)))? {
            each(report_row(r).map_err(|e| E::from(StoreError::from(e)))?)?;
        }
        Ok(())
    }

    /// The newest import that added at least one message.
    pub fn last_import(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT max(import_id) FROM messages", [], |r| r.get(0))?)
    }

    /// The bounce events of the messages one import added, by address.
    pub fn import_events(&self, import: i64) -> Result<HashMap<String, Vec<Event>>, StoreError> {
        self.events(Some(import))
    }

    /// The messages one import added, by kind (as [`Store::message_kinds`]).
    pub fn import_message_kinds(&self, import: i64) -> Result<HashMap<String, usize>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT kind, count(*) FROM messages WHERE import_id = ?1 GROUP BY kind")?;
        let rows = stmt.query_map(params![import], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (kind, n) = row?;
            out.insert(kind, n.max(0) as usize);
        }
        Ok(out)
    }

    /// The user's keep / remove decisions.
    pub fn overrides(&self) -> Result<HashMap<String, Override>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT address, action FROM overrides")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (address, action) = row?;
            let action = if action == "keep" {
                Override::Keep
            } else {
                Override::Remove
            };
            out.insert(address, action);
        }
        Ok(out)
    }

    /// Records (or with `None`, withdraws) an override.
    pub fn set_override(
        &mut self,
        address: &str,
        action: Option<Override>,
        at: i64,
    ) -> Result<(), StoreError> {
        self.set_overrides(&[(address.to_string(), action)], at)
    }

    /// Records several overrides (or withdrawals) in one transaction: all of
    /// them or none.
    pub fn set_overrides(
        &mut self,
        changes: &[(String, Option<Override>)],
        at: i64,
    ) -> Result<(), StoreError> {
        let path = &self.path;
        write_overrides(&mut self.conn, changes, at).map_err(|e| StoreError::from(e).at(path))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(|e| StoreError::from(e).at(&self.path))?;
        Ok(())
    }

    /// Every stored bounce event, oldest first, for the bounce report.
    pub fn report_rows(&self) -> Result<Vec<ReportRow>, StoreError> {
        let mut stmt = self.conn.prepare(REPORT_ROWS_SQL)?;
        let rows = stmt.query_map([], report_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every mailing: its key, stream, date and subject, oldest first.
    pub fn mailings(&self) -> Result<Vec<MailingInfo>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, mailing_key, stream, date, subject FROM mailings ORDER BY date, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(MailingInfo {
                id: r.get::<_, i64>(0)? as u64,
                key: r.get(1)?,
                stream: r.get(2)?,
                date: r.get(3)?,
                subject: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stored messages by what they were (`bounce`, `complaint`, `auto_reply`,
    /// `not_bounce`).
    pub fn message_kinds(&self) -> Result<HashMap<String, usize>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT kind, count(*) FROM messages GROUP BY kind")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (kind, n) = row?;
            out.insert(kind, n.max(0) as usize);
        }
        Ok(out)
    }

    /// The stored bounces whose final or original recipient is one address
    /// (any spelling), oldest first: the evidence behind its verdict once
    /// the caller keeps those that count for it
    /// ([`crate::policy::attributed`]).
    pub fn evidence(&self, address: &str) -> Result<Vec<ReportRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT e.date, m.mailing_key, m.subject, e.address_raw, e.kind, e.reason, e.status,
                    e.reply_code, e.diagnostic, g.source, g.idx, e.rule, e.note, e.original_raw
             FROM events e JOIN mailings m ON m.id = e.mailing_id
                           JOIN messages g ON g.id = e.message_id
             WHERE e.address = ?1 OR e.original_address = ?1
             ORDER BY e.date, e.id",
        )?;
        let rows = stmt.query_map(params![normalize(address)], report_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where the stored messages of one kind (`not_bounce`, …) came from:
    /// `(source, index)`, at most `limit`, in import order.
    pub fn messages_of_kind(
        &self,
        kind: &str,
        limit: usize,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT source, idx FROM messages WHERE kind = ?1 ORDER BY id LIMIT ?2")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![kind, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The policy settings saved in this workspace, or the defaults.
    pub fn policy_settings(&self) -> Result<PolicySettings, StoreError> {
        let mut s = PolicySettings::default();
        if let Some(n) = self.setting("hard_threshold")?.and_then(|v| v.parse().ok()) {
            s.hard_threshold = n;
        }
        if let Some(v) = self.setting("whole_list")? {
            s.whole_list = v != "false";
        }
        if let Some(v) = self.setting("soft_escalation")? {
            s.soft_escalation = v.parse().ok();
        }
        Ok(s)
    }

    /// Saves the policy settings in this workspace.
    pub fn set_policy_settings(&mut self, s: &PolicySettings) -> Result<(), StoreError> {
        self.set_setting("hard_threshold", &s.hard_threshold.to_string())?;
        self.set_setting("whole_list", if s.whole_list { "true" } else { "false" })?;
        let soft = s
            .soft_escalation
            .map_or_else(|| "off".to_string(), |n| n.to_string());
        self.set_setting("soft_escalation", &soft)
    }

    /// Counts of stored rows: (messages, events, mailings).
    pub fn counts(&self) -> Result<(i64, i64, i64), StoreError> {
        let count = |table: &str| -> Result<i64, rusqlite::Error> {
            self.conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        };
        Ok((count("messages")?, count("events")?, count("mailings")?))
    }
}

/// Switches a workspace to WAL. The switch needs the file to itself, and
/// SQLite answers "busy" at once, without the busy timeout, while another
/// connection reads it (another process checking the new workspace): it is
/// tried again until `timeout`. Not available in memory; the answer is
/// ignored there.
fn use_wal(conn: &Connection, timeout: Duration) -> Result<(), rusqlite::Error> {
    let deadline = Instant::now() + timeout;
    loop {
        let switched: Result<Option<String>, _> = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .optional();
        match switched {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            switched => return switched.map(|_| ()),
        }
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED: another connection has the file.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn write_overrides(
    conn: &mut Connection,
    changes: &[(String, Option<Override>)],
    at: i64,
) -> Result<(), rusqlite::Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for (address, action) in changes {
        let address = normalize(address);
        match action {
            None => {
                tx.execute("DELETE FROM overrides WHERE address = ?1", params![address])?;
            }
            Some(action) => {
                let action = if *action == Override::Keep {
                    "keep"
                } else {
                    "remove"
                };
                tx.execute(
                    "INSERT INTO overrides (address, action, at) VALUES (?1, ?2, ?3)
                     ON CONFLICT(address) DO UPDATE SET action = excluded.action, at = excluded.at",
                    params![address, action, at],
                )?;
            }
        }
    }
    tx.commit()
}

/// Every bounce event as the bounce report shows it, oldest first.
const REPORT_ROWS_SQL: &str =
    "SELECT e.date, m.mailing_key, m.subject, e.address_raw, e.kind, e.reason, e.status,
        e.reply_code, e.diagnostic, g.source, g.idx, e.rule, e.note, e.original_raw
 FROM events e JOIN mailings m ON m.id = e.mailing_id
               JOIN messages g ON g.id = e.message_id
 ORDER BY e.date, e.id";

fn report_row(r: &rusqlite::Row<'_>) -> Result<ReportRow, rusqlite::Error> {
    Ok(ReportRow {
        date: r.get(0)?,
        mailing: r.get(1)?,
        subject: r.get(2)?,
        address: r.get(3)?,
        kind: r.get(4)?,
        reason: r.get(5)?,
        status: r.get(6)?,
        reply_code: r.get(7)?,
        diagnostic: r.get(8)?,
        source: r.get(9)?,
        index: r.get(10)?,
        rule: r.get(11)?,
        note: r.get(12)?,
        original_recipient: r.get(13)?,
    })
}

/// The matching key of an address (see [`crate::list::normalize_address`]).
pub fn normalize(address: &str) -> String {
    // The same key the subscriber list uses, so bounces and rows match
    // (IDN domains in punycode or Unicode alike).
    crate::list::normalize_address(address).unwrap_or_else(|| {
        address
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_lowercase()
    })
}

pub(crate) fn message_kind(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Bounce => "bounce",
        MessageKind::Complaint => "complaint",
        MessageKind::AutoReply => "auto_reply",
        MessageKind::NotBounce => "not_bounce",
    }
}

fn parse_kind(kind: &str) -> Option<Kind> {
    Some(match kind {
        "hard" => Kind::Hard,
        "soft" => Kind::Soft,
        "complaint" => Kind::Complaint,
        "auto_reply" => Kind::AutoReply,
        "delivered" => Kind::Delivered,
        "undetermined" => Kind::Undetermined,
        _ => return None,
    })
}

/// What the first bytes of a file say.
enum Header {
    Missing,
    /// 0 bytes: a file created and never written (see docs/DECISIONS.md).
    Empty,
    NotSqlite,
    /// An SQLite database; `wal` when its header says write-ahead log.
    Sqlite {
        wal: bool,
    },
}

/// Reads the 100-byte database header with plain file reads.
fn read_header(path: &Path) -> Result<Header, StoreError> {
    use std::io::Read;
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Header::Missing),
        Err(e) => return Err(io(e)),
    };
    let mut head = Vec::with_capacity(100);
    file.take(100).read_to_end(&mut head).map_err(io)?;
    Ok(if head.is_empty() {
        Header::Empty
    } else if head.len() < 100 || !head.starts_with(b"SQLite format 3\0") {
        Header::NotSqlite
    } else {
        // Bytes 18 and 19: the file format's write and read versions, 2 for WAL.
        Header::Sqlite {
            wal: head[18] == 2 || head[19] == 2,
        }
    })
}

/// Inspects a WAL database that lacks its `-wal` or its `-shm` file
/// without creating them: a plain read-only connection would leave both next to another
/// program's database. It is read as it stands on disk (SQLite's
/// `immutable`): with no `-wal` file, no connection has it open (the last
/// one to close removes both files). Should another program open or change
/// it during the read (the read saw no locks), it is read again by a plain
/// read-only connection; a workspace is in any case checked once more, under
/// the write lock, before anything is written.
fn inspect_as_it_stands(path: &Path, timeout: Duration) -> Result<Found, StoreError> {
    let state = || {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    };
    let before = state();
    let found = open_read_only(path, true, timeout).and_then(|conn| inspect_snapshot(&conn, path));
    let disturbed = || sidecars_exist(path) || state() != before;
    match found {
        Err(e) if !matches!(e, StoreError::Busy { .. }) && disturbed() => {
            inspect_snapshot(&open_read_only(path, false, timeout)?, path)
        }
        found => found,
    }
}

/// Whether the `-wal` and `-shm` files of a WAL database are both there.
fn sidecars_exist(path: &Path) -> bool {
    ["-wal", "-shm"].iter().all(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        Path::new(&name).exists()
    })
}

/// A read-only connection to inspect a file before anything writes to it;
/// `as_it_stands`: immutable (see [`inspect_as_it_stands`]), when the path
/// can be written as a URI.
fn open_read_only(
    path: &Path,
    as_it_stands: bool,
    timeout: Duration,
) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let opened = match immutable_uri(path).filter(|_| as_it_stands) {
        Some(uri) => Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI),
        None => Connection::open_with_flags(path, flags),
    };
    opened
        .and_then(|conn| conn.busy_timeout(timeout).map(|()| conn))
        .map_err(|e| opening_error(path, e))
}

/// `path` as an SQLite URI that opens it read-only and immutable, or
/// `None` when the path does not fit in one (not UTF-8, a network share):
/// then the plain read-only connection is used.
fn immutable_uri(path: &Path) -> Option<String> {
    use std::fmt::Write;
    let text = path.to_str()?;
    let text = if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.to_owned()
    };
    if text.starts_with("//") {
        return None;
    }
    let mut uri = String::from("file:");
    if cfg!(windows) && text.as_bytes().get(1) == Some(&b':') {
        uri.push_str("///");
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(char::from(b));
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    Some(uri)
}

/// What a database file holds, as far as List Hygiene is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// No schema at all: a new workspace.
    Empty,
    /// A workspace of this schema version (1 or more); `stamped` when it
    /// carries the application id.
    Workspace { version: i64, stamped: bool },
}

impl Found {
    /// Nothing to write: this version's schema and the application id.
    fn is_current(self) -> bool {
        self == Found::Workspace {
            version: MIGRATIONS.len() as i64,
            stamped: true,
        }
    }
}

/// [`inspect`] in a read transaction of its own, so that it sees one state
/// of a file another process may be writing.
fn inspect_snapshot(conn: &Connection, path: &Path) -> Result<Found, StoreError> {
    let snapshot = conn
        .unchecked_transaction()
        .map_err(|e| opening_error(path, e))?;
    inspect(&snapshot, path)
    // Dropping the transaction ends it; it wrote nothing.
}

/// Recognises a workspace by its application id, its schema version and
/// its tables, reading only. Anything else is an error saying what it is.
/// Run it inside a transaction ([`inspect_snapshot`]): its reads must see
/// one state of the file.
fn inspect(conn: &Connection, path: &Path) -> Result<Found, StoreError> {
    let read = |e| opening_error(path, e);
    let application_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(read)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(read)?;
    let objects: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            [],
            |r| r.get(0),
        )
        .map_err(read)?;
    let known = MIGRATIONS.len() as i64;
    let foreign = || StoreError::NotAWorkspace {
        path: path.to_path_buf(),
        reason: "it is another program's SQLite database".into(),
    };
    let damaged = |reason: String| StoreError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    if application_id == APPLICATION_ID {
        if version > known {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known,
            });
        }
        if version < 1 {
            return Err(damaged(
                "a List Hygiene workspace without a schema version".into(),
            ));
        }
        let tables = table_columns(conn).map_err(|e| damaged(e.to_string()))?;
        return match schema_gap(&tables, version)? {
            Some(gap) => Err(damaged(format!("a List Hygiene workspace {gap}"))),
            None => Ok(Found::Workspace {
                version,
                stamped: true,
            }),
        };
    }
    if application_id != 0 {
        return Err(foreign());
    }
    if version == 0 && objects == 0 {
        return Ok(Found::Empty);
    }
    // Workspaces made before the application id was written.
    if !(1..=known).contains(&version) {
        return Err(foreign());
    }
    match table_columns(conn) {
        Ok(tables) if schema_gap(&tables, version)?.is_none() => Ok(Found::Workspace {
            version,
            stamped: false,
        }),
        _ => Err(foreign()),
    }
}

/// Each table's columns, by name.
type Tables = std::collections::BTreeMap<String, std::collections::BTreeSet<String>>;

fn table_columns(conn: &Connection) -> Result<Tables, rusqlite::Error> {
    let mut stmt = conn.prepare(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut tables = Tables::new();
    for row in rows {
        let (table, column) = row?;
        tables.entry(table).or_default().insert(column);
    }
    Ok(tables)
}

/// What the tables lack against the schema of `version` ("without the
/// table events"), or `None` when every table and column is there.
fn schema_gap(tables: &Tables, version: i64) -> Result<Option<String>, StoreError> {
    let reference = Connection::open_in_memory()?;
    for step in MIGRATIONS.iter().take(version.max(0) as usize) {
        reference.execute_batch(step)?;
    }
    for (table, columns) in table_columns(&reference)? {
        let Some(found) = tables.get(&table) else {
            return Ok(Some(format!("without the table {table}")));
        };
        if let Some(column) = columns.iter().find(|c| !found.contains(*c)) {
            return Ok(Some(format!("whose table {table} has no column {column}")));
        }
    }
    Ok(None)
}

/// An SQLite error while opening or inspecting a file, in words.
fn opening_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotAWorkspace {
            path: path.to_path_buf(),
            reason: "it is not an SQLite database".into(),
        },
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path: path.to_path_buf(),
            reason: format!("SQLite reports: {e}"),
        },
        _ => StoreError::from(e).at(path),
    }
}

#[cfg(test)]
mod tests;
