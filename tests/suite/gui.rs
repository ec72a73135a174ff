//! The window, driven headlessly with egui_kittest: the demo dropped on the
//! window, the job stepped to its end, the figures read, the review table
//! filtered, a decision made and undone, and the exports written.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use listhygiene::policy::{Override, Verdict};
use listhygiene::ui::{App, AppOptions, View, format};

/// A file dropped on the window.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}

fn harness(db: PathBuf) -> Harness<'static, App> {
    let app = App::new(AppOptions {
        db,
        ..AppOptions::default()
    });
    Harness::builder()
        .with_size(egui::vec2(1280.0, 860.0))
        .with_max_steps(16)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

/// Steps the window until the background job is done (the worker asks for
/// repaints; the harness only needs to keep drawing frames).
fn wait_for_job(h: &mut Harness<'_, App>) {
    let started = Instant::now();
    h.step();
    while h.state().busy() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the job did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.step();
    h.step();
}

fn drop_files(h: &mut Harness<'_, App>, files: &[PathBuf]) {
    for f in files {
        h.input_mut()
            .dropped_files
            .push(Arc::new(Dropped(f.clone())));
    }
    h.step();
}

/// The first field of every data row, lower-cased.
fn first_column(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| r.unwrap().get(0).unwrap_or("").trim().to_lowercase())
        .collect()
}

#[test]
fn the_demo_flows_from_drop_to_export() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path().join("workspace.sqlite"));
    h.run_ok();
    assert!(h.query_by_label_contains("Try with demo data").is_some());

    // Drop the list and the mailbox; the job runs on its worker.
    drop_files(&mut h, &[demo("subscribers.csv"), demo("bounces.mbox")]);
    wait_for_job(&mut h);
    let notices: Vec<String> = h.state().notices.iter().map(|n| n.text.clone()).collect();
    assert!(
        h.state().notices.iter().all(|n| !n.error),
        "errors: {notices:?}"
    );
    assert_eq!(h.state().view, View::Statistics);

    // The figures: the cards show the workspace's numbers.
    let stats = h.state().workspace.as_ref().unwrap().stats.clone();
    assert!(stats.messages >= 500, "{}", stats.messages);
    assert!(stats.hard > 0 && stats.complaints > 0 && stats.auto_replies > 0);
    assert!(stats.rows_to_remove > 0);
    for caption in [
        "Messages read",
        "Hard bounces",
        "Spam complaints",
        "List health",
    ] {
        assert!(
            h.query_all_by_label(caption).next().is_some(),
            "a card says {caption}"
        );
    }
    for value in [
        stats.messages,
        stats.hard,
        stats.complaints,
        stats.rows_to_remove,
    ] {
        let shown = format::count(value);
        assert!(
            h.query_all_by_label(&shown).next().is_some(),
            "a card shows {shown}"
        );
    }
    assert!(
        h.query_all_by_label("Problems on your side")
            .next()
            .is_some()
    );
    assert!(h.query_by_label("Export figures (CSV)").is_some());
    // The newest import alone: here the only one, so the same figures.
    h.get_by_label("Last import").click();
    h.run_ok();
    assert!(h.state().stats_last_import);
    let last = h
        .state()
        .workspace
        .as_ref()
        .unwrap()
        .last_import_stats
        .clone();
    assert_eq!(last.map(|l| l.messages), Some(stats.messages));
    h.get_by_label("Whole history").click();
    h.run_ok();
    assert!(!h.state().stats_last_import);

    // Review: filter to "To remove" and search for one address.
    h.get_by_label("Review").click();
    h.run_ok();
    assert_eq!(h.state().view, View::Review);
    let ws = h.state().workspace.as_ref().unwrap();
    let target = ws
        .rows
        .iter()
        .find(|r| r.verdict == Verdict::RemoveHard && r.in_list)
        .expect("the demo has addresses removed for hard bounces")
        .clone();
    let total = ws.rows.len();
    h.get_by_role(Role::TextInput).click();
    h.run_ok();
    h.get_by_role(Role::TextInput).type_text(&target.key);
    h.run_ok();
    assert_eq!(
        h.state().review.visible_count(),
        1,
        "search narrows to one row"
    );
    assert!(total > 1);

    // Select it and keep it: the decision is stored and the verdict changes.
    h.get_by_label(&target.address).click();
    h.run_ok();
    // Its evidence, and the raw message behind it.
    h.get_all_by_label("Show message").next().unwrap().click();
    h.run_ok();
    let (title, text) = h.state().raw_message.clone().expect("a message window");
    assert!(title.starts_with("Message "), "{title}");
    assert!(
        text.to_lowercase().contains(&target.key),
        "the message names the address"
    );
    assert!(h.query_by_label_contains(&title).is_some());
    h.state_mut().raw_message = None; // closed
    h.run_ok();

    h.get_by_role_and_label(Role::Button, "Keep").click();
    h.run_ok();
    {
        let ws = h.state().workspace.as_ref().unwrap();
        assert_eq!(ws.verdicts[&target.key].verdict, Verdict::Keep);
        assert_eq!(
            ws.store.overrides().unwrap().get(&target.key),
            Some(&Override::Keep)
        );
    }

    // Undo with Ctrl+Z: back to the rule's verdict, the decision withdrawn.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_ok();
    {
        let ws = h.state().workspace.as_ref().unwrap();
        assert_eq!(ws.verdicts[&target.key].verdict, Verdict::RemoveHard);
        assert!(!ws.store.overrides().unwrap().contains_key(&target.key));
    }

    // Remove a kept address by hand, then export.
    let kept = {
        let ws = h.state().workspace.as_ref().unwrap();
        let list = ws.list.as_ref().unwrap();
        list.rows
            .iter()
            .zip(&ws.row_verdicts)
            .find(|(r, v)| **v == Verdict::Keep && r.duplicate_of.is_none())
            .map(|(r, _)| list.email(r).unwrap().to_string())
            .unwrap()
    };
    h.state_mut()
        .set_override(vec![kept.clone()], Some(Override::Remove));
    h.run_ok();

    let out = tempfile::tempdir().unwrap();
    h.state_mut().export.folder = out.path().display().to_string();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_ok();
    assert_eq!(h.state().view, View::Export);
    h.get_by_label("Save cleaned list").click();
    h.run_ok();
    h.get_by_label("Save suppression list").click();
    h.run_ok();

    let cleaned = first_column(&out.path().join("subscribers-cleaned.csv"));
    let ws = h.state().workspace.as_ref().unwrap();
    let list = ws.list.as_ref().unwrap();
    assert_eq!(cleaned.len(), list.rows.len() - ws.stats.rows_to_remove);
    assert!(
        !cleaned.contains(&target.key),
        "the hard-bounced address is gone"
    );
    assert!(
        !cleaned.contains(&kept),
        "the address removed by hand is gone"
    );
    let suppression = first_column(&out.path().join("suppression.csv"));
    assert!(suppression.contains(&target.key));
    assert!(suppression.contains(&kept));
    assert!(
        h.state()
            .export
            .written
            .iter()
            .any(|w| w.starts_with("Cleaned list:")),
        "the view says what was written"
    );

    // Saving again asks before replacing; "keep" leaves the file alone.
    std::fs::write(out.path().join("suppression.csv"), b"mine").unwrap();
    h.get_by_label("Save suppression list").click();
    h.run_ok();
    assert!(h.query_by_label("Replace the file?").is_some());
    h.get_by_label("Keep the existing file").click();
    h.run_ok();
    assert_eq!(
        std::fs::read(out.path().join("suppression.csv")).unwrap(),
        b"mine"
    );
    assert!(h.query_by_label("Replace the file?").is_none());
}

