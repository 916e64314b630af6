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
    /// The lines of the current input's findings not yet written, each with whether it is a
    /// root cause (written first when the input's findings end).
    pending: Vec<(bool, Vec<u8>)>,
    pending_input: Option<Option<usize>>,
}

/// Lines held back at most, per input: past them the lines go out as they come (memory stays
/// bounded whatever the number of findings).
const HOLD: usize = 20_000;

/// `findings` in the order JSON Lines shows them: each run of one input's findings (at most
/// 20,000 at a time) with its root causes first, each part in the order found.
pub fn root_first(findings: &[Finding]) -> Vec<&Finding> {
    let mut out = Vec::with_capacity(findings.len());
    let mut start = 0;
    while start < findings.len() {
        let input = findings[start].at.input;
        let mut end = start;
        while end < findings.len() && end - start < HOLD && findings[end].at.input == input {
            end += 1;
        }
        let group = &findings[start..end];
        out.extend(group.iter().filter(|f| is_root_cause(f)));
        out.extend(group.iter().filter(|f| !is_root_cause(f)));
        start = end;
    }
    out
}

/// Whether `f` is a root cause: a finding about a whole file (no line), or one of the rules
/// that explain a file's other findings (its delimiter, encoding, layout year, a header row, a
/// trailing delimiter, a file of another year or LEA).
pub fn is_root_cause(f: &Finding) -> bool {
    use crate::rules::structure as s;
    const ROOTS: [&Rule; 8] = [
        &s::DELIMITER,
        &s::ENCODING,
        &s::LAYOUT_YEAR,
        &s::HEADER_ROW,
        &s::TRAILING_DELIMITER,
        &s::ACADEMIC_YEAR_MIX,
        &s::WRONG_YEAR,
        &crate::rules::cross::SUBMISSION_MIX,
    ];
    (f.at.input.is_some() && f.at.line.is_none()) || ROOTS.iter().any(|r| std::ptr::eq(*r, f.rule))
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
        JsonReport { out, inputs, max_per_rule: None, tally: Tally::default(), pending: Vec::new(), pending_input: None }
    }

    /// Writes at most `max` findings per rule (all are still counted in the summary).
    pub fn with_max_per_rule(mut self, max: Option<u64>) -> JsonReport<'a> {
        self.max_per_rule = max;
        self
    }

    /// Writes the summary line.
    pub fn finish(mut self, totals: &Totals, elapsed_ms: u128) -> io::Result<Tally> {
        self.flush_pending()?;
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

    /// Writes the held lines of the current input: root causes first, then the rest, each in
    /// the order found.
    fn flush_pending(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        for root in [true, false] {
            for (_, line) in pending.iter().filter(|(r, _)| *r == root) {
                self.out.write_all(line)?;
            }
        }
        self.pending = pending;
        self.pending.clear();
        Ok(())
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
        let mut bytes = serde_json::to_vec(&line)?;
        bytes.push(b'\n');
        if self.pending_input != Some(f.at.input) || self.pending.len() >= HOLD {
            self.flush_pending()?;
            self.pending_input = Some(f.at.input);
        }
        self.pending.push((is_root_cause(&f), bytes));
        Ok(())
    }
}
