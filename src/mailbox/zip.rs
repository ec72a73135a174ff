//! Zip archives of mail exports (Gmail Takeout, zipped Maildirs, zipped `.eml`
//! folders): every entry is read like a file met in a folder walk.
//!
//! A zip can claim or hold far more than its own size (a "zip bomb"), so an
//! archive is checked before anything is decompressed (entry count, declared
//! total size, per-entry compression ratio) and the bytes actually decompressed
//! are counted while reading; crossing a bound refuses the archive with one
//! [`Item::Unreadable`]. Entries are streamed, never extracted to disk. An archive
//! inside an archive is read one level deep (held in memory, so only up to
//! [`Limits::max_message_bytes`]); deeper ones are refused.

use std::io::{self, Cursor, Read, Seek};

use ::zip::ZipArchive;

use super::detect;
use super::{
    Cancelled, Item, Limits, Origin, Stop, Walker, has_extension, human_size, is_index_file,
    read_head,
};

/// Entries below this size are not ratio-checked: whatever their ratio, they
/// cannot do harm, and a small file of repeated text can compress very well.
const RATIO_CHECK_MIN_BYTES: u64 = 1 << 20;

/// What one top-level archive (with any archive nested in it) may still use.
struct Budget {
    bytes_left: u64,
    entries_left: usize,
}

/// A bound crossed while decompressing; carried inside an [`io::Error`] so it
/// can be told apart from a broken entry.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refusal(String);

/// Reads a zip archive and hands out the messages of its entries.
pub(super) fn read_archive<R: Read + Seek, F: FnMut(Item) -> bool>(
    walker: &mut Walker<'_, F>,
    reader: R,
    source: &str,
) -> Result<(), Cancelled> {
    let mut budget = Budget {
        bytes_left: walker.limits.max_zip_total_uncompressed,
        entries_left: walker.limits.max_zip_entries,
    };
    read_level(walker, reader, source, &mut budget, 0)
}

/// One archive at nesting `depth` (0 for a file on disk).
fn read_level<R: Read + Seek, F: FnMut(Item) -> bool>(
    walker: &mut Walker<'_, F>,
    reader: R,
    source: &str,
    budget: &mut Budget,
    depth: u32,
) -> Result<(), Cancelled> {
    let mut archive = match ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(e) => return walker.unreadable(source, 0, format!("broken zip archive: {e}")),
    };
    if let Err(why) = check_declared(&archive, walker.limits, budget) {
        return walker.unreadable(source, 0, refused(&why));
    }

    for i in 0..archive.len() {
        let (name, is_dir, is_symlink, declared) = match archive.by_index_data(i) {
            Ok(entry) => {
                let name = match entry.name() {
                    Ok(name) => name.into_owned(),
                    Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
                };
                (name, entry.is_dir(), entry.is_symlink(), entry.size())
            }
            Err(e) => {
                walker.unreadable(source, 0, format!("broken zip archive: entry {i}: {e}"))?;
                continue;
            }
        };
        // Folders need no reading: their files are entries of their own.
        if is_dir {
            continue;
        }
        let inner = name.trim_start_matches('/');
        let entry_source = format!("{source}!/{inner}");
        let file_name = inner.rsplit('/').next().unwrap_or(inner);
        // __MACOSX/ holds Finder metadata (resource forks), never mail.
        if inner
            .split('/')
            .any(|part| part.starts_with('.') || part == "__MACOSX")
        {
            walker.summary.skipped.hidden += 1;
            continue;
        }
        if is_index_file(file_name) {
            walker.summary.skipped.index_files += 1;
            continue;
        }
        if is_symlink {
            walker.summary.skipped.other += 1;
            continue;
        }

        let entry = match archive.by_index(i) {
            Ok(entry) => entry,
            Err(e) => {
                walker.unreadable(&entry_source, 0, broken_entry(&e))?;
                continue;
            }
        };
        let mut reader = Counted {
            inner: entry,
            entry_left: declared,
            budget_left: &mut budget.bytes_left,
            limits: walker.limits,
        };
        let result = match read_head(&mut reader) {
            Err(error) => Err(Stop::Failed { index: 0, error }),
            Ok(head)
                if depth == 0
                    && (detect::is_zip_magic(&head) || has_extension(file_name, "zip")) =>
            {
                // Held in memory: reading a zip needs seeking, which an entry cannot.
                let max = walker.limits.max_message_bytes;
                match read_whole(&mut reader, head, max) {
                    Ok(Some(bytes)) => {
                        drop(reader);
                        read_level(walker, Cursor::new(bytes), &entry_source, budget, depth + 1)
                            .map_err(Stop::from)
                    }
                    Ok(None) => {
                        let why = format!(
                            "zip archive inside the archive is larger than {}: extract it first",
                            human_size(max as u64)
                        );
                        walker.unreadable(&entry_source, 0, why).map_err(Stop::from)
                    }
                    Err(error) => Err(Stop::Failed { index: 0, error }),
                }
            }
            Ok(head) => walker.read_content(
                &entry_source,
                head,
                &mut reader,
                Origin::Archived,
                Some(declared),
            ),
        };
        match result {
            Ok(()) => {}
            Err(Stop::Cancelled) => return Err(Cancelled),
            Err(Stop::Failed { index, error }) => {
                if let Some(why) = error.get_ref().and_then(|e| e.downcast_ref::<Refusal>()) {
                    // Stop the whole archive: the rest is not to be trusted either.
                    return walker.unreadable(source, 0, refused(&why.0));
                }
                walker.unreadable(&entry_source, index, broken_entry(&error))?;
            }
        }
    }
    Ok(())
}

