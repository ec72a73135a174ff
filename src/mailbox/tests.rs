//! Tests of [`walk`] over real files and folders in a temporary directory:
//! format detection, folder and Maildir order, skipping, limits, errors and
//! cancellation. The mbox splitter and zip reading have their own tests.

use super::*;
use std::fs;
use std::path::Path;

fn collect(paths: &[PathBuf], limits: &Limits) -> (Vec<Item>, WalkSummary) {
    let mut items = Vec::new();
    let summary = walk(paths, limits, |item| {
        items.push(item);
        true
    });
    (items, summary)
}

fn collect_one(path: &Path) -> (Vec<Item>, WalkSummary) {
    collect(&[path.to_path_buf()], &Limits::default())
}

fn message(source: &Path, index: usize, bytes: &[u8]) -> Item {
    Item::Message(RawMessage {
        source: source.display().to_string(),
        index,
        bytes: bytes.to_vec(),
    })
}

/// (source, index) of every item, to check order without repeating contents.
fn places(items: &[Item]) -> Vec<(String, usize)> {
    items
        .iter()
        .map(|item| match item {
            Item::Message(m) => (m.source.clone(), m.index),
            Item::Unreadable { source, index, .. } => (source.clone(), *index),
        })
        .collect()
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create folder");
    }
    fs::write(path, bytes).expect("write file");
}

const EML: &[u8] = b"Return-Path: <>\r\nSubject: Undelivered Mail\r\n\r\nbody\r\n";

#[test]
fn mbox_file_is_split_with_indices_and_unescaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Inbox");
    write(
        &path,
        b"From a@example.com Mon Jan  1 00:00:00 2024\n\
          Subject: one\n\n>From a quote\n>>From a quoted quote\n\n\
          From b@example.com Mon Jan  1 00:00:00 2024\n\
          Subject: two\n\nbody\n\n\
          From c@example.com Mon Jan  1 00:00:00 2024\n\
          Subject: three\n\nlast\n",
    );
    let (items, summary) = collect_one(&path);
    assert_eq!(
        items,
        vec![
            message(
                &path,
                0,
                b"Subject: one\n\nFrom a quote\n>From a quoted quote\n"
            ),
            message(&path, 1, b"Subject: two\n\nbody\n"),
            message(&path, 2, b"Subject: three\n\nlast\n"),
        ]
    );
    assert_eq!((summary.messages, summary.unreadable), (3, 0));
}

#[test]
fn file_starting_with_headers_is_one_message_even_with_from_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bounce.mbox");
    let bytes = b"Subject: a bounce\n\nFrom the original message:\n>From x\n\nFrom y\n";
    write(&path, bytes);
    let (items, _) = collect_one(&path);
    // Content decides, not the name; the bytes are handed out untouched.
    assert_eq!(items, vec![message(&path, 0, bytes)]);
}

#[test]
fn folder_is_walked_in_name_order_skipping_what_is_not_mail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("export");
    write(&root.join("b.eml"), EML);
    write(&root.join("a/z.eml"), EML);
    write(
        &root.join("a/Inbox"),
        b"From x\nSubject: 1\n\nFrom y\nSubject: 2\n",
    );
    write(
        &root.join("a/Inbox.msf"),
        b"// <!-- <mdb:mork:z v=\"1.4\"/> -->",
    );
    write(&root.join(".hidden.eml"), EML);
    write(&root.join(".git/config"), b"[core]\n");
    write(&root.join("c/photo.jpg"), b"\xFF\xD8\xFF\xE0\0\x10JFIF");
    write(&root.join("c/data.bin"), b"Subject: x\n\0\0\0");
    write(&root.join("c/empty.eml"), b"");
    let (items, summary) = collect_one(&root);
    let s = |p: &str| root.join(p).display().to_string();
    assert_eq!(
        places(&items),
        vec![
            (s("a/Inbox"), 0),
            (s("a/Inbox"), 1),
            (s("a/z.eml"), 0),
            (s("b.eml"), 0),
        ]
    );
    assert_eq!(summary.messages, 4);
    assert_eq!(
        summary.skipped,
        Skipped {
            hidden: 2,
            index_files: 1,
            binary: 2,
            other: 1,
            not_mail: 0,
            loops: 0,
        }
    );
}

#[test]
fn maildir_reads_cur_then_new_and_ignores_tmp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("Maildir");
    write(&root.join("new/1700000003.M1P1.host"), EML);
    write(&root.join("cur/1700000002.M1P1.host:2,S"), EML);
    write(&root.join("cur/1700000001.M1P1.host:2,S"), EML);
    write(&root.join("tmp/1700000004.M1P1.host"), EML);
    write(&root.join("dovecot-uidlist"), b"3 V1700000000 N4\n");
    write(&root.join(".Sent/cur/1700000005.M1P1.host:2,S"), EML);
    let (items, summary) = collect_one(&root);
    let s = |p: &str| root.join(p).display().to_string();
    assert_eq!(
        places(&items),
        vec![
            (s("cur/1700000001.M1P1.host:2,S"), 0),
            (s("cur/1700000002.M1P1.host:2,S"), 0),
            (s("new/1700000003.M1P1.host"), 0),
        ]
    );
    assert_eq!(summary.skipped.hidden, 1);
    assert_eq!(summary.skipped.other, 1);
}

