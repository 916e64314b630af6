//! Dates as the CALPADS files write them (`CCYYMMDD`), academic years (`YYYY-YYYY`), and
//! the few calendar facts the rules need (Census Day). Parsing is strict: exactly the
//! expected shape, never chrono's lenient guesses.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Parses a `CCYYMMDD` date: exactly eight ASCII digits naming a real day.
///
/// ```
/// use rollcall::domain::date::parse_ccyymmdd;
/// assert!(parse_ccyymmdd(b"20250214").is_some());
/// assert!(parse_ccyymmdd(b"20250230").is_none());
/// assert!(parse_ccyymmdd(b"2025-02-14").is_none());
/// ```
pub fn parse_ccyymmdd(value: &[u8]) -> Option<NaiveDate> {
    if value.len() != 8 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| value[r].iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    let year = i32::try_from(n(0..4)).ok()?;
    if year < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, n(4..6), n(6..8))
}

/// A date written `YYYY-MM-DD`, strictly (the form of command-line dates).
///
/// ```
/// use rollcall::domain::date::parse_iso;
/// assert_eq!(parse_iso("2025-10-01").map(|d| d.to_string()), Some("2025-10-01".to_owned()));
/// assert!(parse_iso("2025-1-01").is_none() && parse_iso("20251001").is_none());
/// ```
pub fn parse_iso(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let mut compact = [0u8; 8];
    compact[..4].copy_from_slice(&b[..4]);
    compact[4..6].copy_from_slice(&b[5..7]);
    compact[6..].copy_from_slice(&b[8..]);
    parse_ccyymmdd(&compact)
}

/// A date written `YYYY-MM-DD` or `CCYYMMDD` (surrounding spaces allowed), as district files
/// such as the calendar write them.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    parse_iso(t).or_else(|| parse_ccyymmdd(t.as_bytes()))
}

/// Formats a date the way CALPADS files write it.
pub fn format_ccyymmdd(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// An academic year, named by the calendar year it starts in (July 1 – June 30).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AcademicYear(pub u16);

impl AcademicYear {
    /// Parses the `YYYY-YYYY` form in which the second year is the first plus one.
    ///
    /// ```
    /// use rollcall::domain::date::AcademicYear;
    /// assert_eq!(AcademicYear::parse(b"2025-2026"), Some(AcademicYear(2025)));
    /// assert_eq!(AcademicYear::parse(b"2025-2027"), None);
    /// ```
    pub fn parse(value: &[u8]) -> Option<AcademicYear> {
        if value.len() != 9 || value[4] != b'-' {
            return None;
        }
        let digits = |s: &[u8]| s.iter().try_fold(0u16, |a, d| d.is_ascii_digit().then(|| a * 10 + u16::from(d - b'0')));
        let first = digits(&value[..4])?;
        let second = digits(&value[5..])?;
        (second == first.checked_add(1)? && first >= 1900).then_some(AcademicYear(first))
    }

    /// The academic year a date falls in.
    pub fn containing(date: NaiveDate) -> AcademicYear {
        let year = u16::try_from(date.year()).unwrap_or(0);
        if date.month() >= 7 {
            AcademicYear(year)
        } else {
            AcademicYear(year.saturating_sub(1))
        }
    }

    /// July 1 of the first calendar year.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(i32::from(self.0), 7, 1).unwrap_or(NaiveDate::MIN)
    }

    /// June 30 of the second calendar year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(i32::from(self.0) + 1, 6, 30).unwrap_or(NaiveDate::MAX)
    }

    /// Census Day: the first Wednesday in October of the first calendar year.
    ///
    /// ```
    /// use rollcall::domain::date::AcademicYear;
    /// assert_eq!(AcademicYear(2025).census_day().to_string(), "2025-10-01");
    /// assert_eq!(AcademicYear(2022).census_day().to_string(), "2022-10-05");
    /// ```
    pub fn census_day(self) -> NaiveDate {
        let oct1 = NaiveDate::from_ymd_opt(i32::from(self.0), 10, 1).unwrap_or(NaiveDate::MIN);
        let ahead = (7 + Weekday::Wed.num_days_from_monday() - oct1.weekday().num_days_from_monday()) % 7;
        oct1.checked_add_days(Days::new(u64::from(ahead))).unwrap_or(oct1)
    }
}

impl fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, u32::from(self.0) + 1)
    }
}

/// A date as a day number, for compact storage in indexes (days since 0001-01-01).
pub fn day_number(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

/// The inverse of [`day_number`].
pub fn from_day_number(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_and_lenient_forms() {
        for bad in [&b"2025021"[..], b"250214", b"2025-2-14", b" 2025021", b"00000000", b"20251301"] {
            assert_eq!(parse_ccyymmdd(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_ccyymmdd(b"20240229"), NaiveDate::from_ymd_opt(2024, 2, 29));
    }

    #[test]
    fn academic_year_round_trips() {
        let y = AcademicYear::parse(b"2024-2025").unwrap();
        assert_eq!(y.to_string(), "2024-2025");
        assert_eq!(AcademicYear::containing(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()), y);
        assert_eq!(AcademicYear::containing(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()), AcademicYear(2025));
        assert_eq!(AcademicYear::parse(b"2024/2025"), None);
    }

    #[test]
    fn census_day_is_a_wednesday_in_the_first_week_of_october() {
        for y in 2015..2035 {
            let d = AcademicYear(y).census_day();
            assert_eq!(d.weekday(), Weekday::Wed);
            assert_eq!(d.month(), 10);
            assert!(d.day() <= 7);
        }
    }
}
