//! Report files: the worklist (CSV and workbook), formula neutralisation in every CSV the
//! tool writes, and `--redact` across every output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

use crate::util::{json_lines, rollcall, AS_OF};

/// The cells of a CSV as a spreadsheet reads them (byte-order mark dropped).
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    rdr.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// No cell a spreadsheet would run as a formula: none starts with `=`, `+`, `@`, tab or CR,
/// nor with `-` unless it is a number.
fn assert_inert(what: &str, rows: &[Vec<String>]) {
    for row in rows {
        for cell in row {
            let live = cell.starts_with(['=', '+', '@', '\t', '\r']) || (cell.starts_with('-') && cell.parse::<f64>().is_err());
            assert!(!live, "{what}: the cell `{cell}` would run as a formula");
        }
    }
}

fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = rollcall().args(args).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// samples/errors with its first SINF record made hostile: a first name that is a formula,
/// a gender code that is one, a local record ID starting with `-`.
fn hostile_samples(dir: &Path) -> PathBuf {
    let to = dir.join("errors");
    std::fs::create_dir_all(&to).unwrap();
    for f in ["senr.txt", "stas.txt", "attendance.csv", "calendar.csv"] {
        std::fs::copy(Path::new("samples/errors").join(f), to.join(f)).unwrap();
    }
    // The file has a byte that is not UTF-8 further down: edit the first line only.
    let sinf = std::fs::read("samples/errors/sinf.txt").unwrap();
    let end = sinf.iter().position(|b| *b == b'\n').unwrap();
    let first = String::from_utf8(sinf[..end].to_vec()).unwrap();
    let mut fields: Vec<String> = first.trim_end_matches('\r').split('^').map(str::to_owned).collect();
    fields[2] = "-LI-0001+1".into();
    fields[10] = "=HYPERLINK(\"x\")".into();
    fields[18] = "@SUM(1)".into();
    let mut bytes = (fields.join("^") + "\r").into_bytes();
    bytes.extend_from_slice(&sinf[end..]);
    std::fs::write(to.join("sinf.txt"), bytes).unwrap();
    to
}

#[test]
fn the_worklist_has_its_columns_in_order_and_rows_by_school_severity_student() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("worklist.csv");
    let stdout = run_ok(&["check", "samples/errors", "--as-of", AS_OF, "--format", "csv", "--report", path(&report)]);
    let rows = cells(&stdout);
    assert_eq!(
        rows[0],
        [
            "school",
            "ssid",
            "local_student_id",
            "student_name",
            "file",
            "line",
            "field",
            "value",
            "rule",
            "severity",
            "category",
            "message",
            "how_to_fix",
            "state_rule",
            "record_type",
            "local_record_id",
            "status"
        ]
    );
    // One row per finding of the run, each with an empty status for the clerk.
    let json = json_lines(&run_ok(&["check", "samples/errors", "--as-of", AS_OF, "--format", "json"]));
    let findings = json.iter().filter(|l| l["kind"] == "diagnostic").count();
    assert_eq!(rows.len() - 1, findings);
    assert!(rows[1..].iter().all(|r| r[16].is_empty()));
    // Sorted by school (no school last), severity (fatal first), student.
    let rank = |s: &str| ["fatal", "warning", "info"].iter().position(|x| *x == s).unwrap();
    let keys: Vec<(bool, String, usize, bool, String)> = rows[1..]
        .iter()
        .map(|r| {
            let student = if r[1].is_empty() { r[2].clone() } else { r[1].clone() };
            (r[0].is_empty(), r[0].clone(), rank(&r[9]), student.is_empty(), student)
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "the worklist is not in school, severity, student order");
    assert!(rows[1..].iter().any(|r| !r[3].is_empty()), "no row names its student");
    // The report file is the spreadsheet form: a byte-order mark and CR LF.
    let file = std::fs::read(&report).unwrap();
    assert!(file.starts_with(b"\xEF\xBB\xBFschool,ssid,"));
    assert!(file.windows(2).filter(|w| w == b"\r\n").count() > findings);
    assert_eq!(cells(&file), rows);
}

