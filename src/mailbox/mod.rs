//! Mailbox exports → a stream of raw messages.
//!
//! Reads `.eml` files, mbox files (recognised by content), Maildir folders,
//! folders of any of these (recursively) and `.zip` archives of them, and hands
//! each message to a callback as a [`Item::Message`] with its source and index.
//! It does not parse messages: that is the job of [`crate::bounce`].
//!
//! [`walk`] is the entry point. Inputs are streamed: an mbox of many GB is read
//! one message at a time ([`mbox`]), a zip entry is decompressed as it is read
//! (the `zip` submodule), so memory stays bounded by the largest message kept
//! ([`Limits::max_message_bytes`]). What a file is comes from its content
//! ([`detect`]), not its name.

pub mod detect;
mod files;
pub mod mbox;
mod zip;

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use self::detect::{Content, SNIFF_LEN};
use self::files::{Files, Found, Skip};
use self::mbox::{MboxSplitter, Split};

pub use self::detect::is_mbox_start;

/// One message as read from an export, not yet parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    /// The path as given; for a zip entry `archive.zip!/inner/path`.
    pub source: String,
    /// 0-based position of the message inside its source (always 0 for a single-message file).
    pub index: usize,
    /// The message bytes, with the mbox `From ` line removed and `>From ` unescaped.
    pub bytes: Vec<u8>,
}

/// What the reader hands to its consumer, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Message(RawMessage),
    /// A file or archive that could not be read (I/O error, broken zip, zip bomb…).
    Unreadable {
        source: String,
        index: usize,
        error: String,
    },
}

/// Files passed over while walking folders, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    pub hidden: usize,
    pub index_files: usize,
    pub binary: usize,
    pub other: usize,
    /// Text files that are not mail (a README, a CSV): no header fields at the start.
    pub not_mail: usize,
    /// Folders met again in one walk (a link back to a folder or a parent, a
    /// second name for a folder): read once, the repeats counted here.
    pub loops: usize,
}

impl Skipped {
    /// Everything passed over, whatever the reason.
    pub fn total(&self) -> usize {
        self.hidden + self.index_files + self.binary + self.not_mail + self.other + self.loops
    }

    /// The reasons with their counts, for people ("2 hidden, 1 link loop");
    /// empty when nothing was skipped.
    pub fn describe(&self) -> String {
        let reasons = [
            (self.hidden, "hidden", "hidden"),
            (self.index_files, ".msf index", ".msf indexes"),
            (self.binary, "binary", "binary"),
            (self.not_mail, "not mail", "not mail"),
            (self.loops, "link loop", "link loops"),
            (self.other, "other", "other"),
        ];
        reasons
            .iter()
            .filter(|(n, ..)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn count(&mut self, why: Skip) {
        match why {
            Skip::Hidden => self.hidden += 1,
            Skip::IndexFile => self.index_files += 1,
            Skip::Other => self.other += 1,
            Skip::Loop => self.loops += 1,
        }
    }
}

/// What a walk over the inputs saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalkSummary {
    pub messages: usize,
    pub unreadable: usize,
    pub skipped: Skipped,
    /// Input paths that do not exist.
    pub missing: Vec<PathBuf>,
}

/// Bounds that keep a hostile or broken input from exhausting memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes one zip archive may decompress to (declared sizes and bytes
    /// actually read both count; nested archives share their parent's budget).
    pub max_zip_total_uncompressed: u64,
    /// Entries one zip archive may hold.
    pub max_zip_entries: usize,
    /// A bigger message is reported [`Item::Unreadable`] instead of held in memory.
    pub max_message_bytes: usize,
    /// Largest uncompressed/compressed ratio of one zip entry above 1 MiB.
    pub max_zip_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_zip_total_uncompressed: 4 << 30,
            max_zip_entries: 100_000,
            max_message_bytes: 64 << 20,
            max_zip_ratio: 1000,
        }
    }
}

/// Reads every input path in order and calls `sink` for each item, in input order.
/// `sink` returns false to cancel (the walk stops promptly and returns).
///
/// A path that does not exist is listed in [`WalkSummary::missing`]. A folder is
/// walked recursively in name order (a Maildir reads `cur/` then `new/`), passing
/// over hidden entries, `.msf` indexes, binaries and empty files; links are
/// followed and a folder met again (a link loop) is counted and passed over. A
/// file given explicitly is always read, and one that is not mail is reported
/// unreadable.
pub fn walk<F: FnMut(Item) -> bool>(paths: &[PathBuf], limits: &Limits, sink: F) -> WalkSummary {
    let mut walker = Walker {
        limits,
        sink,
        summary: WalkSummary::default(),
    };
    for found in Files::new(paths) {
        let going_on = match found {
            Found::File { path, origin, .. } => walker.read_file(&path, origin),
            Found::Skipped(why) => {
                walker.summary.skipped.count(why);
                Ok(())
            }
            Found::Missing(path) => {
                walker.summary.missing.push(path);
                Ok(())
            }
            Found::Unreadable { path, error } => walker.unreadable(&display(&path), 0, error),
        };
        if going_on.is_err() {
            break;
        }
    }
    walker.summary
}

