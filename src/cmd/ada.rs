//! `rollcall ada`: average daily attendance per school and grade span for P-1, P-2 and Annual
//! from the daily attendance, the calendar and the enrollments ([`crate::attendance::ada`]),
//! as a table that shows every numerator and denominator, or as CSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{CodesArgs, DataArgs, GlobalArgs, TableReportArgs};
use crate::attendance::ada::{self, AdaLine, Period};
use crate::attendance::Accounted;
use crate::domain::calendar::SchoolMonth;
use crate::domain::codes::school_code;
use crate::domain::date::from_day_number;
use crate::error::Error;
use crate::report::csv::Framing;
use crate::report::table::{Column, Table};

const AFTER_HELP: &str = "Examples:
  rollcall ada samples/clean                     P-1, P-2 and Annual per school and grade span
  rollcall ada exports/ --period p2 --format csv > p2.csv
  rollcall ada exports/ --district --format csv  the district's ADA per grade span
  rollcall ada exports/ --report ada.xlsx --report ada.html   for a spreadsheet, a page with a chart

Reads the daily attendance, the calendar and the enrollments (SENR files) of the paths.
ADA = days of attendance in the school months the period counts / days taught in those months
(P-1: full months ending by December 31; P-2: by April 15; Annual: every month). Classroom
attendance is present, tardy and in-school suspension; ADA-generating independent study is
its own line. Each figure is exact until shown with 2 decimals, half up; the district's is
the exact sum of its schools', rounded once. Records with fatal findings are not counted
(a note says how many; `rollcall check` lists them).
Exit status: 0 computed; 2 no calendar, no attendance, or an unreadable input.";

/// Average daily attendance per school and grade span.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Files or folders: daily attendance, calendar and SENR files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Reporting periods (default: all three).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub period: Vec<PeriodArg>,
    /// The district's ADA per grade span (the exact sum of its schools'), not per school.
    #[arg(long)]
    pub district: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The attendance calendar, when it is not among the paths.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    #[command(flatten)]
    pub codes: CodesArgs,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub report: TableReportArgs,
}

/// `--period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    P1,
    P2,
    Annual,
}

/// `ada --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
}

pub fn run(args: Args, global: &GlobalArgs, out: &mut dyn Write) -> Result<ExitCode, Error> {
    args.report.check()?;
    let (inputs, accounted) = super::accounted(&args.codes, &args.data, &args.paths, args.calendar.as_ref(), global)?;
    let ledger = &accounted.ledger;
    if ledger.calendar().is_none() {
        return Err(Error::Argument {
            arg: "PATHS",
            message: "no attendance calendar among the inputs (a CSV with date and day_type columns, or --calendar FILE)".to_owned(),
        });
    }
    if ledger.counted == 0 {
        return Err(Error::Argument { arg: "PATHS", message: "no daily attendance record to count among the inputs".to_owned() });
    }
    let mut periods: Vec<Period> = args
        .period
        .iter()
        .map(|p| match p {
            PeriodArg::P1 => Period::P1,
            PeriodArg::P2 => Period::P2,
            PeriodArg::Annual => Period::Annual,
        })
        .collect();
    if periods.is_empty() {
        periods = Period::ALL.to_vec();
    }
    periods.sort();
    periods.dedup();
    let lines = ada::ada(ledger, &periods);
    let (schools, district) = (school_table(&lines), district_table(&lines));
    let w = |e| Error::stdout(e);
    match (args.format, args.district) {
        (Format::Csv, false) => out.write_all(&schools.csv(Framing::Plain).map_err(w)?).map_err(w)?,
        (Format::Csv, true) => out.write_all(&district.csv(Framing::Plain).map_err(w)?).map_err(w)?,
        (Format::Table, district) => out.write_all(table(&accounted, &lines, &periods, district).as_bytes()).map_err(w)?,
    }
    let year = ledger.year().map_or_else(String::new, |y| format!(", {y}"));
    let tables = if args.district { [district, schools, by_school(&lines)] } else { [schools, district, by_school(&lines)] };
    args.report.write(&format!("Average daily attendance{year}"), &tables, &inputs)?;
    note(&accounted);
    Ok(ExitCode::SUCCESS)
}

/// Every school, grade span and period with its numerator and denominator.
fn school_table(lines: &[AdaLine]) -> Table {
    let columns = vec![
        Column::text("period"),
        Column::text("school_of_attendance"),
        Column::text("grade_span"),
        Column::number("months"),
        Column::number("days_taught"),
        Column::number("classroom_attendance_days"),
        Column::number("classroom_ada"),
        Column::number("independent_study_days"),
        Column::number("independent_study_ada"),
        Column::number("total_ada"),
    ];
    let mut t = Table::new("ADA by school and grade span", columns);
    for l in lines {
        t.push(vec![
            l.period.code().to_owned(),
            school_code(l.school),
            l.span.label().to_owned(),
            l.months.len().to_string(),
            l.days_taught.to_string(),
            l.days.classroom.to_string(),
            ada::two_decimals(&l.classroom()),
            l.days.independent_study.to_string(),
            ada::two_decimals(&l.independent_study()),
            ada::two_decimals(&l.total()),
        ]);
    }
    t
}

