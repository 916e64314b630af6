//! `rollcall chronic`: chronic absenteeism from the daily attendance (or the STAS files), per
//! student and school, per student over the LEA, or per school and grade
//! ([`crate::attendance::chronic`]); the table lists the chronically absent students of each
//! school, worst first, for the people who call home.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{CodesArgs, DataArgs};
use crate::attendance::account;
use crate::attendance::chronic::{self, Absence};
use crate::domain::codes::{school_code, StudentKey};
use crate::domain::date::day_number;
use crate::domain::enrollment::Grade;
use crate::engine::Options;
use crate::error::Error;

const AFTER_HELP: &str = "Examples:
  rollcall chronic samples/clean                         chronically absent students per school
  rollcall chronic exports/ --as-of 2026-01-30 --format csv > chronic.csv   mid-year, through Jan 30
  rollcall chronic exports/ --by grade --format csv      rates per school and grade

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

pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let schema = args.codes.schema(&args.data, &args.paths)?;
    let inputs = super::inputs_with(&args.paths, args.calendar.as_ref())?;
    let accounted = account(&schema, &inputs, Options::new(args.data.today()))?;
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
    let text = match (args.by, args.format) {
        (By::School, Format::Csv) => school_csv(&schools),
        (By::Lea, Format::Csv) => lea_csv(&chronic::by_lea(ledger, &schools)),
        (By::Grade, Format::Csv) => grade_csv(&chronic::by_grade(&schools)),
        (By::School | By::Lea, Format::Table) => table(&schools),
        (By::Grade, Format::Table) => grade_table(&chronic::by_grade(&schools)),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)?;
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

fn school_csv(rows: &[Absence]) -> String {
    let mut text = String::from(
        "school_of_attendance,ssid,grade_level_code,dashboard_grade,expected_attendance_days,absent_days,absence_rate_pct,band,eligible,chronically_absent\n",
    );
    for a in rows {
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            a.school.map(school_code).unwrap_or_default(),
            ssid(a.student),
            grade(a.grade),
            yes(a.grade.is_some_and(|g| g.is_dashboard())),
            a.expected,
            a.absent,
            a.rate_text(),
            a.band().code(),
            yes(a.eligible()),
            yes(a.chronic()),
        ));
    }
    text
}

fn lea_csv(rows: &[Absence]) -> String {
    let mut text = String::from("ssid,grade_level_code,expected_attendance_days,absent_days,absence_rate_pct,band,eligible,chronically_absent\n");
    for a in rows {
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            ssid(a.student),
            grade(a.grade),
            a.expected,
            a.absent,
            a.rate_text(),
            a.band().code(),
            yes(a.eligible()),
            yes(a.chronic())
        ));
    }
    text
}

fn grade_csv(rows: &[chronic::GradeLine]) -> String {
    let mut text = String::from("school_of_attendance,grade_level_code,eligible_students,chronically_absent_students,rate_pct\n");
    for l in rows {
        let t = l.rate_tenths();
        text.push_str(&format!("{},{},{},{},{}.{}\n", school_code(l.school), grade(l.grade), l.eligible, l.chronic, t / 10, t % 10));
    }
    text
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

fn grade_table(rows: &[chronic::GradeLine]) -> String {
    let mut text = format!("{:<8} {:<5} {:>8} {:>8} {:>7}\n", "school", "grade", "eligible", "chronic", "rate %");
    for l in rows {
        let t = l.rate_tenths();
        text.push_str(&format!("{:<8} {:<5} {:>8} {:>8} {:>5}.{}\n", school_code(l.school), grade(l.grade), l.eligible, l.chronic, t / 10, t % 10));
    }
    text
}
