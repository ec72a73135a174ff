//! Reading a subscriber file into rows, keeping the byte span of every record so that
//! the export can copy kept rows verbatim.
//!
//! The file is parsed twice, record by record, so that memory holds the file's
//! bytes and one small row per record, never every record's fields at once:
//! the first pass surveys (header, widths, which column holds addresses), the
//! second builds the rows. A row's other fields are parsed again from its span
//! when they are shown ([`SubscriberList::fields`]).

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use super::address::{normalize_address, validate_address};
use super::columns::{self, ColumnStats};
use super::dates::parse_activity_column;
use super::export::protect_input;
use super::sniff::{self, Decoded};
use super::{Dialect, KeyAt, LineEnd, ListError, ListOptions, Row, SubscriberList};

/// Where one CSV record lies in the decoded text.
#[derive(Debug, Clone, Copy)]
struct Extent {
    /// Offset of the record's first character.
    start: usize,
    /// Offset just past its line end (or the end of the text).
    end: usize,
    /// Offset of its line end (equal to `end` when there is none).
    content_end: usize,
}

/// Records whose fields are all blank (`;;;` lines) are not rows.
fn is_blank(record: &csv::ByteRecord, decoded: &Decoded<'_>) -> bool {
    record
        .iter()
        .all(|f| f.iter().all(u8::is_ascii_whitespace) || decoded.field(f).trim().is_empty())
}

