//! End to end: a subscriber CSV and a mailbox built here (three mailings,
//! several mail systems, a complaint, an auto-reply, a message exported
//! twice, a garbage file, non-ASCII names and addresses, an activity
//! column) → `clean` → the cleaned list byte for byte and the suppression
//! list; the same import again changes nothing.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use listhygiene::job::{CleanRequest, run_clean};
use listhygiene::list::ListOptions;
use listhygiene::policy::{PolicySettings, Verdict};

const LIST_ID: &str = "Garden Weekly <weekly.garden.example>";

pub(crate) fn original(issue: u32, day: u32, to: &str) -> String {
    format!(
        "From: Garden Weekly <news@garden.example>\nTo: {to}\nList-Id: {LIST_ID}\n\
         Subject: Garden Weekly #{issue}\nDate: Tue, {day:02} Sep 2025 08:00:00 +0000\n\
         Message-ID: <gw{issue}.{to}@garden.example>\n"
    )
}

/// A Postfix DSN about `rcpt` from issue `issue` (sent on September `day`).
pub(crate) fn postfix(rcpt: &str, issue: u32, day: u32, status: &str, text: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.garden.example (Mail Delivery System)\nTo: news@garden.example\n\
         Subject: Undelivered Mail Returned to Sender\nDate: Tue, {day:02} Sep 2025 08:05:00 +0000\n\
         Message-ID: <dsn.{issue}.{rcpt}@mx.garden.example>\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
         --B\nContent-Type: text/plain; charset=utf-8\n\nThis is the mail system at host mx.garden.example.\n\n\
         <{rcpt}>: host mx.example.net said: {text} (in reply to RCPT TO command)\n\n\
         --B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.garden.example\n\n\
         Final-Recipient: rfc822; {rcpt}\nAction: failed\nStatus: {status}\nDiagnostic-Code: smtp; {text}\n\n\
         --B\nContent-Type: text/rfc822-headers\n\n{}\n--B--\n",
        original(issue, day, rcpt)
    )
}

/// A qmail bounce (prose) about `rcpt`.
fn qmail(rcpt: &str, issue: u32, day: u32) -> String {
    format!(
        "From: MAILER-DAEMON@relay.example.de\nTo: news@garden.example\nSubject: failure notice\n\
         Date: Tue, {day:02} Sep 2025 08:06:00 +0000\nMessage-ID: <q.{issue}.{day}@relay.example.de>\n\n\
         Hi. This is the qmail-send program at relay.example.de.\n\
         I'm afraid I wasn't able to deliver your message to the following addresses.\n\
         This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
         <{rcpt}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n\
         --- Below this line is a copy of the message.\n\n{}\nHello\n",
        original(issue, day, rcpt)
    )
}

fn arf(rcpt: &str, issue: u32, day: u32) -> String {
    format!(
        "From: feedback@isp.example\nTo: abuse@garden.example\nSubject: Abuse report\n\
         Date: Wed, {report_day:02} Sep 2025 12:00:00 +0000\nMessage-ID: <arf.{issue}@isp.example>\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n\
         --F\nContent-Type: text/plain\n\nThis is an abuse report.\n\
         --F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: ISP-FBL/1.0\nVersion: 1\n\
         Original-Rcpt-To: {rcpt}\n\n--F\nContent-Type: text/rfc822-headers\n\n{}\n--F--\n",
        original(issue, day, rcpt),
        report_day = day + 1
    )
}

fn vacation(from: &str, day: u32) -> String {
    format!(
        "From: {from}\nTo: news@garden.example\nSubject: Out of Office: Garden Weekly #2\n\
         Auto-Submitted: auto-replied\nDate: Tue, {day:02} Sep 2025 09:00:00 +0000\n\
         Message-ID: <ooo.{day}@example.com>\n\nI am away until October.\n"
    )
}

pub(crate) fn mbox(messages: &[String]) -> String {
    messages
        .iter()
        .map(|m| format!("From MAILER-DAEMON Tue Sep  2 08:05:00 2025\n{m}\n"))
        .collect()
}

/// The subscriber list: semicolons, Windows-1252, CRLF, an activity column.
fn list_bytes() -> Vec<u8> {
    let text = "Name;E-Mail;Zuletzt geöffnet\r\n\
                Anna Weiß;anna@example.org;\r\n\
                Ben Müller;ben@example.org;10.09.2025\r\n\
                Chloé Durand;chloe@exämple.de;\r\n\
                Dora Kovács;dora@example.net;\r\n\
                Emil Öberg;emil@example.com;\r\n\
                Frank Nuñez;frank@example.com;01.09.2025\r\n\
                Anna (alt);ANNA@Example.org;\r\n\
                Kaputt;not an address;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    bytes.into_owned()
}

