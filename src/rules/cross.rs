//! Cross-file rules over a whole submission (every SENR, SINF and STAS file of one LEA and
//! year): absence summaries for every enrollment and enrollments for every summary, student
//! information on Census Day, initial US enrollment dates, prior-year enrollments still open,
//! ethnicity and race data, and the attendance-calendar rules. They run once, after every
//! file has streamed by, on the compact [`Index`].

use chrono::NaiveDate;
use rustc_hash::FxHashMap as HashMap;

use super::senr::{NPS_SCHOOL, PRIVATE_GROUP_SCHOOL};
use super::Rule;
use crate::diagnostic::borrow_args;
use crate::diagnostic::{Category, Finding, Related, RuleSet, Severity};
use crate::domain::calendar::Calendar;
use crate::domain::codes::{school_code, LocalId, StudentKey};
use crate::domain::date::{day_number, format_ccyymmdd, AcademicYear};
use crate::domain::enrollment::day_text;
use crate::domain::enrollment::EnrollmentStatus;
use crate::rules::keys::{finding_at, with_related};
use crate::rules::keys::{Enrollment, Index, Information, RecordRef, Summary, OPEN};

crate::rules! {
    SUBMISSION_MIX {
        id: "XF-SUBMISSION-MIX",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "Files of one run belong to different LEAs or academic years",
        message: "this file is for {what} {value}, but {others} {verb} for {other}: its records are left out of the cross-file rules",
        help: "check one submission at a time: the files of one LEA for one academic year (export this file again for {other}, or check it in a run of its own)",
        explanation: "A submission is the set of files one LEA sends for one academic year, and the cross-file rules compare them with each other. The LEA and year of most of the run's records are the submission's; a file of another one is reported once, at that file, naming the files it differs from, and its records are left out of the cross-file matching (they would otherwise each be reported as unmatched). CALPADS download (-R) files, which hold several years, are exempt from the year comparison.",
        bad: "exports/senr.txt (9912345, 2025-2026) and exports/old/senr.txt (9912345, 2024-2025)",
        good: "exports/senr.txt (9912345, 2025-2026) and exports/stas.txt (9912345, 2025-2026)",
    }

    PROBABLY_SAME {
        id: "XF-PROBABLY-SAME-STUDENT",
        severity: Severity::Info,
        category: Category::Consistency,
        state_rule: None,
        summary: "A record whose SSID cannot be read is probably a student the run knows by local ID and school",
        message: "this {record_type} record's SSID cannot be read; it is probably the same student as {other} (SSID {ssid}, local student ID {local}, school {school})",
        help: "if it is the same student, correct the SSID to {ssid}; the record takes no part in matching until then, and the other records are not reported as unmatched for it",
        explanation: "A record whose SSID is filled but not ten digits (a digit dropped, a letter O for a zero, a spreadsheet's 1.23E+09) cannot be matched with the student's other records; the field finding says what is wrong with the value. So that the clerk does not have to search, the record is compared with the run's records by local student ID and school: a match names the record and its SSID, which is most likely the right one. The records it would have matched are not reported as missing their SENR or STAS.",
        bad: "stas.txt: STAS^^...^9990011^2025-2026^99000010^240108^...   senr.txt line 108: ...^9990011^...^9900000108^240108^...",
        good: "stas.txt: STAS^^...^9990011^2025-2026^9900000108^240108^...",
    }

    SSID_KNOWN {
        id: "XF-SSID-KNOWN",
        severity: Severity::Warning,
        category: Category::Consistency,
        state_rule: None,
        summary: "A SENR without SSID is for a student whose other records carry an SSID",
        message: "this enrollment has no SSID, but local student ID {local} has SSID {ssid} on {other}",
        help: "this student already has SSID {ssid}; send it in the ssid field (a blank SSID asks CALPADS to match or assign one, and can create a second SSID for the student)",
        explanation: "A SENR add or update may leave the SSID blank: that is how a district gets an SSID for a new student (CALPADS matches the student or assigns one). When the same local student ID already carries an SSID in the run's SINF, STAS or other SENR records, the student is not new, and sending the enrollment without the SSID risks a second SSID (a multiple-identifier case). The cross-record rules treat the enrollment as that SSID's.",
        bad: "senr.txt: SENR^^LR-9^9912345^9990011^^2025-2026^^240311^...   sinf.txt: ...^9900000311^240311^...",
        good: "senr.txt: SENR^^LR-9^9912345^9990011^^2025-2026^9900000311^240311^...",
    }

    STAS_MISSING {
        id: "XF-STAS-MISSING",
        severity: Severity::Fatal,
        category: Category::Reference,
        state_rule: Some("CERT128"),
        summary: "A primary or short-term TK-12 enrollment has no absence summary for its school and year",
        message: "enrollment of {student} at school {school} in {year} has no STAS record",
        help: "add the student's absence summary for school {school} (one record summing all of the student's enrollments there)",
        explanation: "Every primary (10) or short-term (30) enrollment in grades TK-12 needs an absence summary (STAS) for the same school and year; certification of EOY 3 fails without it (CERT128). Secondary (20) and non-ADA (50) enrollments, no-shows and the pseudo-schools 0000001/0000002 need none; nor does a new student's enrollment sent without an SSID (its STAS is reported with the SSID CALPADS assigns). Checked only when the run includes STAS records.",
        bad: "senr.txt: 9900000101 at 9990011, status 10, grade 03; stas.txt: nothing for 9900000101 at 9990011",
        good: "stas.txt: STAS^^...^9990011^2025-2026^9900000101^...^180^170^0^0^6^4^0^0^N^",
    }

    STAS_WITHOUT_ENROLLMENT {
        id: "XF-STAS-WITHOUT-ENROLLMENT",
        severity: Severity::Fatal,
        category: Category::Reference,
        state_rule: None,
        summary: "An absence summary has no enrollment at that school in that year",
        message: "STAS for {student} at school {school} in {year} has no SENR enrollment there",
        help: "correct the school or SSID of the summary, or add the missing enrollment; a summary without an enrollment is rejected",
        explanation: "An absence summary describes attendance during enrollments at one school. Without a matching SENR enrollment (same SSID, school and academic year) it describes nothing. Checked only when the run includes SENR records.",
        bad: "stas.txt: ...^9990029^2025-2026^9900000101^...; senr.txt: 9900000101 enrolled only at 9990011",
        good: "stas.txt: ...^9990011^2025-2026^9900000101^...",
    }

    SINF_CENSUS {
        id: "XF-SINF-CENSUS",
        severity: Severity::Warning,
        category: Category::Reference,
        state_rule: None,
        summary: "A student enrolled on Census Day has no student information effective that day",
        message: "{student} is enrolled at {school} on Census Day {census} but no SINF record is effective that day",
        help: "add or correct the student's SINF record so that its effective dates include {census}",
        explanation: "Fall 1 counts students on Census Day by their demographics, which come from the SINF record effective that day. A student enrolled on Census Day without one is counted without demographics. Checked with --census when the run includes SINF records.",
        bad: "senr.txt: 9900000101 enrolled 20250813 (open); sinf.txt: 9900000101 effective from 20251103",
        good: "sinf.txt: 9900000101 effective from 20250813",
    }

    US_DATE_AFTER_START {
        id: "XF-US-DATE-AFTER-START",
        severity: Severity::Fatal,
        category: Category::Consistency,
        state_rule: Some("SENR0654F1"),
        summary: "The initial US school enrollment date is after the student's earliest TK-12 enrollment",
        message: "student_initial_us_school_enrollment_date_k12 {value} is after the earliest TK-12 enrollment start {start}",
        help: "the first US school enrollment cannot come after an enrollment in this LEA; set it to {start} or earlier",
        explanation: "The initial US school enrollment date (SINF 2.36) is the first day the student attended a US school in grades K-12. It cannot be later than any TK-12 enrollment start the LEA reports (SENR0654F1). No-show exits (N420, N470) and enrollments that started before 2013-07-01 are ignored.",
        bad: "sinf.txt: ...^20251001^...; senr.txt: start 20250813, grade 03",
        good: "sinf.txt: ...^20250813^...",
    }

    PRIOR_YEAR_OPEN {
        id: "XF-PRIOR-YEAR-OPEN",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: Some("SENR0317"),
        summary: "An enrollment from a prior academic year is still open",
        message: "{year} enrollment at school {school} from {start} is still open; {year} enrollments are exited before August 16, {cutoff_year}",
        help: "exit the prior-year enrollment with its year-end reason (E155, E156, E230 …) and the last day the student attended that year (at the latest August 15, {cutoff_year}); a student still enrolled gets a new enrollment for the new year",
        explanation: "Every enrollment is exited at the end of its school year (E155 for students returning, E156 for fifth-year seniors, completers with E230), at the latest before August 16 of the next year (summer graduates count in the prior year). A prior-year enrollment left open is rejected (SENR0317) and blocks Fall 1 certification (CERT112). Checked when the run holds records of a later academic year than the enrollment's; an exit after August 15 is SENR-DATE-OUTSIDE-YEAR's finding.",
        bad: "SENR^...^2024-2025^...^20240814^10^04^^^...",
        good: "SENR^...^2024-2025^...^20240814^10^04^20250611^E155^...",
    }

    NO_ETHNICITY {
        id: "XF-NO-ETHNICITY",
        severity: Severity::Fatal,
        category: Category::Required,
        state_rule: Some("SENR0661F1"),
        summary: "A student information record covering an enrollment has no ethnicity or race data",
        message: "{student} has no ethnicity or race data{where_}",
        help: "report the Hispanic indicator and race codes, or mark them as declined (missing indicators = Y)",
        explanation: "Every SINF record whose effective dates overlap a primary, short-term or non-ADA (10, 30, 50) enrollment must carry ethnicity and race data: the Hispanic indicator, a race code, or a missing indicator set to Y (SENR0661F1, Fall 1, since 9/2024; it replaced CERT004). A family that declined to state is reported with the missing indicators set to Y, which counts as data. A student enrolled with no SINF record at all is reported at the enrollment (CERT004, still certified in EOY 1). Checked when the run includes SINF records; students without an SSID yet are not (their SINF follows once CALPADS assigns one).",
        bad: "sinf.txt: ...^^^^^^^^... (Hispanic indicator, race codes and both missing indicators blank) for a student enrolled with status 10",
        good: "sinf.txt: ...^N^N^700^^^^^N^...",
    }

    NON_SCHOOL_DAY {
        id: "XF-NON-SCHOOL-DAY",
        severity: Severity::Warning,
        category: Category::Calendar,
        state_rule: None,
        summary: "An enrollment starts or exits on a day that is not a school day in the calendar",
        message: "{field} {value} is not a school day at {school} in the attendance calendar",
        help: "enrollments usually start on the first day the student attends and exit on the last day expected to attend; check the date against the calendar",
        explanation: "With --calendar, start and exit dates are compared with the school's calendar. A date on a weekend, holiday or non-school day is legal but often a typing error, and it shifts the expected attendance days. A start the day after the same school's previous exit (an E150 mid-year update) is not reported, nor is a date outside the span the calendar file covers (another academic year: SENR-DATE-OUTSIDE-YEAR reports those).",
        bad: "start 20250816 (a Saturday)",
        good: "start 20250818 (Monday, a school day)",
    }

    EXPECTED_DAYS {
        id: "XF-EXPECTED-DAYS",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: Some("CERT129"),
        summary: "STAS expected attendance days exceed the days of the student's enrollments at that school",
        message: "expected_attendance_days {value} is more than the {days} {kind} in the student's enrollment at {school}",
        help: "count only the school days from enrollment start to exit at this school ({basis} gives {days})",
        explanation: "Expected attendance days are the school days between enrollment start and exit, inclusive, summed over the student's enrollments at that school and year. Certification compares them with the enrollment's calendar days, counting an open enrollment to May 15 (CERT129, Expected Attendance Days greater than Total Enrollment Days); rollcall does the same without a calendar. With --calendar it applies the stricter test: no more than the school days the calendar has in the enrollments.",
        bad: "enrolled 20260105 to 20260605 (100 school days); STAS expected days 180",
        good: "STAS expected days 100",
    }

    NOT_CHECKED {
        id: "XF-NOT-CHECKED",
        severity: Severity::Info,
        category: Category::Structure,
        state_rule: None,
        summary: "A cross-file rule was not checked because the records it compares are not in the run or could not be read",
        message: "{rule} was not checked: {why}",
        help: "{fix}",
        explanation: "Cross-file rules compare record types with each other. When a run holds some record types but not the one a rule needs, or most records of that type could not be read (a file with the wrong layout or delimiter), the rule is not run and this note says so, instead of reporting every record as unmatched: one broken file does not bury the real findings under thousands of follow-on ones.",
        bad: "rollcall check senr.txt sinf.txt   (no STAS: XF-STAS-MISSING cannot run)",
        good: "rollcall check senr.txt sinf.txt stas.txt",
    }
}

