//! Schemas as data: record layouts, code sets with effective years and valid code
//! combinations, loaded from TOML (the copy embedded in the binary, or `--schemas DIR`)
//! and checked before any record is read. A broken schema file is an [`Error`] that
//! points into that file.

mod raw;

use std::collections::BTreeMap;
use std::path::Path;

use miette::{NamedSource, SourceSpan};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::domain::attendance::{Category, CodeTable, LocalCode};
use crate::domain::date::AcademicYear;
use crate::error::{Error, SchemaError};
use raw::{RawAttendanceCodes, RawCodeSets, RawCombinations, RawField, RawFormat, RawIndex, RawLayout, RawRequired, RawType};

/// The schema files compiled into the binary, by file name.
const EMBEDDED: &[(&str, &str)] = &[
    ("schema.toml", include_str!("../../schemas/calpads/schema.toml")),
    ("senr.toml", include_str!("../../schemas/calpads/senr.toml")),
    ("sinf.toml", include_str!("../../schemas/calpads/sinf.toml")),
    ("stas.toml", include_str!("../../schemas/calpads/stas.toml")),
    ("codesets.toml", include_str!("../../schemas/calpads/codesets.toml")),
    ("iso3166.toml", include_str!("../../schemas/calpads/iso3166.toml")),
    ("combinations.toml", include_str!("../../schemas/calpads/combinations.toml")),
    ("attendance.toml", include_str!("../../schemas/calpads/attendance.toml")),
    ("attendance-codes.toml", include_str!("../../schemas/calpads/attendance-codes.toml")),
];

/// A validated schema set.
#[derive(Debug)]
pub struct Schema {
    pub name: String,
    pub version: String,
    pub description: String,
    /// Where it came from: `embedded` or the folder given with `--schemas`.
    pub origin: String,
    pub layouts: Vec<Layout>,
    pub codesets: BTreeMap<String, CodeSet>,
    pub combinations: BTreeMap<String, Combination>,
    /// Local daily attendance codes and their categories.
    pub attendance_codes: CodeTable,
}

/// One record type's layout across the academic years it covers.
#[derive(Debug)]
pub struct Layout {
    pub record_type: String,
    pub download_record_type: Option<String>,
    pub description: String,
    /// The fields that identify a record (its operational key).
    pub key: Vec<String>,
    pub fields: Vec<FieldSpec>,
    /// Fields that only CALPADS download (`-R`) files carry, after the last field.
    pub download_fields: Vec<FieldSpec>,
}

/// One field of a layout.
#[derive(Debug)]
pub struct FieldSpec {
    /// The CFS field number, like `1.22`.
    pub number: String,
    /// The stable machine name, like `enrollment_start_date`.
    pub name: String,
    pub format: ValueFormat,
    /// Maximum length in characters.
    pub max: u32,
    pub required: Required,
    pub codeset: Option<String>,
    pub first_year: Option<AcademicYear>,
    pub last_year: Option<AcademicYear>,
    /// Before this academic year the field is in the file but must be blank.
    pub blank_before: Option<AcademicYear>,
}

/// Whether a field must be filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Required {
    Yes,
    No,
    /// Required only in some cases, which record rules check.
    Conditional,
}

/// The shape a field's value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueFormat {
    /// Any text within the length.
    Text,
    /// A person's name: letters, digits, space, period, hyphen, apostrophe.
    Name,
    /// Exactly `max` ASCII digits (SSID, LEA and school codes).
    Digits,
    /// `YYYY-YYYY`.
    AcademicYear,
    /// A ZIP code: 5 digits, 9 digits or `12345-6789`.
    Zip,
    /// The record type code in the first field.
    RecordType,
    /// `CCYYMMDD`.
    Date,
    /// `YYYY-MM-DD` or `CCYYMMDD` (district extracts).
    Day,
    /// A non-negative number with at most two decimals.
    Decimal,
    /// A non-negative whole number.
    Integer,
    /// A local attendance code, read as its category through the attendance code table
    /// (`attendance-codes.toml` and the mapping file). Any text within the length passes the
    /// field rules; a code the table does not know is ATT-UNKNOWN-CODE's finding.
    AttendanceCode,
}

