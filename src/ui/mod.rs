//! The window (eframe / egui). It drives the shared pipeline and draws what
//! it returns: [`crate::workspace::load`] runs on a worker thread, and the
//! views render the [`Workspace`] it hands back. Nothing here parses mail or
//! runs SQL.
//!
//! [`App::ui`] draws one frame; it is what eframe calls and what the GUI
//! tests drive with egui_kittest.

mod export;
pub mod format;
mod list_view;
mod prefs;
mod review;
mod settings;
mod start;
mod stats_view;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::job::Progress;
use crate::list::ListOptions;
use crate::policy::Override;
use crate::workspace::{self, LoadRequest, Workspace};

pub use prefs::Prefs;
pub use review::{Filter, ReviewState, SortColumn, review_table};

/// The demo subscriber list and mailbox, built into the binary so that the
/// demo works wherever the binary goes (see `assets/demo/README.md`).
const DEMO_LIST: &[u8] = include_bytes!("../../assets/demo/subscribers.csv");
const DEMO_MBOX: &[u8] = include_bytes!("../../assets/demo/bounces.mbox");

/// The views, in the order of the tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Start,
    List,
    Statistics,
    Review,
    Export,
    Settings,
}

impl View {
    const ALL: [View; 6] = [
        View::Start,
        View::List,
        View::Statistics,
        View::Review,
        View::Export,
        View::Settings,
    ];

    fn title(self) -> &'static str {
        match self {
            View::Start => "Start",
            View::List => "Subscriber list",
            View::Statistics => "Statistics",
            View::Review => "Review",
            View::Export => "Export",
            View::Settings => "Settings",
        }
    }
}

/// How the window starts.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// The workspace database.
    pub db: PathBuf,
    /// Where preferences (recent workspaces, export options) are kept;
    /// `None` keeps them in memory only (tests).
    pub prefs_path: Option<PathBuf>,
    /// Load the demo data at once (`--demo`).
    pub demo: bool,
    /// Files to load at once (paths given on the command line).
    pub open: Vec<PathBuf>,
}

enum Message {
    Progress(Progress),
    Done(Box<Result<Workspace, String>>),
}

/// A job on the worker thread.
struct Running {
    rx: Receiver<Message>,
    cancel: Arc<AtomicBool>,
    started: Instant,
    progress: Option<Progress>,
    what: String,
}

/// A message shown above the views until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// The app: what is open, what is running, and each view's state.
pub struct App {
    pub prefs: Prefs,
    prefs_path: Option<PathBuf>,
    /// The open workspace file.
    pub db: PathBuf,
    /// The demo's own folder, when the demo is open.
    demo_dir: Option<PathBuf>,
    pub view: View,
    pub list_path: Option<PathBuf>,
    pub list_options: ListOptions,
    job: Option<Running>,
    /// The loaded workspace, once a job has finished.
    pub workspace: Option<Workspace>,
    pub notices: Vec<Notice>,
    start: start::StartState,
    list_state: list_view::ListState,
    pub review: ReviewState,
    pub export: export::ExportState,
    settings: settings::SettingsState,
    /// Override changes to undo, newest last.
    undo: Vec<Vec<(String, Option<Override>)>>,
    title: String,
    /// Set when the window's title must be sent again.
    title_dirty: bool,
    open_pending: Vec<PathBuf>,
    demo_pending: bool,
    /// Load the workspace's history on the first frame.
    history_pending: bool,
    /// A raw message shown in its own window: title and text.
    pub raw_message: Option<(String, String)>,
    /// The statistics show the newest import only.
    pub stats_last_import: bool,
}

