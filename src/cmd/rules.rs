//! `rollcall rules`: list every rule of the registry (ID, severity, category, state rule,
//! summary), as a table, JSON Lines, or the Markdown catalog that the README embeds.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use serde::Serialize;

use crate::diagnostic::{Category, Severity};
use crate::error::Error;
use crate::rules;

const AFTER_HELP: &str = "Examples:
  rollcall rules
  rollcall rules --format json | jq -r 'select(.severity==\"fatal\") | .id'
  rollcall explain STAS-SUM";

/// List every rule rollcall checks.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// `rules --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    /// The Markdown table of the README's rule catalog.
    Markdown,
}

#[derive(Serialize)]
struct RuleLine {
    id: &'static str,
    severity: Severity,
    category: Category,
    state_rule: Option<&'static str>,
    summary: &'static str,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let text = match args.format {
        ListFormat::Table => table(),
        ListFormat::Markdown => catalog_markdown(),
        ListFormat::Json => rules::all()
            .map(|r| {
                let line = RuleLine { id: r.id, severity: r.severity, category: r.category, state_rule: r.state_rule, summary: r.summary };
                serde_json::to_string(&line).map(|s| s + "\n").unwrap_or_default()
            })
            .collect(),
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)?;
    Ok(ExitCode::SUCCESS)
}

fn table() -> String {
    let mut s = format!("{:<28} {:<8} {:<13} {:<11} {}\n", "ID", "SEVERITY", "CATEGORY", "STATE RULE", "SUMMARY");
    for r in rules::all() {
        s.push_str(&format!(
            "{:<28} {:<8} {:<13} {:<11} {}\n",
            r.id,
            r.severity.as_str(),
            r.category.as_str(),
            r.state_rule.unwrap_or("-"),
            r.summary
        ));
    }
    s
}

/// The README rule catalog: a Markdown table generated from the registry.
pub fn catalog_markdown() -> String {
    let mut s = String::from("| ID | severity | category | state rule | what it checks |\n|---|---|---|---|---|\n");
    for r in rules::all() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.severity.as_str(),
            r.category.as_str(),
            r.state_rule.unwrap_or("—"),
            r.summary
        ));
    }
    s
}
