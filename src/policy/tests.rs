use super::*;

const DAY: i64 = 86_400;
const NEWS: &str = "news.example.com";

fn mailings(n: u64) -> Vec<Mailing> {
    (1..=n)
        .map(|i| Mailing {
            id: i,
            stream: NEWS.into(),
            date: i as i64 * 7 * DAY,
        })
        .collect()
}

fn event(mailing: u64, kind: Kind, reason: Reason) -> Event {
    Event {
        mailing,
        date: mailing as i64 * 7 * DAY + 3600,
        kind,
        reason,
        diagnostic: Some(format!("{} in mailing {mailing}", reason.as_str())),
        original_recipient: None,
    }
}

fn hard(m: u64) -> Event {
    event(m, Kind::Hard, Reason::UserUnknown)
}

fn listed() -> Subscriber {
    Subscriber {
        in_list: true,
        ..Subscriber::default()
    }
}

/// A listed subscriber without overrides, over `ms`, under `settings`.
fn run_listed(events: &[Event], ms: &[Mailing], settings: &PolicySettings) -> Assessment {
    assess(events, ms, Some(NEWS), &listed(), None, settings)
}

fn run(events: &[Event], n: u64, sub: &Subscriber, manual: Option<Override>) -> Assessment {
    assess(
        events,
        &mailings(n),
        Some(NEWS),
        sub,
        manual,
        &PolicySettings::default(),
    )
}

#[test]
fn three_consecutive_hard_bounces_remove() {
    let a = run(&[hard(1), hard(2), hard(3)], 3, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveHard);
    assert_eq!(a.hard_streak, 3);
    assert_eq!(a.bounces, 3);
}

#[test]
fn a_single_hard_bounce_only_watches() {
    let a = run(&[hard(1)], 1, &listed(), None);
    assert_eq!(a.verdict, Verdict::Watch);
    assert_eq!(a.hard_streak, 1);
}

#[test]
fn two_hard_bounces_in_one_mailing_count_once() {
    let a = run(&[hard(1), hard(1), hard(2)], 2, &listed(), None);
    assert_eq!(a.hard_streak, 2);
    assert_eq!(a.verdict, Verdict::Watch);
}

#[test]
fn a_mailing_without_bounce_resets_when_every_mailing_goes_to_the_whole_list() {
    let a = run(&[hard(1), hard(2), hard(4)], 4, &listed(), None);
    assert_eq!(a.hard_streak, 1);
    assert_eq!(a.verdict, Verdict::Watch);
}

#[test]
fn without_the_whole_list_setting_a_gap_does_not_reset() {
    let settings = PolicySettings {
        whole_list: false,
        ..PolicySettings::default()
    };
    let a = run_listed(&[hard(1), hard(2), hard(4)], &mailings(4), &settings);
    assert_eq!(a.verdict, Verdict::RemoveHard);
}

#[test]
fn the_other_half_of_a_send_that_straddled_midnight_does_not_reset() {
    // Mailing 2 was sent from 23:00 to 01:00: its late messages are dated
    // the next day and form mailing 20 of the same stream.
    let mut ms = mailings(3);
    ms.insert(
        2,
        Mailing {
            id: 20,
            stream: NEWS.into(),
            date: 2 * 7 * DAY + 2 * 3600,
        },
    );
    let a = run_listed(
        &[hard(1), hard(2), hard(3)],
        &ms,
        &PolicySettings::default(),
    );
    assert_eq!(a.verdict, Verdict::RemoveHard);
}

#[test]
fn a_gap_in_another_stream_does_not_reset() {
    let mut ms = mailings(3);
    ms.insert(
        2,
        Mailing {
            id: 99,
            stream: "shop@example.com".into(),
            date: 2 * 7 * DAY + DAY,
        },
    );
    let a = run_listed(
        &[hard(1), hard(2), hard(3)],
        &ms,
        &PolicySettings::default(),
    );
    assert_eq!(a.verdict, Verdict::RemoveHard);
}

