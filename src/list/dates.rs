//! Activity dates (last open or click) as subscriber tools export them. The accepted
//! forms and the US/UK rule are in the module docs of `list`.

/// Which part of `a/b/yyyy` is the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlashOrder {
    /// US: month/day/year.
    MonthFirst,
    /// UK: day/month/year.
    DayFirst,
}

/// Reads a whole activity column, deciding ambiguous `a/b/yyyy` values by the others.
pub(crate) fn parse_activity_column(values: &[&str]) -> Vec<Option<i64>> {
    let (mut month_first, mut day_first) = (false, false);
    for value in values {
        match decided_order(value) {
            Some(SlashOrder::MonthFirst) => month_first = true,
            Some(SlashOrder::DayFirst) => day_first = true,
            None => {}
        }
    }
    let column_order = match (month_first, day_first) {
        (true, false) => Some(SlashOrder::MonthFirst),
        (false, true) => Some(SlashOrder::DayFirst),
        _ => None,
    };
    values
        .iter()
        .map(|value| parse_date(value, column_order))
        .collect()
}

/// The order a slash date decides by itself, through a part above 12.
fn decided_order(value: &str) -> Option<SlashOrder> {
    let mut cursor = Cursor::new(value.trim());
    let (a, b, _) = cursor.slash_date()?;
    match (a > 12, b > 12) {
        (true, false) => Some(SlashOrder::DayFirst),
        (false, true) => Some(SlashOrder::MonthFirst),
        _ => None,
    }
}

/// One value in Unix seconds; ambiguous slash dates follow `column_order`.
fn parse_date(value: &str, column_order: Option<SlashOrder>) -> Option<i64> {
    let text = value.trim();
    let (year, month, day, cursor) = date_part(text, column_order)?;
    let mut cursor = cursor;
    let seconds = if cursor.at_end() {
        0
    } else {
        if !(cursor.eat(b'T') || cursor.eat(b't') || cursor.eat(b' ')) {
            return None;
        }
        cursor.skip_spaces();
        cursor.time()?
    };
    Some(days_from_civil(year, month, day)? * 86_400 + seconds)
}

/// The date at the start of `text` and the cursor after it.
fn date_part(text: &str, column_order: Option<SlashOrder>) -> Option<(i64, u32, u32, Cursor<'_>)> {
    // ISO 8601 and yyyy/mm/dd.
    let mut cursor = Cursor::new(text);
    if let Some(year) = cursor.number(4, 4) {
        let separator = cursor.next_byte()?;
        if separator != b'-' && separator != b'/' {
            return None;
        }
        let month = cursor.number(1, 2)?;
        if !cursor.eat(separator) {
            return None;
        }
        let day = cursor.number(1, 2)?;
        return Some((i64::from(year), month, day, cursor));
    }
    // dd.mm.yyyy
    let mut cursor = Cursor::new(text);
    if let Some((day, month, year)) = cursor.dotted_date() {
        return Some((year, month, day, cursor));
    }
    // a/b/yyyy
    let mut cursor = Cursor::new(text);
    let (a, b, year) = cursor.slash_date()?;
    let order = match (a > 12, b > 12) {
        (true, false) => SlashOrder::DayFirst,
        (false, true) => SlashOrder::MonthFirst,
        (false, false) => column_order?,
        (true, true) => return None,
    };
    let (month, day) = match order {
        SlashOrder::MonthFirst => (a, b),
        SlashOrder::DayFirst => (b, a),
    };
    Some((year, month, day, cursor))
}

