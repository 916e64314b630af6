//! Dates as student information systems export them — `2025-08-14`, `08/14/2025`,
//! `8/14/2025`, `20250814` — read by exact shape (never chrono's lenient parsing) and
//! written as CALPADS `CCYYMMDD`. A two-digit year or a time of day is ambiguous; anything
//! else that is not one of these shapes, or not a real day, is invalid. Nothing is guessed.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::date::{format_ccyymmdd, parse_ccyymmdd};

/// How `NN/NN/CCYY` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SlashOrder {
    /// `08/14/2025` (the US form; the default).
    #[default]
    MonthFirst,
    /// `14/08/2025`.
    DayFirst,
}

/// What an extract date turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractDate {
    Blank,
    Date(NaiveDate),
    Ambiguous,
    Invalid,
}

impl ExtractDate {
    /// The `CCYYMMDD` text of a date, empty for a blank.
    pub fn ccyymmdd(self) -> Option<String> {
        match self {
            ExtractDate::Blank => Some(String::new()),
            ExtractDate::Date(d) => Some(format_ccyymmdd(d)),
            _ => None,
        }
    }
}

/// Reads one extract date.
///
/// ```
/// use rollcall::generate::extract::dates::{read, ExtractDate, SlashOrder};
/// let d = chrono::NaiveDate::from_ymd_opt(2025, 8, 14).unwrap();
/// for form in ["2025-08-14", "08/14/2025", "8/14/2025", "20250814"] {
///     assert_eq!(read(form.as_bytes(), SlashOrder::MonthFirst), ExtractDate::Date(d));
/// }
/// assert_eq!(read(b"8/14/25", SlashOrder::MonthFirst), ExtractDate::Ambiguous);
/// assert_eq!(read(b"2025-02-30", SlashOrder::MonthFirst), ExtractDate::Invalid);
/// ```
pub fn read(value: &[u8], order: SlashOrder) -> ExtractDate {
    if value.iter().all(|b| *b == b' ') {
        return ExtractDate::Blank;
    }
    if let Some(split) = value.iter().position(|b| *b == b' ' || *b == b'T') {
        // A date followed by a time of day is ambiguous; followed by spaces only (or
        // preceded by one) it is just not a date of an accepted shape.
        let date = read(&value[..split], order);
        let time = value[split + 1..].iter().any(u8::is_ascii_digit);
        return if time && matches!(date, ExtractDate::Date(_)) { ExtractDate::Ambiguous } else { ExtractDate::Invalid };
    }
    let found = match value.len() {
        8 if value.iter().all(u8::is_ascii_digit) => parse_ccyymmdd(value),
        10 if value[4] == b'-' && value[7] == b'-' => iso(value),
        _ if value.contains(&b'/') => return slashed(value, order),
        _ => None,
    };
    found.map_or(ExtractDate::Invalid, ExtractDate::Date)
}

/// The digits of `part` as a number; `None` for no digits, anything else, or a number too
/// large for `u32` (a year of ten digits is not a date, and must not overflow).
fn number(part: &[u8]) -> Option<u32> {
    (!part.is_empty() && part.iter().all(u8::is_ascii_digit)).then_some(())?;
    part.iter().try_fold(0u32, |a, d| a.checked_mul(10)?.checked_add(u32::from(d - b'0')))
}

fn iso(value: &[u8]) -> Option<NaiveDate> {
    let mut joined = Vec::with_capacity(8);
    for part in [&value[..4], &value[5..7], &value[8..]] {
        number(part)?;
        joined.extend_from_slice(part);
    }
    parse_ccyymmdd(&joined)
}

/// `M/D/CCYY` or `MM/DD/CCYY` (day first when asked); a two-digit year is ambiguous.
fn slashed(value: &[u8], order: SlashOrder) -> ExtractDate {
    let parts: Vec<&[u8]> = value.split(|b| *b == b'/').collect();
    let [a, b, year] = parts[..] else { return ExtractDate::Invalid };
    let short = |p: &[u8]| (1..=2).contains(&p.len());
    if !short(a) || !short(b) || number(a).is_none() || number(b).is_none() || number(year).is_none() {
        return ExtractDate::Invalid;
    }
    if year.len() == 2 {
        return ExtractDate::Ambiguous;
    }
    let (month, day) = match order {
        SlashOrder::MonthFirst => (a, b),
        SlashOrder::DayFirst => (b, a),
    };
    let (Some(y), Some(m), Some(d)) = (number(year), number(month), number(day)) else { return ExtractDate::Invalid };
    if year.len() != 4 || y < 1900 {
        return ExtractDate::Invalid;
    }
    i32::try_from(y).ok().and_then(|y| NaiveDate::from_ymd_opt(y, m, d)).map_or(ExtractDate::Invalid, ExtractDate::Date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_of_ten_digits_is_refused_not_overflowed() {
        // Found by the extract_mapping fuzz target.
        assert_eq!(number(b"20160301000"), None);
        assert_eq!(number(b"4294967295"), Some(u32::MAX));
        assert!(matches!(read(b"3/1/20160301000", SlashOrder::MonthFirst), ExtractDate::Invalid));
    }

    fn ymd(y: i32, m: u32, d: u32) -> ExtractDate {
        ExtractDate::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn reads_the_common_forms() {
        assert_eq!(read(b"14/08/2025", SlashOrder::DayFirst), ymd(2025, 8, 14));
        assert_eq!(read(b"1/5/2026", SlashOrder::MonthFirst), ymd(2026, 1, 5));
        assert_eq!(read(b"", SlashOrder::MonthFirst), ExtractDate::Blank);
    }

    #[test]
    fn refuses_to_guess() {
        let o = SlashOrder::MonthFirst;
        for ambiguous in [&b"01/05/06"[..], b"2025-08-14 00:00:00", b"2025-08-14T00:00", b"8/14/2025 12:00:00 AM"] {
            assert_eq!(read(ambiguous, o), ExtractDate::Ambiguous, "{}", String::from_utf8_lossy(ambiguous));
        }
        for invalid in [
            &b"14/08/2025"[..],
            b"2025-8-14",
            b" 2025-08-14",
            b"2025/08/14",
            b"2025-08-14 ",
            b"08/14/2025  ",
            b"2025-08-14T",
            b"250814",
            b"N/A",
            b"08-14-2025",
            b"0/14/2025",
            b"20251301",
            b"001/14/2025",
        ] {
            assert_eq!(read(invalid, o), ExtractDate::Invalid, "{}", String::from_utf8_lossy(invalid));
        }
    }
}
