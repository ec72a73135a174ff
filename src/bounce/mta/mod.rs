//! Non-standard bounces, one small module per MTA family.
//!
//! Every family implements [`MtaFamily`]: `detect` says whether a message is
//! that family's bounce (from headers and fixed boilerplate the software
//! prints), `layout` says where its recipient section lies, and `extract`
//! (by default the shared prose reader in [`super::text`]) returns the raw
//! findings. [`FAMILIES`] is the order they are tried in; [`generic::Generic`]
//! comes last and reads any message with the common bounce signals.

mod activehunter;
mod amazonses;
mod amazonworkmail;
mod aol;
mod apachejames;
mod barracuda;
mod bigfoot;
mod biglobe;
mod courier;
mod domino;
mod dovecot;
mod dragonfly;
mod exchange2003;
mod exchange2007;
mod exim;
mod ezweb;
mod fml;
pub mod generic;
mod gmail;
mod gmx;
mod googlegroups;
mod imailserver;
mod kddi;
mod mailfoundry;
mod mailmarshal;
mod mailru;
mod mcafee;
mod messagelabs;
mod messagingserver;
mod mfilter;
mod mimecast;
mod mxlogic;
mod notes;
mod office365;
mod opensmtpd;
mod outlook;
mod postfix;
mod qmail;
mod receivingses;
mod sendmail;
mod surfcontrol;
mod trendmicro;
mod v5sendmail;
mod verizon;
mod x1;
mod x2;
mod x3;
mod x4;
mod x5;
mod x6;
mod yahoo;
mod yandex;
mod zoho;

use super::RawFinding;
use super::address;
use super::message::Mail;
use super::text::{self, Layout};

/// A mail system's own bounce format.
pub trait MtaFamily: Sync {
    /// The decoder name reported in results (`Postfix`, `qmail`, …).
    fn name(&self) -> &'static str;

    /// Is this message a bounce in this family's format?
    fn detect(&self, mail: &Mail) -> bool;

    /// Where the recipient section lies in the notification text.
    fn layout(&self) -> Layout {
        Layout::default()
    }

    /// Reads the failed recipients.
    fn extract(&self, mail: &Mail) -> Vec<RawFinding> {
        let mut found = text::extract(mail, &self.layout());
        if found.is_empty() {
            found = generic::fallback_recipients(mail, &self.layout());
        }
        self.adjust(mail, &mut found);
        found
    }

    /// True when the message carries a signature of this family specific
    /// enough to stand without the common bounce signals (null sender,
    /// MAILER-DAEMON, a bounce subject).
    fn self_evident(&self, _mail: &Mail) -> bool {
        false
    }

    /// Family-specific corrections after the shared reader ran.
    fn adjust(&self, _mail: &Mail, _found: &mut Vec<RawFinding>) {}

    /// Family-specific corrections to what a standard delivery report
    /// (RFC 3464) said, for families that write their own conventions into
    /// its fields.
    fn refine_report(&self, _mail: &Mail, _found: &mut [RawFinding]) {}

    /// True when this family's bounces are written by the system that holds
    /// the recipient's mailbox or checks it against its own directory (a
    /// mailbox provider, a groupware server, a gateway with recipient
    /// validation). Its "unknown user" is then a finding, not a reply it
    /// relays from elsewhere, even when it does not say which SMTP command
    /// was refused. See `diagnose::adjust`.
    fn own_lookup(&self) -> bool {
        false
    }
}

