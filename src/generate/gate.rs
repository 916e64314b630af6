//! Checked before written: converted rows go through the same engine as `rollcall check`
//! ([`crate::engine::Checker`]) as records in memory ([`MemorySource`]), never as a file: no
//! copy of the students' records is written anywhere before the output. Every finding names
//! its input file and line. Without `--skip-invalid` one fatal finding stops everything; with
//! it, rows with fatal findings are refused and the rest checked again, until what remains
//! has no fatal finding.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::diagnostic::{Excerpt, Finding, Related, Severity};
use crate::domain::date::AcademicYear;
use crate::engine::{Checker, Options};
use crate::error::Error;
use crate::generate::extract::Row;
use crate::rules::cross::SUBMISSION_MIX;
use crate::rules::generate as rules;
use crate::schema::names::REPORTING_LEA;
use crate::schema::Schema;
use crate::source::memory::MemoryRecord;
use crate::source::{Input, MemorySource, RecordSource};

/// What the check decided about a set of rows.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Findings to show: those of refused rows, then those of the rows kept; sorted by
    /// input and line.
    pub findings: Vec<Finding>,
    /// Refused rows (by index) with the fatal findings that refused them.
    pub rejected: BTreeMap<usize, Vec<Finding>>,
    /// A fatal finding about no single row exists: nothing may be written.
    pub blocking: bool,
    /// The submission's academic year as the check saw it.
    pub year: Option<AcademicYear>,
}

impl Verdict {
    /// Whether row `i` is written.
    pub fn keeps(&self, i: usize) -> bool {
        !self.blocking && !self.rejected.contains_key(&i)
    }

    /// Whether any fatal finding exists.
    pub fn has_fatal(&self) -> bool {
        self.blocking || !self.rejected.is_empty()
    }
}

/// A finding and the row it is about (`None`: about no single row).
type Attributed = (Option<usize>, Finding);

/// Checks `rows`; with `skip_invalid`, refuses rows with fatal findings until the rest is clean.
pub fn check(schema: &Schema, inputs: &[Input], rows: &[Row], as_of: NaiveDate, skip_invalid: bool) -> Result<Verdict, Error> {
    let mut alive = vec![true; rows.len()];
    let mut verdict = Verdict::default();
    let mut first = true;
    loop {
        let (found, year) = pass(schema, inputs, rows, &alive, as_of)?;
        verdict.year = Some(year);
        let fatal_rows: BTreeSet<usize> = found.iter().filter(|(_, f)| is_fatal(f)).filter_map(|(r, _)| *r).collect();
        verdict.blocking = found.iter().any(|(r, f)| r.is_none() && is_fatal(f));
        let stop = verdict.blocking || fatal_rows.is_empty() || (first && !skip_invalid);
        for (row, f) in found {
            match row.filter(|r| fatal_rows.contains(r)) {
                Some(r) => {
                    if is_fatal(&f) {
                        verdict.rejected.entry(r).or_default().push(f.clone());
                    }
                    verdict.findings.push(f);
                }
                None if stop => verdict.findings.push(f),
                None => {}
            }
        }
        if stop {
            break;
        }
        for r in fatal_rows {
            alive[r] = false;
        }
        first = false;
    }
    verdict.findings.sort_by_key(|f| (f.at.input.unwrap_or(usize::MAX), f.at.line.unwrap_or(0)));
    Ok(verdict)
}

fn is_fatal(f: &Finding) -> bool {
    f.severity() == Severity::Fatal
}

