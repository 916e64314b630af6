//! Daily attendance rules: the record rules of one attendance row (its code means something,
//! it names a student), and the rules the attendance ledger (`crate::attendance`) applies as
//! rows stream by and at the end: a record on a day that is not a school day, outside every
//! enrollment of the student at that school, twice for one student, school and day; school
//! days of an enrollment with no record (counted per school and school month); STAS figures
//! that differ from the daily records. These are the audit an attendance office runs before
//! P-1 and P-2 (attendance.md).

use super::family::{Family, RecordRules};
use super::identity::IdentityFields;
use super::keys::Index;
use super::{Lookup, MissingField, Parsed, RecordCtx};
use crate::diagnostic::{Category, Finding, Severity};
use crate::domain::attendance::{Category as Kind, DayRecord};
use crate::domain::codes::{LocalId, StudentKey};
use crate::domain::date::day_number;

crate::rules! {
    UNKNOWN_CODE {
        id: "ATT-UNKNOWN-CODE",
        severity: Severity::Fatal,
        category: Category::Code,
        state_rule: None,
        summary: "An attendance code maps to no attendance category",
        message: "attendance code `{value}` is not in the code table ({known})",
        help: "map the code to a category under [attendance_codes] in the mapping file, or correct the record; until then the day counts as nothing",
        explanation: "Every local attendance code must map to a category (present, tardy, excused, unexcused, suspension, in_school_suspension, independent_study, non_ada_independent_study) through the code table in schemas/calpads/attendance-codes.toml and the mapping file's [attendance_codes]. A code that maps to nothing silently lowers ADA and leaves the student's STAS short, so it is fatal: the record is not counted until the code is known.",
        bad: "9900000001,9990011,2025-09-03,X9,,240001",
        good: "9900000001,9990011,2025-09-03,P,,240001",
    }

    NO_STUDENT {
        id: "ATT-NO-STUDENT",
        severity: Severity::Fatal,
        category: Category::Required,
        state_rule: None,
        summary: "An attendance record names no student (neither SSID nor local student ID)",
        message: "the record has neither an SSID nor a local student ID",
        help: "export the SSID, or the local student ID for a student who has no SSID yet",
        explanation: "An attendance record is matched to the student's enrollments by SSID, or by local student ID for a new student without one. A record with neither belongs to nobody and is not counted.",
        bad: ",9990011,2025-09-03,P,,",
        good: "9900000001,9990011,2025-09-03,P,,240001",
    }

    NON_SCHOOL_DAY {
        id: "ATT-NON-SCHOOL-DAY",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: None,
        summary: "Attendance is recorded on a day that is not a school day at that school",
        message: "{date} is {what} at {school}, not a school day",
        help: "check the date (and the school); attendance is taken on the calendar's school days only. If the calendar is wrong, correct the calendar",
        explanation: "Attendance counts only on days school is taught. A record on a weekend, holiday or non-school day of the school's calendar (its own rows, else the district-wide rows) is usually a date or school error in the attendance system, and it would add days of attendance that no day taught matches. It is reported and not counted. Needs the calendar (a calendar CSV among the inputs, or --calendar FILE).",
        bad: "9900000001,9990011,2025-11-11,P,,240001   (Veterans Day)",
        good: "9900000001,9990011,2025-11-12,P,,240001",
    }

    OUTSIDE_ENROLLMENT {
        id: "ATT-OUTSIDE-ENROLLMENT",
        severity: Severity::Fatal,
        category: Category::Consistency,
        state_rule: None,
        summary: "Attendance is recorded on a day no enrollment of the student at that school covers",
        message: "{what} outside every enrollment of {student} at {school} ({enrollments})",
        help: "check the student, school and date; if the student was there that day, the enrollment's start or exit date is wrong (EC 46305: attendance counts only for pupils actively enrolled)",
        explanation: "Attendance counts only for a pupil actively enrolled at the school that day (EC 46305). A record outside every enrollment of the student at that school (start to exit, inclusive; a no-show enrollment covers no day) points to a wrong date, a wrong school, or an enrollment whose dates are wrong. It is not counted. Consecutive such records of one student and school (no counted day between them) are one finding, at the first record, with the others related: an exit date keyed a month early is one mistake, not twenty. Needs the enrollments (SENR files or the enrollment extract) in the same run, before the attendance.",
        bad: "enrolled at 9990011 from 2025-10-06; 9900000001,9990011,2025-09-03,P,,240001",
        good: "enrolled at 9990011 from 2025-10-06; 9900000001,9990011,2025-10-06,P,,240001",
    }

    DUPLICATE_DAY {
        id: "ATT-DUPLICATE-DAY",
        severity: Severity::Fatal,
        category: Category::Duplicate,
        state_rule: None,
        summary: "Two attendance records for one student, school and day",
        message: "a second record for {student} at {school} on {date} (the first says {first})",
        help: "keep one record per student, school and day; when a day changed (an absence later excused), export the final code only",
        explanation: "A student has one attendance record per school and day. A second one would count the day twice (two days of attendance, or an absence and a presence); rollcall keeps the first and reports the later one, which is not counted.",
        bad: "9900000001,9990011,2025-09-03,P,,240001\n9900000001,9990011,2025-09-03,A,,240001",
        good: "9900000001,9990011,2025-09-03,A,,240001",
    }

    MISSING_DAYS {
        id: "ATT-MISSING-DAYS",
        severity: Severity::Warning,
        category: Category::Consistency,
        state_rule: None,
        summary: "School days of enrollments have no attendance record (counted per school and school month)",
        message: "{school}, school month {month} ({first} to {last}): {days} of {students} {have} no attendance record{example}",
        help: "find the missing roster or days in the attendance system and export them; a missing day is neither attendance nor absence, so the STAS cannot be built for these students",
        explanation: "Every school day inside a primary or short-term enrollment (TK-12, at a real school) should have exactly one attendance record; days of a short-term enrollment at another school are expected there, not here. Missing records are counted per school and school month, so a missing class roster or a day never exported shows up as one finding with its count, not thousands. Schools with no daily record at all in the run are not reported (their attendance was not given, which is not the same as missing). Needs the calendar and the enrollments.",
        bad: "a student enrolled all of September with no records for September 15-19",
        good: "a record for every school day of every enrollment",
    }

    STAS_MISMATCH {
        id: "ATT-STAS-MISMATCH",
        severity: Severity::Fatal,
        category: Category::Consistency,
        state_rule: None,
        summary: "A STAS record's figure differs from the daily attendance records",
        message: "the STAS says {value} {what}; {source} {counted}",
        help: "rebuild the STAS from the daily records (`rollcall generate` writes stas.txt from them), or correct the attendance records if the STAS is right",
        explanation: "The Student Absence Summary must be the sum of the student's daily attendance at that school: expected attendance days (school days of the enrollments) and the seven day counts. When the daily attendance and the STAS file are checked together, every figure that differs is reported at the STAS record, naming the count. Summaries of schools with no daily records in the run, exempt summaries and hourly schools are not compared.",
        bad: "STAS ...^180^170^0^0^8^2^0^0^... with 9 excused days in the daily records",
        good: "STAS ...^180^169^0^0^9^2^0^0^...",
    }
}

