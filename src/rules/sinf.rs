//! SINF record rules: ethnicity and race indicators that must agree with the codes, and the
//! order of the effective dates.

use super::{Lookup, MissingField, RecordCtx};
use crate::diagnostic::{Category, Finding, Severity};

/// Positions of the SINF fields these rules read.
#[derive(Debug)]
pub struct SinfFields {
    /// Whether any of the family's record rules runs (decided once per compiled layout).
    pub on: bool,
    pub effective_start: usize,
    pub effective_end: usize,
    pub lea: usize,
    pub school: usize,
    pub ssid: usize,
    pub local_id: usize,
    pub first_name: usize,
    pub last_name: usize,
    pub birth: usize,
    pub gender: usize,
    pub hispanic: usize,
    pub ethnicity_missing: usize,
    pub races: [usize; 5],
    pub race_missing: usize,
    pub initial_us_enrollment: usize,
    pub birth_state: usize,
    pub birth_country: usize,
    pub address_line_1: usize,
    pub address_city: usize,
    pub address_state: usize,
    pub address_zip: usize,
    /// Guardian 1 first name, last name, and the parent/guardian highest education level.
    pub guardian: [usize; 3],
}

super::family::family!(SinfFields, "SINF", add_information);

impl SinfFields {
    pub(crate) fn resolve(l: &Lookup<'_, '_>) -> Result<SinfFields, MissingField> {
        Ok(SinfFields {
            on: l.on(RULES),
            effective_start: l.need("effective_start_date")?,
            effective_end: l.need("effective_end_date")?,
            lea: l.need("reporting_lea")?,
            school: l.need("school_of_attendance")?,
            ssid: l.need("ssid")?,
            local_id: l.need("local_student_id")?,
            first_name: l.need("student_legal_first_name")?,
            last_name: l.need("student_legal_last_name")?,
            birth: l.need("student_birth_date")?,
            gender: l.need("student_gender_code")?,
            hispanic: l.need("student_hispanic_ethnicity_indicator")?,
            ethnicity_missing: l.need("student_ethnicity_missing_indicator")?,
            races: [
                l.need("student_race_1_code")?,
                l.need("student_race_2_code")?,
                l.need("student_race_3_code")?,
                l.need("student_race_4_code")?,
                l.need("student_race_5_code")?,
            ],
            race_missing: l.need("student_race_missing_indicator")?,
            initial_us_enrollment: l.need("student_initial_us_school_enrollment_date_k12")?,
            birth_state: l.need("student_birth_state_province_code")?,
            birth_country: l.need("student_birth_country_code")?,
            address_line_1: l.need("address_line_1")?,
            address_city: l.need("address_city_name")?,
            address_state: l.need("address_state_province_code")?,
            address_zip: l.need("address_zip_code")?,
            guardian: [l.need("guardian_1_first_name")?, l.need("guardian_1_last_name")?, l.need("parent_guardian_highest_education_level_code")?],
        })
    }
}

