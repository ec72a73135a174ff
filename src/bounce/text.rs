//! Reading bounces that MTAs write as prose.
//!
//! Most non-standard bounces share one shape: some boilerplate, then for each
//! failed recipient a line naming the address followed by (or ending with) the
//! error text, then a copy of the original. [`extract`] finds that shape inside
//! the section a [`Layout`] delimits; the MTA family modules supply layouts and
//! handle what does not fit.

use super::RawFinding;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::LazyLock;

use super::address;
use super::markers::MarkerSet;
use super::message::Mail;

/// Where a family's notification text starts and stops.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout {
    /// Lines (lower-case substrings) after which the recipient section starts;
    /// the first one found wins. Empty: from the top.
    pub begin: &'static [&'static str],
    /// Lines (lower-case substrings) where the recipient section ends, in
    /// addition to the common original-message markers.
    pub end: &'static [&'static str],
}

/// Lines that introduce the copy of the original message (lower case).
pub const ORIGINAL_MARKERS: &[&str] = &[
    "original message follows",
    "----- original message -----",
    "-----original message-----",
    "this is a copy of the message",
    "below this line is a copy of the message",
    "returned message follows",
    "unsent message follows",
    "unsent message below",
    "----- message header follows",
    "the header of the original message",
    "original message header",
    "original message headers",
    "headers of the original message",
    "content-type: message/rfc822",
    "content-type: text/rfc822-headers",
    "------ the original message",
    "--- original message",
    "original message text follows",
    "header of returned message",
    "---- original message ----",
    "your message reads (in part)",
    "the text you sent follows",
    "message header follows",
    "copy of the original message",
    "original header follows",
    "received message follows",
    "--- message follows ---",
    "------- returned message",
    "message text follows",
    "----- returned message",
    // demon.net's Exim 2: "---- START OF RETURNED MESSAGE ----".
    "start of returned message",
    // Exim 2: "Here is a copy of the first part of the message, including
    // all headers."
    "here is a copy of the first part of the message",
    // A heading that introduces a summary of the original (its From, To and
    // Subject), like "original message headers" introduces its headers.
    "original message details",
];

static ORIGINAL: LazyLock<MarkerSet> = LazyLock::new(|| MarkerSet::new(ORIGINAL_MARKERS));

/// The header block of an original message quoted after a marker line: the
/// first marker that a header block follows (a notice may print a summary
/// after one marker and the headers after another).
pub fn quoted_original(text: &str) -> Option<&str> {
    ORIGINAL
        .all(text)
        .take(8)
        .find_map(|(_, marker_end, _)| headers_after(&text[marker_end..]))
}

fn headers_after(after: &str) -> Option<&str> {
    let after = &after[after.find('\n').map_or(after.len(), |i| i + 1)..];
    // Skip blank lines and the MIME headers of an embedded part.
    let start = after
        .lines()
        .take_while(|l| l.trim().is_empty())
        .map(|l| l.len() + 1)
        .sum::<usize>()
        .min(after.len());
    let body = &after[start..];
    let block = super::message::header_block(body);
    looks_like_headers(block).then_some(block)
}

fn looks_like_headers(block: &str) -> bool {
    let mut lines = block.lines().filter(|l| !l.starts_with([' ', '\t']));
    lines.next().is_some_and(is_header_line)
        && block.lines().filter(|l| is_header_line(l)).count() >= 2
}

fn is_header_line(line: &str) -> bool {
    match line.split_once(':') {
        Some((name, _)) => {
            !name.is_empty()
                && name.len() < 40
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        None => false,
    }
}

/// The part of `text` between a layout's begin marker and the original.
pub fn section<'a>(text: &'a str, layout: &Layout) -> &'a str {
    section_of(text, layout)
}

fn section_of<'a>(text: &'a str, layout: &Layout) -> &'a str {
    section_lowered(text, None, layout)
}

/// The section of a message's notice, with the lower-cased copy the message
/// already made.
pub fn section_of_mail<'a>(mail: &'a Mail, layout: &Layout) -> &'a str {
    let needs_lower = !layout.begin.is_empty() || !layout.end.is_empty();
    let lower = needs_lower.then(|| mail.lower_text());
    section_lowered(&mail.text, lower, layout)
}

