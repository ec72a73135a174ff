//! Throughput of `listhygiene classify` on large mbox exports, and of the
//! classifier alone.
//!
//! Mailbox exports run to many GB (BOUNCES.md, "Inputs"), so what matters is
//! messages per second end to end and that memory stays flat as the input
//! grows. For each size in `LH_BENCH_SIZES_MB` (default `50,500`) the bench
//! writes a synthetic mbox to a temporary folder by cycling through the fixture
//! messages with varied recipients and Message-IDs, runs the release binary
//! with `--format none` as a child process, and reads wall time and the
//! child's peak RSS from `wait4` (a fresh process per size, so each peak is
//! that run's own). The file is freshly written, so it is read from the page
//! cache: the figures are CPU-bound, not disk-bound.
//!
//! It then times `bounce::analyze` single-threaded over the fixtures, and the
//! mailbox reader alone over the first synthetic mbox, to show where the time
//! goes, and then single messages listing 50,000 recipients in the shapes
//! whose reading could grow faster than the message.
//!
//! Run with `cargo bench --bench throughput`. Without `--bench` (as under
//! `cargo test --all-targets`) it only does a quick 2 MB smoke run.
//! Environment: `LH_BENCH_SIZES_MB`, `LH_BENCH_SECS` (in-process timing, default 3).

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use listhygiene::bounce;
use listhygiene::mailbox::{self, Item, Limits};
use memchr::memmem;

const BIN: &str = env!("CARGO_BIN_EXE_listhygiene");
const MB: f64 = 1024.0 * 1024.0;

/// One fixture message, prepared for cycling.
struct Template {
    name: String,
    /// The message, `>From `-escaped for an mbox, ending in a line end.
    bytes: Vec<u8>,
    /// Recipients named in `expected.csv`, as (local part, domain).
    recipients: Vec<(String, String)>,
    /// How often it appears per cycle.
    weight: usize,
}

/// How common each family is in a real list's bounce folder, roughly: most
/// bounces come from the big providers' DSNs, some auto-replies and human
/// replies arrive, complaints are rare. Anything unlisted appears once.
fn weight(name: &str) -> usize {
    const WEIGHTS: &[(&str, usize)] = &[
        ("postfix-", 4),
        ("gmail-", 4),
        ("office365-", 4),
        ("exchange2007-", 2),
        ("exim-", 2),
        ("yahoo-", 2),
        ("rfc3464-", 2),
        ("autoreply-", 3),
        ("notbounce-", 2),
    ];
    WEIGHTS
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map_or(1, |&(_, w)| w)
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load_templates() -> Vec<Template> {
    let dir = fixtures_dir();
    let csv = std::fs::read_to_string(dir.join("expected.csv")).expect("expected.csv");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .map(|e| {
            e.expect("fixtures entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".eml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let raw = std::fs::read(dir.join(&name)).expect("fixture");
            let recipients = csv
                .lines()
                .skip(1)
                .filter_map(|row| {
                    let mut cells = row.split(',');
                    if cells.next()? != name {
                        return None;
                    }
                    cells.next()
                })
                .filter_map(|rcpt| rcpt.rsplit_once('@'))
                .map(|(l, d)| (l.to_string(), d.to_string()))
                .collect();
            Template {
                weight: weight(&name),
                bytes: mbox_escape(&raw),
                name,
                recipients,
            }
        })
        .collect()
}

/// mboxrd escaping: one more `>` before every line matching `^>*From `, and a
/// final line end, so the message can follow a `From ` line.
fn mbox_escape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 1);
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if line[quotes..].starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line);
    }
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len() + 64);
    let mut last = 0;
    for at in memmem::find_iter(haystack, from) {
        out.extend_from_slice(&haystack[last..at]);
        out.extend_from_slice(to);
        last = at + from.len();
    }
    out.extend_from_slice(&haystack[last..]);
    out
}

/// The template as the `serial`-th message of the mbox: every recipient
/// (plain and VERP-encoded) gets a suffix, so a run sees as many distinct
/// addresses as messages, and the bounce's own Message-ID is made unique.
fn instance(t: &Template, serial: usize) -> Vec<u8> {
    let mut m = t.bytes.clone();
    for (local, domain) in &t.recipients {
        let new_local = format!("{local}.{serial}");
        for sep in ["@", "="] {
            m = replace_all(
                &m,
                format!("{local}{sep}{domain}").as_bytes(),
                format!("{new_local}{sep}{domain}").as_bytes(),
            );
        }
    }
    // Only the top-level header block: the returned original keeps its own id.
    let head_end = memmem::find(&m, b"\n\n").unwrap_or(m.len());
    let lower = m[..head_end].to_ascii_lowercase();
    if let Some(at) = memmem::find(&lower, b"\nmessage-id:")
        && let Some(lt) = memchr::memchr(b'<', &m[at..head_end])
    {
        let pos = at + lt + 1;
        m.splice(pos..pos, format!("s{serial}.").into_bytes());
    }
    m
}

