//! The figures of the statistics view (PRODUCT.md, "Statistics the user
//! expects"), computed from the workspace history, the verdicts and the list.
//! Pure: no I/O, no window. The window draws them; "Export figures" writes
//! them with [`figures_csv`].

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::bounce::date::to_rfc3339;
use crate::bounce::{Group, Kind, Reason};
use crate::list::spreadsheet_safe;
use crate::policy::{Assessment, Event, History, Verdict};
use crate::store::MailingInfo;

/// How often one reason was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCount {
    pub reason: Reason,
    /// Bounce events with this reason.
    pub events: usize,
    /// Distinct addresses with this reason.
    pub addresses: usize,
}

/// One mailing's bounces.
#[derive(Debug, Clone, PartialEq)]
pub struct MailingStat {
    pub key: String,
    pub subject: Option<String>,
    /// Seconds since the epoch (UTC).
    pub date: i64,
    /// Addresses that bounced hard (address problems) in this mailing.
    pub hard: usize,
    /// Addresses that bounced soft for a mailbox or transient reason.
    pub soft: usize,
    pub complaints: usize,
    /// Addresses refused for a reason on the sender's side.
    pub sender_side: usize,
    /// Distinct addresses with any bounce or complaint in this mailing.
    pub bounced: usize,
    /// `bounced` / list size, when every mailing went to the whole list.
    pub rate: Option<f64>,
}

/// One recipient domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainStat {
    pub domain: String,
    /// Distinct addresses at this domain with a hard bounce, soft bounce or
    /// complaint.
    pub bounced: usize,
    /// Bounce and complaint events at this domain.
    pub events: usize,
    /// Subscribers at this domain in the list.
    pub subscribers: usize,
    /// `bounced` / `subscribers`, when the list has any there.
    pub rate: Option<f64>,
}

/// Everything the statistics view shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Messages stored in the workspace.
    pub messages: usize,
    /// Messages recognised as bounces, complaints or auto-replies.
    pub recognised: usize,
    /// Messages that were none of these.
    pub not_recognised: usize,
    /// Distinct addresses with a finding.
    pub recipients: usize,
    /// Of those, how many are in the list.
    pub matched: usize,
    /// Findings by kind.
    pub hard: usize,
    pub soft: usize,
    pub complaints: usize,
    pub auto_replies: usize,
    /// Findings that were the sender's problem (blocked, reputation,
    /// authentication, rate limits, content…), not the address's.
    pub sender_side: usize,
    /// List rows the export leaves out.
    pub rows_to_remove: usize,
    /// Addresses to suppress (bounces, complaints and manual removals).
    pub addresses_to_remove: usize,
    pub list_rows: usize,
    /// Share of list rows with the verdict "keep".
    pub health: Option<f64>,
    /// Addresses not in the list with a hard bounce / a complaint.
    pub not_in_list_hard: usize,
    pub not_in_list_complaints: usize,
    /// Reasons of address, mailbox and transient problems, most frequent first.
    pub address_reasons: Vec<ReasonCount>,
    /// Reasons on the sender's side, most frequent first.
    pub sender_reasons: Vec<ReasonCount>,
    /// Complaint and other reasons (auto-reply, undetermined).
    pub other_reasons: Vec<ReasonCount>,
    /// Mailings, oldest first.
    pub mailings: Vec<MailingStat>,
    /// The domains with the most bounced addresses (at most [`TOP_DOMAINS`]).
    pub domains: Vec<DomainStat>,
    /// Addresses by current consecutive hard bounces: `(streak, addresses)`
    /// for 1 up to the threshold, the last bucket meaning "threshold or more".
    pub streaks: Vec<(u32, usize)>,
    /// Verdicts of list rows (or of addresses when there is no list).
    pub verdicts: BTreeMap<Verdict, usize>,
}

/// How many domains the statistics list.
pub const TOP_DOMAINS: usize = 15;