/// Checks what the central directory declares, before decompressing anything.
/// On success the archive's entries are taken from the budget.
fn check_declared<R: Read + Seek>(
    archive: &ZipArchive<R>,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<(), String> {
    let entries = archive.len();
    if entries > budget.entries_left {
        return Err(format!(
            "it holds more than {} entries",
            limits.max_zip_entries
        ));
    }
    let mut total: u64 = 0;
    for i in 0..entries {
        // A bad entry is reported when it is read.
        let Ok(entry) = archive.by_index_data(i) else {
            continue;
        };
        let size = entry.size();
        total = total.saturating_add(size);
        if total > budget.bytes_left {
            return Err(total_exceeded(limits));
        }
        let ratio = size / entry.compressed_size().max(1);
        if size > RATIO_CHECK_MIN_BYTES && ratio > limits.max_zip_ratio {
            let name = String::from_utf8_lossy(entry.name_raw());
            return Err(format!(
                "entry {name} would expand {ratio} times, more than the limit of {}",
                limits.max_zip_ratio
            ));
        }
    }
    budget.entries_left -= entries;
    Ok(())
}

/// All of an entry, if it is at most `max` bytes (`None` if larger).
fn read_whole<R: Read>(reader: &mut R, head: Vec<u8>, max: usize) -> io::Result<Option<Vec<u8>>> {
    if head.len() > max {
        return Ok(None);
    }
    let mut bytes = head;
    let allowance = ((max - bytes.len()) as u64).saturating_add(1);
    reader.take(allowance).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// Why an entry could not be read: its data does not match what its headers
/// say (checksum, size) or does not decompress.
fn broken_entry(why: &dyn std::fmt::Display) -> String {
    format!("broken zip entry: {why}")
}

fn refused(why: &str) -> String {
    format!("zip archive refused: {why} (possible zip bomb)")
}

fn total_exceeded(limits: &Limits) -> String {
    format!(
        "uncompressed size exceeds {}",
        human_size(limits.max_zip_total_uncompressed)
    )
}

/// Counts the bytes an entry really decompresses to, against what it declared
/// and against the archive's budget: declared sizes are only claims. An entry
/// whose data is longer or shorter than it declares is broken (an error for
/// that entry); crossing the budget refuses the whole archive.
struct Counted<'b, R> {
    inner: R,
    entry_left: u64,
    budget_left: &'b mut u64,
    limits: &'b Limits,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() && self.entry_left > 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "its data is {} bytes shorter than its header declares",
                    self.entry_left
                ),
            ));
        }
        let counted = n as u64;
        if counted > self.entry_left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "its data goes on past the size its header declares",
            ));
        }
        if counted > *self.budget_left {
            return Err(refusal(total_exceeded(self.limits)));
        }
        self.entry_left -= counted;
        *self.budget_left -= counted;
        Ok(n)
    }
}

fn refusal(why: String) -> io::Error {
    io::Error::other(Refusal(why))
}

#[cfg(test)]
mod tests {
    use super::super::{Item, Limits, RawMessage, walk};
    use super::*;
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use ::zip::write::SimpleFileOptions;
    use ::zip::{CompressionMethod, ZipWriter};

