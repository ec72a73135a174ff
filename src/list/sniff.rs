//! Sniffing a subscriber file: its encoding, its delimiter, and whether its quotes
//! close. Nothing here splits fields; that is the `csv` crate's job in `read`.

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How many records the delimiter sniffer looks at.
const SNIFF_RECORDS: usize = 50;

/// How many bytes the encoding detector looks at.
const DETECT_BYTES: usize = 256 << 10;

/// Delimiter candidates, in the order that wins a tie.
const DELIMITERS: [u8; 4] = [b'\t', b';', b',', b'|'];

/// A file's text and how it was encoded.
pub(crate) struct Decoded<'a> {
    /// What the CSV parser reads, BOM removed. In UTF-8 and the single-byte
    /// encodings, where every ASCII byte is its ASCII character and no other
    /// character contains one, it is the file's own bytes and each field is
    /// decoded on its own; in the others (UTF-16, the East Asian multi-byte
    /// ones) it is the text transcoded to UTF-8.
    pub bytes: Cow<'a, [u8]>,
    /// How a field of `bytes` becomes text: the file's encoding, or UTF-8 for
    /// transcoded text.
    pub field_encoding: &'static Encoding,
    pub encoding: &'static Encoding,
    pub bom: bool,
    /// Raw offset where the text starts (the BOM's length).
    pub body_start: usize,
}

impl Decoded<'_> {
    /// Bytes per code unit in the raw file: 2 for UTF-16, else 1.
    pub fn unit(&self) -> usize {
        if self.is_utf16() { 2 } else { 1 }
    }

    fn is_utf16(&self) -> bool {
        self.encoding == UTF_16LE || self.encoding == UTF_16BE
    }

    /// Whether [`bytes`](Self::bytes) are the file's own bytes after the BOM.
    pub fn in_place(&self) -> bool {
        matches!(self.bytes, Cow::Borrowed(_))
    }

    /// A field of [`bytes`](Self::bytes) as text (undecodable bytes become U+FFFD).
    pub fn field<'b>(&self, bytes: &'b [u8]) -> Cow<'b, str> {
        self.field_encoding.decode_without_bom_handling(bytes).0
    }

    /// Raw offsets of every `\r` and `\n` code unit after the BOM, in order.
    pub fn raw_line_breaks<'r>(&self, raw: &'r [u8]) -> Box<dyn Iterator<Item = usize> + 'r> {
        let body = raw.get(self.body_start..).unwrap_or_default();
        let body_start = self.body_start;
        if self.is_utf16() {
            let big_endian = self.encoding == UTF_16BE;
            Box::new(
                body.chunks_exact(2)
                    .enumerate()
                    .filter(move |(_, pair)| {
                        let (hi, lo) = if big_endian {
                            (pair[0], pair[1])
                        } else {
                            (pair[1], pair[0])
                        };
                        hi == 0 && (lo == b'\r' || lo == b'\n')
                    })
                    .map(move |(i, _)| body_start + 2 * i),
            )
        } else {
            Box::new(memchr::memchr2_iter(b'\r', b'\n', body).map(move |i| body_start + i))
        }
    }
}

/// Whether a file in `encoding` is parsed in its own bytes ([`Decoded::bytes`]).
pub(crate) fn parses_in_place(encoding: &'static Encoding) -> bool {
    encoding == UTF_8 || encoding.is_single_byte()
}

/// Decodes a file's bytes, detecting the encoding.
pub(crate) fn decode(raw: &[u8]) -> Decoded<'_> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(raw) {
        let body = raw.get(bom_len..).unwrap_or_default();
        return decoded(encoding, body, true, bom_len);
    }
    if let Some(encoding) = utf16_without_bom(raw) {
        return decoded(encoding, raw, false, 0);
    }
    if std::str::from_utf8(raw).is_ok() {
        return decoded(UTF_8, raw, false, 0);
    }
    let mut encoding = guess_legacy(raw);
    // Record spans are mapped back through line breaks, which needs an encoding in
    // which `\r` and `\n` are single bytes that no other character uses.
    if !encoding.is_ascii_compatible() {
        encoding = WINDOWS_1252;
    }
    decoded(encoding, raw, false, 0)
}

/// Decodes a file's bytes in the encoding the user chose (a BOM of that
/// encoding is skipped).
pub(crate) fn decode_as<'a>(raw: &'a [u8], encoding: &'static Encoding) -> Decoded<'a> {
    match Encoding::for_bom(raw) {
        Some((bom_encoding, bom_len)) if bom_encoding == encoding => decoded(
            encoding,
            raw.get(bom_len..).unwrap_or_default(),
            true,
            bom_len,
        ),
        _ => decoded(encoding, raw, false, 0),
    }
}

/// The whole text of `raw` as the list reads it (for tests and messages).
#[cfg(test)]
pub(crate) fn text_of(decoded: &Decoded<'_>) -> String {
    decoded.field(&decoded.bytes).into_owned()
}

