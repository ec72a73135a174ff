//! The review view: every affected address in a virtualised table (only the
//! rows on screen are drawn, so a million rows scroll smoothly), with search,
//! a verdict filter and sorting by any column; the evidence behind the
//! selected address; keep / remove overrides for a row or a selection, with
//! undo.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use egui_extras::{Column, TableBuilder};
use rayon::prelude::*;

use super::{App, format};
use crate::bounce::{Reason, diagnose};
use crate::policy::{Override, Verdict};
use crate::store::ReportRow;
use crate::workspace::ReviewRow;

/// Which rows the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    ToRemove,
    Watch,
    Keep,
    Decided,
    Only(Verdict),
}

impl Filter {
    fn label(self) -> String {
        match self {
            Filter::All => "Every verdict".into(),
            Filter::ToRemove => "To remove".into(),
            Filter::Watch => "Watch".into(),
            Filter::Keep => "Keep".into(),
            Filter::Decided => "Decided by you".into(),
            Filter::Only(v) => v.label().into(),
        }
    }

    fn admits(self, row: &ReviewRow) -> bool {
        match self {
            Filter::All => true,
            Filter::ToRemove => row.verdict.is_removal(),
            Filter::Watch => row.verdict == Verdict::Watch,
            Filter::Keep => row.verdict == Verdict::Keep,
            Filter::Decided => row.overridden.is_some(),
            Filter::Only(v) => row.verdict == v,
        }
    }
}

/// The table's columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Address,
    Verdict,
    Reason,
    Streak,
    Bounces,
    LastBounce,
    Domain,
}

const COLUMNS: [(SortColumn, &str); 7] = [
    (SortColumn::Address, "Address"),
    (SortColumn::Verdict, "Verdict"),
    (SortColumn::Reason, "Reason"),
    (SortColumn::Streak, "Hard streak"),
    (SortColumn::Bounces, "Bounces"),
    (SortColumn::LastBounce, "Last bounce"),
    (SortColumn::Domain, "Domain"),
];

/// What the table remembers between frames.
pub struct ReviewState {
    pub search: String,
    pub filter: Filter,
    pub sort: SortColumn,
    pub ascending: bool,
    /// Put the keyboard focus on the search field next frame (Ctrl+F).
    pub focus_search: bool,
    /// Indices into the rows, filtered and sorted.
    visible: Vec<u32>,
    /// What `visible` was computed for.
    computed_for: Option<(String, Filter, SortColumn, bool, u64)>,
    /// Bumped whenever the rows change.
    version: u64,
    /// Selected rows (indices into the rows).
    pub selected: BTreeSet<u32>,
    /// The last clicked position in `visible`, for Shift+click.
    anchor: Option<usize>,
    /// Scroll the table to this position in `visible` next frame.
    scroll_to: Option<usize>,
    /// The evidence shown: for which row, and what it is.
    evidence: Option<(u32, Result<Vec<ReportRow>, String>)>,
    /// A raw message to show (taken by the app, which draws it).
    pub(super) raw: Option<(String, String)>,
}

impl Default for ReviewState {
    fn default() -> Self {
        ReviewState {
            search: String::new(),
            filter: Filter::All,
            sort: SortColumn::Verdict,
            ascending: true,
            focus_search: false,
            visible: Vec::new(),
            computed_for: None,
            version: 0,
            selected: BTreeSet::new(),
            anchor: None,
            scroll_to: None,
            evidence: None,
            raw: None,
        }
    }
}

impl ReviewState {
    /// The rows changed: recompute what is shown, reload the evidence.
    pub fn invalidate(&mut self) {
        self.version += 1;
        self.evidence = None;
    }

    /// Forget the selection (a new workspace).
    pub fn clear_selection(&mut self) {
        self.selected.clear();
        self.anchor = None;
        self.evidence = None;
    }

    /// How many rows pass the search and the filter.
    pub fn visible_count(&self) -> usize {
        self.visible.len()
    }

    /// The rows shown, in order (indices into the rows).
    pub fn visible(&self) -> &[u32] {
        &self.visible
    }

