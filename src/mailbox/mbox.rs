//! Streaming mbox splitter: turns a reader over an mbox file into its messages,
//! one at a time, with memory bounded by one message plus one read buffer.
//!
//! Format handled: mboxo / mboxrd. A line starting with `From ` begins a new
//! message; that separator line is dropped, the blank line that ends each message
//! is dropped, and one `>` is removed from every line matching `^>+From ` (mboxrd
//! unescaping, which for mboxo files also turns `>From ` back into `From `).
//! Lines may end in LF, CRLF or a bare CR (old Mac exports); the bytes handed out
//! keep whatever line ends the file had.
//!
//! Speed matters (mbox exports run to many GB), so the splitter never looks at
//! lines one by one: it searches its buffer for `From ` with a SIMD substring
//! search and only checks the byte before each hit.

use std::io::{self, Read};

use memchr::memmem;

/// Default size of the read buffer.
pub const DEFAULT_BUFFER: usize = 1 << 20;

/// The separator line's first bytes.
const FROM: &[u8] = b"From ";

/// The smallest buffer that always leaves room to read after keeping a possibly
/// cut-off `From ` (at most `FROM.len() - 1` bytes) from the previous read.
const MIN_BUFFER: usize = 64;

/// One message out of an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// The message bytes: separator line and trailing blank line removed,
    /// `>From ` unescaped.
    Message(Vec<u8>),
    /// A message bigger than the limit; its bytes were skipped, not kept.
    /// `bytes` counts what was skipped (the raw bytes between separator lines).
    TooLarge { bytes: u64 },
}

/// Where in the input the splitter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Inside a `From ` separator line, looking for its end.
    FromLine,
    /// Just after a CR that ended the separator line: an LF may follow (CRLF).
    FromLineCr,
    /// Inside a message (or before the first separator).
    Body,
}

/// Splits an mbox read from `R` into messages; see the module docs.
pub struct MboxSplitter<R> {
    reader: R,
    buf: Box<[u8]>,
    /// Unprocessed input is `buf[pos..len]`.
    pos: usize,
    len: usize,
    eof: bool,
    state: State,
    /// The input byte just before `buf[pos]`, needed to tell whether a `From `
    /// found at `pos` starts a line once earlier bytes have left the buffer.
    prev: u8,
    /// A separator line has been seen, so `msg` holds a message rather than
    /// stray bytes before the first separator (which are dropped).
    open: bool,
    msg: Vec<u8>,
    /// Raw size of the current message, counted even once it is too large to keep.
    msg_bytes: u64,
    too_large: bool,
    max_message: usize,
    separator: memmem::Finder<'static>,
    escaped: memmem::Finder<'static>,
}

impl<R: Read> MboxSplitter<R> {
    /// A splitter with a [`DEFAULT_BUFFER`]-sized buffer. Messages larger than
    /// `max_message` bytes come out as [`Split::TooLarge`].
    pub fn new(reader: R, max_message: usize) -> Self {
        Self::with_buffer_size(reader, DEFAULT_BUFFER, max_message)
    }

    /// Like [`MboxSplitter::new`] with a chosen buffer size (at least 64 bytes is
    /// used); a small file does not need a 1 MiB buffer.
    pub fn with_buffer_size(reader: R, buffer_size: usize, max_message: usize) -> Self {
        MboxSplitter {
            reader,
            buf: vec![0; buffer_size.max(MIN_BUFFER)].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            state: State::Body,
            // The start of the input is the start of a line.
            prev: b'\n',
            open: false,
            msg: Vec::new(),
            msg_bytes: 0,
            too_large: false,
            max_message,
            separator: memmem::Finder::new(FROM),
            escaped: memmem::Finder::new(b">From "),
        }
    }

