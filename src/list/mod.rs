//! Subscriber lists: reading the CSV a user has, and writing the cleaned copy back.
//!
//! This module is for the subscriber file and nothing else: it sniffs the file's
//! dialect, finds the e-mail (and optional activity) column, validates and
//! normalises every address, marks duplicates, and later writes the same file minus
//! the rows the policy removed. It does not decide which rows go (that is the
//! policy's job) and it does not write the suppression list or the reports, although
//! those use [`write_atomic`] and [`spreadsheet_safe`] from here.
//!
//! # Reading ([`read_list`])
//!
//! - **Encoding.** A byte-order mark decides first (UTF-8, UTF-16 LE, UTF-16 BE).
//!   Without one, text that is NUL on every other byte is UTF-16 without a BOM; bytes
//!   that are valid UTF-8 are UTF-8; anything else goes to `chardetng`, which usually
//!   answers Windows-1252 (which is also how ISO-8859-1 is decoded), but may answer
//!   another legacy encoding (Windows-1251, Shift_JIS, …) when the text says so.
//!   Only lines holding non-ASCII bytes are shown to the detector (up to 256 KiB).
//!   Undecodable bytes become U+FFFD in the decoded fields; an address containing
//!   one is invalid. The export never re-encodes, so such bytes survive untouched.
//! - **Delimiter.** `,` `;` tab or `|`: for the first 50 records, each candidate's
//!   count outside quotes is taken per record; the candidate whose most frequent
//!   non-zero count covers the largest share of records wins, ties going to tab,
//!   then `;`, then `,`, then `|`; a candidate must appear in at least half of the
//!   records. With no candidate at all (a single column) it is `,`. Excel's `sep=;`
//!   first line names the delimiter instead, and is neither header nor row.
//! - **Records.** The `csv` crate splits the text (flexible record lengths,
//!   `"` quotes, doubled quotes inside). A quoted field that is never closed is a
//!   [`ListError::Malformed`] error naming its line, since reading on would swallow
//!   the rest of the file into one field. Records whose fields are all blank
//!   (`;;;` lines that spreadsheets leave behind) are not rows: they are kept verbatim
//!   in the export like blank lines.
//! - **Header row.** A first record with `@` in any field is data. Otherwise it is a
//!   header when a column option or the e-mail header table (below) names one of its
//!   fields, or when a later record contains `@`, or, failing all that, when it looks
//!   like labels (no field is a number or a date).
//! - **E-mail column.** `email_column` decides when given: a header name (exact, then
//!   ignoring case, spaces, `_`, `-` and `.`), else a 1-based column number; anything
//!   else is [`ListError::UnknownColumn`]. Without it: a header from a table of names in
//!   many languages (`email`, `E-Mail-Adresse`, `courriel`, `correo electrónico`,
//!   `メールアドレス`, `邮箱`, …); then a header containing `email` whose values are mostly
//!   addresses; then the column whose values most often contain `@` and validate (at
//!   least half of its non-empty values must contain `@`). Otherwise
//!   [`ListError::NoEmailColumn`] lists the columns found.
//! - **Activity column** (last open or click) is read only when `activity_column`
//!   names it. Accepted: ISO 8601 (`2024-03-15`, `2024-03-15T10:00:00Z`,
//!   `2024-03-15 10:00:00+01:00`), `15.03.2024`, `2024/03/15`, and `a/b/yyyy` with an
//!   optional time (24-hour or AM/PM). A time without an offset is taken as UTC; a date
//!   alone is midnight UTC. For `a/b/yyyy` a part above 12 decides between US
//!   (month first) and UK (day first) for that value. A value whose parts are both 12 or
//!   less follows the column: if the decided values of the column are all US it is read
//!   as US, all UK as UK; if the column has no decided value, or both kinds, it is
//!   `None`. Unparseable values are `None`, never an error.
//! - **Addresses** are validated by [`validate_address`] and matched on the key from
//!   [`normalize_address`]; the first row with a key keeps `duplicate_of == None`, later
//!   ones point at it. [`SubscriberList::rows_with`] finds the rows of a key.
//! - **Memory.** The file is parsed twice, record by record, and no record's fields are
//!   kept: a row holds its line, its address key (in one text shared by all rows), its
//!   validity, activity and duplicate link, and the byte span of its record, from which
//!   [`SubscriberList::fields`] parses its fields again when they are shown. Files in
//!   UTF-8 or a single-byte encoding (Windows-1252, ISO-8859-x, …) are split in their own
//!   bytes, where every ASCII byte is its character and no other character contains one,
//!   and each field is decoded on its own; only UTF-16 and the East Asian multi-byte
//!   encodings are transcoded first. A 143 MiB list of 3 million rows takes about 3.6×
//!   its size in all; lists over 4 GiB are refused ([`ListError::TooLarge`]).
//!
//! # Writing ([`write_cleaned`])
//!
//! The cleaned file is the input's bytes with the spans of the removed rows cut out:
//! everything else (BOM, header, blank lines, quoting, delimiter, encoding, line ends,
//! a missing final line end) is copied verbatim, so kept rows are byte-identical. This
//! holds for UTF-16 too, because the span of every record is mapped back to the raw
//! bytes through its line breaks, which every supported encoding keeps one-to-one.
//!
//! [`write_atomic`] writes through a temporary file in the target folder, syncs it and
//! then renames (or hard-links, to refuse an existing file without a race). It refuses
//! an existing target unless `force`, and it refuses, even with `force`, any file that
//! [`read_list`] read or [`protect_input`] registered in this process (mailbox files and
//! folders, with everything in them; the workspace and its `-wal`/`-shm`/`-journal`
//! files through [`protect_workspace`]): the user's input files are never written.
//! [`ExportSet`] does the same for several files at once, all or nothing: every file is
//! staged and synced before any is moved into place, and a journal lets the next run
//! finish the moves of a run killed halfway through them.

