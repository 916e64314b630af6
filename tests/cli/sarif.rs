//! `rollcall check --format sarif` and `--report FILE.sarif` end to end: the log validates
//! against the official SARIF 2.1.0 schema, holds a result per finding of the JSON output with
//! the right place and level, is the same bytes every run and in a report file, and names no
//! student.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::util::{json_lines, rollcall, root, AS_OF};

/// The sample district with its planted mistakes, every rule family in it.
const ERRORS: [&str; 2] = ["samples/errors", "--census"];

/// `rollcall check ARGS --format sarif` in `dir`: its standard output.
fn sarif_bytes_in(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = rollcall().current_dir(dir).args(["check", "--format", "sarif", "--as-of", AS_OF]).args(args).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn sarif(args: &[&str]) -> Value {
    serde_json::from_slice(&sarif_bytes_in(&root(), args)).unwrap()
}

/// The diagnostics of `--format json`.
fn diagnostics(args: &[&str]) -> Vec<Value> {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).args(args).output().unwrap();
    json_lines(&out.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect()
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

/// Validates `log` against the committed schema, formats (`uri`, `uri-reference`) included.
fn assert_valid(log: &Value) {
    let text = fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft4::options().should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "the SARIF log breaks the schema:\n{}", errors.join("\n"));
}

#[test]
fn the_log_validates_against_the_official_schema() {
    let log = sarif(&ERRORS);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "rollcall");
    assert_valid(&log);
}

#[test]
fn a_finding_about_the_whole_run_has_no_location_and_still_validates() {
    let log = sarif(&["samples/errors/senr.txt", "--require", "senr,sinf"]);
    assert_valid(&log);
    let missing: Vec<&Value> = results(&log).iter().filter(|r| r["ruleId"] == "STRUCT-MISSING-TYPE").collect();
    assert_eq!(missing.len(), 1);
    assert!(missing[0].get("locations").is_none(), "{}", missing[0]);
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["message"]["text"] == "XF-NON-SCHOOL-DAY was not checked: it needs --calendar FILE"), "{notes:?}");
}

#[test]
fn a_file_named_with_a_space_and_a_hash_is_a_percent_encoded_relative_uri() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("fall 1")).unwrap();
    fs::copy(root().join("samples/errors/senr.txt"), dir.path().join("fall 1/senr#2.txt")).unwrap();
    let log: Value = serde_json::from_slice(&sarif_bytes_in(dir.path(), &["fall 1/senr#2.txt"])).unwrap();
    assert_valid(&log);
    let artifact = &log["runs"][0]["artifacts"][0]["location"];
    assert_eq!((&artifact["uri"], &artifact["uriBaseId"]), (&Value::from("fall%201/senr%232.txt"), &Value::from("%SRCROOT%")));
    let at = &results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(at["uri"], "fall%201/senr%232.txt");
}

