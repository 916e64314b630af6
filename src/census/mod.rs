//! Census Day counting: the enrollments active on a day, per school and grade, with primary,
//! secondary, short-term and non-ADA enrollments kept apart, and optionally by gender and
//! race/ethnicity group from the student information (SINF) effective that day. Reads
//! CALPADS records by field name through the schema, so it works for any year's layout.
//!
//! ```no_run
//! use rollcall::census::{Breakdown, Sources};
//! let schema = rollcall::schema::Schema::embedded()?;
//! let inputs = rollcall::source::expand(&["samples/clean".into()])?;
//! let sources = Sources::read_files(&schema, &inputs)?;
//! let year = rollcall::domain::date::AcademicYear(2025);
//! let census = sources.count(year, year.census_day(), Breakdown::Demographics, &["KN".to_owned()]);
//! # Ok::<(), rollcall::Error>(())
//! ```

mod layouts;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use csv::ByteRecord;

use crate::domain::date::{parse_ccyymmdd, AcademicYear};
use crate::error::Error;
use crate::layout::spec::Value;
use crate::layout::Table;
use crate::schema::{names, Layout, Schema};
use crate::source::{CaretFile, Input};
pub use layouts::{embedded_names as embedded_layouts, load_layout, COLUMNS, PARAMS, VOCABULARY};

/// Enrollment status, kept apart in every count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// 10: the school providing most of the instruction.
    Primary,
    /// 20: a concurrent, non-primary enrollment.
    Secondary,
    /// 30: a short-term enrollment.
    ShortTerm,
    /// 50: a non-ADA enrollment.
    NonAda,
}

impl Status {
    /// The status of an enrollment status code; `None` for a code outside the set.
    pub fn from_code(code: &[u8]) -> Option<Status> {
        match code {
            b"10" => Some(Status::Primary),
            b"20" => Some(Status::Secondary),
            b"30" => Some(Status::ShortTerm),
            b"50" => Some(Status::NonAda),
            _ => None,
        }
    }
}

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

/// A short code kept inline, without a heap allocation: an SSID, LEA or school code, a
/// grade, gender or exit reason (at most 10 ASCII bytes). A state-sized census holds a
/// million enrollments, so they stay a fixed ~100 bytes each.
///
/// ```
/// use rollcall::census::Code;
/// assert_eq!(Code::new(b"9990011").unwrap().as_str(), "9990011");
/// assert!(Code::new(b"ABCDEFGHIJK").is_none());
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    len: u8,
    bytes: [u8; 10],
}

impl Code {
    /// `raw` as a code; `None` when it is longer than 10 bytes or not ASCII (such a value
    /// is a finding of `rollcall check`, and its record is not counted).
    pub fn new(raw: &[u8]) -> Option<Code> {
        if raw.len() > 10 || !raw.is_ascii() {
            return None;
        }
        let mut bytes = [0; 10];
        bytes[..raw.len()].copy_from_slice(raw);
        Some(Code { len: raw.len() as u8, bytes })
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of one SENR record the census needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub lea: Code,
    pub school: Code,
    pub ssid: Code,
    pub grade: Code,
    pub status: Status,
    pub start: NaiveDate,
    pub exit: Option<NaiveDate>,
    pub exit_reason: Code,
    pub gender: Code,
    pub year: Option<AcademicYear>,
}

/// The parts of one SINF record the census needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentInfo {
    pub ssid: Code,
    pub effective_start: NaiveDate,
    pub effective_end: Option<NaiveDate>,
    pub gender: Code,
    pub group: Group,
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
    pub lea: Code,
    pub school: Code,
    pub grade_rank: usize,
    pub grade: Code,
    /// Empty under [`Breakdown::SchoolGrade`].
    pub gender: Code,
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
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Primary => self.primary += 1,
            Status::Secondary => self.secondary += 1,
            Status::ShortTerm => self.short_term += 1,
            Status::NonAda => self.non_ada += 1,
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

/// Exit reasons of students who never attended (no-shows), never counted.
const NO_SHOWS: [&str; 2] = ["N420", "N470"];

impl Enrollment {
    /// Whether the enrollment counts on `day` of `year`: that year's record, started on or
    /// before the day, not exited before it, not a no-show.
    pub fn is_active(&self, year: AcademicYear, day: NaiveDate) -> bool {
        self.year.is_none_or(|y| y == year)
            && self.start <= day
            && self.exit.is_none_or(|e| e >= day)
            && !NO_SHOWS.contains(&self.exit_reason.as_str())
    }
}

/// Every SENR and SINF record of a run, reduced to what the census needs.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub enrollments: Vec<Enrollment>,
    pub info: Vec<StudentInfo>,
    /// Where the needed fields are, per layout form met so far.
    positions: Vec<(Form, Positions)>,
}

