//! Address syntax for subscriber lists: a practical reading of RFC 5321/5322 with
//! internationalised local parts (RFC 6531) and domains (RFC 5890), and the key under
//! which two spellings of one address match.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest local part, in octets (RFC 5321 §4.5.3.1.1).
const MAX_LOCAL: usize = 64;
/// Longest domain, in octets (RFC 5321 §4.5.3.1.2).
const MAX_DOMAIN: usize = 255;
/// Longest address that fits in a path (RFC 5321 §4.5.3.1.3, less the brackets).
const MAX_ADDRESS: usize = 254;
/// Longest domain label, in octets (RFC 1035).
const MAX_LABEL: usize = 63;

/// Whether `addr` is an address mail can be sent to, in practice.
///
/// `local@domain` where the local part is a dot-atom (no leading, trailing or double
/// dots) or a quoted string, at most 64 octets, and may contain non-ASCII letters; the
/// domain is at most 255 octets of letter-digit-hyphen labels (non-ASCII labels and
/// `xn--` labels allowed, no label starting or ending with `-`), with at least one dot
/// and a top-level label that is not all digits — or an address literal such as
/// `[192.0.2.1]` or `[IPv6:2001:db8::1]`. Spaces are only allowed inside quotes.
///
/// It takes the address itself: use [`normalize_address`] first for `<…>` or
/// `mailto:` forms.
pub fn validate_address(addr: &str) -> bool {
    if addr.len() > MAX_ADDRESS || addr.contains('\u{FFFD}') {
        return false;
    }
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    valid_local(local) && valid_domain(domain)
}

fn valid_local(local: &str) -> bool {
    if local.is_empty() || local.len() > MAX_LOCAL {
        return false;
    }
    match local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        Some(quoted) if local.len() >= 2 => valid_quoted(quoted),
        _ => local.split('.').all(valid_atom),
    }
}

/// `atext` of RFC 5322, widened to non-ASCII characters by RFC 6531.
fn valid_atom(atom: &str) -> bool {
    !atom.is_empty()
        && atom.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~".contains(c)
                || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        })
}

/// The inside of a quoted local part: printable characters and spaces, with `"` and
/// `\` only as a quoted pair.
fn valid_quoted(inside: &str) -> bool {
    let mut chars = inside.chars();
    while let Some(c) = chars.next() {
        let ok = match c {
            '\\' => chars
                .next()
                .is_some_and(|next| next == ' ' || next.is_ascii_graphic()),
            '"' => false,
            ' ' => true,
            c if c.is_ascii() => c.is_ascii_graphic(),
            c => !c.is_control() && !c.is_whitespace(),
        };
        if !ok {
            return false;
        }
    }
    true
}

fn valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > MAX_DOMAIN {
        return false;
    }
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return valid_literal(literal);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| valid_label(label))
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

fn valid_literal(literal: &str) -> bool {
    match literal.get(..5) {
        Some(tag) if tag.eq_ignore_ascii_case("IPv6:") => literal
            .get(5..)
            .is_some_and(|ip| ip.parse::<Ipv6Addr>().is_ok()),
        _ => literal.parse::<Ipv4Addr>().is_ok(),
    }
}

/// A letter-digit-hyphen label, where letters include non-ASCII ones (a U-label).
fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.chars().count() <= MAX_LABEL
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || c == '-'
                || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        })
}

/// The key under which spellings of one address match, or `None` for an empty field.
///
/// Trims spaces, takes the address out of `<…>` (also `Name <addr>`), drops a
/// `mailto:` prefix (and a `?query` after it), turns `xn--` domain labels into their
/// Unicode form so that `müller.de` and `xn--mller-kva.de` match, and lower-cases the
/// whole address: mailbox providers treat local parts case-insensitively, and
/// PRODUCT.md asks for that. The key is for matching only; exports keep the field as
/// the user wrote it.
pub fn normalize_address(raw: &str) -> Option<String> {
    let mut addr = strip_mailto(raw.trim());
    if let Some(inner) = addr.strip_suffix('>')
        && let Some(open) = inner.rfind('<')
    {
        addr = strip_mailto(inner[open + 1..].trim());
    }
    if addr.is_empty() {
        return None;
    }
    let lower = addr.to_lowercase();
    match lower.rsplit_once('@') {
        Some((local, domain)) if domain.split('.').any(|l| l.starts_with("xn--")) => {
            Some(format!("{local}@{}", unicode_domain(domain)))
        }
        _ => Some(lower),
    }
}