impl App {
    pub fn new(options: AppOptions) -> App {
        let prefs = options
            .prefs_path
            .as_deref()
            .map(Prefs::load)
            .unwrap_or_default();
        let history_pending = !options.demo && options.open.is_empty() && options.db.is_file();
        App {
            prefs,
            prefs_path: options.prefs_path,
            db: options.db,
            demo_dir: None,
            view: View::Start,
            list_path: None,
            list_options: ListOptions::default(),
            job: None,
            workspace: None,
            notices: Vec::new(),
            start: start::StartState::default(),
            list_state: list_view::ListState::default(),
            review: ReviewState::default(),
            export: export::ExportState::default(),
            settings: settings::SettingsState::default(),
            undo: Vec::new(),
            title: String::new(),
            title_dirty: true,
            history_pending,
            raw_message: None,
            stats_last_import: false,
            open_pending: options.open,
            demo_pending: options.demo,
        }
    }

    /// Whether a job is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// What the running job reported last.
    pub fn progress(&self) -> Option<&Progress> {
        self.job.as_ref().and_then(|j| j.progress.as_ref())
    }

    /// Draws one frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if std::mem::take(&mut self.history_pending) {
            self.load(ui.ctx(), Vec::new());
        }
        if self.demo_pending {
            self.demo_pending = false;
            self.open_demo(ui.ctx());
        }
        if !self.open_pending.is_empty() {
            let paths = std::mem::take(&mut self.open_pending);
            self.add_paths(ui.ctx(), paths);
        }
        self.poll_job();
        self.handle_drops(ui.ctx());
        self.shortcuts(ui);
        self.update_title(ui.ctx());
        settings::apply_theme(ui.ctx(), &self.prefs.theme);

        egui::Panel::top("tabs").show(ui, |ui| self.tabs(ui));
        if self.job.is_some() {
            egui::Panel::bottom("progress").show(ui, |ui| self.progress_bar(ui));
        }
        if !self.notices.is_empty() {
            egui::Panel::top("notices").show(ui, |ui| self.show_notices(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.view {
            View::Start => start::show(self, ui),
            View::List => list_view::show(self, ui),
            View::Statistics => stats_view::show(self, ui),
            View::Review => review::show(self, ui),
            View::Export => export::show(self, ui),
            View::Settings => settings::show(self, ui),
        });
        if let Some(raw) = self.review.raw.take() {
            self.raw_message = Some(raw);
        }
        self.raw_window(ui.ctx());
        export::confirm_dialog(self, ui.ctx());
        self.drop_overlay(ui.ctx());
    }

    fn raw_window(&mut self, ctx: &egui::Context) {
        let Some((title, text)) = &self.raw_message else {
            return;
        };
        let mut open = true;
        egui::Window::new(title.as_str())
            .id(egui::Id::unique("raw message"))
            .open(&mut open)
            .default_size([760.0, 540.0])
            .show(ctx, |ui| {
                egui::ScrollArea::both().show(ui, |ui| {
                    ui.add(
                        egui::Label::new(egui::RichText::new(text.as_str()).monospace())
                            .wrap_mode(egui::TextWrapMode::Extend),
                    );
                });
            });
        if !open {
            self.raw_message = None;
        }
    }

    fn tabs(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("List Hygiene");
            ui.separator();
            for (i, view) in View::ALL.into_iter().enumerate() {
                let tab = ui
                    .add_enabled(
                        self.view_enabled(view),
                        egui::Button::selectable(self.view == view, view.title()),
                    )
                    .on_hover_text(format!("Ctrl+{}", i + 1));
                if tab.clicked() {
                    self.view = view;
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let name = self.workspace_name();
                ui.weak(format!("Workspace: {name}"))
                    .on_hover_text(self.db.display().to_string());
            });
        });
    }

    fn view_enabled(&self, view: View) -> bool {
        match view {
            View::Start | View::Settings => true,
            View::List => self.list_loaded(),
            _ => self.workspace.is_some(),
        }
    }

    fn list_loaded(&self) -> bool {
        self.workspace.as_ref().is_some_and(|w| w.list.is_some())
    }

    /// The workspace as the title bar names it.
    pub fn workspace_name(&self) -> String {
        if self.demo_dir.is_some() {
            return "Demo (temporary)".into();
        }
        self.db.file_stem().map_or_else(
            || self.db.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let mut title = format!("List Hygiene — {}", self.workspace_name());
        if let Some(list) = &self.list_path
            && let Some(name) = list.file_name()
        {
            title.push_str(&format!(" — {}", name.to_string_lossy()));
        }
        if title != self.title || self.title_dirty {
            self.title_dirty = false;
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The window title as last sent.
    pub fn title(&self) -> &str {
        &self.title
    }

    fn shortcuts(&mut self, ui: &mut egui::Ui) {
        let open = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
        let export = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);
        let find = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
        let undo = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
        let (o, e, f, z) = ui.ctx().input_mut(|i| {
            (
                i.consume_shortcut(&open),
                i.consume_shortcut(&export),
                i.consume_shortcut(&find),
                i.consume_shortcut(&undo),
            )
        });
        let keys = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
        ];
        let tab = ui.ctx().input_mut(|i| {
            keys.iter()
                .position(|k| i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, *k)))
        });
        if let Some(view) = tab.and_then(|i| View::ALL.get(i))
            && self.view_enabled(*view)
        {
            self.view = *view;
        }
        if o {
            self.view = View::Start;
            self.pick_list(ui.ctx());
        }
        if e && self.workspace.is_some() {
            self.view = View::Export;
        }
        if f && self.workspace.is_some() {
            self.view = View::Review;
            self.review.focus_search = true;
        }
        if z {
            self.undo_override();
        }
    }

    /// Asks for a subscriber list with the system's dialog.
    pub fn pick_list(&mut self, ctx: &egui::Context) {
        let picked = rfd::FileDialog::new()
            .set_title("Open subscriber list")
            .add_filter("Subscriber list", &["csv", "tsv", "txt"])
            .pick_file();
        match picked {
            Some(path) => self.set_list(ctx, path),
            None => self.start.focus_path = true,
        }
    }

    /// Asks for bounce mail (files) with the system's dialog.
    pub fn pick_bounces(&mut self, ctx: &egui::Context, folder: bool) {
        let dialog = rfd::FileDialog::new().set_title("Open bounces");
        let picked = if folder {
            dialog.pick_folders()
        } else {
            dialog.pick_files()
        };
        match picked {
            Some(paths) if !paths.is_empty() => self.load(ctx, paths),
            _ => self.start.focus_path = true,
        }
    }

    fn handle_drops(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.add_paths(ctx, dropped);
        }
    }

    fn drop_overlay(&self, ctx: &egui::Context) {
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if !hovering {
            return;
        }
        let screen = ctx.content_rect();
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop overlay"),
        ));
        painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(180));
        painter.text(
            screen.center(),
            egui::Align2::CENTER_CENTER,
            "Drop your subscriber list and bounce mail here",
            egui::FontId::proportional(28.0),
            egui::Color32::WHITE,
        );
    }

    /// Takes dropped or typed paths: a subscriber list (`.csv`, `.tsv`, or a
    /// `.txt` that is not mail) and bounce mail (everything else). A workspace
    /// file (`.sqlite`) opens that workspace.
    pub fn add_paths(&mut self, ctx: &egui::Context, paths: Vec<PathBuf>) {
        let mut bounces = Vec::new();
        for path in paths {
            match classify_path(&path) {
                PathRole::Missing => {
                    self.error(format!("{}: no such file or folder", path.display()))
                }
                PathRole::Workspace => self.switch_workspace(ctx, path),
                PathRole::List => {
                    self.list_path = Some(path);
                    self.list_options = ListOptions::default();
                }
                PathRole::Bounces => bounces.push(path),
            }
        }
        self.load(ctx, bounces);
    }

    /// Sets the subscriber list and reads it.
    pub fn set_list(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.list_path = Some(path);
        self.list_options = ListOptions::default();
        self.load(ctx, Vec::new());
    }

    /// Opens another workspace file (created if missing).
    pub fn switch_workspace(&mut self, ctx: &egui::Context, db: PathBuf) {
        self.db = db;
        self.demo_dir = None;
        self.workspace = None;
        self.list_path = None;
        self.undo.clear();
        self.title_dirty = true;
        self.load(ctx, Vec::new());
    }

    /// Opens the demo in a temporary workspace of its own.
    pub fn open_demo(&mut self, ctx: &egui::Context) {
        let dir =
            std::env::temp_dir().join(format!("listhygiene-demo-{}-{}", std::process::id(), now()));
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join("subscribers.csv"), DEMO_LIST))
            .and_then(|()| std::fs::write(dir.join("bounces.mbox"), DEMO_MBOX));
        if let Err(e) = written {
            self.error(format!("cannot set up the demo in {}: {e}", dir.display()));
            return;
        }
        self.db = dir.join("demo-workspace.sqlite");
        self.workspace = None;
        self.undo.clear();
        self.list_path = Some(dir.join("subscribers.csv"));
        self.list_options = ListOptions {
            activity_column: Some("last_open".into()),
            ..ListOptions::default()
        };
        if self.export.folder.is_empty() {
            self.export.folder = default_export_folder().display().to_string();
        }
        self.demo_dir = Some(dir.clone());
        self.title_dirty = true;
        self.load(ctx, vec![dir.join("bounces.mbox")]);
    }

    /// Starts a job: reads the list (if any), imports `bounces` (if any)
    /// and decides, on a worker thread.
    pub fn load(&mut self, ctx: &egui::Context, bounces: Vec<PathBuf>) {
        if let Some(job) = &self.job {
            job.cancel.store(true, Ordering::Relaxed);
        }
        let req = LoadRequest {
            db: self.db.clone(),
            list: self.list_path.clone(),
            list_options: self.list_options.clone(),
            bounces: bounces.clone(),
            now: now(),
        };
        let what = if bounces.is_empty() {
            "Reading".to_string()
        } else {
            let names: Vec<String> = bounces
                .iter()
                .map(|p| {
                    p.file_name().map_or_else(
                        || p.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    )
                })
                .collect();
            format!("Reading {}", names.join(", "))
        };
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let repaint = ctx.clone();
        std::thread::spawn(move || {
            let last = std::cell::Cell::new(Instant::now() - Duration::from_secs(1));
            let progress = |p: Progress| {
                if last.get().elapsed() >= Duration::from_millis(50) {
                    last.set(Instant::now());
                    let _ = tx.send(Message::Progress(p));
                    repaint.request_repaint();
                }
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                workspace::load(&req, &progress, &flag).map_err(|e| e.to_string())
            }))
            .unwrap_or_else(|_| Err("internal error while loading; nothing was changed".into()));
            let _ = tx.send(Message::Done(Box::new(result)));
            repaint.request_repaint();
        });
        self.job = Some(Running {
            rx,
            cancel,
            started: Instant::now(),
            progress: None,
            what,
        });
    }

    /// Cancels the running job (the workspace stays as it was).
    pub fn cancel(&mut self) {
        if let Some(job) = &self.job {
            job.cancel.store(true, Ordering::Relaxed);
        }
    }

    fn poll_job(&mut self) {
        let Some(job) = &mut self.job else { return };
        loop {
            match job.rx.try_recv() {
                Ok(Message::Progress(p)) => job.progress = Some(p),
                Ok(Message::Done(result)) => {
                    let elapsed = job.started.elapsed();
                    self.job = None;
                    self.finish(*result, elapsed);
                    return;
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.job = None;
                    self.error("the background job stopped unexpectedly".into());
                    return;
                }
            }
        }
    }

    fn finish(&mut self, result: Result<Workspace, String>, elapsed: Duration) {
        let ws = match result {
            Ok(ws) => ws,
            Err(e) => {
                self.error(e);
                return;
            }
        };
        if let Some(outcome) = &ws.outcome {
            let s = &outcome.import;
            let mut text = format!(
                "Read {} messages in {:.1} s: {} new, {} already in the workspace.",
                format::count(outcome.messages),
                elapsed.as_secs_f64(),
                format::count(s.messages),
                format::count(s.duplicates),
            );
            if !outcome.unreadable.is_empty() {
                text.push_str(&format!(
                    " {} could not be read (see Statistics).",
                    format::count(outcome.unreadable.len())
                ));
            }
            if outcome.skipped.total() > 0 {
                text.push_str(&format!(
                    " {} files skipped ({}).",
                    format::count(outcome.skipped.total()),
                    outcome.skipped.describe()
                ));
            }
            self.notices.push(Notice { text, error: false });
        }
        if self.demo_dir.is_none() {
            self.prefs.remember(&self.db);
            self.save_prefs();
        }
        if let Some(list) = &ws.list
            && self.export.folder.is_empty()
        {
            let folder = list
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            self.export.folder = folder.display().to_string();
        }
        self.settings.draft = Some(ws.settings.clone());
        if let Some(list) = &ws.list {
            self.list_path = Some(list.path.clone());
            self.list_options = ws.list_options.clone();
        }
        // New rows: old selections would point at other addresses.
        self.review.invalidate();
        self.review.clear_selection();
        let had_results = self.workspace.is_some();
        let first_view = match (&ws.outcome, self.view) {
            (Some(_), _) => View::Statistics,
            (None, View::Start) if ws.list.is_some() => View::List,
            (None, View::Start) if !ws.rows.is_empty() => View::Statistics,
            (None, view) => view,
        };
        self.workspace = Some(ws);
        if !had_results || first_view == View::Statistics || self.view == View::Start {
            self.view = first_view;
        }
    }

    fn progress_bar(&mut self, ui: &mut egui::Ui) {
        let Some(job) = &self.job else { return };
        let secs = job.started.elapsed().as_secs_f64();
        let (fraction, text) = match &job.progress {
            Some(Progress::ReadingMail {
                messages,
                bytes,
                total_bytes,
            }) => {
                let fraction = if *total_bytes > 0 {
                    (*bytes as f32 / *total_bytes as f32).min(1.0)
                } else {
                    0.0
                };
                let rate = *messages as f64 / secs.max(1e-3);
                (
                    Some(fraction),
                    format!(
                        "{} messages read ({} of {}) · {:.0} messages/s · {}",
                        format::count(*messages),
                        format::bytes(*bytes),
                        format::bytes(*total_bytes),
                        rate,
                        format::elapsed(secs as u64)
                    ),
                )
            }
            Some(Progress::Storing { messages }) => (
                Some(1.0),
                format!(
                    "Saving {} messages in the workspace…",
                    format::count(*messages)
                ),
            ),
            Some(Progress::ReadingList) => (None, "Reading the subscriber list…".into()),
            Some(Progress::Deciding) => (Some(1.0), "Applying the rule to every address…".into()),
            Some(Progress::Exporting) => (Some(1.0), "Writing…".into()),
            None => (None, format!("{}…", job.what)),
        };
        let cancel_requested = job.cancel.load(Ordering::Relaxed);
        ui.horizontal(|ui| {
            let bar = match fraction {
                Some(f) => egui::ProgressBar::new(f).show_percentage(),
                None => egui::ProgressBar::new(0.0).animate(true),
            };
            ui.add_sized([ui.available_width() - 110.0, 20.0], bar.text(text));
            if cancel_requested {
                ui.label("Cancelling…");
            } else if ui.button("Cancel").clicked() {
                self.cancel();
            }
        });
        // Keep the elapsed time ticking while the job runs.
        ui.ctx().request_repaint_after(Duration::from_millis(250));
    }

    fn show_notices(&mut self, ui: &mut egui::Ui) {
        let mut dismiss = None;
        for (i, notice) in self.notices.iter().enumerate().rev().take(3) {
            ui.horizontal(|ui| {
                if notice.error {
                    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {}", notice.text));
                } else {
                    ui.label(&notice.text);
                }
                if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                    dismiss = Some(i);
                }
            });
        }
        if let Some(i) = dismiss {
            self.notices.remove(i);
        }
    }

    /// Shows an error until dismissed.
    pub fn error(&mut self, text: String) {
        self.notices.push(Notice { text, error: true });
    }

    fn info(&mut self, text: String) {
        self.notices.push(Notice { text, error: false });
    }

    /// Records keep / remove (or withdraws the decision) for addresses, with undo.
    pub fn set_override(&mut self, keys: Vec<String>, action: Option<Override>) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        match ws.set_override(&keys, action, now()) {
            Ok(before) => {
                self.undo.push(before);
                self.review.invalidate();
            }
            Err(e) => self.error(format!("could not save your decision: {e}")),
        }
    }

    /// Undoes the last override change.
    pub fn undo_override(&mut self) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let Some(change) = self.undo.pop() else {
            return;
        };
        match ws.apply_overrides(&change, now()) {
            Ok(_) => {
                self.review.invalidate();
                self.info(format!(
                    "Undone: the decision on {} address(es).",
                    change.len()
                ));
            }
            Err(e) => self.error(format!("could not undo: {e}")),
        }
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    fn save_prefs(&mut self) {
        if let Some(path) = &self.prefs_path
            && let Err(e) = self.prefs.save(path)
        {
            let text = format!("could not save preferences to {}: {e}", path.display());
            self.error(text);
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        App::ui(self, ui);
    }
}

