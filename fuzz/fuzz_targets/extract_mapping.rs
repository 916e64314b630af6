//! `rollcall generate` on one extract and one mapping file: input classification, the CSV
//! reader, the mapping's parsing and checks, row conversion, the gate (the engine in memory)
//! and the output files built in memory; when nothing blocks the run, the submission is
//! written too (`rejected.csv`, `manifest.json`).
//!
//! The input: one byte of flags, then the extract, then (after the first 0xFF byte, when there
//! is one) the mapping file. Flags: bits 0-2 pick the extract's file name (the name may say
//! the record type), bit 3 asks for both census layouts, bit 4 is `--skip-invalid`.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use rollcall::generate::pipeline::{Generation, Request};

const NAMES: [&str; 8] = [
    "enrollment.csv",
    "senr_extract.csv",
    "demographics.csv",
    "sinf_extract.csv",
    "stas_extract.csv",
    "extract.csv",
    "calendar.csv",
    "attendance.csv",
];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let (extract, mapping) = match rest.iter().position(|b| *b == 0xFF) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let name = NAMES[usize::from(flags & 7)];
    let path = common::write(&format!("in/{name}"), extract);
    let mut request = Request::new(vec![path.clone()], common::scratch().join("out"));
    request.as_of = common::as_of();
    request.mapping = mapping.map(|m| common::write("mapping.toml", m));
    if flags & 8 != 0 {
        request.census_layouts = vec!["fixed".to_owned(), "tab".to_owned()];
    }
    request.skip_invalid = flags & 16 != 0;
    let plan = Generation::prepare(&common::SCHEMA, &request);
    let _ = std::fs::remove_file(&path);
    let Ok(plan) = plan else { return };
    let _ = plan.unmatched_mapping();
    let _ = plan.unused_columns().count();
    let _ = plan.records();
    if !plan.blocked {
        let _ = plan.write();
    }
});
