//! The bundled samples: samples/clean has no finding, samples/errors has exactly the findings
//! listed in samples/errors.planted.csv, examples/synth.rs (included here as a module) writes
//! every sample file byte for byte, `rollcall census` agrees with a count made here from the
//! SENR lines themselves, and the clean daily attendance adds up to the clean STAS, both as
//! counted here and as `rollcall generate` writes it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::util::{json_lines, rollcall, root, AS_OF};

#[allow(dead_code)] // its `main`, which only the example binary calls
#[path = "../../examples/synth.rs"]
mod synth;

const REGENERATE: &str = "cargo run --example synth -- samples";

/// A finding as the planted list names it: file name, line, field ("" for none), rule, category.
type Key = (String, u64, String, String, String);

/// Runs `check --format json` on `paths` (files or folders); the exit code and the diagnostics.
fn check<P: AsRef<std::ffi::OsStr>>(paths: &[P], options: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).args(options).args(paths).output().unwrap();
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
    // (A finding about a whole file has no line: 0, as `key_of` reads a null line.)
    let line = |r: &csv::StringRecord| if r[1].is_empty() { 0 } else { r[1].parse().unwrap() };
    rows.map(|r| (r[0].to_owned(), line(&r), r[2].to_owned(), r[3].to_owned(), r[4].to_owned())).collect()
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

/// Every `needs` value of the planted list.
const ALL_NEEDS: [&str; 4] = ["", "census", "calendar", "attendance"];

/// The folder's calendar.csv and attendance.csv are told by their headers, so the calendar and
/// attendance rules run without options.
#[test]
fn clean_samples_have_no_finding() {
    let (code, findings) = check(&["samples/clean"], &["--census"]);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(code, Some(0));
}

#[test]
fn error_samples_have_exactly_the_planted_findings() {
    let (code, findings) = check(&["samples/errors"], &["--census"]);
    assert_eq!(code, Some(1));
    assert_same(planted(&ALL_NEEDS), &findings);
}

/// Without --census, the calendar and the daily attendance (the three CALPADS files alone) only
/// the rows that need none of them are found.
#[test]
fn census_and_calendar_findings_need_their_options() {
    let files = ["samples/errors/senr.txt", "samples/errors/sinf.txt", "samples/errors/stas.txt"];
    let (code, findings) = check(&files, &[]);
    assert_eq!(code, Some(1));
    assert_same(planted(&[""]), &findings);
}

