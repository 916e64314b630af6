//! The HTML reports: each one self-contained page (inline CSS, script and SVG) that opens from
//! a USB stick and makes no request; its Content-Security-Policy allows only the page's own
//! style and script, by hash, so a value in the data can never run. The findings report
//! ([`findings`]) filters its table by school, rule, severity and text, the filter kept in the
//! URL fragment (`report.html#school=0123456`); a command's figures ([`tables`]) come with a
//! bar chart each. The page shell, [`escape`] and the bar chart serve every page (the printable
//! calendar of [`super::calendar`] too). The same input gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::table::{Chart, ColumnKind, Table};
use super::{worklist, Run};
use crate::diagnostic::{Finding, Severity};

/// The style every page carries.
const STYLE: &str = include_str!("assets/page.css");
/// The findings report's filter.
const FINDINGS_SCRIPT: &str = include_str!("assets/findings.js");
/// Bars a chart draws at the most; the rest are summed into one.
const MAX_BARS: usize = 15;
/// Characters of a record's line shown around the offending field.
const EXCERPT_CHARS: usize = 62;

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and attribute values.
///
/// ```
/// assert_eq!(rollcall::report::html::escape("<b>O'Brien & Co</b>"), "&lt;b&gt;O&#39;Brien &amp; Co&lt;/b&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: the shared style plus `extra_style`, `body`, and `script` if any. The
/// Content-Security-Policy names the style's and the script's SHA-256, and nothing else.
pub(super) fn page(title: &str, extra_style: &str, body: &str, script: Option<&str>) -> String {
    let style = format!("{STYLE}{extra_style}");
    let mut csp = format!("default-src 'none'; style-src {}; base-uri 'none'; form-action 'none'", hash_source(&style));
    let mut tail = String::new();
    if let Some(script) = script {
        csp.push_str(&format!("; script-src {}", hash_source(script)));
        tail = format!("<script>{script}</script>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"generator\" content=\"rollcall\">\n\
         <title>{}</title>\n<style>{style}</style>\n</head>\n<body>\n{body}{tail}</body>\n</html>\n",
        escape(title)
    )
}

/// `'sha256-…'`: the CSP source that allows exactly `text` as an inline style or script.
fn hash_source(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            let sextet = (n >> (18 - 6 * i)) & 63;
            out.push(if i <= chunk.len() { char::from(ALPHABET[sextet as usize]) } else { '=' });
        }
    }
    out
}

/// The dark band at the top of a page: its title and a line under it (HTML).
pub(super) fn header(title: &str, subtitle_html: &str) -> String {
    let sub = if subtitle_html.is_empty() { String::new() } else { format!("\n<p>{subtitle_html}</p>") };
    format!("<header class=\"top\">\n<h1>{}</h1>{sub}\n</header>\n", escape(title))
}

