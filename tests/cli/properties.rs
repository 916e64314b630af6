//! Properties over generated inputs (proptest, a modest number of cases each so the suite
//! stays fast), and the inputs the fuzz targets (`fuzz/`) found, run again as regressions.
//!
//! - A CALPADS file built from clean records (any subset, any order, names varied within
//!   valid values) has no structure finding, reads back as the same records, and writes back
//!   as the same bytes.
//! - `rollcall check` never panics: arbitrary bytes, and sample lines mutated (carets
//!   inserted, CR, LF and CR LF mixed, bytes that are not UTF-8, very long fields).
//! - `rollcall generate --skip-invalid` on arbitrary extracts (the sample extract's columns
//!   with values blank, huge, formula-like, quoted, any line ending) either stops with one
//!   reason (exit 2), or writes a manifest whose rows balance (input = written + rejected)
//!   and a `rejected.csv` with a row per rejected input row.
//! - Every file under `tests/fixtures/fuzz/<target>/` runs through the command its target
//!   fuzzes without a panic (exit 0, 1 or 2).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Parser;
use csv::ByteRecord;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use rollcall::diagnostic::{Category, Finding};
use rollcall::engine::{Checker, Options};
use rollcall::layout::delimited::push_record;
use rollcall::schema::Schema;
use rollcall::source::{CaretFile, Input};

use crate::util::{fixture, rollcall, root, AS_OF};

fn config(cases: u32) -> Config {
    // No regression files beside the sources: a failure prints its minimal input instead.
    Config { cases, failure_persistence: None, ..Config::default() }
}

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()
}

fn input(path: &Path) -> Input {
    Input { path: path.to_path_buf(), display: path.file_name().unwrap().to_string_lossy().into_owned() }
}

/// The records of a clean sample file, as field lists.
fn sample_records(name: &str) -> Vec<Vec<Vec<u8>>> {
    let bytes = std::fs::read(root().join("samples/clean").join(name)).unwrap();
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r\n").unwrap().split(|b| *b == b'^').map(<[u8]>::to_vec).collect())
        .collect()
}

/// Runs the checker in-process with the embedded schema; the findings, or the error.
fn check_in_process(paths: &[PathBuf]) -> Result<Vec<Finding>, rollcall::Error> {
    let schema = Schema::embedded().unwrap();
    let inputs: Vec<Input> = paths.iter().map(|p| input(p)).collect();
    let mut checker = Checker::new(&schema, &inputs, Options::new(as_of()));
    let mut findings: Vec<Finding> = Vec::new();
    checker.run(&mut findings)?;
    Ok(findings)
}

/// A name a CALPADS name field takes: capitals, with a space, hyphen or apostrophe inside.
fn name() -> impl Strategy<Value = String> {
    "[A-Z]{1,3}([ '-]?[A-Z]{1,8}){0,2}"
}

/// A clean file (SENR, SINF or STAS), some of its records in some order, and names to
/// give the first records (a name field of SENR and SINF).
fn clean_file() -> impl Strategy<Value = (&'static str, Vec<Index>, Vec<String>)> {
    (
        prop::sample::select(vec!["senr.txt", "sinf.txt", "stas.txt"]),
        prop::collection::vec(any::<Index>(), 1..40),
        prop::collection::vec(name(), 0..8),
    )
}