#[test]
fn the_workbook_opens_in_a_reader_with_ssids_as_text_and_a_sheet_per_school() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("worklist.xlsx");
    let stdout = run_ok(&["check", "samples/errors", "--as-of", AS_OF, "--format", "csv", "--report", path(&report)]);
    let csv_rows = cells(&stdout);
    let mut book = open_workbook_auto(&report).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(&sheets[..3], ["Summary", "Schools", "Rules"]);
    let schools: BTreeSet<&str> = csv_rows[1..].iter().map(|r| r[0].as_str()).filter(|s| !s.is_empty()).collect();
    assert_eq!(sheets.len() - 3, schools.len() + usize::from(csv_rows[1..].iter().any(|r| r[0].is_empty())));
    let mut rows = 0;
    for sheet in &sheets[3..] {
        let range = book.worksheet_range(sheet).unwrap();
        let mut it = range.rows();
        let header: Vec<String> = it.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(header, csv_rows[0]);
        for row in it {
            rows += 1;
            // SSIDs, school codes and local IDs are text: no lost leading zeros.
            for i in [0, 1, 2] {
                assert!(matches!(row[i], Data::String(_) | Data::Empty), "{sheet}: column {i} is {:?}", row[i]);
            }
            if let Data::String(ssid) = &row[1] {
                assert_eq!(ssid.len(), 10, "{ssid}");
            }
            assert!(matches!(row[5], Data::Float(_) | Data::Int(_) | Data::Empty), "line is {:?}", row[5]);
        }
    }
    assert_eq!(rows, csv_rows.len() - 1);
}

#[test]
fn every_csv_the_tool_writes_is_inert_in_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let errors = hostile_samples(dir.path());
    // The worklist, on standard output and as a report file; the value and the name are
    // there, made inert.
    let report = dir.path().join("worklist.csv");
    let stdout = run_ok(&["check", path(&errors), "--as-of", AS_OF, "--format", "csv", "--report", path(&report)]);
    let rows = cells(&stdout);
    assert_inert("check --format csv", &rows);
    assert_inert("check --report .csv", &cells(&std::fs::read(&report).unwrap()));
    assert!(rows.iter().flatten().any(|c| c == "'@SUM(1)"), "the hostile gender code is not in the worklist");
    assert!(rows.iter().flatten().any(|c| c.starts_with("'=HYPERLINK")), "the hostile name is not in the worklist");
    // The workbook keeps the text as text (a string cell is never a formula).
    let xlsx = dir.path().join("worklist.xlsx");
    run_ok(&["check", path(&errors), "--as-of", AS_OF, "--report", path(&xlsx)]);
    let mut book = open_workbook_auto(&xlsx).unwrap();
    let sheet = book.sheet_names()[3].clone();
    assert!(book.worksheet_formula(&sheet).unwrap().used_cells().all(|(_, _, f)| f.is_empty()));
    // The baseline.
    let baseline = dir.path().join("baseline.csv");
    run_ok(&["check", path(&errors), "--as-of", AS_OF, "--format", "json", "--write-baseline", path(&baseline)]);
    assert_inert("--write-baseline", &cells(&std::fs::read(&baseline).unwrap()));
    // The attendance figures, on standard output and as report files.
    for args in [
        &["ada", "samples/errors", "--as-of", AS_OF][..],
        &["chronic", "samples/errors", "--as-of", AS_OF][..],
        &["monthly", "samples/errors"][..],
        &["truancy", "samples/errors", "--as-of", AS_OF][..],
        &["census", "samples/errors"][..],
        &["calendar", "samples/errors/calendar.csv"][..],
    ] {
        let mut with = args.to_vec();
        with.extend(["--format", "csv"]);
        assert_inert(args[0], &cells(&run_ok(&with)));
    }
    let ada = dir.path().join("ada.csv");
    run_ok(&["ada", "samples/errors", "--as-of", AS_OF, "--report", path(&ada)]);
    assert_inert("ada --report", &cells(&std::fs::read(&ada).unwrap()));
}

