//! `rollcall census`: enrollment on Census Day per school and grade, with primary,
//! secondary, short-term and non-ADA enrollments counted separately, as a table, CSV or
//! JSON. The files are read (and checked) exactly as `rollcall check` reads them.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::ValueEnum;
use serde::Serialize;

use super::check::{load_schema, parse_date};
use super::write_err;
use crate::check::{Checker, Options, Sink};
use crate::date::{day_number, AcademicYear};
use crate::diagnostic::{Finding, Severity};
use crate::error::Error;
use crate::index::{school_code, Enrollment, Index};
use crate::read;
use crate::rules::Rule;

const AFTER_HELP: &str = "Examples:
  rollcall census samples/clean
  rollcall census exports/ --format csv > census.csv
  rollcall census exports/ --census-date 2025-10-01 --format json

Counts every SENR enrollment active on Census Day (start <= day <= exit; no-shows excluded)
of the submission's academic year. Findings are not listed here; run `rollcall check`.";

/// Count enrollment on Census Day per school and grade.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Files or folders (every .txt and .csv file below a folder).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CensusFormat::Table)]
    pub format: CensusFormat,
    /// Census Day (YYYY-MM-DD); default: the first Wednesday in October of the academic year.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub census_date: Option<NaiveDate>,
    /// Load schemas from this folder instead of the embedded CALPADS set.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

/// `census --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CensusFormat {
    Table,
    Csv,
    Json,
}

/// One school × grade row of the census.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Row {
    pub school: String,
    pub grade: String,
    pub primary: u64,
    pub secondary: u64,
    pub short_term: u64,
    pub non_ada: u64,
    pub total: u64,
}

/// Counts only; the census command does not list findings.
#[derive(Default)]
struct Counter {
    fatal: u64,
}

impl Sink for Counter {
    fn wants_excerpt(&mut self, _: &'static Rule) -> bool {
        false
    }
    fn finding(&mut self, f: Finding) -> io::Result<()> {
        self.fatal += u64::from(f.severity() == Severity::Fatal);
        Ok(())
    }
}

/// Census Day rows from an index, sorted by school and then by `grade_order`.
pub fn count(index: &Index, year: AcademicYear, day: NaiveDate, grade_order: &[String]) -> Vec<Row> {
    let d = day_number(day);
    let active = |e: &&Enrollment| e.year == year && e.start <= d && d <= e.exit && e.exit >= e.start;
    let mut rows: BTreeMap<(u32, usize, [u8; 2]), Row> = BTreeMap::new();
    for e in index.enrollments.iter().filter(active) {
        let grade = String::from_utf8_lossy(&e.grade).into_owned();
        let rank = grade_order.iter().position(|g| *g == grade).unwrap_or(usize::MAX);
        let row = rows.entry((e.school, rank, e.grade)).or_insert_with(|| Row { school: school_code(e.school), grade, ..Row::default() });
        match &e.status {
            b"10" => row.primary += 1,
            b"20" => row.secondary += 1,
            b"30" => row.short_term += 1,
            _ => row.non_ada += 1,
        }
        row.total += 1;
    }
    rows.into_values().collect()
}

pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let schema = load_schema(args.schemas.as_ref())?;
    let inputs = read::expand(&args.paths)?;
    let mut checker = Checker::new(&schema, &inputs, Options::new(chrono::Local::now().date_naive()));
    let mut counter = Counter::default();
    checker.run(&mut counter)?;
    let year = checker.submission_year();
    let day = args.census_date.unwrap_or_else(|| year.census_day());
    let grades: Vec<String> = schema.codeset("grade_level").map(|c| c.codes.iter().map(|c| c.code.clone()).collect()).unwrap_or_default();
    let rows = count(checker.index(), year, day, &grades);
    let text = match args.format {
        CensusFormat::Table => table(&rows, year, day),
        CensusFormat::Csv => csv_text(&rows)?,
        CensusFormat::Json => json_text(&rows, year, day),
    };
    out.write_all(text.as_bytes()).map_err(write_err)?;
    if counter.fatal > 0 {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("note: the files have {} fatal findings; `rollcall check` lists them", counter.fatal);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn table(rows: &[Row], year: AcademicYear, day: NaiveDate) -> String {
    let mut s = format!("Census Day {day} ({year}): enrollments active that day\n\n");
    s.push_str(&format!("{:<9} {:<5} {:>8} {:>9} {:>10} {:>7} {:>7}\n", "school", "grade", "primary", "secondary", "short-term", "non-ADA", "total"));
    let mut sum = Row::default();
    for r in rows {
        s.push_str(&format!("{:<9} {:<5} {:>8} {:>9} {:>10} {:>7} {:>7}\n", r.school, r.grade, r.primary, r.secondary, r.short_term, r.non_ada, r.total));
        sum.primary += r.primary;
        sum.secondary += r.secondary;
        sum.short_term += r.short_term;
        sum.non_ada += r.non_ada;
        sum.total += r.total;
    }
    s.push_str(&format!("{:<9} {:<5} {:>8} {:>9} {:>10} {:>7} {:>7}\n", "all", "", sum.primary, sum.secondary, sum.short_term, sum.non_ada, sum.total));
    s
}

fn csv_text(rows: &[Row]) -> Result<String, Error> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let err = |e: csv::Error| Error::Write { path: "census CSV".into(), source: io::Error::other(e) };
    for r in rows {
        w.serialize(r).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Write { path: "census CSV".into(), source: io::Error::other(e.to_string()) })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(Serialize)]
struct Census<'a> {
    academic_year: String,
    census_day: String,
    rows: &'a [Row],
}

fn json_text(rows: &[Row], year: AcademicYear, day: NaiveDate) -> String {
    let doc = Census { academic_year: year.to_string(), census_day: day.to_string(), rows };
    serde_json::to_string_pretty(&doc).map(|s| s + "\n").unwrap_or_default()
}