    fn refresh(&mut self, rows: &[ReviewRow]) {
        let key = (
            self.search.clone(),
            self.filter,
            self.sort,
            self.ascending,
            self.version,
        );
        let Some(old) = self.computed_for.as_ref() else {
            return self.recompute(rows, key);
        };
        if *old == key && self.visible.len() <= rows.len() {
            return;
        }
        // Typing on: a longer search only removes rows, and keeps the order.
        let (old_search, old_rest) = (&old.0, (old.1, old.2, old.3, old.4));
        let narrowed = (key.1, key.2, key.3, key.4) == old_rest
            && !old_search.trim().is_empty()
            && key
                .0
                .trim()
                .to_lowercase()
                .contains(&old_search.trim().to_lowercase());
        if narrowed {
            let needle = key.0.trim().to_lowercase();
            self.visible
                .retain(|i| rows.get(*i as usize).is_some_and(|r| matches(r, &needle)));
            self.computed_for = Some(key);
            return;
        }
        self.recompute(rows, key);
    }

    fn recompute(&mut self, rows: &[ReviewRow], key: (String, Filter, SortColumn, bool, u64)) {
        let needle = key.0.trim().to_lowercase();
        let filter = self.filter;
        let mut visible: Vec<u32> = rows
            .par_iter()
            .enumerate()
            .filter(|(_, r)| filter.admits(r) && (needle.is_empty() || matches(r, &needle)))
            .map(|(i, _)| i as u32)
            .collect();
        let by = self.sort;
        let cmp = |a: &u32, b: &u32| -> Ordering {
            let (ra, rb) = (&rows[*a as usize], &rows[*b as usize]);
            match by {
                SortColumn::Address => ra.key.cmp(&rb.key),
                SortColumn::Verdict => ra.verdict.cmp(&rb.verdict),
                SortColumn::Reason => ra.reason.cmp(&rb.reason),
                SortColumn::Streak => ra.hard_streak.cmp(&rb.hard_streak),
                SortColumn::Bounces => ra.bounces.cmp(&rb.bounces),
                SortColumn::LastBounce => ra.last_bounce.cmp(&rb.last_bounce),
                SortColumn::Domain => ra.domain.cmp(&rb.domain),
            }
        };
        // Ties go by row index, so the order is the same on every run.
        if self.ascending {
            visible.par_sort_unstable_by(|a, b| cmp(a, b).then(a.cmp(b)));
        } else {
            visible.par_sort_unstable_by(|a, b| cmp(b, a).then(a.cmp(b)));
        }
        self.visible = visible;
        self.selected.retain(|i| (*i as usize) < rows.len());
        self.computed_for = Some(key);
    }
}

/// Whether a row matches a lower-case search: its address, or its reason.
fn matches(r: &ReviewRow, needle: &str) -> bool {
    r.key.contains(needle)
        || (r.key.is_empty() && r.address.to_lowercase().contains(needle))
        || contains_ignoring_case(&r.reason, needle)
}

