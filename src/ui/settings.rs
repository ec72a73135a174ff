//! The settings view: the cleaning rule (saved in the workspace), the
//! spreadsheet-safe export choices and the colour theme (saved in the
//! window's preferences).

use super::App;
use crate::policy::{DEFAULT_SOFT_ESCALATION, PolicySettings};

#[derive(Default)]
pub struct SettingsState {
    /// The rule as edited, before "Apply".
    pub draft: Option<PolicySettings>,
}

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("The cleaning rule");
        match &app.workspace {
            None => {
                ui.label("Load a workspace to change its rule.");
            }
            Some(ws) => {
                let current = ws.settings.clone();
                let draft = app.settings.draft.get_or_insert_with(|| current.clone());
                rule(ui, draft);
                let changed = *draft != current;
                let draft = draft.clone();
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(changed, egui::Button::new("Apply"))
                        .on_hover_text("Save the rule in this workspace and decide every address again")
                        .clicked()
                    {
                        apply(app, draft);
                    }
                    if ui.add_enabled(changed, egui::Button::new("Discard changes")).clicked() {
                        app.settings.draft = Some(current);
                    }
                });
            }
        }
        ui.add_space(16.0);
        ui.heading("Exports");
        let mut changed = false;
        changed |= ui
            .checkbox(
                &mut app.prefs.safe_reports,
                "Spreadsheet-safe bounce report and figures (recommended)",
            )
            .changed();
        ui.weak("Their cells carry text from strangers' mail servers. A cell that starts with = + - @ gets a leading ' so a spreadsheet cannot run it as a formula.");
        changed |= ui
            .checkbox(
                &mut app.prefs.safe_lists,
                "Spreadsheet-safe suppression list",
            )
            .changed();
        ui.weak("Off by default: the suppression list goes back into mail tools, and an address may validly begin with + - or =. The cleaned list is always your file's own bytes.");
        ui.add_space(16.0);
        ui.heading("Appearance");
        ui.horizontal(|ui| {
            for (value, label) in [("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")] {
                if ui
                    .selectable_label(app.prefs.theme == value, label)
                    .clicked()
                {
                    app.prefs.theme = value.to_string();
                    changed = true;
                }
            }
        });
        if changed {
            app.save_prefs();
        }
    });
}

fn rule(ui: &mut egui::Ui, s: &mut PolicySettings) {
    ui.horizontal(|ui| {
        let label = ui.label("Remove an address after");
        ui.add(egui::DragValue::new(&mut s.hard_threshold).range(1..=20))
            .labelled_by(label.id);
        ui.label("hard bounces in a row");
    });
    if s.hard_threshold == 1 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "A single hard bounce can be a provider's temporary fault: 1 removes addresses that may still work.",
        );
    }
    ui.checkbox(
        &mut s.whole_list,
        "Every newsletter went to the whole list",
    )
    .on_hover_text("Then a newsletter without a bounce from an address counts as delivered, and breaks its run of hard bounces.");
    let mut soft = s.soft_escalation.is_some();
    if ui
        .checkbox(
            &mut soft,
            "Also remove addresses that keep soft-bouncing (mailbox full, server trouble)",
        )
        .changed()
    {
        s.soft_escalation = soft.then_some(DEFAULT_SOFT_ESCALATION);
    }
    if let Some(n) = &mut s.soft_escalation {
        ui.horizontal(|ui| {
            ui.add_space(24.0);
            let label = ui.label("after");
            ui.add(egui::DragValue::new(n).range(2..=50))
                .labelled_by(label.id);
            ui.label("mailings in a row with a soft bounce");
        });
    }
    ui.weak("Problems on your side (blocks, reputation) never count against a subscriber.");
}

fn apply(app: &mut App, settings: PolicySettings) {
    let Some(ws) = &mut app.workspace else { return };
    match ws.apply_settings(settings) {
        Ok(()) => {
            app.review.invalidate();
            app.info("The rule was saved and every address decided again.".into());
        }
        Err(e) => app.error(format!("could not save the rule: {e}")),
    }
}

/// Sets the colour theme from the preference.
pub fn apply_theme(ctx: &egui::Context, theme: &str) {
    let preference = match theme {
        "light" => egui::ThemePreference::Light,
        "dark" => egui::ThemePreference::Dark,
        _ => egui::ThemePreference::System,
    };
    if ctx.options(|o| o.theme_preference) != preference {
        ctx.set_theme(preference);
    }
}