crate::rules! {
    ETHNICITY_MISSING {
        id: "SINF-ETHNICITY-MISSING",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SINF0045"),
        summary: "The ethnicity missing indicator disagrees with the Hispanic indicator",
        message: "{problem}",
        help: "{fix}",
        explanation: "The Hispanic ethnicity indicator (Y/N) and the ethnicity missing indicator must agree: when the family declined to state (missing = Y) the Hispanic indicator is blank; when it is not missing (N or blank) the Hispanic indicator is Y or N.",
        bad: "...^Y^Y^700^^^^^N^...",
        good: "...^Y^N^700^^^^^N^...",
    }

    RACE_MISSING {
        id: "SINF-RACE-MISSING",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SINF0046"),
        summary: "The race missing indicator disagrees with the race codes",
        message: "{problem}",
        help: "{fix}",
        explanation: "Race missing = Y means the family declined to state, so all five race codes are blank. Race missing = N means at least race 1 is given. A race code in race 2-5 with race 1 blank is also rejected.",
        bad: "...^N^N^^^^^^N^...",
        good: "...^N^N^700^^^^^N^...",
    }

    RACE_REPEATED {
        id: "SINF-RACE-REPEATED",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: None,
        summary: "The same race code appears twice in one record",
        message: "race code {value} is given twice",
        help: "list each race once; clear the repeated {field}",
        explanation: "Up to five different race codes describe a student. Repeating a code is a data-entry error and is rejected.",
        bad: "...^N^N^700^700^^^^N^...",
        good: "...^N^N^700^^^^^N^...",
    }

    EFFECTIVE_DATES {
        id: "SINF-EFFECTIVE-DATES",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: None,
        summary: "The effective end date is before the effective start date",
        message: "effective_end_date {value} is before effective_start_date {start}",
        help: "correct the dates, or leave effective_end_date blank (the state closes the prior record itself)",
        explanation: "SINF records are effective-dated: each describes the student from its start date to its end date. An end before the start describes no day at all.",
        bad: "SINF^^LR-1^20250814^20250701^...",
        good: "SINF^^LR-1^20250814^^...",
    }

    BIRTH_STATE_COUNTRY {
        id: "SINF-BIRTH-STATE-COUNTRY",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: None,
        summary: "The birth state or province does not belong to the birth country",
        message: "{field} {value} {problem}",
        help: "{fix}",
        explanation: "The student information record carries the birth place too (2.21, 2.22), with the same valid combinations as SENR (SENR0036): a state or province only for the United States, Canada and Mexico, with the country in front (US-CA, CA-BC, MX-JAL).",
        bad: "...^LOS ANGELES^CA-BC^US^...",
        good: "...^LOS ANGELES^US-CA^US^...",
    }

    GUARDIAN {
        id: "SINF-GUARDIAN",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SINF0453"),
        summary: "Guardian 1 first name, last name and highest education level are not all given or all blank",
        message: "{given} given but {missing} blank",
        help: "give guardian 1's first name, last name and the highest education level together, or leave all three blank",
        explanation: "Parent/guardian 1 is described by three fields that go together: first name (2.39), last name (2.40) and highest education level (2.38). When any of them is given, all three are required (SINF0453, added 5/2025).",
        bad: "...^^13^ANA^^^...",
        good: "...^^13^ANA^LOPEZ^^...",
    }

    ZIP_REQUIRED {
        id: "SINF-ZIP-REQUIRED",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SINF0053"),
        summary: "A residential address is given without its ZIP code",
        message: "address_zip_code is blank but {given} given",
        help: "add the ZIP code of the residential address, or leave the whole address blank",
        explanation: "When any part of the residential address is reported (address line 1, city or state), the ZIP code is required (SINF0053).",
        bad: "...^12 ELM ST^^FRESNO^US-CA^^...",
        good: "...^12 ELM ST^^FRESNO^US-CA^93701^...",
    }

    INITIAL_US_AGE {
        id: "SINF-INITIAL-US-AGE",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SINF0059"),
        summary: "The initial US school enrollment date is before the student's 4th birthday",
        message: "student_initial_us_school_enrollment_date_k12 {value} is before the student turned 4 ({fourth})",
        help: "the initial US school enrollment date (TK-12) is on or after the 4th birthday; check the date and the birth date",
        explanation: "The initial US school enrollment date (2.36) is the first day the student attended a US school in TK-12, so the student was at least 4 then (SINF0059; TK included since 2023-2024).",
        bad: "...^20150412^F^...^20170814^...",
        good: "...^20150412^F^...^20190814^...",
    }

    INITIAL_US_FUTURE {
        id: "SINF-INITIAL-US-FUTURE",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: Some("SINF0060"),
        summary: "The initial US school enrollment date is more than six months from today",
        message: "student_initial_us_school_enrollment_date_k12 {value} is more than six months after {today}",
        help: "check the year of the date; it is the day the student first attended a US school",
        explanation:
            "The initial US school enrollment date may be no later than today plus six months (SINF0060). Today is the date rollcall runs, or `--as-of`.",
        bad: "...^20290814^...",
        good: "...^20250814^...",
    }
}

/// Runs every SINF record rule on one record.
pub fn check(ctx: &RecordCtx<'_, '_>, f: &SinfFields, out: &mut Vec<Finding>) {
    if !f.on {
        return;
    }
    check_ethnicity(ctx, f, out);
    check_race(ctx, f, out);
    super::senr::check_birth_place(ctx, f.birth_state, f.birth_country, &BIRTH_STATE_COUNTRY, out);
    check_together(ctx, f, out);
    check_initial_us(ctx, f, out);
    if let (Some(start), Some(end)) = (ctx.date(f.effective_start), ctx.date(f.effective_end)) {
        if end < start {
            out.push(ctx.finding(&EFFECTIVE_DATES, Some(f.effective_end), &[("start", &crate::domain::date::format_ccyymmdd(start))]));
        }
    }
}

