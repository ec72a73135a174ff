use super::*;
use crate::bounce;
use crate::policy::{PolicySettings, Subscriber, Verdict, assess_all};

/// A Postfix-style DSN about `rcpt` for the issue sent on `day` (2024-05-DD).
fn dsn(rcpt: &str, status: &str, day: u32, message_id: &str) -> Vec<u8> {
    format!(
        "From: MAILER-DAEMON@mx.example.net\n\
         To: news@example.com\n\
         Subject: Undelivered Mail Returned to Sender\n\
         Message-ID: <{message_id}@mx.example.net>\n\
         Date: Thu, {day:02} May 2024 10:00:00 +0000\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
         --b\nContent-Type: text/plain\n\nThe mail system\n\n\
         --b\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx.example.net\n\n\
         Final-Recipient: rfc822; {rcpt}\nAction: failed\nStatus: {status}\n\
         Diagnostic-Code: smtp; 550 {status} <{rcpt}>: Recipient address rejected: User unknown\n\n\
         --b\nContent-Type: text/rfc822-headers\n\n\
         From: Weekly <news@example.com>\nList-Id: Weekly <weekly.example.com>\n\
         Subject: Issue {day}\nDate: Thu, {day:02} May 2024 09:00:00 +0000\n\
         Message-ID: <issue{day}@example.com>\n\n--b--\n"
    )
    .into_bytes()
}

fn message(raw: &[u8], index: usize) -> ImportMessage {
    let analysis = bounce::analyze(raw).expect("fixture parses");
    ImportMessage {
        dedupe_key: dedupe::message_key(raw),
        source: "test.mbox".into(),
        index,
        analysis,
        arrival: None,
    }
}

/// Anna's user-unknown bounce from the issue of May 1st.
fn anna() -> ImportMessage {
    message(&dsn("anna@example.org", "5.1.1", 1, "a1"), 0)
}

fn never() -> bool {
    false
}

#[test]
fn an_import_stores_events_and_mailings() {
    let mut store = Store::open_in_memory().unwrap();
    let batch = [
        message(&dsn("anna@example.org", "5.1.1", 1, "a1"), 0),
        message(&dsn("ben@example.org", "5.1.1", 1, "b1"), 1),
    ];
    let summary = store
        .import("test.mbox", 0, &batch, &never)
        .unwrap()
        .unwrap();
    assert_eq!(summary.messages, 2);
    assert_eq!(summary.events, 2);
    assert_eq!(summary.new_mailings, 1, "one stream, one day: one mailing");
    assert_eq!(store.counts().unwrap(), (2, 2, 1));
}

#[test]
fn importing_the_same_messages_again_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let batch = [message(&dsn("anna@example.org", "5.1.1", 1, "a1"), 0)];
    store.import("a", 0, &batch, &never).unwrap();
    let again = store.import("a", 1, &batch, &never).unwrap().unwrap();
    assert_eq!(again.messages, 0);
    assert_eq!(again.duplicates, 1);
    assert_eq!(store.counts().unwrap(), (1, 1, 1));
}

#[test]
fn a_cancelled_import_leaves_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let batch = [
        message(&dsn("anna@example.org", "5.1.1", 1, "a1"), 0),
        message(&dsn("ben@example.org", "5.1.1", 1, "b1"), 1),
    ];
    let calls = std::cell::Cell::new(0);
    let cancel_on_second = || {
        calls.set(calls.get() + 1);
        calls.get() > 1
    };
    assert_eq!(
        store.import("a", 0, &batch, &cancel_on_second).unwrap(),
        None
    );
    assert_eq!(store.counts().unwrap(), (0, 0, 0));
}

#[test]
fn history_feeds_the_policy() {
    let mut store = Store::open_in_memory().unwrap();
    let batch: Vec<ImportMessage> = [1, 8, 15]
        .iter()
        .enumerate()
        .map(|(i, day)| {
            message(
                &dsn("Anna@Example.org", "5.1.1", *day, &format!("m{day}")),
                i,
            )
        })
        .collect();
    store.import("a", 0, &batch, &never).unwrap();
    let mut history = store.history().unwrap();
    assert_eq!(history.mailings.len(), 3);
    history.subscribers.insert(
        "anna@example.org".into(),
        Subscriber {
            in_list: true,
            ..Subscriber::default()
        },
    );
    let verdicts = assess_all(&history, &PolicySettings::default());
    assert_eq!(verdicts["anna@example.org"].verdict, Verdict::RemoveHard);
    assert_eq!(verdicts["anna@example.org"].hard_streak, 3);
}

