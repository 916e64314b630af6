//! The one way rollcall opens input files: expands folders, sniffs the byte-order mark, the
//! delimiter (caret or comma) and the line ending, then streams records through one reused
//! `csv::ByteRecord`. Positions (line, byte) come from the csv reader, corrected for the BOM.
//! CR LF, LF and lone CR all end a record ([`ending`]).

mod ending;

pub use ending::{Ending, LoneCr};

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::error::Error;

/// An input file: where it is and how findings name it.
#[derive(Clone, Debug)]
pub struct Input {
    pub path: PathBuf,
    /// The path as given on the command line, or as found under a given folder.
    pub display: String,
}

/// Expands the paths given on the command line: a file is taken as is, a folder yields every
/// `.txt` and `.csv` file below it, sorted by path, leaving out hidden files and folders
/// (names starting with `.`, like the `._senr.txt` files macOS leaves in copied folders).
/// A file met twice (given and also inside a given folder) is read once.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, Error> {
    let mut out: Vec<Input> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| Error::Read { path: path.clone(), source })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            if found.is_empty() {
                return Err(Error::NoInputs { path: path.clone() });
            }
            found.sort();
            out.extend(found.into_iter().map(|p| Input { display: p.display().to_string(), path: p }));
        } else {
            out.push(Input { path: path.clone(), display: path.display().to_string() });
        }
    }
    out.retain(|input| seen.insert(std::fs::canonicalize(&input.path).unwrap_or_else(|_| input.path.clone())));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let read_err = |source| Error::Read { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("csv")) {
            out.push(path);
        }
    }
    Ok(())
}

/// What the first bytes of a file said about its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub delimiter: u8,
    /// Length of the UTF-8 byte-order mark (0 or 3).
    pub bom: u64,
    /// How the first line ends.
    pub ending: Ending,
}

/// A record's place in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// Byte offset of the record from the start of the file.
    pub byte: u64,
    /// The record does not end with CR LF: with LF or CR alone, or (the last record) with nothing.
    pub lf: bool,
}

/// Streams the records of one file.
pub struct RecordReader {
    csv: csv::Reader<BufReader<LoneCr<File>>>,
    pub shape: Shape,
    last: Vec<u8>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl RecordReader {
    /// Opens `input`, sniffing its shape from the first buffer.
    pub fn open(input: &Input) -> Result<RecordReader, Error> {
        let err = |source| Error::Read { path: input.path.clone(), source };
        let mut file = File::open(&input.path).map_err(err)?;
        // The shape is read from the file's own bytes, before lone CRs become LF.
        let mut head = Vec::with_capacity(1 << 12);
        (&mut file).take(1 << 12).read_to_end(&mut head).map_err(err)?;
        let shape = sniff(&head);
        file.seek(SeekFrom::Start(shape.bom)).map_err(err)?;
        let buf = BufReader::with_capacity(1 << 16, LoneCr::new(file));
        Ok(RecordReader { csv: builder(shape.delimiter).from_reader(buf), shape, last: Vec::new() })
    }

    /// Reads the next record into `rec`; `None` at the end of the file.
    ///
    /// Records end at LF; a CR before it is removed from the last field here. (With csv's
    /// CR LF terminator the LF would only be consumed by the next read, and every position
    /// after the first record would be one line and one byte early.) A line that holds only
    /// CR is a blank line and is skipped like an empty one.
    pub fn next(&mut self, rec: &mut ByteRecord, input: &Input) -> Result<Option<Pos>, Error> {
        loop {
            match self.csv.read_byte_record(rec) {
                Ok(true) => {
                    let had_cr = strip_cr(rec, &mut self.last);
                    if rec.len() == 1 && rec.as_slice().is_empty() {
                        continue;
                    }
                    // (At the end of the file a record may have no terminator at all: the
                    // caller tells that case apart.)
                    let lf = !had_cr;
                    let p = rec.position().map_or(Pos { line: 0, byte: 0, lf }, |p| Pos { line: p.line(), byte: p.byte() + self.shape.bom, lf });
                    return Ok(Some(p));
                }
                Ok(false) => return Ok(None),
                Err(e) => return Err(Error::Read { path: input.path.clone(), source: std::io::Error::other(e) }),
            }
        }
    }
}

/// A batch of records read ahead, reused once its records have been checked.
#[derive(Debug, Default)]
pub struct Batch {
    records: Vec<(ByteRecord, Pos)>,
    len: usize,
}

impl Batch {
    /// Records per batch: enough to amortize the hand-over between threads, few enough
    /// that the batches in flight stay small.
    pub const SIZE: usize = 2048;

