//! `manifest.json`: what went into a `rollcall generate` run and what came out — tool and
//! schema versions, academic year, every input with its SHA-256 and row count, every
//! output with its SHA-256 and record counts, and the rows refused per rule — so a
//! submission can be traced to its extracts. It holds no time stamp: the same inputs give
//! the same manifest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The manifest of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub tool_version: String,
    pub schema: Versioned,
    /// Layouts of the files written with one (census files).
    pub layouts: Vec<Versioned>,
    pub academic_year: Option<String>,
    /// The date taken as today for the date rules.
    pub as_of: String,
    pub census_day: Option<String>,
    pub inputs: Vec<InputEntry>,
    pub outputs: Vec<OutputEntry>,
    pub rows: RowCounts,
    /// Refused rows per rule ID (a row refused by two rules counts under both).
    pub rejected_by_rule: BTreeMap<String, u64>,
}

/// A schema or layout: name, version and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioned {
    pub name: String,
    pub version: String,
    pub origin: String,
}

/// What an input file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// A district extract (CSV with a header row).
    Extract,
    /// A CALPADS file (records in layout form, no header).
    Calpads,
    /// The mapping file.
    Mapping,
    /// A layout file given by path.
    Layout,
    /// The attendance calendar.
    Calendar,
    /// Daily attendance (CSV with a header row); its rows go into stas.txt.
    Attendance,
}

/// One input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputEntry {
    pub path: String,
    pub kind: InputKind,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// Data rows (extracts: lines after the header; CALPADS files: records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Rows that went into the outputs (for CALPADS files: into the census counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<u64>,
    /// Extract columns no field takes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unknown_columns: Vec<String>,
}

/// One output, beside the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputEntry {
    /// File name in the output folder.
    pub path: String,
    pub sha256: String,
    pub records: u64,
    /// Records per record type (`SENR`; `header`, `detail`, `trailer`).
    pub record_types: BTreeMap<String, u64>,
}

/// Row accounting over every input: `input == written + rejected`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCounts {
    pub input: u64,
    pub written: u64,
    pub rejected: u64,
    /// `input == written + rejected`: no row was lost.
    pub balanced: bool,
}

impl RowCounts {
    /// Counts from per-input entries.
    pub fn from_inputs(inputs: &[InputEntry]) -> RowCounts {
        let sum = |f: fn(&InputEntry) -> Option<u64>| inputs.iter().filter_map(f).sum::<u64>();
        let (input, written, rejected) = (sum(|i| i.rows), sum(|i| i.written), sum(|i| i.rejected));
        RowCounts { input, written, rejected, balanced: input == written + rejected }
    }
}

impl Manifest {
    /// An empty manifest for this tool version.
    pub fn new(schema: Versioned, as_of: String) -> Manifest {
        Manifest {
            tool: env!("CARGO_PKG_NAME").to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            schema,
            layouts: Vec::new(),
            academic_year: None,
            as_of,
            census_day: None,
            inputs: Vec::new(),
            outputs: Vec::new(),
            rows: RowCounts::default(),
            rejected_by_rule: BTreeMap::new(),
        }
    }

    /// The manifest as pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_balance() {
        let entry = |rows, written, rejected| InputEntry {
            path: "x".into(),
            kind: InputKind::Extract,
            sha256: String::new(),
            record_type: None,
            rows: Some(rows),
            written: Some(written),
            rejected: Some(rejected),
            unknown_columns: Vec::new(),
        };
        assert!(RowCounts::from_inputs(&[entry(3, 2, 1), entry(4, 4, 0)]).balanced);
        assert!(!RowCounts::from_inputs(&[entry(3, 1, 1)]).balanced);
    }
}