/// A code set: the values a coded field may hold, each with its effective years.
#[derive(Debug)]
pub struct CodeSet {
    pub name: String,
    pub description: String,
    pub codes: Vec<Code>,
    /// Each code packed into a `u64` (codes are at most 8 bytes), in `codes` order: a small set
    /// is searched by scanning these, without memcmp.
    keys: Vec<u64>,
    /// The same keys hashed, for large sets (countries).
    index: rustc_hash::FxHashMap<u64, usize>,
}

/// Up to this many codes a scan of the packed keys beats hashing.
const SCAN_LIMIT: usize = 32;

/// Packs up to 8 bytes into a `u64`; `None` for longer values (which match no code).
fn pack(value: &[u8]) -> Option<u64> {
    (value.len() <= 8).then(|| value.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)) | ((value.len() as u64) << 60))
}

/// One code of a code set.
#[derive(Debug)]
pub struct Code {
    pub code: String,
    pub name: String,
    pub first: Option<AcademicYear>,
    pub last: Option<AcademicYear>,
}

/// A valid-code-combination table: for a listed code of `field`, the values `other_field` may hold.
#[derive(Debug)]
pub struct Combination {
    pub name: String,
    pub description: String,
    pub field: String,
    pub other_field: String,
    pub allowed: BTreeMap<String, Vec<String>>,
}

impl CodeSet {
    /// Finds a code by its exact bytes.
    pub fn lookup(&self, value: &[u8]) -> Option<&Code> {
        let key = pack(value)?;
        let at = if self.keys.len() <= SCAN_LIMIT { self.keys.iter().position(|k| *k == key) } else { self.index.get(&key).copied() };
        at.map(|i| &self.codes[i])
    }
}

impl Code {
    /// Whether the code is in effect in `year`.
    pub fn is_effective(&self, year: AcademicYear) -> bool {
        self.first.is_none_or(|f| f <= year) && self.last.is_none_or(|l| year <= l)
    }

    /// The effective years in words, like `2023-2024 onward`.
    pub fn effective_range(&self) -> String {
        match (self.first, self.last) {
            (Some(f), Some(l)) => format!("{f} to {l}"),
            (Some(f), None) => format!("{f} onward"),
            (None, Some(l)) => format!("until {l}"),
            (None, None) => "every year".to_owned(),
        }
    }
}

impl Combination {
    /// `None` when `code` is not restricted; otherwise whether `other` is allowed with it.
    pub fn allows(&self, code: &[u8], other: &[u8]) -> Option<bool> {
        let allowed = self.allowed.iter().find(|(k, _)| k.as_bytes() == code)?.1;
        Some(allowed.iter().any(|v| v.as_bytes() == other))
    }

    /// The values allowed with `code`, joined for a message.
    pub fn allowed_list(&self, code: &[u8]) -> String {
        self.allowed.iter().find(|(k, _)| k.as_bytes() == code).map(|(_, v)| v.join(", ")).unwrap_or_default()
    }
}

impl FieldSpec {
    /// Whether the field exists in `year`'s layout.
    pub fn is_in(&self, year: AcademicYear) -> bool {
        self.first_year.is_none_or(|f| f <= year) && self.last_year.is_none_or(|l| year <= l)
    }
}

impl Layout {
    /// The fields of this layout in `year`, in file order.
    pub fn fields_for(&self, year: AcademicYear, download: bool) -> Vec<&FieldSpec> {
        let extra = if download { &self.download_fields[..] } else { &[] };
        self.fields.iter().filter(|f| f.is_in(year)).chain(extra).collect()
    }