    /// The next message, `Ok(None)` at the end of the input. After an error the
    /// splitter should not be used further.
    pub fn next_message(&mut self) -> io::Result<Option<Split>> {
        loop {
            match self.state {
                State::FromLine => {
                    if self.pos == self.len {
                        if self.eof {
                            return Ok(self.finish());
                        }
                        self.refill()?;
                        continue;
                    }
                    let window = &self.buf[self.pos..self.len];
                    match memchr::memchr2(b'\n', b'\r', window) {
                        Some(i) => {
                            let eol = window[i];
                            self.pos += i + 1;
                            self.prev = eol;
                            self.state = if eol == b'\r' {
                                State::FromLineCr
                            } else {
                                State::Body
                            };
                        }
                        // The separator line goes on past the buffer: drop this part.
                        None => self.pos = self.len,
                    }
                }
                State::FromLineCr => {
                    if self.pos == self.len {
                        if self.eof {
                            return Ok(self.finish());
                        }
                        self.refill()?;
                        continue;
                    }
                    if self.buf[self.pos] == b'\n' {
                        self.pos += 1;
                        self.prev = b'\n';
                    }
                    self.state = State::Body;
                }
                State::Body => {
                    if let Some(at) = self.find_separator() {
                        self.append(self.pos, at);
                        self.pos = at + FROM.len();
                        self.state = State::FromLine;
                        let was_open = std::mem::replace(&mut self.open, true);
                        let done = self.take_message();
                        if was_open {
                            return Ok(Some(done));
                        }
                        // Bytes before the first separator are not a message.
                    } else if self.eof {
                        self.append(self.pos, self.len);
                        self.pos = self.len;
                        return Ok(self.finish());
                    } else {
                        // Keep the last few bytes: they may be the start of a
                        // `From ` that the next read completes.
                        let keep = (self.len - self.pos).min(FROM.len() - 1);
                        let upto = self.len - keep;
                        if upto > self.pos {
                            self.prev = self.buf[upto - 1];
                            self.append(self.pos, upto);
                            self.pos = upto;
                        }
                        self.refill()?;
                    }
                }
            }
        }
    }

