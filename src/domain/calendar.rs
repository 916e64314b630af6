//! The district's annual attendance calendar as a model: per school (or for every school),
//! each date's day type (`school`, `holiday`, `non_school`) and, when the district numbers them
//! itself, its school month. Answers "is this a school day at this school", "how many school
//! days between two dates" (binary search over sorted day lists) and "what are this school's
//! school months" (attendance.md: runs of 20 weekdays that are school days or holidays, from
//! the first to the last day of instruction, breaks left out; the last may be partial).
//!
//! Reading the CSV file, with a finding for every bad row, is `rules::calendar`'s job.
//!
//! ```
//! use rollcall::domain::calendar::{Calendar, DayType};
//! use rollcall::domain::date::{day_number, parse_iso};
//! let d = |s: &str| day_number(parse_iso(s).unwrap());
//! let mut cal = Calendar::default();
//! cal.insert(None, d("2025-08-13"), DayType::School, None);
//! cal.insert(None, d("2025-08-14"), DayType::School, None);
//! cal.insert(Some(9990011), d("2025-08-14"), DayType::Holiday, None);
//! cal.finish();
//! assert_eq!(cal.school_days(9990011, d("2025-08-01"), d("2025-08-31")), 1);
//! assert_eq!(cal.school_days(9990029, d("2025-08-01"), d("2025-08-31")), 2);
//! ```

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;

use crate::domain::date::{from_day_number, AcademicYear};

/// What kind of day a calendar row declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayType {
    School,
    Holiday,
    NonSchool,
}

impl DayType {
    /// The calendar file's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            DayType::School => "school",
            DayType::Holiday => "holiday",
            DayType::NonSchool => "non_school",
        }
    }

    /// The day type a calendar file's word names.
    pub fn parse(text: &str) -> Option<DayType> {
        match text {
            "school" => Some(DayType::School),
            "holiday" => Some(DayType::Holiday),
            "non_school" => Some(DayType::NonSchool),
            _ => None,
        }
    }
}

/// One date of a calendar: its type and the district's school month number, if given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarDay {
    pub kind: DayType,
    pub month: Option<u16>,
}

/// One school month of a school.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchoolMonth {
    /// 1, 2, 3 … (the district's own number when the calendar gives one).
    pub number: u16,
    /// First and last day (day numbers) of the month.
    pub first: i32,
    pub last: i32,
    /// Days taught: the month's school days, Saturdays and Sundays left out.
    pub school_days: u32,
    /// Whether the month has its 20 days (school days and holidays, weekdays).
    pub full: bool,
}

/// Days in a school month (attendance.md, EC 37201).
pub const MONTH_DAYS: u32 = 20;

/// The loaded calendar.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// Days that apply to every school, by day number.
    default: BTreeMap<i32, CalendarDay>,
    /// Per school: its own rows.
    own: BTreeMap<u32, BTreeMap<i32, CalendarDay>>,
    /// Per school: its school days (the default overlaid with its own rows), sorted.
    school_days: HashMap<u32, Vec<i32>>,
    /// The school days of the default calendar, sorted.
    default_days: Vec<i32>,
}

