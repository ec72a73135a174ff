//! The command line as a user or a script sees it: the built binary, its
//! output lines, its stderr and its exit code (BOUNCES.md, "The
//! machine-readable contract").

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Map, Value};

use crate::common::fixtures_dir;

const BIN: &str = env!("CARGO_BIN_EXE_listhygiene");

/// The fields of every line, as the contract lists them.
const CONTRACT_FIELDS: &[&str] = &[
    "source",
    "index",
    "recipient",
    "kind",
    "reason",
    "group",
    "status",
    "original_recipient",
    "reply_code",
    "action",
    "diagnostic",
    "remote_mta",
    "date",
    "original",
];

/// Fields printed beyond the contract (which allows additions). Listed so that
/// a new field is a decision someone made, not an accident.
const EXTRA_FIELDS: &[&str] = &["decoder", "rule", "note", "error"];

const ORIGINAL_FIELDS: &[&str] = &[
    "message_id",
    "subject",
    "date",
    "from",
    "list_id",
    "campaign",
];

fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run listhygiene")
}

fn classify(paths: &[&Path]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["classify".as_ref()];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    run(args)
}

fn stdout(out: &Output) -> &str {
    std::str::from_utf8(&out.stdout).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every stdout line as a JSON object; panics on a line that is not one.
fn json_lines(out: &Output) -> Vec<Map<String, Value>> {
    stdout(out)
        .lines()
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => map,
            other => panic!("not a JSON object: {line}\n{other:?}"),
        })
        .collect()
}

fn text<'a>(line: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    match &line[field] {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => panic!("{field} is neither a string nor null: {other}"),
    }
}

