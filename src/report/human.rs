//! The human report: findings grouped by file and sorted by line, each drawn by miette as
//! its record's line with the offending field underlined, the rule ID as the code and the
//! fix as help; then a summary table of counts per rule. At most `max_per_rule` findings of
//! a rule are kept with their text, so memory stays bounded however many there are.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::Tally;
use crate::diagnostic::{Finding, Severity};
use crate::engine::{NotChecked, Sink, Totals};
use crate::error::{shown, visible as visible_text};
use crate::rules::Rule;
use crate::source::Input;

/// How the human report looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
    /// Findings shown per rule; `None` shows all.
    pub max_per_rule: Option<u64>,
}

/// Collects findings, then prints them grouped by file.
pub struct HumanReport<'a> {
    inputs: &'a [Input],
    style: Style,
    shown: BTreeMap<Option<usize>, Vec<Finding>>,
    pub tally: Tally,
    /// Per school: fatal findings, warnings, and the students they are about.
    schools: BTreeMap<String, (u64, u64, std::collections::BTreeSet<String>)>,
}

impl<'a> HumanReport<'a> {
    pub fn new(inputs: &'a [Input], style: Style) -> HumanReport<'a> {
        HumanReport { inputs, style, shown: BTreeMap::new(), tally: Tally::default(), schools: BTreeMap::new() }
    }

    fn is_shown(&self, rule: &Rule) -> bool {
        self.style.max_per_rule.is_none_or(|max| self.tally.count(rule) < max)
    }

    /// Prints every kept finding, then the summary.
    pub fn finish(mut self, out: &mut dyn Write, totals: &Totals) -> io::Result<Tally> {
        let (files, records) = (totals.files, totals.records);
        let handler = self.handler();
        let shown = std::mem::take(&mut self.shown);
        if !shown.is_empty() {
            // The outcome first, so a long report does not hide it (the table ends the report).
            writeln!(out, "{}; findings by file below, counts per rule at the end.", self.counts(files, records))?;
            writeln!(out)?;
        }
        for (file, mut findings) in shown {
            // Root causes (whole-file findings) at the top of the file's section, then by line.
            findings.sort_by_key(|f| (!super::json::is_root_cause(f), f.at.line));
            let name = visible_text(file.and_then(|i| self.inputs.get(i)).map_or("(all files)", |i| i.display.as_str())).into_owned();
            let name = name.as_str();
            writeln!(out, "{}", self.heading(name, findings.len()))?;
            for f in findings.iter() {
                let mut text = String::new();
                let rendered = Rendered::new(f, name, self.style.width, self.related_text(f));
                handler.render_report(&mut text, &rendered).map_err(io::Error::other)?;
                writeln!(out, "{}", text.trim_end())?;
                writeln!(out)?;
            }
        }
        self.summary(out, files, records, &totals.not_checked)?;
        if totals.accepted > 0 {
            writeln!(out, "\n{} findings accepted in the baseline were left out.", totals.accepted)?;
        }
        if !totals.not_read.is_empty() {
            let list: Vec<String> = totals
                .not_read
                .iter()
                .map(|n| format!("{}: {}", visible_text(self.inputs.get(n.input).map_or("?", |i| i.display.as_str())), n.looks_like))
                .collect();
            writeln!(out, "\nFiles not checked: {}.", list.join("; "))?;
        }
        Ok(self.tally)
    }

    /// `related: senr.txt:12, stas.txt:40` for a cross-record finding.
    fn related_text(&self, f: &Finding) -> Option<String> {
        if f.related.is_empty() {
            return None;
        }
        // A long list (a run of records) shows its first few; JSON output has them all.
        const SHOWN: usize = 5;
        let mut places: Vec<String> = f
            .related
            .iter()
            .take(SHOWN)
            .map(|r| format!("{}:{}", visible_text(self.inputs.get(r.file).map_or("?", |i| i.display.as_str())), r.line))
            .collect();
        let more = (f.related.len().saturating_sub(SHOWN)) as u64 + f.related_more;
        if more > 0 {
            let listed =
                if f.related_more > 0 { format!("the first {} in --format json", f.related.len()) } else { "all in --format json".to_owned() };
            places.push(format!("and {more} more ({listed})"));
        }
        Some(format!("related: {}", places.join(", ")))
    }

    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        GraphicalReportHandler::new_themed(theme).with_width(self.style.width).with_links(false).with_context_lines(1)
    }

    fn heading(&self, name: &str, n: usize) -> String {
        let text = format!("── {name} ({n} shown) ");
        let pad = self.style.width.saturating_sub(text.chars().count());
        let line = format!("{text}{}", "─".repeat(pad));
        if self.style.color {
            format!("\x1b[1m{line}\x1b[0m")
        } else {
            line
        }
    }

