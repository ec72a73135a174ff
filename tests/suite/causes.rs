//! One table per cause of misreading the classifier was taught to handle: for
//! each fixture written for that cause, the recipient, the kind, the reason
//! and the rule that must decide (`Finding::rule`, the JSON `rule` field).
//! `fixtures.rs` checks the same files' status and reply codes; these tables
//! pin down *why* each verdict is reached, so that a verdict reached by the
//! wrong rule fails here.

use std::process::{Command, Stdio};

use listhygiene::bounce::{self, MessageKind};
use listhygiene::mailbox::detect::{self, Content};

use crate::common::{fixtures_dir, read_fixture};

/// One recipient of one fixture: what it must give, and by which rule.
struct Case {
    file: &'static str,
    recipient: &'static str,
    kind: &'static str,
    reason: &'static str,
    rule: &'static str,
}

const fn case(
    file: &'static str,
    recipient: &'static str,
    kind: &'static str,
    reason: &'static str,
    rule: &'static str,
) -> Case {
    Case {
        file,
        recipient,
        kind,
        reason,
        rule,
    }
}

/// Checks every case and reports all mismatches at once.
fn check(cases: &[Case]) {
    let mut wrong = Vec::new();
    for c in cases {
        let analysis =
            bounce::analyze(&read_fixture(c.file)).unwrap_or_else(|e| panic!("{}: {e}", c.file));
        assert_eq!(
            analysis.kind,
            MessageKind::Bounce,
            "{}: not read as a bounce: {:?}",
            c.file,
            analysis.findings
        );
        let Some(f) = analysis
            .findings
            .iter()
            .find(|f| f.recipient.eq_ignore_ascii_case(c.recipient))
        else {
            wrong.push(format!(
                "{}: recipient {} not found in {:?}",
                c.file,
                c.recipient,
                analysis
                    .findings
                    .iter()
                    .map(|f| &f.recipient)
                    .collect::<Vec<_>>()
            ));
            continue;
        };
        let got = (f.kind.as_str(), f.reason.as_str(), f.rule.name());
        if got != (c.kind, c.reason, c.rule) {
            wrong.push(format!(
                "{} {}: expected {}/{} by {}, got {}/{} by {} ({})",
                c.file, c.recipient, c.kind, c.reason, c.rule, got.0, got.1, got.2, f.note
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// Cause 1: the SMTP stage is written only in the prose (Postfix "in reply to
// RCPT TO command", a Sendmail transcript, Exim "after pipelined RCPT TO"),
// while the DSN says only `Status: 5.0.0` / `smtp; 550 User unknown`, or
// there is no DSN at all.
#[test]
fn stage_in_the_prose_only() {
    check(&[
        case(
            "postfix-05.eml",
            "ben.carter@example.org",
            "hard",
            "userunknown",
            "words",
        ),
        case(
            "sendmail-03.eml",
            "chloe.martin@example.net",
            "hard",
            "userunknown",
            "words",
        ),
        case(
            "exim-03.eml",
            "daniel.weber@example.org",
            "hard",
            "userunknown",
            "words",
        ),
    ]);
}

// Cause 2: clear words beat the status code (a 5.1.1 that says the message is
// too large or the mailbox suspended; RFC 5321's default "mailbox not
// available" leaves the x.2.1 status to decide).
#[test]
fn clear_words_beat_status_codes() {
    check(&[
        case(
            "postfix-06.eml",
            "emma.wright@example.net",
            "soft",
            "mesgtoobig",
            "words",
        ),
        case(
            "exim-04.eml",
            "felipe.costa@example.com",
            "soft",
            "suspend",
            "words",
        ),
        case(
            "sendmail-04.eml",
            "hugo.lambert@example.org",
            "soft",
            "suspend",
            "status-code",
        ),
    ]);
}

// Cause 3: words read with their referent (a quota on the sending IP, the
// server's disk at MAIL FROM, the headers' size, authentication to a group,
// a refusal of the connection).
#[test]
fn words_with_their_referent() {
    check(&[
        case(
            "rfc3464-03.eml",
            "ivan.horvat@example.org",
            "soft",
            "speeding",
            "words",
        ),
        case(
            "postfix-07.eml",
            "jana.novak@example.com",
            "soft",
            "systemfull",
            "storage-before-recipient",
        ),
        case(
            "sendmail-05.eml",
            "karl.jensen@example.net",
            "soft",
            "contenterror",
            "words",
        ),
        case(
            "office365-03.eml",
            "board@tenant.example.org",
            "soft",
            "policyviolation",
            "words",
        ),
        case(
            "exim-05.eml",
            "lucia.romano@example.org",
            "soft",
            "blocked",
            "host-refused",
        ),
    ]);
}

// Cause 4: text outside the error (the returned message's headers, a
// gateway's virus-scan footer) must not decide.
#[test]
fn text_outside_the_error_does_not_decide() {
    let cases = [
        case(
            "x4-02.eml",
            "marta.silva@example.net",
            "soft",
            "filtered",
            "unknown-unbacked",
        ),
        case(
            "exim-06.eml",
            "nils.karlsson@example.com",
            "hard",
            "userunknown",
            "words",
        ),
        case(
            "x1-02.eml",
            "oscar.lind@example.org",
            "soft",
            "filtered",
            "unknown-unbacked",
        ),
    ];
    check(&cases);
    for c in &cases {
        let analysis = bounce::analyze(&read_fixture(c.file)).unwrap();
        for f in &analysis.findings {
            assert_ne!(f.reason.as_str(), "virusdetected", "{}: {f:?}", c.file);
        }
    }
}

// Cause 4, the footers: the verdict with the footer is the verdict without it.
#[test]
fn virus_scan_footer_changes_nothing() {
    for (file, footer_start) in [
        ("exim-06.eml", "\n______"),
        ("x1-02.eml", "\n--\nThis email has been scanned"),
    ] {
        let bytes = read_fixture(file);
        let text = std::str::from_utf8(&bytes).unwrap();
        let at = text
            .find(footer_start)
            .unwrap_or_else(|| panic!("{file}: footer not found"));
        let bare = format!("{}\n", &text[..at]);
        let with = bounce::analyze(&bytes).unwrap();
        let without = bounce::analyze(bare.as_bytes()).unwrap();
        let verdicts = |a: &bounce::Analysis| {
            a.findings
                .iter()
                .map(|f| {
                    (
                        f.recipient.clone(),
                        f.kind.as_str(),
                        f.reason.as_str(),
                        f.rule.name(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(verdicts(&with), verdicts(&without), "{file}");
    }
}

// Cause 5: the reply names its own lookup ("in local recipient table",
// Sendmail's mail.local "unknown user"), relayed with no stage and a generic
// 5.0.0.
#[test]
fn own_lookup_words() {
    check(&[
        case(
            "rfc3464-02.eml",
            "paula.mendes@example.com",
            "hard",
            "userunknown",
            "own-lookup-words",
        ),
        case(
            "sendmail-06.eml",
            "anna@mail.example.net",
            "hard",
            "userunknown",
            "own-lookup-words",
        ),
    ]);
}

// Cause 6: a DNS failure (try again, malformed reply) is a network problem;
// NXDOMAIN is a missing domain.
#[test]
fn dns_failure_versus_nonexistence() {
    check(&[
        case(
            "postfix-08.eml",
            "quentin.roux@gardenclub.example",
            "soft",
            "networkerror",
            "words",
        ),
        case(
            "postfix-09.eml",
            "rosa.vidal@example.net",
            "soft",
            "networkerror",
            "words",
        ),
        case(
            "rfc3464-04.eml",
            "tomas.ruiz@gone.example",
            "hard",
            "hostunknown",
            "words",
        ),
    ]);
}

// Cause 6: Exim's routing failure for a domain whose MX hosts do not exist.
#[test]
fn dns_exim_mx_points_to_non_existent_hosts() {
    check(&[case(
        "exim-07.eml",
        "sara.kim@nomx.example.org",
        "hard",
        "hostunknown",
        "words",
    )]);
}

// Cause 8: messages that were not read at all (a qmail-send notice with a
// neutral From and Subject and no Return-Path, Exim's "retry time not
// reached", an address-verification report, a Google multi-line reply whose
// continuation lines are not indented, a file ending in a NUL byte).
#[test]
fn messages_that_were_not_read() {
    check(&[
        case(
            "qmail-03.eml",
            "uma.patel@example.net",
            "hard",
            "userunknown",
            "words",
        ),
        case(
            "exim-08.eml",
            "victor.hugo@example.com",
            "soft",
            "expired",
            "words",
        ),
        case(
            "postfix-10.eml",
            "wendy.clark@example.org",
            "delivered",
            "delivered",
            "action",
        ),
        case(
            "opensmtpd-03.eml",
            "xenia.popov@example.com",
            "soft",
            "authfailure",
            "words",
        ),
        case(
            "postfix-11.eml",
            "yusuf.demir@example.net",
            "hard",
            "userunknown",
            "own-lookup-words",
        ),
    ]);
}

// Cause 8: the qmail fixture really has none of the usual bounce signs.
#[test]
fn qmail_notice_without_bounce_headers() {
    let bytes = read_fixture("qmail-03.eml");
    let text = std::str::from_utf8(&bytes).unwrap();
    let headers = &text[..=text.find("\n\n").unwrap()];
    assert!(!headers.to_ascii_lowercase().contains("return-path:"));
    assert!(headers.contains("\nFrom: postmaster@mail.example.net\n"));
    assert!(headers.contains("\nSubject: Delivery report\n"));
    let analysis = bounce::analyze(&bytes).unwrap();
    assert_eq!(analysis.decoder, Some("qmail"), "{analysis:?}");
}

// Cause 8: Google's continuation lines (`550-5.7.26 ...` at the start of the
// line) belong to the reply, not to a new recipient or the framing.
#[test]
fn unindented_multiline_reply_is_one_error() {
    let analysis = bounce::analyze(&read_fixture("opensmtpd-03.eml")).unwrap();
    assert_eq!(analysis.findings.len(), 1, "{:?}", analysis.findings);
    let diagnostic = analysis.findings[0].diagnostic.as_deref().unwrap_or("");
    for words in ["unauthenticated", "SPF or DKIM"] {
        assert!(diagnostic.contains(words), "{words}: {diagnostic}");
    }
}

// Cause 8: a file with a stray NUL byte at its very end is still mail, both
// for the sniffer and through the command line.
#[test]
fn trailing_nul_byte_is_read_through_the_cli() {
    let bytes = read_fixture("postfix-11.eml");
    assert_eq!(bytes.last(), Some(&0), "the fixture must end in a NUL byte");
    assert_eq!(
        bytes.iter().filter(|&&b| b == 0).count(),
        1,
        "exactly one NUL byte"
    );
    assert_eq!(detect::sniff(&bytes, true), Content::Message);

    let out = Command::new(env!("CARGO_BIN_EXE_listhygiene"))
        .arg("classify")
        .arg(fixtures_dir().join("postfix-11.eml"))
        .stdin(Stdio::null())
        .output()
        .expect("run listhygiene");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let line = &lines[0];
    assert_eq!(line["recipient"], "yusuf.demir@example.net", "{line}");
    assert_eq!(line["kind"], "hard", "{line}");
    assert_eq!(line["reason"], "userunknown", "{line}");
    assert_eq!(line["rule"], "own-lookup-words", "{line}");
}