    /// The academic-year spans in which the layout's field list stays the same, oldest first
    /// (CALPADS changes a layout at a rollover: SENR has 39 fields to 2022-2023, 35 from
    /// 2023-2024).
    pub fn eras(&self) -> Vec<Era> {
        let mut cuts: Vec<AcademicYear> =
            self.fields.iter().flat_map(|f| [f.first_year, f.last_year.map(|y| AcademicYear(y.0 + 1))]).flatten().collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut starts: Vec<Option<AcademicYear>> = vec![None];
        starts.extend(cuts.iter().copied().map(Some));
        let mut eras: Vec<Era> = Vec::new();
        for (i, start) in starts.iter().enumerate() {
            let last = starts.get(i + 1).copied().flatten().map(|y| AcademicYear(y.0 - 1));
            let probe = start.or(last).unwrap_or(AcademicYear(2000));
            let names: Vec<&str> = self.fields.iter().filter(|f| f.is_in(probe)).map(|f| f.name.as_str()).collect();
            match eras.last_mut() {
                Some(prev) if prev.names == names => prev.last = last,
                _ => eras.push(Era { first: *start, last, fields: names.len(), names: names.into_iter().map(str::to_owned).collect() }),
            }
        }
        eras
    }

    /// The era that `year` falls in.
    pub fn era_of(&self, year: AcademicYear) -> Option<Era> {
        self.eras().into_iter().find(|e| e.contains(year))
    }

    /// The position of a field that every year's layout has before any year-bound field.
    pub fn stable_position(&self, name: &str) -> Option<usize> {
        let pos = self.fields.iter().position(|f| f.name == name)?;
        self.fields[..=pos].iter().all(|f| f.first_year.is_none() && f.last_year.is_none()).then_some(pos)
    }

    /// [`Layout::stable_position`] in a record, which may hold no record type field
    /// ([`record_index`]).
    pub fn stable_index(&self, name: &str, without_type: bool) -> Option<usize> {
        record_index(self.stable_position(name)?, without_type)
    }
}

/// Where the layout field at `position` sits in a record: one place earlier in a record that
/// holds no record type field (`without_type`: a source gives the record type once), and
/// nowhere for the record type field itself then.
///
/// ```
/// use rollcall::schema::record_index;
/// assert_eq!(record_index(3, false), Some(3));
/// assert_eq!(record_index(3, true), Some(2));
/// assert_eq!(record_index(0, true), None);
/// ```
pub fn record_index(position: usize, without_type: bool) -> Option<usize> {
    position.checked_sub(usize::from(without_type))
}

/// A span of academic years with one field list of a layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Era {
    /// First academic year, `None` when the span reaches back indefinitely.
    pub first: Option<AcademicYear>,
    /// Last academic year, `None` for the current layout.
    pub last: Option<AcademicYear>,
    /// Number of fields of an upload record.
    pub fields: usize,
    names: Vec<String>,
}

impl Era {
    /// Whether `year` falls in the span.
    pub fn contains(&self, year: AcademicYear) -> bool {
        self.first.is_none_or(|f| f <= year) && self.last.is_none_or(|l| year <= l)
    }

    /// The names of the era's fields, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The span in words: `2023-2024 and later`, `2022-2023 and earlier`, `2019-2020 to 2022-2023`.
    pub fn describe(&self) -> String {
        match (self.first, self.last) {
            (Some(f), Some(l)) if f == l => f.to_string(),
            (Some(f), Some(l)) => format!("{f} to {l}"),
            (Some(f), None) => format!("{f} and later"),
            (None, Some(l)) => format!("{l} and earlier"),
            (None, None) => "every year".to_owned(),
        }
    }
}

