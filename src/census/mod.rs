//! Census Day counting: the enrollments active on a day, per school and grade, with primary,
//! secondary, short-term and non-ADA enrollments kept apart, and optionally by gender and
//! race/ethnicity group from the student information (SINF) effective that day.
//!
//! The counting is an accumulator of the check engine ([`Counter`]): it is fed by the same
//! single pass that runs the field and record rules, reads fields by name through the
//! compiled layout (any year's form), and counts only records the state would take — a record
//! with a fatal finding is not counted, and the count says how many and why.
//!
//! ```no_run
//! use rollcall::census::{Breakdown, Counter};
//! let schema = rollcall::schema::Schema::embedded()?;
//! let inputs = rollcall::source::expand(&["samples/clean".into()])?;
//! let counter = Counter::count_files(&schema, &inputs, chrono::NaiveDate::from_ymd_opt(2026, 7, 15).unwrap())?;
//! let year = rollcall::domain::date::AcademicYear(2025);
//! let census = counter.count(year, year.census_day(), Breakdown::Demographics);
//! # Ok::<(), rollcall::Error>(())
//! ```

mod layouts;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::diagnostic::{Finding, Rule, RuleSet, Sink};
use crate::domain::codes::{digits, LocalId, StudentKey};
use crate::domain::date::{day_number, AcademicYear};
use crate::domain::enrollment::{DaySpan, EnrollmentStatus, ExitReason, Grade, OPEN};
use crate::engine::{Accumulator, Checker, Options};
use crate::error::Error;
use crate::layout::spec::LayoutValue;
use crate::layout::Table;
use crate::rules::{self, RecordCtx};
use crate::schema::{names, Schema};
use crate::source::{Input, RecordSource};
pub use layouts::{embedded_names as embedded_layouts, load_layout, COLUMNS, PARAMS, VOCABULARY};

/// Race/ethnicity reporting groups, with the one-digit codes of the census files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    NotReported,
    AmericanIndian,
    Asian,
    PacificIslander,
    Filipino,
    Hispanic,
    AfricanAmerican,
    White,
    TwoOrMore,
}

impl Group {
    /// The group's code in census files (0–7, 9).
    pub fn code(self) -> &'static str {
        match self {
            Group::NotReported => "0",
            Group::AmericanIndian => "1",
            Group::Asian => "2",
            Group::PacificIslander => "3",
            Group::Filipino => "4",
            Group::Hispanic => "5",
            Group::AfricanAmerican => "6",
            Group::White => "7",
            Group::TwoOrMore => "9",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Group::NotReported => "Not reported",
            Group::AmericanIndian => "American Indian or Alaska Native",
            Group::Asian => "Asian",
            Group::PacificIslander => "Pacific Islander",
            Group::Filipino => "Filipino",
            Group::Hispanic => "Hispanic or Latino",
            Group::AfricanAmerican => "African American",
            Group::White => "White",
            Group::TwoOrMore => "Two or more races",
        }
    }

    /// The group of one CALPADS race code (100, 201–299, 301–399, 400, 600, 700).
    pub fn of_race(code: &[u8]) -> Option<Group> {
        match code {
            [b'1', _, _] => Some(Group::AmericanIndian),
            [b'2', _, _] => Some(Group::Asian),
            [b'3', _, _] => Some(Group::PacificIslander),
            [b'4', _, _] => Some(Group::Filipino),
            [b'6', _, _] => Some(Group::AfricanAmerican),
            [b'7', _, _] => Some(Group::White),
            _ => None,
        }
    }

    /// Hispanic indicator `Y` → Hispanic; else the race codes' group, two or more different
    /// groups → two or more races; nothing → not reported.
    ///
    /// ```
    /// use rollcall::census::Group;
    /// assert_eq!(Group::from_sinf(b"Y", &[b"700"]), Group::Hispanic);
    /// assert_eq!(Group::from_sinf(b"N", &[b"201", b"202"]), Group::Asian);
    /// assert_eq!(Group::from_sinf(b"N", &[b"201", b"700"]), Group::TwoOrMore);
    /// assert_eq!(Group::from_sinf(b"", &[]), Group::NotReported);
    /// ```
    pub fn from_sinf(hispanic: &[u8], races: &[&[u8]]) -> Group {
        if hispanic == b"Y" {
            return Group::Hispanic;
        }
        let mut groups: Vec<Group> = races.iter().filter_map(|r| Group::of_race(r)).collect();
        groups.sort();
        groups.dedup();
        match groups[..] {
            [] => Group::NotReported,
            [one] => one,
            _ => Group::TwoOrMore,
        }
    }
}

/// How finely to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// School × grade.
    SchoolGrade,
    /// School × grade × gender × race/ethnicity group (from SINF).
    Demographics,
}