impl Calendar {
    /// Adds one date (for every school when `school` is `None`); `false`, and nothing
    /// changed, when the calendar already has that date for that school.
    pub fn insert(&mut self, school: Option<u32>, day: i32, kind: DayType, month: Option<u16>) -> bool {
        let map = match school {
            Some(s) => self.own.entry(s).or_default(),
            None => &mut self.default,
        };
        match map.entry(day) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(CalendarDay { kind, month });
                true
            }
        }
    }

    /// Builds the lookup lists once every date is in.
    pub fn finish(&mut self) {
        let days = |m: &BTreeMap<i32, CalendarDay>| m.iter().filter(|(_, k)| k.kind == DayType::School).map(|(d, _)| *d).collect::<Vec<_>>();
        self.default_days = days(&self.default);
        self.school_days.clear();
        for school in self.own.keys() {
            let merged: BTreeMap<i32, CalendarDay> = self.effective(Some(*school)).collect();
            self.school_days.insert(*school, days(&merged));
        }
    }

    /// Whether the calendar says anything about `school` (its own rows or default rows).
    pub fn covers(&self, school: u32) -> bool {
        self.own.contains_key(&school) || !self.default.is_empty()
    }

    /// Whether any row applies to every school.
    pub fn has_default(&self) -> bool {
        !self.default.is_empty()
    }

    /// The schools with rows of their own, in code order.
    pub fn schools(&self) -> impl Iterator<Item = u32> + '_ {
        self.own.keys().copied()
    }

    /// Whether the calendar has no row at all.
    pub fn is_empty(&self) -> bool {
        self.default.is_empty() && self.own.is_empty()
    }

    /// The rows given for `school` itself (`None`: the district-wide rows), in date order.
    pub fn rows(&self, school: Option<u32>) -> impl Iterator<Item = (i32, CalendarDay)> + '_ {
        let map = match school {
            Some(s) => self.own.get(&s),
            None => Some(&self.default),
        };
        map.into_iter().flat_map(|m| m.iter().map(|(d, c)| (*d, *c)))
    }

    /// The dates that apply to `school` (`None`: the default calendar), in date order: the
    /// default rows with the school's own rows in their place.
    pub fn effective(&self, school: Option<u32>) -> impl Iterator<Item = (i32, CalendarDay)> + '_ {
        let own = school.and_then(|s| self.own.get(&s));
        let mut merged: BTreeMap<i32, CalendarDay> = self.default.clone();
        if let Some(own) = own {
            merged.extend(own.iter().map(|(d, k)| (*d, *k)));
        }
        merged.into_iter()
    }

    fn days_of(&self, school: u32) -> &[i32] {
        self.school_days.get(&school).map_or(&self.default_days, Vec::as_slice)
    }

    /// Whether the calendar has rows around `day` at `school`: from its first to its last dated
    /// row. Days outside (another academic year, a mistyped year) are unknown, not days off.
    pub fn knows(&self, school: u32, day: i32) -> bool {
        let span = |m: &BTreeMap<i32, CalendarDay>| Some((*m.keys().next()?, *m.keys().next_back()?));
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

    /// Every school day at `school`, in order.
    pub fn school_days_of(&self, school: u32) -> &[i32] {
        self.days_of(school)
    }

    /// The academic year of the calendar: the year of its first school day (else first row).
    pub fn year(&self) -> Option<AcademicYear> {
        // From the rows themselves (not the lists `finish` builds), so the year is known before
        // a calendar is trimmed to it.
        let first_school = |m: &BTreeMap<i32, CalendarDay>| m.iter().find(|(_, c)| c.kind == DayType::School).map(|(d, _)| *d);
        let first = first_school(&self.default).into_iter().chain(self.own.values().filter_map(first_school)).min();
        let first =
            first.or_else(|| self.default.keys().next().copied().into_iter().chain(self.own.values().filter_map(|m| m.keys().next().copied())).min());
        first.map(|d| AcademicYear::containing(from_day_number(d)))
    }

    /// The school months of `school` (`None`: of the default calendar). The district's own
    /// month numbers when its rows carry them; else runs of [`MONTH_DAYS`] weekdays that are
    /// school days or holidays, from the first to the last school day.
    pub fn months(&self, school: Option<u32>) -> Vec<SchoolMonth> {
        let days: Vec<(i32, CalendarDay)> = self.effective(school).collect();
        let weekday = |d: i32| from_day_number(d).weekday().num_days_from_monday() < 5;
        let counts = |c: &CalendarDay| matches!(c.kind, DayType::School | DayType::Holiday);
        if days.iter().any(|(_, c)| c.month.is_some()) {
            let mut by_number: BTreeMap<u16, SchoolMonth> = BTreeMap::new();
            let mut length: BTreeMap<u16, u32> = BTreeMap::new();
            for (d, c) in &days {
                let Some(n) = c.month else { continue };
                let m = by_number.entry(n).or_insert(SchoolMonth { number: n, first: *d, last: *d, school_days: 0, full: false });
                m.first = m.first.min(*d);
                m.last = m.last.max(*d);
                if c.kind == DayType::School && weekday(*d) {
                    m.school_days += 1;
                }
                if counts(c) && weekday(*d) {
                    *length.entry(n).or_default() += 1;
                }
            }
            return by_number
                .into_values()
                .map(|mut m| {
                    m.full = length.get(&m.number).copied().unwrap_or(0) >= MONTH_DAYS;
                    m
                })
                .collect();
        }
        let Some(first) = days.iter().find(|(_, c)| c.kind == DayType::School).map(|(d, _)| *d) else { return Vec::new() };
        let last = days.iter().rev().find(|(_, c)| c.kind == DayType::School).map_or(first, |(d, _)| *d);
        let mut months = Vec::new();
        let mut current: Option<(SchoolMonth, u32)> = None;
        for (d, c) in days.iter().filter(|(d, c)| (first..=last).contains(d) && counts(c) && weekday(*d)) {
            let (m, len) =
                current.get_or_insert((SchoolMonth { number: months.len() as u16 + 1, first: *d, last: *d, school_days: 0, full: false }, 0));
            m.last = *d;
            *len += 1;
            if c.kind == DayType::School {
                m.school_days += 1;
            }
            if *len == MONTH_DAYS {
                m.full = true;
                months.push(*m);
                current = None;
            }
        }
        months.extend(current.map(|(m, _)| m));
        months
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::date::{day_number, parse_iso};

    fn d(s: &str) -> i32 {
        day_number(parse_iso(s).unwrap())
    }

    #[test]
    fn school_rows_override_the_default() {
        let mut cal = Calendar::default();
        for day in ["2025-08-13", "2025-08-14", "2025-08-15"] {
            assert!(cal.insert(None, d(day), DayType::School, None));
        }
        assert!(cal.insert(Some(9990011), d("2025-08-14"), DayType::Holiday, None));
        assert!(!cal.insert(Some(9990011), d("2025-08-14"), DayType::School, None), "a date twice is refused");
        cal.finish();
        assert_eq!(cal.school_days(9990011, d("2025-08-01"), d("2025-08-31")), 2);
        assert_eq!(cal.school_days(9990029, d("2025-08-01"), d("2025-08-31")), 3);
        assert!(!cal.is_school_day(9990011, d("2025-08-14")));
        assert!(cal.is_school_day(9990029, d("2025-08-14")));
        assert_eq!(cal.year(), Some(AcademicYear(2025)));
    }

    /// Weekdays from `from` to `to` as school days, except the holidays and breaks given.
    fn weekdays(cal: &mut Calendar, from: &str, to: &str, holidays: &[&str], breaks: &[&str]) {
        for day in d(from)..=d(to) {
            let date = from_day_number(day).to_string();
            let kind = if holidays.contains(&date.as_str()) {
                DayType::Holiday
            } else if breaks.contains(&date.as_str()) || from_day_number(day).weekday().num_days_from_monday() >= 5 {
                DayType::NonSchool
            } else {
                DayType::School
            };
            cal.insert(None, day, kind, None);
        }
    }

    #[test]
    fn months_are_runs_of_twenty_days_with_holidays_in_and_breaks_out() {
        let mut cal = Calendar::default();
        // Mon 2025-09-01 is Labor Day (a holiday: counts toward the month, not days taught);
        // 2025-09-22..26 is a break (left out). From Wed 2025-08-13 to Fri 2025-10-24.
        let break_week = ["2025-09-22", "2025-09-23", "2025-09-24", "2025-09-25", "2025-09-26"];
        weekdays(&mut cal, "2025-08-13", "2025-10-24", &["2025-09-01"], &break_week);
        cal.finish();
        let months = cal.months(None);
        // Aug 13 .. Sep 9 = 20 weekdays (Aug 13-15: 3, Aug 18-22: 5, 25-29: 5, Sep 1-5: 5, Sep 8-9: 2).
        assert_eq!(months[0], SchoolMonth { number: 1, first: d("2025-08-13"), last: d("2025-09-09"), school_days: 19, full: true });
        // Sep 10 .. Oct 14 skips the break week: Sep 10-12 (3), 15-19 (5), 29-Oct 3 (5), 6-10 (5), 13-14 (2).
        assert_eq!(months[1], SchoolMonth { number: 2, first: d("2025-09-10"), last: d("2025-10-14"), school_days: 20, full: true });
        // The rest: Oct 15-17 (3), 20-24 (5), partial.
        assert_eq!(months[2], SchoolMonth { number: 3, first: d("2025-10-15"), last: d("2025-10-24"), school_days: 8, full: false });
        assert_eq!(months.len(), 3);
    }

    #[test]
    fn the_districts_own_month_numbers_are_taken_as_they_are() {
        let mut cal = Calendar::default();
        for (i, day) in (d("2025-08-18")..d("2025-08-18") + 12).enumerate() {
            let kind = if from_day_number(day).weekday().num_days_from_monday() >= 5 { DayType::NonSchool } else { DayType::School };
            cal.insert(None, day, kind, Some(if i < 7 { 1 } else { 2 }));
        }
        cal.finish();
        let months = cal.months(None);
        assert_eq!(months.len(), 2);
        assert_eq!((months[0].first, months[0].last, months[0].school_days, months[0].full), (d("2025-08-18"), d("2025-08-24"), 5, false));
        assert_eq!((months[1].number, months[1].school_days), (2, 5));
    }
}
