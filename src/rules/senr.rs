//! SENR record rules: how the fields of one enrollment record must agree with each other
//! (exit pairs, date order, completion status, non-public schools, status 50, valid code
//! combinations, age for grade). Field-level checks have already run; these rules only look
//! at fields that passed them, so one bad value never cascades.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::{Lookup, MissingField, RecordCtx, Rule};
use crate::diagnostic::{Category, Finding, Severity};

/// Positions of the SENR fields these rules read, resolved once per layout.
#[derive(Debug)]
pub struct SenrFields {
    pub transaction: usize,
    pub lea: usize,
    pub school: usize,
    pub nps: usize,
    pub year: usize,
    pub ssid: usize,
    pub local_id: usize,
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
    /// Graduation exemption indicator, a field from 2023-2024 on.
    pub grad_exemption: Option<usize>,
    pub birth_state: usize,
    pub birth_country: usize,
    /// Which groups of checks run (decided once per compiled layout).
    pub groups: Groups,
    /// The academic year's first and last day, and the last day for its year-end exits
    /// (August 15 after it), worked out once per compiled layout.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub exit_cutoff: NaiveDate,
}

/// The groups of SENR checks that run: a group runs when any of its rules does.
#[derive(Debug, Clone, Copy)]
pub struct Groups {
    exit: bool,
    dates: bool,
    completion: bool,
    schools: bool,
    status: bool,
    combinations: bool,
    ssid: bool,
    grad_exemption: bool,
    young: bool,
    birth_place: bool,
}

impl Groups {
    fn of(l: &Lookup<'_, '_>) -> Groups {
        Groups {
            exit: l.on(&[&EXIT_PAIR, &EXIT_BEFORE_START, &N470_DATE, &N420_DATE, &SHORT_TERM_LENGTH]),
            dates: l.on(&[&START_BEFORE_BIRTH, &START_FUTURE, &EXIT_FUTURE, &DATE_OUTSIDE_YEAR, &AGE_GRADE]),
            completion: l.on(&[&COMPLETION_REQUIRED, &COMPLETION_WITHOUT_E230, &UC_CSU_REQUIRED, &SEAL_WITHOUT_DIPLOMA, &T165_RECEIVER]),
            schools: l.on(&[&NPS_WITHOUT_SCHOOL, &NPS_MISSING]),
            status: l.on(&[&STATUS50_EXIT, &STATUS50_TK, &SECONDARY_EXIT, &E170_STATUS]),
            combinations: l.on(&[&EXIT_GRADE, &COMPLETION_GRADE]),
            ssid: l.on(&[&SSID_REQUIRED]),
            grad_exemption: l.on(&[&GRAD_EXEMPTION_REQUIRED, &GRAD_EXEMPTION_WITHOUT_DIPLOMA]),
            young: l.on(&[&TK_AGE, &PS_UNDER_3_NON_ADA]),
            birth_place: l.on(&[&BIRTH_STATE_COUNTRY]),
        }
    }
}

super::family::family!(SenrFields, "SENR", add_enrollment, {
    fn enrollment(&self, ctx: &RecordCtx<'_, '_>) -> Option<crate::domain::enrollment::Enrollment> {
        super::keys::Index::enrollment_of(ctx, self)
    }
});

impl SenrFields {
    pub(crate) fn resolve(l: &Lookup<'_, '_>) -> Result<SenrFields, MissingField> {
        Ok(SenrFields {
            transaction: l.need("transaction_type_code")?,
            lea: l.need("reporting_lea")?,
            school: l.need("school_of_attendance")?,
            nps: l.need("school_of_attendance_nps")?,
            year: l.need("academic_year_id")?,
            ssid: l.need("ssid")?,
            local_id: l.need("local_student_id")?,
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
            grad_exemption: l.get("graduation_exemption_indicator"),
            birth_state: l.need("student_birth_state_province_code")?,
            birth_country: l.need("student_birth_country_code")?,
            groups: Groups::of(l),
            first_day: l.year.first_day(),
            last_day: l.year.last_day(),
            exit_cutoff: l.year.last_day().checked_add_days(Days::new(46)).unwrap_or(l.year.last_day()),
        })
    }
}

