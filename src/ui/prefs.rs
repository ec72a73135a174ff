//! The window's own preferences (not the workspace's): recent workspaces,
//! the spreadsheet-safe export choices and the colour theme. Kept as a small
//! JSON file in the platform's config folder; a missing or damaged file
//! gives the defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How many recent workspaces are remembered.
const RECENT: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Workspace files, most recent first.
    pub recent: Vec<PathBuf>,
    /// Spreadsheet-safe cells in the cleaned list and the suppression list
    /// (off: these files go back into mail tools, where an address may
    /// validly begin with `+`, `-` or `=`).
    pub safe_lists: bool,
    /// Spreadsheet-safe cells in the bounce report and the figures (on: their
    /// cells carry text from strangers' mail servers).
    pub safe_reports: bool,
    /// `system`, `light` or `dark`.
    pub theme: String,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            recent: Vec::new(),
            safe_lists: false,
            safe_reports: true,
            theme: "system".into(),
        }
    }
}

impl Prefs {
    /// Reads the preferences, or the defaults when there are none (or they
    /// cannot be read).
    pub fn load(path: &Path) -> Prefs {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the preferences atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, path)
    }

    /// Puts a workspace first in the recent list.
    pub fn remember(&mut self, db: &Path) {
        self.recent.retain(|p| p != db);
        self.recent.insert(0, db.to_path_buf());
        self.recent.truncate(RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_survive_a_round_trip_and_damage_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prefs.json");
        let mut p = Prefs::default();
        p.remember(Path::new("/a.sqlite"));
        p.remember(Path::new("/b.sqlite"));
        p.remember(Path::new("/a.sqlite"));
        p.safe_lists = true;
        p.save(&path).unwrap();
        let back = Prefs::load(&path);
        assert_eq!(back, p);
        assert_eq!(
            back.recent,
            [PathBuf::from("/a.sqlite"), PathBuf::from("/b.sqlite")]
        );
        std::fs::write(&path, b"{ not json").unwrap();
        assert_eq!(Prefs::load(&path), Prefs::default());
    }
}
