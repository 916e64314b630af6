//! SINF record rules: ethnicity and race indicators that must agree with the codes, and the
//! order of the effective dates.

use super::{Lookup, MissingField, RecordCtx, Rule};
use crate::diagnostic::{Category, Finding, Severity};

/// Positions of the SINF fields these rules read.
#[derive(Debug)]
pub struct Fields {
    pub effective_start: usize,
    pub effective_end: usize,
    pub lea: usize,
    pub school: usize,
    pub ssid: usize,
    pub first_name: usize,
    pub last_name: usize,
    pub birth: usize,
    pub gender: usize,
    pub hispanic: usize,
    pub ethnicity_missing: usize,
    pub races: [usize; 5],
    pub race_missing: usize,
    pub initial_us_enrollment: usize,
}

impl Fields {
    pub(crate) fn resolve(l: &Lookup<'_, '_>) -> Result<Fields, MissingField> {
        Ok(Fields {
            effective_start: l.need("effective_start_date")?,
            effective_end: l.need("effective_end_date")?,
            lea: l.need("reporting_lea")?,
            school: l.need("school_of_attendance")?,
            ssid: l.need("ssid")?,
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
        })
    }
}

pub static ETHNICITY_MISSING: Rule = Rule {
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
};

pub static RACE_MISSING: Rule = Rule {
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
};

pub static RACE_REPEATED: Rule = Rule {
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
};

pub static EFFECTIVE_DATES: Rule = Rule {
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
};

/// The SINF family, in catalog order.
pub static RULES: &[&Rule] = &[&ETHNICITY_MISSING, &RACE_MISSING, &RACE_REPEATED, &EFFECTIVE_DATES];

/// Runs every SINF record rule on one record.
pub fn check(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    check_ethnicity(ctx, f, out);
    check_race(ctx, f, out);
    if let (Some(start), Some(end)) = (ctx.date(f.effective_start), ctx.date(f.effective_end)) {
        if end < start {
            out.push(ctx.finding(&EFFECTIVE_DATES, Some(f.effective_end), &[("start", &crate::date::format_ccyymmdd(start))]));
        }
    }
}

fn check_ethnicity(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    if !ctx.is_valid(f.ethnicity_missing) && !ctx.is_blank(f.ethnicity_missing) {
        return;
    }
    let missing = ctx.raw(f.ethnicity_missing) == b"Y";
    let has_hispanic = !ctx.is_blank(f.hispanic);
    let (problem, fix, field) = if missing && has_hispanic {
        ("student_ethnicity_missing_indicator is Y but the Hispanic indicator is set", "clear student_hispanic_ethnicity_indicator, or set the missing indicator to N", f.hispanic)
    } else if !missing && !has_hispanic {
        ("student_hispanic_ethnicity_indicator is blank but ethnicity is not marked missing", "set student_hispanic_ethnicity_indicator to Y or N, or set student_ethnicity_missing_indicator to Y", f.hispanic)
    } else {
        return;
    };
    out.push(ctx.finding(&ETHNICITY_MISSING, Some(field), &[("problem", problem), ("fix", fix)]));
}

fn check_race(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    let missing = ctx.raw(f.race_missing) == b"Y";
    let given: Vec<usize> = f.races.iter().copied().filter(|i| !ctx.is_blank(*i)).collect();
    let problem = if missing && !given.is_empty() {
        Some((given[0], "student_race_missing_indicator is Y but race codes are given", "clear the race codes, or set student_race_missing_indicator to N"))
    } else if !missing && ctx.is_blank(f.races[0]) {
        Some((f.races[0], "student_race_1_code is blank but race is not marked missing", "set student_race_1_code (and further races in order), or set student_race_missing_indicator to Y"))
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
