//! Generated documentation stays current: the README's rule catalog is the output of
//! `rollcall rules --format markdown`. Run with `UPDATE_GENERATED=1` to rewrite it.

use crate::util::{rollcall, root};

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn rule_catalog_is_current() {
    let out = rollcall().args(["rules", "--format", "markdown"]).output().unwrap();
    assert!(out.status.success());
    let catalog = String::from_utf8(out.stdout).unwrap();
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme.find(START).expect("README has a rules:start marker") + START.len();
    let end = readme.find(END).expect("README has a rules:end marker");
    if readme[start..end] == catalog {
        return;
    }
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        let updated = format!("{}{catalog}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
    } else {
        panic!("the README rule catalog is out of date; run `UPDATE_GENERATED=1 cargo test --test cli catalog`");
    }
}

#[test]
fn every_rule_has_an_explanation_with_examples() {
    let out = rollcall().args(["rules", "--format", "json"]).output().unwrap();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let rule: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = rule["id"].as_str().unwrap();
        let explained = rollcall().args(["explain", id]).output().unwrap();
        assert!(explained.status.success(), "{id}");
        let text = String::from_utf8(explained.stdout).unwrap();
        for section in ["## What it checks", "## Example", "## Fix"] {
            assert!(text.contains(section), "{id} lacks {section}");
        }
    }
}

/// The README's excerpt of human output is real: in order, every line of it that is not `…`
/// is a line of `rollcall check samples/errors` at the same settings.
#[test]
fn readme_excerpt_is_real_output() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("<!-- excerpt:start -->").expect("excerpt:start marker");
    let end = readme.find("<!-- excerpt:end -->").expect("excerpt:end marker");
    let section = &readme[start..end];
    let body = section.split("```text\n").nth(1).and_then(|s| s.split("\n```").next()).expect("a ```text block");
    let out = rollcall().args(["--color", "never", "check", "--as-of", "2026-07-15", "--width", "100", "samples/errors"]).output().unwrap();
    let real = String::from_utf8(out.stdout).unwrap();
    let mut rest = real.lines();
    for line in body.lines().filter(|l| l.trim() != "…") {
        assert!(rest.any(|r| r == line), "README excerpt line not in the output (or out of order):\n{line}\n\nreal output:\n{real}");
    }
}
