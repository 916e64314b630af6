//! The bundled samples: samples/clean has no finding, samples/errors has exactly the findings
//! listed in samples/errors.planted.csv, examples/synth.rs (included here as a module) writes
//! every sample file byte for byte, and `rollcall census` agrees with a count made here from the
//! SENR lines themselves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{json_lines, rollcall, root, AS_OF};

#[allow(dead_code)] // its `main`, which only the example binary calls
#[path = "../../examples/synth.rs"]
mod synth;

const CALENDAR: &str = "samples/calendar-2025-2026.csv";
const REGENERATE: &str = "cargo run --example synth -- samples";

/// A finding as the planted list names it: file name, line, field ("" for none), rule, category.
type Key = (String, u64, String, String, String);

/// Runs `check --format json` on `dir`; the exit code and the diagnostics.
fn check(dir: &str, options: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).args(options).arg(dir).output().unwrap();
    let diagnostics = json_lines(&out.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect();
    (out.status.code(), diagnostics)
}

fn key_of(d: &serde_json::Value) -> Key {
    let file = d["file"].as_str().map(|f| Path::new(f).file_name().unwrap().to_string_lossy().into_owned()).unwrap_or_default();
    let text = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
    (file, d["line"].as_u64().unwrap_or(0), text("field"), text("rule"), text("category"))
}

/// The planted rows whose `needs` column is in `needs` ("" = no option needed).
fn planted(needs: &[&str]) -> Vec<Key> {
    let mut rdr = csv::Reader::from_path(root().join("samples/errors.planted.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), ["file", "line", "field", "rule", "category", "description", "needs"]);
    let rows = rdr.records().map(Result::unwrap);
    let rows = rows.filter(|r| needs.contains(&&r[6]));
    rows.map(|r| (r[0].to_owned(), r[1].parse().unwrap(), r[2].to_owned(), r[3].to_owned(), r[4].to_owned())).collect()
}

/// Both lists hold the same findings, each as often (sorted, so a difference reads easily).
fn assert_same(mut expected: Vec<Key>, found: &[serde_json::Value]) {
    let mut found: Vec<Key> = found.iter().map(key_of).collect();
    expected.sort();
    found.sort();
    let missing: Vec<&Key> = expected.iter().filter(|k| !found.contains(k)).collect();
    let unexpected: Vec<&Key> = found.iter().filter(|k| !expected.contains(k)).collect();
    assert!(missing.is_empty() && unexpected.is_empty(), "planted but not found: {missing:#?}\nfound but not planted: {unexpected:#?}");
    assert_eq!(found, expected, "a finding is reported more or fewer times than planted");
}

#[test]
fn clean_samples_have_no_finding() {
    for options in [&["--census"][..], &["--census", "--calendar", CALENDAR]] {
        let (code, findings) = check("samples/clean", options);
        assert!(findings.is_empty(), "{options:?}: {findings:#?}");
        assert_eq!(code, Some(0));
    }
}

#[test]
fn error_samples_have_exactly_the_planted_findings() {
    let (code, findings) = check("samples/errors", &["--census", "--calendar", CALENDAR]);
    assert_eq!(code, Some(1));
    assert_same(planted(&["", "census", "calendar"]), &findings);
}

#[test]
fn census_and_calendar_findings_need_their_options() {
    let (code, findings) = check("samples/errors", &[]);
    assert_eq!(code, Some(1));
    assert_same(planted(&[""]), &findings);
}

#[test]
fn error_samples_cover_every_cross_file_rule() {
    let rules: Vec<String> = planted(&["", "census", "calendar"]).into_iter().map(|k| k.3).collect();
    let wanted = [
        "SENR-DUPLICATE-KEY",
        "SENR-OVERLAP-SCHOOL",
        "SENR-OVERLAP-PRIMARY",
        "SENR-SHORT-TERM-NO-PRIMARY",
        "SINF-DUPLICATE-KEY",
        "STAS-DUPLICATE",
        "XF-STAS-MISSING",
        "XF-STAS-WITHOUT-ENROLLMENT",
        "XF-SINF-CENSUS",
        "XF-US-DATE-AFTER-START",
        "XF-PRIOR-YEAR-OPEN",
        "XF-NO-ETHNICITY",
        "XF-SSID-DIFFERS",
        "XF-MULTIPLE-IDENTIFIERS",
        "XF-NON-SCHOOL-DAY",
        "XF-EXPECTED-DAYS",
    ];
    let absent: Vec<&str> = wanted.into_iter().filter(|w| !rules.iter().any(|r| r == w)).collect();
    assert!(absent.is_empty(), "no planted error for {absent:?}");
}

/// Every file below `dir`, as sorted paths relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn generator_writes_the_committed_samples() {
    let dir = tempfile::tempdir().unwrap();
    synth::write_samples(dir.path()).unwrap();
    let written = files_under(dir.path());
    assert!(written.len() >= 9, "{written:?}");
    for rel in &written {
        let committed = std::fs::read(root().join("samples").join(rel)).unwrap_or_default();
        let fresh = std::fs::read(dir.path().join(rel)).unwrap();
        assert!(committed == fresh, "samples/{} is not what the generator writes; run `{REGENERATE}`", rel.display());
    }
    for sub in ["clean", "errors"] {
        let stale: Vec<PathBuf> =
            files_under(&root().join("samples").join(sub)).into_iter().filter(|p| !written.contains(&Path::new(sub).join(p))).collect();
        assert!(stale.is_empty(), "files in samples/{sub} the generator does not write: {stale:?}");
    }
}

/// Enrollments per (school, grade) on Census Day 2025-10-01: primary, secondary, short-term,
/// non-ADA, counted from the caret-separated SENR fields.
fn census_by_hand() -> BTreeMap<(String, String), [u64; 4]> {
    let text = std::fs::read_to_string(root().join("samples/clean/senr.txt")).unwrap();
    let day = "20251001";
    let mut counts: BTreeMap<(String, String), [u64; 4]> = BTreeMap::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('^').collect();
        assert_eq!((f[0], f[6], f.len()), ("SENR", "2025-2026", 35), "{line}");
        let (school, start, status, grade, exit, reason) = (f[4], f[21], f[22], f[23], f[24], f[25]);
        let active = start <= day && (exit.is_empty() || exit >= day) && !matches!(reason, "N420" | "N470");
        if active {
            let column = ["10", "20", "30", "50"].iter().position(|s| *s == status).unwrap();
            counts.entry((school.to_owned(), grade.to_owned())).or_default()[column] += 1;
        }
    }
    counts
}

