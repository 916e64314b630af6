//! The JSON Lines report: one object per finding as it arrives, then one summary object.
//! The shape is a public contract (`json-output.md`, README "Machine output").

use std::io::{self, Write};

use serde::Serialize;

use super::Tally;
use crate::diagnostic::{Category, Finding, Severity};
use crate::engine::{Sink, Totals};
use crate::rules::Rule;
use crate::source::Input;

/// Writes findings as JSON Lines as they come.
pub struct JsonReport<'a> {
    out: &'a mut dyn Write,
    inputs: &'a [Input],
    /// Findings written per rule; `None` writes all (the default for JSON).
    max_per_rule: Option<u64>,
    pub tally: Tally,
}

#[derive(Serialize)]
struct RelatedLine<'a> {
    file: &'a str,
    line: u64,
}

#[derive(Serialize)]
struct DiagnosticLine<'a> {
    kind: &'static str,
    rule: &'static str,
    severity: Severity,
    category: Category,
    file: Option<&'a str>,
    line: Option<u64>,
    /// 1-based byte column where the field starts in the line, when known.
    column: Option<usize>,
    record_type: Option<&'a str>,
    field: Option<&'a str>,
    value: Option<&'a str>,
    message: &'a str,
    help: &'a str,
    state_rule: Option<&'static str>,
    ssid: Option<&'a str>,
    local_record_id: Option<&'a str>,
    school_of_attendance: Option<&'a str>,
    local_student_id: Option<&'a str>,
    related: Vec<RelatedLine<'a>>,
    /// Related records beyond the listed ones (lists stop at 100).
    related_more: u64,
}

/// The last line of a JSON report.
#[derive(Serialize)]
pub struct SummaryLine {
    pub kind: &'static str,
    pub files: usize,
    pub records: u64,
    pub fatal: u64,
    pub warning: u64,
    pub info: u64,
    pub elapsed_ms: u128,
    /// Rules that did not run for want of an input, with the option that would run them.
    pub not_checked: Vec<NotCheckedLine>,
    /// Files of the run that were not checked, and what they look like.
    pub files_not_checked: Vec<NotReadLine>,
    /// Findings a baseline accepted (not listed, not counted above).
    pub accepted: u64,
}

/// One file that was not checked.
#[derive(Serialize)]
pub struct NotReadLine {
    pub file: String,
    pub looks_like: String,
}

/// One rule that did not run.
#[derive(Serialize)]
pub struct NotCheckedLine {
    pub rule: &'static str,
    pub needs: &'static str,
}

impl<'a> JsonReport<'a> {
    pub fn new(out: &'a mut dyn Write, inputs: &'a [Input]) -> JsonReport<'a> {
        JsonReport { out, inputs, max_per_rule: None, tally: Tally::default() }
    }

    /// Writes at most `max` findings per rule (all are still counted in the summary).
    pub fn with_max_per_rule(mut self, max: Option<u64>) -> JsonReport<'a> {
        self.max_per_rule = max;
        self
    }

    /// Writes the summary line.
    pub fn finish(self, totals: &Totals, elapsed_ms: u128) -> io::Result<Tally> {
        let t = &self.tally;
        let not_checked = totals.not_checked.iter().map(|n| NotCheckedLine { rule: n.rule.id, needs: n.needs }).collect();
        let line = SummaryLine {
            kind: "summary",
            files: totals.files,
            records: totals.records,
            fatal: t.fatal,
            warning: t.warning,
            info: t.info,
            elapsed_ms,
            not_checked,
            files_not_checked: totals
                .not_read
                .iter()
                .map(|n| NotReadLine {
                    file: self.inputs.get(n.input).map_or_else(String::new, |i| i.display.clone()),
                    looks_like: n.looks_like.clone(),
                })
                .collect(),
            accepted: totals.accepted,
        };
        serde_json::to_writer(&mut *self.out, &line)?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(self.tally)
    }

    fn name(&self, file: Option<usize>) -> Option<&'a str> {
        let inputs: &'a [Input] = self.inputs;
        file.and_then(|i| inputs.get(i)).map(|i| i.display.as_str())
    }
}

impl Sink for JsonReport<'_> {
    fn wants_excerpt(&mut self, _: &'static Rule) -> bool {
        false
    }

    fn finding(&mut self, f: Finding) -> io::Result<()> {
        let shown = self.max_per_rule.is_none_or(|max| self.tally.count(f.rule) < max);
        self.tally.add(&f);
        if !shown {
            return Ok(());
        }
        let line = DiagnosticLine {
            kind: "diagnostic",
            rule: f.rule.id,
            severity: f.rule.severity,
            category: f.rule.category,
            file: self.name(f.at.input),
            line: f.at.line,
            column: f.at.column(),
            record_type: f.record_type.as_deref(),
            field: f.field.as_deref(),
            value: f.value.as_deref(),
            message: &f.message,
            help: &f.help,
            state_rule: f.state_rule(),
            ssid: f.ssid.as_deref(),
            local_record_id: f.local_record_id.as_deref(),
            school_of_attendance: f.school.as_deref(),
            local_student_id: f.local_student_id.as_deref(),
            related: f.related.iter().map(|r| RelatedLine { file: self.name(Some(r.file)).unwrap_or_default(), line: r.line }).collect(),
            related_more: f.related_more,
        };
        serde_json::to_writer(&mut *self.out, &line)?;
        self.out.write_all(b"\n")
    }
}