/// A layout form: the layout's index, whether it is the download variant, and the year.
type Form = (usize, bool, Option<AcademicYear>);

impl Sources {
    /// Reads every SENR and SINF record of CALPADS files (other record types are skipped).
    pub fn read_files(schema: &Schema, inputs: &[Input]) -> Result<Sources, Error> {
        let mut sources = Sources::default();
        let mut rec = ByteRecord::new();
        for input in inputs {
            let mut reader = CaretFile::open(0, input)?;
            while reader.next(&mut rec)?.is_some() {
                sources.add(schema, &rec);
            }
        }
        Ok(sources)
    }

    /// Adds one CALPADS record; deletes, other record types and records whose key fields
    /// are not valid are skipped (`rollcall check` reports those).
    pub fn add(&mut self, schema: &Schema, rec: &ByteRecord) {
        let Some((index, download)) = schema.layout(rec.get(0).unwrap_or_default()) else { return };
        let layout = &schema.layouts[index];
        let year = layout.stable_position(names::ACADEMIC_YEAR_ID).and_then(|p| rec.get(p)).and_then(AcademicYear::parse);
        let form = (index, download, year);
        let at = match self.positions.iter().position(|(f, _)| *f == form) {
            Some(i) => i,
            None => {
                self.positions.push((form, Positions::new(layout, download, year)));
                self.positions.len() - 1
            }
        };
        let fields = Fields { at: &self.positions[at].1, rec };
        if fields.raw(fields.at.transaction) == b"D" {
            return;
        }
        match layout.record_type.as_str() {
            "SENR" => self.enrollments.extend(fields.enrollment(year)),
            "SINF" => self.info.extend(fields.info()),
            _ => {}
        }
    }

    /// Counts the enrollments active on `day` of `year`; `grade_order` ranks grade codes.
    pub fn count(&self, year: AcademicYear, day: NaiveDate, breakdown: Breakdown, grade_order: &[String]) -> Census {
        let info = self.info_on(day);
        let mut rows: BTreeMap<Key, Counts> = BTreeMap::new();
        for e in self.enrollments.iter().filter(|e| e.is_active(year, day)) {
            let grade_rank = grade_order.iter().position(|g| g == e.grade.as_str()).unwrap_or(usize::MAX);
            let mut key = Key { lea: e.lea, school: e.school, grade_rank, grade: e.grade, gender: Code::default(), group: None };
            if breakdown == Breakdown::Demographics {
                let person = info.get(&e.ssid);
                key.gender = person.map_or(e.gender, |p| p.gender);
                key.group = Some(person.map_or(Group::NotReported, |p| p.group));
            }
            rows.entry(key).or_default().add(e.status);
        }
        Census { year, day, rows }
    }

    /// Per SSID, the SINF record effective on `day` (the latest-starting one).
    fn info_on(&self, day: NaiveDate) -> HashMap<Code, &StudentInfo> {
        let mut out: HashMap<Code, &StudentInfo> = HashMap::new();
        for i in self.info.iter().filter(|i| i.effective_start <= day && i.effective_end.is_none_or(|e| e >= day)) {
            let slot = out.entry(i.ssid).or_insert(i);
            if i.effective_start >= slot.effective_start {
                *slot = i;
            }
        }
        out
    }
}