/// The schema file `name` of the folder `root` (canonical), read only when it is a regular
/// file inside the folder: a schema naming `/etc/shadow` or `../x` is refused without reading
/// (or echoing) anything outside, and a FIFO never blocks the load.
fn read_inside(root: &Path, path: &Path, name: &str) -> Result<String, Error> {
    let refuse = |why: &str| Error::Argument { arg: "--schemas", message: format!("schema file `{name}` {why}") };
    if Path::new(name).is_absolute() || Path::new(name).components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return Err(refuse(&format!("is outside the schema folder {}; name a file in it", root.display())));
    }
    let real = std::fs::canonicalize(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    if !real.starts_with(root) {
        return Err(refuse(&format!("links outside the schema folder {}", root.display())));
    }
    let meta = std::fs::metadata(&real).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    if let Some(what) = crate::error::irregular_kind(&meta) {
        return Err(refuse(&format!("is {what}, not a regular file")));
    }
    std::fs::read_to_string(&real).map_err(|source| Error::Read { path: path.to_path_buf(), source })
}

impl Schema {
    /// Loads the schema set compiled into the binary.
    pub fn embedded() -> Result<Schema, Error> {
        Schema::load("embedded", &|name: &str| {
            EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| SchemaError::error("schema.toml", "", format!("names {name}, which is not embedded"), None, None))
        })
    }

    /// Loads a schema set from a folder holding `schema.toml` and the files it names.
    pub fn from_dir(dir: &Path) -> Result<Schema, Error> {
        let root = std::fs::canonicalize(dir).map_err(|source| Error::Read { path: dir.to_path_buf(), source })?;
        Schema::load(&dir.display().to_string(), &|name: &str| {
            let path = dir.join(name);
            read_inside(&root, &path, name)
        })
        .map_err(|err| match err {
            // Name the file by its path, so the message says which folder's file is broken.
            Error::Schema(mut e) => {
                e.name = dir.join(&e.name).display().to_string();
                e.src = NamedSource::new(&e.name, e.src.inner().clone());
                Error::Schema(e)
            }
            other => other,
        })
    }

    /// The layout whose record type (or download record type) is `record_type`.
    pub fn layout(&self, record_type: &[u8]) -> Option<(usize, bool)> {
        self.layouts.iter().enumerate().find_map(|(i, l)| {
            if l.record_type.as_bytes() == record_type {
                Some((i, false))
            } else if l.download_record_type.as_deref().map(str::as_bytes) == Some(record_type) {
                Some((i, true))
            } else {
                None
            }
        })
    }

    /// The code set named `name`.
    pub fn codeset(&self, name: &str) -> Option<&CodeSet> {
        self.codesets.get(name)
    }

    /// The combination table named `name`.
    pub fn combination(&self, name: &str) -> Option<&Combination> {
        self.combinations.get(name)
    }

    fn load(origin: &str, read: &dyn Fn(&str) -> Result<String, Error>) -> Result<Schema, Error> {
        let index_text = read("schema.toml")?;
        let index: RawIndex = parse("schema.toml", &index_text)?;
        let mut codesets = BTreeMap::new();
        for name in index.codesets.names() {
            let text = read(name)?;
            for (set_name, set) in build_codesets(name, &text)? {
                if codesets.contains_key(&set_name) {
                    let span = text.find(&format!("[codeset.{set_name}]")).map(|o| SourceSpan::from((o, set_name.len() + 10)));
                    return Err(invalid(name, &text, format!("code set `{set_name}` is defined in an earlier code-set file too"), span, None));
                }
                codesets.insert(set_name, set);
            }
        }
        let mut layouts = Vec::new();
        for name in &index.layouts {
            let text = read(name)?;
            layouts.push(build_layout(name, &text, &codesets)?);
        }
        let combos_text = read(&index.combinations)?;
        let combinations = build_combinations(&index.combinations, &combos_text, &layouts, &codesets)?;
        let attendance_codes = match &index.attendance_codes {
            Some(name) => build_attendance_codes(name, &read(name)?)?,
            None => CodeTable::default(),
        };
        Ok(Schema {
            name: index.name,
            version: index.version,
            description: index.description,
            origin: origin.to_owned(),
            layouts,
            codesets,
            combinations,
            attendance_codes,
        })
    }
}

