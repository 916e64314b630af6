//! The printable calendar: one self-contained HTML page (the shell of [`super::html`]) with a
//! page per school: its year as a grid of months in 7-day weeks, each day colored by its type
//! (school day, holiday, break, weekend), the first day of every school month numbered,
//! Census Day ringed, a legend, and the school months in a table. It reads the calendar model
//! ([`crate::domain::calendar`]) and nothing of the command that asks for it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, Months, NaiveDate};

use super::html::{self, escape, header};
use crate::domain::calendar::{Calendar, DayType, SchoolMonth};
use crate::domain::codes::school_code;
use crate::domain::date::{day_number, from_day_number};

/// The calendar page's own style (the month grid, day colors, a page per school in print).
const STYLE: &str = include_str!("assets/calendar.css");

/// The week's columns, Sunday first (as a US school calendar is printed).
const WEEKDAYS: [(&str, &str); 7] =
    [("Su", "Sunday"), ("Mo", "Monday"), ("Tu", "Tuesday"), ("We", "Wednesday"), ("Th", "Thursday"), ("Fr", "Friday"), ("Sa", "Saturday")];

/// The printable calendar of `schools` (`None`: the district-wide rows), read from `source`,
/// with `census` (Census Day) marked.
pub fn page(calendar: &Calendar, schools: &[Option<u32>], source: &str, census: Option<NaiveDate>) -> String {
    let year = calendar.year().map(|y| format!(" {y}")).unwrap_or_default();
    let title = format!("Attendance calendar{year}");
    let census_text = census.map(|d| format!(" · Census Day {}", d.format("%A %Y-%m-%d"))).unwrap_or_default();
    let mut body = header(&title, &format!("<code>{}</code>{census_text}", escape(source)));
    body.push_str("<main>\n");
    if schools.is_empty() {
        body.push_str("<p class=\"note\">The calendar has no dates.</p>\n");
    }
    for school in schools {
        body.push_str(&school_page(calendar, *school, census.map(day_number), &year));
    }
    body.push_str("</main>\n");
    html::page(&title, STYLE, &body, None)
}

/// What a day is, for its color and its description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    School,
    Holiday,
    /// A weekday off (a break, a staff day).
    Break,
    /// A Saturday or Sunday off.
    Weekend,
    /// A date the calendar has no row for.
    Unknown,
}

impl Kind {
    fn of(day: i32, kind: Option<DayType>) -> Kind {
        let weekend = from_day_number(day).weekday().num_days_from_monday() >= 5;
        match kind {
            Some(DayType::School) => Kind::School,
            Some(DayType::Holiday) => Kind::Holiday,
            Some(DayType::NonSchool) if weekend => Kind::Weekend,
            Some(DayType::NonSchool) => Kind::Break,
            None => Kind::Unknown,
        }
    }

    /// The CSS class, also the legend's.
    fn class(self) -> &'static str {
        match self {
            Kind::School => "school",
            Kind::Holiday => "holiday",
            Kind::Break => "break",
            Kind::Weekend => "weekend",
            Kind::Unknown => "unknown",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::School => "school day",
            Kind::Holiday => "holiday",
            Kind::Break => "non-school day (break)",
            Kind::Weekend => "weekend",
            Kind::Unknown => "not in the calendar",
        }
    }
}

/// One school's page: its facts, the legend, the months and the school months.
fn school_page(calendar: &Calendar, school: Option<u32>, census: Option<i32>, year: &str) -> String {
    let days: BTreeMap<i32, DayType> = calendar.effective(school).map(|(d, c)| (d, c.kind)).collect();
    let months = calendar.months(school);
    let who = school.map_or_else(|| "Every school (district-wide calendar)".to_owned(), |s| format!("School {}", school_code(s)));
    let mut html = format!("<section class=\"school\" data-school=\"{}\">\n<h2>{who}{year}</h2>\n", school.map(school_code).unwrap_or_default());
    let (Some(&first), Some(&last)) = (days.keys().next(), days.keys().next_back()) else {
        html.push_str("<p class=\"note\">No dates.</p>\n</section>\n");
        return html;
    };
    html.push_str(&facts(&days, &months, census));
    html.push_str(LEGEND);
    let starts: BTreeMap<i32, u16> = months.iter().map(|m| (m.first, m.number)).collect();
    html.push_str("<div class=\"months\">\n");
    let mut month = from_day_number(first).with_day(1).unwrap_or(NaiveDate::MIN);
    while day_number(month) <= last {
        html.push_str(&month_table(month, &days, &starts, census));
        month = month.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    }
    html.push_str("</div>\n");
    html.push_str(&months_table(&months));
    html.push_str("</section>\n");
    html
}

/// `180 days taught in 11 school months · first day … · 12 holidays`.
fn facts(days: &BTreeMap<i32, DayType>, months: &[SchoolMonth], census: Option<i32>) -> String {
    let count = |kind: Kind| days.iter().filter(|(d, k)| Kind::of(**d, Some(**k)) == kind).count();
    let school: Vec<i32> = days.iter().filter(|(_, k)| **k == DayType::School).map(|(d, _)| *d).collect();
    let date = |d: i32| from_day_number(d).format("%a %Y-%m-%d").to_string();
    let mut parts = vec![format!("{} school days in {} school months", count(Kind::School), months.len())];
    if let (Some(first), Some(last)) = (school.first(), school.last()) {
        parts.push(format!("first day {}, last day {}", date(*first), date(*last)));
    }
    parts.push(format!("{} holidays, {} weekdays off", count(Kind::Holiday), count(Kind::Break)));
    if let Some(c) = census {
        parts.push(format!("Census Day {} ({})", date(c), Kind::of(c, days.get(&c).copied()).describe()));
    }
    format!("<p class=\"facts\">{}</p>\n", escape(&parts.join(" · ")))
}