/// Where the fields the census reads sit in one form of a layout (year, upload or download),
/// found once per form instead of once per record.
#[derive(Debug, Clone)]
struct Positions {
    transaction: Option<usize>,
    lea: Option<usize>,
    school: Option<usize>,
    ssid: Option<usize>,
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
    fn new(layout: &Layout, download: bool, year: Option<AcademicYear>) -> Positions {
        let fields = match year {
            Some(y) => layout.fields_for(y, download),
            None => layout.fields.iter().collect(),
        };
        let at = |name: &str| fields.iter().position(|f| f.name == name);
        Positions {
            transaction: at(names::TRANSACTION_TYPE_CODE),
            lea: at(names::REPORTING_LEA),
            school: at("school_of_attendance"),
            ssid: at(names::SSID),
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

/// One record read through the positions of its layout form.
struct Fields<'r> {
    at: &'r Positions,
    rec: &'r ByteRecord,
}

impl<'r> Fields<'r> {
    fn raw(&self, at: Option<usize>) -> &'r [u8] {
        at.and_then(|i| self.rec.get(i)).unwrap_or_default()
    }

    fn code(&self, at: Option<usize>) -> Option<Code> {
        Code::new(self.raw(at))
    }

    fn date(&self, at: Option<usize>) -> Option<NaiveDate> {
        parse_ccyymmdd(self.raw(at))
    }

    /// A blank date is `Some(None)`; a date that is not one is `None`.
    fn optional_date(&self, at: Option<usize>) -> Option<Option<NaiveDate>> {
        let raw = self.raw(at);
        if raw.is_empty() {
            Some(None)
        } else {
            parse_ccyymmdd(raw).map(Some)
        }
    }

    fn enrollment(&self, year: Option<AcademicYear>) -> Option<Enrollment> {
        let a = self.at;
        Some(Enrollment {
            lea: self.code(a.lea)?,
            school: self.code(a.school)?,
            ssid: self.code(a.ssid)?,
            grade: self.code(a.grade)?,
            status: Status::from_code(self.raw(a.status))?,
            start: self.date(a.start)?,
            exit: self.optional_date(a.exit)?,
            exit_reason: self.code(a.exit_reason)?,
            gender: self.code(a.gender)?,
            year,
        })
    }

    fn info(&self) -> Option<StudentInfo> {
        let a = self.at;
        let races: [&[u8]; 5] = a.races.map(|r| self.raw(r));
        Some(StudentInfo {
            ssid: self.code(a.ssid)?,
            effective_start: self.date(a.effective_start)?,
            effective_end: self.optional_date(a.effective_end)?,
            gender: self.code(a.gender)?,
            group: Group::from_sinf(self.raw(a.hispanic), &races),
        })
    }
}

impl Census {
    /// The rows as a table for a layout writer, in key order.
    pub fn table(&self) -> Table {
        let text = |c: &Code| if c.is_empty() { Value::Blank } else { Value::Text(c.to_string()) };
        let rows = self.rows.iter().map(|(k, c)| {
            vec![
                text(&k.lea),
                text(&k.school),
                text(&k.grade),
                text(&k.gender),
                k.group.map_or(Value::Blank, |g| Value::Text(g.code().to_owned())),
                k.group.map_or(Value::Blank, |g| Value::Text(g.name().to_owned())),
                Value::count(c.primary),
                Value::count(c.secondary),
                Value::count(c.short_term),
                Value::count(c.non_ada),
                Value::count(c.total()),
            ]
        });
        Table { columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(), rows: rows.collect() }
    }

    /// The reporting LEAs the rows belong to, sorted.
    pub fn leas(&self) -> Vec<&str> {
        let mut leas: Vec<&str> = self.rows.keys().map(|k| k.lea.as_str()).collect();
        leas.dedup();
        leas
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    fn code(s: &str) -> Code {
        Code::new(s.as_bytes()).unwrap()
    }

    fn enrollment(ssid: &str, status: Status, start: NaiveDate, exit: Option<NaiveDate>, reason: &str) -> Enrollment {
        Enrollment {
            lea: code("1964733"),
            school: code("6019715"),
            ssid: code(ssid),
            grade: code("KN"),
            status,
            start,
            exit,
            exit_reason: code(reason),
            gender: code("M"),
            year: Some(AcademicYear(2025)),
        }
    }

    #[test]
    fn counts_active_enrollments_by_status() {
        let census_day = day(10, 1);
        let sources = Sources {
            enrollments: vec![
                enrollment("1", Status::Primary, day(8, 14), None, ""),
                enrollment("2", Status::Secondary, day(8, 14), Some(census_day), "E170"),
                enrollment("3", Status::Primary, day(8, 14), Some(day(9, 30)), "T160"),
                enrollment("4", Status::Primary, day(10, 2), None, ""),
                enrollment("5", Status::Primary, day(8, 14), Some(day(8, 14)), "N470"),
            ],
            info: vec![StudentInfo { ssid: code("1"), effective_start: day(8, 1), effective_end: None, gender: code("F"), group: Group::Asian }],
            ..Sources::default()
        };
        let plain = sources.count(AcademicYear(2025), census_day, Breakdown::SchoolGrade, &[]);
        let counts: Vec<&Counts> = plain.rows.values().collect();
        assert_eq!(counts, [&Counts { primary: 1, secondary: 1, short_term: 0, non_ada: 0 }]);
        let demo = sources.count(AcademicYear(2025), census_day, Breakdown::Demographics, &[]);
        let keys: Vec<(String, Option<Group>)> = demo.rows.keys().map(|k| (k.gender.to_string(), k.group)).collect();
        assert_eq!(keys, [("F".to_owned(), Some(Group::Asian)), ("M".to_owned(), Some(Group::NotReported))]);
    }
}
