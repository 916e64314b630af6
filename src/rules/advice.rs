//! Advice for the value at hand: what is wrong with *this* date, code or number, and the
//! corrected value when it can be known without guessing. Field findings use these for their
//! help lines, so a clerk reads "write it as 20250813 (read as 2025-08-13, year-month-day)"
//! instead of a rule's general wording.

use chrono::{Datelike, NaiveDate};

/// A date written another way, read unambiguously: the date and how it was read.
///
/// ```
/// use rollcall::rules::advice::read_other_date;
/// let (d, how) = read_other_date(b"8/13/2025").unwrap();
/// assert_eq!((d.to_string().as_str(), how), ("2025-08-13", "month/day/year"));
/// assert!(read_other_date(b"04/05/25").is_none(), "a two-digit year is never guessed");
/// ```
pub fn read_other_date(raw: &[u8]) -> Option<(NaiveDate, &'static str)> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    let ymd = |y: &str, m: &str, d: &str| -> Option<NaiveDate> {
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).filter(|d| d.year() >= 1900)
    };
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    if parts.len() == 3 {
        if parts[0].len() == 4 {
            return ymd(parts[0], parts[1], parts[2]).map(|d| (d, "year-month-day"));
        }
        if parts[2].len() == 4 && text.contains('/') {
            return ymd(parts[2], parts[0], parts[1]).map(|d| (d, "month/day/year"));
        }
        return None;
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        // Not a CCYYMMDD date (else it would not be here): month, day, year?
        return ymd(&text[4..], &text[..2], &text[2..4]).map(|d| (d, "MMDDCCYY (month, day, year)"));
    }
    // A spreadsheet's date serial number (days since 1899-12-30), 1982 to 2064.
    if (5..=5).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = text.parse().ok()?;
        if (30_000..=60_000).contains(&n) {
            let d = NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(n))?;
            return Some((d, "a spreadsheet date number"));
        }
    }
    None
}

/// The help of a date field whose value is not CCYYMMDD.
pub fn date_help(field: &str, raw: &[u8]) -> String {
    match read_other_date(raw) {
        Some((d, how)) => {
            format!("write {field} as {} (the value reads as {}, {how}); CALPADS dates are CCYYMMDD with no separators", d.format("%Y%m%d"), d)
        }
        None => {
            let text = String::from_utf8_lossy(raw);
            let trimmed = text.trim();
            if trimmed.len() != text.len() && crate::domain::date::parse_ccyymmdd(trimmed.as_bytes()).is_some() {
                return format!("remove {} around `{trimmed}`", spaces(&text));
            }
            format!("write {field} as eight digits, year-month-day, for a day that exists (like 20250814)")
        }
    }
}

/// `a leading space`, `2 trailing spaces`, …
fn spaces(text: &str) -> String {
    let lead = text.len() - text.trim_start().len();
    let trail = text.len() - text.trim_end().len();
    let part = |n: usize, kind: &str| match n {
        0 => None,
        1 => Some(format!("a {kind} space")),
        n => Some(format!("{n} {kind} spaces")),
    };
    [part(lead, "leading"), part(trail, "trailing")].into_iter().flatten().collect::<Vec<_>>().join(" and ")
}

/// The name of a character as a clerk would say it.
pub fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        ',' => "a comma".to_owned(),
        '.' => "a period".to_owned(),
        '-' => "a hyphen".to_owned(),
        '\t' => "a tab".to_owned(),
        c if c.is_alphabetic() => format!("the letter {c}"),
        c if c.is_control() || c.is_whitespace() => format!("the invisible character U+{:04X}", u32::from(c)),
        c => format!("`{c}`"),
    }
}

/// What is wrong with a value that should be `len` digits (SSID, LEA, school code).
///
/// ```
/// use rollcall::rules::advice::digits_help;
/// assert!(digits_help("ssid", b"1.23457E+09", 10).contains("scientific notation"));
/// assert!(digits_help("ssid", b"1611O97212", 10).contains("the letter O at position 5"));
/// assert!(digits_help("reporting_lea", b"601971", 7).contains("0601971"));
/// ```
pub fn digits_help(field: &str, raw: &[u8], len: usize) -> String {
    let text = String::from_utf8_lossy(raw);
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        let fixed = if trimmed.len() == len && trimmed.bytes().all(|b| b.is_ascii_digit()) { format!(": {trimmed}") } else { String::new() };
        return format!("remove {} in {field}{fixed}", spaces(&text));
    }
    if looks_scientific(trimmed) {
        return format!("{field} was turned into a number in scientific notation by a spreadsheet, and its digits are lost: export the column as text and copy the value from the source");
    }
    if let Some((i, c)) = trimmed.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        let hint = match c {
            'O' | 'o' => " (a zero, 0?)",
            'I' | 'l' | 'i' => " (a one, 1?)",
            'S' | 's' => " (a five, 5?)",
            'B' => " (an eight, 8?)",
            _ => "",
        };
        return format!("{field} holds {} at position {}{hint}: it is {len} digits and nothing else", describe(c), i + 1);
    }
    let n = trimmed.len();
    if n < len {
        let padded = format!("{trimmed:0>len$}");
        return format!(
            "{field} has {n} digits, not {len}: a spreadsheet drops leading zeros (then it is {padded}); otherwise a digit is missing, check it against the source"
        );
    }
    format!("{field} has {n} digits, not {len}: a digit too many; check it against the source")
}

