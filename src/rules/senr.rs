//! SENR record rules: how the fields of one enrollment record must agree with each other
//! (exit pairs, date order, completion status, non-public schools, status 50, valid code
//! combinations, age for grade). Field-level checks have already run; these rules only look
//! at fields that passed them, so one bad value never cascades.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::{Lookup, MissingField, RecordCtx, Rule};
use crate::diagnostic::{Category, Finding, Severity};

/// Positions of the SENR fields these rules read, resolved once per layout.
#[derive(Debug)]
pub struct Fields {
    pub transaction: usize,
    pub lea: usize,
    pub school: usize,
    pub nps: usize,
    pub year: usize,
    pub ssid: usize,
    pub first_name: usize,
    pub last_name: usize,
    pub birth: usize,
    pub gender: usize,
    pub start: usize,
    pub status: usize,
    pub grade: usize,
    pub exit: usize,
    pub exit_reason: usize,
    pub completion: usize,
    pub receiver: usize,
    pub uc_csu: usize,
    pub gssmd: usize,
    pub biliteracy: usize,
}

impl Fields {
    pub(crate) fn resolve(l: &Lookup<'_, '_>) -> Result<Fields, MissingField> {
        Ok(Fields {
            transaction: l.need("transaction_type_code")?,
            lea: l.need("reporting_lea")?,
            school: l.need("school_of_attendance")?,
            nps: l.need("school_of_attendance_nps")?,
            year: l.need("academic_year_id")?,
            ssid: l.need("ssid")?,
            first_name: l.need("student_legal_first_name")?,
            last_name: l.need("student_legal_last_name")?,
            birth: l.need("student_birth_date")?,
            gender: l.need("student_gender_code")?,
            start: l.need("enrollment_start_date")?,
            status: l.need("enrollment_status_code")?,
            grade: l.need("grade_level_code")?,
            exit: l.need("enrollment_exit_date")?,
            exit_reason: l.need("student_exit_reason_code")?,
            completion: l.need("student_school_completion_status")?,
            receiver: l.need("expected_receiver_school_of_attendance")?,
            uc_csu: l.need("student_met_all_uc_csu_requirements_indicator")?,
            gssmd: l.need("golden_state_seal_merit_diploma_indicator")?,
            biliteracy: l.need("seal_of_biliteracy_indicator")?,
        })
    }
}

/// The non-public school pseudo-school code.
pub const NPS_SCHOOL: &[u8] = b"0000001";
/// The private school group pseudo-school code.
pub const PRIVATE_GROUP_SCHOOL: &[u8] = b"0000002";

pub static EXIT_PAIR: Rule = Rule {
    id: "SENR-EXIT-PAIR",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: Some("GERR0001"),
    summary: "Exit date and exit reason must be both filled or both blank",
    message: "{present} is set but {missing} is blank",
    help: "{fix}",
    explanation: "An enrollment is closed by an exit date together with the reason the student left. One without the other is rejected: the state cannot tell whether the enrollment is open.",
    bad: "...^20250814^10^04^20260610^^...",
    good: "...^20250814^10^04^20260610^E155^...",
};

pub static EXIT_BEFORE_START: Rule = Rule {
    id: "SENR-EXIT-BEFORE-START",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "The exit date is before the enrollment start date",
    message: "enrollment_exit_date {value} is before enrollment_start_date {start}",
    help: "correct whichever date was mistyped; an enrollment that never happened is exited with N470 (exit = start or start - 1)",
    explanation: "An enrollment ends on or after the day it starts. The only exception is the no-show code N470, whose exit date may be the day before the start date (checked by SENR-N470-DATE).",
    bad: "...^20250814^10^04^20250801^T160^...",
    good: "...^20250814^10^04^20251003^T160^...",
};

pub static N470_DATE: Rule = Rule {
    id: "SENR-N470-DATE",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "An N470 no-show exit date must equal the start date or the day before",
    message: "N470 exit date {value} is neither the start date {start} nor the day before",
    help: "set enrollment_exit_date to {start} or {day_before}; a student who attended is exited with another reason",
    explanation: "N470 (no-show) records an enrollment that never took place, so its exit date is the start date or one day before it. Any other exit date means the student attended and needs a different exit reason.",
    bad: "...^20250814^10^04^20250905^N470^...",
    good: "...^20250814^10^04^20250813^N470^...",
};

