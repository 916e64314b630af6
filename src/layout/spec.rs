//! File layouts as data (`schemas/cbeds/*.toml`): record kinds (header, detail, trailer),
//! fields with start, length, type, alignment, pad character, implied decimals and date
//! format, where each value comes from, the record terminator and end-of-file marker.
//! Loading checks the layout completely, so writers and readers never meet a broken one.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use miette::SourceSpan;
use serde::Deserialize;

use crate::error::{Error, SchemaError};

/// What a kind of layout may read: the columns of the rows it writes and the run parameters
/// its header and trailer may carry. The writer of the rows (census counts) supplies it.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// What the rows are, for messages (`census rows`).
    pub rows: &'static str,
    pub columns: &'static [&'static str],
    pub params: &'static [&'static str],
}

/// A validated file layout.
#[derive(Debug, Clone)]
pub struct FileLayout {
    pub name: String,
    pub version: String,
    pub description: String,
    /// Where it came from: `embedded:NAME` or the file's path.
    pub origin: String,
    /// The name of the file written with it.
    pub file_name: String,
    pub form: Framing,
    pub terminator: Terminator,
    /// Write (and expect) 0x1A after the last record.
    pub eof_marker: bool,
    /// Header (optional), detail, trailer (optional), in file order.
    pub records: Vec<RecordLayout>,
}

/// Fixed-width or delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Every record is exactly `record_length` bytes; unused positions are spaces.
    Fixed { record_length: usize },
    /// Values in field order between delimiters; no padding, no quoting.
    Delimited { delimiter: u8 },
}

/// What ends each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    CrLf,
    Lf,
}

/// The longest fixed-width record a layout may declare: state layouts are a few hundred bytes,
/// and a typo of 4e9 must not allocate gigabytes per record.
pub const MAX_RECORD_LENGTH: usize = 65_536;

impl Terminator {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Terminator::CrLf => b"\r\n",
            Terminator::Lf => b"\n",
        }
    }
}

/// The kinds of record a file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Header,
    Detail,
    Trailer,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Header => "header",
            Kind::Detail => "detail",
            Kind::Trailer => "trailer",
        }
    }
}

/// One record kind's fields.
#[derive(Debug, Clone)]
pub struct RecordLayout {
    pub kind: Kind,
    pub fields: Vec<LayoutField>,
}

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    #[default]
    Text,
    Number,
    Date,
}

/// Which side of a fixed-width field the value sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Right,
}

impl Align {
    pub fn as_str(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Right => "right",
        }
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSource {
    /// A column of the rows the caller supplies (detail records).
    Column(String),
    /// The same text in every record of the kind (record type codes).
    Constant(String),
    /// A value of the whole run (academic year, LEA, Census Day).
    Param(String),
    /// The number of records of a kind (trailer record counts).
    Count(Kind),
    /// The sum of a detail number field (trailer control totals).
    Sum(String),
    /// Nothing: spaces (filler).
    Blank,
}

/// One field of a record kind.
#[derive(Debug, Clone)]
pub struct LayoutField {
    pub name: String,
    /// 0-based byte offset in a fixed-width record (0 for delimited layouts).
    pub start: usize,
    /// Width in bytes (fixed) or maximum length (delimited).
    pub length: usize,
    pub kind: FieldType,
    pub align: Align,
    pub pad: u8,
    /// Implied decimals of a number field.
    pub decimals: u32,
    pub date_format: Option<DateFormat>,
    pub source: ValueSource,
}

/// A date format like `CCYYMMDD` or `MM/DD/CCYY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    pub pattern: String,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Year,
    Month,
    Day,
    Literal(u8),
}

/// A value to write, or one read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutValue {
    Blank,
    Text(String),
    /// `units` / 10^`scale`: 125 at scale 1 is 12.5.
    Number {
        units: u64,
        scale: u32,
    },
    Date(NaiveDate),
}

impl LayoutValue {
    /// A whole number.
    pub fn count(n: u64) -> LayoutValue {
        LayoutValue::Number { units: n, scale: 0 }
    }