/// What the colors and marks mean.
const LEGEND: &str = "<ul class=\"legend\" aria-label=\"Legend\">\
<li><span class=\"key school\"></span>School day</li><li><span class=\"key holiday\"></span>Holiday</li>\
<li><span class=\"key break\"></span>Weekday off (break)</li><li><span class=\"key weekend\"></span>Weekend</li>\
<li><span class=\"key start\"><span class=\"sm\">3</span></span>First day of school month 3</li>\
<li><span class=\"key census\"></span>Census Day</li></ul>\n";

/// One calendar month as a table of weeks, Sunday first.
fn month_table(month: NaiveDate, days: &BTreeMap<i32, DayType>, starts: &BTreeMap<i32, u16>, census: Option<i32>) -> String {
    let mut html = format!("<table class=\"month\">\n<caption>{}</caption>\n<thead><tr>", month.format("%B %Y"));
    for (short, long) in WEEKDAYS {
        let _ = write!(html, "<th scope=\"col\" abbr=\"{long}\">{short}</th>");
    }
    html.push_str("</tr></thead>\n<tbody>\n<tr>");
    let lead = month.weekday().num_days_from_sunday();
    html.push_str(&"<td></td>".repeat(lead as usize));
    let first = day_number(month);
    let next = day_number(month.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX));
    for day in first..next {
        if day > first && from_day_number(day).weekday().num_days_from_sunday() == 0 {
            html.push_str("</tr>\n<tr>");
        }
        html.push_str(&day_cell(day, days.get(&day).copied(), starts.get(&day).copied(), census == Some(day)));
    }
    let trail = (7 - (lead + (next - first) as u32) % 7) % 7;
    html.push_str(&"<td></td>".repeat(trail as usize));
    html.push_str("</tr>\n</tbody>\n</table>\n");
    html
}

/// One day: its number, colored by its type; the school month it begins; Census Day.
fn day_cell(day: i32, kind: Option<DayType>, starts: Option<u16>, census: bool) -> String {
    let kind = Kind::of(day, kind);
    let date = from_day_number(day);
    let mut class = kind.class().to_owned();
    let mut title = format!("{}: {}", date, kind.describe());
    let mut mark = String::new();
    if let Some(n) = starts {
        class.push_str(" start");
        let _ = write!(title, "; school month {n} begins");
        mark = format!("<span class=\"sm\">{n}</span>");
    }
    if census {
        class.push_str(" census");
        title.push_str("; Census Day");
    }
    format!("<td class=\"{class}\" title=\"{title}\"><span class=\"d\">{}</span>{mark}</td>", date.day())
}

/// The school months: number, first and last day, days taught, full or partial.
fn months_table(months: &[SchoolMonth]) -> String {
    if months.is_empty() {
        return "<p class=\"note\">No school months: the calendar has no school day.</p>\n".to_owned();
    }
    let mut html = String::from(
        "<table class=\"school-months\">\n<caption>School months</caption>\n<thead><tr><th scope=\"col\">School month</th>\
         <th scope=\"col\">First day</th><th scope=\"col\">Last day</th><th scope=\"col\" class=\"num\">Days taught</th>\
         <th scope=\"col\">Full (20 days)</th></tr></thead>\n<tbody>\n",
    );
    for m in months {
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\" class=\"num\">{}</th><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            m.number,
            from_day_number(m.first).format("%a %Y-%m-%d"),
            from_day_number(m.last).format("%a %Y-%m-%d"),
            m.school_days,
            if m.full { "yes" } else { "no (partial)" }
        );
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> i32 {
        day_number(crate::domain::date::parse_iso(s).unwrap())
    }

    #[test]
    fn a_page_per_school_with_census_day_and_month_starts() {
        let mut cal = Calendar::default();
        for day in d("2025-09-29")..=d("2025-10-10") {
            let weekend = from_day_number(day).weekday().num_days_from_monday() >= 5;
            cal.insert(None, day, if weekend { DayType::NonSchool } else { DayType::School }, None);
        }
        cal.insert(Some(9990011), d("2025-10-06"), DayType::Holiday, None);
        cal.insert(Some(9990011), d("2025-10-07"), DayType::NonSchool, None);
        cal.finish();
        let census = crate::domain::date::parse_iso("2025-10-01");
        let html = page(&cal, &[Some(9990011), Some(9990029)], "cal.csv", census);
        assert_eq!(html.matches("<section class=\"school\"").count(), 2);
        assert_eq!(html.matches("<caption>October 2025</caption>").count(), 2);
        assert_eq!(html.matches("class=\"school census\"").count(), 2, "Census Day ringed on each page");
        assert!(html.contains("title=\"2025-09-29: school day; school month 1 begins\""));
        assert!(html.contains("title=\"2025-10-06: holiday\"") && html.contains("title=\"2025-10-07: non-school day (break)\""));
        assert!(html.contains("title=\"2025-10-04: weekend\"") && html.contains("title=\"2025-10-31: not in the calendar\""));
        // September 2025 starts on a Monday: one empty cell before it.
        assert!(html.contains("<tbody>\n<tr><td></td><td class=\"unknown\" title=\"2025-09-01"));
    }
}
