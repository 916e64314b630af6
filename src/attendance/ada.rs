//! Average daily attendance (attendance.md): per school and grade span, the days of
//! attendance in the school months a reporting period counts, divided by the days school was
//! taught in those months. P-1 counts the full school months that end by December 31, P-2 those
//! that end by April 15, Annual every month of the year. Classroom attendance (present, tardy,
//! in-school suspension) and ADA-generating independent study are separate lines. Each
//! school's ADA is exact until it is shown (2 decimals, half up); the district's is the exact
//! sum of its schools', rounded once.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

use super::ledger::{in_halves, Ledger, Pair, FLAGS};
use crate::domain::attendance::Category;
use crate::domain::calendar::SchoolMonth;
use crate::domain::date::{day_number, AcademicYear};
use crate::domain::enrollment::{DaySpan, GradeSpan};

/// A reporting period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    P1,
    P2,
    Annual,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::P1, Period::P2, Period::Annual];

    /// As the CSV writes it: `P1`, `P2`, `ANNUAL`.
    pub fn code(self) -> &'static str {
        match self {
            Period::P1 => "P1",
            Period::P2 => "P2",
            Period::Annual => "ANNUAL",
        }
    }

    /// As people say it.
    pub fn label(self) -> &'static str {
        match self {
            Period::P1 => "P-1",
            Period::P2 => "P-2",
            Period::Annual => "Annual",
        }
    }

    /// The last day a counted month may end on (`None`: every month of the year counts).
    pub fn cutoff(self, year: AcademicYear) -> Option<NaiveDate> {
        let y = i32::from(year.0);
        match self {
            Period::P1 => NaiveDate::from_ymd_opt(y, 12, 31),
            Period::P2 => NaiveDate::from_ymd_opt(y + 1, 4, 15),
            Period::Annual => None,
        }
    }

    /// Whether `month` counts in this period of `year`: P-1 and P-2 take full months that
    /// end by their cut-off; Annual takes every month.
    pub fn counts(self, month: &SchoolMonth, year: AcademicYear) -> bool {
        match self.cutoff(year) {
            Some(cutoff) => month.full && month.last <= day_number(cutoff),
            None => true,
        }
    }
}

/// Days of attendance of one school, grade span and school month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Days {
    pub classroom: u64,
    pub independent_study: u64,
}

/// The ADA of one school and grade span in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdaLine {
    pub period: Period,
    pub school: u32,
    pub span: GradeSpan,
    /// The school months counted (their numbers).
    pub months: Vec<u16>,
    pub days_taught: u64,
    pub days: Days,
}

impl AdaLine {
    /// Classroom ADA, exact.
    pub fn classroom(&self) -> BigRational {
        ratio(self.days.classroom, self.days_taught)
    }

    /// Independent study ADA, exact.
    pub fn independent_study(&self) -> BigRational {
        ratio(self.days.independent_study, self.days_taught)
    }

    /// Total ADA, exact.
    pub fn total(&self) -> BigRational {
        ratio(self.days.classroom + self.days.independent_study, self.days_taught)
    }
}

fn ratio(days: u64, taught: u64) -> BigRational {
    if taught == 0 {
        return BigRational::zero();
    }
    BigRational::new(BigInt::from(days), BigInt::from(taught))
}

/// `value` to two decimals, half up, as text (`475.00`).
///
/// ```
/// use num_rational::BigRational;
/// use rollcall::attendance::ada::two_decimals;
/// let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
/// assert_eq!(two_decimals(&r(38_000, 80)), "475.00");
/// assert_eq!(two_decimals(&r(1, 8)), "0.13"); // 0.125 rounds up
/// assert_eq!(two_decimals(&r(1, 3)), "0.33");
/// ```
pub fn two_decimals(value: &BigRational) -> String {
    let hundredths = (value * BigRational::from_integer(BigInt::from(100)) + BigRational::new(BigInt::from(1), BigInt::from(2))).floor().to_integer();
    let n = hundredths.to_i128().unwrap_or(0);
    format!("{}.{:02}", n / 100, n % 100)
}

/// The days of attendance per (school, grade span, school month) of a ledger: each counted
/// day of each student at each school, in the grade span of the enrollment covering it.
pub fn attendance_days(ledger: &Ledger) -> BTreeMap<(u32, GradeSpan, u16), Days> {
    let Some(cal) = ledger.calendar() else { return BTreeMap::new() };
    // Per school, the school month of each day of the year (by offset), looked up once a day
    // instead of searched: the first of the school's months that holds the day.
    let mut months_of: BTreeMap<u32, Vec<Option<u16>>> = BTreeMap::new();
    for pair in ledger.pairs_list.iter().filter(|p| !p.days.is_empty()) {
        months_of.entry(pair.school).or_insert_with(|| {
            let mut table = vec![None; super::ledger::DAYS];
            for m in cal.months(Some(pair.school)).iter().rev() {
                for d in m.first.max(ledger.day_of(0))..=m.last.min(ledger.day_of(super::ledger::DAYS - 1)) {
                    if let Some(o) = ledger.offset(d) {
                        table[o] = Some(m.number);
                    }
                }
            }
            table
        });
    }
    in_halves(
        &ledger.pairs_list,
        |pairs| days_of(ledger, pairs, &months_of),
        |out, rest| {
            for (key, d) in rest {
                let entry = out.entry(key).or_default();
                entry.classroom += d.classroom;
                entry.independent_study += d.independent_study;
            }
        },
    )
}

