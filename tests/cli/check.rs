//! `rollcall check` end to end: exit codes, the JSON Lines contract line by line, folder input,
//! `--max-per-rule`, `--deny-warnings`, `--ignore`, colors, broken schemas, and snapshots of
//! the human output.

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

use crate::util::{fixture, json_lines, rollcall, AS_OF};

/// A set with findings of many rules, severities and files.
const MIXED: &str = "tests/fixtures/human";

fn check_json(args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).args(args).output().unwrap();
    assert!(out.stderr.is_empty(), "JSON mode printed on stderr: {}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), json_lines(&out.stdout))
}

fn diagnostics(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|l| l["kind"] == "diagnostic").collect()
}

#[test]
fn exit_codes_are_0_clean_1_fatal_2_cannot_run() {
    let clean = fixture("rules/FIELD-CODE/good/in");
    let bad = fixture("rules/FIELD-CODE/bad/in");
    rollcall().args(["check", "--as-of", AS_OF]).arg(&clean).assert().code(0);
    rollcall().args(["check", "--as-of", AS_OF]).arg(&bad).assert().code(1);
    for args in [
        vec!["check", "no/such/folder"],
        vec!["check", "--as-of", "2026-02-30", MIXED],
        vec!["check", "--ignore", "NOT-A-RULE", MIXED],
        vec!["check", "--calendar", "no/such/calendar.csv", MIXED],
        vec!["check", "--max-per-rule", "many", MIXED],
        vec!["check"],
        vec!["explain", "NO-SUCH-RULE"],
    ] {
        let out = rollcall().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: "), "{args:?}: the reason comes first, on one line:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn an_empty_folder_is_exit_2_naming_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollcall().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no .txt or .csv file") && stderr.contains(&*dir.path().to_string_lossy()), "{stderr}");
}

/// Every line of JSON output follows json-output.md: the exact key set, the types, the
/// category vocabulary, and a summary line last whose counts match the diagnostics.
#[test]
fn every_json_line_follows_the_contract() {
    // Every failing per-rule case at once: findings of nearly every rule, file and shape.
    // (The files of the cases' `in/` folders, but their calendars: a run takes one calendar.)
    let mut args: Vec<String> = vec!["--census".into(), MIXED.into()];
    for rule in std::fs::read_dir(crate::util::root().join("tests/fixtures/rules")).unwrap() {
        for kind in ["bad", "good"] {
            let dir = rule.as_ref().unwrap().path().join(kind).join("in");
            let Ok(files) = std::fs::read_dir(&dir) else { continue };
            for file in files {
                let path = file.unwrap().path();
                let head = std::fs::read(&path).unwrap_or_default();
                let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
                if path.is_file() && !String::from_utf8_lossy(first).contains("day_type") {
                    args.push(path.strip_prefix(crate::util::root()).unwrap().display().to_string());
                }
            }
        }
    }
    args.sort();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, lines) = check_json(&args);
    assert_eq!(code, Some(1));
    let categories = [
        "structure",
        "required",
        "length",
        "format",
        "code",
        "conditional",
        "arithmetic",
        "duplicate",
        "overlap",
        "reference",
        "consistency",
        "calendar",
        "plausibility",
    ];
    let keys: BTreeSet<&str> = [
        "kind",
        "rule",
        "severity",
        "category",
        "file",
        "line",
        "column",
        "record_type",
        "field",
        "value",
        "message",
        "help",
        "state_rule",
        "ssid",
        "local_record_id",
        "school_of_attendance",
        "local_student_id",
        "related",
        "related_more",
    ]
    .into();
    let rules = rollcall().args(["rules", "--format", "json"]).output().unwrap();
    let registered: BTreeSet<String> = json_lines(&rules.stdout).iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    let (summary, body) = lines.split_last().unwrap();
    assert!(body.len() > 50, "expected many findings, got {}", body.len());
    let mut counts = [0u64; 3];
    let mut columns = 0;
    for line in body {
        let obj = line.as_object().unwrap();
        assert_eq!(obj.keys().map(String::as_str).collect::<BTreeSet<_>>(), keys, "{line}");
        assert_eq!(line["kind"], "diagnostic");
        assert!(registered.contains(line["rule"].as_str().unwrap()), "{line}");
        let severity = line["severity"].as_str().unwrap();
        counts[["fatal", "warning", "info"].iter().position(|s| *s == severity).unwrap()] += 1;
        assert!(categories.contains(&line["category"].as_str().unwrap()), "{line}");
        assert!(line["file"].is_string() || line["file"].is_null(), "{line}");
        assert!(line["line"].as_u64().is_some_and(|n| n >= 1) || line["line"].is_null(), "{line}");
        for key in ["record_type", "field", "value", "state_rule", "ssid", "local_record_id", "school_of_attendance", "local_student_id"] {
            assert!(line[key].is_string() || line[key].is_null(), "{key}: {line}");
        }
        assert!(!line["message"].as_str().unwrap().is_empty() && !line["help"].as_str().unwrap().is_empty());
        for related in line["related"].as_array().unwrap() {
            assert!(related["file"].is_string() && related["line"].as_u64().is_some(), "{line}");
        }
        if let Some(column) = line["column"].as_u64() {
            // The column points at the value in the file as read: no re-parsing needed.
            let text = std::fs::read(line["file"].as_str().unwrap()).unwrap();
            let record = text.split(|b| *b == b'\n').nth(line["line"].as_u64().unwrap() as usize - 1).unwrap();
            let rest = String::from_utf8_lossy(&record[column as usize - 1..]).into_owned();
            assert!(rest.starts_with(line["value"].as_str().unwrap()), "{line}");
            columns += 1;
        } else {
            assert!(line["column"].is_null(), "{line}");
        }
        if let Some(field) = line["field"].as_str() {
            assert!(field.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{field}");
        }
    }
    assert!(columns > 50, "only {columns} findings carry a column");
    assert_eq!(summary["kind"], "summary");
    let summary_keys: BTreeSet<&str> =
        ["kind", "files", "records", "fatal", "warning", "info", "elapsed_ms", "not_checked", "files_not_checked", "accepted"].into();
    assert_eq!(summary.as_object().unwrap().keys().map(String::as_str).collect::<BTreeSet<_>>(), summary_keys);
    assert_eq!([&summary["fatal"], &summary["warning"], &summary["info"]].map(|v| v.as_u64().unwrap()), counts);
    assert!(summary["files"].as_u64().unwrap() > 100 && summary["records"].as_u64().unwrap() > 100);
}

#[test]
fn a_folder_is_every_file_below_it_in_path_order_each_told_by_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("school-b/fall");
    fs::create_dir_all(&nested).unwrap();
    let bad = fs::read(fixture("rules/FIELD-CODE/bad/in/senr.txt")).unwrap();
    fs::write(dir.path().join("senr-a.txt"), &bad).unwrap();
    fs::write(nested.join("senr-b.csv"), &bad).unwrap();
    fs::write(dir.path().join("notes.md"), "not a CALPADS file").unwrap();
    let (code, lines) = check_json(&[&dir.path().to_string_lossy()]);
    assert_eq!(code, Some(1));
    let files: Vec<&str> = diagnostics(&lines).iter().filter(|d| d["rule"] == "FIELD-CODE").map(|d| d["file"].as_str().unwrap()).collect();
    let root = dir.path().to_string_lossy();
    assert_eq!(files, [format!("{root}/school-b/fall/senr-b.csv"), format!("{root}/senr-a.txt")]);
    // The notes are named as not checked, with what they look like; never skipped silently.
    let summary = lines.last().unwrap();
    assert_eq!(summary["files"], 3);
    assert_eq!(summary["files_not_checked"][0]["file"], format!("{root}/notes.md"));
    assert_eq!(summary["files_not_checked"][0]["looks_like"], "a .md file, not a CALPADS file");
}

