//! The words of an error: one ranked phrase matcher over the tables in
//! [`crate::bounce::phrases`] (specific phrases, then generic words).

use std::sync::LazyLock;

use crate::bounce::markers::RankedPhrases;
use crate::bounce::phrases::{DEFAULT_REPLY_TEXTS, PHRASES, WEAK_PHRASES};
use crate::bounce::reason::Reason;

/// A phrase found in a text: the words as written, their reason, the table rank.
pub type PhraseMatch = (String, Reason, usize);

/// Which phrases of the tables a text contains: (phrase, reason, rank), the
/// specific table first. For tools that explain a decision.
pub fn explain(text: &str) -> (Vec<PhraseMatch>, Vec<PhraseMatch>) {
    (STRONG.matches(text), WEAK.matches(text))
}

static STRONG: LazyLock<RankedPhrases<Reason>> = LazyLock::new(|| RankedPhrases::new(PHRASES));
static WEAK: LazyLock<RankedPhrases<Reason>> = LazyLock::new(|| RankedPhrases::new(WEAK_PHRASES));
static DEFAULT_TEXTS: LazyLock<RankedPhrases<Reason>> =
    LazyLock::new(|| RankedPhrases::new(DEFAULT_REPLY_TEXTS));

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
        assert!(STRONG.compiled());
        assert!(WEAK.compiled());
        assert!(DEFAULT_TEXTS.compiled());
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