mod address;
mod columns;
mod dates;
mod export;
mod read;
mod sniff;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

pub use address::{normalize_address, validate_address};
pub use export::{
    ExportError, ExportSet, WriteSummary, protect_input, protect_workspace, spreadsheet_safe,
    write_atomic, write_cleaned,
};
pub use read::{parse_list, read_list};

/// Choices the user made about the columns; the default detects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// The e-mail column: a header name or a 1-based column number (`--email-column`).
    pub email_column: Option<String>,
    /// The last-activity column (last open or click): a header name or a 1-based
    /// column number (`--activity-column`). Without it no activity is read.
    pub activity_column: Option<String>,
    /// The delimiter, instead of the detected one.
    pub delimiter: Option<u8>,
    /// The text encoding, instead of the detected one (one of [`encoding_choices`]).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Whether the first record is a header row, instead of the detected answer.
    pub has_header: Option<bool>,
}

/// The delimiters a user can choose, with their labels.
pub const DELIMITER_CHOICES: [(u8, &str); 4] = [
    (b',', "comma ,"),
    (b';', "semicolon ;"),
    (b'\t', "tab"),
    (b'|', "pipe |"),
];

/// A delimiter as a user reads it (`comma ,`, `tab`, …).
pub fn delimiter_label(delimiter: u8) -> String {
    DELIMITER_CHOICES
        .iter()
        .find(|(d, _)| *d == delimiter)
        .map_or_else(
            || format!("{:?}", delimiter as char),
            |(_, l)| l.to_string(),
        )
}

/// The encodings a user can choose for a subscriber file: those in which line
/// breaks are the plain `\r` / `\n` code units that the export maps back.
pub fn encoding_choices() -> [&'static encoding_rs::Encoding; 10] {
    use encoding_rs::*;
    [
        UTF_8,
        WINDOWS_1252,
        ISO_8859_15,
        WINDOWS_1250,
        ISO_8859_2,
        WINDOWS_1251,
        KOI8_R,
        MACINTOSH,
        UTF_16LE,
        UTF_16BE,
    ]
}

/// Something about one row a user should look at before cleaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The row's 0-based data index.
    pub row_index: usize,
    /// The 1-based line of the file.
    pub line: usize,
    pub message: String,
}

/// The line end a file uses: the terminator of its first record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// `\r` alone (old Mac files)
    Cr,
}

impl LineEnd {
    /// The line end's characters.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnd::Lf => "\n",
            LineEnd::CrLf => "\r\n",
            LineEnd::Cr => "\r",
        }
    }
}

/// How a subscriber file is written, as detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// `,`, `;`, tab or `|` (or what an Excel `sep=` line names).
    pub delimiter: u8,
    /// The text encoding (`windows-1252` also stands for ISO-8859-1).
    pub encoding: &'static encoding_rs::Encoding,
    /// Whether the file starts with a byte-order mark.
    pub bom: bool,
    /// The first record's line end ([`LineEnd::Lf`] when the file has a single line
    /// without one).
    pub line_end: LineEnd,
    /// Whether the first record is a header row.
    pub has_header: bool,
}

