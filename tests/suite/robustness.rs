//! Hostile and broken input must never crash the reader or the classifier.
//!
//! Mailbox exports are whatever a user's mail client produced, years of it, and
//! bounces are written by badly behaved software; a panic would lose a whole
//! run (the CLI catches a decoder panic per message, but only as a last resort,
//! and the window will call the library directly). Property tests feed the
//! classifier and the mailbox reader arbitrary bytes, "mail-like" token soup and
//! mutated fixtures, and check the invariants the rest of the program relies on.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use listhygiene::bounce::{self, Group, Kind, MessageKind, Reason};
use listhygiene::classify::{self, Record};
use listhygiene::mailbox::{self, Item, Limits, RawMessage, Skipped, WalkSummary};

use crate::common::all_fixtures as fixtures;

// ---------------------------------------------------------------------------
// Inputs

/// Pieces of bounce messages. Random bytes almost never form a header block,
/// a MIME boundary or a DSN field, so on their own they only exercise the
/// "not a message" paths; strung together, these reach the decoders.
const TOKENS: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\r",
    b"\n\n",
    b" ",
    b"\t",
    b":",
    b";",
    b"<",
    b">",
    b"\"",
    b"=",
    b"@",
    b"\xc3",
    b"\xff",
    b"\x1b$B",
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n",
    b"From: postmaster@example.net\n",
    b"Return-Path: <>\n",
    b"To: bounces+anna=example.org@news.example.com\n",
    b"Delivered-To: bounce-anna=example.org@news.example.com\n",
    b"Subject: Undelivered Mail Returned to Sender\n",
    b"Subject: Undeliverable: ",
    b"Subject: Out of Office: ",
    b"Subject: =?utf-8?B?",
    b"=?ISO-2022-JP?B?GyRC",
    b"=?iso-8859-1?Q?",
    b"?=",
    b"Date: Tue, 7 May 2024 09:14:01 +0200\n",
    b"Date: ",
    b"Message-ID: <",
    b"List-Id: <weekly.news.example.com>\n",
    b"X-Campaign-ID: ",
    b"MIME-Version: 1.0\n",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n",
    b"Content-Type: multipart/report; report-type=feedback-report; boundary=b\n",
    b"Content-Type: multipart/mixed; boundary=b\n",
    b"Content-Type: multipart/alternative; boundary=\"c\"\n",
    b"Content-Type: message/delivery-status\n",
    b"Content-Type: message/global-delivery-status\n",
    b"Content-Type: message/feedback-report\n",
    b"Content-Type: message/rfc822\n",
    b"Content-Type: message/global\n",
    b"Content-Type: text/rfc822-headers\n",
    b"Content-Type: text/plain; charset=iso-2022-jp\n",
    b"Content-Type: text/plain; charset=\"x-unknown\"\n",
    b"Content-Type: text/html\n",
    b"Content-Transfer-Encoding: base64\n",
    b"Content-Transfer-Encoding: quoted-printable\n",
    b"--b\n",
    b"--b--\n",
    b"--c\n",
    b"--c--\n",
    b"Reporting-MTA: dns; mx.example.com\n",
    b"Arrival-Date: ",
    b"Final-Recipient: rfc822; ",
    b"Final-Recipient: utf-8; ",
    b"Original-Recipient: rfc822;",
    b"Action: failed\n",
    b"Action: delayed\n",
    b"Action: delivered\n",
    b"Status: 5.1.1\n",
    b"Status: 4.",
    b"Status: ",
    b"Remote-MTA: dns; ",
    b"Diagnostic-Code: smtp; 550 ",
    b"Diagnostic-Code: X-Postfix; ",
    b"Last-Attempt-Date: ",
    b"Feedback-Type: abuse\n",
    b"Original-Rcpt-To: ",
    b"X-Failed-Recipients: ",
    b"Auto-Submitted: auto-replied\n",
    b"Precedence: auto_reply\n",
    b"X-Autoreply: yes\n",
    b"user@example.com",
    b"anna@example.org",
    b"<maria.lopez@example.org>",
    b"Hi. This is the qmail-send program at mx.example.com.\n",
    b"This message was created automatically by mail delivery software.\n",
    b"The original message was received at ",
    b"Delivery has failed to these recipients or groups:\n",
    b"   ----- The following addresses had permanent fatal errors -----\n",
    b"Remote host said: 550 5.1.1 ",
    b"SMTP error from remote mail server after RCPT TO:<",
    b"(#5.1.1)",
    b"550-5.7.1 ",
    b"#550 5.3.4 ROUTING.SizeLimit",
    b"User unknown",
    b"mailbox full",
    b"=\n",
    b"=C3=A9",
    b"R0lG",
];

fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::sample::select(TOKENS).prop_map(<[u8]>::to_vec),
        1 => vec(any::<u8>(), 1..16),
        1 => "[ -~]{1,24}".prop_map(String::into_bytes),
    ]
}

/// A "mail-like" message: tokens strung together.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    vec(token(), 0..160).prop_map(|parts| parts.concat())
}

/// Arbitrary bytes, up to about 4 KB.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..4096)
}

/// One damage done to a message.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a non-zero mask.
    Flip(Index, u8),
    /// Set one byte to a byte that matters to parsers.
    Set(Index, u8),
    /// Cut the message at a point (a download or copy that stopped).
    Truncate(Index),
    /// Remove up to `len` bytes from a point.
    Delete(Index, usize),
    /// Copy up to `len` bytes from one point to another.
    Duplicate(Index, usize, Index),
    /// Insert bytes (random or a token) at a point.
    Insert(Index, Vec<u8>),
    /// Rewrite every line end: 0 LF, 1 CRLF, 2 bare CR.
    LineEnds(u8),
    /// Rewrite one line end into another form (mixed line ends).
    OneLineEnd(Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    const SPECIAL: &[u8] = b"\0\r\n \t:;=-<>@\"\\\x80\xff";
    prop_oneof![
        3 => (any::<Index>(), 1..=255u8).prop_map(|(i, m)| Mutation::Flip(i, m)),
        2 => (any::<Index>(), proptest::sample::select(SPECIAL))
            .prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1..2048usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => (any::<Index>(), 1..2048usize, any::<Index>())
            .prop_map(|(i, n, at)| Mutation::Duplicate(i, n, at)),
        2 => (any::<Index>(), prop_oneof![vec(any::<u8>(), 1..64), token()])
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (0..3u8).prop_map(Mutation::LineEnds),
        1 => (any::<Index>(), 0..3u8).prop_map(|(i, f)| Mutation::OneLineEnd(i, f)),
    ]
}

fn eol(form: u8) -> &'static [u8] {
    match form {
        0 => b"\n",
        1 => b"\r\n",
        _ => b"\r",
    }
}

