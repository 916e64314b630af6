//! The parse-only floor for the benchmark: read a file with the csv crate, one reused
//! `ByteRecord`, and do nothing with the records but count fields and bytes: a caret-delimited
//! CALPADS file without quoting, or (a `.csv` file, like the daily attendance) comma-delimited
//! with CSV quoting. `rollcall check` and `rollcall ada` are measured against this (see
//! BENCHMARKS.md).
//!
//! Run: `cargo run --release --example parse_only -- FILE`

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse_only FILE");
        return ExitCode::from(2);
    };
    let csv_file = std::path::Path::new(&path).extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let (delimiter, quoting) = if csv_file { (b',', true) } else { (b'^', false) };
    let mut rdr = match csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).quoting(quoting).from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("parse_only: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rec = csv::ByteRecord::new();
    let (mut records, mut fields, mut bytes) = (0u64, 0u64, 0u64);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                records += 1;
                fields += rec.len() as u64;
                bytes += rec.as_slice().len() as u64;
            }
            Ok(false) => break,
            Err(e) => {
                eprintln!("parse_only: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("{records} records, {fields} fields, {bytes} field bytes");
    ExitCode::SUCCESS
}
