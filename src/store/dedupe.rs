//! The identity of an imported message, so that a mailbox dropped twice is
//! counted once (BOUNCES.md, "Duplicates of messages").
//!
//! The key is the bounce's own `Message-ID` with its `Date`; without one, a
//! SHA-256 of the message with the mbox `From ` line, the bookkeeping headers
//! mail clients add (`Status`, `X-Status`, `X-Mozilla-*`, `X-Gmail-Labels`,
//! `X-GM-*`, `X-Keywords`) and line-end differences removed, so the same
//! message exported by two clients is still one message.

use sha2::{Digest, Sha256};

use crate::bounce::message::normalize_line_ends;

/// The dedupe key of a raw message.
pub fn message_key(raw: &[u8]) -> String {
    let bytes = normalize_line_ends(raw);
    let body_start = memchr::memmem::find(&bytes, b"\n\n").map_or(bytes.len(), |i| i + 2);
    let head = &bytes[..body_start];
    let id = header_value(head, b"message-id");
    let date = header_value(head, b"date");
    if let Some(id) = id.filter(|v| v.contains('@')) {
        return format!("id:{id}|{}", date.unwrap_or_default());
    }
    let mut hasher = Sha256::new();
    let mut lines = head.split(|b| *b == b'\n').peekable();
    if lines.peek().is_some_and(|l| l.starts_with(b"From ")) {
        lines.next();
    }
    let mut skipping = false;
    for line in lines {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            skipping = is_bookkeeping(line);
        }
        if !skipping {
            hasher.update(line);
            hasher.update(b"\n");
        }
    }
    hasher.update(&bytes[body_start..]);
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn is_bookkeeping(line: &[u8]) -> bool {
    let name_end = line.iter().position(|b| *b == b':').unwrap_or(0);
    let name = line[..name_end].to_ascii_lowercase();
    matches!(
        name.as_slice(),
        b"status" | b"x-status" | b"x-gmail-labels" | b"x-keywords"
    ) || name.starts_with(b"x-mozilla-")
        || name.starts_with(b"x-gm-")
}

/// The unfolded value of the first header called `name` (lower case).
fn header_value(head: &[u8], name: &[u8]) -> Option<String> {
    let mut value: Option<Vec<u8>> = None;
    for line in head.split(|b| *b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        match (&mut value, continuation) {
            (Some(v), true) => v.extend_from_slice(line),
            (Some(_), false) => break,
            (None, false) => {
                if let Some(colon) = line.iter().position(|b| *b == b':')
                    && line[..colon].eq_ignore_ascii_case(name)
                {
                    value = Some(line[colon + 1..].to_vec());
                }
            }
            (None, true) => {}
        }
    }
    value.map(|v| {
        String::from_utf8_lossy(&v)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_and_date_make_the_key() {
        let a = b"Message-ID: <1@example.com>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x\n\nbody";
        assert_eq!(
            message_key(a),
            "id:<1@example.com>|Mon, 1 Jan 2024 00:00:00 +0000"
        );
    }

    #[test]
    fn without_message_id_client_bookkeeping_and_line_ends_do_not_matter() {
        let thunderbird = b"From - Mon Jan  1 00:00:00 2024\r\nX-Mozilla-Status: 0001\r\nStatus: RO\r\nSubject: Returned mail\r\n\r\nbody\r\n";
        let plain = b"Subject: Returned mail\n\nbody\n";
        assert_eq!(message_key(thunderbird), message_key(plain));
    }

    #[test]
    fn different_messages_have_different_keys() {
        assert_ne!(
            message_key(b"Subject: a\n\nx"),
            message_key(b"Subject: a\n\ny")
        );
    }
}