#[test]
fn a_workspace_opens_again_with_its_history_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("workspace.sqlite");
    let list = dir.path().join("subscribers.csv");
    std::fs::copy(demo("subscribers.csv"), &list).unwrap();
    let mut h = harness(db.clone());
    h.run_ok();
    drop_files(&mut h, &[list.clone(), demo("bounces.mbox")]);
    wait_for_job(&mut h);
    let first = h.state().workspace.as_ref().unwrap().stats.clone();
    drop(h);

    // A new window on the same workspace: the history and the list come back
    // without dropping anything.
    let mut h = harness(db);
    wait_for_job(&mut h);
    let ws = h
        .state()
        .workspace
        .as_ref()
        .expect("the workspace is loaded");
    assert_eq!(ws.stats.messages, first.messages);
    assert_eq!(ws.stats.rows_to_remove, first.rows_to_remove);
    assert_eq!(ws.list.as_ref().unwrap().path, list);
    assert!(ws.outcome.is_none(), "nothing was imported again");
    assert!(
        h.state().title().contains("subscribers.csv"),
        "{}",
        h.state().title()
    );
}

#[test]
fn a_list_without_an_email_column_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("names.csv");
    std::fs::write(&list, "name,city\nAnna,Berlin\nBob,Paris\n").unwrap();
    let mut h = harness(dir.path().join("workspace.sqlite"));
    h.run_ok();
    drop_files(&mut h, &[list]);
    wait_for_job(&mut h);
    let errors: Vec<&str> = h
        .state()
        .notices
        .iter()
        .filter(|n| n.error)
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("names.csv"), "{}", errors[0]);
    assert!(
        errors[0].contains("name") && errors[0].contains("city"),
        "{}",
        errors[0]
    );
    assert!(h.query_all_by_label_contains("names.csv").next().is_some());
}

#[test]
fn cancelling_leaves_the_workspace_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("workspace.sqlite");
    let mut h = harness(db.clone());
    h.run_ok();
    drop_files(&mut h, &[demo("bounces.mbox")]);
    // Cancel at once: the import is one transaction, so nothing is stored.
    h.state_mut().cancel();
    wait_for_job(&mut h);
    let store = listhygiene::store::Store::open(&db).unwrap();
    let (messages, _, _) = store.counts().unwrap();
    let cancelled = h
        .state()
        .notices
        .iter()
        .any(|n| n.error && n.text.contains("cancelled"));
    // The job may have finished before the flag was read; then it is whole.
    if cancelled {
        assert_eq!(messages, 0);
    } else {
        assert!(messages >= 500);
    }
}

#[test]
fn the_review_is_walked_with_the_arrow_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path().join("workspace.sqlite"));
    h.run_ok();
    drop_files(&mut h, &[demo("subscribers.csv"), demo("bounces.mbox")]);
    wait_for_job(&mut h);
    // From the figures straight to the review.
    h.get_by_label("Review addresses").click();
    h.run_ok();
    assert_eq!(h.state().view, View::Review);
    h.key_press(egui::Key::ArrowDown);
    h.run_ok();
    h.key_press(egui::Key::ArrowDown);
    h.run_ok();
    let second = h.state().review.visible()[1];
    let selected: Vec<u32> = h.state().review.selected.iter().copied().collect();
    assert_eq!(selected, [second]);
    h.key_press(egui::Key::ArrowUp);
    h.run_ok();
    let first = h.state().review.visible()[0];
    assert!(h.state().review.selected.contains(&first));
    assert!(
        h.query_all_by_label("Show message").next().is_some(),
        "the evidence of the selected address is shown"
    );
}