/// What the cross-file rules need besides the index.
pub struct CrossCtx<'a> {
    /// The submission's academic year.
    pub year: AcademicYear,
    pub census_day: NaiveDate,
    /// Run the Fall 1 Census Day rules.
    pub census: bool,
    pub calendar: Option<&'a Calendar>,
    /// The name findings show for a file index.
    pub name_of: &'a dyn Fn(usize) -> String,
    /// The rules that run.
    pub rules: &'a RuleSet,
}

/// A finding at `at` with owned template arguments.
fn finding(
    rule: &'static Rule,
    at: RecordRef,
    record_type: &str,
    field: Option<&str>,
    student: Option<StudentKey>,
    args: &[(&str, String)],
) -> Finding {
    finding_at(rule, at, record_type, field, student, &borrow_args(args))
}

fn is_pseudo(school: u32) -> bool {
    let code = school_code(school);
    code.as_bytes() == NPS_SCHOOL || code.as_bytes() == PRIVATE_GROUP_SCHOOL
}

/// Gives every enrollment without an SSID whose local student ID carries an SSID on another
/// record that SSID (XF-SSID-KNOWN), so the other rules compare it with the student's records.
/// Runs before the within-file rules.
pub fn resolve_new_students(index: &mut Index, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    if !index.enrollments.iter().any(|e| matches!(e.student, StudentKey::Local(_))) {
        return;
    }
    let mut known: HashMap<LocalId, (u64, RecordRef)> = HashMap::default();
    let with_ssid = index.enrollments.iter().filter_map(|e| Some((e.local?, e.student.ssid()?, e.at)));
    let others = index.information.iter().map(|i| (i.local, i.ssid, i.at)).chain(index.summaries.iter().map(|s| (s.local, s.ssid, s.at)));
    let all: Vec<(LocalId, u64, RecordRef)> = with_ssid.chain(others.filter_map(|(l, s, at)| Some((l?, s, at)))).collect();
    for (local, ssid, at) in all {
        known.entry(local).or_insert((ssid, at));
    }
    for e in &mut index.enrollments {
        let StudentKey::Local(local) = e.student else { continue };
        let Some(&(ssid, at)) = known.get(&local) else { continue };
        let other = format!("{} line {}", name_of(at.file as usize), at.line);
        let args = [("local", local.text()), ("other", other)];
        let mut f = with_related(finding(&SSID_KNOWN, e.at, "SENR", Some("ssid"), Some(StudentKey::Ssid(ssid)), &args), [at]);
        f.ssid = None;
        out.push(f);
        e.student = StudentKey::Ssid(ssid);
    }
}

