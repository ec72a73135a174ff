//! The `listhygiene` command: thin glue over the library.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use listhygiene::classify::{self, Record, RunSummary};
use listhygiene::mailbox::Limits;

#[derive(Parser)]
#[command(
    name = "listhygiene",
    version,
    about = "Keeps newsletter subscriber lists clean"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
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
        None => run_sample(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("listhygiene: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// The sample mailbox, built into the binary so that it is there wherever the
/// binary goes (see `assets/README.md`).
const SAMPLE_MBOX: &[u8] = include_bytes!("../assets/sample/bounces.mbox");

/// Until the window exists, a plain start classifies the bundled sample.
fn run_sample() -> Result<ExitCode> {
    let dir = std::env::temp_dir().join(format!("listhygiene-sample-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sample = dir.join("bounces.mbox");
    std::fs::write(&sample, SAMPLE_MBOX)?;
    eprintln!(
        "listhygiene: no command given; classifying the bundled sample mailbox\n(see `listhygiene --help`; `listhygiene classify PATH...` reads your own)\n"
    );
    let result = classify_command(&[sample], Format::Table);
    let _ = std::fs::remove_dir_all(&dir);
    result
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
    let skipped = s.hidden + s.index_files + s.binary + s.other;
    if skipped > 0 {
        eprintln!(
            "skipped {skipped} files: {} hidden, {} .msf indexes, {} binary, {} other",
            s.hidden, s.index_files, s.binary, s.other
        );
    }
}
