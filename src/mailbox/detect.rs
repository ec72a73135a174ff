//! Content sniffing: decides from a file's first bytes what it is.
//!
//! Extensions cannot be trusted for mail exports (Thunderbird keeps each folder as
//! an mbox file without extension, some tools name mbox files `.eml`), so the
//! reader looks at the first [`SNIFF_LEN`] bytes instead. Only `.zip` is also
//! trusted by name, which the caller checks itself.

/// How many leading bytes are examined to decide what a file is.
pub const SNIFF_LEN: usize = 8 * 1024;

/// What a file (or zip entry) is, judged from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// No bytes, or nothing but whitespace.
    Empty,
    /// A zip archive.
    Zip,
    /// An mbox: the first line starts with `From `.
    Mbox,
    /// Text that starts like a message (see [`looks_like_mail`]): read as one message.
    Message,
    /// Text that is not mail: a README, a CSV, notes.
    Text,
    /// Not mail; the text says what it seems to be.
    Binary(&'static str),
}

/// Leading bytes of file formats that are certainly not mail, with a name a user
/// recognises. Formats with a NUL byte in their first bytes would be caught by the
/// NUL test anyway; they are listed so the message can name them.
const BINARY_MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1F\x8B", "a gzip-compressed file (decompress it first)"),
    (
        b"\xFD7zXZ\x00",
        "an xz-compressed file (decompress it first)",
    ),
    (
        b"\x28\xB5\x2F\xFD",
        "a zstd-compressed file (decompress it first)",
    ),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive (extract it first)"),
    (b"Rar!\x1A\x07", "a RAR archive (extract it first)"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an Outlook .msg or old Office file (save the mail as .eml or mbox)",
    ),
    (b"!BDN", "an Outlook PST file (export the folder as mbox)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7FELF", "an executable"),
];

/// True if `first_bytes` (the start of a file) begin with an mbox `From ` line.
pub fn is_mbox_start(first_bytes: &[u8]) -> bool {
    first_bytes.starts_with(b"From ")
}

/// True if `first_bytes` begin with a zip signature: a local file header, or the
/// end-of-central-directory record of an empty archive, or a spanning marker.
pub fn is_zip_magic(first_bytes: &[u8]) -> bool {
    [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"]
        .iter()
        .any(|magic| first_bytes.starts_with(*magic))
}

/// Decides what a file is from its first bytes. `is_whole` says `head` is the
/// entire file (it was shorter than [`SNIFF_LEN`]), so "only whitespace" means
/// the file is empty rather than that the text starts later.
pub fn sniff(head: &[u8], is_whole: bool) -> Content {
    if is_whole && head.iter().all(u8::is_ascii_whitespace) {
        return Content::Empty;
    }
    if is_zip_magic(head) {
        return Content::Zip;
    }
    if is_mbox_start(head) {
        return Content::Mbox;
    }
    if let Some(what) = binary_kind(head) {
        return Content::Binary(what);
    }
    if looks_like_mail(head, is_whole) {
        Content::Message
    } else {
        Content::Text
    }
}

/// Header fields of which every real message has at least one (RFC 5322's
/// origination date, originator, destination and trace fields, and the
/// others MUAs and MTAs always write), lower case.
const COMMON_FIELDS: &[&[u8]] = &[
    b"from",
    b"sender",
    b"reply-to",
    b"to",
    b"cc",
    b"bcc",
    b"date",
    b"subject",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"received",
    b"return-path",
    b"delivered-to",
    b"x-original-to",
    b"envelope-to",
    b"mime-version",
    b"content-type",
    b"dkim-signature",
    b"authentication-results",
    b"auto-submitted",
    b"x-failed-recipients",
    b"x-mozilla-status",
    b"newsgroups",
];

/// Whether text starts the way a message does (RFC 5322 section 2.1): after a
/// byte-order mark, blank lines and one line of preamble (an mbox `From `
/// line, Outlook's "Microsoft Mail Internet Headers Version 2.0", Apple Mail's
/// `.emlx` byte count), a header field `name: value` (the name printable
/// ASCII without a colon), and one of the [`COMMON_FIELDS`] before the first
/// empty line. Other lines in the header block are tolerated: a broken
/// header is still a message. When `head` ends inside the header block (it is
/// not the whole file) the text counts as mail: it has not stopped looking
/// like it.
pub fn looks_like_mail(head: &[u8], is_whole: bool) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut lines = Lines {
        rest: head,
        is_whole,
    };
    let blank = |line: &[u8]| line.iter().all(u8::is_ascii_whitespace);
    let Some(mut line) = lines.by_ref().find(|line| !blank(line)) else {
        // Nothing but blank lines so far (an empty file is told apart before).
        return !is_whole;
    };
    if is_preamble(line) {
        match lines.next() {
            Some(next) => line = next,
            None => return !is_whole,
        }
    }
    if field_name(line).is_none() {
        return false;
    }
    let mut line = Some(line);
    while let Some(current) = line {
        if blank(current) {
            return false;
        }
        if field_name(current)
            .is_some_and(|name| COMMON_FIELDS.iter().any(|f| name.eq_ignore_ascii_case(f)))
        {
            return true;
        }
        line = lines.next();
    }
    !is_whole
}

