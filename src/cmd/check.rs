//! `rollcall check`: validate CALPADS files against the schemas and report what the state
//! would reject. Exit 0 without fatal findings, 1 with, 2 when the check cannot run.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;

use super::{exit_code, human_style, parse_date, select_rules, CodesArgs, DataArgs, GlobalArgs};
use crate::attendance::ledger::Ledger;
use crate::diagnostic::Finding;
use crate::engine::{Checker, Options, Sink, Totals};
use crate::error::Error;
use crate::layout::recheck;
use crate::layout::spec::FileLayout;
use crate::report::baseline::{Baseline, BaselineSink};
use crate::report::file::ReportFile;
use crate::report::human::HumanReport;
use crate::report::json::JsonReport;
use crate::report::redact::Redactor;
use crate::report::{Counting, Keep};
use crate::rules::Rule;
use crate::schema::Schema;
use crate::source;
use crate::source::headered::{sniff, Kind};

const AFTER_HELP: &str = "Examples:
  rollcall check samples/clean
  rollcall check samples/errors --max-per-rule 5
  rollcall check exports/ --format json --deny-warnings > findings.jsonl
  rollcall check exports/ --report worklist.xlsx --report report.html   files for people
  rollcall check exports/ --format sarif > rollcall.sarif   for a code-scanning view
  rollcall check exports/ --census --calendar calendar.csv   Census Day and calendar rules
  rollcall check cbeds/census.txt --layout fixed   re-check a generated fixed-width file

Exit status: 0 no fatal finding, 1 fatal findings (or warnings with --deny-warnings),
2 the check could not run (bad arguments, unreadable path, broken schema).";

/// Check CALPADS SENR, SINF and STAS files (caret- or comma-delimited, no header row).
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Files or folders to check (a folder means every .txt and .csv file below it).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write a report file, its format told by its extension: .csv (the worklist),
    /// .xlsx (the worklist, a sheet per school), .html (one self-contained page), .sarif.
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub report: Vec<ReportFile>,
    /// Findings shown per rule (0 = all). Default: 20 for human output, all for JSON.
    #[arg(long, value_name = "N")]
    pub max_per_rule: Option<u64>,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub codes: CodesArgs,
    /// Run the Fall 1 Census Day rules (prior-year enrollments still open, student
    /// information effective on Census Day).
    #[arg(long)]
    pub census: bool,
    /// Census Day (YYYY-MM-DD); default: the first Wednesday in October of the academic year.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub census_date: Option<NaiveDate>,
    /// The attendance calendar (CSV: school_of_attendance,date,day_type) for the calendar rules.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    /// The school directory (CSV: school_of_attendance,school_name,low_grade,high_grade,school_type,
    /// or the CDE directory export pubschls.txt) for the grade-span and short-term school rules.
    #[arg(long, value_name = "FILE")]
    pub schools: Option<PathBuf>,
    /// Record types the run must have (comma-separated, like senr,sinf,stas): a missing one is
    /// fatal, for automated runs.
    #[arg(long, value_name = "TYPES", value_delimiter = ',')]
    pub require: Vec<String>,
    /// The academic year every file must be of (YYYY-YYYY): a file of another year is fatal.
    #[arg(long, value_name = "YEAR", value_parser = parse_year)]
    pub year: Option<crate::domain::date::AcademicYear>,
    /// Show only the findings of this school (7-digit code).
    #[arg(long = "school", value_name = "CODE")]
    pub only_school: Option<String>,
    /// Show only the findings of this student (SSID, or local student ID).
    #[arg(long = "ssid", value_name = "ID")]
    pub only_student: Option<String>,
    /// Show only these rules: IDs, or family prefixes like ATT (repeatable, comma-separated).
    #[arg(long = "rule", value_name = "RULE", value_delimiter = ',')]
    pub only_rules: Vec<String>,
    /// Leave out the findings this baseline file accepts (the summary counts them).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this run to a baseline file (review it, then use --baseline).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Do not report these rules: IDs, or family prefixes like XF (repeatable, comma-separated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Read the files with this layout instead of as CALPADS files: `fixed`, `tab` (the
    /// census count layouts of `rollcall generate --census`) or a layout TOML file.
    #[arg(long, value_name = "NAME|FILE", conflicts_with_all = ["census", "census_date", "calendar", "schemas", "schools", "mapping"])]
    pub layout: Option<String>,
    /// Replace names, birth dates, birth places and addresses with stable tokens
    /// (Student-0001, Name-0002, Birthdate-0001) and show SSIDs by their last 4 digits, in
    /// every output: for reports that leave the office.
    #[arg(long, conflicts_with = "write_baseline")]
    pub redact: bool,
    /// Width of human output in columns.
    #[arg(long, default_value_t = 100, value_parser = super::parse_width)]
    pub width: usize,
}

