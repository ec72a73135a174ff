//! Writing files safely: the cleaned list as the user's own bytes minus removed rows,
//! atomic writes that never replace a file by surprise nor touch an input, and
//! spreadsheet-safe cells.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Row, SubscriberList};

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target exists and `force` was not given.
    #[error("{} already exists and was not replaced; use --force to replace it", path.display())]
    Exists {
        /// The file that exists.
        path: PathBuf,
    },
    /// The target is one of the input files, which are never written.
    #[error("{} is an input file; exports never write over their input", path.display())]
    IsInput {
        /// The input file.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file being written.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

/// What [`write_cleaned`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSummary {
    /// The file written.
    pub path: PathBuf,
    /// Data rows kept.
    pub rows_kept: usize,
    /// Data rows left out.
    pub rows_removed: usize,
    /// Bytes written.
    pub bytes: usize,
}

impl SubscriberList {
    /// The cleaned file's bytes: the input's bytes without the records of the rows
    /// for which `keep` is false. Header, blank lines, BOM and everything else are
    /// copied as they are.
    pub fn cleaned_bytes(&self, keep: impl Fn(&Row) -> bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.raw.len());
        let mut copied_to = 0;
        for (row, span) in self.rows.iter().zip(&self.spans) {
            if !keep(row) {
                out.extend_from_slice(self.raw.get(copied_to..span.start).unwrap_or_default());
                copied_to = span.end;
            }
        }
        out.extend_from_slice(self.raw.get(copied_to..).unwrap_or_default());
        out
    }
}

/// Writes the cleaned list to `out`: the input minus the rows for which `keep` is
/// false, byte for byte otherwise. Refuses the input file itself, and an existing
/// file unless `force`.
pub fn write_cleaned(
    list: &SubscriberList,
    keep: impl Fn(&Row) -> bool,
    out: &Path,
    force: bool,
) -> Result<WriteSummary, ExportError> {
    if FileId::of(out)
        .is_some_and(|target| FileId::of(&list.path).is_some_and(|input| input.same(&target)))
    {
        return Err(ExportError::IsInput {
            path: out.to_path_buf(),
        });
    }
    let rows_kept = list.rows.iter().filter(|row| keep(row)).count();
    let bytes = list.cleaned_bytes(keep);
    write_atomic(out, &bytes, force)?;
    Ok(WriteSummary {
        path: out.to_path_buf(),
        rows_kept,
        rows_removed: list.rows.len() - rows_kept,
        bytes: bytes.len(),
    })
}

/// Writes `bytes` to `out` atomically: a temporary file in the same folder, synced to
/// disk, then moved into place, so that `out` is either absent, the old file, or the
/// complete new one.
///
/// Without `force` an existing `out` is an [`ExportError::Exists`] naming it. Even
/// with `force`, a file read by [`read_list`](super::read_list) or registered with
/// [`protect_input`] is an [`ExportError::IsInput`].
pub fn write_atomic(out: &Path, bytes: &[u8], force: bool) -> Result<(), ExportError> {
    let io_error = |source: io::Error| ExportError::Io {
        path: out.to_path_buf(),
        source,
    };
    if is_protected(out) {
        return Err(ExportError::IsInput {
            path: out.to_path_buf(),
        });
    }
    match fs::symlink_metadata(out) {
        Ok(_) if !force => {
            return Err(ExportError::Exists {
                path: out.to_path_buf(),
            });
        }
        Ok(meta) if meta.is_dir() => {
            return Err(io_error(io::Error::other("it is a folder")));
        }
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(io_error(error)),
    }
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let (temp_path, mut temp) = create_temp(folder, out).map_err(io_error)?;
    let written = temp
        .write_all(bytes)
        .and_then(|()| temp.sync_all())
        .and_then(|()| place(&temp_path, out, force));
    drop(temp);
    // The temporary name is gone after a rename; after a hard link or a failure it
    // still has to go.
    let _ = fs::remove_file(&temp_path);
    match written {
        Ok(()) => {
            sync_folder(folder);
            Ok(())
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(ExportError::Exists {
            path: out.to_path_buf(),
        }),
        Err(error) => Err(io_error(error)),
    }
}

/// Moves the finished temporary file to `out`: a rename with `force`, else a hard
/// link, which fails if `out` appeared meanwhile instead of replacing it.
fn place(temp: &Path, out: &Path, force: bool) -> io::Result<()> {
    if force {
        return fs::rename(temp, out);
    }
    match fs::hard_link(temp, out) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(error),
        // File systems without hard links: check, then rename.
        Err(_) if out.exists() => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
        Err(_) => fs::rename(temp, out),
    }
}

fn create_temp(folder: &Path, out: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = out
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = folder.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
}

