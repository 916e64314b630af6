//! The worklist: one row per finding, for the people who fix records. Sorted by school, then
//! severity (fatal first), then student, so each school's clerk gets a block of their own to
//! filter, assign and tick off in the empty `status` column.

use super::table::{Column, Table};
use super::Run;
use crate::diagnostic::Finding;

/// The worklist's columns, in order.
pub const COLUMNS: [&str; 17] = [
    "school",
    "ssid",
    "local_student_id",
    "student_name",
    "file",
    "line",
    "field",
    "value",
    "rule",
    "severity",
    "category",
    "message",
    "how_to_fix",
    "state_rule",
    "record_type",
    "local_record_id",
    "status",
];

/// The findings of `run` in worklist order: school (findings of no school last), severity,
/// student, file, line, rule.
pub fn sorted<'a>(run: &Run<'a>) -> Vec<&'a Finding> {
    let mut rows: Vec<&Finding> = run.findings.iter().collect();
    rows.sort_by(|a, b| {
        let key = |f: &'a Finding| {
            (
                f.school.is_none(),
                f.school.as_deref().unwrap_or(""),
                f.severity(),
                f.ssid.as_deref().or(f.local_student_id.as_deref()).is_none(),
                f.ssid.as_deref().or(f.local_student_id.as_deref()).unwrap_or(""),
                f.at.input,
                f.at.line,
                f.rule.id,
            )
        };
        key(a).cmp(&key(b))
    });
    rows
}

/// One finding's cells, in [`COLUMNS`] order.
pub fn row(run: &Run<'_>, f: &Finding) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        text(&f.school),
        text(&f.ssid),
        text(&f.local_student_id),
        text(&f.student_name),
        run.file_of(f).unwrap_or_default().to_owned(),
        f.at.line.map_or_else(String::new, |l| l.to_string()),
        text(&f.field),
        text(&f.value),
        f.rule.id.to_owned(),
        f.severity().as_str().to_owned(),
        f.rule.category.as_str().to_owned(),
        f.message.clone(),
        f.help.clone(),
        f.state_rule().unwrap_or_default().to_owned(),
        text(&f.record_type),
        text(&f.local_record_id),
        String::new(),
    ]
}

/// The worklist's columns as a table header.
pub fn columns() -> Vec<Column> {
    COLUMNS.iter().map(|&c| if c == "line" { Column::number(c) } else { Column::text(c) }).collect()
}

/// The worklist of `run` as one table.
pub fn table(run: &Run<'_>) -> Table {
    let mut t = Table::new("Findings to fix", columns());
    for f in sorted(run) {
        t.push(row(run, f));
    }
    t
}
