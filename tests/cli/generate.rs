//! `rollcall generate` end to end: round trip through `rollcall check`, independent parsing
//! of every generated file against the source rows, golden files byte for byte, nothing
//! written on fatal findings, `--skip-invalid` accounting, reproducible hashes, and the
//! refusals (missing column, output over an input).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{fixture, json_lines, rollcall, root, AS_OF};

/// Runs `rollcall generate ARGS --out OUT --as-of AS_OF` from the repository root.
fn generate(args: &[&str], out: &Path) -> std::process::Output {
    rollcall().arg("generate").args(args).arg("--out").arg(out).args(["--as-of", AS_OF]).output().unwrap()
}

/// The records of a CALPADS file: CR LF after every one, fields split on `^`.
fn caret_records(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.ends_with("\r\n"), "{} must end with CR LF", path.display());
    let body = &text[..text.len() - 2];
    body.split("\r\n")
        .map(|l| {
            assert!(!l.contains('\n') && !l.contains('\r'), "stray line break in {l:?}");
            l.split('^').map(str::to_owned).collect()
        })
        .collect()
}

/// The rows of a CSV extract as header → value maps.
fn extract_rows(path: &Path, delimiter: u8) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).from_path(root().join(path)).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(|h| h.trim_start_matches('\u{feff}').to_owned()).collect();
    rdr.records().map(|r| headers.iter().cloned().zip(r.unwrap().iter().map(str::to_owned)).collect()).collect()
}

/// `MM/DD/CCYY`, `M/D/CCYY` or `CCYY-MM-DD` as `CCYYMMDD`, computed without rollcall's code.
fn ccyymmdd(date: &str) -> String {
    if date.is_empty() {
        return String::new();
    }
    if let Some((y, rest)) = date.split_once('-') {
        return format!("{y}{}", rest.replace('-', ""));
    }
    let parts: Vec<&str> = date.split('/').collect();
    format!("{}{:0>2}{:0>2}", parts[2], parts[0], parts[1])
}

fn code(map: &[(&str, &str)], local: &str) -> String {
    map.iter().find(|(l, _)| *l == local).map_or(local, |(_, s)| *s).to_owned()
}

const GRADES: &[(&str, &str)] = &[("K", "KN"), ("1", "01"), ("2", "02"), ("5", "05"), ("6", "06"), ("7", "07"), ("8", "08")];

#[test]
fn round_trip_from_the_sample_extracts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("submission");
    let run = generate(&["samples/extracts", "--census"], &out);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.matches("columns not used: Homeroom, Counselor").count(), 1, "{stderr}");
    let check =
        rollcall().arg("check").arg(out.join("senr.txt")).arg(out.join("sinf.txt")).args(["--as-of", AS_OF, "--format", "json"]).output().unwrap();
    let summary = json_lines(&check.stdout).pop().unwrap();
    assert_eq!(summary["fatal"], 0, "{}", String::from_utf8_lossy(&check.stdout));
    assert_eq!(check.status.code(), Some(0));
    senr_matches_source(&out.join("senr.txt"));
    sinf_matches_source(&out.join("sinf.txt"));
    census_matches_source(&out.join("census.txt"));
}

/// Every SENR field, parsed by splitting on carets, against its extract row.
fn senr_matches_source(path: &Path) {
    let records = caret_records(path);
    let rows = extract_rows(Path::new("samples/extracts/enrollment.csv"), b',');
    assert_eq!(records.len(), rows.len());
    let status = [("P", "10"), ("S", "20")];
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(rec.len(), 35);
        let mut expected = vec![String::new(); 35];
        for (i, v) in [(0, "SENR"), (3, "1964733"), (6, "2025-2026")] {
            expected[i] = v.to_owned();
        }
        for (i, h) in [
            (4, "School"),
            (7, "SSID"),
            (8, "Perm ID"),
            (9, "Legal First Name"),
            (10, "Legal Middle Name"),
            (11, "Legal Last Name"),
            (17, "Gender"),
            (18, "Birth City"),
            (19, "Birth State"),
            (20, "Birth Country"),
        ] {
            expected[i] = row[h].clone();
        }
        expected[16] = ccyymmdd(&row["Birthdate"]);
        expected[21] = ccyymmdd(&row["Entry Date"]);
        expected[22] = code(&status, &row["Enr Status"]);
        expected[23] = code(GRADES, &row["Grade"]);
        expected[24] = ccyymmdd(&row["Leave Date"]);
        expected[25] = code(&[("TR", "T160")], &row["Leave Code"]);
        assert_eq!(rec, &expected, "row {row:?}");
    }
}