/// Runs every cross-file rule. The index's enrollments and summaries are sorted by SSID on return.
pub fn check(index: &mut Index, ctx: &CrossCtx<'_>, out: &mut Vec<Finding>) {
    let on = |rule: &Rule| ctx.rules.on(rule);
    index.sort_damaged();
    if on(&PROBABLY_SAME) {
        probably_same(index, ctx, out);
    }
    let left_out = if on(&SUBMISSION_MIX) { check_mix(index, ctx, out) } else { Vec::new() };
    index.sort_by_student();
    let senr = Usable::of(index.seen.of("SENR"), index.enrollments.len());
    let sinf = Usable::of(index.seen.of("SINF"), index.information.len());
    let stas = Usable::of(index.seen.of("STAS"), index.summaries.len());
    let present = [senr, sinf, stas].iter().filter(|u| **u != Usable::Absent).count();
    // A rule that compares two record types runs only when both were read; otherwise one
    // note says why, instead of reporting every record of the other type as unmatched.
    let mut runs = |rule: &'static Rule, (kind, usable): (&str, Usable)| match usable {
        Usable::Read => true,
        Usable::Absent => {
            if present >= 2 {
                out.push(not_checked(
                    rule,
                    format!("the run has no {kind} records"),
                    format!("give the {kind} file too (or the whole export folder) to check {}", rule.id),
                ));
            }
            false
        }
        Usable::Unreadable { .. } if left_out.iter().any(|t| t == kind) => {
            out.push(not_checked(
                rule,
                format!("the run's {kind} records are of another LEA or academic year than the submission (XF-SUBMISSION-MIX)"),
                format!("check the {kind} file of the same LEA and year with the others to run {}", rule.id),
            ));
            false
        }
        Usable::Unreadable { seen, read } => {
            out.push(not_checked(
                rule,
                format!("only {read} of the run's {seen} {kind} records could be read"),
                format!("fix the {kind} file's structure and field findings first, then check again to run {}", rule.id),
            ));
            false
        }
    };
    let (missing, without, information) = if senr == Usable::Absent && stas == Usable::Absent && sinf == Usable::Absent {
        (false, false, false)
    } else {
        (
            on(&STAS_MISSING) && senr != Usable::Absent && runs(&STAS_MISSING, ("STAS", stas)),
            on(&STAS_WITHOUT_ENROLLMENT) && stas != Usable::Absent && runs(&STAS_WITHOUT_ENROLLMENT, ("SENR", senr)),
            ctx.rules.any_on(&[&NO_ETHNICITY, &SINF_CENSUS, &US_DATE_AFTER_START]) && senr != Usable::Absent && runs(&NO_ETHNICITY, ("SINF", sinf)),
        )
    };
    // One walk over the students for the rules that read a student's records of every kind;
    // each rule's findings are kept apart so they come out in the rules' order.
    let expected = on(&EXPECTED_DAYS);
    let (mut of_summaries, mut of_information, mut of_expected) = (Vec::new(), Vec::new(), Vec::new());
    if missing || without || information || expected {
        let mut scratch = ExpectedScratch::default();
        let days = (day_number(ctx.census_day), day_number(NaiveDate::from_ymd_opt(2013, 7, 1).unwrap_or(NaiveDate::MIN)));
        for group in by_student(index) {
            if missing || without {
                check_summaries(index, &group, ctx, missing, without, &mut of_summaries);
            }
            if information {
                check_information(&group, ctx, days, &mut of_information);
            }
            if expected {
                check_expected_days(&group, ctx.calendar, &mut scratch, &mut of_expected);
            }
        }
    }
    out.append(&mut of_summaries);
    out.append(&mut of_information);
    if on(&PRIOR_YEAR_OPEN) {
        check_prior_year(index, ctx, out);
    }
    if let (Some(cal), true) = (ctx.calendar, on(&NON_SCHOOL_DAY)) {
        check_calendar_days(index, cal, out);
    }
    out.append(&mut of_expected);
}

