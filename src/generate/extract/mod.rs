//! District extracts: CSV files with a header row, as student information systems export
//! them (comma, semicolon, tab or caret; quoted fields; BOM; CR LF or LF). Each extract is
//! matched to one CALPADS layout, its columns to layout fields ([`columns`], [`mapping`]),
//! and each row becomes one caret record ([`Row`]): codes translated, dates normalised
//! ([`dates`]), every other value copied byte for byte. Problems become findings on the
//! row; only an extract that cannot be matched at all is an error.
//!
//! Extracts are the one input [`crate::source`] does not open: they have a header row, four
//! possible delimiters and real CSV quoting, where CALPADS files have none of these.

pub mod columns;
pub mod dates;
pub mod mapping;

use crate::source::cap::{LineCap, Mode, DEFAULT_MAX_RECORD_BYTES};
use crate::source::caret::{strip_cr, BOM};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use csv::ByteRecord;

use crate::diagnostic::{Excerpt, Finding};
use crate::domain::date::AcademicYear;
use crate::error::Error;
use crate::error::GenerateError;
use crate::layout::delimited::forbidden;
use crate::rules::generate as rules;
use crate::rules::{structure, Rule};
use crate::schema::{names, Layout, Required, Schema, ValueFormat};
use crate::source::{Input, LoneCr};
use dates::ExtractDate;
use mapping::Mapping;

/// One input row on its way to an output record.
#[derive(Debug, Clone)]
pub struct Row {
    /// Index of the input file in the run's input list.
    pub input: usize,
    /// 1-based line of the row in its input.
    pub line: u64,
    /// The record type it becomes (`SENR`), or what its first field said.
    pub record_type: String,
    /// The caret record, without terminator (values the record cannot carry are removed
    /// here, and the row is refused).
    pub text: Vec<u8>,
    /// The row as read, its cells written again as CSV with the input's delimiter (quoted
    /// where needed), as text for excerpts; invalid UTF-8 shows as U+FFFD here.
    pub source: String,
    /// The same bytes exactly, when they are not valid UTF-8 (else `source` is them).
    pub raw: Option<Vec<u8>>,
    /// Findings made while converting it; any fatal one refuses the row.
    pub findings: Vec<Finding>,
    /// Fields whose check findings repeat a conversion finding.
    pub suppress: Vec<String>,
    /// Whether the record can be checked at all (a known record type, the right cell count).
    pub checkable: bool,
}

impl Row {
    /// A row read from `rec` (nothing converted yet), and the byte span of each cell in its
    /// source text.
    fn new(input: usize, line: u64, record_type: String, rec: &ByteRecord, delimiter: u8) -> (Row, Vec<(usize, usize)>) {
        let (source, spans, raw) = encoded(rec, delimiter);
        let row = Row { input, line, record_type, text: Vec::new(), source, raw, findings: Vec::new(), suppress: Vec::new(), checkable: true };
        (row, spans)
    }

    /// The row as read, cells quoted where needed, byte for byte (for `rejected.csv`): a CSV
    /// reader with the input's delimiter reads it back as the same cells.
    pub fn source_bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.source.as_bytes())
    }
}

/// Where one layout field's value comes from in an extract.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CellSource {
    Column(usize),
    Constant(String),
    RecordType,
    Blank,
}

/// An extract matched to a layout, ready to convert rows.
#[derive(Debug)]
pub struct Extract<'s> {
    /// Index of the input in the run's input list.
    pub index: usize,
    pub display: String,
    pub layout: &'s Layout,
    pub delimiter: u8,
    pub headers: Vec<String>,
    /// Headers no field takes, in file order.
    pub unknown: Vec<String>,
    sources: Vec<CellSource>,
    year_hint: AcademicYear,
}

/// Streams the rows of one CSV file through one reused `ByteRecord`.
pub struct CsvRows {
    csv: csv::Reader<BufReader<LineCap<LoneCr<File>>>>,
    scratch: Vec<u8>,
    pub delimiter: u8,
    /// Length of the byte-order mark skipped before the CSV reader.
    bom: u64,
    /// Bytes after the BOM, and whether the file's last byte is a line feed.
    len: u64,
    ends_with_lf: bool,
    /// Where the reader started the last record: byte after the BOM and line, blank lines
    /// before the record included.
    last: Option<(u64, u64)>,
}

