//! The mailing list's own addresses, which are never a failed recipient.
//!
//! A bounce returned to a list comes to the list's bounce address, and the
//! message it returns was addressed to the list's posting address: neither is
//! a subscriber. The readers otherwise take them for recipients (the returned
//! original's `To`, an address quoted in a notice, a digest's masthead). They
//! are known from:
//!
//! - the bounce's own `To`: Mailman returns bounces to `LIST-bounces@HOST`
//!   (Mailman 2.0: `LIST-admin`; also `LIST-owner`, `LIST-request`), with
//!   VERP as `LIST-bounces+USER=DOMAIN@HOST` (Mailman's documented address
//!   scheme), and Sendmail's aliases(5) convention names a list's error
//!   address `owner-LIST`; the list itself is then `LIST@HOST`, and its
//!   command address `LIST-request@HOST`;
//! - the returned original's (and the bounce's, when the list forwarded it)
//!   `List-Post` (RFC 2369), `X-BeenThere` (Mailman: the list the message has
//!   passed through) and `Sender` (RFC 5322: the agent that sent it, which a
//!   list sets to its own bounce address) fields, each also stripped of the
//!   suffixes above;
//! - `List-Id` (RFC 2919: `LIST.HOST`) only where it names the list of a host
//!   already known from the fields above, since a list identifier is not an
//!   address by itself.
//!
//! A personalised mailing (Mailman's "full personalisation", most newsletter
//! senders) addresses the original to the subscriber: its `To` is not among
//! these unless it is the list's own address.

use super::address;
use super::message::Mail;

/// Suffixes Mailman appends to a list's name for its service addresses.
const SERVICE_SUFFIXES: &[&str] = &["-bounces", "-admin", "-owner", "-request"];

/// Header fields whose addresses belong to the list.
pub(crate) const LIST_FIELDS: &[&str] = &["list-post", "x-beenthere", "sender"];

/// The list's posting and service addresses, lower case (found once per
/// message).
pub fn list_addresses(mail: &Mail) -> &[String] {
    mail.lists.get_or_init(|| match mail.original_lists.get() {
        Some((fields, list_id)) => find_list_addresses(mail, fields, list_id.as_deref()),
        None => {
            let original = crate::bounce::original::extract(mail);
            find_list_addresses(mail, &original.list_fields, original.list_id.as_deref())
        }
    })
}

/// Keeps the original's list fields, already read with its other headers,
/// for when the list's addresses are asked for (most reports never do).
pub fn prime(mail: &Mail, original: &crate::bounce::Original) {
    let _ = mail
        .original_lists
        .set((original.list_fields.clone(), original.list_id.clone()));
}

fn find_list_addresses(
    mail: &Mail,
    original_fields: &[(String, String)],
    original_list_id: Option<&str>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // The bounce's To: only an address with a service suffix says it is a
    // list's (a plain To is the sender's own address, excluded elsewhere).
    for to in mail.headers_named("to") {
        for (_, _, a) in address::find_all(to) {
            if let Some(list) = list_of_service_address(a) {
                push(&mut out, with_suffix(&list, "-request"));
                push(&mut out, list);
            }
        }
    }
    let mut list_ids: Vec<String> = Vec::new();
    for name in LIST_FIELDS {
        for value in mail.headers_named(name) {
            add_field(&mut out, value);
        }
    }
    list_ids.extend(mail.headers_named("list-id").map(str::to_string));
    for (_, value) in original_fields {
        add_field(&mut out, value);
    }
    list_ids.extend(original_list_id.map(str::to_string));
    for id in &list_ids {
        if let Some(list) = list_of_id(id, &out) {
            push(&mut out, list);
        }
    }
    out
}

fn push(out: &mut Vec<String>, address: String) {
    let address = address.to_ascii_lowercase();
    if !out.contains(&address) {
        out.push(address);
    }
}