/// The district's ADA per period and grade span (the exact sum of its schools').
fn district_table(lines: &[AdaLine]) -> Table {
    let columns = vec![
        Column::text("period"),
        Column::text("grade_span"),
        Column::number("classroom_ada"),
        Column::number("independent_study_ada"),
        Column::number("total_ada"),
    ];
    let mut t = Table::new("District ADA by grade span", columns);
    for d in ada::district(lines) {
        t.push(vec![
            d.period.code().to_owned(),
            d.span.label().to_owned(),
            ada::two_decimals(&d.classroom),
            ada::two_decimals(&d.independent_study),
            ada::two_decimals(&d.total()),
        ]);
    }
    t
}

/// Each school's total ADA in the last period asked for (every grade span, summed exactly),
/// charted.
fn by_school(lines: &[AdaLine]) -> Table {
    let last = lines.iter().map(|l| l.period).max();
    let title = last.map_or_else(|| "Total ADA by school".to_owned(), |p| format!("Total ADA by school, {}", p.label()));
    let mut t = Table::new(&title, vec![Column::text("school_of_attendance"), Column::number("total_ada")]);
    let mut sums: std::collections::BTreeMap<u32, num_rational::BigRational> = std::collections::BTreeMap::new();
    for l in lines.iter().filter(|l| Some(l.period) == last) {
        *sums.entry(l.school).or_default() += l.total();
    }
    for (school, total) in sums {
        t.push(vec![school_code(school), ada::two_decimals(&total)]);
    }
    t.with_chart(&title, "school_of_attendance", "total_ada")
}

/// The table: per period, the months counted, then each school and span with its days of
/// attendance over days taught.
fn table(accounted: &Accounted, lines: &[AdaLine], periods: &[Period], district: bool) -> String {
    let ledger = &accounted.ledger;
    let year = ledger.year().map_or_else(String::new, |y| y.to_string());
    let mut text = format!("Average daily attendance, {year}\n");
    for &period in periods {
        let of: Vec<&AdaLine> = lines.iter().filter(|l| l.period == period).collect();
        let cutoff = ledger
            .year()
            .and_then(|y| period.cutoff(y))
            .map_or_else(|| "every school month".to_owned(), |d| format!("full school months ending by {d}"));
        text.push_str(&format!("\n{} ({cutoff})\n", period.label()));
        if of.is_empty() {
            text.push_str("  no school month counts in this period yet\n");
            continue;
        }
        if district {
            text.push_str(&format!("  {:<6} {:>14} {:>10} {:>10}\n", "span", "classroom ADA", "IS ADA", "total ADA"));
            let subset: Vec<AdaLine> = of.iter().map(|l| (*l).clone()).collect();
            for d in ada::district(&subset) {
                text.push_str(&format!(
                    "  {:<6} {:>14} {:>10} {:>10}\n",
                    d.span.label(),
                    ada::two_decimals(&d.classroom),
                    ada::two_decimals(&d.independent_study),
                    ada::two_decimals(&d.total())
                ));
            }
            continue;
        }
        let mut school = None;
        for l in of {
            if school != Some(l.school) {
                school = Some(l.school);
                let months = ledger.calendar().map(|c| c.months(Some(l.school))).unwrap_or_default();
                text.push_str(&format!("  {}: months {}, {} days taught\n", school_code(l.school), month_list(&months, &l.months), l.days_taught));
            }
            text.push_str(&format!(
                "    {:<5} classroom {:>9} / {:<4} = {:>9}   independent study {:>6} / {:<4} = {:>8}   total {:>9}\n",
                l.span.label(),
                l.days.classroom,
                l.days_taught,
                ada::two_decimals(&l.classroom()),
                l.days.independent_study,
                l.days_taught,
                ada::two_decimals(&l.independent_study()),
                ada::two_decimals(&l.total()),
            ));
        }
    }
    text
}

/// `1-4 (2025-08-13 to 2025-12-12)`.
fn month_list(months: &[SchoolMonth], numbers: &[u16]) -> String {
    let (Some(first), Some(last)) = (numbers.first(), numbers.last()) else { return "none".to_owned() };
    let span = |n: u16| months.iter().find(|m| m.number == n);
    let dates = match (span(*first), span(*last)) {
        (Some(a), Some(b)) => format!(" ({} to {})", from_day_number(a.first), from_day_number(b.last)),
        _ => String::new(),
    };
    if first == last {
        format!("{first}{dates}")
    } else {
        format!("{first}-{last}{dates}")
    }
}

/// Records left out, on standard error (standard output stays the figures).
#[allow(clippy::print_stderr)]
pub(crate) fn note(accounted: &Accounted) {
    let t = &accounted.tally;
    let left = accounted.ledger.records - accounted.ledger.counted;
    if t.fatal > 0 || left > 0 {
        eprintln!(
            "note: {left} of {} attendance records not counted; {} fatal findings in the inputs (`rollcall check` lists them)",
            accounted.ledger.records, t.fatal
        );
    }
}
