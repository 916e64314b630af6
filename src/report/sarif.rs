//! SARIF 2.1.0: the findings of a run for code-scanning views (GitHub code scanning, the
//! SARIF viewers of editors). One log, one run, a result per finding, pretty JSON with no
//! timestamps, so a run of the same files gives the same bytes. The types below are our own
//! small subset of the format; `tests/cli/sarif.rs` validates the output against the official
//! schema (`tests/fixtures/sarif/sarif-schema-2.1.0.json`).
//!
//! A log goes to a service outside the district, so it carries no student or guardian name:
//! a finding about a name or address field shows no snippet, and its value is withheld from
//! the message. The record keys (SSID, local student ID, school) stay,
//! in each result's `properties`, so a clerk can find the record.
//!
//! ```json
//! {
//!   "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
//!   "version": "2.1.0",
//!   "runs": [{
//!     "tool": { "driver": { "name": "rollcall", "version": "0.1.0", "rules": [{
//!       "id": "SENR-EXIT-PAIR", "name": "SenrExitPair",
//!       "shortDescription": { "text": "Exit date and exit reason must be both filled or both blank" },
//!       "fullDescription": { "text": "An enrollment is closed by an exit date …" },
//!       "help": { "text": "…", "markdown": "…" },
//!       "defaultConfiguration": { "level": "error" },
//!       "properties": { "category": "conditional", "stateRule": "GERR0001", "tags": ["senr", "conditional"] }
//!     }] } },
//!     "invocations": [{ "executionSuccessful": true, "commandLine": "rollcall check samples/errors --format sarif" }],
//!     "artifacts": [{ "location": { "uri": "samples/errors/senr.txt", "uriBaseId": "%SRCROOT%" }, "roles": ["analysisTarget"] }],
//!     "results": [{
//!       "ruleId": "SENR-EXIT-PAIR", "ruleIndex": 0, "level": "error",
//!       "message": { "text": "enrollment_exit_date is set but student_exit_reason_code is blank. How to fix: …" },
//!       "locations": [{ "physicalLocation": {
//!         "artifactLocation": { "uri": "samples/errors/senr.txt", "uriBaseId": "%SRCROOT%", "index": 0 },
//!         "region": { "startLine": 12, "startColumn": 133, "endColumn": 133, "snippet": { "text": "" } } } }],
//!       "partialFingerprints": { "rollcall/v1": "3f0c…" },
//!       "properties": { "school": "9990011", "ssid": "9900000012", "localStudentId": "240012",
//!                       "stateRule": "GERR0001", "category": "conditional", "recordType": "SENR",
//!                       "field": "student_exit_reason_code" }
//!     }],
//!     "columnKind": "unicodeCodePoints"
//!   }]
//! }
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use super::Run;
use crate::diagnostic::{Finding, Severity};
use crate::rules::{self, Rule};

/// The schema the log names: the OASIS errata 01 text, the one the tests validate against.
pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The most results one log holds: GitHub code scanning refuses a run with more. Past it the
/// log says how many were left out (fatal findings are kept first).
pub const MAX_RESULTS: usize = 25_000;

/// The `partialFingerprints` key of [`super::baseline::fingerprint`]; a new scheme gets `v2`.
const FINGERPRINT: &str = "rollcall/v1";

/// Where relative URIs start: the folder the command ran in, for a code-scanning service the
/// checkout's root (left for the consumer to resolve; an absolute path of this machine would
/// make the log differ from one machine to another).
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    tool: Tool,
    invocations: [Invocation<'a>; 1],
    artifacts: Vec<Artifact>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Descriptor>,
}

/// A rule (SARIF `reportingDescriptor`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: String,
    short_description: Message,
    full_description: Message,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties {
    category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_rule: Option<&'static str>,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    command_line: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
}

#[derive(Serialize)]
struct Artifact {
    location: ArtifactLocation,
    roles: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Message>,
}

/// What a result carries besides its place: the record's keys, never a name.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    school: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_student_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_rule: Option<&'static str>,
    category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