/// The file's bytes, read once. Refuses anything but a regular file before
/// opening it, and a file whose size or modification time changed while it was
/// read: a list cut off by the program writing it must not become a cleaned
/// list that lacks its last rows.
fn read_stable(path: &Path) -> Result<Vec<u8>, ListError> {
    use std::io::Read;
    let io = |source| ListError::Io {
        path: path.to_path_buf(),
        source,
    };
    let before = std::fs::metadata(path).map_err(io)?;
    if !before.is_file() {
        return Err(ListError::NotAFile {
            path: path.to_path_buf(),
            what: file_kind(&before),
        });
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let opened = file.metadata().map_err(io)?;
    let mut raw = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.read_to_end(&mut raw).map_err(io)?;
    let after = file.metadata().map_err(io)?;
    let stamp = |m: &std::fs::Metadata| (m.len(), m.modified().ok());
    if stamp(&before) != stamp(&opened)
        || stamp(&opened) != stamp(&after)
        || raw.len() as u64 != after.len()
    {
        return Err(ListError::Changed {
            path: path.to_path_buf(),
        });
    }
    Ok(raw)
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    "not a regular file"
}

/// Reads a subscriber CSV as users have it; see the module docs for the rules.
///
/// The file is registered with [`protect_input`] so that no export can replace it.
pub fn read_list(path: &Path, opts: &ListOptions) -> Result<SubscriberList, ListError> {
    let raw = read_stable(path)?;
    protect_input(path);
    parse_list(path, raw, opts)
}

/// The largest list read: row positions and address keys are kept in 32 bits.
const MAX_LIST_BYTES: usize = u32::MAX as usize;

/// Reads a subscriber CSV from its bytes, as [`read_list`] does from a file;
/// `path` only names it (in errors and in the result). Nothing is registered.
pub fn parse_list(
    path: &Path,
    raw: Vec<u8>,
    opts: &ListOptions,
) -> Result<SubscriberList, ListError> {
    if raw.len() > MAX_LIST_BYTES {
        return Err(ListError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let parsed = {
        let decoded = match opts.encoding {
            Some(encoding) => sniff::decode_as(&raw, encoding),
            None => sniff::decode(&raw),
        };
        parse_decoded(path, &decoded, &raw, opts)?
    };
    let mut list = SubscriberList {
        path: path.to_path_buf(),
        dialect: parsed.dialect,
        header: parsed.header,
        email_column: parsed.email_column,
        activity_column: parsed.activity_column,
        width: parsed.width,
        rows: parsed.rows,
        raw,
        spans: parsed.spans,
        keys: parsed.keys,
        by_key: Vec::new(),
        splitter: Splitter::new(parsed.dialect.delimiter),
    };
    list.index_keys();
    Ok(list)
}

/// What parsing the decoded text gives, before the list owns the bytes.
struct Parsed {
    dialect: Dialect,
    header: Option<Vec<String>>,
    email_column: usize,
    activity_column: Option<usize>,
    width: usize,
    rows: Vec<Row>,
    spans: Vec<Range<usize>>,
    keys: String,
}

fn parse_decoded(
    path: &Path,
    decoded: &Decoded<'_>,
    raw: &[u8],
    opts: &ListOptions,
) -> Result<Parsed, ListError> {
    let malformed = |line: usize, message: &str| ListError::Malformed {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    };
    let text: &[u8] = &decoded.bytes;
    let excel_separator = sniff::excel_separator(text);
    let delimiter = opts
        .delimiter
        .or(excel_separator)
        .unwrap_or_else(|| sniff::delimiter(text));
    if let Some(line) = sniff::unclosed_quote(text, delimiter) {
        return Err(malformed(
            line,
            "a quoted field starts here and is never closed",
        ));
    }
    let split_error = |offset: usize, error: csv::Error| {
        let message = format!("cannot split the record: {error}");
        malformed(line_of(text, offset), &message)
    };
    let mut cursor = LineCursor::new(text, decoded, raw).ok_or_else(|| {
        malformed(
            1,
            "the line breaks of the decoded text do not match the file's bytes",
        )
    })?;

    let survey = Survey::of(decoded, delimiter, excel_separator.is_some(), &split_error)?;
    let Some((first_fields, first_extent)) = &survey.first else {
        return Err(ListError::Empty {
            path: path.to_path_buf(),
        });
    };
    let line_end = match text.get(first_extent.content_end..first_extent.end) {
        Some(b"\r\n") => LineEnd::CrLf,
        Some(b"\r") => LineEnd::Cr,
        _ => LineEnd::Lf,
    };
    let has_header = opts
        .has_header
        .unwrap_or_else(|| detect_header(first_fields, survey.rest_has_at, opts));
    let width = survey.width;
    let labels = if has_header {
        columns::labels(Some(first_fields), width)
    } else {
        columns::labels_with_sample(first_fields, width)
    };
    let header = has_header.then(|| clean_header(first_fields.clone()));
    let header_ref = header.as_deref();
    let unknown = |name: &str| ListError::UnknownColumn {
        path: path.to_path_buf(),
        name: name.to_string(),
        columns: labels.clone(),
    };
    let email_column = match &opts.email_column {
        Some(spec) => columns::resolve(spec, header_ref, width).ok_or_else(|| unknown(spec))?,
        None => {
            let mut stats = survey.rest_stats.clone();
            if !has_header {
                for (i, value) in first_fields.iter().enumerate() {
                    if let Some(s) = stats.get_mut(i) {
                        s.add(value);
                    }
                }
            }
            columns::find_email_column(header_ref, &stats).ok_or_else(|| {
                ListError::NoEmailColumn {
                    path: path.to_path_buf(),
                    columns: labels.clone(),
                }
            })?
        }
    };
    let activity_column = match &opts.activity_column {
        Some(spec) => Some(columns::resolve(spec, header_ref, width).ok_or_else(|| unknown(spec))?),
        None => None,
    };

    // The second pass: one row per data record.
    let data_records = survey.records - usize::from(has_header);
    let mut rows: Vec<Row> = Vec::with_capacity(data_records);
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(data_records);
    // Sized from the survey, so that the key text is not grown (and copied) by
    // doubling: a key is at most a little longer than its field.
    let column_bytes = |column: usize| {
        let first = if has_header {
            0
        } else {
            first_fields.get(column).map_or(0, String::len)
        };
        survey.rest_stats.get(column).map_or(0, |s| s.bytes) + first
    };
    let key_bytes = column_bytes(email_column);
    let mut keys = String::with_capacity(key_bytes + key_bytes / 16);
    let mut activity_text = String::with_capacity(activity_column.map_or(0, column_bytes));
    let mut activity_ends: Vec<usize> = Vec::with_capacity(if activity_column.is_some() {
        data_records
    } else {
        0
    });
    let mut skip = usize::from(excel_separator.is_some()) + usize::from(has_header);
    let too_large = || ListError::TooLarge {
        path: path.to_path_buf(),
    };
    for_each_record(text, delimiter, &split_error, |record, extent| {
        if is_blank(record, decoded) {
            return Ok(());
        }
        if skip > 0 {
            skip -= 1;
            return Ok(());
        }
        let misplaced = |line| malformed(line, "a record does not start on a line of its own");
        let (line, start) = cursor.at(extent.start);
        let start = start.ok_or_else(|| misplaced(line))?;
        let (_, end) = cursor.at(extent.end);
        let end = end.ok_or_else(|| misplaced(line))?;
        let email_raw = decoded.field(record.get(email_column).unwrap_or_default());
        let key = normalize_address(&email_raw);
        let email_valid = key.as_deref().is_some_and(validate_address);
        let key = match key {
            Some(key) => {
                let at = u32::try_from(keys.len()).map_err(|_| too_large())?;
                let len = u32::try_from(key.len()).map_err(|_| too_large())?;
                if keys.len() + key.len() > MAX_LIST_BYTES {
                    return Err(too_large());
                }
                keys.push_str(&key);
                Some(KeyAt { at, len })
            }
            None => None,
        };
        if let Some(column) = activity_column {
            activity_text.push_str(&decoded.field(record.get(column).unwrap_or_default()));
            activity_ends.push(activity_text.len());
        }
        rows.push(Row {
            index: rows.len(),
            line,
            key,
            email_valid,
            activity: None,
            duplicate_of: None,
        });
        spans.push(start..end);
        Ok(())
    })?;
    if activity_column.is_some() {
        let mut values: Vec<&str> = Vec::with_capacity(activity_ends.len());
        let mut from = 0;
        for &to in &activity_ends {
            values.push(activity_text.get(from..to).unwrap_or_default());
            from = to;
        }
        for (row, activity) in rows.iter_mut().zip(parse_activity_column(&values)) {
            row.activity = activity;
        }
    }
    Ok(Parsed {
        dialect: Dialect {
            delimiter,
            encoding: decoded.encoding,
            bom: decoded.bom,
            line_end,
            has_header,
        },
        header,
        email_column,
        activity_column,
        width,
        rows,
        spans,
        keys,
    })
}

/// What the first pass learns: the first record (a header or the first row),
/// how wide the file is, and what the columns of the other records hold.
struct Survey {
    /// Non-blank records, the Excel `sep=` line not counted.
    records: usize,
    first: Option<(Vec<String>, Extent)>,
    width: usize,
    /// Whether a record after the first contains `@`.
    rest_has_at: bool,
    /// The columns of the records after the first.
    rest_stats: Vec<ColumnStats>,
}

impl Survey {
    fn of(
        decoded: &Decoded<'_>,
        delimiter: u8,
        excel_separator: bool,
        split_error: &dyn Fn(usize, csv::Error) -> ListError,
    ) -> Result<Survey, ListError> {
        let mut survey = Survey {
            records: 0,
            first: None,
            width: 0,
            rest_has_at: false,
            rest_stats: Vec::new(),
        };
        let mut skip = usize::from(excel_separator);
        for_each_record(&decoded.bytes, delimiter, split_error, |record, extent| {
            if is_blank(record, decoded) {
                return Ok(());
            }
            if skip > 0 {
                skip -= 1;
                return Ok(());
            }
            survey.records += 1;
            survey.width = survey.width.max(record.len());
            if survey.first.is_none() {
                let fields = record.iter().map(|f| decoded.field(f).into_owned());
                survey.first = Some((fields.collect(), extent));
                return Ok(());
            }
            if survey.rest_stats.len() < record.len() {
                survey
                    .rest_stats
                    .resize(record.len(), ColumnStats::default());
            }
            for (value, stats) in record.iter().zip(&mut survey.rest_stats) {
                let value = decoded.field(value);
                survey.rest_has_at |= value.contains('@');
                stats.add(&value);
            }
            Ok(())
        })?;
        survey
            .rest_stats
            .resize(survey.width, ColumnStats::default());
        Ok(survey)
    }
}

/// The header's fields, without a stray BOM (a file that had two).
fn clean_header(mut header: Vec<String>) -> Vec<String> {
    if let Some(first) = header.first_mut()
        && let Some(rest) = first.strip_prefix('\u{FEFF}')
    {
        *first = rest.to_string();
    }
    header
}

/// Whether the first record is a header row; see the module docs.
fn detect_header(first: &[String], rest_has_at: bool, opts: &ListOptions) -> bool {
    if first.iter().any(|f| f.contains('@')) {
        return false;
    }
    let named = [&opts.email_column, &opts.activity_column]
        .into_iter()
        .flatten()
        .any(|spec| first.iter().any(|cell| columns::names(spec, cell)));
    if named || first.iter().any(|f| columns::is_email_header(f)) {
        return true;
    }
    if rest_has_at {
        return true;
    }
    first.iter().all(|f| {
        let f = f.trim();
        f.parse::<f64>().is_err() && parse_activity_column(&[f])[0].is_none()
    })
}

/// Calls `each` with every CSV record of the text ([`Decoded::bytes`]) and where it
/// lies, in file order. A record that cannot be split stops the walk with
/// `split_error` of its offset.
fn for_each_record(
    text: &[u8],
    delimiter: u8,
    split_error: &dyn Fn(usize, csv::Error) -> ListError,
    mut each: impl FnMut(&csv::ByteRecord, Extent) -> Result<(), ListError>,
) -> Result<(), ListError> {
    let mut reader = csv_reader(text, delimiter);
    let is_break = |b: &u8| *b == b'\r' || *b == b'\n';
    let bytes = text;
    // Between a record and the next: its content, then a run of line breaks, the
    // first of which (`\r\n` counting as one) is its line end. So a record's
    // extent is known once the next one starts; it is held until then.
    let extent = |start: usize, next_start: usize| {
        let region = bytes.get(start..next_start).unwrap_or_default();
        let trailing = region.iter().rev().take_while(|b| is_break(b)).count();
        let content_end = next_start - trailing;
        let line_end = match bytes.get(content_end..next_start) {
            Some([b'\r', b'\n', ..]) => 2,
            Some([_, ..]) => 1,
            _ => 0,
        };
        Extent {
            start,
            end: content_end + line_end,
            content_end,
        }
    };
    let mut held = csv::ByteRecord::new();
    let mut next = csv::ByteRecord::new();
    let mut held_start: Option<usize> = None;
    loop {
        // The csv reader's position is where the previous record stopped, before
        // any line ends and blank lines it skips.
        let position = usize::try_from(reader.position().byte())
            .unwrap_or(usize::MAX)
            .saturating_sub(LEAD.len());
        let start = position
            + bytes
                .get(position..)
                .map_or(0, |rest| rest.iter().take_while(|b| is_break(b)).count());
        match reader.read_byte_record(&mut next) {
            Ok(true) => {
                if let Some(held_at) = held_start {
                    each(&held, extent(held_at, start))?;
                }
                std::mem::swap(&mut held, &mut next);
                held_start = Some(start);
            }
            Ok(false) => break,
            Err(error) => return Err(split_error(start, error)),
        }
    }
    if let Some(held_at) = held_start {
        each(&held, extent(held_at, text.len()))?;
    }
    Ok(())
}

/// What [`csv_reader`] puts before the text: a blank line, which the reader skips.
const LEAD: &[u8] = b"\n";

/// A CSV reader of `text`, flexible, without headers. The `csv` crate drops a
/// UTF-8 byte-order mark at the very start of what it reads, which would make a
/// record that starts with those bytes (a second BOM, or `ï»¿` in Windows-1252)
/// read differently alone than in its file; a blank line first keeps them.
/// Positions count [`LEAD`] too.
fn csv_reader(text: &[u8], delimiter: u8) -> csv::Reader<std::io::Chain<&'static [u8], &[u8]>> {
    use std::io::Read;
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(64 << 10)
        .from_reader(LEAD.chain(text))
}

/// The 1-based line of a text offset (for an error: one scan of the text).
fn line_of(text: &[u8], offset: usize) -> usize {
    let mut cursor = LineCounter::default();
    cursor.advance(text, offset);
    cursor.line()
}

/// Counts line starts (`\r\n` once) as it moves forward through the text.
#[derive(Default)]
struct LineCounter {
    at: usize,
    breaks_before: usize,
    previous: u8,
}

impl LineCounter {
    fn advance(&mut self, bytes: &[u8], to: usize) {
        let to = to.min(bytes.len());
        if to <= self.at {
            return;
        }
        for &b in bytes.get(self.at..to).unwrap_or_default() {
            if b == b'\r' || (b == b'\n' && self.previous != b'\r') {
                self.breaks_before += 1;
            }
            self.previous = b;
        }
        self.at = to;
    }

    fn line(&self) -> usize {
        1 + self.breaks_before
    }
}

/// Maps offsets of the decoded text, asked in increasing order, to 1-based
/// lines and to offsets in the raw bytes. Where the text is the raw bytes
/// themselves (UTF-8, or ASCII in any ASCII-compatible encoding), an offset maps
/// to itself past the BOM; otherwise through the line breaks, which correspond
/// one to one in every supported encoding.
struct LineCursor<'a> {
    text: &'a [u8],
    lines: LineCounter,
    mapping: Mapping<'a>,
    raw_len: usize,
    body_start: usize,
}

enum Mapping<'a> {
    Same,
    Breaks {
        text_breaks: std::iter::Peekable<memchr::Memchr2<'a>>,
        raw_breaks: std::iter::Peekable<Box<dyn Iterator<Item = usize> + 'a>>,
        /// The last break passed: (text offset, raw offset).
        last: Option<(usize, usize)>,
        unit: usize,
    },
}