/// One bar of a chart: a label and segments of a length each (stacked), a class for their
/// color, and a link (a fragment of the page) if any.
pub(super) struct Bar {
    pub label: String,
    pub segments: Vec<(f64, &'static str)>,
    /// The number shown after the bar.
    pub text: String,
    pub href: Option<String>,
}

impl Bar {
    fn total(&self) -> f64 {
        self.segments.iter().map(|(v, _)| v.max(0.0)).sum()
    }
}

/// A horizontal bar chart as inline SVG in a `<figure>`, scaled to the longest bar.
pub(super) fn bar_chart(title: &str, bars: &[Bar]) -> String {
    const WIDTH: f64 = 600.0;
    const LABEL: f64 = 210.0;
    const ROW: f64 = 22.0;
    let max = bars.iter().map(Bar::total).fold(0.0, f64::max);
    let scale = if max > 0.0 { (WIDTH - LABEL - 70.0) / max } else { 0.0 };
    let height = ROW * bars.len() as f64 + 4.0;
    let title = escape(title);
    let mut svg = format!(
        "<figure class=\"chart\">\n<figcaption>{title}</figcaption>\n\
         <svg viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"{title}\">\n"
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW * i as f64 + 2.0;
        let mut x = LABEL;
        let mut inner = format!(
            "<title>{}: {}</title><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            escape(&bar.label),
            escape(&bar.text),
            LABEL - 8.0,
            y + 15.0,
            escape(&shorten(&bar.label, 30))
        );
        for (value, class) in &bar.segments {
            let w = value.max(0.0) * scale;
            let _ = write!(inner, "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"14\"/>", y + 4.0);
            x += w;
        }
        let _ = write!(inner, "<text class=\"value\" x=\"{:.1}\" y=\"{}\">{}</text>", x + 6.0, y + 15.0, escape(&bar.text));
        let _ = match &bar.href {
            Some(href) => writeln!(svg, "<a href=\"{}\">{inner}</a>", escape(href)),
            None => writeln!(svg, "<g>{inner}</g>"),
        };
    }
    svg.push_str("</svg>\n</figure>\n");
    svg
}

/// `text` cut to `max` characters, the cut marked with `…`.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// A table as HTML: a caption, column headers, the first cell of a row as its header,
/// numbers right-aligned.
pub(super) fn table_html(t: &Table) -> String {
    let align = |kind: ColumnKind| if kind == ColumnKind::Number { " class=\"num\"" } else { "" };
    let mut html = format!("<div class=\"scroll\">\n<table>\n<caption>{}</caption>\n<thead><tr>", escape(&t.title));
    for c in &t.columns {
        let _ = write!(html, "<th scope=\"col\"{}>{}</th>", align(c.kind), escape(&c.name));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        html.push_str("<tr>");
        for (i, (cell, c)) in row.iter().zip(&t.columns).enumerate() {
            let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
            let end = if i == 0 { "th" } else { "td" };
            let _ = write!(html, "<{tag}{}>{}</{end}>", align(c.kind), escape(cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</div>\n");
    html
}

/// A page of a command's tables, each with its chart.
pub fn tables(title: &str, tables: &[Table]) -> String {
    let mut body = header(title, &format!("{} {}", tables.len(), if tables.len() == 1 { "table" } else { "tables" }));
    body.push_str("<main>\n");
    if tables.len() > 1 {
        body.push_str("<nav class=\"toc\" aria-label=\"Tables\">\n<h2>Tables</h2>\n<ul>\n");
        for (i, t) in tables.iter().enumerate() {
            let _ = writeln!(body, "<li><a href=\"#table-{}\">{}</a></li>", i + 1, escape(&t.title));
        }
        body.push_str("</ul>\n</nav>\n");
    }
    for (i, t) in tables.iter().enumerate() {
        let _ = writeln!(body, "<section class=\"figures\" id=\"table-{}\">\n<h2>{}</h2>", i + 1, escape(&t.title));
        if let Some(chart) = &t.chart {
            body.push_str(&bar_chart(&chart.title, &chart_bars(t, chart)));
        }
        body.push_str(&table_html(t));
        body.push_str("</section>\n");
    }
    body.push_str("</main>\n");
    page(title, "", &body, None)
}

/// The bars of a table's chart: a bar per row whose value is a number, in row order.
fn chart_bars(t: &Table, chart: &Chart) -> Vec<Bar> {
    let mut bars: Vec<Bar> = t
        .rows
        .iter()
        .filter_map(|row| {
            let text = row.get(chart.value)?;
            let value: f64 = text.trim().parse().ok()?;
            Some(Bar { label: row.get(chart.label)?.clone(), segments: vec![(value, "bar")], text: text.clone(), href: None })
        })
        .collect();
    cap(&mut bars, "rows");
    bars
}

/// Keeps the first [`MAX_BARS`] bars, summing the rest into one more (`12 other rules`).
fn cap(bars: &mut Vec<Bar>, what: &str) {
    if bars.len() <= MAX_BARS {
        return;
    }
    let rest = bars.split_off(MAX_BARS - 1);
    let total: f64 = rest.iter().map(Bar::total).sum();
    // A line of text, not a bar: the sum of many small ones would dwarf the real bars.
    bars.push(Bar {
        label: format!("{} other {what}", rest.len()),
        segments: Vec::new(),
        text: format!("{} in all", format_number(total)),
        href: None,
    });
}

/// A count or a figure as it reads best: whole numbers without decimals.
fn format_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// The findings report of a run: what ran, the counts, a chart per rule and per school, and
/// every finding in a table that filters by school, rule, severity and text.
pub fn findings(run: &Run<'_>) -> String {
    let sorted = worklist::sorted(run);
    let counts = Counts::of(run, &sorted);
    let mut body = header("Findings report", &format!("<code>{}</code> · as of {}", escape(&run.command), run.as_of));
    body.push_str("<main>\n");
    body.push_str(&summary(run, &counts));
    body.push_str(&charts(run, &counts));
    body.push_str(&filters(&counts, sorted.len()));
    body.push_str(&findings_table(run, &sorted));
    body.push_str("</main>\n");
    page("Findings report", "", &body, Some(FINDINGS_SCRIPT))
}

/// Findings counted by school and rule, and the students they are about.
struct Counts {
    /// Per school (`""`: no school): fatal, warning and info findings.
    schools: BTreeMap<String, [u64; 3]>,
    /// Per input file (`""`: about the whole run), the same.
    files: BTreeMap<String, [u64; 3]>,
    /// Per rule: its severity and findings.
    rules: BTreeMap<&'static str, (Severity, u64)>,
    students: BTreeSet<String>,
}

impl Counts {
    fn of(run: &Run<'_>, findings: &[&Finding]) -> Counts {
        let mut counts = Counts { schools: BTreeMap::new(), files: BTreeMap::new(), rules: BTreeMap::new(), students: BTreeSet::new() };
        for f in findings {
            let at = match f.severity() {
                Severity::Fatal => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            };
            counts.schools.entry(f.school.clone().unwrap_or_default()).or_default()[at] += 1;
            counts.files.entry(run.file_of(f).unwrap_or_default().to_owned()).or_default()[at] += 1;
            counts.rules.entry(f.rule.id).or_insert((f.severity(), 0)).1 += 1;
            if let Some(student) = f.ssid.as_ref().or(f.local_student_id.as_ref()) {
                counts.students.insert(student.clone());
            }
        }
        counts
    }
}

/// The counts as cards, then the run: command, date, inputs, rules not checked.
fn summary(run: &Run<'_>, counts: &Counts) -> String {
    let t = run.tally;
    let mut html = String::from("<section aria-label=\"Summary\">\n<div class=\"cards\">\n");
    for (class, n, what) in [
        ("fatal", t.fatal, "fatal"),
        ("warning", t.warning, if t.warning == 1 { "warning" } else { "warnings" }),
        ("info", t.info, "info"),
        ("", counts.students.len() as u64, "students with findings"),
        ("", counts.schools.keys().filter(|s| !s.is_empty()).count() as u64, "schools with findings"),
        ("", run.totals.records, "records checked"),
    ] {
        let _ = writeln!(html, "<div class=\"card {class}\"><span class=\"n\">{n}</span><span class=\"what\">{what}</span></div>");
    }
    html.push_str("</div>\n<dl class=\"run\">\n");
    let inputs: String = run.inputs.iter().map(|i| format!("<li><code>{}</code></li>", escape(&i.display))).collect();
    let _ = writeln!(html, "<dt>Inputs</dt><dd><ul>{inputs}</ul></dd>");
    if !run.totals.not_checked.is_empty() {
        let rules: Vec<String> = run.totals.not_checked.iter().map(|n| format!("{} (needs <code>{}</code>)", n.rule.id, escape(n.needs))).collect();
        let _ = writeln!(html, "<dt>Not checked</dt><dd>{}</dd>", rules.join(", "));
    }
    if run.totals.accepted > 0 {
        let _ = writeln!(html, "<dt>Accepted</dt><dd>{} findings accepted in the baseline are left out</dd>", run.totals.accepted);
    }
    html.push_str("</dl>\n</section>\n");
    html
}

/// A chart of findings per rule (colored by severity) and one per school (stacked by
/// severity); a bar links to the table filtered to it.
fn charts(run: &Run<'_>, counts: &Counts) -> String {
    if run.findings.is_empty() {
        return "<p class=\"note\">No findings.</p>\n".to_owned();
    }
    let mut rules: Vec<(&&str, &(Severity, u64))> = counts.rules.iter().collect();
    rules.sort_by_key(|(id, (severity, n))| (std::cmp::Reverse(*n), *severity, **id));
    let mut rule_bars: Vec<Bar> = rules
        .into_iter()
        .map(|(id, (severity, n))| Bar {
            label: (*id).to_owned(),
            segments: vec![(*n as f64, severity.as_str())],
            text: n.to_string(),
            href: Some(format!("#rule={}", fragment_value(id))),
        })
        .collect();
    cap(&mut rule_bars, "rules");
    let legend = "<ul class=\"legend\"><li><span class=\"key fatal\"></span>fatal</li><li><span class=\"key warning\"></span>warning</li>\
                  <li><span class=\"key info\"></span>info</li><li>Select a bar to show its findings.</li></ul>\n";
    format!(
        "<h2>Findings by rule, school and file</h2>\n{legend}<div class=\"charts\">\n{}<div>\n{}{}</div>\n</div>\n",
        bar_chart("Findings per rule", &rule_bars),
        bar_chart("Findings per school", &stacked_bars(&counts.schools, "school", "(no school)")),
        bar_chart("Findings per file", &stacked_bars(&counts.files, "file", "(the whole run)"))
    )
}

/// A bar per key (`""` labelled `none`), stacked by severity, linking to the table filtered
/// by `filter`.
fn stacked_bars(counts: &BTreeMap<String, [u64; 3]>, filter: &str, none: &str) -> Vec<Bar> {
    counts
        .iter()
        .map(|(key, n)| Bar {
            label: if key.is_empty() { none.to_owned() } else { key.clone() },
            segments: vec![(n[0] as f64, "fatal"), (n[1] as f64, "warning"), (n[2] as f64, "info")],
            text: n.iter().sum::<u64>().to_string(),
            href: Some(format!("#{filter}={}", fragment_value(if key.is_empty() { "-" } else { key }))),
        })
        .collect()
}

/// `text` percent-encoded for a URL fragment's value (what the filter script decodes).
fn fragment_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The filter form: a select each for school, rule and severity, and a text box.
fn filters(counts: &Counts, total: usize) -> String {
    let option = |value: &str, label: &str, n: u64| format!("<option value=\"{}\">{} ({n})</option>", escape(value), escape(label));
    let keyed = |counts: &BTreeMap<String, [u64; 3]>, none: &str| -> String {
        counts.iter().map(|(k, n)| if k.is_empty() { option("-", none, n.iter().sum()) } else { option(k, k, n.iter().sum()) }).collect()
    };
    let rules: String = counts.rules.iter().map(|(id, (_, n))| option(id, id, *n)).collect();
    let mut severities = String::new();
    for severity in [Severity::Fatal, Severity::Warning, Severity::Info] {
        let n: u64 = counts.rules.values().filter(|(s, _)| *s == severity).map(|(_, n)| n).sum();
        if n > 0 {
            severities.push_str(&option(severity.as_str(), severity.as_str(), n));
        }
    }
    let select = |id: &str, label: &str, all: &str, options: &str| {
        format!("<label for=\"filter-{id}\">{label}<select id=\"filter-{id}\"><option value=\"\">{all}</option>{options}</select></label>\n")
    };
    format!(
        "<h2 id=\"list\">Findings</h2>\n<form id=\"filters\" class=\"filters\" role=\"search\" aria-controls=\"findings\">\n{}{}{}{}\
         <label for=\"filter-q\">Text<input id=\"filter-q\" type=\"search\" placeholder=\"name, SSID, field, message…\" autocomplete=\"off\"></label>\n\
         <button type=\"reset\">Show all</button>\n</form>\n\
         <p id=\"shown\" class=\"shown\" aria-live=\"polite\">Showing {total} of {total} {}</p>\n\
         <p id=\"no-match\" class=\"note\" hidden>No finding matches the filter.</p>\n",
        select("school", "School", "All schools", &keyed(&counts.schools, "(no school)")),
        select("rule", "Rule", "All rules", &rules),
        select("severity", "Severity", "All severities", &severities),
        select("file", "File", "All files", &keyed(&counts.files, "(the whole run)")),
        if total == 1 { "finding" } else { "findings" }
    )
}

/// The table of findings, a row each in worklist order, with `data-` attributes the filter
/// reads.
fn findings_table(run: &Run<'_>, sorted: &[&Finding]) -> String {
    let mut html = String::from(
        "<div class=\"scroll\">\n<table id=\"findings\">\n<caption>Findings by school, severity and student</caption>\n\
         <colgroup><col class=\"c-sev\"><col class=\"c-school\"><col class=\"c-student\"><col class=\"c-record\"><col><col class=\"c-rule\"></colgroup>\n<thead><tr>\
         <th scope=\"col\">Severity</th><th scope=\"col\">School</th><th scope=\"col\">Student</th><th scope=\"col\">Record</th>\
         <th scope=\"col\">Finding and how to fix it</th><th scope=\"col\">Rule</th></tr></thead>\n<tbody>\n",
    );
    for f in sorted {
        html.push_str(&finding_row(run, f));
    }
    html.push_str("</tbody>\n</table>\n</div>\n");
    html
}

/// One finding as a table row.
fn finding_row(run: &Run<'_>, f: &Finding) -> String {
    let school = f.school.as_deref().unwrap_or_default();
    let severity = f.severity().as_str();
    let student = match (&f.student_name, &f.ssid, &f.local_student_id) {
        (name, Some(ssid), _) => format!("{}<span class=\"sub\">SSID {}</span>", name.as_deref().map(escape).unwrap_or_default(), escape(ssid)),
        (name, None, Some(local)) => {
            format!("{}<span class=\"sub\">local ID {}</span>", name.as_deref().map(escape).unwrap_or_default(), escape(local))
        }
        (Some(name), None, None) => escape(name),
        (None, None, None) => String::new(),
    };
    let mut place = escape(run.file_of(f).unwrap_or("(all files)"));
    if let Some(line) = f.at.line {
        let _ = write!(place, "<span class=\"sub\">line {line}</span>");
    }
    if let Some(field) = &f.field {
        let _ = write!(place, "<span class=\"sub\"><code>{}</code></span>", escape(field));
    }
    let state = f.state_rule().map(|s| format!("<span class=\"sub\">state rule {}</span>", escape(s))).unwrap_or_default();
    format!(
        "<tr data-school=\"{}\" data-rule=\"{}\" data-severity=\"{severity}\" data-file=\"{}\">\
         <td><span class=\"sev {severity}\">{severity}</span></td><td>{}</td><td>{student}</td><td>{place}</td>\
         <td class=\"finding\"><p class=\"msg\">{}</p>{}<p class=\"fix\"><b>Fix:</b> {}</p>{}</td>\
         <td><code title=\"{}\">{}</code>{state}<span class=\"sub\">{}</span></td></tr>\n",
        escape(school),
        escape(f.rule.id),
        escape(run.file_of(f).unwrap_or_default()),
        escape(school),
        escape(&f.message),
        excerpt(f),
        escape(&f.help),
        related(run, f),
        escape(f.rule.summary),
        escape(f.rule.id),
        f.rule.category.as_str()
    )
}

/// The record's line around the offending field, the field in `<mark>`.
fn excerpt(f: &Finding) -> String {
    let Some(e) = &f.excerpt else {
        return f.value.as_ref().map(|v| format!("<code class=\"record\"><mark>{}</mark></code>", escape(v))).unwrap_or_default();
    };
    let (text, span) = super::human::trim(&e.text, e.span, EXCERPT_CHARS);
    let parts = span.and_then(|(s, l)| Some((text.get(..s)?, text.get(s..s + l)?, text.get(s + l..)?)));
    let code = match parts {
        Some((before, field, after)) => format!("{}<mark>{}</mark>{}", escape(before), escape(field), escape(after)),
        None => escape(&text),
    };
    format!("<code class=\"record\">{code}</code>")
}

/// `Related: senr.txt line 56, …` for a finding across records.
fn related(run: &Run<'_>, f: &Finding) -> String {
    const SHOWN: usize = 5;
    if f.related.is_empty() {
        return String::new();
    }
    let mut places: Vec<String> = f.related.iter().take(SHOWN).map(|r| format!("{} line {}", escape(run.input_name(r.file)), r.line)).collect();
    if f.related.len() > SHOWN {
        places.push(format!("and {} more", f.related.len() - SHOWN));
    }
    format!("<p class=\"sub\">Related: {}</p>", places.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::table::Column;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn fragment_values_are_percent_encoded() {
        assert_eq!(fragment_value("samples/errors/senr.txt"), "samples%2Ferrors%2Fsenr.txt");
        assert_eq!(fragment_value("a&b=c é"), "a%26b%3Dc%20%C3%A9");
        assert_eq!(fragment_value("ATT-STAS-MISMATCH"), "ATT-STAS-MISMATCH");
    }

    #[test]
    fn the_policy_allows_the_pages_own_style_and_script_only() {
        let html = page("t", "", "<p>x</p>", Some("let a = 1;"));
        assert!(html.contains(&format!("script-src {}", hash_source("let a = 1;"))));
        assert!(html.contains(&format!("style-src {}", hash_source(STYLE))));
        assert!(!html.contains("unsafe-inline"));
    }

    #[test]
    fn tables_escape_align_and_chart() {
        let mut t = Table::new("ADA <by> school", vec![Column::text("school"), Column::number("ada")]);
        t.push(vec!["<script>".to_owned(), "12.5".to_owned()]);
        t.push(vec!["0100002".to_owned(), "n/a".to_owned()]);
        let t = t.with_chart("ADA", "school", "ada");
        let html = tables("ADA", std::slice::from_ref(&t));
        assert!(html.contains("<caption>ADA &lt;by&gt; school</caption>") && html.contains("&lt;script&gt;"));
        assert!(html.contains("<td class=\"num\">12.5</td>"));
        assert_eq!(html.matches("<rect ").count(), 1, "a bar for the row whose value is a number");
        assert_eq!(html, tables("ADA", &[t]), "the same bytes every time");
    }

    #[test]
    fn long_chart_labels_are_cut_and_many_bars_capped() {
        let mut bars: Vec<Bar> = (0..20)
            .map(|i| Bar { label: format!("RULE-{i:02}-{}", "X".repeat(40)), segments: vec![(1.0, "fatal")], text: "1".to_owned(), href: None })
            .collect();
        cap(&mut bars, "rules");
        assert_eq!(bars.len(), MAX_BARS);
        assert_eq!(bars[MAX_BARS - 1].label, "6 other rules");
        assert_eq!(bars[MAX_BARS - 1].text, "6 in all");
        let svg = bar_chart("c", &bars);
        assert!(svg.contains(&format!(">RULE-00-{}…</text>", "X".repeat(21))), "cut to 30 characters");
    }
}