/// Every SINF field against its extract row.
fn sinf_matches_source(path: &Path) {
    let records = caret_records(path);
    let rows = extract_rows(Path::new("samples/extracts/demographics.csv"), b';');
    assert_eq!(records.len(), rows.len());
    let yes_no = [("Yes", "Y"), ("No", "N")];
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(rec.len(), 50);
        let mut expected = vec![String::new(); 50];
        for (i, v) in [(0, "SINF"), (5, "1964733"), (7, "2025-2026")] {
            expected[i] = v.to_owned();
        }
        for (i, h) in [
            (6, "School"),
            (8, "SSID"),
            (9, "Student ID"),
            (10, "First Name"),
            (11, "Middle Name"),
            (12, "Last Name"),
            (18, "Gender"),
            (21, "Birth Country"),
            (24, "Race 1"),
            (25, "Race 2"),
            (30, "Address"),
            (32, "City"),
            (34, "Zip"),
        ] {
            expected[i] = row[h].clone();
        }
        expected[3] = row["Effective Date"].clone();
        expected[17] = row["Birth Date"].clone();
        expected[22] = code(&yes_no, &row["Hispanic"]);
        expected[23] = code(&yes_no, &row["Ethnicity Missing"]);
        expected[29] = code(&yes_no, &row["Race Missing"]);
        expected[33] = code(&[("CA", "US-CA")], &row["State"]);
        assert_eq!(rec, &expected, "row {row:?}");
    }
}

/// The census file read by fixed positions: header, details, trailer totals, and the
/// primary enrollments on 2025-10-01 counted straight from the extract.
fn census_matches_source(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    assert!(lines.iter().all(|l| l.len() == 50), "{lines:?}");
    assert_eq!(&lines[0][..30], "HCBEDS19647332025-202620251001");
    let details = &lines[1..lines.len() - 1];
    let field = |l: &str, from: usize, len: usize| l[from - 1..from - 1 + len].to_owned();
    let num = |l: &str, from: usize, len: usize| field(l, from, len).parse::<u64>().unwrap();
    let primary: u64 = details.iter().map(|l| num(l, 20, 6)).sum();
    let secondary: u64 = details.iter().map(|l| num(l, 26, 6)).sum();
    let trailer = lines[lines.len() - 1];
    assert_eq!(field(trailer, 1, 1), "T");
    assert_eq!(num(trailer, 2, 7), details.len() as u64);
    assert_eq!((num(trailer, 9, 9), num(trailer, 18, 9)), (primary, secondary));
    let active = |r: &&BTreeMap<String, String>| {
        ccyymmdd(&r["Entry Date"]).as_str() <= "20251001" && (r["Leave Date"].is_empty() || ccyymmdd(&r["Leave Date"]).as_str() >= "20251001")
    };
    let rows = extract_rows(Path::new("samples/extracts/enrollment.csv"), b',');
    assert_eq!(primary, rows.iter().filter(active).filter(|r| r["Enr Status"] == "P").count() as u64);
    assert_eq!(secondary, rows.iter().filter(active).filter(|r| r["Enr Status"] == "S").count() as u64);
    for d in details {
        assert_eq!(field(d, 1, 8), "D1964733");
        assert!(["6019715", "6019723"].contains(&field(d, 9, 7).as_str()));
        assert!("0123456789".contains(&field(d, 19, 1)));
    }
}

#[test]
fn golden_files_match_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let run = generate(&["tests/fixtures/generate/golden/extracts", "--census", "--census-layout", "fixed", "--census-layout", "tab"], dir.path());
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
    let expected = root().join(fixture("generate/golden/expected"));
    for name in ["senr.txt", "sinf.txt", "census.txt", "census.tsv"] {
        let got = std::fs::read(dir.path().join(name)).unwrap();
        let path = expected.join(name);
        if std::env::var_os("UPDATE_GENERATED").is_some() {
            std::fs::write(&path, &got).unwrap();
        }
        assert_eq!(got, std::fs::read(&path).unwrap(), "{name} differs from {}", path.display());
        assert!(got.ends_with(b"\r\n") && !got.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'), "{name}: CR LF after every record");
    }
}