#[test]
fn clean_records_write_read_write_byte_identically() {
    let schema = Schema::embedded().unwrap();
    let samples: Vec<(&str, Vec<Vec<Vec<u8>>>)> = ["senr.txt", "sinf.txt", "stas.txt"].into_iter().map(|n| (n, sample_records(n))).collect();
    proptest!(config(64), |((file, picks, names) in clean_file())| {
        let records = &samples.iter().find(|(n, _)| *n == file).unwrap().1;
        let mut chosen: Vec<Vec<Vec<u8>>> = picks.iter().map(|i| records[i.index(records.len())].clone()).collect();
        // One record picked twice is a duplicate (a finding, but not of structure): fine.
        let layout = &schema.layouts[schema.layout(&chosen[0][0]).unwrap().0];
        if let Some(at) = layout.stable_position("student_legal_first_name") {
            for (rec, name) in chosen.iter_mut().zip(&names) {
                rec[at] = name.as_bytes().to_vec();
            }
        }
        let mut written = Vec::new();
        for rec in &chosen {
            push_record(&mut written, rec.iter().map(Vec::as_slice), b'^', b"\r\n");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file);
        std::fs::write(&path, &written).unwrap();

        let findings = check_in_process(std::slice::from_ref(&path)).unwrap();
        let structure: Vec<String> =
            findings.iter().filter(|f| f.rule.category == Category::Structure).map(|f| format!("{}: {}", f.rule.id, f.message)).collect();
        prop_assert!(structure.is_empty(), "structure findings: {structure:?}");

        let mut reader = CaretFile::open(0, &input(&path)).unwrap();
        prop_assert_eq!(reader.delimiter(), b'^');
        let mut rec = ByteRecord::new();
        let mut read: Vec<Vec<Vec<u8>>> = Vec::new();
        let mut again = Vec::new();
        while let Some(pos) = reader.next(&mut rec).unwrap() {
            prop_assert!(!pos.lf, "line {} reads as not ending with CR LF", pos.line);
            prop_assert_eq!(pos.line, read.len() as u64 + 1);
            read.push(rec.iter().map(<[u8]>::to_vec).collect());
            push_record(&mut again, rec.iter(), b'^', b"\r\n");
        }
        prop_assert_eq!(&read, &chosen);
        prop_assert!(again == written, "the file written again differs from the file read");
    });
}

/// One change to a sample file's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    Caret(Index),
    /// Replace the line ending at the nth line break with CR, LF, CR LF or nothing.
    Ending(Index, &'static [u8]),
    NotUtf8(Index, u8),
    LongField(Index, usize),
    Delete(Index, usize),
    Byte(Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Caret),
        (any::<Index>(), prop::sample::select(vec![&b"\r"[..], b"\n", b"\r\n", b"", b"\n\r", b"\r\r\n"])).prop_map(|(i, e)| Mutation::Ending(i, e)),
        (any::<Index>(), prop::sample::select(vec![0x80u8, 0xC3, 0xC9, 0xE9, 0xEF, 0xFF, 0xFE, 0xED])).prop_map(|(i, b)| Mutation::NotUtf8(i, b)),
        (any::<Index>(), prop_oneof![1usize..300, 60_000usize..70_000]).prop_map(|(i, n)| Mutation::LongField(i, n)),
        (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), prop::sample::select(vec![b'"', b',', b'\0', b'\t', b';', b'|', 0x1A, b' '])).prop_map(|(i, b)| Mutation::Byte(i, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |i: &Index, len: usize| i.index(len + 1);
    match m {
        Mutation::Caret(i) => bytes.insert(at(i, bytes.len()), b'^'),
        Mutation::Ending(i, ending) => {
            let breaks: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(k, _)| k).collect();
            if breaks.is_empty() {
                return;
            }
            let end = breaks[i.index(breaks.len())];
            let start = if end > 0 && bytes[end - 1] == b'\r' { end - 1 } else { end };
            bytes.splice(start..=end, ending.iter().copied());
        }
        Mutation::NotUtf8(i, b) => bytes.insert(at(i, bytes.len()), *b),
        Mutation::LongField(i, n) => {
            let k = at(i, bytes.len());
            bytes.splice(k..k, std::iter::repeat_n(b'A', *n));
        }
        Mutation::Delete(i, n) => {
            let k = at(i, bytes.len()).min(bytes.len());
            let end = (k + n).min(bytes.len());
            bytes.drain(k..end);
        }
        Mutation::Byte(i, b) => {
            if !bytes.is_empty() {
                let k = i.index(bytes.len());
                bytes[k] = *b;
            }
        }
    }
}

