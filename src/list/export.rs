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
        // Writing into memory cannot fail.
        let _ = self.write_cleaned_to(&mut out, keep);
        out
    }

    /// Writes what [`cleaned_bytes`](Self::cleaned_bytes) returns to `out`, piece
    /// by piece, without a copy of the file in memory.
    pub fn write_cleaned_to(
        &self,
        out: &mut dyn Write,
        keep: impl Fn(&Row) -> bool,
    ) -> io::Result<()> {
        let mut copied_to = 0;
        for (row, span) in self.rows.iter().zip(&self.spans) {
            if !keep(row) {
                out.write_all(self.raw.get(copied_to..span.start).unwrap_or_default())?;
                copied_to = span.end;
            }
        }
        out.write_all(self.raw.get(copied_to..).unwrap_or_default())
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
    let mut set = ExportSet::new(force);
    set.stage(out, bytes)?;
    set.commit().map(|_| ())
}

/// A set of export files that appear together or not at all.
///
/// [`stage`](Self::stage) writes each file to a temporary file beside its target
/// (`.NAME.PID.N.tmp`) and syncs it; nothing is visible yet. [`commit`](Self::commit)
/// checks every target again, writes a journal naming the temporary files, moves them
/// all into place and removes the journal. Dropping an uncommitted set removes its
/// temporary files, so a failure while staging (a full disk) leaves the old files as
/// they were. A process killed while moving the files leaves the journal: the next
/// [`prepare_folder`](Self::prepare_folder) of that folder finishes the moves, and it
/// removes the temporary files of processes that no longer run.
#[derive(Debug)]
pub struct ExportSet {
    force: bool,
    mode: Option<u32>,
    /// (temporary file, target), in staging order.
    staged: Vec<(PathBuf, PathBuf)>,
}

/// The journal [`ExportSet::commit`] keeps in the target folder while it moves files.
const JOURNAL: &str = ".listhygiene-exports.journal";

impl ExportSet {
    /// A set that replaces existing files only with `force`.
    pub fn new(force: bool) -> Self {
        ExportSet {
            force,
            mode: None,
            staged: Vec::new(),
        }
    }

    /// Gives every file the permissions of `path` (an export of a list that only its
    /// owner may read is readable only by its owner too). Without it the files get
    /// the process's default.
    pub fn with_mode_of(mut self, path: &Path) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            self.mode = fs::metadata(path)
                .ok()
                .map(|m| m.permissions().mode() & 0o777);
        }
        #[cfg(not(unix))]
        let _ = path;
        self
    }

    /// Makes sure `folder` exists and takes files, finishes what a killed earlier
    /// run left in it (see [`ExportSet`]) and removes stale temporary files. Call it
    /// before the work whose results go there, so that a bad folder fails first.
    pub fn prepare_folder(folder: &Path) -> Result<(), ExportError> {
        let io_error = |source: io::Error| ExportError::Io {
            path: folder.to_path_buf(),
            source,
        };
        fs::create_dir_all(folder).map_err(io_error)?;
        recover(folder).map_err(io_error)?;
        let (probe, file) = create_temp(folder, Path::new("probe")).map_err(io_error)?;
        drop(file);
        fs::remove_file(&probe).map_err(io_error)
    }

    /// Fails if `out` may not be written: an input, a folder, or (without `force`)
    /// an existing file.
    pub fn check(&self, out: &Path) -> Result<(), ExportError> {
        if is_protected(out) {
            return Err(ExportError::IsInput {
                path: out.to_path_buf(),
            });
        }
        match fs::symlink_metadata(out) {
            Ok(_) if !self.force => Err(ExportError::Exists {
                path: out.to_path_buf(),
            }),
            Ok(meta) if meta.is_dir() => Err(ExportError::Io {
                path: out.to_path_buf(),
                source: io::Error::other("it is a folder"),
            }),
            Ok(_) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(ExportError::Io {
                path: out.to_path_buf(),
                source,
            }),
        }
    }

    /// Writes `bytes` as the future `out`.
    pub fn stage(&mut self, out: &Path, bytes: &[u8]) -> Result<(), ExportError> {
        self.stage_with(out, |w| w.write_all(bytes))
    }

    /// Writes the future `out` through `write`, which gets a buffered writer.
    pub fn stage_with(
        &mut self,
        out: &Path,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), ExportError> {
        let io_error = |source: io::Error| ExportError::Io {
            path: out.to_path_buf(),
            source,
        };
        self.check(out)?;
        let (temp_path, temp) = create_temp(folder_of(out), out).map_err(io_error)?;
        // Registered before writing, so that a failure below removes it too.
        self.staged.push((temp_path, out.to_path_buf()));
        #[cfg(unix)]
        if let Some(mode) = self.mode {
            use std::os::unix::fs::PermissionsExt;
            temp.set_permissions(fs::Permissions::from_mode(mode))
                .map_err(io_error)?;
        }
        let mut buffered = io::BufWriter::with_capacity(1 << 16, temp);
        write(&mut buffered).map_err(io_error)?;
        let temp = buffered
            .into_inner()
            .map_err(|e| io_error(e.into_error()))?;
        temp.sync_all().map_err(io_error)
    }

    /// Moves every staged file into place; returns the targets.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, ExportError> {
        let staged = std::mem::take(&mut self.staged);
        let result = commit(&staged, self.force);
        for (temp, _) in &staged {
            // Gone after a rename; after a hard link or a failure it still has to go.
            let _ = fs::remove_file(temp);
        }
        result.map(|()| staged.into_iter().map(|(_, out)| out).collect())
    }
}