/// The families in the order they are tried. Specific signatures first.
pub static FAMILIES: &[&dyn MtaFamily] = &[
    &googlegroups::GoogleGroups,
    &dovecot::Dovecot,
    &gmail::Gmail,
    &qmail::Qmail,
    &postfix::Postfix,
    &exim::Exim,
    &v5sendmail::V5Sendmail,
    &sendmail::Sendmail,
    &courier::Courier,
    &opensmtpd::OpenSmtpd,
    &yahoo::Yahoo,
    &aol::Aol,
    &receivingses::ReceivingSes,
    &amazonses::AmazonSes,
    &amazonworkmail::AmazonWorkMail,
    &office365::Office365,
    &outlook::Outlook,
    &exchange2007::Exchange2007,
    &exchange2003::Exchange2003,
    &domino::Domino,
    &notes::Notes,
    &messagingserver::MessagingServer,
    &gmx::Gmx,
    &mailru::MailRu,
    &yandex::Yandex,
    &zoho::Zoho,
    &kddi::Kddi,
    &ezweb::Ezweb,
    &messagelabs::MessageLabs,
    &mcafee::McAfee,
    &barracuda::Barracuda,
    &mimecast::Mimecast,
    &trendmicro::TrendMicro,
    &dragonfly::DragonFly,
    &imailserver::IMailServer,
    &mfilter::MFilter,
    &verizon::Verizon,
    &biglobe::Biglobe,
    &apachejames::ApacheJames,
    &fml::Fml,
    &mailfoundry::MailFoundry,
    &mailmarshal::MailMarshal,
    &activehunter::Activehunter,
    &mxlogic::MxLogic,
    &surfcontrol::SurfControl,
    &bigfoot::Bigfoot,
    &x1::X1,
    &x2::X2,
    &x3::X3,
    &x4::X4,
    &x5::X5,
    &x6::X6,
    &generic::Generic,
];

/// Runs the families in order; the first that recognises the message and
/// finds recipients decides.
pub fn extract(mail: &Mail) -> Option<(&'static str, Vec<RawFinding>)> {
    let signals = generic::has_bounce_signals(mail);
    for family in FAMILIES {
        if (signals || family.self_evident(mail)) && family.detect(mail) {
            let mut found = family.extract(mail);
            // The mailing list's own addresses are never a failed recipient,
            // whichever reader named them (see `listaddr`).
            let list = super::listaddr::list_addresses(mail);
            found.retain(|f| !super::listaddr::is_list_address(list, &f.recipient));
            if !found.is_empty() {
                let own_lookup = from_own_lookup_system(mail);
                for raw in &mut found {
                    raw.own_lookup |= own_lookup;
                }
                return Some((family.name(), found));
            }
        }
    }
    None
}

/// Reads a message that another notice returned as its attachment. Being
/// returned by a bounce stands in for the bounce signals, but the message
/// must be in a known family's format: the catch-all reader would take any
/// returned newsletter that quotes an SMTP reply for a report.
pub fn extract_returned(mail: &Mail) -> Option<(&'static str, Vec<RawFinding>)> {
    FAMILIES.iter().find_map(|family| {
        if family.name() == generic::Generic.name() || !family.detect(mail) {
            return None;
        }
        let found = family.extract(mail);
        (!found.is_empty()).then(|| (family.name(), found))
    })
}

/// Whether any family that looks its recipients up itself recognises the
/// message (the reading family included, when it is one). The family that
/// reads a report is chosen by its format (a Sendmail-style report from
/// Bigfoot is read as Sendmail's); who wrote it is a separate question.
fn from_own_lookup_system(mail: &Mail) -> bool {
    FAMILIES.iter().any(|f| f.own_lookup() && f.detect(mail))
}