/// XF-PROBABLY-SAME-STUDENT: each record with a damaged SSID, matched by local student ID and
/// school with a readable SENR or STAS record.
fn probably_same(index: &Index, ctx: &CrossCtx<'_>, out: &mut Vec<Finding>) {
    if index.damaged.is_empty() {
        return;
    }
    let mut known: HashMap<(LocalId, u32), (u64, RecordRef)> = HashMap::default();
    let enrollments = index.enrollments.iter().filter_map(|e| Some(((e.local?, e.school), (e.student.ssid()?, e.at))));
    let summaries = index.summaries.iter().filter_map(|s| Some(((s.local?, s.school), (s.ssid, s.at))));
    for (key, found) in enrollments.chain(summaries) {
        known.entry(key).or_insert(found);
    }
    for d in &index.damaged {
        let (Some(local), Some(school)) = (d.local, d.school) else { continue };
        let Some(&(ssid, at)) = known.get(&(local, school)) else { continue };
        let args = [
            ("record_type", d.record_type.to_owned()),
            ("other", format!("{} line {}", (ctx.name_of)(at.file as usize), at.line)),
            ("ssid", crate::domain::codes::ssid_text(ssid)),
            ("local", local.text()),
            ("school", school_code(school)),
        ];
        let f = with_related(finding(&PROBABLY_SAME, d.at, d.record_type, Some("ssid"), Some(StudentKey::Local(local)), &args), [at]);
        out.push(f);
    }
}

