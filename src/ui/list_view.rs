//! The subscriber list preview: the first rows as read, what was detected
//! (delimiter, encoding, header, e-mail and activity columns) as choices the
//! user can correct, and the rows with problems, marked in place.

use egui_extras::{Column, TableBuilder};

use super::{App, format};
use crate::list::{self, ListOptions};

/// What the preview remembers.
#[derive(Default)]
pub struct ListState {
    /// Scroll the table to this row (a problem was clicked).
    pub scroll_to: Option<usize>,
}

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    let Some(ws) = app.workspace.as_ref() else {
        return;
    };
    let Some(list) = ws.list.clone() else {
        ui.label("No subscriber list is loaded. Drop a .csv on the window.");
        return;
    };
    let problems = ws.list_problems.clone();
    let names = ws.list_columns.clone();
    ui.heading(list.path.display().to_string());
    ui.label(format!(
        "{} subscribers · {} with a problem",
        format::count(list.len()),
        format::count(problems.len())
    ));
    ui.add_space(6.0);

    let mut opts = app.list_options.clone();
    let d = list.dialect;
    egui::Grid::new("list choices")
        .num_columns(4)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label("Delimiter:");
            egui::ComboBox::from_id_salt("delimiter")
                .selected_text(list::delimiter_label(d.delimiter))
                .show_ui(ui, |ui| {
                    for (byte, name) in list::DELIMITER_CHOICES {
                        ui.selectable_value(&mut opts.delimiter, Some(byte), name);
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Encoding:");
            egui::ComboBox::from_id_salt("encoding")
                .selected_text(d.encoding.name())
                .show_ui(ui, |ui| {
                    for e in list::encoding_choices() {
                        ui.selectable_value(&mut opts.encoding, Some(e), e.name());
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();

            let label = ui.label("First row:");
            egui::ComboBox::from_id_salt("header")
                .selected_text(if d.has_header {
                    "column names (header)"
                } else {
                    "a subscriber"
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut opts.has_header, Some(true), "column names (header)");
                    ui.selectable_value(&mut opts.has_header, Some(false), "a subscriber");
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("E-mail column:");
            egui::ComboBox::from_id_salt("email column")
                .selected_text(names.get(list.email_column).cloned().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for (i, name) in names.iter().enumerate() {
                        let spec = Some((i + 1).to_string());
                        ui.selectable_value(&mut opts.email_column, spec, name);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();

            let label = ui.label("Last open / click:");
            let current = list
                .activity_column
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_else(|| "not used".into());
            egui::ComboBox::from_id_salt("activity column")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut opts.activity_column, None, "not used");
                    for (i, name) in names.iter().enumerate() {
                        let spec = Some((i + 1).to_string());
                        ui.selectable_value(&mut opts.activity_column, spec, name);
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(
                    "A recent open or click is a sign of life: it breaks a run of hard bounces.",
                );
            if ui
                .add_enabled(
                    opts != ListOptions::default(),
                    egui::Button::new("Detect again"),
                )
                .clicked()
            {
                opts = ListOptions::default();
            }
            ui.end_row();
        });
    if opts != app.list_options {
        app.list_options = opts;
        app.load(ui.ctx(), Vec::new());
    }
    ui.add_space(6.0);

    // The problems come in row order: a row's are found by bisection, with
    // no per-frame index.
    let issues_of = |index: usize| {
        let start = problems.partition_point(|p| p.row_index < index);
        let end = problems.partition_point(|p| p.row_index <= index);
        &problems[start..end]
    };
    let shown = list.rows.len();
    let height =
        (ui.available_height() - if problems.is_empty() { 10.0 } else { 170.0 }).max(160.0);
    let scroll_to = app.list_state.scroll_to.take();
    let email_col = list.email_column;
    let width = names.len();
    let error = ui.visuals().error_fg_color;
    let strong = ui.visuals().strong_text_color();
    ui.push_id("preview", |ui| {
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(height)
            .min_scrolled_height(height)
            .column(Column::auto().at_least(44.0));
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, Some(egui::Align::Center));
        }
        for i in 0..width {
            let col = if i == email_col {
                Column::initial(220.0)
                    .at_least(80.0)
                    .clip(true)
                    .resizable(true)
            } else {
                Column::initial(120.0)
                    .at_least(40.0)
                    .clip(true)
                    .resizable(true)
            };
            table = table.column(col);
        }
        table
            .header(22.0, |mut header| {
                header.col(|ui| {
                    ui.strong("Line");
                });
                for (i, name) in names.iter().enumerate() {
                    header.col(|ui| {
                        if i == email_col {
                            ui.colored_label(strong, format!("{name} (e-mail)"));
                        } else {
                            ui.strong(name);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, shown, |mut row| {
                    let r = &list.rows[row.index()];
                    let issues = issues_of(r.index);
                    row.col(|ui| {
                        if issues.is_empty() {
                            ui.label(r.line.to_string());
                        } else {
                            ui.colored_label(error, format!("⚠ {}", r.line))
                                .on_hover_ui(|ui| {
                                    for p in issues {
                                        ui.label(&p.message);
                                    }
                                });
                        }
                    });
                    let fields = list.fields(r);
                    for i in 0..width {
                        row.col(|ui| {
                            let value = fields.get(i).map_or("", String::as_str);
                            if i == email_col && !issues.is_empty() {
                                ui.colored_label(error, value);
                            } else {
                                ui.label(value);
                            }
                        });
                    }
                });
            });
    });
    if !problems.is_empty() {
        ui.add_space(6.0);
        egui::CollapsingHeader::new(format!("Problems ({})", format::count(problems.len())))
            .default_open(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("problems")
                    .max_height(110.0)
                    .show(ui, |ui| {
                        for p in problems.iter().take(1000) {
                            let link = ui
                                .link(format!("Line {}: {}", p.line, p.message))
                                .on_hover_text("Show this row in the table");
                            if link.clicked() {
                                app.list_state.scroll_to = Some(p.row_index);
                            }
                        }
                    });
                ui.weak("Rows without a valid address, and second copies of an address, are left out of the cleaned list; removed-rows.csv lists them.");
            });
    }
}