/// Deserializes one TOML file and runs its `validator` constraints.
fn parse<T: serde::de::DeserializeOwned + Validate>(name: &str, text: &str) -> Result<T, Error> {
    let value: T =
        toml::from_str(text).map_err(|e| SchemaError::error(name, text, e.message().trim().to_owned(), e.span().map(SourceSpan::from), None))?;
    value.validate().map_err(|errors| {
        let (path, message) = flatten(&errors).into_iter().next().unwrap_or_default();
        invalid(name, text, format!("{path}: {message}"), locate(text, &path), None)
    })?;
    Ok(value)
}

/// Turns validator's nested errors into sorted `(path, message)` pairs.
fn flatten(errors: &ValidationErrors) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (field, kind) in errors.errors() {
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let msg = e.message.as_ref().map_or_else(|| format!("fails the `{}` constraint", e.code), ToString::to_string);
                    out.push((field.to_string(), msg));
                }
            }
            ValidationErrorsKind::Struct(inner) => {
                out.extend(flatten(inner).into_iter().map(|(p, m)| (format!("{field}.{p}"), m)));
            }
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    out.extend(flatten(inner).into_iter().map(|(p, m)| (format!("{field}[{i}].{p}"), m)));
                }
            }
        }
    }
    out.sort();
    out
}

/// Best-effort span for a validator path like `field[3].name`: the nth `[[field]]` header.
fn locate(text: &str, path: &str) -> Option<SourceSpan> {
    let (table, rest) = path.split_once('[')?;
    let n: usize = rest.split_once(']')?.0.parse().ok()?;
    let header = format!("[[{table}]]");
    let offset = text.match_indices(&header).nth(n)?.0;
    Some(SourceSpan::from((offset, header.len())))
}

fn invalid(name: &str, text: &str, message: String, span: Option<SourceSpan>, help: Option<String>) -> Error {
    SchemaError::error(name, text, message, span, help)
}

fn span_of<T>(s: &toml::Spanned<T>) -> Option<SourceSpan> {
    let r = s.span();
    Some(SourceSpan::from((r.start, r.end - r.start)))
}

fn parse_year(name: &str, text: &str, value: Option<&str>, what: &str) -> Result<Option<AcademicYear>, Error> {
    match value {
        None => Ok(None),
        Some(v) => AcademicYear::parse(v.as_bytes()).map(Some).ok_or_else(|| {
            let span = text.find(&format!("\"{v}\"")).map(|o| SourceSpan::from((o, v.len() + 2)));
            invalid(
                name,
                text,
                format!("{what} `{v}` is not an academic year"),
                span,
                Some("write academic years as YYYY-YYYY, like 2025-2026".to_owned()),
            )
        }),
    }
}

fn build_codesets(name: &str, text: &str) -> Result<BTreeMap<String, CodeSet>, Error> {
    let raw: RawCodeSets = parse(name, text)?;
    let mut out = BTreeMap::new();
    for (set_name, set) in raw.codeset {
        let mut codes: Vec<Code> = Vec::with_capacity(set.codes.len());
        let mut index = rustc_hash::FxHashMap::default();
        index.reserve(set.codes.len());
        // The span of a code is looked up only for an error: searching the text for every
        // code would make loading quadratic in the size of the set.
        let span = |code: &str| text.find(&format!("code = \"{code}\"")).map(|o| SourceSpan::from((o, code.len() + 9)));
        for c in set.codes {
            let first = parse_year(name, text, c.first.as_deref(), "first")?;
            let last = parse_year(name, text, c.last.as_deref(), "last")?;
            let Some(key) = pack(c.code.as_bytes()) else {
                return Err(invalid(name, text, format!("code {} is longer than 8 characters", c.code), span(&c.code), None));
            };
            if index.insert(key, codes.len()).is_some() {
                return Err(invalid(name, text, format!("code {} appears twice in {set_name}", c.code), span(&c.code), None));
            }
            if matches!((first, last), (Some(f), Some(l)) if f > l) {
                return Err(invalid(name, text, format!("code {} ends before it starts", c.code), span(&c.code), None));
            }
            codes.push(Code { code: c.code, name: c.name, first, last });
        }
        let keys = codes.iter().filter_map(|c| pack(c.code.as_bytes())).collect();
        out.insert(set_name.clone(), CodeSet { name: set_name, description: set.description, codes, keys, index });
    }
    Ok(out)
}

