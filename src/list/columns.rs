//! Finding columns: the e-mail column by header name or content, and columns the user
//! names by header or number.

use super::address::{normalize_address, validate_address};

/// E-mail header names in common languages, as [`header_key`] writes them.
const EMAIL_HEADERS: &[&str] = &[
    // English and international
    "email",
    "emailaddress",
    "emailaddr",
    "mail",
    "mailaddress",
    "emails",
    "emailid",
    // German, Dutch, Scandinavian, Finnish
    "emailadresse",
    "emailadress",
    "mailadresse",
    "emailadres",
    "epost",
    "epostadress",
    "epostadresse",
    "sähköposti",
    "sähköpostiosoite",
    // French, Spanish, Portuguese, Italian
    "courriel",
    "adressecourriel",
    "adresseemail",
    "adressemail",
    "adresseélectronique",
    "mél",
    "correo",
    "correoelectrónico",
    "correoelectronico",
    "direccióndecorreo",
    "direcciondecorreo",
    "direccióndecorreoelectrónico",
    "direcciondecorreoelectronico",
    "endereçodeemail",
    "enderecodeemail",
    "postaelettronica",
    "indirizzoemail",
    "indirizzodipostaelettronica",
    // Polish, Czech, Turkish, Russian, Ukrainian
    "adresemail",
    "eposta",
    "epostaadresi",
    "электроннаяпочта",
    "адресэлектроннойпочты",
    "почта",
    "емейл",
    "електроннапошта",
    // Japanese, Chinese, Korean, Arabic
    "メール",
    "メールアドレス",
    "eメール",
    "eメールアドレス",
    "電子メール",
    "邮箱",
    "电子邮箱",
    "电子邮件",
    "邮件地址",
    "电子邮件地址",
    "郵箱",
    "電子郵件",
    "電郵",
    "이메일",
    "이메일주소",
    "البريدالإلكتروني",
];

/// Part of a header name that suggests an e-mail column (`Subscriber Email`,
/// `Email (work)`), checked against the column's content before it is taken.
const EMAIL_HEADER_PARTS: &[&str] = &["email", "courriel", "correo", "メール", "邮箱", "почт"];

/// A header name for matching: lower-case, without spaces, `_`, `-`, `.`, quotes or a
/// stray BOM.
pub(crate) fn header_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | '\'' | '"' | '\u{FEFF}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a header cell names an e-mail column by the table.
pub(crate) fn is_email_header(name: &str) -> bool {
    EMAIL_HEADERS.contains(&header_key(name).as_str())
}

/// Labels of the columns for messages: the header fields, or `column N` (with the first
/// value when there is one) where there is no name.
pub(crate) fn labels(header: Option<&[String]>, width: usize) -> Vec<String> {
    (0..width)
        .map(|i| match header.and_then(|h| h.get(i)).map(|h| h.trim()) {
            Some(name) if !name.is_empty() => name.trim_start_matches('\u{FEFF}').to_string(),
            _ => format!("column {}", i + 1),
        })
        .collect()
}

/// Labels for a file without a header: `column N (first value)`.
pub(crate) fn labels_with_sample(first: &[String], width: usize) -> Vec<String> {
    (0..width)
        .map(
            |i| match first.get(i).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                Some(value) => format!("column {} ({})", i + 1, shorten(value)),
                None => format!("column {}", i + 1),
            },
        )
        .collect()
}

