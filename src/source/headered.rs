//! District CSV files with a header row (the daily attendance extract; the calendar is read
//! whole by `rules::calendar`): what a file is, told from its header, and a headered file as a
//! record source. Columns are found by name, in any order and spelling ("Attendance Code",
//! `attendance_code`, "Att Code"), and given to the engine in the field order of a layout,
//! with the layout's record type as field 0, so the engine reads them like any other record.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

use csv::ByteRecord;

use super::cap::{LineCap, Mode, DEFAULT_MAX_RECORD_BYTES};
use super::caret::{strip_cr, BOM};
use super::{Input, Pos, RecordAt, RecordSource, Records, Shape};
use crate::error::Error;

/// Column names by what they mean, each with the spellings accepted (compared by
/// [`normal`]: no case, spaces, `_` or `-`).
pub type Columns = [(&'static str, &'static [&'static str])];

/// The calendar's columns.
pub const CALENDAR_COLUMNS: &Columns = &[
    ("school_of_attendance", &["schoolofattendance", "school", "schoolcode", "site", "sitecode"]),
    ("date", &["date", "calendardate", "day"]),
    ("day_type", &["daytype", "type", "kind"]),
    ("school_month", &["schoolmonth", "month", "monthnumber"]),
];

/// The daily attendance extract's columns.
pub const ATTENDANCE_COLUMNS: &Columns = &[
    ("ssid", &["ssid", "statestudentid", "statestudentidentifier"]),
    ("school_of_attendance", &["schoolofattendance", "school", "schoolcode", "site", "sitecode"]),
    ("date", &["date", "attendancedate", "absencedate", "day"]),
    ("attendance_code", &["attendancecode", "code", "attcode", "absencecode", "attendance"]),
    ("minutes_absent", &["minutesabsent", "minutes", "minutesmissed"]),
    ("local_student_id", &["localstudentid", "permid", "studentid", "localid", "studentnumber"]),
];

/// A header cell compared without case, spaces, `_`, `-` or a byte-order mark.
///
/// ```
/// assert_eq!(rollcall::source::headered::normal(b"\xEF\xBB\xBFAttendance Code"), "attendancecode");
/// ```
pub fn normal(name: &[u8]) -> String {
    String::from_utf8_lossy(name)
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column of `headers` (normalized) that means `meaning` in `columns`.
pub fn find_column(columns: &Columns, meaning: &str, headers: &[String]) -> Option<usize> {
    let (_, aliases) = columns.iter().find(|(m, _)| *m == meaning)?;
    aliases.iter().find_map(|a| headers.iter().position(|h| h == a))
}

/// What a file is, by its first line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A CALPADS file, or anything else the CALPADS reader should see (and report on).
    Calpads,
    /// The attendance calendar.
    Calendar,
    /// Daily attendance.
    Attendance,
    /// Something rollcall does not check, and what it looks like ("rollcall's manifest of a
    /// generate run", "a district extract …"): named in the summary, never skipped silently.
    Other(String),
}

/// Record types a CALPADS file's first field may hold.
const RECORD_TYPES: [&str; 6] = ["SENR", "SINF", "STAS", "SENR-R", "SINF-R", "STAS-R"];

/// Whether a file's name says it holds data (`.txt`, `.csv`, `.dat`, or no extension): such a
/// file is read as CALPADS unless its content says otherwise, so a damaged one is reported.
fn data_name(path: &std::path::Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        None => true,
        Some(e) => ["txt", "csv", "dat", "tsv"].iter().any(|d| e.eq_ignore_ascii_case(d)),
    }
}

/// What a file that is no calendar, attendance or CALPADS file looks like, if it is one of
/// the kinds rollcall knows to leave alone.
fn other_kind(path: &std::path::Path, head: &[u8], cells: &[String], second: &[u8]) -> Option<String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    let text = String::from_utf8_lossy(head);
    let first_field = |line: &[u8]| {
        String::from_utf8_lossy(line.split(|b| matches!(b, b'^' | b',' | b';' | b'|' | b'\t')).next().unwrap_or_default()).trim().to_owned()
    };
    if RECORD_TYPES.contains(&first_field(head.strip_prefix(BOM).unwrap_or(head)).as_str()) {
        return None;
    }
    if text.trim_start().starts_with('{') && text.contains("\"outputs\"") && text.contains("\"inputs\"") {
        return Some("rollcall's manifest of a generate run".to_owned());
    }
    if cells.first().map(String::as_str) == Some("sourcefile") && cells.iter().any(|c| c == "reasons") {
        return Some("the rejected rows of a rollcall generate run".to_owned());
    }
    if name.ends_with(".toml")
        && (text.contains("[columns]") || text.contains("[codes") || text.contains("[files.") || text.contains("[attendance_codes]"))
    {
        return Some("a mapping file, read with --mapping".to_owned());
    }
    // A header row followed by rows that are not CALPADS records: a district extract.
    let header_like = cells.len() >= 3 && cells.iter().filter(|c| c.chars().any(char::is_alphabetic)).count() >= 3;
    if header_like && !RECORD_TYPES.contains(&first_field(second).as_str()) && !cells.iter().any(|c| c == "recordtypecode") {
        return Some("a district extract with a header row, which `rollcall generate` converts to CALPADS files".to_owned());
    }
    if data_name(path) {
        return None;
    }
    if head.contains(&0) {
        return Some("a binary file, not a text file".to_owned());
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    Some(format!("a .{ext} file, not a CALPADS file"))
}

/// The delimiter of a header line: whichever of `,` `;` tab occurs most (comma when none does).
fn header_delimiter(line: &[u8]) -> u8 {
    let count = |d: u8| line.iter().filter(|b| **b == d).count();
    [b',', b';', b'\t'].into_iter().max_by_key(|d| (count(*d), *d == b',')).unwrap_or(b',')
}

/// The header cells of a file's first line, normalized, and its delimiter.
fn header_of(head: &[u8]) -> (Vec<String>, u8) {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = header_delimiter(line);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).flexible(true).from_reader(line);
    let mut rec = ByteRecord::new();
    let cells = match rdr.read_byte_record(&mut rec) {
        Ok(true) => rec.iter().map(|c| normal(c.strip_suffix(b"\r").unwrap_or(c))).collect(),
        _ => Vec::new(),
    };
    (cells, delimiter)
}

/// Tells what `input` is from its first line: a calendar has a date and a day type column,
/// daily attendance a date and an attendance code column; everything else goes to the
/// CALPADS reader, which reports what it finds (a header row, an unknown record type).
pub fn sniff(input: &Input) -> Result<Kind, Error> {
    let err = |source| Error::Read { path: input.path.clone(), source };
    // A FIFO, socket or device is never opened: reading it would block or never end.
    if let Some(what) = super::irregular_kind(&std::fs::metadata(&input.path).map_err(err)?) {
        return Ok(Kind::Other(format!("{what}, not a regular file")));
    }
    let mut head = Vec::with_capacity(1 << 12);
    File::open(&input.path).map_err(err)?.take(1 << 12).read_to_end(&mut head).map_err(err)?;
    if head.iter().take_while(|b| **b != b'\n').any(|b| *b == b'^') {
        return Ok(Kind::Calpads);
    }
    let (cells, _) = header_of(&head);
    let has = |columns: &Columns, meaning: &str| find_column(columns, meaning, &cells).is_some();
    if has(CALENDAR_COLUMNS, "date") && has(CALENDAR_COLUMNS, "day_type") {
        return Ok(Kind::Calendar);
    }
    if has(ATTENDANCE_COLUMNS, "date") && has(ATTENDANCE_COLUMNS, "attendance_code") {
        return Ok(Kind::Attendance);
    }
    let second = head.split(|b| *b == b'\n').nth(1).unwrap_or_default();
    Ok(other_kind(&input.path, &head, &cells, second).map_or(Kind::Calpads, Kind::Other))
}

/// How the columns of a headered file become a layout's fields. The records hold the
/// layout's fields after the record type (the source gives the record type once: see
/// [`RecordSource::record_type`]), so a file whose columns are those fields in that order is
/// read straight into the engine's records, with no copy.
#[derive(Clone, Debug)]
struct ColumnMap {
    /// The layout's record type.
    record_type: Vec<u8>,
    /// For each layout field after the record type, the file's column holding it.
    order: Vec<Option<usize>>,
    /// Columns of the file, in file order: the record field each one is (if any).
    columns: Vec<Option<usize>>,
    delimiter: u8,
}

impl ColumnMap {
    /// Puts the cells of `row` (a file row) into `rec` in layout order.
    fn arrange(&self, row: &ByteRecord, rec: &mut ByteRecord) {
        rec.clear();
        for at in &self.order {
            rec.push_field(at.and_then(|c| row.get(c)).unwrap_or_default());
        }
    }

    /// Whether the file's columns are the record's fields in order (rows need no arranging).
    fn in_order(&self) -> bool {
        self.columns.len() == self.order.len() && self.order.iter().enumerate().all(|(i, c)| *c == Some(i))
    }

    /// Whether every column of the file is a layout field (so a record rebuilt from its
    /// fields is the file's line, quoting aside).
    fn complete(&self) -> bool {
        self.columns.iter().all(Option::is_some)
    }
}

/// A headered CSV file as a record source for one layout.
pub struct HeaderedCsv {
    index: usize,
    path: PathBuf,
    csv: csv::Reader<LineCap<File>>,
    map: ColumnMap,
    /// The columns are the record's fields in order: rows are read straight into the batch.
    direct: bool,
    row: ByteRecord,
    scratch: Vec<u8>,
    bom: u64,
    len: u64,
    /// The layout fields no column holds, and the file's columns no field takes.
    pub missing: Vec<String>,
    pub unused: Vec<String>,
}

impl HeaderedCsv {
    /// Opens input `index` as records of a layout (its record type, and its field names after
    /// the record type field), finding each field's column by the names `columns` accepts
    /// (and the field's own name).
    pub fn open(index: usize, input: &Input, record_type: &str, fields: &[&str], columns: &Columns) -> Result<HeaderedCsv, Error> {
        let err = |source| Error::Read { path: input.path.clone(), source };
        let mut file = File::open(&input.path).map_err(err)?;
        let len = file.metadata().map_err(err)?.len();
        let mut head = Vec::with_capacity(1 << 12);
        (&mut file).take(1 << 12).read_to_end(&mut head).map_err(err)?;
        let bom = if head.starts_with(BOM) { BOM.len() as u64 } else { 0 };
        let (headers, delimiter) = header_of(&head);
        file.seek(SeekFrom::Start(bom)).map_err(err)?;
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            // The csv reader's own buffer is the only one: the file's bytes are copied once.
            .buffer_capacity(1 << 16)
            .from_reader(LineCap::new(file, DEFAULT_MAX_RECORD_BYTES, Mode::Fail));
        let mut row = ByteRecord::new();
        csv.read_byte_record(&mut row).map_err(|e| err(std::io::Error::other(e)))?;
        let mut order = Vec::new();
        let mut taken = vec![None; headers.len()];
        let mut missing = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            let own = normal(field.as_bytes());
            let at = find_column(columns, field, &headers).or_else(|| headers.iter().position(|h| *h == own));
            if let Some(c) = at {
                taken[c] = Some(i);
            } else {
                missing.push((*field).to_owned());
            }
            order.push(at);
        }
        let unused = headers.iter().zip(&taken).filter(|(_, f)| f.is_none()).map(|(h, _)| h.clone()).collect();
        let map = ColumnMap { record_type: record_type.as_bytes().to_vec(), order, columns: taken, delimiter };
        let direct = map.in_order();
        Ok(HeaderedCsv { index, path: input.path.clone(), csv, map, direct, row, scratch: Vec::new(), bom, len, missing, unused })
    }
}