fn apply(message: &mut Vec<u8>, m: &Mutation) {
    let len = message.len();
    // `Index::index` needs a non-empty range; an empty message only grows.
    match m {
        Mutation::Insert(at, bytes) => {
            let at = at.index(len + 1);
            message.splice(at..at, bytes.iter().copied());
        }
        Mutation::LineEnds(form) => {
            let mut out = Vec::with_capacity(len + len / 16);
            let mut i = 0;
            while i < len {
                match message[i] {
                    b'\r' => {
                        out.extend_from_slice(eol(*form));
                        if message.get(i + 1) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'\n' => out.extend_from_slice(eol(*form)),
                    b => out.push(b),
                }
                i += 1;
            }
            *message = out;
        }
        _ if len == 0 => {}
        Mutation::Flip(i, mask) => message[i.index(len)] ^= mask,
        Mutation::Set(i, b) => message[i.index(len)] = *b,
        Mutation::Truncate(i) => message.truncate(i.index(len)),
        Mutation::Delete(i, n) => {
            let start = i.index(len);
            let end = start.saturating_add(*n).min(len);
            message.drain(start..end);
        }
        Mutation::Duplicate(i, n, at) => {
            let start = i.index(len);
            let end = start.saturating_add(*n).min(len);
            let copy = message[start..end].to_vec();
            let at = at.index(len + 1);
            message.splice(at..at, copy);
        }
        Mutation::OneLineEnd(i, form) => {
            let from = i.index(len);
            if let Some(pos) = message[from..].iter().position(|&b| b == b'\n') {
                let pos = from + pos;
                let start = if pos > 0 && message[pos - 1] == b'\r' {
                    pos - 1
                } else {
                    pos
                };
                message.splice(start..=pos, eol(*form).iter().copied());
            }
        }
    }
}

/// A fixture (chosen by `which`) with `mutations` applied, and its name.
fn mutated(which: &Index, mutations: &[Mutation]) -> (&'static str, Vec<u8>) {
    let fixtures = fixtures();
    let (name, bytes) = &fixtures[which.index(fixtures.len())];
    let mut bytes = bytes.clone();
    for m in mutations {
        apply(&mut bytes, m);
    }
    (name, bytes)
}

// ---------------------------------------------------------------------------
// Invariants

/// The kind each group gives (BOUNCES.md, "Reasons, groups and kinds");
/// `notaccept` is hard or soft depending on whether it reads as temporary.
fn kind_fits(reason: Reason, kind: Kind) -> bool {
    match reason.group() {
        Group::Address if reason == Reason::NotAccept => matches!(kind, Kind::Hard | Kind::Soft),
        Group::Address => kind == Kind::Hard,
        Group::Mailbox | Group::Transient | Group::SenderSide => kind == Kind::Soft,
        Group::Complaint => kind == Kind::Complaint,
        Group::AutoReply => kind == Kind::AutoReply,
        Group::Delivered => kind == Kind::Delivered,
        Group::Undetermined => kind == Kind::Undetermined,
    }
}

/// `bounce::analyze` returns (it does not panic) and what it returns hangs
/// together. A panic inside is reported by proptest with the shrunk input.
fn check_analyze(raw: &[u8]) -> Result<(), TestCaseError> {
    let Ok(a) = bounce::analyze(raw) else {
        // A MailError is a proper answer for input that is not a message.
        return Ok(());
    };
    prop_assert_eq!(
        a.decoder.is_none(),
        a.kind == MessageKind::NotBounce,
        "a decoder is named exactly when the message is recognised: {:?}",
        a
    );
    if a.kind == MessageKind::NotBounce {
        prop_assert!(a.findings.is_empty(), "{:?}", a.findings);
    }
    let mut seen: Vec<String> = Vec::new();
    for f in &a.findings {
        prop_assert!(
            !f.recipient.is_empty() && f.recipient.trim() == f.recipient,
            "recipient must be non-empty and trimmed: {:?}",
            f
        );
        prop_assert!(kind_fits(f.reason, f.kind), "kind vs reason: {:?}", f);
        let lower = f.recipient.to_lowercase();
        prop_assert!(!seen.contains(&lower), "recipient listed twice: {:?}", f);
        seen.push(lower);
    }
    Ok(())
}

const RECORD_KINDS: &[&str] = &[
    "hard",
    "soft",
    "complaint",
    "auto_reply",
    "delivered",
    "undetermined",
    "not_bounce",
    "unreadable",
];

/// `classify_message` gives at least one record, all for this message and
/// each shaped as the JSON contract says for its kind.
fn check_classify(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let msg = RawMessage {
        source: "prop.eml".to_string(),
        index: 7,
        bytes,
    };
    let records = classify::classify_message(&msg);
    prop_assert!(!records.is_empty(), "no record for a message");
    for r in &records {
        prop_assert!(r.source == msg.source && r.index == msg.index, "{:?}", r);
        prop_assert!(RECORD_KINDS.contains(&r.kind), "{:?}", r);
        match r.kind {
            "not_bounce" => {
                prop_assert!(records.len() == 1 && r.recipient.is_none(), "{:?}", records)
            }
            "unreadable" => prop_assert!(
                records.len() == 1 && r.recipient.is_none() && r.error.is_some(),
                "{:?}",
                records
            ),
            _ => prop_assert!(
                r.recipient.as_deref().is_some_and(|s| !s.is_empty())
                    && r.reason.is_some()
                    && r.group.is_some()
                    && r.error.is_none(),
                "{:?}",
                r
            ),
        }
        // The line must serialise; the CLI writes exactly this.
        prop_assert!(serde_json::to_string(r).is_ok());
    }
    Ok(())
}

/// How a test file is presented to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The bytes as they are, in `input.eml`.
    Plain,
    /// `From ` line first, so the mbox splitter reads it.
    Mbox,
    /// A zip local-file-header signature first.
    ZipMagic,
    /// The bytes as they are, in a file named `.zip`.
    ZipName,
}

