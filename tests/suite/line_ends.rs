//! Line ends must not change a verdict. Exports come with LF (Unix, Gmail
//! Takeout), CRLF (Windows clients, messages saved straight off the wire) or a
//! bare CR (old Mac exports), and BOUNCES.md ("Inputs") promises all three are
//! read. Every fixture is classified in each form, alone and inside an mbox, and
//! the results must be the same.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use listhygiene::bounce::{self, Analysis, MessageKind};
use listhygiene::classify::{self, Record};
use listhygiene::mailbox::Limits;

use crate::common::{all_fixtures, fixtures_dir};

/// The three line-end forms.
const FORMS: [(&str, &[u8]); 3] = [("LF", b"\n"), ("CRLF", b"\r\n"), ("CR", b"\r")];

/// `bytes` with every line end (LF, CRLF or bare CR) replaced by `eol`.
fn with_line_ends(bytes: &[u8], eol: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                out.extend_from_slice(eol);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(eol),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// What a verdict is made of: the message kind, the decoder and one
/// (recipient, kind, reason, status, reply_code) tuple per recipient, in order.
type Verdict = (
    MessageKind,
    Option<&'static str>,
    Vec<(
        String,
        &'static str,
        &'static str,
        Option<String>,
        Option<String>,
    )>,
);

fn verdict(a: &Analysis) -> Verdict {
    let findings = a
        .findings
        .iter()
        .map(|f| {
            (
                f.recipient.clone(),
                f.kind.as_str(),
                f.reason.as_str(),
                f.status.clone(),
                f.reply_code.clone(),
            )
        })
        .collect();
    (a.kind, a.decoder, findings)
}

#[test]
fn conversion_rewrites_every_line_end() {
    assert_eq!(
        with_line_ends(b"a\nb\r\nc\rd", b"\r\n"),
        b"a\r\nb\r\nc\r\nd"
    );
    assert_eq!(with_line_ends(b"a\nb\r\nc\rd\n", b"\r"), b"a\rb\rc\rd\r");
    assert_eq!(with_line_ends(b"a\r\n\r\nb", b"\n"), b"a\n\nb");
}

/// Every fixture gives the same verdict with LF, CRLF and bare-CR line ends.
/// All differences are collected first, so one run shows every affected file.
#[test]
fn analyze_gives_the_same_verdict_for_every_line_end() {
    let mut failures = Vec::new();
    for (name, lf) in all_fixtures() {
        let lf = with_line_ends(lf, b"\n");
        let reference = bounce::analyze(&lf).map(|a| verdict(&a));
        for (form, eol) in &FORMS[1..] {
            let converted = with_line_ends(&lf, eol);
            let got = bounce::analyze(&converted).map(|a| verdict(&a));
            if got != reference {
                failures.push(format!(
                    "{name} as {form}:\n  LF:    {reference:?}\n  {form}: {got:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes `messages` as one mbox (mboxrd) with `eol` line ends: a `From ` line
/// before each message, `>` added to lines matching `^>*From `, a blank line
/// after each message.
fn write_mbox(path: &Path, messages: &[(String, Vec<u8>)], eol: &[u8]) {
    let mut out = Vec::new();
    for (_, message) in messages {
        out.extend_from_slice(b"From MAILER-DAEMON Tue May  7 09:14:02 2024");
        out.extend_from_slice(eol);
        let message = with_line_ends(message, b"\n");
        for line in message.split_inclusive(|&b| b == b'\n') {
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            let quotes = body.iter().take_while(|&&b| b == b'>').count();
            if body[quotes..].starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(body);
            if line.ends_with(b"\n") {
                out.extend_from_slice(eol);
            }
        }
        if !message.ends_with(b"\n") {
            out.extend_from_slice(eol);
        }
        out.extend_from_slice(eol);
    }
    std::fs::write(path, out).unwrap();
}

/// Every record of a `classify::run` over `paths`, in output order.
fn run_records(paths: &[PathBuf]) -> Vec<Record> {
    let mut records = Vec::new();
    let summary = classify::run(paths, &Limits::default(), &AtomicBool::new(false), |r| {
        records.extend_from_slice(r);
        true
    });
    assert!(
        summary.walk.missing.is_empty(),
        "{:?}",
        summary.walk.missing
    );
    records
}

/// Records with `source` blanked, since the file names differ between forms.
fn without_source(records: Vec<Record>) -> Vec<Record> {
    records
        .into_iter()
        .map(|r| Record {
            source: String::new(),
            ..r
        })
        .collect()
}

/// The same messages in an LF, a CRLF and a bare-CR mbox give the same records,
/// and the same records as reading each fixture file on its own: the mbox
/// splitter neither loses nor adds anything that matters, whatever the line ends.
#[test]
fn mbox_gives_the_same_records_for_every_line_end() {
    let fixtures = all_fixtures();
    let dir = tempfile::tempdir().unwrap();
    let mut by_form = Vec::new();
    for (form, eol) in FORMS {
        let path = dir.path().join(format!("bounces-{form}.mbox"));
        write_mbox(&path, fixtures, eol);
        let records = run_records(&[path]);
        let indices: Vec<usize> = records.iter().map(|r| r.index).collect();
        let mut distinct = indices.clone();
        distinct.dedup();
        assert_eq!(
            distinct,
            (0..fixtures.len()).collect::<Vec<_>>(),
            "{form}: one message per fixture, in order"
        );
        assert!(
            records.iter().all(|r| r.kind != "unreadable"),
            "{form}: {:?}",
            records.iter().find(|r| r.kind == "unreadable")
        );
        by_form.push((form, without_source(records)));
    }
    let (_, lf) = &by_form[0];
    for (form, records) in &by_form[1..] {
        assert_eq!(records.len(), lf.len(), "{form}: number of records");
        for (a, b) in lf.iter().zip(records) {
            let name = &fixtures[a.index].0;
            assert_eq!(a, b, "{name}: {form} mbox differs from LF mbox");
        }
    }

    // Reading the fixture files one by one gives the same records (apart from
    // source and index, which an mbox numbers).
    let files: Vec<PathBuf> = fixtures
        .iter()
        .map(|(name, _)| fixtures_dir().join(name))
        .collect();
    let separate = run_records(&files);
    assert_eq!(separate.len(), lf.len(), "number of records, files vs mbox");
    for (file, boxed) in separate.iter().zip(lf) {
        let name = file.source.rsplit('/').next().unwrap_or_default();
        let file = Record {
            source: String::new(),
            ..file.clone()
        };
        let boxed = Record {
            index: 0,
            ..boxed.clone()
        };
        assert_eq!(file, boxed, "{name}: the file alone vs in an mbox");
    }
}