impl RecordSource for HeaderedCsv {
    fn input(&self) -> usize {
        self.index
    }

    fn shape(&self) -> Option<Shape> {
        None
    }

    fn fill(&mut self, batch: &mut Records) -> Result<(), Error> {
        let fields = self.map.order.len();
        loop {
            let Some((rec, pos)) = batch.next_slot() else { return Ok(()) };
            // Columns in the record's order: the row is parsed into the batch's record itself;
            // a row with more or fewer cells than the header is arranged like any other.
            let row = if self.direct { &mut *rec } else { &mut self.row };
            let more = self.csv.read_byte_record(row).map_err(|e| Error::Read { path: self.path.clone(), source: std::io::Error::other(e) })?;
            if !more {
                return Ok(());
            }
            strip_cr(row, &mut self.scratch);
            if row.len() == 1 && row.as_slice().is_empty() {
                continue;
            }
            let at = row.position().map_or((0, 0), |p| (p.line(), p.byte()));
            if !self.direct {
                self.map.arrange(&self.row, rec);
            } else if rec.len() != fields {
                std::mem::swap(rec, &mut self.row);
                self.map.arrange(&self.row, rec);
            }
            *pos = Pos { line: at.0, byte: at.1 + self.bom, lf: false, long: 0 };
            batch.commit();
        }
    }