/// One census row's key. Grades sort in code-set order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub lea: u32,
    pub school: u32,
    pub grade_rank: usize,
    pub grade: Grade,
    /// The gender code (`F`, `M`, `X`); 0 under [`Breakdown::SchoolGrade`].
    pub gender: u8,
    /// `None` under [`Breakdown::SchoolGrade`].
    pub group: Option<Group>,
}

/// Enrollments counted per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub primary: u64,
    pub secondary: u64,
    pub short_term: u64,
    pub non_ada: u64,
}

impl Counts {
    pub fn add(&mut self, status: EnrollmentStatus) {
        match status {
            EnrollmentStatus::Primary => self.primary += 1,
            EnrollmentStatus::Secondary => self.secondary += 1,
            EnrollmentStatus::ShortTerm => self.short_term += 1,
            EnrollmentStatus::NonAda => self.non_ada += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.primary + self.secondary + self.short_term + self.non_ada
    }
}

/// The counts of one Census Day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    pub year: AcademicYear,
    pub day: NaiveDate,
    pub rows: BTreeMap<Key, Counts>,
}

/// One enrollment as the census keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counted {
    lea: u32,
    school: u32,
    student: StudentKey,
    grade: Grade,
    status: EnrollmentStatus,
    span: DaySpan,
    exit_reason: ExitReason,
    gender: u8,
    year: AcademicYear,
}

impl Counted {
    /// Whether it counts on `day` of `year`: that year's record, enrolled that day, not a
    /// no-show (the one definition of [`ExitReason::is_no_show`]).
    fn is_active(&self, year: AcademicYear, day: i32) -> bool {
        self.year == year && !self.exit_reason.is_no_show() && self.span.start <= self.span.end && self.span.contains(day)
    }
}

/// One SINF record as the census keeps it: who, when it is effective, gender and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Described {
    student: StudentKey,
    span: DaySpan,
    gender: u8,
    group: Group,
}

/// Where the fields the census reads sit in one compiled layout form.
#[derive(Debug, Clone, Default)]
struct Positions {
    transaction: Option<usize>,
    lea: Option<usize>,
    school: Option<usize>,
    ssid: Option<usize>,
    local_id: Option<usize>,
    grade: Option<usize>,
    status: Option<usize>,
    start: Option<usize>,
    exit: Option<usize>,
    exit_reason: Option<usize>,
    gender: Option<usize>,
    effective_start: Option<usize>,
    effective_end: Option<usize>,
    hispanic: Option<usize>,
    races: [Option<usize>; 5],
}

impl Positions {
    fn of(ctx: &RecordCtx<'_, '_>) -> Positions {
        let at = |name: &str| ctx.compiled.fields.iter().position(|f| f.spec.name == name);
        Positions {
            transaction: at(names::TRANSACTION_TYPE_CODE),
            lea: at(names::REPORTING_LEA),
            school: at(names::SCHOOL_OF_ATTENDANCE),
            ssid: at(names::SSID),
            local_id: at(names::LOCAL_STUDENT_ID),
            grade: at("grade_level_code"),
            status: at("enrollment_status_code"),
            start: at("enrollment_start_date"),
            exit: at("enrollment_exit_date"),
            exit_reason: at("student_exit_reason_code"),
            gender: at("student_gender_code"),
            effective_start: at("effective_start_date"),
            effective_end: at("effective_end_date"),
            hispanic: at("student_hispanic_ethnicity_indicator"),
            races: [1, 2, 3, 4, 5].map(|i| at(&format!("student_race_{i}_code"))),
        }
    }
}

/// Why records were not counted, and how many.
pub type NotCounted = BTreeMap<&'static str, u64>;

/// The census accumulator: every SENR enrollment and SINF record the state would take,
/// reduced to what the census needs (about 50 bytes each).
#[derive(Debug, Default)]
pub struct Counter {
    enrollments: Vec<Counted>,
    described: Vec<Described>,
    /// Per compiled layout form (by its id), where the fields are.
    positions: Vec<Option<Positions>>,
    /// SENR records not counted, by reason.
    pub not_counted: NotCounted,
}

/// The reason a record with a fatal finding is not counted.
pub const REJECTED: &str = "with a fatal finding (the state would reject them)";

impl Accumulator for Counter {
    fn add(&mut self, ctx: &RecordCtx<'_, '_>, fatal: bool, _: &mut Vec<Finding>) {
        let record_type = ctx.compiled.layout.record_type.as_str();
        if record_type != "SENR" && record_type != "SINF" {
            return;
        }
        let id = ctx.compiled.id;
        if self.positions.len() <= id {
            self.positions.resize(id + 1, None);
        }
        let at = self.positions[id].get_or_insert_with(|| Positions::of(ctx)).clone();
        if at.transaction.is_some_and(|i| ctx.raw(i) == b"D") {
            return;
        }
        if record_type == "SENR" {
            if fatal {
                *self.not_counted.entry(REJECTED).or_default() += 1;
                return;
            }
            match enrollment(ctx, &at) {
                Some(e) => self.enrollments.push(e),
                None => *self.not_counted.entry("with a value the census needs not valid").or_default() += 1,
            }
        } else if !fatal {
            self.described.extend(described(ctx, &at));
        }
    }
}