#[test]
fn missing_path_is_listed_and_the_rest_still_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.mbox");
    let present = dir.path().join("a.eml");
    write(&present, EML);
    let (items, summary) = collect(&[missing.clone(), present.clone()], &Limits::default());
    assert_eq!(items, vec![message(&present, 0, EML)]);
    assert_eq!(summary.missing, vec![missing]);
    assert_eq!(summary.messages, 1);
}

#[test]
fn explicitly_named_files_are_read_or_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hidden = dir.path().join(".saved.eml");
    let png = dir.path().join("logo.png");
    let empty = dir.path().join("empty.eml");
    write(&hidden, EML);
    write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(&empty, b"");
    let (items, summary) = collect(&[hidden.clone(), png.clone(), empty], &Limits::default());
    assert_eq!(
        items,
        vec![
            message(&hidden, 0, EML),
            Item::Unreadable {
                source: png.display().to_string(),
                index: 0,
                error: "not a mail file: this is a PNG image".to_owned(),
            },
        ]
    );
    assert_eq!(summary.skipped.other, 1);
}

#[test]
fn messages_over_the_size_limit_are_unreadable_not_held() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.eml");
    let mut bytes = b"Subject: big\n\n".to_vec();
    bytes.resize(3000, b'x');
    write(&big, &bytes);
    let mbox = dir.path().join("mixed.mbox");
    let mut mixed = b"From a\nSubject: small\n\nok\n\nFrom b\nSubject: big\n\n".to_vec();
    mixed.resize(mixed.len() + 3000, b'y');
    mixed.extend_from_slice(b"\n\nFrom c\nSubject: small again\n\n");
    write(&mbox, &mixed);
    let limits = Limits {
        max_message_bytes: 2048,
        ..Limits::default()
    };
    let (items, summary) = collect(&[big.clone(), mbox.clone()], &limits);
    let too_large = |path: &Path, index| Item::Unreadable {
        source: path.display().to_string(),
        index,
        error: "message larger than 2 KiB".to_owned(),
    };
    assert_eq!(
        items,
        vec![
            too_large(&big, 0),
            message(&mbox, 0, b"Subject: small\n\nok\n"),
            too_large(&mbox, 1),
            message(&mbox, 2, b"Subject: small again\n"),
        ]
    );
    assert_eq!((summary.messages, summary.unreadable), (2, 2));
    assert_eq!(
        super::too_large(Limits::default().max_message_bytes),
        "message larger than 64 MiB"
    );
}

#[test]
fn sink_returning_false_stops_the_walk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mbox = dir.path().join("Inbox");
    write(&mbox, b"From a\n\n1\nFrom b\n\n2\nFrom c\n\n3\n");
    let later = dir.path().join("later.eml");
    write(&later, EML);
    let mut seen = Vec::new();
    let summary = walk(&[mbox.clone(), later], &Limits::default(), |item| {
        seen.push(item);
        seen.len() < 2
    });
    assert_eq!(
        places(&seen),
        vec![
            (mbox.display().to_string(), 0),
            (mbox.display().to_string(), 1)
        ]
    );
    assert_eq!(summary.messages, 2);
}

#[test]
fn symlink_loops_do_not_trap_the_walk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("mail");
    write(&root.join("a.eml"), EML);
    std::os::unix::fs::symlink(&root, root.join("loop")).expect("symlink");
    std::os::unix::fs::symlink(root.join("a.eml"), root.join("b.eml")).expect("symlink");
    let (items, summary) = collect_one(&root);
    assert_eq!(
        places(&items),
        vec![
            (root.join("a.eml").display().to_string(), 0),
            (root.join("b.eml").display().to_string(), 0),
        ]
    );
    // The link back to the folder is followed, found to be a folder already
    // read, and counted.
    assert_eq!((summary.skipped.loops, summary.skipped.other), (1, 0));
}

#[test]
fn unreadable_file_reports_the_os_error() {
    // Permissions do not stop root, so there is nothing to test then.
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("secret.eml");
    write(&path, EML);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
    let (items, summary) = collect_one(&path);
    let [Item::Unreadable { error, .. }] = items.as_slice() else {
        panic!("expected one unreadable item, got {items:?}");
    };
    assert!(
        error.starts_with("cannot open: Permission denied"),
        "{error}"
    );
    assert_eq!(summary.unreadable, 1);
}

