//! Calendar rules: the district's attendance calendar file (CSV with headers
//! `school_of_attendance,date,day_type`, optional `school_month`), read into a
//! [`Calendar`] with a finding for every row that cannot be taken, and checked as a whole:
//! a school day on a weekend, a date twice, an unknown day type, dates outside one academic
//! year, fewer than 180 school days, Census Day not a school day, a school of the enrollment
//! with no calendar. A bad row is reported and left out; the rest of the calendar is used.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use csv::ByteRecord;

use super::Rule;
use crate::diagnostic::{Category, Excerpt, Finding, Severity};
use crate::domain::calendar::{Calendar, DayType};
use crate::domain::codes::{digits, school_code};
use crate::domain::date::{day_number, from_day_number, parse_day, AcademicYear};
use crate::error::Error;
use crate::source::headered::{find_column, normal, CALENDAR_COLUMNS};
use crate::source::{field_span, line_text};

/// The minimum school year: 180 days of instruction.
pub const MIN_SCHOOL_DAYS: u32 = 180;

crate::rules! {
    BAD_DATE {
        id: "CAL-DATE",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "A calendar row's date is not a date",
        message: "`{value}` is not a date like 2025-08-13",
        help: "write the date as YYYY-MM-DD (or CCYYMMDD); the row is left out of the calendar until then",
        explanation: "Every calendar row names one date, written YYYY-MM-DD or CCYYMMDD. A row whose date cannot be read is left out, so the day it meant is unknown to the calendar: attendance on it is reported as on a non-school day, and expected attendance days come out short.",
        bad: "school_of_attendance,date,day_type\n,8/13/2025,school",
        good: "school_of_attendance,date,day_type\n,2025-08-13,school",
    }

    DAY_TYPE {
        id: "CAL-DAY-TYPE",
        severity: Severity::Fatal,
        category: Category::Code,
        state_rule: None,
        summary: "A calendar row's day type is not school, holiday or non_school",
        message: "day type `{value}` is not school, holiday or non_school",
        help: "use `school` for a day of instruction, `holiday` for a legal holiday (it counts toward the school month), `non_school` for breaks, weekends and staff days",
        explanation: "The day type decides what a date is worth: a `school` day is a day taught (it counts in ADA's denominator and in expected attendance days), a `holiday` counts toward the 20 days of a school month but is not taught (EC 37201), a `non_school` day (a break, a staff development day) is neither. A row with another word is left out.",
        bad: ",2025-09-01,Labor Day",
        good: ",2025-09-01,holiday",
    }

    BAD_SCHOOL {
        id: "CAL-SCHOOL",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "A calendar row's school is not a 7-digit school code",
        message: "school `{value}` is not a 7-digit school code",
        help: "write the school's 7-digit CDS school code, or leave the school empty for a row that applies to every school",
        explanation: "A row with an empty school applies to every school; a row with a school code applies to that school and wins over the district-wide row for its date. A school that is not a 7-digit code matches no enrollment, so the row is left out.",
        bad: "601971,2025-08-13,school",
        good: "6019715,2025-08-13,school",
    }

    BAD_MONTH {
        id: "CAL-MONTH",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "A calendar row's school month is not a month number",
        message: "school month `{value}` is not a number from 1 to 12",
        help: "number the school months 1, 2, 3 … as the district's published calendar does, or leave the column empty for rollcall to count them",
        explanation: "The optional school_month column carries the district's own month numbers, which rollcall takes as they are (the published attendance calendar is the authority). A value that is not a whole number from 1 to 12 is reported and the row is left out.",
        bad: ",2025-08-13,school,first",
        good: ",2025-08-13,school,1",
    }

    DUPLICATE_DATE {
        id: "CAL-DUPLICATE-DATE",
        severity: Severity::Fatal,
        category: Category::Duplicate,
        state_rule: None,
        summary: "The same date appears twice for the same school",
        message: "{date} appears twice for {school} (first on line {first})",
        help: "keep one row per date and school; a school's own row for a date overrides the district-wide (empty school) row, so no second row is needed",
        explanation: "Each date has one day type per school. A second row for the same date and school (or two district-wide rows for one date) is ambiguous; rollcall keeps the first and reports the second.",
        bad: ",2025-08-13,school\n,2025-08-13,non_school",
        good: ",2025-08-13,school\n6019715,2025-08-13,non_school",
    }

    WEEKEND {
        id: "CAL-WEEKEND",
        severity: Severity::Warning,
        category: Category::Calendar,
        state_rule: None,
        summary: "A school day falls on a Saturday or Sunday",
        message: "{date} is a {weekday} but is marked as a school day",
        help: "check the date; Saturday school (attendance recovery, EC 46211) is reported apart from regular attendance, and days taught for ADA count weekdays only",
        explanation: "ADA divides days of attendance by the days school was actually taught, Saturdays and Sundays excluded (attendance.md). A weekend school day is usually a typing error; rollcall keeps it as a school day (attendance on it is not an error) but leaves it out of school months and days taught.",
        bad: ",2025-08-16,school",
        good: ",2025-08-16,non_school",
    }

    OUTSIDE_YEAR {
        id: "CAL-OUTSIDE-YEAR",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: None,
        summary: "A calendar date is outside the calendar's academic year",
        message: "{date} is outside academic year {year} (July 1 to June 30) that the calendar's first school day is in",
        help: "the annual calendar covers one academic year; check the year of this date, or keep another year's calendar in a file of its own",
        explanation: "An annual attendance calendar covers one academic year, July 1 to June 30. Its year is the year of its first school day; a date outside it is usually a mistyped year and is left out.",
        bad: ",2025-08-13,school\n,2062-09-01,holiday",
        good: ",2025-08-13,school\n,2025-09-01,holiday",
    }

    TOO_FEW_DAYS {
        id: "CAL-TOO-FEW-DAYS",
        severity: Severity::Warning,
        category: Category::Calendar,
        state_rule: None,
        summary: "A school's calendar has fewer than 180 school days",
        message: "the calendar of {school} has {days} school days, fewer than the 180 of the minimum school year",
        help: "check for school days marked as holidays or left out; a school year shorter than 180 days of instruction costs apportionment (EC 46208, 41420)",
        explanation: "California requires at least 180 days of instruction a year (EC 41420, 46208). rollcall counts the days taught (school days on weekdays, as school months count them) of the district-wide calendar and of each school with rows of its own (its rows over the district's).",
        bad: "a calendar with 179 school days",
        good: "a calendar with 180 school days",
    }

    CENSUS_DAY {
        id: "CAL-CENSUS-DAY",
        severity: Severity::Warning,
        category: Category::Calendar,
        state_rule: None,
        summary: "Census Day is not a school day",
        message: "Census Day {date} is not a school day at {school}",
        help: "Census Day is the first Wednesday in October; check the calendar row for it (a different Census Day can be given with --census-date)",
        explanation: "Census Day (CALPADS Fall 1, the first Wednesday in October) counts the students enrolled that day; it is expected to be a day of instruction. A calendar where it is a holiday or non-school day is usually wrong for that date.",
        bad: ",2025-10-01,non_school",
        good: ",2025-10-01,school",
    }

    WRONG_YEAR {
        id: "CAL-WRONG-YEAR",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: None,
        summary: "The calendar is of another academic year than the submission",
        message: "the calendar is for {calendar_year}, the records are for {year}: the calendar rules did not use it",
        help: "give the {year} attendance calendar; last year's calendar would make every date of this year a non-school day",
        explanation: "The attendance calendar covers one academic year. When its year is not the year of the records checked with it (last year's calendar left in the folder), it is reported once and not used: the calendar rules would otherwise report every enrollment and every attendance record of the year.",
        bad: "calendar-2024-2025.csv with the 2025-2026 SENR",
        good: "calendar-2025-2026.csv with the 2025-2026 SENR",
    }

    NO_CALENDAR {
        id: "CAL-NO-CALENDAR",
        severity: Severity::Warning,
        category: Category::Reference,
        state_rule: None,
        summary: "A school of the enrollment has no calendar",
        message: "school {school} has enrollments but no calendar rows, and the calendar has no district-wide rows",
        help: "add the school's rows, or district-wide rows (empty school) that apply to every school",
        explanation: "Every school with enrollments needs a calendar: its school days give expected attendance days, days taught and school months. A school without rows of its own takes the district-wide rows (empty school column); when there are none, it has no calendar and its attendance cannot be checked or counted.",
        bad: "enrollments at 9990029; calendar rows only for 9990011",
        good: "enrollments at 9990029; district-wide calendar rows",
    }
}

