//! The Student Absence Summary built from the daily records: one STAS per student per school
//! per year for the primary and short-term enrollments (TK-12, at a real school). Expected
//! attendance days are the school days of those enrollments (start to exit, an open one to
//! June 30), less days in a short-term enrollment at another school; the seven counts come
//! from the daily records and must add up to the expected days, or the summary is refused with
//! the days that do not fit. Identity fields come from the student's latest enrollment there.

use super::ledger::{Ledger, Pair};
use crate::domain::attendance::StasCount;
use crate::domain::codes::school_code;
use crate::domain::date::{from_day_number, AcademicYear};
use crate::domain::enrollment::RecordRef;
use crate::schema::Schema;

/// What the STAS takes from the enrollment record: field name to value.
pub type Identity = Vec<(String, String)>;

/// The identity fields a STAS copies from its enrollment (calpads-layouts.md).
pub const IDENTITY_FIELDS: [&str; 8] = [
    "reporting_lea",
    "academic_year_id",
    "ssid",
    "local_student_id",
    "student_legal_first_name",
    "student_legal_last_name",
    "student_birth_date",
    "student_gender_code",
];

/// One summary built, or refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Summary {
    /// The STAS record (caret-delimited, no terminator).
    Written { school: u32, text: Vec<u8> },
    /// Refused: why, and the enrollment record it is about.
    Refused { school: u32, at: RecordRef, student: String, reason: String, text: Vec<u8> },
}

/// Builds the summaries of every student and school of `ledger` with counted enrollments, in
/// school and student order. `identity` reads the identity fields of an enrollment record.
pub fn build(ledger: &Ledger, schema: &Schema, identity: &dyn Fn(RecordRef) -> Option<Identity>) -> Vec<Summary> {
    let Some(year) = ledger.year() else { return Vec::new() };
    let Some((layout, _)) = schema.layout(b"STAS") else { return Vec::new() };
    let fields: Vec<&str> = schema.layouts[layout].fields_for(year, false).iter().map(|f| f.name.as_str()).collect();
    let mut pairs: Vec<&Pair> = ledger.pairs_list.iter().filter(|p| ledger.counted_enrollments(p).next().is_some()).collect();
    pairs.sort_by_key(|p| (p.school, p.student));
    let mut out = Vec::new();
    for pair in pairs {
        let Some(latest) = ledger.counted_enrollments(pair).filter(|e| e.year == year).max_by_key(|e| (e.span.start, e.at)) else { continue };
        let days = ledger.expected_days(pair, i32::MAX);
        if days.is_empty() {
            continue;
        }
        let (counts, missing) = ledger.stas_counts(pair, &days);
        let values = identity(latest.at).unwrap_or_default();
        let text = record(&fields, &values, pair.school, year, days.len(), &counts);
        let who = pair.student.describe();
        let refuse = |reason: String| Summary::Refused { school: pair.school, at: latest.at, student: who.clone(), reason, text: text.clone() };
        if pair.student.ssid().is_none() {
            out.push(refuse("the student has no SSID yet; a STAS needs one (send the enrollment first)".to_owned()));
        } else if !missing.is_empty() {
            out.push(refuse(format!(
                "{} of {} expected school days at {} have no attendance record that counts ({}), so the counts do not add up to the expected days",
                missing.len(),
                days.len(),
                school_code(pair.school),
                day_list(&missing)
            )));
        } else {
            out.push(Summary::Written { school: pair.school, text });
        }
    }
    out
}

/// The STAS record of one student and school, field by field.
fn record(fields: &[&str], identity: &Identity, school: u32, year: AcademicYear, expected: usize, counts: &[u32; 7]) -> Vec<u8> {
    let count_of = |name: &str| StasCount::ALL.iter().find(|c| c.field() == name).map(|c| counts[c.index()].to_string());
    let values: Vec<String> = fields
        .iter()
        .map(|name| match *name {
            "record_type_code" => "STAS".to_owned(),
            "school_of_attendance" => school_code(school),
            "academic_year_id" => identity.iter().find(|(k, _)| k == name).map_or_else(|| year.to_string(), |(_, v)| v.clone()),
            "student_absence_summary_data_collection_exemption_indicator" | "hourly_attendance_school_type_indicator" => "N".to_owned(),
            "expected_attendance_days" => expected.to_string(),
            other => count_of(other).or_else(|| identity.iter().find(|(k, _)| k == other).map(|(_, v)| v.clone())).unwrap_or_default(),
        })
        .collect();
    values.join("^").into_bytes()
}

/// Up to five dates, then how many more.
fn day_list(days: &[i32]) -> String {
    let mut text: Vec<String> = days.iter().take(5).map(|d| from_day_number(*d).to_string()).collect();
    if days.len() > 5 {
        text.push(format!("and {} more", days.len() - 5));
    }
    text.join(", ")
}

/// The identity of an enrollment from its SENR fields (names and values), keeping the ones a
/// STAS copies.
pub fn identity_of(names: &[&str], values: &[&[u8]]) -> Identity {
    IDENTITY_FIELDS
        .iter()
        .filter_map(|f| {
            names.iter().position(|n| n == f).and_then(|i| values.get(i)).map(|v| ((*f).to_owned(), String::from_utf8_lossy(v).into_owned()))
        })
        .collect()
}
