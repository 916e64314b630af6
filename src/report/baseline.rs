//! Accepted findings: a baseline file lists findings someone has verified (twins under
//! XF-MULTIPLE-IDENTIFIERS, a known exception), by a stable fingerprint, so a nightly run stops
//! failing on them while every new finding still counts. `--write-baseline FILE` writes one
//! from a run; `--baseline FILE` leaves out the findings it lists and the summary says how many.
//!
//! The fingerprint does not use line numbers (they move when records are added): it is the
//! rule, the file's name, the record's keys (SSID, local record and student IDs), the field and
//! its value, and for a finding about no record, its message.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diagnostic::{Finding, Rule, Sink};
use crate::source::Input;

/// The columns of a baseline file.
const HEADER: [&str; 8] = ["fingerprint", "rule", "file", "ssid", "local_record_id", "field", "value", "message"];

/// A finding's stable fingerprint (16 hex digits).
pub fn fingerprint(f: &Finding, inputs: &[Input]) -> String {
    let file =
        f.at.input
            .and_then(|i| inputs.get(i))
            .and_then(|i| Path::new(&i.display).file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
    let keyless = f.ssid.is_none() && f.local_record_id.is_none() && f.local_student_id.is_none();
    let parts = [
        f.rule.id,
        &file,
        f.ssid.as_deref().unwrap_or_default(),
        f.local_record_id.as_deref().unwrap_or_default(),
        f.local_student_id.as_deref().unwrap_or_default(),
        f.field.as_deref().unwrap_or_default(),
        f.value.as_deref().unwrap_or_default(),
        if keyless { f.message.as_str() } else { "" },
    ];
    let digest = Sha256::digest(parts.join("\u{1f}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The fingerprints of a baseline file.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// Reads a baseline file; an unreadable or malformed one is an error.
    pub fn load(path: &Path) -> Result<Baseline, crate::error::Error> {
        let bad = |message: String| crate::error::Error::Argument { arg: "--baseline", message: format!("{}: {message}", path.display()) };
        let mut rdr = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
        let headers = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
        let Some(at) = headers.iter().position(|h| h == "fingerprint") else {
            return Err(bad("no `fingerprint` column (write one with --write-baseline)".to_owned()));
        };
        let mut fingerprints = BTreeSet::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            fingerprints.insert(rec.get(at).unwrap_or_default().trim().to_owned());
        }
        Ok(Baseline { fingerprints })
    }

    pub fn accepts(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }
}

/// A sink that leaves out the findings of a baseline (counting them) and, when asked, keeps
/// every finding's row for a new baseline.
pub struct BaselineSink<'a> {
    pub inner: &'a mut dyn Sink,
    inputs: &'a [Input],
    baseline: Option<Baseline>,
    /// Findings the baseline accepted.
    pub accepted: u64,
    rows: Option<Vec<[String; 8]>>,
}

impl<'a> BaselineSink<'a> {
    pub fn new(inner: &'a mut dyn Sink, inputs: &'a [Input], baseline: Option<Baseline>, write: bool) -> BaselineSink<'a> {
        BaselineSink { inner, inputs, baseline, accepted: 0, rows: write.then(Vec::new) }
    }

    /// Writes the baseline of the findings seen (atomically: a temporary file renamed).
    pub fn write(&self, path: &Path) -> Result<usize, crate::error::Error> {
        let Some(rows) = &self.rows else { return Ok(0) };
        let err = |source: io::Error| crate::error::Error::Write { path: path.to_path_buf(), source };
        let mut w = super::csv::CsvWriter::new(super::csv::Framing::Plain);
        w.row(HEADER).map_err(err)?;
        for row in rows {
            w.row(row).map_err(err)?;
        }
        let inputs: Vec<PathBuf> = self.inputs.iter().map(|i| i.path.clone()).collect();
        super::file::write_atomic(path, &w.into_bytes().map_err(err)?, &inputs)?;
        Ok(rows.len())
    }
}

impl Sink for BaselineSink<'_> {
    fn wants_excerpt(&mut self, rule: &'static Rule) -> bool {
        self.inner.wants_excerpt(rule)
    }

    fn finding(&mut self, f: Finding) -> io::Result<()> {
        let print = fingerprint(&f, self.inputs);
        if let Some(rows) = &mut self.rows {
            let file = f.at.input.and_then(|i| self.inputs.get(i)).map(|i| i.display.clone()).unwrap_or_default();
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            rows.push([
                print.clone(),
                f.rule.id.to_owned(),
                file,
                text(&f.ssid),
                text(&f.local_record_id),
                text(&f.field),
                text(&f.value),
                f.message.clone(),
            ]);
        }
        if self.baseline.as_ref().is_some_and(|b| b.accepts(&print)) {
            self.accepted += 1;
            return Ok(());
        }
        self.inner.finding(f)
    }
}