#[test]
fn a_bounce_without_its_original_joins_the_recent_mailing() {
    let mut store = Store::open_in_memory().unwrap();
    store.import("a", 0, &[anna()], &never).unwrap();
    let bare = b"From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail Returned to Sender\n\
        Date: Fri, 03 May 2024 10:00:00 +0000\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
        --b\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; carl@example.org\nAction: failed\nStatus: 5.1.1\n\n--b--\n";
    let summary = store
        .import("b", 0, &[message(bare, 0)], &never)
        .unwrap()
        .unwrap();
    assert_eq!(summary.new_mailings, 0);
    assert_eq!(store.counts().unwrap().2, 1);
}

#[test]
fn overrides_are_stored_and_withdrawn() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .set_override("<Anna@Example.org>", Some(Override::Keep), 5)
        .unwrap();
    assert_eq!(
        store.overrides().unwrap().get("anna@example.org"),
        Some(&Override::Keep)
    );
    store.set_override("anna@example.org", None, 6).unwrap();
    assert!(store.overrides().unwrap().is_empty());
}

#[test]
fn settings_round_trip() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.setting("hard_threshold").unwrap(), None);
    store.set_setting("hard_threshold", "4").unwrap();
    store.set_setting("hard_threshold", "5").unwrap();
    assert_eq!(
        store.setting("hard_threshold").unwrap().as_deref(),
        Some("5")
    );
}

#[test]
fn a_workspace_file_keeps_its_history_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws/workspace.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        store.import("a", 0, &[anna()], &never).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.counts().unwrap(), (1, 1, 1));
}

#[test]
fn a_file_that_is_not_a_database_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, b"my shopping list\n").unwrap();
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
    assert!(err.to_string().contains("notes.sqlite"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"my shopping list\n");
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE recipes (name TEXT);")
        .unwrap();
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
}

#[test]
fn an_import_grows_batch_by_batch_and_a_dropped_one_keeps_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    {
        let mut import = store.begin_import("a", 0).unwrap();
        import.add(&[anna()], &never).unwrap();
        import
            .add(
                &[message(&dsn("ben@example.org", "5.1.1", 1, "b1"), 1)],
                &never,
            )
            .unwrap();
        assert_eq!(import.summary().messages, 2);
        // Dropped without commit: a failed or cancelled job.
    }
    assert_eq!(store.counts().unwrap(), (0, 0, 0));
    let mut import = store.begin_import("a", 0).unwrap();
    import.add(&[anna()], &never).unwrap();
    assert_eq!(import.commit().unwrap().messages, 1);
    assert_eq!(store.counts().unwrap(), (1, 1, 1));
}

/// [`dsn`] for a recipient the sender addressed as `original` (an alias
/// that forwarded to `rcpt`).
fn aliased_dsn(rcpt: &str, original: &str, day: u32, message_id: &str) -> Vec<u8> {
    String::from_utf8_lossy(&dsn(rcpt, "5.1.1", day, message_id))
        .replace(
            "Final-Recipient:",
            &format!("Original-Recipient: rfc822; {original}\nFinal-Recipient:"),
        )
        .into_bytes()
}

#[test]
fn the_original_recipient_is_stored_and_decides_for_the_list_row() {
    let mut store = Store::open_in_memory().unwrap();
    let batch: Vec<ImportMessage> = [1, 8, 15]
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let raw = aliased_dsn(
                "anna.m@mail.example.org",
                "Anna@Example.org",
                *day,
                &format!("m{day}"),
            );
            message(&raw, i)
        })
        .collect();
    store.import("a", 0, &batch, &never).unwrap();
    let mut history = store.history().unwrap();
    let stored = &history.events["anna.m@mail.example.org"];
    assert_eq!(stored.len(), 3);
    assert_eq!(
        stored[0].original_recipient.as_deref(),
        Some("anna@example.org"),
        "kept by its matching key"
    );
    history.subscribers.insert(
        "anna@example.org".into(),
        Subscriber {
            in_list: true,
            ..Subscriber::default()
        },
    );
    crate::policy::attribute_to_list(&mut history.events, &history.subscribers);
    let verdicts = assess_all(&history, &PolicySettings::default());
    assert_eq!(verdicts["anna@example.org"].verdict, Verdict::RemoveHard);
    assert!(!verdicts.contains_key("anna.m@mail.example.org"));
    // The evidence of either address holds the bounces, in both spellings.
    let evidence = store.evidence("anna@example.org").unwrap();
    assert_eq!(evidence.len(), 3);
    assert_eq!(evidence[0].address, "anna.m@mail.example.org");
    assert_eq!(
        evidence[0].original_recipient.as_deref(),
        Some("Anna@Example.org")
    );
}