#[test]
fn a_gap_before_the_subscription_date_does_not_reset() {
    let sub = Subscriber {
        in_list: true,
        subscribed: Some(2 * 7 * DAY),
        ..Subscriber::default()
    };
    // Mailing 1 predates the subscription: its missing bounce says nothing.
    let a = run(&[hard(2), hard(3), hard(4)], 4, &sub, None);
    assert_eq!(a.verdict, Verdict::RemoveHard);
}

#[test]
fn a_mailbox_full_bounce_breaks_the_streak() {
    let full = event(2, Kind::Soft, Reason::MailboxFull);
    let a = run(&[hard(1), full, hard(3), hard(4)], 4, &listed(), None);
    assert_eq!(a.hard_streak, 2);
    assert_eq!(a.verdict, Verdict::Watch);
}

#[test]
fn a_suspended_mailbox_breaks_the_streak() {
    let s = event(2, Kind::Soft, Reason::Suspend);
    let a = run(&[hard(1), s, hard(3)], 3, &listed(), None);
    assert_eq!(a.hard_streak, 1);
}

#[test]
fn sender_side_and_transient_bounces_are_neutral() {
    let blocked = event(2, Kind::Soft, Reason::Blocked);
    let expired = event(3, Kind::Soft, Reason::Expired);
    let a = run(
        &[hard(1), blocked, expired, hard(4), hard(5)],
        5,
        &listed(),
        None,
    );
    assert_eq!(a.hard_streak, 3);
    assert_eq!(a.verdict, Verdict::RemoveHard);
}

#[test]
fn sender_side_bounces_alone_never_remove() {
    let events: Vec<Event> = (1..=6)
        .map(|m| event(m, Kind::Soft, Reason::Blocked))
        .collect();
    let a = run(&events, 6, &listed(), None);
    assert_eq!(a.verdict, Verdict::Keep);
    assert_eq!(a.hard_streak, 0);
}

#[test]
fn an_auto_reply_breaks_the_streak() {
    let away = event(2, Kind::AutoReply, Reason::Vacation);
    let a = run(&[hard(1), away, hard(3)], 3, &listed(), None);
    assert_eq!(a.hard_streak, 1);
}

#[test]
fn a_delivered_report_breaks_the_streak() {
    let ok = event(2, Kind::Delivered, Reason::Delivered);
    let a = run(&[hard(1), ok, hard(3)], 3, &listed(), None);
    assert_eq!(a.hard_streak, 1);
}

#[test]
fn the_strongest_outcome_of_a_mailing_wins() {
    // A hard bounce and an auto-reply from the same mailing: hard.
    let away = event(2, Kind::AutoReply, Reason::Vacation);
    let a = run(&[hard(1), hard(2), away, hard(3)], 3, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveHard);
}

#[test]
fn activity_after_a_bounce_breaks_the_streak() {
    let sub = Subscriber {
        in_list: true,
        last_activity: Some(2 * 7 * DAY + 2 * DAY),
        ..Subscriber::default()
    };
    let a = run(&[hard(1), hard(2), hard(3)], 3, &sub, None);
    assert_eq!(a.hard_streak, 1);
    assert_eq!(a.verdict, Verdict::Watch);
}

#[test]
fn activity_after_the_last_bounce_resets_the_current_streak() {
    let sub = Subscriber {
        in_list: true,
        last_activity: Some(10 * 7 * DAY),
        ..Subscriber::default()
    };
    let a = run(&[hard(1), hard(2)], 2, &sub, None);
    assert_eq!(a.hard_streak, 0);
    assert_eq!(a.verdict, Verdict::Keep);
}

#[test]
fn removal_sticks_after_later_mailings_without_bounce() {
    let a = run(&[hard(1), hard(2), hard(3)], 6, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveHard);
    assert!(!a.alive_after_removal);
}

#[test]
fn life_after_removal_is_shown_but_does_not_bring_it_back() {
    let away = event(5, Kind::AutoReply, Reason::Vacation);
    let a = run(&[hard(1), hard(2), hard(3), away], 5, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveHard);
    assert!(a.alive_after_removal);
}

#[test]
fn a_manual_keep_wins_and_clears_the_streak() {
    let a = run(
        &[hard(1), hard(2), hard(3)],
        3,
        &listed(),
        Some(Override::Keep),
    );
    assert_eq!(a.verdict, Verdict::Keep);
    assert_eq!(a.hard_streak, 0);
}