/// Asks `chardetng` about the lines that hold non-ASCII bytes (the others say
/// nothing about the encoding), up to [`DETECT_BYTES`] of them.
fn guess_legacy(raw: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    let mut fed = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        let part = &line[..line.len().min(DETECT_BYTES - fed)];
        detector.feed(part, false);
        fed += part.len();
        if fed >= DETECT_BYTES {
            break;
        }
    }
    detector.feed(b"", true);
    detector.guess(None, Utf8Detection::Allow)
}

fn decoded<'a>(
    encoding: &'static Encoding,
    body: &'a [u8],
    bom: bool,
    body_start: usize,
) -> Decoded<'a> {
    let (bytes, field_encoding) = if parses_in_place(encoding) {
        (Cow::Borrowed(body), encoding)
    } else {
        let (text, _had_errors) = encoding.decode_without_bom_handling(body);
        (Cow::Owned(text.into_owned().into_bytes()), UTF_8)
    };
    Decoded {
        bytes,
        field_encoding,
        encoding,
        bom,
        body_start,
    }
}

/// UTF-16 without a BOM shows as a NUL on every other byte of ASCII text.
fn utf16_without_bom(raw: &[u8]) -> Option<&'static Encoding> {
    let sample = &raw[..raw.len().min(4096)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even_nul, mut odd_nul) = (0, 0);
    for pair in sample.chunks_exact(2) {
        even_nul += usize::from(pair[0] == 0);
        odd_nul += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= pairs * 4;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd_nul) && rarely(even_nul) {
        Some(UTF_16LE)
    } else if mostly(even_nul) && rarely(odd_nul) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// A scanner that follows the quoting rules of the `csv` crate for one delimiter: a
/// `"` opens a quoted field only at the start of a field, `""` inside is a quote, and
/// after the closing quote the field goes on unquoted.
struct QuoteScanner {
    delimiter: u8,
    in_quotes: bool,
    at_field_start: bool,
    pending_quote: bool,
}

/// What one byte meant to the scanner.
#[derive(PartialEq, Eq)]
enum Token {
    Delimiter,
    RecordEnd,
    QuoteOpened,
    Other,
}

impl QuoteScanner {
    fn new(delimiter: u8) -> Self {
        QuoteScanner {
            delimiter,
            in_quotes: false,
            at_field_start: true,
            pending_quote: false,
        }
    }

    fn step(&mut self, byte: u8) -> Token {
        if self.in_quotes {
            if self.pending_quote {
                self.pending_quote = false;
                if byte == b'"' {
                    return Token::Other;
                }
                self.in_quotes = false;
                return self.step(byte);
            }
            if byte == b'"' {
                self.pending_quote = true;
            }
            return Token::Other;
        }
        match byte {
            b'"' if self.at_field_start => {
                self.in_quotes = true;
                self.at_field_start = false;
                Token::QuoteOpened
            }
            b'\r' | b'\n' => {
                self.at_field_start = true;
                Token::RecordEnd
            }
            b if b == self.delimiter => {
                self.at_field_start = true;
                Token::Delimiter
            }
            _ => {
                self.at_field_start = false;
                Token::Other
            }
        }
    }

    /// Whether a quoted field is open (a closing quote just seen does not count).
    fn open(&self) -> bool {
        self.in_quotes && !self.pending_quote
    }
}

/// The delimiter named by Excel's `sep=;` first line, if the file has one.
pub(crate) fn excel_separator(text: &[u8]) -> Option<u8> {
    let first = text.split(|b| *b == b'\r' || *b == b'\n').next()?;
    match first {
        [s, e, p, eq, separator] if [*s, *e, *p, *eq].eq_ignore_ascii_case(b"sep=") => {
            let ok = separator.is_ascii_punctuation() && *separator != b'"' || *separator == b'\t';
            ok.then_some(*separator)
        }
        _ => None,
    }
}

/// Chooses the delimiter; see the module docs for the rule.
pub(crate) fn delimiter(text: &[u8]) -> u8 {
    // (records agreeing on the count, records seen, delimiter)
    let mut best: Option<(usize, usize, u8)> = None;
    for &candidate in &DELIMITERS {
        let counts = counts_per_record(text, candidate);
        let present = counts.iter().filter(|&&c| c > 0).count();
        // A stray character in a few records does not make a delimiter.
        if present == 0 || present * 2 < counts.len() {
            continue;
        }
        let agreeing = records_agreeing(&counts);
        // Compare the shares agreeing / seen as cross products to stay in integers.
        if best.is_none_or(|(b_agreeing, b_seen, _)| agreeing * b_seen > b_agreeing * counts.len())
        {
            best = Some((agreeing, counts.len(), candidate));
        }
    }
    best.map_or(b',', |(_, _, candidate)| candidate)
}

