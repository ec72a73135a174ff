//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use listhygiene::bounce::{self, MessageKind};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture message (`tests/fixtures/*.eml`) with its file name, in name
/// order so that failures are stable; read once for the whole suite.
pub fn all_fixtures() -> &'static [(String, Vec<u8>)] {
    static FIXTURES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixtures_dir())
            .expect("fixtures folder")
            .map(|e| e.expect("fixtures entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                (name, bytes)
            })
            .collect();
        out.sort();
        assert!(
            out.len() >= 10,
            "expected the fixture set, found {} .eml files",
            out.len()
        );
        out
    })
}

pub fn read_fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What one recipient of a fixture must give.
#[derive(Debug)]
pub struct Expect {
    pub recipient: &'static str,
    pub kind: &'static str,
    pub reason: &'static str,
    pub status: Option<&'static str>,
    pub reply_code: Option<&'static str>,
}

/// Classifies a fixture and checks every expected recipient, and that no
/// other recipient gets a verdict. An empty expectation means "not a bounce".
pub fn check_fixture(name: &str, expected: &[Expect]) {
    let analysis = bounce::analyze(&read_fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    if expected.is_empty() {
        assert_eq!(
            analysis.kind,
            MessageKind::NotBounce,
            "{name}: {:?}",
            analysis.findings
        );
        assert!(
            analysis.findings.is_empty(),
            "{name}: {:?}",
            analysis.findings
        );
        return;
    }
    let got: Vec<_> = analysis
        .findings
        .iter()
        .map(|f| (f.recipient.to_lowercase(), f))
        .collect();
    for e in expected {
        let Some((_, f)) = got.iter().find(|(r, _)| *r == e.recipient.to_lowercase()) else {
            panic!(
                "{name}: recipient {} not found; found {:?}",
                e.recipient,
                got.iter().map(|(r, _)| r).collect::<Vec<_>>()
            );
        };
        let summary = format!("{name} {}: got {f:?}", e.recipient);
        assert_eq!(f.kind.as_str(), e.kind, "kind of {summary}");
        assert_eq!(f.reason.as_str(), e.reason, "reason of {summary}");
        assert_eq!(f.status.as_deref(), e.status, "status of {summary}");
        if let Some(code) = e.reply_code {
            assert_eq!(
                f.reply_code.as_deref(),
                Some(code),
                "reply code of {summary}"
            );
        }
    }
    assert_eq!(
        got.len(),
        expected.len(),
        "{name}: other recipients found: {:?}",
        got.iter().map(|(r, _)| r).collect::<Vec<_>>()
    );
}