#[test]
fn census_from_calpads_files_equals_census_from_extracts() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    assert_eq!(generate(&["samples/extracts", "--census"], &first).status.code(), Some(0));
    let second = dir.path().join("second");
    let senr = first.join("senr.txt");
    let sinf = first.join("sinf.txt");
    let run = generate(&[senr.to_str().unwrap(), sinf.to_str().unwrap(), "--census"], &second);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
    assert_eq!(std::fs::read(first.join("census.txt")).unwrap(), std::fs::read(second.join("census.txt")).unwrap());
    assert!(!second.join("senr.txt").exists(), "CALPADS inputs are not written again");
}

#[test]
fn fatal_findings_stop_everything_without_skip_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = generate(&["tests/fixtures/generate/invalid", "--format", "json"], &out);
    assert_eq!(run.status.code(), Some(1));
    assert!(!out.exists(), "nothing may be written");
    let lines = json_lines(&run.stdout);
    let rules: Vec<&str> = lines.iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap()).collect();
    for id in ["GEN-DATE-INVALID", "FIELD-CODE", "GEN-FORBIDDEN-CHAR", "GEN-DATE-AMBIGUOUS", "GEN-COLUMN-COUNT"] {
        assert!(rules.contains(&id), "{id} missing from {rules:?}");
    }
    assert!(!rules.contains(&"FIELD-DATE"), "a date reported by GEN-DATE-INVALID is not reported twice");
    let lines_of = |id: &str| lines.iter().filter(|l| l["rule"] == id).map(|l| l["line"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(lines_of("GEN-DATE-INVALID"), [3], "findings point at the extract's own lines");
    assert_eq!(lines_of("FIELD-CODE"), [4]);
}

#[test]
fn skip_invalid_accounts_for_every_input_row() {
    let dir = tempfile::tempdir().unwrap();
    let run = generate(&["tests/fixtures/generate/invalid", "--skip-invalid"], dir.path());
    assert_eq!(run.status.code(), Some(1), "rows were refused");
    let written = caret_records(&dir.path().join("senr.txt"));
    let ssids: Vec<&str> = written.iter().map(|r| r[7].as_str()).collect();
    assert_eq!(ssids, ["1111111111", "7777777777"]);
    let mut rejected = csv::Reader::from_path(dir.path().join("rejected.csv")).unwrap();
    let rejected: Vec<csv::StringRecord> = rejected.records().map(Result::unwrap).collect();
    let source = std::fs::read_to_string(root().join("tests/fixtures/generate/invalid/senr_extract.csv")).unwrap();
    let source_lines: Vec<&str> = source.lines().collect();
    assert_eq!(written.len() + rejected.len(), source_lines.len() - 1, "written + rejected = input rows");
    for r in &rejected {
        let line: usize = r[1].parse().unwrap();
        assert_eq!(&r[5], source_lines[line - 1], "rejected.csv carries the source row");
        assert!(!r[3].is_empty() && !r[4].is_empty(), "every rejected row has rules and reasons");
    }
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["rows"]["input"], 7);
    assert_eq!(manifest["rows"]["written"], 2);
    assert_eq!(manifest["rows"]["rejected"], 5);
    assert_eq!(manifest["rows"]["balanced"], true);
    assert_eq!(manifest["rejected_by_rule"]["GEN-DATE-INVALID"], 1);
}

#[test]
fn same_input_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = |out: &PathBuf| -> (Vec<u8>, serde_json::Value) {
        assert_eq!(generate(&["samples/extracts", "--census"], out).status.code(), Some(0));
        let manifest = std::fs::read(out.join("manifest.json")).unwrap();
        let parsed: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        (manifest, parsed["outputs"].clone())
    };
    let (a, outputs) = hashes(&dir.path().join("a"));
    let (b, _) = hashes(&dir.path().join("b"));
    assert_eq!(a, b, "the manifest (and every SHA-256 in it) is the same on a re-run");
    for o in outputs.as_array().unwrap() {
        let bytes = std::fs::read(dir.path().join("a").join(o["path"].as_str().unwrap())).unwrap();
        let sha = rollcall::generate::output::sha256_hex(&bytes);
        assert_eq!(o["sha256"], sha.as_str(), "{}", o["path"]);
    }
    let (c, _) = hashes(&dir.path().join("a"));
    assert_eq!(a, c, "writing over a previous run gives the same files");
}

