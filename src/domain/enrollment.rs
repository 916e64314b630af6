//! Enrollments as every rule and count sees them: the grade (and its ADA grade span), the
//! enrollment status, the exit reason, the span of days, and the questions asked of an
//! enrollment (active on a day? primary? a no-show?). Census counts, the cross-record rules and
//! attendance accounting all ask them here, so they cannot disagree at the edges.

use std::fmt;

use super::codes::{LocalId, StudentKey};
use super::date::AcademicYear;

/// An open enrollment (no exit date) ends on this day.
pub const OPEN: i32 = i32::MAX;

/// A day number as a message shows it: `CCYYMMDD`, or `(open)` for [`OPEN`].
pub fn day_text(d: i32) -> String {
    if d == OPEN {
        "(open)".to_owned()
    } else {
        crate::domain::date::format_ccyymmdd(crate::domain::date::from_day_number(d))
    }
}

/// Where a record is: input index, line and byte offset (or index, for records in memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordRef {
    pub file: u32,
    pub line: u64,
    pub byte: u64,
}

/// A grade level code (`IN`, `PS`, `TK`, `KN`, `01`…`12`, `AD`, …), kept inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Grade([u8; 2]);

/// The grade spans ADA is reported in (TK counts in K-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GradeSpan {
    K3,
    G4To6,
    G7To8,
    G9To12,
}

impl GradeSpan {
    /// Every span, in report order.
    pub const ALL: [GradeSpan; 4] = [GradeSpan::K3, GradeSpan::G4To6, GradeSpan::G7To8, GradeSpan::G9To12];

    /// As reports name it: `K-3`, `4-6`, `7-8`, `9-12`.
    pub fn label(self) -> &'static str {
        match self {
            GradeSpan::K3 => "K-3",
            GradeSpan::G4To6 => "4-6",
            GradeSpan::G7To8 => "7-8",
            GradeSpan::G9To12 => "9-12",
        }
    }
}

/// Grade levels in order, infant to adult: the rank grade spans and census rows compare.
const GRADE_ORDER: [&[u8; 2]; 17] =
    [b"IN", b"PS", b"TK", b"KN", b"01", b"02", b"03", b"04", b"05", b"06", b"07", b"08", b"09", b"10", b"11", b"12", b"AD"];

/// The rank of a CALPADS grade level code, infant (0) to adult (16); `None` for ungraded and
/// unknown codes.
///
/// ```
/// use rollcall::domain::enrollment::grade_rank;
/// assert!(grade_rank(b"TK") < grade_rank(b"KN") && grade_rank(b"12") < grade_rank(b"AD"));
/// assert_eq!(grade_rank(b"UE"), None);
/// ```
pub fn grade_rank(code: &[u8]) -> Option<u8> {
    GRADE_ORDER.iter().position(|g| g.as_slice() == code).and_then(|i| u8::try_from(i).ok())
}

impl Grade {
    /// The grade's rank, infant to adult ([`grade_rank`]).
    pub fn rank(&self) -> Option<u8> {
        grade_rank(&self.0)
    }

