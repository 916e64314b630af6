//! The command line: one file per subcommand, each owning its arguments and help text.
//! This file holds the top-level parser, the options every subcommand shares, and dispatch.

pub mod ada;
pub mod calendar;
pub mod census;
pub mod check;
pub mod chronic;
pub mod explain;
pub mod generate;
pub mod monthly;
pub mod rules;
pub mod truancy;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::report::human::Style;
use crate::report::Tally;
use crate::schema::Schema;

const ABOUT: &str = "Check and generate California CALPADS enrollment and attendance files";

const AFTER_HELP: &str = "Examples:
  rollcall check samples/clean                 check every .txt/.csv file in a folder
  rollcall check exports/senr.txt --format json   JSON Lines for scripts (exit 1 on fatal findings)
  rollcall check exports/ --census             add the Fall 1 Census Day rules
  rollcall census samples/clean                enrollment on Census Day per school and grade
  rollcall calendar samples/clean/calendar.csv school months per school, calendar checked
  rollcall ada samples/clean                   ADA for P-1, P-2 and Annual from daily attendance
  rollcall chronic samples/clean               chronically absent students per school
  rollcall monthly samples/clean               each school's monthly attendance report
  rollcall truancy samples/clean --letters out truant students and their first notifications
  rollcall rules                               list every rule
  rollcall explain SENR-EXIT-PAIR              what a rule checks and how to fix it";

/// rollcall: the command line.
#[derive(Debug, Parser)]
#[command(name = "rollcall", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// When to color human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// No progress bar on standard error (it shows only on a terminal, for inputs of 32 MiB
    /// and more).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when standard output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color output.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal(),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Census(census::Args),
    Rules(rules::Args),
    Explain(explain::Args),
    Generate(generate::Args),
    Calendar(calendar::Args),
    Ada(ada::Args),
    Chronic(chronic::Args),
    Monthly(monthly::Args),
    Truancy(truancy::Args),
}

/// Runs the parsed command line.
pub fn dispatch(cli: Cli, out: &mut dyn Write) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Check(args) => check::run(args, &cli.global, out),
        Command::Census(args) => census::run(args, out),
        Command::Rules(args) => rules::run(&args, out),
        Command::Explain(args) => explain::run(&args, out),
        Command::Generate(args) => generate::run(args, &cli.global, out),
        Command::Calendar(args) => calendar::run(args, &cli.global, out),
        Command::Ada(args) => ada::run(args, &cli.global, out),
        Command::Chronic(args) => chronic::run(args, &cli.global, out),
        Command::Monthly(args) => monthly::run(args, &cli.global, out),
        Command::Truancy(args) => truancy::run(args, &cli.global, out),
    }
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Grouped, labelled diagnostics and a summary table.
    Human,
    /// JSON Lines: one diagnostic per line, then a summary line.
    Json,
}

/// A `--as-of`, `--census-date` … value: `YYYY-MM-DD` exactly.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::domain::date::parse_iso(s).ok_or_else(|| format!("`{s}` is not a date like 2026-06-30"))
}

/// The rules named by IDs or family prefixes (`XF` = every `XF-…` rule).
pub fn select_rules(names: &[String]) -> Result<Vec<&'static crate::rules::Rule>, Error> {
    let mut out = Vec::new();
    for name in names.iter().map(|n| n.trim().to_ascii_uppercase()).filter(|n| !n.is_empty()) {
        let prefix = format!("{name}-");
        let matched: Vec<_> = crate::rules::all().filter(|r| r.id == name || r.id.starts_with(&prefix)).collect();
        if matched.is_empty() {
            return Err(Error::Argument { arg: "--ignore", message: format!("no rule ID or family is `{name}` (see `rollcall rules`)") });
        }
        out.extend(matched);
    }
    Ok(out)
}