/// Reads one file's content from memory as [`walk`] reads a file named on the
/// command line: a zip archive, an mbox or one message. `source` names it in the
/// items. For tests and fuzzing, which have bytes rather than files.
pub fn read_bytes<F: FnMut(Item) -> bool>(
    source: &str,
    bytes: &[u8],
    limits: &Limits,
    sink: F,
) -> WalkSummary {
    let mut walker = Walker {
        limits,
        sink,
        summary: WalkSummary::default(),
    };
    let mut reader = io::Cursor::new(bytes);
    let head = match read_head(&mut reader) {
        Ok(head) => head,
        Err(e) => {
            let _ = walker.unreadable(source, 0, format!("cannot read: {e}"));
            return walker.summary;
        }
    };
    if detect::is_zip_magic(&head) {
        let _ = zip::read_archive(&mut walker, io::Cursor::new(bytes), source);
        return walker.summary;
    }
    let size = Some(bytes.len() as u64);
    if let Err(Stop::Failed { index, error }) =
        walker.read_content(source, head, reader, Origin::Explicit, size)
    {
        let _ = walker.unreadable(source, index, format!("cannot read: {error}"));
    }
    walker.summary
}

/// The total size in bytes of the files [`walk`] reads from `paths` (the same
/// walk: folders recursively, hidden entries and indexes passed over, each
/// folder once): the denominator of a progress bar. Files whose size cannot
/// be read count as empty.
pub fn total_size(paths: &[PathBuf]) -> u64 {
    Files::new(paths)
        .map(|found| match found {
            Found::File { size, .. } => size,
            _ => 0,
        })
        .sum()
}

/// Reads one message again, by the `source` and `index` a walk gave it (to
/// show the raw message behind a finding). `None` when the file is gone or
/// no longer holds that message.
pub fn fetch(source: &str, index: usize) -> Option<Vec<u8>> {
    // A zip entry's source is `archive.zip!/entry`: walk the archive.
    let file = source
        .split_once("!/")
        .map_or(source, |(archive, _)| archive);
    let mut found = None;
    walk(&[PathBuf::from(file)], &Limits::default(), |item| {
        if let Item::Message(m) = item
            && m.source == source
            && m.index == index
        {
            found = Some(m.bytes);
            return false;
        }
        true
    });
    found
}

/// The sink asked to stop.
#[derive(Debug)]
struct Cancelled;

/// Why reading one source stopped early.
#[derive(Debug)]
enum Stop {
    Cancelled,
    /// Reading failed while at message `index`; the caller decides how to report
    /// it (a zip entry failing is reported differently from a file failing).
    Failed {
        index: usize,
        error: io::Error,
    },
}

impl From<Cancelled> for Stop {
    fn from(_: Cancelled) -> Self {
        Stop::Cancelled
    }
}

/// Whether the user named a file or the walk came across it: an explicitly named
/// file that is not mail deserves an error, one met in a folder or an archive is
/// passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Explicit,
    Walked,
    /// An entry of a zip archive. One passed over is still read to its end,
    /// since only there does the archive's checksum and size check say whether
    /// it is whole: a broken entry can look like a binary in its first bytes.
    Archived,
}

/// State of one [`walk`].
struct Walker<'a, F> {
    limits: &'a Limits,
    sink: F,
    summary: WalkSummary,
}

