//! `rollcall explain RULE`: print a rule's full explanation with a bad and a fixed example.

use std::io::Write;
use std::process::ExitCode;

use crate::error::Error;
use crate::rules::{self, Rule};

const AFTER_HELP: &str = "Examples:
  rollcall explain SENR-EXIT-PAIR
  rollcall explain stas-sum";

/// Explain one rule: what it checks, why, and an example before and after the fix.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The rule ID, as shown by `rollcall rules` or in a finding.
    pub id: String,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let Some(rule) = rules::find(&args.id) else {
        return Err(Error::UnknownRule { id: args.id.clone(), hint: closest(&args.id) });
    };
    out.write_all(explain(rule).as_bytes()).map_err(Error::stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// The full text `rollcall explain` prints for `rule`.
pub fn explain(rule: &Rule) -> String {
    let state = rule.state_rule.map(|s| format!("\nState rule: {s}")).unwrap_or_default();
    format!(
        "{id}: {summary}\nSeverity: {sev}\nCategory: {cat}{state}\n\n## What it checks\n{exp}\n\n## Example\n    {bad}\n\n## Fix\n    {good}\n",
        id = rule.id,
        summary = rule.summary,
        sev = rule.severity.as_str(),
        cat = rule.category.as_str(),
        exp = rule.explanation,
        bad = rule.bad,
        good = rule.good,
    )
}

/// A hint naming the rule IDs closest to `id`.
fn closest(id: &str) -> String {
    let up = id.to_ascii_uppercase();
    let mut near: Vec<&str> =
        rules::all().map(|r| r.id).filter(|r| r.contains(&up) || up.split('-').any(|p| p.len() > 2 && r.contains(p))).take(5).collect();
    if near.is_empty() {
        near = rules::all().map(|r| r.id).take(3).collect();
        return format!("`rollcall rules` lists every ID, for example {}", near.join(", "));
    }
    format!("did you mean {}?", near.join(", "))
}