    /// Position of the next `From ` at the start of a line in `buf[pos..len]`.
    fn find_separator(&self) -> Option<usize> {
        let mut from = self.pos;
        while let Some(offset) = self.separator.find(&self.buf[from..self.len]) {
            let at = from + offset;
            let before = if at == self.pos {
                self.prev
            } else {
                self.buf[at - 1]
            };
            // A bare CR ends a line too, for old Mac exports.
            if before == b'\n' || before == b'\r' {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }

    /// Adds `buf[start..end]` to the current message, or only counts it once the
    /// message is too large to keep.
    fn append(&mut self, start: usize, end: usize) {
        let n = end - start;
        self.msg_bytes += n as u64;
        if self.too_large {
            return;
        }
        if self.msg.len().saturating_add(n) > self.max_message {
            self.too_large = true;
            // Give the memory back now rather than at the end of a huge message.
            self.msg = Vec::new();
            return;
        }
        self.msg.extend_from_slice(&self.buf[start..end]);
    }

    /// The last message at the end of the input, if a separator opened one.
    fn finish(&mut self) -> Option<Split> {
        let done = self.take_message();
        std::mem::replace(&mut self.open, false).then_some(done)
    }

    /// Hands out the current message and starts an empty one.
    fn take_message(&mut self) -> Split {
        let bytes = std::mem::take(&mut self.msg_bytes);
        if std::mem::take(&mut self.too_large) {
            return Split::TooLarge { bytes };
        }
        // Messages in one mbox tend to be alike in size: start the next one with
        // the room this one needed, instead of growing it from nothing again.
        // (Capped, so one huge message does not make every later one reserve as much.)
        let room = self.msg.len().min(self.max_message).min(DEFAULT_BUFFER);
        let mut msg = std::mem::replace(&mut self.msg, Vec::with_capacity(room));
        strip_separator_blank_line(&mut msg);
        unescape_from_lines(&mut msg, &self.escaped);
        Split::Message(msg)
    }

    /// Moves the unprocessed bytes to the front of the buffer and reads more.
    fn refill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        loop {
            match self.reader.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

/// Removes the blank line that separates a message from the next `From ` line,
/// keeping the message's own final line end.
fn strip_separator_blank_line(msg: &mut Vec<u8>) {
    // A message with no content at all is just the blank line.
    if matches!(msg.as_slice(), b"\n" | b"\r\n" | b"\r") {
        msg.clear();
    } else if msg.ends_with(b"\r\n\r\n") {
        msg.truncate(msg.len() - 2);
    } else if msg.ends_with(b"\n\n") || msg.ends_with(b"\r\r") {
        msg.truncate(msg.len() - 1);
    }
}

/// mboxrd unescaping: removes one `>` from each line matching `^>+From `.
/// `escaped` searches for `>From `.
fn unescape_from_lines(msg: &mut Vec<u8>, escaped: &memmem::Finder<'_>) {
    // First find what to remove (reading the untouched bytes), then close the gaps.
    // Hits cannot overlap and each run of `>` is walked back only up to the
    // previous hit's `From `, so every removal position is distinct and ascending.
    let mut removals = Vec::new();
    for hit in escaped.find_iter(msg) {
        let mut start = hit;
        while start > 0 && msg[start - 1] == b'>' {
            start -= 1;
        }
        if start == 0 || msg[start - 1] == b'\n' || msg[start - 1] == b'\r' {
            removals.push(start);
        }
    }
    let Some(&first) = removals.first() else {
        return;
    };
    let mut write = first;
    for (i, &removed) in removals.iter().enumerate() {
        let next = removals.get(i + 1).copied().unwrap_or(msg.len());
        msg.copy_within(removed + 1..next, write);
        write += next - (removed + 1);
    }
    msg.truncate(write);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader that hands out at most `chunk` bytes per call, to exercise
    /// separators and line ends cut by buffer refills.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.data.len().min(self.chunk).min(out.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn split_all<R: Read>(mut splitter: MboxSplitter<R>) -> Vec<Split> {
        let mut out = Vec::new();
        while let Some(split) = splitter.next_message().expect("in-memory read cannot fail") {
            out.push(split);
        }
        out
    }

    fn split(data: &[u8]) -> Vec<Split> {
        split_all(MboxSplitter::new(data, usize::MAX))
    }

    fn messages(splits: Vec<Split>) -> Vec<String> {
        splits
            .into_iter()
            .map(|s| match s {
                Split::Message(m) => String::from_utf8(m).expect("test data is UTF-8"),
                Split::TooLarge { bytes } => format!("<too large: {bytes}>"),
            })
            .collect()
    }

    const THREE: &str = "From alice@example.com Mon Jan  1 00:00:00 2024\n\
        Subject: one\n\
        \n\
        >From the start\n\
        >>From quoted\n\
        not >From here\n\
        \n\
        From MAILER-DAEMON Tue Jan  2 00:00:00 2024\n\
        Subject: two\n\
        \n\
        body two\n\
        \n\
        From - Wed Jan  3 00:00:00 2024\n\
        Subject: three\n\
        \n\
        From: bob@example.com\n\
        >>>From deep\n\
        \n";

    #[test]
    fn three_messages_with_mboxrd_unescaping() {
        assert_eq!(
            messages(split(THREE.as_bytes())),
            vec![
                "Subject: one\n\nFrom the start\n>From quoted\nnot >From here\n",
                "Subject: two\n\nbody two\n",
                "Subject: three\n\nFrom: bob@example.com\n>>From deep\n",
            ]
        );
    }

    #[test]
    fn crlf_mbox_keeps_crlf_line_ends() {
        let crlf = THREE.replace('\n', "\r\n");
        let got = messages(split(crlf.as_bytes()));
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            "Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\nnot >From here\r\n"
        );
        assert_eq!(got[1], "Subject: two\r\n\r\nbody two\r\n");
    }

    #[test]
    fn bare_cr_mbox_splits_on_cr() {
        let cr = THREE.replace('\n', "\r");
        let got = messages(split(cr.as_bytes()));
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            "Subject: one\r\rFrom the start\r>From quoted\rnot >From here\r"
        );
        assert_eq!(got[1], "Subject: two\r\rbody two\r");
    }

    #[test]
    fn last_message_without_trailing_blank_line_or_newline() {
        let got = messages(split(b"From a\nA: 1\n\nx\nFrom b\nB: 2\n\ny"));
        assert_eq!(got, vec!["A: 1\n\nx\n", "B: 2\n\ny"]);
    }

    #[test]
    fn separator_only_messages_are_empty() {
        let got = messages(split(b"From a\n\nFrom b\nFrom c"));
        assert_eq!(got, vec!["", "", ""]);
    }

    #[test]
    fn bytes_before_the_first_separator_are_dropped() {
        assert_eq!(messages(split(b"junk\nFrom a\nA: 1\n")), vec!["A: 1\n"]);
        assert!(split(b"no separator at all\n").is_empty());
        assert!(split(b"").is_empty());
    }

    #[test]
    fn too_large_message_is_skipped_and_the_next_one_still_read() {
        let mut data = b"From a\nSubject: big\n\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 1000));
        data.extend_from_slice(b"\n\nFrom b\nSubject: small\n\nok\n");
        let got = split_all(MboxSplitter::with_buffer_size(&data[..], 64, 200));
        assert_eq!(
            got,
            vec![
                Split::TooLarge { bytes: 1016 },
                Split::Message(b"Subject: small\n\nok\n".to_vec()),
            ]
        );
    }

    #[test]
    fn separators_cut_by_tiny_reads_are_found() {
        for chunk in [1, 2, 3, 5, 7, 13] {
            for buffer in [64, 100, 4096] {
                let reader = Trickle {
                    data: THREE.as_bytes(),
                    chunk,
                };
                let got = split_all(MboxSplitter::with_buffer_size(reader, buffer, usize::MAX));
                assert_eq!(
                    got,
                    split(THREE.as_bytes()),
                    "chunk {chunk}, buffer {buffer}"
                );
                let crlf = THREE.replace('\n', "\r\n");
                let reader = Trickle {
                    data: crlf.as_bytes(),
                    chunk,
                };
                let got = split_all(MboxSplitter::with_buffer_size(reader, buffer, usize::MAX));
                assert_eq!(
                    got,
                    split(crlf.as_bytes()),
                    "CRLF, chunk {chunk}, buffer {buffer}"
                );
            }
        }
    }

    #[test]
    fn unescaping_only_touches_line_starts() {
        let finder = memmem::Finder::new(b">From ");
        let mut msg = b">From a\nx>From b\r>>From c\r\n>>>From d".to_vec();
        unescape_from_lines(&mut msg, &finder);
        assert_eq!(msg, b"From a\nx>From b\r>From c\r\n>>From d");
    }

    /// Escapes a message for an mboxrd file: one more `>` on `^>*From ` lines.
    fn escape(msg: &str, eol: &str) -> String {
        msg.split_inclusive(eol)
            .map(|line| {
                if line.trim_start_matches('>').starts_with("From ") {
                    format!(">{line}")
                } else {
                    line.to_owned()
                }
            })
            .collect()
    }

    /// A message: lines drawn from tricky pieces, each ending in `eol`.
    fn message(eol: &'static str) -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("From "),
            Just(">From "),
            Just(">>From x"),
            Just("From"),
            Just("text "),
            Just(">"),
            Just("")
        ];
        prop::collection::vec(prop::collection::vec(piece, 0..4), 0..6).prop_map(move |lines| {
            lines
                .into_iter()
                .map(|pieces| pieces.concat() + eol)
                .collect::<String>()
        })
    }