fn shorten(value: &str) -> String {
    const MAX: usize = 24;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// The column a user named: a header name (exactly, then by [`header_key`]), else a
/// 1-based number within `width`.
pub(crate) fn resolve(spec: &str, header: Option<&[String]>, width: usize) -> Option<usize> {
    let spec = spec.trim();
    if let Some(header) = header {
        if let Some(i) = header.iter().position(|h| h.trim() == spec) {
            return Some(i);
        }
        let key = header_key(spec);
        if !key.is_empty()
            && let Some(i) = header.iter().position(|h| header_key(h) == key)
        {
            return Some(i);
        }
    }
    match spec.parse::<usize>() {
        Ok(n) if (1..=width).contains(&n) => Some(n - 1),
        _ => None,
    }
}

/// Whether a header cell matches a column option given by name.
pub(crate) fn names(spec: &str, cell: &str) -> bool {
    let spec = spec.trim();
    spec.parse::<usize>().is_err()
        && (cell.trim() == spec || (!spec.is_empty() && header_key(cell) == header_key(spec)))
}

/// Finds the e-mail column without help: by header name, by a header containing an
/// e-mail word whose content agrees, then by content alone. `stats` describes each
/// column's values in the data rows.
pub(crate) fn find_email_column(header: Option<&[String]>, stats: &[ColumnStats]) -> Option<usize> {
    if let Some(i) = header.and_then(|h| h.iter().position(|name| is_email_header(name))) {
        return Some(i);
    }
    if let Some(header) = header {
        let partial = header.iter().enumerate().filter(|(i, h)| {
            let key = header_key(h);
            EMAIL_HEADER_PARTS.iter().any(|part| key.contains(part))
                && stats.get(*i).is_some_and(ColumnStats::mostly_addresses)
        });
        if let Some((i, _)) = partial.max_by_key(|(i, _)| (stats[*i].valid, std::cmp::Reverse(*i)))
        {
            return Some(i);
        }
    }
    stats
        .iter()
        .enumerate()
        .filter(|(_, s)| s.mostly_addresses())
        .max_by_key(|(i, s)| (s.valid, s.with_at, std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
}

/// What one column's values look like, added up value by value.
#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnStats {
    non_empty: usize,
    with_at: usize,
    valid: usize,
    /// The bytes of all values, for sizing what is kept of the column.
    pub(crate) bytes: usize,
}

impl ColumnStats {
    /// Counts one value of the column.
    pub(crate) fn add(&mut self, value: &str) {
        self.bytes += value.len();
        if value.trim().is_empty() {
            return;
        }
        self.non_empty += 1;
        if value.contains('@') {
            self.with_at += 1;
            if normalize_address(value).is_some_and(|key| validate_address(&key)) {
                self.valid += 1;
            }
        }
    }

    /// At least one valid address, and `@` in at least half of the non-empty values.
    fn mostly_addresses(&self) -> bool {
        self.valid > 0 && self.with_at * 2 >= self.non_empty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    /// The column figures of `rows`, `width` columns wide.
    fn stats(rows: &[Vec<String>], width: usize) -> Vec<ColumnStats> {
        let mut out = vec![ColumnStats::default(); width];
        for row in rows {
            for (value, s) in row.iter().zip(&mut out) {
                s.add(value);
            }
        }
        out
    }

    #[test]
    fn header_names_in_many_languages() {
        for name in [
            "Email",
            "E-Mail",
            "e_mail",
            "E-Mail-Adresse",
            "Email Address",
            "Courriel",
            "Correo electrónico",
            "Posta elettronica",
            "Indirizzo email",
            "E-postadress",
            "Sähköposti",
            "メールアドレス",
            "邮箱",
            "Электронная почта",
            "EMAIL_ADDRESS",
        ] {
            assert!(is_email_header(name), "{name}");
        }
        assert!(!is_email_header("Name"));
        assert!(!is_email_header("Mailing date"));
    }

    #[test]
    fn user_named_columns_by_name_or_number() {
        let header = strings(&["Name", "E-Mail Adresse", "Stadt"]);
        assert_eq!(resolve("e-mail adresse", Some(&header), 3), Some(1));
        assert_eq!(resolve("Stadt", Some(&header), 3), Some(2));
        assert_eq!(resolve("3", Some(&header), 3), Some(2));
        assert_eq!(resolve("4", Some(&header), 3), None);
        assert_eq!(resolve("0", None, 3), None);
        assert_eq!(resolve("Phone", Some(&header), 3), None);
    }

    #[test]
    fn a_header_containing_email_needs_addresses_below_it() {
        let header = strings(&["Email opt-in", "Subscriber Email"]);
        let rows = vec![
            strings(&["yes", "a@example.com"]),
            strings(&["no", "b@example.com"]),
        ];
        assert_eq!(find_email_column(Some(&header), &stats(&rows, 2)), Some(1));
    }

    #[test]
    fn content_decides_when_the_header_is_unknown() {
        let header = strings(&["Nom", "Adresse", "Kontakt"]);
        let rows = vec![
            strings(&["A", "Rue 1", "a@example.com"]),
            strings(&["B", "Rue 2", "b@example.com"]),
        ];
        assert_eq!(find_email_column(Some(&header), &stats(&rows, 3)), Some(2));
        assert_eq!(find_email_column(None, &stats(&rows[..1], 3)), Some(2));
    }

    #[test]
    fn no_addresses_no_column() {
        let rows = vec![strings(&["A", "1"]), strings(&["B", "2"])];
        assert_eq!(find_email_column(None, &stats(&rows, 2)), None);
    }
}