pub static N420_DATE: Rule = Rule {
    id: "SENR-N420-DATE",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "An N420 no-show (same school) exit date must fall between May 15 and August 15",
    message: "N420 exit date {value} is not between May 15 and August 15",
    help: "N420 is for students expected back at the same school who did not show up after the summer; use N470 or a transfer code otherwise",
    explanation: "N420 (no-show, same school) closes a summer-time enrollment of a student who was expected to return and did not. Its exit date falls between May 15 and August 15.",
    bad: "...^20250814^10^04^20251020^N420^...",
    good: "...^20250814^10^04^20250814^N420^...",
};

pub static START_BEFORE_BIRTH: Rule = Rule {
    id: "SENR-START-BEFORE-BIRTH",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "The enrollment starts on or before the student's birth date",
    message: "enrollment_start_date {value} is not after student_birth_date {birth}",
    help: "one of the two dates is mistyped; check the birth date against the student's records",
    explanation: "A student cannot be enrolled before being born. This usually means the birth date and start date were swapped or a year was mistyped.",
    bad: "...^20150412^F^...^20100814^10^04^...",
    good: "...^20150412^F^...^20250814^10^04^...",
};

pub static START_FUTURE: Rule = Rule {
    id: "SENR-START-FUTURE",
    severity: Severity::Fatal,
    category: Category::Calendar,
    state_rule: None,
    summary: "The enrollment starts more than six months from today",
    message: "enrollment_start_date {value} is more than six months after {today}",
    help: "check the year of the start date; enrollments are reported when they begin, not long before",
    explanation: "The state accepts enrollment start dates up to six months ahead. A later date is almost always a typing error in the year. Today is the date rollcall runs, or `--as-of`.",
    bad: "...^20290814^10^04^...",
    good: "...^20250814^10^04^...",
};

pub static EXIT_FUTURE: Rule = Rule {
    id: "SENR-EXIT-FUTURE",
    severity: Severity::Fatal,
    category: Category::Calendar,
    state_rule: None,
    summary: "The exit date is more than 30 days from today",
    message: "enrollment_exit_date {value} is more than 30 days after {today}",
    help: "report the exit once it has happened, with the last day the student was expected to attend",
    explanation: "Exits are reported after the fact. An exit date more than 30 days ahead of today is rejected; it usually means a planned exit was entered early or the year is wrong.",
    bad: "...^20250814^10^04^20290610^E155^...",
    good: "...^20250814^10^04^20260610^E155^...",
};

pub static COMPLETION_REQUIRED: Rule = Rule {
    id: "SENR-COMPLETION-REQUIRED",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "An E230 completer exit needs a completion status",
    message: "student_exit_reason_code is E230 but student_school_completion_status is blank",
    help: "set the completion status (100 diploma, 120 certificate, 320/330 equivalency, 360, 480 …) for this completer",
    explanation: "E230 (completer exit) says the student completed school; the completion status says how. It is required with E230.",
    bad: "...^20250814^10^12^20260605^E230^^...",
    good: "...^20250814^10^12^20260605^E230^100^^Y^...",
};

pub static COMPLETION_WITHOUT_E230: Rule = Rule {
    id: "SENR-COMPLETION-WITHOUT-E230",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "A completion status is given with an exit reason other than E230",
    message: "student_school_completion_status {value} is set but the exit reason is {reason}",
    help: "a completer exits with E230; clear the completion status or change the exit reason to E230",
    explanation: "Completion status belongs only to completer exits (E230). With any other exit reason it is rejected (SENR0175 for status 100).",
    bad: "...^20260605^E155^100^^Y^...",
    good: "...^20260605^E230^100^^Y^...",
};

pub static UC_CSU_REQUIRED: Rule = Rule {
    id: "SENR-UC-CSU-REQUIRED",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "A graduate (completion 100) needs the UC/CSU requirements indicator",
    message: "completion status is 100 but student_met_all_uc_csu_requirements_indicator is blank",
    help: "set student_met_all_uc_csu_requirements_indicator to Y or N for this graduate",
    explanation: "For every graduate with a standard diploma (completion status 100) the state collects whether all UC/CSU entrance requirements were met (A-G). It is required with 100.",
    bad: "...^20260605^E230^100^^^...",
    good: "...^20260605^E230^100^^Y^...",
};