/// The first `lines` lines of a sample file.
fn sample_head(name: &str, lines: usize) -> Vec<u8> {
    let bytes = std::fs::read(root().join("samples/clean").join(name)).unwrap();
    bytes.split_inclusive(|b| *b == b'\n').take(lines).flatten().copied().collect()
}

/// `rollcall check PATH --format FORMAT` in-process, as the binary runs it: exit 0 or 1,
/// or an error (exit 2); a panic fails the property.
fn check_command(path: &Path, format: &str) -> Result<std::process::ExitCode, rollcall::Error> {
    let args = ["rollcall", "check", path.to_str().unwrap(), "--as-of", AS_OF, "--census", "--format", format];
    let cli = rollcall::cmd::Cli::try_parse_from(args).unwrap();
    rollcall::run(cli, &mut Vec::new())
}

const FORMATS: [&str; 4] = ["human", "json", "csv", "sarif"];

#[test]
fn check_never_panics_on_mutated_sample_lines() {
    let heads: Vec<(&str, Vec<u8>)> =
        [("senr.txt", 6), ("sinf.txt", 6), ("stas.txt", 6), ("calendar.csv", 12), ("attendance.csv", 12)].map(|(n, k)| (n, sample_head(n, k))).into();
    proptest!(config(64), |(file in any::<Index>(), mutations in prop::collection::vec(mutation(), 1..12), format in prop::sample::select(FORMATS.to_vec()))| {
        let (name, head) = &heads[file.index(heads.len())];
        let mut bytes = head.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let _ = check_command(&path, format);
    });
}

#[test]
fn check_never_panics_on_arbitrary_bytes() {
    let prefixes: Vec<&[u8]> = vec![b"", b"SENR^", b"SINF^", b"STAS^", b"\xEF\xBB\xBFSENR,", b"school_of_attendance,date,day_type\n"];
    proptest!(config(64), |(prefix in prop::sample::select(prefixes.clone()), body in prop::collection::vec(any::<u8>(), 0..2048), format in prop::sample::select(FORMATS.to_vec()))| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.txt");
        std::fs::write(&path, [prefix, &body[..]].concat()).unwrap();
        let _ = check_command(&path, format);
    });
}

/// A hostile cell: blank, huge, formula-like, printable or any text, a line break, a quote.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (300usize..6000).prop_map(|n| "9".repeat(n)),
        prop::sample::select(vec!["=1+2", "+SUM(A1:A9)", "-3", "@cmd", "=HYPERLINK(\"http://x\")", "\t=1", "=cmd|' /C calc'!A0"])
            .prop_map(str::to_owned),
        "[ -~]{0,12}",
        "\\PC{0,6}",
        // Date-like: slash dates with any number of digits, ISO shapes, a time of day.
        "[0-9]{1,3}/[0-9]{1,3}/[0-9]{1,12}",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,3}( [0-9]{2}:[0-9]{2})?",
        prop::sample::select(vec!["a\nb", "a\rb", "a\r\nb", "\"", "x^y", "  ", "0000000000", "2025-02-30", "13/45/2025"]).prop_map(str::to_owned),
    ]
}

/// A row of a generated extract: a sample row with up to three cells made hostile, and
/// sometimes a cell too few or too many (GEN-COLUMN-COUNT).
fn extract_row(samples: Vec<Vec<String>>) -> impl Strategy<Value = Vec<String>> {
    let shape = prop_oneof![10 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)];
    (prop::sample::select(samples), prop::collection::vec((any::<Index>(), hostile()), 0..4), shape).prop_map(|(mut row, changes, shape)| {
        for (at, value) in changes {
            let k = at.index(row.len());
            row[k] = value;
        }
        match shape {
            -1 => {
                row.pop();
            }
            1 => row.push("EXTRA".to_owned()),
            _ => {}
        }
        row
    })
}