fn strip_mailto(addr: &str) -> &str {
    match addr.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => {
            let rest = &addr[7..];
            rest.split('?').next().unwrap_or(rest).trim()
        }
        _ => addr,
    }
}

/// The domain with every decodable `xn--` label in Unicode; others stay as written.
fn unicode_domain(domain: &str) -> String {
    domain
        .split('.')
        .map(|label| {
            label
                .strip_prefix("xn--")
                .and_then(punycode_decode)
                .map(|decoded| decoded.to_lowercase())
                .unwrap_or_else(|| label.to_string())
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Punycode decoding (RFC 3492 §6.2) of one label without its `xn--` prefix.
fn punycode_decode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    if input.is_empty() || input.len() > MAX_LABEL || !input.is_ascii() {
        return None;
    }
    let (basic, extended) = match input.rfind('-') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => ("", input),
    };
    let mut output: Vec<char> = basic.chars().collect();
    let (mut code_point, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = extended.bytes();
    while digits.len() > 0 {
        let old_i = i;
        let mut weight = 1u32;
        let mut k = BASE;
        loop {
            let digit = match digits.next()? {
                b @ b'a'..=b'z' => u32::from(b - b'a'),
                b @ b'A'..=b'Z' => u32::from(b - b'A'),
                b @ b'0'..=b'9' => u32::from(b - b'0') + 26,
                _ => return None,
            };
            i = i.checked_add(digit.checked_mul(weight)?)?;
            let threshold = k.saturating_sub(bias).clamp(T_MIN, T_MAX);
            if digit < threshold {
                break;
            }
            weight = weight.checked_mul(BASE - threshold)?;
            k += BASE;
        }
        let points = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, points, old_i == 0);
        code_point = code_point.checked_add(i / points)?;
        i %= points;
        output.insert(usize::try_from(i).ok()?, char::from_u32(code_point)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

/// Bias adaptation (RFC 3492 §6.1).
fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    const BASE: u32 = 36;
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - 1) * 26) / 2 {
        delta /= BASE - 1;
        k += BASE;
    }
    k + (BASE * delta) / (delta + 38)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses() {
        for addr in [
            "\"john doe\"@example.com",
            "jürgen@müller.de",
            "用户@例子.广告",
            "a+tag@example.co.uk",
            "x@[192.0.2.1]",
            "x@[IPv6:2001:db8::1]",
            "o'brien@example.ie",
            "user@xn--mller-kva.de",
            "\"a@b\"@example.com",
        ] {
            assert!(validate_address(addr), "{addr} should be valid");
        }
    }

    #[test]
    fn invalid_addresses() {
        for addr in [
            "a..b@example.com",
            ".a@example.com",
            "a.@example.com",
            "a@",
            "@example.com",
            "a b@example.com",
            "a@example",
            "a@-example.com",
            "a@example-.com",
            "a@exa mple.com",
            "a@example..com",
            "a@example.com.",
            "a@1.2.3.4",
            "a@[999.1.1.1]",
            "plainaddress",
            "",
            "a\u{FFFD}@example.com",
            "\"unclosed@example.com",
        ] {
            assert!(!validate_address(addr), "{addr} should be invalid");
        }
    }

    #[test]
    fn length_limits() {
        let local64 = "a".repeat(64);
        assert!(validate_address(&format!("{local64}@example.com")));
        assert!(!validate_address(&format!("a{local64}@example.com")));
        let label64 = "b".repeat(64);
        assert!(!validate_address(&format!("a@{label64}.com")));
    }

    #[test]
    fn normalising_strips_brackets_mailto_and_case() {
        assert_eq!(
            normalize_address("  <John@Example.COM> ").as_deref(),
            Some("john@example.com")
        );
        assert_eq!(
            normalize_address("MAILTO:a@b.de?subject=x").as_deref(),
            Some("a@b.de")
        );
        assert_eq!(
            normalize_address("John Doe <JD@x.org>").as_deref(),
            Some("jd@x.org")
        );
        assert_eq!(normalize_address("   "), None);
        assert_eq!(normalize_address("<>"), None);
    }

    #[test]
    fn punycode_and_unicode_domains_share_a_key() {
        assert_eq!(
            normalize_address("Jürgen@XN--MLLER-KVA.de"),
            normalize_address("jürgen@müller.de")
        );
        assert_eq!(punycode_decode("fsqu00a").as_deref(), Some("例子"));
        assert_eq!(
            normalize_address("a@xn--zz.de").as_deref(),
            Some("a@xn--zz.de")
        );
    }
}
