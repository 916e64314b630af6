//! Field rules: every field of every record type, driven by the layout data (required,
//! maximum length, type and format, code set with effective years). At most one finding per
//! field: required, then length, then format or code. This is the hot path, so it works on
//! bytes and allocates only when it reports.

use super::{is_blank, CompiledField, Parsed, RecordCtx, Rule};
use crate::diagnostic::{Category, Finding, Severity};
use crate::domain::date::{parse_ccyymmdd, AcademicYear};
use crate::schema::{names, ValueFormat};

crate::rules! {
    REQUIRED {
        id: "FIELD-REQUIRED",
        severity: Severity::Fatal,
        category: Category::Required,
        state_rule: Some("GERR0001"),
        summary: "A required field is blank",
        message: "{field} is required but blank",
        help: "fill in {field} (field {number}); the state rejects the record without it",
        explanation: "Fields marked required (Y) in the CALPADS File Specification must hold a value in every record. A value of only spaces counts as blank. Conditionally required fields (C) are checked by the record rules that know the condition.",
        bad: "SENR^^LR-1^1964733^6019715^^2025-2026^1234567890^100234^^J^GARCIA^...",
        good: "SENR^^LR-1^1964733^6019715^^2025-2026^1234567890^100234^MARIA^J^GARCIA^...",
    }

    LENGTH {
        id: "FIELD-LENGTH",
        severity: Severity::Fatal,
        category: Category::Length,
        state_rule: Some("FRMT0001"),
        summary: "A value is longer than its field's maximum",
        message: "{field} is {len} characters long; the maximum is {max}",
        help: "shorten {field} to at most {max} characters; rollcall never truncates it for you",
        explanation: "CALPADS lengths are maximums: values are not padded, but a longer value is rejected (FRMT0001). Length is counted in characters. Names that do not fit are usually shortened by the district according to its own naming policy. A typed value (a date, a code of digits, a number) is checked for its form first: `2025-08-13` in a date field is a date in the wrong form (FIELD-DATE), not a value too long.",
        bad: "...^100234^MARIA GUADALUPE DEL ROSARIO ANA^J^GARCIA^...",
        good: "...^100234^MARIA GUADALUPE^J^GARCIA^...",
    }

    DATE {
        id: "FIELD-DATE",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("FRMT0002"),
        summary: "A date is not a real CCYYMMDD date",
        message: "{field} `{value}` is not a CCYYMMDD date",
        help: "write {field} as eight digits, year-month-day, for a day that exists (like 20250814)",
        explanation: "CALPADS dates are eight digits, CCYYMMDD, with no separators. 2025-08-14, 8/14/2025, 250814 and impossible days like 20250230 are rejected (FRMT0002).",
        bad: "...^20250230^10^04^...",
        good: "...^20250228^10^04^...",
    }

    NUMBER {
        id: "FIELD-NUMBER",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("FRMT0004"),
        summary: "A number field holds something other than a non-negative number",
        message: "{field} `{value}` is not {kind}",
        help: "write {field} as {kind}, digits only{decimals}",
        explanation: "Number (NU) fields hold non-negative numbers written with digits. Day counts of the absence summary may carry up to two decimals (###.##) for hourly-attendance schools; other number fields are whole numbers. Signs, spaces and thousands separators are rejected (FRMT0004).",
        bad: "...^N^N^180^16S^1^0^9^5^0^0^N^",
        good: "...^N^N^180^165^1^0^9^5^0^0^N^",
    }

    DIGITS {
        id: "FIELD-DIGITS",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "An SSID, LEA or school code is not exactly its number of digits",
        message: "{field} `{value}` is not exactly {max} digits",
        help: "{field} is {max} digits with leading zeros kept (spreadsheets often drop them)",
        explanation: "The SSID is exactly 10 digits; the reporting LEA and school codes are exactly 7 digits (the district and school parts of the CDS code). A spreadsheet that turned the code into a number usually dropped its leading zeros.",
        bad: "SENR^^LR-1^1964733^601971^^2025-2026^...",
        good: "SENR^^LR-1^1964733^0601971^^2025-2026^...",
    }

    ACADEMIC_YEAR {
        id: "FIELD-ACADEMIC-YEAR",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("SENR0006"),
        summary: "An academic year is not YYYY-YYYY with consecutive years",
        message: "{field} `{value}` is not an academic year like 2025-2026",
        help: "write the academic year as YYYY-YYYY where the second year is the first plus one",
        explanation: "The Academic Year ID names the school year July 1 – June 30 as two consecutive calendar years joined by a hyphen, like 2025-2026.",
        bad: "SENR^^LR-1^1964733^6019715^^2025-26^...",
        good: "SENR^^LR-1^1964733^6019715^^2025-2026^...",
    }

    ACADEMIC_YEAR_FUTURE {
        id: "FIELD-ACADEMIC-YEAR-FUTURE",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: Some("SENR0006"),
        summary: "An academic year is more than one year in the future",
        message: "academic year {value} is more than one year after the current year {current}",
        help: "use the academic year the record belongs to ({current} or {next})",
        explanation: "CALPADS accepts the current academic year and the next one (for early enrollments), never later ones (SENR0006). The current year is taken from today's date, or from `--as-of`.",
        bad: "SENR^^LR-1^1964733^6019715^^2028-2029^...",
        good: "SENR^^LR-1^1964733^6019715^^2025-2026^...",
    }

    NAME_CHARS {
        id: "FIELD-NAME-CHARS",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("IVR0009"),
        summary: "A name holds a character other than letters, digits, space, period, hyphen, apostrophe",
        message: "{field} contains {char} at position {position}",
        help: "remove or replace {char} in {field}; hidden characters often come from copying names out of documents or web pages",
        explanation: "Name fields (legal, alias, preferred and guardian names) may hold only letters, digits, space, period, hyphen and apostrophe. Every other character is rejected, including invisible ones: tab, no-break space (U+00A0), zero-width space (U+200B) and control characters. The finding names the code point so a hidden character can be found (IVR0009, Invalid Characters in Field; accented letters are letters).",
        bad: "...^100234^MARIA\u{a0}JOSE^^GARCIA^...",
        good: "...^100234^MARIA JOSE^^GARCIA^...",
    }

    ZIP {
        id: "FIELD-ZIP",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "A ZIP code is not 5 digits, 9 digits or 12345-6789",
        message: "{field} `{value}` is not a ZIP code",
        help: "write the ZIP code as 5 digits, or ZIP+4 as 123456789 or 12345-6789",
        explanation: "Address ZIP codes are five digits, optionally followed by the four-digit extension, with or without a hyphen.",
        bad: "...^LOS ANGELES^CA^9001^...",
        good: "...^LOS ANGELES^CA^90012^...",
    }

    CODE {
        id: "FIELD-CODE",
        severity: Severity::Fatal,
        category: Category::Code,
        state_rule: Some("GERR0002"),
        summary: "A coded field holds a value that is not in its code set",
        message: "{field} `{value}` is not in the {codeset} code set",
        help: "use one of the {codeset} codes: {codes}",
        explanation: "Coded fields take their values from the CALPADS code sets kept in schemas/calpads/codesets.toml. Codes are exact: lower case, leading or trailing spaces and unpadded grades (4 for 04) are rejected (GERR0002). Local codes of the student information system must be translated to state codes.",
        bad: "...^20250814^10^4^...",
        good: "...^20250814^10^04^...",
    }

    CODE_YEAR {
        id: "FIELD-CODE-YEAR",
        severity: Severity::Fatal,
        category: Category::Code,
        state_rule: Some("GERR0007"),
        summary: "A code is used outside its effective academic years",
        message: "{field} `{value}` ({name}) is valid {range}, not in {year}",
        help: "use a code that is in effect in {year}; retired codes usually have a successor in the same code set",
        explanation: "Codes have first and last effective academic years. Grade TK exists from 2023-2024; the ungraded grades UE and US and the exit codes T270, T310 and T460 were retired after 2017-2018. A code outside its years is rejected (GERR0007).",
        bad: "SENR^...^2025-2026^...^20250814^10^UE^...",
        good: "SENR^...^2025-2026^...^20250814^10^05^...",
    }

    TRANSACTION_TYPE {
        id: "FIELD-TRANSACTION-TYPE",
        severity: Severity::Fatal,
        category: Category::Code,
        state_rule: Some("GERR0008"),
        summary: "The transaction type code is not blank or one of the allowed codes",
        message: "transaction_type_code `{value}` is not valid for {record_type}",
        help: "leave transaction_type_code blank to add or update; use {codes} only as the file specification allows",
        explanation: "The transaction type says what to do with the record: blank (or A) adds or updates, D deletes, R replaces. SINF accepts only blank or D. Any other value is rejected (GERR0008).",
        bad: "SENR^X^LR-1^1964733^...",
        good: "SENR^^LR-1^1964733^...",
    }

    NOT_YET {
        id: "FIELD-NOT-YET",
        severity: Severity::Fatal,
        category: Category::Code,
        state_rule: None,
        summary: "A field that the state added in a later academic year holds a value in an earlier year's record",
        message: "{field} holds `{value}`, but it is reported only from {first} on; this record is for {year}",
        help: "leave {field} blank in {year} records (it came into use in {first}), or correct the academic year",
        explanation: "When the state adds a field at the end of a layout, the position is in every year's file but may hold a value only from the year the field came into use (for example STAS attendance recovery days from 2025-2026). A value in an earlier year's record is reported: the field did not exist for that year. Which fields and years is data in schemas/ (`blank_before`).",
        bad: "STAS^...^2024-2025^...^N^3",
        good: "STAS^...^2024-2025^...^N^",
    }
}

