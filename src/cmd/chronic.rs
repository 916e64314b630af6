//! `rollcall chronic`: chronic absenteeism from the daily attendance (or the STAS files), per
//! student and school, per student over the LEA, or per school and grade
//! ([`crate::attendance::chronic`]); the table lists the chronically absent students of each
//! school, worst first, for the people who call home.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{CodesArgs, DataArgs, GlobalArgs, TableReportArgs};
use crate::attendance::chronic::{self, Absence, GradeLine};
use crate::domain::codes::{school_code, StudentKey};
use crate::domain::date::day_number;
use crate::domain::enrollment::Grade;
use crate::error::Error;
use crate::report::csv::Framing;
use crate::report::table::{Column, Table};

const AFTER_HELP: &str = "Examples:
  rollcall chronic samples/clean                         chronically absent students per school
  rollcall chronic exports/ --as-of 2026-01-30 --format csv > chronic.csv   mid-year, through Jan 30
  rollcall chronic exports/ --by grade --format csv      rates per school and grade
  rollcall chronic exports/ --report chronic.xlsx --report chronic.html

Absent days = out-of-school suspension + excused + unexcused + non-ADA independent study.
Eligible: expected to attend more than 30 days. Chronically absent: eligible and absent on
10 % or more of the expected days. Rate to 1 decimal, half up; bands le5, gt5_lt10,
ge10_lt20, ge20 of the exact rate. From the daily records when the paths have them (expected
days to --as-of), else from STAS files.
Exit status: 0 computed; 2 nothing to compute, or an unreadable input.";

/// Chronic absenteeism per student and school, per student, or per school and grade.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Files or folders: daily attendance, calendar and SENR files, or STAS files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// What one row is about.
    #[arg(long, value_enum, default_value_t = By::School)]
    pub by: By,
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

/// `--by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// One row per student and school (one per STAS).
    School,
    /// One row per student, summed over the student's schools.
    Lea,
    /// One row per school and grade.
    Grade,
}

/// `chronic --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
}

pub fn run(args: Args, global: &GlobalArgs, out: &mut dyn Write) -> Result<ExitCode, Error> {
    args.report.check()?;
    let (inputs, accounted) = super::accounted(&args.codes, &args.data, &args.paths, args.calendar.as_ref(), global)?;
    let ledger = &accounted.ledger;
    if ledger.counted > 0 && ledger.calendar().is_none() {
        return Err(Error::Argument {
            arg: "PATHS",
            message: "daily attendance without a calendar (a CSV with date and day_type columns, or --calendar FILE)".to_owned(),
        });
    }
    // `--as-of`: a mid-year list, expected days counted through that date.
    let until = args.data.as_of.map_or(i32::MAX, day_number);
    let schools = chronic::by_school(ledger, until);
    if schools.is_empty() {
        return Err(Error::Argument {
            arg: "PATHS",
            message: "no student to count: the inputs have no daily attendance with enrollments, and no STAS records".to_owned(),
        });
    }
    let main = match args.by {
        By::School => school_csv(&schools),
        By::Lea => lea_csv(&chronic::by_lea(ledger, &schools)),
        By::Grade => grade_csv(&chronic::by_grade(&schools)),
    };
    let text = match (args.by, args.format) {
        (_, Format::Csv) => String::from_utf8_lossy(&main.csv(Framing::Plain).map_err(Error::stdout)?).into_owned(),
        (By::School | By::Lea, Format::Table) => table(&schools),
        (By::Grade, Format::Table) => grade_table(&chronic::by_grade(&schools)),
    };
    out.write_all(args.report.shown(text).as_bytes()).map_err(Error::stdout)?;
    let year = ledger.year().map_or_else(String::new, |y| format!(", {y}"));
    args.report.write(&format!("Chronic absenteeism{year}"), &[main, per_school(&schools)], &inputs)?;
    super::ada::note(&accounted);
    Ok(ExitCode::SUCCESS)
}

fn ssid(student: StudentKey) -> String {
    student.ssid().map(crate::domain::codes::ssid_text).unwrap_or_default()
}

fn grade(g: Option<Grade>) -> String {
    g.map(|g| String::from_utf8_lossy(g.as_bytes()).into_owned()).unwrap_or_default()
}

