//! How numbers and dates read in the window: thousands separators and the
//! date order of the user's locale (from `LC_ALL`, `LC_TIME` or `LANG`).

use std::sync::OnceLock;

use crate::bounce::date::to_rfc3339;

/// `12345` → `12,345`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Text on one line (runs of white space become one space), cut to at most
/// `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A share as a percentage with one decimal: `0.1234` → `12.3 %`.
pub fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// A byte count for people: `1536` → `1.5 KB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The order a locale writes a date in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `2026-11-03` (ISO 8601; also Swedish, Chinese, Japanese, Korean…).
    Iso,
    /// `11/03/2026` (United States).
    MonthFirst,
    /// `03/11/2026` (United Kingdom, France, Spain, Italy…).
    DaySlash,
    /// `03.11.2026` (Germany, Austria, Switzerland, Russia, Poland…).
    DayDot,
}

impl DateOrder {
    /// The order for a locale name such as `de_DE.UTF-8`.
    pub fn for_locale(locale: &str) -> DateOrder {
        let lang = locale.split(['.', '@']).next().unwrap_or("");
        let (language, region) = lang.split_once(['_', '-']).unwrap_or((lang, ""));
        match (language, region) {
            ("en", "US" | "PH") => DateOrder::MonthFirst,
            ("de" | "ru" | "pl" | "cs" | "sk" | "fi" | "nb" | "no" | "da" | "tr" | "uk", _) => {
                DateOrder::DayDot
            }
            ("en" | "fr" | "es" | "it" | "pt" | "nl" | "el" | "ga" | "ca", _) => {
                DateOrder::DaySlash
            }
            _ => DateOrder::Iso,
        }
    }

    /// The user's order, read once from the environment.
    pub fn user() -> DateOrder {
        static ORDER: OnceLock<DateOrder> = OnceLock::new();
        *ORDER.get_or_init(|| {
            ["LC_ALL", "LC_TIME", "LANG"]
                .iter()
                .filter_map(|v| std::env::var(v).ok())
                .find(|v| !v.is_empty() && v != "C" && v != "POSIX")
                .map_or(DateOrder::Iso, |v| DateOrder::for_locale(&v))
        })
    }
}

/// A day in the user's order (UTC).
pub fn date(epoch: i64) -> String {
    date_in(epoch, DateOrder::user())
}

/// A day in the given order (UTC).
pub fn date_in(epoch: i64, order: DateOrder) -> String {
    let iso = to_rfc3339(epoch);
    let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    match order {
        DateOrder::Iso => format!("{y}-{m}-{d}"),
        DateOrder::MonthFirst => format!("{m}/{d}/{y}"),
        DateOrder::DaySlash => format!("{d}/{m}/{y}"),
        DateOrder::DayDot => format!("{d}.{m}.{y}"),
    }
}

/// A day and time in the user's order (UTC).
pub fn date_time(epoch: i64) -> String {
    let iso = to_rfc3339(epoch);
    format!("{} {} UTC", date(epoch), &iso[11..16])
}

/// Seconds as `m:ss` (or `h:mm:ss`).
pub fn elapsed(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn dates_follow_the_locale() {
        let t = 1_793_664_000; // 2026-11-03
        assert_eq!(
            date_in(t, DateOrder::for_locale("de_DE.UTF-8")),
            "03.11.2026"
        );
        assert_eq!(
            date_in(t, DateOrder::for_locale("en_US.UTF-8")),
            "11/03/2026"
        );
        assert_eq!(
            date_in(t, DateOrder::for_locale("en_GB.UTF-8")),
            "03/11/2026"
        );
        assert_eq!(
            date_in(t, DateOrder::for_locale("ja_JP.UTF-8")),
            "2026-11-03"
        );
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(shorten("Mailbox\n  full", 20), "Mailbox full");
        assert_eq!(shorten("Address does not exist", 8), "Address…");
        assert_eq!(elapsed(75), "1:15");
    }
}