#[test]
fn a_manual_remove_is_remove_manual() {
    let a = run(&[], 3, &listed(), Some(Override::Remove));
    assert_eq!(a.verdict, Verdict::RemoveManual);
}

#[test]
fn any_complaint_removes_at_once() {
    let c = event(1, Kind::Complaint, Reason::Feedback);
    let a = run(&[c], 3, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveComplaint);
}

#[test]
fn complaint_comes_before_hard() {
    let c = event(4, Kind::Complaint, Reason::Feedback);
    let a = run(&[hard(1), hard(2), hard(3), c], 4, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveComplaint);
}

#[test]
fn threshold_one_removes_on_one_hard_bounce() {
    let settings = PolicySettings {
        hard_threshold: 1,
        ..PolicySettings::default()
    };
    let a = run_listed(&[hard(1)], &mailings(1), &settings);
    assert_eq!(a.verdict, Verdict::RemoveHard);
}

#[test]
fn soft_escalation_is_off_by_default() {
    let events: Vec<Event> = (1..=8)
        .map(|m| event(m, Kind::Soft, Reason::MailboxFull))
        .collect();
    let a = run(&events, 8, &listed(), None);
    assert_eq!(a.verdict, Verdict::Watch);
}

#[test]
fn soft_escalation_removes_after_n_consecutive_soft_mailings() {
    let settings = PolicySettings {
        soft_escalation: Some(DEFAULT_SOFT_ESCALATION),
        ..PolicySettings::default()
    };
    let events: Vec<Event> = (1..=7)
        .map(|m| event(m, Kind::Soft, Reason::MailboxFull))
        .collect();
    let a = run_listed(&events, &mailings(7), &settings);
    assert_eq!(a.verdict, Verdict::RemoveSoft);
    let six = run_listed(&events[..6], &mailings(6), &settings);
    assert_eq!(six.verdict, Verdict::Watch);
}

#[test]
fn invalid_addresses_are_remove_invalid() {
    let sub = Subscriber {
        in_list: true,
        invalid: true,
        ..Subscriber::default()
    };
    assert_eq!(run(&[], 2, &sub, None).verdict, Verdict::RemoveInvalid);
}

#[test]
fn soft_bounces_in_two_of_the_last_three_mailings_watch() {
    let events = [
        event(2, Kind::Soft, Reason::MailboxFull),
        event(4, Kind::Soft, Reason::SystemError),
    ];
    let a = run(&events, 4, &listed(), None);
    assert_eq!(a.verdict, Verdict::Watch);
}

#[test]
fn no_history_is_keep() {
    assert_eq!(run(&[], 3, &listed(), None).verdict, Verdict::Keep);
}

#[test]
fn bounce_figures_are_reported() {
    let a = run(&[hard(1), hard(2)], 2, &listed(), None);
    assert_eq!(a.first_bounce, Some(7 * DAY + 3600));
    assert_eq!(a.last_bounce, Some(14 * DAY + 3600));
    assert_eq!(a.last_reason, Some(Reason::UserUnknown));
    assert_eq!(
        a.last_diagnostic.as_deref(),
        Some("userunknown in mailing 2")
    );
}

#[test]
fn the_newsletter_is_the_stream_with_most_bounces() {
    let mut history = History {
        mailings: vec![
            Mailing {
                id: 1,
                stream: NEWS.into(),
                date: 0,
            },
            Mailing {
                id: 2,
                stream: "shop".into(),
                date: 1,
            },
        ],
        ..History::default()
    };
    history.events.insert("a".into(), vec![hard(1), hard(1)]);
    history.events.insert("b".into(), vec![hard(2)]);
    assert_eq!(history.newsletter().as_deref(), Some(NEWS));
    history.newsletter_stream = Some("shop".into());
    assert_eq!(history.newsletter().as_deref(), Some("shop"));
    // Bounces without their original never make the newsletter stream.
    history.newsletter_stream = None;
    history.mailings.push(Mailing {
        id: 3,
        stream: UNKNOWN_STREAM.into(),
        date: 2,
    });
    history
        .events
        .insert("c".into(), vec![hard(3), hard(3), hard(3), hard(3)]);
    assert_eq!(history.newsletter().as_deref(), Some(NEWS));
}

