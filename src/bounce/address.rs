//! Finding and cleaning e-mail addresses in header fields and free text.

use std::sync::LazyLock;

use regex::Regex;

static ADDRESS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:"[^"\s@]{1,64}"|[\w.!#$%&'*+/=?^`{|}~-]+)@[\w-]+(?:\.[\w-]+)+"#)
        .unwrap_or_else(|_| super::diagnose::unreachable_regex())
});

/// Every address-like token in a text, with its byte range.
pub fn find_all(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    ADDRESS_RE.find_iter(text).filter_map(|m| {
        let raw = m.as_str();
        let (local, domain) = raw.rsplit_once('@')?;
        // Text in scripts without spaces runs into an ASCII address
        // ("宛先kijitora@example.jp様"): keep the ASCII run next to the '@'.
        let local_keep = ascii_run_end(local);
        let domain_keep = ascii_run_start(domain);
        let start = m.start() + (local.len() - local_keep.len());
        let s = &text[start..m.start() + local.len() + 1 + domain_keep.len()];
        let trimmed_start = s.trim_start_matches(['.', '\'', '`']);
        let start = start + (s.len() - trimmed_start.len());
        let s = trimmed_start.trim_end_matches(['.', '-']);
        let (start, s) = without_dda_type(text, start, s);
        plausible(s).then_some((start, start + s.len(), s))
    })
}

/// Domain-defined attribute types that carry an Internet address inside an
/// X.400 O/R address (RFC 2156 §4.2's `RFC-822` DDA; Microsoft Exchange
/// writes `SMTP`), lower case with their `=`.
const DDA_TYPES: &[&str] = &["smtp=", "rfc-822=", "rfc822="];

/// In an X.400 O/R address (`c=US;a= ;p=Org;dda:SMTP=user@host`) the token
/// after `dda:` starts with the attribute's type, which is not part of the
/// address. Only there: elsewhere `smtp=` may begin a real local part (VERP).
fn without_dda_type<'t>(text: &'t str, start: usize, s: &'t str) -> (usize, &'t str) {
    let after_dda = text
        .get(..start)
        .and_then(|b| b.get(b.len().saturating_sub(4)..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case("dda:"));
    if !after_dda {
        return (start, s);
    }
    DDA_TYPES
        .iter()
        .find(|t| s.get(..t.len()).is_some_and(|p| p.eq_ignore_ascii_case(t)))
        .map_or((start, s), |t| (start + t.len(), &s[t.len()..]))
}

/// Characters of scripts written without spaces (CJK, fullwidth forms).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

/// The local part, cut after the last CJK character when it mixes CJK with
/// other characters.
fn ascii_run_end(local: &str) -> &str {
    if local.chars().last().is_none_or(is_cjk) {
        return local;
    }
    match local.char_indices().rev().find(|(_, c)| is_cjk(*c)) {
        Some((i, c)) => &local[i + c.len_utf8()..],
        None => local,
    }
}

/// The domain, cut at the first CJK character after other ones.
fn ascii_run_start(domain: &str) -> &str {
    if domain.chars().next().is_none_or(is_cjk) {
        return domain;
    }
    match domain.char_indices().find(|(_, c)| is_cjk(*c)) {
        Some((i, _)) => &domain[..i],
        None => domain,
    }
}

/// The first address in a text, lower-cased domain kept as written.
pub fn first(text: &str) -> Option<String> {
    find_all(text).next().map(|(_, _, s)| s.to_string())
}

/// Reads a DSN address field (`rfc822; <user@example.com>`).
pub fn from_dsn_field(value: &str) -> Option<String> {
    let value = match value.split_once(';') {
        Some((_, rest)) => rest,
        None => value,
    };
    first(value)
}

/// Whether two addresses name one mailbox as far as a report goes: case
/// aside, and a quoted local part the same as its unquoted spelling
/// (`"neko..nyaan"@example.org`, `neko..nyaan@example.org`).
pub fn same_address(a: &str, b: &str) -> bool {
    let key = |addr: &str| {
        let addr = addr.trim();
        let unquoted = match addr.rsplit_once('@') {
            Some((local, domain)) => {
                match local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
                    Some(inner) => format!("{inner}@{domain}"),
                    None => addr.to_string(),
                }
            }
            None => addr.to_string(),
        };
        unquoted.to_lowercase()
    };
    key(a) == key(b)
}