/// The field as a CSV writer would put it: quoted when it holds a comma, quote or line break.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[test]
fn generate_skip_invalid_balances_or_stops_with_one_reason() {
    let sample = std::fs::read_to_string(root().join("samples/extracts/enrollment.csv")).unwrap();
    let header = sample.lines().next().unwrap().to_owned();
    let mut rdr = csv::ReaderBuilder::new().from_reader(sample.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let samples: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(str::to_owned).collect()).collect();
    let mapping = std::fs::read_to_string(root().join("samples/extracts/mapping.toml")).unwrap();
    let rows = prop::collection::vec(extract_row(samples), 1..10);
    let ending = prop::sample::select(vec!["\n", "\r\n", "\r"]);
    proptest!(config(48), |(rows in rows, ending in ending, last in any::<bool>())| {
        let mut text = header.clone();
        for r in &rows {
            text.push_str(ending);
            text.push_str(&r.iter().map(|v| csv_field(v)).collect::<Vec<_>>().join(","));
        }
        if last {
            text.push_str(ending);
        }
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("X");
        std::fs::create_dir_all(&x).unwrap();
        std::fs::write(x.join("mapping.toml"), &mapping).unwrap();
        std::fs::write(x.join("enrollment.csv"), &text).unwrap();
        let out = dir.path().join("out");
        let run = rollcall().arg("generate").arg(&x).arg("--skip-invalid").arg("--out").arg(&out).args(["--as-of", AS_OF]).output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        let stdout = String::from_utf8_lossy(&run.stdout);
        prop_assert!(!stderr.contains("panicked"), "{stderr}");
        let manifest = out.join("manifest.json");
        match run.status.code() {
            Some(2) => {
                let reasons = stderr.lines().filter(|l| l.starts_with("error:")).count();
                prop_assert_eq!(reasons, 1, "exit 2 with one reason: {}", stderr);
                prop_assert!(!manifest.exists());
            }
            Some(0 | 1) if manifest.exists() => {
                let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
                let n = |k: &str| m["rows"][k].as_u64().unwrap();
                prop_assert_eq!(&m["rows"]["balanced"], &serde_json::Value::Bool(true), "{}", m["rows"]);
                prop_assert_eq!(n("input"), n("written") + n("rejected"));
                prop_assert_eq!(n("input"), rows.len() as u64, "every data row of the extract is an input row");
                let mut rejected = csv::Reader::from_path(out.join("rejected.csv")).unwrap();
                let lines: Vec<u64> = rejected.byte_records().map(|r| std::str::from_utf8(&r.unwrap()[1]).unwrap().parse().unwrap()).collect();
                prop_assert_eq!(lines.len() as u64, n("rejected"), "a rejected.csv row per rejected row");
                prop_assert_eq!(lines.iter().collect::<BTreeSet<_>>().len(), lines.len(), "one rejected.csv row per input row: {:?}", lines);
                prop_assert_eq!(run.status.code() == Some(0), n("rejected") == 0);
            }
            Some(1) => prop_assert!(stdout.contains("Nothing written"), "exit 1, no manifest: {stdout}{stderr}"),
            other => prop_assert!(false, "exit {other:?}: {stderr}"),
        }
    });
}

