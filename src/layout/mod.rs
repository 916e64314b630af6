//! Writing files the state takes, and reading them back: CALPADS caret files
//! ([`delimited`]), and any file described by a layout ([`spec`]) — fixed-width
//! ([`fixed`]) or delimited — with header and trailer records, counts and control totals.
//! Values that do not fit are findings ([`crate::rules::generate`]); nothing is truncated, rounded or
//! altered. Files reach the disk through [`crate::generate::output`]: staged, then swapped in.

pub mod delimited;

pub mod fixed;
pub mod recheck;
pub mod spec;
pub mod value;

use std::collections::BTreeMap;

use crate::diagnostic::Finding;
use crate::error::Error;
use crate::error::GenerateError;
use crate::rules::generate as rules;
use spec::{discriminator, FileLayout, Framing, Kind, LayoutField, LayoutValue, RecordLayout, ValueSource};
use value::Problem;

/// Rows for a layout's detail records: named columns, one value per column per row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<LayoutValue>>,
}

/// A file written with a layout.
#[derive(Debug)]
pub struct Written {
    pub bytes: Vec<u8>,
    /// Records written, per kind.
    pub counts: BTreeMap<Kind, u64>,
    /// Values that did not fit; the file must not be used when there are any.
    pub findings: Vec<Finding>,
}

/// One record read back with a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRecord {
    pub kind: Kind,
    /// 1-based record number (the line, for files with a line terminator).
    pub line: u64,
    pub values: Vec<(String, LayoutValue)>,
}

impl ReadRecord {
    /// The value of field `name`.
    pub fn get(&self, name: &str) -> Option<&LayoutValue> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// A file read back with a layout: its records and everything wrong with it.
#[derive(Debug, Default)]
pub struct ReadBack {
    pub records: Vec<ReadRecord>,
    pub findings: Vec<Finding>,
}

/// Where record values come from while a file is written.
struct Plan<'a> {
    columns: BTreeMap<&'a str, usize>,
    params: &'a [(&'a str, LayoutValue)],
    counts: BTreeMap<Kind, u64>,
    sums: BTreeMap<&'a str, LayoutValue>,
}

/// Writes `table` (the detail rows) and the header and trailer the layout asks for.
/// A column or parameter the layout names but the caller does not supply is an error.
pub fn write_layout(layout: &FileLayout, table: &Table, params: &[(&str, LayoutValue)]) -> Result<Written, Error> {
    let plan = Plan::new(layout, table, params)?;
    let mut out = Written { bytes: Vec::new(), counts: BTreeMap::new(), findings: Vec::new() };
    let mut line = 0u64;
    for record in &layout.records {
        let rows: Vec<Option<&Vec<LayoutValue>>> = if record.kind == Kind::Detail { table.rows.iter().map(Some).collect() } else { vec![None] };
        for row in rows {
            line += 1;
            let values: Vec<LayoutValue> = record.fields.iter().map(|f| plan.value(f, row)).collect();
            let (bytes, problems) = encode(layout, record, &values);
            out.bytes.extend_from_slice(&bytes);
            out.bytes.extend_from_slice(layout.terminator.bytes());
            out.findings.extend(problems.into_iter().map(|p| problem_finding(&p, Some(line), record.kind)));
            *out.counts.entry(record.kind).or_default() += 1;
        }
    }
    if layout.eof_marker {
        out.bytes.push(0x1A);
    }
    Ok(out)
}

