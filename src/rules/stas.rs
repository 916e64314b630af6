//! STAS record rules: the seven day counts add up to the expected days, independent study
//! bounds, fractional days only for hourly schools, no summaries for the pseudo-schools,
//! and the attendance recovery range.

use super::senr::{NPS_SCHOOL, PRIVATE_GROUP_SCHOOL};
use super::{Lookup, MissingField, RecordCtx};
use crate::diagnostic::{Category, Finding, Severity};
use crate::domain::codes::hundredths_text;

/// Positions of the STAS fields these rules read.
#[derive(Debug)]
pub struct StasFields {
    /// Whether any of the family's record rules runs (decided once per compiled layout).
    pub on: bool,
    pub lea: usize,
    pub school: usize,
    pub ssid: usize,
    pub local_id: usize,
    pub first_name: usize,
    pub last_name: usize,
    pub birth: usize,
    pub gender: usize,
    pub exempt: usize,
    pub hourly: usize,
    pub expected: usize,
    /// 13.16 through 13.22, in order.
    pub days: [usize; 7],
    /// Attendance recovery days, a field from 2025-2026 on.
    pub recovery: Option<usize>,
}

super::family::family!(StasFields, "STAS", add_summary, {
    fn summary(&self, ctx: &RecordCtx<'_, '_>) -> Option<crate::domain::attendance::StasFigures> {
        figures(ctx, self)
    }
});

/// The figures of a STAS record, for accumulators (none for a delete or an unreadable key).
fn figures(ctx: &RecordCtx<'_, '_>, f: &StasFields) -> Option<crate::domain::attendance::StasFigures> {
    use crate::domain::codes::{digits, StudentKey};
    if !ctx.is_valid(f.ssid) || !ctx.is_valid(f.school) {
        return None;
    }
    let school = u32::try_from(digits(ctx.raw(f.school))?).ok()?;
    Some(crate::domain::attendance::StasFigures {
        student: StudentKey::Ssid(digits(ctx.raw(f.ssid))?),
        school,
        year: ctx.compiled.year,
        exempt: ctx.raw(f.exempt) == b"Y",
        hourly: ctx.raw(f.hourly) == b"Y",
        expected: ctx.number(f.expected),
        counts: f.days.map(|i| ctx.number(i)),
        at: super::keys::Index::at(ctx),
    })
}

impl StasFields {
    pub(crate) fn resolve(l: &Lookup<'_, '_>) -> Result<StasFields, MissingField> {
        Ok(StasFields {
            on: l.on(RULES) || l.on(&[&super::field::REQUIRED]),
            lea: l.need("reporting_lea")?,
            school: l.need("school_of_attendance")?,
            ssid: l.need("ssid")?,
            local_id: l.need("local_student_id")?,
            first_name: l.need("student_legal_first_name")?,
            last_name: l.need("student_legal_last_name")?,
            birth: l.need("student_birth_date")?,
            gender: l.need("student_gender_code")?,
            exempt: l.need("student_absence_summary_data_collection_exemption_indicator")?,
            hourly: l.need("hourly_attendance_school_type_indicator")?,
            expected: l.need("expected_attendance_days")?,
            days: [
                l.need("days_attended_in_person")?,
                l.need("days_absent_out_of_school_suspension")?,
                l.need("days_in_attendance_in_school_suspension")?,
                l.need("days_absent_in_person_excused_non_suspension")?,
                l.need("days_absent_in_person_unexcused_non_suspension")?,
                l.need("non_ada_generating_independent_study_days")?,
                l.need("ada_generating_independent_study_days")?,
            ],
            recovery: l.get("attendance_recovery_days"),
        })
    }
}

