//! `rollcall explain WHAT`: the help desk. A rollcall rule ID prints the rule's explanation
//! with a bad and a fixed example; a state rule ID (the one the state's error report shows,
//! like `SENR0178`) the rules that mirror it; a field name (`student_exit_reason_code`) the field
//! in every layout and the rules that read it; a code (`E155`) its meaning, effective years and
//! valid combinations in every code set that has it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::Error;
use crate::rules::{self, Rule};
use crate::schema::{Required, Schema, ValueFormat};

const AFTER_HELP: &str = "Examples:
  rollcall explain SENR-EXIT-PAIR              a rollcall rule
  rollcall explain SENR0178                    the rules behind a state error report's rule ID
  rollcall explain student_exit_reason_code    a field: type, length, code set, rules
  rollcall explain E155                        a code: meaning, years, combinations";

/// Explain a rule, a state rule ID, a field or a code.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// A rule ID (SENR-EXIT-PAIR), a state rule ID (SENR0178), a field name or a code.
    pub id: String,
    /// Load schemas from this folder instead of the embedded CALPADS set (fields and codes).
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let schema = match &args.schemas {
        Some(dir) => Schema::from_dir(dir)?,
        None => Schema::embedded()?,
    };
    let text = help_desk(&schema, &args.id);
    if text.is_empty() {
        return Err(Error::UnknownRule { id: args.id.clone(), hint: closest(&args.id) });
    }
    out.write_all(text.as_bytes()).map_err(Error::stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// Everything `explain` knows of `what`, section by section (empty when nothing).
pub fn help_desk(schema: &Schema, what: &str) -> String {
    let what = what.trim();
    if let Some(rule) = rules::find(what) {
        return explain(rule);
    }
    let mut sections = Vec::new();
    // A state rule ID: the rules that mirror it, by their own state rule or the ones their
    // findings cite case by case (named in the explanation).
    let upper = what.to_ascii_uppercase();
    if upper.len() >= 6 && upper.chars().take(3).all(|c| c.is_ascii_uppercase()) && upper.chars().any(|c| c.is_ascii_digit()) {
        let mirrors: Vec<&Rule> = rules::all()
            .filter(|r| {
                r.state_rule.is_some_and(|s| s.eq_ignore_ascii_case(&upper) || s.to_ascii_uppercase().starts_with(&upper))
                    || r.explanation.contains(upper.as_str())
            })
            .collect();
        if !mirrors.is_empty() {
            let mut text = format!("State rule {upper} is checked by {}:\n", mirrors.iter().map(|r| r.id).collect::<Vec<_>>().join(", "));
            for r in mirrors {
                text.push('\n');
                text.push_str(&explain(r));
            }
            sections.push(text);
        }
    }
    if let Some(field) = field_section(schema, what) {
        sections.push(field);
    }
    if let Some(code) = code_section(schema, what) {
        sections.push(code);
    }
    sections.join("\n")
}

/// The field `name` in every layout that has it, and the rules that name it.
fn field_section(schema: &Schema, name: &str) -> Option<String> {
    let mut text = String::new();
    for layout in &schema.layouts {
        for f in layout.fields.iter().filter(|f| f.name == name) {
            let required = match f.required {
                Required::Yes => "required",
                Required::No => "optional",
                Required::Conditional => "required when its record rules say so",
            };
            let format = match f.format {
                ValueFormat::Text => "text".to_owned(),
                ValueFormat::Name => "a name (letters, digits, space, period, hyphen, apostrophe)".to_owned(),
                ValueFormat::Digits => format!("exactly {} digits", f.max),
                ValueFormat::AcademicYear => "an academic year like 2025-2026".to_owned(),
                ValueFormat::Zip => "a ZIP code".to_owned(),
                ValueFormat::RecordType => "the record type".to_owned(),
                ValueFormat::Date => "a date, CCYYMMDD".to_owned(),
                ValueFormat::Day => "a date, YYYY-MM-DD or CCYYMMDD".to_owned(),
                ValueFormat::Decimal => "a number with up to two decimals".to_owned(),
                ValueFormat::Integer => "a whole number".to_owned(),
                ValueFormat::AttendanceCode => "a local attendance code of the code table".to_owned(),
            };
            let years = match (f.first_year, f.last_year) {
                (Some(a), Some(b)) => format!(", from {a} to {b}"),
                (Some(a), None) => format!(", from {a}"),
                (None, Some(b)) => format!(", until {b}"),
                (None, None) => String::new(),
            };
            text.push_str(&format!(
                "{} field {} `{}`: {format}, at most {} characters, {required}{years}\n",
                layout.record_type, f.number, f.name, f.max
            ));
            if let Some(set) = f.codeset.as_deref().and_then(|c| schema.codeset(c)) {
                let codes: Vec<String> = set.codes.iter().take(12).map(|c| format!("{} {}", c.code, c.name)).collect();
                let more =
                    if set.codes.len() > 12 { format!(", … ({} codes; `rollcall explain CODE` for one)", set.codes.len()) } else { String::new() };
                text.push_str(&format!("  code set {} ({}): {}{more}\n", set.name, set.description, codes.join("; ")));
            }
        }
    }
    if text.is_empty() {
        return None;
    }
    // Rules that name the field, by its name or as their texts say it ("exit reason" for
    // student_exit_reason_code).
    let words = name.trim_start_matches("student_").trim_end_matches("_code").trim_end_matches("_indicator").replace('_', " ");
    let says = |t: &str| t.contains(name) || (words.len() > 6 && t.to_ascii_lowercase().contains(&words));
    let readers: Vec<&str> =
        rules::all().filter(|r| [r.summary, r.message, r.help, r.explanation, r.bad].iter().any(|t| says(t))).map(|r| r.id).collect();
    if !readers.is_empty() {
        text.push_str(&format!("Rules that name it: {} (and the field rules of its type: FIELD-*)\n", readers.join(", ")));
    }
    Some(text)
}

/// Every code set with the code `code`: its meaning and years, and the combinations it is in.
fn code_section(schema: &Schema, code: &str) -> Option<String> {
    let mut text = String::new();
    for set in schema.codesets.values() {
        let Some(c) = set.codes.iter().find(|c| c.code == code || c.code.eq_ignore_ascii_case(code)) else { continue };
        let years = match (c.first, c.last) {
            (Some(a), Some(b)) => format!("valid from {a} to {b}"),
            (Some(a), None) => format!("valid from {a}"),
            (None, Some(b)) => format!("valid until {b}"),
            (None, None) => "valid in every year".to_owned(),
        };
        text.push_str(&format!("{} in code set {} ({}): {}; {years}\n", c.code, set.name, set.description, c.name));
        for combo in schema.combinations.values() {
            let fields = schema
                .layouts
                .iter()
                .flat_map(|l| &l.fields)
                .filter(|f| f.codeset.as_deref() == Some(set.name.as_str()))
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>();
            if !fields.contains(&combo.field.as_str()) && !fields.contains(&combo.other_field.as_str()) {
                continue;
            }
            if let Some(allowed) = combo.allowed.get(&c.code) {
                text.push_str(&format!("  with {} {}: {} may be {}\n", combo.field, c.code, combo.other_field, allowed.join(", ")));
            }
            let with: Vec<&String> = combo.allowed.iter().filter(|(_, v)| v.contains(&c.code)).map(|(k, _)| k).collect();
            if !with.is_empty() && fields.contains(&combo.other_field.as_str()) {
                let list: Vec<&str> = with.iter().map(|s| s.as_str()).collect();
                text.push_str(&format!("  as {}: allowed with {} {}\n", combo.other_field, combo.field, list.join(", ")));
            }
        }
    }
    (!text.is_empty()).then_some(text)
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
        return format!("`rollcall rules` lists every ID, for example {}; a state rule ID, a field name or a code works too", near.join(", "));
    }
    format!("did you mean {}?", near.join(", "))
}