/// Days since 1970-01-01 of a proleptic Gregorian date, if the date exists.
fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// A tiny reader over the ASCII of a date.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn at_end(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next_byte(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn skip_spaces(&mut self) {
        while self.eat(b' ') {}
    }

    /// A run of `min..=max` digits (not followed by another digit).
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.at;
        let mut value = 0u32;
        while let Some(digit) = self.peek().filter(u8::is_ascii_digit) {
            if self.at - start == max {
                self.at = start;
                return None;
            }
            value = value * 10 + u32::from(digit - b'0');
            self.at += 1;
        }
        if self.at - start < min {
            self.at = start;
            return None;
        }
        Some(value)
    }

    /// Exactly two digits, whatever follows (`+0130`).
    fn two_digits(&mut self) -> Option<u32> {
        let pair = self.bytes.get(self.at..self.at + 2)?;
        if !pair.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at += 2;
        Some(u32::from(pair[0] - b'0') * 10 + u32::from(pair[1] - b'0'))
    }

    /// `dd.mm.yyyy`.
    fn dotted_date(&mut self) -> Option<(u32, u32, i64)> {
        let day = self.number(1, 2)?;
        self.eat(b'.').then_some(())?;
        let month = self.number(1, 2)?;
        self.eat(b'.').then_some(())?;
        let year = self.number(4, 4)?;
        Some((day, month, i64::from(year)))
    }

    /// `a/b/yyyy`, parts as written.
    fn slash_date(&mut self) -> Option<(u32, u32, i64)> {
        let a = self.number(1, 2)?;
        self.eat(b'/').then_some(())?;
        let b = self.number(1, 2)?;
        self.eat(b'/').then_some(())?;
        let year = self.number(4, 4)?;
        Some((a, b, i64::from(year)))
    }

    /// `HH:MM[:SS[.fff]]`, an optional AM/PM and an optional offset, to the end; the
    /// result is seconds after midnight UTC (negative or past a day when the offset
    /// crosses midnight).
    fn time(&mut self) -> Option<i64> {
        let mut hour = self.number(1, 2)?;
        self.eat(b':').then_some(())?;
        let minute = self.number(2, 2)?;
        let mut second = 0;
        if self.eat(b':') {
            second = self.number(2, 2)?.min(59);
            if self.eat(b'.') || self.eat(b',') {
                self.number(1, 9)?;
            }
        }
        self.skip_spaces();
        if let Some(pm) = self.meridiem() {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = hour % 12 + if pm { 12 } else { 0 };
            self.skip_spaces();
        }
        if hour > 23 || minute > 59 {
            return None;
        }
        let offset = self.offset()?;
        self.at_end().then_some(())?;
        Some(i64::from(hour * 3600 + minute * 60 + second) - offset)
    }

    /// `AM` or `PM` in any case: `Some(true)` for PM.
    fn meridiem(&mut self) -> Option<bool> {
        let rest = self.bytes.get(self.at..self.at + 2)?;
        let pm = if rest.eq_ignore_ascii_case(b"am") {
            false
        } else if rest.eq_ignore_ascii_case(b"pm") {
            true
        } else {
            return None;
        };
        self.at += 2;
        Some(pm)
    }

    /// `Z`, `UTC`, `GMT`, `±HH`, `±HHMM` or `±HH:MM` in seconds east of UTC; 0 when
    /// there is none.
    fn offset(&mut self) -> Option<i64> {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        if rest.eq_ignore_ascii_case(b"z") {
            self.at += 1;
            return Some(0);
        }
        if rest.eq_ignore_ascii_case(b"utc") || rest.eq_ignore_ascii_case(b"gmt") {
            self.at += 3;
            return Some(0);
        }
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Some(0),
        };
        self.at += 1;
        let hours = self.two_digits()?;
        self.eat(b':');
        let minutes = if self.at_end() { 0 } else { self.two_digits()? };
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some(sign * i64::from(hours * 3600 + minutes * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAR_15_2024: i64 = 1_710_460_800;

    fn one(value: &str) -> Option<i64> {
        parse_activity_column(&[value])[0]
    }

    #[test]
    fn iso_dates_and_times() {
        assert_eq!(one("2024-03-15"), Some(MAR_15_2024));
        assert_eq!(one("2024-03-15T10:30:00Z"), Some(MAR_15_2024 + 37_800));
        assert_eq!(one("2024-03-15 10:30:00+01:00"), Some(MAR_15_2024 + 34_200));
        assert_eq!(
            one("2024-03-15T10:30-0130"),
            Some(MAR_15_2024 + 37_800 + 5_400)
        );
        assert_eq!(one("2024-03-15T10:30:00.123Z"), Some(MAR_15_2024 + 37_800));
        assert_eq!(one(" 2024-03-15 10:30 "), Some(MAR_15_2024 + 37_800));
    }

    #[test]
    fn german_and_slashed_year_first_dates() {
        assert_eq!(one("15.03.2024"), Some(MAR_15_2024));
        assert_eq!(one("15.3.2024 10:30"), Some(MAR_15_2024 + 37_800));
        assert_eq!(one("2024/03/15"), Some(MAR_15_2024));
    }

    #[test]
    fn a_part_above_twelve_decides_us_or_uk() {
        assert_eq!(one("03/15/2024"), Some(MAR_15_2024));
        assert_eq!(one("15/03/2024"), Some(MAR_15_2024));
        assert_eq!(one("3/15/2024 2:30 PM"), Some(MAR_15_2024 + 52_200));
    }

    #[test]
    fn ambiguous_values_follow_the_column() {
        let us = parse_activity_column(&["03/15/2024", "04/05/2024"]);
        assert_eq!(us[1], days_from_civil(2024, 4, 5).map(|d| d * 86_400));
        let uk = parse_activity_column(&["15/03/2024", "04/05/2024"]);
        assert_eq!(uk[1], days_from_civil(2024, 5, 4).map(|d| d * 86_400));
    }

    #[test]
    fn ambiguous_columns_give_none() {
        assert_eq!(
            parse_activity_column(&["04/05/2024", "01/02/2024"]),
            vec![None, None]
        );
        let mixed = parse_activity_column(&["03/15/2024", "15/03/2024", "04/05/2024"]);
        assert_eq!(mixed, vec![Some(MAR_15_2024), Some(MAR_15_2024), None]);
    }

    #[test]
    fn nonsense_is_none() {
        for value in [
            "",
            "yesterday",
            "2024-02-30",
            "2024-13-01",
            "31.04.2024",
            "13/13/2024",
            "2024-03-15T25:00",
            "2024-03-15X",
            "2024-03-15T10:30+",
            "１２.03.2024",
            "2024-03-1510",
        ] {
            assert_eq!(one(value), None, "{value}");
        }
    }

    #[test]
    fn leap_days_and_old_dates() {
        assert_eq!(days_from_civil(2024, 2, 29), Some(19_782));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(days_from_civil(1969, 12, 31), Some(-1));
    }
}
