//! Attendance categories and the table that maps a district's local attendance codes onto
//! them (attendance.md). The categories are the seven of the state's Student Absence Summary
//! (STAS), with tardy kept apart from present (both are days attended in person) because
//! truancy counts tardies over 30 minutes.
//!
//! ```
//! use rollcall::domain::attendance::{Category, CodeTable};
//! let table = CodeTable::default();
//! assert_eq!(table.category(b"T"), Some(Category::Tardy));
//! assert!(Category::Tardy.is_classroom_attendance() && !Category::Excused.is_classroom_attendance());
//! assert_eq!(table.category(b"X9"), None);
//! ```

/// What a day of attendance was, for funding and for the STAS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Present all day.
    Present,
    /// Present, late (or left early): a day attended in person.
    Tardy,
    /// Absent, excused (not a suspension).
    Excused,
    /// Absent, unexcused (not a suspension).
    Unexcused,
    /// Out-of-school suspension: an absence.
    Suspension,
    /// In-school suspension: a day in attendance.
    InSchoolSuspension,
    /// ADA-generating independent study.
    IndependentStudy,
    /// Independent study that generates no ADA.
    NonAdaIndependentStudy,
}

impl Category {
    /// Every category, in STAS order (present and tardy first).
    pub const ALL: [Category; 8] = [
        Category::Present,
        Category::Tardy,
        Category::Suspension,
        Category::InSchoolSuspension,
        Category::Excused,
        Category::Unexcused,
        Category::NonAdaIndependentStudy,
        Category::IndependentStudy,
    ];

    /// The word the code table and reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Present => "present",
            Category::Tardy => "tardy",
            Category::Excused => "excused",
            Category::Unexcused => "unexcused",
            Category::Suspension => "suspension",
            Category::InSchoolSuspension => "in_school_suspension",
            Category::IndependentStudy => "independent_study",
            Category::NonAdaIndependentStudy => "non_ada_independent_study",
        }
    }

    /// The category a code table's word names.
    pub fn parse(word: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == word)
    }

    /// A day of classroom attendance for ADA: present, tardy or in-school suspension.
    pub fn is_classroom_attendance(self) -> bool {
        matches!(self, Category::Present | Category::Tardy | Category::InSchoolSuspension)
    }

    /// An absent day for chronic absenteeism: out-of-school suspension, excused, unexcused,
    /// non-ADA independent study.
    pub fn is_absence(self) -> bool {
        matches!(self, Category::Suspension | Category::Excused | Category::Unexcused | Category::NonAdaIndependentStudy)
    }

    /// The STAS count the category adds to (present and tardy both to days attended in person).
    pub fn stas(self) -> StasCount {
        match self {
            Category::Present | Category::Tardy => StasCount::InPerson,
            Category::Suspension => StasCount::Suspension,
            Category::InSchoolSuspension => StasCount::InSchoolSuspension,
            Category::Excused => StasCount::Excused,
            Category::Unexcused => StasCount::Unexcused,
            Category::NonAdaIndependentStudy => StasCount::NonAdaIndependentStudy,
            Category::IndependentStudy => StasCount::IndependentStudy,
        }
    }

    /// A small number for packed day maps (1-based; 0 means no record).
    pub fn index(self) -> u8 {
        // (Every daily record is stored by it: a match, not a search of `ALL`.)
        match self {
            Category::Present => 1,
            Category::Tardy => 2,
            Category::Suspension => 3,
            Category::InSchoolSuspension => 4,
            Category::Excused => 5,
            Category::Unexcused => 6,
            Category::NonAdaIndependentStudy => 7,
            Category::IndependentStudy => 8,
        }
    }

    /// The category of [`Category::index`].
    pub fn from_index(i: u8) -> Option<Category> {
        Category::ALL.get(usize::from(i).checked_sub(1)?).copied()
    }
}

/// The seven day counts of a Student Absence Summary, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StasCount {
    InPerson,
    Suspension,
    InSchoolSuspension,
    Excused,
    Unexcused,
    NonAdaIndependentStudy,
    IndependentStudy,
}

impl StasCount {
    /// Every count, in STAS field order.
    pub const ALL: [StasCount; 7] = [
        StasCount::InPerson,
        StasCount::Suspension,
        StasCount::InSchoolSuspension,
        StasCount::Excused,
        StasCount::Unexcused,
        StasCount::NonAdaIndependentStudy,
        StasCount::IndependentStudy,
    ];

    /// The STAS field that holds it (calpads-layouts.md).
    pub fn field(self) -> &'static str {
        match self {
            StasCount::InPerson => "days_attended_in_person",
            StasCount::Suspension => "days_absent_out_of_school_suspension",
            StasCount::InSchoolSuspension => "days_in_attendance_in_school_suspension",
            StasCount::Excused => "days_absent_in_person_excused_non_suspension",
            StasCount::Unexcused => "days_absent_in_person_unexcused_non_suspension",
            StasCount::NonAdaIndependentStudy => "non_ada_generating_independent_study_days",
            StasCount::IndependentStudy => "ada_generating_independent_study_days",
        }
    }

    /// As a person says it.
    pub fn describe(self) -> &'static str {
        match self {
            StasCount::InPerson => "days attended in person",
            StasCount::Suspension => "out-of-school suspension days",
            StasCount::InSchoolSuspension => "in-school suspension days",
            StasCount::Excused => "excused absences",
            StasCount::Unexcused => "unexcused absences",
            StasCount::NonAdaIndependentStudy => "non-ADA independent study days",
            StasCount::IndependentStudy => "ADA independent study days",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One local code and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalCode {
    pub code: String,
    pub category: Category,
    pub name: String,
}

/// Local attendance codes mapped to categories. The default is the table of
/// `schemas/calpads/attendance-codes.toml`; a mapping file extends or replaces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeTable {
    codes: Vec<LocalCode>,
    /// The codes of up to 8 bytes packed into a `u64` each, for the lookup of every record.
    packed: Vec<(u64, Category)>,
}