/// One subscriber: a data row of the file. Its fields stay in the file's bytes
/// ([`SubscriberList::fields`]); its address key in the list's key text
/// ([`SubscriberList::email`]), so that a row takes a few dozen bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 0-based position among the data rows (the header, blank lines, all-blank
    /// records and an Excel `sep=` line are not data rows).
    pub index: usize,
    /// 1-based line of the file where the record starts.
    pub line: usize,
    /// Where the matching key from [`normalize_address`] lies in the list's key
    /// text; `None` when the e-mail field is empty.
    key: Option<KeyAt>,
    /// Whether the key is a valid address ([`validate_address`]).
    pub email_valid: bool,
    /// Last activity in Unix seconds (UTC midnight for a date alone), if the activity
    /// column was chosen and the value could be read.
    pub activity: Option<i64>,
    /// The index of the first row with the same key, for second and later copies.
    pub duplicate_of: Option<usize>,
}

/// A span of [`SubscriberList`]'s key text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyAt {
    at: u32,
    len: u32,
}

/// A subscriber file as read, with what is needed to write it back byte for byte.
#[derive(Clone)]
pub struct SubscriberList {
    /// The file that was read.
    pub path: PathBuf,
    /// How the file is written.
    pub dialect: Dialect,
    /// The decoded header fields; `None` when the file has no header row.
    pub header: Option<Vec<String>>,
    /// 0-based index of the e-mail column.
    pub email_column: usize,
    /// 0-based index of the activity column, when one was chosen.
    pub activity_column: Option<usize>,
    /// The most fields a record has.
    width: usize,
    /// The data rows in file order.
    pub rows: Vec<Row>,
    /// The file's bytes as read.
    raw: Vec<u8>,
    /// For each row, the byte range of its record in `raw`, line end included.
    spans: Vec<Range<usize>>,
    /// Every row's address key, one after the other.
    keys: String,
    /// The indices of the rows that have a key, by key and then file order.
    by_key: Vec<u32>,
    /// Splits a row's record again ([`SubscriberList::fields`]).
    splitter: read::Splitter,
}

impl SubscriberList {
    /// The column labels to show a user: the header fields, or `column N` when there
    /// is no header (or the header cell is empty).
    pub fn column_names(&self) -> Vec<String> {
        let width = self.header.as_ref().map_or(0, Vec::len).max(self.width);
        columns::labels(self.header.as_deref(), width)
    }

    /// The number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the file has no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row's address key from [`normalize_address`]; `None` when its e-mail
    /// field is empty.
    pub fn email<'a>(&'a self, row: &Row) -> Option<&'a str> {
        let k = row.key?;
        let at = k.at as usize;
        self.keys.get(at..at + k.len as usize)
    }

    /// The row's decoded fields, as many as its record has, parsed again from the
    /// file's bytes.
    pub fn fields(&self, row: &Row) -> Vec<String> {
        let bytes = self
            .spans
            .get(row.index)
            .and_then(|span| self.raw.get(span.clone()))
            .unwrap_or_default();
        read::record_fields(bytes, self.dialect.encoding, &self.splitter)
    }

    /// The row's e-mail field as written (empty when the row is too short).
    pub fn email_raw(&self, row: &Row) -> String {
        self.fields(row)
            .into_iter()
            .nth(self.email_column)
            .unwrap_or_default()
    }

    /// The rows whose address key is `key`, in file order.
    pub fn rows_with<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a Row> + 'a {
        let key_of = |i: &u32| {
            self.rows
                .get(*i as usize)
                .and_then(|row| self.email(row))
                .unwrap_or_default()
        };
        let from = self.by_key.partition_point(|i| key_of(i) < key);
        let to = from + self.by_key[from..].partition_point(|i| key_of(i) == key);
        self.by_key[from..to]
            .iter()
            .filter_map(|i| self.rows.get(*i as usize))
    }

    /// Whether a row has the address key `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.rows_with(key).next().is_some()
    }

    /// Sorts the rows by key and links second and later copies of a key to the first.
    fn index_keys(&mut self) {
        let mut by_key: Vec<u32> = self
            .rows
            .iter()
            .filter(|row| row.key.is_some())
            .filter_map(|row| u32::try_from(row.index).ok())
            .collect();
        let key_of = |i: u32| {
            self.rows
                .get(i as usize)
                .and_then(|row| self.email(row))
                .unwrap_or_default()
        };
        by_key.sort_unstable_by(|&a, &b| key_of(a).cmp(key_of(b)).then(a.cmp(&b)));
        let mut links: Vec<(usize, usize)> = Vec::new();
        for group in by_key.chunk_by(|&a, &b| key_of(a) == key_of(b)) {
            if let Some((&first, later)) = group.split_first() {
                links.extend(later.iter().map(|&i| (i as usize, first as usize)));
            }
        }
        for (i, first) in links {
            if let Some(row) = self.rows.get_mut(i) {
                row.duplicate_of = Some(first);
            }
        }
        self.by_key = by_key;
    }

    /// The rows a user should look at, in file order: no address, an invalid
    /// address, a second copy of an address, an activity date that cannot be read.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for row in &self.rows {
            let problem = |message: String| Problem {
                row_index: row.index,
                line: row.line,
                message,
            };
            if row.key.is_none() {
                out.push(problem("no e-mail address".into()));
            } else if !row.email_valid {
                out.push(problem(format!(
                    "not a valid e-mail address: {}",
                    self.email_raw(row).trim()
                )));
            } else if let Some(first) = row.duplicate_of {
                let line = self.rows.get(first).map_or(0, |r| r.line);
                out.push(problem(format!("same address as line {line}")));
            }
            if let Some(column) = self.activity_column
                && row.activity.is_none()
            {
                let fields = self.fields(row);
                let value = fields.get(column).map_or("", |v| v.trim());
                if !value.is_empty() {
                    out.push(problem(format!("cannot read the date {value:?}")));
                }
            }
        }
        out
    }
}

