//! The cleaning rule: stored bounce events and settings → one verdict per
//! address (BOUNCES.md, "Policy").
//!
//! Pure: no I/O, no clock. The store hands in every known mailing and every
//! bounce event; the list hands in what it knows about each subscriber; this
//! module walks each address's mailings in date order and applies the rule
//! exactly as written: one outcome per mailing (the strongest), a hard streak
//! that neutral outcomes skip and signs of life break, a removal that sticks
//! once the streak reaches the threshold, and the verdict precedence
//! complaint > hard > manual > soft escalation > invalid > duplicate > watch >
//! keep. Row-level verdicts (duplicates) are the export's business: an
//! address's verdict applies to every row that holds it.

use std::collections::HashMap;

use crate::bounce::{Group, Kind, Reason};

/// Settings of a workspace that the rule reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySettings {
    /// Consecutive hard bounces that remove an address (default 3; 1 is
    /// allowed, with a warning from the caller).
    pub hard_threshold: u32,
    /// Every mailing of the newsletter stream went to the whole list, so a
    /// mailing without a bounce counts as a delivery (default on).
    pub whole_list: bool,
    /// Remove after this many consecutive mailings with mailbox or transient
    /// soft bounces; `None` (the default) never removes for soft bounces.
    pub soft_escalation: Option<u32>,
}

impl Default for PolicySettings {
    fn default() -> Self {
        PolicySettings {
            hard_threshold: 3,
            whole_list: true,
            soft_escalation: None,
        }
    }
}

/// The stream of mailings formed by bounces that returned no original and
/// joined no known mailing. It is never the newsletter stream.
pub const UNKNOWN_STREAM: &str = "(unknown stream)";

/// The soft-escalation count when the user turns it on without choosing one.
pub const DEFAULT_SOFT_ESCALATION: u32 = 7;

/// One send of a stream (a newsletter issue, or a day of transactional mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailing {
    pub id: u64,
    /// Sending stream: `List-Id`, else the original `From` address.
    pub stream: String,
    /// Seconds since the epoch, UTC.
    pub date: i64,
}

/// One classified bounce (or complaint, auto-reply, delivery report) about an
/// address in one mailing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub mailing: u64,
    pub date: i64,
    pub kind: Kind,
    pub reason: Reason,
    pub diagnostic: Option<String>,
    /// The key of the address the sender used, when the bounce names an
    /// original recipient other than the final one it is stored under
    /// (see [`attribute_to_list`]).
    pub original_recipient: Option<String>,
}

impl Event {
    fn outcome(&self) -> Outcome {
        match (self.kind, self.reason.group()) {
            (Kind::Complaint, _) => Outcome::Complaint,
            (Kind::Hard, _) => Outcome::Hard,
            (_, Group::Mailbox) => Outcome::MailboxSoft,
            (Kind::Soft, Group::Transient) => Outcome::TransientSoft,
            (Kind::AutoReply | Kind::Delivered, _) => Outcome::Alive,
            _ => Outcome::Neutral,
        }
    }
}

/// What one mailing says about an address. The order is the strength:
/// complaint > hard > mailbox soft > other soft > signs of life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Alive,
    Neutral,
    TransientSoft,
    MailboxSoft,
    Hard,
    Complaint,
}

/// What the subscriber list says about an address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscriber {
    pub in_list: bool,
    /// The address is syntactically invalid.
    pub invalid: bool,
    /// Last open or click (activity column), seconds since the epoch.
    pub last_activity: Option<i64>,
    /// From when the address was on the list (subscription column).
    pub subscribed: Option<i64>,
}

/// A decision the user made in the review pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    Keep,
    Remove,
}