/// The local attendance code table of `attendance-codes.toml`.
fn build_attendance_codes(name: &str, text: &str) -> Result<CodeTable, Error> {
    let raw: RawAttendanceCodes = parse(name, text)?;
    let mut codes = Vec::new();
    for (code, c) in raw.codes {
        let Some(category) = Category::parse(&c.category) else {
            let span = text.find(&c.category).map(|o| SourceSpan::from((o, c.category.len())));
            let words: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            return Err(invalid(
                name,
                text,
                format!("`{}` is not an attendance category", c.category),
                span,
                Some(format!("use one of {}", words.join(", "))),
            ));
        };
        codes.push(LocalCode { code, category, name: c.name });
    }
    Ok(CodeTable::new(codes))
}

fn build_field(name: &str, text: &str, f: RawField, codesets: &BTreeMap<String, CodeSet>) -> Result<FieldSpec, Error> {
    let format = match (f.kind, f.format) {
        (RawType::DT, None) => ValueFormat::Date,
        (RawType::DT, Some(RawFormat::Day)) => ValueFormat::Day,
        (RawType::NU, None | Some(RawFormat::Integer)) => ValueFormat::Integer,
        (RawType::NU, Some(RawFormat::Decimal)) => ValueFormat::Decimal,
        (RawType::CS, None) => ValueFormat::Text,
        (RawType::CS, Some(RawFormat::Digits)) => ValueFormat::Digits,
        (RawType::CS, Some(RawFormat::AcademicYear)) => ValueFormat::AcademicYear,
        (RawType::CS, Some(RawFormat::Name)) => ValueFormat::Name,
        (RawType::CS, Some(RawFormat::Zip)) => ValueFormat::Zip,
        (RawType::CS, Some(RawFormat::RecordType)) => ValueFormat::RecordType,
        (RawType::CS, Some(RawFormat::AttendanceCode)) => ValueFormat::AttendanceCode,
        (kind, Some(fmt)) => {
            return Err(invalid(
                name,
                text,
                format!("format {fmt:?} does not fit type {kind:?}"),
                span_of(&f.name),
                Some("dates are type DT, numbers NU (format integer or decimal), everything else CS".to_owned()),
            ));
        }
    };
    if let Some(cs) = &f.codeset {
        if !codesets.contains_key(cs.get_ref()) {
            let known = codesets.keys().cloned().collect::<Vec<_>>().join(", ");
            return Err(invalid(
                name,
                text,
                format!("no code set is named `{}`", cs.get_ref()),
                span_of(cs),
                Some(format!("known code sets: {known}")),
            ));
        }
    }
    Ok(FieldSpec {
        number: f.number,
        name: f.name.into_inner(),
        format,
        max: f.max,
        required: match f.required {
            RawRequired::Y => Required::Yes,
            RawRequired::N => Required::No,
            RawRequired::C => Required::Conditional,
        },
        codeset: f.codeset.map(toml::Spanned::into_inner),
        first_year: parse_year(name, text, f.first_year.as_deref(), "first_year")?,
        last_year: parse_year(name, text, f.last_year.as_deref(), "last_year")?,
        blank_before: parse_year(name, text, f.blank_before.as_deref(), "blank_before")?,
    })
}

