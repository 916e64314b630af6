//! The monthly attendance report of each school (attendance.md, "Who balances what"): per
//! school month, enrollment at its start, gains, losses and enrollment at its end, the days of
//! attendance and of each kind of absence, and the month's ADA; with the two identities a
//! report must satisfy (beginning + gains − losses = ending; the day counts add up to the
//! enrolled school days), and the balancing of the schools' own reports against these figures.
//!
//! Enrollments counted are the primary and short-term (10, 30) TK-12 enrollments of the year at
//! a real school, as for ADA. An enrollment is active on a day from its start to its exit,
//! both included; a mid-year update (E150) at the same school is a loss and a gain.

use std::collections::BTreeMap;

use num_rational::BigRational;

use super::ada::two_decimals;
use super::ledger::Ledger;
use crate::domain::attendance::{Category, StasCount};
use crate::domain::calendar::SchoolMonth;
use crate::domain::codes::StudentKey;
use crate::domain::enrollment::Enrollment;

/// One school's figures for one school month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthLine {
    pub school: u32,
    pub month: SchoolMonth,
    /// The month's first and last school days (day numbers).
    pub first_school_day: i32,
    pub last_school_day: i32,
    pub beginning: u64,
    pub gains: u64,
    pub losses: u64,
    pub ending: u64,
    /// Present, tardy and in-school suspension.
    pub attendance: u64,
    pub independent_study: u64,
    pub excused: u64,
    pub unexcused: u64,
    /// Out-of-school suspension.
    pub suspension: u64,
    pub non_ada_independent_study: u64,
    /// School days of the month inside the counted enrollments (what the day counts must add
    /// up to).
    pub enrolled_days: u64,
}

impl MonthLine {
    /// Beginning + gains − losses = ending.
    pub fn enrollment_balances(&self) -> bool {
        self.beginning + self.gains == self.ending + self.losses
    }

    /// Every day counted, of whatever kind.
    pub fn counted_days(&self) -> u64 {
        self.attendance + self.independent_study + self.excused + self.unexcused + self.suspension + self.non_ada_independent_study
    }

    /// The day counts add up to the enrolled school days.
    pub fn days_balance(&self) -> bool {
        self.counted_days() == self.enrolled_days
    }

    pub fn classroom_ada(&self) -> String {
        ada_text(self.attendance, u64::from(self.month.school_days))
    }

    pub fn total_ada(&self) -> String {
        ada_text(self.attendance + self.independent_study, u64::from(self.month.school_days))
    }

    /// The value of a CSV column, as the CSV writes it (`None` for a column this is not).
    pub fn column(&self, name: &str) -> Option<String> {
        let date = |d: i32| crate::domain::date::from_day_number(d).to_string();
        Some(match name {
            "school_of_attendance" => crate::domain::codes::school_code(self.school),
            "month" => self.month.number.to_string(),
            "first_school_day" => date(self.first_school_day),
            "last_school_day" => date(self.last_school_day),
            "days_taught" => self.month.school_days.to_string(),
            "beginning_enrollment" => self.beginning.to_string(),
            "gains" => self.gains.to_string(),
            "losses" => self.losses.to_string(),
            "ending_enrollment" => self.ending.to_string(),
            "attendance_days" => self.attendance.to_string(),
            "independent_study_days" => self.independent_study.to_string(),
            "excused_absence_days" => self.excused.to_string(),
            "unexcused_absence_days" => self.unexcused.to_string(),
            "suspension_days" => self.suspension.to_string(),
            "non_ada_independent_study_days" => self.non_ada_independent_study.to_string(),
            "classroom_ada" => self.classroom_ada(),
            "total_ada" => self.total_ada(),
            _ => return None,
        })
    }
}

/// The CSV columns, in order.
pub const COLUMNS: [&str; 17] = [
    "school_of_attendance",
    "month",
    "first_school_day",
    "last_school_day",
    "days_taught",
    "beginning_enrollment",
    "gains",
    "losses",
    "ending_enrollment",
    "attendance_days",
    "independent_study_days",
    "excused_absence_days",
    "unexcused_absence_days",
    "suspension_days",
    "non_ada_independent_study_days",
    "classroom_ada",
    "total_ada",
];

fn ada_text(days: u64, taught: u64) -> String {
    if taught == 0 {
        return "0.00".to_owned();
    }
    two_decimals(&BigRational::new(days.into(), taught.into()))
}

/// Whether `e` is active on `day` (start to exit, both included).
fn active(e: &Enrollment, day: i32) -> bool {
    e.is_active_on(day)
}

