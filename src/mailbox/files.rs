//! The one folder walk behind both reading ([`super::walk`]) and sizing
//! ([`super::total_size`]): which files the inputs stand for, in reading order,
//! with their sizes, and what was passed over.
//!
//! Links are followed (a link the user put in a bounce folder is meant), and
//! each folder is read once per walk: a folder met again, through a link back
//! to itself or to a parent (a link loop) or a second name for it, is passed
//! over and counted as [`Skip::Loop`]. Folders are known by (device, inode) on
//! Unix, by canonical path elsewhere.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Origin, is_index_file};

/// Why the walk passed over an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Skip {
    Hidden,
    IndexFile,
    /// Not a file or folder (a FIFO, a dangling link), or a Maildir's bookkeeping.
    Other,
    /// A folder already read in this walk.
    Loop,
}

/// What the walk found, in reading order.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// A file to read. `size` is from its listing (0 if that failed; reading it
    /// then reports why).
    File {
        path: PathBuf,
        size: u64,
        origin: Origin,
    },
    Skipped(Skip),
    /// An input path that does not exist.
    Missing(PathBuf),
    /// An input or a folder that cannot be read, with why.
    Unreadable {
        path: PathBuf,
        error: String,
    },
}

/// What a folder entry is, links followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File(u64),
    Other,
}

/// Still to be handed out: a folder not yet listed, or something found.
enum Pending {
    Dir(PathBuf),
    Found(Found),
}

#[cfg(unix)]
type FolderId = (u64, u64);

#[cfg(unix)]
fn folder_id(path: &Path) -> io::Result<FolderId> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
type FolderId = PathBuf;

#[cfg(not(unix))]
fn folder_id(path: &Path) -> io::Result<FolderId> {
    fs::canonicalize(path)
}

/// The walk over `inputs`, lazily: a folder is listed when it is reached, so
/// reading can start at once and a cancelled walk lists no further.
pub(super) struct Files<'a> {
    inputs: std::slice::Iter<'a, PathBuf>,
    /// Depth first: the next entry is on top.
    stack: Vec<Pending>,
    seen: HashSet<FolderId>,
}

impl<'a> Files<'a> {
    pub(super) fn new(inputs: &'a [PathBuf]) -> Self {
        Files {
            inputs: inputs.iter(),
            stack: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// One path as given by the user; `None` when it is a folder (pushed).
    fn input(&mut self, path: &Path) -> Option<Found> {
        // Follows links: a link the user names explicitly is meant.
        let found = match fs::metadata(path) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                Found::Missing(path.to_path_buf())
            }
            Err(e) => Found::Unreadable {
                path: path.to_path_buf(),
                error: format!("cannot read: {e}"),
            },
            Ok(meta) if meta.is_dir() => {
                self.stack.push(Pending::Dir(path.to_path_buf()));
                return None;
            }
            Ok(meta) if meta.is_file() => Found::File {
                path: path.to_path_buf(),
                size: meta.len(),
                origin: Origin::Explicit,
            },
            // A FIFO or device would block or never end.
            Ok(_) => Found::Unreadable {
                path: path.to_path_buf(),
                error: "not a regular file or folder".to_owned(),
            },
        };
        Some(found)
    }

    /// What is in `dir`, in reading order; `None` if it was read already.
    fn open(&mut self, dir: &Path) -> io::Result<Option<Vec<Pending>>> {
        if !self.seen.insert(folder_id(dir)?) {
            return Ok(None);
        }
        list(dir).map(Some)
    }
}

impl Iterator for Files<'_> {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        loop {
            match self.stack.pop() {
                Some(Pending::Found(found)) => return Some(found),
                Some(Pending::Dir(dir)) => match self.open(&dir) {
                    Ok(Some(children)) => self.stack.extend(children.into_iter().rev()),
                    Ok(None) => return Some(Found::Skipped(Skip::Loop)),
                    Err(e) => {
                        return Some(Found::Unreadable {
                            path: dir,
                            error: format!("cannot read folder: {e}"),
                        });
                    }
                },
                None => {
                    let path = self.inputs.next()?;
                    if let Some(found) = self.input(path) {
                        return Some(found);
                    }
                }
            }
        }
    }
}

/// A folder's entries in reading order: name order, a Maildir's `cur/` then
/// `new/` first; what is passed over is in the list as a [`Found::Skipped`].
fn list(dir: &Path) -> io::Result<Vec<Pending>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = kind_of(&entry)?;
        entries.push((entry.file_name(), kind));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));

    let is_maildir = entries
        .iter()
        .any(|(name, kind)| *kind == Kind::Dir && (name == "cur" || name == "new"));
    let mut out = Vec::new();
    if is_maildir {
        // Delivered mail first (cur/), then unseen mail (new/); tmp/ holds
        // deliveries in progress, which are not messages yet.
        for sub in ["cur", "new"] {
            if entries
                .iter()
                .any(|(name, kind)| *kind == Kind::Dir && name == sub)
            {
                out.push(Pending::Dir(dir.join(sub)));
            }
        }
    }
    let skip = |why| Pending::Found(Found::Skipped(why));
    for (name, kind) in entries {
        if is_maildir && (name == "cur" || name == "new" || name == "tmp") {
            continue;
        }
        let path = dir.join(&name);
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            out.push(skip(Skip::Hidden));
            continue;
        }
        match kind {
            // In a Maildir these are sub-folders stored as plain folders.
            Kind::Dir => out.push(Pending::Dir(path)),
            Kind::File(_) if is_index_file(&name) => out.push(skip(Skip::IndexFile)),
            // Files beside cur/ and new/ are the mail server's bookkeeping
            // (dovecot-uidlist, subscriptions…), never messages.
            Kind::File(_) if is_maildir => out.push(skip(Skip::Other)),
            Kind::File(size) => out.push(Pending::Found(Found::File {
                path,
                size,
                origin: Origin::Walked,
            })),
            Kind::Other => out.push(skip(Skip::Other)),
        }
    }
    Ok(out)
}

/// What an entry is, following a link; a dangling link is [`Kind::Other`].
fn kind_of(entry: &fs::DirEntry) -> io::Result<Kind> {
    let kind = entry.file_type()?;
    let meta = if kind.is_symlink() {
        match fs::metadata(entry.path()) {
            Ok(meta) => meta,
            Err(_) => return Ok(Kind::Other),
        }
    } else if kind.is_dir() {
        return Ok(Kind::Dir);
    } else if !kind.is_file() {
        return Ok(Kind::Other);
    } else {
        match entry.metadata() {
            Ok(meta) => meta,
            // Gone or unreadable since the listing: reading it says why.
            Err(_) => return Ok(Kind::File(0)),
        }
    };
    Ok(if meta.is_dir() {
        Kind::Dir
    } else if meta.is_file() {
        Kind::File(meta.len())
    } else {
        Kind::Other
    })
}
