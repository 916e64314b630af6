//! Diagnostics a clerk can act on: each mistake a clerk or a spreadsheet really makes,
//! planted in a copy of the clean samples, gets advice about the actual value.

use std::path::Path;

use crate::util::{json_lines, rollcall, AS_OF};

/// A copy of samples/clean with `edit` applied to field `field` (0-based) of SENR line `line`.
fn samples_with(dir: &Path, line: usize, field: usize, value: &str) {
    for f in ["senr.txt", "sinf.txt", "stas.txt", "calendar.csv", "attendance.csv"] {
        std::fs::copy(Path::new("samples/clean").join(f), dir.join(f)).unwrap();
    }
    let senr = std::fs::read_to_string(dir.join("senr.txt")).unwrap();
    let mut lines: Vec<String> = senr.split("\r\n").map(str::to_owned).collect();
    let mut fields: Vec<String> = lines[line - 1].split('^').map(str::to_owned).collect();
    fields[field] = value.to_owned();
    lines[line - 1] = fields.join("^");
    std::fs::write(dir.join("senr.txt"), lines.join("\r\n")).unwrap();
}

/// The (rule, help) of the findings at SENR line `line`.
fn findings_at(dir: &Path, line: u64) -> Vec<(String, String)> {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.join("senr.txt")).output().unwrap();
    json_lines(&out.stdout)
        .iter()
        .filter(|l| l["kind"] == "diagnostic" && l["line"] == line)
        .map(|l| (l["rule"].as_str().unwrap().to_owned(), l["help"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn a_date_in_another_form_is_a_date_finding_with_the_corrected_value() {
    // Field 21 (0-based) is enrollment_start_date; line 2 starts 20250813.
    for (value, fixed, how) in
        [("2025-08-13", "20250813", "year-month-day"), ("8/13/2025", "20250813", "month/day/year"), ("08132025", "20250813", "MMDDCCYY")]
    {
        let dir = tempfile::tempdir().unwrap();
        samples_with(dir.path(), 2, 21, value);
        let found = findings_at(dir.path(), 2);
        let date = found.iter().find(|(r, _)| r == "FIELD-DATE").unwrap_or_else(|| panic!("{value}: {found:?}"));
        assert!(date.1.contains(fixed) && date.1.contains(how), "{value}: {}", date.1);
        assert!(!found.iter().any(|(r, _)| r == "FIELD-LENGTH"), "{value} is no length problem: {found:?}");
    }
}

#[test]
fn a_code_of_digits_gets_advice_about_this_value() {
    // Field 7 is the SSID, field 3 the reporting LEA.
    let cases: [(usize, &str, &str); 4] = [
        (7, "1.23457E+09", "scientific notation"),
        (7, "99O0000002", "the letter O at position 3 (a zero, 0?)"),
        (3, "991234", "has 6 digits, not 7"),
        (7, "9900000002 ", "a trailing space in ssid: 9900000002"),
    ];
    for (field, value, advice) in cases {
        let dir = tempfile::tempdir().unwrap();
        samples_with(dir.path(), 2, field, value);
        let found = findings_at(dir.path(), 2);
        let digits = found.iter().find(|(r, _)| r == "FIELD-DIGITS").unwrap_or_else(|| panic!("{value}: {found:?}"));
        assert!(digits.1.contains(advice), "{value}: {}", digits.1);
    }
}

#[test]
fn explain_answers_state_rule_ids_codes_and_fields() {
    let explain = |what: &str| {
        let out = rollcall().args(["explain", what]).output().unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(explain("SENR0178").contains("SENR-OVERLAP-SCHOOL"), "the ID a state error report shows");
    let e155 = explain("E155");
    assert!(e155.contains("Year-end enrollment exit") && e155.contains("exit_reason"), "{e155}");
    let field = explain("student_exit_reason_code");
    assert!(field.contains("SENR field 1.26") && field.contains("E230 Completer exit") && field.contains("SENR-EXIT-PAIR"), "{field}");
    let tk = explain("TK");
    assert!(tk.contains("Transitional Kindergarten") && tk.contains("valid from 2023-2024"), "{tk}");
    let out = rollcall().args(["explain", "NOTHING-LIKE-IT"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_reader_that_stops_early_is_no_failure() {
    // `rollcall check … --format json | head -1`: the pipe closes after the first line.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rollcall"))
        .args(["check", "--format", "json", "--as-of", AS_OF, "samples/errors"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_unknown_layout_lists_the_known_ones() {
    let out = rollcall().args(["check", "--layout", "foo", "samples/clean"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(fixed, tab)"));
}

#[test]
fn files_are_told_by_their_content_whatever_their_names() {
    // SENR_2025.TXT, sinf.dat and a STAS file with no extension are the whole submission; a
    // README beside them is named as not checked; an extract is named as one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("samples/clean/senr.txt", dir.path().join("SENR_2025.TXT")).unwrap();
    std::fs::copy("samples/clean/sinf.txt", dir.path().join("sinf.dat")).unwrap();
    std::fs::copy("samples/clean/stas.txt", dir.path().join("stas")).unwrap();
    std::fs::copy("samples/extracts/enrollment.csv", dir.path().join("enrollment.csv")).unwrap();
    std::fs::write(dir.path().join("README.md"), "# notes\n").unwrap();
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let lines = json_lines(&out.stdout);
    let summary = lines.last().unwrap();
    assert_eq!(summary["records"], 310 + 312 + 302, "{summary}");
    let not: Vec<(String, String)> = summary["files_not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (Path::new(n["file"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned(), n["looks_like"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(not.len(), 2, "{not:?}");
    assert!(not[0].0 == "README.md" && not[1].0 == "enrollment.csv" && not[1].1.contains("district extract"), "{not:?}");
    assert_eq!(out.status.code(), Some(0));
}

/// The rules of the findings of `check` on `args` (after the common options), and the exit.
fn rules_of(args: &[&str]) -> (Option<i32>, Vec<String>) {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).args(args).output().unwrap();
    let rules = json_lines(&out.stdout).iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap().to_owned()).collect();
    (out.status.code(), rules)
}

#[test]
fn last_years_calendar_is_one_error_not_one_per_record() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["senr.txt", "sinf.txt", "stas.txt", "attendance.csv"] {
        std::fs::copy(Path::new("samples/clean").join(f), dir.path().join(f)).unwrap();
    }
    // The same calendar a year earlier (the dates of 2024-2025).
    let calendar = std::fs::read_to_string("samples/clean/calendar.csv")
        .unwrap()
        .replace(",2025-", ",2024-X")
        .replace(",2026-", ",2025-")
        .replace(",2024-X", ",2024-");
    std::fs::write(dir.path().join("calendar.csv"), calendar).unwrap();
    let (code, rules) = rules_of(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let count = |id: &str| rules.iter().filter(|r| *r == id).count();
    assert_eq!(count("CAL-WRONG-YEAR"), 1, "{rules:?}");
    assert_eq!(count("ATT-NON-SCHOOL-DAY"), 1, "the daily records outside the calendar's year are one finding: {rules:?}");
    assert_eq!(count("XF-EXPECTED-DAYS") + count("XF-NON-SCHOOL-DAY"), 0, "the calendar of another year is not used: {rules:?}");
}

#[test]
fn require_and_year_make_a_missing_file_or_another_year_fatal() {
    let (code, rules) = rules_of(&["samples/clean/senr.txt", "samples/clean/sinf.txt"]);
    assert_eq!(code, Some(0), "without --require a missing STAS is a note: {rules:?}");
    let (code, rules) = rules_of(&["--require", "senr,sinf,stas", "samples/clean/senr.txt", "samples/clean/sinf.txt"]);
    assert_eq!(code, Some(1));
    assert_eq!(rules.iter().filter(|r| *r == "STRUCT-MISSING-TYPE").count(), 1, "{rules:?}");
    let (code, rules) = rules_of(&["--year", "2024-2025", "samples/clean/sinf.txt"]);
    assert_eq!(code, Some(1));
    assert_eq!(rules, ["STRUCT-WRONG-YEAR"], "one finding for the file");
    let out = rollcall().args(["check", "--require", "senr,snf", "samples/clean"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_clerk_sees_her_school_her_student_or_one_rule() {
    let findings = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF, "samples/errors"]).args(args).output().unwrap();
        json_lines(&out.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect()
    };
    let all = findings(&[]);
    let school = findings(&["--school", "9990029"]);
    assert!(!school.is_empty() && school.len() < all.len() && school.iter().all(|f| f["school_of_attendance"] == "9990029"));
    let ssid = all.iter().find_map(|f| f["ssid"].as_str()).unwrap().to_owned();
    let student = findings(&["--ssid", &ssid]);
    assert!(!student.is_empty() && student.iter().all(|f| f["ssid"] == ssid.as_str()));
    let att = findings(&["--rule", "ATT"]);
    assert!(!att.is_empty() && att.iter().all(|f| f["rule"].as_str().unwrap().starts_with("ATT-")));
}

#[test]
fn a_damaged_key_is_one_finding_not_a_cascade() {
    // SENR line 2's SSID lost its last digit: the field finding says so, and the student's
    // STAS (same local ID and school) is not reported as a STAS without an enrollment.
    let dir = tempfile::tempdir().unwrap();
    samples_with(dir.path(), 2, 7, "990000000");
    for f in ["calendar.csv", "attendance.csv"] {
        std::fs::remove_file(dir.path().join(f)).unwrap();
    }
    // The field finding, and the record the run has for the same local ID and school named.
    let named = |dir: &Path, ssid: &str| {
        let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir).output().unwrap();
        let lines = json_lines(&out.stdout);
        let rules: Vec<&str> = lines.iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap()).collect();
        assert_eq!(rules, ["FIELD-DIGITS", "XF-PROBABLY-SAME-STUDENT"], "{rules:?}");
        let message = lines[1]["message"].as_str().unwrap();
        assert!(message.contains("probably the same student as") && message.contains(&format!("SSID {ssid}")), "{message}");
    };
    named(dir.path(), "9900000002");
    // The other way round: the STAS's SSID damaged, the enrollment fine.
    let dir = tempfile::tempdir().unwrap();
    for f in ["senr.txt", "sinf.txt", "stas.txt"] {
        std::fs::copy(Path::new("samples/clean").join(f), dir.path().join(f)).unwrap();
    }
    let stas = std::fs::read_to_string(dir.path().join("stas.txt")).unwrap().replacen("^9900000002^", "^99000O0002^", 1);
    std::fs::write(dir.path().join("stas.txt"), stas).unwrap();
    named(dir.path(), "9900000002");
}

#[test]
fn a_whole_file_problem_is_one_finding_with_its_count() {
    let clean = |dir: &Path| {
        for f in ["senr.txt", "sinf.txt", "stas.txt"] {
            std::fs::copy(Path::new("samples/clean").join(f), dir.join(f)).unwrap();
        }
    };
    // SINF saved with semicolons: one finding, and the records are still read and checked.
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path());
    let sinf = std::fs::read_to_string(dir.path().join("sinf.txt")).unwrap().replace('^', ";");
    std::fs::write(dir.path().join("sinf.txt"), sinf).unwrap();
    let (_, rules) = rules_of(&[dir.path().to_str().unwrap()]);
    assert_eq!(rules, ["STRUCT-DELIMITER"], "{rules:?}");
    // Every SENR record ends with an extra caret: one finding with the count.
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path());
    let senr = std::fs::read_to_string(dir.path().join("senr.txt")).unwrap().replace("\r\n", "^\r\n");
    std::fs::write(dir.path().join("senr.txt"), senr).unwrap();
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let found: Vec<serde_json::Value> = json_lines(&out.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0]["message"].as_str().unwrap().starts_with("310 records of this file end with an extra `^`"), "{}", found[0]["message"]);
    // SINF saved as Windows-1252 (names with accents): one encoding finding with the count,
    // and no identity finding caused by the encoding.
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path());
    let sinf = std::fs::read(dir.path().join("sinf.txt")).unwrap();
    let text = String::from_utf8(sinf).unwrap();
    let accented = text.matches('É').count() + text.matches('Í').count() + text.matches('Ñ').count();
    assert!(accented > 1, "the samples have accented names");
    let latin1: Vec<u8> = text.chars().map(|c| u32::from(c).try_into().unwrap_or(b'?')).collect();
    std::fs::write(dir.path().join("sinf.txt"), latin1).unwrap();
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let found: Vec<serde_json::Value> = json_lines(&out.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect();
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["STRUCT-ENCODING"], "{found:#?}");
    assert!(found[0]["message"].as_str().unwrap().contains("more records of this file"), "{}", found[0]["message"]);
}

#[test]
fn last_years_senr_among_this_years_files_is_named_once() {
    // senr.txt exported for 2024-2025 (its dates a year earlier); sinf.txt and stas.txt are
    // 2025-2026. One finding at senr.txt naming the other files, and no unmatched STAS.
    let dir = tempfile::tempdir().unwrap();
    for f in ["sinf.txt", "stas.txt"] {
        std::fs::copy(Path::new("samples/clean").join(f), dir.path().join(f)).unwrap();
    }
    let senr = std::fs::read_to_string("samples/clean/senr.txt").unwrap().replace("2025-2026", "YEAR");
    let shifted: String = senr
        .split('^')
        .map(|f| match (f.len(), f.get(..4)) {
            (8, Some("2025")) => format!("2024{}", &f[4..]),
            (8, Some("2026")) => format!("2025{}", &f[4..]),
            _ => f.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("^")
        .replace("YEAR", "2024-2025");
    std::fs::write(dir.path().join("senr.txt"), shifted).unwrap();
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let found: Vec<serde_json::Value> = json_lines(&out.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect();
    let mix: Vec<&serde_json::Value> = found.iter().filter(|f| f["rule"] == "XF-SUBMISSION-MIX").collect();
    assert_eq!(mix.len(), 1, "{found:#?}");
    assert!(mix[0]["file"].as_str().unwrap().ends_with("senr.txt"), "the odd file is named, not the right ones");
    let message = mix[0]["message"].as_str().unwrap();
    assert!(
        message.contains("2024-2025") && message.contains("sinf.txt") && message.contains("stas.txt") && message.contains("2025-2026"),
        "{message}"
    );
    assert!(!found.iter().any(|f| f["rule"] == "XF-STAS-WITHOUT-ENROLLMENT" || f["rule"] == "XF-STAS-MISSING"), "{found:#?}");
}

#[test]
fn a_code_finding_names_the_code_meant() {
    // Field 23 (0-based) is grade_level_code: `4` for 04, `kn` for KN, ` 05` with a space.
    for (value, meant) in [("4", "write `04` (Grade 4)"), ("kn", "write `KN` (Kindergarten)"), (" 05", "write `05`")] {
        let dir = tempfile::tempdir().unwrap();
        samples_with(dir.path(), 2, 23, value);
        let found = findings_at(dir.path(), 2);
        let code = found.iter().find(|(r, _)| r == "FIELD-CODE").unwrap_or_else(|| panic!("{value}: {found:?}"));
        assert!(code.1.starts_with(meant), "{value}: {}", code.1);
    }
}

#[test]
fn a_baseline_accepts_verified_findings_and_lets_new_ones_through() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.csv");
    let run = |extra: &[&str], folder: &Path| {
        let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).args(extra).arg(folder).output().unwrap();
        (out.status.code(), json_lines(&out.stdout))
    };
    let (code, all) = run(&["--write-baseline", baseline.to_str().unwrap()], Path::new("samples/errors"));
    assert_eq!(code, Some(1));
    let total = all.len() - 1;
    let (code, lines) = run(&["--baseline", baseline.to_str().unwrap()], Path::new("samples/errors"));
    assert_eq!(code, Some(0), "every finding accepted");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["accepted"], total as u64);
    // A new mistake in a copy: only it is reported (line numbers do not matter to the baseline).
    let copy = dir.path().join("errors");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir("samples/errors").unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let senr = std::fs::read_to_string(copy.join("senr.txt")).unwrap();
    let mut lines: Vec<String> = senr.split("\r\n").map(str::to_owned).collect();
    let extra = lines[1].replace("^TK^", "^T1^");
    lines.insert(0, extra.replace("LR-0002", "LR-9999"));
    std::fs::write(copy.join("senr.txt"), lines.join("\r\n")).unwrap();
    let (code, lines) = run(&["--baseline", baseline.to_str().unwrap()], &copy);
    assert_eq!(code, Some(1));
    let rules: Vec<&str> = lines.iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"FIELD-CODE"), "the new finding is reported: {rules:?}");
    assert!(rules.len() < 5, "the accepted ones are not, though every line moved by one: {rules:?}");
}

#[test]
fn a_day_count_names_its_comma_space_or_letter() {
    // STAS field 16 (0-based 15) is days_attended_in_person.
    for (value, advice) in
        [("176,5", "decimal comma: write 176.5"), (" 172", "a leading space in days_attended_in_person: 172"), ("8O", "the letter O at position 2")]
    {
        let dir = tempfile::tempdir().unwrap();
        for f in ["senr.txt", "sinf.txt", "stas.txt"] {
            std::fs::copy(Path::new("samples/clean").join(f), dir.path().join(f)).unwrap();
        }
        let stas = std::fs::read_to_string(dir.path().join("stas.txt")).unwrap();
        let mut lines: Vec<String> = stas.split("\r\n").map(str::to_owned).collect();
        let mut fields: Vec<String> = lines[0].split('^').map(str::to_owned).collect();
        fields[15] = value.to_owned();
        lines[0] = fields.join("^");
        std::fs::write(dir.path().join("stas.txt"), lines.join("\r\n")).unwrap();
        let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path().join("stas.txt")).output().unwrap();
        let number = json_lines(&out.stdout).into_iter().find(|l| l["rule"] == "FIELD-NUMBER").unwrap_or_else(|| panic!("{value}"));
        assert!(number["help"].as_str().unwrap().contains(advice), "{value}: {}", number["help"]);
    }
}

#[test]
fn mapping_names_that_match_nothing_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["enrollment.csv", "demographics.csv", "mapping.toml"] {
        std::fs::copy(Path::new("samples/extracts").join(f), dir.path().join(f)).unwrap();
    }
    let mapping = std::fs::read_to_string(dir.path().join("mapping.toml")).unwrap() + "\n[files.\"enrolment.csv\"]\nrecord_type = \"SENR\"\n";
    std::fs::write(dir.path().join("mapping.toml"), mapping).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = rollcall().args(["generate", "--as-of", AS_OF, "--out"]).arg(out_dir.path().join("out")).arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[files.\"enrolment.csv\"] matches no input file"), "{stderr}");
}

/// Root causes first in JSON too: a file's encoding finding (raised when the file ends, with
/// its count) comes before the record findings of that file that were found earlier.
#[test]
fn json_puts_a_files_root_cause_before_its_record_findings() {
    let dir = tempfile::tempdir().unwrap();
    let clean = std::fs::read_to_string("samples/clean/senr.txt").unwrap();
    let mut lines: Vec<Vec<u8>> = clean.lines().map(|l| l.as_bytes().to_vec()).collect();
    let mut second: Vec<String> = String::from_utf8(lines[1].clone()).unwrap().split('^').map(str::to_owned).collect();
    second[17] = "Q".into(); // the gender code
    lines[1] = second.join("^").into_bytes();
    // In the first name (after the ninth caret).
    let at = lines[40].iter().enumerate().filter(|(_, b)| **b == b'^').nth(8).unwrap().0 + 1;
    lines[40].insert(at, 0xE9);
    let mut bytes = lines.join(&b"\r\n"[..]);
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(dir.path().join("senr.txt"), bytes).unwrap();
    let out = rollcall().arg("check").arg(dir.path().join("senr.txt")).args(["--as-of", AS_OF, "--format", "json"]).output().unwrap();
    let rules: Vec<String> =
        json_lines(&out.stdout).iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap().to_owned()).collect();
    assert_eq!(rules.first().map(String::as_str), Some("STRUCT-ENCODING"), "{rules:?}");
    assert!(rules.iter().any(|r| r == "FIELD-CODE"), "{rules:?}");
}