impl fmt::Debug for SubscriberList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriberList")
            .field("path", &self.path)
            .field("dialect", &self.dialect)
            .field("header", &self.header)
            .field("email_column", &self.email_column)
            .field("activity_column", &self.activity_column)
            .field("rows", &self.rows)
            .field("raw_len", &self.raw.len())
            .finish()
    }
}

/// Why a subscriber file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file has no records at all.
    #[error("{} is empty: it has no rows", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// No column holds e-mail addresses.
    #[error(
        "no e-mail column found in {}; columns are: {} — choose one with --email-column",
        path.display(),
        shown_columns(columns)
    )]
    NoEmailColumn {
        /// The file.
        path: PathBuf,
        /// The columns found (header names, or `column N (first value)`).
        columns: Vec<String>,
    },
    /// A column chosen by name or number does not exist.
    #[error(
        "there is no column {:?} in {}; columns are: {}",
        shown(name, 60),
        path.display(),
        shown_columns(columns)
    )]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// The name or number asked for.
        name: String,
        /// The columns found.
        columns: Vec<String>,
    },
    /// The path is not a regular file (a folder, a FIFO, a device), which is
    /// refused before it is opened: reading a FIFO would wait forever.
    #[error("{} is not a file but {what}; give the subscriber list's CSV file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is ("a folder", "a named pipe", …).
        what: &'static str,
    },
    /// The file changed while it was read (another program writing it); nothing
    /// read from it is used.
    #[error(
        "{} changed while it was read (its size or modification time is not what it was); wait until the program writing it has finished, then try again",
        path.display()
    )]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// The file is larger than a list can be (4 GiB).
    #[error("{} is larger than 4 GiB; split it into smaller lists", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file cannot be split into records safely.
    #[error("{}, line {line}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line where the problem starts.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// How many columns, and how many characters of each, an error quotes.
const SHOWN_COLUMNS: usize = 20;
const SHOWN_CHARS: usize = 40;

/// The columns an error lists: at most [`SHOWN_COLUMNS`], each cut by [`shown`].
fn shown_columns(columns: &[String]) -> String {
    let mut out: Vec<String> = columns
        .iter()
        .take(SHOWN_COLUMNS)
        .map(|c| shown(c, SHOWN_CHARS))
        .collect();
    if columns.len() > SHOWN_COLUMNS {
        out.push(format!("… ({} more)", columns.len() - SHOWN_COLUMNS));
    }
    out.join(", ")
}

/// Text from a file as an error may quote it: control characters (terminal
/// escape sequences among them) and the replacement character become `?`, and
/// it is cut after `max` characters. A binary file given as the list would
/// otherwise print megabytes of raw bytes.
fn shown(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| {
            if c.is_control() || c == '\u{fffd}' {
                '?'
            } else {
                c
            }
        })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}