/// Makes the rename durable where the platform allows syncing a folder.
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

/// Files that exports must never write: every file read as input in this process.
/// Keyed by canonical path.
static INPUTS: Mutex<BTreeMap<PathBuf, FileId>> = Mutex::new(BTreeMap::new());

/// Registers an input file (a list, a mailbox) so that [`write_atomic`] refuses to
/// write over it, even with `force`. [`read_list`](super::read_list) does this itself.
pub fn protect_input(path: &Path) {
    if let Some(id) = FileId::of(path) {
        let mut inputs = INPUTS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inputs.insert(id.canonical.clone(), id);
    }
}

fn is_protected(path: &Path) -> bool {
    let Some(id) = FileId::of(path) else {
        return false;
    };
    let inputs = INPUTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    inputs.contains_key(&id.canonical) || inputs.values().any(|known| known.protects(&id))
}

/// An existing file's identity: its canonical path and, on Unix, device and inode,
/// which also catch hard links.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileId {
    canonical: PathBuf,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileId {
    fn of(path: &Path) -> Option<Self> {
        let canonical = fs::canonicalize(path).ok()?;
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            let meta = fs::metadata(&canonical).ok()?;
            (meta.dev(), meta.ino())
        };
        Some(FileId {
            canonical,
            #[cfg(unix)]
            inode,
        })
    }

    /// Whether a registered input is `target`. An inode only counts while the input's
    /// own path still has it, since a deleted input's inode can be reused.
    fn protects(&self, target: &FileId) -> bool {
        if self.canonical == target.canonical {
            return true;
        }
        #[cfg(unix)]
        if self.inode == target.inode {
            return FileId::of(&self.canonical).is_some_and(|now| now.inode == self.inode);
        }
        false
    }

    fn same(&self, other: &FileId) -> bool {
        #[cfg(unix)]
        if self.inode == other.inode {
            return true;
        }
        self.canonical == other.canonical
    }
}

/// A cell that a spreadsheet will not run as a formula (OWASP "CSV Injection"): text
/// starting with `=`, `+`, `-`, `@`, tab, carriage return or line feed gets a leading
/// `'`; anything else is returned as it is.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_refuses_an_existing_file_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("suppression.csv");
        fs::write(&out, "old").unwrap();
        let error = write_atomic(&out, b"new", false).unwrap_err();
        assert!(matches!(error, ExportError::Exists { .. }));
        assert!(error.to_string().contains("suppression.csv"), "{error}");
        assert_eq!(fs::read(&out).unwrap(), b"old");
    }

    #[test]
    fn write_atomic_replaces_with_force_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report.csv");
        fs::write(&out, "old").unwrap();
        write_atomic(&out, b"new", true).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"new");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.csv")]);
    }

    #[test]
    fn write_atomic_creates_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("new.csv");
        write_atomic(&out, b"a\n", false).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"a\n");
    }

    #[test]
    fn write_atomic_never_writes_a_protected_input_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("list.csv");
        fs::write(&input, "email\na@example.com\n").unwrap();
        protect_input(&input);
        let error = write_atomic(&input, b"x", true).unwrap_err();
        assert!(matches!(error, ExportError::IsInput { .. }));
        assert!(error.to_string().contains("list.csv"), "{error}");
        let via_link = dir.path().join("link.csv");
        fs::hard_link(&input, &via_link).unwrap();
        assert!(matches!(
            write_atomic(&via_link, b"x", true),
            Err(ExportError::IsInput { .. })
        ));
        assert_eq!(fs::read(&input).unwrap(), b"email\na@example.com\n");
    }

    #[test]
    fn a_deleted_input_does_not_protect_its_reused_inode() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("gone.csv");
        fs::write(&input, "x").unwrap();
        protect_input(&input);
        fs::remove_file(&input).unwrap();
        let out = dir.path().join("other.csv");
        fs::write(&out, "y").unwrap();
        write_atomic(&out, b"z", true).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"z");
    }

    #[test]
    fn write_atomic_reports_a_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("missing").join("x.csv");
        let error = write_atomic(&out, b"x", false).unwrap_err();
        assert!(matches!(error, ExportError::Io { .. }));
        assert!(error.to_string().contains("x.csv"), "{error}");
    }

    #[test]
    fn spreadsheet_safe_quotes_formula_starts() {
        for (cell, safe) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+49 30 1234", "'+49 30 1234"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("\nx", "'\nx"),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe);
        }
        assert!(matches!(
            spreadsheet_safe("user@example.com"),
            Cow::Borrowed("user@example.com")
        ));
        assert!(matches!(spreadsheet_safe(""), Cow::Borrowed("")));
    }
}