#[test]
fn there_is_a_result_per_finding_of_the_json_output_in_its_order() {
    let log = sarif(&ERRORS);
    let json = diagnostics(&ERRORS);
    let rules = |v: Vec<&Value>| v.into_iter().map(|v| v.as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(results(&log).len(), json.len());
    assert_eq!(rules(results(&log).iter().map(|r| &r["ruleId"]).collect()), rules(json.iter().map(|d| &d["rule"]).collect()));
}

#[test]
fn levels_follow_severities_and_rule_indexes_point_at_their_rules() {
    let log = sarif(&ERRORS);
    let json = diagnostics(&ERRORS);
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let mut levels = std::collections::BTreeSet::new();
    for (r, d) in results(&log).iter().zip(&json) {
        let level = match d["severity"].as_str().unwrap() {
            "fatal" => "error",
            "warning" => "warning",
            "info" => "note",
            other => panic!("severity {other}"),
        };
        assert_eq!(r["level"], level, "{r}");
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        assert_eq!(rule["defaultConfiguration"]["level"], level);
        assert_eq!(rule["properties"]["category"], d["category"]);
        levels.insert(level);
    }
    assert_eq!(levels.len(), 2, "the samples have fatal findings and warnings: {levels:?}");
    let ids: Vec<&Value> = rules.iter().map(|r| &r["id"]).collect();
    let unique: std::collections::BTreeSet<String> = ids.iter().map(|v| v.to_string()).collect();
    assert_eq!(unique.len(), ids.len(), "each rule once");
}

#[test]
fn a_known_finding_points_at_its_line_and_field() {
    let log = sarif(&ERRORS);
    let r = results(&log).iter().find(|r| r["ruleId"] == "SENR-STATUS50-TK").unwrap();
    let at = &r["locations"][0]["physicalLocation"];
    assert_eq!(at["artifactLocation"]["uri"], "samples/errors/senr.txt");
    let region = &at["region"];
    assert_eq!(region["startLine"], 8);
    // The 23rd caret-separated field of line 8 (enrollment_status_code) holds `50`.
    let text = fs::read_to_string(root().join("samples/errors/senr.txt")).unwrap();
    let line = text.lines().nth(7).unwrap();
    let before: usize = line.split('^').take(22).map(|f| f.chars().count() + 1).sum();
    assert_eq!(line.split('^').nth(22), Some("50"));
    assert_eq!((region["startColumn"].as_u64(), region["endColumn"].as_u64()), (Some(before as u64 + 1), Some(before as u64 + 3)));
    assert_eq!(region["snippet"]["text"], "50");
    assert_eq!(r["properties"]["field"], "enrollment_status_code");
    assert_eq!(r["properties"]["ssid"], "9900000008");
}

/// Every region's columns, counted in characters of the file's line, hold the finding's value
/// (the JSON output's, whose columns count bytes): non-ASCII lines included.
#[test]
fn every_region_holds_its_value_in_the_files_line() {
    let log = sarif(&ERRORS);
    let json = diagnostics(&ERRORS);
    let mut checked = 0;
    for (r, d) in results(&log).iter().zip(&json) {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        let (Some(start), Some(end)) = (region["startColumn"].as_u64(), region["endColumn"].as_u64()) else { continue };
        let bytes = fs::read(root().join(d["file"].as_str().unwrap())).unwrap();
        let line = bytes.split(|b| *b == b'\n').nth(region["startLine"].as_u64().unwrap() as usize - 1).unwrap();
        let line = String::from_utf8_lossy(line);
        let field: String = line.chars().skip(start as usize - 1).take((end - start) as usize).collect();
        assert_eq!(field, d["value"].as_str().unwrap(), "{r}");
        checked += 1;
    }
    assert!(checked > 80, "only {checked} results have columns");
    let non_ascii = results(&log).iter().filter(|r| r["ruleId"] == "FIELD-NAME-CHARS" || r["ruleId"] == "STRUCT-ENCODING").count();
    assert_eq!(non_ascii, 3);
}

#[test]
fn a_report_file_is_the_same_bytes_as_standard_output_and_runs_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sarif");
    let args = [ERRORS[0], ERRORS[1], "--report", file.to_str().unwrap()];
    let first = sarif_bytes_in(&root(), &args);
    assert_eq!(fs::read(&file).unwrap(), first);
    assert_eq!(sarif_bytes_in(&root(), &args), first, "a second run gives other bytes");
    assert!(first.ends_with(b"}\n"));
}

#[test]
fn a_report_file_beside_json_output_has_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sarif");
    rollcall().args(["check", "--format", "json", "--max-per-rule", "1", "--as-of", AS_OF]).args(ERRORS).arg("--report").arg(&file).output().unwrap();
    let log: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(results(&log).len(), diagnostics(&ERRORS).len());
}

#[test]
fn fingerprints_are_the_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.csv");
    let log = sarif(&[ERRORS[0], ERRORS[1], "--write-baseline", baseline.to_str().unwrap()]);
    let mut rdr = csv::Reader::from_path(&baseline).unwrap();
    let mut written: Vec<String> = rdr.records().map(|r| r.unwrap()[0].to_owned()).collect();
    let mut shown: Vec<String> = results(&log).iter().map(|r| r["partialFingerprints"]["rollcall/v1"].as_str().unwrap().to_owned()).collect();
    written.sort();
    shown.sort();
    assert_eq!(shown, written);
}

/// A log goes to a code-scanning service: no student's name, nor the planted guardian name and
/// address.
#[test]
fn no_name_of_the_samples_is_in_the_log() {
    let text = String::from_utf8(sarif_bytes_in(&root(), &ERRORS)).unwrap();
    let out = rollcall().args(["check", "--format", "csv", "--as-of", AS_OF]).args(ERRORS).output().unwrap();
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let at = rdr.headers().unwrap().iter().position(|h| h == "student_name").unwrap();
    let mut names: Vec<String> = rdr.records().filter_map(|r| Some(r.unwrap().get(at)?.to_owned())).filter(|n| !n.is_empty()).collect();
    assert!(names.len() > 50, "{} names", names.len());
    names.push("HOLLOWDALE".to_owned());
    let parts: std::collections::BTreeSet<&str> = names.iter().flat_map(|n| n.split(char::is_whitespace)).filter(|p| p.chars().count() > 2).collect();
    let found: Vec<&&str> = parts.iter().filter(|p| has_word(&text, p)).collect();
    assert!(found.is_empty(), "names in the SARIF log: {found:?}");
    assert!(!text.contains("SAMPLE ST APARTMENT"), "the planted address is in the log");
}

/// Whether `word` stands in `text` as a word of its own (not `ROSA` in `ROSARIO`).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = text[at + word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}
