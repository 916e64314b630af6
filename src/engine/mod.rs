//! The check engine: one streaming pass over every source. A reading thread parses records
//! and runs the structure and field rules (`prepare`); the checking thread runs the record
//! rules, feeds the accumulators and gathers the compact whole-run keys; the within-file,
//! cross-file and identity rules run at the end, side by side. Findings go to a [`Sink`] as
//! soon as they are known.

mod prepare;

use chrono::NaiveDate;
use csv::ByteRecord;

pub use crate::diagnostic::Sink;
use crate::diagnostic::{Excerpt, Finding, RuleSet, Severity};
use crate::domain::calendar::Calendar;
use crate::domain::codes::digits;
use crate::domain::date::AcademicYear;
use crate::domain::directory::Directory;
use crate::error::Error;
use crate::rules::identity::People;
use crate::rules::keys::{FileFacts, Index};
use crate::rules::{self, cross, structure, within, Compiled, RecordCtx, Rule};
use crate::schema::names::ATTENDANCE;
use crate::schema::{names, Era, Schema};
use crate::source::headered::{HeaderedCsv, Kind, ATTENDANCE_COLUMNS};
use crate::source::{self, Batch, CaretFile, Input, Pos, RecordAt, RecordSource};
use indicatif::ProgressBar;
use prepare::{Prepare, Prepared};

/// Settings of one check run.
#[derive(Debug)]
pub struct Options {
    /// "Today" for rules about future dates.
    pub as_of: NaiveDate,
    /// Run the Fall 1 Census Day rules.
    pub census: bool,
    /// Census Day, when not the first Wednesday in October of the submission's year.
    pub census_date: Option<NaiveDate>,
    /// The district's attendance calendar, for the calendar rules.
    pub calendar: Option<Calendar>,
    /// The input the calendar was read from, when it is one of the run's inputs.
    pub calendar_input: Option<usize>,
    /// The rules that run (`--ignore` leaves some out: they are not run at all).
    pub rules: RuleSet,
    /// The school directory, for the directory rules.
    pub schools: Option<Directory>,
    /// Record types the run must have (`--require`): a missing one is fatal.
    pub require: Vec<String>,
    /// The academic year every file must be of (`--year`).
    pub year: Option<AcademicYear>,
    /// A progress bar the run advances by the bytes it has read (long runs on a terminal).
    pub progress: Option<ProgressBar>,
    /// The longest record read whole, in bytes (`--max-record-bytes`); a longer one is one
    /// STRUCT-RECORD-TOO-LONG finding.
    pub max_record_bytes: u64,
}

impl Options {
    /// Options with `as_of` as today and nothing else set.
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            census: false,
            census_date: None,
            calendar: None,
            calendar_input: None,
            rules: RuleSet::default(),
            schools: None,
            require: Vec::new(),
            year: None,
            progress: None,
            max_record_bytes: crate::source::cap::DEFAULT_MAX_RECORD_BYTES,
        }
    }

    /// Whether findings of `rule` are reported.
    pub fn reports(&self, rule: &Rule) -> bool {
        self.rules.on(rule)
    }
}

/// Whole-run work fed by the same streaming pass as the rules: census counts, and next the
/// attendance ledger. It sees every record that passed the structure checks, with the values
/// the field rules parsed, and whether a fatal finding was raised about it (a record the state
/// would reject).
///
/// An accumulator may report findings: about the record at hand (pushed to `out` in
/// [`Accumulator::add`], shown with the record's line), and about the whole run at the end
/// ([`Accumulator::finish`]).
pub trait Accumulator {
    /// Called once the inputs are open, before the first record: the run's options (the
    /// calendar read from the inputs is in them by then).
    fn begin(&mut self, _options: &Options) {}
    /// One record that passed the structure checks.
    fn add(&mut self, ctx: &RecordCtx<'_, '_>, fatal: bool, out: &mut Vec<Finding>);
    /// Called after the last record, before the whole-run rules' findings are sent.
    fn finish(&mut self, _out: &mut Vec<Finding>) {}
}

/// No whole-run work beside the rules.
pub struct Nothing;

impl Accumulator for Nothing {
    fn add(&mut self, _: &RecordCtx<'_, '_>, _: bool, _: &mut Vec<Finding>) {}
}

/// Two accumulators fed by the same pass.
pub struct Both<'a>(pub &'a mut dyn Accumulator, pub &'a mut dyn Accumulator);

impl Accumulator for Both<'_> {
    fn begin(&mut self, options: &Options) {
        self.0.begin(options);
        self.1.begin(options);
    }
    fn add(&mut self, ctx: &RecordCtx<'_, '_>, fatal: bool, out: &mut Vec<Finding>) {
        self.0.add(ctx, fatal, out);
        self.1.add(ctx, fatal, out);
    }
    fn finish(&mut self, out: &mut Vec<Finding>) {
        self.0.finish(out);
        self.1.finish(out);
    }
}