fn yes(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

/// One row per student and school.
fn school_csv(rows: &[Absence]) -> Table {
    let columns = vec![
        Column::text("school_of_attendance"),
        Column::text("ssid"),
        Column::text("grade_level_code"),
        Column::text("dashboard_grade"),
        Column::number("expected_attendance_days"),
        Column::number("absent_days"),
        Column::number("absence_rate_pct"),
        Column::text("band"),
        Column::text("eligible"),
        Column::text("chronically_absent"),
    ];
    let mut t = Table::new("Students by school", columns);
    for a in rows {
        t.push(vec![
            a.school.map(school_code).unwrap_or_default(),
            ssid(a.student),
            grade(a.grade),
            yes(a.grade.is_some_and(|g| g.is_dashboard())).to_owned(),
            a.expected.to_string(),
            a.absent.to_string(),
            a.rate_text(),
            a.band().code().to_owned(),
            yes(a.eligible()).to_owned(),
            yes(a.chronic()).to_owned(),
        ]);
    }
    t
}

/// One row per student over the LEA.
fn lea_csv(rows: &[Absence]) -> Table {
    let columns = vec![
        Column::text("ssid"),
        Column::text("grade_level_code"),
        Column::number("expected_attendance_days"),
        Column::number("absent_days"),
        Column::number("absence_rate_pct"),
        Column::text("band"),
        Column::text("eligible"),
        Column::text("chronically_absent"),
    ];
    let mut t = Table::new("Students over the LEA", columns);
    for a in rows {
        t.push(vec![
            ssid(a.student),
            grade(a.grade),
            a.expected.to_string(),
            a.absent.to_string(),
            a.rate_text(),
            a.band().code().to_owned(),
            yes(a.eligible()).to_owned(),
            yes(a.chronic()).to_owned(),
        ]);
    }
    t
}

fn rate(l: &GradeLine) -> String {
    let t = l.rate_tenths();
    format!("{}.{}", t / 10, t % 10)
}

/// One row per school and grade.
fn grade_csv(rows: &[GradeLine]) -> Table {
    let columns = vec![
        Column::text("school_of_attendance"),
        Column::text("grade_level_code"),
        Column::number("eligible_students"),
        Column::number("chronically_absent_students"),
        Column::number("rate_pct"),
    ];
    let mut t = Table::new("Schools and grades", columns);
    for l in rows {
        t.push(vec![school_code(l.school), grade(l.grade), l.eligible.to_string(), l.chronic.to_string(), rate(l)]);
    }
    t
}

/// Each school's eligible and chronically absent students and its rate, charted.
fn per_school(rows: &[Absence]) -> Table {
    let mut by: std::collections::BTreeMap<u32, GradeLine> = std::collections::BTreeMap::new();
    for a in rows {
        let Some(school) = a.school else { continue };
        let l = by.entry(school).or_insert(GradeLine { school, grade: None, eligible: 0, chronic: 0 });
        l.eligible += u64::from(a.eligible());
        l.chronic += u64::from(a.chronic());
    }
    let lines: Vec<GradeLine> = by.into_values().collect();
    let columns = vec![
        Column::text("school_of_attendance"),
        Column::number("eligible_students"),
        Column::number("chronically_absent_students"),
        Column::number("rate_pct"),
    ];
    let mut t = Table::new("Chronic absenteeism by school", columns);
    for l in &lines {
        t.push(vec![school_code(l.school), l.eligible.to_string(), l.chronic.to_string(), rate(l)]);
    }
    t.with_chart("Chronic absenteeism rate by school (%)", "school_of_attendance", "rate_pct")
}

/// The chronically absent students of each school, worst first.
fn table(rows: &[Absence]) -> String {
    let mut text = String::new();
    let mut schools: Vec<u32> = rows.iter().filter_map(|a| a.school).collect();
    schools.dedup();
    for school in schools {
        let of: Vec<&Absence> = rows.iter().filter(|a| a.school == Some(school)).collect();
        let eligible = of.iter().filter(|a| a.eligible()).count();
        let mut chronic: Vec<&&Absence> = of.iter().filter(|a| a.chronic()).collect();
        chronic.sort_by(|a, b| (b.absent * a.expected).cmp(&(a.absent * b.expected)).then(a.student.cmp(&b.student)));
        text.push_str(&format!("{}: {} of {eligible} eligible students chronically absent\n", school_code(school), chronic.len()));
        for a in chronic {
            text.push_str(&format!(
                "  {:<24} grade {:<2}  absent {:>3} of {:>3} days  {:>5} %\n",
                a.student.describe(),
                grade(a.grade),
                a.absent,
                a.expected,
                a.rate_text()
            ));
        }
    }
    text
}

fn grade_table(rows: &[GradeLine]) -> String {
    let mut text = format!("{:<8} {:<5} {:>8} {:>8} {:>7}\n", "school", "grade", "eligible", "chronic", "rate %");
    for l in rows {
        text.push_str(&format!("{:<8} {:<5} {:>8} {:>8} {:>7}\n", school_code(l.school), grade(l.grade), l.eligible, l.chronic, rate(l)));
    }
    text
}