#[test]
fn a_workspace_of_the_first_schema_is_migrated_and_keeps_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(
            "INSERT INTO imports (id, started_at, sources) VALUES (1, 0, 'a');
             INSERT INTO messages (id, dedupe_key, import_id, source, idx, kind)
               VALUES (1, 'k', 1, 'a', 0, 'bounce');
             INSERT INTO mailings (id, mailing_key, stream, date) VALUES (1, 'm', 's', 0);
             INSERT INTO events (message_id, mailing_id, address, address_raw, date, kind, reason)
               VALUES (1, 1, 'anna@example.org', 'anna@example.org', 0, 'hard', 'userunknown');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
    let history = store.history().unwrap();
    assert_eq!(history.events["anna@example.org"].len(), 1);
    assert_eq!(
        history.events["anna@example.org"][0].original_recipient,
        None
    );
    assert_eq!(store.evidence("anna@example.org").unwrap().len(), 1);
}

/// Every file in a folder with its bytes, by name: what a refused open must
/// leave exactly as it was (no `-wal` or `-shm` file either).
fn folder_snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Opens `path`, expects a refusal, and checks that the folder is unchanged.
fn refused_untouched(path: &Path) -> StoreError {
    let dir = path.parent().unwrap();
    let before = folder_snapshot(dir);
    let err = Store::open(path).err().expect("refused");
    let after = folder_snapshot(dir);
    let sizes = |files: &[(String, Vec<u8>)]| -> Vec<(String, usize)> {
        files.iter().map(|(n, b)| (n.clone(), b.len())).collect()
    };
    assert!(
        after == before,
        "the folder changed on a refused open ({err}): {:?} became {:?}",
        sizes(&before),
        sizes(&after)
    );
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "the error names the file: {err}"
    );
    assert!(err.to_string().ends_with("it was left untouched"), "{err}");
    err
}

fn stored_pragma(path: &Path, pragma: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn another_programs_database_is_left_byte_for_byte_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recipes.sqlite");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');")
        .unwrap();
    let err = refused_untouched(&path);
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not a List Hygiene workspace (it is another program's SQLite database); \
             it was left untouched",
            path.display()
        )
    );
}

#[test]
fn a_foreign_database_with_a_schema_version_is_refused_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT); PRAGMA user_version = 1;")
        .unwrap();
    let err = refused_untouched(&path);
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("another program's SQLite database"),
        "{err}"
    );
}

#[test]
fn a_foreign_database_in_wal_mode_gets_no_wal_or_shm_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("browser.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.execute_batch("CREATE TABLE places (url TEXT); INSERT INTO places VALUES ('x');")
            .unwrap();
    }
    assert_eq!(folder_snapshot(dir.path()).len(), 1, "closed cleanly");
    let err = refused_untouched(&path);
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
}

#[test]
fn our_tables_under_another_programs_application_id_are_not_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lookalike.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        for step in MIGRATIONS {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA application_id = 1234;",
            MIGRATIONS.len()
        ))
        .unwrap();
    }
    let err = refused_untouched(&path);
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
}

#[test]
fn a_text_file_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workspace.sqlite");
    std::fs::write(
        &path,
        "SQLite is a nice word, but this is text.\n".repeat(10),
    )
    .unwrap();
    let err = refused_untouched(&path);
    assert!(
        err.to_string().contains("it is not an SQLite database"),
        "{err}"
    );
}

#[test]
fn a_workspace_missing_a_table_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE overrides;")
        .unwrap();
    let err = refused_untouched(&path);
    assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("overrides"), "{err}");
}

#[test]
fn a_new_workspace_carries_the_application_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    drop(Store::open(&path).unwrap());
    assert_eq!(
        stored_pragma(&path, "application_id"),
        i64::from(APPLICATION_ID)
    );
    assert_eq!(
        stored_pragma(&path, "user_version"),
        MIGRATIONS.len() as i64
    );
}

