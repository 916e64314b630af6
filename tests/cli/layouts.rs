//! Layouts by academic year (issue 8): the sample district checks clean in today's 35-field
//! SENR layout and, moved back to 2022-2023 in the 39-field layout of that year, checks clean
//! as 2022-2023; a file in the wrong year's layout gets one finding naming both layouts.

use chrono::{Datelike, NaiveDate};

use crate::util::{json_lines, rollcall, root};

/// A CCYYMMDD date moved back three years (February 29 becomes the 28th).
fn back3(value: &str) -> String {
    let Ok(d) = NaiveDate::parse_from_str(value, "%Y%m%d") else { return value.to_owned() };
    let moved = d.with_year(d.year() - 3).or_else(|| d.with_day(28).and_then(|d| d.with_year(d.year() - 3))).unwrap();
    moved.format("%Y%m%d").to_string()
}

/// The clean sample files moved to 2022-2023: dates back three years, TK (a grade from
/// 2023-2024) as KN, SENR in the 39-field layout, STAS without attendance recovery days (a
/// value only from 2025-2026).
fn as_2022(file: &str, text: &str) -> String {
    let mut out = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let mut f: Vec<String> = line.split('^').map(str::to_owned).collect();
        let dates: &[usize] = match file {
            "senr.txt" => &[16, 21, 24],
            "sinf.txt" => &[3, 4, 17, 35],
            _ => &[10],
        };
        for &i in dates {
            f[i] = back3(&f[i]);
        }
        let year = if file == "sinf.txt" {
            7
        } else if file == "senr.txt" {
            6
        } else {
            5
        };
        assert_eq!(f[year], "2025-2026");
        f[year] = "2022-2023".to_owned();
        match file {
            "senr.txt" => {
                assert_eq!(f.len(), 35);
                if f[23] == "TK" {
                    f[23] = "KN".to_owned();
                }
                f.truncate(33);
                f.extend(std::iter::repeat_n(String::new(), 6));
            }
            "stas.txt" => f[23] = String::new(),
            _ => {}
        }
        out.push_str(&f.join("^"));
        out.push_str("\r\n");
    }
    out
}

fn check(dir: &std::path::Path, as_of: &str) -> Vec<serde_json::Value> {
    let out = rollcall().args(["check", "--format", "json", "--census", "--as-of", as_of]).arg(dir).output().unwrap();
    json_lines(&out.stdout).into_iter().filter(|l| l["kind"] == "diagnostic").collect()
}

#[test]
fn the_sample_district_checks_clean_in_the_layout_of_2022_2023() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["senr.txt", "sinf.txt", "stas.txt"] {
        let text = std::fs::read_to_string(root().join("samples/clean").join(file)).unwrap();
        std::fs::write(dir.path().join(file), as_2022(file, &text)).unwrap();
    }
    let senr = std::fs::read_to_string(dir.path().join("senr.txt")).unwrap();
    assert!(senr.lines().all(|l| l.split('^').count() == 39));
    let findings = check(dir.path(), "2023-07-15");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn a_file_in_another_years_layout_is_one_finding_naming_both_layouts() {
    let dir = tempfile::tempdir().unwrap();
    // Today's 35-field records labelled 2022-2023, whose layout has 39 fields.
    let text = std::fs::read_to_string(root().join("samples/clean/senr.txt")).unwrap();
    let records = text.lines().count();
    std::fs::write(dir.path().join("senr.txt"), text.replace("^2025-2026^", "^2022-2023^")).unwrap();
    let findings = check(dir.path(), "2023-07-15");
    let layout: Vec<&serde_json::Value> = findings.iter().filter(|f| f["rule"] == "STRUCT-LAYOUT-YEAR").collect();
    assert_eq!(layout.len(), 1, "{findings:#?}");
    let message = layout[0]["message"].as_str().unwrap();
    assert!(message.starts_with(&format!("{records} SENR records have 35 fields")), "{message}");
    assert!(message.contains("2023-2024 and later") && message.contains("2022-2023, whose layout has 39 fields"), "{message}");
    assert_eq!(layout[0]["line"], 1);
    assert!(!findings.iter().any(|f| f["rule"] == "STRUCT-FIELD-COUNT"), "{findings:#?}");
}