/// A line that may come before a message's header fields.
fn is_preamble(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    line.starts_with(b"From ")
        || trimmed.eq_ignore_ascii_case(b"Microsoft Mail Internet Headers Version 2.0")
        || (!trimmed.is_empty() && trimmed.iter().all(u8::is_ascii_digit))
}

/// The name of the header field `line` starts, if it starts one: printable
/// ASCII other than the colon, then the colon (obsolete syntax allows blanks
/// before it).
fn field_name(line: &[u8]) -> Option<&[u8]> {
    let colon = memchr::memchr(b':', line)?;
    let name = line[..colon].trim_ascii_end();
    (!name.is_empty() && name.iter().all(|b| (b'!'..=b'~').contains(b))).then_some(name)
}

/// The complete lines of a file's first bytes, without their line ends (LF,
/// CRLF or a bare CR); the last one only if `is_whole` says nothing was cut.
struct Lines<'a> {
    rest: &'a [u8],
    is_whole: bool,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let Some(end) = memchr::memchr2(b'\n', b'\r', self.rest) else {
            let last = std::mem::take(&mut self.rest);
            return self.is_whole.then_some(last);
        };
        let line = &self.rest[..end];
        let eol = if self.rest[end..].starts_with(b"\r\n") {
            2
        } else {
            1
        };
        self.rest = &self.rest[end + eol..];
        Some(line)
    }
}