#[test]
fn refuses_to_write_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("senr.txt");
    let extract = std::fs::read(root().join("tests/fixtures/generate/golden/extracts/senr_extract.csv")).unwrap();
    std::fs::write(&input, &extract).unwrap();
    std::fs::copy(root().join("tests/fixtures/generate/golden/extracts/mapping.toml"), dir.path().join("mapping.toml")).unwrap();
    let mapping = dir.path().join("mapping.toml");
    let run = generate(&[input.to_str().unwrap(), "--mapping", mapping.to_str().unwrap()], dir.path());
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("it is one of the inputs"), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read(&input).unwrap(), extract, "the input is untouched");
    let folder = generate(&["tests/fixtures/generate/golden/extracts"], &root().join("tests/fixtures/generate/golden/extracts"));
    assert_eq!(folder.status.code(), Some(2), "the output folder may not be an input folder");
}

#[test]
fn missing_required_column_names_the_closest_header() {
    let dir = tempfile::tempdir().unwrap();
    let run = generate(&["tests/fixtures/generate/missing_column"], dir.path());
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("enrollment_start_date") && stderr.contains("\"Enrolment Strt\""), "{stderr}");
    assert!(!dir.path().join("senr.txt").exists());
}

#[test]
fn skip_invalid_checks_what_remains_again() {
    let dir = tempfile::tempdir().unwrap();
    let run = generate(&["tests/fixtures/generate/cascade", "--skip-invalid", "--format", "json"], dir.path());
    assert_eq!(run.status.code(), Some(1));
    let rules: Vec<(String, u64)> = json_lines(&run.stdout)
        .iter()
        .filter(|l| l["kind"] == "diagnostic")
        .map(|l| (l["rule"].as_str().unwrap().to_owned(), l["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(rules, [("FIELD-CODE".to_owned(), 2), ("SENR-SHORT-TERM-NO-PRIMARY".to_owned(), 3)]);
    let written = caret_records(&dir.path().join("senr.txt"));
    assert_eq!(written.len(), 1);
    let check = rollcall().arg("check").arg(dir.path().join("senr.txt")).args(["--as-of", AS_OF]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
}

// The shared setup of the review findings below: one SENR extract with one valid row.
const X_HEADER: &str = "School,Perm ID,SSID,First Name,Last Name,Birthdate,Gender,Birth Country,Entry Date,Enrollment Status,Grade";
const X_ROW: &str = "6019715,1,1234567890,ANA,RUIZ,2015-04-12,F,US,08/14/2025,P,05";
const X_MAPPING: &str = "[constants]\nreporting_lea = \"1964733\"\nacademic_year_id = \"2025-2026\"\n[codes.enrollment_status_code]\nP = \"10\"\n";

/// `dir/X/` with the mapping and `senr_x.csv` holding `body`; returns the folder.
fn extract_folder(dir: &Path, mapping: &str, body: &[u8]) -> PathBuf {
    let x = dir.join("X");
    std::fs::create_dir_all(&x).unwrap();
    std::fs::write(x.join("mapping.toml"), mapping).unwrap();
    std::fs::write(x.join("senr_x.csv"), body).unwrap();
    x
}

/// The extract text: the shared header, then `rows`, LF after each line.
fn extract(rows: &[&str]) -> Vec<u8> {
    let mut text = format!("{X_HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn diagnostics(run: &std::process::Output) -> Vec<(String, Option<u64>)> {
    json_lines(&run.stdout)
        .iter()
        .filter(|l| l["kind"] == "diagnostic")
        .map(|l| (l["rule"].as_str().unwrap().to_owned(), l["line"].as_u64()))
        .collect()
}

fn stderr(run: &std::process::Output) -> String {
    String::from_utf8_lossy(&run.stderr).into_owned()
}

#[test]
fn a_record_type_with_no_kept_row_replaces_the_old_file_with_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let x = extract_folder(dir.path(), X_MAPPING, &extract(&[X_ROW]));
    assert_eq!(generate(&[path_str(&x)], &out).status.code(), Some(0));
    assert_eq!(caret_records(&out.join("senr.txt")).len(), 1);
    let bad = X_ROW.replace(",05", ",QQ");
    std::fs::write(x.join("senr_x.csv"), extract(&[&bad])).unwrap();
    let run = generate(&[path_str(&x), "--skip-invalid"], &out);
    assert_eq!(run.status.code(), Some(1), "the row was refused");
    assert_eq!(std::fs::read(out.join("senr.txt")).unwrap(), b"", "no stale senr.txt from the first run");
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let senr = manifest["outputs"].as_array().unwrap().iter().find(|o| o["path"] == "senr.txt").unwrap();
    assert_eq!(senr["records"], 0);
    assert_eq!(senr["sha256"], rollcall::generate::output::sha256_hex(b"").as_str());
}

#[test]
fn out_inside_an_input_folder_or_not_a_folder_is_refused_before_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let x = extract_folder(dir.path(), X_MAPPING, &extract(&[X_ROW]));
    std::fs::create_dir(dir.path().join("other")).unwrap();
    for out in [x.join("sub"), dir.path().join("other/../X/new"), dir.path().join("other/../X")] {
        let run = generate(&[path_str(&x)], &out);
        assert_eq!(run.status.code(), Some(2), "{}", out.display());
        assert!(stderr(&run).contains("inside an input folder"), "{}", stderr(&run));
    }
    assert!(!x.join("sub").exists() && !x.join("new").exists() && !x.join("senr.txt").exists());
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let run = generate(&[path_str(&x)], &file);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("exists and is not a folder"), "{}", stderr(&run));
    assert!(run.stdout.is_empty(), "refused before the check: {}", String::from_utf8_lossy(&run.stdout));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn a_target_in_the_way_stops_the_run_before_any_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let x = extract_folder(dir.path(), X_MAPPING, &extract(&[X_ROW]));
    std::fs::create_dir_all(out.join("rejected.csv")).unwrap();
    std::fs::write(out.join("senr.txt"), "old").unwrap();
    std::fs::write(out.join("manifest.json"), "{}").unwrap();
    let run = generate(&[path_str(&x)], &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("holds files rollcall did not write: rejected.csv"), "{}", stderr(&run));
    assert_eq!(std::fs::read(out.join("senr.txt")).unwrap(), b"old", "nothing renamed");
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), b"{}");
    let left: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!left.iter().any(|n| n.ends_with(".tmp")), "no temporary file left: {left:?}");
}