/// Counts of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub records: u64,
    /// Rules that did not run because an input they need was not given.
    pub not_checked: Vec<NotChecked>,
    /// Inputs that were not checked, and what they look like.
    pub not_read: Vec<NotRead>,
    /// Findings left out because a baseline accepts them (`--baseline`).
    pub accepted: u64,
}

/// An input the run did not check, and what it looks like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotRead {
    pub input: usize,
    pub looks_like: String,
}

/// A rule that did not run, and the option that would run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotChecked {
    pub rule: &'static Rule,
    /// The option to give, like `--schools FILE`.
    pub needs: &'static str,
}

/// Records of one file whose field count is another year's layout (STRUCT-LAYOUT-YEAR).
#[derive(Debug)]
struct WrongEra {
    line: u64,
    byte: u64,
    record_type: String,
    found: usize,
    expected: usize,
    year: AcademicYear,
    fits: Era,
    records: u64,
}

/// The first record of a file with one empty field too many: line, byte, fields found and
/// expected, year.
type Trailing = (u64, u64, usize, usize, AcademicYear);

/// Per-file state while a file streams by.
#[derive(Debug, Default)]
struct FileState {
    /// Records with one empty field too many: how many, and the first.
    trailing: (u64, Option<Trailing>),
    /// Records with bytes that are not UTF-8: how many, and the finding of the first.
    encoding: (u64, Option<Finding>),
    records: u64,
    wrong_eras: Vec<WrongEra>,
    year: Option<AcademicYear>,
    /// A record ending with LF alone in a CR LF file has been reported.
    mixed_endings: bool,
}

/// Checks a set of input files against a schema.
pub struct Checker<'s> {
    schema: &'s Schema,
    options: Options,
    inputs: &'s [Input],
    /// Per input, how to read its records again once streamed.
    readers: Vec<Option<Box<dyn RecordAt>>>,
    /// The reading thread's state (compiled layouts).
    prepare: Prepare<'s>,
    /// The checking thread's state.
    take: Take<'s>,
    /// Progress on standard error for long runs (hidden when it is not a terminal).
    progress: Option<ProgressBar>,
    /// Bytes of the files already checked, for the progress bar.
    done_bytes: u64,
    /// Inputs not checked (recognised as something else).
    not_read: Vec<NotRead>,
}

/// What the checking thread keeps while records stream by: the whole-run keys, the identity
/// records, the current record's findings.
struct Take<'s> {
    schema: &'s Schema,
    /// Whether any identity rule runs (its bookkeeping is skipped otherwise).
    identity_on: bool,
    /// Whether any within-file or cross-file rule runs: the per-record keys are only gathered
    /// then, so field and record rules alone run in memory that does not grow.
    index_on: bool,
    /// Per layout: the spans of years with one field list.
    eras: Vec<Vec<Era>>,
    index: Index,
    people: People,
    findings: Vec<Finding>,
}

