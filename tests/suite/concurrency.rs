//! Several `listhygiene clean` runs creating one new workspace at once: each
//! must wait for the others instead of failing, and the workspace must come
//! out whole.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::fixtures_dir;

const BIN: &str = env!("CARGO_BIN_EXE_listhygiene");
const RUNS: usize = 4;

fn clean(dir: &Path, run: usize) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("clean")
        .arg("--list")
        .arg(dir.join("subscribers.csv"))
        .arg("--bounces")
        .arg(fixtures_dir().join("postfix-01.eml"))
        .arg("--out-dir")
        .arg(dir.join(format!("out{run}")))
        .arg("--db")
        .arg(dir.join("workspace.sqlite"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn clean_runs_creating_one_workspace_at_once_all_succeed() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("subscribers.csv"),
            "email\nanna@example.org\n",
        )
        .unwrap();
        let children: Vec<_> = (0..RUNS)
            .map(|run| clean(dir.path(), run).spawn().expect("start listhygiene"))
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let store = listhygiene::store::Store::open(&dir.path().join("workspace.sqlite")).unwrap();
        let (messages, _, _) = store.counts().unwrap();
        assert_eq!(messages, 1, "round {round}: the message is stored once");
    }
}

#[test]
fn a_clean_run_on_a_workspace_another_program_holds_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("subscribers.csv"),
        "email\nanna@example.org\n",
    )
    .unwrap();
    let first = clean(dir.path(), 0).output().unwrap();
    assert!(first.status.success());
    let holder = rusqlite::Connection::open(dir.path().join("workspace.sqlite")).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    // Waits for the busy timeout (a few seconds), then gives up.
    let out = clean(dir.path(), 1).output().unwrap();
    holder.execute_batch("ROLLBACK;").unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("another program has this workspace open; try again when it has finished"),
        "{stderr}"
    );
    assert!(!stderr.contains("locked"), "{stderr}");
}