fn plausible(addr: &str) -> bool {
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    // An address elided with an ellipsis ("david...@gmail.com", as Google
    // Groups and list archives show addresses, and as redacted reports
    // carry them) names nobody. Two dots stay: legacy Japanese mobile
    // addresses end in "..".
    !local.is_empty()
        && !local.ends_with("...")
        && local.len() <= 128
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.rsplit('.').next().is_some_and(|tld| {
            tld.chars().all(|c| c.is_alphanumeric() || c == '-')
                && tld.chars().any(|c| !c.is_ascii_digit())
        })
}

/// True for addresses of mail systems rather than people (MAILER-DAEMON, postmaster).
pub fn is_system_address(addr: &str) -> bool {
    let local = addr.split('@').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        local.as_str(),
        "mailer-daemon"
            | "postmaster"
            | "mail-daemon"
            | "mailerdaemon"
            | "daemon"
            | "root"
            | "nobody"
    ) || local.starts_with("mailer-daemon")
        || local.starts_with("postmaster")
}

/// Decodes a VERP bounce address (`bounces+anna=example.org@news.example.com`,
/// `bounce-anna=example.org@…`) into the recipient it names.
pub fn from_verp(addr: &str) -> Option<String> {
    let (local, _) = addr.rsplit_once('@')?;
    let (_, encoded) = local.split_once(['+', '-'])?;
    // Some senders put a mailing id first: bounce-123-anna=example.org
    let encoded = encoded
        .rsplit(['+', '-'])
        .find(|p| p.contains('='))
        .unwrap_or(encoded);
    let (user, domain) = encoded.rsplit_once('=')?;
    let candidate = format!("{user}@{domain}");
    (domain.contains('.') && !user.is_empty() && plausible(&candidate)).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses_in_angle_brackets_and_text() {
        assert_eq!(
            first("<kijitora@example.org>: user unknown").as_deref(),
            Some("kijitora@example.org")
        );
        assert_eq!(
            from_dsn_field("rfc822; <Anna@Example.com>").as_deref(),
            Some("Anna@Example.com")
        );
        assert_eq!(first("no address here"), None);
    }

    #[test]
    fn quoted_local_parts_and_neighbouring_scripts() {
        assert_eq!(
            first("<\"a..b\"@example.org>").as_deref(),
            Some("\"a..b\"@example.org")
        );
        assert_eq!(
            first("宛先kijitora@example.jp様").as_deref(),
            Some("kijitora@example.jp")
        );
        assert_eq!(
            first("ユーザー@例え.jp").as_deref(),
            Some("ユーザー@例え.jp")
        );
    }

    #[test]
    fn an_x400_address_names_its_internet_address() {
        assert_eq!(
            first("c=US;a= ;p=Org;o=Hub;dda:SMTP=anna@example.com; on Fri").as_deref(),
            Some("anna@example.com")
        );
        assert_eq!(
            first("c=DE;a=x;p=y;dda:RFC-822=bo@example.org").as_deref(),
            Some("bo@example.org")
        );
        // Outside an O/R address the text is kept as written.
        assert_eq!(
            first("bounce-smtp=x@example.net").as_deref(),
            Some("bounce-smtp=x@example.net")
        );
    }

    #[test]
    fn an_elided_address_names_nobody() {
        assert_eq!(first("Final-Recipient: rfc822; david...@example.com"), None);
        assert_eq!(
            first("<taro..@docomo.example>").as_deref(),
            Some("taro..@docomo.example")
        );
    }

    #[test]
    fn verp_addresses_name_the_recipient() {
        assert_eq!(
            from_verp("bounces+anna=example.org@news.example.com").as_deref(),
            Some("anna@example.org")
        );
        assert_eq!(
            from_verp("bounce-anna=example.org@news.example.com").as_deref(),
            Some("anna@example.org")
        );
        assert_eq!(from_verp("newsletter@news.example.com"), None);
    }

    #[test]
    fn one_mailbox_in_two_spellings_is_the_same_address() {
        assert!(same_address("Anna@Example.org", "anna@example.ORG"));
        assert!(same_address("\"a..b\"@example.org", "a..b@example.org"));
        assert!(!same_address("anna.m@mail.example.org", "anna@example.org"));
    }
}