    /// The value as text, for messages.
    pub fn display(&self) -> String {
        match self {
            LayoutValue::Blank => String::new(),
            LayoutValue::Text(s) => s.clone(),
            LayoutValue::Number { units, scale } => decimal_text(*units, *scale),
            LayoutValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// `units` with a decimal point `scale` digits from the right.
pub fn decimal_text(units: u64, scale: u32) -> String {
    let digits = format!("{units:0>width$}", width = scale as usize + 1);
    if scale == 0 {
        return digits;
    }
    let (int, frac) = digits.split_at(digits.len() - scale as usize);
    format!("{int}.{frac}")
}

impl DateFormat {
    /// Parses a pattern of `CCYY`, `MM`, `DD` and punctuation.
    pub fn parse(pattern: &str) -> Option<DateFormat> {
        let mut tokens = Vec::new();
        let mut rest = pattern;
        while !rest.is_empty() {
            let (token, len) = if rest.starts_with("CCYY") {
                (Token::Year, 4)
            } else if rest.starts_with("MM") {
                (Token::Month, 2)
            } else if rest.starts_with("DD") {
                (Token::Day, 2)
            } else {
                let b = rest.as_bytes()[0];
                (b.is_ascii_punctuation() || b == b' ').then_some((Token::Literal(b), 1))?
            };
            tokens.push(token);
            rest = &rest[len..];
        }
        let once = |t: Token| tokens.iter().filter(|x| **x == t).count() == 1;
        (once(Token::Year) && once(Token::Month) && once(Token::Day)).then(|| DateFormat { pattern: pattern.to_owned(), tokens })
    }

    /// The length of a formatted date.
    pub fn len(&self) -> usize {
        self.pattern.len()
    }

    /// Whether the pattern is empty (never, for a parsed one).
    pub fn is_empty(&self) -> bool {
        self.pattern.is_empty()
    }

    pub fn format(&self, date: NaiveDate) -> String {
        let mut out = String::with_capacity(self.len());
        for t in &self.tokens {
            match t {
                Token::Year => out.push_str(&format!("{:04}", date.year())),
                Token::Month => out.push_str(&format!("{:02}", date.month())),
                Token::Day => out.push_str(&format!("{:02}", date.day())),
                Token::Literal(b) => out.push(char::from(*b)),
            }
        }
        out
    }

    /// Reads a date of exactly this shape; `None` for any other shape or a day that does not exist.
    pub fn read(&self, text: &[u8]) -> Option<NaiveDate> {
        if text.len() != self.len() {
            return None;
        }
        let (mut y, mut m, mut d, mut at) = (0u32, 0u32, 0u32, 0usize);
        for t in &self.tokens {
            let width = match t {
                Token::Year => 4,
                Token::Month | Token::Day => 2,
                Token::Literal(b) => {
                    (text[at] == *b).then_some(())?;
                    at += 1;
                    continue;
                }
            };
            let part = &text[at..at + width];
            let n = part.iter().try_fold(0u32, |a, c| c.is_ascii_digit().then(|| a * 10 + u32::from(c - b'0')))?;
            match t {
                Token::Year => y = n,
                Token::Month => m = n,
                _ => d = n,
            }
            at += width;
        }
        (y >= 1900).then_some(())?;
        NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
    }
}

impl FileLayout {
    /// One of `embedded` by name, or a layout file by path, checked against `vocabulary`.
    pub fn load(name_or_path: &str, embedded: &[(&str, &str)], vocabulary: &Vocabulary) -> Result<FileLayout, Error> {
        if let Some((name, text)) = embedded.iter().find(|(n, _)| *n == name_or_path) {
            return FileLayout::from_toml(&format!("embedded:{name}"), text, vocabulary);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            let names: Vec<&str> = embedded.iter().map(|(n, _)| *n).collect();
            return Err(Error::Argument {
                arg: "--layout",
                message: format!("`{name_or_path}` is neither a layout of rollcall ({}) nor a layout file", names.join(", ")),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        FileLayout::from_toml(name_or_path, &text, vocabulary)
    }

    /// Parses and checks a layout file's text; `origin` names it in errors.
    pub fn from_toml(origin: &str, text: &str, vocabulary: &Vocabulary) -> Result<FileLayout, Error> {
        let raw: raw::RawFileLayout = toml::from_str(text)
            .map_err(|e| SchemaError::error(origin, text, e.message().trim().to_owned(), e.span().map(SourceSpan::from), None))?;
        raw::build(origin, text, raw, vocabulary)
    }

    /// The record layout of `kind`, if the file has that kind.
    pub fn record(&self, kind: Kind) -> Option<&RecordLayout> {
        self.records.iter().find(|r| r.kind == kind)
    }

    /// The detail record layout (every layout has one).
    pub fn detail(&self) -> &RecordLayout {
        self.records.iter().find(|r| r.kind == Kind::Detail).unwrap_or(&self.records[0])
    }

    /// The column names the detail records read.
    pub fn columns(&self) -> BTreeSet<&str> {
        self.records
            .iter()
            .flat_map(|r| &r.fields)
            .filter_map(|f| if let ValueSource::Column(c) = &f.source { Some(c.as_str()) } else { None })
            .collect()
    }

    /// The run parameters any record reads.
    pub fn params(&self) -> BTreeSet<&str> {
        self.records
            .iter()
            .flat_map(|r| &r.fields)
            .filter_map(|f| if let ValueSource::Param(c) = &f.source { Some(c.as_str()) } else { None })
            .collect()
    }
}

mod raw {
    //! The layout file as written (serde), and its checks.

    use std::collections::BTreeSet;

    use super::MAX_RECORD_LENGTH;

    use serde::Deserialize;

    use super::{Align, DateFormat, FieldType, FileLayout, Framing, Kind, LayoutField, RecordLayout, Terminator, ValueSource, Vocabulary};
    use crate::error::{Error, SchemaError};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct RawFileLayout {
        name: String,
        version: String,
        #[serde(default)]
        description: String,
        file_name: String,
        form: RawForm,
        record_length: Option<usize>,
        delimiter: Option<String>,
        terminator: RawTerminator,
        #[serde(default)]
        eof_marker: bool,
        header: Option<RawRecord>,
        detail: RawRecord,
        trailer: Option<RawRecord>,
    }

    #[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
    #[serde(rename_all = "lowercase")]
    enum RawForm {
        Fixed,
        Delimited,
    }

    #[derive(Debug, Deserialize, Clone, Copy)]
    #[serde(rename_all = "lowercase")]
    enum RawTerminator {
        Crlf,
        Lf,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawRecord {
        field: Vec<RawLayoutField>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawLayoutField {
        name: String,
        start: Option<usize>,
        length: usize,
        #[serde(rename = "type", default)]
        kind: FieldType,
        align: Option<Align>,
        pad: Option<String>,
        #[serde(default)]
        decimals: u32,
        date_format: Option<String>,
        value: Option<String>,
        param: Option<String>,
        column: Option<String>,
        count: Option<Kind>,
        sum: Option<String>,
    }

    /// Context for errors that point into the layout file.
    struct Ctx<'a> {
        origin: &'a str,
        text: &'a str,
        vocabulary: &'a Vocabulary,
    }

    impl Ctx<'_> {
        fn err(&self, near: &str, message: String) -> Error {
            let span = self.text.find(&format!("\"{near}\"")).map(|o| miette::SourceSpan::from((o, near.len() + 2)));
            SchemaError::error(self.origin, self.text, message, span, Some("see README.md, \"Layout files\"".to_owned()))
        }
    }

    pub(super) fn build(origin: &str, text: &str, raw: RawFileLayout, vocabulary: &Vocabulary) -> Result<FileLayout, Error> {
        let cx = Ctx { origin, text, vocabulary };
        let form = form(&cx, &raw)?;
        if raw.name.is_empty() || raw.version.is_empty() {
            return Err(cx.err(&raw.name, "name and version must be set".to_owned()));
        }
        if !plain_file_name(&raw.file_name) {
            return Err(cx.err(
                &raw.file_name,
                format!("file_name `{}` is not a plain file name: no folder, not hidden (no leading dot), no control characters", raw.file_name),
            ));
        }
        let mut records = Vec::new();
        for (kind, rec) in [(Kind::Header, raw.header), (Kind::Detail, Some(raw.detail)), (Kind::Trailer, raw.trailer)] {
            if let Some(rec) = rec {
                records.push(record(&cx, kind, form, rec)?);
            }
        }
        let layout = FileLayout {
            name: raw.name,
            version: raw.version,
            description: raw.description,
            origin: origin.to_owned(),
            file_name: raw.file_name,
            form,
            terminator: match raw.terminator {
                RawTerminator::Crlf => Terminator::CrLf,
                RawTerminator::Lf => Terminator::Lf,
            },
            eof_marker: raw.eof_marker,
            records,
        };
        check_sources(&cx, &layout)?;
        check_kinds_distinct(&cx, &layout)?;
        Ok(layout)
    }

    fn form(cx: &Ctx<'_>, raw: &RawFileLayout) -> Result<Framing, Error> {
        match (raw.form, raw.record_length, raw.delimiter.as_deref()) {
            (RawForm::Fixed, Some(n), None) if (1..=MAX_RECORD_LENGTH).contains(&n) => Ok(Framing::Fixed { record_length: n }),
            (RawForm::Delimited, None, Some(d)) if d.len() == 1 && !matches!(d, "\r" | "\n" | "\"") => {
                Ok(Framing::Delimited { delimiter: d.as_bytes()[0] })
            }
            (RawForm::Fixed, ..) => Err(cx.err("fixed", format!("a fixed layout needs record_length (1 to {MAX_RECORD_LENGTH}) and no delimiter"))),
            (RawForm::Delimited, ..) => Err(
                cx.err("delimited", "a delimited layout needs a one-character delimiter (not a quote or line break) and no record_length".to_owned())
            ),
        }
    }

    fn record(cx: &Ctx<'_>, kind: Kind, form: Framing, rec: RawRecord) -> Result<RecordLayout, Error> {
        let mut fields: Vec<LayoutField> = Vec::with_capacity(rec.field.len());
        let mut names = BTreeSet::new();
        for f in rec.field {
            if !names.insert(f.name.clone()) {
                return Err(cx.err(&f.name, format!("the {} record has two fields named `{}`", kind.as_str(), f.name)));
            }
            fields.push(field(cx, kind, form, f)?);
        }
        if fields.is_empty() {
            return Err(cx.err(kind.as_str(), format!("the {} record has no fields", kind.as_str())));
        }
        if let Framing::Fixed { record_length } = form {
            check_positions(cx, kind, record_length, &fields)?;
        }
        Ok(RecordLayout { kind, fields })
    }

    fn check_positions(cx: &Ctx<'_>, kind: Kind, record_length: usize, fields: &[LayoutField]) -> Result<(), Error> {
        let mut sorted: Vec<&LayoutField> = fields.iter().collect();
        sorted.sort_by_key(|f| f.start);
        let mut end = 0;
        for f in sorted {
            if f.start < end {
                return Err(cx.err(&f.name, format!("{} field `{}` starts at {} inside the field before it", kind.as_str(), f.name, f.start + 1)));
            }
            end = f.start + f.length;
            if end > record_length {
                return Err(cx.err(&f.name, format!("{} field `{}` ends at {end}, past record_length {record_length}", kind.as_str(), f.name)));
            }
        }
        Ok(())
    }

    fn field(cx: &Ctx<'_>, kind: Kind, form: Framing, f: RawLayoutField) -> Result<LayoutField, Error> {
        let bad = |m: &str| Err(cx.err(&f.name, format!("field `{}`: {m}", f.name)));
        let start = match (form, f.start) {
            (Framing::Fixed { .. }, Some(s)) if s >= 1 => s - 1,
            (Framing::Fixed { .. }, _) => return bad("a fixed-width field needs start (1-based)"),
            (Framing::Delimited { .. }, None) => 0,
            (Framing::Delimited { .. }, Some(_)) => return bad("delimited fields have no start; they are written in order"),
        };
        if f.length == 0 {
            return bad("length must be at least 1");
        }
        let align = f.align.unwrap_or(if f.kind == FieldType::Number { Align::Right } else { Align::Left });
        // Zeros on the left of a number read back as the same number; anywhere else they
        // would change the value (`1` left-aligned becomes `100000`, `0012` text loses its
        // zeros), so zero-fill is only for right-aligned numbers.
        let zero_fill = f.kind == FieldType::Number && align == Align::Right;
        let pad = match f.pad.as_deref() {
            None if zero_fill => b'0',
            None | Some(" ") => b' ',
            Some("0") if zero_fill => b'0',
            Some("0") => return bad("pad = \"0\" (zero-fill) is only for right-aligned number fields; use pad = \" \""),
            Some(_) => return bad("pad is \" \" or \"0\""),
        };
        if f.decimals > 0 && f.kind != FieldType::Number {
            return bad("only number fields have decimals");
        }
        if f.decimals > 9 {
            return bad("at most 9 implied decimals");
        }
        let date_format = date_format(&f).map_err(|m| cx.err(&f.name, format!("field `{}`: {m}", f.name)))?;
        let source = source(&f, kind).map_err(|m| cx.err(&f.name, format!("field `{}`: {m}", f.name)))?;
        if let ValueSource::Constant(v) = &source {
            if v.len() > f.length || (f.kind == FieldType::Number && !v.bytes().all(|b| b.is_ascii_digit())) {
                return bad("its value does not fit the field");
            }
        }
        Ok(LayoutField { name: f.name, start, length: f.length, kind: f.kind, align, pad, decimals: f.decimals, date_format, source })
    }

    fn date_format(f: &RawLayoutField) -> Result<Option<DateFormat>, &'static str> {
        match (f.kind, f.date_format.as_deref()) {
            (FieldType::Date, Some(p)) => match DateFormat::parse(p) {
                Some(d) if d.len() == f.length => Ok(Some(d)),
                Some(_) => Err("the date_format must be exactly as long as the field"),
                None => Err("date_format is CCYY, MM and DD once each, with punctuation between, like CCYYMMDD or MM/DD/CCYY"),
            },
            (FieldType::Date, None) => Err("a date field needs date_format"),
            (_, Some(_)) => Err("only date fields have a date_format"),
            (_, None) => Ok(None),
        }
    }

    fn source(f: &RawLayoutField, kind: Kind) -> Result<ValueSource, String> {
        let given = [f.value.is_some(), f.param.is_some(), f.column.is_some(), f.count.is_some(), f.sum.is_some()];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err("give at most one of value, param, column, count, sum".to_owned());
        }
        if kind == Kind::Detail && (f.count.is_some() || f.sum.is_some()) {
            return Err("count and sum belong in header and trailer records".to_owned());
        }
        if (f.count.is_some() || f.sum.is_some()) && f.kind != FieldType::Number {
            return Err("count and sum fields are type = \"number\"".to_owned());
        }
        Ok(if let Some(v) = &f.value {
            ValueSource::Constant(v.clone())
        } else if let Some(p) = &f.param {
            ValueSource::Param(p.clone())
        } else if let Some(c) = &f.column {
            ValueSource::Column(c.clone())
        } else if let Some(k) = f.count {
            ValueSource::Count(k)
        } else if let Some(s) = &f.sum {
            ValueSource::Sum(s.clone())
        } else if kind == Kind::Detail {
            ValueSource::Column(f.name.clone())
        } else {
            ValueSource::Blank
        })
    }

    /// A name for a file inside the output folder: not empty, no folder part, not `.`, `..`
    /// or hidden (a leading dot), no control characters.
    fn plain_file_name(name: &str) -> bool {
        !name.is_empty() && !name.starts_with('.') && !name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\'))
    }

    /// Columns are census columns and parameters run parameters; counts refer to kinds the
    /// file has; sums to detail number fields with no more decimals.
    fn check_sources(cx: &Ctx<'_>, layout: &FileLayout) -> Result<(), Error> {
        for f in layout.records.iter().flat_map(|r| &r.fields) {
            match &f.source {
                ValueSource::Column(c) if !cx.vocabulary.columns.contains(&c.as_str()) => {
                    let v = cx.vocabulary;
                    let near =
                        crate::diagnostic::closest(c, v.columns.iter().copied()).map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
                    let known = v.columns.join(", ");
                    return Err(
                        cx.err(c, format!("field `{}` reads column `{c}`, which {} do not have{near}; the columns are {known}", f.name, v.rows))
                    );
                }
                ValueSource::Param(p) if !cx.vocabulary.params.contains(&p.as_str()) => {
                    let known = cx.vocabulary.params.join(", ");
                    return Err(
                        cx.err(p, format!("field `{}` reads parameter `{p}`, which rollcall does not supply; the parameters are {known}", f.name))
                    );
                }
                ValueSource::Count(k) if layout.record(*k).is_none() => {
                    return Err(cx.err(&f.name, format!("field `{}` counts {} records, which the layout does not have", f.name, k.as_str())));
                }
                ValueSource::Sum(target) => {
                    let ok = layout.detail().fields.iter().any(|d| &d.name == target && d.kind == FieldType::Number && d.decimals <= f.decimals);
                    if !ok {
                        return Err(cx.err(
                            target,
                            format!("field `{}` sums `{target}`, which is not a detail number field with at most {} decimals", f.name, f.decimals),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// With more than one record kind, each kind's first constant field must tell it apart.
    fn check_kinds_distinct(cx: &Ctx<'_>, layout: &FileLayout) -> Result<(), Error> {
        if layout.records.len() == 1 {
            return Ok(());
        }
        let mut seen: Vec<(usize, usize, &str)> = Vec::new();
        for r in &layout.records {
            let pos = super::discriminator(layout, r);
            let Some((at, len, value)) = pos else {
                return Err(cx.err(
                    r.kind.as_str(),
                    format!("the {} record needs a constant field (value = \"…\") that tells it apart from the other kinds", r.kind.as_str()),
                ));
            };
            if seen.iter().any(|s| s.0 != at || s.1 != len || s.2 == value) {
                return Err(cx.err(value, "every record kind needs its own constant value at the same position".to_owned()));
            }
            seen.push((at, len, value));
        }
        Ok(())
    }
}

/// The first constant field of a record kind: (position, length, value). The position is a
/// byte offset in fixed layouts and a field index in delimited ones.
pub fn discriminator<'l>(layout: &FileLayout, record: &'l RecordLayout) -> Option<(usize, usize, &'l str)> {
    record.fields.iter().enumerate().find_map(|(i, f)| match &f.source {
        ValueSource::Constant(v) => Some((if matches!(layout.form, Framing::Fixed { .. }) { f.start } else { i }, f.length, v.as_str())),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_layouts_load() {
        for name in crate::census::embedded_layouts() {
            let l = crate::census::load_layout(name).unwrap();
            assert!(l.columns().contains("school_of_attendance"), "{name}");
        }
    }

    #[test]
    fn date_formats_are_strict() {
        let f = DateFormat::parse("MM/DD/CCYY").unwrap();
        let d = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        assert_eq!(f.format(d), "10/01/2025");
        assert_eq!(f.read(b"10/01/2025"), Some(d));
        assert_eq!(f.read(b"1/01/2025 "), None);
        assert_eq!(f.read(b"02/30/2025"), None);
        assert!(DateFormat::parse("YYMMDD").is_none());
        assert!(DateFormat::parse("CCYYMMDDDD").is_none());
    }

    #[test]
    fn decimal_text_places_the_point() {
        assert_eq!(decimal_text(125, 1), "12.5");
        assert_eq!(decimal_text(5, 2), "0.05");
        assert_eq!(decimal_text(7, 0), "7");
    }

    fn layout(body: &str) -> Result<FileLayout, Error> {
        let head = "name = \"t\"\nversion = \"1\"\nfile_name = \"t.txt\"\nform = \"fixed\"\nrecord_length = 10\nterminator = \"crlf\"\n";
        FileLayout::from_toml("t.toml", &format!("{head}{body}"), &crate::census::VOCABULARY)
    }

    #[test]
    fn broken_layouts_are_refused() {
        let overlap = "[detail]\nfield = [{ name = \"primary\", start = 1, length = 5 }, { name = \"total\", start = 5, length = 2 }]\n";
        assert!(layout(overlap).is_err());
        let past = "[detail]\nfield = [{ name = \"primary\", start = 8, length = 5 }]\n";
        assert!(layout(past).is_err());
        let no_kind =
            "[header]\nfield = [{ name = \"h\", start = 1, length = 1 }]\n[detail]\nfield = [{ name = \"primary\", start = 1, length = 5 }]\n";
        assert!(layout(no_kind).is_err());
        let bad_sum = "[detail]\nfield = [{ name = \"a\", start = 1, length = 1, value = \"D\" }, { name = \"n\", start = 2, length = 3, column = \"primary\" }]\n[trailer]\nfield = [{ name = \"t\", start = 1, length = 1, value = \"T\" }, { name = \"s\", start = 2, length = 5, type = \"number\", sum = \"n\" }]\n";
        assert!(layout(bad_sum).is_err(), "sum of a text field");
        let ok = "[detail]\nfield = [{ name = \"a\", start = 1, length = 1, value = \"D\" }, { name = \"n\", start = 2, length = 3, type = \"number\", column = \"primary\" }]\n[trailer]\nfield = [{ name = \"t\", start = 1, length = 1, value = \"T\" }, { name = \"s\", start = 2, length = 5, type = \"number\", sum = \"n\" }]\n";
        assert!(layout(ok).is_ok());
    }

    /// The message of a refused layout, which must point into the file.
    fn refused(body: &str) -> String {
        match layout(body) {
            Err(Error::Schema(e)) => {
                assert!(e.span.is_some(), "{} does not point into the file", e.message);
                e.message
            }
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn zero_fill_is_only_for_right_aligned_numbers() {
        let field = |extra: &str| format!("[detail]\nfield = [{{ name = \"primary\", start = 1, length = 6, type = \"number\"{extra} }}]\n");
        assert!(refused(&field(", pad = \"*\"")).contains("pad is"));
        assert!(refused(&field(", align = \"left\", pad = \"0\"")).contains("right-aligned"));
        let text = "[detail]\nfield = [{ name = \"school_of_attendance\", start = 1, length = 9, align = \"right\", pad = \"0\" }]\n";
        assert!(refused(text).contains("right-aligned"));
        let left = layout(&field(", align = \"left\"")).unwrap();
        assert_eq!((left.detail().fields[0].align, left.detail().fields[0].pad), (Align::Left, b' '), "a left-aligned number is space-padded");
        let right = layout(&field("")).unwrap();
        assert_eq!((right.detail().fields[0].align, right.detail().fields[0].pad), (Align::Right, b'0'));
        let spaced = layout(&field(", pad = \" \"")).unwrap();
        assert_eq!(spaced.detail().fields[0].pad, b' ');
    }

    #[test]
    fn sources_are_checked_when_loaded() {
        let column = "[detail]\nfield = [{ name = \"n\", start = 1, length = 6, type = \"number\", column = \"primery\" }]\n";
        let message = refused(column);
        assert!(message.contains("`primery`") && message.contains("did you mean `primary`"), "{message}");
        let by_name = "[detail]\nfield = [{ name = \"enrolled\", start = 1, length = 6, type = \"number\" }]\n";
        assert!(refused(by_name).contains("`enrolled`"));
        let param = "[header]\nfield = [{ name = \"r\", start = 1, length = 1, value = \"H\" }, { name = \"y\", start = 2, length = 9, param = \"school_year\" }]\n[detail]\nfield = [{ name = \"r\", start = 1, length = 1, value = \"D\" }]\n";
        assert!(refused(param).contains("`school_year`"));
    }

    #[test]
    fn file_name_is_a_plain_visible_name() {
        let detail = "[detail]\nfield = [{ name = \"primary\", start = 1, length = 6, type = \"number\" }]\n";
        for bad in [".", "..", ".census.txt", "sub/census.txt", "..\\census.txt", ""] {
            let text = format!(
                "name = \"t\"\nversion = \"1\"\nfile_name = \"{}\"\nform = \"fixed\"\nrecord_length = 10\nterminator = \"crlf\"\n{detail}",
                bad.replace('\\', "\\\\")
            );
            assert!(FileLayout::from_toml("t.toml", &text, &crate::census::VOCABULARY).is_err(), "{bad:?} accepted");
        }
        assert!(layout(detail).is_ok());
    }
}
