//! The phrase matcher: fast ASCII case-insensitive search for fixed sets of
//! phrases, one Aho-Corasick automaton per set.
//!
//! [`MarkerSet`] finds markers (original-message separators, SMTP stage
//! markers, providers' replies): the first, the last, or any. [`RankedPhrases`]
//! holds ranked tables of phrases with a value each (the reason tables of
//! `phrases.rs`): the best-ranked whole-word phrase found decides.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// A set of phrases searched together, ASCII case-insensitively.
pub struct MarkerSet {
    automaton: Option<AhoCorasick>,
}

impl MarkerSet {
    pub fn new(phrases: &[&str]) -> MarkerSet {
        // A full DFA: these sets are small and searched in every message.
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases)
            .ok();
        MarkerSet { automaton }
    }

    /// Start, end and index of the earliest phrase found in `text`.
    pub fn first(&self, text: &str) -> Option<(usize, usize, usize)> {
        let m = self.automaton.as_ref()?.find(text)?;
        Some((m.start(), m.end(), m.pattern().as_usize()))
    }

    /// Start, end and index of the last phrase found in `text`.
    pub fn last(&self, text: &str) -> Option<(usize, usize, usize)> {
        self.automaton
            .as_ref()?
            .find_iter(text)
            .last()
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
    }

    /// Start, end and index of every phrase found in `text`, in order.
    pub fn all<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, usize, usize)> + 't {
        self.automaton
            .iter()
            .flat_map(move |a| a.find_iter(text))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
    }

    /// True when any phrase occurs in `text`.
    pub fn any(&self, text: &str) -> bool {
        self.first(text).is_some()
    }
}

/// Ranked phrase tables: one automaton over every table, and for each
/// phrase the rank of its table and its value. The best-ranked phrase found
/// decides, whole words only (see [`word_bounded`]).
pub struct RankedPhrases<T> {
    /// `None` only if the static tables could not be compiled (a bug a test catches).
    automaton: Option<AhoCorasick>,
    rank: Vec<(usize, T)>,
}

impl<T: Copy> RankedPhrases<T> {
    /// False only if the static tables could not be compiled (a bug).
    pub fn compiled(&self) -> bool {
        self.automaton.is_some()
    }

    pub fn new(tables: &[(T, &[&str])]) -> RankedPhrases<T> {
        let mut patterns = Vec::new();
        let mut rank = Vec::new();
        for (i, (reason, phrases)) in tables.iter().enumerate() {
            for p in *phrases {
                patterns.push(*p);
                rank.push((i, *reason));
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        RankedPhrases { automaton, rank }
    }

    /// The reason of the best-ranked phrase found in `text`, with the
    /// phrase as written there (the first of the best rank).
    pub fn lookup<'t>(&self, text: &'t str) -> Option<(T, &'t str)> {
        self.automaton
            .as_ref()?
            .find_overlapping_iter(text)
            .filter(|m| word_bounded(text, m.start(), m.end()))
            .map(|m| (self.rank[m.pattern().as_usize()], m.start(), m.end()))
            .min_by_key(|((rank, _), start, _)| (*rank, *start))
            .and_then(|((_, reason), start, end)| Some((reason, text.get(start..end)?)))
    }
}

/// Phrases match at the start of a word ("uce" not in "produced"); short
/// ones must also end a word, longer ones may be stems ("blacklist" in
/// "blacklisted").
fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    let is_word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    let first_is_word = bytes.get(start).is_some_and(|b| b.is_ascii_alphanumeric());
    let last_is_word = end > 0 && bytes[end - 1].is_ascii_alphanumeric();
    let short = end - start <= 4;
    let glued_before = first_is_word && is_word(before);
    let glued_after = short && last_is_word && is_word(after);
    !(glued_before || glued_after)
}

impl<T: Copy> RankedPhrases<T> {
    /// Every phrase found in `text`, with its value and rank (for tools).
    pub fn matches(&self, text: &str) -> Vec<(String, T, usize)> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        automaton
            .find_overlapping_iter(text)
            .filter(|m| word_bounded(text, m.start(), m.end()))
            .map(|m| {
                let (rank, reason) = self.rank[m.pattern().as_usize()];
                (text[m.start()..m.end()].to_string(), reason, rank)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_first_and_last_regardless_of_case() {
        let set = MarkerSet::new(&["after data", "after rcpt to"]);
        let text = "SMTP error AFTER RCPT TO: x; later after DATA: y";
        assert_eq!(set.first(text).map(|m| m.2), Some(1));
        assert_eq!(set.last(text).map(|m| m.2), Some(0));
        assert!(!set.any("nothing here"));
    }
}
