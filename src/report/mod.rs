//! Reports: turn findings into output for people ([`human`], miette's graphical style) or
//! machines ([`json`], the JSON Lines contract of `json-output.md`). Reports write to an
//! `&mut dyn Write` handed in by the caller; the library never prints on its own.

pub mod baseline;
pub mod human;
pub mod json;

use std::collections::BTreeMap;

use crate::diagnostic::{Finding, Severity};
use crate::rules::Rule;

/// Counts of findings, by severity and by rule.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub fatal: u64,
    pub warning: u64,
    pub info: u64,
    /// Per rule ID: the rule and how many findings it raised.
    pub by_rule: BTreeMap<&'static str, (&'static Rule, u64)>,
}

/// A sink that only counts: for runs whose product is a figure (ADA, chronic absenteeism),
/// not a report of findings.
#[derive(Debug, Default)]
pub struct Counting {
    pub tally: Tally,
}

impl crate::diagnostic::Sink for Counting {
    fn wants_excerpt(&mut self, _: &'static Rule) -> bool {
        false
    }
    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        self.tally.add(&f);
        Ok(())
    }
}

impl Tally {
    /// Counts one finding.
    pub fn add(&mut self, f: &Finding) {
        match f.severity() {
            Severity::Fatal => self.fatal += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
        self.by_rule.entry(f.rule.id).or_insert((f.rule, 0)).1 += 1;
    }

    /// How many findings `rule` has raised so far.
    pub fn count(&self, rule: &Rule) -> u64 {
        self.by_rule.get(rule.id).map_or(0, |(_, n)| *n)
    }
}