/// The addresses of a list field, and the list a service address names.
fn add_field(out: &mut Vec<String>, value: &str) {
    for (_, _, a) in address::find_all(value) {
        if let Some(list) = list_of_service_address(a) {
            push(out, list);
        }
        push(out, a.to_string());
    }
}

/// True when `recipient` is one of `list` (lower-case addresses).
pub fn is_list_address(list: &[String], recipient: &str) -> bool {
    list.iter().any(|l| l.eq_ignore_ascii_case(recipient))
}

/// `LIST-bounces+user=dom@HOST`, `LIST-admin@HOST`, `owner-LIST@HOST` →
/// `LIST@HOST`.
fn list_of_service_address(addr: &str) -> Option<String> {
    let (local, host) = addr.rsplit_once('@')?;
    // VERP: what follows the '+' encodes the subscriber.
    let local = local.split_once('+').map_or(local, |(l, _)| l);
    let lower = local.to_ascii_lowercase();
    let list = SERVICE_SUFFIXES
        .iter()
        .find_map(|s| lower.strip_suffix(s))
        .or_else(|| lower.strip_prefix("owner-"))
        .filter(|l| !l.is_empty())?;
    Some(format!("{list}@{}", host.to_ascii_lowercase()))
}

fn with_suffix(list: &str, suffix: &str) -> String {
    match list.rsplit_once('@') {
        Some((local, host)) => format!("{local}{suffix}@{host}"),
        None => list.to_string(),
    }
}

/// `List-Id: Title <LIST.HOST>` → `LIST@HOST`, when HOST is the host of an
/// address already known to be the list's.
fn list_of_id(value: &str, known: &[String]) -> Option<String> {
    let id = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value.trim(),
    };
    let id = id.trim().to_ascii_lowercase();
    let (list, host) = id.split_once('.')?;
    let host_known = known
        .iter()
        .any(|k| k.rsplit_once('@').is_some_and(|(_, h)| h == host));
    (!list.is_empty() && host_known).then(|| format!("{list}@{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &[(&str, &str)], original: Option<&str>) -> Mail {
        Mail {
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            original: original.map(str::to_string),
            ..Mail::default()
        }
    }

    #[test]
    fn a_bounce_address_names_its_list() {
        let m = mail(
            &[("to", "news-bounces+anna=example.org@lists.example.com")],
            None,
        );
        let got = list_addresses(&m);
        assert!(is_list_address(got, "news@lists.example.com"), "{got:?}");
        assert!(is_list_address(got, "News-Request@lists.example.com"));
        assert!(!is_list_address(got, "anna@example.org"));
        let old = mail(&[("to", "<owner-talk@example.net>")], None);
        assert!(is_list_address(list_addresses(&old), "talk@example.net"));
    }

    #[test]
    fn a_plain_return_address_names_no_list() {
        let m = mail(&[("to", "bounces+anna=example.org@news.example.com")], None);
        assert!(list_addresses(&m).is_empty());
    }

    #[test]
    fn the_returned_original_names_its_list() {
        let original = "From: Ana <ana@example.org>\nTo: Talk <talk@lists.example.net>\n\
             List-Id: Talk about things <talk.lists.example.net>\n\
             List-Post: <mailto:talk@lists.example.net>\nX-BeenThere: talk@lists.example.net\n\
             Sender: \"Talk\" <talk-bounces@lists.example.net>";
        let m = mail(&[("to", "sender@example.com")], Some(original));
        let got = list_addresses(&m);
        assert!(is_list_address(got, "talk@lists.example.net"), "{got:?}");
        assert!(is_list_address(got, "talk-bounces@lists.example.net"));
        assert!(!is_list_address(got, "ana@example.org"));
    }

    #[test]
    fn a_list_id_alone_is_not_an_address() {
        let original = "To: bo@example.org\nList-Id: <weekly.news.example.com>";
        assert!(list_addresses(&mail(&[], Some(original))).is_empty());
    }
}