/// The monthly lines of every school with counted enrollments, in school and month order.
pub fn monthly(ledger: &Ledger) -> Vec<MonthLine> {
    let Some(cal) = ledger.calendar() else { return Vec::new() };
    let mut by_school: BTreeMap<u32, Vec<&Enrollment>> = BTreeMap::new();
    for e in ledger.enrollments.iter().filter(|e| ledger.counts(e)) {
        by_school.entry(e.school).or_default().push(e);
    }
    let mut out = Vec::new();
    for (&school, enrollments) in &by_school {
        let school_days = cal.school_days_of(school);
        let mut lines: Vec<MonthLine> = cal
            .months(Some(school))
            .into_iter()
            .filter_map(|month| {
                let lo = school_days.partition_point(|d| *d < month.first);
                let days: Vec<i32> = school_days[lo..].iter().copied().take_while(|d| *d <= month.last).collect();
                let (first, last) = (*days.first()?, *days.last()?);
                let mut line = MonthLine {
                    school,
                    month,
                    first_school_day: first,
                    last_school_day: last,
                    beginning: 0,
                    gains: 0,
                    losses: 0,
                    ending: 0,
                    attendance: 0,
                    independent_study: 0,
                    excused: 0,
                    unexcused: 0,
                    suspension: 0,
                    non_ada_independent_study: 0,
                    enrolled_days: 0,
                };
                for e in enrollments {
                    line.beginning += u64::from(active(e, first));
                    line.ending += u64::from(active(e, last));
                    line.gains += u64::from(e.span.start > first && e.span.start <= last);
                    line.losses += u64::from(e.span.end >= first && e.span.end < last);
                }
                Some(line)
            })
            .collect();
        // The days: each student's expected days and records at the school, month by month.
        for pair in ledger.pairs_list.iter().filter(|p| p.school == school) {
            for d in ledger.expected_days(pair, i32::MAX) {
                let Some(line) = lines.iter_mut().find(|l| l.month.first <= d && d <= l.month.last) else { continue };
                line.enrolled_days += 1;
                match ledger.category_on(pair, d) {
                    Some(c) if c.is_classroom_attendance() => line.attendance += 1,
                    Some(Category::IndependentStudy) => line.independent_study += 1,
                    Some(c) => match c.stas() {
                        StasCount::Excused => line.excused += 1,
                        StasCount::Unexcused => line.unexcused += 1,
                        StasCount::Suspension => line.suspension += 1,
                        StasCount::NonAdaIndependentStudy => line.non_ada_independent_study += 1,
                        _ => {}
                    },
                    None => {}
                }
            }
        }
        out.extend(lines);
    }
    out
}

/// The year to date of one school's `lines`: the day counts summed, and the enrollment counts
/// of the whole span, by the same definitions as a month's (the months' gains and losses do
/// not add up to the year's: an exit on a month's last school day is a loss of no month).
pub fn year_to_date(ledger: &Ledger, lines: &[&MonthLine]) -> Option<MonthLine> {
    let (first, last) = (lines.first()?, lines.last()?);
    let sum = |f: fn(&MonthLine) -> u64| lines.iter().map(|l| f(l)).sum::<u64>();
    let mut month = first.month;
    month.last = last.month.last;
    month.school_days = lines.iter().map(|l| l.month.school_days).sum();
    month.full = false;
    let (from, to) = (first.first_school_day, last.last_school_day);
    let mut line = MonthLine {
        school: first.school,
        month,
        first_school_day: from,
        last_school_day: to,
        beginning: 0,
        gains: 0,
        losses: 0,
        ending: 0,
        attendance: sum(|l| l.attendance),
        independent_study: sum(|l| l.independent_study),
        excused: sum(|l| l.excused),
        unexcused: sum(|l| l.unexcused),
        suspension: sum(|l| l.suspension),
        non_ada_independent_study: sum(|l| l.non_ada_independent_study),
        enrolled_days: sum(|l| l.enrolled_days),
    };
    for e in ledger.enrollments.iter().filter(|e| e.school == first.school && ledger.counts(e)) {
        line.beginning += u64::from(active(e, from));
        line.ending += u64::from(active(e, to));
        line.gains += u64::from(e.span.start > from && e.span.start <= to);
        line.losses += u64::from(e.span.end >= from && e.span.end < to);
    }
    Some(line)
}

/// One difference between a school's own report and the district's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub school: u32,
    pub month: u16,
    pub column: String,
    pub reported: String,
    pub district: String,
    /// The enrollments and daily records behind the column that month.
    pub explanation: Vec<String>,
}