/// The decision for one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    RemoveComplaint,
    RemoveHard,
    RemoveManual,
    RemoveSoft,
    RemoveInvalid,
    RemoveDuplicate,
    Watch,
    Keep,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::RemoveComplaint => "remove_complaint",
            Verdict::RemoveHard => "remove_hard",
            Verdict::RemoveManual => "remove_manual",
            Verdict::RemoveSoft => "remove_soft",
            Verdict::RemoveInvalid => "remove_invalid",
            Verdict::RemoveDuplicate => "remove_duplicate",
            Verdict::Watch => "watch",
            Verdict::Keep => "keep",
        }
    }

    /// The verdict in plain words, for the window.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::RemoveComplaint => "Remove: marked as spam",
            Verdict::RemoveHard => "Remove: hard bounces",
            Verdict::RemoveManual => "Remove: your decision",
            Verdict::RemoveSoft => "Remove: keeps soft-bouncing",
            Verdict::RemoveInvalid => "Remove: invalid address",
            Verdict::RemoveDuplicate => "Remove: duplicate row",
            Verdict::Watch => "Watch: bounced, not yet removed",
            Verdict::Keep => "Keep",
        }
    }

    /// Every verdict, strongest first.
    pub const ALL: [Verdict; 8] = [
        Verdict::RemoveComplaint,
        Verdict::RemoveHard,
        Verdict::RemoveManual,
        Verdict::RemoveSoft,
        Verdict::RemoveInvalid,
        Verdict::RemoveDuplicate,
        Verdict::Watch,
        Verdict::Keep,
    ];

    /// Whether the address goes on the suppression list: removed for what
    /// it did (bounces, a complaint) or by the user, not for a list row's
    /// form (invalid, duplicate).
    pub fn is_suppression(self) -> bool {
        matches!(
            self,
            Verdict::RemoveHard
                | Verdict::RemoveComplaint
                | Verdict::RemoveSoft
                | Verdict::RemoveManual
        )
    }

    pub fn is_removal(self) -> bool {
        !matches!(self, Verdict::Watch | Verdict::Keep)
    }
}

/// The verdict for one address, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub verdict: Verdict,
    /// Consecutive hard bounces up to the newest known mailing.
    pub hard_streak: u32,
    /// The longest hard streak in the history.
    pub max_hard_streak: u32,
    /// Mailings with any bounce about the address.
    pub bounces: u32,
    pub first_bounce: Option<i64>,
    pub last_bounce: Option<i64>,
    /// The reason of the newest bounce.
    pub last_reason: Option<Reason>,
    /// The reason behind the verdict: of the newest complaint for
    /// `remove_complaint`, of the newest hard bounce for `remove_hard`, of the
    /// newest soft one for `remove_soft`; else the newest bounce's.
    pub verdict_reason: Option<Reason>,
    pub last_diagnostic: Option<String>,
    /// The address is removed but showed a sign of life afterwards (shown
    /// beside the verdict for review; only a manual keep brings it back).
    pub alive_after_removal: bool,
}

/// Everything the rule reads.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Known mailings, any order.
    pub mailings: Vec<Mailing>,
    /// Events per address key (normalised address).
    pub events: HashMap<String, Vec<Event>>,
    /// List facts per address key; addresses missing here are not in the list.
    pub subscribers: HashMap<String, Subscriber>,
    pub overrides: HashMap<String, Override>,
    /// The newsletter stream; `None` picks the stream with the most bounces.
    pub newsletter_stream: Option<String>,
}

impl History {
    /// The stream whose mailings are taken to reach the whole list.
    pub fn newsletter(&self) -> Option<String> {
        let mut per_mailing: HashMap<u64, usize> = HashMap::new();
        for event in self.events.values().flatten() {
            *per_mailing.entry(event.mailing).or_default() += 1;
        }
        newsletter_of(
            self.newsletter_stream.as_deref(),
            &self.mailings,
            &per_mailing,
        )
    }
}

/// The stream whose mailings are taken to reach the whole list: the one the
/// user chose, else the stream with the most bounces (`events_per_mailing`),
/// ties going to the lexically first stream so that the choice is stable.
pub fn newsletter_of(
    chosen: Option<&str>,
    mailings: &[Mailing],
    events_per_mailing: &HashMap<u64, usize>,
) -> Option<String> {
    if let Some(chosen) = chosen {
        return Some(chosen.to_string());
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in mailings {
        if let Some(n) = events_per_mailing.get(&m.id)
            && m.stream != UNKNOWN_STREAM
        {
            *counts.entry(m.stream.as_str()).or_default() += n;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(s, _)| s.to_string())
}

/// The address a bounce counts for: its final recipient, unless that one is
/// not on the list and its original recipient (the address the sender used,
/// before an alias or a forward) is. This is the one place the choice is
/// made (DECISIONS.md, "Cleaning a list").
pub fn attributed<'a>(
    recipient: &'a str,
    original: Option<&'a str>,
    subscribers: &HashMap<String, Subscriber>,
) -> &'a str {
    attributed_by(recipient, original, &|key| {
        subscribers.get(key).is_some_and(|s| s.in_list)
    })
}

