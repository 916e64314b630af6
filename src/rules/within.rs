//! Cross-record rules over the [`Index`] of a run: duplicate keys, overlapping enrollments
//! at one school, overlapping primary enrollments, short-term enrollments without a primary,
//! duplicate absence summaries and the LEA-wide attendance recovery limit. Each finding
//! points at the later record (in file order) and lists the earlier ones in `related`.

use std::collections::HashMap;

use super::Rule;
use crate::date::from_day_number;
use crate::diagnostic::{Category, Finding, Related, Severity};
use crate::index::{school_code, ssid_text, Enrollment, Index, RecordRef, OPEN};

pub static SENR_DUPLICATE: Rule = Rule {
    id: "SENR-DUPLICATE-KEY",
    severity: Severity::Fatal,
    category: Category::Duplicate,
    state_rule: None,
    summary: "Two enrollments have the same school, SSID and start date",
    message: "enrollment of SSID {ssid} at school {school} starting {start} is already on {other}",
    help: "keep one of the two records; if the enrollment changed, send the old one with transaction D and the new one",
    explanation: "An enrollment's operational key is school of attendance + SSID + enrollment start date. Two records with the same key in one submission are either an accidental duplicate or an update that should replace the first.",
    bad: "line 3: SENR^^LR-3^...^6019715^...^1234567890^...^20250814^...   line 9: SENR^^LR-9^...^6019715^...^1234567890^...^20250814^...",
    good: "line 3: SENR^^LR-3^...^6019715^...^1234567890^...^20250814^...",
};

pub static OVERLAP_SCHOOL: Rule = Rule {
    id: "SENR-OVERLAP-SCHOOL",
    severity: Severity::Fatal,
    category: Category::Overlap,
    state_rule: Some("SENR0178"),
    summary: "Two enrollments of one SSID at the same school overlap in time",
    message: "enrollment at school {school} from {start} to {exit} overlaps the one on {other} ({other_start} to {other_exit})",
    help: "exit the earlier enrollment the day before this one starts (E150 for a mid-year change), or correct the dates",
    explanation: "A student has at most one enrollment at a school at a time, open or closed (SENR0178). A mid-year change of grade or status is an exit with E150 and a new enrollment starting the next day.",
    bad: "20250814 to (open) and 20260105 to (open) at 6019715",
    good: "20250814 to 20260104 (E150) and 20260105 to (open) at 6019715",
};

pub static OVERLAP_PRIMARY: Rule = Rule {
    id: "SENR-OVERLAP-PRIMARY",
    severity: Severity::Fatal,
    category: Category::Overlap,
    state_rule: Some("SENR0027"),
    summary: "Two primary enrollments of one SSID at different schools overlap in time",
    message: "primary enrollment at school {school} from {start} overlaps the primary enrollment at {other_school} on {other} ({other_start} to {other_exit})",
    help: "exit the student from {other_school} (T160 or the right transfer code) the day before the new enrollment starts, or report one of them as secondary (20)",
    explanation: "A student has one primary enrollment at a time in the LEA (SENR0027). Primary means status 10, or status 30 lasting more than 30 days; an N470 no-show exited on its start date or the day before is not primary. Overlaps at the same school are reported by SENR-OVERLAP-SCHOOL instead.",
    bad: "6019715 status 10 from 20250814 (open); 6019723 status 10 from 20251103",
    good: "6019715 status 10 from 20250814 to 20251031 (T160); 6019723 status 10 from 20251103",
};

pub static SHORT_TERM_NO_PRIMARY: Rule = Rule {
    id: "SENR-SHORT-TERM-NO-PRIMARY",
    severity: Severity::Fatal,
    category: Category::Reference,
    state_rule: Some("SENR0185"),
    summary: "A short-term enrollment has no primary enrollment active on its start date",
    message: "short-term enrollment at school {school} starting {start} has no primary enrollment active that day",
    help: "short-term (30) enrollments sit on top of a primary one; add or correct the student's primary enrollment, or report this one as primary (10)",
    explanation: "A short-term enrollment (status 30) is a stay at an Educational Options school while the student keeps a primary enrollment elsewhere. Without a primary enrollment open on its start date it is rejected (SENR0185).",
    bad: "6019749 status 30 from 20251006, and no status 10 enrollment open on 20251006",
    good: "6019715 status 10 from 20250814 (open); 6019749 status 30 from 20251006",
};