#[test]
fn assess_all_covers_events_list_and_overrides() {
    let mut history = History {
        mailings: mailings(3),
        ..History::default()
    };
    history
        .events
        .insert("gone@example.org".into(), vec![hard(1), hard(2), hard(3)]);
    history
        .subscribers
        .insert("fine@example.org".into(), listed());
    history
        .overrides
        .insert("kept@example.org".into(), Override::Keep);
    let all = assess_all(&history, &PolicySettings::default());
    assert_eq!(all["gone@example.org"].verdict, Verdict::RemoveHard);
    assert_eq!(all["fine@example.org"].verdict, Verdict::Keep);
    assert_eq!(all["kept@example.org"].verdict, Verdict::Keep);
    assert_eq!(all.len(), 3);
}

/// A hard bounce in mailing `m` to a final recipient expanded from `original`.
fn hard_expanded_from(m: u64, original: &str) -> Event {
    Event {
        original_recipient: Some(original.into()),
        ..hard(m)
    }
}

#[test]
fn a_bounce_counts_for_its_final_recipient_else_for_its_listed_original() {
    let mut subscribers = HashMap::new();
    subscribers.insert("anna@example.org".to_string(), listed());
    subscribers.insert("ben@example.org".to_string(), listed());
    let final_only = "anna.m@mail.example.org";
    assert_eq!(
        attributed(final_only, Some("anna@example.org"), &subscribers),
        "anna@example.org"
    );
    // The final recipient on the list wins.
    assert_eq!(
        attributed("ben@example.org", Some("anna@example.org"), &subscribers),
        "ben@example.org"
    );
    // Neither on the list, or no original: the final recipient.
    assert_eq!(
        attributed(final_only, Some("carl@example.org"), &subscribers),
        final_only
    );
    assert_eq!(attributed(final_only, None, &subscribers), final_only);
}

#[test]
fn a_list_row_matched_only_by_the_original_recipient_gets_the_bounces() {
    let mut history = History {
        mailings: mailings(3),
        ..History::default()
    };
    history.events.insert(
        "anna.m@mail.example.org".into(),
        (1..=3)
            .map(|m| hard_expanded_from(m, "anna@example.org"))
            .collect(),
    );
    history
        .subscribers
        .insert("anna@example.org".into(), listed());
    attribute_to_list(&mut history.events, &history.subscribers);
    assert!(!history.events.contains_key("anna.m@mail.example.org"));
    assert_eq!(history.events["anna@example.org"].len(), 3);
    let all = assess_all(&history, &PolicySettings::default());
    assert_eq!(all["anna@example.org"].verdict, Verdict::RemoveHard);
    assert_eq!(all["anna@example.org"].hard_streak, 3);
    assert!(!all.contains_key("anna.m@mail.example.org"));
}

#[test]
fn attributed_events_join_the_rows_own_in_date_order() {
    let mut history = History {
        mailings: mailings(3),
        ..History::default()
    };
    history
        .events
        .insert("anna@example.org".into(), vec![hard(1), hard(3)]);
    history.events.insert(
        "anna.m@mail.example.org".into(),
        vec![hard_expanded_from(2, "anna@example.org")],
    );
    history
        .subscribers
        .insert("anna@example.org".into(), listed());
    attribute_to_list(&mut history.events, &history.subscribers);
    let mailings: Vec<u64> = history.events["anna@example.org"]
        .iter()
        .map(|e| e.mailing)
        .collect();
    assert_eq!(mailings, [1, 2, 3]);
}