    fn deflated() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
    }

    /// Writes a zip at `path` with the given (name, content) entries; a name
    /// ending in `/` is a folder.
    fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
        let file = std::fs::File::create(path).expect("create zip");
        let mut zip = ZipWriter::new(file);
        for (name, content) in entries {
            if name.ends_with('/') {
                zip.add_directory(*name, deflated()).expect("add dir");
            } else {
                zip.start_file(*name, deflated()).expect("start file");
                zip.write_all(content).expect("write entry");
            }
        }
        zip.finish().expect("finish zip");
    }

    fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
        zip_bytes_as(CompressionMethod::Deflated, entries)
    }

    fn zip_bytes_as(method: CompressionMethod, entries: &[(&str, &[u8])]) -> Vec<u8> {
        let options = SimpleFileOptions::default().compression_method(method);
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            zip.start_file(*name, options).expect("start file");
            zip.write_all(content).expect("write entry");
        }
        zip.finish().expect("finish zip").into_inner()
    }

    fn collect(paths: &[PathBuf], limits: &Limits) -> (Vec<Item>, super::super::WalkSummary) {
        let mut items = Vec::new();
        let summary = walk(paths, limits, |item| {
            items.push(item);
            true
        });
        (items, summary)
    }

    fn message(source: &str, index: usize, bytes: &[u8]) -> Item {
        Item::Message(RawMessage {
            source: source.to_owned(),
            index,
            bytes: bytes.to_vec(),
        })
    }

    const EML: &[u8] = b"Subject: one\r\n\r\nFrom here on, body\r\n";
    const MBOX: &[u8] = b"From a\nSubject: two\n\nx\n\nFrom b\nSubject: three\n\n>From y\n";

    #[test]
    fn zip_with_eml_and_mbox_is_read_in_archive_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("export.zip");
        write_zip(
            &path,
            &[
                ("mail/", b""),
                ("mail/one.eml", EML),
                ("mail/Inbox", MBOX),
                ("__MACOSX/mail/._one.eml", b"\0\x05\x16\x07"),
                ("mail/.DS_Store", b"junk"),
                ("mail/Inbox.msf", b"// <!-- <mdb:mork:z"),
                ("mail/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
                ("mail/empty.eml", b""),
            ],
        );
        let (items, summary) = collect(std::slice::from_ref(&path), &Limits::default());
        let source = path.display().to_string();
        assert_eq!(
            items,
            vec![
                message(&format!("{source}!/mail/one.eml"), 0, EML),
                message(&format!("{source}!/mail/Inbox"), 0, b"Subject: two\n\nx\n"),
                message(
                    &format!("{source}!/mail/Inbox"),
                    1,
                    b"Subject: three\n\nFrom y\n"
                ),
            ]
        );
        assert_eq!(summary.messages, 3);
        assert_eq!(summary.unreadable, 0);
        assert_eq!(summary.skipped.hidden, 2);
        assert_eq!(summary.skipped.index_files, 1);
        assert_eq!(summary.skipped.binary, 1);
        assert_eq!(summary.skipped.other, 1);
    }

    #[test]
    fn zip_is_recognised_by_magic_without_extension() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("takeout-download");
        write_zip(&path, &[("a.eml", EML)]);
        let (items, _) = collect(std::slice::from_ref(&path), &Limits::default());
        assert_eq!(
            items,
            vec![message(&format!("{}!/a.eml", path.display()), 0, EML)]
        );
    }

    #[test]
    fn declared_size_over_the_limit_refuses_the_archive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bomb.zip");
        let zeros = vec![b'\n'; 10_000];
        write_zip(
            &path,
            &[("a.eml", EML), ("b.eml", &zeros), ("c.eml", &zeros)],
        );
        let limits = Limits {
            max_zip_total_uncompressed: 15_000,
            ..Limits::default()
        };
        let (items, summary) = collect(std::slice::from_ref(&path), &limits);
        assert_eq!(
            items,
            vec![Item::Unreadable {
                source: path.display().to_string(),
                index: 0,
                error:
                    "zip archive refused: uncompressed size exceeds 15000 bytes (possible zip bomb)"
                        .to_owned(),
            }]
        );
        assert_eq!((summary.messages, summary.unreadable), (0, 1));
    }

    #[test]
    fn high_compression_ratio_refuses_the_archive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ratio.zip");
        let zeros = vec![b' '; 4 << 20];
        write_zip(&path, &[("a.eml", EML), ("bomb.eml", &zeros)]);
        let limits = Limits {
            max_zip_ratio: 100,
            ..Limits::default()
        };
        let (items, _) = collect(std::slice::from_ref(&path), &limits);
        let [Item::Unreadable { source, error, .. }] = items.as_slice() else {
            panic!("expected one refusal, got {items:?}");
        };
        assert_eq!(source, &path.display().to_string());
        assert!(
            error.starts_with("zip archive refused: entry bomb.eml would expand"),
            "{error}"
        );
        assert!(error.ends_with("(possible zip bomb)"), "{error}");
    }

    #[test]
    fn too_many_entries_refuses_the_archive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("many.zip");
        write_zip(&path, &[("a.eml", EML), ("b.eml", EML), ("c.eml", EML)]);
        let limits = Limits {
            max_zip_entries: 2,
            ..Limits::default()
        };
        let (items, _) = collect(std::slice::from_ref(&path), &limits);
        assert_eq!(
            items,
            vec![Item::Unreadable {
                source: path.display().to_string(),
                index: 0,
                error: "zip archive refused: it holds more than 2 entries (possible zip bomb)"
                    .to_owned(),
            }]
        );
    }

    #[test]
    fn counting_stops_a_reader_that_is_not_its_declared_size_or_exceeds_the_budget() {
        let limits = Limits {
            max_zip_total_uncompressed: 100,
            ..Limits::default()
        };
        let is_refusal = |e: &io::Error| {
            e.get_ref()
                .is_some_and(|e| e.downcast_ref::<Refusal>().is_some())
        };
        // Longer or shorter than declared: the entry is broken, the archive
        // not refused.
        let mut left = 100;
        let mut long = Counted {
            inner: &[b'x'; 50][..],
            entry_left: 10,
            budget_left: &mut left,
            limits: &limits,
        };
        let error = long.read_to_end(&mut Vec::new()).expect_err("must stop");
        assert!(!is_refusal(&error));
        assert_eq!(
            error.to_string(),
            "its data goes on past the size its header declares"
        );
        let mut left = 100;
        let mut short = Counted {
            inner: &[b'x'; 5][..],
            entry_left: 10,
            budget_left: &mut left,
            limits: &limits,
        };
        let error = short.read_to_end(&mut Vec::new()).expect_err("must stop");
        assert_eq!(
            error.to_string(),
            "its data is 5 bytes shorter than its header declares"
        );

        let mut left = 30;
        let mut greedy = Counted {
            inner: &[b'x'; 50][..],
            entry_left: 50,
            budget_left: &mut left,
            limits: &limits,
        };
        let error = greedy
            .read_to_end(&mut Vec::new())
            .expect_err("must refuse");
        assert_eq!(error.to_string(), "uncompressed size exceeds 100 bytes");
        assert!(is_refusal(&error));
    }

    #[test]
    fn corrupt_zip_is_unreadable_with_the_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("broken.zip");
        let mut bytes = zip_bytes(&[("a.eml", EML)]);
        bytes.truncate(bytes.len() - 10); // cut into the end-of-central-directory record
        std::fs::write(&path, &bytes).expect("write");
        let (items, summary) = collect(std::slice::from_ref(&path), &Limits::default());
        let [Item::Unreadable { source, error, .. }] = items.as_slice() else {
            panic!("expected one unreadable item, got {items:?}");
        };
        assert_eq!(source, &path.display().to_string());
        assert!(error.starts_with("broken zip archive: "), "{error}");
        assert_eq!(summary.unreadable, 1);
    }

    #[test]
    fn damaged_entry_is_unreadable_and_the_rest_is_still_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("damaged.zip");
        let body = b"Subject: damaged\r\n\r\n".repeat(200);
        let mut bytes = zip_bytes(&[("bad.eml", &body), ("good.eml", EML)]);
        // Flip bytes inside the first entry's compressed data (after its
        // 30-byte local header and 7-byte name).
        for b in &mut bytes[40..60] {
            *b ^= 0x5A;
        }
        std::fs::write(&path, &bytes).expect("write");
        let (items, _) = collect(std::slice::from_ref(&path), &Limits::default());
        let source = path.display().to_string();
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(
            matches!(&items[0], Item::Unreadable { source: s, error, .. }
                if *s == format!("{source}!/bad.eml") && error.starts_with("broken zip entry: ")),
            "{items:?}"
        );
        assert_eq!(items[1], message(&format!("{source}!/good.eml"), 0, EML));
    }

    #[test]
    fn nested_zip_is_read_one_level_deep() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("outer.zip");
        let innermost = zip_bytes(&[("deep.eml", EML)]);
        let inner = zip_bytes(&[("inner.eml", EML), ("innermost.zip", &innermost)]);
        write_zip(&path, &[("inner.zip", &inner), ("after.eml", EML)]);
        let (items, _) = collect(std::slice::from_ref(&path), &Limits::default());
        let source = path.display().to_string();
        assert_eq!(
            items,
            vec![
                message(&format!("{source}!/inner.zip!/inner.eml"), 0, EML),
                Item::Unreadable {
                    source: format!("{source}!/inner.zip!/innermost.zip"),
                    index: 0,
                    error: "zip archive nested more than one level deep: extract it first"
                        .to_owned(),
                },
                message(&format!("{source}!/after.eml"), 0, EML),
            ]
        );
    }

    /// Adds `compressed` and `uncompressed` to the sizes entry `name` declares,
    /// in its local header and in the central directory.
    fn patch_sizes(bytes: &mut [u8], name: &str, compressed: i64, uncompressed: i64) {
        fn add(bytes: &mut [u8], at: usize, delta: i64) {
            let field: [u8; 4] = bytes[at..at + 4].try_into().expect("4 bytes");
            let size = i64::from(u32::from_le_bytes(field)) + delta;
            let size = u32::try_from(size).expect("size in range");
            bytes[at..at + 4].copy_from_slice(&size.to_le_bytes());
        }
        let mut patched = 0;
        // (signature, offset of the name, offset of the compressed size;
        // the uncompressed size follows it)
        for (signature, name_at, sizes_at) in [(b"PK\x03\x04", 30, 18), (b"PK\x01\x02", 46, 20)] {
            for at in 0..bytes.len().saturating_sub(name_at + name.len()) {
                if bytes[at..].starts_with(signature)
                    && bytes[at + name_at..].starts_with(name.as_bytes())
                {
                    add(bytes, at + sizes_at, compressed);
                    add(bytes, at + sizes_at + 4, uncompressed);
                    patched += 1;
                }
            }
        }
        assert_eq!(patched, 2, "local and central header of {name}");
    }

    #[test]
    fn an_entry_that_lies_about_its_size_is_a_broken_entry() {
        let short = b"From: MAILER-DAEMON@example.org\r\nSubject: failure\r\n\r\nx\r\n";
        let padding = vec![0u8; 20_000];
        let entries: &[(&str, &[u8])] =
            &[("bad.eml", short), ("good.eml", EML), ("pad.bin", &padding)];
        // (method, added to the compressed size, to the uncompressed size, the
        // reason expected after "broken zip entry: ")
        let cases = [
            // Stored and declared 12,000 bytes longer: reading runs on into the
            // next entries (NULs), which once made it pass for a binary.
            (
                CompressionMethod::Stored,
                12_000,
                12_000,
                "Invalid checksum",
            ),
            // Its data ends before the declared size (the checksum matches).
            (
                CompressionMethod::Deflated,
                0,
                100,
                "its data is 100 bytes shorter than its header declares",
            ),
            // Its data goes on past the declared size.
            (
                CompressionMethod::Deflated,
                0,
                -10,
                "File is larger than its declared uncompressed size",
            ),
        ];
        for (method, compressed, uncompressed, reason) in cases {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("lying.zip");
            let mut bytes = zip_bytes_as(method, entries);
            patch_sizes(&mut bytes, "bad.eml", compressed, uncompressed);
            std::fs::write(&path, &bytes).expect("write");
            let (items, summary) = collect(std::slice::from_ref(&path), &Limits::default());
            let source = path.display().to_string();
            assert_eq!(
                items,
                vec![
                    Item::Unreadable {
                        source: format!("{source}!/bad.eml"),
                        index: 0,
                        error: format!("broken zip entry: {reason}"),
                    },
                    message(&format!("{source}!/good.eml"), 0, EML),
                ],
                "{method:?} {compressed:+} {uncompressed:+}"
            );
            assert_eq!(summary.skipped.binary, 1, "only pad.bin is binary");
        }
    }
}