fn expected_cleaned() -> Vec<u8> {
    let text = "Name;E-Mail;Zuletzt geöffnet\r\n\
                Ben Müller;ben@example.org;10.09.2025\r\n\
                Emil Öberg;emil@example.com;\r\n\
                Frank Nuñez;frank@example.com;01.09.2025\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    bytes.into_owned()
}

fn write_inputs(dir: &Path) {
    let mailings = [(1, 2), (2, 9), (3, 16)];
    let mut first = Vec::new();
    let mut rest = Vec::new();
    for (issue, day) in mailings {
        let batch = if issue == 1 { &mut first } else { &mut rest };
        batch.push(postfix(
            "anna@example.org",
            issue,
            day,
            "5.1.1",
            "550 5.1.1 User unknown",
        ));
        batch.push(postfix(
            "ben@example.org",
            issue,
            day,
            "5.1.1",
            "550 5.1.1 User unknown",
        ));
        batch.push(qmail("chloe@exämple.de", issue, day));
        if issue != 2 {
            batch.push(postfix(
                "emil@example.com",
                issue,
                day,
                "5.1.1",
                "550 5.1.1 User unknown",
            ));
        }
        batch.push(postfix(
            "frank@example.com",
            issue,
            day,
            "5.7.1",
            "554 5.7.1 Client host blocked using zen.spamhaus.org",
        ));
    }
    rest.push(vacation("Emil Öberg <emil@example.com>", 9));
    rest.push(arf("dora@example.net", 2, 9));
    std::fs::create_dir_all(dir.join("mail/sub")).unwrap();
    std::fs::write(dir.join("mail/september.mbox"), mbox(&rest)).unwrap();
    // The first mailing's bounces, and a second export that repeats one.
    std::fs::write(dir.join("mail/sub/early.mbox"), mbox(&first)).unwrap();
    std::fs::write(dir.join("mail/sub/again.eml"), &first[0]).unwrap();
    std::fs::write(dir.join("mail/garbage.bin"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    std::fs::write(dir.join("subscribers.csv"), list_bytes()).unwrap();
}

fn request(dir: &Path, force: bool) -> CleanRequest {
    CleanRequest {
        list: dir.join("subscribers.csv"),
        bounces: vec![dir.join("mail")],
        out_dir: dir.join("out"),
        db: dir.join("workspace.sqlite"),
        settings: PolicySettings::default(),
        list_options: ListOptions {
            email_column: None,
            activity_column: Some("Zuletzt geöffnet".into()),
            ..ListOptions::default()
        },
        force,
        now: 1_760_000_000,
    }
}

#[test]
fn clean_writes_the_expected_files_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let cancel = AtomicBool::new(false);
    let report = run_clean(&request(dir.path(), false), &|_| {}, &cancel).expect("clean runs");

    let cleaned = std::fs::read(dir.path().join("out/subscribers-cleaned.csv")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&cleaned),
        String::from_utf8_lossy(&expected_cleaned())
    );
    assert_eq!(cleaned, expected_cleaned(), "byte for byte");
    assert_eq!(
        report.removed.get(&Verdict::RemoveHard),
        Some(&3),
        "anna twice, chloé"
    );
    assert_eq!(report.removed.get(&Verdict::RemoveComplaint), Some(&1));
    assert_eq!(report.removed.get(&Verdict::RemoveInvalid), Some(&1));
    assert_eq!(report.kept_rows, 3);
    assert_eq!(
        report.read.import.duplicates, 1,
        "the message exported twice counts once"
    );

    let suppression = std::fs::read_to_string(dir.path().join("out/suppression.csv")).unwrap();
    let lines: Vec<&str> = suppression.lines().collect();
    assert_eq!(lines.len(), 4, "{suppression}");
    assert!(lines[0].starts_with("address,verdict,reason,"));
    assert!(
        lines[1].starts_with("anna@example.org,remove_hard,"),
        "{suppression}"
    );
    assert!(
        lines[2].starts_with("chloe@exämple.de,remove_hard,"),
        "{suppression}"
    );
    assert!(
        lines[3].starts_with("dora@example.net,remove_complaint,"),
        "{suppression}"
    );
    assert!(
        lines[1].contains(",3,3,2025-09-02T"),
        "streak 3, 3 bounces: {}",
        lines[1]
    );

    let removed = std::fs::read_to_string(dir.path().join("out/removed-rows.csv")).unwrap();
    assert_eq!(
        removed.lines().count(),
        6,
        "header and five removed rows:\n{removed}"
    );
    assert!(
        removed.contains("ANNA@Example.org,remove_hard"),
        "{removed}"
    );

    // The same import again: nothing new, the same files.
    let again = run_clean(&request(dir.path(), true), &|_| {}, &cancel).expect("second run");
    assert_eq!(again.read.import.messages, 0);
    assert!(report.read.kinds.get("hard").is_some_and(|&n| n > 0));
    assert!(
        again.read.kinds.is_empty(),
        "messages already imported are not counted again: {:?}",
        again.read.kinds
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/subscribers-cleaned.csv")).unwrap(),
        cleaned
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/suppression.csv")).unwrap(),
        suppression
    );
    // The input was only read.
    assert_eq!(
        std::fs::read(dir.path().join("subscribers.csv")).unwrap(),
        list_bytes()
    );
}