/// One row taken into the calendar, for the whole-calendar rules.
struct Taken {
    day: i32,
    line: u64,
    text: String,
}

/// Reads the calendar file at `path` (input `input` of the run): the calendar of every good
/// row, and a finding for every row left out. `census_day` overrides the first Wednesday in
/// October. Exit-2 errors: the file cannot be read, or it lacks a date or day type column.
pub fn read(path: &Path, input: usize, census_day: Option<NaiveDate>) -> Result<(Calendar, Vec<Finding>), Error> {
    let bad = |line: u64, message: String| Error::Calendar { path: path.to_path_buf(), line, message };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_path(path).map_err(|e| bad(0, e.to_string()))?;
    let mut rec = ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(|e| bad(1, e.to_string()))? {
        return Err(bad(1, "the file is empty (expected a header row school_of_attendance,date,day_type)".to_owned()));
    }
    let names: Vec<String> = rec.iter().map(normal).collect();
    let col = |k: usize| find_column(CALENDAR_COLUMNS, CALENDAR_COLUMNS[k].0, &names);
    let (Some(date_col), Some(type_col)) = (col(1), col(2)) else {
        let found: Vec<String> = rec.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        return Err(bad(
            1,
            format!("no date and day_type columns (the header is: {}; expected school_of_attendance,date,day_type)", found.join(",")),
        ));
    };
    let (school_col, month_col) = (col(0), col(3));
    // Each column's name in findings: what it means, or its header as written.
    let mut column_names: Vec<String> = rec.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    for (k, (name, _)) in CALENDAR_COLUMNS.iter().enumerate() {
        if let Some(i) = col(k) {
            column_names[i] = (*name).to_owned();
        }
    }
    let column_names: Vec<String> = column_names;
    let mut cal = Calendar::default();
    let mut out = Vec::new();
    let mut taken: Vec<Taken> = Vec::new();
    let mut first_line: HashMap<(Option<u32>, i32), u64> = HashMap::new();
    let cell =
        |rec: &ByteRecord, i: Option<usize>| i.and_then(|i| rec.get(i)).map(|v| String::from_utf8_lossy(v).trim().to_owned()).unwrap_or_default();
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let (text, _) = line_text(&rec, b',', None);
        let mut finding = |rule: &'static Rule, field: usize, args: &[(&str, &str)]| {
            let mut f = Finding::new(rule, args);
            f.at.input = Some(input);
            f.at.line = Some(line);
            f.at.span = field_span(&rec, field);
            f.field = column_names.get(field).cloned();
            f.value = Some(cell(&rec, Some(field)));
            f.record_type = Some("calendar".to_owned());
            f.excerpt = Some(Excerpt { text: text.clone(), span: line_text(&rec, b',', Some(field)).1 });
            out.push(f);
        };
        let school_text = cell(&rec, school_col);
        let school = if school_text.is_empty() {
            None
        } else {
            match digits(school_text.as_bytes()).filter(|_| school_text.len() == 7).and_then(|n| u32::try_from(n).ok()) {
                Some(code) => Some(code),
                None => {
                    finding(&BAD_SCHOOL, school_col.unwrap_or(0), &[("value", &school_text)]);
                    continue;
                }
            }
        };
        let date_text = cell(&rec, Some(date_col));
        let Some(date) = parse_day(&date_text) else {
            finding(&BAD_DATE, date_col, &[("value", &date_text)]);
            continue;
        };
        let type_text = cell(&rec, Some(type_col));
        let Some(kind) = DayType::parse(&type_text.to_ascii_lowercase()) else {
            finding(&DAY_TYPE, type_col, &[("value", &type_text)]);
            continue;
        };
        let month_text = cell(&rec, month_col);
        let month = if month_text.is_empty() {
            None
        } else {
            match month_text.parse::<u16>().ok().filter(|m| (1..=12).contains(m)) {
                Some(m) => Some(m),
                None => {
                    finding(&BAD_MONTH, month_col.unwrap_or(0), &[("value", &month_text)]);
                    continue;
                }
            }
        };
        let day = day_number(date);
        let who = school.map_or_else(|| "every school".to_owned(), school_code);
        if let Some(first) = first_line.get(&(school, day)) {
            let args = [("date", date.to_string()), ("school", who), ("first", first.to_string())];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            finding(&DUPLICATE_DATE, date_col, &args);
            continue;
        }
        first_line.insert((school, day), line);
        if kind == DayType::School && date.weekday().num_days_from_monday() >= 5 {
            let weekday = if date.weekday() == chrono::Weekday::Sat { "Saturday" } else { "Sunday" };
            finding(&WEEKEND, date_col, &[("date", &date.to_string()), ("weekday", weekday)]);
        }
        taken.push(Taken { day, line, text: text.clone() });
        cal.insert(school, day, kind, month);
    }
    // (The lookup lists are built once the calendar holds one year only: a calendar of many
    // years and many schools must not cost their product.)
    // Rows outside the calendar's academic year: reported, and the calendar rebuilt without them.
    if let Some(year) = cal.year() {
        let (first, last) = (day_number(year.first_day()), day_number(year.last_day()));
        let outside: Vec<&Taken> = taken.iter().filter(|t| t.day < first || t.day > last).collect();
        if !outside.is_empty() {
            for t in &outside {
                let date = from_day_number(t.day).to_string();
                let mut f = Finding::new(&OUTSIDE_YEAR, &[("date", &date), ("year", &year.to_string())]);
                (f.at.input, f.at.line, f.field, f.value) = (Some(input), Some(t.line), Some("date".to_owned()), Some(date.clone()));
                f.record_type = Some("calendar".to_owned());
                f.excerpt = Some(Excerpt { text: t.text.clone(), span: None });
                out.push(f);
            }
            let mut kept = Calendar::default();
            for (school, day, c) in keep_inside(&cal, first, last) {
                kept.insert(school, day, c.kind, c.month);
            }
            cal = kept;
        }
        cal.finish();
        whole_calendar(&cal, year, census_day.unwrap_or_else(|| year.census_day()), input, &first_line, &mut out);
    }
    out.sort_by_key(|f| f.at.line);
    Ok((cal, out))
}

