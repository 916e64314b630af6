//! `rollcall monthly`: each school's monthly attendance report, from the daily attendance,
//! the calendar and the enrollments ([`crate::attendance::monthly`]): what a school office
//! prints (one page per school, months across, the year to date), or CSV; and with
//! `--reconcile`, the balancing of the schools' own reports against these figures.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{CodesArgs, DataArgs, GlobalArgs, TableReportArgs};
use crate::attendance::monthly::{self, MonthLine, COLUMNS};
use crate::domain::codes::school_code;
use crate::error::Error;
use crate::report::csv::Framing;
use crate::report::table::{Column, Table};

const AFTER_HELP: &str = "Examples:
  rollcall monthly samples/clean                          every school, every month
  rollcall monthly exports/ --school 9990011 --month 3
  rollcall monthly exports/ --format csv > monthly.csv
  rollcall monthly exports/ --reconcile schools-monthly.csv   balance the schools' own reports
  rollcall monthly exports/ --report monthly.xlsx --report monthly.html

Enrollments counted: primary and short-term (10, 30), TK-12, at a real school. beginning =
active on the month's first school day; ending = active on its last; gains = start after the
first and on or before the last school day; losses = exit on or after the first and before the
last school day. attendance_days = present + tardy + in-school suspension. Each report shows
whether beginning + gains - losses = ending and whether the day counts add up to the enrolled
school days. --reconcile reads the schools' totals (CSV with school_of_attendance, month and
any of the report's columns) and lists every difference with the enrollments and daily records
behind it.
Exit status: 0 computed (and, with --reconcile, everything balances); 1 differences;
2 no calendar, no enrollments, or an unreadable input.";

/// Monthly attendance reports per school, and their balancing.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Files or folders: daily attendance, calendar and SENR files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only this school (7-digit code).
    #[arg(long, value_name = "CODE")]
    pub school: Option<String>,
    /// Only this school month (1, 2, …).
    #[arg(long, value_name = "N")]
    pub month: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The schools' own monthly totals (CSV) to balance against the district's figures.
    #[arg(long, value_name = "FILE")]
    pub reconcile: Option<PathBuf>,
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

