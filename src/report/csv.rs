//! CSV that district data reaches: every CSV rollcall writes (the worklist, `rejected.csv`,
//! the attendance tables, the letter log) goes through [`inert`], so a cell a spreadsheet would
//! take as a formula (`=cmd|' /C calc'!A0`, `+SUM(…)`, `@SUM(…)`, `-2+3`, a tab or carriage
//! return first) is read as text instead.
//!
//! ```
//! use rollcall::report::csv::inert;
//! assert_eq!(inert("=1+1"), "'=1+1");
//! assert_eq!(inert("-2+3"), "'-2+3");
//! assert_eq!(inert("-12.5"), "-12.5"); // a plain number stays a number
//! assert_eq!(inert("Garcia"), "Garcia");
//! ```

use std::borrow::Cow;
use std::io::Write;

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and CR, that
/// some spreadsheets strip before reading one).
const TRIGGER_BYTES: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// `cell`, made inert for a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, tab or
/// carriage return gets a leading apostrophe (shown by spreadsheets as text, the OWASP
/// advice), except a plain number like `-3` or `-0.25`, which a spreadsheet reads as the
/// number it is.
pub fn inert(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell.as_bytes()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// [`inert`] for a cell that may not be UTF-8 (a rejected row kept byte for byte).
pub fn inert_bytes(cell: &[u8]) -> Cow<'_, [u8]> {
    if needs_quote(cell) {
        let mut out = Vec::with_capacity(cell.len() + 1);
        out.push(b'\'');
        out.extend_from_slice(cell);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(cell)
    }
}

fn needs_quote(cell: &[u8]) -> bool {
    cell.first().is_some_and(|b| TRIGGER_BYTES.contains(b)) && !plain_number(cell)
}

/// `-12`, `-0.25`, `+3`: a sign, digits, at most one point with digits after it.
fn plain_number(cell: &[u8]) -> bool {
    let digits = cell.strip_prefix(b"-").or_else(|| cell.strip_prefix(b"+")).unwrap_or(cell);
    let (whole, fraction) = match digits.iter().position(|b| *b == b'.') {
        Some(at) => (&digits[..at], &digits[at + 1..]),
        None => (digits, &b"0"[..]),
    };
    !whole.is_empty() && !fraction.is_empty() && whole.iter().all(u8::is_ascii_digit) && fraction.iter().all(u8::is_ascii_digit)
}

/// How a CSV is framed: for a spreadsheet (a UTF-8 byte-order mark so Excel reads accents
/// right, CR LF rows) or for a script on standard output (neither).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// UTF-8 byte-order mark and CR LF: the files `--report x.csv` writes.
    Spreadsheet,
    /// No byte-order mark, CR LF rows: `rejected.csv` and the letter log.
    Crlf,
    /// No byte-order mark, LF rows: `--format csv` on standard output.
    Plain,
}

/// A CSV writer into memory whose every row passes [`inert`].
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    /// A writer framed as `framing`.
    pub fn new(framing: Framing) -> CsvWriter {
        let mut bytes = Vec::new();
        if framing == Framing::Spreadsheet {
            bytes.extend_from_slice("\u{feff}".as_bytes());
        }
        let terminator = if framing == Framing::Plain { csv::Terminator::Any(b'\n') } else { csv::Terminator::CRLF };
        CsvWriter { inner: csv::WriterBuilder::new().terminator(terminator).flexible(true).from_writer(bytes) }
    }

    /// Writes one row, each cell made [`inert`].
    pub fn row<I, S>(&mut self, cells: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for cell in cells {
            self.inner.write_field(inert(cell.as_ref()).as_bytes()).map_err(std::io::Error::other)?;
        }
        self.inner.write_record(None::<&[u8]>).map_err(std::io::Error::other)
    }

    /// Writes one row of cells that may not be UTF-8, each made [`inert_bytes`].
    pub fn row_bytes<'c, I>(&mut self, cells: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = &'c [u8]>,
    {
        for cell in cells {
            self.inner.write_field(inert_bytes(cell)).map_err(std::io::Error::other)?;
        }
        self.inner.write_record(None::<&[u8]>).map_err(std::io::Error::other)
    }

    /// The bytes written.
    pub fn into_bytes(mut self) -> std::io::Result<Vec<u8>> {
        self.inner.flush()?;
        self.inner.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
    }

    /// The text written (UTF-8 unless a [`CsvWriter::row_bytes`] cell was not).
    pub fn into_string(self) -> std::io::Result<String> {
        String::from_utf8(self.into_bytes()?).map_err(std::io::Error::other)
    }
}

/// Writes `rows` through a [`CsvWriter`] to `out`.
pub fn write_rows<W: Write + ?Sized>(out: &mut W, framing: Framing, rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut w = CsvWriter::new(framing);
    for row in rows {
        w.row(row)?;
    }
    out.write_all(&w.into_bytes()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trigger_is_made_inert() {
        for cell in ["=cmd|' /C calc'!A0", "+SUM(1+1)", "@SUM(A1)", "-2+3+cmd", "\t=1+1", "\r=1+1", "-", "+", "-1e5", "1-1"] {
            let out = inert(cell);
            if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                assert!(out.starts_with('\''), "{cell:?} -> {out:?}");
            } else {
                assert_eq!(out, cell);
            }
        }
    }

    #[test]
    fn numbers_and_text_stay() {
        for cell in ["-3", "-0.25", "+4", "12", "0.5", "Garcia", "", "'quoted", " =x"] {
            assert_eq!(inert(cell), cell);
        }
        assert_eq!(inert("-3."), "'-3.");
        assert_eq!(inert("-.5"), "'-.5");
    }

    #[test]
    fn framing() {
        let mut w = CsvWriter::new(Framing::Spreadsheet);
        w.row(["a", "=b"]).unwrap();
        assert_eq!(w.into_bytes().unwrap(), "\u{feff}a,'=b\r\n".as_bytes());
        let mut w = CsvWriter::new(Framing::Plain);
        w.row(["a", "b,c"]).unwrap();
        assert_eq!(w.into_string().unwrap(), "a,\"b,c\"\n");
    }
}