/// The non-public school pseudo-school code.
pub const NPS_SCHOOL: &[u8] = b"0000001";
/// The private school group pseudo-school code.
pub const PRIVATE_GROUP_SCHOOL: &[u8] = b"0000002";

crate::rules! {
    EXIT_PAIR {
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
    }

    EXIT_BEFORE_START {
        id: "SENR-EXIT-BEFORE-START",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0018"),
        summary: "The exit date is before the enrollment start date",
        message: "enrollment_exit_date {value} is before enrollment_start_date {start}",
        help: "correct whichever date was mistyped; an enrollment that never happened is exited with N470 (exit = start or start - 1)",
        explanation: "An enrollment ends on or after the day it starts. The only exception is the no-show code N470, whose exit date may be the day before the start date (checked by SENR-N470-DATE).",
        bad: "...^20250814^10^04^20250801^T160^...",
        good: "...^20250814^10^04^20251003^T160^...",
    }

    N470_DATE {
        id: "SENR-N470-DATE",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0018"),
        summary: "An N470 no-show exit date must equal the start date or the day before",
        message: "N470 exit date {value} is neither the start date {start} nor the day before",
        help: "set enrollment_exit_date to {start} or {day_before}; a student who attended is exited with another reason",
        explanation: "N470 (no-show) records an enrollment that never took place, so its exit date is the start date or one day before it (SENR0018; the state's guidance since 5/2025: the day before for general education, the start date for students with disabilities). Any other exit date means the student attended and needs a different exit reason.",
        bad: "...^20250814^10^04^20250905^N470^...",
        good: "...^20250814^10^04^20250813^N470^...",
    }

    N420_DATE {
        id: "SENR-N420-DATE",
        severity: Severity::Warning,
        category: Category::Conditional,
        state_rule: None,
        summary: "An N420 no-show (same school) exit date must fall between May 15 and August 15",
        message: "N420 exit date {value} is not between May 15 and August 15",
        help: "N420 is for students expected back at the same school who did not show up after the summer; use N470 or a transfer code otherwise",
        explanation: "N420 (no-show, same school) closes a summer-time enrollment of a student who was expected to return and did not; its exit date usually falls between May 15 and August 15. No current state rule checks the window (SENR0167, which did, was folded into SENR0018 in 2010 and SENR0018 now checks only N470), so this is a warning: a date far outside it usually means a mistyped date or the wrong no-show code.",
        bad: "...^20250814^10^04^20251020^N420^...",
        good: "...^20250814^10^04^20250814^N420^...",
    }

    START_BEFORE_BIRTH {
        id: "SENR-START-BEFORE-BIRTH",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: None,
        summary: "The enrollment starts on or before the student's birth date",
        message: "enrollment_start_date {value} is not after student_birth_date {birth}",
        help: "one of the two dates is mistyped; check the birth date against the student's records",
        explanation:
            "A student cannot be enrolled before being born. This usually means the birth date and start date were swapped or a year was mistyped.",
        bad: "...^20150412^F^...^20100814^10^04^...",
        good: "...^20150412^F^...^20250814^10^04^...",
    }

    START_FUTURE {
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
    }

    EXIT_FUTURE {
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
    }

    COMPLETION_REQUIRED {
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
    }

    COMPLETION_WITHOUT_E230 {
        id: "SENR-COMPLETION-WITHOUT-E230",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0022"),
        summary: "A completion status is given with an exit reason other than E230",
        message: "student_school_completion_status {value} is set but the exit reason is {reason}",
        help: "a completer exits with E230; clear the completion status or change the exit reason to E230",
        explanation: "Completion status belongs only to completer exits (E230): exit reason and completion status must be a valid combination (SENR0022), and a diploma (100) needs E230 (SENR0175, cited on findings about 100).",
        bad: "...^20260605^E155^100^^Y^...",
        good: "...^20260605^E230^100^^Y^...",
    }

    UC_CSU_REQUIRED {
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
    }

    SEAL_WITHOUT_DIPLOMA {
        id: "SENR-SEAL-WITHOUT-DIPLOMA",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: None,
        summary: "Golden State Seal or Seal of Biliteracy = Y without a standard diploma",
        message: "{field} is Y but the completion status is {status}",
        help: "the seals are awarded only with a standard diploma (completion status 100); set {field} to N or blank",
        explanation: "The Golden State Seal Merit Diploma and the State Seal of Biliteracy are awarded with a standard high school diploma. Y is accepted only when the completion status is 100 (SENR0315 for the Golden State Seal, SENR0316 for the Seal of Biliteracy).",
        bad: "...^20260605^E155^^^^^^Y^N^...",
        good: "...^20260605^E155^^^^^^N^N^...",
    }

    T165_RECEIVER {
        id: "SENR-T165-RECEIVER",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: None,
        summary: "A T165 disciplinary transfer needs the expected receiver school",
        message: "exit reason T165 needs expected_receiver_school_of_attendance",
        help: "set expected_receiver_school_of_attendance to the 7-digit code of the school the student was sent to",
        explanation:
            "T165 records a transfer for disciplinary reasons; the state follows the student to the receiving school, so its school code is required.",
        bad: "...^20251110^T165^^^...",
        good: "...^20251110^T165^^6019723^...",
    }

    NPS_WITHOUT_SCHOOL {
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
    }

    NPS_MISSING {
        id: "SENR-NPS-MISSING",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0004"),
        summary: "School 0000001 (non-public school) needs the NPS school code",
        message: "school_of_attendance is 0000001 but school_of_attendance_nps is blank",
        help: "set school_of_attendance_nps to the 7-digit code of the non-public school",
        explanation:
            "The pseudo-school 0000001 means \"placed in a non-public school\"; which one is said by school_of_attendance_nps, which is then required.",
        bad: "SENR^^LR-1^1964733^0000001^^2025-2026^...",
        good: "SENR^^LR-1^1964733^0000001^6999001^2025-2026^...",
    }

    STATUS50_EXIT {
        id: "SENR-STATUS50-EXIT",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0522"),
        summary: "A non-ADA (status 50) enrollment exits only with E150, E170 or N470",
        message: "enrollment status 50 cannot exit with {value}",
        help: "exit a non-ADA enrollment with E170, E150 or N470, or leave the exit reason blank while it is open",
        explanation: "Status 50 enrollments (infants with IFSPs, preschoolers with IEPs, tuition-paying students …) generate no ADA and are not counted as school leavers. Their exit reason is blank, E170, N470 or E150.",
        bad: "...^20250814^50^PS^20260605^E155^...",
        good: "...^20250814^50^PS^20260605^E170^...",
    }

    STATUS50_TK {
        id: "SENR-STATUS50-TK",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: None,
        summary: "Transitional kindergarten cannot be a non-ADA (status 50) enrollment",
        message: "grade TK cannot have enrollment status 50",
        help: "enroll TK students with status 10 (primary)",
        explanation:
            "Transitional kindergarten is part of the public school system and generates ADA; the non-ADA status 50 is not available for grade TK.",
        bad: "...^20250814^50^TK^...",
        good: "...^20250814^10^TK^...",
    }

    EXIT_GRADE {
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
    }

    COMPLETION_GRADE {
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
    }

    AGE_GRADE {
        id: "SENR-AGE-GRADE",
        severity: Severity::Warning,
        category: Category::Plausibility,
        state_rule: Some("SENR0719E3"),
        summary: "The student's age on the start date is implausible for the grade",
        message: "student is {age} on the start date, outside {range} for grade {grade}",
        help: "check student_birth_date and grade_level_code; one of them is probably mistyped",
        explanation: "Adult students (grade AD) are expected to be 16 to 79 on the start date; every other student at most 22 (and born before the start date, which SENR-START-BEFORE-BIRTH checks; an infant under one year is plausible). A value outside is legal but usually a typing error in the birth year. The state's EOY 3 warning SENR0719E3 checks the same age (more than 0, at most 22) for students not in grade AD at schools that are not charters.",
        bad: "...^19850412^F^...^20250814^10^04^...",
        good: "...^20150412^F^...^20250814^10^04^...",
    }

    SHORT_TERM_LENGTH {
        id: "SENR-SHORT-TERM-LENGTH",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0187"),
        summary: "A short-term (status 30) enrollment lasts more than 30 days",
        message: "short-term enrollment lasts {days} days from {start} to {end}; the limit is 30",
        help: "a stay over 30 days is a primary enrollment: report it with status 10, or correct the dates",
        explanation: "Short-term enrollments (status 30, Educational Options schools) last at most 30 calendar days, start to exit inclusive; an open one is measured from its start to today (the date rollcall runs, or `--as-of`). Longer ones are treated as primary by the state and are rejected as short-term (SENR0187).",
        bad: "...^20251001^30^10^20251110^T160^...",
        good: "...^20251001^30^10^20251020^T160^...",
    }

    DATE_OUTSIDE_YEAR {
        id: "SENR-DATE-OUTSIDE-YEAR",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: Some("SENR0742"),
        summary: "An enrollment starts outside its academic year, or exits after August 15 following it",
        message: "{field} {value} is outside the academic year {year} ({what})",
        help: "{fix}",
        explanation: "An academic year runs from July 1 to June 30, and the academic year of an enrollment is the year of its start date (SENR0742, since 11/2025): a start before July 1 belongs to the prior year, a start after June 30 to the next. A prior-year enrollment may still be exited up to August 15 of the next year (the state's cut-off for year-end exits is August 16: SENR0317, CERT112; summer graduates are counted in the prior year), so an exit date from July 1 to August 15 after the year is accepted; a later one is reported. No-show exits (N470, N420) are left to their own rules: an N470 exits the day before a July 1 start.",
        bad: "SENR^...^2025-2026^...^20250630^10^04^...",
        good: "SENR^...^2025-2026^...^20250813^10^04^...",
    }

    SSID_REQUIRED {
        id: "SENR-SSID-REQUIRED",
        severity: Severity::Fatal,
        category: Category::Required,
        state_rule: Some("GERR0001"),
        summary: "A delete or replace SENR record has no SSID",
        message: "transaction type {value} needs the student's SSID, but ssid is blank",
        help: "fill in the SSID of the enrollment to {action}; only an add/update (blank transaction type) may leave it blank, to ask CALPADS for a new student's SSID",
        explanation: "SENR is how a district obtains SSIDs: an add or update (transaction type blank or A) of a new student may leave the SSID blank, and CALPADS matches the student or assigns one. A delete (D) or replace (R) acts on an enrollment CALPADS already holds, which it finds by school, SSID and start date, so the SSID is required.",
        bad: "SENR^D^LR-1^9912345^9990011^^2025-2026^^240311^...",
        good: "SENR^D^LR-1^9912345^9990011^^2025-2026^9900000311^240311^...",
    }

    GRAD_EXEMPTION_REQUIRED {
        id: "SENR-GRAD-EXEMPTION-REQUIRED",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0632"),
        summary: "A diploma graduate exiting after 2023-06-30 has no graduation exemption indicator",
        message: "completion status 100 with exit date {exit} needs graduation_exemption_indicator (Y or N)",
        help: "set graduation_exemption_indicator to Y if the graduate was exempted from local graduation requirements (SB 532), else N",
        explanation: "From 2023-2024 (SB 532) the state collects, for every graduate with a standard diploma (completion status 100) exiting after 2023-06-30, whether the student met the state's requirements but was exempted from local ones: field 1.35 holds Y or N (SENR0632, added 9/2023).",
        bad: "...^20260605^E230^100^^Y^^^N^N^^",
        good: "...^20260605^E230^100^^Y^^^N^N^^N",
    }

    GRAD_EXEMPTION_WITHOUT_DIPLOMA {
        id: "SENR-GRAD-EXEMPTION-WITHOUT-DIPLOMA",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0630"),
        summary: "A graduation exemption indicator is given without completion status 100",
        message: "graduation_exemption_indicator is {value} but the completion status is {status}",
        help: "clear graduation_exemption_indicator, or correct the completion status if the student graduated with a standard diploma (100)",
        explanation: "The graduation exemption indicator (1.35) describes standard-diploma graduates only; with any other completion status, or none, it must be blank (SENR0630, added 9/2023).",
        bad: "...^20260605^E155^^^^^^N^N^^N",
        good: "...^20260605^E155^^^^^^N^N^^",
    }

    TK_AGE {
        id: "SENR-TK-AGE",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0622"),
        summary: "A transitional kindergarten student is not yet 4 on September 1 of the academic year",
        message: "grade TK student born {value} is {age} on September 1, {sept_year}; TK students are at least 4",
        help: "check student_birth_date; a child younger than 4 on September 1 is enrolled in preschool (PS), not TK",
        explanation: "Transitional kindergarten takes children who are at least 4 years old on September 1 of the academic year (from 2025-2026 every child who turns 4 by September 1 is eligible). A younger TK student is rejected (SENR0622, added 7/2023, extended 4/2024).",
        bad: "...^20220915^F^...^20250813^10^TK^...",
        good: "...^20210915^F^...^20250813^10^TK^...",
    }

    PS_UNDER_3_NON_ADA {
        id: "SENR-PS-UNDER-3-NON-ADA",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0731F1"),
        summary: "A preschool student under 3 on the start date has non-ADA enrollment status 50",
        message: "grade PS student is {age} on the start date {start}; status 50 is not for preschoolers under 3",
        help: "a child under 3 is an infant (grade IN) or is enrolled with another status; correct the grade, the status or the birth date",
        explanation: "A preschool (PS) student younger than 3 on the enrollment start date may not be reported with the non-ADA status 50 (SENR0731F1, Fall 1, added 9/2025).",
        bad: "...^20230601^F^...^20250901^50^PS^...",
        good: "...^20230601^F^...^20250901^50^IN^...",
    }

    SECONDARY_EXIT {
        id: "SENR-SECONDARY-EXIT",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0302"),
        summary: "A secondary (status 20) enrollment exits with a reason other than E170",
        message: "secondary enrollment exits with {value}; secondary enrollments exit only with E170",
        help: "exit the concurrent enrollment with E170 (non-primary enrollment exit); the year-end, transfer and completer codes belong to the student's primary enrollment",
        explanation: "A secondary (concurrent) enrollment is closed with E170 or left open (SENR0302). The classic year-end mistake is closing every enrollment of the student with E155 or E230, including the concurrent one.",
        bad: "...^20250813^20^11^20260605^E155^...",
        good: "...^20250813^20^11^20260605^E170^...",
    }

    E170_STATUS {
        id: "SENR-E170-STATUS",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0523"),
        summary: "Exit reason E170 is used for an enrollment that is not secondary (20) or non-ADA (50)",
        message: "exit reason E170 is for secondary (20) or non-ADA (50) enrollments; this one has status {status}",
        help: "exit a primary or short-term enrollment with the reason the student left (E155, T160, E230 …), or correct the enrollment status",
        explanation: "E170 (non-primary enrollment exit) closes concurrent (20) and non-ADA (50) enrollments only (SENR0523). A primary or short-term enrollment closed with E170 hides why the student left.",
        bad: "...^20250813^10^04^20260605^E170^...",
        good: "...^20250813^10^04^20260605^E155^...",
    }

    BIRTH_STATE_COUNTRY {
        id: "SENR-BIRTH-STATE-COUNTRY",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0036"),
        summary: "The birth state or province does not belong to the birth country",
        message: "{field} {value} {problem}",
        help: "{fix}",
        explanation: "Birth country and birth state/province must be a valid combination (SENR0036). CALPADS takes a state or province only for the United States, Canada and Mexico, written with the country in front (US-CA, CA-BC, MX-JAL); for every other country the state/province is left blank. The most common error is a Canadian province code where a US state was meant: CA is Canada, California is US-CA. The code sets are data in schemas/calpads/iso3166.toml.",
        bad: "...^LOS ANGELES^US-CA^MX^...",
        good: "...^LOS ANGELES^US-CA^US^...",
    }
}