#[test]
fn existing_exports_are_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let cancel = AtomicBool::new(false);
    run_clean(&request(dir.path(), false), &|_| {}, &cancel).unwrap();
    let err = run_clean(&request(dir.path(), false), &|_| {}, &cancel).unwrap_err();
    assert!(err.to_string().contains("subscribers-cleaned.csv"), "{err}");
}

#[test]
fn a_list_without_an_email_column_names_the_columns_found() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    std::fs::write(
        dir.path().join("subscribers.csv"),
        "Name,Phone,City\nAnna,123,Berlin\n",
    )
    .unwrap();
    let cancel = AtomicBool::new(false);
    let err = run_clean(&request(dir.path(), false), &|_| {}, &cancel).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("Name") && message.contains("Phone") && message.contains("City"),
        "{message}"
    );
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn force_never_replaces_a_mailbox_file_named_like_an_export() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mailbox = out.join("bounce-report.csv");
    std::fs::copy(dir.path().join("mail/september.mbox"), &mailbox).unwrap();
    let before = std::fs::read(&mailbox).unwrap();
    let req = CleanRequest {
        bounces: vec![mailbox.clone()],
        ..request(dir.path(), true)
    };
    let err = run_clean(&req, &|_| {}, &AtomicBool::new(false)).unwrap_err();
    assert!(err.to_string().contains("bounce-report.csv"), "{err}");
    assert!(err.to_string().contains("input"), "{err}");
    assert_eq!(std::fs::read(&mailbox).unwrap(), before);
    assert_eq!(
        names_in(&out),
        ["bounce-report.csv"],
        "nothing else written"
    );
    assert!(
        !dir.path().join("workspace.sqlite").exists(),
        "refused before the workspace was opened"
    );
}

#[test]
fn force_never_replaces_a_file_inside_a_mailbox_folder() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let folder = dir.path().join("mail");
    let inside = folder.join("suppression.csv");
    std::fs::write(&inside, "last month's file\n").unwrap();
    let req = CleanRequest {
        out_dir: folder.clone(),
        ..request(dir.path(), true)
    };
    let err = run_clean(&req, &|_| {}, &AtomicBool::new(false)).unwrap_err();
    assert!(err.to_string().contains("suppression.csv"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&inside).unwrap(),
        "last month's file\n"
    );
    assert!(!folder.join("subscribers-cleaned.csv").exists());
}

#[test]
fn force_never_replaces_the_workspace_nor_its_journal_files() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let cancel = AtomicBool::new(false);
    // A workspace named like an export, filled by a first run elsewhere.
    let out = dir.path().join("out");
    let db = out.join("suppression.csv");
    std::fs::create_dir_all(&out).unwrap();
    let first = CleanRequest {
        db: db.clone(),
        out_dir: dir.path().join("elsewhere"),
        ..request(dir.path(), false)
    };
    run_clean(&first, &|_| {}, &cancel).unwrap();
    let before = std::fs::read(&db).unwrap();
    let req = CleanRequest {
        db: db.clone(),
        ..request(dir.path(), true)
    };
    let err = run_clean(&req, &|_| {}, &cancel).unwrap_err();
    assert!(err.to_string().contains("suppression.csv"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(listhygiene::store::Store::open(&db).is_ok());
    assert!(!out.join("subscribers-cleaned.csv").exists());

    // The cleaned list of `a.sqlite-wal` is `a-cleaned.sqlite-wal`: the WAL file
    // of a workspace `a-cleaned.sqlite`, which need not exist when checked.
    let list = dir.path().join("a.sqlite-wal");
    std::fs::copy(dir.path().join("subscribers.csv"), &list).unwrap();
    let req = CleanRequest {
        list,
        db: out.join("a-cleaned.sqlite"),
        ..request(dir.path(), true)
    };
    let err = run_clean(&req, &|_| {}, &cancel).unwrap_err();
    assert!(err.to_string().contains("a-cleaned.sqlite-wal"), "{err}");
}

#[test]
fn exports_are_checked_before_the_import_and_written_all_or_none() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let cancel = AtomicBool::new(false);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("bounce-report.csv"), "old\n").unwrap();
    let err = run_clean(&request(dir.path(), false), &|_| {}, &cancel).unwrap_err();
    assert!(err.to_string().contains("bounce-report.csv"), "{err}");
    assert_eq!(names_in(&out), ["bounce-report.csv"], "no file written");
    assert!(
        !dir.path().join("workspace.sqlite").exists(),
        "no import stored"
    );

    // An out-dir that is a file fails before anything is stored.
    let req = CleanRequest {
        out_dir: dir.path().join("subscribers.csv"),
        ..request(dir.path(), true)
    };
    let err = run_clean(&req, &|_| {}, &cancel).unwrap_err();
    assert!(err.to_string().contains("subscribers.csv"), "{err}");
    assert!(!dir.path().join("workspace.sqlite").exists());
}

