//! The HTML reports (issue #13): the findings report, a command's tables and the printable
//! calendar, read as files and, after their script ran, as the DOM headless Chromium dumps.

use std::path::Path;

use serde_json::Value;

use crate::util::{json_lines, rollcall, root, AS_OF};

/// Headless Chromium (Debian package `chromium`; `.ci/run` installs it). Without one, the
/// browser half of a test is skipped with a note, unless `CI` is set: there it fails.
fn browser() -> Option<String> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if std::process::Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Some(name.to_owned());
        }
    }
    assert!(std::env::var_os("CI").is_none(), "no headless Chromium found: install the Debian package `chromium` (.ci/run does)");
    eprintln!("no headless Chromium: the browser checks are skipped");
    None
}

const HEADLESS: [&str; 4] = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"];

/// The DOM of `page` (with `fragment`, like `#school=9990011`) after its script ran.
fn dom(browser: &str, page: &Path, fragment: &str) -> String {
    let url = format!("file://{}{fragment}", page.display());
    let out = std::process::Command::new(browser).args(HEADLESS).arg("--dump-dom").arg(&url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The opening tags of the table rows of findings in a dumped DOM.
fn finding_rows(dom: &str) -> Vec<&str> {
    dom.match_indices("<tr data-school=").map(|(at, _)| &dom[at..at + dom[at..].find('>').unwrap()]).collect()
}

/// `check --format json --report FILE` on `input`: the diagnostics and the summary line.
fn check_with_report(input: &Path, report: &Path) -> (Vec<Value>, Value) {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(input).arg("--report").arg(report).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let mut lines = json_lines(&out.stdout);
    let summary = lines.pop().unwrap();
    assert_eq!(summary["kind"], "summary");
    (lines, summary)
}

/// Runs `rollcall ARGS --report DIR/FILE` (successfully) and reads the report.
fn write_report(args: &[&str], file: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    rollcall().args(args).arg("--report").arg(&path).assert().success();
    let text = std::fs::read_to_string(&path).unwrap();
    (dir, path, text)
}

/// Every `src=`/`href=` of a page points into the page itself, and no URL is written at all.
fn assert_self_contained(html: &str) {
    assert!(!html.contains("http://") && !html.contains("https://"), "a URL in the page");
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = &html[at + attr.len()..];
            assert!(value.starts_with('#'), "{attr}{} leaves the page", &value[..value.find('"').unwrap()]);
        }
    }
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
}

#[test]
fn findings_report_shows_every_finding_and_filters_by_the_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("out.html");
    let (diagnostics, summary) = check_with_report(&root().join("samples/errors"), &page);
    let total = diagnostics.len();
    assert_eq!(total as u64, summary["fatal"].as_u64().unwrap() + summary["warning"].as_u64().unwrap() + summary["info"].as_u64().unwrap());
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(finding_rows(&html).len(), total, "a row per finding");
    assert!(html.contains("<mark>"), "the offending field is highlighted");
    let Some(browser) = browser() else { return };

    let all = dom(&browser, &page, "");
    let rows = finding_rows(&all);
    assert_eq!(rows.len(), total);
    assert!(rows.iter().all(|r| !r.contains("hidden")), "nothing hidden without a filter");
    assert!(all.contains(&format!("Showing {total} of {total} findings")));

    let school = "9990029";
    let of_school = diagnostics.iter().filter(|d| d["school_of_attendance"] == school).count();
    assert!(of_school > 0 && of_school < total);
    let filtered = dom(&browser, &page, &format!("#school={school}"));
    let rows = finding_rows(&filtered);
    let shown: Vec<&&str> = rows.iter().filter(|r| !r.contains("hidden")).collect();
    assert_eq!(shown.len(), of_school, "only the school's rows are visible");
    assert!(shown.iter().all(|r| r.contains(&format!("data-school=\"{school}\""))));
    assert!(filtered.contains(&format!("Showing {of_school} of {total} findings")));

    // Filters combine: a school's warnings.
    let warnings = diagnostics.iter().filter(|d| d["school_of_attendance"] == school && d["severity"] == "warning").count();
    let both = dom(&browser, &page, &format!("#school={school}&severity=warning"));
    assert_eq!(finding_rows(&both).iter().filter(|r| !r.contains("hidden")).count(), warnings);
    // A file, by the name the findings give it (percent-encoded as a chart's link has it).
    let file = diagnostics[0]["file"].as_str().unwrap();
    let of_file = diagnostics.iter().filter(|d| d["file"] == file).count();
    let by_file = dom(&browser, &page, &format!("#file={}", file.replace('/', "%2F")));
    assert!(by_file.contains(&format!("Showing {of_file} of {total} findings")));
}

