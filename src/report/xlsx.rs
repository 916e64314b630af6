//! Excel workbooks (rust_xlsxwriter): the worklist with a summary sheet and a sheet per
//! school, and a command's tables a sheet each. Every sheet has a bold frozen header, an
//! autofilter and columns sized to their text; IDs and codes are text cells (an SSID or a
//! school code keeps its leading zeros), numbers are numbers. Text cells are never formulas,
//! so district data cannot run in a workbook.

use std::collections::BTreeMap;
use std::io;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::table::{ColumnKind, Table};
use super::{worklist, Run};

/// Rows of data a sheet holds before it continues on another (Excel's limit less the header).
const MAX_ROWS: usize = 1_048_575;

/// The worklist of `run`: a summary sheet, then a sheet per school (findings of no school
/// last, on a sheet "No school").
pub fn worklist(run: &Run<'_>) -> io::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let mut by_school: BTreeMap<(bool, String), Vec<Vec<String>>> = BTreeMap::new();
    for f in worklist::sorted(run) {
        let key = (f.school.is_none(), f.school.clone().unwrap_or_default());
        by_school.entry(key).or_default().push(worklist::row(run, f));
    }
    // The summary: the run, then a line per school and a line per rule.
    let mut summary = Table::new("Summary", vec![super::table::Column::text("item"), super::table::Column::text("value")]);
    let t = run.tally;
    for (item, value) in [
        ("command", run.command.clone()),
        ("as of", run.as_of.to_string()),
        ("files", run.totals.files.to_string()),
        ("records", run.totals.records.to_string()),
        ("fatal", t.fatal.to_string()),
        ("warning", t.warning.to_string()),
        ("info", t.info.to_string()),
    ] {
        summary.push(vec![item.to_owned(), value]);
    }
    write_sheet(book.add_worksheet(), "Summary", &summary).map_err(xlsx_error)?;
    let mut schools = Table::new(
        "Schools",
        vec![
            super::table::Column::text("school"),
            super::table::Column::number("fatal"),
            super::table::Column::number("warning"),
            super::table::Column::number("info"),
            super::table::Column::number("students"),
        ],
    );
    for ((_, school), rows) in &by_school {
        let count = |s: &str| rows.iter().filter(|r| r[9] == s).count().to_string();
        let students: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| if r[1].is_empty() { r[2].as_str() } else { r[1].as_str() }).filter(|s| !s.is_empty()).collect();
        schools.push(vec![school_label(school), count("fatal"), count("warning"), count("info"), students.len().to_string()]);
    }
    write_sheet(book.add_worksheet(), "Schools", &schools).map_err(xlsx_error)?;
    let mut rules = Table::new(
        "Rules",
        vec![
            super::table::Column::text("rule"),
            super::table::Column::text("severity"),
            super::table::Column::text("state_rule"),
            super::table::Column::number("findings"),
            super::table::Column::text("summary"),
        ],
    );
    for (id, (rule, n)) in &t.by_rule {
        rules.push(vec![
            (*id).to_owned(),
            rule.severity.as_str().to_owned(),
            rule.state_rule.unwrap_or_default().to_owned(),
            n.to_string(),
            rule.summary.to_owned(),
        ]);
    }
    write_sheet(book.add_worksheet(), "Rules", &rules).map_err(xlsx_error)?;
    let mut used = std::collections::HashSet::new();
    for ((_, school), rows) in by_school {
        for (part, chunk) in rows.chunks(MAX_ROWS).enumerate() {
            let mut name = sheet_name(&school_label(&school));
            if part > 0 {
                name = format!("{name} ({})", part + 1);
            }
            while !used.insert(name.to_ascii_lowercase()) {
                name.push('_');
            }
            let table = Table { title: name.clone(), columns: worklist::columns(), rows: chunk.to_vec(), chart: None };
            write_sheet(book.add_worksheet(), &name, &table).map_err(xlsx_error)?;
        }
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// A workbook of `tables`, a sheet each, named by their titles.
pub fn tables(tables: &[Table]) -> io::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let mut used = std::collections::HashSet::new();
    for table in tables {
        let mut name = sheet_name(&table.title);
        while !used.insert(name.to_ascii_lowercase()) {
            name.push('_');
        }
        let rows = table.rows.len().min(MAX_ROWS);
        let cut = Table { rows: table.rows[..rows].to_vec(), ..table.clone() };
        write_sheet(book.add_worksheet(), &name, &cut).map_err(xlsx_error)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}

fn school_label(school: &str) -> String {
    if school.is_empty() {
        "No school".to_owned()
    } else {
        school.to_owned()
    }
}

/// A name Excel takes: at most 31 characters, none of `[]:*?/\`, not starting or ending with
/// an apostrophe.
fn sheet_name(title: &str) -> String {
    let cleaned: String = title.chars().map(|c| if "[]:*?/\\".contains(c) || c.is_control() { ' ' } else { c }).collect();
    let trimmed = cleaned.trim().trim_matches('\'');
    let name: String = trimmed.chars().take(28).collect();
    if name.is_empty() {
        "Sheet".to_owned()
    } else {
        name
    }
}

/// One sheet: a bold frozen header with an autofilter, the rows, columns sized to their text.
fn write_sheet(sheet: &mut Worksheet, name: &str, table: &Table) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.name.chars().count()).collect();
    for (col, c) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, &c.name, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let kind = table.columns.get(col).map_or(ColumnKind::Text, |c| c.kind);
            match (kind, cell.parse::<f64>()) {
                (ColumnKind::Number, Ok(n)) if n.is_finite() => sheet.write_number(r, col as u16, n)?,
                _ if cell.is_empty() => sheet,
                _ => sheet.write_string(r, col as u16, cell)?,
            };
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, (*w).clamp(6, 60) as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !table.columns.is_empty() {
        sheet.autofilter(0, 0, table.rows.len() as u32, table.columns.len() as u16 - 1)?;
    }
    Ok(())
}

fn xlsx_error(e: XlsxError) -> io::Error {
    io::Error::other(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_excel_takes() {
        assert_eq!(sheet_name("a/b:c"), "a b c");
        assert_eq!(sheet_name("'x'"), "x");
        assert_eq!(sheet_name(""), "Sheet");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 28);
    }
}