/// [`attributed`], asking `listed` whether an address is on the list.
pub fn attributed_by<'a>(
    recipient: &'a str,
    original: Option<&'a str>,
    listed: &dyn Fn(&str) -> bool,
) -> &'a str {
    match original {
        Some(original) if !listed(recipient) && listed(original) => original,
        _ => recipient,
    }
}

/// Moves each event to the address it counts for ([`attributed`]), once the
/// list is known: a bounce for `anna.m@mail.example.org` expanded from the
/// listed `anna@example.org` counts for `anna@example.org`. Each address's
/// events stay oldest first.
pub fn attribute_to_list(
    events: &mut HashMap<String, Vec<Event>>,
    subscribers: &HashMap<String, Subscriber>,
) {
    let mut moved: Vec<(String, Event)> = Vec::new();
    for (key, list) in events.iter_mut() {
        list.retain(|e| {
            let to = attributed(key, e.original_recipient.as_deref(), subscribers);
            if to == key {
                return true;
            }
            moved.push((to.to_string(), e.clone()));
            false
        });
    }
    if moved.is_empty() {
        return;
    }
    events.retain(|_, list| !list.is_empty());
    let mut touched: Vec<String> = Vec::new();
    for (to, event) in moved {
        events.entry(to.clone()).or_default().push(event);
        touched.push(to);
    }
    touched.sort_unstable();
    touched.dedup();
    for key in touched {
        if let Some(list) = events.get_mut(&key) {
            list.sort_by_key(|e| e.date);
        }
    }
}

/// Decides every address that has events, an override, or a list entry.
pub fn assess_all(history: &History, settings: &PolicySettings) -> HashMap<String, Assessment> {
    let mut mailings = history.mailings.clone();
    mailings.sort_by_key(|m| (m.date, m.id));
    let newsletter = history.newsletter();
    let no_events = Vec::new();
    let mut keys: Vec<&String> = history.events.keys().collect();
    keys.extend(history.subscribers.keys());
    keys.extend(history.overrides.keys());
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let events = history.events.get(key).unwrap_or(&no_events);
            let subscriber = history.subscribers.get(key).cloned().unwrap_or_default();
            let decision = assess(
                events,
                &mailings,
                newsletter.as_deref(),
                &subscriber,
                history.overrides.get(key).copied(),
                settings,
            );
            (key.clone(), decision)
        })
        .collect()
}

/// Decides address by address, as [`assess_all`] does for a whole history held
/// in memory, for histories too large to hold: the caller hands in each stored
/// address's events with [`push`](Self::push), in address order (as `str`
/// sorts), and [`finish`](Self::finish)es. Each decision goes to the sink with
/// the events it was made from, also in address order; addresses with neither
/// events nor an override are not decided (their rows keep their list verdict).
///
/// Attribution ([`attributed`]) is the same: an event stored under an address
/// that is not on the list counts for its original recipient when that one is.
/// The events that move are known before the stream starts
/// ([`crate::store::Store::events_with_original`]), so each address is decided
/// once, with all of its events.
pub struct Decider<'a, E> {
    mailings: Vec<Mailing>,
    newsletter: Option<String>,
    overrides: &'a HashMap<String, Override>,
    settings: &'a PolicySettings,
    subscriber: &'a dyn Fn(&str) -> Subscriber,
    /// Addresses the stream may not hold, with the events that move to them:
    /// attributed events, and addresses with an override.
    extra: std::collections::BTreeMap<String, Vec<Event>>,
    sink: Box<Sink<'a, E>>,
}

/// Where a [`Decider`] hands each decision: the address, the decision, the
/// events it was made from.
type Sink<'a, E> = dyn FnMut(&str, &Assessment, &[Event]) -> Result<(), E> + 'a;