/// What the figures are computed from.
pub struct Inputs<'a> {
    /// Events by address, mailings, subscribers (from the list) and overrides.
    pub history: &'a History,
    /// Count these events instead of the history's (the last import's).
    pub events: Option<&'a HashMap<String, Vec<Event>>>,
    pub verdicts: &'a HashMap<String, Assessment>,
    pub mailings: &'a [MailingInfo],
    /// Stored messages by kind (`bounce`, `complaint`, `auto_reply`, `not_bounce`).
    pub message_kinds: &'a HashMap<String, usize>,
    /// The verdict of every list row, when a list is loaded.
    pub row_verdicts: Option<&'a [Verdict]>,
    /// Rows of the list by domain (when a list is loaded).
    pub list_domains: &'a HashMap<String, usize>,
    pub hard_threshold: u32,
    pub whole_list: bool,
}

/// The domain part of an address key (`""` when there is none).
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Computes the figures.
pub fn compute(inp: &Inputs<'_>) -> Stats {
    let h = inp.history;
    let mut s = Stats {
        messages: inp.message_kinds.values().sum(),
        not_recognised: inp.message_kinds.get("not_bounce").copied().unwrap_or(0),
        ..Stats::default()
    };
    s.recognised = s.messages - s.not_recognised;

    let in_list = |key: &str| h.subscribers.get(key).is_some_and(|sub| sub.in_list);
    let mut reasons: HashMap<Reason, (usize, HashSet<&str>)> = HashMap::new();
    let mut per_mailing: HashMap<u64, [HashSet<&str>; 5]> = HashMap::new();
    let mut per_domain: HashMap<&str, (HashSet<&str>, usize)> = HashMap::new();
    for (address, events) in inp.events.unwrap_or(&h.events) {
        if events.is_empty() {
            continue;
        }
        s.recipients += 1;
        let listed = in_list(address);
        s.matched += usize::from(listed);
        let mut hard = false;
        let mut complained = false;
        for e in events {
            let group = e.reason.group();
            match e.kind {
                Kind::Hard => s.hard += 1,
                Kind::Soft => s.soft += 1,
                Kind::Complaint => s.complaints += 1,
                Kind::AutoReply => s.auto_replies += 1,
                Kind::Delivered | Kind::Undetermined => {}
            }
            if group == Group::SenderSide {
                s.sender_side += 1;
            }
            hard |= e.kind == Kind::Hard;
            complained |= e.kind == Kind::Complaint;
            let r = reasons.entry(e.reason).or_default();
            r.0 += 1;
            r.1.insert(address);
            let slot = match (e.kind, group) {
                (Kind::Complaint, _) => Some(2),
                (_, Group::SenderSide) => Some(3),
                (Kind::Hard, _) => Some(0),
                (Kind::Soft, Group::Mailbox | Group::Transient) => Some(1),
                _ => None,
            };
            if let Some(slot) = slot {
                let m = per_mailing.entry(e.mailing).or_default();
                m[slot].insert(address);
                if slot != 3 {
                    m[4].insert(address);
                    let d = per_domain.entry(domain_of(address)).or_default();
                    d.0.insert(address);
                    d.1 += 1;
                }
            }
        }
        if !listed {
            s.not_in_list_hard += usize::from(hard);
            s.not_in_list_complaints += usize::from(complained);
        }
    }

    let mut reasons: Vec<ReasonCount> = reasons
        .into_iter()
        .map(|(reason, (events, addresses))| ReasonCount {
            reason,
            events,
            addresses: addresses.len(),
        })
        .collect();
    reasons.sort_by(|a, b| b.events.cmp(&a.events).then(a.reason.cmp(&b.reason)));
    for r in reasons {
        match r.reason.group() {
            Group::Address | Group::Mailbox | Group::Transient => s.address_reasons.push(r),
            Group::SenderSide => s.sender_reasons.push(r),
            _ => s.other_reasons.push(r),
        }
    }

    s.list_rows = inp.row_verdicts.map_or(0, <[Verdict]>::len);
    let list_size = s.list_rows;
    s.mailings = inp
        .mailings
        .iter()
        .map(|m| {
            let sets = per_mailing.get(&m.id);
            let n = |i: usize| sets.map_or(0, |s| s[i].len());
            MailingStat {
                key: m.key.clone(),
                subject: m.subject.clone(),
                date: m.date,
                hard: n(0),
                soft: n(1),
                complaints: n(2),
                sender_side: n(3),
                bounced: n(4),
                rate: (inp.whole_list && list_size > 0).then(|| n(4) as f64 / list_size as f64),
            }
        })
        .collect();

    let mut domains: Vec<DomainStat> = per_domain
        .into_iter()
        .map(|(domain, (addresses, events))| {
            let subscribers = inp.list_domains.get(domain).copied().unwrap_or(0);
            DomainStat {
                domain: domain.to_string(),
                bounced: addresses.len(),
                events,
                subscribers,
                rate: (subscribers > 0).then(|| addresses.len() as f64 / subscribers as f64),
            }
        })
        .collect();
    domains.sort_by(|a, b| b.bounced.cmp(&a.bounced).then(a.domain.cmp(&b.domain)));
    domains.truncate(TOP_DOMAINS);
    s.domains = domains;

    let top = inp.hard_threshold.max(1);
    let mut streaks = vec![0usize; top as usize];
    for a in inp.verdicts.values() {
        if a.hard_streak > 0 {
            streaks[(a.hard_streak.min(top) - 1) as usize] += 1;
        }
    }
    s.streaks = (1..=top).zip(streaks).collect();

    match inp.row_verdicts {
        Some(rows) => {
            for v in rows {
                *s.verdicts.entry(*v).or_default() += 1;
            }
            s.rows_to_remove = rows.iter().filter(|v| v.is_removal()).count();
            let keep = s.verdicts.get(&Verdict::Keep).copied().unwrap_or(0);
            s.health = (!rows.is_empty()).then(|| keep as f64 / rows.len() as f64);
        }
        None => {
            for a in inp.verdicts.values() {
                *s.verdicts.entry(a.verdict).or_default() += 1;
            }
        }
    }
    s.addresses_to_remove = inp
        .verdicts
        .values()
        .filter(|a| a.verdict.is_suppression())
        .count();
    s
}