/// `needle` (lower case) in `hay`, ignoring case, without allocating for
/// ASCII text.
fn contains_ignoring_case(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

/// Draws the table of `rows` (filtered and sorted by `state`). Only the rows
/// on screen are laid out.
pub fn review_table(ui: &mut egui::Ui, rows: &[ReviewRow], state: &mut ReviewState) {
    state.refresh(rows);
    // A click on a cell selects the row, not the cell's text.
    ui.style_mut().interaction.selectable_labels = false;
    let mut clicked_header = None;
    let mut clicked_row: Option<(usize, egui::Modifiers)> = None;
    let error = ui.visuals().error_fg_color;
    let warn = ui.visuals().warn_fg_color;
    let body_height = ui.available_height();
    let mut table = TableBuilder::new(ui)
        .id_salt("review table")
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .max_scroll_height(body_height)
        .column(Column::initial(250.0).at_least(120.0).clip(true))
        .column(Column::initial(190.0).at_least(80.0).clip(true))
        .column(Column::initial(260.0).at_least(80.0).clip(true))
        .column(Column::initial(80.0).at_least(50.0))
        .column(Column::initial(70.0).at_least(50.0))
        .column(Column::initial(95.0).at_least(60.0))
        .column(Column::remainder().at_least(80.0).clip(true));
    if let Some(position) = state.scroll_to.take() {
        table = table.scroll_to_row(position, None);
    }
    table
        .header(24.0, |mut header| {
            for (column, title) in COLUMNS {
                header.col(|ui| {
                    let arrow = match (state.sort == column, state.ascending) {
                        (true, true) => " ⏶",
                        (true, false) => " ⏷",
                        _ => "",
                    };
                    let button =
                        egui::Button::new(egui::RichText::new(format!("{title}{arrow}")).strong())
                            .frame(false);
                    if ui
                        .add(button)
                        .on_hover_text("Sort by this column")
                        .clicked()
                    {
                        clicked_header = Some(column);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(22.0, state.visible.len(), |mut row| {
                let position = row.index();
                let index = state.visible[position];
                let r = &rows[index as usize];
                let is_selected = state.selected.contains(&index);
                row.set_selected(is_selected);
                row.col(|ui| {
                    let mut text = r.address.clone();
                    if !r.in_list {
                        text.push_str("  (not in list)");
                    }
                    ui.label(text);
                });
                row.col(|ui| {
                    // On the selection's highlight the plain text colour reads best.
                    let color = if is_selected {
                        None
                    } else if r.verdict.is_removal() {
                        Some(error)
                    } else if r.verdict == Verdict::Watch {
                        Some(warn)
                    } else {
                        None
                    };
                    let mut label = r.verdict.label().to_string();
                    if let Some(o) = r.overridden {
                        label = format!(
                            "{label} ({})",
                            if o == Override::Keep {
                                "kept by you"
                            } else {
                                "by you"
                            }
                        );
                        if r.verdict == Verdict::RemoveManual {
                            label = r.verdict.label().to_string();
                        }
                    }
                    match color {
                        Some(c) => ui.colored_label(c, label),
                        None => ui.label(label),
                    };
                });
                row.col(|ui| {
                    ui.label(&r.reason).on_hover_text(&r.reason);
                });
                row.col(|ui| {
                    ui.label(r.hard_streak.to_string());
                });
                row.col(|ui| {
                    ui.label(r.bounces.to_string());
                });
                row.col(|ui| {
                    ui.label(r.last_bounce.map(format::date).unwrap_or_default());
                });
                row.col(|ui| {
                    ui.label(&r.domain);
                });
                if row.response().clicked() {
                    let mods = row.response().ctx.input(|i| i.modifiers);
                    clicked_row = Some((position, mods));
                }
            });
        });
    if let Some(column) = clicked_header {
        if state.sort == column {
            state.ascending = !state.ascending;
        } else {
            state.sort = column;
            state.ascending = true;
        }
    }
    if let Some((position, mods)) = clicked_row {
        let index = state.visible[position];
        if mods.shift
            && let Some(anchor) = state.anchor
        {
            let (a, b) = (anchor.min(position), anchor.max(position));
            state.selected.extend(state.visible[a..=b].iter().copied());
        } else if mods.command {
            if !state.selected.remove(&index) {
                state.selected.insert(index);
            }
            state.anchor = Some(position);
        } else {
            state.selected.clear();
            state.selected.insert(index);
            state.anchor = Some(position);
        }
    }
}

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    let Some(ws) = &app.workspace else {
        ui.label("Nothing loaded yet.");
        return;
    };
    let can_undo = app.can_undo();
    let state = &mut app.review;
    state.refresh(&ws.rows);
    let mut command: Option<Option<Override>> = None;
    let mut undo = false;
    ui.horizontal(|ui| {
        let label = ui.label("Search:");
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut state.search)
                    .hint_text("address, domain or reason (Ctrl+F)")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
        if std::mem::take(&mut state.focus_search) {
            search.request_focus();
        }
        egui::ComboBox::from_id_salt("verdict filter")
            .selected_text(state.filter.label())
            .show_ui(ui, |ui| {
                for f in [
                    Filter::All,
                    Filter::ToRemove,
                    Filter::Watch,
                    Filter::Keep,
                    Filter::Decided,
                ] {
                    ui.selectable_value(&mut state.filter, f, f.label());
                }
                ui.separator();
                for v in Verdict::ALL {
                    ui.selectable_value(&mut state.filter, Filter::Only(v), v.label());
                }
            })
            .response
            .accessible_name("Verdict filter");
        ui.label(format!(
            "{} of {} addresses",
            format::count(state.visible.len()),
            format::count(ws.rows.len())
        ));
    });
    ui.horizontal(|ui| {
        let n = state.selected.len();
        let some = n > 0;
        ui.label(if some {
            format!("{} selected:", format::count(n))
        } else {
            "Select rows (Ctrl/Shift+click for several):".into()
        });
        if ui
            .add_enabled(some, egui::Button::new("Keep"))
            .on_hover_text("Keep these addresses in the list, whatever their bounces say")
            .clicked()
        {
            command = Some(Some(Override::Keep));
        }
        if ui
            .add_enabled(some, egui::Button::new("Remove"))
            .on_hover_text("Remove these addresses from the list")
            .clicked()
        {
            command = Some(Some(Override::Remove));
        }
        if ui
            .add_enabled(some, egui::Button::new("Let the rule decide"))
            .on_hover_text("Withdraw your decision")
            .clicked()
        {
            command = Some(None);
        }
        ui.separator();
        if ui
            .add_enabled(can_undo, egui::Button::new("Undo"))
            .on_hover_text("Undo the last decision (Ctrl+Z)")
            .clicked()
        {
            undo = true;
        }
    });
    ui.separator();

    // Up / Down move the selection when no text field has the keyboard.
    if ui.ctx().memory(|m| m.focused().is_none()) && !state.visible.is_empty() {
        let (down, up) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowDown),
                i.key_pressed(egui::Key::ArrowUp),
            )
        });
        if down || up {
            let current = state.anchor.unwrap_or(0);
            let last = state.visible.len() - 1;
            let next = if down {
                (current + 1).min(last)
            } else {
                current.saturating_sub(1)
            };
            let next = if state.selected.is_empty() { 0 } else { next };
            state.selected.clear();
            state.selected.insert(state.visible[next]);
            state.anchor = Some(next);
            state.scroll_to = Some(next);
        }
    }
    // The evidence of one selected row, below the table.
    let single = (state.selected.len() == 1)
        .then(|| state.selected.first().copied())
        .flatten();
    if let Some(index) = single
        && state.evidence.as_ref().is_none_or(|(i, _)| *i != index)
    {
        let key = ws
            .rows
            .get(index as usize)
            .map(|r| r.key.clone())
            .unwrap_or_default();
        let evidence = if key.is_empty() {
            Ok(Vec::new())
        } else {
            ws.evidence(&key).map_err(|e| e.to_string())
        };
        state.evidence = Some((index, evidence));
    }
    if single.is_none() {
        state.evidence = None;
    }
    if let Some(index) = single
        && let Some(row) = ws.rows.get(index as usize)
    {
        egui::Panel::bottom("evidence")
            .resizable(true)
            .default_size(230.0)
            .show(ui, |ui| evidence_panel(ui, row, state));
    }
    // The table gets exactly the space left above the evidence.
    let rect = ui.available_rect_before_wrap();
    ui.scope_builder(egui::UiBuilder::new().max_rect(rect), |ui| {
        review_table(ui, &ws.rows, state);
    });
    if let Some(action) = command {
        // The keys are gathered on the click, not on every frame: a
        // selection can hold a million rows. Invalid and duplicate rows have
        // no decision to make.
        let keys: Vec<String> = state
            .selected
            .iter()
            .filter_map(|i| ws.rows.get(*i as usize))
            .filter(|r| r.can_override())
            .map(|r| r.key.clone())
            .collect();
        app.set_override(keys, action);
    }
    if undo {
        app.undo_override();
    }
}