/// The last date read in each field and what it parsed to: daily records come date by date,
/// and enrollments of one file share their start and exit dates, so the same date text repeats
/// for thousands of records in a row.
#[derive(Debug, Default)]
pub struct DateCache {
    /// Per field position: the last text (up to 10 bytes) and its date.
    last: Vec<([u8; 10], u8, Option<chrono::NaiveDate>)>,
}

impl DateCache {
    fn get(&mut self, i: usize, raw: &[u8], parse: impl FnOnce(&[u8]) -> Option<chrono::NaiveDate>) -> Option<chrono::NaiveDate> {
        if raw.len() > 10 {
            return parse(raw);
        }
        if self.last.len() <= i {
            self.last.resize(i + 1, ([0; 10], u8::MAX, None));
        }
        let (text, len, value) = &mut self.last[i];
        if usize::from(*len) != raw.len() || &text[..raw.len()] != raw {
            text[..raw.len()].copy_from_slice(raw);
            *len = raw.len() as u8;
            *value = parse(raw);
        }
        *value
    }
}

/// Checks every field of `ctx`'s record, storing parsed values into `values`.
pub fn check(ctx: &RecordCtx<'_, '_>, values: &mut Vec<Parsed>, out: &mut Vec<Finding>, dates: &mut DateCache) {
    values.clear();
    values.reserve(ctx.compiled.fields.len());
    // The record's field count is the layout's (checked before), so the two zip exactly.
    for (i, (field, raw)) in ctx.compiled.fields.iter().zip(ctx.record.iter()).enumerate() {
        let value = match check_one(ctx, i, field, raw, dates) {
            Ok(v) => v,
            // A value that fails is missing for the record rules either way; the finding is
            // reported only when its rule runs (`--ignore`).
            Err(finding) => {
                if ctx.on(finding.rule) {
                    out.push(*finding);
                }
                Parsed::Missing
            }
        };
        values.push(value);
    }
}