fn sources(lines: &[Map<String, Value>]) -> Vec<(String, u64)> {
    lines
        .iter()
        .map(|l| {
            (
                text(l, "source").unwrap().to_string(),
                l["index"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Checks a line has exactly the contract's fields (plus the listed extras),
/// each of the right JSON type.
fn check_shape(line: &Map<String, Value>) {
    let mut keys: Vec<&str> = line.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected: Vec<&str> = CONTRACT_FIELDS
        .iter()
        .chain(EXTRA_FIELDS)
        .copied()
        .collect();
    expected.sort_unstable();
    assert_eq!(keys, expected, "fields of {line:?}");
    assert!(line["index"].is_u64(), "index: {line:?}");
    for field in CONTRACT_FIELDS.iter().chain(EXTRA_FIELDS) {
        if !matches!(*field, "index" | "original") {
            text(line, field);
        }
    }
    match &line["original"] {
        Value::Null => {}
        Value::Object(original) => {
            let mut keys: Vec<&str> = original.keys().map(String::as_str).collect();
            keys.sort_unstable();
            let mut expected = ORIGINAL_FIELDS.to_vec();
            expected.sort_unstable();
            assert_eq!(keys, expected, "fields of original in {line:?}");
            for field in ORIGINAL_FIELDS {
                text(original, field);
            }
        }
        other => panic!("original is neither an object nor null: {other}"),
    }
}

/// `true` for `YYYY-MM-DDTHH:MM:SSZ`, the RFC 3339 UTC form the contract uses.
fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// An mbox of every fixture repeated `rounds` times, so a run spans several
/// of the pipeline's parallel batches (512 messages each). Returns the number
/// of messages.
fn write_big_mbox(path: &Path, rounds: usize) -> usize {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    fixtures.sort();
    let messages: Vec<Vec<u8>> = fixtures.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let mut out = Vec::new();
    for _ in 0..rounds {
        for m in &messages {
            out.extend_from_slice(b"From MAILER-DAEMON Tue May  7 09:14:02 2024\n");
            out.extend_from_slice(m);
            out.extend_from_slice(b"\n");
        }
    }
    std::fs::write(path, out).unwrap();
    rounds * messages.len()
}

#[test]
fn jsonl_lines_carry_exactly_the_contract_fields() {
    let postfix = fixture("postfix-01.eml");
    let arf = fixture("arf-01.eml");
    let out = classify(&[&postfix, &arf]);
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    for line in &lines {
        check_shape(line);
    }

    let p = &lines[0];
    assert_eq!(text(p, "source"), Some(postfix.to_str().unwrap()));
    assert_eq!(p["index"], 0);
    assert_eq!(text(p, "recipient"), Some("maria.lopez@example.org"));
    assert_eq!(text(p, "kind"), Some("hard"));
    assert_eq!(text(p, "reason"), Some("userunknown"));
    assert_eq!(text(p, "group"), Some("address"));
    assert_eq!(text(p, "status"), Some("5.1.1"));
    assert_eq!(
        text(p, "original_recipient"),
        None,
        "Original-Recipient names the same address"
    );
    assert_eq!(text(p, "reply_code"), Some("550"));
    assert_eq!(text(p, "action"), Some("failed"));
    assert_eq!(text(p, "remote_mta"), Some("mx1.example.org"));
    assert_eq!(text(p, "error"), None);
    assert!(text(p, "diagnostic").is_some_and(|d| d.contains("5.1.1")));
    assert!(text(p, "date").is_some_and(is_rfc3339_utc), "{p:?}");
    let original = p["original"].as_object().unwrap();
    assert_eq!(
        text(original, "message_id"),
        Some("<wk2419.8c1f2a0d@news.example.com>")
    );
    assert_eq!(
        text(original, "list_id"),
        Some("Example Weekly <weekly.news.example.com>")
    );
    assert_eq!(text(original, "campaign"), Some("wk-2024-19"));
    assert!(text(original, "date").is_some_and(is_rfc3339_utc));

    let a = &lines[1];
    assert_eq!(text(a, "recipient"), Some("daniel.kovacs@example.net"));
    assert_eq!(text(a, "kind"), Some("complaint"));
    assert_eq!(text(a, "reason"), Some("feedback"));
    assert_eq!(text(a, "group"), Some("complaint"));
}

#[test]
fn a_message_that_is_not_a_bounce_gives_one_not_bounce_line() {
    let out = classify(&[&fixture("notbounce-01.eml")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    check_shape(&lines[0]);
    assert_eq!(text(&lines[0], "kind"), Some("not_bounce"));
    assert_eq!(lines[0]["recipient"], Value::Null);
    assert_eq!(lines[0]["reason"], Value::Null);
    assert_eq!(lines[0]["group"], Value::Null);
}

#[test]
fn a_missing_path_is_reported_and_the_rest_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-export.mbox");
    let first = fixture("postfix-01.eml");
    let last = fixture("arf-01.eml");
    let out = classify(&[&first, &missing, &last]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(missing.to_str().unwrap()),
        "stderr should name the missing path: {}",
        stderr(&out)
    );
    let lines = json_lines(&out);
    let got: Vec<String> = sources(&lines).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        got,
        [first.to_str().unwrap(), last.to_str().unwrap()],
        "the inputs that exist are still read"
    );
    assert!(
        !stdout(&out).contains("no-such-export"),
        "a missing path prints no line"
    );
}

#[test]
fn lines_come_in_input_order() {
    // Deliberately not in name order, with multi-recipient messages among them.
    let names = [
        "zoho-01.eml",
        "postfix-02.eml",
        "amavis-01.eml",
        "notbounce-02.eml",
        "rfc3464-01.eml",
        "arf-01.eml",
        "qmail-02.eml",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let out = classify(&refs);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    let mut files: Vec<String> = sources(&lines).into_iter().map(|(s, _)| s).collect();
    files.dedup();
    let expected: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
    assert_eq!(files, expected);

    // Recipients of one message stay together, in the message's own order.
    let postfix: Vec<&str> = lines
        .iter()
        .filter(|l| text(l, "source").is_some_and(|s| s.ends_with("postfix-02.eml")))
        .map(|l| text(l, "recipient").unwrap())
        .collect();
    assert_eq!(
        postfix,
        [
            "olivia.chen@example.net",
            "peter.novak@nosuchdomain.example",
            "r.sato@example.com"
        ]
    );
}

/// Classification runs in parallel batches; the output must still follow the
/// input, across batch boundaries and across inputs.
#[test]
fn lines_stay_in_order_across_parallel_batches() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.mbox");
    let count = write_big_mbox(&big, 20);
    assert!(count > 1024, "should span several batches: {count}");
    let single = fixture("postfix-01.eml");
    let out = classify(&[&big, &single, &big]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut seen = sources(&json_lines(&out));
    seen.dedup();
    let big = big.to_str().unwrap().to_string();
    let expected: Vec<(String, u64)> = (0..count as u64)
        .map(|i| (big.clone(), i))
        .chain([(single.to_str().unwrap().to_string(), 0)])
        .chain((0..count as u64).map(|i| (big.clone(), i)))
        .collect();
    assert_eq!(seen.len(), expected.len());
    assert!(seen == expected, "output order differs from input order");
}

#[test]
fn table_format_prints_a_header_and_rows() {
    let out = run([
        "classify".as_ref(),
        fixture("postfix-01.eml").as_os_str(),
        "--format".as_ref(),
        "table".as_ref(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let header = lines.next().expect("a header line");
    for column in ["SOURCE", "RECIPIENT", "KIND", "REASON", "STATUS"] {
        assert!(header.contains(column), "{header}");
    }
    let row = lines.next().expect("a row");
    for cell in ["maria.lopez@example.org", "hard", "userunknown", "5.1.1"] {
        assert!(row.contains(cell), "{row}");
    }
    assert_eq!(lines.next(), None);
}

#[test]
fn format_none_prints_nothing_but_the_summary() {
    let out = run([
        "classify".as_ref(),
        fixture("postfix-02.eml").as_os_str(),
        "--format".as_ref(),
        "none".as_ref(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("1 messages"), "{}", stderr(&out));
}

#[test]
fn a_corrupt_zip_gives_an_unreadable_line() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("export.zip");
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(&zip, bytes).unwrap();
    let out = classify(&[&zip]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    check_shape(&lines[0]);
    assert_eq!(text(&lines[0], "kind"), Some("unreadable"));
    assert_eq!(text(&lines[0], "source"), Some(zip.to_str().unwrap()));
    let error = text(&lines[0], "error").expect("an error text");
    assert!(error.contains("zip"), "{error}");
}

/// Progress goes to a terminal only: a script capturing stderr gets the
/// summary and nothing else (no carriage-return progress lines).
#[test]
fn stderr_has_no_progress_when_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.mbox");
    // Large enough that a terminal would see progress (every 250 ms) on a
    // slow machine; the point is what a pipe sees.
    write_big_mbox(&big, 30);
    let out = run([
        "classify".as_ref(),
        big.as_os_str(),
        "--format".as_ref(),
        "none".as_ref(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains('\r'), "progress output on a pipe: {err:?}");
    assert!(!err.contains("messages read"), "{err:?}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "only the summary line: {err:?}");
    assert!(lines[0].contains(" messages in "), "{err:?}");
}

/// `listhygiene classify … | head -1` must end quietly: a closed stdout is
/// not an error.
#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.mbox");
    write_big_mbox(&big, 10);
    let mut child = Command::new(BIN)
        .arg("classify")
        .arg(&big)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'), "{first}");
    // The reader is dropped here, closing the pipe with output still to come.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// A bare `listhygiene` opens the window; where there is no display it says
/// so, names the commands that work without one, and fails cleanly.
#[test]
fn a_bare_run_without_a_display_says_what_to_do() {
    let out = Command::new(BIN)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("cannot open the window"), "{err}");
    assert!(err.contains("listhygiene classify"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// The bundled sample mailbox classifies into every kind.
#[test]
fn the_bundled_sample_shows_every_kind() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample/bounces.mbox");
    let out = run(["classify", "--format", "table", sample]);
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(rows.len() >= 12, "{text}");
    assert!(rows.iter().all(|r| !r.contains("unreadable")), "{text}");
    for kind in ["hard", "soft", "complaint", "auto_reply", "not_bounce"] {
        assert!(
            rows.iter().any(|r| r.split_whitespace().any(|w| w == kind)),
            "the sample should show a {kind} row:\n{text}"
        );
    }
}
