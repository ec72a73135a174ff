//! The SMTP stage: which command (RFC 5321) an error answered, from the
//! words MTAs write about it and from session transcripts.

use std::sync::LazyLock;

use super::words::squeeze;
use crate::bounce::markers::MarkerSet;

/// The SMTP command an error answered, when the text says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpCommand {
    Connect,
    Helo,
    MailFrom,
    RcptTo,
    Data,
}

/// How MTAs say which command an error answered (lower case). The marker
/// found last in the text wins, as in a session transcript.
const COMMAND_MARKERS: &[(&str, SmtpCommand)] = &[
    ("in reply to end of data command", SmtpCommand::Data),
    ("in reply to data command", SmtpCommand::Data),
    ("after end of data", SmtpCommand::Data),
    ("our final data", SmtpCommand::Data),
    ("after data", SmtpCommand::Data),
    ("in reply to rcpt to command", SmtpCommand::RcptTo),
    ("after rcpt to", SmtpCommand::RcptTo),
    ("our rcpt to", SmtpCommand::RcptTo),
    ("<<< rcpt to", SmtpCommand::RcptTo),
    ("after rcpt command", SmtpCommand::RcptTo),
    // Exim with PIPELINING: "SMTP error from remote mail server after
    // pipelined RCPT TO:<…>" (and MAIL FROM, DATA).
    ("after pipelined rcpt to", SmtpCommand::RcptTo),
    ("after pipelined mail from", SmtpCommand::MailFrom),
    ("after pipelined data", SmtpCommand::Data),
    ("in response to rcpt to", SmtpCommand::RcptTo),
    ("in response to the rcpt to", SmtpCommand::RcptTo),
    ("in response to mail from", SmtpCommand::MailFrom),
    ("in response to data", SmtpCommand::Data),
    ("in response to end of data", SmtpCommand::Data),
    // qmail says which stage failed in its own words.
    ("does not like recipient", SmtpCommand::RcptTo),
    ("failed after i sent the message", SmtpCommand::Data),
    // qmail: "no SMTP connection got far enough; most progress was RCPT TO response".
    ("most progress was rcpt to", SmtpCommand::RcptTo),
    // Oracle Messaging Server: "Reason: Remote SMTP server has rejected address".
    ("server has rejected address", SmtpCommand::RcptTo),
    // Exchange's "Technical details: SMTP:RCPT host 192.0.2.1: 550 …".
    ("smtp:rcpt host", SmtpCommand::RcptTo),
    ("in reply to mail from command", SmtpCommand::MailFrom),
    ("after mail from", SmtpCommand::MailFrom),
    ("our mail from", SmtpCommand::MailFrom),
    ("in reply to helo command", SmtpCommand::Helo),
    ("after ehlo", SmtpCommand::Helo),
    ("after helo", SmtpCommand::Helo),
    ("in reply to ehlo command", SmtpCommand::Helo),
    ("refused to talk to me", SmtpCommand::Connect),
    ("after initial connection", SmtpCommand::Connect),
    ("smtp command data", SmtpCommand::Data),
    ("smtp command rcpt", SmtpCommand::RcptTo),
    ("smtp command mail", SmtpCommand::MailFrom),
];

/// The SMTP command a diagnostic or transcript says the error answered.
pub fn find_command(text: &str) -> Option<SmtpCommand> {
    static MARKERS: LazyLock<MarkerSet> = LazyLock::new(|| {
        let phrases: Vec<&str> = COMMAND_MARKERS.iter().map(|(m, _)| *m).collect();
        MarkerSet::new(&phrases)
    });
    if text.contains(">>>")
        && let Some(c) = transcript_command(&text.to_ascii_lowercase())
    {
        return Some(c);
    }
    // Every marker contains one of these words; most texts have none of them,
    // and then the whitespace-normalising copy is not needed.
    static TRIGGERS: LazyLock<MarkerSet> = LazyLock::new(|| {
        MarkerSet::new(&[
            "reply to",
            "response to",
            "pipelined",
            "after",
            "our ",
            "talk to",
            "smtp command",
            "<<<",
            "most progress",
            "does not like",
            "failed after",
            "smtp:rcpt",
            "rejected address",
        ])
    });
    if !TRIGGERS.any(text) {
        return None;
    }
    MARKERS
        .last(&squeeze(text))
        .map(|(_, _, i)| COMMAND_MARKERS[i].1)
}

/// The SMTP command a transcript line `>>> RCPT To:<…>` sent (the text after
/// `>>> `, lower case); `None` for commands that no error is attributed to.
pub fn sent_command(line: &str) -> Option<SmtpCommand> {
    match line.split_whitespace().next().unwrap_or("") {
        "data" => Some(SmtpCommand::Data),
        "rcpt" => Some(SmtpCommand::RcptTo),
        "mail" => Some(SmtpCommand::MailFrom),
        "helo" | "ehlo" => Some(SmtpCommand::Helo),
        _ => None,
    }
}

/// In a session transcript (`>>> RCPT To:<…>` / `<<< 550 …`), the command
/// sent last before the first error reply. With pipelining the RCPT replies
/// arrive after `>>> DATA` was sent; a later `503` ("need RCPT") to DATA
/// shows that the error answered RCPT.
fn transcript_command(lower: &str) -> Option<SmtpCommand> {
    let mut last = None;
    let mut lines = lower.lines().map(str::trim_start);
    let mut found = None;
    for line in lines.by_ref() {
        if let Some(cmd) = line.strip_prefix(">>> ") {
            last = sent_command(cmd).or(last);
        } else if let Some(reply) = line.strip_prefix("<<< ")
            && (reply.starts_with('4') || reply.starts_with('5'))
            && !reply.starts_with("503")
        {
            found = Some(last);
            break;
        }
    }
    let found = found?;
    let rejects_data_for_want_of_recipients = |l: &str| {
        l.starts_with("<<< 503")
            || l.starts_with("<<<")
                && (l.contains("no valid recipients") || l.contains("need rcpt"))
    };
    if found == Some(SmtpCommand::Data) && lines.any(rejects_data_for_want_of_recipients) {
        return Some(SmtpCommand::RcptTo);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_is_read_in_each_mtas_words() {
        let cases: &[(&str, SmtpCommand)] = &[
            (
                "host mx.example.org[192.0.2.1] said: 550 User unknown (in reply to RCPT TO command)",
                SmtpCommand::RcptTo,
            ),
            (
                "SMTP error from remote mail server after pipelined RCPT TO:<anna@example.org>: 550 No such user",
                SmtpCommand::RcptTo,
            ),
            (
                "SMTP error from remote mail server after RCPT TO:<anna@example.org>:\n    host mx [192.0.2.1]: 550 unknown",
                SmtpCommand::RcptTo,
            ),
            (
                "192.0.2.1 does not like recipient.\nRemote host said: 550 No such user",
                SmtpCommand::RcptTo,
            ),
            (
                "... while talking to mx.example.org.:\n>>> RCPT To:<anna@example.org>\n<<< 550 Unknown user",
                SmtpCommand::RcptTo,
            ),
            (
                "... while talking to mx.example.org.:\n>>> DATA\n<<< 554 5.7.1 Message rejected",
                SmtpCommand::Data,
            ),
            (
                "The server responded in response to MAIL FROM: 553 sender rejected",
                SmtpCommand::MailFrom,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(find_command(text), Some(*want), "{text}");
        }
        assert_eq!(find_command("550 5.1.1 User unknown"), None);
    }
}
