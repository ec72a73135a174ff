//! Reading a subscriber file into rows, keeping the byte span of every record so that
//! the export can copy kept rows verbatim.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use super::address::{normalize_address, validate_address};
use super::columns;
use super::dates::parse_activity_column;
use super::export::protect_input;
use super::sniff::{self, Decoded};
use super::{Dialect, LineEnd, ListError, ListOptions, Row, SubscriberList};

/// One CSV record of the decoded text.
struct Record {
    fields: Vec<String>,
    /// Offset of the record's first character in the decoded text.
    start: usize,
    /// Offset just past its line end (or the end of the text).
    end: usize,
    /// Offset of its line end (equal to `end` when there is none).
    content_end: usize,
}

impl AsRef<[String]> for Record {
    fn as_ref(&self) -> &[String] {
        &self.fields
    }
}

impl Record {
    fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
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

/// Reads a subscriber CSV from its bytes, as [`read_list`] does from a file;
/// `path` only names it (in errors and in the result). Nothing is registered.
pub fn parse_list(
    path: &Path,
    raw: Vec<u8>,
    opts: &ListOptions,
) -> Result<SubscriberList, ListError> {
    let malformed = |line: usize, message: &str| ListError::Malformed {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    };
    let decoded = match opts.encoding {
        Some(encoding) => sniff::decode_as(&raw, encoding),
        None => sniff::decode(&raw),
    };
    let text = decoded.text.as_str();
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
    let breaks = LineBreaks::new(text, &decoded, &raw).ok_or_else(|| {
        malformed(
            1,
            "the line breaks of the decoded text do not match the file's bytes",
        )
    })?;
    let mut records = parse_records(text, delimiter).map_err(|(offset, error)| {
        let message = format!("cannot split the record: {error}");
        malformed(breaks.line_of(offset), &message)
    })?;
    records.retain(|record| !record.is_blank());
    if excel_separator.is_some() && !records.is_empty() {
        // Not a header and not a row: its bytes stay in the export like a blank line.
        records.remove(0);
    }
    let Some(first) = records.first() else {
        return Err(ListError::Empty {
            path: path.to_path_buf(),
        });
    };
    let line_end = match text.get(first.content_end..first.end) {
        Some("\r\n") => LineEnd::CrLf,
        Some("\r") => LineEnd::Cr,
        _ => LineEnd::Lf,
    };
    let has_header = opts
        .has_header
        .unwrap_or_else(|| detect_header(&records, opts));
    let width = records.iter().map(|r| r.fields.len()).max().unwrap_or(0);
    let labels = if has_header {
        columns::labels(Some(&first.fields), width)
    } else {
        columns::labels_with_sample(&first.fields, width)
    };
    let header = has_header.then(|| clean_header(records.remove(0).fields));
    let data = records;
    let header_ref = header.as_deref();
    let unknown = |name: &str| ListError::UnknownColumn {
        path: path.to_path_buf(),
        name: name.to_string(),
        columns: labels.clone(),
    };
    let email_column = match &opts.email_column {
        Some(spec) => columns::resolve(spec, header_ref, width).ok_or_else(|| unknown(spec))?,
        None => columns::find_email_column(header_ref, &data, width).ok_or_else(|| {
            ListError::NoEmailColumn {
                path: path.to_path_buf(),
                columns: labels.clone(),
            }
        })?,
    };
    let activity_column = match &opts.activity_column {
        Some(spec) => Some(columns::resolve(spec, header_ref, width).ok_or_else(|| unknown(spec))?),
        None => None,
    };
    let activity = activity_column.map(|column| {
        let values: Vec<&str> = data
            .iter()
            .map(|record| record.fields.get(column).map_or("", String::as_str))
            .collect();
        parse_activity_column(&values)
    });
    let spans = data
        .iter()
        .map(|record| {
            breaks.raw_range(record.start..record.end).ok_or_else(|| {
                malformed(
                    breaks.line_of(record.start),
                    "a record does not start on a line of its own",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rows = build_rows(data, email_column, activity, &breaks);
    Ok(SubscriberList {
        path: path.to_path_buf(),
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
        rows,
        raw,
        spans,
    })
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

/// Rows with their keys, validity, activity and duplicate links.
fn build_rows(
    data: Vec<Record>,
    email_column: usize,
    activity: Option<Vec<Option<i64>>>,
    breaks: &LineBreaks,
) -> Vec<Row> {
    let mut first_with_key: HashMap<String, usize> = HashMap::with_capacity(data.len());
    data.into_iter()
        .enumerate()
        .map(|(index, record)| {
            let email_raw = record.fields.get(email_column).cloned().unwrap_or_default();
            let email = normalize_address(&email_raw);
            let email_valid = email.as_deref().is_some_and(validate_address);
            let duplicate_of = email.as_ref().and_then(|key| {
                let first = *first_with_key.entry(key.clone()).or_insert(index);
                (first != index).then_some(first)
            });
            Row {
                index,
                line: breaks.line_of(record.start),
                fields: record.fields,
                email_raw,
                email,
                email_valid,
                activity: activity
                    .as_ref()
                    .and_then(|a| a.get(index).copied().flatten()),
                duplicate_of,
            }
        })
        .collect()
}

/// Whether the first record is a header row; see the module docs.
fn detect_header(records: &[Record], opts: &ListOptions) -> bool {
    let Some((first, rest)) = records.split_first() else {
        return false;
    };
    if first.fields.iter().any(|f| f.contains('@')) {
        return false;
    }
    let named = [&opts.email_column, &opts.activity_column]
        .into_iter()
        .flatten()
        .any(|spec| first.fields.iter().any(|cell| columns::names(spec, cell)));
    if named || first.fields.iter().any(|f| columns::is_email_header(f)) {
        return true;
    }
    if rest
        .iter()
        .any(|r| r.fields.iter().any(|f| f.contains('@')))
    {
        return true;
    }
    first.fields.iter().all(|f| {
        let f = f.trim();
        f.parse::<f64>().is_err() && parse_activity_column(&[f])[0].is_none()
    })
}

/// Parses the decoded text into records with their offsets. An error carries the
/// offset of the record it happened in.
fn parse_records(text: &str, delimiter: u8) -> Result<Vec<Record>, (usize, csv::Error)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let is_break = |b: &u8| *b == b'\r' || *b == b'\n';
    let bytes = text.as_bytes();
    // The csv reader's position for a record is where the previous one stopped
    // reading, before any line ends and blank lines it skips.
    let mut starts_and_fields = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let position = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        let start = position
            + bytes
                .get(position..)
                .map_or(0, |rest| rest.iter().take_while(|b| is_break(b)).count());
        match reader.read_record(&mut record) {
            Ok(true) => starts_and_fields.push((start, record.iter().map(String::from).collect())),
            Ok(false) => break,
            Err(error) => return Err((start, error)),
        }
    }
    let mut records = Vec::with_capacity(starts_and_fields.len());
    let mut next_start = text.len();
    for (start, fields) in starts_and_fields.into_iter().rev() {
        // Between this record and the next: its content, then a run of line breaks,
        // the first of which (`\r\n` counting as one) is its line end.
        let region = bytes.get(start..next_start).unwrap_or_default();
        let trailing = region.iter().rev().take_while(|b| is_break(b)).count();
        let content_end = next_start - trailing;
        let line_end = match bytes.get(content_end..next_start) {
            Some([b'\r', b'\n', ..]) => 2,
            Some([_, ..]) => 1,
            _ => 0,
        };
        records.push(Record {
            fields,
            start,
            end: content_end + line_end,
            content_end,
        });
        next_start = start;
    }
    records.reverse();
    Ok(records)
}

/// The line breaks of the decoded text and of the raw bytes, which correspond one to
/// one, so that offsets at line starts and ends map between the two.
struct LineBreaks {
    /// Offsets of every `\r` and `\n` in the decoded text.
    text: Vec<usize>,
    /// Offsets of the same code units in the raw bytes.
    raw: Vec<usize>,
    /// Offsets in the decoded text where a line break starts (`\r\n` once).
    line_starts: Vec<usize>,
    text_len: usize,
    raw_len: usize,
    body_start: usize,
    unit: usize,
}

impl LineBreaks {
    fn new(text: &str, decoded: &Decoded, raw: &[u8]) -> Option<Self> {
        let bytes = text.as_bytes();
        let in_text: Vec<usize> = memchr::memchr2_iter(b'\r', b'\n', bytes).collect();
        let in_raw = decoded.raw_line_breaks(raw);
        if in_text.len() != in_raw.len() {
            return None;
        }
        let line_starts = in_text
            .iter()
            .copied()
            .filter(|&at| !(bytes[at] == b'\n' && at > 0 && bytes[at - 1] == b'\r'))
            .collect();
        Some(LineBreaks {
            text: in_text,
            raw: in_raw,
            line_starts,
            text_len: text.len(),
            raw_len: raw.len(),
            body_start: decoded.body_start,
            unit: decoded.unit(),
        })
    }

    /// 1-based line of a text offset.
    fn line_of(&self, offset: usize) -> usize {
        1 + self.line_starts.partition_point(|&at| at < offset)
    }

    /// The raw offset of a text offset that is the start, a line break, or just past
    /// one, or the end of the text.
    fn raw_offset(&self, offset: usize) -> Option<usize> {
        if offset == 0 {
            return Some(self.body_start);
        }
        if offset == self.text_len {
            return Some(self.raw_len);
        }
        match self.text.binary_search(&offset) {
            Ok(k) => self.raw.get(k).copied(),
            Err(k) => {
                let previous = k.checked_sub(1)?;
                (self.text.get(previous)? + 1 == offset)
                    .then(|| self.raw.get(previous).map(|at| at + self.unit))
                    .flatten()
            }
        }
    }

    fn raw_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        Some(self.raw_offset(range.start)?..self.raw_offset(range.end)?)
    }
}