impl<'a, E> Decider<'a, E> {
    /// `with_original` holds the events that name an original recipient, with
    /// the address each is stored under.
    pub fn new(
        mailings: &[Mailing],
        newsletter: Option<String>,
        overrides: &'a HashMap<String, Override>,
        settings: &'a PolicySettings,
        subscriber: &'a dyn Fn(&str) -> Subscriber,
        with_original: Vec<(String, Event)>,
        sink: impl FnMut(&str, &Assessment, &[Event]) -> Result<(), E> + 'a,
    ) -> Self {
        let mut mailings = mailings.to_vec();
        mailings.sort_by_key(|m| (m.date, m.id));
        let listed = |key: &str| subscriber(key).in_list;
        let mut extra: std::collections::BTreeMap<String, Vec<Event>> =
            overrides.keys().map(|k| (k.clone(), Vec::new())).collect();
        for (stored, event) in with_original {
            let to = attributed_by(&stored, event.original_recipient.as_deref(), &listed);
            if to != stored {
                let to = to.to_string();
                extra.entry(to).or_default().push(event);
            }
        }
        Decider {
            mailings,
            newsletter,
            overrides,
            settings,
            subscriber,
            extra,
            sink: Box::new(sink),
        }
    }

    /// The events stored under `key`, oldest first.
    pub fn push(&mut self, key: &str, mut events: Vec<Event>) -> Result<(), E> {
        while let Some(entry) = self.extra.first_entry() {
            if entry.key().as_str() >= key {
                break;
            }
            let (k, moved) = entry.remove_entry();
            self.decide(&k, moved)?;
        }
        let subscriber = self.subscriber;
        let listed = |k: &str| subscriber(k).in_list;
        events.retain(|e| attributed_by(key, e.original_recipient.as_deref(), &listed) == key);
        if let Some(moved) = self.extra.remove(key) {
            // Moved events after the address's own, then oldest first.
            events.extend(moved);
            events.sort_by_key(|e| e.date);
        }
        self.decide(key, events)
    }

    /// Decides the addresses that only moved events or an override named.
    pub fn finish(mut self) -> Result<(), E> {
        while let Some((k, moved)) = self.extra.pop_first() {
            self.decide(&k, moved)?;
        }
        Ok(())
    }

    fn decide(&mut self, key: &str, mut events: Vec<Event>) -> Result<(), E> {
        let manual = self.overrides.get(key).copied();
        if events.is_empty() && manual.is_none() {
            return Ok(());
        }
        events.sort_by_key(|e| e.date);
        let assessment = assess(
            &events,
            &self.mailings,
            self.newsletter.as_deref(),
            &(self.subscriber)(key),
            manual,
            self.settings,
        );
        (self.sink)(key, &assessment, &events)
    }
}

/// A large send can straddle midnight, and then its messages carry two
/// dates and form two "mailings" of one stream. An address that bounced in
/// one half must not count as delivered in the other: a mailing of the same
/// stream less than a day away in which it has an outcome answers for it.
fn same_send_answered(i: usize, mailings: &[Mailing], outcome_of: &HashMap<u64, Outcome>) -> bool {
    let m = &mailings[i];
    let near = |other: &&Mailing| (other.date - m.date).abs() < SAME_SEND_SECS;
    let answers = |other: &Mailing| other.stream == m.stream && outcome_of.contains_key(&other.id);
    // `mailings` is sorted by date: only the neighbours can be that close.
    mailings[..i].iter().rev().take_while(near).any(answers)
        || mailings[i + 1..].iter().take_while(near).any(answers)
}

/// How close two mailings of one stream must be to be halves of one send.
const SAME_SEND_SECS: i64 = 86_400;

