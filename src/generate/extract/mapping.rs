//! The mapping file (TOML): how one student information system's extracts map onto the
//! CALPADS layouts — column renames, constants, local-to-state code translations, the
//! order of slash dates, and the record type of files that do not say it. Every field it
//! names must be a layout field, so a typo is an error that points into the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::SourceSpan;
use serde::Deserialize;

use super::dates::SlashOrder;
use crate::domain::attendance::{Category, CodeTable, LocalCode};
use crate::error::{Error, SchemaError};
use crate::schema::Schema;

/// A loaded, checked mapping. [`Mapping::default`] is the empty mapping.
#[derive(Debug, Default, Clone)]
pub struct Mapping {
    /// Where it came from, when loaded from a file.
    pub path: Option<PathBuf>,
    /// Extract column header (as written) → field machine name.
    pub columns: BTreeMap<String, String>,
    /// Field → value every record takes when the extract has no column for it.
    pub constants: BTreeMap<String, String>,
    /// Field → (local code → state code).
    pub codes: BTreeMap<String, BTreeMap<String, String>>,
    pub slash_order: SlashOrder,
    /// Extract file name → record type.
    pub files: BTreeMap<String, String>,
    /// The district's local attendance codes (`[attendance_codes]`), added to the code table
    /// of the schema, or replacing it when `replace = true`.
    pub attendance_codes: Vec<LocalCode>,
    pub replace_attendance_codes: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    constants: BTreeMap<String, String>,
    #[serde(default)]
    codes: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    dates: RawDates,
    #[serde(default)]
    files: BTreeMap<String, RawFile>,
    #[serde(default)]
    attendance_codes: RawAttendanceCodes,
}

/// `[attendance_codes]`: local code = category, and `replace = true` to drop the built-in
/// table.
#[derive(Debug, Deserialize, Default)]
struct RawAttendanceCodes {
    #[serde(default)]
    replace: bool,
    #[serde(flatten)]
    codes: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDates {
    #[serde(default)]
    slash_order: SlashOrder,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    record_type: String,
}

impl Mapping {
    /// Loads and checks a mapping file against the schema's layouts.
    pub fn load(path: &Path, schema: &Schema) -> Result<Mapping, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let mut m = Mapping::parse(&path.display().to_string(), &text, schema)?;
        m.path = Some(path.to_path_buf());
        Ok(m)
    }

    /// Parses mapping text; `name` names it in errors.
    pub fn parse(name: &str, text: &str, schema: &Schema) -> Result<Mapping, Error> {
        let raw: RawMapping =
            toml::from_str(text).map_err(|e| SchemaError::error(name, text, e.message().trim().to_owned(), e.span().map(SourceSpan::from), None))?;
        let known = |field: &str| schema.layouts.iter().flat_map(|l| &l.fields).any(|f| f.name == field);
        let fields = raw.columns.values().chain(raw.constants.keys()).chain(raw.codes.keys());
        if let Some(bad) = fields.into_iter().find(|f| !known(f)) {
            return Err(unknown(name, text, bad, "field", schema.layouts.iter().flat_map(|l| &l.fields).map(|f| f.name.as_str())));
        }
        // A constant goes into every row: one longer than its field could ever be (a pasted
        // megabyte) is refused here, not copied into each record to be refused there.
        for (field, value) in &raw.constants {
            let max = schema.layouts.iter().flat_map(|l| &l.fields).filter(|f| f.name == *field).map(|f| f.max as usize).max().unwrap_or(0);
            let len = value.chars().count();
            if len > max {
                return Err(Error::Argument {
                    arg: "--mapping",
                    message: format!("{name}: the constant for {field} is {len} characters long; the field holds at most {max}"),
                });
            }
        }
        if let Some((file, bad)) = raw.files.iter().find(|(_, f)| schema.layout(f.record_type.as_bytes()).is_none_or(|(_, download)| download)) {
            let types = schema.layouts.iter().map(|l| l.record_type.as_str());
            return Err(unknown(name, text, &bad.record_type, &format!("record type (for {file})"), types));
        }
        let mut attendance_codes = Vec::new();
        for (code, word) in &raw.attendance_codes.codes {
            let Some(category) = Category::parse(word) else {
                let words = Category::ALL.iter().map(|c| c.as_str());
                return Err(unknown(name, text, word, &format!("attendance category (for code {code})"), words));
            };
            attendance_codes.push(LocalCode { code: code.clone(), category, name: format!("{code} (mapping file)") });
        }
        Ok(Mapping {
            attendance_codes,
            replace_attendance_codes: raw.attendance_codes.replace,
            path: None,
            columns: raw.columns,
            constants: raw.constants,
            codes: raw.codes,
            slash_order: raw.dates.slash_order,
            files: raw.files.into_iter().map(|(k, v)| (k, v.record_type)).collect(),
        })
    }

    /// Adds the mapping's local attendance codes to `table` (or replaces the table with them).
    pub fn apply_attendance_codes(&self, table: &mut CodeTable) {
        if self.replace_attendance_codes {
            *table = CodeTable::new(self.attendance_codes.clone());
        } else {
            for code in &self.attendance_codes {
                table.set(code.clone());
            }
        }
    }

    /// The state code for a local `value` of `field` (the value itself when not mapped).
    pub fn translate<'v>(&'v self, field: &str, value: &'v [u8]) -> &'v [u8] {
        let Some(table) = self.codes.get(field) else { return value };
        std::str::from_utf8(value).ok().and_then(|v| table.get(v)).map_or(value, |s| s.as_bytes())
    }
}

fn unknown<'a>(name: &str, text: &str, bad: &str, what: &str, options: impl Iterator<Item = &'a str>) -> Error {
    let span = text.find(&format!("\"{bad}\"")).map(|o| (o, bad.len() + 2)).or_else(|| text.find(bad).map(|o| (o, bad.len())));
    let options: Vec<&str> = options.collect();
    let hint = super::columns::closest(bad, options.iter().copied()).map_or_else(String::new, |c| format!("did you mean `{c}`? "));
    let help = format!("{hint}fields are the machine names of calpads-layouts.md, like enrollment_start_date");
    SchemaError::error(name, text, format!("`{bad}` is not a {what} of the CALPADS layouts"), span.map(SourceSpan::from), Some(help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_translates() {
        let schema = Schema::embedded().unwrap();
        let text = "[columns]\n\"Grade\" = \"grade_level_code\"\n[codes.grade_level_code]\nK = \"KN\"\n[dates]\nslash_order = \"day-first\"\n[files.\"e.csv\"]\nrecord_type = \"SENR\"\n";
        let m = Mapping::parse("m.toml", text, &schema).unwrap();
        assert_eq!(m.translate("grade_level_code", b"K"), b"KN");
        assert_eq!(m.translate("grade_level_code", b"04"), b"04");
        assert_eq!(m.slash_order, SlashOrder::DayFirst);
        assert_eq!(m.files["e.csv"], "SENR");
    }

    #[test]
    fn unknown_fields_point_into_the_file() {
        let schema = Schema::embedded().unwrap();
        let err = Mapping::parse("m.toml", "[constants]\nreporting_lae = \"1964733\"\n", &schema).unwrap_err();
        let Error::Schema(e) = err else { panic!("{err:?}") };
        assert!(e.help.as_deref().unwrap_or_default().contains("reporting_lea"), "{:?}", e.help);
        assert!(e.span.is_some());
    }
}