impl CsvRows {
    /// Opens `path`, skipping a BOM and sniffing the delimiter from the first line.
    pub fn open(path: &Path) -> Result<CsvRows, Error> {
        let err = |source| Error::Read { path: path.to_path_buf(), source };
        let mut file = File::open(path).map_err(err)?;
        let len = file.metadata().map_err(err)?.len();
        // A last CR alone ends the last row too (it is read as LF, see `LoneCr`).
        let ends_with_lf = matches!(last_byte(path, len).map_err(err)?, Some(b'\n' | b'\r'));
        let mut head = Vec::with_capacity(1 << 16);
        (&mut file).take(1 << 16).read_to_end(&mut head).map_err(err)?;
        let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
        let delimiter = sniff(&head[bom..]);
        file.seek(SeekFrom::Start(bom as u64)).map_err(err)?;
        // A row over the cap stops the run with its line (no extract row is megabytes long).
        let capped = LineCap::new(LoneCr::new(file), DEFAULT_MAX_RECORD_BYTES, Mode::Fail);
        let buf = BufReader::with_capacity(1 << 16, capped);
        let mut b = csv::ReaderBuilder::new();
        b.delimiter(delimiter).has_headers(false).flexible(true).terminator(csv::Terminator::Any(b'\n'));
        let bom = bom as u64;
        Ok(CsvRows { csv: b.from_reader(buf), scratch: Vec::new(), delimiter, bom, len: len.saturating_sub(bom), ends_with_lf, last: None })
    }

    /// The first line of the record just read. The reader's own position for a record is
    /// where it started looking, before the blank lines it skipped; counting back from the
    /// end of the record (its line feeds inside quoted values and its terminator) gives the
    /// line the record is on.
    fn record_line(&self, rec: &ByteRecord) -> u64 {
        let end = self.csv.position();
        let inside = rec.as_slice().iter().filter(|b| **b == b'\n').count() as u64;
        let terminated = end.byte() < self.len || self.ends_with_lf;
        end.line().saturating_sub(inside + u64::from(terminated))
    }

    /// The next non-blank row and its 1-based line; `None` at the end. A quote that is
    /// never closed (the last record would swallow the rest of the file) is an error naming
    /// the line it opens on.
    pub fn next(&mut self, rec: &mut ByteRecord, path: &Path) -> Result<Option<u64>, Error> {
        loop {
            match self.csv.read_byte_record(rec) {
                Ok(true) => {
                    let line = self.record_line(rec);
                    self.last = rec.position().map(|p| (p.byte(), p.line()));
                    strip_cr(rec, &mut self.scratch);
                    if rec.len() == 1 && rec.as_slice().iter().all(|b| *b == b' ') {
                        continue;
                    }
                    return Ok(Some(line));
                }
                Ok(false) => {
                    if let Some((byte, line)) = self.last.take() {
                        if let Some((start, open)) = unclosed_quote(path, self.bom + byte, line, self.delimiter)? {
                            let note = if open == start { String::new() } else { format!(" (in the row that starts on line {start})") };
                            return Err(GenerateError::UnclosedQuote { file: path.display().to_string(), line: open, note }.into());
                        }
                    }
                    return Ok(None);
                }
                Err(e) => return Err(Error::Read { path: path.to_path_buf(), source: std::io::Error::other(e) }),
            }
        }
    }
}

/// The last byte of `path`, `len` bytes long.
fn last_byte(path: &Path, len: u64) -> std::io::Result<Option<u8>> {
    if len == 0 {
        return Ok(None);
    }
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(len - 1))?;
    let mut byte = [0u8; 1];
    file.read_exact(&mut byte)?;
    Ok(Some(byte[0]))
}

