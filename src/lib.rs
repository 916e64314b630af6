//! rollcall checks and generates the files a California school district sends to the state
//! (CALPADS SENR, SINF and STAS), against layouts, code sets and code combinations kept as
//! data under `schemas/`. The binary is a thin shell around [`run`].
//!
//! # Architecture
//!
//! A layered library: a module uses only modules of lower layers (a test, `tests/cli/layers.rs`,
//! fails on any import that goes up, so no module cycle can form).
//!
//! ```text
//! cmd/                     one file per subcommand: arguments, help, wiring
//! ─────────────────────────────────────────────────────────────────────────────────────────
//! generate/                extracts → records → gate (the engine, in memory) → output, manifest
//! census/                  Census Day counts: an accumulator of the engine
//! report/   layout/        human and JSON reports (Sinks); fixed-width and delimited layouts
//! ─────────────────────────────────────────────────────────────────────────────────────────
//! engine/                  one streaming pass: sources → layout forms → field rules (reading
//!                          thread) → record rules, accumulators, keys → whole-run rules
//! rules/                   rule values by family; record families; the whole-run keys
//! schema/   source/        layouts, code sets, combinations (data); RecordSource readers
//! ─────────────────────────────────────────────────────────────────────────────────────────
//! domain/                  dates, academic years, codes, Enrollment, calendar, directory
//! diagnostic/   error      Rule, Severity, Category, Finding, Sink, RuleSet; failures (exit 2)
//! ```
//!
//! Data flows one way: a [`source::RecordSource`] gives batches of records with their
//! positions; the [`engine::Checker`] runs the [`mod@rules`] on them and sends
//! [`diagnostic::Finding`]s to a [`diagnostic::Sink`] (a [`report`]); whole-run work (census
//! counts, next the attendance ledger) is an [`engine::Accumulator`] fed by the same pass.
//!
//! # Adding a rule
//!
//! Add an entry to the `rules!` block of its family file (`src/rules/senr.rs` for a SENR
//! record rule): ID, severity, category, state rule, message and help templates, explanation,
//! bad and good examples. Write its check next to the others in the file (a record rule reads
//! fields through its family's resolved positions and pushes `ctx.finding(&RULE, …)`). Add
//! `tests/fixtures/rules/<ID>/bad` and `good`; the harness fails until both exist. Regenerate
//! the README catalog with `UPDATE_GENERATED=1 cargo test --test cli catalog`.
//!
//! # Adding a record type
//!
//! Write its layout as data (`schemas/calpads/xxxx.toml`, listed in `schema.toml`): field
//! rules then run on it with no code at all. For record rules, add a family file
//! (`src/rules/xxxx.rs`): a struct of field positions resolved by name (`Lookup::need`), its
//! `check` function, one line `family!(XxxxFields, "XXXX", add_keys_method)` that implements
//! [`rules::family::RecordRules`] (checks, whole-run keys, identity fields), and an entry in
//! [`rules::family::FAMILIES`].
//!
//! # Adding an input format
//!
//! Implement [`source::RecordSource`]: fill a batch of `csv::ByteRecord`s with their line and
//! byte, say how to read one record again ([`source::RecordAt`]), and give it to
//! [`engine::Checker::run_sources`]. The records a source gives are in the field order of the
//! layout their first field names ([`source::MemorySource`] is a short example; the CALPADS
//! file reader is [`source::CaretFile`]).
//!
//! ```no_run
//! use clap::Parser;
//! let cli = rollcall::cmd::Cli::parse_from(["rollcall", "check", "samples/clean"]);
//! let code = rollcall::run(cli, &mut std::io::stdout()).expect("check ran");
//! ```
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

// Layers, bottom to top (see the module documentation above).
pub mod diagnostic;
pub mod error;

pub mod domain;

pub mod schema;
pub mod source;

pub mod rules;

pub mod engine;

pub mod layout;
pub mod report;

pub mod attendance;
pub mod census;

pub mod generate;

pub mod cmd;

use std::io::Write;
use std::process::ExitCode;

pub use error::Error;

/// Runs one parsed command line, writing its output to `out`.
pub fn run(cli: cmd::Cli, out: &mut dyn Write) -> Result<ExitCode, Error> {
    cmd::dispatch(cli, out)
}