/// XF-SUBMISSION-MIX; returns the record types of the files it left out.
fn check_mix(index: &mut Index, ctx: &CrossCtx<'_>, out: &mut Vec<Finding>) -> Vec<String> {
    // The LEA and the year of most of the run's records are the submission's; a file of
    // another one is reported (at that file, naming the others), and its records are left out
    // of the cross-file matching, where each would be reported again as unmatched. CALPADS
    // download (-R) files may hold several years and are not compared by year.
    let records = index.records_per_file();
    let majority = |value: &dyn Fn(&crate::rules::keys::FileFacts) -> Option<u32>| -> Option<u32> {
        let mut totals: Vec<(u32, u64)> = Vec::new();
        for (i, f) in index.files.iter().enumerate() {
            if let Some(v) = value(f) {
                match totals.iter_mut().find(|(x, _)| *x == v) {
                    Some((_, n)) => *n += records[i].max(1),
                    None => totals.push((v, records[i].max(1))),
                }
            }
        }
        totals.into_iter().max_by_key(|(v, n)| (*n, *v)).map(|(v, _)| v)
    };
    let lea = majority(&|f| f.lea);
    let year = majority(&|f| if f.download { None } else { f.year.map(|y| u32::from(y.0)) });
    let mut odd: Vec<u32> = Vec::new();
    for (i, f) in index.files.iter().enumerate() {
        let record_type = f.record_type.clone().unwrap_or_default();
        let others = |same: &dyn Fn(&crate::rules::keys::FileFacts) -> bool| -> (Vec<String>, Vec<Related>) {
            let of: Vec<(usize, &crate::rules::keys::FileFacts)> = index.files.iter().enumerate().filter(|(j, g)| *j != i && same(g)).collect();
            (of.iter().map(|(j, _)| (ctx.name_of)(*j)).collect(), of.iter().map(|(j, g)| Related { file: *j, line: g.line }).collect())
        };
        // `field` says which of the file's values differs (the first record's), so callers
        // can tell an LEA mix from a year mix without reading the message.
        let mut report = |field: &str, what: &str, value: String, other: String, (names, related): (Vec<String>, Vec<Related>)| {
            let verb = if names.len() == 1 { "is" } else { "are" };
            let list = match names.len() {
                0 => "the other files".to_owned(),
                1..=3 => names.join(", "),
                n => format!("{}, … ({n} files)", names[..2].join(", ")),
            };
            let args = [("what", what.to_owned()), ("value", value.clone()), ("others", list), ("verb", verb.to_owned()), ("other", other)];
            let mut finding = finding(&SUBMISSION_MIX, RecordRef { file: i as u32, line: f.line, byte: 0 }, &record_type, Some(field), None, &args);
            finding.value = Some(value);
            finding.at.byte = None;
            finding.related = related;
            out.push(finding);
        };
        if let (Some(mine), Some(main)) = (f.lea, lea) {
            if mine != main {
                let same = |g: &crate::rules::keys::FileFacts| g.lea == Some(main);
                report(crate::schema::names::REPORTING_LEA, "LEA", school_code(mine), format!("LEA {}", school_code(main)), others(&same));
                odd.push(i as u32);
                continue;
            }
        }
        if let (Some(mine), Some(main), false) = (f.year, year, f.download) {
            if u32::from(mine.0) != main {
                let main_year = crate::domain::date::AcademicYear(u16::try_from(main).unwrap_or(0));
                let same = |g: &crate::rules::keys::FileFacts| !g.download && g.year == Some(main_year);
                report(crate::schema::names::ACADEMIC_YEAR_ID, "academic year", mine.to_string(), main_year.to_string(), others(&same));
                odd.push(i as u32);
            }
        }
    }
    if !odd.is_empty() {
        index.leave_out(&odd);
    }
    odd.iter().filter_map(|i| index.files[*i as usize].record_type.clone()).collect()
}