#[test]
fn error_samples_cover_every_cross_file_rule() {
    let rules: Vec<String> = planted(&ALL_NEEDS).into_iter().map(|k| k.3).collect();
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

/// Each attendance rule has a planted case of its own (a row that is no consequence of another
/// error), and exactly the attendance rows need the daily attendance in the run.
#[test]
fn error_samples_cover_every_attendance_rule() {
    let mut rdr = csv::Reader::from_path(root().join("samples/errors.planted.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    for r in &rows {
        assert_eq!(r[3].starts_with("ATT-"), &r[6] == "attendance", "{r:?}");
    }
    let planted: BTreeSet<&str> = rows.iter().filter(|r| !r[5].starts_with("consequence of")).map(|r| &r[3]).collect();
    let wanted = ["ATT-UNKNOWN-CODE", "ATT-NON-SCHOOL-DAY", "ATT-OUTSIDE-ENROLLMENT", "ATT-DUPLICATE-DAY", "ATT-MISSING-DAYS", "ATT-STAS-MISMATCH"];
    let absent: Vec<&str> = wanted.into_iter().filter(|w| !planted.contains(w)).collect();
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

/// The seven STAS counts of an attendance code, in STAS order: in person (P, T), out-of-school
/// suspension (S), in-school suspension (I), excused (A), unexcused (U), non-ADA independent
/// study (N), ADA independent study (IS).
fn stas_column(code: &str) -> usize {
    ["P T", "S", "I", "A", "U", "N", "IS"].iter().position(|codes| codes.split(' ').any(|c| c == code)).unwrap_or_else(|| panic!("code {code}"))
}

/// Expected days (one per record) and the seven counts per (SSID, school), counted from
/// samples/clean/attendance.csv: one record per school day of the calendar, none twice.
fn attendance_by_hand() -> BTreeMap<(String, String), [u32; 8]> {
    let mut cal = csv::Reader::from_path(root().join("samples/clean/calendar.csv")).unwrap();
    assert_eq!(cal.headers().unwrap().iter().collect::<Vec<_>>(), ["school_of_attendance", "date", "day_type"]);
    let school_days: BTreeSet<String> = cal.records().map(Result::unwrap).filter(|r| &r[2] == "school").map(|r| r[1].to_owned()).collect();
    assert_eq!(school_days.len(), 180);
    let mut rdr = csv::Reader::from_path(root().join("samples/clean/attendance.csv")).unwrap();
    let headers = ["ssid", "school_of_attendance", "date", "attendance_code", "minutes_absent", "local_student_id"];
    assert_eq!(rdr.headers().unwrap().iter().collect::<Vec<_>>(), headers);
    let mut seen = BTreeSet::new();
    let mut counts: BTreeMap<(String, String), [u32; 8]> = BTreeMap::new();
    for r in rdr.records().map(Result::unwrap) {
        assert!(school_days.contains(&r[2]), "{r:?} is not on a school day");
        assert!(seen.insert((r[0].to_owned(), r[1].to_owned(), r[2].to_owned())), "{r:?} twice");
        let c = counts.entry((r[0].to_owned(), r[1].to_owned())).or_default();
        c[0] += 1;
        c[1 + stas_column(&r[3])] += 1;
    }
    counts
}

/// Expected days and the seven counts (fields 15-22) per (SSID, school) of a STAS file.
fn stas_figures(path: &Path) -> BTreeMap<(String, String), [u32; 8]> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('^').collect();
        assert_eq!(f[0], "STAS", "{line}");
        let figures: [u32; 8] = std::array::from_fn(|i| f[14 + i].parse().unwrap_or_else(|_| panic!("field {}: {line}", 15 + i)));
        assert!(out.insert((f[6].to_owned(), f[4].to_owned()), figures).is_none(), "two summaries: {line}");
    }
    out
}

/// The clean daily attendance adds up to the clean STAS; `rollcall generate` makes the same
/// figures from the SENR, the calendar and the daily records, and the generated STAS checks
/// clean with the rest of the district.
#[test]
fn clean_attendance_adds_up_to_the_stas_and_generates_it() {
    let by_hand = attendance_by_hand();
    // (The district has no non-ADA independent study, column 6.)
    let empty: Vec<usize> = [1, 2, 3, 4, 5, 7].into_iter().filter(|&k| by_hand.values().all(|c| c[k] == 0)).collect();
    assert!(empty.is_empty(), "STAS count columns {empty:?} are 0 for every student");
    assert_eq!(stas_figures(&root().join("samples/clean/stas.txt")), by_hand);

    let dir = tempfile::tempdir().unwrap();
    let (input, out, district) = (dir.path().join("in"), dir.path().join("out"), dir.path().join("district"));
    for (folder, files) in
        [(&input, &["senr.txt", "calendar.csv", "attendance.csv"][..]), (&district, &["senr.txt", "sinf.txt", "calendar.csv", "attendance.csv"])]
    {
        std::fs::create_dir_all(folder).unwrap();
        for f in files {
            std::fs::copy(root().join("samples/clean").join(f), folder.join(f)).unwrap();
        }
    }
    let run = rollcall().arg("generate").arg(&input).arg("--out").arg(&out).args(["--as-of", AS_OF, "--format", "json"]).output().unwrap();
    let findings: Vec<serde_json::Value> = json_lines(&run.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect();
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(stas_figures(&out.join("stas.txt")), by_hand);

    std::fs::copy(out.join("stas.txt"), district.join("stas.txt")).unwrap();
    let (code, findings) = check(&[&district], &["--census"]);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(code, Some(0));
}