    /// A grade from its code bytes (two characters), whatever the code set says of it.
    pub fn new(raw: &[u8]) -> Option<Grade> {
        match raw {
            [a, b] => Some(Grade([*a, *b])),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> &[u8; 2] {
        &self.0
    }

    /// A grade of TK through 12 (not infant, preschool, ungraded or adult).
    ///
    /// ```
    /// use rollcall::domain::enrollment::Grade;
    /// assert!(Grade::new(b"TK").unwrap().is_k12() && Grade::new(b"12").unwrap().is_k12());
    /// assert!(!Grade::new(b"PS").unwrap().is_k12() && !Grade::new(b"AD").unwrap().is_k12());
    /// ```
    pub fn is_k12(&self) -> bool {
        self.span().is_some()
    }

    /// The ADA grade span: TK and K-3, 4-6, 7-8, 9-12; `None` outside TK-12.
    pub fn span(&self) -> Option<GradeSpan> {
        match &self.0 {
            b"TK" | b"KN" | b"01" | b"02" | b"03" => Some(GradeSpan::K3),
            b"04" | b"05" | b"06" => Some(GradeSpan::G4To6),
            b"07" | b"08" => Some(GradeSpan::G7To8),
            b"09" | b"10" | b"11" | b"12" => Some(GradeSpan::G9To12),
            _ => None,
        }
    }

    /// Whether the state dashboard's chronic absenteeism indicator counts the grade (TK-8).
    pub fn is_dashboard(&self) -> bool {
        matches!(self.span(), Some(GradeSpan::K3 | GradeSpan::G4To6 | GradeSpan::G7To8))
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

/// Enrollment status (CALPADS 1.23).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EnrollmentStatus {
    /// 10: the school providing most of the instruction.
    Primary,
    /// 20: a concurrent, non-primary enrollment.
    Secondary,
    /// 30: a short-term enrollment (Educational Options schools, at most 30 days).
    ShortTerm,
    /// 50: a non-ADA enrollment.
    NonAda,
}

impl EnrollmentStatus {
    /// The status of a code; `None` for a code outside the set.
    pub fn from_code(code: &[u8]) -> Option<EnrollmentStatus> {
        match code {
            b"10" => Some(EnrollmentStatus::Primary),
            b"20" => Some(EnrollmentStatus::Secondary),
            b"30" => Some(EnrollmentStatus::ShortTerm),
            b"50" => Some(EnrollmentStatus::NonAda),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            EnrollmentStatus::Primary => "10",
            EnrollmentStatus::Secondary => "20",
            EnrollmentStatus::ShortTerm => "30",
            EnrollmentStatus::NonAda => "50",
        }
    }

    /// Primary and short-term enrollments are the ones attendance is taken in (STAS, ADA).
    pub fn takes_attendance(self) -> bool {
        matches!(self, EnrollmentStatus::Primary | EnrollmentStatus::ShortTerm)
    }
}

/// An exit reason code (CALPADS 1.26), kept inline; blank for an open enrollment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ExitReason([u8; 4]);

impl ExitReason {
    /// The reason of a code (up to four bytes; longer values keep their first four).
    pub fn new(raw: &[u8]) -> ExitReason {
        let mut out = [b' '; 4];
        let n = raw.len().min(4);
        out[..n].copy_from_slice(&raw[..n]);
        ExitReason(out)
    }

    pub fn is(&self, code: &[u8; 4]) -> bool {
        &self.0 == code
    }

    pub fn as_bytes(&self) -> &[u8; 4] {
        &self.0
    }

    /// A no-show: the student was enrolled but never attended — N420 (no-show, same school)
    /// or N470 (no-show, other). This is the one definition the census, the STAS and ADA
    /// rules and the primary-enrollment rule use (CALPADS Data Guide: an enrollment exited with
    /// a no-show code never took place; SENR0027 does not count an N470 as primary, SENR0654
    /// and CERT128 leave no-shows out).
    pub fn is_no_show(&self) -> bool {
        matches!(&self.0, b"N420" | b"N470")
    }
}

/// A span of days as day numbers, both ends included; `end` is [`OPEN`] for an open span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DaySpan {
    pub start: i32,
    pub end: i32,
}

impl DaySpan {
    pub fn contains(&self, day: i32) -> bool {
        self.start <= day && day <= self.end
    }

    pub fn overlaps(&self, other: &DaySpan) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    pub fn is_open(&self) -> bool {
        self.end == OPEN
    }

    /// Days from start to end inclusive, an open span measured to `today`.
    pub fn days_to(&self, today: i32) -> i64 {
        let end = if self.is_open() { today } else { self.end };
        i64::from(end) - i64::from(self.start) + 1
    }
}

/// One SENR enrollment, compact (about 64 bytes), as the whole-run rules and counts keep it.
#[derive(Clone, Copy, Debug)]
pub struct Enrollment {
    pub student: StudentKey,
    pub local: Option<LocalId>,
    pub school: u32,
    pub span: DaySpan,
    /// `None` when the status code is not one of the set (a field finding).
    pub status: Option<EnrollmentStatus>,
    pub exit_reason: ExitReason,
    pub completion: [u8; 3],
    pub grade: Grade,
    pub year: AcademicYear,
    /// The student's birth date (day number), when the record's is valid.
    pub birth: Option<i32>,
    pub at: RecordRef,
}

impl Enrollment {
    /// An enrollment that covers no day: a no-show, or one exited before it started.
    pub fn covers_no_day(&self) -> bool {
        self.exit_reason.is_no_show() || self.span.end < self.span.start
    }

    /// Whether the student is enrolled on `day`.
    pub fn is_active_on(&self, day: i32) -> bool {
        !self.covers_no_day() && self.span.contains(day)
    }

    /// Primary: status 10, or a short-term (30) enrollment of more than 30 days, an open one
    /// measured to `today` (SENR0027, SENR0187); never a no-show.
    pub fn is_primary(&self, today: i32) -> bool {
        !self.covers_no_day()
            && match self.status {
                Some(EnrollmentStatus::Primary) => true,
                Some(EnrollmentStatus::ShortTerm) => self.span.days_to(today) > 30,
                _ => false,
            }
    }

    /// Whether two enrollments share a day.
    pub fn overlaps(&self, other: &Enrollment) -> bool {
        !self.covers_no_day() && !other.covers_no_day() && self.span.overlaps(&other.span)
    }

    pub fn is_k12(&self) -> bool {
        self.grade.is_k12()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enrollment(status: &[u8], start: i32, end: i32, reason: &[u8]) -> Enrollment {
        Enrollment {
            student: StudentKey::Ssid(1),
            local: None,
            school: 9990011,
            span: DaySpan { start, end },
            status: EnrollmentStatus::from_code(status),
            exit_reason: ExitReason::new(reason),
            completion: *b"   ",
            grade: Grade::new(b"04").unwrap_or_default(),
            year: AcademicYear(2025),
            birth: None,
            at: RecordRef { file: 0, line: 1, byte: 0 },
        }
    }

    #[test]
    fn a_no_show_covers_no_day_and_is_never_primary() {
        let n470 = enrollment(b"10", 100, 99, b"N470");
        assert!(n470.covers_no_day() && !n470.is_active_on(100) && !n470.is_primary(200));
        let n420 = enrollment(b"10", 100, 120, b"N420");
        assert!(!n420.is_active_on(110) && !n420.is_primary(200));
        let normal = enrollment(b"10", 100, OPEN, b"");
        assert!(normal.is_active_on(100) && normal.is_primary(100));
    }

    #[test]
    fn short_term_is_primary_past_thirty_days_open_ones_measured_to_today() {
        assert!(!enrollment(b"30", 100, 129, b"T160").is_primary(0));
        assert!(enrollment(b"30", 100, 130, b"T160").is_primary(0));
        assert!(!enrollment(b"30", 100, OPEN, b"").is_primary(129));
        assert!(enrollment(b"30", 100, OPEN, b"").is_primary(130));
    }

    #[test]
    fn grade_spans() {
        let span = |g: &[u8]| Grade::new(g).and_then(|g| g.span()).map(GradeSpan::label);
        assert_eq!(
            [span(b"TK"), span(b"03"), span(b"04"), span(b"08"), span(b"09"), span(b"AD")],
            [Some("K-3"), Some("K-3"), Some("4-6"), Some("7-8"), Some("9-12"), None]
        );
    }
}
