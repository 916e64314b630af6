//! Chronic absenteeism (attendance.md): a student is chronically absent when absent on 10 % or
//! more of the days expected to attend, counting only students expected more than 30 days.
//! Absent days are out-of-school suspension, excused, unexcused and non-ADA independent study.
//! Figures come from the daily records (to `--as-of` for a mid-year list), or from STAS files
//! when the run has no daily attendance.

use std::collections::BTreeMap;

use super::ledger::Ledger;
use crate::domain::attendance::{Category, StasCount};
use crate::domain::codes::StudentKey;
use crate::domain::enrollment::Grade;

/// Students expected this many days or fewer are not counted.
pub const MIN_EXPECTED_DAYS: u64 = 30;

/// A student's absence at one school (or, summed, at the LEA).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Absence {
    pub student: StudentKey,
    /// The school (`None`: summed over the LEA).
    pub school: Option<u32>,
    /// The grade of the latest enrollment there.
    pub grade: Option<Grade>,
    pub expected: u64,
    pub absent: u64,
}

/// The bands reports use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    /// 5 % or less.
    Le5,
    /// More than 5 % and less than 10 %.
    Gt5Lt10,
    /// 10 % or more and less than 20 %.
    Ge10Lt20,
    /// 20 % or more.
    Ge20,
}

impl Band {
    pub fn code(self) -> &'static str {
        match self {
            Band::Le5 => "le5",
            Band::Gt5Lt10 => "gt5_lt10",
            Band::Ge10Lt20 => "ge10_lt20",
            Band::Ge20 => "ge20",
        }
    }
}

impl Absence {
    /// Expected more than 30 days.
    pub fn eligible(&self) -> bool {
        self.expected > MIN_EXPECTED_DAYS
    }

    /// Eligible, and absent on 10 % or more of the expected days.
    pub fn chronic(&self) -> bool {
        self.eligible() && self.absent * 10 >= self.expected
    }

    /// The absence rate in tenths of a percent, half up (`105` is 10.5 %).
    pub fn rate_tenths(&self) -> u64 {
        if self.expected == 0 {
            return 0;
        }
        (self.absent * 2000 + self.expected) / (2 * self.expected)
    }

    /// The rate as text with one decimal (`10.5`).
    pub fn rate_text(&self) -> String {
        let t = self.rate_tenths();
        format!("{}.{}", t / 10, t % 10)
    }

    /// The band of the exact rate.
    pub fn band(&self) -> Band {
        let (a, e) = (self.absent * 100, self.expected);
        if a <= 5 * e {
            Band::Le5
        } else if a < 10 * e {
            Band::Gt5Lt10
        } else if a < 20 * e {
            Band::Ge10Lt20
        } else {
            Band::Ge20
        }
    }
}

/// Per student and school: the absence from the daily records up to `until` (a day number,
/// inclusive), or from the STAS records when the ledger has no daily records. In school and
/// student order.
pub fn by_school(ledger: &Ledger, until: i32) -> Vec<Absence> {
    let mut out = Vec::new();
    if ledger.counted > 0 {
        // (Students of schools with no daily record in the run are not counted: their
        // attendance was not given, not zero.)
        for pair in ledger.pairs_list.iter().filter(|p| ledger.schools_with_records.contains(&p.school)) {
            let latest = ledger.counted_enrollments(pair).max_by_key(|e| (e.span.start, e.at));
            let Some(latest) = latest else { continue };
            let days = ledger.expected_days(pair, until);
            if days.is_empty() {
                continue;
            }
            let absent = days.iter().filter(|d| ledger.category_on(pair, **d).is_some_and(Category::is_absence)).count() as u64;
            out.push(Absence { student: pair.student, school: Some(pair.school), grade: Some(latest.grade), expected: days.len() as u64, absent });
        }
    } else {
        for s in ledger.summaries.iter().filter(|s| !s.exempt) {
            let Some(expected) = s.expected else { continue };
            let absent: i64 = [StasCount::Suspension, StasCount::Excused, StasCount::Unexcused, StasCount::NonAdaIndependentStudy]
                .iter()
                .filter_map(|c| s.counts[c.index()])
                .sum();
            let grade =
                ledger.pair(s.student, s.school).and_then(|p| ledger.counted_enrollments(p).max_by_key(|e| (e.span.start, e.at))).map(|e| e.grade);
            // (STAS day counts are in hundredths; hourly schools may have fractions.)
            out.push(Absence { student: s.student, school: Some(s.school), grade, expected: (expected / 100) as u64, absent: (absent / 100) as u64 });
        }
    }
    out.sort_by_key(|a| (a.school, a.student));
    out
}

/// Per student, summed over the student's schools; the grade is that of the latest enrollment.
pub fn by_lea(ledger: &Ledger, schools: &[Absence]) -> Vec<Absence> {
    let mut sums: BTreeMap<StudentKey, Absence> = BTreeMap::new();
    for a in schools {
        let entry = sums.entry(a.student).or_insert(Absence { student: a.student, school: None, grade: None, expected: 0, absent: 0 });
        entry.expected += a.expected;
        entry.absent += a.absent;
    }
    for (student, a) in &mut sums {
        a.grade = ledger
            .student_enrollments(*student)
            .filter(|e| e.grade.is_k12() && !e.covers_no_day())
            .max_by_key(|e| (e.span.start, e.at))
            .map(|e| e.grade);
        if a.grade.is_none() {
            a.grade = schools.iter().filter(|s| s.student == *student).find_map(|s| s.grade);
        }
    }
    sums.into_values().collect()
}

/// One school and grade: eligible students, chronically absent ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GradeLine {
    pub school: u32,
    pub grade: Option<Grade>,
    pub eligible: u64,
    pub chronic: u64,
}

impl GradeLine {
    /// The chronic absenteeism rate in tenths of a percent, half up.
    pub fn rate_tenths(&self) -> u64 {
        if self.eligible == 0 {
            return 0;
        }
        (self.chronic * 2000 + self.eligible) / (2 * self.eligible)
    }
}

/// Per school and grade, in school and grade order.
pub fn by_grade(schools: &[Absence]) -> Vec<GradeLine> {
    let mut lines: BTreeMap<(u32, Option<u8>, Option<Grade>), GradeLine> = BTreeMap::new();
    for a in schools {
        let school = a.school.unwrap_or(0);
        let rank = a.grade.and_then(|g| g.rank());
        let line = lines.entry((school, rank, a.grade)).or_insert(GradeLine { school, grade: a.grade, eligible: 0, chronic: 0 });
        if a.eligible() {
            line.eligible += 1;
            if a.chronic() {
                line.chronic += 1;
            }
        }
    }
    lines.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn absence(expected: u64, absent: u64) -> Absence {
        Absence { student: StudentKey::Ssid(1), school: Some(1), grade: None, expected, absent }
    }

    #[test]
    fn the_thresholds_are_exact() {
        assert!(!absence(30, 10).eligible(), "30 expected days is not more than 30");
        assert!(absence(31, 4).chronic() && !absence(31, 3).chronic());
        assert!(absence(100, 10).chronic(), "exactly 10 % is chronic");
        assert_eq!(absence(100, 5).band(), Band::Le5);
        assert_eq!(absence(1000, 51).band(), Band::Gt5Lt10);
        assert_eq!(absence(100, 10).band(), Band::Ge10Lt20);
        assert_eq!(absence(100, 20).band(), Band::Ge20);
        assert_eq!(absence(160, 17).rate_text(), "10.6"); // 10.625
        assert_eq!(absence(80, 7).rate_text(), "8.8"); // 8.75 rounds up
    }
}