/// `monthly --format`.
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
    let school = match &args.school {
        Some(code) => Some(
            code.trim()
                .parse::<u32>()
                .ok()
                .filter(|_| code.trim().len() == 7)
                .ok_or_else(|| Error::Argument { arg: "--school", message: format!("`{code}` is not a 7-digit school code") })?,
        ),
        None => None,
    };
    let all = monthly::monthly(ledger);
    if all.is_empty() {
        return Err(Error::Argument {
            arg: "PATHS",
            message: "no primary or short-term enrollment of the calendar's year among the inputs".to_owned(),
        });
    }
    let lines: Vec<MonthLine> =
        all.into_iter().filter(|l| school.is_none_or(|s| s == l.school) && args.month.is_none_or(|m| m == l.month.number)).collect();
    let w = Error::stdout;
    if let Some(path) = &args.reconcile {
        let rows = read_reconcile(path)?;
        let differences = monthly::reconcile(ledger, &lines, &rows);
        let found = differences_table(&differences);
        let text = match args.format {
            Format::Csv => String::from_utf8_lossy(&found.csv(Framing::Plain).map_err(w)?).into_owned(),
            Format::Table => differences_text(&differences, rows.len()),
        };
        out.write_all(text.as_bytes()).map_err(w)?;
        args.report.write("Monthly attendance: differences from the schools' reports", &[found], &inputs)?;
        super::ada::note(&accounted);
        return Ok(if differences.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let all = lines_table(&lines);
    let text = match args.format {
        Format::Csv => String::from_utf8_lossy(&all.csv(Framing::Plain).map_err(w)?).into_owned(),
        Format::Table => table(ledger, &lines),
    };
    out.write_all(text.as_bytes()).map_err(w)?;
    let year = ledger.year().map_or_else(String::new, |y| format!(", {y}"));
    args.report.write(&format!("Monthly attendance{year}"), &[all, by_month(&lines)], &inputs)?;
    super::ada::note(&accounted);
    Ok(ExitCode::SUCCESS)
}

/// Every school and month, every column of the report.
fn lines_table(lines: &[MonthLine]) -> Table {
    let columns = COLUMNS
        .iter()
        .map(|&c| if matches!(c, "school_of_attendance" | "first_school_day" | "last_school_day") { Column::text(c) } else { Column::number(c) })
        .collect();
    let mut t = Table::new("Monthly attendance by school", columns);
    for l in lines {
        t.push(COLUMNS.iter().map(|c| l.column(c).unwrap_or_default()).collect());
    }
    t
}

/// The district's days of attendance per school month (every school's summed), charted.
fn by_month(lines: &[MonthLine]) -> Table {
    let mut sums: BTreeMap<u16, u64> = BTreeMap::new();
    for l in lines {
        *sums.entry(l.month.number).or_default() += l.column("attendance_days").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    }
    let mut t = Table::new("Days of attendance by school month", vec![Column::text("month"), Column::number("attendance_days")]);
    for (month, days) in sums {
        t.push(vec![format!("month {month}"), days.to_string()]);
    }
    t.with_chart("Days of attendance by school month", "month", "attendance_days")
}

/// The printed report: one page per school, months across, the year to date at the right.
fn table(ledger: &crate::attendance::ledger::Ledger, lines: &[MonthLine]) -> String {
    let mut text = String::new();
    let mut schools: Vec<u32> = lines.iter().map(|l| l.school).collect();
    schools.dedup();
    for (n, school) in schools.into_iter().enumerate() {
        if n > 0 {
            text.push('\u{c}');
        }
        let of: Vec<&MonthLine> = lines.iter().filter(|l| l.school == school).collect();
        let ytd = monthly::year_to_date(ledger, &of);
        text.push_str(&format!("Monthly attendance report: school {}\n\n", school_code(school)));
        let mut columns: Vec<&MonthLine> = of.clone();
        if let Some(y) = &ytd {
            columns.push(y);
        }
        let head: Vec<String> = of.iter().map(|l| format!("month {}", l.month.number)).chain(ytd.iter().map(|_| "year to date".to_owned())).collect();
        text.push_str(&format!("{:<34}", ""));
        for h in &head {
            text.push_str(&format!("{h:>13}"));
        }
        text.push('\n');
        let rows: [(&str, &str); 15] = [
            ("first school day", "first_school_day"),
            ("last school day", "last_school_day"),
            ("days taught", "days_taught"),
            ("enrollment at the beginning", "beginning_enrollment"),
            ("  + gains", "gains"),
            ("  - losses", "losses"),
            ("enrollment at the end", "ending_enrollment"),
            ("days of attendance", "attendance_days"),
            ("independent study days (ADA)", "independent_study_days"),
            ("excused absences", "excused_absence_days"),
            ("unexcused absences", "unexcused_absence_days"),
            ("suspension days", "suspension_days"),
            ("independent study days (no ADA)", "non_ada_independent_study_days"),
            ("ADA, classroom", "classroom_ada"),
            ("ADA, total", "total_ada"),
        ];
        for (label, column) in rows {
            text.push_str(&format!("{label:<34}"));
            for l in &columns {
                let v = l.column(column).unwrap_or_default();
                // Dates as MM-DD, so a month fits its column.
                let v = if column.ends_with("school_day") { v.get(5..).unwrap_or(&v).to_owned() } else { v };
                text.push_str(&format!("{v:>13}"));
            }
            text.push('\n');
        }
        text.push_str(&format!("{:<34}", "enrolled school days"));
        for l in &columns {
            text.push_str(&format!("{:>13}", l.enrolled_days));
        }
        text.push_str("\n\nBalancing:\n");
        for l in &columns {
            let name = if std::ptr::eq(*l, columns[columns.len() - 1]) && ytd.is_some() {
                "year to date".to_owned()
            } else {
                format!("month {}", l.month.number)
            };
            let enrollment = if l.enrollment_balances() {
                format!("{} + {} - {} = {} holds", l.beginning, l.gains, l.losses, l.ending)
            } else {
                format!("{} + {} - {} = {} DOES NOT HOLD", l.beginning, l.gains, l.losses, l.ending)
            };
            let days = if l.days_balance() {
                format!("day counts add up to the {} enrolled school days", l.enrolled_days)
            } else {
                let (a, b) = (l.counted_days(), l.enrolled_days);
                format!("day counts {a} DO NOT add up to the {b} enrolled school days ({} without a record)", b.saturating_sub(a))
            };
            text.push_str(&format!("  {name:<13} {enrollment}; {days}\n"));
        }
        text.push('\n');
    }
    text
}

/// The schools' own totals: CSV with a header row; `school_of_attendance` and `month` and any
/// of the report's columns.
fn read_reconcile(path: &PathBuf) -> Result<Vec<BTreeMap<String, String>>, Error> {
    let bad = |message: String| Error::Argument { arg: "--reconcile", message: format!("{}: {message}", path.display()) };
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers: Vec<String> =
        rdr.headers().map_err(|e| bad(e.to_string()))?.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect();
    for need in ["school_of_attendance", "month"] {
        if !headers.iter().any(|h| h == need) {
            return Err(bad(format!("no `{need}` column")));
        }
    }
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(bad(format!("`{unknown}` is not a column of the monthly report ({})", COLUMNS.join(", "))));
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        rows.push(headers.iter().cloned().zip(rec.iter().map(str::to_owned)).collect());
    }
    Ok(rows)
}

fn differences_table(differences: &[monthly::Difference]) -> Table {
    let columns = vec![
        Column::text("school_of_attendance"),
        Column::number("month"),
        Column::text("column"),
        Column::text("school_value"),
        Column::text("district_value"),
        Column::text("explanation"),
    ];
    let mut t = Table::new("Differences from the schools' reports", columns);
    for d in differences {
        t.push(vec![school_code(d.school), d.month.to_string(), d.column.clone(), d.reported.clone(), d.district.clone(), d.explanation.join(" | ")]);
    }
    t
}

fn differences_text(differences: &[monthly::Difference], rows: usize) -> String {
    if differences.is_empty() {
        return format!("Every figure of the {rows} school reports balances with the district's.\n");
    }
    let mut text = format!("{} figures differ from the district's:\n", differences.len());
    for d in differences {
        text.push_str(&format!(
            "\n{} month {} {}: the school reports {}, the district has {}\n",
            school_code(d.school),
            d.month,
            d.column,
            d.reported,
            d.district
        ));
        for e in &d.explanation {
            text.push_str(&format!("  {e}\n"));
        }
    }
    text
}