/// What explains a column of one school month: the enrollments that started or ended in it
/// (for the enrollment columns), or the students with missing days and the records not counted
/// (for the day columns).
pub fn explain(ledger: &Ledger, line: &MonthLine, column: &str) -> Vec<String> {
    let (first, last) = (line.first_school_day, line.last_school_day);
    let date = |d: i32| crate::domain::date::from_day_number(d).to_string();
    let who = |s: StudentKey| s.describe();
    let mut out = Vec::new();
    let enrollments = ledger.enrollments.iter().filter(|e| e.school == line.school && ledger.counts(e));
    match column {
        "gains" | "beginning_enrollment" | "ending_enrollment" | "losses" => {
            for e in enrollments {
                if e.span.start > first && e.span.start <= last {
                    out.push(format!(
                        "gain: {} enrolled {} (grade {})",
                        who(e.student),
                        date(e.span.start),
                        String::from_utf8_lossy(e.grade.as_bytes())
                    ));
                }
                if e.span.end >= first && e.span.end < last {
                    out.push(format!(
                        "loss: {} exited {} ({})",
                        who(e.student),
                        date(e.span.end),
                        String::from_utf8_lossy(e.exit_reason.as_bytes()).trim()
                    ));
                }
            }
        }
        _ => {
            // The records that make an absence count, student by student (attendance days are
            // too many to list: the missing and refused records explain those).
            let category = match column {
                "independent_study_days" => Some(StasCount::IndependentStudy),
                "excused_absence_days" => Some(StasCount::Excused),
                "unexcused_absence_days" => Some(StasCount::Unexcused),
                "suspension_days" => Some(StasCount::Suspension),
                "non_ada_independent_study_days" => Some(StasCount::NonAdaIndependentStudy),
                _ => None,
            };
            if let Some(count) = category {
                for pair in ledger.pairs_list.iter().filter(|p| p.school == line.school) {
                    let days: Vec<i32> = ledger
                        .expected_days(pair, last)
                        .into_iter()
                        .filter(|d| *d >= line.month.first && ledger.category_on(pair, *d).is_some_and(|c| c.stas() == count))
                        .collect();
                    if !days.is_empty() {
                        let list: Vec<String> = days.iter().map(|d| date(*d)).collect();
                        out.push(format!("{}: {} on {}", count.describe(), who(pair.student), list.join(", ")));
                    }
                }
            }
            for pair in ledger.pairs_list.iter().filter(|p| p.school == line.school) {
                let missing: Vec<i32> = ledger
                    .expected_days(pair, last)
                    .into_iter()
                    .filter(|d| *d >= line.month.first && ledger.category_on(pair, *d).is_none())
                    .collect();
                if !missing.is_empty() {
                    let list: Vec<String> = missing.iter().take(5).map(|d| date(*d)).collect();
                    out.push(format!("missing: {} has no record for {} school day(s): {}", who(pair.student), missing.len(), list.join(", ")));
                }
            }
            for r in ledger.refused.iter().filter(|r| r.school == line.school && r.day >= line.month.first && r.day <= line.month.last) {
                out.push(format!("not counted: {} on {} ({}, line {})", who(r.student), date(r.day), r.why, r.at.line));
            }
        }
    }
    out
}

/// Compares the schools' own monthly totals (`rows`: column name → value, with
/// `school_of_attendance` and `month`) with the district's `lines`.
pub fn reconcile(ledger: &Ledger, lines: &[MonthLine], rows: &[BTreeMap<String, String>]) -> Vec<Difference> {
    let mut out = Vec::new();
    for row in rows {
        let school = row.get("school_of_attendance").and_then(|s| s.trim().parse::<u32>().ok());
        let month = row.get("month").and_then(|m| m.trim().parse::<u16>().ok());
        let (Some(school), Some(month)) = (school, month) else { continue };
        let line = lines.iter().find(|l| l.school == school && l.month.number == month);
        for (column, reported) in row {
            if column == "school_of_attendance" || column == "month" {
                continue;
            }
            let district = line.and_then(|l| l.column(column));
            let same = match &district {
                Some(d) => same_value(d, reported),
                None => false,
            };
            if !same {
                out.push(Difference {
                    school,
                    month,
                    column: column.clone(),
                    reported: reported.trim().to_owned(),
                    district: district.clone().unwrap_or_else(|| "(no such month at this school)".to_owned()),
                    explanation: line.map(|l| explain(ledger, l, column)).unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// Two figures are the same number (`475.0` and `475.00`), or the same text.
fn same_value(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => (x - y).abs() < 0.005,
        _ => a == b,
    }
}