#[test]
fn rejected_rows_are_inert_in_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let extracts = dir.path().join("extracts");
    std::fs::create_dir_all(&extracts).unwrap();
    for f in std::fs::read_dir("samples/extracts").unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, extracts.join(f.file_name().unwrap())).unwrap();
    }
    // A demographics row whose SSID is a formula: refused, and its row (starting with that
    // SSID) written to rejected.csv.
    let demo = std::fs::read_to_string(extracts.join("demographics.csv")).unwrap();
    let mut lines: Vec<String> = demo.lines().map(str::to_owned).collect();
    let rest = lines[1].split_once(';').unwrap().1.to_owned();
    lines[1] = format!("=1+2;{rest}");
    std::fs::write(extracts.join("demographics.csv"), lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let run = rollcall()
        .args(["generate", path(&extracts), "--mapping", path(&extracts.join("mapping.toml")), "--skip-invalid", "--as-of", AS_OF, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.code().is_some_and(|c| c < 2), "{}", String::from_utf8_lossy(&run.stderr));
    let rejected = cells(&std::fs::read(out.join("rejected.csv")).unwrap());
    assert!(rejected.iter().flatten().any(|c| c.starts_with("'=1+2")), "the refused row is not in rejected.csv: {rejected:?}");
    assert_inert("rejected.csv", &rejected);
    // Each refused row says whom it is about and how to fix it.
    assert_eq!(
        rejected[0],
        ["source_file", "source_line", "record_type", "rules", "reasons", "row", "school", "ssid", "local_student_id", "student_name", "how_to_fix"]
    );
    assert!(rejected[1..].iter().all(|r| !r[10].is_empty()), "a refused row without a fix: {rejected:?}");
}

/// Every private value of the CALPADS records in `dir`: names, birth dates (also as
/// YYYY-MM-DD), birth cities, addresses, and full SSIDs.
fn private_values(dir: &Path) -> BTreeSet<String> {
    let schema = rollcall::schema::Schema::embedded().unwrap();
    let mut values = BTreeSet::new();
    for file in ["senr.txt", "sinf.txt", "stas.txt"] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        for line in String::from_utf8_lossy(&bytes).lines() {
            let cells: Vec<&str> = line.split('^').collect();
            let Some(layout) = schema.layouts.iter().find(|l| l.record_type == cells[0]) else { continue };
            let era = layout.eras().into_iter().last().unwrap();
            for (i, name) in era.names().iter().enumerate() {
                let v = cells.get(i).map_or("", |c| c.trim());
                if v.len() < 3 {
                    continue;
                }
                if name == "ssid" || rollcall::report::redact::Private::of_field(name).is_some() {
                    values.insert(v.to_owned());
                    if name == "student_birth_date" && v.len() == 8 {
                        values.insert(format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..]));
                    }
                }
            }
        }
    }
    values
}

/// A SARIF log without its rule descriptions (the rules' own documented examples, which
/// may happen to share a value with the synthetic samples); any other text as it is.
fn without_rule_docs(text: String) -> String {
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(mut log) if log.get("runs").is_some() => {
            log["runs"][0]["tool"]["driver"]["rules"] = serde_json::Value::Null;
            log.to_string()
        }
        _ => text,
    }
}