#[test]
fn a_value_for_a_field_the_year_does_not_have_is_a_finding_not_dropped() {
    // The fixture's schema copy ends SENR's last field in 2024-2025.
    let case = "tests/fixtures/rules/GEN-FIELD-NOT-IN-YEAR";
    let dir = tempfile::tempdir().unwrap();
    let run = generate(&[&format!("{case}/bad/in"), "--schemas", &format!("{case}/schemas"), "--skip-invalid", "--format", "json"], dir.path());
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(diagnostics(&run), [("GEN-FIELD-NOT-IN-YEAR".to_owned(), Some(3))]);
    let rejected: Vec<csv::StringRecord> = csv::Reader::from_path(dir.path().join("rejected.csv")).unwrap().records().map(Result::unwrap).collect();
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0][5].ends_with(",N"), "the value is in rejected.csv: {:?}", &rejected[0]);
    let written = caret_records(&dir.path().join("senr.txt"));
    assert_eq!((written.len(), written[0].len()), (1, 38), "the 2025-2026 record has no place for the field");
}

#[test]
fn layouts_may_not_zero_fill_anything_but_right_aligned_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let x = extract_folder(dir.path(), X_MAPPING, &extract(&[X_ROW]));
    let fixed = std::fs::read_to_string(root().join("schemas/cbeds/census-fixed.toml")).unwrap();
    let primary = "{ name = \"primary\", start = 20, length = 6, type = \"number\" }";
    assert!(fixed.contains(primary));
    let layout = |name: &str, field: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, fixed.replace(primary, field)).unwrap();
        path
    };
    for (name, field) in [
        ("star.toml", "{ name = \"primary\", start = 20, length = 6, type = \"number\", pad = \"*\" }"),
        ("zeros.toml", "{ name = \"primary\", start = 20, length = 6, type = \"number\", align = \"left\", pad = \"0\" }"),
    ] {
        let path = layout(name, field);
        let run = generate(&[path_str(&x), "--census", "--census-layout", path_str(&path)], &dir.path().join("out"));
        assert_eq!(run.status.code(), Some(2), "{name}");
        let err = stderr(&run);
        assert!(err.contains("field `primary`") && err.contains(name), "points into the layout file: {err}");
        assert!(!dir.path().join("out").exists());
    }
    // Left-aligned numbers are space-filled by default: 1 is `1     `, never `100000`.
    let left = layout("left.toml", "{ name = \"primary\", start = 20, length = 6, type = \"number\", align = \"left\" }");
    let out = dir.path().join("out");
    let run = generate(&[path_str(&x), "--census", "--census-layout", path_str(&left)], &out);
    assert_eq!(run.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&run.stdout), stderr(&run));
    let census = std::fs::read_to_string(out.join("census.txt")).unwrap();
    let detail = census.lines().nth(1).unwrap();
    assert_eq!(&detail[19..25], "1     ", "{census}");
    let check = rollcall().arg("check").arg("--layout").arg(&left).arg(out.join("census.txt")).args(["--as-of", AS_OF]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn a_blank_first_line_does_not_change_the_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = b"\r\n\n".to_vec();
    body.extend(extract(&[X_ROW]));
    let x = extract_folder(dir.path(), X_MAPPING, &body);
    let run = generate(&[path_str(&x)], &dir.path().join("out"));
    assert_eq!(run.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&run.stdout), stderr(&run));
    assert_eq!(caret_records(&dir.path().join("out/senr.txt"))[0][7], "1234567890");
    // Rows after blank lines keep their own line numbers.
    let bad = X_ROW.replace(",1,1234567890,ANA,", ",2,1234567891,BEN,").replace(",05", ",QQ");
    let mut body = extract(&[X_ROW]);
    body.extend(format!("\n\n{bad}\n").bytes());
    std::fs::write(x.join("senr_x.csv"), body).unwrap();
    let run = generate(&[path_str(&x), "--format", "json"], &dir.path().join("out2"));
    assert_eq!(diagnostics(&run), [("FIELD-CODE".to_owned(), Some(5))]);
}