/// The inputs of `paths` (folders expanded), and the calendar given with `--calendar` when it
/// is not among them already: the calendar is an input like the others (its findings name
/// it), and a folder that holds the same file does not read it twice.
pub fn inputs_with(paths: &[PathBuf], calendar: Option<&PathBuf>) -> Result<Vec<crate::source::Input>, Error> {
    add_calendar(crate::source::expand(paths)?, calendar)
}

/// [`inputs_with`], a folder giving every file below it whatever its extension.
pub fn inputs_with_all(paths: &[PathBuf], calendar: Option<&PathBuf>) -> Result<Vec<crate::source::Input>, Error> {
    add_calendar(crate::source::expand_all(paths)?, calendar)
}

fn add_calendar(mut inputs: Vec<crate::source::Input>, calendar: Option<&PathBuf>) -> Result<Vec<crate::source::Input>, Error> {
    if let Some(calendar) = calendar {
        let given = crate::source::expand(std::slice::from_ref(calendar))?;
        let same = |a: &PathBuf, b: &PathBuf| std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok();
        let new: Vec<crate::source::Input> = given.into_iter().filter(|i| !inputs.iter().any(|x| same(&x.path, &i.path))).collect();
        inputs.extend(new);
    }
    Ok(inputs)
}

/// `--mapping FILE` of the commands that read daily attendance: the district's local attendance
/// codes (`[attendance_codes]`).
#[derive(Debug, Clone, clap::Args)]
pub struct CodesArgs {
    /// Mapping file whose `[attendance_codes]` maps local attendance codes to categories.
    /// Default: mapping.toml in an input folder, when there is one.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

impl CodesArgs {
    /// The schema of `data`, with the local attendance codes of the mapping file (given, or
    /// `mapping.toml` in the first folder of `paths` that has one).
    pub fn schema(&self, data: &DataArgs, paths: &[PathBuf]) -> Result<Schema, Error> {
        let mut schema = data.schema()?;
        let path = self.mapping.clone().or_else(|| paths.iter().filter(|p| p.is_dir()).map(|p| p.join("mapping.toml")).find(|p| p.is_file()));
        if let Some(path) = path {
            let mapping = crate::generate::extract::mapping::Mapping::load(&path, &schema)?;
            mapping.apply_attendance_codes(&mut schema.attendance_codes);
        }
        Ok(schema)
    }
}

/// The options every subcommand that reads data shares: which schemas, and which day is today.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Load schemas from this folder instead of the embedded CALPADS set.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Take this date (YYYY-MM-DD) as today, for rules about future dates.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// The longest record (line) read, in bytes; a longer one is reported once and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::cap::DEFAULT_MAX_RECORD_BYTES,
          value_parser = clap::value_parser!(u64).range(64..=(1 << 30)))]
    pub max_record_bytes: u64,
}

impl DataArgs {
    /// Loads the schema set chosen by `--schemas`, or the embedded one.
    pub fn schema(&self) -> Result<Schema, Error> {
        match &self.schemas {
            Some(dir) => Schema::from_dir(dir),
            None => Schema::embedded(),
        }
    }

    /// Engine options with `--as-of` and `--max-record-bytes`.
    pub fn options(&self) -> crate::engine::Options {
        let mut options = crate::engine::Options::new(self.today());
        options.max_record_bytes = self.max_record_bytes;
        options
    }