/// Positions of the attendance fields the rules read.
#[derive(Debug)]
pub struct AttendanceFields {
    /// Whether ATT-UNKNOWN-CODE and ATT-NO-STUDENT run (decided once per compiled layout).
    pub on: (bool, bool),
    pub ssid: usize,
    pub school: usize,
    pub date: usize,
    pub code: usize,
    pub minutes: usize,
    pub local_id: usize,
}

/// The daily attendance family.
pub static FAMILY: Family = Family { record_type: crate::schema::names::ATTENDANCE, compile: |l| Ok(Box::new(AttendanceFields::resolve(l)?)) };

impl AttendanceFields {
    pub(crate) fn resolve(l: &Lookup<'_, '_>) -> Result<AttendanceFields, MissingField> {
        Ok(AttendanceFields {
            on: (l.on(&[&UNKNOWN_CODE]), l.on(&[&NO_STUDENT])),
            ssid: l.need("ssid")?,
            school: l.need("school_of_attendance")?,
            date: l.need("date")?,
            code: l.need("attendance_code")?,
            minutes: l.need("minutes_absent")?,
            local_id: l.need("local_student_id")?,
        })
    }
}

impl AttendanceFields {
    /// The category of the record's attendance code: as the field rules read it (format
    /// `attendance_code`), else looked up in the code table (a layout that gives the field
    /// another format).
    #[inline]
    fn category(&self, ctx: &RecordCtx<'_, '_>) -> Option<Kind> {
        match ctx.values.get(self.code) {
            Some(Parsed::Category(c)) => Some(*c),
            Some(Parsed::Missing | Parsed::Text) | None => ctx.schema.attendance_codes.category(ctx.raw(self.code)),
            Some(_) => None,
        }
    }
}

impl RecordRules for AttendanceFields {
    fn check(&self, ctx: &RecordCtx<'_, '_>, out: &mut Vec<Finding>) {
        if self.on.0 && !ctx.is_blank(self.code) && self.category(ctx).is_none() {
            let known: Vec<&str> = ctx.schema.attendance_codes.codes().iter().map(|c| c.code.as_str()).collect();
            out.push(ctx.finding(&UNKNOWN_CODE, Some(self.code), &[("known", &known.join(" "))]));
        }
        if self.on.1 && ctx.is_blank(self.ssid) && ctx.is_blank(self.local_id) {
            out.push(ctx.finding(&NO_STUDENT, Some(self.ssid), &[]));
        }
    }

    fn add_keys(&self, _: &RecordCtx<'_, '_>, _: &mut Index) {}

    fn identity(&self) -> Option<IdentityFields> {
        None
    }

    fn day(&self, ctx: &RecordCtx<'_, '_>) -> Option<DayRecord> {
        let student =
            if ctx.is_blank(self.ssid) { StudentKey::Local(LocalId::new(ctx.raw(self.local_id))?) } else { StudentKey::Ssid(ctx.digits(self.ssid)?) };
        Some(DayRecord {
            student,
            school: u32::try_from(ctx.digits(self.school)?).ok()?,
            day: day_number(ctx.date(self.date)?),
            category: self.category(ctx),
            minutes: ctx.number(self.minutes).and_then(|n| u32::try_from(n / 100).ok()),
            date_field: self.date,
            school_field: self.school,
        })
    }
}
