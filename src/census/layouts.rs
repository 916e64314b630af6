//! The census file layouts: the two compiled into the binary (CBEDS-style fixed-width and
//! tab-delimited, `schemas/cbeds/`), and what any census layout may read: the columns of
//! [`super::Census::table`] and the run's parameters.

use crate::error::Error;
use crate::layout::spec::{FileLayout, Vocabulary};

/// The column names of [`super::Census::table`], which census layouts read.
pub const COLUMNS: [&str; 11] = [
    "reporting_lea",
    "school_of_attendance",
    "grade_level_code",
    "student_gender_code",
    "race_ethnicity",
    "race_ethnicity_name",
    "primary",
    "secondary",
    "short_term",
    "non_ada",
    "total",
];

/// The run parameters a census layout field may read (`param = "…"`).
pub const PARAMS: [&str; 3] = ["reporting_lea", "academic_year", "census_day"];

/// What a census layout may read.
pub const VOCABULARY: Vocabulary = Vocabulary { rows: "census rows", columns: &COLUMNS, params: &PARAMS };

/// The layouts compiled into the binary, by the name `--census-layout` takes.
const EMBEDDED: &[(&str, &str)] =
    &[("fixed", include_str!("../../schemas/cbeds/census-fixed.toml")), ("tab", include_str!("../../schemas/cbeds/census-tab.toml"))];

/// An embedded census layout by name (`fixed`, `tab`), or a layout file by path.
pub fn load_layout(name_or_path: &str) -> Result<FileLayout, Error> {
    FileLayout::load(name_or_path, EMBEDDED, &VOCABULARY)
}

/// Names of the census layouts compiled into the binary.
pub fn embedded_names() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(n, _)| *n).collect()
}