#[cfg(unix)]
#[test]
fn exports_keep_the_lists_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let list = dir.path().join("subscribers.csv");
    std::fs::set_permissions(&list, std::fs::Permissions::from_mode(0o600)).unwrap();
    let report = run_clean(
        &request(dir.path(), false),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("clean runs");
    assert_eq!(report.files.len(), 4);
    for file in &report.files {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}

/// A DSN for a forwarded address: the final recipient is not on the list,
/// the original recipient (the address the newsletter went to) is.
fn forwarded(final_rcpt: &str, original_rcpt: &str, issue: u32, day: u32) -> String {
    format!(
        "From: MAILER-DAEMON@mx.garden.example (Mail Delivery System)\nTo: news@garden.example\n\
         Subject: Undelivered Mail Returned to Sender\nDate: Tue, {day:02} Sep 2025 08:05:00 +0000\n\
         Message-ID: <fwd.{issue}.{final_rcpt}@mx.garden.example>\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
         --B\nContent-Type: text/plain\n\nThis is the mail system at host mx.garden.example.\n\n\
         <{final_rcpt}> (expanded from <{original_rcpt}>): host mx.example.net said: \
         550 5.1.1 User unknown (in reply to RCPT TO command)\n\n\
         --B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.garden.example\n\n\
         Final-Recipient: rfc822; {final_rcpt}\nOriginal-Recipient: rfc822; {original_rcpt}\n\
         Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n\
         --B\nContent-Type: text/rfc822-headers\n\n{}\n--B--\n",
        original(issue, day, original_rcpt)
    )
}

/// `clean` decides address by address from the store; the window decides the
/// whole history at once. On the same workspace and list, their exports must
/// be the same bytes.
#[test]
fn clean_and_the_window_export_the_same_files() {
    use listhygiene::store::Store;
    use listhygiene::workspace::Workspace;

    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let forwards: Vec<String> = [(1, 2), (2, 9), (3, 16)]
        .into_iter()
        .map(|(issue, day)| forwarded("emil.o@mail.example.com", "emil@example.com", issue, day))
        .collect();
    std::fs::write(dir.path().join("mail/forwards.mbox"), mbox(&forwards)).unwrap();
    let mut req = request(dir.path(), false);
    req.settings.soft_escalation = Some(2);
    let cancel = AtomicBool::new(false);
    let report = run_clean(&req, &|_| {}, &cancel).expect("clean runs");
    assert!(report.matched >= 5, "{report:?}");

    let list = listhygiene::list::read_list(&req.list, &req.list_options).unwrap();
    let store = Store::open(&req.db).unwrap();
    let mut ws = Workspace::open(store, Some(std::sync::Arc::new(list))).unwrap();
    ws.apply_settings(req.settings.clone()).unwrap();
    let theirs = dir.path().join("window");
    std::fs::create_dir_all(&theirs).unwrap();
    ws.export_cleaned(&theirs.join("subscribers-cleaned.csv"), false)
        .unwrap();
    ws.export_suppression(&theirs.join("suppression.csv"), false, false)
        .unwrap();
    ws.export_report(&theirs.join("bounce-report.csv"), false, true)
        .unwrap();
    ws.export_removed_rows(&theirs.join("removed-rows.csv"), false)
        .unwrap();
    for name in [
        "subscribers-cleaned.csv",
        "suppression.csv",
        "bounce-report.csv",
        "removed-rows.csv",
    ] {
        let ours = std::fs::read(dir.path().join("out").join(name)).unwrap();
        let window = std::fs::read(theirs.join(name)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&window),
            "{name}"
        );
        assert_eq!(ours, window, "{name}");
    }
    let suppression = std::fs::read_to_string(dir.path().join("out/suppression.csv")).unwrap();
    assert!(
        suppression.contains("emil@example.com,remove_hard,"),
        "the forwarded address's bounces count for its listed original:\n{suppression}"
    );
}