type Outcome = Result<Parsed, Box<Finding>>;

/// One field: the tests run in the order the findings rank (blank, not yet, length of text,
/// form, code, length of a typed value) on the field's plan alone; a finding is built, out of
/// line, only when one fails.
#[inline]
fn check_one(ctx: &RecordCtx<'_, '_>, i: usize, field: &CompiledField<'_>, raw: &[u8], dates: &mut DateCache) -> Outcome {
    let plan = field.plan;
    if is_blank(raw) {
        return if plan.required { Err(required(ctx, i)) } else { Ok(Parsed::Missing) };
    }
    if plan.not_yet {
        return Err(not_yet(ctx, i));
    }
    // A download type (`SENR-R`) is longer than the upload type the record type's maximum is
    // written for. A typed value (a date, a code of digits, a number) is checked for its form
    // first: `2025-08-13` is a date in the wrong form, not a date two characters too long.
    let long = raw.len() > plan.max as usize;
    if long && plan.text_length {
        let len = String::from_utf8_lossy(raw).chars().count();
        if len > plan.max as usize {
            return Err(length(ctx, i, len));
        }
    }
    let value = match plan.format {
        ValueFormat::Text | ValueFormat::RecordType => Some(Parsed::Text),
        // Read here once for the attendance rules and the ledger; unknown stays text.
        ValueFormat::AttendanceCode => Some(ctx.schema.attendance_codes.category(raw).map_or(Parsed::Text, Parsed::Category)),
        ValueFormat::Date => dates.get(i, raw, parse_ccyymmdd).map(Parsed::Date),
        ValueFormat::Day => dates.get(i, raw, |raw| std::str::from_utf8(raw).ok().and_then(crate::domain::date::parse_day)).map(Parsed::Date),
        ValueFormat::Integer => parse_number(raw, false).map(Parsed::Number),
        ValueFormat::Decimal => parse_number(raw, true).map(Parsed::Number),
        // (At most 18 digits fit; an SSID, LEA or school code is read once, here.)
        ValueFormat::Digits if raw.len() != plan.max as usize => None,
        ValueFormat::Digits if raw.len() > 18 => raw.iter().all(u8::is_ascii_digit).then_some(Parsed::Text),
        ValueFormat::Digits => crate::domain::codes::digits(raw).map(Parsed::Digits),
        ValueFormat::Zip => is_zip(raw).then_some(Parsed::Text),
        ValueFormat::Name => check_name(raw).is_none().then_some(Parsed::Text),
        ValueFormat::AcademicYear => AcademicYear::parse(raw).filter(|y| y.0 <= AcademicYear::containing(ctx.as_of).0 + 1).map(|_| Parsed::Text),
    };
    let Some(value) = value else { return Err(format_error(ctx, i, plan.format, raw)) };
    // A code is looked up before its length is counted: ` 05` is grade 05 with a space.
    if let Some(set) = field.codeset {
        if !set.lookup(raw).is_some_and(|code| code.is_effective(ctx.compiled.year)) {
            return Err(code_error(ctx, i, set, raw));
        }
    }
    // A typed value of the right form that is still too long (a number with too many digits).
    if long && plan.typed {
        return Err(length(ctx, i, raw.len()));
    }
    Ok(value)
}