/// One check over the live rows: their conversion findings and the engine's findings. The
/// rows go to the engine as records in memory, one source per input, each record with its
/// input line, so every finding already names the extract and line it is about.
fn pass(schema: &Schema, inputs: &[Input], rows: &[Row], alive: &[bool], as_of: NaiveDate) -> Result<(Vec<Attributed>, AcademicYear), Error> {
    let mut found: Vec<Attributed> = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(i, _)| alive[*i]) {
        found.extend(row.findings.iter().map(|f| (Some(i), f.clone())));
    }
    let sources = memory_sources(inputs.len(), rows, |i| alive[i]);
    let mut raw: Vec<Finding> = Vec::new();
    let mut checker = Checker::new(schema, inputs, Options::new(as_of));
    checker.run_sources(sources, &mut raw)?;
    let year = checker.submission_year();
    let mix = lea_mix(schema, rows, alive);
    // The engine compares the LEA of whole inputs; the row-level finding names the row, so it
    // replaces that one.
    let repeats = |f: &Finding| !mix.is_empty() && f.rule.id == SUBMISSION_MIX.id && f.field.as_deref() == Some(REPORTING_LEA);
    found.extend(raw.into_iter().filter(|f| !repeats(f)).filter_map(|f| attribute(rows, f)));
    found.extend(mix.into_iter().map(|f| (None, f)));
    Ok((found, year))
}

/// The checkable rows that `take` picks (by index) as record sources in memory, one per input,
/// each record with its input line and its row index as its "byte": the engine reads them
/// exactly as it reads files.
pub fn memory_sources(inputs: usize, rows: &[Row], take: impl Fn(usize) -> bool) -> Vec<Box<dyn RecordSource>> {
    let records: Arc<Vec<MemoryRecord>> = Arc::new(rows.iter().map(|r| MemoryRecord { line: r.line, text: r.text.clone() }).collect());
    let mut picked: Vec<Vec<usize>> = vec![Vec::new(); inputs];
    for (i, row) in rows.iter().enumerate().filter(|(i, r)| take(*i) && r.checkable) {
        if let Some(list) = picked.get_mut(row.input) {
            list.push(i);
        }
    }
    picked
        .into_iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .map(|(input, list)| Box::new(MemorySource::new(input, Arc::clone(&records), list)) as Box<dyn RecordSource>)
        .collect()
}

/// The row a finding is about (its "byte" is the row's index), or none for a finding about
/// an input or the run; `None` when it repeats a conversion finding of the row.
fn attribute(rows: &[Row], f: Finding) -> Option<Attributed> {
    let at = f.at.byte.and_then(|b| usize::try_from(b).ok()).filter(|i| *i < rows.len());
    if let (Some(r), Some(field)) = (at, f.field.as_deref()) {
        if rows[r].suppress.iter().any(|s| s == field) {
            return None;
        }
    }
    Some((at, f))
}

/// GEN-LEA-MIX: the first row of every LEA other than the first row's. About the run, not
/// the row: it stops everything, even with `--skip-invalid`.
fn lea_mix(schema: &Schema, rows: &[Row], alive: &[bool]) -> Vec<Finding> {
    let mut first: Option<(&str, usize)> = None;
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(i, r)| alive[*i] && r.checkable) {
        let Some(lea) = lea_of(schema, row) else { continue };
        let Some((lea0, at0)) = first else {
            first = Some((lea, i));
            continue;
        };
        if lea == lea0 || seen.contains(&lea) {
            continue;
        }
        seen.push(lea);
        let mut f = Finding::new(&rules::LEA_MIX, &[("value", lea), ("other", lea0)]);
        (f.at.input, f.at.line, f.record_type) = (Some(row.input), Some(row.line), Some(row.record_type.clone()));
        (f.field, f.value) = (Some(REPORTING_LEA.to_owned()), Some(lea.to_owned()));
        f.related = vec![Related { file: rows[at0].input, line: rows[at0].line }];
        f.excerpt = Some(Excerpt { text: row.source.clone(), span: None });
        out.push(f);
    }
    out
}

/// A row's reporting LEA, when it is seven digits (anything else is a field finding).
fn lea_of<'r>(schema: &Schema, row: &'r Row) -> Option<&'r str> {
    let (layout, _) = schema.layout(row.record_type.as_bytes())?;
    let at = schema.layouts[layout].stable_position(REPORTING_LEA)?;
    let lea = row.text.split(|b| *b == b'^').nth(at)?;
    (lea.len() == 7 && lea.iter().all(u8::is_ascii_digit)).then(|| std::str::from_utf8(lea).ok()).flatten()
}