/// The title and text of a raw message for its window (at most 256 KiB of it).
pub(crate) fn raw_message_view(source: &str, index: i64) -> (String, String) {
    let text = match Workspace::raw_message(source, index) {
        Some(bytes) => {
            let limit = bytes.len().min(256 * 1024);
            let mut text = String::from_utf8_lossy(&bytes[..limit]).into_owned();
            if bytes.len() > limit {
                text.push_str("\n… (the rest of the message is not shown)");
            }
            text
        }
        None => format!("The message can no longer be read from {source} (moved or deleted?)."),
    };
    (format!("Message {} of {source}", index + 1), text)
}

/// What a dropped or typed path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRole {
    Missing,
    List,
    Bounces,
    Workspace,
}

/// Decides what a path is for: `.csv` and `.tsv` are subscriber lists, a
/// `.txt` is one unless it starts like mail, `.sqlite` is a workspace, and
/// everything else (folders, `.eml`, `.mbox`, Maildir, `.zip`, files without
/// an extension) is bounce mail.
pub fn classify_path(path: &Path) -> PathRole {
    if !path.exists() {
        return PathRole::Missing;
    }
    if path.is_dir() {
        return PathRole::Bounces;
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" => PathRole::List,
        "sqlite" | "db" | "sqlite3" => PathRole::Workspace,
        "txt" => {
            let mut head = [0u8; 64];
            let n = std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .unwrap_or(0);
            let head = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
            let mail = [
                "from ",
                "return-path:",
                "received:",
                "delivered-to:",
                "message-id:",
            ]
            .iter()
            .any(|p| head.starts_with(p));
            if mail {
                PathRole::Bounces
            } else {
                PathRole::List
            }
        }
        _ => PathRole::Bounces,
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Where exports go when no list says otherwise: Documents, else home.
fn default_export_folder() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|d| {
            d.document_dir()
                .map(Path::to_path_buf)
                .or_else(|| Some(d.home_dir().to_path_buf()))
        })
        .unwrap_or_else(std::env::temp_dir)
}

/// A card with a big number and a caption. Cards have one size, so a row
/// of them wraps to the window's width.
fn card(ui: &mut egui::Ui, value: &str, caption: &str, hint: &str) {
    ui.allocate_ui(egui::vec2(150.0, 68.0), |ui| {
        egui::Frame::group(ui.style())
            .inner_margin(egui::Margin::same(8))
            .show(ui, |ui| {
                ui.set_width(132.0);
                ui.set_height(50.0);
                ui.vertical(|ui| {
                    ui.label(egui::RichText::new(value).size(22.0).strong());
                    ui.label(caption);
                });
            })
            .response
            .on_hover_text(hint);
    });
}