pub static SINF_DUPLICATE: Rule = Rule {
    id: "SINF-DUPLICATE-KEY",
    severity: Severity::Fatal,
    category: Category::Duplicate,
    state_rule: None,
    summary: "Two SINF records have the same SSID and effective start date",
    message: "student information for SSID {ssid} effective {start} is already on {other}",
    help: "keep one record per SSID and effective start date; a change in student information is a new record with a later effective start date",
    explanation: "SINF records are effective-dated: one record per SSID and effective start date. Two with the same start date contradict each other.",
    bad: "line 4: SINF^^LR-4^20250814^...^1234567890^...   line 8: SINF^^LR-8^20250814^...^1234567890^...",
    good: "line 4: SINF^^LR-4^20250814^...^1234567890^...",
};

pub static STAS_DUPLICATE: Rule = Rule {
    id: "STAS-DUPLICATE",
    severity: Severity::Fatal,
    category: Category::Duplicate,
    state_rule: None,
    summary: "More than one absence summary for one SSID, school and year",
    message: "absence summary for SSID {ssid} at school {school} in {year} is already on {other}",
    help: "report one summary per student per school per year; add the days of several enrollments at the same school together",
    explanation: "The absence summary is one record per student, school of attendance and academic year: when a student had several enrollments at one school, their days are summed into one record.",
    bad: "two STAS lines for 1234567890 at 6019715 in 2025-2026",
    good: "one STAS line for 1234567890 at 6019715 in 2025-2026 with the days summed",
};

pub static RECOVERY_TOTAL: Rule = Rule {
    id: "STAS-RECOVERY-TOTAL",
    severity: Severity::Fatal,
    category: Category::Arithmetic,
    state_rule: Some("STAS0740E1"),
    summary: "A student's attendance recovery days across the LEA exceed 10",
    message: "attendance recovery days for SSID {ssid} add up to {total} across the LEA; the limit is 10",
    help: "reduce the attendance recovery days on this or the related summaries so they total at most 10",
    explanation: "Each summary may report 0 to 10 attendance recovery days (STAS-RECOVERY-RANGE), and the sum over all of a student's summaries in the LEA may not exceed 10 either (STAS0740E1).",
    bad: "6019715: 6 recovery days; 6019723: 6 recovery days",
    good: "6019715: 6 recovery days; 6019723: 4 recovery days",
};

/// The cross-record family, in catalog order.
pub static RULES: &[&Rule] = &[&SENR_DUPLICATE, &OVERLAP_SCHOOL, &OVERLAP_PRIMARY, &SHORT_TERM_NO_PRIMARY, &SINF_DUPLICATE, &STAS_DUPLICATE, &RECOVERY_TOTAL];

fn day(d: i32) -> String {
    if d == OPEN {
        "(open)".to_owned()
    } else {
        crate::date::format_ccyymmdd(from_day_number(d))
    }
}

/// A finding at `at`, for `record_type`, with `related` records.
fn finding(rule: &'static Rule, at: RecordRef, record_type: &str, field: &str, ssid: u64, args: &[(&str, &str)], related: &[RecordRef]) -> Finding {
    let ssid = ssid_text(ssid);
    let mut all = args.to_vec();
    all.push(("ssid", &ssid));
    let mut f = Finding::new(rule, &all);
    f.file = Some(at.file as usize);
    f.line = Some(at.line);
    f.byte = Some(at.byte);
    f.record_type = Some(record_type.to_owned());
    f.field = Some(field.to_owned());
    f.ssid = Some(ssid);
    f.related = related.iter().map(|r| Related { file: r.file as usize, line: r.line }).collect();
    f
}

/// Where `other` is, as seen from a finding at `at`: `line 12` in the same file, else
/// `senr-b.txt line 12`.
fn place(at: RecordRef, other: RecordRef, name_of: &dyn Fn(usize) -> String) -> String {
    if at.file == other.file {
        format!("line {}", other.line)
    } else {
        format!("{} line {}", name_of(other.file as usize), other.line)
    }
}

/// Runs every cross-record rule over the index; `name_of` turns a file index into the name
/// messages show.
pub fn check(index: &mut Index, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    index.enrollments.sort_unstable_by_key(|e| (e.ssid, e.at));
    for group in index.enrollments.chunk_by(|a, b| a.ssid == b.ssid) {
        check_enrollments(group, name_of, out);
    }
    check_summaries(index, name_of, out);
    index.information.sort_unstable_by_key(|i| (i.ssid, i.effective_start, i.at));
    for pair in index.information.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.ssid == b.ssid && a.effective_start == b.effective_start {
            let args = [("start", day(b.effective_start)), ("other", place(b.at, a.at, name_of))];
            out.push(finding(&SINF_DUPLICATE, b.at, "SINF", "effective_start_date", b.ssid, &borrow(&args), &[a.at]));
        }
    }
}

fn borrow<'a>(args: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Whether an enrollment covers at least one day (an N470 exited the day before does not).
fn is_real(e: &Enrollment) -> bool {
    e.exit >= e.start
}

