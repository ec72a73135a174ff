//! The mailbox reader on any bytes: mbox splitting, one message, zip entries.
//! Every message handed out is no larger than the limit, and the counts add up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use listhygiene::mailbox::{self, Item, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut messages = 0usize;
    let mut unreadable = 0usize;
    let summary = mailbox::read_bytes("fuzz.input", data, &limits, |item| {
        match item {
            Item::Message(m) => {
                assert!(m.bytes.len() <= limits.max_message_bytes);
                messages += 1;
            }
            Item::Unreadable { .. } => unreadable += 1,
        }
        true
    });
    assert_eq!(summary.messages, messages);
    assert_eq!(summary.unreadable, unreadable);
});