    fn round_trip(msgs: &[String], eol: &str, chunk: usize) -> Result<(), TestCaseError> {
        let mut mbox = String::new();
        for m in msgs {
            mbox.push_str("From sender@example.com Mon Jan  1 00:00:00 2024");
            mbox.push_str(eol);
            mbox.push_str(&escape(m, eol));
            mbox.push_str(eol);
        }
        let reader = Trickle {
            data: mbox.as_bytes(),
            chunk,
        };
        let got = messages(split_all(MboxSplitter::with_buffer_size(
            reader,
            64,
            usize::MAX,
        )));
        prop_assert_eq!(&got, msgs);
        Ok(())
    }

    proptest! {
        #[test]
        fn escaped_messages_round_trip_lf(msgs in prop::collection::vec(message("\n"), 0..5), chunk in 1usize..40) {
            round_trip(&msgs, "\n", chunk)?;
        }

        #[test]
        fn escaped_messages_round_trip_crlf(msgs in prop::collection::vec(message("\r\n"), 0..5), chunk in 1usize..40) {
            round_trip(&msgs, "\r\n", chunk)?;
        }

        #[test]
        fn escaped_messages_round_trip_cr(msgs in prop::collection::vec(message("\r"), 0..5), chunk in 1usize..40) {
            round_trip(&msgs, "\r", chunk)?;
        }
    }

    /// Throughput of the splitter over a generated mbox file (~200 MB). Run with
    /// `cargo test --release --lib mbox_throughput -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark: writes a 200 MB file"]
    fn mbox_throughput() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.mbox");
        let mut file = io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let body =
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n";
        let mut written = 0usize;
        let mut count = 0usize;
        while written < 200_000_000 {
            let mut m = format!(
                "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nFrom: Mail Delivery System <MAILER-DAEMON@example.com>\nSubject: Undelivered Mail Returned to Sender {count}\n\n"
            );
            for i in 0..60 {
                m.push_str(if i == 30 {
                    ">From the original\n"
                } else {
                    body
                });
            }
            m.push('\n');
            file.write_all(m.as_bytes()).expect("write");
            written += m.len();
            count += 1;
        }
        file.flush().expect("flush");
        drop(file);
        let start = std::time::Instant::now();
        let reader = std::fs::File::open(&path).expect("open");
        let mut splitter = MboxSplitter::new(reader, 64 << 20);
        let mut got = 0;
        // Count and drop, as a consumer would: keeping 200 MB of messages would
        // measure the allocator instead.
        while let Some(split) = splitter.next_message().expect("read") {
            assert!(matches!(split, Split::Message(_)));
            got += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(got, count);
        eprintln!(
            "split {count} messages, {} MB in {secs:.3} s: {:.0} MB/s",
            written / 1_000_000,
            written as f64 / 1e6 / secs
        );

        // The same file through the public entry point, items and all.
        let start = std::time::Instant::now();
        let summary = super::super::walk(&[path], &super::super::Limits::default(), |_| true);
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(summary.messages, count);
        eprintln!("walk: {:.0} MB/s", written as f64 / 1e6 / secs);
    }
}
