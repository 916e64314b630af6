//! The command line: one file per subcommand, each owning its arguments and help text.
//! This file holds the top-level parser, the options every subcommand shares, and dispatch.

pub mod census;
pub mod check;
pub mod explain;
pub mod generate;
pub mod rules;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;

const ABOUT: &str = "Check and generate California CALPADS enrollment and attendance files";

const AFTER_HELP: &str = "Examples:
  rollcall check samples/clean                 check every .txt/.csv file in a folder
  rollcall check exports/senr.txt --format json   JSON Lines for scripts (exit 1 on fatal findings)
  rollcall check exports/ --census             add the Fall 1 Census Day rules
  rollcall census samples/clean                enrollment on Census Day per school and grade
  rollcall rules                               list every rule
  rollcall explain SENR-EXIT-PAIR              what a rule checks and how to fix it";

/// rollcall: the command line.
#[derive(Debug, Parser)]
#[command(name = "rollcall", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// When to color human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when standard output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color output.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal(),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Census(census::Args),
    Rules(rules::Args),
    Explain(explain::Args),
    Generate(generate::Args),
}

/// Runs the parsed command line.
pub fn dispatch(cli: Cli, out: &mut dyn Write) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Check(args) => check::run(args, &cli.global, out),
        Command::Census(args) => census::run(args, out),
        Command::Rules(args) => rules::run(&args, out),
        Command::Explain(args) => explain::run(&args, out),
        Command::Generate(args) => generate::run(args, &cli.global, out),
    }
}

/// Maps a write failure on standard output to an [`Error`].
pub(crate) fn write_err(source: std::io::Error) -> Error {
    Error::Write { path: "standard output".into(), source }
}