    fn record_type(&self) -> Option<&[u8]> {
        Some(&self.map.record_type)
    }

    fn reader(&self) -> Box<dyn RecordAt> {
        Box::new(HeaderedAt { path: self.path.clone(), map: self.map.clone() })
    }

    fn size(&self) -> u64 {
        self.len
    }

    fn ends_without_crlf(&self) -> bool {
        false
    }
}

/// Reads one row of a headered file again, by its byte offset.
struct HeaderedAt {
    path: PathBuf,
    map: ColumnMap,
}

impl RecordAt for HeaderedAt {
    fn record_at(&self, at: &Pos) -> Result<ByteRecord, Error> {
        let err = |source| Error::Read { path: self.path.clone(), source };
        let mut file = File::open(&self.path).map_err(err)?;
        file.seek(SeekFrom::Start(at.byte)).map_err(err)?;
        let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(self.map.delimiter).from_reader(BufReader::new(file));
        let mut row = ByteRecord::new();
        csv.read_byte_record(&mut row).map_err(|e| err(std::io::Error::other(e)))?;
        strip_cr(&mut row, &mut Vec::new());
        let mut rec = ByteRecord::new();
        self.map.arrange(&row, &mut rec);
        Ok(rec)
    }

    fn delimiter(&self) -> u8 {
        self.map.delimiter
    }

    /// The row as the file has it: its columns in file order (the columns no field takes
    /// shown empty), the field's cell marked.
    fn text(&self, rec: &ByteRecord, field: Option<usize>) -> (String, Option<(usize, usize)>) {
        let mut row = ByteRecord::new();
        for f in &self.map.columns {
            row.push_field(f.and_then(|i| rec.get(i)).unwrap_or_default());
        }
        let column = field.and_then(|i| self.map.columns.iter().position(|f| *f == Some(i)));
        super::line_text(&row, self.map.delimiter, column)
    }

    fn record_type(&self) -> Option<&[u8]> {
        Some(&self.map.record_type)
    }

    fn span(&self, rec: &ByteRecord, field: usize) -> Option<(usize, usize)> {
        if !self.map.complete() {
            return None;
        }
        let column = self.map.columns.iter().position(|f| *f == Some(field))?;
        let mut start = 0;
        for (c, f) in self.map.columns.iter().enumerate().take(column) {
            start += f.and_then(|i| rec.get(i)).map_or(0, <[u8]>::len) + usize::from(c < column);
        }
        Some((start, rec.get(field)?.len()))
    }
}