/// The SARIF log of a run, as pretty JSON ending in a newline.
///
/// `tool.driver.rules` lists the rules that have a result, in catalog order, not all ~200
/// registered rules: a code-scanning view needs only the rules its results point at, and the
/// whole catalog is `rollcall rules`. Results keep the run's order.
pub fn findings(run: &Run<'_>) -> std::io::Result<Vec<u8>> {
    let kept = kept(run.findings);
    let rules = rules_of(&kept);
    let index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let results = kept.iter().map(|f| result(run, f, index.get(f.rule.id).copied().unwrap_or_default())).collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [SarifRun {
            tool: Tool {
                driver: Driver { name: "rollcall", version: env!("CARGO_PKG_VERSION"), rules: rules.into_iter().map(descriptor).collect() },
            },
            invocations: [Invocation {
                execution_successful: true,
                command_line: &run.command,
                tool_execution_notifications: notifications(run, run.findings.len() - kept.len()),
            }],
            artifacts: (0..run.inputs.len()).map(|i| Artifact { location: artifact(run, i, false), roles: ["analysisTarget"] }).collect(),
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut bytes = serde_json::to_vec_pretty(&log)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The findings that fit in one log, in the run's order: all of them, or past
/// [`MAX_RESULTS`] the fatal ones first, then warnings, then notes (a stable choice, so the
/// same run leaves out the same findings).
fn kept(findings: &[Finding]) -> Vec<&Finding> {
    // In the order of the JSON Lines output: a file's root causes first.
    let findings = super::json::root_first(findings);
    if findings.len() <= MAX_RESULTS {
        return findings;
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| findings[i].severity());
    order.truncate(MAX_RESULTS);
    order.sort_unstable();
    order.into_iter().map(|i| findings[i]).collect()
}

/// The rules of `findings`, once each, in catalog order (a rule the catalog lacks last, by ID).
fn rules_of(findings: &[&Finding]) -> Vec<&'static Rule> {
    let catalog: Vec<&'static str> = rules::all().map(|r| r.id).collect();
    let mut found: BTreeMap<(usize, &'static str), &'static Rule> = BTreeMap::new();
    for f in findings {
        let at = catalog.iter().position(|id| *id == f.rule.id).unwrap_or(usize::MAX);
        found.entry((at, f.rule.id)).or_insert(f.rule);
    }
    found.into_values().collect()
}

/// SARIF's level for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Fatal => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &'static Rule) -> Descriptor {
    let family = rule.id.split('-').next().unwrap_or_default().to_ascii_lowercase();
    Descriptor {
        id: rule.id,
        name: pascal_case(rule.id),
        short_description: Message { text: rule.summary.to_owned() },
        full_description: Message { text: rule.explanation.to_owned() },
        help: help(rule),
        default_configuration: Configuration { level: level(rule.severity) },
        properties: RuleProperties {
            category: rule.category.as_str(),
            state_rule: rule.state_rule,
            tags: vec![family, rule.category.as_str().to_owned()],
        },
    }
}

/// `SENR-EXIT-PAIR` as `SenrExitPair`, SARIF's readable rule name.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars.map(|c| c.to_ascii_lowercase()))
        })
        .collect()
}

/// The text of `rollcall explain`: what the rule checks, a record that breaks it and the fix.
fn help(rule: &Rule) -> Help {
    let state = rule.state_rule.map(|s| format!("\n\nState rule: {s}")).unwrap_or_default();
    let state_md = rule.state_rule.map(|s| format!("\n\nState rule: `{s}`")).unwrap_or_default();
    let fence = |text: &str| {
        let ticks = "`".repeat(longest_run(text, '`').max(2) + 1);
        format!("{ticks}text\n{text}\n{ticks}")
    };
    Help {
        text: format!("{}\n\nExample:\n    {}\n\nFix:\n    {}{state}", rule.explanation, rule.bad, rule.good),
        markdown: format!(
            "{}\n\n**Example**\n\n{}\n\n**Fix**\n\n{}{state_md}\n\n`rollcall explain {}` says more.",
            rule.explanation,
            fence(rule.bad),
            fence(rule.good),
            rule.id
        ),
    }
}

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    text.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

fn result<'a>(run: &Run<'a>, f: &'a Finding, rule_index: usize) -> SarifResult<'a> {
    let related = f.related.iter().enumerate().map(|(i, r)| Location {
        id: Some(i + 1),
        physical_location: PhysicalLocation {
            artifact_location: artifact(run, r.file, true),
            region: Some(Region { start_line: r.line, start_column: None, end_column: None, snippet: None }),
        },
    });
    SarifResult {
        rule_id: f.rule.id,
        rule_index,
        level: level(f.severity()),
        message: Message { text: message(f) },
        locations: location(run, f).into_iter().collect(),
        related_locations: related.collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, super::baseline::fingerprint(f, run.inputs))]),
        properties: ResultProperties {
            school: f.school.as_deref(),
            ssid: f.ssid.as_deref(),
            local_student_id: f.local_student_id.as_deref(),
            state_rule: f.state_rule(),
            category: f.rule.category.as_str(),
            record_type: f.record_type.as_deref(),
            field: f.field.as_deref(),
        },
    }
}

