//! `rollcall generate`: district extracts in, CALPADS upload files out (and CBEDS-style
//! census counts with `--census`), checked before anything is written, with a manifest of
//! what went in and what came out. Exit 0 written, 1 fatal findings (nothing written, or
//! rows refused under `--skip-invalid`), 2 the run could not start.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use csv::ByteRecord;

use super::GlobalArgs;
use super::{load_schema, parse_date, Format};
use crate::census::{Breakdown, Counter};
use crate::diagnostic::Finding;
use crate::engine::{Sink, Totals};
use crate::error::Error;
use crate::error::GenerateError;
use crate::generate::extract::mapping::Mapping;
use crate::generate::extract::{self, Extract, Row};
use crate::generate::gate::{self, Verdict};
use crate::generate::manifest::{InputEntry, InputKind, Manifest, OutputEntry, RowCounts, Versioned};
use crate::generate::output::{sha256_file, sha256_hex, OutputDir};
use crate::layout::spec::{FileLayout, Value};
use crate::layout::{read_layout, verify_read_back, write_layout};
use crate::report::human::HumanReport;
use crate::report::json::JsonReport;
use crate::schema::Schema;
use crate::source::memory::MemoryRecord;
use crate::source::{self, CaretFile, Input, MemorySource, RecordSource};

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
    /// Load schemas from this folder instead of the embedded CALPADS set.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Take this date (YYYY-MM-DD) as today, for rules about future dates.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Findings shown per rule (0 = all). Default: 20 for human output, all for JSON.
    #[arg(long, value_name = "N")]
    pub max_per_rule: Option<u64>,
    /// Width of human output in columns.
    #[arg(long, default_value_t = 100)]
    pub width: usize,
}

/// One input, as classified.
enum Source<'s> {
    Extract(Extract<'s>),
    Calpads,
}

/// Everything read before the check.
struct Loaded<'s> {
    inputs: Vec<Input>,
    sources: Vec<Source<'s>>,
    rows: Vec<Row>,
    mapping: Mapping,
    layouts: Vec<FileLayout>,
}

/// A file to write and its manifest entry.
struct Output {
    name: String,
    bytes: Vec<u8>,
    record_types: BTreeMap<String, u64>,
}

pub fn run(args: Args, global: &GlobalArgs, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let started = Instant::now();
    // Ctrl-C, SIGTERM or SIGHUP while the outputs are staged: the private staging folder goes
    // too (the output folder is swapped whole or not at all). An error means a handler is set.
    let _ = ctrlc::set_handler(|| {
        crate::generate::output::remove_staged();
        std::process::exit(130);
    });
    let schema = load_schema(args.schemas.as_ref())?;
    let as_of = args.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let loaded = load(&args, &schema, as_of)?;
    let out_dir = output_dir(&args, &loaded)?;
    note_unknown_columns(&loaded);
    let verdict = gate::check(&schema, &loaded.inputs, &loaded.rows, as_of, args.skip_invalid)?;
    let mut findings = verdict.findings.clone();
    let stop = verdict.blocking || (verdict.has_fatal() && !args.skip_invalid);
    let mut outputs = Vec::new();
    let mut census_day = None;
    if !stop {
        outputs = record_outputs(&schema, &loaded, &verdict);
        if args.census || !args.census_layouts.is_empty() {
            let (census, day) = census_outputs(&args, &schema, &loaded, &verdict, as_of, &mut findings)?;
            outputs.extend(census);
            census_day = Some(day);
        }
    }
    let blocked = stop || blocked_by_run(&verdict, &findings);
    report(&args, global, &loaded, &findings, out, started)?;
    if blocked {
        // A finding about the whole run (two LEAs, a census value) blocks --skip-invalid too.
        let hint = if args.skip_invalid || blocked_by_run(&verdict, &findings) { "" } else { ", or write the valid records with --skip-invalid" };
        say(args.format, out, &format!("Nothing written: fix the fatal findings{hint}."))?;
        return Ok(ExitCode::from(1));
    }
    outputs.push(rejected_csv(&loaded, &verdict)?);
    let manifest = manifest(&schema, &loaded, &verdict, &outputs, as_of, census_day)?;
    let mut files: Vec<(String, Vec<u8>)> = outputs.into_iter().map(|o| (o.name, o.bytes)).collect();
    files.push(("manifest.json".to_owned(), manifest.to_json()));
    out_dir.write_all(&files)?;
    say(args.format, out, &summary(&out_dir, &manifest))?;
    Ok(if verdict.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Whether a fatal finding about no single row (two LEAs, a census file) stops the run.
fn blocked_by_run(verdict: &Verdict, findings: &[Finding]) -> bool {
    verdict.blocking || findings.iter().any(|f| f.at.input.is_none() && f.severity() == crate::diagnostic::Severity::Fatal)
}

/// Expands inputs, loads the mapping and census layouts, classifies inputs and reads rows.
fn load<'s>(args: &Args, schema: &'s Schema, as_of: NaiveDate) -> Result<Loaded<'s>, Error> {
    let inputs = source::expand(&args.paths)?;
    let mapping = match mapping_path(args) {
        Some(p) => Mapping::load(&p, schema)?,
        None => Mapping::default(),
    };
    let mut layouts = Vec::new();
    if args.census || !args.census_layouts.is_empty() {
        let names = if args.census_layouts.is_empty() { vec!["fixed".to_owned()] } else { args.census_layouts.clone() };
        for name in names {
            layouts.push(crate::census::load_layout(&name)?);
        }
    }
    let mut loaded = Loaded { inputs, sources: Vec::new(), rows: Vec::new(), mapping, layouts };
    for i in 0..loaded.inputs.len() {
        let source = classify(schema, &loaded, i, as_of)?;
        loaded.sources.push(source);
    }
    if !args.census && args.census_layouts.is_empty() && loaded.sources.iter().all(|s| matches!(s, Source::Calpads)) {
        return Err(GenerateError::Nothing { reason: "every input is already a CALPADS file".to_owned() }.into());
    }
    read_rows(schema, &mut loaded)?;
    Ok(loaded)
}