/// Every row of `cal` from `first` to `last`, as (school, day, row).
fn keep_inside(cal: &Calendar, first: i32, last: i32) -> Vec<(Option<u32>, i32, crate::domain::calendar::CalendarDay)> {
    let mut rows = Vec::new();
    let schools: Vec<Option<u32>> = std::iter::once(None).chain(cal.schools().map(Some)).collect();
    for school in schools {
        rows.extend(cal.rows(school).filter(|(d, _)| (first..=last).contains(d)).map(|(d, c)| (school, d, c)));
    }
    rows
}

/// CAL-TOO-FEW-DAYS and CAL-CENSUS-DAY for the district-wide calendar and every school with
/// rows of its own.
fn whole_calendar(
    cal: &Calendar,
    year: AcademicYear,
    census: NaiveDate,
    input: usize,
    lines: &HashMap<(Option<u32>, i32), u64>,
    out: &mut Vec<Finding>,
) {
    let (first, last) = (day_number(year.first_day()), day_number(year.last_day()));
    let mut who: Vec<Option<u32>> = Vec::new();
    if cal.has_default() {
        who.push(None);
    }
    who.extend(cal.schools().map(Some));
    for school in who {
        let name = school.map_or_else(|| "every school (district-wide rows)".to_owned(), school_code);
        // Days taught: school days on weekdays (a Saturday school day is CAL-WEEKEND's).
        let weekday = |d: i32| from_day_number(d).weekday().num_days_from_monday() < 5;
        let days = cal.effective(school).filter(|(d, c)| c.kind == DayType::School && (first..=last).contains(d) && weekday(*d)).count() as u32;
        if days < MIN_SCHOOL_DAYS {
            let mut f = Finding::new(&TOO_FEW_DAYS, &[("school", &name), ("days", &days.to_string())]);
            f.at.input = Some(input);
            f.record_type = Some("calendar".to_owned());
            out.push(f);
        }
        let census_day = day_number(census);
        let is_school = match school {
            Some(s) => cal.is_school_day(s, census_day),
            None => cal.effective(None).any(|(d, c)| d == census_day && c.kind == DayType::School),
        };
        if !is_school {
            let mut f = Finding::new(&CENSUS_DAY, &[("date", &census.to_string()), ("school", &name)]);
            f.at.input = Some(input);
            f.at.line = lines.get(&(school, census_day)).or_else(|| lines.get(&(None, census_day))).copied();
            f.field = f.at.line.map(|_| "date".to_owned());
            f.value = f.at.line.map(|_| census.to_string());
            f.record_type = Some("calendar".to_owned());
            out.push(f);
        }
    }
}

