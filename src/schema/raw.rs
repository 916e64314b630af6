//! The schema files exactly as written on disk (TOML), deserialized with serde and checked
//! for their own simple constraints with `validator`. [`super`] turns them into the
//! validated [`super::Schema`] the rules use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use validator::{Validate, ValidationError};

/// `schema.toml`: which files make up a schema set.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIndex {
    #[validate(length(min = 1, max = 40))]
    pub(crate) name: String,
    #[validate(length(min = 1, max = 40))]
    pub(crate) version: String,
    #[serde(default)]
    pub(crate) description: String,
    #[validate(length(min = 1))]
    pub(crate) layouts: Vec<String>,
    /// One code-set file, or several (`["codesets.toml", "iso3166.toml"]`).
    pub(crate) codesets: OneOrMany,
    pub(crate) combinations: String,
    /// The local attendance code table (`attendance-codes.toml`); none: the built-in one.
    pub(crate) attendance_codes: Option<String>,
}

/// `attendance-codes.toml`.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAttendanceCodes {
    pub(crate) codes: BTreeMap<String, RawAttendanceCode>,
}

/// One local attendance code.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAttendanceCode {
    pub(crate) category: String,
    #[serde(default)]
    pub(crate) name: String,
}

/// A file name, or a list of them.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn names(&self) -> &[String] {
        match self {
            OneOrMany::One(name) => std::slice::from_ref(name),
            OneOrMany::Many(names) => names,
        }
    }
}

/// One record layout file (`senr.toml`, …).
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLayout {
    #[validate(custom(function = "record_type_form"))]
    pub(crate) record_type: String,
    #[serde(default)]
    pub(crate) description: String,
    pub(crate) download_record_type: Option<String>,
    #[serde(default)]
    pub(crate) key: Vec<String>,
    #[validate(length(min = 2, max = 400), nested)]
    pub(crate) field: Vec<RawField>,
    #[serde(default)]
    #[validate(nested)]
    pub(crate) download_field: Vec<RawField>,
}

/// One `[[field]]` of a layout.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawField {
    #[validate(length(min = 1, max = 10))]
    pub(crate) number: String,
    #[validate(custom(function = "snake_case"))]
    pub(crate) name: Spanned<String>,
    #[serde(rename = "type")]
    pub(crate) kind: RawType,
    #[validate(range(min = 1, max = 10_000))]
    pub(crate) max: u32,
    pub(crate) required: RawRequired,
    pub(crate) format: Option<RawFormat>,
    pub(crate) codeset: Option<Spanned<String>>,
    pub(crate) first_year: Option<String>,
    pub(crate) last_year: Option<String>,
    /// The field's position exists in every year's file, but it may hold a value only from
    /// this academic year on (a field the state added to the end of a layout).
    pub(crate) blank_before: Option<String>,
}

/// CALPADS field types: character string, date, number.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) enum RawType {
    CS,
    DT,
    NU,
}

/// Required: yes, no, or conditional (checked by record rules).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) enum RawRequired {
    Y,
    N,
    C,
}

/// The value shape a field must have beyond its type.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawFormat {
    RecordType,
    /// A date written `YYYY-MM-DD` or `CCYYMMDD` (district extracts).
    Day,
    Digits,
    AcademicYear,
    Name,
    Zip,
    Decimal,
    Integer,
    /// A local attendance code (daily attendance), mapped through the code table.
    AttendanceCode,
}

/// `codesets.toml`.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCodeSets {
    #[validate(nested)]
    pub(crate) codeset: BTreeMap<String, RawCodeSet>,
}

/// One `[codeset.NAME]`.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCodeSet {
    #[serde(default)]
    pub(crate) description: String,
    #[validate(length(min = 1), nested)]
    pub(crate) codes: Vec<RawCode>,
}

/// One code of a code set, with its effective academic years.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCode {
    #[validate(length(min = 1, max = 10))]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) name: String,
    pub(crate) first: Option<String>,
    pub(crate) last: Option<String>,
}

/// `combinations.toml`.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCombinations {
    #[validate(nested)]
    pub(crate) combination: Vec<RawCombination>,
}

/// One valid-code-combination table.
#[derive(Debug, Deserialize, Serialize, Validate)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCombination {
    #[validate(custom(function = "snake_case_plain"))]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: String,
    pub(crate) field: String,
    pub(crate) other_field: String,
    #[validate(length(min = 1))]
    pub(crate) allowed: BTreeMap<String, Vec<String>>,
}

fn is_snake_case(s: &str) -> bool {
    !s.is_empty() && s.starts_with(|c: char| c.is_ascii_lowercase()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn snake_case(name: &Spanned<String>) -> Result<(), ValidationError> {
    snake_case_plain(name.get_ref())
}

fn snake_case_plain(name: &str) -> Result<(), ValidationError> {
    if is_snake_case(name) {
        Ok(())
    } else {
        Err(ValidationError::new("snake_case").with_message("names are lowercase snake_case, like enrollment_start_date".into()))
    }
}

fn record_type_form(rt: &str) -> Result<(), ValidationError> {
    if (2..=12).contains(&rt.len()) && rt.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ValidationError::new("record_type").with_message("record types are 2-12 capital letters, like SENR".into()))
    }
}