#[test]
fn max_per_rule_limits_each_rule_and_says_how_many_are_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fs::read_to_string(fixture("rules/FIELD-CODE/bad/in/senr.txt")).unwrap();
    // Seven students with the same bad grade (and different names, so no identity warnings).
    let many: String = (0..7).map(|i| bad.replace("9900000001", &format!("990000010{i}")).replace("ANA", &"ANA".repeat(i + 1))).collect();
    fs::write(dir.path().join("senr.txt"), many).unwrap();
    let (_, all) = check_json(&[&dir.path().to_string_lossy()]);
    let field_code = |lines: &[Value]| diagnostics(lines).iter().filter(|d| d["rule"] == "FIELD-CODE").count();
    assert_eq!(field_code(&all), 7, "JSON shows every finding by default");
    let (_, capped) = check_json(&["--max-per-rule", "3", &dir.path().to_string_lossy()]);
    assert_eq!(field_code(&capped), 3);
    assert_eq!(capped.last().unwrap()["fatal"], 7, "the summary counts what was not shown");
    let human = rollcall().args(["check", "--as-of", AS_OF, "--max-per-rule", "2"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(text.matches("is not in the grade_level code set").count(), 2, "{text}");
    assert!(text.contains("  FIELD-CODE                     fatal    code                7       2"), "{text}");
    assert!(text.contains("5 findings not shown (at most 2 per rule)"), "{text}");
}

#[test]
fn warnings_fail_only_under_deny_warnings() {
    let warning_only = fixture("rules/STRUCT-LINE-ENDING/bad/in");
    let (code, lines) = check_json(&[&warning_only.to_string_lossy()]);
    let summary = lines.last().unwrap();
    assert_eq!((summary["fatal"].as_u64(), summary["warning"].as_u64().map(|w| w > 0)), (Some(0), Some(true)));
    assert_eq!(code, Some(0));
    let (code, _) = check_json(&["--deny-warnings", &warning_only.to_string_lossy()]);
    assert_eq!(code, Some(1));
}

#[test]
fn ignore_drops_rules_and_families() {
    let (_, lines) = check_json(&[MIXED]);
    let rules = |lines: &[Value]| diagnostics(lines).iter().map(|d| d["rule"].as_str().unwrap().to_owned()).collect::<BTreeSet<_>>();
    assert!(rules(&lines).contains("FIELD-CODE") && rules(&lines).iter().any(|r| r.starts_with("XF-")));
    let (_, ignored) = check_json(&["--ignore", "xf,FIELD-CODE", MIXED]);
    let left = rules(&ignored);
    assert!(!left.contains("FIELD-CODE") && !left.iter().any(|r| r.starts_with("XF-")), "{left:?}");
    assert!(left.contains("SENR-EXIT-PAIR"));
}

#[test]
fn colors_only_when_asked_or_on_a_terminal() {
    let with = |color: &str| {
        let out = rollcall().args(["--color", color, "check", "--as-of", AS_OF, MIXED]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(with("always").contains('\u{1b}'));
    assert!(!with("never").contains('\u{1b}'));
    assert!(!with("auto").contains('\u{1b}'), "standard output is a pipe here");
}

#[test]
fn a_broken_schema_is_exit_2_pointing_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir("schemas/calpads").unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let senr = dir.path().join("senr.toml");
    let text = fs::read_to_string(&senr).unwrap().replacen("max = 4\n", "max = \"four\"\n", 1);
    fs::write(&senr, text).unwrap();
    let out = rollcall().args(["check", "--schemas"]).arg(dir.path()).arg(MIXED).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with(&format!("error: schema file {} is invalid", senr.display())), "{stderr}");
    assert!(stderr.contains("max = \"four\"") && stderr.contains(":16:"), "the line is shown: {stderr}");
    // The same folder unbroken is a working schema set.
    fs::copy("schemas/calpads/senr.toml", &senr).unwrap();
    rollcall().args(["check", "--as-of", AS_OF, "--schemas"]).arg(dir.path()).arg(fixture("rules/FIELD-CODE/good/in")).assert().code(0);
}

#[test]
fn help_shows_examples_for_every_subcommand() {
    for args in [
        vec!["--help"],
        vec!["check", "--help"],
        vec!["census", "--help"],
        vec!["generate", "--help"],
        vec!["rules", "--help"],
        vec!["explain", "--help"],
    ] {
        let out = rollcall().args(&args).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Examples:\n  rollcall "), "{args:?} has no example:\n{text}");
    }
}

#[test]
fn explain_prints_the_explanation_with_a_bad_and_a_fixed_example() {
    let out = rollcall().args(["explain", "senr-exit-pair"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for part in ["SENR-EXIT-PAIR", "GERR0001", "fatal", "conditional", "## Example", "20260610^^", "## Fix", "20260610^E155^"] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
}

#[test]
fn human_output_snapshot() {
    let out = rollcall().args(["--color", "never", "check", "--as-of", AS_OF, "--width", "80", MIXED]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("human_mixed", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn human_output_snapshot_of_a_fixed_width_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = fs::read(fixture("generate/golden/expected/census.txt")).unwrap();
    let mut lines: Vec<Vec<u8>> = good.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    lines[1][20] = b'X';
    fs::write(dir.path().join("census.txt"), lines.join(&b'\n')).unwrap();
    let out =
        rollcall().current_dir(dir.path()).args(["--color", "never", "check", "--layout", "fixed", "--width", "80", "census.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("human_fixed_width", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn generated_fixed_width_and_tab_files_check_clean_with_their_layout() {
    for (file, layout) in [("census.txt", "fixed"), ("census.tsv", "tab")] {
        rollcall().args(["check", "--layout", layout]).arg(fixture(&format!("generate/golden/expected/{file}"))).assert().code(0);
    }
    // The wrong layout for the file is findings, not a crash.
    rollcall().args(["check", "--layout", "tab"]).arg(fixture("generate/golden/expected/census.txt")).assert().code(1);
    // --ignore applies to layout rules as to any other.
    rollcall().args(["check", "--layout", "tab", "--ignore", "LAYOUT"]).arg(fixture("generate/golden/expected/census.txt")).assert().code(0);
}

/// One unreadable file does not bury the run under follow-on findings: a STAS file written
/// with the wrong delimiter gives its structure findings and one note, not a missing-STAS
/// finding for every enrollment.
#[test]
fn an_unreadable_file_is_one_note_not_a_cascade() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["senr.txt", "sinf.txt"] {
        fs::copy(format!("samples/clean/{name}"), dir.path().join(name)).unwrap();
    }
    let stas = fs::read_to_string("samples/clean/stas.txt").unwrap().replace('^', ",").replace("STAS,", "STAS^");
    fs::write(dir.path().join("stas.txt"), stas).unwrap();
    let (code, lines) = check_json(&[&dir.path().to_string_lossy()]);
    assert_eq!(code, Some(1));
    let rules: Vec<&str> = diagnostics(&lines).iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert!(rules.iter().all(|r| *r == "STRUCT-FIELD-COUNT" || *r == "XF-NOT-CHECKED"), "{rules:?}");
    let notes: Vec<&Value> = diagnostics(&lines).into_iter().filter(|d| d["rule"] == "XF-NOT-CHECKED").collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0]["message"].as_str().unwrap().contains("XF-STAS-MISSING was not checked: only 0 of the run's"), "{}", notes[0]);
}

/// A file given twice (itself and inside its folder) is read once, and hidden files (macOS
/// `._senr.txt`, editor lock files) inside a folder are left out.
#[test]
fn each_file_is_read_once_and_hidden_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy("samples/clean/senr.txt", dir.path().join("senr.txt")).unwrap();
    fs::write(dir.path().join("._senr.txt"), b"\x00\x05\x16\x07binary resource fork").unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    fs::write(dir.path().join(".git/notes.txt"), "not an export").unwrap();
    let folder = dir.path().to_string_lossy().into_owned();
    let again = dir.path().join("senr.txt").to_string_lossy().into_owned();
    let (code, lines) = check_json(&["--ignore", "XF-NOT-CHECKED", &folder, &again]);
    assert_eq!(code, Some(0), "{lines:?}");
    assert_eq!(lines.last().unwrap()["files"], 1);
}