#[test]
fn fifo_is_refused_rather_than_blocking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe");
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("no NUL");
    // SAFETY: `name` is a valid NUL-terminated path for the duration of the call.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let (items, _) = collect_one(&fifo);
    assert_eq!(
        items,
        vec![Item::Unreadable {
            source: fifo.display().to_string(),
            index: 0,
            error: "not a regular file or folder".to_owned(),
        }]
    );
    // Met in a folder, it is passed over.
    let (items, summary) = collect_one(dir.path());
    assert!(items.is_empty());
    assert_eq!(summary.skipped.other, 1);
}

#[test]
fn sizes_are_written_for_people() {
    assert_eq!(human_size(4 << 30), "4 GiB");
    assert_eq!(human_size(64 << 20), "64 MiB");
    assert_eq!(human_size(2048), "2 KiB");
    assert_eq!(human_size(1000), "1000 bytes");
}

/// Runs `f` on another thread and gives up after `secs`: a walk that loops
/// forever fails the test instead of hanging it.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs)).ok()
}

#[test]
fn link_loops_are_walked_and_sized_once_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("bounces");
    write(&root.join("a.eml"), EML);
    write(&root.join("sub/b.eml"), EML);
    std::os::unix::fs::symlink(".", root.join("x")).expect("symlink");
    std::os::unix::fs::symlink(".", root.join("y")).expect("symlink");
    std::os::unix::fs::symlink("..", root.join("sub/up")).expect("symlink");

    let paths = vec![root.clone()];
    let size = within(20, move || total_size(&paths));
    assert_eq!(size, Some(2 * EML.len() as u64), "total_size must end");

    let paths = vec![root.clone()];
    let walked = within(20, move || collect(&paths, &Limits::default()));
    let Some((items, summary)) = walked else {
        panic!("walk did not end");
    };
    let s = |p: &str| root.join(p).display().to_string();
    assert_eq!(places(&items), vec![(s("a.eml"), 0), (s("sub/b.eml"), 0)]);
    assert_eq!(summary.messages, 2);
    assert_eq!(summary.skipped.loops, 3, "{:?}", summary.skipped);
    assert_eq!(summary.skipped.other, 0, "{:?}", summary.skipped);
}

#[test]
fn skipped_reasons_are_told_with_their_counts() {
    let none = Skipped::default();
    assert_eq!((none.total(), none.describe()), (0, String::new()));
    let some = Skipped {
        hidden: 2,
        loops: 1,
        ..Skipped::default()
    };
    assert_eq!(some.total(), 3);
    assert_eq!(some.describe(), "2 hidden, 1 link loop");
}

const README: &[u8] = b"# Bounces of the March newsletter\n\nExported from Thunderbird.\nNote: the list itself is in list.csv\n";
const CSV: &[u8] = b"email,name,subscribed\nanna@example.org,Anna,2024-01-02\n";
const SHORT: &[u8] = b"From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\nSorry.\n";

#[test]
fn text_that_is_not_mail_is_skipped_in_a_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("bounces");
    write(&root.join("README.md"), README);
    write(&root.join("list.csv"), CSV);
    write(&root.join("notice.eml"), SHORT);
    let (items, summary) = collect_one(&root);
    assert_eq!(items, vec![message(&root.join("notice.eml"), 0, SHORT)]);
    assert_eq!(summary.skipped.not_mail, 2, "{:?}", summary.skipped);
    assert_eq!(summary.skipped.total(), 2);
}

#[test]
fn text_that_is_not_mail_named_explicitly_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let readme = dir.path().join("README.md");
    let csv = dir.path().join("list.csv");
    let eml = dir.path().join("notice.eml");
    write(&readme, README);
    write(&csv, CSV);
    write(&eml, SHORT);
    let (items, summary) = collect(
        &[readme.clone(), csv.clone(), eml.clone()],
        &Limits::default(),
    );
    let not_mail = |path: &Path| Item::Unreadable {
        source: path.display().to_string(),
        index: 0,
        error: "not a mail file: this is text without mail headers".to_owned(),
    };
    assert_eq!(
        items,
        vec![not_mail(&readme), not_mail(&csv), message(&eml, 0, SHORT)]
    );
    assert_eq!((summary.messages, summary.unreadable), (1, 2));
}

#[test]
fn read_bytes_reads_an_mbox_from_memory_as_walk_reads_a_file() {
    let mbox = b"From a@example.org Tue Sep  2 08:05:00 2025\nFrom: a@example.org\nSubject: one\n\nbody\n\nFrom b@example.org Tue Sep  2 08:06:00 2025\nFrom: b@example.org\nSubject: two\n\nbody\n";
    let mut subjects = Vec::new();
    let summary = read_bytes("mem.mbox", mbox, &Limits::default(), |item| {
        if let Item::Message(m) = item {
            let text = String::from_utf8_lossy(&m.bytes).into_owned();
            subjects.push(text.lines().nth(1).unwrap_or_default().to_string());
        }
        true
    });
    assert_eq!(summary.messages, 2);
    assert_eq!(subjects, ["Subject: one", "Subject: two"]);
}