/// Whether a birth state/province and country fit together (SENR0036 and its SINF twin);
/// reports on the state/province field.
pub(crate) fn check_birth_place(ctx: &RecordCtx<'_, '_>, state: usize, country: usize, rule: &'static Rule, out: &mut Vec<Finding>) {
    if !ctx.is_valid(state) || !ctx.is_valid(country) {
        return;
    }
    let (code, land) = (ctx.raw(state), ctx.raw(country));
    let (problem, fix) = if !matches!(land, b"US" | b"CA" | b"MX") {
        (
            format!("is given, but birth country {} has no state or province codes in CALPADS", ctx.text(country)),
            "leave the birth state/province blank for students born outside the United States, Canada and Mexico, or correct the birth country"
                .to_owned(),
        )
    } else if !code.starts_with(land) || code.get(2) != Some(&b'-') {
        let prefix = String::from_utf8_lossy(code.get(..2).unwrap_or_default()).into_owned();
        (
            format!("is in {prefix}, but the birth country is {}", ctx.text(country)),
            format!("use a {0}-… code for a student born in {0}, or correct the birth country", ctx.text(country)),
        )
    } else {
        return;
    };
    out.push(ctx.finding(rule, Some(state), &[("field", ctx.name(state)), ("problem", &problem), ("fix", &fix)]));
}