fn build_layout(name: &str, text: &str, codesets: &BTreeMap<String, CodeSet>) -> Result<Layout, Error> {
    let raw: RawLayout = parse(name, text)?;
    let mut seen = std::collections::HashSet::new();
    let mut build = |list: Vec<RawField>| -> Result<Vec<FieldSpec>, Error> {
        let mut out = Vec::with_capacity(list.len());
        for f in list {
            if !seen.insert(f.name.get_ref().clone()) {
                return Err(invalid(name, text, format!("field `{}` appears twice", f.name.get_ref()), span_of(&f.name), None));
            }
            out.push(build_field(name, text, f, codesets)?);
        }
        Ok(out)
    };
    let fields = build(raw.field)?;
    let download_fields = build(raw.download_field)?;
    let layout = Layout {
        record_type: raw.record_type,
        download_record_type: raw.download_record_type,
        description: raw.description,
        key: raw.key,
        fields,
        download_fields,
    };
    check_layout(name, text, layout)
}

fn check_layout(name: &str, text: &str, layout: Layout) -> Result<Layout, Error> {
    let at = |needle: &str| text.find(needle).map(|o| SourceSpan::from((o, needle.len())));
    match layout.fields.first() {
        Some(f) if f.format == ValueFormat::RecordType => {}
        _ => return Err(invalid(name, text, "the first field must have format = \"record_type\"".to_owned(), at("[[field]]"), None)),
    }
    // A layout whose fields change with the year must say the year where every year's form
    // has it; a layout without year-bound fields (daily attendance) needs no year field.
    let by_year = layout.fields.iter().any(|f| f.first_year.is_some() || f.last_year.is_some() || f.blank_before.is_some());
    if by_year && layout.stable_position(crate::schema::names::ACADEMIC_YEAR_ID).is_none() {
        return Err(invalid(
            name,
            text,
            "academic_year_id must come before every field that has first_year or last_year".to_owned(),
            at("academic_year_id"),
            Some("the academic year decides which year's layout applies, so its position must not depend on the year".to_owned()),
        ));
    }
    for k in &layout.key {
        if !layout.fields.iter().any(|f| &f.name == k) {
            return Err(invalid(name, text, format!("key field `{k}` is not a field of this layout"), at(&format!("\"{k}\"")), None));
        }
    }
    Ok(layout)
}

fn build_combinations(
    name: &str,
    text: &str,
    layouts: &[Layout],
    codesets: &BTreeMap<String, CodeSet>,
) -> Result<BTreeMap<String, Combination>, Error> {
    let raw: RawCombinations = parse(name, text)?;
    let codeset_of = |field: &str| {
        layouts.iter().flat_map(|l| &l.fields).find(|f| f.name == field).and_then(|f| f.codeset.as_deref()).and_then(|c| codesets.get(c))
    };
    let mut out = BTreeMap::new();
    for c in raw.combination {
        let span = text.find(&format!("\"{}\"", c.name)).map(|o| SourceSpan::from((o, c.name.len() + 2)));
        let (Some(set), Some(other)) = (codeset_of(&c.field), codeset_of(&c.other_field)) else {
            return Err(invalid(name, text, format!("{} and {} must both be coded fields of a layout", c.field, c.other_field), span, None));
        };
        for (code, values) in &c.allowed {
            let unknown = std::iter::once(code)
                .filter(|v| set.lookup(v.as_bytes()).is_none())
                .chain(values.iter().filter(|v| other.lookup(v.as_bytes()).is_none()))
                .next();
            if let Some(v) = unknown {
                let vspan = text.find(&format!("\"{v}\"")).or_else(|| text.find(v.as_str())).map(|o| SourceSpan::from((o, v.len())));
                return Err(invalid(name, text, format!("`{v}` is not a code of its code set"), vspan, None));
            }
        }
        out.insert(
            c.name.clone(),
            Combination { name: c.name, description: c.description, field: c.field, other_field: c.other_field, allowed: c.allowed },
        );
    }
    Ok(out)
}

