//! The generate pipeline: inputs classified (extract or CALPADS file), rows converted, the
//! gate run in memory, the CALPADS and census files built, then written with `rejected.csv`
//! and the manifest as one whole submission. `rollcall generate` is this plus its report.
//!
//! Two steps, so a caller can show the findings before anything is written:
//!
//! ```no_run
//! # fn main() -> Result<(), rollcall::error::Error> {
//! use rollcall::generate::pipeline::{Generation, Request};
//! let schema = rollcall::schema::Schema::embedded()?;
//! let request = Request::new(vec!["samples/extracts".into()], "submission".into());
//! let plan = Generation::prepare(&schema, &request)?;
//! for f in &plan.findings {
//!     eprintln!("{}: {}", f.rule.id, f.message);
//! }
//! if !plan.blocked {
//!     let manifest = plan.write()?;
//!     eprintln!("{} rows written", manifest.rows.written);
//! }
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use csv::ByteRecord;

use crate::census::{Breakdown, Counter};
use crate::diagnostic::{Finding, Severity};
use crate::error::{Error, GenerateError};
use crate::generate::extract::mapping::Mapping;
use crate::generate::extract::{self, Extract, Row};
use crate::generate::gate::{self, Verdict};
use crate::generate::manifest::{InputEntry, InputKind, Manifest, OutputEntry, RowCounts, Versioned};
use crate::generate::output::{sha256_file, sha256_hex, OutputDir};
use crate::layout::spec::{FileLayout, LayoutValue};
use crate::layout::{read_layout, verify_read_back, write_layout};
use crate::report::csv::{CsvWriter, Framing};
use crate::schema::names::ATTENDANCE;
use crate::schema::Schema;
use crate::source::headered::{HeaderedCsv, ATTENDANCE_COLUMNS};
use crate::source::{self, CaretFile, Input};

/// What to generate: the inputs, where to, and how.
#[derive(Clone, Debug)]
pub struct Request {
    /// Extracts, CALPADS files, or folders of them.
    pub paths: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// The mapping file; `None`: `mapping.toml` in an input folder, when there is one.
    pub mapping: Option<PathBuf>,
    /// Write the valid rows and refuse the others in `rejected.csv`.
    pub skip_invalid: bool,
    /// Census layouts to write (`fixed`, `tab` or a layout file); empty: no census files.
    pub census_layouts: Vec<String>,
    /// Census Day; `None`: the first Wednesday in October of the year.
    pub census_date: Option<NaiveDate>,
    /// Today, for rules about future dates.
    pub as_of: NaiveDate,
}

impl Request {
    /// A request for `paths` into `out`, with the defaults (today, no census).
    pub fn new(paths: Vec<PathBuf>, out: PathBuf) -> Request {
        Request {
            paths,
            out,
            mapping: None,
            skip_invalid: false,
            census_layouts: Vec::new(),
            census_date: None,
            as_of: chrono::Local::now().date_naive(),
        }
    }
}

/// Everything worked out before a byte is written: the inputs as read, the gate's verdict,
/// the findings to show, and the files to write.
pub struct Generation<'s> {
    schema: &'s Schema,
    pub loaded: Loaded<'s>,
    pub verdict: Verdict,
    /// The gate's findings and those of the census layouts.
    pub findings: Vec<Finding>,
    /// Nothing may be written: a fatal finding (without `--skip-invalid`), or one about the
    /// whole run (two LEAs, a census value), which blocks `--skip-invalid` too.
    pub blocked: bool,
    /// Whether `--skip-invalid` would write the valid rows.
    pub skip_would_help: bool,
    outputs: Vec<Output>,
    census_day: Option<NaiveDate>,
    dir: OutputDir,
    as_of: NaiveDate,
    /// What the daily attendance gave, when the run had some.
    attendance: Option<AttendanceOutcome>,
}