/// Reads `path` from byte `from` (where the reader started its last record, on line `line`)
/// to the end the way the CSV reader does. When a quoted value is still open at the end of
/// the file, returns the line the record starts on and the line the quote opens on. Only the
/// last record can end inside a quote: the reader takes everything after an unclosed quote,
/// up to the end of the file, as one value.
fn unclosed_quote(path: &Path, from: u64, line: u64, delimiter: u8) -> Result<Option<(u64, u64)>, Error> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let mut file = File::open(path).map_err(err)?;
    file.seek(SeekFrom::Start(from)).map_err(err)?;
    let mut file = LoneCr::new(file);
    let (mut state, mut line, mut opened, mut start) = (State::FieldStart, line, line, None);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if start.is_none() && b != b'\n' {
                start = Some(line);
            }
            state = match (state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (State::FieldStart, b'"') => {
                    opened = line;
                    State::Quoted
                }
                (_, b'\n') => State::FieldStart,
                (_, d) if d == delimiter => State::FieldStart,
                _ => State::Unquoted,
            };
            if b == b'\n' {
                line += 1;
            }
        }
    }
    Ok((state == State::Quoted).then_some((start.unwrap_or(line), opened)))
}

/// The delimiter of a header line (the first line that is not blank): whichever of `,` `;`
/// tab `^` occurs most outside quotes (comma when none does).
///
/// ```
/// assert_eq!(rollcall::generate::extract::sniff(b"SSID;\"Name, Legal\";Grade\r\n"), b';');
/// assert_eq!(rollcall::generate::extract::sniff(b"SSID\tGrade\n"), b'\t');
/// assert_eq!(rollcall::generate::extract::sniff(b"\r\n  \nSSID;Grade\n"), b';');
/// ```
pub fn sniff(head: &[u8]) -> u8 {
    let blank = |l: &&[u8]| l.iter().all(|b| matches!(b, b' ' | b'\r'));
    let line = head.split(|b| *b == b'\n').find(|l| !blank(l)).unwrap_or_default();
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'^'];
    let mut quoted = false;
    for b in line {
        if *b == b'"' {
            quoted = !quoted;
        } else if let Some(i) = candidates.iter().position(|c| c == b).filter(|_| !quoted) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|i| (counts[*i], std::cmp::Reverse(*i))).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// The record type of an extract: named in the mapping, in the file name, or told by its columns.
fn choose_layout(schema: &Schema, input: &Input, headers: &[String], mapping: &Mapping) -> Result<usize, Error> {
    let name = input.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let err = |reason: String| GenerateError::RecordType { file: input.display.clone(), name: name.clone(), reason };
    if let Some(t) = mapping.files.get(&name) {
        return schema.layouts.iter().position(|l| &l.record_type == t).ok_or_else(|| err(format!("the mapping names {t}")).into());
    }
    let lower = name.to_ascii_lowercase();
    let by_name: Vec<usize> = (0..schema.layouts.len()).filter(|i| lower.contains(&schema.layouts[*i].record_type.to_ascii_lowercase())).collect();
    if let [one] = by_name[..] {
        return Ok(one);
    }
    let matched = |l: &Layout| -> Vec<String> {
        let fields: Vec<&str> = l.fields.iter().map(|f| f.name.as_str()).collect();
        headers.iter().filter_map(|h| columns::field_for(h, mapping.columns.get(h).map(String::as_str), &fields)).map(str::to_owned).collect()
    };
    let scores: Vec<usize> = schema
        .layouts
        .iter()
        .map(|l| {
            let others: Vec<&Layout> = schema.layouts.iter().filter(|o| o.record_type != l.record_type).collect();
            matched(l).into_iter().filter(|f| !others.iter().any(|o| o.fields.iter().any(|of| &of.name == f))).count()
        })
        .collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let winners: Vec<usize> = (0..scores.len()).filter(|i| scores[*i] == best).collect();
    match winners[..] {
        [one] if best > 0 => Ok(one),
        _ => Err(err("its columns fit no one layout better than the others".to_owned()).into()),
    }
}