#[cold]
#[inline(never)]
fn required(ctx: &RecordCtx<'_, '_>, i: usize) -> Box<Finding> {
    let spec = ctx.compiled.fields[i].spec;
    Box::new(ctx.finding(&REQUIRED, Some(i), &[("field", &spec.name), ("number", &spec.number)]))
}

#[cold]
#[inline(never)]
fn not_yet(ctx: &RecordCtx<'_, '_>, i: usize) -> Box<Finding> {
    let spec = ctx.compiled.fields[i].spec;
    let first = spec.blank_before.map(|y| y.to_string()).unwrap_or_default();
    Box::new(ctx.finding(&NOT_YET, Some(i), &[("field", &spec.name), ("first", &first), ("year", &ctx.compiled.year.to_string())]))
}

#[cold]
#[inline(never)]
fn length(ctx: &RecordCtx<'_, '_>, i: usize, len: usize) -> Box<Finding> {
    let spec = ctx.compiled.fields[i].spec;
    Box::new(ctx.finding(&LENGTH, Some(i), &[("field", &spec.name), ("len", &len.to_string()), ("max", &spec.max.to_string())]))
}

/// The finding of a value that is not of its field's form, with the help for the value.
#[cold]
#[inline(never)]
fn format_error(ctx: &RecordCtx<'_, '_>, i: usize, format: ValueFormat, raw: &[u8]) -> Box<Finding> {
    let spec = ctx.compiled.fields[i].spec;
    let field = spec.name.as_str();
    let max = spec.max.to_string();
    let (rule, extra): (&'static Rule, Vec<(&str, String)>) = match format {
        ValueFormat::Date | ValueFormat::Day => (&DATE, Vec::new()),
        ValueFormat::Integer => (&NUMBER, vec![("kind", "a whole number".to_owned()), ("decimals", String::new())]),
        ValueFormat::Decimal => (
            &NUMBER,
            vec![("kind", "a number with at most two decimals".to_owned()), ("decimals", " and at most two decimals after a period".to_owned())],
        ),
        ValueFormat::Digits => (&DIGITS, vec![("max", max)]),
        ValueFormat::Zip => (&ZIP, Vec::new()),
        ValueFormat::Name => {
            let (ch, pos) = check_name(raw).unwrap_or((char::REPLACEMENT_CHARACTER, 0));
            (&NAME_CHARS, vec![("char", describe_char(ch)), ("position", pos.to_string())])
        }
        ValueFormat::AcademicYear if AcademicYear::parse(raw).is_some() => {
            let current = AcademicYear::containing(ctx.as_of);
            (&ACADEMIC_YEAR_FUTURE, vec![("current", current.to_string()), ("next", AcademicYear(current.0 + 1).to_string())])
        }
        ValueFormat::AcademicYear => (&ACADEMIC_YEAR, Vec::new()),
        // Text and record types have no form to fail.
        ValueFormat::Text | ValueFormat::RecordType | ValueFormat::AttendanceCode => (&LENGTH, Vec::new()),
    };
    let mut args = vec![("field", field)];
    args.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    let mut f = ctx.finding(rule, Some(i), &args);
    // The help for this value, where one can be given.
    match format {
        ValueFormat::Date | ValueFormat::Day => f.help = super::advice::date_help(field, raw),
        ValueFormat::Digits => f.help = super::advice::digits_help(field, raw, spec.max as usize),
        ValueFormat::Integer | ValueFormat::Decimal => f.help = super::advice::number_help(field, raw, format == ValueFormat::Decimal),
        _ => {}
    }
    Box::new(f)
}