impl<F: FnMut(Item) -> bool> Walker<'_, F> {
    /// Counts and hands out one item.
    fn emit(&mut self, item: Item) -> Result<(), Cancelled> {
        match &item {
            Item::Message(_) => self.summary.messages += 1,
            Item::Unreadable { .. } => self.summary.unreadable += 1,
        }
        if (self.sink)(item) {
            Ok(())
        } else {
            Err(Cancelled)
        }
    }

    fn unreadable(
        &mut self,
        source: &str,
        index: usize,
        error: impl Into<String>,
    ) -> Result<(), Cancelled> {
        self.emit(Item::Unreadable {
            source: source.to_owned(),
            index,
            error: error.into(),
        })
    }

    /// A regular file: a zip archive, an mbox or one message.
    fn read_file(&mut self, path: &Path, origin: Origin) -> Result<(), Cancelled> {
        let source = display(path);
        let mut file = match File::open(path) {
            Ok(file) => file,
            Err(e) => return self.unreadable(&source, 0, format!("cannot open: {e}")),
        };
        let size = file.metadata().ok().map(|m| m.len());
        let head = match read_head(&mut file) {
            Ok(head) => head,
            Err(e) => return self.unreadable(&source, 0, format!("cannot read: {e}")),
        };
        if detect::is_zip_magic(&head) || has_zip_extension(path) {
            if let Err(e) = file.seek(SeekFrom::Start(0)) {
                return self.unreadable(&source, 0, format!("cannot read: {e}"));
            }
            return zip::read_archive(self, BufReader::new(file), &source);
        }
        match self.read_content(&source, head, file, origin, size) {
            Ok(()) => Ok(()),
            Err(Stop::Cancelled) => Err(Cancelled),
            Err(Stop::Failed { index, error }) => {
                self.unreadable(&source, index, format!("cannot read: {error}"))
            }
        }
    }

    /// A file's or zip entry's content: `head` (its first bytes, from
    /// [`read_head`]) followed by `rest`. `size` is the total size if known.
    fn read_content<R: Read>(
        &mut self,
        source: &str,
        head: Vec<u8>,
        mut rest: R,
        origin: Origin,
        size: Option<u64>,
    ) -> Result<(), Stop> {
        let content = detect::sniff(&head, head.len() < SNIFF_LEN);
        if origin == Origin::Archived
            && matches!(content, Content::Empty | Content::Binary(_) | Content::Text)
            && let Err(error) = io::copy(&mut rest, &mut io::sink())
        {
            return Err(Stop::Failed { index: 0, error });
        }
        match content {
            Content::Empty => {
                self.summary.skipped.other += 1;
                Ok(())
            }
            Content::Binary(what) => match origin {
                Origin::Walked | Origin::Archived => {
                    self.summary.skipped.binary += 1;
                    Ok(())
                }
                Origin::Explicit => {
                    Ok(self.unreadable(source, 0, format!("not a mail file: this is {what}"))?)
                }
            },
            Content::Text => match origin {
                Origin::Walked | Origin::Archived => {
                    self.summary.skipped.not_mail += 1;
                    Ok(())
                }
                Origin::Explicit => Ok(self.unreadable(
                    source,
                    0,
                    "not a mail file: this is text without mail headers",
                )?),
            },
            // Files on disk and top-level zip entries are opened as archives
            // before they get here; what is left is an archive inside an archive
            // inside an archive.
            Content::Zip => Ok(self.unreadable(
                source,
                0,
                "zip archive nested more than one level deep: extract it first",
            )?),
            Content::Mbox => {
                let buffer = size.map_or(mbox::DEFAULT_BUFFER, |s| {
                    usize::try_from(s.saturating_add(1)).unwrap_or(usize::MAX)
                });
                let buffer = buffer.min(mbox::DEFAULT_BUFFER);
                let reader = Cursor::new(head).chain(rest);
                self.read_mbox(source, reader, buffer)
            }
            Content::Message => self.read_single(source, head, rest, size),
        }
    }

    /// Hands out every message of an mbox.
    fn read_mbox<R: Read>(&mut self, source: &str, reader: R, buffer: usize) -> Result<(), Stop> {
        let max = self.limits.max_message_bytes;
        let mut splitter = MboxSplitter::with_buffer_size(reader, buffer, max);
        let mut index = 0;
        loop {
            match splitter.next_message() {
                Ok(Some(Split::Message(bytes))) => self.emit(Item::Message(RawMessage {
                    source: source.to_owned(),
                    index,
                    bytes,
                }))?,
                Ok(Some(Split::TooLarge { .. })) => {
                    self.unreadable(source, index, too_large(max))?;
                }
                Ok(None) => return Ok(()),
                Err(error) => return Err(Stop::Failed { index, error }),
            }
            index += 1;
        }
    }

    /// Hands out a file that is one message, unless it is too large to hold.
    fn read_single<R: Read>(
        &mut self,
        source: &str,
        head: Vec<u8>,
        rest: R,
        size: Option<u64>,
    ) -> Result<(), Stop> {
        let max = self.limits.max_message_bytes;
        // Refuse early when the size is known, rather than read 64 MiB for nothing.
        if size.is_some_and(|s| s > max as u64) || head.len() > max {
            return Ok(self.unreadable(source, 0, too_large(max))?);
        }
        let mut bytes = head;
        if let Some(size) = size {
            bytes.reserve(
                usize::try_from(size)
                    .unwrap_or(0)
                    .saturating_sub(bytes.len()),
            );
        }
        // One byte past the limit tells "exactly max" from "more than max".
        let allowance = ((max - bytes.len()) as u64).saturating_add(1);
        if let Err(error) = rest.take(allowance).read_to_end(&mut bytes) {
            return Err(Stop::Failed { index: 0, error });
        }
        if bytes.len() > max {
            return Ok(self.unreadable(source, 0, too_large(max))?);
        }
        Ok(self.emit(Item::Message(RawMessage {
            source: source.to_owned(),
            index: 0,
            bytes,
        }))?)
    }
}

/// The first [`SNIFF_LEN`] bytes of `reader` (fewer only at its end).
fn read_head<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Thunderbird's `.msf` summary files sit beside each mbox; they are indexes.
fn is_index_file(name: &str) -> bool {
    has_extension(name, "msf")
}

fn has_zip_extension(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| has_extension(&name.to_string_lossy(), "zip"))
}

/// Case-insensitive extension test (`ext` without the dot).
fn has_extension(name: &str, ext: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, e)| !stem.is_empty() && e.eq_ignore_ascii_case(ext))
}

fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn too_large(max: usize) -> String {
    format!("message larger than {}", human_size(max as u64))
}

/// `4 GiB`, `64 MiB`, or plain bytes when not a whole number of KiB/MiB/GiB.
fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests;