/// Checks that `back` (the file [`write_layout`] wrote, read back with [`read_layout`] without
/// findings) holds exactly the values that were written: every field of every record, compared
/// in its written form. A difference means the layout loses information (padding that reads
/// as part of the value), which is an error of the layout, not of the data.
pub fn verify_read_back(layout: &FileLayout, table: &Table, params: &[(&str, LayoutValue)], back: &ReadBack) -> Result<(), Error> {
    let plan = Plan::new(layout, table, params)?;
    let point = matches!(layout.form, Framing::Delimited { .. });
    let mut read = back.records.iter();
    let mismatch = |line: u64, field: &str, written: String, read: String| GenerateError::LayoutRoundTrip {
        layout: layout.origin.clone(),
        line,
        field: field.to_owned(),
        written,
        read,
    };
    let mut line = 0u64;
    for record in &layout.records {
        let rows: Vec<Option<&Vec<LayoutValue>>> = if record.kind == Kind::Detail { table.rows.iter().map(Some).collect() } else { vec![None] };
        for row in rows {
            line += 1;
            let Some(got) = read.next() else {
                return Err(mismatch(line, record.kind.as_str(), "a record".to_owned(), "nothing".to_owned()).into());
            };
            for f in &record.fields {
                let text = |v: &LayoutValue| {
                    value::render(f, v, point).map_or_else(|p| format!("({})", p.rule.id), |b| String::from_utf8_lossy(&b).into_owned())
                };
                let (written, back) = (text(&plan.value(f, row)), text(got.get(&f.name).unwrap_or(&LayoutValue::Blank)));
                if written != back {
                    return Err(mismatch(got.line, &f.name, written, back).into());
                }
            }
        }
    }
    match read.next() {
        Some(extra) => Err(mismatch(extra.line, extra.kind.as_str(), "nothing".to_owned(), "a record".to_owned()).into()),
        None => Ok(()),
    }
}

fn encode(layout: &FileLayout, record: &RecordLayout, values: &[LayoutValue]) -> (Vec<u8>, Vec<Problem>) {
    match layout.form {
        Framing::Fixed { record_length } => fixed::encode(record_length, record, values),
        Framing::Delimited { delimiter } => delimited::encode(delimiter, record, values),
    }
}

impl<'a> Plan<'a> {
    fn new(layout: &'a FileLayout, table: &'a Table, params: &'a [(&'a str, LayoutValue)]) -> Result<Plan<'a>, Error> {
        let columns: BTreeMap<&str, usize> = table.columns.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        let missing = |what: &'static str, name: &str, known: Vec<&str>| GenerateError::LayoutValue {
            layout: layout.origin.clone(),
            what,
            name: name.to_owned(),
            known: known.join(", "),
        };
        if let Some(c) = layout.columns().into_iter().find(|c| !columns.contains_key(c)) {
            return Err(missing("column", c, columns.keys().copied().collect()).into());
        }
        if let Some(p) = layout.params().into_iter().find(|p| !params.iter().any(|(n, _)| n == p)) {
            return Err(missing("parameter", p, params.iter().map(|(n, _)| *n).collect()).into());
        }
        let mut counts = BTreeMap::new();
        for r in &layout.records {
            counts.insert(r.kind, if r.kind == Kind::Detail { table.rows.len() as u64 } else { 1 });
        }
        let mut plan = Plan { columns, params, counts, sums: BTreeMap::new() };
        let totals = sums(layout, |t| table.rows.iter().map(|row| total_units(t, &plan.value(t, Some(row)))).fold(0, u64::saturating_add));
        plan.sums = totals;
        Ok(plan)
    }

    fn value(&self, field: &LayoutField, row: Option<&Vec<LayoutValue>>) -> LayoutValue {
        match &field.source {
            ValueSource::Column(c) => self.columns.get(c.as_str()).and_then(|i| row?.get(*i)).cloned().unwrap_or(LayoutValue::Blank),
            ValueSource::Constant(v) => LayoutValue::Text(v.clone()),
            ValueSource::Param(p) => self.params.iter().find(|(n, _)| n == p).map_or(LayoutValue::Blank, |(_, v)| v.clone()),
            ValueSource::Count(k) => LayoutValue::count(self.counts.get(k).copied().unwrap_or(0)),
            ValueSource::Sum(t) => self.sums.get(t.as_str()).cloned().unwrap_or(LayoutValue::Blank),
            ValueSource::Blank => LayoutValue::Blank,
        }
    }
}

