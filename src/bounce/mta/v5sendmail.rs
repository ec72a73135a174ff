//! Sendmail version 5 (old style, no DSN).
//!
//! The transcript is written in blocks, one per SMTP session:
//!
//! ```text
//! While talking to mail.example.org:
//! >>> MAIL From:<sender@example.com>
//! <<< 501 … which is an open relay.
//! 554 <anna@example.org>... Remote protocol error
//! ```
//!
//! The server's reply (`<<<`) is the real cause for the recipients named
//! after it whose own line only says how Sendmail gave up ("Remote protocol
//! error", "User unknown"); it answered the last command sent (`>>>`).
//! Lines that carry their own reply code ("… 550 Host unknown") belong to
//! other deliveries and keep their text.

use std::collections::HashMap;

use super::signs::text_has;
use super::{Layout, Mail, MtaFamily, RawFinding};
use crate::bounce::diagnose::{self, SmtpCommand};

pub struct V5Sendmail;

impl MtaFamily for V5Sendmail {
    fn name(&self) -> &'static str {
        "V5sendmail"
    }

    fn detect(&self, mail: &Mail) -> bool {
        text_has(mail, &["----- transcript of session follows -----"])
            && text_has(mail, &["----- unsent message follows -----"])
    }

    fn layout(&self) -> Layout {
        Layout {
            begin: &["transcript of session follows"],
            end: &[],
        }
    }

    fn adjust(&self, mail: &Mail, found: &mut Vec<RawFinding>) {
        // One lookup per recipient line: a transcript may list thousands.
        let mut index: HashMap<String, usize> = HashMap::with_capacity(found.len());
        for (i, raw) in found.iter().enumerate() {
            index.entry(raw.recipient.to_ascii_lowercase()).or_insert(i);
        }
        for block in blocks(&mail.text) {
            for (recipient, own) in &block.recipients {
                let Some(raw) = index
                    .get(&recipient.to_ascii_lowercase())
                    .and_then(|&i| found.get_mut(i))
                else {
                    continue;
                };
                raw.diagnostic = format!("{} {}", block.reply, own);
                raw.command = raw.command.or(block.command);
            }
        }
    }
}

/// One "While talking to" session: the error reply, the command it
/// answered, and the recipients it explains (address, their own line's text).
#[derive(Debug, Default, PartialEq)]
struct Block {
    reply: String,
    command: Option<SmtpCommand>,
    recipients: Vec<(String, String)>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    let mut last_command = None;
    for line in text.lines().map(str::trim) {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("while talking to ") {
            out.extend(current.take().filter(|b| !b.reply.is_empty()));
            current = Some(Block::default());
            last_command = None;
            continue;
        }
        if lower.starts_with("-----") {
            out.extend(current.take().filter(|b| !b.reply.is_empty()));
            continue;
        }
        let Some(block) = current.as_mut() else {
            continue;
        };
        if let Some(cmd) = lower.strip_prefix(">>> ") {
            last_command = diagnose::sent_command(cmd).or(last_command);
        } else if let Some(reply) = line.strip_prefix("<<< ") {
            if block.reply.is_empty() && (reply.starts_with('4') || reply.starts_with('5')) {
                block.reply = reply.to_string();
                block.command = last_command;
            }
        } else if !block.reply.is_empty()
            && let Some((recipient, own)) = recipient_line(line)
            && !starts_with_reply_code(own)
        {
            block
                .recipients
                .push((recipient.to_string(), own.to_string()));
        }
    }
    out.extend(current.filter(|b| !b.reply.is_empty()));
    out
}

/// `554 <anna@example.org>... Remote protocol error` → (address, text).
fn recipient_line(line: &str) -> Option<(&str, &str)> {
    let rest = line
        .get(..3)?
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| &line[3..])?;
    let rest = rest.trim_start().strip_prefix('<')?;
    let (address, own) = rest.split_once(">...")?;
    address.contains('@').then(|| (address, own.trim()))
}

fn starts_with_reply_code(text: &str) -> bool {
    text.len() >= 3
        && text.as_bytes()[..3].iter().all(u8::is_ascii_digit)
        && matches!(text.as_bytes()[0], b'4' | b'5')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRANSCRIPT: &str = "   ----- Transcript of session follows -----\n\
        While talking to mx.example.org:\n\
        >>> MAIL From:<me@example.com>\n\
        <<< 501 <me@example.com>... refused: open relay\n\
        554 <anna@example.org>... Remote protocol error\n\
        554 <bob@example.org>... 550 Host unknown\n\
        While talking to mx.example.net:\n\
        >>> RCPT To:<carl@example.net>\n\
        <<< 550 No such user here\n\
        550 <carl@example.net>... User unknown\n\
        \n   ----- Unsent message follows -----\n";

    #[test]
    fn each_block_explains_its_own_recipients() {
        let b = blocks(TRANSCRIPT);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].command, Some(SmtpCommand::MailFrom));
        assert_eq!(b[0].reply, "501 <me@example.com>... refused: open relay");
        assert_eq!(
            b[0].recipients,
            vec![(
                "anna@example.org".to_string(),
                "Remote protocol error".to_string()
            )]
        );
        assert_eq!(b[1].command, Some(SmtpCommand::RcptTo));
        assert_eq!(b[1].recipients[0].0, "carl@example.net");
    }
}