/// Names the MTA behind a standard DSN and lets the prose part fill in what
/// the DSN left out: a missing diagnostic, and the SMTP command the error
/// answered (Postfix writes "in reply to end of DATA command" only there;
/// Sendmail's session transcript shows `>>> DATA`).
pub fn refine_dsn(mail: &Mail, raws: &mut [RawFinding]) -> &'static str {
    let family = FAMILIES
        .iter()
        .find(|f| f.name() != "Generic" && f.detect(mail));
    let layout = family.map(|f| f.layout()).unwrap_or_default();
    let single = raws.len() == 1;
    // The prose is read only when the report leaves something to fill in.
    let wants_prose = raws.iter().any(|r| r.diagnostic.len() < 12) || !single;
    let prose = if wants_prose {
        text::extract(mail, &layout)
    } else {
        Vec::new()
    };
    let section_command = super::diagnose::find_command(text::section_of_mail(mail, &layout));
    let by_recipient: std::collections::HashMap<String, &RawFinding> = prose
        .iter()
        .map(|p| (p.recipient.to_lowercase(), p))
        .collect();
    if let Some(family) = family {
        family.refine_report(mail, raws);
    }
    let own_lookup = from_own_lookup_system(mail);
    // The lines of the notice about each recipient, for a stage the prose
    // reader did not tie to it (a paragraph per recipient, RFC 3464 §2.3.6
    // leaving the stage out of `Diagnostic-Code`). Built only when the notice
    // names a stage at all.
    let mentions = std::cell::OnceCell::new();
    let lines_about = |recipient: &str| {
        section_command?;
        mentions
            .get_or_init(|| text::Mentions::new(text::section_of_mail(mail, &layout)))
            .lines_about(recipient)
    };
    for raw in raws.iter_mut() {
        raw.own_lookup |= own_lookup;
        let matching = by_recipient.get(&raw.recipient.to_lowercase()).copied();
        if let Some(p) = matching
            && !p.diagnostic.trim().is_empty()
            && raw.diagnostic.len() < 12
        {
            raw.diagnostic = format!("{} {}", raw.diagnostic, p.diagnostic);
        }
        if raw.command.is_none() {
            // With one recipient the whole transcript is about it; with
            // several, only the lines that name it are.
            raw.command = if single {
                section_command
                    .or_else(|| matching.and_then(|p| super::diagnose::find_command(&p.diagnostic)))
            } else {
                matching
                    .and_then(|p| super::diagnose::find_command(&p.diagnostic))
                    .or_else(|| {
                        if super::diagnose::find_command(&raw.diagnostic).is_some() {
                            return None;
                        }
                        lines_about(&raw.recipient).and_then(|l| super::diagnose::find_command(&l))
                    })
            };
        }
    }
    family.map_or("RFC3464", |f| f.name())
}