/// The control totals: for every summed detail field, `total_of` that field.
fn sums(layout: &FileLayout, total_of: impl Fn(&LayoutField) -> u64) -> BTreeMap<&str, LayoutValue> {
    let mut out = BTreeMap::new();
    for f in layout.records.iter().flat_map(|r| &r.fields) {
        let ValueSource::Sum(target) = &f.source else { continue };
        let Some(t) = layout.detail().fields.iter().find(|d| &d.name == target) else { continue };
        out.insert(target.as_str(), LayoutValue::Number { units: total_of(t), scale: t.decimals });
    }
    out
}

/// A detail value in units of its field's decimals; invalid values (reported on their own
/// record) count as 0.
fn total_units(field: &LayoutField, v: &LayoutValue) -> u64 {
    value::units_at(field, v, field.decimals).unwrap_or(0)
}

/// A finding for a value problem at record `line` of a written or read file.
fn problem_finding(p: &Problem, line: Option<u64>, kind: Kind) -> Finding {
    let mut f = Finding::new(p.rule, &p.arg_refs());
    f.at.line = line;
    f.record_type = Some(kind.as_str().to_owned());
    f.field = p.args.iter().find(|(k, _)| *k == "field").map(|(_, v)| v.clone());
    f.value = p.args.iter().find(|(k, _)| *k == "value").map(|(_, v)| v.clone());
    f
}

fn message_finding(rule: &'static crate::rules::Rule, line: Option<u64>, message: String) -> Finding {
    let mut f = Finding::new(rule, &[("message", &message)]);
    f.at.line = line;
    f
}

/// Reads a file written with `layout` back: splits records on the terminator, tells kinds
/// apart, slices or splits fields, and checks order, record counts and control totals.
pub fn read_layout(layout: &FileLayout, bytes: &[u8]) -> ReadBack {
    let mut back = ReadBack::default();
    let body = strip_eof(layout, bytes, &mut back.findings);
    for (line, raw) in split_records(layout, body, &mut back.findings) {
        let Some(record) = kind_of(layout, raw) else {
            let shown: String = String::from_utf8_lossy(raw).chars().take(20).collect();
            back.findings.push(message_finding(&rules::UNKNOWN_RECORD, Some(line), format!("record `{shown}` is none of the layout's record kinds")));
            continue;
        };
        if let Some((values, problems)) = decode(layout, record, raw, line, &mut back.findings) {
            back.findings.extend(problems.iter().map(|p| problem_finding(p, Some(line), record.kind)));
            back.records.push(ReadRecord { kind: record.kind, line, values });
        }
    }
    check_order(layout, &back.records, &mut back.findings);
    check_controls(layout, &back.records, &mut back.findings);
    back
}

fn strip_eof<'b>(layout: &FileLayout, bytes: &'b [u8], findings: &mut Vec<Finding>) -> &'b [u8] {
    match (bytes.strip_suffix(&[0x1A]), layout.eof_marker) {
        (Some(body), true) => body,
        (None, false) => bytes,
        (Some(body), false) => {
            findings.push(message_finding(
                &rules::TERMINATOR,
                None,
                "the file ends with an end-of-file marker (0x1A) the layout does not ask for".to_owned(),
            ));
            body
        }
        (None, true) => {
            findings.push(message_finding(
                &rules::TERMINATOR,
                None,
                "the file does not end with the end-of-file marker (0x1A) the layout asks for".to_owned(),
            ));
            bytes
        }
    }
}