/// Whether `value` occurs in `text` as a whole word.
fn has_word(text: &str, value: &str) -> bool {
    text.match_indices(value).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = text[at + value.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

#[test]
fn redaction_leaves_no_name_birth_date_or_address_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let private = private_values(Path::new("samples/errors"));
    assert!(private.len() > 500, "the samples have few private values: {}", private.len());
    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in ["human", "json", "csv", "sarif"] {
        let out = run_ok(&["check", "samples/errors", "--as-of", AS_OF, "--redact", "--max-per-rule", "0", "--format", format]);
        outputs.push((format.to_owned(), without_rule_docs(String::from_utf8(out).unwrap())));
    }
    let files: Vec<PathBuf> = ["csv", "html", "sarif", "xlsx"].iter().map(|e| dir.path().join(format!("report.{e}"))).collect();
    let mut args: Vec<&str> = vec!["check", "samples/errors", "--as-of", AS_OF, "--redact"];
    for f in &files {
        args.extend(["--report", path(f)]);
    }
    run_ok(&args);
    for f in &files[..3] {
        outputs.push((path(f).to_owned(), without_rule_docs(std::fs::read_to_string(f).unwrap())));
    }
    let mut book = open_workbook_auto(&files[3]).unwrap();
    let mut text = String::new();
    for sheet in book.sheet_names() {
        for row in book.worksheet_range(&sheet).unwrap().rows() {
            for c in row {
                text.push_str(&c.to_string());
                text.push('\n');
            }
        }
    }
    outputs.push(("xlsx".to_owned(), text));
    for (what, text) in &outputs {
        assert!(!text.is_empty() || what.ends_with(".html") || what.ends_with(".sarif") || what == "sarif", "{what} is empty");
        for v in &private {
            assert!(!has_word(text, v), "{what} shows the private value `{v}`");
        }
    }
    // A redacted report still tells students apart and shows what is wrong.
    let human = &outputs[0].1;
    assert!(human.contains("Student-0001") && human.contains("******0"), "{human}");
    // Tokens are stable: one student keeps one token across the run's outputs.
    let csv = cells(outputs[2].1.as_bytes());
    let mut token_of: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for r in &csv[1..] {
        if !r[2].is_empty() && !r[3].is_empty() {
            assert_eq!(*token_of.entry(r[2].as_str()).or_insert(r[3].as_str()), r[3].as_str(), "student {} has two tokens", r[2]);
        }
    }
}

#[test]
fn redaction_refuses_to_write_a_baseline_of_real_values() {
    let out = rollcall().args(["check", "samples/errors", "--redact", "--write-baseline", "b.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--write-baseline"));
}

#[test]
fn redacted_attendance_figures_show_ssids_by_their_last_four_digits() {
    let dir = tempfile::tempdir().unwrap();
    let ssid = |text: &str| text.split(|c: char| !c.is_ascii_digit()).any(|w| w.len() == 10);
    for args in [&["chronic", "samples/clean"][..], &["truancy", "samples/clean", "--as-of", AS_OF][..]] {
        let plain = String::from_utf8(run_ok(args)).unwrap();
        assert!(ssid(&plain), "{args:?} shows no SSID to redact");
        let report = dir.path().join(format!("{}.csv", args[0]));
        for format in ["table", "csv"] {
            let mut with = args.to_vec();
            with.extend(["--redact", "--format", format, "--report", path(&report)]);
            let text = String::from_utf8(run_ok(&with)).unwrap();
            assert!(!ssid(&text) && text.contains("******"), "{with:?}: {text}");
            assert!(!ssid(&std::fs::read_to_string(&report).unwrap()));
        }
    }
    let letters = dir.path().join("letters");
    let out = rollcall().args(["truancy", "samples/clean", "--redact", "--letters", path(&letters)]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!letters.exists());
}

#[test]
fn generate_writes_its_findings_to_report_files_redacted_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let extracts = dir.path().join("extracts");
    std::fs::create_dir_all(&extracts).unwrap();
    for f in std::fs::read_dir("samples/extracts").unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, extracts.join(f.file_name().unwrap())).unwrap();
    }
    // Two demographics rows with a birth date that is no date: refused, with the row shown.
    let demo = std::fs::read_to_string(extracts.join("demographics.csv")).unwrap();
    let mut lines: Vec<Vec<String>> = demo.lines().map(|l| l.split(';').map(str::to_owned).collect()).collect();
    let header = lines[0].clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    lines[1][col("Birth Date")] = "20151341".into();
    lines[2][col("Gender")] = "Q".into();
    let text: Vec<String> = lines.iter().map(|l| l.join(";")).collect();
    std::fs::write(extracts.join("demographics.csv"), text.join("\n") + "\n").unwrap();
    let mut private = BTreeSet::new();
    for row in &lines[1..] {
        for name in ["First Name", "Last Name", "Birth Date", "Address", "City", "Zip", "SSID"] {
            if row[col(name)].len() >= 3 {
                private.insert(row[col(name)].clone());
            }
        }
    }
    let (csv, html) = (dir.path().join("refused.csv"), dir.path().join("refused.html"));
    let mut outputs = Vec::new();
    for format in ["human", "json"] {
        let run = rollcall()
            .args(["generate", path(&extracts), "--mapping", path(&extracts.join("mapping.toml")), "--skip-invalid", "--as-of", AS_OF])
            .args(["--redact", "--max-per-rule", "0", "--format", format, "--report", path(&csv), "--report", path(&html), "--out"])
            .arg(dir.path().join(format!("out-{format}")))
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
        outputs.push((format.to_owned(), String::from_utf8(run.stdout).unwrap()));
        outputs.push((format!("{format} csv"), std::fs::read_to_string(&csv).unwrap()));
        outputs.push((format!("{format} html"), std::fs::read_to_string(&html).unwrap()));
    }
    let rows = cells(outputs[1].1.as_bytes());
    assert!(rows.iter().any(|r| r[6] == "student_birth_date" && r[7].starts_with("Birthdate-")), "{rows:?}");
    assert!(rows.iter().any(|r| r[6] == "student_gender_code" && r[7] == "Q"), "{rows:?}");
    for (what, text) in &outputs {
        for v in &private {
            assert!(!has_word(text, v), "{what} shows the private value `{v}`");
        }
    }
    // The output folder keeps the data whole: the refused rows are in rejected.csv as read.
    let rejected = std::fs::read_to_string(dir.path().join("out-json/rejected.csv")).unwrap();
    assert!(rejected.contains("20151341"));
}