pub static SEAL_WITHOUT_DIPLOMA: Rule = Rule {
    id: "SENR-SEAL-WITHOUT-DIPLOMA",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "Golden State Seal or Seal of Biliteracy = Y without a standard diploma",
    message: "{field} is Y but the completion status is {status}",
    help: "the seals are awarded only with a standard diploma (completion status 100); set {field} to N or blank",
    explanation: "The Golden State Seal Merit Diploma and the State Seal of Biliteracy are awarded with a standard high school diploma. Y is accepted only when the completion status is 100.",
    bad: "...^20260605^E155^^^^^^Y^N^...",
    good: "...^20260605^E155^^^^^^N^N^...",
};

pub static T165_RECEIVER: Rule = Rule {
    id: "SENR-T165-RECEIVER",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "A T165 disciplinary transfer needs the expected receiver school",
    message: "exit reason T165 needs expected_receiver_school_of_attendance",
    help: "set expected_receiver_school_of_attendance to the 7-digit code of the school the student was sent to",
    explanation: "T165 records a transfer for disciplinary reasons; the state follows the student to the receiving school, so its school code is required.",
    bad: "...^20251110^T165^^^...",
    good: "...^20251110^T165^^6019723^...",
};

pub static NPS_WITHOUT_SCHOOL: Rule = Rule {
    id: "SENR-NPS-WITHOUT-SCHOOL",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: Some("SENR0003"),
    summary: "A non-public school code is given but the school of attendance is not 0000001",
    message: "school_of_attendance_nps is {value} but school_of_attendance is {school}, not 0000001",
    help: "for a non-public school placement set school_of_attendance to 0000001; otherwise clear school_of_attendance_nps",
    explanation: "Students placed in a non-public school (NPS) are reported with the pseudo-school 0000001 as school of attendance and the NPS code in its own field. The NPS field must be blank for every other school.",
    bad: "SENR^^LR-1^1964733^6019715^6999001^2025-2026^...",
    good: "SENR^^LR-1^1964733^0000001^6999001^2025-2026^...",
};

pub static NPS_MISSING: Rule = Rule {
    id: "SENR-NPS-MISSING",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: Some("SENR0004"),
    summary: "School 0000001 (non-public school) needs the NPS school code",
    message: "school_of_attendance is 0000001 but school_of_attendance_nps is blank",
    help: "set school_of_attendance_nps to the 7-digit code of the non-public school",
    explanation: "The pseudo-school 0000001 means \"placed in a non-public school\"; which one is said by school_of_attendance_nps, which is then required.",
    bad: "SENR^^LR-1^1964733^0000001^^2025-2026^...",
    good: "SENR^^LR-1^1964733^0000001^6999001^2025-2026^...",
};

pub static STATUS50_EXIT: Rule = Rule {
    id: "SENR-STATUS50-EXIT",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "A non-ADA (status 50) enrollment exits only with E150, E170 or N470",
    message: "enrollment status 50 cannot exit with {value}",
    help: "exit a non-ADA enrollment with E170, E150 or N470, or leave the exit reason blank while it is open",
    explanation: "Status 50 enrollments (infants with IFSPs, preschoolers with IEPs, tuition-paying students …) generate no ADA and are not counted as school leavers. Their exit reason is blank, E170, N470 or E150.",
    bad: "...^20250814^50^PS^20260605^E155^...",
    good: "...^20250814^50^PS^20260605^E170^...",
};

pub static STATUS50_TK: Rule = Rule {
    id: "SENR-STATUS50-TK",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "Transitional kindergarten cannot be a non-ADA (status 50) enrollment",
    message: "grade TK cannot have enrollment status 50",
    help: "enroll TK students with status 10 (primary)",
    explanation: "Transitional kindergarten is part of the public school system and generates ADA; the non-ADA status 50 is not available for grade TK.",
    bad: "...^20250814^50^TK^...",
    good: "...^20250814^10^TK^...",
};

pub static EXIT_GRADE: Rule = Rule {
    id: "SENR-EXIT-GRADE",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "The exit reason is not valid for the grade level",
    message: "exit reason {value} is not valid for grade {grade}",
    help: "{value} is valid only for grades {allowed}; check the grade or choose another exit reason",
    explanation: "The state's valid code combinations limit some exit reasons to some grades: E125, T260 and T280 only for grades 07-12 and adults, E156 only for grade 12, E450 only for infants and preschool. The table is data in schemas/calpads/combinations.toml.",
    bad: "...^20250814^10^04^20260110^T280^...",
    good: "...^20250814^10^11^20260110^T280^...",
};