impl<'s> Extract<'s> {
    /// Reads the header of `input`, picks its layout and matches its columns. Returns the
    /// extract and its reader, positioned at the first data row.
    pub fn open(
        index: usize,
        input: &Input,
        schema: &'s Schema,
        mapping: &Mapping,
        as_of: chrono::NaiveDate,
    ) -> Result<(Extract<'s>, CsvRows), Error> {
        let mut rows = CsvRows::open(&input.path)?;
        let mut rec = ByteRecord::new();
        if rows.next(&mut rec, &input.path)?.is_none() {
            return Err(GenerateError::Header {
                file: input.display.clone(),
                reason: "the file is empty; an extract starts with a header row".to_owned(),
            }
            .into());
        }
        let headers: Vec<String> = rec.iter().map(|h| String::from_utf8_lossy(h).trim().to_owned()).collect();
        let layout = &schema.layouts[choose_layout(schema, input, &headers, mapping)?];
        let year_hint = mapping
            .constants
            .get(names::ACADEMIC_YEAR_ID)
            .and_then(|y| AcademicYear::parse(y.as_bytes()))
            .unwrap_or_else(|| AcademicYear::containing(as_of));
        let mut extract = Extract {
            index,
            display: input.display.clone(),
            layout,
            delimiter: rows.delimiter,
            headers,
            unknown: Vec::new(),
            sources: Vec::new(),
            year_hint,
        };
        extract.match_columns(mapping)?;
        extract.check_required()?;
        Ok((extract, rows))
    }

    fn match_columns(&mut self, mapping: &Mapping) -> Result<(), Error> {
        let fields: Vec<&str> = self.layout.fields.iter().map(|f| f.name.as_str()).collect();
        self.sources = vec![CellSource::Blank; fields.len()];
        for (i, h) in self.headers.iter().enumerate() {
            let Some(field) = columns::field_for(h, mapping.columns.get(h).map(String::as_str), &fields) else {
                if !h.is_empty() && !self.unknown.contains(h) {
                    self.unknown.push(h.clone());
                }
                continue;
            };
            let at = fields.iter().position(|f| *f == field).unwrap_or(0);
            if let CellSource::Column(first) = self.sources[at] {
                let (first, second) = (self.headers[first].clone(), h.clone());
                return Err(GenerateError::DuplicateColumn { file: self.display.clone(), field: field.to_owned(), first, second }.into());
            }
            self.sources[at] = CellSource::Column(i);
        }
        for (at, field) in fields.iter().enumerate() {
            match (&self.sources[at], mapping.constants.get(*field)) {
                (CellSource::Column(c), Some(_)) => {
                    return Err(GenerateError::ConstantAndColumn {
                        file: self.display.clone(),
                        field: (*field).to_owned(),
                        column: self.headers[*c].clone(),
                    }
                    .into());
                }
                (CellSource::Blank, Some(v)) => self.sources[at] = CellSource::Constant(v.clone()),
                (CellSource::Blank, None) if self.layout.fields[at].format == ValueFormat::RecordType => self.sources[at] = CellSource::RecordType,
                _ => {}
            }
        }
        Ok(())
    }

    /// Every required field of the year's layout needs a column or a constant.
    fn check_required(&self) -> Result<(), Error> {
        let missing: Vec<&str> = self
            .layout
            .fields
            .iter()
            .zip(&self.sources)
            .filter(|(f, s)| f.is_in(self.year_hint) && f.required == Required::Yes && **s == CellSource::Blank)
            .map(|(f, _)| f.name.as_str())
            .collect();
        let Some(first) = missing.first() else { return Ok(()) };
        let described: Vec<String> = missing
            .iter()
            .map(|m| {
                let near = columns::closest(m, self.unknown.iter().map(String::as_str));
                near.map_or_else(|| format!("`{m}` (no unused column is close)"), |c| format!("`{m}` (closest unused column: \"{c}\")"))
            })
            .collect();
        Err(GenerateError::MissingColumns { file: self.display.clone(), missing: described.join(", "), first: (*first).to_owned() }.into())
    }