/// The delimiter count of each non-blank record among the first ones.
fn counts_per_record(text: &[u8], delimiter: u8) -> Vec<usize> {
    let mut scanner = QuoteScanner::new(delimiter);
    let mut counts = Vec::new();
    let (mut count, mut blank) = (0, true);
    for &byte in text {
        match scanner.step(byte) {
            Token::Delimiter => {
                count += 1;
                blank = false;
            }
            Token::RecordEnd => {
                if !blank {
                    counts.push(count);
                    if counts.len() == SNIFF_RECORDS {
                        return counts;
                    }
                }
                count = 0;
                blank = true;
            }
            Token::QuoteOpened | Token::Other => blank = false,
        }
    }
    if !blank {
        counts.push(count);
    }
    counts
}

/// How many records share the most frequent non-zero count.
fn records_agreeing(counts: &[usize]) -> usize {
    let mut sorted: Vec<usize> = counts.iter().copied().filter(|&c| c > 0).collect();
    sorted.sort_unstable();
    sorted
        .chunk_by(|a, b| a == b)
        .map(<[usize]>::len)
        .max()
        .unwrap_or(0)
}

/// The 1-based line of a quoted field that is never closed, if there is one.
pub(crate) fn unclosed_quote(text: &[u8], delimiter: u8) -> Option<usize> {
    let mut scanner = QuoteScanner::new(delimiter);
    let mut line = 1;
    let mut opened_on = 0;
    let mut previous = 0u8;
    for &byte in text {
        if byte == b'\n' && previous != b'\r' || byte == b'\r' {
            line += 1;
        }
        if scanner.step(byte) == Token::QuoteOpened {
            opened_on = line;
        }
        previous = byte;
    }
    scanner.open().then_some(opened_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_beats_decimal_commas() {
        let text = "Name;Betrag;E-Mail\nA;1,5;a@example.com\nB;2,5;b@example.com\n";
        assert_eq!(delimiter(text.as_bytes()), b';');
    }

    #[test]
    fn comma_inside_quotes_does_not_count() {
        let text = "name,email\n\"Doe; John\",a@example.com\n\"Roe; Jane\",b@example.com\n";
        assert_eq!(delimiter(text.as_bytes()), b',');
    }

    #[test]
    fn tab_and_pipe_are_found() {
        assert_eq!(delimiter("a\tb\n1\t2\n".as_bytes()), b'\t');
        assert_eq!(delimiter("a|b|c\n1|2|3\n".as_bytes()), b'|');
    }

    #[test]
    fn excel_names_its_separator() {
        assert_eq!(excel_separator("sep=;\r\na;b\r\n".as_bytes()), Some(b';'));
        assert_eq!(excel_separator("SEP=|\n".as_bytes()), Some(b'|'));
        assert_eq!(excel_separator("sep=\"\n".as_bytes()), None);
        assert_eq!(excel_separator("separator\n".as_bytes()), None);
        assert_eq!(excel_separator("sépa;".as_bytes()), None);
    }

    #[test]
    fn single_column_defaults_to_comma() {
        assert_eq!(delimiter("email\na@example.com\n".as_bytes()), b',');
    }

    #[test]
    fn a_stray_pipe_is_not_a_delimiter() {
        assert_eq!(
            delimiter("email\na@example.com\nb|c@example.com\nd@example.com\n".as_bytes()),
            b','
        );
    }

    #[test]
    fn unclosed_quote_names_its_line() {
        assert_eq!(
            unclosed_quote("a,b\n1,\"open\n2,3\n".as_bytes(), b','),
            Some(2)
        );
        assert_eq!(unclosed_quote("a,b\n1,\"x\"\"y\"\n".as_bytes(), b','), None);
        assert_eq!(unclosed_quote("a,\"b\"".as_bytes(), b','), None);
    }

    #[test]
    fn boms_decide_the_encoding() {
        let utf8 = decode(b"\xEF\xBB\xBFemail\n");
        assert_eq!(
            (utf8.encoding, utf8.bom, text_of(&utf8).as_str()),
            (UTF_8, true, "email\n")
        );
        assert!(utf8.in_place());
        let utf16 = decode(b"\xFF\xFEe\0\n\0");
        assert_eq!(
            (utf16.encoding, text_of(&utf16).as_str()),
            (UTF_16LE, "e\n")
        );
        assert!(!utf16.in_place());
        assert_eq!(
            utf16
                .raw_line_breaks(b"\xFF\xFEe\0\n\0")
                .collect::<Vec<_>>(),
            vec![4]
        );
    }

    #[test]
    fn latin1_bytes_are_windows_1252() {
        let raw = b"Name;E-Mail\r\nJ\xFCrgen M\xFCller;j@example.de\r\nGro\xDFe \xC4rger;g@example.de\r\n";
        let decoded = decode(raw);
        assert_eq!(decoded.encoding, WINDOWS_1252);
        assert!(
            decoded.in_place(),
            "a single-byte encoding is parsed in place"
        );
        assert!(text_of(&decoded).contains("Jürgen Müller"));
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let raw: Vec<u8> = "email\na@example.com\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(&raw).encoding, UTF_16BE);
    }
}
