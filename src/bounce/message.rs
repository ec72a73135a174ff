//! One raw message → the parts a bounce decoder reads.
//!
//! Walks the MIME tree once (with `mailparse`) and keeps what every decoder needs:
//! the decoded top-level headers, the human-readable notification text, the
//! machine-readable report parts (`message/delivery-status`,
//! `message/feedback-report`) and the headers of the returned original. Line ends
//! are normalised first, so LF, CRLF and bare-CR messages read the same. It does
//! not decide anything about bounces.

use std::borrow::Cow;

use mailparse::ParsedMail;

/// A message, taken apart for the decoders.
/// The returned original's list fields (name, value) and its `List-Id`.
pub(crate) type OriginalListFields = (Vec<(String, String)>, Option<String>);

#[derive(Debug, Default, Clone)]
pub struct Mail {
    /// Top-level headers: lower-case name, RFC 2047-decoded value (unfolded).
    pub headers: Vec<(String, String)>,
    /// Top-level MIME type, lower case (`multipart/report`, `text/plain`, …).
    pub mime_type: String,
    /// `report-type` parameter of a `multipart/report`, lower case.
    pub report_type: Option<String>,
    /// The notification text: text parts outside the returned original, decoded
    /// to UTF-8 (HTML reduced to text when there is no plain part), LF line ends.
    pub text: String,
    /// Body of the `message/delivery-status` (or `global-delivery-status`) part.
    pub delivery_status: Option<String>,
    /// Body of the `message/feedback-report` part (ARF).
    pub feedback_report: Option<String>,
    /// Header block of the returned original (from a `message/rfc822` or
    /// `text/rfc822-headers` part), unparsed.
    pub original: Option<String>,
    /// The whole returned message, when it is itself a delivery report (a
    /// bounce that was forwarded or re-bounced) or holds a remote server's
    /// SMTP replies (a failure relayed inside the returned message).
    pub embedded_report: Option<String>,
    /// `text` in ASCII lower case, made once for the many signature searches.
    pub(crate) lower: std::sync::OnceLock<String>,
    /// `lower` with every run of white space made one space, for signatures
    /// that a notice wrapped across lines.
    pub(crate) collapsed: std::sync::OnceLock<String>,
    /// The mailing list's own addresses (`listaddr::list_addresses`), found
    /// once for the readers that each exclude them.
    pub(crate) lists: std::sync::OnceLock<Vec<String>>,
    /// The returned original's list fields and `List-Id`, kept by the bounce
    /// reader after it read the original's headers.
    pub(crate) original_lists: std::sync::OnceLock<OriginalListFields>,
    /// Which family signatures occur in `collapsed` (see `mta::signs`).
    pub(crate) signs: super::mta::signs::SignCache,
}

impl Mail {
    /// First value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header (name in lower case).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The notification text in ASCII lower case (computed once).
    pub fn lower_text(&self) -> &str {
        self.lower.get_or_init(|| self.text.to_ascii_lowercase())
    }

    /// The notification text in ASCII lower case with each run of white
    /// space (line ends included) made one space (computed once).
    pub fn collapsed_lower_text(&self) -> &str {
        self.collapsed.get_or_init(|| {
            let mut out = String::with_capacity(self.text.len());
            for word in self.lower_text().split_ascii_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            out
        })
    }

    pub fn subject(&self) -> &str {
        self.header("subject").unwrap_or("")
    }

    pub fn from(&self) -> &str {
        self.header("from").unwrap_or("")
    }
}

/// Headers that carry human text and so may hold RFC 2047 encoded words;
/// the others are read as written (decoding every `Received` line costs more
/// than the rest of the message).
const ENCODED_WORD_HEADERS: &[&str] = &[
    "subject",
    "from",
    "to",
    "cc",
    "reply-to",
    "sender",
    "comments",
    "x-failed-recipients",
];

/// A header's value: RFC 2047-decoded when `decode`, else unfolded as written.
fn value_of(h: &mailparse::MailHeader<'_>, decode: bool) -> String {
    if decode {
        return h.get_value();
    }
    let raw = String::from_utf8_lossy(h.get_value_raw());
    let mut out = String::with_capacity(raw.len());
    for (i, line) in raw.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if i > 0 {
            out.push(' ');
            out.push_str(line.trim_start());
        } else {
            out.push_str(line);
        }
    }
    out.trim().to_string()
}

