//! The development half of the labelled bounce corpus in `../shared`
//! (BOUNCES.md, the corpus README): `classify` over every sample, scored by
//! `../shared/tools/score-corpus` against the reference labels. The floors
//! below are the figures this version reaches (README, "Accuracy"); a change
//! that lowers any of them fails. Skips with a message when the corpus or
//! Python is not there, so the suite passes on a machine without `../shared`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Floors for the scorer's figures: recipient, hard-or-not, kind, reason.
const MIN_RECIPIENT: &str = "0.99";
const MIN_HARD: &str = "0.99";
const MIN_KIND: &str = "0.98";
const MIN_REASON: &str = "0.95";

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// True when the corpus, its labels, the scorer and Python are there; says
/// why not otherwise (the suite must pass without `../shared`).
fn can_score(corpus: &Path, scorer: &Path) -> bool {
    if !corpus.join("expected.csv").is_file() || !scorer.is_file() {
        eprintln!("skipped: no labelled corpus at {}", corpus.display());
        return false;
    }
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 is needed to run {}", scorer.display());
        return false;
    }
    true
}

/// The files of a corpus folder, in name order.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
}

/// `listhygiene classify` over `files`; it must succeed.
fn classify(files: &[PathBuf]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_listhygiene"))
        .arg("classify")
        .args(files)
        .output()
        .expect("run listhygiene classify");
    assert!(
        output.status.success(),
        "classify failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn dev_corpus_scores_at_least_the_recorded_figures() {
    let corpus = shared().join("bounce-corpus");
    let scorer = shared().join("tools/score-corpus");
    if !can_score(&corpus, &scorer) {
        return;
    }
    let mut emails = files_in(&corpus.join("emails"));
    emails.extend(files_in(&corpus.join("not-bounces")));
    let output = classify(&emails);
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("out.jsonl");
    std::fs::write(&jsonl, &output.stdout).expect("write output");
    // The negatives are the files upstream filed as "not a bounce"; the
    // corpus README leaves rb-issue-368-bug (a plain-text "mailbox full"
    // notice) to our judgement, and we read it as a soft bounce.
    let negatives: Vec<String> = std::fs::read_dir(corpus.join("not-bounces"))
        .expect("not-bounces folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("is-not-bounce-"))
        .collect();
    let negatives_file = dir.path().join("negatives.txt");
    std::fs::write(&negatives_file, negatives.join("\n")).expect("write negatives");
    let score = Command::new("python3")
        .arg(&scorer)
        .arg(corpus.join("expected.csv"))
        .arg(&jsonl)
        .arg("--negatives")
        .arg(&negatives_file)
        .args(["--min-recipient", MIN_RECIPIENT, "--min-hard", MIN_HARD])
        .args(["--min-kind", MIN_KIND, "--min-reason", MIN_REASON])
        .output()
        .expect("run score-corpus");
    let report = String::from_utf8_lossy(&score.stdout);
    eprintln!("{report}");
    assert!(
        score.status.success(),
        "corpus score below the recorded floor:\n{report}"
    );
    // And by name, so that an auto-reply verdict on one would fail too.
    let verdicts: Vec<&str> = std::str::from_utf8(&output.stdout)
        .expect("utf-8 output")
        .lines()
        .filter(|l| l.contains("is-not-bounce-"))
        .filter(|l| !l.contains("\"kind\":\"not_bounce\""))
        .collect();
    assert!(
        verdicts.is_empty(),
        "non-bounces given a verdict: {verdicts:?}"
    );
}

/// The floor of recipients found on the flufl corpus (Mailman's bounce
/// detector's test messages): its labels say only permanent or temporary, so
/// the recipients are the measure.
const MIN_FLUFL_RECIPIENT: &str = "0.97";

#[test]
fn flufl_corpus_finds_the_recipients_and_no_verdict_on_its_non_bounces() {
    let corpus = shared().join("flufl-corpus");
    let scorer = shared().join("tools/score-corpus");
    if !can_score(&corpus, &scorer) {
        return;
    }
    let output = classify(&files_in(&corpus.join("emails")));
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("flufl.jsonl");
    std::fs::write(&jsonl, &output.stdout).expect("write output");
    let score = Command::new("python3")
        .arg(&scorer)
        .arg(corpus.join("expected.csv"))
        .arg(&jsonl)
        .args(["--min-recipient", MIN_FLUFL_RECIPIENT])
        .output()
        .expect("run score-corpus");
    let report = String::from_utf8_lossy(&score.stdout);
    eprintln!("{report}");
    assert!(
        score.status.success(),
        "flufl recipients below the floor:\n{report}"
    );
    // The files its tests expect no address from get no verdict.
    let expected = std::fs::read_to_string(corpus.join("expected.csv")).expect("expected.csv");
    let negatives: Vec<&str> = expected
        .lines()
        .filter(|l| l.split(',').nth(2) == Some("none"))
        .filter_map(|l| l.split(',').next())
        .collect();
    assert!(!negatives.is_empty(), "no negative rows in {expected:.80}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let verdicts: Vec<&str> = stdout
        .lines()
        .filter(|l| negatives.iter().any(|n| l.contains(&format!("/{n}\""))))
        .filter(|l| {
            !l.contains("\"kind\":\"not_bounce\"") && !l.contains("\"kind\":\"auto_reply\"")
        })
        .collect();
    assert!(
        verdicts.is_empty(),
        "non-bounces given a verdict: {verdicts:?}"
    );
}