/// CERT128 both ways: enrollments without summaries, summaries without enrollments.
/// Whether the records of one type can be compared with others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Usable {
    /// No record of the type in the run.
    Absent,
    /// At least half of them were read (structure and key fields valid).
    Read,
    /// Most could not be read: comparing with them would report nearly everything.
    Unreadable { seen: u64, read: usize },
}

impl Usable {
    fn of(seen: u64, read: usize) -> Usable {
        match seen {
            0 => Usable::Absent,
            _ if (read as u64).saturating_mul(2) >= seen => Usable::Read,
            _ => Usable::Unreadable { seen, read },
        }
    }
}

fn not_checked(rule: &'static Rule, why: String, fix: String) -> Finding {
    let mut f = Finding::new(&NOT_CHECKED, &[("rule", rule.id), ("why", &why), ("fix", &fix)]);
    f.at.input = None;
    f
}

/// One student's records of each kind: slices of the index's sorted lists.
struct StudentRecords<'a> {
    student: StudentKey,
    enrollments: &'a [Enrollment],
    summaries: &'a [Summary],
    information: &'a [Information],
}

/// Walks the three lists (each sorted by student, then input order) side by side, one student
/// at a time: a merge join, no hash table, memory that does not grow.
fn by_student<'a>(index: &'a Index) -> impl Iterator<Item = StudentRecords<'a>> + 'a {
    let (mut e, mut s, mut i) = (&index.enrollments[..], &index.summaries[..], &index.information[..]);
    std::iter::from_fn(move || {
        let next = [e.first().map(|x| x.student), s.first().map(|x| StudentKey::Ssid(x.ssid)), i.first().map(|x| StudentKey::Ssid(x.ssid))]
            .into_iter()
            .flatten()
            .min()?;
        let take_e = e.iter().take_while(|x| x.student == next).count();
        let take_s = s.iter().take_while(|x| StudentKey::Ssid(x.ssid) == next).count();
        let take_i = i.iter().take_while(|x| StudentKey::Ssid(x.ssid) == next).count();
        let out = StudentRecords { student: next, enrollments: &e[..take_e], summaries: &s[..take_s], information: &i[..take_i] };
        (e, s, i) = (&e[take_e..], &s[take_s..], &i[take_i..]);
        Some(out)
    })
}

/// CERT128 both ways: enrollments without summaries, summaries without enrollments.
fn check_summaries(index: &Index, group: &StudentRecords<'_>, ctx: &CrossCtx<'_>, missing: bool, without: bool, out: &mut Vec<Finding>) {
    if missing {
        let mut reported: Vec<(u32, AcademicYear)> = Vec::new();
        for e in group.enrollments {
            // A new student without an SSID yet has no STAS either (a STAS needs the SSID).
            let needs = e.status.is_some_and(EnrollmentStatus::takes_attendance)
                && e.is_k12()
                && !is_pseudo(e.school)
                && !e.covers_no_day()
                && e.year == ctx.year
                && e.student.ssid().is_some();
            let key = (e.school, e.year);
            // (A STAS of this student whose SSID is damaged is that STAS's finding.)
            let damaged = || index.damaged_match("STAS", e.local, e.school).is_some();
            if needs && !group.summaries.iter().any(|s| (s.school, s.year) == key) && !reported.contains(&key) && !damaged() {
                reported.push(key);
                let args = [("school", school_code(e.school)), ("year", e.year.to_string())];
                out.push(finding(&STAS_MISSING, e.at, "SENR", Some("school_of_attendance"), Some(e.student), &args));
            }
        }
    }
    if without {
        let unmatched = |s: &&Summary| !group.enrollments.iter().any(|e| (e.school, e.year) == (s.school, s.year));
        // (An enrollment of this student whose SSID is damaged is that record's finding.)
        for s in group.summaries.iter().filter(unmatched).filter(|s| index.damaged_match("SENR", s.local, s.school).is_none()) {
            let args = [("school", school_code(s.school)), ("year", s.year.to_string())];
            out.push(finding(&STAS_WITHOUT_ENROLLMENT, s.at, "STAS", Some("school_of_attendance"), Some(group.student), &args));
        }
    }
}