crate::rules! {
    SUM {
        id: "STAS-SUM",
        severity: Severity::Fatal,
        category: Category::Arithmetic,
        state_rule: Some("STAS0318"),
        summary: "The seven day counts do not add up to the expected attendance days",
        message: "the day counts add up to {sum}, but expected_attendance_days is {value}",
        help: "in-person + out-of-school suspension + in-school suspension + excused + unexcused + non-ADA IS + ADA IS must equal the expected days; the difference is {diff}",
        explanation: "Every expected day is exactly one of: attended in person, absent for out-of-school suspension, in-school suspension, excused absence, unexcused absence, non-ADA independent study, ADA independent study. StasFields 13.16 through 13.22 therefore add up to 13.15 (STAS0318). A common cause is counting distance-learning days both as absences and as independent study. The counts are required unless the record is exempt (13.13 = Y); an exempt record is checked when its counts are populated.",
        bad: "STAS^...^N^N^180^165^1^0^9^5^1^0^N^",
        good: "STAS^...^N^N^180^165^1^0^9^5^0^0^N^",
    }

    NON_ADA_IS {
        id: "STAS-NON-ADA-IS",
        severity: Severity::Fatal,
        category: Category::Arithmetic,
        state_rule: Some("STAS0311"),
        summary: "Non-ADA independent study days exceed expected minus in-person minus in-school suspension days",
        message: "non_ada_generating_independent_study_days {value} is more than expected - in-person - in-school suspension = {limit}",
        help: "lower the non-ADA independent study days or correct the in-person and suspension days",
        explanation: "Non-ADA-generating independent study days are days the student was expected but neither attended in person nor was in in-school suspension, so they cannot exceed expected - in person - ISS (STAS0311; checked when populated).",
        bad: "STAS^...^N^N^100^90^0^5^0^0^10^0^N^",
        good: "STAS^...^N^N^100^90^0^5^0^0^5^0^N^",
    }

    FRACTION_NOT_HOURLY {
        id: "STAS-FRACTION-NOT-HOURLY",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("FRMT0004"),
        summary: "A day count has decimals but the school is not an hourly-attendance school",
        message: "{field} `{value}` has decimals but hourly_attendance_school_type_indicator is N",
        help: "report whole days, or set hourly_attendance_school_type_indicator to Y if the school computes days from hours",
        explanation: "Fractional days come only from converting hours to days at hourly-attendance schools (days = hours x expected days / scheduled hours). When the hourly indicator is N every day count is a whole number.",
        bad: "STAS^...^N^N^180^164.5^1^0^9.5^5^0^0^N^",
        good: "STAS^...^N^N^180^165^1^0^9^5^0^0^N^",
    }

    PSEUDO_SCHOOL {
        id: "STAS-PSEUDO-SCHOOL",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("STAS0651"),
        summary: "An absence summary is reported for school 0000001 or 0000002",
        message: "no absence summary may be reported for school {value}",
        help: "remove this record; students placed in a non-public school or a private school group have no STAS",
        explanation: "The pseudo-schools 0000001 (non-public school) and 0000002 (private school group) take no attendance, so the state rejects absence summaries for them (STAS0651).",
        bad: "STAS^^LR-1^1964733^0000001^2025-2026^...",
        good: "STAS^^LR-1^1964733^6019715^2025-2026^...",
    }

    RECOVERY_RANGE {
        id: "STAS-RECOVERY-RANGE",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("STAS0739"),
        summary: "Attendance recovery days are not a whole number from 0 to 10",
        message: "attendance_recovery_days {value} is outside 0 to 10",
        help: "report at most 10 attendance recovery days per student",
        explanation: "From 2025-2026 the absence summary reports attendance recovery days, a whole number from 0 to 10 (STAS0739). Across the LEA a student's recovery days may not exceed 10 either (STAS-RECOVERY-TOTAL).",
        bad: "STAS^...^N^N^180^165^1^0^9^5^0^0^N^12",
        good: "STAS^...^N^N^180^165^1^0^9^5^0^0^N^2",
    }
}

/// Runs every STAS record rule on one record.
pub fn check(ctx: &RecordCtx<'_, '_>, f: &StasFields, out: &mut Vec<Finding>) {
    if !f.on {
        return;
    }
    // The day counts are required unless the student is exempt (13.13 = Y); an exempt
    // record's counts are checked only where populated.
    if ctx.raw(f.exempt) != b"Y" {
        for &i in std::iter::once(&f.expected).chain(&f.days) {
            if ctx.is_blank(i) {
                let number = ctx.compiled.fields[i].spec.number.as_str();
                out.push(ctx.finding(&super::field::REQUIRED, Some(i), &[("field", ctx.name(i)), ("number", number)]));
            }
        }
    }
    let school = ctx.raw(f.school);
    if school == NPS_SCHOOL || school == PRIVATE_GROUP_SCHOOL {
        out.push(ctx.finding(&PSEUDO_SCHOOL, Some(f.school), &[]));
    }
    if let Some(r) = f.recovery {
        if ctx.number(r).is_some_and(|n| n > 1000) {
            out.push(ctx.finding(&RECOVERY_RANGE, Some(r), &[]));
        }
    }
    if ctx.raw(f.hourly) == b"N" {
        for &i in std::iter::once(&f.expected).chain(&f.days) {
            if ctx.number(i).is_some_and(|n| n % 100 != 0) {
                out.push(ctx.finding(&FRACTION_NOT_HOURLY, Some(i), &[("field", ctx.name(i))]));
            }
        }
    }
    let Some(expected) = ctx.number(f.expected) else { return };
    let counts: Option<Vec<i64>> = f.days.iter().map(|&i| ctx.number(i)).collect();
    let Some(counts) = counts else { return };
    let sum: i64 = counts.iter().sum();
    if sum != expected {
        out.push(ctx.finding(&SUM, Some(f.expected), &[("sum", &hundredths_text(sum)), ("diff", &hundredths_text(sum - expected))]));
    }
    // Only a positive non-ADA IS count can be over its limit; when in-person and suspension
    // days alone exceed the expected days, STAS-SUM has said so and 0 is not the error.
    let limit = expected - counts[0] - counts[2];
    if counts[5] > 0 && counts[5] > limit.max(0) {
        out.push(ctx.finding(&NON_ADA_IS, Some(f.days[5]), &[("limit", &hundredths_text(limit))]));
    }
}
