//! Dates as mail writes them (RFC 5322 and the variants MTAs produce) →
//! seconds since the epoch, and back out as RFC 3339 UTC.

/// Parses a date header value. Lenient about comments and missing parts.
pub fn parse(value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let epoch = mailparse::dateparse(value).ok()?;
    // Dates before 1980 or far in the future are parse accidents, not mail.
    (315_532_800..=4_102_444_800)
        .contains(&epoch)
        .then_some(epoch)
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn to_rfc3339(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Gregorian calendar date of a day count since 1970-01-01 (proleptic).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5322_dates_become_rfc3339_utc() {
        let epoch = parse("Thu, 29 Apr 2013 23:45:32 +0900 (JST)").unwrap();
        assert_eq!(to_rfc3339(epoch), "2013-04-29T14:45:32Z");
    }

    #[test]
    fn leap_days_are_right() {
        assert_eq!(to_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn garbage_is_no_date() {
        assert_eq!(parse("yesterday-ish"), None);
        assert_eq!(parse(""), None);
    }
}