/// SINF on Census Day, initial US enrollment date, ethnicity and race data.
/// `days` holds Census Day and the first day initial US enrollment dates are checked from
/// (July 1, 2013), as day numbers worked out once for the walk.
fn check_information(group: &StudentRecords<'_>, ctx: &CrossCtx<'_>, (census, cutoff): (i32, i32), out: &mut Vec<Finding>) {
    // A new student without an SSID has no SINF yet: it follows once CALPADS assigns one.
    if group.enrollments.is_empty() || group.student.ssid().is_none() {
        return;
    }
    let student = Some(group.student);
    let records = group.information;
    if ctx.census && ctx.rules.on(&SINF_CENSUS) {
        if let Some(e) = group.enrollments.iter().find(|e| e.is_active_on(census)) {
            if !records.iter().any(|r| r.effective_start <= census && census <= r.effective_end) {
                let args = [("school", school_code(e.school)), ("census", format_ccyymmdd(ctx.census_day))];
                out.push(with_related(finding(&SINF_CENSUS, e.at, "SENR", Some("ssid"), student, &args), records.iter().map(|r| r.at)));
            }
        }
    }
    let earliest = group.enrollments.iter().filter(|e| e.is_k12() && !e.covers_no_day() && e.span.start >= cutoff).min_by_key(|e| e.span.start);
    if let (Some(first), true) = (earliest, ctx.rules.on(&US_DATE_AFTER_START)) {
        for r in records.iter().filter(|r| r.initial_us.is_some_and(|d| d > first.span.start)) {
            let args = [("start", day_text(first.span.start)), ("value", r.initial_us.map_or_else(String::new, day_text))];
            out.push(with_related(
                finding(&US_DATE_AFTER_START, r.at, "SINF", Some("student_initial_us_school_enrollment_date_k12"), student, &args),
                [first.at],
            ));
        }
    }
    if ctx.rules.on(&NO_ETHNICITY) {
        check_ethnicity(group.enrollments, records, student, out);
    }
}

/// SENR0661F1: every SINF record overlapping a 10/30/50 enrollment carries ethnicity/race
/// data; a student enrolled with no SINF record at all is reported at the enrollment (CERT004).
fn check_ethnicity(group: &[Enrollment], records: &[Information], student: Option<StudentKey>, out: &mut Vec<Finding>) {
    let counts = |e: &&Enrollment| {
        matches!(e.status, Some(EnrollmentStatus::Primary | EnrollmentStatus::ShortTerm | EnrollmentStatus::NonAda)) && !e.covers_no_day()
    };
    let Some(first) = group.iter().find(counts) else { return };
    if records.is_empty() {
        let where_ = " (the student has no SINF record)".to_owned();
        let mut f = finding(&NO_ETHNICITY, first.at, "SENR", Some("ssid"), student, &[("where_", where_)]);
        f.state_rule = Some("CERT004");
        out.push(f);
        return;
    }
    for r in records.iter().filter(|r| !r.has_ethnicity) {
        let Some(e) = group.iter().filter(counts).find(|e| r.effective_start <= e.span.end && e.span.start <= r.effective_end) else { continue };
        let where_ = format!(
            " on the SINF record effective {} to {}, which covers the enrollment at {}",
            day_text(r.effective_start),
            day_text(r.effective_end),
            school_code(e.school)
        );
        out.push(with_related(
            finding(&NO_ETHNICITY, r.at, "SINF", Some("student_hispanic_ethnicity_indicator"), student, &[("where_", where_)]),
            [e.at],
        ));
    }
}