    /// `Checked 930 records in 3 files: 65 fatal, 3 warnings, 0 info`.
    fn counts(&self, files: usize, records: u64) -> String {
        let t = &self.tally;
        let plural = |n: u64, one: &'static str, many: &'static str| if n == 1 { one } else { many };
        format!(
            "Checked {records} {} in {files} {}: {} fatal, {} {}, {} info",
            plural(records, "record", "records"),
            plural(files as u64, "file", "files"),
            t.fatal,
            t.warning,
            plural(t.warning, "warning", "warnings"),
            t.info
        )
    }

    fn summary(&self, out: &mut dyn Write, files: usize, records: u64, skipped: &[NotChecked]) -> io::Result<()> {
        let t = &self.tally;
        writeln!(out, "{}", self.counts(files, records))?;
        if t.by_rule.is_empty() {
            writeln!(out, "No findings.")?;
            return not_checked(out, skipped);
        }
        writeln!(out)?;
        writeln!(out, "  {:<30} {:<8} {:<13} {:>7} {:>7}", "rule", "severity", "category", "count", "shown")?;
        let mut hidden = 0;
        let mut rows: Vec<_> = t.by_rule.values().collect();
        rows.sort_by_key(|(r, n)| (r.severity, std::cmp::Reverse(*n), r.id));
        for (rule, n) in rows {
            let shown = self.style.max_per_rule.map_or(*n, |m| (*n).min(m));
            hidden += n - shown;
            writeln!(out, "  {:<30} {:<8} {:<13} {:>7} {:>7}", rule.id, rule.severity.as_str(), rule.category.as_str(), n, shown)?;
        }
        if self.schools.len() > 1 {
            writeln!(out, "\n  {:<10} {:>7} {:>9} {:>9}", "school", "fatal", "warnings", "students")?;
            for (school, (fatal, warning, students)) in &self.schools {
                writeln!(out, "  {school:<10} {fatal:>7} {warning:>9} {:>9}", students.len())?;
            }
        }
        if hidden > 0 {
            let max = self.style.max_per_rule.unwrap_or(0);
            writeln!(out, "\n{hidden} findings not shown (at most {max} per rule); see them all with --max-per-rule 0 or --format json")?;
        }
        if !skipped.is_empty() {
            writeln!(out)?;
            not_checked(out, skipped)?;
        }
        writeln!(out, "\nExplain a rule with `rollcall explain RULE`.")
    }
}

/// `Not checked: SENR-GRADE-SPAN, … (need --schools FILE); …`: rules a missing input kept
/// from running, so a clean result is not mistaken for a complete one.
fn not_checked(out: &mut dyn Write, list: &[NotChecked]) -> io::Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    let mut needs: Vec<&str> = list.iter().map(|n| n.needs).collect();
    needs.dedup();
    let parts: Vec<String> = needs
        .iter()
        .map(|need| {
            let ids: Vec<&str> = list.iter().filter(|n| n.needs == *need).map(|n| n.rule.id).collect();
            format!("{} (need {need})", ids.join(", "))
        })
        .collect();
    writeln!(out, "Not checked: {}.", parts.join("; "))
}

impl Sink for HumanReport<'_> {
    fn wants_excerpt(&mut self, rule: &'static Rule) -> bool {
        self.is_shown(rule)
    }

    fn finding(&mut self, f: Finding) -> io::Result<()> {
        if let Some(school) = &f.school {
            let entry = self.schools.entry(school.clone()).or_default();
            match f.severity() {
                Severity::Fatal => entry.0 += 1,
                Severity::Warning => entry.1 += 1,
                Severity::Info => {}
            }
            if let Some(student) = f.ssid.as_ref().or(f.local_student_id.as_ref()) {
                entry.2.insert(student.clone());
            }
        }
        if self.is_shown(f.rule) {
            self.shown.entry(f.at.input).or_default().push(f.clone());
        }
        self.tally.add(&f);
        Ok(())
    }
}

/// One record line as miette source text, numbered as the line it is in its file.
#[derive(Debug)]
struct LineSource {
    name: String,
    text: String,
    line0: usize,
    /// Columns cut off the front of a long line (minus the `…` marker), so the column
    /// miette shows is the column in the file.
    shift: usize,
}

impl SourceCode for LineSource {
    fn read_span<'a>(&'a self, span: &SourceSpan, before: usize, after: usize) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line0,
            inner.column() + self.shift,
            inner.line_count(),
        )))
    }
}

/// A finding dressed as a miette diagnostic.
struct Rendered<'a> {
    finding: &'a Finding,
    source: Option<LineSource>,
    label: Option<LabeledSpan>,
    related: Option<String>,
}

