//! `rollcall census`: enrollment on Census Day per school and grade, with primary,
//! secondary, short-term and non-ADA enrollments counted separately, as a table, CSV or
//! JSON. The counting is [`crate::census`], shared with `rollcall generate --census`; records
//! it cannot use (a bad date, an unknown status) are not counted, and `rollcall check` says why.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::ValueEnum;
use serde::Serialize;

use super::{parse_date, DataArgs};
use crate::census::{self, Breakdown, Counter, NotCounted};
use crate::domain::date::AcademicYear;
use crate::error::Error;
use crate::report::csv::{CsvWriter, Framing};
use crate::source;

const AFTER_HELP: &str = "Examples:
  rollcall census samples/clean
  rollcall census exports/ --format csv > census.csv
  rollcall census exports/ --census-date 2025-10-01 --format json

Counts every SENR enrollment active on Census Day (start <= day <= exit; no-shows N420/N470
and deletes excluded) of the submission's academic year, through the same field and record
rules as `rollcall check`: a record the state would reject (a fatal finding) is not counted,
and the report says how many were left out and why (`rollcall check` lists them).
Exit status: 0 counted; 2 nothing to count (no enrollment), a census date outside the
academic year, or an unreadable input.";

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
    #[command(flatten)]
    pub data: DataArgs,
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
pub struct CensusRow {
    pub school: String,
    pub grade: String,
    pub primary: u64,
    pub secondary: u64,
    pub short_term: u64,
    pub non_ada: u64,
    pub total: u64,
}

/// The school × grade rows of `census`, in school and code-set grade order.
pub fn rows(census: &census::Census) -> Vec<CensusRow> {
    census
        .rows
        .iter()
        .map(|(key, counts)| CensusRow {
            school: format!("{:07}", key.school),
            grade: key.grade.to_string(),
            primary: counts.primary,
            secondary: counts.secondary,
            short_term: counts.short_term,
            non_ada: counts.non_ada,
            total: counts.total(),
        })
        .collect()
}

pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let schema = args.data.schema()?;
    let inputs = source::expand(&args.paths)?;
    let as_of = args.data.today();
    // The same counting as `rollcall generate --census`, so the two always agree.
    let counter = Counter::count_files(&schema, &inputs, as_of)?;
    let Some(year) = counter.latest_year() else {
        let left = counter.not_counted.values().sum::<u64>();
        let message = if left > 0 {
            format!("no SENR enrollment could be counted: {left} were left out ({}); run `rollcall check` to see why", describe(&counter.not_counted))
        } else {
            "the inputs hold no SENR enrollment to count".to_owned()
        };
        return Err(Error::Argument { arg: "PATHS", message });
    };
    let day = args.census_date.unwrap_or_else(|| year.census_day());
    if !(year.first_day()..=year.last_day()).contains(&day) {
        let message = format!("Census Day {day} is not in the academic year {year} ({} to {})", year.first_day(), year.last_day());
        return Err(Error::Argument { arg: "--census-date", message });
    }
    let rows = rows(&counter.count(year, day, Breakdown::SchoolGrade));
    let text = match args.format {
        CensusFormat::Table => table(&rows, year, day, &counter.not_counted),
        CensusFormat::Csv => {
            if !counter.not_counted.is_empty() {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("note: {} SENR records not counted ({})", counter.not_counted.values().sum::<u64>(), describe(&counter.not_counted));
                }
            }
            csv_text(&rows)?
        }
        CensusFormat::Json => json_text(&rows, year, day, &counter.not_counted),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// `12 a fatal finding (…), 1 …` for a message.
fn describe(not_counted: &NotCounted) -> String {
    not_counted.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(", ")
}

fn table(rows: &[CensusRow], year: AcademicYear, day: NaiveDate, not_counted: &NotCounted) -> String {
    let mut s = format!("Census Day {day} ({year}): enrollments active that day\n\n");
    s.push_str(&format!("{:<9} {:<5} {:>8} {:>9} {:>10} {:>7} {:>7}\n", "school", "grade", "primary", "secondary", "short-term", "non-ADA", "total"));
    let mut sum = CensusRow::default();
    for r in rows {
        s.push_str(&format!(
            "{:<9} {:<5} {:>8} {:>9} {:>10} {:>7} {:>7}\n",
            r.school, r.grade, r.primary, r.secondary, r.short_term, r.non_ada, r.total
        ));
        sum.primary += r.primary;
        sum.secondary += r.secondary;
        sum.short_term += r.short_term;
        sum.non_ada += r.non_ada;
        sum.total += r.total;
    }
    s.push_str(&format!(
        "{:<9} {:<5} {:>8} {:>9} {:>10} {:>7} {:>7}\n",
        "all", "", sum.primary, sum.secondary, sum.short_term, sum.non_ada, sum.total
    ));
    if !not_counted.is_empty() {
        s.push_str(&format!("\nNot counted (SENR records): {}; `rollcall check` lists them.\n", describe(not_counted)));
    }
    s
}

fn csv_text(rows: &[CensusRow]) -> Result<String, Error> {
    // Through serde to the cells, then through the shared writer (every cell inert).
    let mut w = csv::WriterBuilder::new().has_headers(true).from_writer(Vec::new());
    let err = |e: csv::Error| Error::Write { path: "census CSV".into(), source: io::Error::other(e) };
    for r in rows {
        w.serialize(r).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Write { path: "census CSV".into(), source: io::Error::other(e.to_string()) })?;
    let mut out = CsvWriter::new(Framing::Crlf);
    for rec in csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice()).records() {
        out.row(rec.map_err(err)?.iter()).map_err(|source| Error::Write { path: "census CSV".into(), source })?;
    }
    out.into_string().map_err(|source| Error::Write { path: "census CSV".into(), source })
}

#[derive(Serialize)]
struct CensusDoc<'a> {
    academic_year: String,
    census_day: String,
    rows: &'a [CensusRow],
    /// SENR records left out of the count, by reason.
    not_counted: &'a NotCounted,
}

fn json_text(rows: &[CensusRow], year: AcademicYear, day: NaiveDate, not_counted: &NotCounted) -> String {
    let doc = CensusDoc { academic_year: year.to_string(), census_day: day.to_string(), rows, not_counted };
    serde_json::to_string_pretty(&doc).map(|s| s + "\n").unwrap_or_default()
}