/// `--mapping`, or `mapping.toml` in the first input folder that has one.
fn mapping_path(args: &Args) -> Option<PathBuf> {
    args.mapping.clone().or_else(|| args.paths.iter().filter(|p| p.is_dir()).map(|p| p.join("mapping.toml")).find(|p| p.is_file()))
}

fn classify<'s>(schema: &'s Schema, loaded: &Loaded<'s>, i: usize, as_of: NaiveDate) -> Result<Source<'s>, Error> {
    let input = &loaded.inputs[i];
    if extract::is_calpads(schema, input)? {
        return Ok(Source::Calpads);
    }
    let (e, _) = Extract::open(i, input, schema, &loaded.mapping, as_of)?;
    Ok(Source::Extract(e))
}

/// Converts every data row of every input.
fn read_rows(schema: &Schema, loaded: &mut Loaded<'_>) -> Result<(), Error> {
    let mut rec = ByteRecord::new();
    for (i, input) in loaded.inputs.iter().enumerate() {
        match &loaded.sources[i] {
            Source::Extract(e) => {
                let mut rows = extract::CsvRows::open(&input.path)?;
                rows.next(&mut rec, &input.path)?;
                let before = loaded.rows.len();
                while let Some(line) = rows.next(&mut rec, &input.path)? {
                    loaded.rows.push(e.convert(&rec, line, &loaded.mapping));
                }
                // Never a "balanced" empty output from a file that holds something.
                if loaded.rows.len() == before {
                    return Err(GenerateError::NoRows { file: input.display.clone() }.into());
                }
            }
            Source::Calpads => {
                let mut reader = CaretFile::open(i, input)?;
                let delimiter = reader.delimiter();
                while let Some(pos) = reader.next(&mut rec)? {
                    loaded.rows.push(extract::calpads_row(schema, i, &rec, pos.line, delimiter));
                }
            }
        }
    }
    Ok(())
}

/// The output folder, after checking that no output would replace an input.
fn output_dir(args: &Args, loaded: &Loaded<'_>) -> Result<OutputDir, Error> {
    let mut files: Vec<PathBuf> = loaded.inputs.iter().map(|i| i.path.clone()).collect();
    files.extend(loaded.mapping.path.clone());
    files.extend(loaded.layouts.iter().filter(|l| !l.origin.starts_with("embedded:")).map(|l| PathBuf::from(&l.origin)));
    let dirs: Vec<PathBuf> = args.paths.iter().filter(|p| p.is_dir()).cloned().collect();
    let dir = OutputDir::new(&args.out, &files, &dirs)?;
    for name in output_names(loaded)? {
        dir.path(&name)?;
    }
    Ok(dir)
}