/// Writes `bytes` in the given shape, walks it and checks the walk's accounting.
fn check_walk(bytes: &[u8], shape: Shape) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let (name, content) = match shape {
        Shape::Plain => ("input.eml", bytes.to_vec()),
        Shape::Mbox => (
            "input",
            [
                b"From MAILER-DAEMON Tue May  7 09:14:02 2024\n".as_slice(),
                bytes,
            ]
            .concat(),
        ),
        Shape::ZipMagic => ("input.dat", [b"PK\x03\x04".as_slice(), bytes].concat()),
        Shape::ZipName => ("input.zip", bytes.to_vec()),
    };
    let path = dir.path().join(name);
    std::fs::write(&path, &content).unwrap();
    let (summary, items) = walk(std::slice::from_ref(&path));
    let source = path.to_string_lossy().into_owned();

    prop_assert!(summary.missing.is_empty());
    let messages: Vec<&RawMessage> = items
        .iter()
        .filter_map(|i| match i {
            Item::Message(m) => Some(m),
            Item::Unreadable { .. } => None,
        })
        .collect();
    prop_assert_eq!(summary.messages, messages.len(), "messages counted");
    prop_assert_eq!(
        summary.unreadable,
        items.len() - messages.len(),
        "unreadable counted"
    );
    for item in &items {
        let (s, _) = item_place(item);
        prop_assert!(s.starts_with(&source), "source {} for {}", s, source);
    }
    // The reader hands out parts of the file; it never makes bytes up.
    let total: usize = messages.iter().map(|m| m.bytes.len()).sum();
    prop_assert!(
        total <= content.len(),
        "{} bytes out of {}",
        total,
        content.len()
    );

    let whitespace_only = content.iter().all(u8::is_ascii_whitespace);
    match shape {
        Shape::Plain if whitespace_only => {
            prop_assert!(items.is_empty() && summary.skipped.other == 1)
        }
        Shape::Plain if content.starts_with(b"From ") || content.starts_with(b"PK") => {}
        Shape::Plain => {
            // A file named on the command line is always answered for: one
            // message, or one "unreadable" saying why not.
            prop_assert_eq!(items.len(), 1, "{:?}", items);
            prop_assert_eq!(item_place(&items[0]).1, 0);
        }
        Shape::Mbox => {
            for (n, item) in items.iter().enumerate() {
                prop_assert_eq!(item_place(item).1, n, "mbox indices count up");
            }
        }
        Shape::ZipMagic | Shape::ZipName => {
            // A broken archive is reported, never passed over in silence.
            prop_assert!(
                !items.is_empty() || summary.skipped != Skipped::default(),
                "{:?}",
                summary
            );
        }
    }
    Ok(())
}

fn item_place(item: &Item) -> (&str, usize) {
    match item {
        Item::Message(m) => (&m.source, m.index),
        Item::Unreadable { source, index, .. } => (source, *index),
    }
}

fn walk(paths: &[PathBuf]) -> (WalkSummary, Vec<Item>) {
    let mut items = Vec::new();
    let summary = mailbox::walk(paths, &Limits::default(), |item| {
        items.push(item);
        true
    });
    (summary, items)
}

