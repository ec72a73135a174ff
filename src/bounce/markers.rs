//! Fast case-insensitive search for fixed sets of marker phrases.
//!
//! The decoders look for the same few dozen phrases in every message
//! (original-message separators, SMTP command markers, family signatures);
//! one Aho-Corasick automaton per set finds them in a single pass instead of
//! one substring search per phrase.

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