fn section_lowered<'a>(text: &'a str, lower: Option<&str>, layout: &Layout) -> &'a str {
    let find = |hay: &str, needle: &str| memchr::memmem::find(hay.as_bytes(), needle.as_bytes());
    let needs_lower = !layout.begin.is_empty() || !layout.end.is_empty();
    let owned;
    let lower: &str = match lower {
        Some(l) if l.len() == text.len() => l,
        _ if needs_lower => {
            owned = text.to_ascii_lowercase();
            &owned
        }
        _ => "",
    };
    let start = layout
        .begin
        .iter()
        .filter_map(|m| find(lower, m))
        .min()
        .map(|i| lower[i..].find('\n').map_or(text.len(), |e| i + e + 1))
        .unwrap_or(0);
    let original = ORIGINAL.first(&text[start..]).map(|(i, _, _)| start + i);
    // Only before the marked original: what follows it is cut anyway.
    let quoted_headers =
        quoted_header_block(&text[start..original.unwrap_or(text.len())]).map(|i| start + i);
    let end = layout
        .end
        .iter()
        .filter_map(|m| find(&lower[start..], m).map(|i| start + i))
        .chain(original)
        .chain(quoted_headers)
        .min()
        .unwrap_or(text.len());
    // Cut back to the start of the marker line.
    let end = text[..end]
        .rfind('\n')
        .map_or(start.min(end), |i| i.max(start));
    &text[start..end.max(start)]
}

/// Fields that open a quoted message's header and never a notice's own
/// labelled lines: the trace fields an MTA puts first (RFC 5321 §4.4) and the
/// origin fields a sender's software does (RFC 5322 §3.6.4, MIME, DKIM).
/// Not `Date`: a notice's summary of the original (Verizon's "Original
/// Message: From / To / Subject / Date") names the recipient on purpose.
const TRACE_FIELDS: &[&str] = &[
    "received:",
    "return-path:",
    "message-id:",
    "mime-version:",
    "dkim-signature:",
];

/// Where a message's header block starts in a notice that quotes it with no
/// marker line: after a blank line, at column 0, one of [`TRACE_FIELDS`] and
/// at least one more header line. Its addresses (the original's `To:`) are
/// not failed recipients.
fn quoted_header_block(text: &str) -> Option<usize> {
    memchr::memmem::find_iter(text.as_bytes(), b"\n\n").find_map(|blank| {
        let at = blank + 2;
        let rest = text.get(at..)?;
        let starts = |name: &[u8]| {
            rest.as_bytes()
                .get(..name.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(name))
        };
        let trace = TRACE_FIELDS.iter().any(|f| starts(f.as_bytes()));
        (trace && looks_like_headers(super::message::header_block(rest))).then_some(at)
    })
}

/// One recipient line found in a notification, with its error text.
#[derive(Debug)]
struct Anchor {
    recipient: String,
    /// The address the recipient was expanded from (Postfix's alias note).
    original: Option<String>,
    line: usize,
    /// Text on the anchor line after the address.
    tail: String,
    strength: u8,
}

/// Reads recipient / error pairs from a notification's prose.
pub fn extract(mail: &Mail, layout: &Layout) -> Vec<RawFinding> {
    let section = section_of_mail(mail, layout);
    extract_from(mail, section)
}