impl<'a> LineCursor<'a> {
    fn new(bytes: &'a [u8], decoded: &'a Decoded<'_>, raw: &'a [u8]) -> Option<Self> {
        let mapping = if decoded.in_place() {
            Mapping::Same
        } else {
            let in_text = memchr::memchr2_iter(b'\r', b'\n', bytes).count();
            if in_text != decoded.raw_line_breaks(raw).count() {
                return None;
            }
            Mapping::Breaks {
                text_breaks: memchr::memchr2_iter(b'\r', b'\n', bytes).peekable(),
                raw_breaks: decoded.raw_line_breaks(raw).peekable(),
                last: None,
                unit: decoded.unit(),
            }
        };
        Some(LineCursor {
            text: bytes,
            lines: LineCounter::default(),
            mapping,
            raw_len: raw.len(),
            body_start: decoded.body_start,
        })
    }

    /// The line of `offset`, and its raw offset when it is the start, a line
    /// break, just past one, or the end of the text.
    fn at(&mut self, offset: usize) -> (usize, Option<usize>) {
        self.lines.advance(self.text, offset);
        let line = self.lines.line();
        if offset == 0 {
            return (line, Some(self.body_start));
        }
        if offset == self.text.len() {
            return (line, Some(self.raw_len));
        }
        let raw = match &mut self.mapping {
            Mapping::Same => Some(self.body_start + offset),
            Mapping::Breaks {
                text_breaks,
                raw_breaks,
                last,
                unit,
            } => {
                while let Some(&t) = text_breaks.peek() {
                    if t >= offset {
                        break;
                    }
                    text_breaks.next();
                    *last = raw_breaks.next().map(|r| (t, r));
                }
                match text_breaks.peek() {
                    Some(&t) if t == offset => raw_breaks.peek().copied(),
                    _ => last.and_then(|(t, r)| (t + 1 == offset).then_some(r + *unit)),
                }
            }
        };
        (line, raw)
    }
}

