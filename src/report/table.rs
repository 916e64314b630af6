//! Tables: what a command's figures are before they become a file. ADA, chronic absenteeism,
//! monthly reports and the findings worklist are each a [`Table`] (or a few), and every file
//! format writes tables the same way: CSV ([`Table::csv`]), a workbook ([`super::xlsx`]) and
//! the HTML report ([`super::html`]).

use super::csv::{CsvWriter, Framing};

/// What a column holds, for alignment, spreadsheet cell types and charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text, written as text (codes and IDs keep their leading zeros).
    Text,
    /// A number: right-aligned, a numeric cell in a workbook (when it parses).
    Number,
}

/// A column: its header and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

impl Column {
    /// A text column.
    pub fn text(name: &str) -> Column {
        Column { name: name.to_owned(), kind: ColumnKind::Text }
    }

    /// A number column.
    pub fn number(name: &str) -> Column {
        Column { name: name.to_owned(), kind: ColumnKind::Number }
    }
}

/// A bar chart of one number column against one label column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub title: String,
    /// Index of the column whose cells label the bars.
    pub label: usize,
    /// Index of the number column whose cells are the bars' lengths.
    pub value: usize,
}

/// A titled table of text cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// The chart the HTML report draws of it, if any.
    pub chart: Option<Chart>,
}

impl Table {
    /// An empty table with `columns`.
    pub fn new(title: &str, columns: Vec<Column>) -> Table {
        Table { title: title.to_owned(), columns, rows: Vec::new(), chart: None }
    }

    /// Adds a row (cells in column order).
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len(), "a row of {} has the wrong number of cells", self.title);
        self.rows.push(row);
    }

    /// Draws a chart of the column named `value` by the column named `label` (ignored when
    /// either is missing).
    pub fn with_chart(mut self, title: &str, label: &str, value: &str) -> Table {
        let at = |name: &str| self.columns.iter().position(|c| c.name == name);
        if let (Some(label), Some(value)) = (at(label), at(value)) {
            self.chart = Some(Chart { title: title.to_owned(), label, value });
        }
        self
    }

    /// The table as CSV: the header row, then the rows, every cell made inert.
    pub fn csv(&self, framing: Framing) -> std::io::Result<Vec<u8>> {
        let mut w = CsvWriter::new(framing);
        w.row(self.columns.iter().map(|c| c.name.as_str()))?;
        for row in &self.rows {
            w.row(row)?;
        }
        w.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_header_and_inert_cells() {
        let mut t = Table::new("t", vec![Column::text("school"), Column::number("ada")]);
        t.push(vec!["=0100001".to_owned(), "-1.5".to_owned()]);
        let text = String::from_utf8(t.csv(Framing::Plain).unwrap()).unwrap();
        assert_eq!(text, "school,ada\n'=0100001,-1.5\n");
        let t = t.with_chart("ADA", "school", "ada");
        assert_eq!(t.chart.map(|c| (c.label, c.value)), Some((0, 1)));
    }
}