/// Decides one address. `mailings` must be sorted by date.
pub fn assess(
    events: &[Event],
    mailings: &[Mailing],
    newsletter: Option<&str>,
    subscriber: &Subscriber,
    manual: Option<Override>,
    settings: &PolicySettings,
) -> Assessment {
    // One outcome per mailing: the strongest.
    let mut outcome_of: HashMap<u64, Outcome> = HashMap::new();
    for e in events {
        let o = e.outcome();
        outcome_of
            .entry(e.mailing)
            .and_modify(|cur| *cur = (*cur).max(o))
            .or_insert(o);
    }
    let threshold = settings.hard_threshold.max(1);
    let mut streak = 0u32;
    let mut max_streak = 0u32;
    let mut soft_run = 0u32;
    let mut removed_hard = false;
    let mut removed_soft = false;
    let mut complaint = false;
    let mut alive_after_removal = false;
    let mut activity_pending = subscriber.last_activity;
    let mut recent: Vec<Option<Outcome>> = Vec::new();
    for (i, m) in mailings.iter().enumerate() {
        // A last open or click before this mailing is a sign of life.
        if let Some(at) = activity_pending
            && at < m.date
        {
            streak = 0;
            soft_run = 0;
            alive_after_removal |= removed_hard;
            activity_pending = None;
        }
        let outcome = outcome_of.get(&m.id).copied();
        recent.push(outcome);
        match outcome {
            Some(Outcome::Complaint) => complaint = true,
            Some(Outcome::Hard) => {
                streak += 1;
                max_streak = max_streak.max(streak);
                removed_hard |= streak >= threshold;
            }
            Some(Outcome::MailboxSoft) => {
                alive_after_removal |= removed_hard;
                streak = 0;
                soft_run += 1;
            }
            Some(Outcome::TransientSoft) => soft_run += 1,
            Some(Outcome::Alive) => {
                alive_after_removal |= removed_hard;
                streak = 0;
                soft_run = 0;
            }
            Some(Outcome::Neutral) => {}
            None => {
                let to_whole_list = settings.whole_list
                    && newsletter == Some(m.stream.as_str())
                    && subscriber.in_list
                    && subscriber.subscribed.is_none_or(|since| since <= m.date)
                    && !same_send_answered(i, mailings, &outcome_of);
                if to_whole_list {
                    // Presumably delivered: it breaks both runs. A removed
                    // address is presumed excluded from later mailings.
                    if !removed_hard {
                        streak = 0;
                    }
                    soft_run = 0;
                }
            }
        }
        if let Some(n) = settings.soft_escalation {
            removed_soft |= soft_run >= n.max(1);
        }
    }
    if let Some(at) = activity_pending
        && mailings.last().is_none_or(|m| at >= m.date)
        && outcome_of.values().any(|o| *o == Outcome::Hard)
    {
        streak = 0;
        alive_after_removal |= removed_hard;
    }
    let soft_in_recent = recent
        .iter()
        .rev()
        .take(3)
        .filter(|o| matches!(o, Some(Outcome::MailboxSoft | Outcome::TransientSoft)))
        .count();

    let verdict = match manual {
        Some(Override::Keep) => Verdict::Keep,
        _ if complaint => Verdict::RemoveComplaint,
        _ if removed_hard => Verdict::RemoveHard,
        Some(Override::Remove) => Verdict::RemoveManual,
        _ if removed_soft => Verdict::RemoveSoft,
        _ if subscriber.invalid => Verdict::RemoveInvalid,
        _ if (1..threshold).contains(&streak) || soft_in_recent >= 2 => Verdict::Watch,
        _ => Verdict::Keep,
    };
    let mut bounced: Vec<&Event> = events
        .iter()
        .filter(|e| !matches!(e.outcome(), Outcome::Alive))
        .collect();
    bounced.sort_by_key(|e| e.date);
    let mut bounce_mailings: Vec<u64> = bounced.iter().map(|e| e.mailing).collect();
    bounce_mailings.sort_unstable();
    bounce_mailings.dedup();
    Assessment {
        verdict,
        hard_streak: if manual == Some(Override::Keep) {
            0
        } else {
            streak
        },
        max_hard_streak: max_streak,
        bounces: bounce_mailings.len() as u32,
        first_bounce: bounced.first().map(|e| e.date),
        last_bounce: bounced.last().map(|e| e.date),
        last_reason: bounced.last().map(|e| e.reason),
        verdict_reason: {
            let newest = |wanted: fn(Outcome) -> bool| {
                bounced
                    .iter()
                    .rev()
                    .find(|e| wanted(e.outcome()))
                    .map(|e| e.reason)
            };
            match verdict {
                Verdict::RemoveComplaint => newest(|o| o == Outcome::Complaint),
                Verdict::RemoveHard => newest(|o| o == Outcome::Hard),
                Verdict::RemoveSoft => {
                    newest(|o| matches!(o, Outcome::MailboxSoft | Outcome::TransientSoft))
                }
                _ => None,
            }
            .or(bounced.last().map(|e| e.reason))
        },
        last_diagnostic: bounced.last().and_then(|e| e.diagnostic.clone()),
        alive_after_removal,
    }
}

#[cfg(test)]
mod tests;