impl<'a> Rendered<'a> {
    fn new(finding: &'a Finding, file: &str, width: usize, related: Option<String>) -> Rendered<'a> {
        let Some(excerpt) = &finding.excerpt else { return Rendered { finding, source: None, label: None, related } };
        let (text, span) = trim(&excerpt.text, excerpt.span, width.saturating_sub(12).max(40));
        let shift = match (excerpt.span, span) {
            (Some((orig, _)), Some((now, _))) => {
                let chars = |t: &str, i: usize| t.get(..i).map_or(0, |p| p.chars().count());
                chars(&excerpt.text, orig).saturating_sub(chars(&text, now))
            }
            _ => 0,
        };
        let label_text = finding.field.clone().unwrap_or_else(|| "this record".to_owned());
        let (start, len) = span.unwrap_or((0, text.len()));
        let line0 = finding.at.line.map_or(0, |l| l.saturating_sub(1) as usize);
        Rendered {
            finding,
            source: Some(LineSource { name: file.to_owned(), text, line0, shift }),
            label: Some(LabeledSpan::new(Some(label_text), start, len.max(1))),
            related,
        }
    }
}

/// `text` with every character as [`shown`], and `span` (byte offsets) moved to match.
fn visible(text: &str, span: Option<(usize, usize)>) -> (String, Option<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut moved = span;
    for (i, c) in text.char_indices() {
        let v = shown(c);
        if v != c {
            let grow = v.len_utf8() as isize - c.len_utf8() as isize;
            moved = moved.map(|(s, l)| {
                let (s0, l0) = span.unwrap_or_default();
                let at_or_after_start = i >= s0;
                let inside = i >= s0 && i < s0 + l0;
                let s = if at_or_after_start { s } else { s.saturating_add_signed(grow) };
                let l = if inside { l.saturating_add_signed(grow) } else { l };
                (s, l)
            });
        }
        out.push(v);
    }
    (out, moved)
}

/// Cuts a long line to about `max` characters around the span, marking cuts with `…`.
pub(super) fn trim(text: &str, span: Option<(usize, usize)>, max: usize) -> (String, Option<(usize, usize)>) {
    let (clean, span) = visible(text, span);
    if clean.chars().count() <= max {
        return (clean, span);
    }
    let (start, len) = span.unwrap_or((0, 0));
    let room = max.saturating_sub(len.min(max)) / 2;
    let floor = |i: usize| (0..=i.min(clean.len())).rev().find(|j| clean.is_char_boundary(*j)).unwrap_or(0);
    let from = floor(start.saturating_sub(room));
    let to = floor((start + len + room).max(from + max).min(clean.len()));
    let to = if to <= start + len { floor((start + len).min(clean.len())) } else { to };
    let prefix = if from > 0 { "…" } else { "" };
    let suffix = if to < clean.len() { "…" } else { "" };
    let out = format!("{prefix}{}{suffix}", &clean[from..to]);
    (out, span.map(|(s, l)| (s - from + prefix.len(), l.min(to.saturating_sub(s)))))
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered").field("rule", &self.finding.rule.id).finish()
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", visible_text(&self.finding.message))
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let state = self.finding.state_rule().map(|s| format!(" [{s}]")).unwrap_or_default();
        // Who and where, so a clerk knows the student without reading the record's line.
        let f = self.finding;
        let who: Vec<String> = [
            f.school.as_ref().map(|s| format!("school {s}")),
            f.ssid.as_ref().map(|s| format!("SSID {s}")).or_else(|| f.local_student_id.as_ref().map(|l| format!("local ID {l}"))),
            f.student_name.as_ref().map(|n| visible_text(n).into_owned()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let who = if who.is_empty() { String::new() } else { format!(" · {}", who.join(" · ")) };
        Some(Box::new(format!("{}{state}{who}", self.finding.rule.id)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity() {
            Severity::Fatal => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let mut help = visible_text(&self.finding.help).into_owned();
        if let Some(related) = &self.related {
            help.push('\n');
            help.push_str(related);
        }
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label.clone().map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

#[cfg(test)]
mod tests {
    use super::{trim, visible, visible_text};

    #[test]
    fn control_and_invisible_characters_are_shown_and_the_span_follows() {
        let text = "A\u{1b}[31m^HANA\u{a0}^X\u{200b}Y^Z";
        let field = text.find("HANA").unwrap();
        let (out, span) = visible(text, Some((field, "HANA\u{a0}".len())));
        assert_eq!(out, "A␛[31m^HANA␣^X␣Y^Z");
        let (s, l) = span.unwrap();
        assert_eq!(&out[s..s + l], "HANA␣");
        assert_eq!(visible_text("value `\u{0}\u{7f}`"), "value `␀␡`");
    }

    #[test]
    fn trims_long_lines_around_the_span() {
        let text = format!("{}FIELD{}", "a".repeat(300), "b".repeat(300));
        let (out, span) = trim(&text, Some((300, 5)), 60);
        let (s, l) = span.unwrap();
        assert_eq!(&out[s..s + l], "FIELD");
        assert!(out.starts_with('…') && out.ends_with('…'));
        assert!(out.chars().count() <= 64);
    }

    #[test]
    fn short_lines_stay() {
        assert_eq!(trim("SENR^^x", Some((6, 1)), 60), ("SENR^^x".to_owned(), Some((6, 1))));
    }
}
