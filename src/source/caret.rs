//! CALPADS files on disk: caret- or comma-delimited, no header row, with or without a
//! byte-order mark, records ending with CR LF, LF or CR alone. The shape is sniffed from the
//! first bytes; records stream through reused `csv::ByteRecord`s with their line and byte
//! offset, and a record is read again by its offset for findings raised at the end.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use csv::ByteRecord;

use std::sync::{Arc, Mutex};

use super::cap::{Cut, LineCap, Mode, DEFAULT_MAX_RECORD_BYTES};
use super::{Ending, Input, LoneCr, Pos, RecordAt, RecordSource, Records, Shape};
use crate::error::Error;

/// A CALPADS file as a record source.
pub struct CaretFile {
    index: usize,
    input: Input,
    csv: csv::Reader<LineCap<LoneCr<File>>>,
    /// The lines over the cap, as the reader finds them.
    cuts: Arc<Mutex<Vec<Cut>>>,
    shape: Shape,
    len: u64,
    scratch: Vec<u8>,
}

/// The UTF-8 byte-order mark some exports begin with.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

impl CaretFile {
    /// Opens input `index` of the run, sniffing its shape from the first bytes.
    pub fn open(index: usize, input: &Input) -> Result<CaretFile, Error> {
        CaretFile::open_capped(index, input, DEFAULT_MAX_RECORD_BYTES)
    }

    /// Opens input `index`, reading at most `cap` bytes of a record (a longer record comes
    /// with [`Pos::long`] set and its first `cap` bytes).
    pub fn open_capped(index: usize, input: &Input, cap: u64) -> Result<CaretFile, Error> {
        let err = |source| Error::Read { path: input.path.clone(), source };
        let mut file = File::open(&input.path).map_err(err)?;
        let len = file.metadata().map_err(err)?.len();
        // The shape is read from the file's own bytes, before lone CRs become LF.
        let mut head = Vec::with_capacity(1 << 12);
        (&mut file).take(1 << 12).read_to_end(&mut head).map_err(err)?;
        let shape = sniff(&head);
        file.seek(SeekFrom::Start(shape.bom)).map_err(err)?;
        let capped = LineCap::new(LoneCr::new(file), cap, Mode::Cut);
        let cuts = capped.cuts();
        // The csv reader's own buffer is the only one: the file's bytes are copied once.
        let csv = builder(shape.delimiter).buffer_capacity(1 << 16).from_reader(capped);
        Ok(CaretFile { index, input: input.clone(), csv, cuts, shape, len, scratch: Vec::new() })
    }

    /// The file's delimiter (caret or comma).
    pub fn delimiter(&self) -> u8 {
        self.shape.delimiter
    }

    /// Reads the next record into `rec`; `None` at the end of the file.
    ///
    /// Records end at LF; a CR before it is removed from the last field here. (With csv's
    /// CR LF terminator the LF would only be consumed by the next read, and every position
    /// after the first record would be one line and one byte early.) A line that holds only
    /// CR is a blank line and is skipped like an empty one.
    pub fn next(&mut self, rec: &mut ByteRecord) -> Result<Option<Pos>, Error> {
        loop {
            match self.csv.read_byte_record(rec) {
                Ok(true) => {
                    let had_cr = strip_cr(rec, &mut self.scratch);
                    if rec.len() == 1 && rec.as_slice().is_empty() {
                        continue;
                    }
                    // (At the end of the file a record may have no terminator at all: the
                    // caller tells that case apart.)
                    let lf = !had_cr;
                    let mut p = rec.position().map_or(Pos { line: 0, byte: 0, lf, long: 0 }, |p| Pos { line: p.line(), byte: p.byte(), lf, long: 0 });
                    // Back from the bytes read to the file's: the bytes of long lines left out
                    // before this record, and the byte-order mark.
                    let cuts = self.cuts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    if let Some(before) = cuts.iter().rev().find(|c| c.out_start < p.byte) {
                        p.byte += before.skipped_total;
                    }
                    if let Some(cut) = cuts.iter().rev().find(|c| c.line == p.line) {
                        // (How a cut line ended is not known: its CR went with the rest.)
                        p.long = cut.len;
                        p.lf = false;
                    }
                    p.byte += self.shape.bom;
                    return Ok(Some(p));
                }
                Ok(false) => return Ok(None),
                Err(e) => return Err(Error::Read { path: self.input.path.clone(), source: std::io::Error::other(e) }),
            }
        }
    }
}

impl RecordSource for CaretFile {
    fn input(&self) -> usize {
        self.index
    }

    fn shape(&self) -> Option<Shape> {
        Some(self.shape)
    }

    fn fill(&mut self, batch: &mut Records) -> Result<(), Error> {
        while let Some((rec, pos)) = batch.next_slot() {
            match self.next(rec)? {
                Some(p) => *pos = p,
                None => break,
            }
            batch.commit();
        }
        Ok(())
    }

