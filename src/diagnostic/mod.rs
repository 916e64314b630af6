//! Findings: what a rule says about a record, a file or a set of files. Findings are data,
//! never errors; [`crate::report`] renders them for people (miette) or machines (JSON Lines).

use std::io;

use serde::Serialize;

mod rule;
mod suggest;

pub use rule::{render, Rule};
pub use suggest::{closest, distance};

/// The rules a run leaves out (`--ignore`): checked before a rule runs, not after it reported.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    off: Vec<&'static Rule>,
}

impl RuleSet {
    /// A set with `off` left out.
    pub fn without(off: Vec<&'static Rule>) -> RuleSet {
        RuleSet { off }
    }

    /// Whether `rule` runs.
    pub fn on(&self, rule: &Rule) -> bool {
        self.off.is_empty() || !self.off.iter().any(|r| std::ptr::eq(*r, rule))
    }

    /// Whether any of `rules` runs.
    pub fn any_on(&self, rules: &[&Rule]) -> bool {
        rules.iter().any(|r| self.on(r))
    }

    /// The rules left out.
    pub fn off(&self) -> &[&'static Rule] {
        &self.off
    }
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The state rejects the record or blocks certification.
    Fatal,
    /// The state asks for review.
    Warning,
    /// Worth knowing; never blocks anything.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The category vocabulary of the JSON contract (`json-output.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Structure,
    Required,
    Length,
    Format,
    Code,
    Conditional,
    Arithmetic,
    Duplicate,
    Overlap,
    Reference,
    Consistency,
    Calendar,
    Plausibility,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Structure => "structure",
            Category::Required => "required",
            Category::Length => "length",
            Category::Format => "format",
            Category::Code => "code",
            Category::Conditional => "conditional",
            Category::Arithmetic => "arithmetic",
            Category::Duplicate => "duplicate",
            Category::Overlap => "overlap",
            Category::Reference => "reference",
            Category::Consistency => "consistency",
            Category::Calendar => "calendar",
            Category::Plausibility => "plausibility",
        }
    }
}

/// Another record a cross-record finding involves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Index of the file in the run's input list.
    #[serde(skip)]
    pub file: usize,
    pub line: u64,
}

/// The record's line as text for a person (invalid UTF-8 shown as U+FFFD), with the offending
/// field's byte range in that text (which differs from [`Location::span`] only where bytes
/// were replaced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    pub span: Option<(usize, usize)>,
}

/// Template arguments with owned values, borrowed as [`Finding::new`] takes them.
pub fn borrow_args<'a>(args: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Where a finding points: the input, the record in it, and the field in the record.
///
/// `span` is in the bytes of the record's line as read (the field's start and length), so a
/// SARIF region or an HTML highlight needs no re-parsing; it is `None` when the finding names
/// no field or the field's place in the original line is not known (a quoted CSV cell).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// Index of the input in the run's input list; `None` for a finding about the whole run.
    pub input: Option<usize>,
    /// 1-based physical line of the record; `None` for a finding about a whole input.
    pub line: Option<u64>,
    /// Byte offset of the record in its input (for records in memory, their index), so
    /// findings raised at the end of a run can fetch it again.
    pub byte: Option<u64>,
    /// The field's byte range in the record's line: start (0-based) and length.
    pub span: Option<(usize, usize)>,
}

impl Location {
    /// The 1-based column where the field starts, for editors and SARIF.
    pub fn column(&self) -> Option<usize> {
        self.span.map(|(start, _)| start + 1)
    }
}

/// One finding about the data.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    /// Where it points.
    pub at: Location,
    pub record_type: Option<String>,
    pub field: Option<String>,
    pub value: Option<String>,
    pub message: String,
    pub help: String,
    pub ssid: Option<String>,
    pub local_record_id: Option<String>,
    /// The record's school of attendance, when it has one.
    pub school: Option<String>,
    /// The record's local student ID, when it has one.
    pub local_student_id: Option<String>,
    /// The student's name, when the record has it (shown to people, not in JSON).
    pub student_name: Option<String>,
    /// Other records involved, in order, at most [`MAX_RELATED`] of them.
    pub related: Vec<Related>,
    /// How many more records are involved than `related` lists (a student with thousands of
    /// duplicate records gets one bounded finding each, not a list that grows with the square).
    pub related_more: u64,
    /// The state rule this finding mirrors when it differs by case from the rule's own
    /// (`None`: the rule's [`Rule::state_rule`]).
    pub state_rule: Option<&'static str>,
    /// The record's text for human output; filled only when a report wants it.
    pub excerpt: Option<Excerpt>,
}

/// The most related records a finding lists; the rest are counted in
/// [`Finding::related_more`].
pub const MAX_RELATED: usize = 100;

impl Finding {
    /// Adds `refs` to the related records, listing at most [`MAX_RELATED`] and counting the rest.
    pub fn relate(&mut self, refs: impl IntoIterator<Item = Related>) {
        for r in refs {
            if self.related.len() < MAX_RELATED {
                self.related.push(r);
            } else {
                self.related_more += 1;
            }
        }
    }

    /// The state rule to show: this finding's own, else its rule's.
    pub fn state_rule(&self) -> Option<&'static str> {
        self.state_rule.or(self.rule.state_rule)
    }

    /// A finding of `rule` with its message and help rendered from `args`.
    pub fn new(rule: &'static Rule, args: &[(&str, &str)]) -> Finding {
        Finding {
            rule,
            at: Location::default(),
            record_type: None,
            field: None,
            value: None,
            message: render(rule.message, args),
            help: render(rule.help, args),
            ssid: None,
            local_record_id: None,
            school: None,
            local_student_id: None,
            student_name: None,
            related: Vec::new(),
            related_more: 0,
            state_rule: None,
            excerpt: None,
        }
    }

    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

/// Where findings go. Reports implement it; tests collect into a `Vec`.
pub trait Sink {
    /// Whether the sink will show the record's text for a finding of `rule` (so the engine
    /// builds the excerpt only when it is needed).
    fn wants_excerpt(&mut self, rule: &'static Rule) -> bool;
    /// Receives one finding.
    fn finding(&mut self, finding: Finding) -> io::Result<()>;
}

impl Sink for Vec<Finding> {
    fn wants_excerpt(&mut self, _: &'static Rule) -> bool {
        true
    }
    fn finding(&mut self, finding: Finding) -> io::Result<()> {
        self.push(finding);
        Ok(())
    }
}