    /// Converts one data row into a record of the row's academic year.
    pub fn convert(&self, rec: &ByteRecord, line: u64, mapping: &Mapping) -> Row {
        let (mut row, spans) = Row::new(self.index, line, self.layout.record_type.clone(), rec, self.delimiter);
        if rec.len() != self.headers.len() {
            let args = [("found", rec.len().to_string()), ("expected", self.headers.len().to_string())];
            row.findings.push(self.finding(&rules::COLUMN_COUNT, &row, None, &args, None));
            row.checkable = false;
            return row;
        }
        let year = self.row_year(rec);
        let mut first = true;
        for (field, source) in self.layout.fields.iter().zip(&self.sources) {
            let raw: &[u8] = match source {
                CellSource::Column(i) => rec.get(*i).unwrap_or_default(),
                CellSource::Constant(v) => v.as_bytes(),
                CellSource::RecordType => self.layout.record_type.as_bytes(),
                CellSource::Blank => b"",
            };
            let column = match source {
                CellSource::Column(i) => Some(*i),
                _ => None,
            };
            if !field.is_in(year) {
                // The year's record has no place for the field: a value in it is reported,
                // never dropped.
                if !raw.iter().all(|b| *b == b' ') && *source != CellSource::RecordType {
                    let from = column.map_or_else(|| "the mapping's constant".to_owned(), |c| format!("column `{}`", self.headers[c]));
                    let args = [
                        ("source", from),
                        ("value", String::from_utf8_lossy(raw).into_owned()),
                        ("field", field.name.clone()),
                        ("record_type", self.layout.record_type.clone()),
                        ("year", year.to_string()),
                    ];
                    let span = column.and_then(|c| spans.get(c).copied());
                    let f = self.finding(&rules::FIELD_NOT_IN_YEAR, &row, Some(&field.name), &args, span);
                    row.findings.push(f);
                }
                continue;
            }
            let value = self.value(field, mapping.translate(&field.name, raw), mapping, column, &spans, &mut row);
            if !first {
                row.text.push(b'^');
            }
            first = false;
            row.text.extend_from_slice(&value);
        }
        row
    }

    /// The academic year of a row (its academic_year_id), else the mapping's or today's.
    fn row_year(&self, rec: &ByteRecord) -> AcademicYear {
        let at = self.layout.fields.iter().position(|f| f.name == names::ACADEMIC_YEAR_ID);
        let value = at.and_then(|at| match &self.sources[at] {
            CellSource::Column(i) => rec.get(*i),
            CellSource::Constant(v) => Some(v.as_bytes()),
            _ => None,
        });
        value.and_then(AcademicYear::parse).unwrap_or(self.year_hint)
    }

    /// The output value of one field, with its findings added to `row`.
    fn value(
        &self,
        field: &crate::schema::FieldSpec,
        raw: &[u8],
        mapping: &Mapping,
        column: Option<usize>,
        spans: &[(usize, usize)],
        row: &mut Row,
    ) -> Vec<u8> {
        let header = column.map_or_else(|| "(constant)".to_owned(), |c| self.headers[c].clone());
        let span = column.and_then(|c| spans.get(c).copied());
        let shown = String::from_utf8_lossy(raw).into_owned();
        let mut value = raw.to_vec();
        if field.format == ValueFormat::Date {
            let date = dates::read(raw, mapping.slash_order);
            match date.ccyymmdd() {
                Some(text) => value = text.into_bytes(),
                None => {
                    let rule = if date == ExtractDate::Ambiguous { &rules::DATE_AMBIGUOUS } else { &rules::DATE_INVALID };
                    let args = [("column", header.clone()), ("value", shown.clone()), ("field", field.name.clone())];
                    let f = self.finding(rule, row, Some(&field.name), &args, span);
                    row.findings.push(f);
                    row.suppress.push(field.name.clone());
                }
            }
        }
        if let Some(what) = forbidden(&value, b'^') {
            let args = [("field", field.name.clone()), ("what", what.to_owned()), ("value", shown)];
            let f = self.finding(&rules::FORBIDDEN_CHAR, row, Some(&field.name), &args, span);
            row.findings.push(f);
            row.suppress.push(field.name.clone());
            value.retain(|b| !matches!(b, b'^' | b'\r' | b'\n'));
        }
        value
    }

    fn finding(&self, rule: &'static Rule, row: &Row, field: Option<&str>, args: &[(&str, String)], span: Option<(usize, usize)>) -> Finding {
        let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut f = Finding::new(rule, &refs);
        f.at.input = Some(self.index);
        f.at.line = Some(row.line);
        f.record_type = Some(self.layout.record_type.clone());
        f.field = field.map(str::to_owned);
        f.value = args.iter().find(|(k, _)| *k == "value").map(|(_, v)| v.clone());
        f.excerpt = Some(Excerpt { text: row.source.clone(), span });
        f
    }
}