/// Writes a synthetic mbox of about `target` bytes; returns the message count
/// and the exact size.
fn write_mbox(path: &Path, templates: &[Template], target: u64) -> (usize, u64) {
    let order: Vec<&Template> = templates
        .iter()
        .flat_map(|t| std::iter::repeat_n(t, t.weight))
        .collect();
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
    let (mut written, mut serial) = (0u64, 0usize);
    'outer: loop {
        for t in &order {
            if written >= target {
                break 'outer;
            }
            // asctime-style date, varied so separator lines are not all equal.
            let day = 1 + serial % 28;
            let from = format!(
                "From MAILER-DAEMON Tue May {day:2} {:02}:{:02}:{:02} 2024\n",
                serial / 3600 % 24,
                serial / 60 % 60,
                serial % 60
            );
            let body = instance(t, serial);
            out.write_all(from.as_bytes()).expect("write");
            out.write_all(&body).expect("write");
            out.write_all(b"\n").expect("write");
            written += (from.len() + body.len() + 1) as u64;
            serial += 1;
        }
    }
    out.flush().expect("flush");
    (serial, written)
}

/// What one child run cost.
struct ChildRun {
    wall: Duration,
    cpu: Duration,
    peak_rss_kb: i64,
    stderr: String,
}

/// Runs the release binary on `path` and waits for it with `wait4`, which
/// returns the child's own resource usage (peak RSS, CPU time).
// The child is reaped by `wait4` below (for its resource usage), which the
// lint cannot see.
#[allow(clippy::zombie_processes)]
fn run_child(path: &Path, format: &str) -> ChildRun {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .arg("classify")
        .arg(path)
        .args(["--format", format])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn listhygiene");
    let mut stderr = String::new();
    // Read stderr to its end first: it closes when the child exits, and a
    // full pipe could otherwise block the child.
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: rusage is a plain C struct, valid when zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; the pointers are to live locals.
    // `Child` is not waited on afterwards, so the pid is reaped exactly once.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "listhygiene failed (status {status}): {stderr}"
    );
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    ChildRun {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        peak_rss_kb: usage.ru_maxrss,
        stderr,
    }
}

/// The message count from the summary line ("N messages in …").
fn summary_messages(stderr: &str) -> Option<usize> {
    stderr
        .lines()
        .find_map(|l| l.split_once(" messages in ")?.0.trim().parse().ok())
}

/// What timing `bounce::analyze` alone gave.
struct AnalyzeRun {
    messages: usize,
    bytes: u64,
    took: Duration,
    /// Time spent per fixture, to point at the slow decoders.
    per_template: Vec<Duration>,
}

/// Single-threaded `bounce::analyze` over the fixtures for about `budget`.
fn analyze_throughput(templates: &[Template], budget: Duration) -> AnalyzeRun {
    let mut run = AnalyzeRun {
        messages: 0,
        bytes: 0,
        took: Duration::ZERO,
        per_template: vec![Duration::ZERO; templates.len()],
    };
    let start = Instant::now();
    while run.messages == 0 || start.elapsed() < budget {
        for (t, spent) in templates.iter().zip(&mut run.per_template) {
            let one = Instant::now();
            let a = bounce::analyze(std::hint::black_box(&t.bytes));
            std::hint::black_box(&a);
            *spent += one.elapsed();
            run.messages += 1;
            run.bytes += t.bytes.len() as u64;
        }
    }
    run.took = start.elapsed();
    run
}

/// The mailbox reader alone (splitting, no classification) over `path`.
fn reader_throughput(path: &Path) -> (usize, Duration) {
    let start = Instant::now();
    let mut messages = 0;
    let summary = mailbox::walk(&[path.to_path_buf()], &Limits::default(), |item| {
        if let Item::Message(m) = item {
            std::hint::black_box(&m.bytes);
            messages += 1;
        }
        true
    });
    assert_eq!(summary.unreadable, 0);
    (messages, start.elapsed())
}