/// The records of `body` with their 1-based numbers; terminator problems become findings.
fn split_records<'b>(layout: &FileLayout, body: &'b [u8], findings: &mut Vec<Finding>) -> Vec<(u64, &'b [u8])> {
    let mut out = Vec::new();
    let mut rest = body;
    let mut line = 0u64;
    while !rest.is_empty() {
        line += 1;
        let (mut record, next, ended) = match rest.iter().position(|b| *b == b'\n') {
            Some(p) => (&rest[..p], &rest[p + 1..], true),
            None => (rest, &rest[rest.len()..], false),
        };
        let has_cr = record.last() == Some(&b'\r');
        let crlf = layout.terminator == spec::Terminator::CrLf;
        if has_cr {
            record = &record[..record.len() - 1];
        }
        let problem = if !ended {
            Some("the last record has no terminator")
        } else if crlf && !has_cr {
            Some("the record ends with LF alone; the layout says CR LF")
        } else if !crlf && has_cr {
            Some("the record ends with CR LF; the layout says LF")
        } else {
            None
        };
        if let Some(m) = problem {
            findings.push(message_finding(&rules::TERMINATOR, Some(line), m.to_owned()));
        }
        out.push((line, record));
        rest = next;
    }
    out
}

/// The record kind whose constant field matches `raw` (the only kind, when there is one).
fn kind_of<'l>(layout: &'l FileLayout, raw: &[u8]) -> Option<&'l RecordLayout> {
    if layout.records.len() == 1 {
        return layout.records.first();
    }
    layout.records.iter().find(|r| {
        let Some((at, len, value)) = discriminator(layout, r) else { return false };
        match layout.form {
            Framing::Fixed { .. } => {
                raw.get(at..at + len).is_some_and(|s| s.starts_with(value.as_bytes()) && s[value.len()..].iter().all(|b| *b == b' '))
            }
            Framing::Delimited { delimiter } => raw.split(|b| *b == delimiter).nth(at) == Some(value.as_bytes()),
        }
    })
}

type Decoded = (Vec<(String, LayoutValue)>, Vec<Problem>);

/// Decodes one record after checking its length or field count.
fn decode(layout: &FileLayout, record: &RecordLayout, raw: &[u8], line: u64, findings: &mut Vec<Finding>) -> Option<Decoded> {
    let mismatch = |found: String, expected: String| {
        let mut f = Finding::new(&rules::RECORD_LENGTH, &[("kind", record.kind.as_str()), ("found", &found), ("expected", &expected)]);
        f.at.line = Some(line);
        f.record_type = Some(record.kind.as_str().to_owned());
        f
    };
    match layout.form {
        Framing::Fixed { record_length } => {
            if raw.len() != record_length {
                findings.push(mismatch(format!("{} bytes", raw.len()), format!("{record_length} bytes")));
                return None;
            }
            Some(fixed::decode(record, raw))
        }
        Framing::Delimited { delimiter } => {
            let parts: Vec<&[u8]> = raw.split(|b| *b == delimiter).collect();
            if parts.len() != record.fields.len() {
                findings.push(mismatch(format!("{} fields", parts.len()), format!("{} fields", record.fields.len())));
                return None;
            }
            Some(delimited::decode(record, &parts))
        }
    }
}

/// Header first and once, trailer last and once, as the layout has them.
fn check_order(layout: &FileLayout, records: &[ReadRecord], findings: &mut Vec<Finding>) {
    let n = records.len();
    for (i, r) in records.iter().enumerate() {
        let misplaced = match r.kind {
            Kind::Header => i != 0,
            Kind::Trailer => i + 1 != n,
            Kind::Detail => false,
        };
        if misplaced {
            findings.push(message_finding(&rules::UNKNOWN_RECORD, Some(r.line), format!("a {} record is out of place", r.kind.as_str())));
        }
    }
    for (kind, at) in [(Kind::Header, records.first()), (Kind::Trailer, records.last())] {
        if layout.record(kind).is_some() && at.is_none_or(|r| r.kind != kind) {
            findings.push(message_finding(
                &rules::UNKNOWN_RECORD,
                None,
                format!("the file has no {} record where the layout puts one", kind.as_str()),
            ));
        }
    }
}