pub mod names {
    //! Machine names of the fields that rules refer to by name (from `calpads-layouts.md`).
    pub const ACADEMIC_YEAR_ID: &str = "academic_year_id";
    pub const REPORTING_LEA: &str = "reporting_lea";
    pub const TRANSACTION_TYPE_CODE: &str = "transaction_type_code";
    pub const LOCAL_RECORD_ID: &str = "local_record_id";
    pub const SSID: &str = "ssid";
    pub const SCHOOL_OF_ATTENDANCE: &str = "school_of_attendance";
    pub const LOCAL_STUDENT_ID: &str = "local_student_id";
    /// The record type of daily attendance rows.
    pub const ATTENDANCE: &str = "ATTENDANCE";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schema_loads() {
        let s = Schema::embedded().unwrap();
        assert_eq!(s.layouts.len(), 4);
        assert_eq!(s.layouts[3].record_type, "ATTENDANCE");
        assert_eq!(s.attendance_codes.category(b"IS"), Some(crate::domain::attendance::Category::IndependentStudy));
        let senr = &s.layouts[0];
        let stas = &s.layouts[2];
        assert_eq!(senr.fields_for(AcademicYear(2022), false).len(), 39);
        assert_eq!(senr.fields_for(AcademicYear(2023), false).len(), 35);
        assert_eq!(senr.fields_for(AcademicYear(2025), true).len(), 37);
        let eras = senr.eras();
        assert_eq!(eras.len(), 2, "{eras:?}");
        assert_eq!((eras[0].fields, eras[0].describe()), (39, "2022-2023 and earlier".to_owned()));
        assert_eq!((eras[1].fields, eras[1].describe()), (35, "2023-2024 and later".to_owned()));
        assert_eq!(stas.eras().len(), 1);
        assert_eq!(senr.download_fields.len(), 2);
        assert_eq!(stas.fields_for(AcademicYear(2025), false).len(), 24);
        // Attendance recovery days: in every year's file, a value only from 2025-2026 on.
        assert_eq!(stas.fields_for(AcademicYear(2024), false).len(), 24);
        assert_eq!(stas.fields.last().and_then(|f| f.blank_before), Some(AcademicYear(2025)));
        assert_eq!(s.layout(b"SENR-R"), Some((0, true)));
    }

    #[test]
    fn year_bound_fields_are_in_their_years_only() {
        let field = FieldSpec {
            number: "9.99".into(),
            name: "later_field".into(),
            format: ValueFormat::Text,
            max: 1,
            required: Required::No,
            codeset: None,
            first_year: Some(AcademicYear(2026)),
            last_year: Some(AcademicYear(2027)),
            blank_before: None,
        };
        assert!(!field.is_in(AcademicYear(2025)));
        assert!(field.is_in(AcademicYear(2026)) && field.is_in(AcademicYear(2027)));
        assert!(!field.is_in(AcademicYear(2028)));
    }

    #[test]
    fn code_effective_years() {
        let s = Schema::embedded().unwrap();
        let tk = s.codeset("grade_level").unwrap().lookup(b"TK").unwrap();
        assert!(!tk.is_effective(AcademicYear(2022)));
        assert!(tk.is_effective(AcademicYear(2023)));
    }

    #[test]
    fn broken_file_points_into_it() {
        let err = parse::<RawIndex>("schema.toml", "name = \"x\"\nversion = 3\n").unwrap_err();
        let Error::Schema(e) = err else { panic!("unexpected {err:?}") };
        assert!(e.span.is_some());
    }

    #[test]
    fn validator_constraints_are_enforced() {
        let text = "record_type = \"SENR\"\n[[field]]\nnumber = \"1\"\nname = \"Bad Name\"\ntype = \"CS\"\nmax = 4\nrequired = \"Y\"\n[[field]]\nnumber = \"2\"\nname = \"ok\"\ntype = \"CS\"\nmax = 0\nrequired = \"Y\"\n";
        let err = parse::<RawLayout>("x.toml", text).unwrap_err();
        let Error::Schema(e) = err else { panic!("wrong error") };
        assert!(e.message.starts_with("field[0].name"), "{}", e.message);
        assert_eq!(e.span, Some(SourceSpan::from((21, 9))));
    }
}
