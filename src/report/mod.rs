//! Reports: turn findings into output for people ([`human`], miette's graphical style) or
//! machines ([`json`], the JSON Lines contract of `json-output.md`), and into report files
//! (`--report FILE`, one registry for every command, [`file`](mod@file)): the worklist a clerk ticks
//! off ([`worklist`] as CSV, [`xlsx`] as a workbook), a self-contained HTML page ([`html`])
//! and SARIF for code-scanning views ([`sarif`]); the printable calendar ([`calendar`]). A command's figures are [`table::Table`]s
//! that the same writers take. Every CSV passes [`csv::inert`]; [`redact`] takes names, birth
//! dates and addresses out of every output. Reports write to an `&mut dyn Write` or return
//! bytes; the library never prints on its own.

pub mod baseline;
pub mod calendar;
pub mod csv;
pub mod file;
pub mod html;
pub mod human;
pub mod json;
pub mod redact;
pub mod sarif;
pub mod table;
pub mod worklist;
pub mod xlsx;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostic::{Finding, Severity};
use crate::engine::Totals;
use crate::error::Error;
use crate::rules::Rule;
use crate::source::Input;
use file::{FileFormat, ReportFile};
use table::Table;

/// Everything a report file of a run of findings (`rollcall check`, the rejected records of
/// `rollcall generate`) shows.
pub struct Run<'a> {
    /// The command line as a person would retype it, like `rollcall check samples/errors`.
    pub command: String,
    /// The day the run took as today (`--as-of`), shown as the report's date so a report
    /// is the same bytes when run again.
    pub as_of: chrono::NaiveDate,
    pub inputs: &'a [Input],
    /// Every finding reported (after `--ignore`, the filters and a baseline), in the order
    /// found, each with its record's text when it has one.
    pub findings: &'a [Finding],
    pub totals: &'a Totals,
    pub tally: &'a Tally,
}

impl Run<'_> {
    /// The name of the file a finding points into, as the user gave it.
    pub fn file_of(&self, f: &Finding) -> Option<&str> {
        f.at.input.and_then(|i| self.inputs.get(i)).map(|i| i.display.as_str())
    }

    /// The name of input `i`.
    pub fn input_name(&self, i: usize) -> &str {
        self.inputs.get(i).map_or("", |i| i.display.as_str())
    }
}

/// Writes the report files of a run of findings, each whole or not at all.
pub fn write_findings(files: &[ReportFile], run: &Run<'_>) -> Result<(), Error> {
    let inputs: Vec<PathBuf> = run.inputs.iter().map(|i| i.path.clone()).collect();
    for f in files {
        let err = |source| Error::Write { path: f.path.clone(), source };
        let bytes = match f.format {
            FileFormat::Csv => worklist::table(run).csv(csv::Framing::Spreadsheet).map_err(err)?,
            FileFormat::Xlsx => xlsx::worklist(run).map_err(err)?,
            FileFormat::Html => html::findings(run).into_bytes(),
            FileFormat::Sarif => sarif::findings(run).map_err(err)?,
        };
        file::write_atomic(&f.path, &bytes, &inputs)?;
    }
    Ok(())
}

/// Writes the report files of a command's figures: a CSV holds the first (main) table, a
/// workbook a sheet per table, an HTML page every table with its chart. SARIF is refused
/// before the run ([`file::check_formats`]).
pub fn write_tables(files: &[ReportFile], title: &str, tables: &[Table], inputs: &[PathBuf]) -> Result<(), Error> {
    for f in files {
        let err = |source| Error::Write { path: f.path.clone(), source };
        let bytes = match f.format {
            FileFormat::Csv => tables.first().map_or(Ok(Vec::new()), |t| t.csv(csv::Framing::Spreadsheet)).map_err(err)?,
            FileFormat::Xlsx => xlsx::tables(tables).map_err(err)?,
            FileFormat::Html => html::tables(title, tables).into_bytes(),
            FileFormat::Sarif => {
                return Err(Error::Argument { arg: "--report", message: format!("{}: SARIF holds findings, not figures", f.path.display()) })
            }
        };
        file::write_atomic(&f.path, &bytes, inputs)?;
    }
    Ok(())
}

/// A sink that passes every finding on and keeps a copy (with its record's text) for the
/// report files, when there are any.
pub struct Keep<'a> {
    inner: &'a mut dyn crate::diagnostic::Sink,
    /// The findings kept; `None` keeps nothing.
    pub kept: Option<Vec<Finding>>,
}

impl<'a> Keep<'a> {
    /// Keeps the findings passed to `inner` when `keep` is true.
    pub fn new(inner: &'a mut dyn crate::diagnostic::Sink, keep: bool) -> Keep<'a> {
        Keep { inner, kept: keep.then(Vec::new) }
    }
}

impl crate::diagnostic::Sink for Keep<'_> {
    fn wants_excerpt(&mut self, rule: &'static Rule) -> bool {
        self.inner.wants_excerpt(rule) || self.kept.is_some()
    }
    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        if let Some(kept) = &mut self.kept {
            kept.push(f.clone());
        }
        self.inner.finding(f)
    }
}

/// Counts of findings, by severity and by rule.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub fatal: u64,
    pub warning: u64,
    pub info: u64,
    /// Per rule ID: the rule and how many findings it raised.
    pub by_rule: BTreeMap<&'static str, (&'static Rule, u64)>,
}

/// A sink that only counts: for runs whose product is a figure (ADA, chronic absenteeism),
/// not a report of findings.
#[derive(Debug, Default)]
pub struct Counting {
    pub tally: Tally,
}

impl crate::diagnostic::Sink for Counting {
    fn wants_excerpt(&mut self, _: &'static Rule) -> bool {
        false
    }
    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        self.tally.add(&f);
        Ok(())
    }
}

impl Tally {
    /// Counts one finding.
    pub fn add(&mut self, f: &Finding) {
        match f.severity() {
            Severity::Fatal => self.fatal += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
        self.by_rule.entry(f.rule.id).or_insert((f.rule, 0)).1 += 1;
    }

    /// How many findings `rule` has raised so far.
    pub fn count(&self, rule: &Rule) -> u64 {
        self.by_rule.get(rule.id).map_or(0, |(_, n)| *n)
    }
}
