//! The district's attendance calendar: a CSV with headers `school_of_attendance`, `date`,
//! `day_type` (`school`, `holiday` or `non_school`); a row with an empty school applies to
//! every school. Answers "is this a school day at this school" and "how many school days
//! between two dates", by binary search over sorted day lists.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::domain::codes::digits;
use crate::domain::date::{day_number, parse_day};
use crate::error::Error;

/// What kind of day a calendar row declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayType {
    School,
    Holiday,
    NonSchool,
}

/// The loaded calendar.
#[derive(Debug, Default)]
pub struct Calendar {
    /// Days that apply to every school, by day number.
    default: BTreeMap<i32, DayType>,
    /// Per school: its school days (the default overlaid with its own rows), sorted.
    school_days: HashMap<u32, Vec<i32>>,
    /// Per school: its own rows.
    own: HashMap<u32, BTreeMap<i32, DayType>>,
    /// The school days of the default calendar, sorted.
    default_days: Vec<i32>,
}

fn bad(path: &Path, line: u64, message: String) -> Error {
    Error::Calendar { path: path.to_path_buf(), line, message }
}

impl Calendar {
    /// Loads a calendar file; any malformed row is an error naming its line.
    pub fn load(path: &Path) -> Result<Calendar, Error> {
        let mut rdr = csv::ReaderBuilder::new().flexible(false).from_path(path).map_err(|e| bad(path, 0, e.to_string()))?;
        let headers = rdr.headers().map_err(|e| bad(path, 1, e.to_string()))?.clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| bad(path, 1, format!("missing column `{name}` (columns: school_of_attendance, date, day_type)")))
        };
        let (school_col, date_col, type_col) = (col("school_of_attendance")?, col("date")?, col("day_type")?);
        let mut cal = Calendar::default();
        for row in rdr.records() {
            let row = row.map_err(|e| bad(path, e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let line = row.position().map_or(0, |p| p.line());
            let date = parse_day(&row[date_col]).ok_or_else(|| bad(path, line, format!("`{}` is not a date like 2025-08-13", &row[date_col])))?;
            let kind = match row[type_col].trim() {
                "school" => DayType::School,
                "holiday" => DayType::Holiday,
                "non_school" => DayType::NonSchool,
                other => return Err(bad(path, line, format!("day_type `{other}` is not school, holiday or non_school"))),
            };
            let school = row[school_col].trim();
            if school.is_empty() {
                cal.default.insert(day_number(date), kind);
            } else {
                let code = digits(school.as_bytes())
                    .filter(|_| school.len() == 7)
                    .ok_or_else(|| bad(path, line, format!("school `{school}` is not a 7-digit school code")))?;
                cal.own.entry(u32::try_from(code).unwrap_or(u32::MAX)).or_default().insert(day_number(date), kind);
            }
        }
        cal.index();
        Ok(cal)
    }

    fn index(&mut self) {
        let days = |m: &BTreeMap<i32, DayType>| m.iter().filter(|(_, k)| **k == DayType::School).map(|(d, _)| *d).collect::<Vec<_>>();
        self.default_days = days(&self.default);
        for (school, own) in &self.own {
            let mut merged = self.default.clone();
            merged.extend(own.iter().map(|(d, k)| (*d, *k)));
            self.school_days.insert(*school, days(&merged));
        }
    }

    /// Whether the calendar says anything about `school` (its own rows or default rows).
    pub fn covers(&self, school: u32) -> bool {
        self.own.contains_key(&school) || !self.default.is_empty()
    }

    fn days_of(&self, school: u32) -> &[i32] {
        self.school_days.get(&school).map_or(&self.default_days, Vec::as_slice)
    }

    /// Whether the calendar has rows around `day` at `school`: from its first to its last dated
    /// row. Days outside (another academic year, a mistyped year) are unknown, not days off.
    pub fn knows(&self, school: u32, day: i32) -> bool {
        let span = |m: &BTreeMap<i32, DayType>| Some((*m.keys().next()?, *m.keys().next_back()?));
        let own = self.own.get(&school).and_then(span);
        let default = span(&self.default);
        let (lo, hi) = match (own, default) {
            (Some((a, b)), Some((c, d))) => (a.min(c), b.max(d)),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => return false,
        };
        lo <= day && day <= hi
    }

    /// Whether `day` is a school day at `school`.
    pub fn is_school_day(&self, school: u32, day: i32) -> bool {
        self.days_of(school).binary_search(&day).is_ok()
    }

    /// School days at `school` from `from` to `to`, both included.
    pub fn school_days(&self, school: u32, from: i32, to: i32) -> u32 {
        if to < from {
            return 0;
        }
        let days = self.days_of(school);
        let lo = days.partition_point(|d| *d < from);
        let hi = days.partition_point(|d| *d <= to);
        u32::try_from(hi - lo).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_rows_override_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cal.csv");
        std::fs::write(
            &path,
            "school_of_attendance,date,day_type\n,2025-08-13,school\n,2025-08-14,school\n,20250815,school\n9990011,2025-08-14,holiday\n",
        )
        .unwrap();
        let cal = Calendar::load(&path).unwrap();
        let d = |s: &str| day_number(parse_day(s).unwrap());
        assert_eq!(cal.school_days(9990011, d("2025-08-01"), d("2025-08-31")), 2);
        assert_eq!(cal.school_days(9990029, d("2025-08-01"), d("2025-08-31")), 3);
        assert!(!cal.is_school_day(9990011, d("2025-08-14")));
        assert!(cal.is_school_day(9990029, d("2025-08-14")));
    }

    #[test]
    fn bad_rows_name_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cal.csv");
        std::fs::write(&path, "school_of_attendance,date,day_type\n,2025-08-13,school\n,8/14/2025,school\n").unwrap();
        match Calendar::load(&path).unwrap_err() {
            Error::Calendar { line, .. } => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
    }
}