#[test]
fn findings_report_is_self_contained_and_the_same_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    check_with_report(&root().join("samples/errors"), &page);
    let first = std::fs::read(&page).unwrap();
    check_with_report(&root().join("samples/errors"), &page);
    assert_eq!(std::fs::read(&page).unwrap(), first, "the same input gives the same bytes");
    let html = String::from_utf8(first).unwrap();
    assert_self_contained(&html);
    assert!(!html.contains("unsafe-inline"), "style and script are allowed by hash");
    assert_eq!(html.matches("<svg ").count(), 3, "a chart per rule, per school and per file");
    for label in ["<label for=\"filter-school\">", "<label for=\"filter-rule\">", "<label for=\"filter-severity\">", "<label for=\"filter-q\">"] {
        assert!(html.contains(label), "{label}");
    }
    assert!(html.contains("<caption>") && html.contains("<th scope=\"col\">") && html.contains("@media print"));
}

#[test]
fn a_name_with_markup_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for name in ["senr.txt", "sinf.txt", "stas.txt", "attendance.csv", "calendar.csv"] {
        std::fs::copy(root().join("samples/errors").join(name), data.join(name)).unwrap();
    }
    // The last name (field 13) of the third SINF record.
    let hostile = "<script>alert(1)</script>";
    // (The sample has bytes that are not UTF-8 elsewhere: edit it as bytes.)
    let sinf = std::fs::read(data.join("sinf.txt")).unwrap();
    let mut lines: Vec<Vec<u8>> = sinf.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    let mut fields: Vec<&[u8]> = lines[2].split(|b| *b == b'^').collect();
    fields[12] = hostile.as_bytes();
    lines[2] = fields.join(&b'^');
    std::fs::write(data.join("sinf.txt"), lines.join(&b'\n')).unwrap();

    let page = dir.path().join("out.html");
    let (diagnostics, _) = check_with_report(&data, &page);
    assert!(diagnostics.iter().any(|d| d["value"] == hostile), "the name is a finding's value");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains(hostile) && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(html.matches("<script").count(), 1, "the page's own script only");
    let Some(browser) = browser() else { return };
    let dom = dom(&browser, &page, "");
    assert!(!dom.contains(hostile), "no script element made of the name");
    assert_eq!(dom.matches("<script").count(), 1);
    assert!(dom.contains("CAMILA &lt;script&gt;alert(1)&lt;/script&gt;"), "the name shown as text");
}

#[test]
fn ada_report_has_its_table_and_a_chart() {
    let (_dir, page, html) = write_report(&["ada", "samples/clean", "--as-of", AS_OF], "ada.html");
    assert_self_contained(&html);
    assert!(html.contains("<caption>ADA by school and grade span</caption>"), "the main table");
    assert!(html.contains("<td class=\"num\">83.71</td>"), "numbers right-aligned");
    assert!(html.contains("<svg ") && html.contains("<rect "), "a bar chart");
    assert!(!html.contains("<script"), "no script on a page of tables");
    let Some(browser) = browser() else { return };
    let dom = dom(&browser, &page, "");
    assert!(dom.contains("<svg ") && dom.contains("9990011"));
}

#[test]
fn printable_calendar_has_a_page_per_school_with_census_day() {
    let (dir, _, html) = write_report(&["calendar", "samples/clean/calendar.csv"], "cal.html");
    assert_self_contained(&html);
    assert_eq!(html.matches("<section class=\"school\"").count(), 1, "the sample's rows apply to every school");
    assert_eq!(html.matches("<table class=\"month\">").count(), 11, "August to June");
    assert!(html.contains("title=\"2025-10-01: school day; Census Day\""), "Census Day marked");
    assert!(html.contains("school month 1 begins") && html.contains("school month 11 begins"));
    assert!(html.contains("page-break-after: always"));

    // A school with rows of its own gets a page of its own; printed, each is one sheet.
    let calendar = dir.path().join("calendar.csv");
    let mut text = std::fs::read_to_string(root().join("samples/clean/calendar.csv")).unwrap();
    text.push_str("9990011,2025-10-13,school\n");
    std::fs::write(&calendar, text).unwrap();
    let two = dir.path().join("two.html");
    rollcall().arg("calendar").arg(&calendar).arg("--report").arg(&two).assert().success();
    let html = std::fs::read_to_string(&two).unwrap();
    assert_eq!(html.matches("<section class=\"school\"").count(), 2);
    assert!(html.contains("<h2>School 9990011 2025-2026</h2>"));
    let Some(browser) = browser() else { return };
    let pdf = dir.path().join("two.pdf");
    let out = std::process::Command::new(&browser)
        .args(HEADLESS)
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", two.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pdf = std::fs::read(&pdf).unwrap();
    let pages = pdf.windows(12).filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's').count();
    assert_eq!(pages, 2, "one printed page per school");
}

#[test]
fn calendar_writes_months_as_csv_and_refuses_sarif() {
    let (dir, _, text) = write_report(&["calendar", "samples/clean/calendar.csv"], "months.csv");
    assert!(text.starts_with("\u{feff}school_of_attendance,month,first_date,last_date,school_days,full\r\n"), "{text}");
    assert!(text.contains(",11,2026-05-22,2026-06-05,10,N\r\n"), "{text}");
    let out = rollcall().args(["calendar", "samples/clean/calendar.csv", "--report"]).arg(dir.path().join("c.sarif")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot be SARIF"), "{err}");
}