/// Helpers the family modules share. A family's text signature is searched
/// in the message's lower-cased, whitespace-collapsed text. Every needle list
/// a family asks about is registered once per thread (needle lists are
/// `'static` slices, so their address identifies them), and one Aho-Corasick
/// automaton over all registered needles reads a message's text once: which
/// needles occur is kept with the message, so the fifty families' signature
/// checks cost one pass instead of one pass per needle.
pub(crate) mod signs {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::ops::Range;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};

    use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

    use super::Mail;

    /// Which registered needles occur in one message's text, and for which
    /// registry and automaton version that was worked out.
    #[derive(Debug)]
    struct Hits {
        registry: u64,
        version: u64,
        present: Vec<bool>,
    }

    /// A message's sign search results (empty until a family first asks;
    /// a clone starts empty again).
    #[derive(Debug, Default)]
    pub(crate) struct SignCache(Mutex<Option<Hits>>);

    impl Clone for SignCache {
        fn clone(&self) -> SignCache {
            SignCache::default()
        }
    }

    /// One thread's needles, in the order first asked for, and the
    /// automaton over the needles registered when it was last built.
    #[derive(Default)]
    struct Registry {
        id: u64,
        lists: HashMap<(usize, usize), Range<usize>>,
        needles: Vec<&'static str>,
        automaton: Option<AhoCorasick>,
        version: u64,
    }

    static REGISTRIES: AtomicU64 = AtomicU64::new(0);

    thread_local! {
        static REGISTRY: RefCell<Registry> = RefCell::new(Registry {
            id: REGISTRIES.fetch_add(1, Ordering::Relaxed),
            ..Registry::default()
        });
    }

    impl Registry {
        fn register(&mut self, needles: &'static [&'static str]) -> Range<usize> {
            let key = (needles.as_ptr() as usize, needles.len());
            if let Some(range) = self.lists.get(&key) {
                return range.clone();
            }
            let range = self.needles.len()..self.needles.len() + needles.len();
            self.needles.extend_from_slice(needles);
            self.lists.insert(key, range.clone());
            range
        }

        /// Which needles occur in `text`, with the automaton rebuilt first
        /// when needles were registered since it was built.
        fn scan(&mut self, text: &[u8]) -> Hits {
            let covered = self.automaton.as_ref().map_or(0, |a| a.patterns_len());
            if covered < self.needles.len() || self.automaton.is_none() {
                self.automaton = AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&self.needles)
                    .ok();
                self.version += 1;
            }
            let covered = self.automaton.as_ref().map_or(0, |a| a.patterns_len());
            let mut present = vec![false; covered];
            if let Some(automaton) = &self.automaton {
                for m in automaton.find_overlapping_iter(text) {
                    present[m.pattern().as_usize()] = true;
                }
            }
            Hits {
                registry: self.id,
                version: self.version,
                present,
            }
        }
    }

    fn short_has(value: &str, needles: &[&str]) -> bool {
        let lower = value.to_ascii_lowercase();
        needles.iter().any(|n| lower.contains(n))
    }

    /// True when the text holds one of the needles, also when the notice
    /// wrapped it across lines: the boilerplate of a family is a sentence,
    /// and MTAs (or the mail clients that exported a bounce) break it
    /// wherever their line width falls (Exim 2's "created automatically by
    /// mail delivery\nsoftware").
    pub fn text_has(mail: &Mail, needles: &'static [&'static str]) -> bool {
        // The needles are single-spaced phrases: every match in the text is
        // also one in its whitespace-collapsed copy, so one search suffices.
        let collapsed = mail.collapsed_lower_text().as_bytes();
        REGISTRY.with(|registry| {
            let mut registry = registry.borrow_mut();
            let range = registry.register(needles);
            let mut cache = mail.signs.0.lock().unwrap_or_else(|e| e.into_inner());
            let fresh = cache
                .as_ref()
                .is_some_and(|h| h.registry == registry.id && h.version == registry.version);
            if !fresh {
                *cache = Some(registry.scan(collapsed));
            }
            match cache.as_ref().and_then(|h| h.present.get(range)) {
                Some(present) => present.iter().any(|&p| p),
                // Registered after this message was read: search directly.
                None => needles
                    .iter()
                    .any(|n| memchr::memmem::find(collapsed, n.as_bytes()).is_some()),
            }
        })
    }

    pub fn subject_has(mail: &Mail, needles: &[&str]) -> bool {
        short_has(mail.subject(), needles)
    }

    pub fn from_has(mail: &Mail, needles: &[&str]) -> bool {
        short_has(mail.from(), needles)
    }

    pub fn header_has(mail: &Mail, name: &str, needles: &[&str]) -> bool {
        mail.headers_named(name).any(|v| short_has(v, needles))
    }

    pub fn has_header(mail: &Mail, name: &str) -> bool {
        mail.header(name).is_some()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_needle_list_first_asked_mid_message_is_answered_the_same_later() {
            static FIRST: &[&str] = &["mail delivery failed"];
            static LATER: &[&str] = &["no such user", "mailbox unavailable"];
            static ABSENT: &[&str] = &["quota exceeded"];
            let mail = |text: &str| Mail {
                text: text.into(),
                ..Mail::default()
            };
            let one = mail("Mail delivery failed:\nNo such   user here");
            // FIRST reads the text once; LATER and ABSENT are registered
            // after that and answered by a direct search.
            assert!(text_has(&one, FIRST));
            assert!(text_has(&one, LATER));
            assert!(!text_has(&one, ABSENT));
            // The next message is read with the automaton over all three.
            let two = mail("Mailbox unavailable");
            assert!(!text_has(&two, FIRST));
            assert!(text_has(&two, LATER));
            assert!(!text_has(&two, ABSENT));
            // The first message, asked again, still gets its own answers.
            assert!(text_has(&one, LATER));
            assert!(!text_has(&one, ABSENT));
        }

        #[test]
        fn a_signature_wrapped_across_lines_is_found() {
            let mail = Mail {
                text:
                    "This message was created automatically by mail delivery\nsoftware.  A message"
                        .into(),
                ..Mail::default()
            };
            assert!(text_has(
                &mail,
                &["this message was created automatically by mail delivery software"]
            ));
            assert!(!text_has(&mail, &["delivery software was"]));
        }
    }
}