    /// `--as-of`, or today.
    pub fn today(&self) -> NaiveDate {
        self.as_of.unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// The human report's style from the shared options: `--max-per-rule` defaults to 20 and
/// 0 means all.
pub(crate) fn human_style(global: &GlobalArgs, max_per_rule: Option<u64>, width: usize) -> Style {
    let max_per_rule = match max_per_rule {
        None => Some(20),
        Some(0) => None,
        Some(n) => Some(n),
    };
    Style { color: global.color.enabled(), width: width.max(40), max_per_rule }
}

/// A progress bar on standard error for inputs large enough to take a while (32 MiB and
/// more), unless `--quiet`; indicatif draws nothing when standard error is not a terminal.
pub(crate) fn progress_bar(inputs: &[crate::source::Input], global: &GlobalArgs, verb: &str) -> Option<indicatif::ProgressBar> {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    if global.quiet {
        return None;
    }
    let total: u64 = inputs.iter().filter_map(|i| std::fs::metadata(&i.path).ok()).map(|m| m.len()).sum();
    if total < 32 << 20 {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(&format!("{verb} {{bar:30}} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, {{eta}} left)")).ok()?;
    bar.set_style(style);
    Some(bar)
}

/// The inputs of an attendance command (its paths and `--calendar`) read once for figures,
/// with a progress bar on long runs.
pub(crate) fn accounted(
    codes: &CodesArgs,
    data: &DataArgs,
    paths: &[PathBuf],
    calendar: Option<&PathBuf>,
    global: &GlobalArgs,
) -> Result<(Vec<crate::source::Input>, crate::attendance::Accounted), Error> {
    accounted_with(codes, data, paths, calendar, global, &mut crate::engine::Nothing)
}

/// [`accounted`], feeding `extra` in the same pass.
pub(crate) fn accounted_with(
    codes: &CodesArgs,
    data: &DataArgs,
    paths: &[PathBuf],
    calendar: Option<&PathBuf>,
    global: &GlobalArgs,
    extra: &mut dyn crate::engine::Accumulator,
) -> Result<(Vec<crate::source::Input>, crate::attendance::Accounted), Error> {
    let schema = codes.schema(data, paths)?;
    let inputs = inputs_with(paths, calendar)?;
    let mut options = data.options();
    options.progress = progress_bar(&inputs, global, "reading");
    let bar = options.progress.clone();
    let accounted = crate::attendance::account_with(&schema, &inputs, options, extra);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok((inputs, accounted?))
}

/// `--report FILE` of the commands whose product is figures (ADA, chronic absenteeism,
/// monthly reports, truancy): the figures as a CSV for a spreadsheet, a workbook or an HTML
/// page with a chart.
#[derive(Debug, Clone, clap::Args)]
pub struct TableReportArgs {
    /// Also write the figures to a file, its format told by its extension: .csv (the main
    /// table), .xlsx (a sheet per table) or .html (every table with its chart). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub report: Vec<crate::report::file::ReportFile>,
    /// Show SSIDs by their last 4 digits in every output (the figures hold no name, birth
    /// date or address): for reports that leave the office.
    #[arg(long)]
    pub redact: bool,
}

impl TableReportArgs {
    /// `text` as it may be shown: SSIDs masked under `--redact`.
    pub fn shown(&self, text: String) -> String {
        if self.redact {
            crate::report::redact::mask_ssids(&text)
        } else {
            text
        }
    }

    /// Refuses a format that holds no figures (SARIF) before any work.
    pub fn check(&self) -> Result<(), Error> {
        use crate::report::file::FileFormat;
        crate::report::file::check_formats(&self.report, &[FileFormat::Csv, FileFormat::Xlsx, FileFormat::Html], "this command")
    }

    /// Writes the report files of `tables` (none when no `--report`).
    pub fn write(&self, title: &str, tables: &[crate::report::table::Table], inputs: &[crate::source::Input]) -> Result<(), Error> {
        let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
        if self.redact {
            let mut tables = tables.to_vec();
            for t in &mut tables {
                for cell in t.rows.iter_mut().flatten() {
                    *cell = crate::report::redact::mask_ssids(cell);
                }
            }
            return crate::report::write_tables(&self.report, title, &tables, &paths);
        }
        crate::report::write_tables(&self.report, title, tables, &paths)
    }
}

/// `--width`: the columns of human output, 40 to 1000 (a terminal, not an allocation).
pub fn parse_width(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (40..=1000).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a width from 40 to 1000 columns")),
    }
}

/// 1 when a fatal finding exists (or a warning under `--deny-warnings`), else 0.
pub fn exit_code(tally: &Tally, deny_warnings: bool) -> ExitCode {
    if tally.fatal > 0 || (deny_warnings && tally.warning > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