/// [`attendance_days`] of `pairs`, with each school's month table.
fn days_of(ledger: &Ledger, pairs: &[Pair], months_of: &BTreeMap<u32, Vec<Option<u16>>>) -> BTreeMap<(u32, GradeSpan, u16), Days> {
    let mut out: BTreeMap<(u32, GradeSpan, u16), Days> = BTreeMap::new();
    for pair in pairs.iter().filter(|p| !p.days.is_empty()) {
        let enrollments: Vec<_> = ledger.counted_enrollments(pair).collect();
        if enrollments.is_empty() {
            continue;
        }
        let Some(months) = months_of.get(&pair.school) else { continue };
        // Each enrollment's days and grade span, read once for the pair rather than once a day
        // (a counted enrollment covers days: no no-show is counted).
        let spans: Vec<(DaySpan, Option<GradeSpan>)> = enrollments.iter().map(|e| (e.span, e.grade.span())).collect();
        // One student's days go to a few (span, month) cells: summed here, then added.
        let mut cells: Vec<((GradeSpan, u16), Days)> = Vec::new();
        for (o, byte) in pair.days.iter().enumerate().filter(|(_, b)| **b != 0) {
            let Some(category) = Category::from_index(byte & !FLAGS) else { continue };
            // An absence adds to no figure of ADA.
            if !category.is_classroom_attendance() && category != Category::IndependentStudy {
                continue;
            }
            let day = ledger.day_of(o);
            let Some(span) = spans.iter().find(|(days, _)| days.contains(day)).and_then(|(_, s)| *s) else { continue };
            let Some(month) = months.get(o).copied().flatten() else { continue };
            let key = (span, month);
            let at = match cells.iter().rposition(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    cells.push((key, Days::default()));
                    cells.len() - 1
                }
            };
            if category.is_classroom_attendance() {
                cells[at].1.classroom += 1;
            } else {
                cells[at].1.independent_study += 1;
            }
        }
        for ((span, month), d) in cells {
            let entry = out.entry((pair.school, span, month)).or_default();
            entry.classroom += d.classroom;
            entry.independent_study += d.independent_study;
        }
    }
    out
}

/// ADA per school and grade span for each of `periods`, in period, school and span order;
/// a line for each span with attendance in the period's months.
pub fn ada(ledger: &Ledger, periods: &[Period]) -> Vec<AdaLine> {
    let (Some(cal), Some(year)) = (ledger.calendar(), ledger.year()) else { return Vec::new() };
    let days = attendance_days(ledger);
    let schools: Vec<u32> = days.keys().map(|k| k.0).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let mut out = Vec::new();
    for &period in periods {
        for &school in &schools {
            let months: Vec<SchoolMonth> = cal.months(Some(school)).into_iter().filter(|m| period.counts(m, year)).collect();
            let taught: u64 = months.iter().map(|m| u64::from(m.school_days)).sum();
            for span in GradeSpan::ALL {
                let mut total = Days::default();
                for m in &months {
                    if let Some(d) = days.get(&(school, span, m.number)) {
                        total.classroom += d.classroom;
                        total.independent_study += d.independent_study;
                    }
                }
                if total == Days::default() {
                    continue;
                }
                out.push(AdaLine { period, school, span, months: months.iter().map(|m| m.number).collect(), days_taught: taught, days: total });
            }
        }
    }
    out
}

/// The district's ADA of one period and grade span: the exact sums of its schools' ADA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistrictLine {
    pub period: Period,
    pub span: GradeSpan,
    pub classroom: BigRational,
    pub independent_study: BigRational,
}

impl DistrictLine {
    pub fn total(&self) -> BigRational {
        &self.classroom + &self.independent_study
    }
}

/// The district lines of `lines`: per period and span, the exact sum of the schools' ADA.
pub fn district(lines: &[AdaLine]) -> Vec<DistrictLine> {
    let mut sums: BTreeMap<(Period, GradeSpan), (BigRational, BigRational)> = BTreeMap::new();
    for l in lines {
        let entry = sums.entry((l.period, l.span)).or_insert_with(|| (BigRational::zero(), BigRational::zero()));
        entry.0 += l.classroom();
        entry.1 += l.independent_study();
    }
    sums.into_iter().map(|((period, span), (classroom, independent_study))| DistrictLine { period, span, classroom, independent_study }).collect()
}