#[test]
fn rows_of_two_leas_are_a_fatal_finding_that_stops_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = X_MAPPING.replace("reporting_lea = \"1964733\"\n", "");
    let rows = [
        format!("1964733,{X_ROW}"),
        format!("1964734,{}", X_ROW.replace(",1,1234567890,ANA,RUIZ,2015-04-12,F,", ",2,1234567891,BEN,OKAFOR,2015-07-12,M,")),
    ];
    let mut body = format!("LEA,{X_HEADER}\n").into_bytes();
    for r in &rows {
        body.extend(format!("{r}\n").bytes());
    }
    let x = extract_folder(dir.path(), &mapping, &body);
    for extra in [&[][..], &["--census"], &["--skip-invalid"], &["--census", "--skip-invalid"]] {
        let out = dir.path().join("out");
        let mut args = vec![path_str(&x), "--format", "json"];
        args.extend_from_slice(extra);
        let run = generate(&args, &out);
        assert_eq!(run.status.code(), Some(1), "{extra:?}: {}", stderr(&run));
        assert_eq!(diagnostics(&run), [("GEN-LEA-MIX".to_owned(), Some(3))], "{extra:?}: the findings report is shown");
        assert!(!out.exists(), "{extra:?}: nothing written");
    }
}

#[test]
fn an_unclosed_quote_is_refused_with_its_line_not_merged_into_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let open = X_ROW.replace("ANA", "\"ANA");
    let others: Vec<String> = (2..6).map(|i| X_ROW.replace(",1,1234567890,", &format!(",{i},123456789{i},"))).collect();
    let mut rows = vec![X_ROW, open.as_str()];
    rows.extend(others.iter().map(String::as_str));
    let x = extract_folder(dir.path(), X_MAPPING, &extract(&rows));
    let out = dir.path().join("out");
    let run = generate(&[path_str(&x), "--skip-invalid"], &out);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(err.contains("senr_x.csv:3: a quote opened on this line is never closed"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
    assert!(!out.exists());
}

#[test]
fn rejected_rows_read_back_as_the_same_cells() {
    let dir = tempfile::tempdir().unwrap();
    let quoted = X_ROW.replace("RUIZ", "\"RUIZ, GARCIA\"").replace(",05", ",QQ");
    // A second refused row with a Windows-1252 `É` (invalid UTF-8): kept byte for byte.
    let latin = X_ROW.replace(",1,1234567890,ANA,RUIZ,", ",2,1234567891,JOS@,OKAFOR,").replace(",05", ",QQ");
    let mut body = extract(&[&quoted]);
    let at = body.len();
    body.extend(latin.bytes());
    body.push(b'\n');
    let e = at + latin.find('@').unwrap();
    body[e] = 0xC9;
    let x = extract_folder(dir.path(), X_MAPPING, &body);
    let out = dir.path().join("out");
    let run = generate(&[path_str(&x), "--skip-invalid"], &out);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let mut rejected = csv::ReaderBuilder::new().from_path(out.join("rejected.csv")).unwrap();
    let records: Vec<csv::ByteRecord> = rejected.byte_records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    let mut source = csv::ReaderBuilder::new().from_reader(&body[..]);
    let source: Vec<csv::ByteRecord> = source.byte_records().map(Result::unwrap).collect();
    for (r, s) in records.iter().zip(&source) {
        let mut cells = csv::ReaderBuilder::new().has_headers(false).from_reader(&r[5]);
        let row = cells.byte_records().next().unwrap().unwrap();
        assert_eq!(row.iter().collect::<Vec<_>>(), s.iter().collect::<Vec<_>>(), "row {:?}", String::from_utf8_lossy(&r[5]));
    }
    assert_eq!(&records[0][5][..], quoted.as_bytes(), "quoted as in the extract");
    assert!(records[1][5].contains(&0xC9), "the invalid byte is kept, not replaced by U+FFFD");
}

#[test]
fn layouts_are_checked_completely_when_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let x = extract_folder(dir.path(), X_MAPPING, &extract(&[X_ROW]));
    let fixed = std::fs::read_to_string(root().join("schemas/cbeds/census-fixed.toml")).unwrap();
    let cases = [
        (
            "column.toml",
            fixed.replace(
                "{ name = \"primary\", start = 20, length = 6, type = \"number\" }",
                "{ name = \"primary\", start = 20, length = 6, type = \"number\", column = \"primery\" }",
            ),
            "`primery`",
        ),
        ("param.toml", fixed.replace("param = \"academic_year\"", "param = \"school_year\""), "`school_year`"),
        ("hidden.toml", fixed.replace("file_name = \"census.txt\"", "file_name = \".census.txt\""), "not a plain file name"),
        ("dotdot.toml", fixed.replace("file_name = \"census.txt\"", "file_name = \"..\""), "not a plain file name"),
    ];
    for (name, text, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join("out");
        let run = generate(&[path_str(&x), "--census-layout", path_str(&path)], &out);
        assert_eq!(run.status.code(), Some(2), "{name}");
        let err = stderr(&run);
        assert!(err.contains(says) && err.contains(name), "{name}: {err}");
        assert!(run.stdout.is_empty(), "{name}: refused when loaded, before the check");
        assert!(!out.exists());
        let check = rollcall()
            .arg("check")
            .arg("--layout")
            .arg(&path)
            .arg(root().join("tests/fixtures/rules/LAYOUT-PADDING/good/in/census.txt"))
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(2), "{name}: check --layout loads it the same way");
    }
}

