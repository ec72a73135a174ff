//! The start view: a large drop zone, the Open buttons, a field to paste a
//! path (for systems without a file-dialog service), recent workspaces and
//! the demo.

use std::path::PathBuf;

use super::{App, View, format};

#[derive(Default)]
pub struct StartState {
    /// The typed or pasted path(s), one per line or separated by `;`.
    pub path_text: String,
    /// Put the keyboard focus on the path field next frame.
    pub focus_path: bool,
}

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.add_space(8.0);
        drop_zone(app, ui);
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            if ui
                .button("Open subscriber list…")
                .on_hover_text("A CSV file with one subscriber per row (Ctrl+O)")
                .clicked()
            {
                app.pick_list(ui.ctx());
            }
            if ui
                .button("Open bounces…")
                .on_hover_text(".eml files, an .mbox, or a .zip of those")
                .clicked()
            {
                app.pick_bounces(ui.ctx(), false);
            }
            if ui
                .button("Open bounce folder…")
                .on_hover_text("A folder of .eml files, or a Maildir")
                .clicked()
            {
                app.pick_bounces(ui.ctx(), true);
            }
            ui.separator();
            if ui
                .button("Try with demo data")
                .on_hover_text("2,000 invented subscribers and six months of bounces, in a temporary workspace")
                .clicked()
            {
                app.open_demo(ui.ctx());
            }
        });
        ui.add_space(8.0);
        let label =
            ui.label("Or paste a path (a file or folder; several separated by ;) and press Enter:");
        ui.horizontal(|ui| {
            let field = ui
                .add(
                egui::TextEdit::singleline(&mut app.start.path_text)
                    .hint_text("/home/me/Downloads/subscribers.csv; /home/me/Mail/bounces.mbox")
                    .desired_width(ui.available_width() - 70.0),
            )
            .labelled_by(label.id);
            if std::mem::take(&mut app.start.focus_path) {
                field.request_focus();
            }
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Open").clicked() || entered {
                let paths = split_paths(&app.start.path_text);
                if !paths.is_empty() {
                    app.start.path_text.clear();
                    app.add_paths(ui.ctx(), paths);
                }
            }
        });
        ui.add_space(16.0);
        status(app, ui);
        ui.add_space(16.0);
        recent(app, ui);
    });
}

fn drop_zone(app: &mut App, ui: &mut egui::Ui) {
    let height = (ui.available_height() * 0.4).clamp(160.0, 320.0);
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::click(),
    );
    let visuals = ui.visuals();
    let stroke = egui::Stroke::new(2.0, visuals.weak_text_color());
    ui.painter().rect(
        rect,
        12.0,
        visuals.faint_bg_color,
        stroke,
        egui::StrokeKind::Inside,
    );
    let text_color = visuals.text_color();
    ui.painter().text(
        rect.center() - egui::vec2(0.0, 16.0),
        egui::Align2::CENTER_CENTER,
        "Drop your subscriber list and your bounce mail here",
        egui::FontId::proportional(22.0),
        text_color,
    );
    ui.painter().text(
        rect.center() + egui::vec2(0.0, 18.0),
        egui::Align2::CENTER_CENTER,
        "A .csv of subscribers · bounces as .eml files, an .mbox, a Maildir folder or a .zip",
        egui::FontId::proportional(14.0),
        visuals.weak_text_color(),
    );
    if response
        .on_hover_text("Or click to choose a subscriber list")
        .clicked()
    {
        app.pick_list(ui.ctx());
    }
}

fn status(app: &mut App, ui: &mut egui::Ui) {
    ui.heading("What is loaded");
    egui::Grid::new("loaded").num_columns(2).show(ui, |ui| {
        ui.label("Subscriber list:");
        match &app.list_path {
            Some(p) => ui.label(p.display().to_string()),
            None => ui.weak("none yet: drop a .csv"),
        };
        ui.end_row();
        ui.label("Workspace:");
        ui.label(app.db.display().to_string())
            .on_hover_text("The history of every bounce is kept here, so the next month's bounces continue the count.");
        ui.end_row();
        if let Some(ws) = &app.workspace {
            ui.label("Bounce history:");
            ui.label(format!(
                "{} messages from {} mailings",
                format::count(ws.stats.messages),
                format::count(ws.mailings.len())
            ));
            ui.end_row();
        }
    });
    if app.workspace.is_some() {
        ui.horizontal(|ui| {
            if ui.button("See the statistics").clicked() {
                app.view = View::Statistics;
            }
            if ui.button("Review addresses").clicked() {
                app.view = View::Review;
            }
        });
    }
}

fn recent(app: &mut App, ui: &mut egui::Ui) {
    if app.prefs.recent.is_empty() {
        return;
    }
    ui.heading("Recent workspaces");
    let mut open = None;
    for path in &app.prefs.recent {
        let name = path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        if ui
            .link(name)
            .on_hover_text(path.display().to_string())
            .clicked()
        {
            open = Some(path.clone());
        }
    }
    if let Some(path) = open {
        app.switch_workspace(ui.ctx(), path);
    }
}

/// Splits a pasted text into paths: by line and by `;`, trimming quotes.
pub fn split_paths(text: &str) -> Vec<PathBuf> {
    text.split(['\n', ';'])
        .map(|p| p.trim().trim_matches(['"', '\'']).trim())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let p = p.strip_prefix("file://").unwrap_or(p);
            PathBuf::from(p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_paths_are_split_and_unquoted() {
        assert_eq!(
            split_paths(" \"/a b/list.csv\" ; /x/bounces.mbox\nfile:///y/z.zip;;"),
            [
                PathBuf::from("/a b/list.csv"),
                PathBuf::from("/x/bounces.mbox"),
                PathBuf::from("/y/z.zip")
            ]
        );
    }
}