#[test]
fn the_verdicts_reason_is_the_one_that_decided_it() {
    // A complaint, then a full mailbox in a later mailing: removed for the
    // complaint, and that is the reason given.
    let events = [
        event(1, Kind::Complaint, Reason::Feedback),
        event(2, Kind::Soft, Reason::MailboxFull),
    ];
    let a = run(&events, 2, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveComplaint);
    assert_eq!(a.last_reason, Some(Reason::MailboxFull));
    assert_eq!(a.verdict_reason, Some(Reason::Feedback));

    // Three hard bounces, then a full mailbox: removed for the hard ones.
    let events = [
        hard(1),
        hard(2),
        hard(3),
        event(4, Kind::Soft, Reason::MailboxFull),
    ];
    let a = run(&events, 4, &listed(), None);
    assert_eq!(a.verdict, Verdict::RemoveHard);
    assert_eq!(a.verdict_reason, Some(Reason::UserUnknown));
}

/// A small deterministic generator for the property test below.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

#[test]
fn deciding_address_by_address_agrees_with_deciding_the_whole_history() {
    let names = [
        "anna@example.org",
        "anna.m@mail.example.org",
        "ben@example.org",
        "carl@example.org",
        "dora@example.net",
        "emil@example.net",
    ];
    let kinds = [Kind::Hard, Kind::Soft, Kind::Complaint, Kind::AutoReply];
    let reasons = [
        Reason::UserUnknown,
        Reason::MailboxFull,
        Reason::Feedback,
        Reason::Filtered,
    ];
    let mut rng = Lcg(7);
    for round in 0..300 {
        let mut history = History {
            mailings: mailings(6),
            ..History::default()
        };
        for name in names {
            if rng.below(2) == 0 {
                let sub = Subscriber {
                    in_list: true,
                    invalid: rng.below(8) == 0,
                    last_activity: (rng.below(4) == 0).then(|| rng.below(50) as i64 * DAY),
                    subscribed: None,
                };
                history.subscribers.insert(name.to_string(), sub);
            }
            if rng.below(5) == 0 {
                let o = if rng.below(2) == 0 {
                    Override::Keep
                } else {
                    Override::Remove
                };
                history.overrides.insert(name.to_string(), o);
            }
        }
        let mut stored: std::collections::BTreeMap<String, Vec<Event>> = Default::default();
        for n in 0..rng.below(14) {
            let key = names[rng.below(names.len() as u64) as usize];
            let mailing = 1 + rng.below(6);
            let mut e = event(
                mailing,
                kinds[rng.below(4) as usize],
                reasons[rng.below(4) as usize],
            );
            // Distinct dates, so that no order between equal dates is compared.
            e.date += n as i64;
            if rng.below(3) == 0 {
                let original = names[rng.below(names.len() as u64) as usize];
                e.original_recipient = (original != key).then(|| original.to_string());
            }
            stored.entry(key.to_string()).or_default().push(e);
        }
        for events in stored.values_mut() {
            events.sort_by_key(|e| e.date);
        }

        let mut whole = history.clone();
        whole.events = stored.clone().into_iter().collect();
        attribute_to_list(&mut whole.events, &whole.subscribers);
        let mut expected = assess_all(&whole, &PolicySettings::default());
        expected.retain(|k, _| whole.events.contains_key(k) || whole.overrides.contains_key(k));

        let subscribers = history.subscribers.clone();
        let subscriber = move |k: &str| subscribers.get(k).cloned().unwrap_or_default();
        let with_original: Vec<(String, Event)> = stored
            .iter()
            .flat_map(|(k, es)| es.iter().map(move |e| (k.clone(), e.clone())))
            .filter(|(_, e)| e.original_recipient.is_some())
            .collect();
        let settings = PolicySettings::default();
        let mut got: Vec<(String, Assessment)> = Vec::new();
        let mut decider: Decider<'_, ()> = Decider::new(
            &history.mailings,
            whole.newsletter(),
            &history.overrides,
            &settings,
            &subscriber,
            with_original,
            |k, a, _| {
                got.push((k.to_string(), a.clone()));
                Ok(())
            },
        );
        for (k, events) in &stored {
            let _ = decider.push(k, events.clone());
        }
        let _ = decider.finish();
        let keys: Vec<&String> = got.iter().map(|(k, _)| k).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted, "round {round}: once each, in address order");
        let got: HashMap<String, Assessment> = got.into_iter().collect();
        assert_eq!(got, expected, "round {round}");
    }
}