/// The finding's message and how to fix it, with a personal field's value withheld.
fn message(f: &Finding) -> String {
    let withheld = f.value.as_deref().map(str::trim).filter(|v| !v.is_empty() && is_personal(f.field.as_deref()));
    let hide = |text: &str| withheld.map_or_else(|| text.to_owned(), |v| text.replace(v, "…"));
    let message = hide(&f.message);
    let stop = if message.ends_with(['.', '!', '?']) { "" } else { "." };
    format!("{message}{stop} How to fix: {}", hide(&f.help))
}

/// Whether a field holds a name (the student's, an alias, a guardian's) or an address: what a
/// log sent out of the district does not show. Dates and codes stay; fixing them needs them.
fn is_personal(field: Option<&str>) -> bool {
    field.is_some_and(|name| name.contains("name") || name.contains("address"))
}

/// Where a finding points: its file and, for a record, the line and the field's columns.
/// A finding about the whole run has none.
fn location(run: &Run<'_>, f: &Finding) -> Option<Location> {
    let input = f.at.input.filter(|i| *i < run.inputs.len())?;
    let region = f.at.line.map(|line| {
        let field = field_text(f);
        let (start_column, end_column) = match field {
            Some((before, text)) => (Some(before + 1), Some(before + 1 + text.chars().count())),
            None => (None, None),
        };
        let snippet = field.filter(|_| !is_personal(f.field.as_deref())).map(|(_, text)| Message { text: text.to_owned() });
        Region { start_line: line, start_column, end_column, snippet }
    });
    Some(Location { id: None, physical_location: PhysicalLocation { artifact_location: artifact(run, input, true), region } })
}

/// The field's text in the record's line and the characters before it, when the finding has
/// the line's text (columns count code points, the run's `columnKind`; the byte span alone
/// cannot give them for a line that is not ASCII).
fn field_text(f: &Finding) -> Option<(usize, &str)> {
    let excerpt = f.excerpt.as_ref()?;
    let (start, len) = excerpt.span?;
    let before = excerpt.text.get(..start)?;
    Some((before.chars().count(), excerpt.text.get(start..start + len)?))
}

/// The location of input `i`; `indexed` points into the run's `artifacts`.
fn artifact(run: &Run<'_>, i: usize, indexed: bool) -> ArtifactLocation {
    let (uri, base) = uri(run.input_name(i), std::path::MAIN_SEPARATOR == '\\');
    ArtifactLocation { uri, uri_base_id: base, index: indexed.then_some(i) }
}

/// A file name as the user gave it as a URI: a relative one with forward slashes, relative to
/// [`SRCROOT`], an absolute one as a `file:` URI. Every byte but letters, digits, `-._~` and
/// the slashes is percent-encoded (a space, `#`, `%`, `:`, anything not ASCII). `windows`
/// takes `\` as a separator and `C:` as a drive.
fn uri(name: &str, windows: bool) -> (String, Option<&'static str>) {
    let name = if windows { name.replace('\\', "/") } else { name.to_owned() };
    let drive = windows && name.len() >= 2 && name.as_bytes()[0].is_ascii_alphabetic() && name.as_bytes()[1] == b':';
    if drive {
        return (format!("file:///{}{}", &name[..2], encode(&name[2..])), None);
    }
    if name.starts_with("//") {
        return (format!("file:{}", encode(&name)), None);
    }
    if name.starts_with('/') {
        return (format!("file://{}", encode(&name)), None);
    }
    let mut rel = name.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest.trim_start_matches('/');
    }
    (encode(rel), Some(SRCROOT))
}

