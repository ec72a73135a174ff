//! The statistics view: key figures as cards, then charts (egui_plot) of the
//! bounces per mailing, the reasons (address problems apart from problems on
//! the sender's side), the top domains and the hard-bounce streaks. Every bar
//! answers hover with its exact number.

use egui::Color32;
use egui_plot::{Bar, BarChart, Legend, Plot};

use super::{App, card, format};
use crate::bounce::Reason;
use crate::stats::{ReasonCount, Stats};

const HARD: Color32 = Color32::from_rgb(214, 69, 65);
const SOFT: Color32 = Color32::from_rgb(240, 160, 40);
const COMPLAINT: Color32 = Color32::from_rgb(142, 68, 173);
const SENDER: Color32 = Color32::from_rgb(52, 120, 200);

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    let Some(ws) = &app.workspace else {
        ui.label("Nothing loaded yet.");
        return;
    };
    // Drawn from references: nothing is copied per frame.
    let s = match (&ws.last_import_stats, app.stats_last_import) {
        (Some(last), true) => last,
        _ => &ws.stats,
    };
    let can_switch = ws.last_import_stats.is_some();
    let mut scope = app.stats_last_import;
    let unreadable: &[(String, String)] = ws.outcome.as_ref().map_or(&[], |o| &o.unreadable);
    let threshold = ws.settings.hard_threshold;
    let not_recognised = &ws.unrecognised;
    let mut show_raw = None;
    let has_list = ws.list.is_some();
    let mut go = None;
    let mut export = false;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Key figures");
            ui.selectable_value(&mut scope, false, "Whole history")
                .on_hover_text("Every bounce this workspace has seen");
            ui.add_enabled_ui(can_switch, |ui| {
                ui.selectable_value(&mut scope, true, "Last import")
                    .on_hover_text("Only the messages of the newest import; the verdicts, rows to remove, health and streaks stay those of the whole history");
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                export = ui.button("Export figures (CSV)").clicked();
            });
        });
        cards(ui, s);
        if has_list {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{} of your {} subscribers stay in the cleaned list; {} rows are left out.",
                    format::count(s.list_rows - s.rows_to_remove),
                    format::count(s.list_rows),
                    format::count(s.rows_to_remove)
                ));
                if ui.button("Review addresses").clicked() {
                    go = Some(super::View::Review);
                }
                if ui.button("Export…").clicked() {
                    go = Some(super::View::Export);
                }
            });
        }
        if !unreadable.is_empty() {
            egui::CollapsingHeader::new(format!(
                "{} sources could not be read",
                format::count(unreadable.len())
            ))
            .show(ui, |ui| {
                for (source, why) in unreadable.iter().take(200) {
                    ui.label(format!("{source}: {why}"));
                }
            });
        }
        if !not_recognised.is_empty() {
            egui::CollapsingHeader::new(format!(
                "{} messages were not recognised as bounces",
                format::count(s.not_recognised)
            ))
            .show(ui, |ui| {
                ui.weak("Ordinary replies, newsletters or spam that reached the bounce mailbox. They change nothing; open one to check.");
                egui::ScrollArea::vertical()
                    .id_salt("not recognised")
                    .max_height(160.0)
                    .show(ui, |ui| {
                        for (source, index) in not_recognised {
                            if ui.link(format!("{source} #{}", index + 1)).clicked() {
                                show_raw = Some((source.clone(), *index));
                            }
                        }
                    });
            });
        }
        ui.add_space(12.0);
        ui.heading("Bounces per mailing");
        ui.weak("Addresses per mailing: hard bounces, soft bounces and spam complaints; problems on your side in blue.");
        mailings_chart(ui, s);
        ui.add_space(12.0);
        ui.columns(2, |cols| {
            cols[0].heading("Why addresses failed");
            cols[0].weak("Problems with the address or the mailbox");
            reasons_chart(&mut cols[0], "address reasons", &s.address_reasons, HARD);
            cols[1].heading("Problems on your side");
            cols[1].weak("Blocks, reputation, authentication, rate limits: not the subscriber's fault");
            if s.sender_reasons.is_empty() {
                cols[1].label("None. Receiving servers did not refuse your mail.");
            } else {
                reasons_chart(&mut cols[1], "sender reasons", &s.sender_reasons, SENDER);
            }
        });
        ui.add_space(12.0);
        ui.columns(2, |cols| {
            cols[0].heading("Top domains");
            domains_table(&mut cols[0], s);
            cols[1].heading("Hard bounces in a row");
            cols[1].weak(format!(
                "Addresses by their current run of hard bounces; at {threshold} they are removed."
            ));
            streaks_chart(&mut cols[1], s);
        });
        ui.add_space(12.0);
        ui.heading("Not in your list");
        ui.label(format!(
            "{} addresses with a hard bounce and {} with a complaint are not in the loaded list (old or forwarded addresses); they are counted apart, and those the rule removes go to the suppression list.",
            format::count(s.not_in_list_hard),
            format::count(s.not_in_list_complaints)
        ));
    });
    app.stats_last_import = scope;
    if let Some(view) = go {
        app.view = view;
    }
    if let Some((source, index)) = show_raw {
        app.raw_message = Some(super::raw_message_view(&source, index));
    }
    if export {
        super::export::save_to_folder(app, super::export::ExportKind::Figures);
    }
}