pub static COMPLETION_GRADE: Rule = Rule {
    id: "SENR-COMPLETION-GRADE",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: None,
    summary: "The completion status is not valid for the grade level",
    message: "completion status {value} is not valid for grade {grade}",
    help: "{value} is valid only for grades {allowed}; check the grade or the completion status",
    explanation: "Completion statuses belong to grades: 100 and 120 only grades 10-12, 360 only grade 12, 480 only infants through grade 11. The table is data in schemas/calpads/combinations.toml.",
    bad: "...^20250814^10^09^20260605^E230^100^...",
    good: "...^20250814^10^12^20260605^E230^100^...",
};

pub static AGE_GRADE: Rule = Rule {
    id: "SENR-AGE-GRADE",
    severity: Severity::Warning,
    category: Category::Plausibility,
    state_rule: None,
    summary: "The student's age on the start date is implausible for the grade",
    message: "student is {age} on the start date, outside {range} for grade {grade}",
    help: "check student_birth_date and grade_level_code; one of them is probably mistyped",
    explanation: "Adult students (grade AD) are expected to be 16 to 79 on the start date; every other student at most 22 (and born before the start date, which SENR-START-BEFORE-BIRTH checks; an infant under one year is plausible). A value outside is legal but usually a typing error in the birth year.",
    bad: "...^19850412^F^...^20250814^10^04^...",
    good: "...^20150412^F^...^20250814^10^04^...",
};

pub static SHORT_TERM_LENGTH: Rule = Rule {
    id: "SENR-SHORT-TERM-LENGTH",
    severity: Severity::Fatal,
    category: Category::Conditional,
    state_rule: Some("SENR0187"),
    summary: "A short-term (status 30) enrollment lasts more than 30 days",
    message: "short-term enrollment lasts {days} days from {start} to {value}; the limit is 30",
    help: "a stay over 30 days is a primary enrollment: report it with status 10, or correct the dates",
    explanation: "Short-term enrollments (status 30, Educational Options schools) last at most 30 calendar days, start to exit inclusive. Longer ones are treated as primary by the state and are rejected as short-term (SENR0187).",
    bad: "...^20251001^30^10^20251110^T160^...",
    good: "...^20251001^30^10^20251020^T160^...",
};

pub static DATE_OUTSIDE_YEAR: Rule = Rule {
    id: "SENR-DATE-OUTSIDE-YEAR",
    severity: Severity::Fatal,
    category: Category::Calendar,
    state_rule: None,
    summary: "An enrollment start or exit date falls outside July 1 - June 30 of its academic year",
    message: "{field} {value} is outside the academic year {year} (July 1 to June 30)",
    help: "dates of a {year} enrollment fall between {first} and {last}; check the year of the date or the academic_year_id",
    explanation: "An academic year runs from July 1 to June 30. An enrollment reported for a year starts and exits inside it: a start before July 1 belongs to the prior year, an exit after June 30 to the next (the enrollment is exited at year end and a new one starts). No-show exits (N470, N420) are left to their own rules: an N470 exits the day before a July 1 start, and the N420 window crosses July 1.",
    bad: "SENR^...^2025-2026^...^20250630^10^04^...",
    good: "SENR^...^2025-2026^...^20250813^10^04^...",
};

/// The SENR family, in catalog order.
pub static RULES: &[&Rule] = &[
    &EXIT_PAIR, &EXIT_BEFORE_START, &N470_DATE, &N420_DATE, &START_BEFORE_BIRTH, &START_FUTURE, &EXIT_FUTURE, &COMPLETION_REQUIRED,
    &COMPLETION_WITHOUT_E230, &UC_CSU_REQUIRED, &SEAL_WITHOUT_DIPLOMA, &T165_RECEIVER, &NPS_WITHOUT_SCHOOL, &NPS_MISSING, &STATUS50_EXIT,
    &STATUS50_TK, &EXIT_GRADE, &COMPLETION_GRADE, &AGE_GRADE, &SHORT_TERM_LENGTH, &DATE_OUTSIDE_YEAR,
];