#[test]
fn census_counts_match_a_count_by_hand() {
    let expected = census_by_hand();
    for column in 0..4 {
        assert!(expected.values().any(|c| c[column] > 0), "the sample has no enrollment of status column {column} on Census Day");
    }
    let out = rollcall().args(["census", "--format", "json", "samples/clean"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc["academic_year"].as_str(), doc["census_day"].as_str()), (Some("2025-2026"), Some("2025-10-01")));
    let mut json = BTreeMap::new();
    for row in doc["rows"].as_array().unwrap() {
        let n = |k: &str| row[k].as_u64().unwrap();
        let counts = [n("primary"), n("secondary"), n("short_term"), n("non_ada")];
        assert_eq!(n("total"), counts.iter().sum::<u64>(), "{row}");
        json.insert((row["school"].as_str().unwrap().to_owned(), row["grade"].as_str().unwrap().to_owned()), counts);
    }
    assert_eq!(json, expected);
    let out = rollcall().args(["census", "--format", "csv", "samples/clean"]).output().unwrap();
    let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
    let csv: BTreeMap<(String, String), [u64; 4]> = rdr
        .deserialize::<(String, String, u64, u64, u64, u64, u64)>()
        .map(|r| {
            let (school, grade, p, s, st, na, _) = r.unwrap();
            ((school, grade), [p, s, st, na])
        })
        .collect();
    assert_eq!(csv, expected);
}

/// `rollcall census` counts what the state would take: a record with a fatal finding is left
/// out and the report says how many; nothing to count and a census date outside the year are
/// errors (exit 2), never a table of zeros.
#[test]
fn census_says_what_it_did_not_count() {
    let out = rollcall().args(["census", "samples/errors", "--as-of", AS_OF, "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let left: u64 = doc["not_counted"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert!(left > 0, "{doc}");
    let clean = rollcall().args(["census", "samples/clean", "--as-of", AS_OF, "--format", "json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert!(doc["not_counted"].as_object().unwrap().is_empty(), "{doc}");
    let outside = rollcall().args(["census", "samples/clean", "--census-date", "2024-10-02"]).output().unwrap();
    assert_eq!(outside.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&outside.stderr).contains("is not in the academic year 2025-2026"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("samples/clean/sinf.txt"), dir.path().join("sinf.txt")).unwrap();
    let none = rollcall().arg("census").arg(dir.path()).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no SENR enrollment"), "{}", String::from_utf8_lossy(&none.stderr));
}