impl<'s> Generation<'s> {
    /// Loads and converts the inputs, runs the gate and builds the output files in memory.
    pub fn prepare(schema: &'s Schema, request: &Request) -> Result<Generation<'s>, Error> {
        let loaded = load(request, schema)?;
        let dir = output_dir(request, &loaded)?;
        let verdict = gate::check(schema, &loaded.inputs, &loaded.rows, request.as_of, request.skip_invalid)?;
        let mut findings = verdict.findings.clone();
        let stop = verdict.blocking || (verdict.has_fatal() && !request.skip_invalid);
        let mut outputs = Vec::new();
        let mut census_day = None;
        if !stop {
            outputs = record_outputs(schema, &loaded, &verdict);
            if !loaded.layouts.is_empty() {
                let (census, day) = census_outputs(request, schema, &loaded, &verdict, &mut findings)?;
                outputs.extend(census);
                census_day = Some(day);
            }
        }
        // The daily attendance once the enrollments pass: against enrollments the gate
        // refused, every day of the student would be reported again.
        let attendance = if stop { None } else { attendance_outputs(request, schema, &loaded, &verdict)? };
        let mut attendance_fatal = false;
        if let Some(a) = &attendance {
            findings.extend(a.findings.iter().cloned());
            attendance_fatal = a.findings.iter().any(|f| f.severity() == Severity::Fatal);
            if !stop {
                outputs.push(Output {
                    name: STAS_FILE.to_owned(),
                    bytes: a.stas.clone(),
                    record_types: BTreeMap::from([("STAS".to_owned(), a.written)]),
                });
            }
        }
        let by_run = blocked_by_run(&verdict, &findings);
        let blocked = stop || by_run || (attendance_fatal && !request.skip_invalid);
        let skip_would_help = blocked && !request.skip_invalid && !by_run;
        Ok(Generation { schema, loaded, verdict, findings, blocked, skip_would_help, outputs, census_day, dir, as_of: request.as_of, attendance })
    }

    /// Writes the files, `rejected.csv` and `manifest.json` as one whole submission, and
    /// returns the manifest. A blocked plan writes nothing.
    pub fn write(mut self) -> Result<Manifest, Error> {
        if self.blocked {
            return Err(GenerateError::Nothing { reason: "fatal findings stop the run".to_owned() }.into());
        }
        self.outputs.push(rejected_csv(&self.loaded, &self.verdict, self.attendance.as_ref())?);
        let manifest = manifest(self.schema, &self.loaded, &self.verdict, self.attendance.as_ref(), &self.outputs, self.as_of, self.census_day)?;
        let mut files: Vec<(String, Vec<u8>)> = self.outputs.into_iter().map(|o| (o.name, o.bytes)).collect();
        files.push(("manifest.json".to_owned(), manifest.to_json()));
        self.dir.write_all(&files)?;
        Ok(manifest)
    }

    /// Records read: the converted rows, and the daily attendance records.
    pub fn records(&self) -> u64 {
        let attendance: u64 = self.attendance.as_ref().map_or(0, |a| a.records.iter().map(|r| r.1).sum());
        self.loaded.rows.len() as u64 + attendance
    }

    /// The folder the files go to.
    pub fn out_dir(&self) -> &std::path::Path {
        &self.dir.dir
    }

    /// What the mapping file names that no input has: a `[columns]` header no extract has, a
    /// `[files."…"]` name no input has (a typo there is silently nothing, so it is said).
    pub fn unmatched_mapping(&self) -> Vec<String> {
        let mapping = &self.loaded.mapping;
        let Some(path) = &mapping.path else { return Vec::new() };
        let headers: Vec<&str> = self
            .loaded
            .kinds
            .iter()
            .filter_map(|k| match k {
                InputClass::Extract(e) => Some(e.headers.iter().map(String::as_str)),
                _ => None,
            })
            .flatten()
            .collect();
        let names: Vec<String> = self.loaded.inputs.iter().filter_map(|i| i.path.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
        let mut out = Vec::new();
        for column in mapping.columns.keys().filter(|c| !headers.iter().any(|h| h.trim() == c.trim())) {
            out.push(format!("{}: [columns] \"{column}\" matches no column of the extracts", path.display()));
        }
        for file in mapping.files.keys().filter(|f| !names.iter().any(|n| n == *f)) {
            out.push(format!("{}: [files.\"{file}\"] matches no input file", path.display()));
        }
        out
    }

    /// Extract columns no layout field or mapping uses, per input: (input, record type, columns).
    pub fn unused_columns(&self) -> impl Iterator<Item = (&str, &str, &[String])> {
        self.loaded.kinds.iter().filter_map(|s| match s {
            InputClass::Extract(e) if !e.unknown.is_empty() => Some((e.display.as_str(), e.layout.record_type.as_str(), e.unknown.as_slice())),
            _ => None,
        })
    }
}

/// One input, as classified.
pub enum InputClass<'s> {
    Extract(Extract<'s>),
    Calpads,
    /// The attendance calendar.
    Calendar,
    /// Daily attendance: streamed into the ledger, never held in memory.
    Attendance,
}

/// Everything read before the check.
pub struct Loaded<'s> {
    pub inputs: Vec<Input>,
    /// What each input is, in input order.
    pub kinds: Vec<InputClass<'s>>,
    /// Every data row of every input, converted.
    pub rows: Vec<Row>,
    pub mapping: Mapping,
    /// The census layouts to write.
    pub layouts: Vec<FileLayout>,
}

/// A file to write and its manifest entry.
struct Output {
    name: String,
    bytes: Vec<u8>,
    record_types: BTreeMap<String, u64>,
}

/// Whether a fatal finding about no single row (two LEAs, a census file) stops the run.
fn blocked_by_run(verdict: &Verdict, findings: &[Finding]) -> bool {
    verdict.blocking || findings.iter().any(|f| f.at.input.is_none() && f.severity() == Severity::Fatal)
}

/// Expands inputs, loads the mapping and census layouts, classifies inputs and reads rows.
fn load<'s>(request: &Request, schema: &'s Schema) -> Result<Loaded<'s>, Error> {
    let inputs = source::expand(&request.paths)?;
    let mapping = match mapping_path(request) {
        Some(p) => Mapping::load(&p, schema)?,
        None => Mapping::default(),
    };
    let layouts = request.census_layouts.iter().map(|name| crate::census::load_layout(name)).collect::<Result<Vec<_>, _>>()?;
    let mut loaded = Loaded { inputs, kinds: Vec::new(), rows: Vec::new(), mapping, layouts };
    for i in 0..loaded.inputs.len() {
        let kind = classify(schema, &loaded, i, request.as_of)?;
        loaded.kinds.push(kind);
    }
    if loaded.layouts.is_empty() && loaded.kinds.iter().all(|s| matches!(s, InputClass::Calpads | InputClass::Calendar)) {
        return Err(GenerateError::Nothing { reason: "every input is already a CALPADS file".to_owned() }.into());
    }
    read_rows(schema, &mut loaded)?;
    Ok(loaded)
}