fn ymd(d: NaiveDate) -> String {
    crate::domain::date::format_ccyymmdd(d)
}

/// Runs every SENR record rule on one record.
pub fn check(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
    // A group of checks runs when any of its rules does (`--ignore` leaves the rest out).
    let on = f.groups;
    if on.exit {
        check_exit(ctx, f, out);
    }
    if on.dates {
        check_dates(ctx, f, out);
    }
    if on.completion {
        check_completion(ctx, f, out);
    }
    if on.schools {
        check_schools(ctx, f, out);
    }
    if on.status {
        check_status(ctx, f, out);
    }
    if on.combinations {
        check_combinations(ctx, f, out);
    }
    if on.ssid {
        check_ssid(ctx, f, out);
    }
    if on.grad_exemption {
        check_grad_exemption(ctx, f, out);
    }
    if on.young {
        check_young(ctx, f, out);
    }
    if on.birth_place {
        check_birth_place(ctx, f.birth_state, f.birth_country, &BIRTH_STATE_COUNTRY, out);
    }
}

fn check_ssid(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
    let action = match ctx.raw(f.transaction) {
        b"D" => "delete",
        b"R" => "replace",
        _ => return,
    };
    if ctx.is_blank(f.ssid) {
        out.push(ctx.finding(&SSID_REQUIRED, Some(f.ssid), &[("value", &ctx.text(f.transaction)), ("action", action)]));
    }
}

