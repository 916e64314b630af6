//! First truancy notifications as printable HTML: a template (the project's, in
//! `templates/`, or a district's own, in one or more languages) filled for each newly truant
//! student, one file per student and one combined file with a page break after each letter.
//! Every value is HTML-escaped before it reaches the page; a placeholder the template does not
//! know is an error, so a typo never prints as `{{studnt_name}}`.

use std::fmt::Write as _;

/// The project's template (English), from `templates/`.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/truancy-first-notification.html");

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 10] =
    ["letter_date", "guardian_names", "address_lines", "student_name", "student_id", "ssid", "school", "truant_on", "occasions", "occasion_dates"];

/// The print style every letter file carries.
const STYLE: &str = "@page { size: letter; margin: 0.8in; }
body { font: 11.5pt/1.45 Georgia, 'Times New Roman', serif; color: #111; margin: 0; }
.letter { max-width: 6.9in; margin: 0 auto; padding: 0.4in 0; }
.letter + .letter { break-before: page; page-break-before: always; }
.date { text-align: right; }
address { font-style: normal; margin: 1.2em 0 1.6em; }
h1 { font-size: 15pt; margin: 0 0 0.6em; }
ul.dates { columns: 3; }
ol.notice li { margin-bottom: 0.3em; }
.signature { margin-top: 2em; }
@media screen { body { background: #eee; } .letter { background: #fff; padding: 0.8in; margin: 0.3in auto; box-shadow: 0 1px 4px #999; } }";

/// What one letter says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LetterData {
    pub letter_date: String,
    pub guardian_names: Vec<String>,
    pub address_lines: Vec<String>,
    pub student_name: String,
    pub student_id: String,
    pub ssid: String,
    pub school: String,
    pub truant_on: String,
    pub occasion_dates: Vec<String>,
}

pub use crate::report::html::escape;

/// Checks a template: every `{{name}}` in it is a known placeholder. The error names the
/// first unknown one and its line.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(at) = rest.find("{{") {
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}") else { return Err("a `{{` without its `}}`".to_owned()) };
        let name = after[..end].trim();
        if !PLACEHOLDERS.contains(&name) {
            let line = template[..template.len() - rest.len() + at].lines().count().max(1);
            return Err(format!("line {line}: unknown placeholder `{{{{{name}}}}}` (known: {})", PLACEHOLDERS.join(", ")));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// One letter's body: each template filled in, one after the other (a second language).
pub fn fill(templates: &[String], data: &LetterData) -> String {
    let list = |items: &[String], sep: &str| items.iter().map(|i| escape(i)).collect::<Vec<_>>().join(sep);
    let dates: String = data.occasion_dates.iter().map(|d| format!("<li>{}</li>", escape(d))).collect();
    let guardians = if data.guardian_names.is_empty() { escape("Parent or guardian") } else { list(&data.guardian_names, " and ") };
    let values: [(&str, String); 10] = [
        ("letter_date", escape(&data.letter_date)),
        ("guardian_names", guardians),
        ("address_lines", list(&data.address_lines, "<br>")),
        ("student_name", escape(&data.student_name)),
        ("student_id", escape(&data.student_id)),
        ("ssid", escape(&data.ssid)),
        ("school", escape(&data.school)),
        ("truant_on", escape(&data.truant_on)),
        ("occasions", data.occasion_dates.len().to_string()),
        ("occasion_dates", dates),
    ];
    let mut out = String::new();
    for template in templates {
        let mut text = template.clone();
        for (name, value) in &values {
            text = text.replace(&format!("{{{{{name}}}}}"), value);
        }
        let _ = write!(out, "<section class=\"letter\">\n{text}\n</section>\n");
    }
    out
}

/// A printable HTML document of `bodies` (letters), each starting on a new page.
pub fn document(title: &str, bodies: &[String]) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n",
        escape(title)
    );
    for b in bodies {
        out.push_str(b);
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_template_knows_its_placeholders_and_names_the_law() {
        check_template(DEFAULT_TEMPLATE).unwrap();
        check_template(include_str!("../../templates/truancy-first-notification.es.html")).unwrap();
        for needle in ["48260.5", "compel", "Alternative educational programs", "Mental health", "10 percent"] {
            assert!(DEFAULT_TEMPLATE.contains(needle), "{needle}");
        }
        assert!(check_template("<p>{{studnt_name}}</p>").unwrap_err().contains("studnt_name"));
    }

    #[test]
    fn no_value_reaches_the_page_unescaped() {
        let data = LetterData {
            student_name: "<script>alert(1)</script>".to_owned(),
            guardian_names: vec!["Ana & \"Bo\"".to_owned()],
            occasion_dates: vec!["2025-09-03".to_owned(); 3],
            ..LetterData::default()
        };
        let page = fill(&[DEFAULT_TEMPLATE.to_owned()], &data);
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("Ana &amp; &quot;Bo&quot;") && page.contains("on 3 occasions"));
        assert!(!page.contains("{{"), "every placeholder filled");
    }
}
