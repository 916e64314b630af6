//! One failing and one passing case for every registered rule, from fixtures under
//! `tests/fixtures/rules/<RULE-ID>/{bad,good}/` (format in `tests/fixtures/rules/README.md`).
//!
//! A `bad` case must produce exactly the findings of that rule listed in its `expect` file (file,
//! line, field); a `good` case must produce no finding of that rule, and no fatal finding of any
//! other rule unless its `allow` file names that rule. A rule without both
//! cases fails [`every_rule_has_a_failing_and_a_passing_case`], so a new rule cannot land untested.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{json_lines, rollcall, root, AS_OF};

/// Where the per-rule cases live, relative to the repository root.
const RULES_DIR: &str = "tests/fixtures/rules";

/// A finding reduced to what a case asserts: file (relative to the case's `in/`), line, field.
type Site = (String, Option<u64>, Option<String>);

/// Every rule ID in the registry, as `rollcall rules --format json` lists them.
fn registered_rules() -> Vec<String> {
    let out = rollcall().args(["rules", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    json_lines(&out.stdout).iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

/// The case folders present on disk: `(rule, "bad" | "good", path)`.
fn cases() -> Vec<(String, String, PathBuf)> {
    let mut found = Vec::new();
    for rule in fs::read_dir(root().join(RULES_DIR)).unwrap() {
        let rule = rule.unwrap();
        if !rule.file_type().unwrap().is_dir() {
            continue;
        }
        for kind in ["bad", "good"] {
            let dir = rule.path().join(kind);
            if dir.is_dir() {
                found.push((rule.file_name().to_string_lossy().into_owned(), kind.to_owned(), dir));
            }
        }
    }
    found.sort();
    found
}

/// Runs one case and returns the sites of the findings of `rule`, plus the full output for
/// failure messages.
fn run_case(rule: &str, dir: &Path) -> (BTreeSet<Site>, BTreeSet<String>, String) {
    let rel = dir.strip_prefix(root()).unwrap();
    let input = rel.join("in");
    let command = fs::read_to_string(dir.join("command")).unwrap_or_else(|_| "check".to_owned());
    let command = command.trim();
    let out_dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![command.to_owned(), "--format".into(), "json".into(), "--as-of".into(), AS_OF.into()];
    if command == "generate" {
        args.extend(["--out".into(), out_dir.path().display().to_string()]);
    }
    if let Ok(extra) = fs::read_to_string(dir.join("args")) {
        for arg in extra.lines().map(str::trim).filter(|a| !a.is_empty() && !a.starts_with('#')) {
            args.push(arg.replace("{case}", &rel.display().to_string()));
        }
    }
    args.push(input.display().to_string());
    let out = rollcall().args(&args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code();
    assert!(matches!(code, Some(0 | 1)), "{rule} {}: `rollcall {}` exited {code:?}\n{stderr}", dir.display(), args.join(" "));
    let prefix = format!("{}/", input.display());
    let mut sites = BTreeSet::new();
    let mut fatal = BTreeSet::new();
    for line in json_lines(&out.stdout) {
        if line["kind"] != "diagnostic" {
            continue;
        }
        if line["severity"] == "fatal" {
            fatal.insert(line["rule"].as_str().unwrap().to_owned());
        }
        if line["rule"] != rule {
            continue;
        }
        let file = line["file"].as_str().unwrap_or("-");
        let file = file.strip_prefix(&prefix).unwrap_or(file).to_owned();
        sites.insert((file, line["line"].as_u64(), line["field"].as_str().map(str::to_owned)));
    }
    (sites, fatal, format!("$ rollcall {}\n{stdout}{stderr}", args.join(" ")))
}

/// Parses an `expect` file: one `FILE:LINE FIELD` per line, `-` for a null file, line or field.
fn expected(dir: &Path) -> BTreeSet<Site> {
    let text = fs::read_to_string(dir.join("expect")).unwrap_or_else(|_| panic!("{} has no expect file", dir.display()));
    let mut sites = BTreeSet::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (place, field) = line.split_once(' ').unwrap_or((line, "-"));
        let (file, number) = place.rsplit_once(':').unwrap_or((place, "-"));
        let number = (number != "-").then(|| number.parse().unwrap());
        let field = (field.trim() != "-").then(|| field.trim().to_owned());
        sites.insert((file.to_owned(), number, field));
    }
    assert!(!sites.is_empty(), "{}: expect lists no finding", dir.display());
    sites
}

#[test]
fn every_rule_has_a_failing_and_a_passing_case() {
    let present: BTreeSet<(String, String)> = cases().into_iter().map(|(rule, kind, _)| (rule, kind)).collect();
    let rules = registered_rules();
    let missing: Vec<String> = rules
        .iter()
        .flat_map(|r| ["bad", "good"].map(|k| (r.clone(), k.to_owned())))
        .filter(|case| !present.contains(case))
        .map(|(r, k)| format!("{r}/{k}"))
        .collect();
    assert!(missing.is_empty(), "rules without a case under {RULES_DIR}: {missing:?}");
    let unknown: Vec<&String> = present.iter().map(|(r, _)| r).filter(|r| !rules.contains(r)).collect();
    assert!(unknown.is_empty(), "cases for rules that are not registered: {unknown:?}");
}

#[test]
fn failing_cases_report_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for (rule, _, dir) in cases().into_iter().filter(|(_, kind, _)| kind == "bad") {
        let want = expected(&dir);
        let (got, _, output) = run_case(&rule, &dir);
        if got != want {
            failures.push(format!("{rule}: expected {want:?}\n  got {got:?}\n{output}",));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn passing_cases_report_nothing_of_their_rule() {
    let mut failures = Vec::new();
    for (rule, _, dir) in cases().into_iter().filter(|(_, kind, _)| kind == "good") {
        let (got, fatal, output) = run_case(&rule, &dir);
        let allowed = fs::read_to_string(dir.join("allow")).unwrap_or_default();
        let other: Vec<&String> = fatal.iter().filter(|r| !allowed.split_whitespace().any(|a| a == r.as_str())).collect();
        if !got.is_empty() {
            failures.push(format!("{rule}: expected no finding, got {got:?}\n{output}"));
        } else if !other.is_empty() {
            failures.push(format!("{rule}: the passing case has other fatal findings {other:?}\n{output}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