/// The figures as one CSV table (`section,item,value,detail`), for
/// "Export figures". With `safe`, text cells are spreadsheet-safe.
pub fn figures_csv(s: &Stats, safe: bool) -> Vec<u8> {
    let cell = |v: &str| {
        if safe {
            spreadsheet_safe(v).into_owned()
        } else {
            v.to_string()
        }
    };
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut key = |item: &str, value: String| {
        rows.push(["key figures".into(), item.into(), value, String::new()]);
    };
    key("messages read", s.messages.to_string());
    key("bounces recognised", s.recognised.to_string());
    key("not recognised", s.not_recognised.to_string());
    key("recipients affected", s.recipients.to_string());
    key("matched to the list", s.matched.to_string());
    key("hard bounces", s.hard.to_string());
    key("soft bounces", s.soft.to_string());
    key("complaints", s.complaints.to_string());
    key("auto-replies", s.auto_replies.to_string());
    key("sender-side bounces", s.sender_side.to_string());
    key("list rows", s.list_rows.to_string());
    key("list rows to remove", s.rows_to_remove.to_string());
    key("addresses to suppress", s.addresses_to_remove.to_string());
    key(
        "list health",
        s.health.map_or_else(String::new, |h| format!("{:.4}", h)),
    );
    key("hard bounces not in list", s.not_in_list_hard.to_string());
    key(
        "complaints not in list",
        s.not_in_list_complaints.to_string(),
    );
    for (section, list) in [
        ("address reasons", &s.address_reasons),
        ("sender-side reasons", &s.sender_reasons),
        ("other reasons", &s.other_reasons),
    ] {
        for r in list {
            rows.push([
                section.into(),
                r.reason.as_str().into(),
                r.events.to_string(),
                format!("{} addresses; {}", r.addresses, r.reason.label()),
            ]);
        }
    }
    for m in &s.mailings {
        let detail = format!(
            "{}; hard {}; soft {}; complaints {}; sender-side {}; rate {}",
            m.subject.as_deref().unwrap_or(""),
            m.hard,
            m.soft,
            m.complaints,
            m.sender_side,
            m.rate.map_or_else(String::new, |r| format!("{r:.4}"))
        );
        rows.push([
            format!("mailing {}", to_rfc3339(m.date)),
            cell(&m.key),
            m.bounced.to_string(),
            cell(&detail),
        ]);
    }
    for d in &s.domains {
        rows.push([
            "domains".into(),
            cell(&d.domain),
            d.bounced.to_string(),
            format!(
                "{} events; {} subscribers; rate {}",
                d.events,
                d.subscribers,
                d.rate.map_or_else(String::new, |r| format!("{r:.4}"))
            ),
        ]);
    }
    let last = s.streaks.len();
    for (i, (streak, n)) in s.streaks.iter().enumerate() {
        let label = if i + 1 == last {
            format!("{streak}+ hard in a row")
        } else {
            format!("{streak} hard in a row")
        };
        rows.push(["streaks".into(), label, n.to_string(), String::new()]);
    }
    for (v, n) in &s.verdicts {
        rows.push([
            "verdicts".into(),
            v.as_str().into(),
            n.to_string(),
            String::new(),
        ]);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail; a failure would only lose the row.
    let _ = w.write_record(["section", "item", "value", "detail"]);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Event, Mailing, Subscriber};

    fn event(mailing: u64, kind: Kind, reason: Reason) -> Event {
        Event {
            mailing,
            date: 1_700_000_000 + mailing as i64 * 86_400 * 30,
            kind,
            reason,
            diagnostic: None,
            original_recipient: None,
        }
    }

    fn assessment(verdict: Verdict, hard_streak: u32) -> Assessment {
        Assessment {
            verdict,
            hard_streak,
            max_hard_streak: hard_streak,
            bounces: 1,
            first_bounce: None,
            last_bounce: None,
            last_reason: None,
            verdict_reason: None,
            last_diagnostic: None,
            alive_after_removal: false,
        }
    }

    #[test]
    fn figures_split_address_and_sender_problems_per_mailing_and_domain() {
        let mut h = History::default();
        for id in 1..=2 {
            h.mailings.push(Mailing {
                id,
                stream: "news".into(),
                date: 1_700_000_000 + id as i64 * 86_400 * 30,
            });
        }
        h.events.insert(
            "a@x.org".into(),
            vec![
                event(1, Kind::Hard, Reason::UserUnknown),
                event(2, Kind::Hard, Reason::UserUnknown),
            ],
        );
        h.events.insert(
            "b@x.org".into(),
            vec![event(1, Kind::Soft, Reason::BadReputation)],
        );
        h.events.insert(
            "c@y.net".into(),
            vec![event(2, Kind::Complaint, Reason::Feedback)],
        );
        h.events.insert(
            "ghost@y.net".into(),
            vec![event(2, Kind::Hard, Reason::HostUnknown)],
        );
        for k in ["a@x.org", "b@x.org", "c@y.net", "d@x.org"] {
            h.subscribers.insert(
                k.into(),
                Subscriber {
                    in_list: true,
                    ..Subscriber::default()
                },
            );
        }
        let verdicts: HashMap<String, Assessment> = [
            ("a@x.org", assessment(Verdict::Watch, 2)),
            ("b@x.org", assessment(Verdict::Keep, 0)),
            ("c@y.net", assessment(Verdict::RemoveComplaint, 0)),
            ("ghost@y.net", assessment(Verdict::Watch, 1)),
        ]
        .into_iter()
        .map(|(k, a)| (k.to_string(), a))
        .collect();
        let mailings: Vec<MailingInfo> = h
            .mailings
            .iter()
            .map(|m| MailingInfo {
                id: m.id,
                key: format!("m{}", m.id),
                stream: m.stream.clone(),
                date: m.date,
                subject: None,
            })
            .collect();
        let kinds: HashMap<String, usize> =
            [("bounce".to_string(), 4), ("not_bounce".to_string(), 1)].into();
        let rows = [
            Verdict::Watch,
            Verdict::Keep,
            Verdict::RemoveComplaint,
            Verdict::Keep,
        ];
        let list_domains: HashMap<String, usize> =
            [("x.org".to_string(), 3), ("y.net".to_string(), 1)].into();
        let s = compute(&Inputs {
            history: &h,
            events: None,
            verdicts: &verdicts,
            mailings: &mailings,
            message_kinds: &kinds,
            row_verdicts: Some(&rows),
            list_domains: &list_domains,
            hard_threshold: 3,
            whole_list: true,
        });
        assert_eq!((s.messages, s.recognised, s.not_recognised), (5, 4, 1));
        assert_eq!((s.recipients, s.matched), (4, 3));
        assert_eq!((s.hard, s.soft, s.complaints, s.sender_side), (3, 1, 1, 1));
        assert_eq!((s.not_in_list_hard, s.not_in_list_complaints), (1, 0));
        assert_eq!(s.sender_reasons.len(), 1);
        assert_eq!(s.sender_reasons[0].reason, Reason::BadReputation);
        assert_eq!(s.address_reasons[0].reason, Reason::UserUnknown);
        assert_eq!(s.address_reasons[0].events, 2);
        assert_eq!(s.address_reasons[0].addresses, 1);
        // Mailing 1: a hard, b sender-side (not counted as bounced).
        assert_eq!(s.mailings[0].hard, 1);
        assert_eq!(s.mailings[0].sender_side, 1);
        assert_eq!(s.mailings[0].bounced, 1);
        assert_eq!(s.mailings[0].rate, Some(0.25));
        // Mailing 2: a hard, ghost hard, c complaint.
        assert_eq!((s.mailings[1].hard, s.mailings[1].complaints), (2, 1));
        assert_eq!(s.mailings[1].bounced, 3);
        // x.org: only a bounced (b's block is the sender's problem).
        let x = s.domains.iter().find(|d| d.domain == "x.org");
        assert_eq!(x.map(|d| (d.bounced, d.subscribers)), Some((1, 3)));
        assert_eq!(s.domains[0].domain, "y.net");
        assert_eq!(s.domains[0].rate, Some(2.0));
        assert_eq!(s.streaks, vec![(1, 1), (2, 1), (3, 0)]);
        assert_eq!(s.rows_to_remove, 1);
        assert_eq!(s.addresses_to_remove, 1);
        assert_eq!(s.health, Some(0.5));

        let csv = String::from_utf8(figures_csv(&s, true)).unwrap_or_default();
        assert!(csv.starts_with("section,item,value,detail\n"));
        assert!(csv.contains("key figures,hard bounces,3,\n"));
        assert!(csv.contains("streaks,3+ hard in a row,0,\n"));
    }

    #[test]
    fn the_figures_export_neutralises_formulas_when_asked() {
        let s = Stats {
            domains: vec![DomainStat {
                domain: "=cmd.example".into(),
                bounced: 1,
                events: 1,
                subscribers: 0,
                rate: None,
            }],
            ..Stats::default()
        };
        let safe = String::from_utf8(figures_csv(&s, true)).unwrap_or_default();
        assert!(safe.contains("domains,'=cmd.example,1,"));
        let raw = String::from_utf8(figures_csv(&s, false)).unwrap_or_default();
        assert!(raw.contains("domains,=cmd.example,1,"));
    }
}