/// Reads recipient / error pairs from a given piece of prose.
pub fn extract_from(mail: &Mail, section: &str) -> Vec<RawFinding> {
    let lines: Vec<&str> = section.lines().collect();
    let mut excluded = own_addresses(mail);
    excluded.extend(message_ids(mail, section));
    let mut anchors: Vec<Anchor> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(a) = anchor_in(line, i)
            && !excluded
                .iter()
                .any(|e| e.eq_ignore_ascii_case(&a.recipient))
            && !address::is_system_address(&a.recipient)
        {
            anchors.push(a);
        }
    }
    let best = anchors.iter().map(|a| a.strength).max().unwrap_or(0);
    anchors.retain(|a| a.strength == best);
    let mut out: Vec<RawFinding> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (n, a) in anchors.iter().enumerate() {
        let next = anchors.get(n + 1).map_or(lines.len(), |b| b.line);
        let mut diagnostic = a.tail.clone();
        // A line that names the address and its error ("<a@b>... User
        // unknown", "<a@b>: host … said:") owns only its indented
        // continuation lines; an address alone owns what follows it.
        let self_contained = a.tail.split_whitespace().count() >= 2;
        let mut previous = a.tail.as_str();
        let mut original = a.original.clone();
        for (at, line) in lines
            .iter()
            .enumerate()
            .take(next.min(a.line + 25))
            .skip(a.line + 1)
        {
            if self_contained && !line.starts_with([' ', '\t']) && !continues_reply(previous, line)
            {
                break;
            }
            previous = line;
            // The returned message's header begins: what follows is the
            // original, not the error.
            if starts_header_block(&lines, at) {
                break;
            }
            if is_separator(line) {
                continue;
            }
            // Sendmail writes the alias on the line after the address:
            // "    (expanded from: anna@example.org)"; the address the list
            // holds is that one (as Postfix's same-line note).
            if original.is_none()
                && let Some(note) = line.trim_start().strip_prefix("(expanded from")
            {
                original = address::find_all(note)
                    .next()
                    .map(|(_, _, a)| a.to_string());
            }
            diagnostic.push('\n');
            diagnostic.push_str(line);
        }
        match index.entry(a.recipient.to_lowercase()) {
            Entry::Occupied(at) => {
                let existing = &mut out[*at.get()];
                existing.diagnostic.push('\n');
                existing.diagnostic.push_str(&diagnostic);
                if existing.original_recipient.is_none() {
                    existing.original_recipient.clone_from(&original);
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(out.len());
                out.push(RawFinding {
                    recipient: a.recipient.clone(),
                    original_recipient: original,
                    diagnostic,
                    ..RawFinding::default()
                });
            }
        }
    }
    if out.len() == 1 {
        out[0].command = super::diagnose::find_command(section);
    }
    // Some formats give the reason once, before or after the list of
    // recipients (MailMarshal, Notes, Biglobe, Verizon): a recipient whose own
    // lines say nothing takes the whole notification as its evidence.
    if out.iter().any(|f| !says_why(&f.diagnostic)) {
        let mut whole = String::new();
        // Header fields (a part's MIME header, a quoted original's
        // fields) and their folded lines are skipped: never the error.
        let mut in_header = false;
        // Advice to the reader ("If you are the sender, set up SPF records
        // …") and footers ("This email has been scanned for all viruses")
        // are skipped to the end of their paragraph: they are not the error.
        let mut in_advice = false;
        for line in section_of(&mail.text, &Layout::default()).lines() {
            let folded = line.starts_with([' ', '\t']) && !line.trim().is_empty();
            in_header = is_returned_header(line) || in_header && folded;
            if in_header {
                continue;
            }
            if line.trim().is_empty() {
                in_advice = false;
                continue;
            }
            in_advice = in_advice || is_advice_or_footer(line);
            if in_advice || is_framing(line) {
                continue;
            }
            if is_separator(line) || line.trim().is_empty() {
                continue;
            }
            // Enough for the reason; a notification listing thousands of
            // recipients must not be copied to each of them.
            if whole.len() + line.len() > MAX_SHARED_EVIDENCE {
                break;
            }
            whole.push('\n');
            whole.push_str(line);
        }
        for f in out.iter_mut().filter(|f| !says_why(&f.diagnostic)) {
            f.diagnostic.push_str(&whole);
        }
    }
    out
}

/// How much of a notification is shared as evidence with recipients whose
/// own lines name no reason.
const MAX_SHARED_EVIDENCE: usize = 4096;

/// Decorative lines between sections (`----- Transcript … -----`, `=====`).
fn is_separator(line: &str) -> bool {
    let t = line.trim();
    let is_mark = |c: char| matches!(c, '-' | '=' | '*' | '_');
    let starts = t.starts_with("---")
        || t.starts_with("===")
        || t.starts_with("***")
        || t.starts_with("___");
    // A rule of marks alone, or a title framed by marks on both sides; a
    // label after marks only ("-------SMTP command") is content.
    starts && (t.chars().all(is_mark) || t.chars().last().is_some_and(is_mark))
}