/// Names the binary format `head` starts with, or says it contains NUL bytes
/// (text mail never does); `None` for text.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    if let Some((_, what)) = BINARY_MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
    {
        return Some(what);
    }
    // bzip2: "BZh" + block size digit + the block magic; the full check keeps a
    // text starting with "BZh" from being refused.
    if head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && &head[4..10] == b"1AY&SY"
    {
        return Some("a bzip2-compressed file (decompress it first)");
    }
    let head = &head[..head.len().min(SNIFF_LEN)];
    let nuls = memchr::memchr_iter(0, head).count();
    // A text message may carry a stray NUL (a client's padding at the end, a
    // broken export); binary files have them throughout. A message that
    // starts with a header field is text unless NULs are more than one byte
    // in 64 of what was sniffed.
    let starts_like_mail = head
        .split(|&b| b == b'\n')
        .next()
        .and_then(|line| line.iter().position(|&b| b == b':'))
        .is_some_and(|colon| {
            colon > 0
                && head[..colon]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        });
    if nuls > 0 && !(starts_like_mail && nuls * 64 < head.len()) {
        return Some("binary data (contains NUL bytes)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_is_recognised_by_its_first_line_only() {
        assert!(is_mbox_start(
            b"From alice@example.com Mon Jan  1 00:00:00 2024\n"
        ));
        assert!(is_mbox_start(b"From - Mon Jan  1 00:00:00 2024\r\n"));
        assert!(!is_mbox_start(b"From: alice@example.com\n"));
        assert!(!is_mbox_start(b"Subject: x\nFrom someone\n"));
        assert_eq!(sniff(b"From x\n\nbody\n", true), Content::Mbox);
        assert_eq!(sniff(b"Subject: hi\n\nFrom here\n", true), Content::Message);
    }

    #[test]
    fn empty_and_whitespace_only_files_are_empty() {
        assert_eq!(sniff(b"", true), Content::Empty);
        assert_eq!(sniff(b" \r\n\n\t", true), Content::Empty);
        // Whitespace at the start of a longer file says nothing yet.
        assert_eq!(sniff(b"   ", false), Content::Message);
    }

    #[test]
    fn zip_signatures_are_recognised() {
        assert_eq!(sniff(b"PK\x03\x04rest", false), Content::Zip);
        assert_eq!(sniff(b"PK\x05\x06\0\0", true), Content::Zip);
        assert_eq!(sniff(b"PKZIP is a program\n", true), Content::Text);
    }

    #[test]
    fn binary_formats_are_named() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0", true),
            Content::Binary("a PNG image")
        );
        assert!(matches!(sniff(b"%PDF-1.7\n", true), Content::Binary(w) if w.contains("PDF")));
        assert!(matches!(sniff(b"\x1F\x8B\x08\0", true), Content::Binary(w) if w.contains("gzip")));
        assert!(matches!(sniff(b"BZh91AY&SYxx", true), Content::Binary(w) if w.contains("bzip2")));
        assert_eq!(sniff(b"BZh is not bzip\n", true), Content::Text);
        assert!(matches!(sniff(b"Subject: x\n\0", true), Content::Binary(w) if w.contains("NUL")));
        // A stray NUL at the end of a real message does not make it binary;
        // NULs throughout do.
        let mut message =
            b"From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n\n".to_vec();
        message.extend(b"This is the mail system at host mx.example.org.\n".repeat(4));
        message.push(0);
        assert!(matches!(sniff(&message, true), Content::Message));
        let mut padded = b"Subject: x\n\n".to_vec();
        padded.extend([0u8; 64]);
        padded.extend(b"text\n".repeat(8));
        assert!(matches!(sniff(&padded, true), Content::Binary(_)));
    }

    #[test]
    fn messages_start_with_header_fields_after_a_preamble() {
        assert_eq!(sniff(b"Received: from x\r\n", true), Content::Message);
        assert_eq!(
            sniff(
                b"Microsoft Mail Internet Headers Version 2.0\r\nReceived: from x\r\n",
                true
            ),
            Content::Message
        );
        assert_eq!(sniff(b"\n\nSubject: late start\n", true), Content::Message);
        assert_eq!(
            sniff(b"\xEF\xBB\xBFReturn-Path: <>\r\n\r\nbody", true),
            Content::Message
        );
        // Blank lines, then an mbox separator line (not at the very start, so
        // not an mbox), then the header.
        assert_eq!(
            sniff(b"\r\nFrom x Mon\r\nDate: 1\r\n", true),
            Content::Message
        );
        // Apple Mail's .emlx: the message's length, then the message.
        assert_eq!(
            sniff(b"1234\nFrom: a@example.org\n", true),
            Content::Message
        );
        // Obsolete syntax: blanks before the colon; bare CR line ends; a
        // broken line among the fields.
        assert_eq!(sniff(b"Subject : x\n", true), Content::Message);
        assert_eq!(
            sniff(b"X-Spam: 1\rTo: b@example.org\r", true),
            Content::Message
        );
        assert_eq!(
            sniff(b"X-Spam: 1\nbroken line\nFrom: c@example.org\n", true),
            Content::Message
        );
    }

    #[test]
    fn text_without_mail_headers_is_not_mail() {
        let readme = b"# Bounces\n\nExported from Thunderbird.\nFrom: the list owner\n";
        assert_eq!(sniff(readme, true), Content::Text);
        assert_eq!(
            sniff(b"email,name\nanna@example.org,Anna\n", true),
            Content::Text
        );
        // A field, but none a message has, and the header block ends.
        assert_eq!(
            sniff(b"Note: see list.csv\n\nFrom: me\n", true),
            Content::Text
        );
        assert_eq!(sniff(b"Title: notes\nAuthor: me\n", true), Content::Text);
        // A field name is printable ASCII: no blanks inside.
        assert_eq!(sniff(b"Dear Anna: hello\nFrom: x\n", true), Content::Text);
        assert_eq!(
            sniff(b"Microsoft Mail Internet Headers Version 2.0\r\n", true),
            Content::Text
        );
    }

    #[test]
    fn a_header_block_longer_than_the_sniffed_bytes_is_mail() {
        let mut head = Vec::new();
        while head.len() < SNIFF_LEN {
            head.extend_from_slice(b"X-Long-Trace: hop\r\n");
        }
        head.truncate(SNIFF_LEN);
        assert_eq!(sniff(&head, false), Content::Message);
        // The same bytes as a whole file never name a common field.
        assert_eq!(sniff(&head, true), Content::Text);
    }
}