/// SinfFields that go together: guardian 1 (SINF0453), the residential address and its ZIP (SINF0053).
fn check_together(ctx: &RecordCtx<'_, '_>, f: &SinfFields, out: &mut Vec<Finding>) {
    let list = |fields: &[usize]| fields.iter().map(|&i| ctx.name(i)).collect::<Vec<_>>().join(" and ");
    let verb = |fields: &[usize]| if fields.len() == 1 { "is" } else { "are" };
    // (Checked before anything is gathered: most records have all or none of them.)
    let filled = f.guardian.iter().filter(|&&i| !ctx.is_blank(i)).count();
    if filled > 0 && filled < f.guardian.len() {
        let (given, missing): (Vec<usize>, Vec<usize>) = f.guardian.iter().partition(|&&i| !ctx.is_blank(i));
        let given_text = format!("{} {}", list(&given), verb(&given));
        let missing_text = format!("{} {}", list(&missing), verb(&missing));
        out.push(ctx.finding(&GUARDIAN, Some(missing[0]), &[("given", &given_text), ("missing", &missing_text)]));
    }
    if !ctx.is_blank(f.address_zip) {
        return;
    }
    let address: Vec<usize> = [f.address_line_1, f.address_city, f.address_state].into_iter().filter(|&i| !ctx.is_blank(i)).collect();
    if !address.is_empty() {
        let given_text = format!("{} {}", list(&address), verb(&address));
        out.push(ctx.finding(&ZIP_REQUIRED, Some(f.address_zip), &[("given", &given_text)]));
    }
}

fn check_initial_us(ctx: &RecordCtx<'_, '_>, f: &SinfFields, out: &mut Vec<Finding>) {
    let Some(date) = ctx.date(f.initial_us_enrollment) else { return };
    if let Some(fourth) = ctx.date(f.birth).and_then(|b| b.checked_add_months(chrono::Months::new(48))) {
        if date < fourth {
            out.push(ctx.finding(&INITIAL_US_AGE, Some(f.initial_us_enrollment), &[("fourth", &crate::domain::date::format_ccyymmdd(fourth))]));
        }
    }
    if ctx.as_of.checked_add_months(chrono::Months::new(6)).is_some_and(|limit| date > limit) {
        out.push(ctx.finding(&INITIAL_US_FUTURE, Some(f.initial_us_enrollment), &[("today", &crate::domain::date::format_ccyymmdd(ctx.as_of))]));
    }
}

fn check_ethnicity(ctx: &RecordCtx<'_, '_>, f: &SinfFields, out: &mut Vec<Finding>) {
    if !ctx.is_valid(f.ethnicity_missing) && !ctx.is_blank(f.ethnicity_missing) {
        return;
    }
    let missing = ctx.raw(f.ethnicity_missing) == b"Y";
    let has_hispanic = !ctx.is_blank(f.hispanic);
    let (problem, fix, field) = if missing && has_hispanic {
        (
            "student_ethnicity_missing_indicator is Y but the Hispanic indicator is set",
            "clear student_hispanic_ethnicity_indicator, or set the missing indicator to N",
            f.hispanic,
        )
    } else if !missing && !has_hispanic {
        (
            "student_hispanic_ethnicity_indicator is blank but ethnicity is not marked missing",
            "set student_hispanic_ethnicity_indicator to Y or N, or set student_ethnicity_missing_indicator to Y",
            f.hispanic,
        )
    } else {
        return;
    };
    out.push(ctx.finding(&ETHNICITY_MISSING, Some(field), &[("problem", problem), ("fix", fix)]));
}

fn check_race(ctx: &RecordCtx<'_, '_>, f: &SinfFields, out: &mut Vec<Finding>) {
    let missing = ctx.raw(f.race_missing) == b"Y";
    let given: Vec<usize> = f.races.iter().copied().filter(|i| !ctx.is_blank(*i)).collect();
    let problem = if missing && !given.is_empty() {
        Some((
            given[0],
            "student_race_missing_indicator is Y but race codes are given",
            "clear the race codes, or set student_race_missing_indicator to N",
        ))
    } else if !missing && ctx.is_blank(f.races[0]) {
        Some((
            f.races[0],
            "student_race_1_code is blank but race is not marked missing",
            "set student_race_1_code (and further races in order), or set student_race_missing_indicator to Y",
        ))
    } else {
        None
    };
    if let Some((field, problem, fix)) = problem {
        out.push(ctx.finding(&RACE_MISSING, Some(field), &[("problem", problem), ("fix", fix)]));
    }
    for (n, &i) in given.iter().enumerate() {
        if given[..n].iter().any(|&j| ctx.raw(j) == ctx.raw(i)) {
            out.push(ctx.finding(&RACE_REPEATED, Some(i), &[("field", ctx.name(i))]));
        }
    }
}