/// Up to 8 bytes in a `u64` (with the length, so `A` and `A\0` differ); `None` when longer.
fn pack(code: &[u8]) -> Option<u64> {
    if code.len() > 7 {
        return None;
    }
    // Byte by byte rather than a copy into an array: a copy of a length not known at compile
    // time is a call to memcpy, on every attendance row.
    let packed = code.iter().enumerate().fold((code.len() as u64) << 56, |k, (i, b)| k | u64::from(*b) << (8 * i));
    Some(packed)
}

impl Default for CodeTable {
    /// `P` present, `T` tardy, `A` excused, `U` unexcused, `S` out-of-school suspension, `I`
    /// in-school suspension, `IS` ADA independent study, `N` non-ADA independent study.
    fn default() -> CodeTable {
        let codes = [
            ("P", Category::Present, "Present"),
            ("T", Category::Tardy, "Tardy (present)"),
            ("A", Category::Excused, "Excused absence"),
            ("U", Category::Unexcused, "Unexcused absence"),
            ("S", Category::Suspension, "Out-of-school suspension"),
            ("I", Category::InSchoolSuspension, "In-school suspension"),
            ("IS", Category::IndependentStudy, "Independent study (ADA)"),
            ("N", Category::NonAdaIndependentStudy, "Independent study (no ADA)"),
        ];
        CodeTable::new(codes.into_iter().map(|(c, k, n)| LocalCode { code: c.to_owned(), category: k, name: n.to_owned() }).collect())
    }
}

impl CodeTable {
    /// A table of exactly `codes`.
    pub fn new(codes: Vec<LocalCode>) -> CodeTable {
        let mut t = CodeTable { codes, packed: Vec::new() };
        t.repack();
        t
    }

    fn repack(&mut self) {
        self.packed = self.codes.iter().filter_map(|c| pack(c.code.as_bytes()).map(|k| (k, c.category))).collect();
    }

    /// Adds `code`, replacing what the table said of the same code.
    pub fn set(&mut self, code: LocalCode) {
        match self.codes.iter_mut().find(|c| c.code == code.code) {
            Some(c) => *c = code,
            None => self.codes.push(code),
        }
        self.repack();
    }

    /// The category of a local code as read (surrounding spaces ignored, case kept).
    pub fn category(&self, code: &[u8]) -> Option<Category> {
        let code = code.trim_ascii();
        match pack(code) {
            Some(k) => self.packed.iter().find(|(p, _)| *p == k).map(|(_, c)| *c),
            None => self.codes.iter().find(|c| c.code.as_bytes() == code).map(|c| c.category),
        }
    }

    /// The codes, in table order.
    pub fn codes(&self) -> &[LocalCode] {
        &self.codes
    }
}

/// The figures of one Student Absence Summary (day counts in hundredths, as the file has them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StasFigures {
    pub student: crate::domain::codes::StudentKey,
    pub school: u32,
    pub year: crate::domain::date::AcademicYear,
    /// Exempt from the collection, or an hourly school: day counts are not daily records'.
    pub exempt: bool,
    pub hourly: bool,
    pub expected: Option<i64>,
    /// In [`StasCount::ALL`] order; `None` where the value was not valid.
    pub counts: [Option<i64>; 7],
    pub at: crate::domain::enrollment::RecordRef,
}

/// One daily attendance record, as the record rules read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRecord {
    pub student: crate::domain::codes::StudentKey,
    pub school: u32,
    /// Day number of the date.
    pub day: i32,
    /// `None` when the code maps to no category.
    pub category: Option<Category>,
    /// Minutes absent, when given.
    pub minutes: Option<u32>,
    /// Positions of the date and school fields, for findings.
    pub date_field: usize,
    pub school_field: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_index_follows_all_and_reads_back() {
        for (i, c) in Category::ALL.iter().enumerate() {
            assert_eq!(usize::from(c.index()), i + 1, "{c:?}");
            assert_eq!(Category::from_index(c.index()), Some(*c));
        }
        assert_eq!(Category::from_index(0), None);
        assert_eq!(Category::from_index(9), None);
    }

    #[test]
    fn codes_of_up_to_seven_bytes_are_packed_apart() {
        let t = CodeTable::default();
        assert_eq!(t.category(b"P"), Some(Category::Present));
        assert_eq!(t.category(b" IS "), Some(Category::IndependentStudy));
        assert_eq!(t.category(b"I"), Some(Category::InSchoolSuspension));
        assert_eq!(t.category(b"IS\0"), None);
        assert_eq!(t.category(b"p"), None);
        assert_eq!(t.category(b""), None);
        let mut t = t;
        t.set(LocalCode { code: "EXCUSED1".to_owned(), category: Category::Excused, name: "long".to_owned() });
        assert_eq!(t.category(b"EXCUSED1"), Some(Category::Excused));
        assert_eq!(t.category(b"EXCUSED"), None);
    }
}
