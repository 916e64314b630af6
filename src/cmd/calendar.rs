//! `rollcall calendar`: checks the annual attendance calendar (`rules::calendar`) and prints
//! each school's school months: first and last date, days taught, and whether the month is
//! full (attendance.md). Given the enrollments too, it lists every school that has them and
//! reports those without a calendar.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::ValueEnum;

use super::{human_style, parse_date, DataArgs, GlobalArgs};
use crate::attendance::account;
use crate::diagnostic::Sink;
use crate::domain::calendar::Calendar;
use crate::domain::codes::school_code;
use crate::domain::date::{from_day_number, AcademicYear};
use crate::engine::Totals;
use crate::error::Error;
use crate::report::csv::Framing;
use crate::report::file::{check_formats, write_atomic, FileFormat, ReportFile};
use crate::report::human::HumanReport;
use crate::report::table::{Column, Table};
use crate::rules::calendar::{read, schools_without_calendar};
use crate::source::Input;

const AFTER_HELP: &str = "Examples:
  rollcall calendar samples/clean/calendar.csv
  rollcall calendar calendar.csv exports/senr.txt      months of every school with enrollments
  rollcall calendar calendar.csv --format csv > months.csv
  rollcall calendar calendar.csv --report calendar.html  a printable page per school

A school month is 20 days of school or holiday (weekdays, breaks left out) from the first to
the last day of instruction; the last may be partial (full = N). Days taught are the month's
school days. A calendar whose rows carry a school_month number keeps the district's numbering.
The calendar's findings go to standard output with the table, or to standard error with CSV.
Exit status: 0 no fatal finding; 1 fatal findings (bad rows, left out of the months);
2 the calendar cannot be read (no date or day_type column).";

/// Check the attendance calendar and print each school's school months.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The calendar CSV (`school_of_attendance,date,day_type[,school_month]`).
    pub calendar: PathBuf,
    /// Enrollments (SENR files or folders): list their schools, report those without a calendar.
    pub paths: Vec<PathBuf>,
    /// Output format of the months.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Census Day (YYYY-MM-DD); default: the first Wednesday in October of the year.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub census_date: Option<NaiveDate>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Width of human output in columns.
    #[arg(long, default_value_t = 100, value_parser = super::parse_width)]
    pub width: usize,
    /// Also write a file, its format told by its extension: .html (a printable calendar, a
    /// page per school), .csv or .xlsx (the school months). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub report: Vec<ReportFile>,
}

/// `calendar --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
}

pub fn run(args: Args, global: &GlobalArgs, out: &mut dyn Write) -> Result<ExitCode, Error> {
    check_formats(&args.report, &[FileFormat::Html, FileFormat::Csv, FileFormat::Xlsx], "calendar")?;
    let inputs = vec![Input { display: args.calendar.display().to_string(), path: args.calendar.clone() }];
    let (calendar, mut findings) = read(&args.calendar, 0, args.census_date)?;
    let schools: Vec<Option<u32>> = if args.paths.is_empty() {
        calendar.has_default().then_some(None).into_iter().chain(calendar.schools().map(Some)).collect()
    } else {
        let schema = args.data.schema()?;
        let enrollment_inputs = crate::source::expand(&args.paths)?;
        let accounted = account(&schema, &enrollment_inputs, args.data.options())?;
        let mut codes: Vec<u32> = accounted.ledger.enrollments.iter().map(|e| e.school).filter(|s| *s > 2).collect();
        codes.sort_unstable();
        codes.dedup();
        findings.extend(schools_without_calendar(&calendar, codes.iter().copied(), 0));
        codes.into_iter().filter(|s| calendar.covers(*s)).map(Some).collect()
    };
    let months = months_of(&calendar, &schools);
    write_reports(&args, &calendar, &schools, &months)?;
    let mut report = HumanReport::new(&inputs, human_style(global, Some(0), args.width));
    for f in findings {
        report.finding(f).map_err(Error::stdout)?;
    }
    let totals = Totals { files: 1, ..Totals::default() };
    let tally = match args.format {
        Format::Csv => {
            out.write_all(&months.csv(Framing::Plain).map_err(Error::stdout)?).map_err(Error::stdout)?;
            let mut err = std::io::stderr();
            report.finish(&mut err, &totals).map_err(Error::stdout)?
        }
        Format::Table => {
            let tally = report.finish(out, &totals).map_err(Error::stdout)?;
            out.write_all(months_table(&calendar, &schools).as_bytes()).map_err(Error::stdout)?;
            tally
        }
    };
    Ok(if tally.fatal > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The school months of `schools` as a table (`school_of_attendance,month,first_date,
/// last_date,school_days,full`); the district-wide calendar's rows have an empty school.
fn months_of(calendar: &Calendar, schools: &[Option<u32>]) -> Table {
    let columns = vec![
        Column::text("school_of_attendance"),
        Column::number("month"),
        Column::text("first_date"),
        Column::text("last_date"),
        Column::number("school_days"),
        Column::text("full"),
    ];
    let mut t = Table::new("School months", columns);
    for school in schools {
        for m in calendar.months(*school) {
            t.push(vec![
                school.map(school_code).unwrap_or_default(),
                m.number.to_string(),
                from_day_number(m.first).to_string(),
                from_day_number(m.last).to_string(),
                m.school_days.to_string(),
                (if m.full { "Y" } else { "N" }).to_owned(),
            ]);
        }
    }
    t
}

/// `--report`: the printable calendar (.html), the school months (.csv, .xlsx).
fn write_reports(args: &Args, calendar: &Calendar, schools: &[Option<u32>], months: &Table) -> Result<(), Error> {
    // Never over the calendar or an enrollment file given by name.
    let inputs: Vec<PathBuf> = std::iter::once(args.calendar.clone()).chain(args.paths.iter().cloned()).collect();
    let (pages, tables): (Vec<ReportFile>, Vec<ReportFile>) = args.report.iter().cloned().partition(|f| f.format == FileFormat::Html);
    crate::report::write_tables(&tables, "School months", std::slice::from_ref(months), &inputs)?;
    if pages.is_empty() {
        return Ok(());
    }
    let census = args.census_date.or_else(|| calendar.year().map(AcademicYear::census_day));
    let html = crate::report::calendar::page(calendar, schools, &args.calendar.display().to_string(), census);
    pages.iter().try_for_each(|f| write_atomic(&f.path, html.as_bytes(), &inputs))
}

fn months_table(calendar: &Calendar, schools: &[Option<u32>]) -> String {
    let mut text = String::new();
    for school in schools {
        let months = calendar.months(*school);
        let taught: u32 = months.iter().map(|m| m.school_days).sum();
        let who = school.map_or_else(|| "Every school (district-wide rows)".to_owned(), |s| format!("School {}", school_code(s)));
        text.push_str(&format!("\n{who}: {} school months, {taught} days taught\n", months.len()));
        text.push_str(&format!("  {:>5}  {:<10}  {:<10}  {:>11}  {}\n", "month", "first", "last", "days taught", "full"));
        for m in months {
            text.push_str(&format!(
                "  {:>5}  {:<10}  {:<10}  {:>11}  {}\n",
                m.number,
                from_day_number(m.first),
                from_day_number(m.last),
                m.school_days,
                if m.full { "yes" } else { "no (partial)" }
            ));
        }
    }
    text
}
