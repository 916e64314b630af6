//! Directory rules: checks that need the school directory (`--schools FILE`): the grade of an
//! enrollment inside the grades its school offers (SENR0269), short-term enrollments only at
//! Educational Options schools (SENR0189), and school codes the directory does not list.
//! Without a directory these rules are listed as not checked in the summary.

use super::senr::{NPS_SCHOOL, PRIVATE_GROUP_SCHOOL};
use super::Rule;
use crate::diagnostic::borrow_args;
use crate::diagnostic::{Category, Finding, Severity};
use crate::domain::codes::school_code;
use crate::domain::directory::{grade_rank, Directory};
use crate::rules::keys::finding_at;
use crate::rules::keys::{Enrollment, Index};

crate::rules! {
    GRADE_SPAN {
        id: "SENR-GRADE-SPAN",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0269"),
        summary: "The enrollment's grade is outside the grades its school offers",
        message: "grade {value} is outside the grades {span} that school {school} ({name}) offers",
        help: "check the grade level or the school of attendance; a school's grade span is kept in the California School Directory (a student with a special education program may be placed outside it)",
        explanation: "A student's grade must be within the grade span the school offers in the California School Directory (SENR0269: fatal from the 2025-08-26 release, Flash #310). Students with a special education program record are exempt in CALPADS; rollcall cannot see those, so check them before changing a grade. A span that starts at K includes TK; one that starts at P includes infants. Needs --schools FILE (rollcall's school CSV or the CDE directory export pubschls.txt).",
        bad: "9990011 offers K-5; SENR ...^9990011^...^20250813^10^07^...",
        good: "9990029 offers 6-8; SENR ...^9990029^...^20250813^10^07^...",
    }

    SHORT_TERM_SCHOOL {
        id: "SENR-SHORT-TERM-SCHOOL",
        severity: Severity::Fatal,
        category: Category::Conditional,
        state_rule: Some("SENR0189"),
        summary: "A short-term (status 30) enrollment is at a school that is not an Educational Options school",
        message: "short-term enrollment at school {school} ({name}), which is not an Educational Options school ({kind})",
        help: "short-term enrollments (status 30) are only for Educational Options schools (continuation, community day, opportunity, juvenile court, county community, home and hospital); report this one as primary (10) or secondary (20)",
        explanation: "Only Educational Options schools may report short-term enrollments (SENR0189): those whose directory type (EdOpsCode) is JUV, COMM, COMMDAY, CON, HOMHOS or OPP. Alternative schools of choice (ALTSOC) are not among them. Needs --schools FILE.",
        bad: "9990037 (TRAD): SENR ...^9990037^...^20251006^30^10^...",
        good: "9990045 (CON): SENR ...^9990045^...^20251006^30^10^...",
    }

    SCHOOL_UNKNOWN {
        id: "SENR-SCHOOL-UNKNOWN",
        severity: Severity::Warning,
        category: Category::Reference,
        state_rule: Some("SENR0002"),
        summary: "An enrollment's school is not in the school directory",
        message: "school {school} is not in the school directory {origin}",
        help: "check the school code; CALPADS takes only schools with an active reporting relationship to the LEA (SENR0002). If the directory file is old, download a current one",
        explanation: "The school of attendance must be a valid school code with an active reporting relationship to the LEA (SENR0002). With --schools, a school code the directory does not list is reported once per school, at its first enrollment (a warning: the directory given may be incomplete). The pseudo-schools 0000001 and 0000002 are not directory schools.",
        bad: "SENR ...^9990099^...   (9990099 is not in schools.csv)",
        good: "SENR ...^9990011^...",
    }
}

fn finding(rule: &'static Rule, e: &Enrollment, field: &str, value: String, args: &[(&str, String)]) -> Finding {
    let mut all = borrow_args(args);
    all.push(("value", &value));
    let mut f = finding_at(rule, e.at, "SENR", Some(field), Some(e.student), &all);
    f.value = Some(value);
    f
}

/// Runs the directory rules over the run's enrollments (in file order).
pub fn check(index: &Index, dir: &Directory, out: &mut Vec<Finding>) {
    let mut enrollments: Vec<&Enrollment> = index.enrollments.iter().collect();
    enrollments.sort_unstable_by_key(|e| e.at);
    let mut unknown_reported = rustc_hash::FxHashSet::default();
    for e in enrollments {
        let code = school_code(e.school);
        if code.as_bytes() == NPS_SCHOOL || code.as_bytes() == PRIVATE_GROUP_SCHOOL {
            continue;
        }
        let Some(school) = dir.school(e.school) else {
            if unknown_reported.insert(e.school) {
                out.push(finding(&SCHOOL_UNKNOWN, e, "school_of_attendance", code.clone(), &[("school", code), ("origin", dir.origin.clone())]));
            }
            continue;
        };
        let name = if school.name.is_empty() { "no name in the directory".to_owned() } else { school.name.clone() };
        if let (Some((lo, hi)), Some(rank)) = (school.span, grade_rank(e.grade.as_bytes())) {
            if rank < lo || rank > hi {
                let args = [("school", code.clone()), ("name", name.clone()), ("span", school.span_text.clone())];
                out.push(finding(&GRADE_SPAN, e, "grade_level_code", e.grade.to_string(), &args));
            }
        }
        if e.status == Some(crate::domain::enrollment::EnrollmentStatus::ShortTerm) && !school.ed_options {
            let kind = if school.kind.is_empty() { "no school type in the directory".to_owned() } else { format!("type {}", school.kind) };
            let args = [("school", code.clone()), ("name", name), ("kind", kind)];
            out.push(finding(&SHORT_TERM_SCHOOL, e, "enrollment_status_code", "30".to_owned(), &args));
        }
    }
}