/// Every file name this run may write; two layouts writing one name is an error.
fn output_names(loaded: &Loaded<'_>) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = loaded
        .sources
        .iter()
        .filter_map(|s| match s {
            Source::Extract(e) => Some(record_file_name(&e.layout.record_type)),
            Source::Calpads => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names.extend(["rejected.csv".to_owned(), "manifest.json".to_owned()]);
    for l in &loaded.layouts {
        if names.contains(&l.file_name) {
            return Err(GenerateError::NameClash { name: l.file_name.clone() }.into());
        }
        names.push(l.file_name.clone());
    }
    Ok(names)
}

fn record_file_name(record_type: &str) -> String {
    format!("{}.txt", record_type.to_ascii_lowercase())
}

#[allow(clippy::print_stderr)]
fn note_unknown_columns(loaded: &Loaded<'_>) {
    for s in &loaded.sources {
        if let Source::Extract(e) = s {
            if !e.unknown.is_empty() {
                eprintln!("note: {} ({}): columns not used: {}", e.display, e.layout.record_type, e.unknown.join(", "));
            }
        }
    }
}

/// The CALPADS files: kept rows of the extracts, per record type, in input order.
fn record_outputs(schema: &Schema, loaded: &Loaded<'_>, verdict: &Verdict) -> Vec<Output> {
    let mut outputs = Vec::new();
    for layout in &schema.layouts {
        let from_extract = |r: &Row| matches!(&loaded.sources[r.input], Source::Extract(e) if e.layout.record_type == layout.record_type);
        // A record type with an extract always gets its file, empty when no row was kept, so
        // a file a previous run wrote is replaced, never left behind looking current.
        let has_extract = loaded.sources.iter().any(|s| matches!(s, Source::Extract(e) if e.layout.record_type == layout.record_type));
        if !has_extract {
            continue;
        }
        let kept: Vec<&Row> = loaded.rows.iter().enumerate().filter(|(i, r)| verdict.keeps(*i) && from_extract(r)).map(|(_, r)| r).collect();
        let mut bytes = Vec::new();
        for r in &kept {
            bytes.extend_from_slice(&r.text);
            bytes.extend_from_slice(b"\r\n");
        }
        let record_types = BTreeMap::from([(layout.record_type.clone(), kept.len() as u64)]);
        outputs.push(Output { name: record_file_name(&layout.record_type), bytes, record_types });
    }
    outputs
}

/// The census files, from the kept SENR and SINF rows. Values a layout cannot hold are
/// added to `findings` (they stop the run).
fn census_outputs(
    args: &Args,
    schema: &Schema,
    loaded: &Loaded<'_>,
    verdict: &Verdict,
    as_of: NaiveDate,
    findings: &mut Vec<Finding>,
) -> Result<(Vec<Output>, NaiveDate), Error> {
    // The kept rows go through the engine once more, in memory, with the census accumulator:
    // the same counting as `rollcall census` on the files written.
    let records: Arc<Vec<MemoryRecord>> = Arc::new(loaded.rows.iter().map(|r| MemoryRecord { line: r.line, text: r.text.clone() }).collect());
    let mut picked: Vec<Vec<usize>> = vec![Vec::new(); loaded.inputs.len()];
    for (i, row) in loaded.rows.iter().enumerate().filter(|(i, r)| verdict.keeps(*i) && r.checkable) {
        picked[row.input].push(i);
    }
    let sources: Vec<Box<dyn RecordSource>> = picked
        .into_iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .map(|(input, list)| Box::new(MemorySource::new(input, Arc::clone(&records), list)) as Box<dyn RecordSource>)
        .collect();
    let sources = Counter::count_sources(schema, &loaded.inputs, sources, as_of)?;
    let year = verdict.year.unwrap_or_else(|| crate::domain::date::AcademicYear::containing(chrono::Local::now().date_naive()));
    let day = args.census_date.unwrap_or_else(|| year.census_day());
    if !(year.first_day()..=year.last_day()).contains(&day) {
        let [day, first, last] = [day, year.first_day(), year.last_day()].map(|d| d.to_string());
        return Err(GenerateError::CensusDate { day, year: year.to_string(), first, last }.into());
    }
    let grades: Vec<String> = schema.codeset("grade_level").map(|c| c.codes.iter().map(|c| c.code.clone()).collect()).unwrap_or_default();
    let census = sources.count(year, day, Breakdown::Demographics, &grades);
    let leas = census.leas();
    if leas.len() > 1 {
        return Err(GenerateError::SeveralLeas { leas: leas.join(", ") }.into());
    }
    let lea = leas.first().map_or(Value::Blank, |l| Value::Text(l.clone()));
    let params = [("reporting_lea", lea), ("academic_year", Value::Text(year.to_string())), ("census_day", Value::Date(day))];
    let table = census.table();
    let mut outputs = Vec::new();
    for layout in &loaded.layouts {
        let written = write_layout(layout, &table, &params)?;
        // Read the file back with the same layout, as the receiver will, and compare what it
        // reads with the table: a layout that changes a count is refused, not written.
        let problems = if written.findings.is_empty() {
            let back = read_layout(layout, &written.bytes);
            if back.findings.is_empty() {
                verify_read_back(layout, &table, &params, &back)?;
            }
            back.findings
        } else {
            written.findings
        };
        findings.extend(problems.into_iter().map(|mut f| {
            f.message = format!("{}: {}", layout.file_name, f.message);
            f
        }));
        let record_types = written.counts.iter().map(|(k, n)| (k.as_str().to_owned(), *n)).collect();
        outputs.push(Output { name: layout.file_name.clone(), bytes: written.bytes, record_types });
    }
    Ok((outputs, day))
}

/// Shows the findings the way `rollcall check` does.
fn report(args: &Args, global: &GlobalArgs, loaded: &Loaded<'_>, findings: &[Finding], out: &mut dyn Write, started: Instant) -> Result<(), Error> {
    let (files, records) = (loaded.inputs.len(), loaded.rows.len() as u64);
    match args.format {
        Format::Json => {
            let mut report = JsonReport::new(out, &loaded.inputs).with_max_per_rule(args.max_per_rule.filter(|n| *n > 0));
            for f in findings {
                report.finding(f.clone()).map_err(Error::stdout)?;
            }
            report.finish(&Totals { files, records, not_checked: Vec::new() }, started.elapsed().as_millis()).map_err(Error::stdout)?;
        }
        Format::Human => {
            let style = super::human_style(global, args.max_per_rule, args.width);
            let mut report = HumanReport::new(&loaded.inputs, style);
            for f in findings {
                report.finding(f.clone()).map_err(Error::stdout)?;
            }
            report.finish(out, &Totals { files, records, not_checked: Vec::new() }).map_err(Error::stdout)?;
        }
    }
    Ok(())
}

/// `rejected.csv`: every refused row with its source, line, rules and reasons.
fn rejected_csv(loaded: &Loaded<'_>, verdict: &Verdict) -> Result<Output, Error> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let err = |e: csv::Error| Error::Write { path: "rejected.csv".into(), source: std::io::Error::other(e) };
    w.write_record(["source_file", "source_line", "record_type", "rules", "reasons", "row"]).map_err(err)?;
    for (i, reasons) in &verdict.rejected {
        let row = &loaded.rows[*i];
        let mut rules: Vec<&str> = Vec::new();
        for f in reasons {
            if !rules.contains(&f.rule.id) {
                rules.push(f.rule.id);
            }
        }
        let messages: Vec<&str> = reasons.iter().map(|f| f.message.as_str()).collect();
        let line = row.line.to_string();
        let (rules, messages) = (rules.join(" "), messages.join(" | "));
        let cells: [&[u8]; 6] = [
            loaded.inputs[row.input].display.as_bytes(),
            line.as_bytes(),
            row.record_type.as_bytes(),
            rules.as_bytes(),
            messages.as_bytes(),
            row.source_bytes(),
        ];
        w.write_record(cells).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Write { path: "rejected.csv".into(), source: std::io::Error::other(e.to_string()) })?;
    let record_types = BTreeMap::from([("rejected".to_owned(), verdict.rejected.len() as u64)]);
    Ok(Output { name: "rejected.csv".to_owned(), bytes, record_types })
}

fn manifest(
    schema: &Schema,
    loaded: &Loaded<'_>,
    verdict: &Verdict,
    outputs: &[Output],
    as_of: NaiveDate,
    census_day: Option<NaiveDate>,
) -> Result<Manifest, Error> {
    let versioned = Versioned { name: schema.name.clone(), version: schema.version.clone(), origin: schema.origin.clone() };
    let mut m = Manifest::new(versioned, as_of.to_string());
    m.layouts = loaded.layouts.iter().map(|l| Versioned { name: l.name.clone(), version: l.version.clone(), origin: l.origin.clone() }).collect();
    m.academic_year = verdict.year.map(|y| y.to_string());
    m.census_day = census_day.map(|d| d.to_string());
    m.inputs = input_entries(loaded, verdict)?;
    m.outputs = outputs
        .iter()
        .map(|o| OutputEntry {
            path: o.name.clone(),
            sha256: sha256_hex(&o.bytes),
            records: o.record_types.values().sum(),
            record_types: o.record_types.clone(),
        })
        .collect();
    m.rows = RowCounts::from_inputs(&m.inputs);
    for reasons in verdict.rejected.values() {
        let mut ids: Vec<&str> = reasons.iter().map(|f| f.rule.id).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            *m.rejected_by_rule.entry(id.to_owned()).or_default() += 1;
        }
    }
    Ok(m)
}

fn input_entries(loaded: &Loaded<'_>, verdict: &Verdict) -> Result<Vec<InputEntry>, Error> {
    let mut entries = Vec::new();
    for (i, input) in loaded.inputs.iter().enumerate() {
        let rows = loaded.rows.iter().filter(|r| r.input == i).count() as u64;
        let rejected = verdict.rejected.keys().filter(|r| loaded.rows[**r].input == i).count() as u64;
        let (kind, record_type, unknown_columns) = match &loaded.sources[i] {
            Source::Extract(e) => (InputKind::Extract, Some(e.layout.record_type.clone()), e.unknown.clone()),
            Source::Calpads => (InputKind::Calpads, None, Vec::new()),
        };
        let sha256 = sha256_file(&input.path)?;
        entries.push(InputEntry {
            path: input.display.clone(),
            kind,
            sha256,
            record_type,
            rows: Some(rows),
            written: Some(rows - rejected),
            rejected: Some(rejected),
            unknown_columns,
        });
    }
    let configs = loaded.mapping.path.iter().map(|p| (p.clone(), InputKind::Mapping));
    let layouts = loaded.layouts.iter().filter(|l| !l.origin.starts_with("embedded:")).map(|l| (PathBuf::from(&l.origin), InputKind::Layout));
    for (path, kind) in configs.chain(layouts) {
        let sha256 = sha256_file(&path)?;
        entries.push(InputEntry {
            path: path.display().to_string(),
            kind,
            sha256,
            record_type: None,
            rows: None,
            written: None,
            rejected: None,
            unknown_columns: Vec::new(),
        });
    }
    Ok(entries)
}

/// What was written, in a few lines.
fn summary(dir: &OutputDir, m: &Manifest) -> String {
    let mut text = String::new();
    for o in &m.outputs {
        let types: Vec<String> = o.record_types.iter().map(|(t, n)| format!("{n} {t}")).collect();
        text.push_str(&format!("wrote {} ({})\n", dir.dir.join(&o.path).display(), types.join(", ")));
    }
    text.push_str(&format!("wrote {}\n", dir.dir.join("manifest.json").display()));
    let r = m.rows;
    text.push_str(&format!("{} input rows = {} written + {} rejected", r.input, r.written, r.rejected));
    text
}

/// A closing message: on standard output after a human report, on standard error after
/// JSON Lines (which must stay machine-readable).
fn say(format: Format, out: &mut dyn Write, text: &str) -> Result<(), Error> {
    match format {
        Format::Human => writeln!(out, "{text}").map_err(Error::stdout),
        Format::Json => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{text}");
            }
            Ok(())
        }
    }
}
