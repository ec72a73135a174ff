//! Which mailing a bounce belongs to (BOUNCES.md, "Streams" and "Mailings").
//!
//! Pure functions over the returned original's headers: the sending stream
//! is the `List-Id`, else the original `From` address; the mailing key is a
//! campaign header when the sending tool set one, else the stream plus the
//! UTC calendar day of the original's `Date`, so that personalised or
//! A/B-tested subjects do not split a mailing.

use crate::bounce::Original;
use crate::bounce::address;
use crate::bounce::date::civil_from_days;

/// A mailing as identified from one bounce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailingRef {
    pub stream: String,
    pub key: String,
    /// The original's send date (seconds since the epoch, UTC).
    pub date: i64,
    pub subject: Option<String>,
}

/// The stream of an original: its `List-Id` (the part in angle brackets, or
/// the whole value), else its `From` address; lower case.
pub fn stream_of(original: &Original) -> Option<String> {
    if let Some(list_id) = original.list_id.as_deref() {
        let id = match (list_id.rfind('<'), list_id.rfind('>')) {
            (Some(open), Some(close)) if open < close => &list_id[open + 1..close],
            _ => list_id,
        };
        let id = id.trim();
        if !id.is_empty() {
            return Some(id.to_lowercase());
        }
    }
    original
        .from
        .as_deref()
        .and_then(address::first)
        .map(|a| a.to_lowercase())
}

/// The mailing an original belongs to, when the bounce returned enough of it.
pub fn mailing_of(original: &Original) -> Option<MailingRef> {
    let stream = stream_of(original)?;
    let date = original.date_epoch?;
    let key = match original.campaign.as_deref().map(str::trim) {
        Some(campaign) if !campaign.is_empty() => format!("{stream} campaign:{campaign}"),
        _ => format!("{stream} {}", day_of(date)),
    };
    Some(MailingRef {
        stream,
        key,
        date,
        subject: original.subject.clone(),
    })
}

/// `YYYY-MM-DD` of a moment, UTC.
pub fn day_of(epoch: i64) -> String {
    let (y, m, d) = civil_from_days(epoch.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// How far back a bounce without its original looks for its mailing.
pub const ATTACH_WINDOW_SECS: i64 = 5 * 86_400;

pub use crate::policy::UNKNOWN_STREAM;

/// The mailing key for a bounce without its original that no known mailing
/// in the window claims: a mailing of its own arrival day.
pub fn orphan_mailing(arrival: i64) -> MailingRef {
    MailingRef {
        stream: UNKNOWN_STREAM.to_string(),
        key: format!("{UNKNOWN_STREAM} {}", day_of(arrival)),
        date: arrival,
        subject: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original(list_id: Option<&str>, from: &str, date: i64, campaign: Option<&str>) -> Original {
        Original {
            list_id: list_id.map(str::to_string),
            from: Some(from.to_string()),
            date_epoch: Some(date),
            campaign: campaign.map(str::to_string),
            subject: Some("Issue 7".into()),
            ..Original::default()
        }
    }

    #[test]
    fn list_id_names_the_stream() {
        let o = original(
            Some("Example Weekly <Weekly.News.Example.com>"),
            "a@b.example",
            0,
            None,
        );
        assert_eq!(stream_of(&o).as_deref(), Some("weekly.news.example.com"));
    }

    #[test]
    fn from_address_names_the_stream_without_list_id() {
        let o = original(None, "Shop <Orders@Shop.Example>", 0, None);
        assert_eq!(stream_of(&o).as_deref(), Some("orders@shop.example"));
    }

    #[test]
    fn one_day_of_one_stream_is_one_mailing() {
        let morning = original(None, "news@example.com", 1_714_521_600 + 3_600, None);
        let evening = original(None, "news@example.com", 1_714_521_600 + 80_000, None);
        assert_eq!(
            mailing_of(&morning).map(|m| m.key),
            mailing_of(&evening).map(|m| m.key)
        );
        assert_eq!(
            mailing_of(&morning).map(|m| m.key).as_deref(),
            Some("news@example.com 2024-05-01")
        );
    }

    #[test]
    fn a_campaign_header_decides_the_mailing() {
        let a = original(None, "news@example.com", 0, Some("wk-19"));
        let b = original(None, "news@example.com", 5 * 86_400, Some("wk-19"));
        assert_eq!(mailing_of(&a).map(|m| m.key), mailing_of(&b).map(|m| m.key));
    }

    #[test]
    fn no_date_no_mailing() {
        let mut o = original(None, "news@example.com", 0, None);
        o.date_epoch = None;
        assert_eq!(mailing_of(&o), None);
    }
}
