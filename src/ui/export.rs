//! The export view: the cleaned list, the suppression list, the bounce
//! report, removed-rows.csv and the figures, each saved through the system's
//! save dialog or to a typed folder. An existing file is replaced only after
//! the user confirms; every file is written atomically; the view says what
//! was written.

use std::path::{Path, PathBuf};

use super::{App, format};
use crate::exports;
use crate::workspace::{ExportFailure, Workspace, Written};

/// The files the view writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Cleaned,
    Suppression,
    Report,
    RemovedRows,
    Figures,
}

impl ExportKind {
    pub const ALL: [ExportKind; 5] = [
        ExportKind::Cleaned,
        ExportKind::Suppression,
        ExportKind::Report,
        ExportKind::RemovedRows,
        ExportKind::Figures,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ExportKind::Cleaned => "Cleaned list",
            ExportKind::Suppression => "Suppression list",
            ExportKind::Report => "Bounce report",
            ExportKind::RemovedRows => "Removed rows",
            ExportKind::Figures => "Figures",
        }
    }

    fn explanation(self) -> &'static str {
        match self {
            ExportKind::Cleaned => {
                "Your list without the rows to remove: same columns, order, delimiter, encoding and line ends. Import this into your newsletter tool."
            }
            ExportKind::Suppression => {
                "Addresses never to mail again (hard bounces, complaints, your removals), with reason, streak and dates. Import it as a blocklist."
            }
            ExportKind::Report => {
                "One row per classified bounce: date, mailing, address, kind, reason, status, diagnostic and source file."
            }
            ExportKind::RemovedRows => {
                "Every row missing from the cleaned list, with its row number and why (including invalid and duplicate rows)."
            }
            ExportKind::Figures => "The key figures and chart values of the Statistics view.",
        }
    }

    /// The default file name (the cleaned list is named after the input).
    pub fn default_name(self, ws: Option<&Workspace>) -> String {
        match self {
            ExportKind::Cleaned => {
                exports::cleaned_name(ws.and_then(|w| w.list.as_ref()).map(|l| l.path.as_path()))
            }
            ExportKind::Suppression => exports::SUPPRESSION.into(),
            ExportKind::Report => exports::BOUNCE_REPORT.into(),
            ExportKind::RemovedRows => exports::REMOVED_ROWS.into(),
            ExportKind::Figures => exports::FIGURES.into(),
        }
    }

    fn needs_list(self) -> bool {
        matches!(self, ExportKind::Cleaned | ExportKind::RemovedRows)
    }
}

/// What the view remembers.
#[derive(Default)]
pub struct ExportState {
    /// The folder typed or chosen.
    pub folder: String,
    /// A file waiting for the user's "replace?" answer.
    pub confirm: Option<(ExportKind, PathBuf)>,
    /// What was written (newest last), for the view's log.
    pub written: Vec<String>,
}

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    if app.workspace.is_none() {
        ui.label("Nothing loaded yet.");
        return;
    }
    ui.heading("Export");
    ui.label("Files are written next to each other in this folder. An existing file is only replaced after you confirm; your input files are never touched.");
    ui.horizontal(|ui| {
        let label = ui.label("Folder:");
        ui.add(
            egui::TextEdit::singleline(&mut app.export.folder)
                .hint_text("a folder to save into")
                .desired_width(ui.available_width() - 140.0),
        )
        .labelled_by(label.id);
        if ui.button("Choose folder…").clicked()
            && let Some(folder) = rfd::FileDialog::new()
                .set_title("Export into")
                .pick_folder()
        {
            app.export.folder = folder.display().to_string();
        }
    });
    ui.add_space(8.0);
    let mut action: Option<(ExportKind, bool)> = None;
    for kind in ExportKind::ALL {
        let ws = app.workspace.as_ref();
        let enabled = !kind.needs_list() || ws.is_some_and(|w| w.list.is_some());
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.vertical(|ui| {
                    ui.set_max_width((ui.available_width() - 300.0).max(200.0));
                    ui.horizontal(|ui| {
                        ui.strong(kind.title());
                        ui.weak(kind.default_name(ws));
                    });
                    ui.label(kind.explanation());
                    if kind == ExportKind::Cleaned
                        && let Some(ws) = ws.filter(|w| w.list.is_some())
                    {
                        let s = &ws.stats;
                        ui.strong(format!(
                            "{} of {} rows stay; {} are left out.",
                            format::count(s.list_rows - s.rows_to_remove),
                            format::count(s.list_rows),
                            format::count(s.rows_to_remove)
                        ));
                    }
                });
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .add_enabled(enabled, egui::Button::new("Save as…"))
                        .clicked()
                    {
                        action = Some((kind, true));
                    }
                    let save = ui
                        .add_enabled(
                            enabled,
                            egui::Button::new(format!("Save {}", kind.title().to_lowercase())),
                        )
                        .on_disabled_hover_text("Load a subscriber list first");
                    if save.clicked() {
                        action = Some((kind, false));
                    }
                });
            });
        });
    }
    ui.add_space(8.0);
    ui.label(format!(
        "Spreadsheet-safe cells: {} for the lists, {} for the report and figures (change in Settings).",
        if app.prefs.safe_lists { "on" } else { "off" },
        if app.prefs.safe_reports { "on" } else { "off" },
    ));
    match action {
        Some((kind, false)) => save_to_folder(app, kind),
        Some((kind, true)) => {
            let picked = rfd::FileDialog::new()
                .set_title(kind.title())
                .set_file_name(kind.default_name(app.workspace.as_ref()))
                .save_file();
            // The save dialog has already asked about replacing.
            if let Some(path) = picked {
                save(app, kind, &path, true);
            }
        }
        None => {}
    }
    if !app.export.written.is_empty() {
        ui.add_space(8.0);
        ui.heading("Written");
        for line in app.export.written.iter().rev().take(10) {
            ui.label(line);
        }
    }
}