/// The row's cells written again as one CSV record with `delimiter` by the csv writer
/// (quoted where a cell holds the delimiter, a quote or a line break, so a CSV reader gets
/// the same cells back): as text (lossy), each cell's byte span in that text, and the exact
/// bytes when they are not valid UTF-8.
fn encoded(rec: &ByteRecord, delimiter: u8) -> (String, Vec<(usize, usize)>, Option<Vec<u8>>) {
    // Each cell is written as a record of its own, so its quotes are complete when it is
    // flushed; the cells are then joined by the delimiter.
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut bytes = Vec::with_capacity(rec.as_slice().len() + rec.len());
    let mut text = String::with_capacity(bytes.capacity());
    let mut spans = Vec::with_capacity(rec.len());
    for (i, cell) in rec.iter().enumerate() {
        if i > 0 {
            bytes.push(delimiter);
            text.push(char::from(delimiter));
        }
        // Writing to memory does not fail; an empty cell is written as nothing (the writer
        // quotes a lone empty field).
        let at = w.get_ref().len();
        let quoted = !cell.is_empty() && w.write_record([cell]).is_ok() && w.flush().is_ok();
        let cell = if quoted { w.get_ref()[at..].strip_suffix(b"\n").unwrap_or(&w.get_ref()[at..]) } else { cell };
        bytes.extend_from_slice(cell);
        let cell = String::from_utf8_lossy(cell);
        spans.push((text.len(), cell.len()));
        text.push_str(&cell);
    }
    let raw = (text.as_bytes() != bytes.as_slice()).then_some(bytes);
    (text, spans, raw)
}

/// Converts one record of a CALPADS file (already in layout form) into a row.
pub fn calpads_row(schema: &Schema, index: usize, rec: &ByteRecord, line: u64, delimiter: u8) -> Row {
    let record_type = String::from_utf8_lossy(rec.get(0).unwrap_or_default()).into_owned();
    let (mut row, _) = Row::new(index, line, record_type.clone(), rec, delimiter);
    let mut finding = |rule: &'static Rule, args: &[(&str, &str)], field: Option<String>| {
        let mut f = Finding::new(rule, args);
        (f.at.input, f.at.line, f.field, f.record_type) = (Some(index), Some(line), field, Some(record_type.clone()));
        f.excerpt = Some(Excerpt { text: row.source.clone(), span: None });
        row.findings.push(f);
    };
    if schema.layout(record_type.as_bytes()).is_none() {
        let known = schema.layouts.iter().map(|l| l.record_type.as_str()).collect::<Vec<_>>().join(", ");
        finding(&structure::UNKNOWN_TYPE, &[("value", &record_type), ("known", &known)], None);
        row.checkable = false;
        return row;
    }
    let mut cells: Vec<Vec<u8>> = Vec::with_capacity(rec.len());
    for (i, cell) in rec.iter().enumerate() {
        let mut cell = cell.to_vec();
        if let Some(what) = forbidden(&cell, b'^') {
            finding(&rules::FORBIDDEN_CHAR, &[("field", &format!("field {}", i + 1)), ("what", what)], None);
            cell.retain(|b| !matches!(b, b'^' | b'\r' | b'\n'));
        }
        cells.push(cell);
    }
    crate::layout::delimited::push_record(&mut row.text, cells.iter().map(Vec::as_slice), b'^', b"");
    row
}