// ---------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn analyze_survives_arbitrary_bytes(raw in bytes()) {
        check_analyze(&raw)?;
    }

    #[test]
    fn analyze_survives_mail_like_soup(raw in soup()) {
        check_analyze(&raw)?;
    }

    #[test]
    fn classify_message_always_answers_arbitrary_bytes(raw in bytes()) {
        check_classify(raw)?;
    }

    #[test]
    fn classify_message_always_answers_soup(raw in soup()) {
        check_classify(raw)?;
    }

    #[test]
    fn walk_accounts_for_arbitrary_files(raw in bytes()) {
        check_walk(&raw, Shape::Plain)?;
    }

    #[test]
    fn walk_accounts_for_arbitrary_mbox(raw in prop_oneof![bytes(), soup()]) {
        check_walk(&raw, Shape::Mbox)?;
    }

    #[test]
    fn walk_reports_fake_zips(raw in bytes()) {
        check_walk(&raw, Shape::ZipMagic)?;
        check_walk(&raw, Shape::ZipName)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn analyze_survives_mutated_fixtures(
        which in any::<Index>(),
        mutations in vec(mutation(), 1..8),
    ) {
        let (_name, raw) = mutated(&which, &mutations);
        check_analyze(&raw)?;
    }

    #[test]
    fn classify_message_always_answers_mutated_fixtures(
        which in any::<Index>(),
        mutations in vec(mutation(), 1..8),
    ) {
        let (_name, raw) = mutated(&which, &mutations);
        check_classify(raw)?;
    }

    /// Mutated fixtures strung into one mbox: the splitter finds every message
    /// whose separator survived, and the pipeline keeps them in order.
    #[test]
    fn mbox_of_mutated_fixtures_is_read_in_order(
        picks in vec((any::<Index>(), vec(mutation(), 0..4)), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mutated.mbox");
        let mut content = Vec::new();
        for (which, mutations) in &picks {
            let (_, raw) = mutated(which, mutations);
            content.extend_from_slice(b"From MAILER-DAEMON Tue May  7 09:14:02 2024\n");
            // The mbox writer's escaping, so a mutation that made a `From `
            // line does not split the message.
            for line in raw.split_inclusive(|&b| b == b'\n' || b == b'\r') {
                let quotes = line.iter().take_while(|&&b| b == b'>').count();
                if line[quotes..].starts_with(b"From ") {
                    content.push(b'>');
                }
                content.extend_from_slice(line);
            }
            content.extend_from_slice(b"\n\n");
        }
        std::fs::write(&path, &content).unwrap();
        let mut records: Vec<Record> = Vec::new();
        let summary = classify::run(
            std::slice::from_ref(&path),
            &Limits::default(),
            &AtomicBool::new(false),
            |r| {
                records.extend_from_slice(r);
                true
            },
        );
        prop_assert_eq!(summary.walk.messages + summary.walk.unreadable, picks.len());
        let mut indices: Vec<usize> = records.iter().map(|r| r.index).collect();
        indices.dedup();
        prop_assert_eq!(indices, (0..picks.len()).collect::<Vec<_>>());
    }
}

// ---------------------------------------------------------------------------
// Pathological shapes, run through the binary: a stack overflow aborts the
// whole process, which would take the test suite down with it.

/// Writes one message to a file, runs `classify` on it, checks that the
/// process succeeded and printed exactly one line, and returns that line.
fn classify_one_message_with_binary(name: &str, message: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, message).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_listhygiene"))
        .arg("classify")
        .arg(&path)
        .output()
        .expect("run listhygiene");
    assert!(
        out.status.success(),
        "{:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    stdout
}

/// MIME parts nested thousands deep (a recursive parser's stack overflow).
#[test]
fn deeply_nested_multipart_does_not_crash() {
    let depth = 20_000;
    let mut m =
        b"From: MAILER-DAEMON@example.com\nSubject: Undelivered Mail Returned to Sender\n".to_vec();
    for i in 0..depth {
        m.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n").as_bytes(),
        );
    }
    m.extend_from_slice(b"Content-Type: text/plain\n\nhello\n");
    for i in (0..depth).rev() {
        m.extend_from_slice(format!("--b{i}--\n").as_bytes());
    }
    classify_one_message_with_binary("deep.eml", &m);
}

/// One header line of many megabytes and a body without a line end.
#[test]
fn huge_lines_do_not_crash() {
    let mut m = b"From: a@example.com\nSubject: ".to_vec();
    m.extend(std::iter::repeat_n(b'x', 4 << 20));
    m.extend_from_slice(b"\nX-Failed-Recipients: ");
    m.extend(std::iter::repeat_n(b'@', 1 << 20));
    m.extend_from_slice(b"\n\n");
    m.extend(std::iter::repeat_n(b"y ".as_slice(), 2 << 20).flatten());
    classify_one_message_with_binary("long.eml", &m);
}

/// Delivery reports that each return the next one, thousands deep: every
/// level is a forwarded bounce to be decoded, so an unbounded decoder would
/// recurse (and copy the rest of the message) once per level.
#[test]
fn reports_returned_inside_reports_thousands_deep_do_not_crash() {
    let depth = 5_000;
    let mut head = Vec::new();
    for i in 0..depth {
        head.extend_from_slice(
            format!(
                "From: MAILER-DAEMON@mx{i}.example.net\nSubject: Undelivered Mail Returned to Sender\n\
                 MIME-Version: 1.0\n\
                 Content-Type: multipart/report; report-type=delivery-status; boundary=\"b{i}x\"\n\n\
                 --b{i}x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx{i}.example.net\n\n\
                 --b{i}x\nContent-Type: message/rfc822\n\n"
            )
            .as_bytes(),
        );
    }
    let mut m = head;
    m.extend_from_slice(
        b"From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail Returned to Sender\n\
          MIME-Version: 1.0\n\
          Content-Type: multipart/report; report-type=delivery-status; boundary=\"last\"\n\n\
          --last\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n\
          Final-Recipient: rfc822; anna@example.org\nAction: failed\nStatus: 5.1.1\n\n--last--\n",
    );
    for i in (0..depth).rev() {
        m.extend_from_slice(format!("\n--b{i}x--\n").as_bytes());
    }
    let stdout = classify_one_message_with_binary("nested-reports.eml", &m);
    // The report is buried too deep to be a forwarded bounce anyone sent:
    // the message is not read as one.
    assert!(stdout.contains("\"kind\":\"not_bounce\""), "{stdout}");
}