/// The last exit date for which no graduation exemption indicator is collected (SENR0632).
fn before_exemptions() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 6, 30).unwrap_or(NaiveDate::MIN)
}

fn check_grad_exemption(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
    let Some(i) = f.grad_exemption else { return };
    let diploma = ctx.raw(f.completion) == b"100";
    match ctx.date(f.exit) {
        Some(exit) if diploma && exit > before_exemptions() && ctx.is_blank(i) => {
            out.push(ctx.finding(&GRAD_EXEMPTION_REQUIRED, Some(i), &[("exit", &ymd(exit))]));
        }
        _ => {}
    }
    // A completion status that is not a code is FIELD-CODE's finding.
    let completion_known = ctx.is_blank(f.completion) || ctx.is_valid(f.completion);
    if !ctx.is_blank(i) && !diploma && completion_known {
        let status = if ctx.is_blank(f.completion) { "blank".into() } else { ctx.text(f.completion) };
        out.push(ctx.finding(&GRAD_EXEMPTION_WITHOUT_DIPLOMA, Some(i), &[("status", &status)]));
    }
}

/// Whole years of age on `day`.
fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    day.years_since(birth).unwrap_or(0)
}

fn check_young(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
    let Some(birth) = ctx.date(f.birth) else { return };
    match ctx.raw(f.grade) {
        b"TK" => {
            let sept_year = i32::from(ctx.compiled.year.0);
            let Some(sept1) = NaiveDate::from_ymd_opt(sept_year, 9, 1) else { return };
            let age = age_on(birth, sept1);
            if birth > sept1 || age < 4 {
                out.push(ctx.finding(&TK_AGE, Some(f.birth), &[("age", &age.to_string()), ("sept_year", &sept_year.to_string())]));
            }
        }
        b"PS" if ctx.raw(f.status) == b"50" => {
            let Some(start) = ctx.date(f.start).filter(|s| *s > birth) else { return };
            let age = age_on(birth, start);
            if age < 3 {
                out.push(ctx.finding(&PS_UNDER_3_NON_ADA, Some(f.status), &[("age", &age.to_string()), ("start", &ymd(start))]));
            }
        }
        _ => {}
    }
}