    fn reader(&self) -> Box<dyn RecordAt> {
        Box::new(CaretAt { input: self.input.clone(), delimiter: self.shape.delimiter })
    }

    fn size(&self) -> u64 {
        self.len
    }

    fn ends_without_crlf(&self) -> bool {
        ends_without_crlf(&self.input.path)
    }
}

/// Reads records of a CALPADS file again by their byte offset.
struct CaretAt {
    input: Input,
    delimiter: u8,
}

impl RecordAt for CaretAt {
    fn record_at(&self, at: &Pos) -> Result<ByteRecord, Error> {
        let err = |source| Error::Read { path: self.input.path.clone(), source };
        let mut file = File::open(&self.input.path).map_err(err)?;
        file.seek(SeekFrom::Start(at.byte)).map_err(err)?;
        let mut rdr = builder(self.delimiter).from_reader(BufReader::new(LoneCr::new(file.take(16 << 20))));
        let mut rec = ByteRecord::new();
        rdr.read_byte_record(&mut rec).map_err(|e| err(std::io::Error::other(e)))?;
        strip_cr(&mut rec, &mut Vec::new());
        Ok(rec)
    }

    fn delimiter(&self) -> u8 {
        self.delimiter
    }
}

/// Whether the file at `path` ends with LF not preceded by CR, or with a lone CR (its last
/// record is not CR LF-terminated). Unreadable files answer `false`; their reading reports
/// the problem.
fn ends_without_crlf(path: &Path) -> bool {
    let tail = || -> std::io::Result<Vec<u8>> {
        let mut f = File::open(path)?;
        let len = f.seek(SeekFrom::End(0))?;
        f.seek(SeekFrom::Start(len.saturating_sub(2)))?;
        let mut buf = Vec::with_capacity(2);
        f.read_to_end(&mut buf)?;
        Ok(buf)
    };
    match tail().as_deref() {
        Ok([b'\r', b'\n']) => false,
        Ok([b'\n' | b'\r'] | [_, b'\n' | b'\r']) => true,
        _ => false,
    }
}

/// Removes one trailing CR from the last field, reusing `scratch`; whether there was one.
#[inline]
pub(crate) fn strip_cr(rec: &mut ByteRecord, scratch: &mut Vec<u8>) -> bool {
    // The usual case first: the record's last byte (its fields' bytes end with the last
    // field's) is no CR.
    if rec.as_slice().last() != Some(&b'\r') {
        return false;
    }
    let n = rec.len();
    let Some(last) = rec.get(n.wrapping_sub(1)) else { return false };
    let Some(body) = last.strip_suffix(b"\r") else { return false };
    scratch.clear();
    scratch.extend_from_slice(body);
    rec.truncate(n - 1);
    rec.push_field(scratch);
    true
}

/// The csv reader configuration for a delimiter: no header row, any number of fields, and
/// quotes taken literally in caret files (CALPADS does not quote).
fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.delimiter(delimiter).has_headers(false).flexible(true).quoting(delimiter != b'^').terminator(csv::Terminator::Any(b'\n'));
    b
}

/// Looks at the first bytes of a file: BOM, delimiter, line ending.
pub fn sniff(head: &[u8]) -> Shape {
    let bom = if head.starts_with(BOM) { BOM.len() as u64 } else { 0 };
    let body = &head[bom as usize..];
    let line_end = body.iter().position(|b| matches!(b, b'\n' | b'\r'));
    let first = &body[..line_end.unwrap_or(body.len())];
    // The character after the record type (`SENR;…`), else caret unless only commas occur.
    let after_type = first.iter().position(|b| !(b.is_ascii_uppercase() || *b == b'-')).and_then(|i| first.get(i).copied());
    let delimiter = match after_type {
        Some(d @ (b';' | b'\t' | b'|')) if !first.contains(&b'^') => d,
        _ if first.contains(&b'^') || !first.contains(&b',') => b'^',
        _ => b',',
    };
    Shape { delimiter, bom, ending: Ending::sniff(body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_bom_delimiter_and_line_endings() {
        assert_eq!(sniff(b"\xEF\xBB\xBFSENR^a^b\r\nx"), Shape { delimiter: b'^', bom: 3, ending: Ending::CrLf });
        assert_eq!(sniff(b"SENR,a,b\nx"), Shape { delimiter: b',', bom: 0, ending: Ending::Lf });
        assert_eq!(sniff(b"SENR,a,b\rSENR"), Shape { delimiter: b',', bom: 0, ending: Ending::Cr });
        assert_eq!(sniff(b""), Shape { delimiter: b'^', bom: 0, ending: Ending::CrLf });
        assert_eq!(sniff(b"SENR;;LR-1;9912345\r\n").delimiter, b';');
        assert_eq!(sniff(b"SINF\t\tLI-1\r\n").delimiter, b'\t');
    }
}