fn ymd(d: NaiveDate) -> String {
    crate::date::format_ccyymmdd(d)
}

/// Runs every SENR record rule on one record.
pub fn check(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    check_exit(ctx, f, out);
    check_dates(ctx, f, out);
    check_completion(ctx, f, out);
    check_schools(ctx, f, out);
    check_status(ctx, f, out);
    check_combinations(ctx, f, out);
}

fn check_exit(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    let (has_exit, has_reason) = (!ctx.is_blank(f.exit), !ctx.is_blank(f.exit_reason));
    if has_exit != has_reason {
        let (present, missing, field) = if has_exit { (f.exit, f.exit_reason, f.exit_reason) } else { (f.exit_reason, f.exit, f.exit) };
        let fix = if has_exit {
            format!("set the exit reason code that goes with {}, or clear the exit date", ctx.text(f.exit))
        } else {
            format!("set the exit date that goes with {}, or clear the exit reason", ctx.text(f.exit_reason))
        };
        out.push(ctx.finding(&EXIT_PAIR, Some(field), &[("present", ctx.name(present)), ("missing", ctx.name(missing)), ("fix", &fix)]));
    }
    let (Some(start), Some(exit)) = (ctx.date(f.start), ctx.date(f.exit)) else { return };
    let reason = ctx.raw(f.exit_reason);
    let day_before = start.checked_sub_days(Days::new(1)).unwrap_or(start);
    if reason == b"N470" {
        if exit != start && exit != day_before {
            out.push(ctx.finding(&N470_DATE, Some(f.exit), &[("start", &ymd(start)), ("day_before", &ymd(day_before))]));
        }
    } else if exit < start {
        out.push(ctx.finding(&EXIT_BEFORE_START, Some(f.exit), &[("start", &ymd(start))]));
    }
    if reason == b"N420" && !((5, 15)..=(8, 15)).contains(&(exit.month(), exit.day())) {
        out.push(ctx.finding(&N420_DATE, Some(f.exit), &[]));
    }
    if ctx.raw(f.status) == b"30" && exit >= start {
        let days = (exit - start).num_days() + 1;
        if days > 30 {
            out.push(ctx.finding(&SHORT_TERM_LENGTH, Some(f.exit), &[("days", &days.to_string()), ("start", &ymd(start))]));
        }
    }
}

fn check_dates(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    let today = || ymd(ctx.as_of);
    if let Some(start) = ctx.date(f.start) {
        if let Some(birth) = ctx.date(f.birth) {
            if start <= birth {
                out.push(ctx.finding(&START_BEFORE_BIRTH, Some(f.start), &[("birth", &ymd(birth))]));
            } else if ctx.is_valid(f.grade) {
                check_age(ctx, f, birth, start, out);
            }
        }
        if start > ctx.as_of && ctx.as_of.checked_add_months(Months::new(6)).is_some_and(|limit| start > limit) {
            out.push(ctx.finding(&START_FUTURE, Some(f.start), &[("today", &today())]));
        }
    }
    let year = ctx.compiled.year;
    let (first, last) = (year.first_day(), year.last_day());
    // A no-show's exit date is checked by its own rule: N470 exits on the day before a
    // July 1 start, N420 in a window (May 15 - Aug 15) that crosses July 1.
    let no_show = matches!(ctx.raw(f.exit_reason), b"N470" | b"N420");
    for i in [f.start, f.exit] {
        if i == f.exit && no_show {
            continue;
        }
        if ctx.date(i).is_some_and(|d| d < first || d > last) {
            let args = [("field", ctx.name(i)), ("year", &year.to_string()), ("first", &ymd(first)), ("last", &ymd(last))];
            out.push(ctx.finding(&DATE_OUTSIDE_YEAR, Some(i), &args));
        }
    }
    if let Some(exit) = ctx.date(f.exit) {
        if exit > ctx.as_of && ctx.as_of.checked_add_days(Days::new(30)).is_some_and(|limit| exit > limit) {
            out.push(ctx.finding(&EXIT_FUTURE, Some(f.exit), &[("today", &today())]));
        }
    }
}