fn evidence_panel(ui: &mut egui::Ui, row: &ReviewRow, state: &mut ReviewState) {
    ui.horizontal(|ui| {
        ui.heading(&row.address);
        ui.label(format!("· {} · {}", row.verdict.label(), row.reason));
    });
    let Some((_, evidence)) = &state.evidence else {
        return;
    };
    let events = match evidence {
        Ok(e) => e,
        Err(e) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Cannot read the evidence: {e}"),
            );
            return;
        }
    };
    if events.is_empty() {
        ui.label(match row.verdict {
            Verdict::RemoveInvalid => "This row has no valid e-mail address.",
            Verdict::RemoveDuplicate => {
                "This row repeats an address that appears earlier in the list."
            }
            _ => "No bounce is stored for this address.",
        });
        return;
    }
    let mut open_raw = None;
    egui::ScrollArea::vertical()
        .id_salt("evidence scroll")
        .show(ui, |ui| {
            egui::Grid::new("evidence grid")
                .striped(true)
                .num_columns(8)
                .show(ui, |ui| {
                    for h in [
                        "",
                        "Date",
                        "Mailing",
                        "Kind",
                        "Reason",
                        "Status",
                        "Why",
                        "Diagnostic",
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for (i, e) in events.iter().enumerate() {
                        if ui
                            .small_button("Show message")
                            .on_hover_text(format!("{} #{}", e.source, e.index))
                            .clicked()
                        {
                            open_raw = Some(i);
                        }
                        ui.label(format::date_time(e.date));
                        let mailing = e.subject.clone().unwrap_or_else(|| e.mailing.clone());
                        ui.label(format::shorten(&mailing, 40))
                            .on_hover_text(&e.mailing);
                        ui.label(kind_label(&e.kind));
                        let parsed = Reason::parse(&e.reason);
                        let reason: &str = match parsed {
                            Some(r) => r.label(),
                            None => &e.reason,
                        };
                        ui.label(reason).on_hover_ui(|ui| {
                            ui.label(format!("reason code: {}", e.reason));
                            if let Some(rule) = &e.rule {
                                ui.label(format!("decided by the rule: {rule}"));
                            }
                        });
                        let status = match (&e.status, &e.reply_code) {
                            (Some(s), Some(c)) => format!("{c} {s}"),
                            (Some(s), None) => s.clone(),
                            (None, Some(c)) => c.clone(),
                            (None, None) => String::new(),
                        };
                        ui.label(status);
                        // The rule that decided and the words it read; for
                        // bounces stored before that was kept, the
                        // explanation of a surprising label.
                        let why = e.note.as_deref().or_else(|| {
                            parsed.and_then(|r| {
                                diagnose::why(
                                    r,
                                    e.status.as_deref(),
                                    e.diagnostic.as_deref().unwrap_or(""),
                                )
                            })
                        });
                        let why = why.unwrap_or_default();
                        ui.label(format::shorten(why, 70)).on_hover_text(why);
                        let diagnostic = e.diagnostic.clone().unwrap_or_default();
                        ui.label(format::shorten(&diagnostic, 90))
                            .on_hover_text(&diagnostic);
                        ui.end_row();
                    }
                });
        });
    if let Some(i) = open_raw
        && let Some(e) = events.get(i)
    {
        state.raw = Some(super::raw_message_view(&e.source, e.index));
    }
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "hard" => "Hard bounce",
        "soft" => "Soft bounce",
        "complaint" => "Spam complaint",
        "auto_reply" => "Automatic reply",
        "delivered" => "Delivered",
        "undetermined" => "Undetermined",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, verdict: Verdict, reason: &str, streak: u32) -> ReviewRow {
        ReviewRow {
            key: key.into(),
            address: key.into(),
            verdict,
            reason: reason.into(),
            hard_streak: streak,
            bounces: streak,
            last_bounce: None,
            domain: key.rsplit_once('@').map_or("", |(_, d)| d).into(),
            in_list: true,
            overridden: None,
            list_row: None,
        }
    }

    fn shown(state: &ReviewState, rows: &[ReviewRow]) -> Vec<String> {
        state
            .visible()
            .iter()
            .map(|i| rows[*i as usize].key.clone())
            .collect()
    }

    #[test]
    fn search_filter_and_sort_decide_what_is_shown() {
        let rows = vec![
            row(
                "anna@gmx.de",
                Verdict::RemoveHard,
                "Address does not exist",
                3,
            ),
            row("bob@gmail.com", Verdict::Watch, "Mailbox full", 1),
            row("carl@gmx.net", Verdict::Keep, "Mailbox FULL", 0),
        ];
        let mut s = ReviewState {
            sort: SortColumn::Address,
            ..ReviewState::default()
        };
        s.refresh(&rows);
        assert_eq!(
            shown(&s, &rows),
            ["anna@gmx.de", "bob@gmail.com", "carl@gmx.net"]
        );

        s.search = "gm".into();
        s.refresh(&rows);
        assert_eq!(s.visible_count(), 3);
        s.search = "gmx".into(); // typing on narrows what is shown
        s.refresh(&rows);
        assert_eq!(shown(&s, &rows), ["anna@gmx.de", "carl@gmx.net"]);
        s.search = "Mailbox full".into(); // a reason, any case; not a narrowing
        s.refresh(&rows);
        assert_eq!(shown(&s, &rows), ["bob@gmail.com", "carl@gmx.net"]);

        s.search.clear();
        s.sort = SortColumn::Streak;
        s.ascending = false;
        s.refresh(&rows);
        assert_eq!(
            shown(&s, &rows),
            ["anna@gmx.de", "bob@gmail.com", "carl@gmx.net"]
        );

        s.filter = Filter::ToRemove;
        s.refresh(&rows);
        assert_eq!(shown(&s, &rows), ["anna@gmx.de"]);
        s.filter = Filter::Only(Verdict::Watch);
        s.refresh(&rows);
        assert_eq!(shown(&s, &rows), ["bob@gmail.com"]);
    }

    #[test]
    fn changed_rows_are_shown_after_invalidate() {
        let mut rows = vec![row("anna@gmx.de", Verdict::Watch, "x", 1)];
        let mut s = ReviewState {
            filter: Filter::Watch,
            ..ReviewState::default()
        };
        s.refresh(&rows);
        assert_eq!(s.visible_count(), 1);
        rows[0].verdict = Verdict::Keep;
        s.invalidate();
        s.refresh(&rows);
        assert_eq!(s.visible_count(), 0);
    }
}