fn cards(ui: &mut egui::Ui, s: &Stats) {
    ui.horizontal_wrapped(|ui| {
        card(
            ui,
            &format::count(s.messages),
            "Messages read",
            "Every message stored in this workspace",
        );
        card(
            ui,
            &format::count(s.recognised),
            "Bounces recognised",
            "Bounces, complaints and automatic replies",
        );
        card(
            ui,
            &format::count(s.not_recognised),
            "Not recognised",
            "Messages that were none of these: ordinary replies, newsletters, spam",
        );
        card(
            ui,
            &format::count(s.recipients),
            "Addresses affected",
            "Distinct addresses with a bounce, complaint or automatic reply",
        );
        card(
            ui,
            &format::count(s.matched),
            "In your list",
            "Of those, how many are in the loaded subscriber list",
        );
        card(
            ui,
            &format::count(s.hard),
            "Hard bounces",
            "The address or its domain does not exist",
        );
        card(
            ui,
            &format::count(s.soft),
            "Soft bounces",
            "Mailbox full, server trouble, or a problem on your side",
        );
        card(
            ui,
            &format::count(s.complaints),
            "Spam complaints",
            "Readers who marked the newsletter as spam",
        );
        card(
            ui,
            &format::count(s.auto_replies),
            "Automatic replies",
            "Out-of-office replies: the address is alive",
        );
        card(
            ui,
            &format::count(s.rows_to_remove),
            "Rows to remove",
            "List rows the cleaned list leaves out (bounces, complaints, invalid, duplicates)",
        );
        let health = s.health.map_or_else(|| "–".to_string(), format::percent);
        card(
            ui,
            &health,
            "List health",
            "Share of the list's rows that stay and are not being watched",
        );
    });
}

fn mailing_label(m: &crate::stats::MailingStat) -> String {
    let date = format::date(m.date);
    match &m.subject {
        Some(subject) => format!("{date} · {subject}"),
        None => date,
    }
}

fn mailings_chart(ui: &mut egui::Ui, s: &Stats) {
    if s.mailings.is_empty() {
        ui.label("No mailings yet: drop the bounce mail of a mailing.");
        return;
    }
    let labels: Vec<String> = s.mailings.iter().map(mailing_label).collect();
    let bars = |value: fn(&crate::stats::MailingStat) -> usize, name: &str| {
        s.mailings
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Bar::new(i as f64, value(m) as f64)
                    .width(0.7)
                    .name(format!("{}\n{name}", labels[i]))
            })
            .collect::<Vec<_>>()
    };
    let formatter = |bar: &Bar, _: &BarChart| format!("{}: {}", bar.name, bar.value);
    let hard = BarChart::new("Hard bounces", bars(|m| m.hard, "hard bounces"))
        .color(HARD)
        .element_formatter(Box::new(formatter));
    let soft = BarChart::new("Soft bounces", bars(|m| m.soft, "soft bounces"))
        .color(SOFT)
        .element_formatter(Box::new(formatter))
        .stack_on(&[&hard]);
    let complaints = BarChart::new("Spam complaints", bars(|m| m.complaints, "spam complaints"))
        .color(COMPLAINT)
        .element_formatter(Box::new(formatter))
        .stack_on(&[&hard, &soft]);
    let sender = BarChart::new(
        "Problems on your side",
        s.mailings
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Bar::new(i as f64 + 0.42, m.sender_side as f64)
                    .width(0.15)
                    .name(format!("{}\nrefused for a reason on your side", labels[i]))
            })
            .collect(),
    )
    .color(SENDER)
    .element_formatter(Box::new(formatter));
    let short: Vec<String> = s.mailings.iter().map(|m| format::date(m.date)).collect();
    fixed_plot("mailings")
        .height(220.0)
        .legend(Legend::default())
        .show_grid([false, true])
        .include_y(0.0)
        .x_axis_formatter(move |mark, _| {
            category(mark.value, short.len()).map_or_else(String::new, |i| short[i].clone())
        })
        .y_axis_label("addresses")
        .show(ui, |plot| {
            plot.bar_chart(hard);
            plot.bar_chart(soft);
            plot.bar_chart(complaints);
            plot.bar_chart(sender);
        });
    // The rate, which the chart cannot show on the same scale.
    let rates: Vec<String> = s
        .mailings
        .iter()
        .filter_map(|m| {
            m.rate
                .map(|r| format!("{} {}", format::date(m.date), format::percent(r)))
        })
        .collect();
    if !rates.is_empty() {
        ui.weak(format!(
            "Bounce rate (bounced addresses / list size): {}",
            rates.join(" · ")
        ));
    }
}