#[test]
fn small_things_the_review_found() {
    let dir = tempfile::tempdir().unwrap();
    // A header that matches nothing, twice: listed once.
    let header = format!("{X_HEADER},Homeroom,Homeroom");
    let body = format!("{header}\n{X_ROW},A,B\n");
    let x = extract_folder(dir.path(), X_MAPPING, body.as_bytes());
    let run = generate(&[path_str(&x)], &dir.path().join("out"));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stderr(&run).contains("columns not used: Homeroom\n"), "{}", stderr(&run));
    // A trailing space after a date is not a time of day.
    let spaced = X_ROW.replace("08/14/2025", "2025-08-14 ");
    std::fs::write(x.join("senr_x.csv"), extract(&[&spaced])).unwrap();
    let run = generate(&[path_str(&x), "--format", "json"], &dir.path().join("out2"));
    assert_eq!(diagnostics(&run), [("GEN-DATE-INVALID".to_owned(), Some(2))]);
    // A census day outside the academic year is refused with the reason.
    std::fs::write(x.join("senr_x.csv"), extract(&[X_ROW])).unwrap();
    let out = dir.path().join("out3");
    let run = generate(&[path_str(&x), "--census", "--census-date", "2026-10-07"], &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("not in the academic year 2025-2026"), "{}", stderr(&run));
    assert!(!out.exists());
    let run = generate(&[path_str(&x), "--census", "--census-date", "2025-10-08"], &out);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["census_day"], "2025-10-08");
}