fn sizes_mb(default: &str) -> Vec<u64> {
    let spec = std::env::var("LH_BENCH_SIZES_MB").unwrap_or_else(|_| default.to_string());
    spec.split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("LH_BENCH_SIZES_MB: comma-separated MB")
        })
        .collect()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not, and
    // a test run should not write half a gigabyte.
    let benching = std::env::args().any(|a| a == "--bench");
    let sizes = if benching {
        sizes_mb("50,500")
    } else {
        vec![2]
    };
    let budget = Duration::from_secs_f64(
        std::env::var("LH_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if benching { 3.0 } else { 0.2 }),
    );
    let templates = load_templates();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("temp dir");

    println!(
        "listhygiene classify, JSON lines to /dev/null and --format none ({} fixtures, weighted mix; {cores} cores; warm page cache)",
        templates.len()
    );
    println!(
        "{:>8} {:>6} {:>9} {:>8} {:>11} {:>8} {:>8} {:>6} {:>12}",
        "size MB",
        "output",
        "messages",
        "seconds",
        "messages/s",
        "MB/s",
        "CPU s",
        "cores",
        "peak RSS MB"
    );
    let mut reader_line = None;
    for (i, &size) in sizes.iter().enumerate() {
        let path = dir.path().join(format!("synthetic-{size}mb.mbox"));
        let (messages, bytes) = write_mbox(&path, &templates, size << 20);
        for format in ["jsonl", "none"] {
            let run = run_child(&path, format);
            assert_eq!(
                summary_messages(&run.stderr),
                Some(messages),
                "summary: {}",
                run.stderr
            );
            let secs = run.wall.as_secs_f64();
            println!(
                "{:>8.0} {:>6} {:>9} {:>8.2} {:>11.0} {:>8.1} {:>8.2} {:>6.2} {:>12.1}",
                bytes as f64 / MB,
                format,
                messages,
                secs,
                messages as f64 / secs,
                bytes as f64 / MB / secs,
                run.cpu.as_secs_f64(),
                run.cpu.as_secs_f64() / secs,
                run.peak_rss_kb as f64 / 1024.0
            );
        }
        if i == 0 {
            let (read, took) = reader_throughput(&path);
            assert_eq!(read, messages);
            reader_line = Some(format!(
                "mailbox reader alone ({:.0} MB, 1 thread): {:.0} messages/s, {:.0} MB/s",
                bytes as f64 / MB,
                read as f64 / took.as_secs_f64(),
                bytes as f64 / MB / took.as_secs_f64()
            ));
        }
        // Free the disk before writing the next (larger) file.
        std::fs::remove_file(&path).expect("remove synthetic mbox");
    }
    if let Some(line) = reader_line {
        println!("{line}");
    }
    let run = analyze_throughput(&templates, budget);
    let secs = run.took.as_secs_f64();
    println!(
        "bounce::analyze alone (fixtures unweighted, 1 thread): {:.0} messages/s, {:.1} MB/s ({} messages in {secs:.2} s)",
        run.messages as f64 / secs,
        run.bytes as f64 / MB / secs,
        run.messages,
    );
    let rounds = (run.messages / templates.len()).max(1) as f64;
    let mut slowest: Vec<(f64, &str)> = run
        .per_template
        .iter()
        .zip(&templates)
        .map(|(d, t)| (d.as_secs_f64() * 1e6 / rounds, t.name.as_str()))
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let listed: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(us, name)| format!("{name} {us:.0} µs"))
        .collect();
    println!("slowest fixtures: {}", listed.join(", "));
    let n = if benching { 50_000 } else { 2_000 };
    for (what, message) in large_single_messages(n) {
        let path = dir.path().join("single.eml");
        std::fs::write(&path, &message).expect("write single message");
        let started = Instant::now();
        let bounce = bounce::analyze(&message).expect("parse single message");
        let took = started.elapsed();
        assert_eq!(bounce.findings.len(), n, "{what}");
        println!(
            "one message, {what} ({:.1} MB, {n} recipients): {:.2} s",
            message.len() as f64 / MB,
            took.as_secs_f64()
        );
    }
}

/// Single messages that list `n` recipients in the shapes whose reading could
/// grow faster than the message: a standard report whose recipients have no
/// diagnostic and are looked up in a prose list without blank lines, and an
/// old Sendmail transcript with one session block per recipient.
fn large_single_messages(n: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut report = String::from(
        "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail Returned to Sender\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
         --b\nContent-Type: text/plain\n\n",
    );
    for i in 0..n {
        report.push_str(&format!("<r{i}@example.org>: user unknown\n"));
    }
    report.push_str(
        "\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n",
    );
    for i in 0..n {
        report.push_str(&format!(
            "Final-Recipient: rfc822; r{i}@example.org\nAction: failed\nStatus: 5.0.0\n\n"
        ));
    }
    report.push_str("--b--\n");
    let mut transcript = String::from(
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\n\
         Subject: Returned mail: User unknown\n\n   ----- Transcript of session follows -----\n",
    );
    for i in 0..n {
        transcript.push_str(&format!(
            "While talking to mx{i}.example.org:\n>>> RCPT To:<r{i}@example.org>\n\
             <<< 550 <r{i}@example.org>... User unknown\n550 <r{i}@example.org>... User unknown\n"
        ));
    }
    transcript.push_str("\n   ----- Unsent message follows -----\nFrom: news@news.example.com\n");
    vec![
        ("report without diagnostics", report.into_bytes()),
        ("Sendmail V5 transcript", transcript.into_bytes()),
    ]
}
