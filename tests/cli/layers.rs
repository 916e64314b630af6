//! The library is layered (README "Architecture"): a top-level module uses only modules of
//! lower layers, never one above it, so no module cycle can form. This test reads `src/` and
//! fails on an import that goes up or sideways, naming the file.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::root;

/// Every top-level module and its layer, bottom (0) to top.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("diagnostic", 0),
    ("domain", 1),
    ("schema", 2),
    ("source", 2),
    ("rules", 3),
    ("engine", 4),
    ("report", 5),
    ("layout", 5),
    ("census", 6),
    ("attendance", 6),
    ("generate", 7),
    ("cmd", 8),
];

/// The `crate::NAME` paths a source file uses outside its test module, comments left out.
fn crate_paths(text: &str) -> Vec<String> {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if name == "{" || name.is_empty() {
                // `use crate::{a, b}` lists several.
                let group = rest.trim_start_matches('{').split('}').next().unwrap_or_default();
                out.extend(group.split(',').map(|p| p.trim().split("::").next().unwrap_or_default().to_owned()));
            } else {
                out.push(name);
            }
        }
    }
    out
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let src = root().join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        if top == "main" || top == "lib" {
            continue;
        }
        let Some(&mine) = layers.get(top.as_str()) else {
            wrong.push(format!("src/{}: module `{top}` has no layer in tests/cli/layers.rs", rel.display()));
            continue;
        };
        for used in crate_paths(&std::fs::read_to_string(&file).unwrap()) {
            if used == top || used.is_empty() {
                continue;
            }
            match layers.get(used.as_str()) {
                Some(&theirs) if theirs < mine => {}
                Some(&theirs) => wrong.push(format!("src/{}: `{top}` (layer {mine}) uses `{used}` (layer {theirs})", rel.display())),
                None => wrong.push(format!("src/{}: uses `crate::{used}`, which has no layer", rel.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering:\n{}", wrong.join("\n"));
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let text = "use crate::{error::Error, schema};\nfn f() { crate::rules::all(); } // crate::cmd\n#[cfg(test)]\nmod tests { use crate::cmd; }";
    assert_eq!(crate_paths(text), ["error", "schema", "rules"]);
}