/// `--mapping`, or `mapping.toml` in the first input folder that has one.
fn mapping_path(request: &Request) -> Option<PathBuf> {
    request.mapping.clone().or_else(|| request.paths.iter().filter(|p| p.is_dir()).map(|p| p.join("mapping.toml")).find(|p| p.is_file()))
}

fn classify<'s>(schema: &'s Schema, loaded: &Loaded<'s>, i: usize, as_of: NaiveDate) -> Result<InputClass<'s>, Error> {
    let input = &loaded.inputs[i];
    match source::headered::sniff(input)? {
        source::headered::Kind::Calendar => return Ok(InputClass::Calendar),
        source::headered::Kind::Attendance => return Ok(InputClass::Attendance),
        // (An extract is "something else" to `check`; here it is what generate converts.)
        source::headered::Kind::Calpads | source::headered::Kind::Other(_) => {}
    }
    if extract::is_calpads(schema, input)? {
        return Ok(InputClass::Calpads);
    }
    let (e, _) = Extract::open(i, input, schema, &loaded.mapping, as_of)?;
    Ok(InputClass::Extract(e))
}

/// Converts every data row of every input.
fn read_rows(schema: &Schema, loaded: &mut Loaded<'_>) -> Result<(), Error> {
    let mut rec = ByteRecord::new();
    for (i, input) in loaded.inputs.iter().enumerate() {
        match &loaded.kinds[i] {
            InputClass::Extract(e) => {
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
            InputClass::Calendar | InputClass::Attendance => {}
            InputClass::Calpads => {
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
fn output_dir(request: &Request, loaded: &Loaded<'_>) -> Result<OutputDir, Error> {
    let mut files: Vec<PathBuf> = loaded.inputs.iter().map(|i| i.path.clone()).collect();
    files.extend(loaded.mapping.path.clone());
    files.extend(loaded.layouts.iter().filter(|l| !l.origin.starts_with("embedded:")).map(|l| PathBuf::from(&l.origin)));
    let dirs: Vec<PathBuf> = request.paths.iter().filter(|p| p.is_dir()).cloned().collect();
    let dir = OutputDir::new(&request.out, &files, &dirs)?;
    for name in output_names(loaded)? {
        dir.path(&name)?;
    }
    Ok(dir)
}

/// Every file name this run may write; two layouts writing one name is an error.
fn output_names(loaded: &Loaded<'_>) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = loaded
        .kinds
        .iter()
        .filter_map(|s| match s {
            InputClass::Extract(e) => Some(record_file_name(&e.layout.record_type)),
            InputClass::Calpads | InputClass::Calendar | InputClass::Attendance => None,
        })
        .collect();
    names.sort();
    names.dedup();
    if loaded.kinds.iter().any(|k| matches!(k, InputClass::Attendance)) {
        // stas.txt from the daily records: an STAS extract in the same run would write it too.
        if names.iter().any(|n| n == STAS_FILE) {
            return Err(GenerateError::NameClash { name: STAS_FILE.to_owned() }.into());
        }
        names.push(STAS_FILE.to_owned());
    }
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

/// The CALPADS files: kept rows of the extracts, per record type, in input order.
fn record_outputs(schema: &Schema, loaded: &Loaded<'_>, verdict: &Verdict) -> Vec<Output> {
    let mut outputs = Vec::new();
    for layout in &schema.layouts {
        let from_extract = |r: &Row| matches!(&loaded.kinds[r.input], InputClass::Extract(e) if e.layout.record_type == layout.record_type);
        // A record type with an extract always gets its file, empty when no row was kept, so
        // a file a previous run wrote is replaced, never left behind looking current.
        let has_extract = loaded.kinds.iter().any(|s| matches!(s, InputClass::Extract(e) if e.layout.record_type == layout.record_type));
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
    request: &Request,
    schema: &Schema,
    loaded: &Loaded<'_>,
    verdict: &Verdict,
    findings: &mut Vec<Finding>,
) -> Result<(Vec<Output>, NaiveDate), Error> {
    // The kept rows go through the engine once more, in memory, with the census accumulator:
    // the same counting as `rollcall census` on the files written.
    let sources = gate::memory_sources(loaded.inputs.len(), &loaded.rows, |i| verdict.keeps(i));
    let sources = Counter::count_sources(schema, &loaded.inputs, sources, request.as_of)?;
    let year = verdict.year.unwrap_or_else(|| crate::domain::date::AcademicYear::containing(chrono::Local::now().date_naive()));
    let day = request.census_date.unwrap_or_else(|| year.census_day());
    if !(year.first_day()..=year.last_day()).contains(&day) {
        let [day, first, last] = [day, year.first_day(), year.last_day()].map(|d| d.to_string());
        return Err(GenerateError::CensusDate { day, year: year.to_string(), first, last }.into());
    }
    let census = sources.count(year, day, Breakdown::Demographics);
    let leas = census.leas();
    if leas.len() > 1 {
        return Err(GenerateError::SeveralLeas { leas: leas.join(", ") }.into());
    }
    let lea = leas.first().map_or(LayoutValue::Blank, |l| LayoutValue::Text(l.clone()));
    let params = [("reporting_lea", lea), ("academic_year", LayoutValue::Text(year.to_string())), ("census_day", LayoutValue::Date(day))];
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

/// The file the STAS built from the daily records goes to.
const STAS_FILE: &str = "stas.txt";

/// What the daily attendance of a run gave.
struct AttendanceOutcome {
    /// `stas.txt`: the summaries written, CR LF after each.
    stas: Vec<u8>,
    written: u64,
    /// The attendance and calendar findings, and one per refused summary.
    findings: Vec<Finding>,
    /// Rows for rejected.csv: refused attendance records and refused summaries.
    refused: Vec<Refused>,
    /// Per attendance input: (input, records read, records counted).
    records: Vec<(usize, u64, u64)>,
}

/// A row of rejected.csv that is not a converted extract row.
struct Refused {
    file: String,
    line: Option<u64>,
    record_type: String,
    reasons: Vec<Finding>,
    row: Vec<u8>,
}

/// Keeps every finding, with its record's text.
struct Keep(Vec<Finding>);

impl crate::diagnostic::Sink for Keep {
    fn wants_excerpt(&mut self, _: &'static crate::diagnostic::Rule) -> bool {
        true
    }
    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        self.0.push(f);
        Ok(())
    }
}

/// The STAS from the daily records: the kept enrollments and the attendance files go through
/// the engine with the attendance ledger, and a summary is built per student and school.
fn attendance_outputs(request: &Request, schema: &Schema, loaded: &Loaded<'_>, verdict: &Verdict) -> Result<Option<AttendanceOutcome>, Error> {
    use crate::attendance::ledger::Ledger;
    use crate::attendance::stas::{self, Summary};
    let of = |want: fn(&InputClass<'_>) -> bool| loaded.kinds.iter().enumerate().filter(|(_, k)| want(k)).map(|(i, _)| i).collect::<Vec<_>>();
    let attendance = of(|k| matches!(k, InputClass::Attendance));
    if attendance.is_empty() {
        return Ok(None);
    }
    let calendars = of(|k| matches!(k, InputClass::Calendar));
    let cal_input = match calendars.as_slice() {
        [one] => *one,
        [] => {
            return Err(GenerateError::Nothing {
                reason: "daily attendance needs the attendance calendar (a CSV with date and day_type columns) among the inputs".to_owned(),
            }
            .into())
        }
        [a, b, ..] => {
            let names = format!("{} and {}", loaded.inputs[*a].display, loaded.inputs[*b].display);
            return Err(Error::Argument { arg: "PATHS", message: format!("two attendance calendars: {names}; give one") });
        }
    };
    let (calendar, cal_findings) = crate::rules::calendar::read(&loaded.inputs[cal_input].path, cal_input, request.census_date)?;
    let mut options = crate::engine::Options::new(request.as_of);
    options.calendar = Some(calendar);
    options.calendar_input = Some(cal_input);
    options.rules = crate::diagnostic::RuleSet::without(crate::rules::whole_run());
    let mut sources = gate::memory_sources(loaded.inputs.len(), &loaded.rows, |i| verdict.keeps(i) && loaded.rows[i].record_type == "SENR");
    let layout = schema
        .layout(ATTENDANCE.as_bytes())
        .map(|(l, _)| &schema.layouts[l])
        .ok_or_else(|| GenerateError::Nothing { reason: format!("the schema set has no {ATTENDANCE} layout") })?;
    let fields: Vec<&str> = layout.fields.iter().skip(1).map(|f| f.name.as_str()).collect();
    for &i in &attendance {
        sources.push(Box::new(HeaderedCsv::open(i, &loaded.inputs[i], &layout.record_type, &fields, ATTENDANCE_COLUMNS)?));
    }
    let mut ledger = Ledger::new();
    let mut keep = Keep(cal_findings);
    crate::engine::Checker::new(schema, &loaded.inputs, options).run_accumulating(sources, &mut keep, &mut ledger)?;
    // The enrollment rows were checked by the gate already: keep the findings of the
    // attendance, the calendar and the ledger.
    let mine = |f: &Finding| f.at.input.is_some_and(|i| attendance.contains(&i) || i == cal_input) || f.rule.id.starts_with("ATT-");
    let mut findings: Vec<Finding> = keep.0.into_iter().filter(mine).collect();
    let mut refused = Vec::new();
    for f in findings.iter().filter(|f| f.severity() == Severity::Fatal && f.at.line.is_some() && f.at.input.is_some_and(|i| attendance.contains(&i)))
    {
        let file = f.at.input.map(|i| loaded.inputs[i].display.clone()).unwrap_or_default();
        let row = f.excerpt.as_ref().map(|e| e.text.clone().into_bytes()).unwrap_or_default();
        match refused.iter_mut().find(|r: &&mut Refused| r.file == file && r.line == f.at.line) {
            Some(r) => r.reasons.push(f.clone()),
            None => refused.push(Refused { file, line: f.at.line, record_type: ATTENDANCE.to_owned(), reasons: vec![f.clone()], row }),
        }
    }
    let year = ledger.year();
    let senr_names: Vec<&str> = schema
        .layout(b"SENR")
        .zip(year)
        .map(|((l, _), y)| schema.layouts[l].fields_for(y, false).iter().map(|f| f.name.as_str()).collect())
        .unwrap_or_default();
    let identity = |at: crate::domain::enrollment::RecordRef| {
        let row = loaded.rows.get(usize::try_from(at.byte).ok()?)?;
        let values: Vec<&[u8]> = row.text.split(|b| *b == b'^').collect();
        Some(stas::identity_of(&senr_names, &values))
    };
    let mut bytes = Vec::new();
    let mut written = 0;
    for summary in stas::build(&ledger, schema, &identity) {
        match summary {
            Summary::Written { text, .. } => {
                bytes.extend_from_slice(&text);
                bytes.extend_from_slice(b"\r\n");
                written += 1;
            }
            Summary::Refused { school, at, student, reason, text } => {
                let row = loaded.rows.get(usize::try_from(at.byte).unwrap_or(usize::MAX));
                let args = [("student", student.as_str()), ("school", &crate::domain::codes::school_code(school)), ("reason", reason.as_str())];
                let mut f = Finding::new(&crate::rules::generate::STAS_INCOMPLETE, &args);
                f.record_type = Some("STAS".to_owned());
                f.school = Some(crate::domain::codes::school_code(school));
                if let Some(row) = row {
                    (f.at.input, f.at.line) = (Some(row.input), Some(row.line));
                }
                refused.push(Refused {
                    file: row.map(|r| loaded.inputs[r.input].display.clone()).unwrap_or_default(),
                    line: row.map(|r| r.line),
                    record_type: "STAS".to_owned(),
                    reasons: vec![f.clone()],
                    row: text,
                });
                findings.push(f);
            }
        }
    }
    let records = attendance.iter().map(|&i| (i, ledger.read_of(i), ledger.counted_of(i))).collect();
    Ok(Some(AttendanceOutcome { stas: bytes, written, findings, refused, records }))
}

/// The school, student and fixes of a refused row, from its findings (the first that names
/// each), for the clerk who fixes it.
struct Who {
    school: String,
    ssid: String,
    local: String,
    name: String,
    fix: String,
}

impl Who {
    fn of(reasons: &[Finding]) -> Who {
        let first = |get: fn(&Finding) -> Option<&String>| reasons.iter().find_map(get).cloned().unwrap_or_default();
        let mut fixes: Vec<&str> = Vec::new();
        for f in reasons {
            if !fixes.contains(&f.help.as_str()) {
                fixes.push(&f.help);
            }
        }
        Who {
            school: first(|f| f.school.as_ref()),
            ssid: first(|f| f.ssid.as_ref()),
            local: first(|f| f.local_student_id.as_ref()),
            name: first(|f| f.student_name.as_ref()),
            fix: fixes.join(" | "),
        }
    }
}

/// `rejected.csv`: every refused row with its source, line, rules and reasons, then the school
/// and student it is about and how to fix it.
fn rejected_csv(loaded: &Loaded<'_>, verdict: &Verdict, attendance: Option<&AttendanceOutcome>) -> Result<Output, Error> {
    // Cells a spreadsheet would run as a formula start with an apostrophe (report::csv::inert).
    let mut w = CsvWriter::new(Framing::Crlf);
    let err = |e: std::io::Error| Error::Write { path: "rejected.csv".into(), source: e };
    w.row([
        "source_file",
        "source_line",
        "record_type",
        "rules",
        "reasons",
        "row",
        "school",
        "ssid",
        "local_student_id",
        "student_name",
        "how_to_fix",
    ])
    .map_err(err)?;
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
        let who = Who::of(reasons);
        let cells: [&[u8]; 11] = [
            loaded.inputs[row.input].display.as_bytes(),
            line.as_bytes(),
            row.record_type.as_bytes(),
            rules.as_bytes(),
            messages.as_bytes(),
            row.source_bytes(),
            who.school.as_bytes(),
            who.ssid.as_bytes(),
            who.local.as_bytes(),
            who.name.as_bytes(),
            who.fix.as_bytes(),
        ];
        w.row_bytes(cells).map_err(err)?;
    }
    let refused = attendance.map_or(&[][..], |a| a.refused.as_slice());
    for r in refused {
        let rules: Vec<&str> = r.reasons.iter().map(|f| f.rule.id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let messages: Vec<&str> = r.reasons.iter().map(|f| f.message.as_str()).collect();
        let line = r.line.map(|l| l.to_string()).unwrap_or_default();
        let (rules, messages) = (rules.join(" "), messages.join(" | "));
        let who = Who::of(&r.reasons);
        let cells: [&[u8]; 11] = [
            r.file.as_bytes(),
            line.as_bytes(),
            r.record_type.as_bytes(),
            rules.as_bytes(),
            messages.as_bytes(),
            &r.row,
            who.school.as_bytes(),
            who.ssid.as_bytes(),
            who.local.as_bytes(),
            who.name.as_bytes(),
            who.fix.as_bytes(),
        ];
        w.row_bytes(cells).map_err(err)?;
    }
    let bytes = w.into_bytes().map_err(err)?;
    let record_types = BTreeMap::from([("rejected".to_owned(), (verdict.rejected.len() + refused.len()) as u64)]);
    Ok(Output { name: "rejected.csv".to_owned(), bytes, record_types })
}

fn manifest(
    schema: &Schema,
    loaded: &Loaded<'_>,
    verdict: &Verdict,
    attendance: Option<&AttendanceOutcome>,
    outputs: &[Output],
    as_of: NaiveDate,
    census_day: Option<NaiveDate>,
) -> Result<Manifest, Error> {
    let versioned = Versioned { name: schema.name.clone(), version: schema.version.clone(), origin: schema.origin.clone() };
    let mut m = Manifest::new(versioned, as_of.to_string());
    m.layouts = loaded.layouts.iter().map(|l| Versioned { name: l.name.clone(), version: l.version.clone(), origin: l.origin.clone() }).collect();
    m.academic_year = verdict.year.map(|y| y.to_string());
    m.census_day = census_day.map(|d| d.to_string());
    m.inputs = input_entries(loaded, verdict, attendance)?;
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
    let refused = attendance.map(|a| a.refused.iter().map(|r| r.reasons.clone()).collect::<Vec<_>>()).unwrap_or_default();
    for reasons in verdict.rejected.values().chain(&refused) {
        let mut ids: Vec<&str> = reasons.iter().map(|f| f.rule.id).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            *m.rejected_by_rule.entry(id.to_owned()).or_default() += 1;
        }
    }
    Ok(m)
}

fn input_entries(loaded: &Loaded<'_>, verdict: &Verdict, attendance: Option<&AttendanceOutcome>) -> Result<Vec<InputEntry>, Error> {
    let mut entries = Vec::new();
    for (i, input) in loaded.inputs.iter().enumerate() {
        let rows = loaded.rows.iter().filter(|r| r.input == i).count() as u64;
        let rejected = verdict.rejected.keys().filter(|r| loaded.rows[**r].input == i).count() as u64;
        let (kind, record_type, unknown_columns) = match &loaded.kinds[i] {
            InputClass::Extract(e) => (InputKind::Extract, Some(e.layout.record_type.clone()), e.unknown.clone()),
            InputClass::Calpads => (InputKind::Calpads, None, Vec::new()),
            InputClass::Calendar => (InputKind::Calendar, None, Vec::new()),
            InputClass::Attendance => (InputKind::Attendance, Some(ATTENDANCE.to_owned()), Vec::new()),
        };
        let sha256 = sha256_file(&input.path)?;
        // Daily records are counted into stas.txt (written) or refused with a finding.
        let (rows, rejected) = match attendance.and_then(|a| a.records.iter().find(|r| r.0 == i)) {
            Some((_, read, counted)) => (*read, read - counted),
            None if matches!(loaded.kinds[i], InputClass::Calendar) => (0, 0),
            None => (rows, rejected),
        };
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
