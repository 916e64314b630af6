//! Cross-record rules over the [`Index`] of a run: duplicate keys, overlapping enrollments
//! at one school, overlapping primary enrollments, short-term enrollments without a primary,
//! duplicate absence summaries and the LEA-wide attendance recovery limit. Each finding
//! points at the later record (in file order) and lists the earlier ones in `related`.

use std::collections::HashMap;

use super::Rule;
use crate::diagnostic::borrow_args;
use crate::diagnostic::{Category, Finding, RuleSet, Severity};
use crate::domain::codes::{school_code, StudentKey};
use crate::domain::enrollment::day_text;
use crate::domain::enrollment::EnrollmentStatus;
use crate::rules::keys::{finding_at, with_related};
use crate::rules::keys::{Enrollment, Index, RecordRef, OPEN};

crate::rules! {
    SENR_DUPLICATE {
        id: "SENR-DUPLICATE-KEY",
        severity: Severity::Fatal,
        category: Category::Duplicate,
        state_rule: Some("IVR0034"),
        summary: "Two enrollments have the same school, SSID and start date",
        message: "enrollment of {student} at school {school} starting {start} is already on {other}",
        help: "keep one of the two records; if the enrollment changed, send the old one with transaction D and the new one",
        explanation: "An enrollment's operational key is school of attendance + SSID + enrollment start date (a new student without an SSID is matched by local student ID). Two records with the same key in one file are either an accidental duplicate or an update that should replace the first (IVR0034, Duplicate Record within File; SENR0034 in older lists).",
        bad: "line 3: SENR^^LR-3^...^6019715^...^1234567890^...^20250814^...   line 9: SENR^^LR-9^...^6019715^...^1234567890^...^20250814^...",
        good: "line 3: SENR^^LR-3^...^6019715^...^1234567890^...^20250814^...",
    }

    OVERLAP_SCHOOL {
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
    }

    OVERLAP_PRIMARY {
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
    }

    SHORT_TERM_NO_PRIMARY {
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
    }

    SINF_DUPLICATE {
        id: "SINF-DUPLICATE-KEY",
        severity: Severity::Fatal,
        category: Category::Duplicate,
        state_rule: None,
        summary: "Two SINF records have the same SSID and effective start date",
        message: "student information for {student} effective {start} is already on {other}",
        help: "keep one record per SSID and effective start date; a change in student information is a new record with a later effective start date",
        explanation:
            "SINF records are effective-dated: one record per SSID and effective start date. Two with the same start date contradict each other.",
        bad: "line 4: SINF^^LR-4^20250814^...^1234567890^...   line 8: SINF^^LR-8^20250814^...^1234567890^...",
        good: "line 4: SINF^^LR-4^20250814^...^1234567890^...",
    }

    STAS_DUPLICATE {
        id: "STAS-DUPLICATE",
        severity: Severity::Fatal,
        category: Category::Duplicate,
        state_rule: Some("STAS0314"),
        summary: "More than one absence summary for one SSID, school and year",
        message: "absence summary for {student} at school {school} in {year} is already on {other}",
        help: "report one summary per student per school per year; add the days of several enrollments at the same school together",
        explanation: "The absence summary is one record per student, school of attendance and academic year: when a student had several enrollments at one school, their days are summed into one record.",
        bad: "two STAS lines for 1234567890 at 6019715 in 2025-2026",
        good: "one STAS line for 1234567890 at 6019715 in 2025-2026 with the days summed",
    }

    RECOVERY_TOTAL {
        id: "STAS-RECOVERY-TOTAL",
        severity: Severity::Fatal,
        category: Category::Arithmetic,
        state_rule: Some("STAS0740E1"),
        summary: "A student's attendance recovery days across the LEA exceed 10",
        message: "attendance recovery days for {student} add up to {total} across the LEA; the limit is 10",
        help: "reduce the attendance recovery days on this or the related summaries so they total at most 10",
        explanation: "Each summary may report 0 to 10 attendance recovery days (STAS-RECOVERY-RANGE), and the sum over all of a student's summaries in the LEA may not exceed 10 either (STAS0740E1).",
        bad: "6019715: 6 recovery days; 6019723: 6 recovery days",
        good: "6019715: 6 recovery days; 6019723: 4 recovery days",
    }

    E150_NO_NEXT {
        id: "SENR-E150-NO-NEXT",
        severity: Severity::Fatal,
        category: Category::Reference,
        state_rule: Some("CERT114"),
        summary: "An E150 mid-year update exit is not followed by a new enrollment at the same school the next day",
        message: "enrollment at school {school} exits {exit} with E150, but {problem}",
        help: "E150 closes an enrollment only to open the changed one: add the new enrollment at {school} starting {next} (or the exit date), or exit with the reason the student left",
        explanation: "E150 (mid-year enrollment update) records a change of grade, status or transfer code: the enrollment is exited and a new one starts at the same school the next calendar day, weekends and holidays included. Without a following enrollment certification fails (CERT114, EOY 3); a following one that starts more than one day after the exit is rejected too (SENR0286E3).",
        bad: "6019715 from 20250813 to 20260109 (E150), and nothing after it at 6019715",
        good: "6019715 from 20250813 to 20260109 (E150); 6019715 from 20260110 (open)",
    }

    EXIT_AFTER_GRADUATION {
        id: "SENR-EXIT-AFTER-GRADUATION",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0586"),
        summary: "An enrollment exits after the date the student graduated with a standard diploma",
        message: "enrollment at school {school} exits {exit}, after the student graduated on {graduated} ({other})",
        help: "a graduate has no later exits: exit this enrollment on or before {graduated}, or correct the graduation record",
        explanation: "Once a student has graduated with a standard diploma (E230 with completion status 100), no enrollment of the student may exit after that date (SENR0586, since 5/2022). Secondary (20) enrollments and N470 no-shows are exempt.",
        bad: "graduated 20260605 at 9990037; 9990045 status 10 exits 20260612 with E155",
        good: "graduated 20260605 at 9990037; 9990045 status 10 exits 20260605 with E155",
    }

    OPEN_AFTER_GRADUATION {
        id: "SENR-OPEN-AFTER-GRADUATION",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0587"),
        summary: "An enrollment is still open for a student who graduated with a standard diploma",
        message: "enrollment at school {school} from {start} is open, but the student graduated on {graduated} ({other})",
        help: "exit this enrollment on or before the graduation date {graduated} (E170 for a concurrent enrollment), or correct the graduation record",
        explanation: "A student who graduated with a standard diploma (completion status 100) may have no open enrollment (SENR0587, since 5/2022): every other enrollment is exited by the graduation date.",
        bad: "graduated 20260605 at 9990037; 9990045 status 20 from 20250813, open",
        good: "graduated 20260605 at 9990037; 9990045 status 20 from 20250813 to 20260605 (E170)",
    }

    ENROLLED_AFTER_GRADUATION {
        id: "SENR-ENROLLED-AFTER-GRADUATION",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0024"),
        summary: "A graduate is enrolled again in the LEA after the graduation date",
        message: "enrollment at school {school} starts {start}, after the student graduated on {graduated} ({other})",
        help: "a graduate does not re-enroll: check the enrollment, or the graduation record (exit reason E230 with completion {completion})",
        explanation: "An enrollment may not start after the exit date of the same student's graduation in the LEA (E230 with completion status 100, 106 or 250; SENR0024, re-enrolling graduate within the LEA).",
        bad: "graduated 20260605 at 9990037; 9990045 status 10 from 20260615",
        good: "graduated 20260605 at 9990037 and no later enrollment",
    }
}

