//! Loading schema data a user may give (`--schemas DIR`, `--layout FILE`,
//! `--census-layout FILE`): one file of the CALPADS schema set replaced by the fuzz bytes
//! (the others as embedded), or a census layout file. What loads is then used: a schema
//! checks a few sample records of each type, a layout writes a small census table and reads
//! it back.
//!
//! The first byte picks the file: 0-8 one of the schema set's files, 9 a census layout.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rollcall::diagnostic::Finding;
use rollcall::engine::{Checker, Options};
use rollcall::layout::spec::LayoutValue;
use rollcall::layout::{read_layout, verify_read_back, write_layout, Table};
use rollcall::schema::Schema;

/// The schema set's files, as embedded in the binary.
const FILES: [(&str, &str); 9] = [
    ("schema.toml", include_str!("../../schemas/calpads/schema.toml")),
    ("senr.toml", include_str!("../../schemas/calpads/senr.toml")),
    ("sinf.toml", include_str!("../../schemas/calpads/sinf.toml")),
    ("stas.toml", include_str!("../../schemas/calpads/stas.toml")),
    ("codesets.toml", include_str!("../../schemas/calpads/codesets.toml")),
    ("iso3166.toml", include_str!("../../schemas/calpads/iso3166.toml")),
    ("combinations.toml", include_str!("../../schemas/calpads/combinations.toml")),
    ("attendance.toml", include_str!("../../schemas/calpads/attendance.toml")),
    ("attendance-codes.toml", include_str!("../../schemas/calpads/attendance-codes.toml")),
];

/// The first lines of the clean samples, checked with a schema that loads.
const SAMPLES: [(&str, &str); 3] = [
    ("senr.txt", include_str!("../../samples/clean/senr.txt")),
    ("sinf.txt", include_str!("../../samples/clean/sinf.txt")),
    ("stas.txt", include_str!("../../samples/clean/stas.txt")),
];

/// Per schema file, a folder holding the schema set (that file is rewritten on every run).
static DIRS: LazyLock<Vec<PathBuf>> = LazyLock::new(|| {
    (0..FILES.len())
        .map(|i| {
            for (name, text) in FILES {
                common::write(&format!("schema-{i}/{name}"), text.as_bytes());
            }
            common::scratch().join(format!("schema-{i}"))
        })
        .collect()
});

/// A few records of each type: the first lines of the clean samples.
static RECORDS: LazyLock<Vec<rollcall::source::Input>> = LazyLock::new(|| {
    SAMPLES
        .iter()
        .map(|(name, text)| {
            let head: String = text.split_inclusive('\n').take(12).collect();
            common::input(common::write(&format!("records/{name}"), head.as_bytes()))
        })
        .collect()
});

fn table() -> Table {
    let text = |s: &str| LayoutValue::Text(s.to_owned());
    let row = |grade: &str, gender: &str, group: &str, n: u64| {
        vec![
            text("1964733"),
            text("6019715"),
            text(grade),
            text(gender),
            text(group),
            text("White"),
            LayoutValue::count(n),
            LayoutValue::count(1),
            LayoutValue::Blank,
            LayoutValue::count(0),
            LayoutValue::count(n + 1),
        ]
    };
    Table {
        columns: rollcall::census::COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows: vec![row("KN", "F", "7", 12), row("05", "M", "5", 123_456), row("12", "X", "9", 0)],
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(body) else { return };
    let pick = usize::from(pick) % (FILES.len() + 1);
    if pick == FILES.len() {
        let Ok(layout) = rollcall::layout::spec::FileLayout::from_toml("fuzz.toml", text, &rollcall::census::VOCABULARY) else { return };
        let _ = layout.columns();
        let _ = layout.params();
        let day = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("a date");
        let params = [
            ("reporting_lea", LayoutValue::Text("1964733".to_owned())),
            ("academic_year", LayoutValue::Text("2025-2026".to_owned())),
            ("census_day", LayoutValue::Date(day)),
        ];
        let table = table();
        let Ok(written) = write_layout(&layout, &table, &params) else { return };
        let back = read_layout(&layout, &written.bytes);
        if written.findings.is_empty() && back.findings.is_empty() {
            let _ = verify_read_back(&layout, &table, &params, &back);
        }
        return;
    }
    let dir = &DIRS[pick];
    std::fs::write(dir.join(FILES[pick].0), text).expect("schema file");
    let schema = Schema::from_dir(dir);
    std::fs::write(dir.join(FILES[pick].0), FILES[pick].1).expect("schema file");
    let Ok(schema) = schema else { return };
    let inputs = &RECORDS[..];
    let mut checker = Checker::new(&schema, inputs, Options::new(common::as_of()));
    let mut findings: Vec<Finding> = Vec::new();
    let _ = checker.run(&mut findings);
});