pub fn run(args: Args, global: &GlobalArgs, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let started = Instant::now();
    // Every file of a folder, whatever its extension: each is told by its content, and what
    // is not checked is named in the summary.
    let inputs = super::inputs_with_all(&args.paths, args.calendar.as_ref())?;
    for input in &inputs {
        if input.path.is_dir() {
            return Err(Error::Argument { arg: "PATHS", message: format!("{} is a folder", input.display) });
        }
    }
    let ignore = select_rules(&args.ignore)?;
    let mut redactor = None;
    let engine = match &args.layout {
        Some(name) => {
            if args.redact {
                redactor = Some(Redactor::new(&Schema::embedded()?));
            }
            Engine::Layout(crate::census::load_layout(name)?, ignore)
        }
        None => {
            let schema = args.codes.schema(&args.data, &args.paths)?;
            if args.redact {
                redactor = Some(Redactor::new(&schema));
            }
            let mut options = args.data.options();
            options.census = args.census || args.census_date.is_some();
            options.census_date = args.census_date;
            options.schools = args.schools.as_deref().map(crate::domain::directory::Directory::load).transpose()?;
            options.rules = crate::diagnostic::RuleSet::without(ignore);
            options.require = args.require.iter().map(|t| t.trim().to_ascii_uppercase()).collect();
            if let Some(bad) = options.require.iter().find(|t| schema.layout(t.as_bytes()).is_none()) {
                let known: Vec<String> = schema.layouts.iter().map(|l| l.record_type.to_ascii_lowercase()).collect();
                return Err(Error::Argument {
                    arg: "--require",
                    message: format!("`{}` is not a record type ({})", bad.to_ascii_lowercase(), known.join(", ")),
                });
            }
            options.year = args.year;
            options.progress = super::progress_bar(&inputs, global, "checking");
            Engine::Calpads(Box::new(schema), options)
        }
    };
    let only = Only { school: args.only_school.clone(), student: args.only_student.clone(), rules: select_rules(&args.only_rules)? };
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    // The run through the baseline (accepted findings left out, all of them kept for a new
    // baseline when asked) and the filters.
    if let Some(r) = &mut redactor {
        r.learn(&inputs)?;
    }
    let run = |sink: &mut dyn Sink| -> Result<Totals, Error> {
        let mut redacting;
        let sink: &mut dyn Sink = match &mut redactor {
            Some(r) => {
                redacting = r.sink(sink);
                &mut redacting
            }
            None => sink,
        };
        let mut filtered = only.sink(sink);
        let mut base = BaselineSink::new(&mut filtered, &inputs, baseline, args.write_baseline.is_some());
        let mut totals = engine.run(&inputs, &mut base)?;
        totals.accepted = base.accepted;
        if let Some(path) = &args.write_baseline {
            let n = base.write(path)?;
            #[allow(clippy::print_stderr)]
            {
                eprintln!("wrote {n} findings to the baseline {}", path.display());
            }
        }
        Ok(totals)
    };
    // Report files (and CSV or SARIF on standard output) take every finding the terminal
    // report does, kept with their records' text.
    let keep = !args.report.is_empty() || matches!(args.format, Format::Csv | Format::Sarif);
    let files = |kept: Option<Vec<Finding>>, totals: &Totals, tally: &crate::report::Tally| -> Result<Vec<u8>, Error> {
        let findings = kept.unwrap_or_default();
        let report = crate::report::Run { command: command_line(), as_of: args.data.today(), inputs: &inputs, findings: &findings, totals, tally };
        crate::report::write_findings(&args.report, &report)?;
        match args.format {
            Format::Csv => crate::report::worklist::table(&report).csv(crate::report::csv::Framing::Plain).map_err(Error::stdout),
            Format::Sarif => crate::report::sarif::findings(&report).map_err(Error::stdout),
            Format::Human | Format::Json => Ok(Vec::new()),
        }
    };
    let tally = match args.format {
        Format::Json => {
            let mut report = JsonReport::new(out, &inputs).with_max_per_rule(args.max_per_rule.filter(|n| *n > 0));
            let mut kept = Keep::new(&mut report, keep);
            let totals = run(&mut kept)?;
            let kept = kept.kept;
            let tally = report.finish(&totals, started.elapsed().as_millis()).map_err(Error::stdout)?;
            files(kept, &totals, &tally)?;
            tally
        }
        Format::Human => {
            let style = human_style(global, args.max_per_rule, args.width);
            let mut report = HumanReport::new(&inputs, style);
            let mut kept = Keep::new(&mut report, keep);
            let totals = run(&mut kept)?;
            let kept = kept.kept;
            files(kept, &totals, &report.tally)?;
            report.finish(out, &totals).map_err(Error::stdout)?
        }
        Format::Csv | Format::Sarif => {
            let mut counting = Counting::default();
            let mut kept = Keep::new(&mut counting, keep);
            let totals = run(&mut kept)?;
            let kept = kept.kept;
            let bytes = files(kept, &totals, &counting.tally)?;
            out.write_all(&bytes).map_err(Error::stdout)?;
            counting.tally
        }
    };
    Ok(exit_code(&tally, args.deny_warnings))
}

