//! rollcall checks and generates the files a California school district sends to the state
//! (CALPADS SENR, SINF and STAS), against layouts, code sets and code combinations kept as
//! data under `schemas/`.
//!
//! Data flows one way: [`read`] turns files into records, [`rules`] turns records into
//! [`diagnostic::Finding`]s, and [`report`] turns findings into human or JSON output.
//! The binary is a thin shell around [`run`].
//!
//! ```no_run
//! use clap::Parser;
//! let cli = rollcall::cmd::Cli::parse_from(["rollcall", "check", "samples/clean"]);
//! let code = rollcall::run(cli, &mut std::io::stdout()).expect("check ran");
//! ```
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod census;
pub mod cmd;
pub mod engine;
pub mod generate;
pub mod layout;

pub mod diagnostic;
pub mod domain;

pub mod error;

pub mod report;
pub mod rules;
pub mod schema;
pub mod source;

use std::io::Write;
use std::process::ExitCode;

pub use error::Error;

/// Runs one parsed command line, writing its output to `out`.
pub fn run(cli: cmd::Cli, out: &mut dyn Write) -> Result<ExitCode, Error> {
    cmd::dispatch(cli, out)
}
