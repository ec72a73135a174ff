//! The export files' names, in one place: `clean` and the window's Export view
//! both name their files from here.

use std::path::{Path, PathBuf};

/// The suppression list: addresses removed for a bounce or a complaint.
pub const SUPPRESSION: &str = "suppression.csv";
/// One row per classified bounce.
pub const BOUNCE_REPORT: &str = "bounce-report.csv";
/// Every list row the cleaned list leaves out, with why.
pub const REMOVED_ROWS: &str = "removed-rows.csv";
/// The statistics view's figures.
pub const FIGURES: &str = "figures.csv";

/// The cleaned list's name: the list's own, with `-cleaned` before its extension
/// (`kunden.csv` → `kunden-cleaned.csv`); `list-cleaned.csv` without a list.
pub fn cleaned_name(list: Option<&Path>) -> String {
    let stem = list
        .and_then(Path::file_stem)
        .map_or_else(|| "list".to_string(), |s| s.to_string_lossy().into_owned());
    let ext = list
        .and_then(Path::extension)
        .map_or_else(|| "csv".to_string(), |e| e.to_string_lossy().into_owned());
    format!("{stem}-cleaned.{ext}")
}

/// The four files `clean` writes into its folder, in the order it reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanTargets {
    pub cleaned: PathBuf,
    pub suppression: PathBuf,
    pub bounce_report: PathBuf,
    pub removed_rows: PathBuf,
}

impl CleanTargets {
    pub fn new(list: &Path, out_dir: &Path) -> Self {
        CleanTargets {
            cleaned: out_dir.join(cleaned_name(Some(list))),
            suppression: out_dir.join(SUPPRESSION),
            bounce_report: out_dir.join(BOUNCE_REPORT),
            removed_rows: out_dir.join(REMOVED_ROWS),
        }
    }

    pub fn all(&self) -> [&Path; 4] {
        [
            &self.cleaned,
            &self.suppression,
            &self.bounce_report,
            &self.removed_rows,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cleaned_list_is_named_after_the_input() {
        assert_eq!(
            cleaned_name(Some(Path::new("/x/Kunden 2026.CSV"))),
            "Kunden 2026-cleaned.CSV"
        );
        assert_eq!(cleaned_name(Some(Path::new("liste"))), "liste-cleaned.csv");
        assert_eq!(cleaned_name(None), "list-cleaned.csv");
    }
}