impl Drop for ExportSet {
    fn drop(&mut self) {
        for (temp, _) in &self.staged {
            let _ = fs::remove_file(temp);
        }
    }
}

fn folder_of(out: &Path) -> &Path {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn commit(staged: &[(PathBuf, PathBuf)], force: bool) -> Result<(), ExportError> {
    let set = ExportSet::new(force);
    for (_, out) in staged {
        set.check(out)?;
    }
    // A journal is only needed when a kill could leave some files moved and others
    // not, and only works when they share a folder.
    let folder = staged.first().map(|(_, out)| folder_of(out));
    let journal = match folder {
        Some(folder)
            if staged.len() > 1 && staged.iter().all(|(_, out)| folder_of(out) == folder) =>
        {
            let path = folder.join(JOURNAL);
            write_journal(&path, staged).map_err(|source| ExportError::Io {
                path: path.clone(),
                source,
            })?;
            Some(path)
        }
        _ => None,
    };
    let mut placed: Vec<&Path> = Vec::new();
    let mut failure = None;
    for (temp, out) in staged {
        match place(temp, out, force) {
            Ok(()) => placed.push(out),
            Err(error) => {
                failure = Some(match error.kind() {
                    io::ErrorKind::AlreadyExists => ExportError::Exists { path: out.clone() },
                    _ => ExportError::Io {
                        path: out.clone(),
                        source: error,
                    },
                });
                break;
            }
        }
    }
    if let Some(failure) = failure {
        // Without force every placed file is new: taking them away again leaves
        // the folder as it was. With force the old files are already gone.
        if !force {
            for out in placed {
                let _ = fs::remove_file(out);
            }
        }
        if let Some(journal) = &journal {
            let _ = fs::remove_file(journal);
        }
        return Err(failure);
    }
    if let Some(journal) = &journal {
        let _ = fs::remove_file(journal);
    }
    let mut folders: Vec<&Path> = staged.iter().map(|(_, out)| folder_of(out)).collect();
    folders.dedup();
    for folder in folders {
        sync_folder(folder);
    }
    Ok(())
}

fn write_journal(path: &Path, staged: &[(PathBuf, PathBuf)]) -> io::Result<()> {
    let mut text = String::new();
    for (temp, out) in staged {
        let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
        let (Some(temp), Some(out)) = (name(temp), name(out)) else {
            return Err(io::Error::other("an export has no file name"));
        };
        if temp.contains(['\t', '\n']) || out.contains(['\t', '\n']) {
            return Err(io::Error::other(
                "an export's name holds a tab or line break",
            ));
        }
        text.push_str(&format!("{temp}\t{out}\n"));
    }
    let mut file = File::create(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    sync_folder(folder_of(path));
    Ok(())
}

/// Finishes the moves of a commit that was killed (its journal is there: every file
/// it names was complete) and removes temporary files whose process is gone.
fn recover(folder: &Path) -> io::Result<()> {
    let journal = folder.join(JOURNAL);
    match fs::read_to_string(&journal) {
        Ok(text) => {
            for line in text.lines() {
                let Some((temp, out)) = line.split_once('\t') else {
                    continue;
                };
                // Names only: a journal never moves a file out of its folder.
                if [temp, out]
                    .iter()
                    .any(|n| n.contains(['/', '\\']) || *n == ".." || n.is_empty())
                {
                    continue;
                }
                let (temp, out) = (folder.join(temp), folder.join(out));
                if temp.exists() && !is_protected(&out) {
                    fs::rename(&temp, &out)?;
                }
                let _ = fs::remove_file(&temp);
            }
            fs::remove_file(&journal)?;
            sync_folder(folder);
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    for entry in fs::read_dir(folder)?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else {
            continue;
        };
        if pid != std::process::id() && !running(pid, &entry) {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// The process id in a temporary file's name `.NAME.PID.N.tmp`, if it is one.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = rest.rsplitn(3, '.');
    let counter = parts.next()?;
    let pid = parts.next()?;
    let stem = parts.next()?;
    if stem.is_empty() || !counter.bytes().all(|b| b.is_ascii_digit()) || counter.is_empty() {
        return None;
    }
    pid.parse().ok()
}

/// Whether the process that owns a temporary file may still be writing it. Where
/// processes cannot be looked up, a file untouched for a day is taken as stale.
fn running(pid: u32, entry: &fs::DirEntry) -> bool {
    if cfg!(target_os = "linux") {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age.as_secs() < 24 * 3600)
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

/// Files and folders that exports must never write: every input of this process.
/// Keyed by canonical path.
static INPUTS: Mutex<Inputs> = Mutex::new(Inputs {
    files: BTreeMap::new(),
    folders: Vec::new(),
});

struct Inputs {
    files: BTreeMap<PathBuf, FileId>,
    /// Canonical folders whose every file, at any depth, is an input (a Maildir, a
    /// folder of `.eml` files).
    folders: Vec<PathBuf>,
}

fn inputs() -> std::sync::MutexGuard<'static, Inputs> {
    INPUTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Registers an input (a list, a mailbox file, a mailbox folder) so that
/// [`write_atomic`] and [`ExportSet`] refuse to write over it, even with `force`. A
/// folder protects every file in it. [`read_list`](super::read_list) does this itself.
pub fn protect_input(path: &Path) {
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        if let Ok(folder) = fs::canonicalize(path) {
            let mut inputs = inputs();
            if !inputs.folders.contains(&folder) {
                inputs.folders.push(folder);
            }
        }
        return;
    }
    if let Some(id) = FileId::of(path) {
        inputs().files.insert(id.canonical.clone(), id);
    }
}

/// Registers a workspace database: the file and the journal files SQLite keeps
/// beside it (`-wal`, `-shm`, `-journal`), whether or not they exist yet.
pub fn protect_workspace(db: &Path) {
    let mut names = vec![db.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_os_string();
        name.push(suffix);
        names.push(PathBuf::from(name));
    }
    for name in names {
        if let Some(id) = FileId::of(&name).or_else(|| FileId::planned(&name)) {
            inputs().files.insert(id.canonical.clone(), id);
        }
    }
}

/// Whether `path` is an input: a registered file (by path, or by device and inode
/// through another name), or an existing file inside a registered folder. A new
/// file in a mailbox folder replaces nothing and is allowed.
fn is_protected(path: &Path) -> bool {
    let existing = FileId::of(path);
    let in_folder = existing.is_some();
    let Some(id) = existing.or_else(|| FileId::planned(path)) else {
        return false;
    };
    let inputs = inputs();
    inputs.files.contains_key(&id.canonical)
        || inputs.files.values().any(|known| known.protects(&id))
        || (in_folder
            && inputs
                .folders
                .iter()
                .any(|folder| id.canonical.starts_with(folder)))
}

/// An existing file's identity: its canonical path and, on Unix, device and inode,
/// which also catch hard links. A file that does not exist yet has only a path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileId {
    canonical: PathBuf,
    #[cfg(unix)]
    inode: Option<(u64, u64)>,
}

impl FileId {
    fn of(path: &Path) -> Option<Self> {
        let canonical = fs::canonicalize(path).ok()?;
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            let meta = fs::metadata(&canonical).ok()?;
            Some((meta.dev(), meta.ino()))
        };
        Some(FileId {
            canonical,
            #[cfg(unix)]
            inode,
        })
    }

    /// A file that may not exist yet: its canonical folder and its name.
    fn planned(path: &Path) -> Option<Self> {
        let name = path.file_name()?;
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        Some(FileId {
            canonical: fs::canonicalize(folder).ok()?.join(name),
            #[cfg(unix)]
            inode: None,
        })
    }

    /// Whether a registered input is `target`. An inode only counts while the input's
    /// own path still has it, since a deleted input's inode can be reused.
    fn protects(&self, target: &FileId) -> bool {
        if self.canonical == target.canonical {
            return true;
        }
        #[cfg(unix)]
        if self.inode.is_some() && self.inode == target.inode {
            return FileId::of(&self.canonical).is_some_and(|now| now.inode == self.inode);
        }
        false
    }

    fn same(&self, other: &FileId) -> bool {
        #[cfg(unix)]
        if self.inode.is_some() && self.inode == other.inode {
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
    fn a_failure_while_staging_leaves_every_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        fs::write(&a, "old a").unwrap();
        fs::write(&b, "old b").unwrap();
        let mut set = ExportSet::new(true);
        set.stage(&a, b"new a").unwrap();
        // What a full disk does to the second file.
        let error = set
            .stage_with(&b, |w| {
                w.write_all(b"new")?;
                Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
            })
            .unwrap_err();
        assert!(error.to_string().contains("b.csv"), "{error}");
        drop(set);
        assert_eq!(fs::read(&a).unwrap(), b"old a");
        assert_eq!(fs::read(&b).unwrap(), b"old b");
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.csv", "b.csv"]);
    }

    #[test]
    fn a_set_that_meets_a_new_file_takes_back_what_it_placed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        let mut set = ExportSet::new(false);
        set.stage(&a, b"new a").unwrap();
        set.stage(&b, b"new b").unwrap();
        // Another program writes b.csv between the check and the commit.
        fs::write(&b, "theirs").unwrap();
        let error = set.commit().unwrap_err();
        assert!(matches!(error, ExportError::Exists { .. }), "{error}");
        assert!(!a.exists(), "the set is all or nothing");
        assert_eq!(fs::read(&b).unwrap(), b"theirs");
    }

    #[test]
    fn the_next_run_finishes_the_moves_of_a_killed_commit() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        fs::write(folder.join("a.csv"), "new a").unwrap();
        fs::write(folder.join(".b.csv.4242.1.tmp"), "new b").unwrap();
        fs::write(folder.join("b.csv"), "old b").unwrap();
        // Killed after moving a.csv: its temporary name is gone, b's is there.
        fs::write(
            folder.join(JOURNAL),
            ".a.csv.4242.0.tmp\ta.csv\n.b.csv.4242.1.tmp\tb.csv\n../x\tc.csv\n",
        )
        .unwrap();
        ExportSet::prepare_folder(folder).unwrap();
        assert_eq!(fs::read(folder.join("a.csv")).unwrap(), b"new a");
        assert_eq!(fs::read(folder.join("b.csv")).unwrap(), b"new b");
        assert!(!folder.join(JOURNAL).exists());
        assert!(!folder.join("c.csv").exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        // No process has the largest id; this one is alive.
        let dead = folder.join(format!(".list-cleaned.csv.{}.3.tmp", u32::MAX));
        let alive = folder.join(format!(".list-cleaned.csv.{}.9.tmp", std::process::id()));
        let other = folder.join(".hidden.tmp");
        for path in [&dead, &alive, &other] {
            fs::write(path, "anna@example.org\n").unwrap();
        }
        ExportSet::prepare_folder(folder).unwrap();
        assert!(!dead.exists());
        assert!(alive.exists());
        assert!(other.exists(), "not a name this program writes");
        assert_eq!(temp_owner(".x.csv.12.0.tmp"), Some(12));
        assert_eq!(temp_owner(".x.csv.tmp"), None);
    }

    #[test]
    fn new_files_may_go_into_a_mailbox_folder_but_none_of_its_files_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("maildir");
        fs::create_dir_all(folder.join("cur")).unwrap();
        let message = folder.join("cur").join("1.eml");
        fs::write(&message, "From: a@example.org\n\nhi\n").unwrap();
        protect_input(&folder);
        assert!(matches!(
            write_atomic(&message, b"x", true),
            Err(ExportError::IsInput { .. })
        ));
        write_atomic(&folder.join("new.csv"), b"x", false).unwrap();
        assert_eq!(fs::read(&message).unwrap(), b"From: a@example.org\n\nhi\n");
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
