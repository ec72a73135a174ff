//! The returned original message: the headers that say which mailing a bounce
//! belongs to (Message-ID, Subject, Date, From, To, List-Id, campaign).

use serde::Serialize;

use super::message::{Mail, field, parse_selected_fields};
use super::{date, text};

/// Headers of the message that bounced, as far as the bounce returned them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Original {
    pub message_id: Option<String>,
    pub subject: Option<String>,
    pub date: Option<String>,
    pub from: Option<String>,
    #[serde(skip)]
    pub to: Option<String>,
    pub list_id: Option<String>,
    pub campaign: Option<String>,
    #[serde(skip)]
    pub date_epoch: Option<i64>,
    /// The list fields of the original (`List-Post`, `X-BeenThere`,
    /// `Sender`), read here once for `listaddr`.
    #[serde(skip)]
    pub list_fields: Vec<(String, String)>,
}

/// Campaign headers set by common sending tools, in order of preference.
const CAMPAIGN_HEADERS: &[&str] = &[
    "x-campaign-id",
    "x-campaignid",
    "x-campaign",
    "x-mailgun-campaign-id",
    "x-mc-campaign",
    "x-mc-campaignid",
    "x-mailchimp-campaign",
    "x-sg-campaign-id",
    "x-ses-configuration-set",
    "x-mailjet-campaign",
    "x-job",
    "x-mailing-id",
    "x-newsletter-id",
];

/// Reads the original's headers from the returned part, or from quoted text.
pub fn extract(mail: &Mail) -> Original {
    let block = match &mail.original {
        Some(block) => block.as_str(),
        None => match text::quoted_original(&mail.text) {
            Some(block) => block,
            None => return Original::default(),
        },
    };
    let wanted = |name: &str| {
        matches!(
            name,
            "message-id" | "subject" | "date" | "from" | "to" | "list-id"
        ) || CAMPAIGN_HEADERS.contains(&name)
            || super::listaddr::LIST_FIELDS.contains(&name)
    };
    let fields = parse_selected_fields(block, wanted);
    let get = |name: &str| field(&fields, name).map(str::to_string);
    let date_value = get("date");
    Original {
        message_id: get("message-id"),
        subject: get("subject"),
        date_epoch: date_value.as_deref().and_then(date::parse),
        date: date_value,
        from: get("from"),
        to: get("to"),
        list_id: get("list-id"),
        campaign: CAMPAIGN_HEADERS.iter().find_map(|h| get(h)),
        list_fields: super::listaddr::LIST_FIELDS
            .iter()
            .filter_map(|n| Some((n.to_string(), get(n)?)))
            .collect(),
    }
}