/// The commands each fuzz target's inputs go through, as a user runs them.
fn fuzz_command(target: &str, data: &[u8], dir: &Path) -> Option<assert_cmd::Command> {
    let mut cmd = rollcall();
    let (&first, rest) = data.split_first().unwrap_or((&0, &[]));
    match target {
        "caret_check" => {
            let path = dir.join("input.txt");
            std::fs::write(&path, data).unwrap();
            cmd.arg("check").arg(&path).arg("--census");
        }
        "extract_mapping" => {
            const NAMES: [&str; 8] = [
                "enrollment.csv",
                "senr_extract.csv",
                "demographics.csv",
                "sinf_extract.csv",
                "stas_extract.csv",
                "extract.csv",
                "calendar.csv",
                "attendance.csv",
            ];
            let (extract, mapping) = match rest.iter().position(|b| *b == 0xFF) {
                Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                None => (rest, None),
            };
            let input = dir.join("in").join(NAMES[usize::from(first & 7)]);
            std::fs::create_dir_all(input.parent().unwrap()).unwrap();
            std::fs::write(&input, extract).unwrap();
            cmd.arg("generate").arg(&input).arg("--out").arg(dir.join("out"));
            if let Some(m) = mapping {
                std::fs::write(dir.join("mapping.toml"), m).unwrap();
                cmd.arg("--mapping").arg(dir.join("mapping.toml"));
            }
            if first & 8 != 0 {
                cmd.args(["--census-layout", "fixed", "--census-layout", "tab"]);
            }
            if first & 16 != 0 {
                cmd.arg("--skip-invalid");
            }
        }
        "fixed_width" => {
            let path = dir.join("census.txt");
            std::fs::write(&path, rest).unwrap();
            cmd.arg("check").arg(&path).args(["--layout", if first & 1 == 0 { "fixed" } else { "tab" }]);
        }
        "schema_load" => {
            const FILES: [&str; 9] = [
                "schema.toml",
                "senr.toml",
                "sinf.toml",
                "stas.toml",
                "codesets.toml",
                "iso3166.toml",
                "combinations.toml",
                "attendance.toml",
                "attendance-codes.toml",
            ];
            let pick = usize::from(first) % (FILES.len() + 1);
            if pick == FILES.len() {
                let layout = dir.join("layout.toml");
                std::fs::write(&layout, rest).unwrap();
                cmd.arg("generate").arg("samples/extracts").arg("--out").arg(dir.join("out")).arg("--census-layout").arg(&layout);
            } else {
                let schemas = dir.join("schemas");
                std::fs::create_dir_all(&schemas).unwrap();
                for name in FILES {
                    std::fs::copy(root().join("schemas/calpads").join(name), schemas.join(name)).unwrap();
                }
                std::fs::write(schemas.join(FILES[pick]), rest).unwrap();
                cmd.arg("check")
                    .arg("--schemas")
                    .arg(&schemas)
                    .arg("samples/clean/senr.txt")
                    .arg("samples/clean/sinf.txt")
                    .arg("samples/clean/stas.txt");
            }
        }
        "calendar" => {
            let path = dir.join("calendar.csv");
            std::fs::write(&path, rest).unwrap();
            cmd.arg("check").arg("samples/clean/senr.txt").arg("--calendar").arg(&path).arg("--census");
            match first % 3 {
                0 => {}
                1 => {
                    cmd.args(["--census-date", "2025-10-01"]);
                }
                _ => {
                    cmd.args(["--census-date", "1999-02-28"]);
                }
            }
        }
        _ => return None,
    }
    cmd.args(["--as-of", AS_OF]);
    Some(cmd)
}

#[test]
fn fuzz_findings_do_not_panic() {
    let base = fixture("fuzz");
    let Ok(targets) = std::fs::read_dir(root().join(&base)) else { return };
    let mut ran = 0;
    for target in targets {
        let target = target.unwrap().path();
        if !target.is_dir() {
            continue;
        }
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
        files.sort();
        for file in files {
            if file.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".md")) {
                continue;
            }
            let data = std::fs::read(&file).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let mut cmd = fuzz_command(&name, &data, dir.path()).unwrap_or_else(|| panic!("{}: no fuzz target {name}", file.display()));
            let run = cmd.timeout(std::time::Duration::from_secs(60)).output().unwrap();
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert!(matches!(run.status.code(), Some(0..=2)), "{}: exit {:?}\n{stderr}", file.display(), run.status.code());
            assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
            assert!(!stderr.contains("Usage:"), "{}: the command line is wrong: {stderr}", file.display());
            ran += 1;
        }
    }
    assert!(ran > 0 || !root().join(&base).exists());
}