/// Percent-encodes every byte of `path` but unreserved characters and `/`.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the log leaves out: results past [`MAX_RESULTS`], rules that did not run, files that
/// were not checked.
fn notifications(run: &Run<'_>, left_out: usize) -> Vec<Notification> {
    let note = |level, text| Notification { level, message: Message { text } };
    let mut out = Vec::new();
    if left_out > 0 {
        out.push(note(
            "warning",
            format!(
                "{left_out} of {} findings were left out: a SARIF run holds at most {MAX_RESULTS} results for code scanning, fatal findings kept first; `--format json` or `--report worklist.csv` lists them all",
                run.findings.len()
            ),
        ));
    }
    for n in &run.totals.not_checked {
        out.push(note("note", format!("{} was not checked: it needs {}", n.rule.id, n.needs)));
    }
    for n in &run.totals.not_read {
        out.push(note("note", format!("{} was not checked: it looks like {}", run.input_name(n.input), n.looks_like)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Totals;
    use crate::report::Tally;
    use crate::source::Input;

    fn input(name: &str) -> Input {
        Input { path: name.into(), display: name.to_owned() }
    }

    fn log(inputs: &[Input], findings: &[Finding]) -> serde_json::Value {
        let (totals, tally) = (Totals::default(), Tally::default());
        let run = Run {
            command: "rollcall check x".to_owned(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 7, 15).unwrap(),
            inputs,
            findings,
            totals: &totals,
            tally: &tally,
        };
        serde_json::from_slice(&super::findings(&run).unwrap()).unwrap()
    }

    fn at_line(rule: &'static Rule, line: u64) -> Finding {
        let mut f = Finding::new(rule, &[]);
        f.at.input = Some(0);
        f.at.line = Some(line);
        f
    }

    #[test]
    fn past_the_cap_keeps_25000_results_fatal_first_and_says_how_many_were_left_out() {
        let inputs = [input("senr.txt")];
        let mut findings: Vec<Finding> = (1..=MAX_RESULTS as u64).map(|n| at_line(&rules::identity::SSID_DIFFERS, n)).collect();
        findings.extend((1..=10).map(|n| at_line(&rules::field::REQUIRED, n)));
        let log = log(&inputs, &findings);
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), MAX_RESULTS);
        assert_eq!(results.iter().filter(|r| r["level"] == "error").count(), 10, "every fatal finding is kept");
        let lines: Vec<u64> = results
            .iter()
            .filter(|r| r["level"] == "warning")
            .map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, (1..=(MAX_RESULTS - 10) as u64).collect::<Vec<_>>(), "the warnings kept are the first, in order");
        let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 1);
        assert!(notes[0]["message"]["text"].as_str().unwrap().starts_with("10 of 25010 findings were left out"), "{}", notes[0]);
    }

    #[test]
    fn no_notification_at_the_cap() {
        let inputs = [input("senr.txt")];
        let findings: Vec<Finding> = (1..=3).map(|n| at_line(&rules::field::REQUIRED, n)).collect();
        let log = log(&inputs, &findings);
        assert!(log["runs"][0]["invocations"][0].get("toolExecutionNotifications").is_none());
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(), 1, "a rule once");
    }

    #[test]
    fn uris_are_percent_encoded_with_forward_slashes() {
        assert_eq!(uri("exports/fall 1/senr#2.txt", false), ("exports/fall%201/senr%232.txt".to_owned(), Some(SRCROOT)));
        assert_eq!(uri("./exports/a b.txt", false), ("exports/a%20b.txt".to_owned(), Some(SRCROOT)));
        assert_eq!(uri("exports\\fall 1\\senr#2.txt", true), ("exports/fall%201/senr%232.txt".to_owned(), Some(SRCROOT)));
        assert_eq!(uri("exports\\a.txt", false).0, "exports%5Ca.txt", "a backslash is a name's character off Windows");
        assert_eq!(uri("/tmp/a b#.txt", false), ("file:///tmp/a%20b%23.txt".to_owned(), None));
        assert_eq!(uri("C:\\Data\\senr 1.txt", true), ("file:///C:/Data/senr%201.txt".to_owned(), None));
        assert_eq!(uri("\\\\server\\share\\senr.txt", true), ("file://server/share/senr.txt".to_owned(), None));
        assert_eq!(uri("año/50%.txt", false).0, "a%C3%B1o/50%25.txt");
        assert_eq!(uri("c:senr.txt", false).0, "c%3Asenr.txt", "no colon that could read as a scheme");
    }

    #[test]
    fn a_file_with_a_space_and_a_hash_is_one_artifact_its_results_point_at() {
        let inputs = [input("fall 1/senr#2.txt")];
        let log = log(&inputs, &[at_line(&rules::field::REQUIRED, 3)]);
        let run = &log["runs"][0];
        assert_eq!(run["artifacts"][0]["location"]["uri"], "fall%201/senr%232.txt");
        let at = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!((&at["uri"], &at["uriBaseId"], &at["index"]), (&"fall%201/senr%232.txt".into(), &"%SRCROOT%".into(), &0.into()));
    }

    #[test]
    fn columns_count_code_points_and_a_name_is_neither_shown_nor_said() {
        let mut f = at_line(&rules::identity::SSID_DIFFERS, 4);
        let text = "SENR^ÉLODIE^X";
        f.excerpt = Some(crate::diagnostic::Excerpt { text: text.to_owned(), span: Some((5, "ÉLODIE".len())) });
        f.field = Some("student_legal_first_name".to_owned());
        f.value = Some("ÉLODIE".to_owned());
        f.message = "student_legal_first_name `ÉLODIE` differs".to_owned();
        let log = log(&[input("senr.txt")], &[f]);
        let result = &log["runs"][0]["results"][0];
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!((region["startColumn"].as_u64(), region["endColumn"].as_u64()), (Some(6), Some(12)));
        assert!(region.get("snippet").is_none());
        assert!(!log.to_string().contains("LODIE"), "{log}");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("SENR-STATUS50-TK"), "SenrStatus50Tk");
    }
}