/// Converts CRLF and bare CR to LF. Borrows when there is nothing to change.
pub fn normalize_line_ends(bytes: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\r', bytes).is_none() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\r' {
            out.push(b'\n');
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(b);
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// Why a message could not be taken apart at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("empty message")]
    Empty,
    #[error("no message headers found")]
    NoHeaders,
    #[error("malformed message: {0}")]
    Malformed(String),
}

/// Parses a message. Lenient: only an empty or headerless input is an error.
pub fn parse(raw: &[u8]) -> Result<Mail, MailError> {
    let bytes = normalize_line_ends(raw);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or(MailError::Empty)?;
    let bytes = &bytes[start..];
    let parsed = mailparse::parse_mail(bytes).map_err(|e| MailError::Malformed(e.to_string()))?;
    if parsed.headers.is_empty() {
        return Err(MailError::NoHeaders);
    }
    let mut mail = Mail {
        headers: parsed
            .headers
            .iter()
            .map(|h| {
                let name = h.get_key_ref().to_ascii_lowercase();
                let value = value_of(h, ENCODED_WORD_HEADERS.contains(&name.as_str()));
                (name, value)
            })
            .collect(),
        mime_type: parsed.ctype.mimetype.clone(),
        report_type: parsed
            .ctype
            .params
            .get("report-type")
            .map(|s| s.to_ascii_lowercase()),
        ..Mail::default()
    };
    let mut texts = Texts::default();
    let repaired = if parsed.ctype.mimetype.starts_with("multipart/") && parsed.subparts.is_empty()
    {
        repair_multipart(bytes, &parsed.ctype.mimetype)
    } else {
        None
    };
    match repaired
        .as_deref()
        .and_then(|b| mailparse::parse_mail(b).ok())
    {
        Some(fixed) if !fixed.subparts.is_empty() => walk(&fixed, &mut mail, &mut texts, 0),
        _ if parsed.ctype.mimetype.starts_with("multipart/") && parsed.subparts.is_empty() => {
            // Declared multipart, but no delimiter line survived: the body is prose.
            let body = memchr::memmem::find(bytes, b"\n\n").map_or(&[][..], |i| &bytes[i + 2..]);
            texts.plain = decode_charset(body, None);
        }
        _ => walk(&parsed, &mut mail, &mut texts, 0),
    }
    mail.text = if texts.plain.trim().is_empty() {
        texts.html
    } else {
        texts.plain
    };
    if mail.delivery_status.is_none() {
        recover_inline_report(&mut mail);
    }
    Ok(mail)
}

/// Some MTAs (and some mail clients that export a bounce) lose the MIME
/// structure of a report: the delivery-status fields then stand in the text.
/// Moves them, and a returned original header block after them, to where a
/// proper report would have put them.
fn recover_inline_report(mail: &mut Mail) {
    let lower = mail.text.to_ascii_lowercase();
    let Some(first_recipient) = ["\nfinal-recipient:", "\noriginal-recipient:"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
    else {
        return;
    };
    let has_status = ["\nstatus:", "\naction:"]
        .iter()
        .any(|m| lower[first_recipient..].contains(m));
    if !has_status {
        return;
    }
    let start = match lower[..first_recipient].rfind("\nreporting-mta:") {
        Some(i) if first_recipient - i < 2000 => i,
        _ => first_recipient,
    } + 1;
    // The report runs while lines look like fields, their continuations or blanks.
    let mut end = start;
    for line in mail.text[start..].split_inclusive('\n') {
        let t = line.trim_end();
        let is_field = t.is_empty()
            || t.starts_with([' ', '\t'])
            || t.split_once(':').is_some_and(|(n, _)| {
                !n.is_empty()
                    && n.len() < 40
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        let lower_line = t.to_ascii_lowercase();
        let original_starts =
            lower_line.starts_with("return-path:") || lower_line.starts_with("received:");
        if !is_field || t.starts_with("--") || original_starts {
            break;
        }
        end += line.len();
    }
    let report = mail.text[start..end].to_string();
    let rest = mail.text[end..].to_string();
    mail.text.truncate(start);
    if mail.original.is_none() {
        let block = header_block(&rest);
        if !block.trim().is_empty() {
            mail.original = Some(block.to_string());
        }
    }
    mail.delivery_status = Some(report);
}

/// A multipart message whose boundary parameter was lost (folded away or
/// cut by an export): finds the boundary from the first delimiter line of the
/// body and rebuilds a parseable message from it.
fn repair_multipart(bytes: &[u8], mime: &str) -> Option<Vec<u8>> {
    let body_start = memchr::memmem::find(bytes, b"\n\n")? + 2;
    let body = &bytes[body_start..];
    let boundary = body
        .split(|b| *b == b'\n')
        .filter_map(|line| line.strip_prefix(b"--"))
        .map(|b| b.strip_suffix(b"--").unwrap_or(b))
        .find(|b| b.len() > 4 && !b.contains(&b' ') && !b.iter().all(|c| *c == b'-'))?;
    let delimiter: Vec<u8> = [b"\n--".as_slice(), boundary].concat();
    if memchr::memmem::find_iter(body, &delimiter).count() < 1 {
        return None;
    }
    let boundary = String::from_utf8_lossy(boundary);
    let mut out = format!("Content-Type: {mime}; boundary=\"{boundary}\"\n\n").into_bytes();
    out.extend_from_slice(body);
    Some(out)
}

#[derive(Default)]
struct Texts {
    plain: String,
    html: String,
}

const MAX_DEPTH: usize = 8;

fn walk(part: &ParsedMail<'_>, mail: &mut Mail, texts: &mut Texts, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mime = part.ctype.mimetype.as_str();
    if mime.starts_with("multipart/") {
        for sub in &part.subparts {
            walk(sub, mail, texts, depth + 1);
        }
        if !part.subparts.is_empty() {
            return;
        }
        // A multipart without parts: read its body as text.
        push_text(&mut texts.plain, &decoded_body(part));
        return;
    }
    match mime {
        "message/delivery-status"
        | "message/global-delivery-status"
        | "text/delivery-status"
        | "message/x-delivery-status" => {
            let body = decoded_body(part);
            match &mut mail.delivery_status {
                Some(existing) => {
                    existing.push_str("\n\n");
                    existing.push_str(&body);
                }
                None => mail.delivery_status = Some(body),
            }
        }
        "message/feedback-report" if mail.feedback_report.is_none() => {
            mail.feedback_report = Some(decoded_body(part));
        }
        "message/rfc822"
        | "message/global"
        | "text/rfc822-headers"
        | "message/rfc822-headers"
        | "message/global-headers"
            if mail.original.is_none() =>
        {
            // Only the header block is read, unless the returned message is
            // itself a report (a forwarded bounce) or carries a remote
            // server's SMTP replies (a relayed failure), which is kept whole.
            let body = returned_message(part);
            let headers = header_block(&body);
            let lower = headers.to_ascii_lowercase();
            if lower.contains("multipart/report")
                || lower.contains("report-type=")
                || carries_smtp_replies(part)
            {
                mail.embedded_report = Some(decoded_body(part));
            }
            mail.original = Some(headers.to_string());
        }
        // HTML is only read when there is no plain text (usually the plain
        // alternative comes first).
        _ if mime.starts_with("text/html")
            && texts.plain.trim().is_empty()
            && (depth == 0 || !is_attachment(part)) =>
        {
            push_text(&mut texts.html, &html_to_text(&decoded_body(part)));
        }
        _ if (mime.starts_with("text/") || mime.is_empty())
            && (depth == 0 || !is_attachment(part)) =>
        {
            push_text(&mut texts.plain, &decoded_body(part));
        }
        _ => {}
    }
}

fn push_text(buf: &mut String, text: &str) {
    if !buf.is_empty() {
        buf.push('\n');
    }
    buf.push_str(text);
}

fn is_attachment(part: &ParsedMail<'_>) -> bool {
    matches!(
        part.get_content_disposition().disposition,
        mailparse::DispositionType::Attachment
    ) && part
        .get_content_disposition()
        .params
        .get("filename")
        .is_some_and(|f| !f.to_ascii_lowercase().ends_with(".txt"))
}

/// The header section of a message text: everything up to the first blank line.
pub fn header_block(text: &str) -> &str {
    let text = text.trim_start_matches(['\n', ' ', '\t']);
    match text.find("\n\n") {
        Some(end) => &text[..end],
        None => text,
    }
}

/// The start of a returned message, enough for its header block: parts that
/// are not transfer-encoded (as RFC 2046 requires of `message/rfc822`) are cut
/// at the first blank line before decoding.
fn returned_message(part: &ParsedMail<'_>) -> String {
    match part.get_body_encoded() {
        mailparse::body::Body::SevenBit(body) | mailparse::body::Body::EightBit(body) => {
            let raw = body.get_raw();
            let raw = normalize_line_ends(raw);
            let start = raw.iter().position(|b| *b != b'\n').unwrap_or(raw.len());
            let end =
                memchr::memmem::find(&raw[start..], b"\n\n").map_or(raw.len(), |e| start + e + 1);
            decode_charset(&raw[..end], None)
        }
        _ => decoded_body(part),
    }
}

/// What an SMTP session transcript or a relayed reply looks like in a report
/// (`<<< 550 …` in Sendmail's transcript, `said: 550 …` in Postfix's prose,
/// Exim's `SMTP error from remote mail server`).
const SMTP_REPLY_MARKS: &[&[u8]] = &[
    b"\n<<< 4",
    b"\n<<< 5",
    b"said: 4",
    b"said: 5",
    b"SMTP error from remote mail server",
];

/// Whether a returned message holds a remote server's SMTP replies: then it is
/// a failure report that was relayed (or re-bounced), not the sender's
/// original, and the notice that wraps it may only say "could not deliver".
fn carries_smtp_replies(part: &ParsedMail<'_>) -> bool {
    let has_marks = |raw: &[u8]| {
        SMTP_REPLY_MARKS
            .iter()
            .any(|mark| memchr::memmem::find(raw, mark).is_some())
    };
    match part.get_body_encoded() {
        mailparse::body::Body::SevenBit(body) | mailparse::body::Body::EightBit(body) => {
            has_marks(&normalize_line_ends(body.get_raw()))
        }
        _ => part
            .get_body_raw()
            .is_ok_and(|raw| has_marks(&normalize_line_ends(&raw))),
    }
}

/// Transfer-decodes a part and converts it to UTF-8 from its declared charset.
/// Undeclared or US-ASCII text that is valid UTF-8 is read as UTF-8; text that
/// is not valid in its charset is decoded with replacement characters.
fn decoded_body(part: &ParsedMail<'_>) -> String {
    let raw = match part.get_body_raw() {
        Ok(raw) => raw,
        Err(_) => return String::new(),
    };
    let declared = part
        .ctype
        .params
        .get("charset")
        .map(|s| s.trim().to_ascii_lowercase());
    // Base64 and quoted-printable parts keep the line ends of their origin.
    let raw = normalize_line_ends(&raw);
    decode_charset(&raw, declared.as_deref())
}

/// Decodes bytes in a charset (a MIME label), falling back to UTF-8 and then
/// Windows-1252 when the label is missing or unknown.
pub fn decode_charset(raw: &[u8], label: Option<&str>) -> String {
    let label = label.unwrap_or("");
    let declared = match label {
        "" | "us-ascii" | "ascii" | "utf-8" | "utf8" => None,
        other => encoding_rs::Encoding::for_label(other.as_bytes()),
    };
    if let Some(enc) = declared
        && enc != encoding_rs::UTF_8
    {
        let (text, _, _) = enc.decode(raw);
        return text.into_owned();
    }
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => {
            // Undeclared 8-bit text: Japanese mail often lacks a label; try
            // ISO-2022-JP (pure 7-bit with escapes) is covered above, so guess
            // between Shift_JIS and Windows-1252 by validity.
            let (sjis, _, had_errors) = encoding_rs::SHIFT_JIS.decode(raw);
            if !had_errors && raw.iter().filter(|b| **b >= 0x80).count() > 4 {
                return sjis.into_owned();
            }
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(raw);
            text.into_owned()
        }
    }
}

/// Reduces HTML to readable text: drops tags, scripts and styles, turns block
/// ends into line breaks and decodes the common entities.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let rest = &lower[i..];
            for skip in ["<script", "<style"] {
                if rest.starts_with(skip) {
                    let close = if skip == "<script" {
                        "</script"
                    } else {
                        "</style"
                    };
                    if let Some(end) = rest.find(close) {
                        i += end;
                    }
                }
            }
            let end = match lower[i..].find('>') {
                Some(e) => i + e + 1,
                None => bytes.len(),
            };
            let tag = &lower[i..end];
            if tag.starts_with("<br")
                || tag.starts_with("</p")
                || tag.starts_with("</div")
                || tag.starts_with("</tr")
                || tag.starts_with("</li")
                || tag.starts_with("<p")
                || tag.starts_with("</h")
            {
                out.push('\n');
            } else if tag.starts_with("</td") || tag.starts_with("</th") {
                out.push(' ');
            }
            i = end;
        } else {
            let next = lower[i..].find('<').map_or(bytes.len(), |p| i + p);
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    decode_entities(&out)
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Header fields of a header block: lower-case name, unfolded and RFC 2047-decoded value.
pub fn parse_header_fields(block: &str) -> Vec<(String, String)> {
    match mailparse::parse_headers(block.as_bytes()) {
        Ok((headers, _)) => headers
            .iter()
            .map(|h| {
                let name = h.get_key_ref().to_ascii_lowercase();
                let value = value_of(h, ENCODED_WORD_HEADERS.contains(&name.as_str()));
                (name, value)
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Like [`parse_header_fields`], decoding only the fields whose lower-case
/// name `keep` accepts (a returned original can carry dozens of `Received`
/// lines nobody reads).
pub fn parse_selected_fields(block: &str, keep: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    // Collect the wanted fields (with their continuation lines) first, so
    // that only they go through the full header parser.
    let mut wanted = String::new();
    let mut taking = false;
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if taking {
                wanted.push_str(line);
                wanted.push('\n');
            }
            continue;
        }
        taking = line
            .split_once(':')
            .is_some_and(|(name, _)| keep(&name.trim().to_ascii_lowercase()));
        if taking {
            wanted.push_str(line);
            wanted.push('\n');
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    match mailparse::parse_headers(wanted.as_bytes()) {
        Ok((headers, _)) => headers
            .iter()
            .map(|h| (h.get_key_ref().to_ascii_lowercase(), h.get_value()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Looks up a field in a header list.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_are_normalised() {
        assert_eq!(&*normalize_line_ends(b"a\r\nb\rc\n"), b"a\nb\nc\n");
    }

    #[test]
    fn report_parts_are_found() {
        let raw = b"From: MAILER-DAEMON@example.com\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSorry.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; a@example.org\nStatus: 5.1.1\n--b\nContent-Type: text/rfc822-headers\n\nSubject: Hello\nMessage-ID: <1@example.com>\n--b--\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.report_type.as_deref(), Some("delivery-status"));
        assert!(mail.text.contains("Sorry."));
        assert!(mail.delivery_status.unwrap().contains("Status: 5.1.1"));
        assert!(
            mail.original
                .unwrap()
                .contains("Message-ID: <1@example.com>")
        );
    }

    #[test]
    fn iso_2022_jp_text_is_decoded() {
        let (bytes, _, _) = encoding_rs::ISO_2022_JP.encode("宛先不明");
        assert_eq!(decode_charset(&bytes, Some("iso-2022-jp")), "宛先不明");
    }

    #[test]
    fn html_is_reduced_to_text() {
        assert_eq!(
            html_to_text("<p>Mailbox&nbsp;full</p><style>x{}</style><b>now</b>"),
            "\nMailbox full\nnow"
        );
    }
}