/// The student a record is about: its SSID, or (a SENR of a new student) its local ID.
fn student(ctx: &RecordCtx<'_, '_>, at: &Positions) -> Option<StudentKey> {
    let ssid = at.ssid.map(|i| ctx.raw(i)).unwrap_or_default();
    if ssid.is_empty() {
        return at.local_id.and_then(|i| LocalId::new(ctx.raw(i))).map(StudentKey::Local);
    }
    digits(ssid).map(StudentKey::Ssid)
}

fn code_u32(ctx: &RecordCtx<'_, '_>, at: Option<usize>) -> Option<u32> {
    at.filter(|i| ctx.is_valid(*i)).and_then(|i| digits(ctx.raw(i))).and_then(|n| u32::try_from(n).ok())
}

fn enrollment(ctx: &RecordCtx<'_, '_>, at: &Positions) -> Option<Counted> {
    let valid = |i: Option<usize>| i.filter(|i| ctx.is_valid(*i));
    let start = ctx.date(valid(at.start)?)?;
    let end = match at.exit {
        Some(i) if !ctx.is_blank(i) => day_number(ctx.date(i)?),
        _ => OPEN,
    };
    Some(Counted {
        lea: code_u32(ctx, at.lea)?,
        school: code_u32(ctx, at.school)?,
        student: student(ctx, at)?,
        grade: Grade::new(ctx.raw(valid(at.grade)?))?,
        status: EnrollmentStatus::from_code(ctx.raw(valid(at.status)?))?,
        span: DaySpan { start: day_number(start), end },
        exit_reason: ExitReason::new(at.exit_reason.map(|i| ctx.raw(i)).unwrap_or_default()),
        gender: *ctx.raw(valid(at.gender)?).first()?,
        year: ctx.compiled.year,
    })
}

fn described(ctx: &RecordCtx<'_, '_>, at: &Positions) -> Option<Described> {
    let start = ctx.date(at.effective_start?)?;
    let end = match at.effective_end {
        Some(i) if !ctx.is_blank(i) => day_number(ctx.date(i)?),
        _ => OPEN,
    };
    let races: Vec<&[u8]> = at.races.iter().map(|r| r.map(|i| ctx.raw(i)).unwrap_or_default()).collect();
    Some(Described {
        student: student(ctx, at)?,
        span: DaySpan { start: day_number(start), end },
        gender: *ctx.raw(at.gender?).first()?,
        group: Group::from_sinf(at.hispanic.map(|i| ctx.raw(i)).unwrap_or_default(), &races),
    })
}

/// A sink that keeps nothing: the census runs the rules only to know which records are valid.
struct Discard;

impl Sink for Discard {
    fn wants_excerpt(&mut self, _: &'static Rule) -> bool {
        false
    }
    fn finding(&mut self, _: Finding) -> std::io::Result<()> {
        Ok(())
    }
}

/// The rules a census run needs: the field and record rules that decide whether the state
/// takes a record. The whole-run rules are left out (they run in `rollcall check`).
fn census_rules() -> RuleSet {
    RuleSet::without(rules::whole_run())
}

impl Counter {
    /// Counts the CALPADS files `inputs` through the engine (field and record rules on).
    pub fn count_files(schema: &Schema, inputs: &[Input], as_of: NaiveDate) -> Result<Counter, Error> {
        let mut options = Options::new(as_of);
        options.rules = census_rules();
        let mut counter = Counter::default();
        Checker::new(schema, inputs, options).run_files_accumulating(&mut Discard, &mut counter)?;
        Ok(counter)
    }

    /// Counts records of `sources` (records in memory, say) through the engine.
    pub fn count_sources(schema: &Schema, inputs: &[Input], sources: Vec<Box<dyn RecordSource>>, as_of: NaiveDate) -> Result<Counter, Error> {
        let mut options = Options::new(as_of);
        options.rules = census_rules();
        let mut counter = Counter::default();
        Checker::new(schema, inputs, options).run_accumulating(sources, &mut Discard, &mut counter)?;
        Ok(counter)
    }

    /// The latest academic year of the counted enrollments.
    pub fn latest_year(&self) -> Option<AcademicYear> {
        self.enrollments.iter().map(|e| e.year).max()
    }

    /// How many enrollments were counted (on any day).
    pub fn enrollments(&self) -> usize {
        self.enrollments.len()
    }