/// Record counts and control totals of header and trailer records against the details.
fn check_controls(layout: &FileLayout, records: &[ReadRecord], findings: &mut Vec<Finding>) {
    let count = |k: Kind| records.iter().filter(|r| r.kind == k).count() as u64;
    let details = || records.iter().filter(|r| r.kind == Kind::Detail);
    let totals = sums(layout, |t| details().filter_map(|r| r.get(&t.name)).map(|v| total_units(t, v)).fold(0, u64::saturating_add));
    for r in records.iter().filter(|r| r.kind != Kind::Detail) {
        let Some(rec_layout) = layout.record(r.kind) else { continue };
        for f in &rec_layout.fields {
            let expected = match &f.source {
                ValueSource::Count(k) => LayoutValue::count(count(*k)),
                ValueSource::Sum(t) => totals.get(t.as_str()).cloned().unwrap_or(LayoutValue::Blank),
                _ => continue,
            };
            let found = r.get(&f.name).cloned().unwrap_or(LayoutValue::Blank);
            let same = value::units_at(f, &found, f.decimals).ok() == value::units_at(f, &expected, f.decimals).ok() && found != LayoutValue::Blank;
            if !same {
                let mut finding =
                    Finding::new(&rules::CONTROL_TOTAL, &[("field", &f.name), ("found", &found.display()), ("expected", &expected.display())]);
                finding.at.line = Some(r.line);
                finding.field = Some(f.name.clone());
                finding.record_type = Some(r.kind.as_str().to_owned());
                findings.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn census_table() -> Table {
        let cols = [
            "reporting_lea",
            "school_of_attendance",
            "grade_level_code",
            "student_gender_code",
            "race_ethnicity",
            "primary",
            "secondary",
            "short_term",
            "non_ada",
        ];
        let row = |school: &str, grade: &str, n: u64| {
            let mut v = vec![
                LayoutValue::Text("1964733".into()),
                LayoutValue::Text(school.into()),
                LayoutValue::Text(grade.into()),
                LayoutValue::Text("F".into()),
                LayoutValue::Text("5".into()),
            ];
            v.extend([LayoutValue::count(n), LayoutValue::count(0), LayoutValue::count(1), LayoutValue::count(0)]);
            v
        };
        Table { columns: cols.iter().map(|c| (*c).to_owned()).collect(), rows: vec![row("6019715", "KN", 12), row("6019715", "01", 3)] }
    }

    fn params() -> Vec<(&'static str, LayoutValue)> {
        vec![
            ("reporting_lea", LayoutValue::Text("1964733".into())),
            ("academic_year", LayoutValue::Text("2025-2026".into())),
            ("census_day", LayoutValue::Date(chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap())),
        ]
    }

    #[test]
    fn fixed_census_writes_header_details_and_trailer() {
        let layout = crate::census::load_layout("fixed").unwrap();
        let w = write_layout(&layout, &census_table(), &params()).unwrap();
        assert!(w.findings.is_empty(), "{:?}", w.findings);
        let text = String::from_utf8(w.bytes.clone()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], format!("{:<50}", "HCBEDS19647332025-202620251001"));
        assert_eq!(lines[1], format!("{:<50}", "D19647336019715KNF5000012000000000001000000"));
        assert_eq!(lines[3], format!("{:<50}", "T0000002000000015000000000000000002000000000"));
        assert_eq!(lines[4], "");
        let back = read_layout(&layout, &w.bytes);
        assert!(back.findings.is_empty(), "{:?}", back.findings);
        assert_eq!(back.records.len(), 4);
        assert_eq!(back.records[1].get("primary"), Some(&LayoutValue::count(12)));
    }

    #[test]
    fn tab_census_has_no_padding() {
        let layout = crate::census::load_layout("tab").unwrap();
        let w = write_layout(&layout, &census_table(), &params()).unwrap();
        assert_eq!(w.bytes.split(|b| *b == b'\n').next().unwrap(), b"1964733\t6019715\tKN\tF\t5\t12\t0\t1\t0\r");
        assert!(read_layout(&layout, &w.bytes).findings.is_empty());
    }

    #[test]
    fn too_long_values_are_findings_not_truncated() {
        let layout = crate::census::load_layout("fixed").unwrap();
        let mut t = census_table();
        t.rows[0][1] = LayoutValue::Text("60197150".into());
        let w = write_layout(&layout, &t, &params()).unwrap();
        assert_eq!(w.findings.len(), 1);
        assert_eq!(w.findings[0].rule.id, "LAYOUT-TOO-LONG");
        assert_eq!(w.findings[0].at.line, Some(2));
    }

    #[test]
    fn read_back_catches_cut_and_altered_files() {
        let layout = crate::census::load_layout("fixed").unwrap();
        let w = write_layout(&layout, &census_table(), &params()).unwrap();
        let text = String::from_utf8(w.bytes).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        let cut = format!("{}\r\n{}\r\n{}\r\n", lines[0], lines[1], lines[3]);
        let ids: Vec<&str> = read_layout(&layout, cut.as_bytes()).findings.iter().map(|f| f.rule.id).collect();
        assert!(ids.contains(&"LAYOUT-CONTROL-TOTAL"), "{ids:?}");
        let lf = text.replace("\r\n", "\n");
        assert!(read_layout(&layout, lf.as_bytes()).findings.iter().all(|f| f.rule.id == "LAYOUT-TERMINATOR"));
        let eof = format!("{text}\u{1a}");
        assert_eq!(read_layout(&layout, eof.as_bytes()).findings.len(), 1);
        let short = text.replacen("KNF5", "KNF", 1);
        assert_eq!(read_layout(&layout, short.as_bytes()).findings[0].rule.id, "LAYOUT-RECORD-LENGTH");
    }

    #[test]
    fn eof_marker_is_written_when_asked() {
        let mut layout = crate::census::load_layout("fixed").unwrap();
        layout.eof_marker = true;
        layout.terminator = spec::Terminator::Lf;
        let w = write_layout(&layout, &census_table(), &params()).unwrap();
        assert!(w.bytes.ends_with(b"\n\x1a"));
        assert!(!w.bytes.contains(&b'\r'));
        assert!(read_layout(&layout, &w.bytes).findings.is_empty());
    }

    #[test]
    fn read_back_values_are_compared_with_what_was_written() {
        for name in ["fixed", "tab"] {
            let layout = crate::census::load_layout(name).unwrap();
            let w = write_layout(&layout, &census_table(), &params()).unwrap();
            let back = read_layout(&layout, &w.bytes);
            assert!(back.findings.is_empty());
            verify_read_back(&layout, &census_table(), &params(), &back).unwrap();
        }
        // A layout that slipped past the checks: a left-aligned, zero-filled count writes 12
        // as 120000, which reads back as a valid but different number.
        let mut layout = crate::census::load_layout("fixed").unwrap();
        let detail = layout.records.iter_mut().find(|r| r.kind == Kind::Detail).unwrap();
        let primary = detail.fields.iter_mut().find(|f| f.name == "primary").unwrap();
        primary.align = spec::Align::Left;
        let mut t = census_table();
        t.rows[1][5] = LayoutValue::count(0);
        let w = write_layout(&layout, &t, &params()).unwrap();
        let back = read_layout(&layout, &w.bytes);
        let err = verify_read_back(&layout, &t, &params(), &back).unwrap_err().to_string();
        assert!(err.contains("primary") && err.contains("`12`") && err.contains("`120000`"), "{err}");
    }

    #[test]
    fn missing_columns_and_params_are_errors() {
        let layout = crate::census::load_layout("fixed").unwrap();
        let mut t = census_table();
        t.columns[5] = "enrolled".into();
        assert!(write_layout(&layout, &t, &params()).is_err());
        assert!(write_layout(&layout, &census_table(), &params()[..2]).is_err());
    }
}