fn target_path(app: &App, kind: ExportKind) -> PathBuf {
    let folder = app.export.folder.trim();
    let folder = if folder.is_empty() {
        super::default_export_folder()
    } else {
        PathBuf::from(folder)
    };
    folder.join(kind.default_name(app.workspace.as_ref()))
}

/// Saves one export under its default name in the export folder (asking
/// before replacing a file), as "Export figures" on the statistics view does.
pub(super) fn save_to_folder(app: &mut App, kind: ExportKind) {
    let path = target_path(app, kind);
    save(app, kind, &path, false);
}

/// Writes one export; asks first when the file exists (unless `force`).
pub fn save(app: &mut App, kind: ExportKind, path: &Path, force: bool) {
    let Some(ws) = &app.workspace else { return };
    let result: Result<Written, ExportFailure> = match kind {
        ExportKind::Cleaned => ws.export_cleaned(path, force),
        ExportKind::Suppression => ws.export_suppression(path, force, app.prefs.safe_lists),
        ExportKind::Report => ws.export_report(path, force, app.prefs.safe_reports),
        ExportKind::RemovedRows => ws.export_removed_rows(path, force),
        ExportKind::Figures => {
            ws.export_figures(path, force, app.prefs.safe_reports, app.stats_last_import)
        }
    };
    match result {
        Ok(w) => {
            let line = format!(
                "{}: {} rows ({}) saved to {}",
                kind.title(),
                format::count(w.rows),
                format::bytes(w.bytes as u64),
                w.path.display()
            );
            app.export.written.push(line.clone());
            app.info(line);
        }
        Err(e) if e.is_exists() => app.export.confirm = Some((kind, path.to_path_buf())),
        Err(e) => app.error(format!("{} not saved: {e}", kind.title())),
    }
}

/// The "replace the existing file?" question.
pub fn confirm_dialog(app: &mut App, ctx: &egui::Context) {
    let Some((kind, path)) = app.export.confirm.clone() else {
        return;
    };
    let mut answer = None;
    egui::Modal::new(egui::Id::unique("confirm replace")).show(ctx, |ui| {
        ui.heading("Replace the file?");
        ui.label(format!("{} already exists.", path.display()));
        ui.label("Replacing it cannot be undone.");
        ui.horizontal(|ui| {
            if ui.button("Replace").clicked() {
                answer = Some(true);
            }
            if ui.button("Keep the existing file").clicked() {
                answer = Some(false);
            }
        });
    });
    match answer {
        Some(true) => {
            app.export.confirm = None;
            save(app, kind, &path, true);
        }
        Some(false) => app.export.confirm = None,
        None => {}
    }
}