fn check_age(ctx: &RecordCtx<'_, '_>, f: &Fields, birth: NaiveDate, start: NaiveDate, out: &mut Vec<Finding>) {
    let age = start.years_since(birth).unwrap_or(0);
    let grade = ctx.raw(f.grade);
    // "Older than 0" is start > birth (SENR-START-BEFORE-BIRTH reports the rest): an infant
    // of seven months is 0 in whole years and plausible for grade IN.
    let (ok, range) = if grade == b"AD" { ((16..80).contains(&age), "16 to 79") } else { (age <= 22, "0 to 22") };
    if !ok {
        out.push(ctx.finding(&AGE_GRADE, Some(f.birth), &[("age", &age.to_string()), ("range", range), ("grade", &ctx.text(f.grade))]));
    }
}

fn check_completion(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    let reason = ctx.raw(f.exit_reason);
    let completion = ctx.raw(f.completion);
    let has_completion = !ctx.is_blank(f.completion);
    if reason == b"E230" && !has_completion {
        out.push(ctx.finding(&COMPLETION_REQUIRED, Some(f.completion), &[]));
    }
    // A blank exit reason counts (an open enrollment has no completion); an exit reason that
    // is not a code at all is FIELD-CODE's finding, not this one's.
    let reason_blank = ctx.is_blank(f.exit_reason);
    if has_completion && (reason_blank || ctx.is_valid(f.exit_reason)) && reason != b"E230" {
        let shown = if reason_blank { "blank".into() } else { ctx.text(f.exit_reason) };
        let mut finding = ctx.finding(&COMPLETION_WITHOUT_E230, Some(f.completion), &[("reason", &shown)]);
        // The state's rule for this case is SENR0175, which is about a diploma (100) only.
        finding.state_rule = (completion == b"100").then_some("SENR0175");
        out.push(finding);
    }
    if completion == b"100" && ctx.is_blank(f.uc_csu) {
        out.push(ctx.finding(&UC_CSU_REQUIRED, Some(f.uc_csu), &[]));
    }
    if completion != b"100" {
        let status = if has_completion { ctx.text(f.completion).into_owned() } else { "blank".to_owned() };
        for seal in [f.gssmd, f.biliteracy] {
            if ctx.raw(seal) == b"Y" {
                out.push(ctx.finding(&SEAL_WITHOUT_DIPLOMA, Some(seal), &[("field", ctx.name(seal)), ("status", &status)]));
            }
        }
    }
    if reason == b"T165" && ctx.is_blank(f.receiver) {
        out.push(ctx.finding(&T165_RECEIVER, Some(f.receiver), &[]));
    }
}

fn check_schools(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    let school = ctx.raw(f.school);
    let has_nps = !ctx.is_blank(f.nps);
    if has_nps && ctx.is_valid(f.school) && school != NPS_SCHOOL {
        out.push(ctx.finding(&NPS_WITHOUT_SCHOOL, Some(f.nps), &[("school", &ctx.text(f.school))]));
    }
    if !has_nps && school == NPS_SCHOOL {
        out.push(ctx.finding(&NPS_MISSING, Some(f.nps), &[]));
    }
}

fn check_status(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    if ctx.raw(f.status) != b"50" {
        return;
    }
    let reason = ctx.raw(f.exit_reason);
    if ctx.is_valid(f.exit_reason) && !matches!(reason, b"E170" | b"N470" | b"E150") {
        out.push(ctx.finding(&STATUS50_EXIT, Some(f.exit_reason), &[]));
    }
    if ctx.raw(f.grade) == b"TK" {
        out.push(ctx.finding(&STATUS50_TK, Some(f.status), &[]));
    }
}

fn check_combinations(ctx: &RecordCtx<'_, '_>, f: &Fields, out: &mut Vec<Finding>) {
    if !ctx.is_valid(f.grade) {
        return;
    }
    let grade = ctx.raw(f.grade);
    for (field, table, rule) in [(f.exit_reason, "exit_reason_grade", &EXIT_GRADE), (f.completion, "completion_status_grade", &COMPLETION_GRADE)] {
        if !ctx.is_valid(field) {
            continue;
        }
        let Some(combo) = ctx.schema.combination(table) else { continue };
        if combo.allows(ctx.raw(field), grade) == Some(false) {
            let allowed = combo.allowed_list(ctx.raw(field));
            out.push(ctx.finding(rule, Some(field), &[("value", &ctx.text(field)), ("grade", &ctx.text(f.grade)), ("allowed", &allowed)]));
        }
    }
}