impl<'s> Checker<'s> {
    pub fn new(schema: &'s Schema, inputs: &'s [Input], options: Options) -> Checker<'s> {
        let eras = schema.layouts.iter().map(crate::schema::Layout::eras).collect();
        let identity_on = rules::identity::RULES.iter().any(|r| options.reports(r));
        let directory = if options.schools.is_some() { rules::directory::RULES } else { &[] };
        let index_on = within::RULES.iter().chain(cross::RULES).chain(directory).any(|r| options.reports(r));
        let progress = options.progress.clone();
        Checker {
            schema,
            prepare: Prepare::new(schema, options.as_of, options.rules.clone()),
            take: Take { schema, identity_on, index_on, eras, index: Index::default(), people: People::default(), findings: Vec::new() },
            options,
            inputs,
            readers: (0..inputs.len()).map(|_| None).collect(),
            progress,
            done_bytes: 0,
            not_read: Vec::new(),
        }
    }

    /// Reports the bytes read to `bar` as the files are checked.
    #[must_use]
    pub fn with_progress(mut self, bar: ProgressBar) -> Self {
        self.progress = Some(bar);
        self
    }

    /// Checks every input file, then the cross-record rules, sending findings to `sink`.
    pub fn run(&mut self, sink: &mut dyn Sink) -> Result<Totals, Error> {
        let sources = self.open_inputs(sink)?;
        self.run_sources(sources, sink)
    }

    /// Tells each input from its first line and opens it: the calendar is read (its findings
    /// go to `sink` now) and becomes the run's calendar; CALPADS files stream first, daily
    /// attendance after them (it is checked against the enrollments read before it).
    fn open_inputs(&mut self, sink: &mut dyn Sink) -> Result<Vec<Box<dyn RecordSource>>, Error> {
        let mut calpads: Vec<Box<dyn RecordSource>> = Vec::new();
        let mut attendance: Vec<Box<dyn RecordSource>> = Vec::new();
        for (i, input) in self.inputs.iter().enumerate() {
            match source::headered::sniff(input)? {
                Kind::Calpads => calpads.push(Box::new(CaretFile::open_capped(i, input, self.options.max_record_bytes)?)),
                Kind::Calendar => {
                    if let Some(first) = self.options.calendar_input {
                        let names = format!("{} and {}", self.inputs[first].display, input.display);
                        return Err(Error::Argument { arg: "PATHS", message: format!("two attendance calendars: {names}; give one") });
                    }
                    let (calendar, findings) = rules::calendar::read(&input.path, i, self.options.census_date)?;
                    for f in findings {
                        self.emit(f, None, sink)?;
                    }
                    self.options.calendar = Some(calendar);
                    self.options.calendar_input = Some(i);
                }
                Kind::Other(looks_like) => self.not_read.push(NotRead { input: i, looks_like }),
                Kind::Attendance => match self.schema.layout(ATTENDANCE.as_bytes()) {
                    Some((layout, _)) => {
                        let layout = &self.schema.layouts[layout];
                        let fields: Vec<&str> = layout.fields.iter().skip(1).map(|f| f.name.as_str()).collect();
                        attendance.push(Box::new(HeaderedCsv::open(i, input, &layout.record_type, &fields, ATTENDANCE_COLUMNS)?));
                    }
                    None => {
                        return Err(Error::Argument {
                            arg: "--schemas",
                            message: format!("the schema set has no {ATTENDANCE} layout to read {} with", input.display),
                        })
                    }
                },
            }
        }
        calpads.extend(attendance);
        Ok(calpads)
    }

    /// Checks every source (files, records in memory), then the cross-record rules.
    pub fn run_sources(&mut self, sources: Vec<Box<dyn RecordSource>>, sink: &mut dyn Sink) -> Result<Totals, Error> {
        self.run_accumulating(sources, sink, &mut Nothing)
    }

    /// Checks every input file, feeding `acc` in the same pass.
    pub fn run_files_accumulating(&mut self, sink: &mut dyn Sink, acc: &mut dyn Accumulator) -> Result<Totals, Error> {
        let sources = self.open_inputs(sink)?;
        self.run_accumulating(sources, sink, acc)
    }

    /// Checks every source, feeding `acc` with every record in the same pass, then runs the
    /// cross-record rules.
    pub fn run_accumulating(&mut self, sources: Vec<Box<dyn RecordSource>>, sink: &mut dyn Sink, acc: &mut dyn Accumulator) -> Result<Totals, Error> {
        let mut totals =
            Totals { files: self.inputs.len(), records: 0, not_checked: Vec::new(), not_read: std::mem::take(&mut self.not_read), accepted: 0 };
        acc.begin(&self.options);
        for source in sources {
            totals.records += self.check_source(source, sink, acc)?;
        }
        let mut cross = Vec::new();
        acc.finish(&mut cross);
        let inputs = self.inputs;
        let name_of = |i: usize| inputs.get(i).map_or_else(String::new, |x| x.display.clone());
        // The identity rules and the within-file and cross-file rules share nothing: they run
        // side by side on the two cores.
        let mut people = std::mem::take(&mut self.take.people);
        let mut index = std::mem::take(&mut self.take.index);
        let year = self.submission_year_of(&index);
        let this = &*self;
        let identity = std::thread::scope(|scope| {
            let identity = scope.spawn(|| {
                let mut found = Vec::new();
                if this.take.identity_on {
                    let value_of = |at: rules::keys::RecordRef, field: &str| this.value_at(at, field);
                    people.check(&this.options.rules, &name_of, &value_of, &mut found);
                }
                found
            });
            this.whole_run(&mut index, year, &name_of, &mut cross);
            identity.join().unwrap_or_default()
        });
        self.take.index = index;
        cross.extend(identity);
        totals.not_checked = self.not_checked();
        for mut f in cross.into_iter().filter(|f| self.options.reports(f.rule)) {
            self.complete(&mut f, sink)?;
            sink.finding(f).map_err(Error::stdout)?;
        }
        Ok(totals)
    }

    /// The within-file, cross-file and directory rules, once every record is in.
    fn whole_run(&self, index: &mut Index, year: AcademicYear, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
        let rules = &self.options.rules;
        if rules.on(&cross::SSID_KNOWN) {
            cross::resolve_new_students(index, name_of, out);
        }
        within::check(index, name_of, crate::domain::date::day_number(self.options.as_of), rules, out);
        self.run_requirements(index, name_of, out);
        // A calendar of another year than the records is one finding, and is not used.
        let mut calendar = self.options.calendar.as_ref();
        if let (Some(cal), Some(input)) = (calendar, self.options.calendar_input) {
            if let Some(cal_year) = cal.year().filter(|y| *y != year && index.enrollments.iter().any(|e| e.year == year)) {
                if rules.on(&rules::calendar::WRONG_YEAR) {
                    let mut f = Finding::new(&rules::calendar::WRONG_YEAR, &[("calendar_year", &cal_year.to_string()), ("year", &year.to_string())]);
                    f.at.input = Some(input);
                    f.record_type = Some("calendar".to_owned());
                    out.push(f);
                }
                calendar = None;
            }
        }
        let ctx = cross::CrossCtx {
            year,
            census_day: self.options.census_date.unwrap_or_else(|| year.census_day()),
            census: self.options.census,
            calendar,
            name_of,
            rules,
        };
        cross::check(index, &ctx, out);
        if let (Some(cal), Some(input), true) = (&self.options.calendar, self.options.calendar_input, rules.on(&rules::calendar::NO_CALENDAR)) {
            out.extend(rules::calendar::schools_without_calendar(
                cal,
                index.enrollments.iter().filter(|e| !e.covers_no_day()).map(|e| e.school),
                input,
            ));
        }
        if let (Some(dir), true) = (&self.options.schools, rules.any_on(rules::directory::RULES)) {
            rules::directory::check(index, dir, out);
        }
    }

    /// `--require` and `--year`: a required record type with no records, a file of another
    /// year (one finding per file, at its first record).
    fn run_requirements(&self, index: &Index, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
        for wanted in &self.options.require {
            let record_type = wanted.to_ascii_uppercase();
            if index.seen.of(&record_type) == 0 && self.options.rules.on(&structure::MISSING_TYPE) {
                out.push(Finding::new(&structure::MISSING_TYPE, &[("record_type", &record_type)]));
            }
        }
        let Some(year) = self.options.year else { return };
        for (i, facts) in index.files.iter().enumerate() {
            let Some(found) = facts.year.filter(|y| *y != year) else { continue };
            if self.options.rules.on(&structure::WRONG_YEAR) {
                let name = name_of(i);
                let mut f = Finding::new(&structure::WRONG_YEAR, &[("file", &name), ("found", &found.to_string()), ("year", &year.to_string())]);
                (f.at.input, f.at.line, f.record_type) = (Some(i), Some(facts.line), facts.record_type.clone());
                out.push(f);
            }
        }
    }

    /// The rules that need an input this run was not given, when the run has records they read.
    fn not_checked(&self) -> Vec<NotChecked> {
        if self.take.index.seen.of("SENR") == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut add = |rules: &[&'static Rule], given: bool, needs: &'static str| {
            if !given {
                out.extend(rules.iter().filter(|r| self.options.reports(r)).map(|rule| NotChecked { rule, needs }));
            }
        };
        add(rules::directory::RULES, self.options.schools.is_some(), "--schools FILE");
        add(&[&cross::NON_SCHOOL_DAY], self.options.calendar.is_some(), "--calendar FILE");
        add(&[&cross::SINF_CENSUS], self.options.census, "--census");
        out
    }

    /// The submission's academic year: the year of most of the upload files' records, else of
    /// any record, else the year of `as_of`.
    pub fn submission_year(&self) -> AcademicYear {
        self.submission_year_of(&self.take.index)
    }

    fn submission_year_of(&self, index: &Index) -> AcademicYear {
        // The year of most of the upload files' records (a stray file of another year does not
        // move it), else of any file, else today's.
        index
            .majority_year()
            .or_else(|| index.files.iter().filter_map(|f| f.year).max())
            .unwrap_or_else(|| AcademicYear::containing(self.options.as_of))
    }

    fn check_source(&mut self, mut source: Box<dyn RecordSource>, sink: &mut dyn Sink, acc: &mut dyn Accumulator) -> Result<u64, Error> {
        let file = source.input();
        while self.take.index.files.len() <= file {
            self.take.index.files.push(FileFacts::default());
        }
        let reader = source.reader();
        let mut state = FileState::default();
        let ending = source.shape().map(|s| s.ending);
        let lf_only = ending.is_some_and(|e| e != source::Ending::CrLf);
        if let Some(shape) = source.shape().filter(|s| matches!(s.delimiter, b';' | b'\t' | b'|')) {
            let what = match shape.delimiter {
                b';' => "semicolons",
                b'\t' => "tabs",
                _ => "bars (|)",
            };
            let mut f = Finding::new(&structure::DELIMITER, &[("what", what)]);
            f.at.input = Some(file);
            self.emit(f, None, sink)?;
        }
        if let (Some(ending), true) = (ending, lf_only) {
            let what = format!("records end with {}", ending.describe());
            let mut f = Finding::new(&structure::LINE_ENDING, &[("what", &what)]);
            f.at.input = Some(file);
            self.emit(f, None, sink)?;
        }
        // Once per file: the first LF-only record of a CR LF file (often lines pasted in with
        // another tool). A record without CR is only known to end with LF alone once another
        // record follows it, or when the file's last bytes say so. (Records in memory have no
        // line endings.)
        let mut lf_record: Option<Pos> = None;
        let file_shaped = ending.is_some();
        self.prepare.start_file(source.record_type());
        let fields = prepare::Fields::new(self.schema, self.options.as_of, &self.options.rules);
        let heavy = |batch: &mut Batch<Prepared<'s>>| fields.run(file, batch);
        let (prepare, take, options, progress, done) = (&mut self.prepare, &mut self.take, &self.options, &self.progress, self.done_bytes);
        source::stream(
            source.as_mut(),
            |batch| prepare.forms(batch),
            &heavy,
            |batch: &Batch<Prepared<'s>>| {
                for ((rec, pos), prepared) in batch.records.records().iter().zip(&batch.prepared) {
                    if let Some(at) = lf_record.take() {
                        emit(options, mixed_endings(file, at), None, sink)?;
                        state.mixed_endings = true;
                    }
                    if file_shaped && pos.lf && !lf_only && !state.mixed_endings {
                        lf_record = Some(*pos);
                    }
                    take.record(file, *pos, rec, prepared, &mut state, options, acc);
                    let compiled = prepared.form.as_ref().map(|f| &*f.compiled);
                    for mut f in std::mem::take(&mut take.findings) {
                        // Bytes that are not UTF-8: one finding for the file, at its first record,
                        // with the count (a file saved in another encoding, not 100 problems).
                        if std::ptr::eq(f.rule, &structure::ENCODING) {
                            state.encoding.0 += 1;
                            if state.encoding.1.is_none() {
                                let field = f.field.as_deref().zip(compiled).and_then(|(name, c)| c.fields.iter().position(|x| x.spec.name == name));
                                f.at.span = field.and_then(|i| reader.span(rec, i));
                                let (text, span) = reader.text(rec, field);
                                f.excerpt = Some(Excerpt { text, span });
                                state.encoding.1 = Some(f);
                            }
                            continue;
                        }
                        emit(options, f, Some((rec, &*reader, compiled)), sink)?;
                    }
                }
                if let (Some(bar), Some((_, last))) = (progress, batch.records.records().last()) {
                    bar.set_position(done + last.byte);
                }
                Ok::<(), Error>(())
            },
        )?;
        self.readers[file] = Some(reader);
        self.done_bytes += source.size();
        if let Some(at) = lf_record {
            if source.ends_without_crlf() {
                self.emit(mixed_endings(file, at), None, sink)?;
            }
        }
        if let (n, Some(mut f)) = std::mem::take(&mut state.encoding) {
            if n > 1 {
                f.message = format!(
                    "{} (and {} more records of this file: it is probably saved in another encoding, such as Windows-1252)",
                    f.message,
                    n - 1
                );
            }
            self.emit(f, None, sink)?;
        }
        if let (n, Some((line, byte, found, expected, year))) = state.trailing {
            let delimiter = source.shape().map_or('^', |s| char::from(s.delimiter));
            let records = if n == 1 { "1 record".to_owned() } else { format!("{n} records") };
            let args = [
                ("records", records),
                ("delimiter", delimiter.to_string()),
                ("found", found.to_string()),
                ("expected", expected.to_string()),
                ("year", year.to_string()),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut f = Finding::new(&structure::TRAILING_DELIMITER, &args);
            (f.at.input, f.at.line, f.at.byte) = (Some(file), Some(line), Some(byte));
            self.emit(f, None, sink)?;
        }
        for wrong in std::mem::take(&mut state.wrong_eras) {
            self.emit(wrong_era_finding(file, &wrong), None, sink)?;
        }
        if state.records == 0 {
            self.emit(file_finding(&structure::EMPTY_FILE, file), None, sink)?;
        }
        Ok(state.records)
    }

    fn emit(&self, f: Finding, rec: Option<(&ByteRecord, &dyn RecordAt, Option<&Compiled<'_>>)>, sink: &mut dyn Sink) -> Result<(), Error> {
        emit(&self.options, f, rec, sink)
    }

    /// The layout of a record read again after the stream, whether it is a download form, and
    /// whether the record holds no record type field (its source gives it).
    fn layout_of(&self, rec: &ByteRecord, reader: &dyn RecordAt) -> Option<(usize, bool, bool)> {
        match reader.record_type() {
            Some(t) => self.schema.layout(t).map(|(l, d)| (l, d, true)),
            None => self.schema.layout(rec.get(0)?).map(|(l, d)| (l, d, false)),
        }
    }

    /// The position of field `name` in `rec`'s layout (read again after the stream).
    fn field_position(&self, rec: &ByteRecord, reader: &dyn RecordAt, name: &str) -> Option<usize> {
        let (layout, download, without_type) = self.layout_of(rec, reader)?;
        let year = self.prepare.year_of(rec, layout, without_type).unwrap_or_else(|| AcademicYear::containing(self.options.as_of));
        let at = self.schema.layouts[layout].fields_for(year, download).iter().position(|f| f.name == name)?;
        crate::schema::record_index(at, without_type)
    }

    /// The text of `field` in the record at `at`, read again from its source.
    fn value_at(&self, at: rules::keys::RecordRef, field: &str) -> Option<String> {
        let reader = self.readers.get(at.file as usize)?.as_ref()?;
        let rec = reader.record_at(&Pos { line: at.line, byte: at.byte, lf: false, long: 0 }).ok()?;
        let pos = self.field_position(&rec, &**reader, field)?;
        rec.get(pos).map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// Fills what a cross-record finding lacks (local record ID, value, excerpt) from its record.
    fn complete(&self, f: &mut Finding, sink: &mut dyn Sink) -> Result<(), Error> {
        let (Some(file), Some(byte), Some(line)) = (f.at.input, f.at.byte, f.at.line) else { return Ok(()) };
        let Some(Some(reader)) = self.readers.get(file) else { return Ok(()) };
        let rec = reader.record_at(&Pos { line, byte, lf: false, long: 0 })?;
        if let Some((layout, _, without_type)) = self.layout_of(&rec, &**reader) {
            let get = |name: &str| {
                let at = self.schema.layouts[layout].stable_index(name, without_type).and_then(|p| rec.get(p));
                at.filter(|v| !v.is_empty()).map(|v| String::from_utf8_lossy(v).into_owned())
            };
            f.local_record_id = get(names::LOCAL_RECORD_ID);
            f.school = get(names::SCHOOL_OF_ATTENDANCE);
            f.local_student_id = get(names::LOCAL_STUDENT_ID);
            f.student_name = rules::student_name(get("student_legal_first_name"), get("student_legal_last_name"));
            if f.ssid.is_none() {
                f.ssid = get(names::SSID);
            }
        }
        let field = f.field.as_deref().and_then(|name| self.field_position(&rec, &**reader, name));
        if let Some(pos) = field {
            f.value = rec.get(pos).map(|v| String::from_utf8_lossy(v).into_owned());
            f.at.span = reader.span(&rec, pos);
        }
        if sink.wants_excerpt(f.rule) {
            let (text, span) = reader.text(&rec, field);
            f.excerpt = Some(Excerpt { text, span });
        }
        Ok(())
    }
}

impl<'s> Take<'s> {
    /// Takes one record the reading thread prepared: structure findings, the record rules,
    /// the accumulator, the whole-run keys and the identity record. Its findings are left in
    /// `self.findings`.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        file: usize,
        pos: Pos,
        rec: &ByteRecord,
        prepared: &Prepared<'s>,
        state: &mut FileState,
        options: &Options,
        acc: &mut dyn Accumulator,
    ) {
        state.records += 1;
        let first = state.records == 1;
        if pos.long > 0 {
            self.too_long(file, pos, options);
            return;
        }
        let Some(form) = &prepared.form else {
            self.unknown_type(file, pos, rec, first);
            return;
        };
        let compiled = &*form.compiled;
        // Counted before any structure check: a record that cannot be read still says its file
        // holds this record type (see `Index::seen`).
        if let Some(family) = compiled.registered {
            self.index.seen.add(family.record_type);
        }
        let (schema, year) = (self.schema, form.year);
        let mut ctx = RecordCtx {
            file,
            line: pos.line,
            byte: pos.byte,
            record: rec,
            compiled,
            values: &[],
            as_of: options.as_of,
            schema,
            rules: &options.rules,
        };
        if !form.fits {
            let extra = if form.download { schema.layouts[form.layout].download_fields.len() } else { 0 };
            if let Some(fits) = self.eras[form.layout].iter().find(|e| !e.contains(year) && e.fields + extra == rec.len()) {
                match state.wrong_eras.iter_mut().find(|w| w.fits == *fits) {
                    Some(w) => w.records += 1,
                    None => state.wrong_eras.push(WrongEra {
                        line: pos.line,
                        byte: pos.byte,
                        record_type: compiled.record_type.clone(),
                        found: rec.len(),
                        expected: compiled.fields.len(),
                        year,
                        fits: fits.clone(),
                        records: 1,
                    }),
                }
                return;
            }
            let (found, expected) = (rec.len().to_string(), compiled.fields.len().to_string());
            let delims = (compiled.fields.len() - 1).to_string();
            let args =
                [("found", found.as_str()), ("expected", expected.as_str()), ("expected_delims", delims.as_str()), ("year", &year.to_string())];
            self.findings.push(ctx.finding(&structure::FIELD_COUNT, None, &args));
            return;
        }
        if form.trailing {
            if state.trailing.0 == 0 {
                state.trailing.1 = Some((pos.line, pos.byte, rec.len(), compiled.fields.len(), year));
            }
            state.trailing.0 += 1;
        }
        if self.index.files[file].record_type.is_none() {
            self.index.files[file] = self.file_facts(rec, compiled, form.layout, form.record_year, pos);
        }
        match (state.year, form.record_year) {
            (None, Some(y)) => state.year = Some(y),
            (Some(fy), Some(y)) if fy != y && !form.download => {
                let at = schema.layouts[form.layout].stable_index(names::ACADEMIC_YEAR_ID, compiled.without_type);
                self.findings.push(ctx.finding(&structure::ACADEMIC_YEAR_MIX, at, &[("file_year", &fy.to_string())]));
            }
            _ => {}
        }
        self.findings.extend(prepared.findings.iter().cloned());
        ctx.values = &prepared.values;
        let fatal = |findings: &[Finding]| findings.iter().any(|f| f.severity() == Severity::Fatal && options.reports(f.rule));
        let Some(family) = &compiled.family else {
            let refused = fatal(&self.findings);
            acc.add(&ctx, refused, &mut self.findings);
            return;
        };
        family.check(&ctx, &mut self.findings);
        let refused = fatal(&self.findings);
        acc.add(&ctx, refused, &mut self.findings);
        if self.index_on {
            family.add_keys(&ctx, &mut self.index);
        }
        // A record whose bytes are not UTF-8 has names that would differ from the same
        // student's other records only by their encoding: it takes no part in the identity rules.
        let encoded_badly = prepared.findings.iter().any(|f| std::ptr::eq(f.rule, &structure::ENCODING));
        if let (Some(fields), true, false) = (family.identity(), self.identity_on, encoded_badly) {
            if let Some(f) = compiled.registered {
                self.people.add(&ctx, fields, f.record_type);
            }
        }
    }

    fn file_facts(&self, rec: &ByteRecord, compiled: &Compiled<'_>, layout: usize, year: Option<AcademicYear>, pos: Pos) -> FileFacts {
        let lea = self.schema.layouts[layout]
            .stable_index(names::REPORTING_LEA, compiled.without_type)
            .and_then(|p| rec.get(p))
            .filter(|v| v.len() == 7)
            .and_then(digits);
        FileFacts {
            // As the file writes it (a download file's `SENR-R`), or as its source gives it.
            record_type: Some(if compiled.without_type {
                compiled.record_type.clone()
            } else {
                String::from_utf8_lossy(rec.get(0).unwrap_or_default()).into_owned()
            }),
            download: compiled.download,
            lea: lea.and_then(|l| u32::try_from(l).ok()),
            year,
            line: pos.line,
        }
    }

    fn unknown_type(&mut self, file: usize, pos: Pos, rec: &ByteRecord, first: bool) {
        let value: String = String::from_utf8_lossy(rec.get(0).unwrap_or_default()).chars().take(40).collect();
        // Control characters (NUL, escape …) are shown as U+XXXX so the message shows them.
        let shown: String = value.chars().map(|c| if c.is_control() { format!("<U+{:04X}>", u32::from(c)) } else { c.to_string() }).collect();
        let known = self.schema.layouts.iter().map(|l| l.record_type.as_str()).collect::<Vec<_>>().join(", ");
        let rule = if first && self.looks_like_header(rec) { &structure::HEADER_ROW } else { &structure::UNKNOWN_TYPE };
        let mut f = Finding::new(rule, &[("value", &shown), ("known", &known)]);
        f.at.input = Some(file);
        f.at.line = Some(pos.line);
        f.at.byte = Some(pos.byte);
        f.value = Some(value);
        self.findings.push(f);
    }

    /// STRUCT-RECORD-TOO-LONG: a record cut at the cap, left out of every other rule.
    fn too_long(&mut self, file: usize, pos: Pos, options: &Options) {
        let limit = options.max_record_bytes;
        let limit = if limit.is_multiple_of(1 << 20) { format!("{} MiB", limit >> 20) } else { format!("{limit} bytes") };
        let mut f = Finding::new(&structure::RECORD_TOO_LONG, &[("length", &pos.long.to_string()), ("limit", &limit)]);
        f.at.input = Some(file);
        f.at.line = Some(pos.line);
        f.at.byte = Some(pos.byte);
        self.findings.push(f);
    }

    /// A first line whose fields are field names (or say "record type") is a header row.
    fn looks_like_header(&self, rec: &ByteRecord) -> bool {
        let norm = |v: &[u8]| String::from_utf8_lossy(v).to_ascii_lowercase().replace([' ', '_', '-'], "");
        let names: Vec<String> = self.schema.layouts.iter().flat_map(|l| &l.fields).map(|f| norm(f.name.as_bytes())).collect();
        rec.iter().take(8).any(|v| {
            let v = norm(v);
            v.contains("recordtype") || names.contains(&v)
        })
    }
}

/// STRUCT-LINE-ENDING for a record that does not end with CR LF in a file that began with it.
fn mixed_endings(file: usize, at: Pos) -> Finding {
    let what = format!("line {} does not end with CR LF, but the file's first record does", at.line);
    let mut f = Finding::new(&structure::LINE_ENDING, &[("what", &what)]);
    f.at.input = Some(file);
    f.at.line = Some(at.line);
    f
}

/// Sends a finding to the sink when its rule runs, with the record's text when the sink shows it.
fn emit(
    options: &Options,
    mut f: Finding,
    rec: Option<(&ByteRecord, &dyn RecordAt, Option<&Compiled<'_>>)>,
    sink: &mut dyn Sink,
) -> Result<(), Error> {
    if !options.reports(f.rule) {
        return Ok(());
    }
    if let Some((rec, reader, compiled)) = rec {
        let field = f.field.as_deref().zip(compiled).and_then(|(name, c)| c.fields.iter().position(|x| x.spec.name == name));
        f.at.span = field.and_then(|i| reader.span(rec, i));
        if sink.wants_excerpt(f.rule) {
            let (text, span) = reader.text(rec, field);
            f.excerpt = Some(Excerpt { text, span });
        }
    }
    sink.finding(f).map_err(Error::stdout)
}

/// STRUCT-LAYOUT-YEAR: one finding for every record of a file in another year's layout.
fn wrong_era_finding(file: usize, w: &WrongEra) -> Finding {
    let what = if w.records == 1 { format!("1 {} record has", w.record_type) } else { format!("{} {} records have", w.records, w.record_type) };
    let args = [
        ("what", what),
        ("found", w.found.to_string()),
        ("record_type", w.record_type.clone()),
        ("fits", w.fits.describe()),
        ("year", w.year.to_string()),
        ("expected", w.expected.to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut f = Finding::new(&structure::LAYOUT_YEAR, &args);
    (f.at.input, f.at.line, f.at.byte, f.record_type) = (Some(file), Some(w.line), Some(w.byte), Some(w.record_type.clone()));
    f
}

fn file_finding(rule: &'static Rule, file: usize) -> Finding {
    let mut f = Finding::new(rule, &[]);
    f.at.input = Some(file);
    f
}

/// STRUCT-ENCODING for the first invalid byte, at `offset` into the record's field bytes.
pub(crate) fn encoding_finding(ctx: &RecordCtx<'_, '_>, rec: &ByteRecord, offset: usize) -> Finding {
    let bytes = rec.as_slice();
    let byte = bytes.get(offset).copied().unwrap_or(0);
    let field = (0..rec.len()).find(|&i| rec.range(i).is_some_and(|r| r.start <= offset && offset < r.end.max(r.start + 1)));
    // Column in the line: field bytes before the offset plus one delimiter per earlier field.
    let column = offset + field.unwrap_or(0) + 1;
    let cp1252 = cp1252_char(byte).map_or_else(|| "no character".to_owned(), crate::rules::field::describe_char);
    let args = [("byte", format!("{byte:02X}")), ("column", column.to_string()), ("cp1252", cp1252)];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ctx.finding(&structure::ENCODING, field, &args)
}

/// What a single byte means in Windows-1252, for the encoding hint.
fn cp1252_char(byte: u8) -> Option<char> {
    const HIGH: [char; 32] = [
        '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š',
        '›', 'œ', '\0', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => Some(HIGH[usize::from(byte - 0x80)]).filter(|c| *c != '\0'),
        0xA0..=0xFF => char::from_u32(u32::from(byte)),
        _ => None,
    }
}
