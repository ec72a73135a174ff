//! The words of an error: one ranked phrase matcher over the tables in
//! [`crate::bounce::phrases`] (specific phrases, then generic words).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::bounce::phrases::{DEFAULT_REPLY_TEXTS, PHRASES, WEAK_PHRASES};
use crate::bounce::reason::Reason;

/// A compiled phrase table: one automaton, and for each pattern its table rank.
struct Table {
    /// `None` only if the static tables could not be compiled (a bug a test catches).
    automaton: Option<AhoCorasick>,
    rank: Vec<(usize, Reason)>,
}

impl Table {
    fn new(tables: &[(Reason, &[&str])]) -> Table {
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
        Table { automaton, rank }
    }

    /// The reason of the best-ranked phrase found in `text`, with the
    /// phrase as written there (the first of the best rank).
    fn lookup<'t>(&self, text: &'t str) -> Option<(Reason, &'t str)> {
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

/// A phrase found in a text: the words as written, their reason, the table rank.
pub type PhraseMatch = (String, Reason, usize);

impl Table {
    /// Every phrase found in `text`, with its reason and rank (for tools).
    fn matches(&self, text: &str) -> Vec<PhraseMatch> {
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

/// Which phrases of the tables a text contains: (phrase, reason, rank), the
/// specific table first. For tools that explain a decision.
pub fn explain(text: &str) -> (Vec<PhraseMatch>, Vec<PhraseMatch>) {
    (STRONG.matches(text), WEAK.matches(text))
}

static STRONG: LazyLock<Table> = LazyLock::new(|| Table::new(PHRASES));
static WEAK: LazyLock<Table> = LazyLock::new(|| Table::new(WEAK_PHRASES));
static DEFAULT_TEXTS: LazyLock<Table> = LazyLock::new(|| Table::new(DEFAULT_REPLY_TEXTS));

/// The best reason the text alone gives, from the specific phrase table.
pub fn reason_from_text(text: &str) -> Option<Reason> {
    STRONG.lookup(text).map(|(r, _)| r)
}

/// The reason of the specific phrase table, with the words that matched.
pub fn phrase_in(text: &str) -> Option<(Reason, &str)> {
    STRONG.lookup(text)
}

/// The reason of RFC 5321's default reply texts, with the words that matched.
pub fn default_text_in(text: &str) -> Option<(Reason, &str)> {
    DEFAULT_TEXTS.lookup(text)
}

/// The reason of the generic words, with the words that matched.
pub fn generic_words_in(text: &str) -> Option<(Reason, &str)> {
    WEAK.lookup(text)
}

/// The reason generic words give, used when nothing more specific is known.
pub fn reason_from_weak_text(text: &str) -> Option<Reason> {
    WEAK.lookup(text).map(|(r, _)| r)
}

/// Postfix-style rejections name the rule, then why: "Recipient address
/// rejected: <why>". When the specific table found nothing, the generic words
/// are read in the why alone: the prefix says only that the address was
/// refused, not that it does not exist ("…rejected: Greylisted", "…rejected:
/// On hold"). Without a why ("Address rejected.") the whole text is read.
pub(crate) fn explanation(text: &str) -> &str {
    const PREFIX: &str = "address rejected:";
    let lower = text.to_ascii_lowercase();
    match lower.find(PREFIX) {
        Some(at) => text.get(at + PREFIX.len()..).unwrap_or(text),
        None => text,
    }
}

/// Collapses runs of whitespace into single spaces and trims.
pub fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phrase_tables_compile() {
        assert!(STRONG.automaton.is_some());
        assert!(WEAK.automaton.is_some());
        assert!(DEFAULT_TEXTS.automaton.is_some());
    }

    #[test]
    fn short_phrases_match_whole_words_only() {
        assert_eq!(reason_from_weak_text("produced by"), None);
    }

    #[test]
    fn the_matched_words_are_given_as_written() {
        assert_eq!(
            phrase_in("550 5.1.1 <a@example.org>: User Unknown in virtual table").map(|(_, w)| w),
            Some("User Unknown")
        );
    }
}
