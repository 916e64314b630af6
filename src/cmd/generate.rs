//! `rollcall generate`: district extracts in, CALPADS upload files out (and CBEDS-style
//! census counts with `--census`), checked before anything is written, with a manifest of
//! what went in and what came out. Exit 0 written, 1 fatal findings (nothing written, or
//! rows refused under `--skip-invalid`), 2 the run could not start.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;

use super::GlobalArgs;
use super::{parse_date, DataArgs, OutputFormat};
use crate::engine::{Sink, Totals};
use crate::error::Error;
use crate::generate::manifest::Manifest;
use crate::generate::pipeline::{Generation, Request};
use crate::report::file::ReportFile;
use crate::report::human::HumanReport;
use crate::report::json::JsonReport;
use crate::report::redact::Redactor;
use crate::schema::Schema;

const AFTER_HELP: &str = "Examples:
  rollcall generate samples/extracts --out submission/
  rollcall generate exports/ --mapping aeries.toml --out submission/ --skip-invalid
  rollcall generate samples/extracts --out submission/ --census --census-layout tab
  rollcall generate samples/clean --out cbeds/ --census     census counts from CALPADS files

Writes senr.txt / sinf.txt (caret-delimited, CR LF, no header), census files when asked,
rejected.csv and manifest.json. Nothing is written while a fatal finding exists, unless
--skip-invalid is given: then the rows with fatal findings go to rejected.csv instead.
Exit status: 0 written; 1 fatal findings (with --skip-invalid: rows were refused, the rest
written); 2 the run could not start (bad mapping or layout, missing column, unclosed quote,
output over an input).";

/// Generate CALPADS files (and census counts) from district extracts.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Extracts (CSV with a header row), CALPADS files, or folders of them (.csv, .txt).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Folder to write the files to (created when missing).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Mapping file (TOML). Default: mapping.toml in an input folder, when there is one.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Write the valid records and list the refused rows, with reasons, in rejected.csv.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Also write Census Day counts per school, grade, gender and race/ethnicity group.
    #[arg(long)]
    pub census: bool,
    /// Census layout: `fixed`, `tab` or a layout file (repeat for several; default fixed).
    #[arg(long = "census-layout", value_name = "NAME|FILE")]
    pub census_layouts: Vec<String>,
    /// Census Day (YYYY-MM-DD); default: the first Wednesday in October of the academic year.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub census_date: Option<NaiveDate>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Findings shown per rule (0 = all). Default: 20 for human output, all for JSON.
    #[arg(long, value_name = "N")]
    pub max_per_rule: Option<u64>,
    /// Also write the findings (the refused rows and why) to a file, its format told by its
    /// extension: .csv (the worklist), .xlsx, .html, .sarif. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub report: Vec<ReportFile>,
    /// Replace names, birth dates, birth places and addresses with tokens and show SSIDs by
    /// their last 4 digits in the findings shown and the report files (the submission files
    /// and rejected.csv in the output folder stay whole: they are the data).
    #[arg(long)]
    pub redact: bool,
    /// Width of human output in columns.
    #[arg(long, default_value_t = 100, value_parser = super::parse_width)]
    pub width: usize,
}