fn reasons_chart(ui: &mut egui::Ui, id: &str, reasons: &[ReasonCount], color: Color32) {
    if reasons.is_empty() {
        ui.label("None.");
        return;
    }
    let shown: Vec<&ReasonCount> = reasons.iter().take(10).collect();
    let n = shown.len();
    let labels: Vec<&'static str> = shown.iter().map(|r| short_label(r.reason)).collect();
    let bars: Vec<Bar> = shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Bar::new((n - 1 - i) as f64, r.events as f64)
                .width(0.7)
                .name(format!(
                    "{} ({}): {} bounces, {} addresses",
                    r.reason.label(),
                    r.reason.as_str(),
                    r.events,
                    r.addresses
                ))
        })
        .collect();
    let chart = BarChart::new("reasons", bars)
        .horizontal()
        .color(color)
        .element_formatter(Box::new(|bar: &Bar, _: &BarChart| bar.name.clone()));
    fixed_plot(id)
        .height(30.0 + 26.0 * n as f64 as f32)
        .show_grid([true, false])
        .include_x(0.0)
        .y_axis_min_width(190.0)
        .y_axis_formatter(move |mark, _| {
            category(mark.value, n)
                .map_or_else(String::new, |i| format::shorten(labels[n - 1 - i], 34))
        })
        .show(ui, |plot| plot.bar_chart(chart));
}

/// A chart that stays where it is: the figures are read, not explored.
fn fixed_plot<'a>(id: &str) -> Plot<'a> {
    Plot::new(id.to_string())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
}

/// The category a grid mark stands on, for an axis of `count` categories
/// at 0, 1, 2, …; `None` between categories and outside them.
fn category(value: f64, count: usize) -> Option<usize> {
    let i = value.round();
    ((value - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < count).then_some(i as usize)
}

/// A reason's label short enough for a chart's axis (the hover shows it whole).
fn short_label(reason: Reason) -> &'static str {
    match reason {
        Reason::Blocked => "Blocked: your sending IP or host",
        Reason::BadReputation => "Blocked: your sending reputation",
        Reason::AuthFailure => "SPF / DKIM / DMARC failed",
        Reason::RequirePtr => "No reverse DNS for your server",
        Reason::SpamDetected => "Rejected as spam",
        Reason::PolicyViolation => "Receiving server's policy",
        Reason::Speeding => "Rate limited",
        Reason::TooManyConn => "Too many connections",
        Reason::SystemFull => "Receiving server's disk full",
        Reason::SystemError => "Receiving server error",
        Reason::NotCompliantRfc => "Message breaks the standards",
        Reason::ContentError => "Message format or content",
        Reason::Filtered => "Filtered at the recipient",
        other => other.label(),
    }
}

fn domains_table(ui: &mut egui::Ui, s: &Stats) {
    if s.domains.is_empty() {
        ui.label("No bounces yet.");
        return;
    }
    egui::Grid::new("domains")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            ui.strong("Domain");
            ui.strong("Bounced addresses")
                .on_hover_text("Distinct addresses with a hard or soft bounce or a complaint");
            ui.strong("Subscribers");
            ui.strong("Rate")
                .on_hover_text("Bounced addresses / subscribers at this domain");
            ui.end_row();
            for d in &s.domains {
                ui.label(&d.domain);
                ui.label(format::count(d.bounced))
                    .on_hover_text(format!("{} bounce events", format::count(d.events)));
                ui.label(format::count(d.subscribers));
                ui.label(d.rate.map_or_else(|| "–".into(), format::percent));
                ui.end_row();
            }
        });
}

fn streaks_chart(ui: &mut egui::Ui, s: &Stats) {
    let last = s.streaks.len();
    let labels: Vec<String> = s
        .streaks
        .iter()
        .enumerate()
        .map(|(i, (n, _))| {
            if i + 1 == last {
                format!("{n}+")
            } else {
                n.to_string()
            }
        })
        .collect();
    let bars: Vec<Bar> = s
        .streaks
        .iter()
        .enumerate()
        .map(|(i, (_, count))| {
            let fill = if i + 1 == last { HARD } else { SOFT };
            Bar::new(i as f64, *count as f64)
                .width(0.6)
                .fill(fill)
                .name(format!("{} in a row: {} addresses", labels[i], count))
        })
        .collect();
    let chart = BarChart::new("streaks", bars)
        .element_formatter(Box::new(|bar: &Bar, _: &BarChart| bar.name.clone()));
    fixed_plot("streaks")
        .height(180.0)
        .include_y(0.0)
        .show_grid([false, true])
        .x_axis_formatter(move |mark, _| {
            category(mark.value, labels.len()).map_or_else(String::new, |i| labels[i].clone())
        })
        .x_axis_label("hard bounces in a row")
        .show(ui, |plot| plot.bar_chart(chart));
}

#[cfg(test)]
mod tests {
    use super::category;

    #[test]
    fn axis_marks_name_a_category_only_on_one() {
        assert_eq!(category(0.0, 3), Some(0));
        assert_eq!(category(2.0000001, 3), Some(2));
        assert_eq!(category(1.5, 3), None);
        assert_eq!(category(3.0, 3), None);
        assert_eq!(category(-1.0, 3), None);
    }
}