/// A finding at `at`, for `record_type`, with `related` records.
fn finding(
    rule: &'static Rule,
    at: RecordRef,
    record_type: &str,
    field: &str,
    student: StudentKey,
    args: &[(&str, &str)],
    related: &[RecordRef],
) -> Finding {
    with_related(finding_at(rule, at, record_type, Some(field), Some(student), args), related.iter().copied())
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
pub fn check(index: &mut Index, name_of: &dyn Fn(usize) -> String, as_of: i32, rules: &RuleSet, out: &mut Vec<Finding>) {
    if !rules.any_on(RULES) {
        return;
    }
    index.sort_by_student();
    for group in index.enrollments.chunk_by(|a, b| a.student == b.student) {
        check_enrollments(group, name_of, as_of, out);
    }
    check_summaries(index, name_of, out);
    if rules.on(&SINF_DUPLICATE) {
        let mut order: Vec<usize> = Vec::new();
        for group in index.information.chunk_by(|a, b| a.ssid == b.ssid) {
            // By effective start, input order kept: a repeat is reported at the later record.
            order.clear();
            order.extend(0..group.len());
            order.sort_by_key(|&i| group[i].effective_start);
            for pair in order.windows(2) {
                let (a, b) = (&group[pair[0]], &group[pair[1]]);
                if a.effective_start == b.effective_start {
                    let args = [("start", day_text(b.effective_start)), ("other", place(b.at, a.at, name_of))];
                    out.push(finding(&SINF_DUPLICATE, b.at, "SINF", "effective_start_date", StudentKey::Ssid(b.ssid), &borrow_args(&args), &[a.at]));
                }
            }
        }
    }
}

/// How many of a student's records each record is compared with on either side, in file
/// order. A student has a handful; a broken or hostile file with thousands of one student's
/// records stays linear in time (duplicates are found by key, whatever their distance).
pub const NEAR: usize = 512;

/// The records of `group` near record `j` (up to [`NEAR`] on either side), and where they
/// start in the group.
fn near<T>(group: &[T], j: usize) -> (&[T], usize) {
    let lo = j.saturating_sub(NEAR);
    (&group[lo..group.len().min(j + NEAR + 1)], lo)
}

/// The earlier records a duplicate-key finding lists (all of them are counted).
const LISTED: usize = 10;

/// The first [`LISTED`] of `refs`, and how many there are.
fn listed(refs: impl Iterator<Item = RecordRef>) -> (Vec<RecordRef>, u64) {
    let mut out = Vec::new();
    let mut n = 0;
    for r in refs {
        if out.len() < LISTED {
            out.push(r);
        }
        n += 1;
    }
    (out, n)
}

/// Earlier records by key (for a student with more than [`NEAR`] records): the first few of each key (for `related`) and how many in all.
struct Seen<K> {
    by_key: HashMap<K, (Vec<RecordRef>, u64)>,
}

impl<K> Default for Seen<K> {
    fn default() -> Self {
        Seen { by_key: HashMap::new() }
    }
}

impl<K: std::hash::Hash + Eq> Seen<K> {
    /// The earlier records with `key` (a few listed, all counted); records `at` under it.
    fn earlier_then_add(&mut self, key: K, at: RecordRef) -> (Vec<RecordRef>, u64) {
        let entry = self.by_key.entry(key).or_default();
        let before = (entry.0.clone(), entry.1);
        if entry.0.len() < LISTED {
            entry.0.push(at);
        }
        entry.1 += 1;
        before
    }
}

/// One SSID's enrollments, in file order.
fn check_enrollments(group: &[Enrollment], name_of: &dyn Fn(usize) -> String, as_of: i32, out: &mut Vec<Finding>) {
    // Duplicates by key: a scan of the earlier records for the usual handful, a hash beyond.
    let mut keys: Option<Seen<(u32, i32)>> = (group.len() > NEAR).then(Seen::default);
    for (j, b) in group.iter().enumerate() {
        let (near_b, lo) = near(group, j);
        let earlier = &near_b[..j - lo];
        let (dup, count) = match &mut keys {
            Some(keys) => keys.earlier_then_add((b.school, b.span.start), b.at),
            None => listed(earlier.iter().filter(|a| a.school == b.school && a.span.start == b.span.start).map(|a| a.at)),
        };
        if let Some(first) = dup.first() {
            let args = [("school", school_code(b.school)), ("start", day_text(b.span.start)), ("other", place(b.at, *first, name_of))];
            let mut f = finding(&SENR_DUPLICATE, b.at, "SENR", "enrollment_start_date", b.student, &borrow_args(&args), &dup);
            f.related_more += count - dup.len() as u64;
            out.push(f);
            continue;
        }
        let same: Vec<&Enrollment> = earlier.iter().filter(|a| a.school == b.school && a.overlaps(b)).collect();
        if let Some(a) = same.first() {
            let args = [
                ("school", school_code(b.school)),
                ("start", day_text(b.span.start)),
                ("exit", day_text(b.span.end)),
                ("other", place(b.at, a.at, name_of)),
                ("other_start", day_text(a.span.start)),
                ("other_exit", day_text(a.span.end)),
            ];
            let related: Vec<RecordRef> = same.iter().map(|a| a.at).collect();
            out.push(finding(&OVERLAP_SCHOOL, b.at, "SENR", "enrollment_start_date", b.student, &borrow_args(&args), &related));
        }
        if b.is_primary(as_of) {
            let other: Vec<&Enrollment> = earlier.iter().filter(|a| a.school != b.school && a.is_primary(as_of) && a.overlaps(b)).collect();
            if let Some(a) = other.first() {
                let args = [
                    ("school", school_code(b.school)),
                    ("start", day_text(b.span.start)),
                    ("other_school", school_code(a.school)),
                    ("other", place(b.at, a.at, name_of)),
                    ("other_start", day_text(a.span.start)),
                    ("other_exit", day_text(a.span.end)),
                ];
                let related: Vec<RecordRef> = other.iter().map(|a| a.at).collect();
                out.push(finding(&OVERLAP_PRIMARY, b.at, "SENR", "enrollment_start_date", b.student, &borrow_args(&args), &related));
            }
        }
        if b.status == Some(EnrollmentStatus::ShortTerm)
            && !b.covers_no_day()
            && !near_b.iter().any(|a| {
                a.status == Some(EnrollmentStatus::Primary)
                    && a.is_primary(as_of)
                    && !a.covers_no_day()
                    && a.span.start <= b.span.start
                    && b.span.start <= a.span.end
            })
        {
            let args = [("school", school_code(b.school)), ("start", day_text(b.span.start))];
            // The student's primary enrollments that do not cover the start, to compare with.
            let primaries: Vec<RecordRef> = near_b.iter().filter(|a| a.status == Some(EnrollmentStatus::Primary)).map(|a| a.at).collect();
            out.push(finding(&SHORT_TERM_NO_PRIMARY, b.at, "SENR", "enrollment_status_code", b.student, &borrow_args(&args), &primaries));
        }
    }
    check_e150(group, out);
    check_after_graduation(group, name_of, out);
}

/// CERT114 / SENR0286E3: an E150 exit is followed at the same school on the exit day or the next.
fn check_e150(group: &[Enrollment], out: &mut Vec<Finding>) {
    for (j, b) in group.iter().enumerate().filter(|(_, e)| e.exit_reason.is(b"E150") && e.span.end != OPEN && !e.covers_no_day()) {
        let later = near(group, j).0.iter().filter(|a| a.school == b.school && a.span.start > b.span.start && a.at != b.at);
        let next = later.clone().min_by_key(|a| a.span.start);
        let (problem, state_rule, related) = match next {
            Some(a) if a.span.start <= b.span.end + 1 => continue,
            Some(a) => (
                format!("the next enrollment there starts {}, {} days later", day_text(a.span.start), a.span.start - b.span.end),
                "SENR0286E3",
                vec![a.at],
            ),
            None => ("no enrollment there follows it".to_owned(), "CERT114", Vec::new()),
        };
        let args = [("school", school_code(b.school)), ("exit", day_text(b.span.end)), ("problem", problem), ("next", day_text(b.span.end + 1))];
        let mut f = finding(&E150_NO_NEXT, b.at, "SENR", "student_exit_reason_code", b.student, &borrow_args(&args), &related);
        f.state_rule = Some(state_rule);
        out.push(f);
    }
}

/// SENR0024, SENR0586, SENR0587: nothing after a standard-diploma graduation. One finding per
/// enrollment, the first that applies.
fn check_after_graduation(group: &[Enrollment], name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    let graduated = |e: &&Enrollment, codes: &[&[u8; 3]]| e.exit_reason.is(b"E230") && codes.contains(&&e.completion) && e.span.end != OPEN;
    let Some(grad) = group.iter().filter(|e| graduated(e, &[b"100", b"106", b"250"])).min_by_key(|e| e.span.end) else { return };
    let diploma = group.iter().filter(|e| graduated(e, &[b"100"])).min_by_key(|e| e.span.end);
    for b in group.iter().filter(|b| b.at != grad.at && !b.covers_no_day()) {
        let (rule, g) = if b.span.start > grad.span.end {
            (&ENROLLED_AFTER_GRADUATION, grad)
        } else if let Some(g) = diploma.filter(|g| g.at != b.at) {
            if b.span.end == OPEN {
                (&OPEN_AFTER_GRADUATION, g)
            } else if b.span.end > g.span.end && b.status != Some(EnrollmentStatus::Secondary) && !b.exit_reason.is(b"N470") {
                (&EXIT_AFTER_GRADUATION, g)
            } else {
                continue;
            }
        } else {
            continue;
        };
        let completion = String::from_utf8_lossy(&g.completion).into_owned();
        let args = [
            ("school", school_code(b.school)),
            ("start", day_text(b.span.start)),
            ("exit", day_text(b.span.end)),
            ("graduated", day_text(g.span.end)),
            ("other", place(b.at, g.at, name_of)),
            ("completion", completion),
        ];
        let field = if rule == &ENROLLED_AFTER_GRADUATION { "enrollment_start_date" } else { "enrollment_exit_date" };
        out.push(finding(rule, b.at, "SENR", field, b.student, &borrow_args(&args), &[g.at]));
    }
}

fn check_summaries(index: &mut Index, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    index.sort_by_student();
    for group in index.summaries.chunk_by(|a, b| a.ssid == b.ssid) {
        let mut keys: Option<Seen<(u32, crate::domain::date::AcademicYear)>> = (group.len() > NEAR).then(Seen::default);
        for (j, b) in group.iter().enumerate() {
            let (dup, count) = match &mut keys {
                Some(keys) => keys.earlier_then_add((b.school, b.year), b.at),
                None => listed(group[..j].iter().filter(|a| a.school == b.school && a.year == b.year).map(|a| a.at)),
            };
            if let Some(a) = dup.first() {
                let args = [("school", school_code(b.school)), ("year", b.year.to_string()), ("other", place(b.at, *a, name_of))];
                let mut f = finding(&STAS_DUPLICATE, b.at, "STAS", "school_of_attendance", StudentKey::Ssid(b.ssid), &borrow_args(&args), &dup);
                f.related_more += count - dup.len() as u64;
                out.push(f);
            }
        }
        let mut running: HashMap<crate::domain::date::AcademicYear, i64> = HashMap::new();
        for (j, b) in group.iter().enumerate() {
            let total = running.entry(b.year).or_default();
            let before = *total;
            // A single value over 10 is STAS-RECOVERY-RANGE's finding; it counts as 10 here
            // so one bad value is not reported twice.
            *total += b.recovery.min(1000);
            if before <= 1000 && *total > 1000 {
                let related: Vec<RecordRef> = group[..j].iter().filter(|a| a.year == b.year && a.recovery > 0).map(|a| a.at).collect();
                let args = [("total", crate::domain::codes::hundredths_text(*total))];
                out.push(finding(&RECOVERY_TOTAL, b.at, "STAS", "attendance_recovery_days", StudentKey::Ssid(b.ssid), &borrow_args(&args), &related));
            }
        }
    }
}
