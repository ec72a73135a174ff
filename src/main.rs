//! The `listhygiene` command: thin glue over the library.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use listhygiene::classify::{self, Record, RunSummary};
use listhygiene::job::{self, CleanRequest, Progress};
use listhygiene::list::ListOptions;
use listhygiene::mailbox::Limits;
use listhygiene::policy::{PolicySettings, Verdict};

#[derive(Parser)]
#[command(
    name = "listhygiene",
    version,
    about = "Keeps newsletter subscriber lists clean"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Open the window with the demo data loaded (in a temporary workspace of its own).
    #[arg(long)]
    demo: bool,
    /// The window's workspace database (default: one in the platform's data folder).
    #[arg(long = "workspace", value_name = "FILE")]
    workspace: Option<PathBuf>,
    /// Files to open in the window: a subscriber list and bounce mail.
    #[arg(value_name = "FILE")]
    open: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Recognise and classify the bounces in mailbox exports (.eml, mbox, Maildir, folders, .zip).
    Classify {
        /// Files or folders to read.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
    },
    /// Clean a subscriber list: classify the bounces, remember them in the
    /// workspace, apply the rule and write the cleaned list, the suppression
    /// list, the bounce report and removed-rows.csv.
    Clean {
        /// The subscriber CSV (never modified).
        #[arg(long)]
        list: PathBuf,
        /// Mailbox exports with the bounces (repeat for several).
        #[arg(long = "bounces", required = true)]
        bounces: Vec<PathBuf>,
        /// Folder for the exports.
        #[arg(long)]
        out_dir: PathBuf,
        /// Workspace database (default: one in the platform's data folder).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Consecutive hard bounces that remove an address.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
        hard_threshold: u32,
        /// Remove after N consecutive mailings with soft bounces (off unless given).
        #[arg(long)]
        soft_escalation: Option<u32>,
        /// Do not assume every newsletter went to the whole list.
        #[arg(long)]
        not_whole_list: bool,
        /// The e-mail column, by header name or 1-based number.
        #[arg(long)]
        email_column: Option<String>,
        /// The last-activity (open/click) column, by header name or 1-based number.
        #[arg(long)]
        activity_column: Option<String>,
        /// Replace existing export files.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One JSON object per line (the machine-readable contract).
    Jsonl,
    /// A readable table.
    Table,
    /// Nothing but the summary (for measuring).
    None,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Classify { paths, format }) => classify_command(&paths, format),
        Some(Command::Clean {
            list,
            bounces,
            out_dir,
            db,
            hard_threshold,
            soft_escalation,
            not_whole_list,
            email_column,
            activity_column,
            force,
        }) => clean_command(CleanRequest {
            list,
            bounces,
            out_dir,
            db: db.unwrap_or_else(default_workspace),
            settings: PolicySettings {
                hard_threshold,
                whole_list: !not_whole_list,
                soft_escalation,
            },
            list_options: ListOptions {
                email_column,
                activity_column,
                ..ListOptions::default()
            },
            force,
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        }),
        None => run_window(cli.demo, cli.workspace, cli.open),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("listhygiene: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// No command: the window.
#[cfg(feature = "gui")]
fn run_window(demo: bool, workspace: Option<PathBuf>, open: Vec<PathBuf>) -> Result<ExitCode> {
    use listhygiene::ui::{App, AppOptions};
    let prefs_path = directories::ProjectDirs::from("org", "List Hygiene", "listhygiene")
        .map(|d| d.config_dir().join("prefs.json"));
    let options = AppOptions {
        db: workspace.unwrap_or_else(default_workspace),
        prefs_path,
        demo,
        open,
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("List Hygiene")
            .with_app_id("listhygiene")
            .with_inner_size([1280.0, 820.0])
            .with_min_inner_size([820.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "List Hygiene",
        native,
        Box::new(move |_cc| Ok(Box::new(App::new(options)))),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot open the window: {e}\n(no display? `listhygiene classify` and `listhygiene clean` work without one)"
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Built without the window: say so.
#[cfg(not(feature = "gui"))]
fn run_window(_demo: bool, _workspace: Option<PathBuf>, _open: Vec<PathBuf>) -> Result<ExitCode> {
    anyhow::bail!(
        "this build has no window (built without the `gui` feature); see `listhygiene --help`"
    )
}

fn classify_command(paths: &[PathBuf], format: Format) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let cancel = AtomicBool::new(false);
    let show_progress = io::stderr().is_terminal();
    let started = Instant::now();
    let mut last_progress = Instant::now();
    let mut messages = 0usize;
    let mut write_error: Option<io::Error> = None;
    if format == Format::Table {
        writeln!(
            out,
            "{:<36} {:<34} {:<12} {:<15} {:<8} DIAGNOSTIC",
            "SOURCE", "RECIPIENT", "KIND", "REASON", "STATUS"
        )?;
    }
    // Rendering runs on the worker threads with the classification; this
    // thread only writes the bytes out, in order.
    let render = |records: &[Record]| {
        let mut buf = Vec::with_capacity(512 * records.len());
        let rendered = records
            .iter()
            .try_for_each(|r| write_record(&mut buf, r, format));
        rendered.map(|()| buf)
    };
    let summary = classify::run_rendered(paths, &Limits::default(), &cancel, render, |_, bytes| {
        messages += 1;
        let written = bytes.and_then(|b| out.write_all(&b));
        if let Err(e) = written {
            write_error = Some(e);
            return false;
        }
        if show_progress && last_progress.elapsed() > Duration::from_millis(250) {
            last_progress = Instant::now();
            let rate = messages as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\r{messages} messages read, {rate:.0}/s   ");
        }
        true
    });
    if show_progress {
        eprint!("\r{:60}\r", "");
    }
    if let Some(e) = write_error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(e.into());
    }
    out.flush()?;
    print_summary(&summary, started.elapsed());
    for missing in &summary.walk.missing {
        eprintln!("listhygiene: {}: no such file or folder", missing.display());
    }
    Ok(if summary.walk.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// The workspace used when `--db` is not given.
fn default_workspace() -> PathBuf {
    directories::ProjectDirs::from("org", "List Hygiene", "listhygiene")
        .map(|d| d.data_dir().join("workspace.sqlite"))
        .unwrap_or_else(|| PathBuf::from("listhygiene-workspace.sqlite"))
}

fn clean_command(req: CleanRequest) -> Result<ExitCode> {
    if req.settings.hard_threshold == 1 {
        eprintln!(
            "warning: --hard-threshold 1 removes an address after a single hard bounce, which can be a provider's temporary fault"
        );
    }
    let cancel = AtomicBool::new(false);
    let show_progress = io::stderr().is_terminal();
    let progress = |p: Progress| {
        if show_progress && let Progress::ReadingMail { messages, .. } = p {
            eprint!("\r{messages} messages read   ");
        }
    };
    let report = match job::run_clean(&req, &progress, &cancel) {
        Ok(report) => report,
        Err(e) => {
            if show_progress {
                eprintln!();
            }
            eprintln!("listhygiene: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    if show_progress {
        eprint!("\r{:40}\r", "");
    }
    let kind = |k: &str| report.read.kinds.get(k).copied().unwrap_or(0);
    println!("workspace: {}", req.db.display());
    println!(
        "messages read: {} ({} new, {} already imported){}",
        report.read.messages,
        report.read.import.messages,
        report.read.import.duplicates,
        if report.read.skipped.total() > 0 {
            format!(
                ", {} files skipped ({})",
                report.read.skipped.total(),
                report.read.skipped.describe()
            )
        } else {
            String::new()
        }
    );
    println!(
        "recipients in the new messages: {} hard, {} soft, {} complaint, {} auto-reply, {} delivered, {} undetermined; {} not bounces",
        kind("hard"),
        kind("soft"),
        kind("complaint"),
        kind("auto_reply"),
        kind("delivered"),
        kind("undetermined"),
        kind("not_bounce")
    );
    println!("unreadable: {}", report.read.unreadable.len());
    for (source, why) in &report.read.unreadable {
        println!("  {source}: {why}");
    }
    println!("bounced addresses in the list: {}", report.matched);
    let removed: usize = report.removed.values().sum();
    println!("rows removed: {removed}");
    for verdict in Verdict::ALL.into_iter().filter(|v| v.is_removal()) {
        if let Some(n) = report.removed.get(&verdict) {
            println!("  {}: {n}", verdict.as_str());
        }
    }
    println!("rows kept: {}", report.kept_rows);
    for file in &report.files {
        println!("wrote {}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn write_record(out: &mut impl Write, r: &Record, format: Format) -> io::Result<()> {
    match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, r)?;
            out.write_all(b"\n")
        }
        Format::Table => {
            // The file name is what tells rows apart in a table.
            let name = r.source.rsplit(['/', '\\']).next().unwrap_or(&r.source);
            let source = format!("{name}:{}", r.index);
            let diagnostic: String = r
                .diagnostic
                .as_deref()
                .or(r.error.as_deref())
                .unwrap_or("")
                .chars()
                .take(80)
                .collect();
            writeln!(
                out,
                "{:<36} {:<34} {:<12} {:<15} {:<8} {}",
                shorten(&source, 36),
                shorten(r.recipient.as_deref().unwrap_or("-"), 34),
                r.kind,
                r.reason.unwrap_or("-"),
                r.status.as_deref().unwrap_or("-"),
                diagnostic
            )
        }
        Format::None => Ok(()),
    }
}

/// Keeps the end of a long cell (file names differ at the end).
fn shorten(s: &str, width: usize) -> String {
    let count = s.chars().count();
    if count <= width {
        return s.to_string();
    }
    let tail: String = s.chars().skip(count - (width - 1)).collect();
    format!("…{tail}")
}

fn print_summary(summary: &RunSummary, elapsed: Duration) {
    let c = &summary.counts;
    let w = &summary.walk;
    let secs = elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "{} messages in {:.2} s ({:.0}/s): {} hard, {} soft, {} complaint, {} auto-reply, {} delivered, {} undetermined recipients; {} not bounces; {} unreadable",
        c.messages,
        secs,
        c.messages as f64 / secs,
        c.hard,
        c.soft,
        c.complaint,
        c.auto_reply,
        c.delivered,
        c.undetermined,
        c.not_bounce,
        c.unreadable
    );
    let s = &w.skipped;
    if s.total() > 0 {
        eprintln!("skipped {} files: {}", s.total(), s.describe());
    }
}

/// mimalloc: the decoders allocate many small strings per message; the
/// system allocator spends a noticeable share of the time on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