/// `check --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped, labelled diagnostics and a summary table.
    Human,
    /// JSON Lines: one diagnostic per line, then a summary line.
    Json,
    /// The worklist as CSV: one row per finding, sorted by school, severity and student.
    Csv,
    /// SARIF 2.1.0 for code-scanning views.
    Sarif,
}

/// The command line as typed (arguments with spaces quoted), for the head of a report.
pub(crate) fn command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| {
            let a = a.to_string_lossy().into_owned();
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$`".contains(c)) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a
            }
        })
        .collect();
    format!("rollcall {}", args.join(" "))
}

/// `--year`: an academic year like 2025-2026.
fn parse_year(s: &str) -> Result<crate::domain::date::AcademicYear, String> {
    crate::domain::date::AcademicYear::parse(s.as_bytes()).ok_or_else(|| format!("`{s}` is not an academic year like 2025-2026"))
}

/// What reads the inputs: the CALPADS checker (which skips `--ignore`d rules itself), or a
/// layout's reader (`--layout`) with the rules to leave out.
enum Engine {
    Calpads(Box<Schema>, Options),
    Layout(FileLayout, Vec<&'static Rule>),
}

impl Engine {
    fn run(self, inputs: &[source::Input], sink: &mut dyn Sink) -> Result<Totals, Error> {
        match self {
            Engine::Calpads(schema, options) => {
                let bar = options.progress.clone();
                let mut checker = Checker::new(&schema, inputs, options);
                let attendance = inputs.iter().any(|i| matches!(sniff(i), Ok(Kind::Attendance)));
                let totals = if attendance {
                    // Daily attendance: the ledger rides along the same pass.
                    let mut ledger = Ledger::new();
                    checker.run_files_accumulating(sink, &mut ledger).map(|mut totals| {
                        totals.not_checked.extend(crate::attendance::not_checked(&ledger));
                        totals
                    })
                } else {
                    checker.run(sink)
                };
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                }
                totals
            }
            Engine::Layout(layout, ignore) => recheck::check_files(&layout, inputs, &mut Ignoring { inner: sink, ignore: &ignore }),
        }
    }
}

/// `--school`, `--ssid`, `--rule`: the findings a clerk asked to see.
struct Only {
    school: Option<String>,
    student: Option<String>,
    rules: Vec<&'static Rule>,
}

impl Only {
    fn sink<'a>(&'a self, inner: &'a mut dyn Sink) -> Filtered<'a> {
        Filtered { inner, only: self }
    }

    fn keeps(&self, f: &Finding) -> bool {
        let school = self.school.as_deref().is_none_or(|s| f.school.as_deref() == Some(s.trim()));
        let student = self.student.as_deref().is_none_or(|s| f.ssid.as_deref() == Some(s.trim()) || f.local_student_id.as_deref() == Some(s.trim()));
        let rule = self.rules.is_empty() || self.rules.iter().any(|r| std::ptr::eq(*r, f.rule));
        school && student && rule
    }
}

/// Passes on the findings [`Only`] keeps (the summary then counts those).
struct Filtered<'a> {
    inner: &'a mut dyn Sink,
    only: &'a Only,
}

impl Sink for Filtered<'_> {
    fn wants_excerpt(&mut self, rule: &'static Rule) -> bool {
        self.inner.wants_excerpt(rule)
    }
    fn finding(&mut self, finding: Finding) -> std::io::Result<()> {
        if self.only.keeps(&finding) {
            self.inner.finding(finding)
        } else {
            Ok(())
        }
    }
}

/// Drops findings of `--ignore`d rules before they reach a report.
struct Ignoring<'a> {
    inner: &'a mut dyn Sink,
    ignore: &'a [&'static Rule],
}

impl Sink for Ignoring<'_> {
    fn wants_excerpt(&mut self, rule: &'static Rule) -> bool {
        self.inner.wants_excerpt(rule)
    }
    fn finding(&mut self, finding: Finding) -> std::io::Result<()> {
        if self.ignore.contains(&finding.rule) {
            return Ok(());
        }
        self.inner.finding(finding)
    }
}
