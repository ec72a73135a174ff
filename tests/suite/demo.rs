//! The demo data (`assets/demo/`) classifies as its generator intends: every
//! one of its messages gives the recipient, kind and reason listed in
//! `assets/demo/expected.csv` (written by `scripts/make-demo.py`). The demo is
//! what a new user sees first; a classifier change that moves it is caught here.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

#[test]
fn every_demo_message_classifies_as_intended() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let mut expected: HashMap<usize, (String, String, String)> = HashMap::new();
    let mut reader = csv::Reader::from_path(root.join("expected.csv")).expect("demo expected.csv");
    for row in reader.records() {
        let row = row.expect("a demo expected.csv row");
        let index: usize = row[0].parse().expect("an index");
        expected.insert(
            index,
            (
                row[1].to_lowercase(),
                row[2].to_string(),
                row[3].to_string(),
            ),
        );
    }
    assert!(
        expected.len() > 500,
        "the demo has {} messages",
        expected.len()
    );

    let output = Command::new(env!("CARGO_BIN_EXE_listhygiene"))
        .arg("classify")
        .arg(root.join("bounces.mbox"))
        .output()
        .expect("run classify");
    assert!(output.status.success());
    let mut seen = 0;
    let mut wrong = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let index = v["index"].as_u64().expect("an index") as usize;
        let got = (
            v["recipient"].as_str().unwrap_or("").to_lowercase(),
            v["kind"].as_str().unwrap_or("").to_string(),
            v["reason"].as_str().unwrap_or("").to_string(),
        );
        seen += 1;
        if expected.get(&index) != Some(&got) {
            wrong.push((index, expected.get(&index).cloned(), got));
        }
    }
    assert_eq!(seen, expected.len(), "one line per demo message");
    assert!(
        wrong.is_empty(),
        "{} demo messages differ: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
}