fn check_exit(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
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
    let Some(start) = ctx.date(f.start) else { return };
    if ctx.is_blank(f.exit) && ctx.is_blank(f.exit_reason) {
        check_short_term(ctx, f, start, None, out);
    }
    let Some(exit) = ctx.date(f.exit) else { return };
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
    check_short_term(ctx, f, start, Some(exit), out);
}

/// SENR0187: a short-term enrollment lasts at most 30 days, start to exit inclusive; an open
/// one is measured to today.
fn check_short_term(ctx: &RecordCtx<'_, '_>, f: &SenrFields, start: NaiveDate, exit: Option<NaiveDate>, out: &mut Vec<Finding>) {
    if ctx.raw(f.status) != b"30" {
        return;
    }
    let end = exit.unwrap_or(ctx.as_of);
    let days = (end - start).num_days() + 1;
    if end >= start && days > 30 {
        let shown = match exit {
            Some(exit) => ymd(exit),
            None => format!("today, {} (still open)", ymd(ctx.as_of)),
        };
        out.push(ctx.finding(&SHORT_TERM_LENGTH, Some(f.exit), &[("days", &days.to_string()), ("start", &ymd(start)), ("end", &shown)]));
    }
}

fn check_dates(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
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
    let (first, last) = (f.first_day, f.last_day);
    if let Some(start) = ctx.date(f.start).filter(|d| *d < first || *d > last) {
        let fix = format!(
            "a {year} enrollment starts between {} and {}; the academic year of the start date is {}",
            ymd(first),
            ymd(last),
            crate::domain::date::AcademicYear::containing(start)
        );
        let args = [("field", ctx.name(f.start)), ("year", &year.to_string()), ("what", "July 1 to June 30"), ("fix", &fix)];
        out.push(ctx.finding(&DATE_OUTSIDE_YEAR, Some(f.start), &args));
    }
    // A no-show's exit date is checked by its own rule: N470 exits on the day before a
    // July 1 start. Other exits may come up to August 15 after the year (SENR0317).
    let no_show = matches!(ctx.raw(f.exit_reason), b"N470" | b"N420");
    let cutoff = f.exit_cutoff;
    if let Some(exit) = ctx.date(f.exit).filter(|d| !no_show && (*d < first || *d > cutoff)) {
        let fix = format!(
            "a {year} enrollment exits between {} and {} (August 15 after the year, the last day for year-end exits); check the year of the date",
            ymd(first),
            ymd(cutoff)
        );
        let what = if exit < first { "which starts July 1" } else { "whose exits close on August 15 after it" };
        let mut finding =
            ctx.finding(&DATE_OUTSIDE_YEAR, Some(f.exit), &[("field", ctx.name(f.exit)), ("year", &year.to_string()), ("what", what), ("fix", &fix)]);
        finding.state_rule = Some("SENR0317");
        out.push(finding);
    }
    if let Some(exit) = ctx.date(f.exit) {
        if exit > ctx.as_of && ctx.as_of.checked_add_days(Days::new(30)).is_some_and(|limit| exit > limit) {
            out.push(ctx.finding(&EXIT_FUTURE, Some(f.exit), &[("today", &today())]));
        }
    }
}