/// The finding of a code that is not in its set, or not in effect in the record's year.
#[cold]
#[inline(never)]
fn code_error(ctx: &RecordCtx<'_, '_>, i: usize, set: &crate::schema::CodeSet, raw: &[u8]) -> Box<Finding> {
    let spec = ctx.compiled.fields[i].spec;
    let codes = || {
        let effective: Vec<&str> = set.codes.iter().filter(|c| c.is_effective(ctx.compiled.year)).map(|c| c.code.as_str()).collect();
        // A long set (countries) is not listed in full in every finding.
        match effective.len() {
            0..=40 => effective.join(", "),
            n => format!("{}, … ({n} codes in the {} code set)", effective[..12].join(", "), set.name),
        }
    };
    Box::new(match set.lookup(raw) {
        None if spec.name == names::TRANSACTION_TYPE_CODE => {
            ctx.finding(&TRANSACTION_TYPE, Some(i), &[("record_type", &ctx.compiled.record_type), ("codes", &codes())])
        }
        None => {
            let mut f = ctx.finding(&CODE, Some(i), &[("field", &spec.name), ("codeset", &set.name), ("codes", &codes())]);
            // The code the value most likely means: spaces, case, a dropped leading zero.
            let text = String::from_utf8_lossy(raw);
            let trimmed = text.trim();
            let candidates =
                [trimmed.to_owned(), trimmed.to_ascii_uppercase(), format!("{trimmed:0>2}"), format!("{:0>2}", trimmed.to_ascii_uppercase())];
            if let Some(code) = candidates.iter().filter(|c| c.as_str() != text).find_map(|c| set.lookup(c.as_bytes())) {
                f.help = format!(
                    "write `{}` ({}): {} codes are exact, with their leading zeros and capitals and no spaces",
                    code.code, code.name, set.name
                );
            } else if set.codes.len() <= 16 {
                let named: Vec<String> =
                    set.codes.iter().filter(|c| c.is_effective(ctx.compiled.year)).map(|c| format!("{} {}", c.code, c.name)).collect();
                f.help = format!("use one of the {} codes: {}", set.name, named.join("; "));
            }
            f
        }
        Some(code) => ctx.finding(
            &CODE_YEAR,
            Some(i),
            &[("field", &spec.name), ("name", &code.name), ("range", &code.effective_range()), ("year", &ctx.compiled.year.to_string())],
        ),
    })
}