fn check_prior_year(index: &Index, ctx: &CrossCtx<'_>, out: &mut Vec<Finding>) {
    for e in index.enrollments.iter().filter(|e| e.year < ctx.year && e.span.end == OPEN) {
        let args = [
            ("year", e.year.to_string()),
            ("school", school_code(e.school)),
            ("start", day_text(e.span.start)),
            ("cutoff_year", (e.year.0 + 1).to_string()),
        ];
        out.push(finding(&PRIOR_YEAR_OPEN, e.at, "SENR", Some("enrollment_exit_date"), Some(e.student), &args));
    }
}

fn check_calendar_days(index: &Index, cal: &Calendar, out: &mut Vec<Finding>) {
    for group in index.enrollments.chunk_by(|a, b| a.student == b.student) {
        for e in group.iter().filter(|e| !e.covers_no_day() && cal.covers(e.school)) {
            let continues = group.iter().any(|p| p.school == e.school && p.span.end != OPEN && p.span.end + 1 == e.span.start);
            if !continues && cal.knows(e.school, e.span.start) && !cal.is_school_day(e.school, e.span.start) {
                out.push(non_school(e, "enrollment_start_date", e.span.start));
            }
            if e.span.end != OPEN && cal.knows(e.school, e.span.end) && !cal.is_school_day(e.school, e.span.end) {
                out.push(non_school(e, "enrollment_exit_date", e.span.end));
            }
        }
    }
}

/// The expected-days rule's lists, reused from student to student.
#[derive(Default)]
struct ExpectedScratch {
    spans: Vec<(i32, i32)>,
    at: Vec<RecordRef>,
    /// The last academic year met, with its first day and the day open enrollments count to.
    year: Option<(AcademicYear, i32, i32)>,
}

/// CERT129: expected attendance days are no more than the days of the student's enrollments
/// at the school in the year: school days with a calendar (open enrollments to the end of the
/// year), else calendar days with open enrollments counted to May 15.
fn check_expected_days(group: &StudentRecords<'_>, cal: Option<&Calendar>, scratch: &mut ExpectedScratch, out: &mut Vec<Finding>) {
    let ExpectedScratch { spans, at, year } = scratch;
    for s in group.summaries {
        let Some(expected) = s.expected else { continue };
        spans.clear();
        at.clear();
        for e in group.enrollments.iter().filter(|e| !e.covers_no_day() && e.school == s.school && e.year == s.year) {
            // The year's first day and the day open enrollments count to, worked out once a year.
            let (first, last) = match *year {
                Some((y, first, last)) if y == e.year => (first, last),
                _ => {
                    let year_end = match cal {
                        Some(_) => e.year.last_day(),
                        None => NaiveDate::from_ymd_opt(i32::from(e.year.0) + 1, 5, 15).unwrap_or(NaiveDate::MAX),
                    };
                    let days = (day_number(e.year.first_day()), day_number(year_end));
                    *year = Some((e.year, days.0, days.1));
                    days
                }
            };
            let exit = if e.span.end == OPEN { last } else { e.span.end };
            spans.push((e.span.start.max(first), exit));
            at.push(e.at);
        }
        // A summary without an enrollment is XF-STAS-WITHOUT-ENROLLMENT's finding.
        if spans.is_empty() {
            continue;
        }
        let (days, kind, basis) = match cal {
            Some(cal) if cal.covers(s.school) => (union_days(spans, |a, b| cal.school_days(s.school, a, b)), "school days", "the calendar"),
            _ => (union_days(spans, |a, b| u32::try_from(b - a + 1).unwrap_or(0)), "calendar days", "start to exit, an open enrollment to May 15,"),
        };
        if expected > i64::from(days) * 100 {
            let value = crate::domain::codes::hundredths_text(expected);
            let args = [
                ("days", days.to_string()),
                ("school", school_code(s.school)),
                ("value", value),
                ("kind", kind.to_owned()),
                ("basis", basis.to_owned()),
            ];
            out.push(with_related(
                finding(&EXPECTED_DAYS, s.at, "STAS", Some("expected_attendance_days"), Some(group.student), &args),
                at.iter().copied(),
            ));
        }
    }
}

fn non_school(e: &Enrollment, field: &str, d: i32) -> Finding {
    let args = [("field", field.to_owned()), ("school", school_code(e.school)), ("value", day_text(d))];
    finding(&NON_SCHOOL_DAY, e.at, "SENR", Some(field), Some(e.student), &args)
}

/// Days covered by the union of the spans, counted by `days(from, to)` per merged span.
fn union_days(spans: &mut [(i32, i32)], days: impl Fn(i32, i32) -> u32) -> u32 {
    spans.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(i32, i32)> = None;
    for &(s, e) in spans.iter().filter(|(s, e)| s <= e) {
        cur = match cur {
            Some((cs, ce)) if s <= ce.saturating_add(1) => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += days(cs, ce);
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = cur {
        total += days(cs, ce);
    }
    total
}