    /// Counts the enrollments active on `day` of `year`; rows in grade order, infant to adult,
    /// then ungraded codes.
    pub fn count(&self, year: AcademicYear, day: NaiveDate, breakdown: Breakdown) -> Census {
        let today = day_number(day);
        let info = self.described_on(today);
        let mut rows: BTreeMap<Key, Counts> = BTreeMap::new();
        for e in self.enrollments.iter().filter(|e| e.is_active(year, today)) {
            let grade_rank = e.grade.rank().map_or(usize::MAX, usize::from);
            let mut key = Key { lea: e.lea, school: e.school, grade_rank, grade: e.grade, gender: 0, group: None };
            if breakdown == Breakdown::Demographics {
                let person = info.get(&e.student);
                key.gender = person.map_or(e.gender, |p| p.gender);
                key.group = Some(person.map_or(Group::NotReported, |p| p.group));
            }
            rows.entry(key).or_default().add(e.status);
        }
        Census { year, day, rows }
    }

    /// Per student, the SINF record effective on `day` (the latest-starting one).
    fn described_on(&self, day: i32) -> HashMap<StudentKey, &Described> {
        let mut out: HashMap<StudentKey, &Described> = HashMap::new();
        for d in self.described.iter().filter(|d| d.span.contains(day)) {
            let slot = out.entry(d.student).or_insert(d);
            if d.span.start >= slot.span.start {
                *slot = d;
            }
        }
        out
    }
}

impl Census {
    /// The rows as a table for a layout writer, in key order.
    pub fn table(&self) -> Table {
        let code = |n: u32| LayoutValue::Text(format!("{n:07}"));
        let rows = self.rows.iter().map(|(k, c)| {
            vec![
                code(k.lea),
                code(k.school),
                LayoutValue::Text(k.grade.to_string()),
                if k.gender == 0 { LayoutValue::Blank } else { LayoutValue::Text(char::from(k.gender).to_string()) },
                k.group.map_or(LayoutValue::Blank, |g| LayoutValue::Text(g.code().to_owned())),
                k.group.map_or(LayoutValue::Blank, |g| LayoutValue::Text(g.name().to_owned())),
                LayoutValue::count(c.primary),
                LayoutValue::count(c.secondary),
                LayoutValue::count(c.short_term),
                LayoutValue::count(c.non_ada),
                LayoutValue::count(c.total()),
            ]
        });
        Table { columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(), rows: rows.collect() }
    }

    /// The reporting LEAs the rows belong to, sorted, as 7-digit codes.
    pub fn leas(&self) -> Vec<String> {
        let mut leas: Vec<u32> = self.rows.keys().map(|k| k.lea).collect();
        leas.dedup();
        leas.into_iter().map(|l| format!("{l:07}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> i32 {
        day_number(NaiveDate::from_ymd_opt(2025, m, d).unwrap())
    }

    fn counted(ssid: u64, status: EnrollmentStatus, start: i32, end: i32, reason: &[u8]) -> Counted {
        Counted {
            lea: 1964733,
            school: 6019715,
            student: StudentKey::Ssid(ssid),
            grade: Grade::new(b"KN").unwrap(),
            status,
            span: DaySpan { start, end },
            exit_reason: ExitReason::new(reason),
            gender: b'M',
            year: AcademicYear(2025),
        }
    }

    #[test]
    fn counts_active_enrollments_by_status() {
        let census_day = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let counter = Counter {
            enrollments: vec![
                counted(1, EnrollmentStatus::Primary, day(8, 14), OPEN, b""),
                counted(2, EnrollmentStatus::Secondary, day(8, 14), day(10, 1), b"E170"),
                counted(3, EnrollmentStatus::Primary, day(8, 14), day(9, 30), b"T160"),
                counted(4, EnrollmentStatus::Primary, day(10, 2), OPEN, b""),
                counted(5, EnrollmentStatus::Primary, day(8, 14), day(8, 14), b"N470"),
            ],
            described: vec![Described {
                student: StudentKey::Ssid(1),
                span: DaySpan { start: day(8, 1), end: OPEN },
                gender: b'F',
                group: Group::Asian,
            }],
            ..Counter::default()
        };
        let plain = counter.count(AcademicYear(2025), census_day, Breakdown::SchoolGrade);
        let counts: Vec<&Counts> = plain.rows.values().collect();
        assert_eq!(counts, [&Counts { primary: 1, secondary: 1, short_term: 0, non_ada: 0 }]);
        let demo = counter.count(AcademicYear(2025), census_day, Breakdown::Demographics);
        let keys: Vec<(u8, Option<Group>)> = demo.rows.keys().map(|k| (k.gender, k.group)).collect();
        assert_eq!(keys, [(b'F', Some(Group::Asian)), (b'M', Some(Group::NotReported))]);
    }
}