/// CAL-NO-CALENDAR for every school of `schools` (the enrollment's) that has no calendar.
pub fn schools_without_calendar(cal: &Calendar, schools: impl IntoIterator<Item = u32>, input: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for school in schools {
        if !cal.covers(school) && seen.insert(school) {
            let mut f = Finding::new(&NO_CALENDAR, &[("school", &school_code(school))]);
            f.at.input = Some(input);
            f.record_type = Some("calendar".to_owned());
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> (Calendar, Vec<Finding>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calendar.csv");
        std::fs::write(&path, text).unwrap();
        read(&path, 0, None).unwrap()
    }

    #[test]
    fn bad_rows_are_reported_and_left_out() {
        let (cal, found) = read_text(
            "school_of_attendance,date,day_type\n,2025-08-13,school\n,8/14/2025,school\n,2025-08-15,sunny\n12,2025-08-15,school\n,2025-08-13,holiday\n,2025-08-16,school\n",
        );
        let ids: Vec<(&str, Option<u64>)> = found.iter().map(|f| (f.rule.id, f.at.line)).collect();
        assert!(ids.contains(&("CAL-DATE", Some(3))));
        assert!(ids.contains(&("CAL-DAY-TYPE", Some(4))));
        assert!(ids.contains(&("CAL-SCHOOL", Some(5))));
        assert!(ids.contains(&("CAL-DUPLICATE-DATE", Some(6))));
        assert!(ids.contains(&("CAL-WEEKEND", Some(7))));
        assert!(ids.contains(&("CAL-TOO-FEW-DAYS", None)));
        let d = |s: &str| day_number(parse_day(s).unwrap());
        assert!(cal.is_school_day(9990011, d("2025-08-13")), "the first of two rows for a date is kept");
        assert_eq!(cal.school_days(9990011, d("2025-08-01"), d("2025-08-31")), 2);
    }

    #[test]
    fn a_missing_column_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calendar.csv");
        std::fs::write(&path, "school,when,what\n,2025-08-13,school\n").unwrap();
        assert!(matches!(read(&path, 0, None), Err(Error::Calendar { line: 1, .. })));
    }

    #[test]
    fn dates_of_another_year_are_left_out() {
        let (cal, found) = read_text("date,day_type\n2025-08-13,school\n2062-08-14,school\n");
        assert!(found.iter().any(|f| f.rule.id == "CAL-OUTSIDE-YEAR" && f.at.line == Some(3)));
        assert_eq!(cal.school_days_of(1), &[day_number(parse_day("2025-08-13").unwrap())]);
    }
}