    /// Fills the batch from `reader`; an empty batch means the end of the file.
    pub fn fill(&mut self, reader: &mut RecordReader, input: &Input) -> Result<(), Error> {
        self.len = 0;
        while self.len < Batch::SIZE {
            if self.records.len() == self.len {
                self.records.push((ByteRecord::new(), Pos { line: 0, byte: 0, lf: false }));
            }
            let slot = &mut self.records[self.len];
            match reader.next(&mut slot.0, input)? {
                Some(pos) => slot.1 = pos,
                None => break,
            }
            self.len += 1;
        }
        Ok(())
    }

    /// The records read into the batch.
    pub fn records(&self) -> &[(ByteRecord, Pos)] {
        &self.records[..self.len]
    }
}

/// Reads `input` on a second thread, handing over batches of records through a bounded
/// channel (two batches ahead at most), and calls `each` with every batch in file order.
/// Parsing and checking then overlap on two cores; memory stays bounded by the batches.
pub fn stream<E: From<Error>>(input: &Input, reader: RecordReader, mut each: impl FnMut(&Batch) -> Result<(), E>) -> Result<(), E> {
    use std::sync::mpsc::{channel, sync_channel};
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = sync_channel::<Result<Batch, Error>>(2);
        let (empty_tx, empty_rx) = channel::<Batch>();
        scope.spawn(move || {
            let mut reader = reader;
            loop {
                let mut batch = empty_rx.try_recv().unwrap_or_default();
                let result = batch.fill(&mut reader, input);
                let done = result.is_err() || batch.len == 0;
                if full_tx.send(result.map(|()| batch)).is_err() || done {
                    return;
                }
            }
        });
        for batch in full_rx {
            let batch = batch?;
            if batch.len == 0 {
                break;
            }
            each(&batch)?;
            // The reader may have finished already; a batch it no longer wants is just dropped.
            let _ = empty_tx.send(batch);
        }
        Ok(())
    })
}

/// Whether the file at `path` ends with LF not preceded by CR, or with a lone CR (its last
/// record is not CR LF-terminated). Unreadable files answer `false`; their reading reports
/// the problem.
pub fn ends_without_crlf(path: &std::path::Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
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
fn strip_cr(rec: &mut ByteRecord, scratch: &mut Vec<u8>) -> bool {
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
    let delimiter = if first.contains(&b'^') || !first.contains(&b',') { b'^' } else { b',' };
    Shape { delimiter, bom, ending: Ending::sniff(body) }
}

/// Reads the single record that starts at byte `byte` of `input` again (for findings that
/// are raised after the file was streamed).
pub fn fetch(input: &Input, delimiter: u8, byte: u64) -> Result<ByteRecord, Error> {
    let err = |source| Error::Read { path: input.path.clone(), source };
    let mut file = File::open(&input.path).map_err(err)?;
    file.seek(SeekFrom::Start(byte)).map_err(err)?;
    let mut rdr = builder(delimiter).from_reader(BufReader::new(LoneCr::new(file.take(16 << 20))));
    let mut rec = ByteRecord::new();
    rdr.read_byte_record(&mut rec).map_err(|e| err(std::io::Error::other(e)))?;
    strip_cr(&mut rec, &mut Vec::new());
    Ok(rec)
}

/// The record as one line of text (lossy for invalid UTF-8), and the byte range of field
/// `field` in it.
pub fn line_text(rec: &ByteRecord, delimiter: u8, field: Option<usize>) -> (String, Option<(usize, usize)>) {
    let mut bytes = Vec::with_capacity(rec.as_slice().len() + rec.len());
    let mut span = None;
    for (i, f) in rec.iter().enumerate() {
        if i > 0 {
            bytes.push(delimiter);
        }
        if Some(i) == field {
            span = Some((lossy_len(&bytes), lossy_len(f)));
        }
        bytes.extend_from_slice(f);
    }
    (String::from_utf8_lossy(&bytes).into_owned(), span)
}

/// Length in bytes of `bytes` once invalid sequences are replaced by U+FFFD.
fn lossy_len(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).len()
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
    }

    #[test]
    fn line_text_spans_the_field() {
        let rec = ByteRecord::from(vec!["SENR", "", "LR-1"]);
        let (text, span) = line_text(&rec, b'^', Some(2));
        assert_eq!(text, "SENR^^LR-1");
        assert_eq!(span, Some((6, 4)));
    }
}