#[test]
fn an_empty_file_becomes_a_new_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("touched.sqlite");
    std::fs::write(&path, b"").unwrap();
    let mut store = Store::open(&path).unwrap();
    store.import("a", 0, &[anna()], &never).unwrap();
    drop(store);
    assert_eq!(
        stored_pragma(&path, "application_id"),
        i64::from(APPLICATION_ID)
    );
    assert_eq!(Store::open(&path).unwrap().counts().unwrap(), (1, 1, 1));
}

#[test]
fn an_older_workspace_without_the_application_id_is_migrated_and_stamped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        // As List Hygiene wrote the first schema: WAL, no application id.
        let conn = Connection::open(&path).unwrap();
        let _: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch("PRAGMA user_version = 1;").unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.counts().unwrap(), (0, 0, 0));
    drop(store);
    assert_eq!(
        stored_pragma(&path, "user_version"),
        MIGRATIONS.len() as i64
    );
    assert_eq!(
        stored_pragma(&path, "application_id"),
        i64::from(APPLICATION_ID)
    );
}

const BUSY_WORDS: &str = "another program has this workspace open; try again when it has finished";

#[test]
fn threads_creating_one_new_workspace_at_once_all_succeed() {
    const THREADS: usize = 6;
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite");
        let start = std::sync::Barrier::new(THREADS);
        let results: Vec<Result<(), String>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        let mut store = Store::open(&path).map_err(|e| e.to_string())?;
                        store
                            .import("a", 0, &[anna()], &never)
                            .map(|_| ())
                            .map_err(|e| e.to_string())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for result in &results {
            assert_eq!(result, &Ok(()), "round {round}");
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.counts().unwrap(), (1, 1, 1), "round {round}");
        let check: String = store
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        drop(store);
        assert_eq!(
            stored_pragma(&path, "user_version"),
            MIGRATIONS.len() as i64
        );
        assert_eq!(
            stored_pragma(&path, "application_id"),
            i64::from(APPLICATION_ID)
        );
    }
}

/// A connection of "another program" holding the write lock of `path`.
fn hold_write_lock(path: &Path) -> Connection {
    let holder = Connection::open(path).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    holder
}

fn assert_busy(err: &StoreError, path: &Path) {
    assert!(matches!(err, StoreError::Busy { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains(BUSY_WORDS), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains("locked"), "{text}");
}

#[test]
fn an_import_into_a_workspace_held_past_the_timeout_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    drop(Store::open(&path).unwrap());
    let holder = hold_write_lock(&path);
    let timeout = std::time::Duration::from_millis(150);
    // WAL: reading goes on while another program writes.
    let mut store = Store::open_with_timeout(&path, timeout).unwrap();
    let started = std::time::Instant::now();
    let err = store.import("a", 0, &[anna()], &never).expect_err("busy");
    assert!(started.elapsed() >= timeout, "it waited for the timeout");
    assert_busy(&err, &path);
    holder.execute_batch("ROLLBACK;").unwrap();
    store.import("a", 0, &[anna()], &never).unwrap();
    assert_eq!(store.counts().unwrap(), (1, 1, 1));
}

#[test]
fn opening_a_workspace_to_migrate_while_it_is_held_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        let _: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch("PRAGMA user_version = 1;").unwrap();
    }
    let holder = hold_write_lock(&path);
    let timeout = std::time::Duration::from_millis(150);
    let err = Store::open_with_timeout(&path, timeout)
        .err()
        .expect("busy");
    assert_busy(&err, &path);
    holder.execute_batch("ROLLBACK;").unwrap();
    drop(holder);
    drop(Store::open_with_timeout(&path, timeout).unwrap());
    assert_eq!(
        stored_pragma(&path, "user_version"),
        MIGRATIONS.len() as i64
    );
}

#[test]
fn a_database_locked_for_reading_past_the_timeout_says_so() {
    // Rollback journal: an exclusive lock keeps even the read-only check out.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch("PRAGMA user_version = 1;").unwrap();
    }
    let holder = Connection::open(&path).unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; INSERT INTO settings VALUES ('k', 'v');")
        .unwrap();
    let err = Store::open_with_timeout(&path, std::time::Duration::from_millis(150))
        .err()
        .expect("busy");
    assert_busy(&err, &path);
}