/// Parses a non-negative number into hundredths; decimals only when `decimals` is set.
///
/// ```
/// use rollcall::rules::field::parse_number;
/// assert_eq!(parse_number(b"12.5", true), Some(1250));
/// assert_eq!(parse_number(b"12.5", false), None);
/// assert_eq!(parse_number(b"-1", true), None);
/// ```
pub fn parse_number(raw: &[u8], decimals: bool) -> Option<i64> {
    let (whole, frac) = match raw.iter().position(|b| *b == b'.') {
        Some(p) if decimals => (&raw[..p], &raw[p + 1..]),
        Some(_) => return None,
        None => (raw, &b""[..]),
    };
    if whole.is_empty() || whole.len() > 15 || frac.len() > 2 || (raw.contains(&b'.') && frac.is_empty()) {
        return None;
    }
    let digits = |s: &[u8]| s.iter().try_fold(0i64, |a, d| d.is_ascii_digit().then(|| a * 10 + i64::from(d - b'0')));
    let w = digits(whole)?;
    let f = digits(frac)? * if frac.len() == 1 { 10 } else { 1 };
    Some(w * 100 + f)
}

fn is_zip(raw: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    match raw.len() {
        5 | 9 => digits(raw),
        10 => raw[5] == b'-' && digits(&raw[..5]) && digits(&raw[6..]),
        _ => false,
    }
}

/// The first character a name may not hold, with its 1-based position.
fn check_name(raw: &[u8]) -> Option<(char, usize)> {
    let allowed_ascii = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'.' | b'-' | b'\'');
    if raw.iter().all(|b| allowed_ascii(*b)) {
        return None;
    }
    // Invalid UTF-8 is reported by STRUCT-ENCODING; judge the characters that decode.
    let text = String::from_utf8_lossy(raw);
    text.chars()
        .enumerate()
        .find(|(_, c)| *c != char::REPLACEMENT_CHARACTER && !(c.is_alphabetic() || (c.is_ascii() && allowed_ascii(*c as u8))))
        .map(|(i, c)| (c, i + 1))
}

/// `U+00A0 (no-break space)`, or `` `#` (U+0023) `` for a visible character.
pub(crate) fn describe_char(c: char) -> String {
    let hidden = match c {
        '\t' => Some("tab"),
        '\u{a0}' => Some("no-break space"),
        '\u{200b}' => Some("zero-width space"),
        '\u{200c}' => Some("zero-width non-joiner"),
        '\u{200d}' => Some("zero-width joiner"),
        '\u{feff}' => Some("byte-order mark"),
        '\u{ad}' => Some("soft hyphen"),
        '\0' => Some("NUL"),
        c if c.is_control() => Some("control character"),
        c if c.is_whitespace() => Some("unusual space"),
        _ => None,
    };
    match hidden {
        Some(name) => format!("U+{:04X} ({name})", c as u32),
        None => format!("`{c}` (U+{:04X})", c as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_allow_letters_and_four_marks() {
        assert_eq!(check_name(b"O'BRIEN-SMITH JR."), None);
        assert_eq!(check_name("JOSÉ".as_bytes()), None);
        assert_eq!(check_name("ANA\u{a0}MARIA".as_bytes()), Some(('\u{a0}', 4)));
        assert_eq!(check_name(b"ANNA#2"), Some(('#', 5)));
        assert_eq!(describe_char('\u{200b}'), "U+200B (zero-width space)");
    }

    #[test]
    fn numbers_and_zips() {
        assert_eq!(parse_number(b"180", false), Some(18000));
        assert_eq!(parse_number(b"7.25", true), Some(725));
        assert_eq!(parse_number(b"7.", true), None);
        assert_eq!(parse_number(b".5", true), None);
        assert_eq!(parse_number(b"1 0", false), None);
        assert!(is_zip(b"90012") && is_zip(b"900121234") && is_zip(b"90012-1234"));
        assert!(!is_zip(b"9001") && !is_zip(b"90012 1234"));
    }
}