/// Header fields of a message (RFC 5322 §3.6, MIME, trace and list fields,
/// and any `X-` field) as they stand at the top of a returned original. A
/// notice's own labelled lines ("Reason:", "Status:", "Diagnostic-Code:",
/// "Remote-MTA:") are not among them. The reason must come from the error,
/// never from the original's headers (`X-Virus-Scanned`, an `X-Mailer`
/// version string).
fn is_returned_header(line: &str) -> bool {
    const FIELDS: &[&str] = &[
        "received",
        "return-path",
        "message-id",
        "date",
        "from",
        "sender",
        "reply-to",
        "cc",
        "subject",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "dkim-signature",
        "authentication-results",
        "references",
        "in-reply-to",
        "user-agent",
        "list-id",
        "list-unsubscribe",
        "precedence",
    ];
    let Some((name, _)) = line.split_once(':') else {
        return false;
    };
    if name.is_empty() || name.starts_with([' ', '\t']) || !is_header_line(line) {
        return false;
    }
    (name.len() > 2 && name.as_bytes()[..2].eq_ignore_ascii_case(b"x-"))
        || FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// Sentences a notice says to its reader that are not the error: advice
/// ("If you …", "Please …", "For more information …"), and gateways'
/// footers ("This email has been scanned for all viruses by …"). A line
/// that carries an SMTP reply or status code is never skipped.
fn is_advice_or_footer(line: &str) -> bool {
    const OPENERS: &[&str] = &[
        "if ",
        "please ",
        "for more information",
        "for further",
        "for assistance",
        "to learn more",
        "learn more",
        "you may ",
        "you can ",
        "you might ",
        "make sure",
        "to resolve",
        "to fix",
        "contact your",
        "note:",
    ];
    const FOOTERS: &[&str] = &[
        "has been scanned",
        "scanned for all viruses",
        "scanned for viruses",
        "scanned by",
        "virus-free",
        "powered by",
    ];
    static FOOTER_SET: LazyLock<MarkerSet> = LazyLock::new(|| MarkerSet::new(FOOTERS));
    let trimmed = line.trim().as_bytes();
    let says = OPENERS
        .iter()
        .any(|o| trimmed.len() >= o.len() && trimmed[..o.len()].eq_ignore_ascii_case(o.as_bytes()))
        || FOOTER_SET.any(line);
    says && !carries_a_code(line)
}

/// The notice's framing: sentences that say delivery failed, true of every
/// failure and so no reason ("Sorry, we were unable to deliver your
/// message", "This is only a temporary failure report", "rejected by the
/// recipient domain"). The error follows them.
fn is_framing(line: &str) -> bool {
    static FRAMING: LazyLock<MarkerSet> = LazyLock::new(|| {
        MarkerSet::new(&[
            "this is only a temporary failure report",
            "this is only a warning message",
            "we were unable to deliver",
            "unable to deliver your message",
            "your message could not be delivered",
            "message could not be delivered",
            "could not be delivered to one or more",
            "rejected by the recipient domain",
            "delivery has failed to these recipients",
            "did not reach the following recipient",
            "this is an automatically generated",
        ])
    });
    FRAMING.any(line) && !carries_a_code(line)
}

fn carries_a_code(line: &str) -> bool {
    super::diagnose::find_status(line).is_some() || super::diagnose::find_reply_code(line).is_some()
}

/// RFC 5321 §4.2.1: every line of a multi-line reply but the last has the
/// code followed by a hyphen (`550-5.1.1 …`), the last the code and a space.
/// A line that continues the reply the previous line began belongs to the
/// same error even when it is not indented.
fn continues_reply(previous: &str, line: &str) -> bool {
    let code = |l: &str| -> Option<(String, u8)> {
        let l = l.trim_start().trim_start_matches("<<< ");
        let bytes = l.as_bytes();
        (bytes.len() >= 4 && bytes[..3].iter().all(u8::is_ascii_digit))
            .then(|| (l[..3].to_string(), bytes[3]))
    };
    // The previous line may carry the address before its reply.
    let reply_start = previous
        .find(|c: char| c.is_ascii_digit())
        .map_or("", |i| &previous[i..]);
    match (code(reply_start), code(line)) {
        (Some((a, b'-')), Some((b, sep))) => a == b && (sep == b'-' || sep == b' '),
        _ => false,
    }
}

/// A returned message's header block starts at `lines[at]`: a header field
/// followed by another or by a folded continuation (one "From: … RCPT: …"
/// summary line of a notice is not a header block).
fn starts_header_block(lines: &[&str], at: usize) -> bool {
    lines.get(at).is_some_and(|l| is_returned_header(l))
        && lines.get(at + 1).is_some_and(|n| {
            is_returned_header(n) || n.starts_with([' ', '\t']) && !n.trim().is_empty()
        })
}

/// True when a text carries evidence of a reason: a status code or a phrase.
fn says_why(text: &str) -> bool {
    super::diagnose::find_status(text).is_some()
        || super::diagnose::reason_from_text(text).is_some()
        || super::diagnose::reason_from_weak_text(text).is_some()
}

/// Labels that introduce a failed recipient on the same line.
const RECIPIENT_LABELS: &[&str] = &[
    "original-recipient",
    "final-recipient",
    "failed recipient",
    "failed address",
    "recipient address",
    "recipients",
    "recipient",
    "invalid recipient",
    "unknown recipient",
    "address",
    "rcpt to",
    "email address",
    "e-mail address",
    "mailbox",
    "user",
    "to",
    "an",
    "for",
    "destinataire",
    "empfänger",
    "adresse",
];

fn anchor_in(line: &str, index: usize) -> Option<Anchor> {
    let trimmed = line.trim();
    if let Some(a) = program_anchor(trimmed, index) {
        return Some(a);
    }
    let (start, end, addr) = address::find_all(trimmed).next()?;
    let before = trimmed[..start].trim();
    // `<a@b>`, `"a@b"`, `'a@b'`, and `[a@b]` ("* [a@b]: 550 …" lists): the
    // brackets and quotes around the address delimit it, they are not text.
    let after = trimmed[end..].trim_start_matches(['>', '\'', '"', ']']);
    let make = |strength: u8, tail: &str, original: Option<String>| Anchor {
        recipient: addr.to_string(),
        original,
        line: index,
        tail: tail.trim().to_string(),
        strength,
    };
    let before_plain = before.trim_end_matches(['<', '"', '\'', '(', '[']).trim();
    // The address alone on its line, maybe in brackets, maybe with a colon or
    // an "(expanded from …)" note.
    if before_plain.is_empty() || before_plain == "*" || before_plain == "-" {
        // Postfix: "<final@…> (expanded from <original@…>): error". The
        // address the alias was expanded from is the one the sender used.
        let (original, rest) = match expanded_from(after.trim()) {
            Some((from, rest)) => (Some(from.to_string()), rest),
            None => (None, after.trim()),
        };
        let make = |strength: u8, tail: &str| make(strength, tail, original.clone());
        if rest.is_empty()
            || rest == ":"
            || rest.starts_with("(expanded from")
            || rest.starts_with("(generated from")
            || rest.starts_with("(ultimately generated")
        {
            return Some(make(3, ""));
        }
        if let Some(tail) = rest.strip_prefix(':').or_else(|| rest.strip_prefix("...")) {
            return Some(make(3, tail));
        }
        if rest.starts_with('(')
            || rest.starts_with(',')
            || rest.starts_with(';')
            || rest.starts_with("- ")
        {
            return Some(make(3, rest));
        }
        return Some(make(2, rest));
    }
    let make = |strength: u8, tail: &str| make(strength, tail, None);
    // "550 5.1.1 <user@example.com>... User unknown" (Sendmail) and similar.
    if before_plain.split_whitespace().all(|w| {
        w.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    }) && (after.starts_with("...") || after.starts_with(':'))
    {
        return Some(make(3, trimmed));
    }
    let label = before_plain
        .trim_end_matches([':', '=', '.'])
        .trim()
        .to_lowercase();
    // A message identifier (RFC 5322 §3.6.4: `id-left "@" id-right`) looks
    // like an address but names a message, never a recipient.
    const MESSAGE_ID_LABELS: &[&str] = &[
        "message-id",
        "message id",
        "x-message-id",
        "references",
        "in-reply-to",
        "original-envelope-id",
        "envelope-id",
        "mts-id",
    ];
    if MESSAGE_ID_LABELS
        .iter()
        .any(|l| label == *l || label.ends_with(&format!(" {l}")))
    {
        return None;
    }
    // The envelope recipient (`RCPT TO: …` in a message summary) names the
    // mailbox the server refused, where a `To:` header may not.
    if label == "rcpt to" || label.ends_with(" rcpt to") {
        return Some(make(3, after.trim_start_matches([':', ' '])));
    }
    if RECIPIENT_LABELS
        .iter()
        .any(|l| label == *l || label.ends_with(&format!(" {l}")))
    {
        return Some(make(2, after.trim_start_matches([':', ' '])));
    }
    if label.ends_with("rcpt to") || label.ends_with("rcpt to:") {
        return Some(make(1, trimmed));
    }
    // An address the prose introduces as the sender ("not accepting mail
    // from X", "MAIL FROM:<X>", "envelope sender X") is the originator, the
    // RFC 5321 reverse-path: never the failed recipient. An alias note
    // ("(generated from X)", "(expanded from X)": Exim, Sendmail, Postfix)
    // names the address that was sent to, not a sender.
    let last_word = label.rsplit(char::is_whitespace).next().unwrap_or("");
    let alias_note = label.ends_with("generated from") || label.ends_with("expanded from");
    if !alias_note && (last_word.ends_with("from") || last_word.ends_with("sender")) {
        return None;
    }
    Some(make(0, trimmed))
}

/// The address of an "(expanded from <addr>)" note at the start of `rest`,
/// and the text after the note.
fn expanded_from(rest: &str) -> Option<(&str, &str)> {
    let note = rest.strip_prefix("(expanded from")?;
    let close = note.find(')')?;
    let (_, _, from) = address::find_all(&note[..close]).next()?;
    Some((from, note[close + 1..].trim()))
}

/// A delivery to a program (an alias `| /usr/bin/prog`: Postfix's local(8)
/// and pipe(8), Sendmail's prog mailer) has no address of its own; the
/// address on the list is the one it was expanded from: Postfix writes
/// `<|/usr/bin/prog> (expanded from <info@example.org>): Command died with
/// status 75: …`.
fn program_anchor(trimmed: &str, index: usize) -> Option<Anchor> {
    let rest = trimmed.strip_prefix('<').unwrap_or(trimmed);
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    if !rest.starts_with('|') {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    let at = lower.find("(expanded from")?;
    let after = &trimmed[at..];
    let (_, end, addr) = address::find_all(after).next()?;
    let tail = after[end..]
        .trim_start_matches(['>', ')', ':', ' '])
        .to_string();
    Some(Anchor {
        recipient: addr.to_string(),
        original: None,
        line: index,
        tail,
        strength: 3,
    })
}

/// Addresses of the bounce itself (its sender and the address it returns to)
/// and of the mailing list it returns to, which are never the failed
/// recipient.
fn own_addresses(mail: &Mail) -> Vec<String> {
    let mut own: Vec<String> = ["from", "to", "return-path", "reply-to"]
        .iter()
        .filter_map(|h| mail.header(h))
        .flat_map(|v| {
            address::find_all(v)
                .map(|(_, _, a)| a.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    own.extend(super::listaddr::list_addresses(mail).iter().cloned());
    own
}

/// Message identifiers the notice and its headers name (RFC 5322 §3.6.4):
/// `id-left@id-right` looks like an address, so a notice that repeats the
/// original's Message-ID in its prose must not make it a recipient.
fn message_ids(mail: &Mail, section: &str) -> Vec<String> {
    let ends_with = |name: &str, suffix: &str| {
        name.len() >= suffix.len()
            && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    let labelled = section.lines().filter_map(|l| {
        let (name, value) = l.split_once(':')?;
        let name = name.trim();
        (ends_with(name, "message-id") || ends_with(name, "message id")).then_some(value)
    });
    ["message-id", "in-reply-to", "references"]
        .iter()
        .filter_map(|h| mail.header(h))
        .chain(labelled)
        .flat_map(|v| {
            address::find_all(v)
                .map(|(_, _, a)| a.to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Where a notification mentions each address, found in one pass: a DSN's
/// missing diagnostic often stands next to its recipient in the prose, and a
/// report may list tens of thousands of recipients, so each lookup must not
/// scan (or lower-case) the whole text again.
pub struct Mentions<'a> {
    text: &'a str,
    /// Lower-cased address → byte offset of its first mention. Addresses are
    /// matched as whole tokens, so `anna@example.org` is not found inside
    /// `joanna@example.org`.
    first: HashMap<String, usize>,
}

impl<'a> Mentions<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut first = HashMap::new();
        for (start, _, address) in address::find_all(text) {
            first.entry(address.to_ascii_lowercase()).or_insert(start);
        }
        Mentions { text, first }
    }

    /// The lines that mention `recipient`, with what follows them up to a
    /// blank line.
    pub fn lines_about(&self, recipient: &str) -> Option<String> {
        let needle = recipient.to_ascii_lowercase();
        let at = *self.first.get(&needle)?;
        let text = self.text;
        let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
        let rest = &text[start..];
        let end = paragraph_end(rest);
        let paragraph = before_next_recipient(&rest[..end], &needle).trim();
        // An address alone on a line: the error is in the next paragraph.
        if paragraph.len() <= recipient.len() + 6 {
            let next = rest[end..].trim_start_matches('\n');
            let next = before_next_recipient(&next[..paragraph_end(next)], &needle);
            return Some(format!("{paragraph}\n{next}"));
        }
        Some(paragraph.to_string())
    }
}

/// A paragraph up to the line that starts with another address: in a list
/// without blank lines, the next recipient's line and its error are not this
/// recipient's.
fn before_next_recipient<'t>(paragraph: &'t str, recipient_lower: &str) -> &'t str {
    let mut offset = 0;
    for (n, line) in paragraph.split_inclusive('\n').enumerate() {
        let head = line.trim_start().trim_start_matches('<');
        let starts_with_other = n > 0
            && address::find_all(head)
                .next()
                .is_some_and(|(at, _, a)| at == 0 && !a.eq_ignore_ascii_case(recipient_lower));
        if starts_with_other {
            return &paragraph[..offset];
        }
        offset += line.len();
    }
    paragraph
}

/// Lines a recipient's paragraph may hold: a list without blank lines must not
/// make every recipient's diagnostic the rest of the list.
const PARAGRAPH_MAX_LINES: usize = 8;

/// Where the paragraph that starts `text` ends: at a blank line, or after
/// [`PARAGRAPH_MAX_LINES`] lines.
fn paragraph_end(text: &str) -> usize {
    let capped = memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(PARAGRAPH_MAX_LINES - 1)
        .unwrap_or(text.len());
    text[..capped].find("\n\n").unwrap_or(capped)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_recipient_is_found_in_the_prose_after_characters_that_change_length() {
        // 'İ' lower-cases to two characters: offsets from a Unicode-lowered
        // copy would not fit the original text.
        let text =
            "İİİİ Zustellung fehlgeschlagen\n\n<Anna@Example.org>: 550 mailbox unavailable\n";
        let mentions = Mentions::new(text);
        assert_eq!(
            mentions.lines_about("anna@example.org").as_deref(),
            Some("<Anna@Example.org>: 550 mailbox unavailable")
        );
        assert_eq!(mentions.lines_about("bob@example.org"), None);
        assert_eq!(mentions.lines_about("na@example.org"), None);
    }

    #[test]
    fn a_paragraph_in_a_list_without_blank_lines_is_short() {
        let text: String = (0..100)
            .map(|i| format!("<r{i}@example.org>: user unknown\n"))
            .collect();
        let about = Mentions::new(&text).lines_about("r10@example.org");
        assert_eq!(about.as_deref(), Some("<r10@example.org>: user unknown"));
        let wrapped: String = (0..100)
            .map(|i| format!("<r{i}@example.org>: host mx.example.org said: 550 see\n    https://example.org/help/{i}\n"))
            .collect();
        let about = Mentions::new(&wrapped).lines_about("r10@example.org");
        let about = about.unwrap_or_default();
        assert!(about.starts_with("<r10@example.org>: host"), "{about}");
        assert_eq!(about.lines().count(), 2, "{about}");
        // Continuation lines that are not another recipient's: at most 8.
        let long = format!("<r1@example.org>: 550 see below\n{}", "  more\n".repeat(50));
        let about = Mentions::new(&long).lines_about("r1@example.org");
        assert_eq!(about.map(|a| a.lines().count()), Some(PARAGRAPH_MAX_LINES));
    }

    #[test]
    fn an_address_alone_on_its_line_takes_the_lines_after_it() {
        let text = "<anna@example.org>\n    (reason: 550 User unknown)\n<bob@example.org>\n    (reason: 552 Mailbox full)\n";
        let mentions = Mentions::new(text);
        assert_eq!(
            mentions.lines_about("anna@example.org").as_deref(),
            Some("<anna@example.org>\n    (reason: 550 User unknown)")
        );
        let spaced =
            "<anna@example.org>\n\n550 User unknown\n\n<bob@example.org>\n\n552 Mailbox full\n";
        assert_eq!(
            Mentions::new(spaced)
                .lines_about("anna@example.org")
                .as_deref(),
            Some("<anna@example.org>\n550 User unknown")
        );
    }

    use super::*;

    fn mail(text: &str) -> Mail {
        Mail {
            headers: vec![("to".into(), "sender@example.com".into())],
            text: text.into(),
            ..Mail::default()
        }
    }

    #[test]
    fn address_line_followed_by_error() {
        let m = mail(
            "I could not deliver.\n\n<anna@example.org>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 User unknown\n\n--- Below this line is a copy of the message.\n\nFrom: sender@example.com\nTo: anna@example.org\n",
        );
        let got = extract(&m, &Layout::default());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].recipient, "anna@example.org");
        assert!(got[0].diagnostic.contains("User unknown"));
    }

    #[test]
    fn the_original_is_found_after_its_marker() {
        let text = "oops\n------ This is a copy of the message, including all the headers. ------\n\nFrom: a@example.com\nSubject: Hi\n\nbody";
        assert_eq!(
            quoted_original(text),
            Some("From: a@example.com\nSubject: Hi")
        );
    }

    #[test]
    fn a_multi_line_reply_is_read_whole() {
        let m = mail(
            "<anna@example.org>: 550-5.7.1 [192.0.2.1] The IP you're using to send mail is not\n550-5.7.1 authorized to send email directly to our servers. Please use the\n550 5.7.1 SMTP relay at your service provider instead.\nAnother paragraph.\n",
        );
        let got = extract(&m, &Layout::default());
        assert_eq!(got.len(), 1);
        assert!(
            got[0]
                .diagnostic
                .contains("SMTP relay at your service provider"),
            "{:?}",
            got[0].diagnostic
        );
        assert!(!got[0].diagnostic.contains("Another paragraph"));
        assert!(continues_reply("<<< 550-5.1.1 first", "<<< 550 5.1.1 last"));
        assert!(!continues_reply("550 5.1.1 done", "550 5.1.1 next"));
        assert!(!continues_reply("550-first", "451 other"));
    }

    #[test]
    fn the_returned_headers_name_no_recipient() {
        let m = mail(
            "Delivery failed.\n\nFailed address: anna@example.org\n\nReturn-Path: <bounces@news.example.com>\nMessage-ID: <wk19.a1b2@news.example.com>\nTo: bob@example.net\nSubject: Weekly\n",
        );
        let got = extract(&m, &Layout::default());
        let recipients: Vec<&str> = got.iter().map(|f| f.recipient.as_str()).collect();
        assert_eq!(recipients, ["anna@example.org"]);
    }

    #[test]
    fn an_address_in_square_brackets_is_a_recipient_line() {
        let a = anchor_in(
            "\t* [anna@example.org]: 550 anna@example.org...User unknown",
            0,
        );
        let a = a.unwrap_or_else(|| panic!("no anchor"));
        assert_eq!((a.recipient.as_str(), a.strength), ("anna@example.org", 3));
        assert!(a.tail.starts_with("550"), "{}", a.tail);
    }

    #[test]
    fn wrapped_boilerplate_and_unmarked_quoted_headers_end_the_section() {
        let text = "Delivery failed for:\n\n  anna@example.org\n\nReceived: from a.example.net\n\tby b.example.net\nFrom: news@example.com\n\n  bo@example.org\n";
        let section = section(text, &Layout::default());
        assert!(section.contains("anna@example.org"), "{section}");
        assert!(!section.contains("bo@example.org"), "{section}");
        // One header line after a blank line is prose, not a header block.
        let prose = "Reason:\n\nReceived: too late\n\nanna@example.org\n";
        assert!(section_of(prose, &Layout::default()).contains("anna@"));
    }

    #[test]
    fn a_summary_after_one_marker_does_not_hide_the_headers_after_another() {
        let text = "Original message details:\n\n\t* From: a@example.com\n\nOriginal message headers:\n\nFrom: a@example.com\nSubject: Hi\n\nbody";
        assert_eq!(
            quoted_original(text),
            Some("From: a@example.com\nSubject: Hi")
        );
    }

    #[test]
    fn an_address_introduced_as_the_sender_is_not_a_recipient() {
        assert!(anchor_in("not accepting mail from news@lists.example.org:", 0).is_none());
        assert!(anchor_in("Envelope sender bounces@example.com", 0).is_none());
        // An alias note names the address that was sent to.
        let note = anchor_in("    (generated from anna@example.org)", 0);
        assert_eq!(note.map(|a| a.recipient), Some("anna@example.org".into()));
    }

    #[test]
    fn the_lists_own_addresses_are_not_recipients() {
        let m = Mail {
            headers: vec![("to".into(), "talk-bounces@lists.example.org".into())],
            text: "Delivery failed:\n\ntalk@lists.example.org\n<anna@example.org>: 550 5.1.1 User unknown\n".into(),
            ..Mail::default()
        };
        let got = extract(&m, &Layout::default());
        let recipients: Vec<&str> = got.iter().map(|f| f.recipient.as_str()).collect();
        assert_eq!(recipients, ["anna@example.org"]);
    }

    #[test]
    fn a_message_id_is_not_a_recipient() {
        let m = mail(
            "Your message <20240501.77ab@news.example.com> failed.\nMessage-ID: <20240501.77ab@news.example.com>\n",
        );
        assert!(
            extract(&m, &Layout::default())
                .iter()
                .all(|f| !f.recipient.contains("77ab"))
        );
    }

    #[test]
    fn a_failed_program_is_reported_for_the_address_it_was_expanded_from() {
        let m = mail(
            "<|/usr/local/bin/intake> (expanded from <support@example.org>): Command\n    died with status 75: \"/usr/local/bin/intake\"\n\n<anna@example.org>: host mx said: 550 User unknown\n",
        );
        let got = extract(&m, &Layout::default());
        let support = got.iter().find(|f| f.recipient == "support@example.org");
        assert!(
            support.is_some_and(|f| f.diagnostic.contains("died with status 75")),
            "{got:?}"
        );
        assert!(got.iter().any(|f| f.recipient == "anna@example.org"));
    }

    #[test]
    fn sendmail_names_the_alias_on_the_next_line() {
        let m = mail(
            "   ----- The following addresses had permanent fatal errors -----\nanna.m@mail.example.org\n    (expanded from: anna@example.org)\n\n   ----- Transcript of session follows -----\n550 5.1.1 anna.m@mail.example.org... User unknown\n",
        );
        let got = extract(&m, &Layout::default());
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].recipient, "anna.m@mail.example.org");
        assert_eq!(
            got[0].original_recipient.as_deref(),
            Some("anna@example.org")
        );
    }

    #[test]
    fn sendmail_style_lines_are_anchors() {
        let m = mail(
            "----- Transcript of session follows -----\n550 5.1.1 <bob@example.net>... User unknown\n",
        );
        let got = extract(&m, &Layout::default());
        assert_eq!(got[0].recipient, "bob@example.net");
        assert!(got[0].diagnostic.contains("User unknown"));
    }

    #[test]
    fn an_expanded_from_note_names_the_original_recipient() {
        let m = mail(
            "The mail system\n\n\
             <anna.m@mail.example.org> (expanded from <anna@example.org>): host\n    \
             mx.mail.example.org[192.0.2.25] said: 550 5.1.1 <anna.m@mail.example.org>:\n    \
             Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n\
             <bob@example.net>: host mx.example.net[192.0.2.26] said: 552 5.2.2 Mailbox full\n",
        );
        let got = extract(&m, &Layout::default());
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].recipient, "anna.m@mail.example.org");
        assert_eq!(
            got[0].original_recipient.as_deref(),
            Some("anna@example.org")
        );
        assert!(got[0].diagnostic.contains("User unknown"), "{got:?}");
        assert!(!got[0].diagnostic.contains("Mailbox full"), "{got:?}");
        assert_eq!(got[1].recipient, "bob@example.net");
        assert_eq!(got[1].original_recipient, None);
    }
}