/// What is wrong with a value that should be a number (NU).
///
/// ```
/// use rollcall::rules::advice::number_help;
/// assert!(number_help("days_attended_in_person", b"176,5", true).contains("a decimal comma: write 176.5"));
/// assert!(number_help("days_attended_in_person", b" 172", false).contains("a leading space"));
/// ```
pub fn number_help(field: &str, raw: &[u8], decimals: bool) -> String {
    let text = String::from_utf8_lossy(raw);
    let trimmed = text.trim();
    let kind = if decimals { "a number with at most two decimals after a period" } else { "a whole number" };
    if trimmed.len() != text.len() && !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return format!("remove {} in {field}: {trimmed}", spaces(&text));
    }
    if looks_scientific(trimmed) {
        return format!("{field} is in scientific notation from a spreadsheet: write it as {kind}, digits only");
    }
    if decimals && trimmed.matches(',').count() == 1 && trimmed.replace(',', "").bytes().all(|b| b.is_ascii_digit()) {
        return format!("{field} has a decimal comma: write {} (a period before the decimals)", trimmed.replace(',', "."));
    }
    if let Some((i, c)) = trimmed.chars().enumerate().find(|(_, c)| !(c.is_ascii_digit() || decimals && *c == '.')) {
        return format!("{field} holds {} at position {}: write it as {kind}, digits only", describe(c), i + 1);
    }
    format!("write {field} as {kind}, digits only")
}

fn looks_scientific(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    match upper.split_once('E') {
        Some((mantissa, exp)) => {
            !mantissa.is_empty()
                && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
                && exp.trim_start_matches(['+', '-']).bytes().all(|b| b.is_ascii_digit())
                && !exp.is_empty()
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_other_forms_are_read_when_unambiguous() {
        assert!(date_help("enrollment_start_date", b"2025-08-13")
            .starts_with("write enrollment_start_date as 20250813 (the value reads as 2025-08-13, year-month-day)"));
        assert!(date_help("enrollment_start_date", b"8/13/2025").contains("20250813"));
        assert!(
            date_help("student_birth_date", b"04122015").contains("20150412") && date_help("student_birth_date", b"04122015").contains("MMDDCCYY")
        );
        assert!(date_help("enrollment_start_date", b"45882").contains("20250813"), "{}", date_help("x", b"45882"));
        assert!(date_help("enrollment_start_date", b"20250230").contains("for a day that exists"));
        assert!(date_help("enrollment_start_date", b" 20250813").contains("a leading space"));
        assert!(read_other_date(b"13/08/2025").is_none(), "day/month/year is not guessed");
    }

    #[test]
    fn digit_codes_say_what_is_wrong_with_this_value() {
        assert!(digits_help("ssid", b"1.23457E+09", 10).contains("scientific notation"));
        let o = digits_help("ssid", b"1611O97212", 10);
        assert!(o.contains("the letter O at position 5 (a zero, 0?)"), "{o}");
        assert!(digits_help("ssid", b"161197212", 10).contains("a digit is missing"));
        assert!(digits_help("reporting_lea", b"601971", 7).contains("then it is 0601971"));
        assert!(digits_help("school_of_attendance", b"6019715 ", 7).contains("a trailing space in school_of_attendance: 6019715"));
        assert!(digits_help("school_of_attendance", b"60197155", 7).contains("a digit too many"));
    }

    #[test]
    fn numbers_name_the_comma_the_space_and_the_letter() {
        assert!(number_help("days_absent_in_person_excused_non_suspension", b"8O", false).contains("the letter O at position 2"));
        assert!(number_help("days_attended_in_person", b"176,5", true).contains("write 176.5"));
        assert!(number_help("days_attended_in_person", b" 172", false).contains("a leading space in days_attended_in_person: 172"));
    }
}