/// Whether `input` is a CALPADS file (its first record starts with a record type of the
/// schema) rather than an extract with a header row.
pub fn is_calpads(schema: &Schema, input: &Input) -> Result<bool, Error> {
    let mut reader = crate::source::CaretFile::open(0, input)?;
    let mut rec = ByteRecord::new();
    Ok(reader.next(&mut rec)?.is_some() && schema.layout(rec.get(0).unwrap_or_default()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row read back: its line and cells.
    type Read = (u64, Vec<Vec<u8>>);

    /// Every row of `text` (written to a file) with its line, or the error.
    fn rows_of(text: &[u8]) -> Result<Vec<Read>, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.csv");
        std::fs::write(&path, text).unwrap();
        let mut rows = CsvRows::open(&path).map_err(|e| e.to_string())?;
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while let Some(line) = rows.next(&mut rec, &path).map_err(|e| e.to_string())? {
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        Ok(out)
    }

    #[test]
    fn rows_keep_their_own_lines_after_blank_lines() {
        let lines = |text: &[u8]| rows_of(text).unwrap().iter().map(|(l, _)| *l).collect::<Vec<_>>();
        assert_eq!(lines(b"a,b\n1,2\n3,4\n"), [1, 2, 3]);
        assert_eq!(lines(b"\n\na,b\n\n1,2\n\n\n3,4"), [3, 5, 8]);
        assert_eq!(lines(b"a,b\r\n\r\n1,2\r\n"), [1, 3]);
        assert_eq!(lines(b"a,b\n\"x\ny\",2\n\n3,4\n"), [1, 2, 5], "a quoted line break stays in its row");
        assert_eq!(lines(b"\xEF\xBB\xBF\na;b\n1;2\n"), [2, 3]);
        // Rows ending with CR alone (old Mac and spreadsheet exports) are rows too.
        assert_eq!(lines(b"a,b\r1,2\r3,4\r"), [1, 2, 3]);
        assert_eq!(lines(b"a,b\r1,2\r\n3,4"), [1, 2, 3]);
    }

    #[test]
    fn a_blank_first_line_does_not_hide_the_delimiter() {
        let rows = rows_of(b"\r\n\nSSID;Grade\n1;05\n").unwrap();
        assert_eq!(rows[0].1, [b"SSID".to_vec(), b"Grade".to_vec()]);
        assert_eq!(rows[1], (4, vec![b"1".to_vec(), b"05".to_vec()]));
    }

    #[test]
    fn an_unclosed_quote_is_an_error_naming_its_line() {
        let err = rows_of(b"a,b\n1,2\n\"3,4\n5,6\n7,8\n").unwrap_err();
        assert!(err.contains(":3: a quote opened on this line is never closed"), "{err}");
        let err = rows_of(b"a,b\n\n1,\"x\ny\",\"z\n5,6").unwrap_err();
        assert!(err.contains(":4: a quote") && err.contains("starts on line 3"), "{err}");
        // Closed quotes, quotes inside unquoted values and escaped quotes are fine.
        for ok in [&b"a,b\n\"1,\"\"x\"\"\",2\n"[..], b"a,b\n5'10\",2\n", b"a,b\n\"x\ny\",2", b"a,b\n1,\"\"\n"] {
            assert!(rows_of(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
    }

    #[test]
    fn source_rows_are_quoted_so_they_read_back_as_the_same_cells() {
        let cells: Vec<&[u8]> = vec![b"6019715", b"RUIZ, GARCIA", b"say \"hi\"", b"JOS\xC9", b""];
        let rec = ByteRecord::from(cells.clone());
        let (text, spans, raw) = encoded(&rec, b',');
        let bytes = raw.clone().unwrap_or_else(|| text.clone().into_bytes());
        assert!(raw.is_some(), "invalid UTF-8 keeps its bytes");
        assert_eq!(&bytes[..], &b"6019715,\"RUIZ, GARCIA\",\"say \"\"hi\"\"\",JOS\xC9,"[..]);
        let mut back = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[..]);
        let mut again = ByteRecord::new();
        assert!(back.read_byte_record(&mut again).unwrap());
        assert_eq!(again.iter().collect::<Vec<_>>(), cells);
        assert_eq!(&text[spans[1].0..spans[1].0 + spans[1].1], "\"RUIZ, GARCIA\"");
        assert_eq!(&text[spans[3].0..spans[3].0 + spans[3].1], "JOS\u{FFFD}");
        let (plain, _, raw) = encoded(&ByteRecord::from(vec!["a", "b"]), b'^');
        assert_eq!((plain.as_str(), raw), ("a^b", None));
    }

    #[test]
    fn sniffs_each_delimiter() {
        assert_eq!(sniff(b"a,b,c"), b',');
        assert_eq!(sniff(b"a^b^c"), b'^');
        assert_eq!(sniff(b"\"a,b\";c"), b';');
        assert_eq!(sniff(b"single"), b',');
    }
}