fn check_age(ctx: &RecordCtx<'_, '_>, f: &SenrFields, birth: NaiveDate, start: NaiveDate, out: &mut Vec<Finding>) {
    let age = start.years_since(birth).unwrap_or(0);
    let grade = ctx.raw(f.grade);
    // "Older than 0" is start > birth (SENR-START-BEFORE-BIRTH reports the rest): an infant
    // of seven months is 0 in whole years and plausible for grade IN.
    let (ok, range) = if grade == b"AD" { ((16..80).contains(&age), "16 to 79") } else { (age <= 22, "0 to 22") };
    if !ok {
        out.push(ctx.finding(&AGE_GRADE, Some(f.birth), &[("age", &age.to_string()), ("range", range), ("grade", &ctx.text(f.grade))]));
    }
}

fn check_completion(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
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
        for seal in [f.gssmd, f.biliteracy] {
            if ctx.raw(seal) == b"Y" {
                let status = if has_completion { ctx.text(f.completion).into_owned() } else { "blank".to_owned() };
                let mut finding = ctx.finding(&SEAL_WITHOUT_DIPLOMA, Some(seal), &[("field", ctx.name(seal)), ("status", &status)]);
                finding.state_rule = Some(if seal == f.gssmd { "SENR0315" } else { "SENR0316" });
                out.push(finding);
            }
        }
    }
    if reason == b"T165" && ctx.is_blank(f.receiver) {
        out.push(ctx.finding(&T165_RECEIVER, Some(f.receiver), &[]));
    }
}

fn check_schools(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
    let school = ctx.raw(f.school);
    let has_nps = !ctx.is_blank(f.nps);
    if has_nps && ctx.is_valid(f.school) && school != NPS_SCHOOL {
        out.push(ctx.finding(&NPS_WITHOUT_SCHOOL, Some(f.nps), &[("school", &ctx.text(f.school))]));
    }
    if !has_nps && school == NPS_SCHOOL {
        out.push(ctx.finding(&NPS_MISSING, Some(f.nps), &[]));
    }
}

fn check_status(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
    let reason = ctx.raw(f.exit_reason);
    let status = ctx.raw(f.status);
    if status == b"20" && ctx.is_valid(f.exit_reason) && reason != b"E170" {
        out.push(ctx.finding(&SECONDARY_EXIT, Some(f.exit_reason), &[]));
    }
    if reason == b"E170" && ctx.is_valid(f.status) && !matches!(status, b"20" | b"50") {
        out.push(ctx.finding(&E170_STATUS, Some(f.exit_reason), &[("status", &ctx.text(f.status))]));
    }
    if status != b"50" {
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

fn check_combinations(ctx: &RecordCtx<'_, '_>, f: &SenrFields, out: &mut Vec<Finding>) {
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