fn is_primary(e: &Enrollment) -> bool {
    let no_show = &e.exit_reason == b"N470" && (e.exit == e.start || e.exit == e.start - 1);
    let long_short_term = &e.status == b"30" && e.exit != OPEN && e.exit - e.start + 1 > 30;
    !no_show && (&e.status == b"10" || long_short_term)
}

fn overlaps(a: &Enrollment, b: &Enrollment) -> bool {
    is_real(a) && is_real(b) && a.start <= b.exit && b.start <= a.exit
}

/// One SSID's enrollments, in file order.
fn check_enrollments(group: &[Enrollment], name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    for (j, b) in group.iter().enumerate() {
        let earlier = &group[..j];
        let dup: Vec<RecordRef> = earlier.iter().filter(|a| a.school == b.school && a.start == b.start).map(|a| a.at).collect();
        let school = school_code(b.school);
        if let Some(first) = dup.first() {
            let args = [("school", school.clone()), ("start", day(b.start)), ("other", place(b.at, *first, name_of))];
            out.push(finding(&SENR_DUPLICATE, b.at, "SENR", "enrollment_start_date", b.ssid, &borrow(&args), &dup));
            continue;
        }
        let same: Vec<&Enrollment> = earlier.iter().filter(|a| a.school == b.school && overlaps(a, b)).collect();
        if let Some(a) = same.first() {
            let args = [("school", school.clone()), ("start", day(b.start)), ("exit", day(b.exit)), ("other", place(b.at, a.at, name_of)), ("other_start", day(a.start)), ("other_exit", day(a.exit))];
            let related: Vec<RecordRef> = same.iter().map(|a| a.at).collect();
            out.push(finding(&OVERLAP_SCHOOL, b.at, "SENR", "enrollment_start_date", b.ssid, &borrow(&args), &related));
        }
        if is_primary(b) {
            let other: Vec<&Enrollment> = earlier.iter().filter(|a| a.school != b.school && is_primary(a) && overlaps(a, b)).collect();
            if let Some(a) = other.first() {
                let args = [("school", school.clone()), ("start", day(b.start)), ("other_school", school_code(a.school)), ("other", place(b.at, a.at, name_of)), ("other_start", day(a.start)), ("other_exit", day(a.exit))];
                let related: Vec<RecordRef> = other.iter().map(|a| a.at).collect();
                out.push(finding(&OVERLAP_PRIMARY, b.at, "SENR", "enrollment_start_date", b.ssid, &borrow(&args), &related));
            }
        }
        if &b.status == b"30" && is_real(b) && !group.iter().any(|a| &a.status == b"10" && is_primary(a) && is_real(a) && a.start <= b.start && b.start <= a.exit) {
            let args = [("school", school), ("start", day(b.start))];
            // The student's primary enrollments that do not cover the start, to compare with.
            let primaries: Vec<RecordRef> = group.iter().filter(|a| &a.status == b"10").map(|a| a.at).collect();
            out.push(finding(&SHORT_TERM_NO_PRIMARY, b.at, "SENR", "enrollment_status_code", b.ssid, &borrow(&args), &primaries));
        }
    }
}

fn check_summaries(index: &mut Index, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    index.summaries.sort_unstable_by_key(|s| (s.ssid, s.at));
    for group in index.summaries.chunk_by(|a, b| a.ssid == b.ssid) {
        for (j, b) in group.iter().enumerate() {
            if let Some(a) = group[..j].iter().find(|a| a.school == b.school && a.year == b.year) {
                let args = [("school", school_code(b.school)), ("year", b.year.to_string()), ("other", place(b.at, a.at, name_of))];
                out.push(finding(&STAS_DUPLICATE, b.at, "STAS", "school_of_attendance", b.ssid, &borrow(&args), &[a.at]));
            }
        }
        let mut running: HashMap<crate::date::AcademicYear, i64> = HashMap::new();
        for (j, b) in group.iter().enumerate() {
            let total = running.entry(b.year).or_default();
            let before = *total;
            // A single value over 10 is STAS-RECOVERY-RANGE's finding; it counts as 10 here
            // so one bad value is not reported twice.
            *total += b.recovery.min(1000);
            if before <= 1000 && *total > 1000 {
                let related: Vec<RecordRef> = group[..j].iter().filter(|a| a.year == b.year && a.recovery > 0).map(|a| a.at).collect();
                let args = [("total", (*total / 100).to_string())];
                out.push(finding(&RECOVERY_TOTAL, b.at, "STAS", "attendance_recovery_days", b.ssid, &borrow(&args), &related));
            }
        }
    }
}