pub fn run(args: Args, global: &GlobalArgs, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let started = Instant::now();
    // Ctrl-C, SIGTERM or SIGHUP while the outputs are staged: the private staging folder goes
    // too (the output folder is swapped whole or not at all). An error means a handler is set.
    let _ = ctrlc::set_handler(|| {
        crate::generate::output::remove_staged();
        std::process::exit(130);
    });
    // (The mapping's local attendance codes go into the schema's code table; the pipeline
    // reads the rest of the mapping itself.)
    let schema = super::CodesArgs { mapping: args.mapping.clone() }.schema(&args.data, &args.paths)?;
    let request = Request {
        paths: args.paths.clone(),
        out: args.out.clone(),
        mapping: args.mapping.clone(),
        skip_invalid: args.skip_invalid,
        census_layouts: match (&args.census_layouts[..], args.census) {
            ([], true) => vec!["fixed".to_owned()],
            (names, _) => names.to_vec(),
        },
        census_date: args.census_date,
        as_of: args.data.today(),
    };
    // The output folder is replaced whole: a report file inside it would be lost.
    let out_dir = std::path::absolute(&args.out).unwrap_or_else(|_| args.out.clone());
    if let Some(r) = args.report.iter().find(|r| std::path::absolute(&r.path).is_ok_and(|p| p.starts_with(&out_dir))) {
        return Err(Error::Argument {
            arg: "--report",
            message: format!("{} is inside the output folder {}, which is replaced whole; write it elsewhere", r.path.display(), args.out.display()),
        });
    }
    let plan = Generation::prepare(&schema, &request)?;
    note_unused_columns(&plan);
    report(&args, global, &schema, &plan, out, started)?;
    if plan.blocked {
        let hint = if plan.skip_would_help { ", or write the valid records with --skip-invalid" } else { "" };
        say(args.format, out, &format!("Nothing written: fix the fatal findings{hint}."))?;
        return Ok(ExitCode::from(1));
    }
    let dir = plan.out_dir().to_path_buf();
    let manifest = plan.write()?;
    say(args.format, out, &summary(&dir, &manifest))?;
    // (Refused rows and refused summaries both make it 1.)
    Ok(if manifest.rows.rejected == 0 && manifest.rejected_by_rule.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[allow(clippy::print_stderr)]
fn note_unused_columns(plan: &Generation<'_>) {
    for (input, record_type, columns) in plan.unused_columns() {
        let note = format!("note: {input} ({record_type}): columns not used: {}", columns.join(", "));
        eprintln!("{}", crate::error::visible(&note));
    }
    for note in plan.unmatched_mapping() {
        eprintln!("warning: {}", crate::error::visible(&note));
    }
}

/// Shows the findings the way `rollcall check` does, and writes them to the report files.
fn report(args: &Args, global: &GlobalArgs, schema: &Schema, plan: &Generation<'_>, out: &mut dyn Write, started: Instant) -> Result<(), Error> {
    let loaded = &plan.loaded;
    let mut findings = plan.findings.clone();
    if args.redact {
        let mut redactor = Redactor::new(schema);
        redactor.learn_lines(loaded.rows.iter().map(|r| r.text.as_slice()));
        findings.iter_mut().for_each(|f| redactor.finding(f));
    }
    let totals = Totals { files: loaded.inputs.len(), records: plan.records(), ..Totals::default() };
    let tally = match args.format {
        OutputFormat::Json => {
            let mut report = JsonReport::new(out, &loaded.inputs).with_max_per_rule(args.max_per_rule.filter(|n| *n > 0));
            for f in &findings {
                report.finding(f.clone()).map_err(Error::stdout)?;
            }
            report.finish(&totals, started.elapsed().as_millis()).map_err(Error::stdout)?
        }
        OutputFormat::Human => {
            let style = super::human_style(global, args.max_per_rule, args.width);
            let mut report = HumanReport::new(&loaded.inputs, style);
            for f in &findings {
                report.finding(f.clone()).map_err(Error::stdout)?;
            }
            report.finish(out, &totals).map_err(Error::stdout)?
        }
    };
    let run = crate::report::Run {
        command: super::check::command_line(),
        as_of: args.data.today(),
        inputs: &loaded.inputs,
        findings: &findings,
        totals: &totals,
        tally: &tally,
    };
    crate::report::write_findings(&args.report, &run)
}

/// What was written, in a few lines.
fn summary(dir: &Path, m: &Manifest) -> String {
    let mut text = String::new();
    for o in &m.outputs {
        let types: Vec<String> = o.record_types.iter().map(|(t, n)| format!("{n} {t}")).collect();
        text.push_str(&format!("wrote {} ({})\n", dir.join(&o.path).display(), types.join(", ")));
    }
    text.push_str(&format!("wrote {}\n", dir.join("manifest.json").display()));
    let r = m.rows;
    text.push_str(&format!("{} input rows = {} written + {} rejected", r.input, r.written, r.rejected));
    text
}

/// A closing message: on standard output after a human report, on standard error after
/// JSON Lines (which must stay machine-readable).
fn say(format: OutputFormat, out: &mut dyn Write, text: &str) -> Result<(), Error> {
    let text = crate::error::visible(text);
    match format {
        OutputFormat::Human => writeln!(out, "{text}").map_err(Error::stdout),
        OutputFormat::Json => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{text}");
            }
            Ok(())
        }
    }
}