/// Splits one record as [`csv_reader`] splits the file. Rows are split again one
/// at a time ([`record_fields`]), and building a reader costs more than splitting
/// a row, so the list keeps one, reset before each use. (A built
/// `csv_core::Reader` cannot be cloned: its clone loses its tables.)
pub(super) struct Splitter {
    delimiter: u8,
    reader: std::sync::Mutex<csv_core::Reader>,
}

impl Splitter {
    pub(super) fn new(delimiter: u8) -> Self {
        Splitter {
            delimiter,
            reader: std::sync::Mutex::new(
                csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            ),
        }
    }
}

impl Clone for Splitter {
    fn clone(&self) -> Self {
        Splitter::new(self.delimiter)
    }
}

/// The fields of one record's raw bytes (a span of the file), as the list read
/// them: split in place and decoded field by field, or decoded first, as
/// [`sniff::parses_in_place`] says for the encoding.
pub(super) fn record_fields(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
    splitter: &Splitter,
) -> Vec<String> {
    use csv_core::ReadRecordResult;
    let (text, field_encoding): (Cow<'_, [u8]>, _) = if sniff::parses_in_place(encoding) {
        (Cow::Borrowed(bytes), encoding)
    } else {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        (
            Cow::Owned(text.into_owned().into_bytes()),
            encoding_rs::UTF_8,
        )
    };
    // A panic elsewhere while holding the lock leaves a reader that is reset anyway.
    let mut reader = splitter
        .reader
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    reader.reset();
    // Unquoted fields never exceed the input, nor their number its length + 1.
    let mut out = vec![0u8; text.len() + 1];
    let mut ends = vec![0usize; text.len() + 2];
    let (mut written, mut fields) = (0, 0);
    // The blank line first, as in `csv_reader`; an empty input is the end.
    for input in [LEAD, &text[..], &[][..]] {
        let (result, _, out_n, ends_n) = reader.read_record(
            input,
            out.get_mut(written..).unwrap_or_default(),
            ends.get_mut(fields..).unwrap_or_default(),
        );
        written += out_n;
        fields += ends_n;
        match result {
            // All of this piece read (a record ends with the next, or the end).
            ReadRecordResult::InputEmpty => {}
            ReadRecordResult::Record => {
                let mut from = 0;
                return ends
                    .get(..fields)
                    .unwrap_or_default()
                    .iter()
                    .map(|&to| {
                        let field = out.get(from..to).unwrap_or_default();
                        from = to;
                        field_encoding
                            .decode_without_bom_handling(field)
                            .0
                            .into_owned()
                    })
                    .collect();
            }
            // Cannot happen with buffers as large as the input.
            ReadRecordResult::End
            | ReadRecordResult::OutputFull
            | ReadRecordResult::OutputEndsFull => return Vec::new(),
        }
    }
    Vec::new()
}
