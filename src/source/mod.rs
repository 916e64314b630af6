//! Where records come from, behind one seam ([`RecordSource`]): CALPADS files on disk
//! ([`caret`]: byte-order mark, caret or comma, CR LF, LF or lone CR, streamed through reused
//! `csv::ByteRecord`s), records in memory ([`memory`]), and the expansion of the paths a user
//! gives into input files. Positions (line, byte) are the input's own.

pub mod cap;
pub mod caret;
mod ending;
pub mod headered;
pub mod memory;

pub use caret::CaretFile;
pub use ending::{Ending, LoneCr};
pub use memory::MemorySource;

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
/// A file met twice (given and also inside a given folder, or through a symbolic link) is read
/// once; a folder reached again through a link is not walked again (two links `a -> .` end).
/// A FIFO, socket or device (given, or found with a `.txt` or `.csv` name) is an error naming
/// it: reading one would block or never end.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, Error> {
    let mut walker = Walker { all: false, ..Walker::default() };
    let out = walker.expand(paths)?;
    match walker.irregular.first() {
        Some(p) => Err(irregular(p)),
        None => Ok(out),
    }
}

/// Like [`expand`], but a folder yields every file below it, whatever its extension (hidden
/// ones left out): `rollcall check` tells each by its content and names the ones it does not
/// check, so nothing in a folder is skipped silently. A FIFO, socket or device found in a
/// folder is kept as an input (after the others) that [`headered::sniff`] names as not checked,
/// never opened; one given by name is an error.
pub fn expand_all(paths: &[PathBuf]) -> Result<Vec<Input>, Error> {
    let mut walker = Walker { all: true, ..Walker::default() };
    let mut out = walker.expand(paths)?;
    if let Some(p) = walker.irregular.iter().find(|p| paths.contains(p)) {
        return Err(irregular(p));
    }
    out.extend(walker.irregular.into_iter().map(|p| Input { display: p.display().to_string(), path: p }));
    Ok(out)
}

pub use crate::error::irregular_kind;

fn irregular(path: &Path) -> Error {
    let what = std::fs::metadata(path).ok().and_then(|m| irregular_kind(&m)).unwrap_or("not a regular file");
    Error::Argument {
        arg: "PATHS",
        message: format!("{} is {what}: rollcall reads regular files only (reading this one would block or never end)", path.display()),
    }
}

/// Walks the given paths once each, by canonical path.
#[derive(Default)]
struct Walker {
    /// Every file (`true`) or only `.txt` and `.csv` files (`false`).
    all: bool,
    /// Folders walked, by canonical path.
    visited: std::collections::HashSet<PathBuf>,
    /// FIFOs, sockets and devices met.
    irregular: Vec<PathBuf>,
}

impl Walker {
    fn expand(&mut self, paths: &[PathBuf]) -> Result<Vec<Input>, Error> {
        let mut out: Vec<Input> = Vec::new();
        for path in paths {
            let meta = std::fs::metadata(path).map_err(|source| Error::Read { path: path.clone(), source })?;
            if meta.is_dir() {
                let mut found = Vec::new();
                self.walk(path, &mut found)?;
                if found.is_empty() && !self.irregular.iter().any(|p| p.starts_with(path)) {
                    return Err(Error::NoInputs { path: path.clone() });
                }
                found.sort();
                out.extend(found.into_iter().map(|p| Input { display: p.display().to_string(), path: p }));
            } else if irregular_kind(&meta).is_some() {
                self.irregular.push(path.clone());
            } else {
                out.push(Input { path: path.clone(), display: path.display().to_string() });
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|input| seen.insert(std::fs::canonicalize(&input.path).unwrap_or_else(|_| input.path.clone())));
        Ok(out)
    }

    fn walk(&mut self, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
        let read_err = |source| Error::Read { path: dir.to_path_buf(), source };
        let canonical = std::fs::canonicalize(dir).map_err(read_err)?;
        if !self.visited.insert(canonical) {
            return Ok(());
        }
        for entry in std::fs::read_dir(dir).map_err(read_err)? {
            let path = entry.map_err(read_err)?.path();
            if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
                continue;
            }
            // A dangling link is left for the reader to report when named; here it is skipped.
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            let wanted =
                self.all || path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("csv"));
            if meta.is_dir() {
                self.walk(&path, out)?;
            } else if !wanted {
                continue;
            } else if irregular_kind(&meta).is_some() {
                self.irregular.push(path);
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
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
    /// The record's line was longer than the cap ([`cap`]): its length in bytes, of which only
    /// the first were read; 0 for a whole record.
    pub long: u64,
}

/// Records read ahead, reused once they have been checked.
#[derive(Debug, Default)]
pub struct Records {
    records: Vec<(ByteRecord, Pos)>,
    len: usize,
    /// What the records filled hold, as [`Records::BYTES`] counts it.
    bytes: usize,
}

impl Records {
    /// Records per batch at most: enough to amortize the hand-over between threads. Measured
    /// on 9,000,000 daily attendance rows (`bench/attendance.sh`, `check`, no byte limit):
    /// 512 1.36 s, 2048 1.09 s, 4096 0.97 s, 8192 0.98 s, 16384 1.03 s, 32768 1.09 s.
    pub const SIZE: usize = 8192;

    /// What the records of a batch may hold at most, counted as their bytes and 24 bytes a
    /// field (its end and its parsed value): few enough that the batches in flight stay in
    /// the caches. Daily attendance rows (6 fields) fill about 6,000 records, SENR records
    /// (35 fields) about 1,100. Measured with 8,192 records at most: 1M SENR records with the field and
    /// record rules 0.40 s in 14 MiB (4,096 records and no limit: 0.42 s in 31 MiB); 9M
    /// attendance rows 0.93 s (4,096 and no limit: 0.96 s).
    pub const BYTES: usize = 1 << 20;

    /// Empties the batch for refilling.
    pub fn clear(&mut self) {
        self.len = 0;
        self.bytes = 0;
    }

    /// The slot for the next record (its buffer reused), or `None` when the batch is full;
    /// [`Records::commit`] counts it as filled.
    pub fn next_slot(&mut self) -> Option<&mut (ByteRecord, Pos)> {
        if self.len == Records::SIZE || self.bytes >= Records::BYTES {
            return None;
        }
        if self.records.len() == self.len {
            self.records.push((ByteRecord::new(), Pos { line: 0, byte: 0, lf: false, long: 0 }));
        }
        Some(&mut self.records[self.len])
    }

    /// Counts the slot [`Records::next_slot`] gave as filled.
    pub fn commit(&mut self) {
        let rec = &self.records[self.len].0;
        self.bytes += rec.as_slice().len() + 24 * rec.len();
        self.len += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The records read.
    pub fn records(&self) -> &[(ByteRecord, Pos)] {
        &self.records[..self.len]
    }
}

/// A batch of records and what was worked out for each (`P`, one per record).
#[derive(Debug, Default)]
pub struct Batch<P> {
    pub records: Records,
    pub prepared: Vec<P>,
    /// Whether the heavy part of the preparation ran (on the reading thread, which does it
    /// when the checking thread is busy).
    pub heavy_done: bool,
}

/// Where records come from: a CALPADS file on disk ([`CaretFile`]), records held in memory
/// ([`MemorySource`]: the rows `rollcall generate` checks before it writes them), and next
/// headered CSV and XML. The engine reads every source the same way.
pub trait RecordSource: Send {
    /// Index of the input in the run's input list (the `file` of its findings).
    fn input(&self) -> usize;
    /// What the first bytes said (delimiter, byte-order mark, line ending); `None` for records
    /// that were never a file.
    fn shape(&self) -> Option<Shape>;
    /// Fills `batch` with the next records, reusing its buffers; an empty batch is the end.
    fn fill(&mut self, batch: &mut Records) -> Result<(), Error>;
    /// Reads single records again after the stream (findings raised at the end, excerpts).
    fn reader(&self) -> Box<dyn RecordAt>;
    /// The size of the input in bytes, for progress (0 when unknown).
    fn size(&self) -> u64;
    /// Whether the input's last record ends without CR LF (a file's tail; `false` for records
    /// in memory).
    fn ends_without_crlf(&self) -> bool;
    /// The record type of every record, for a source whose records do not hold it: their
    /// fields are the layout's after the record type field (a district extract's rows, read
    /// as the csv reader parsed them). `None`: field 0 of each record is its record type.
    fn record_type(&self) -> Option<&[u8]> {
        None
    }
}

/// Reads one record of a source again, by the position it was streamed with.
pub trait RecordAt: Send + Sync {
    fn record_at(&self, at: &Pos) -> Result<ByteRecord, Error>;
    /// The delimiter that joins the fields of the record's line.
    fn delimiter(&self) -> u8;
    /// The record as a person reads it in the input, and the byte range of field `field` in
    /// that text (default: the fields joined by the delimiter, as CALPADS files have them).
    fn text(&self, rec: &ByteRecord, field: Option<usize>) -> (String, Option<(usize, usize)>) {
        line_text(rec, self.delimiter(), field)
    }
    /// The byte range of field `field` in the record's line as read, when it is known.
    fn span(&self, rec: &ByteRecord, field: usize) -> Option<(usize, usize)> {
        field_span(rec, field)
    }
    /// As [`RecordSource::record_type`]: the record type of records that do not hold it.
    fn record_type(&self) -> Option<&[u8]> {
        None
    }
}

/// Reads `source` on a second thread and hands the batches over through a bounded channel
/// (two ahead at most); calls `each` with every batch in input order. The reading thread runs
/// `light` on every batch it reads; `heavy` (work such as the field rules, that needs no state
/// of the checking thread) runs on whichever thread has time: the reading thread when the
/// checking thread is still busy with earlier batches, else the checking thread. Reading and
/// checking so share the two cores whatever the balance of the work; memory stays bounded by
/// the batches in flight.
pub fn stream<P: Default + Send, E: From<Error>>(
    source: &mut dyn RecordSource,
    mut light: impl FnMut(&mut Batch<P>) -> Result<(), Error> + Send,
    heavy: &(dyn Fn(&mut Batch<P>) + Sync),
    mut each: impl FnMut(&Batch<P>) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::mpsc::{channel, sync_channel, TrySendError};
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = sync_channel::<Result<Batch<P>, Error>>(2);
        let (empty_tx, empty_rx) = channel::<Batch<P>>();
        scope.spawn(move || loop {
            let mut batch = empty_rx.try_recv().unwrap_or_default();
            batch.records.clear();
            batch.heavy_done = false;
            let result = source.fill(&mut batch.records).and_then(|()| light(&mut batch));
            let done = result.is_err() || batch.records.is_empty();
            let sent = match full_tx.try_send(result.map(|()| batch)) {
                Ok(()) => Ok(()),
                Err(TrySendError::Full(Ok(mut batch))) => {
                    heavy(&mut batch);
                    batch.heavy_done = true;
                    full_tx.send(Ok(batch)).map_err(|_| ())
                }
                Err(TrySendError::Full(err)) => full_tx.send(err).map_err(|_| ()),
                Err(TrySendError::Disconnected(_)) => Err(()),
            };
            if sent.is_err() || done {
                return;
            }
        });
        for batch in full_rx {
            let mut batch = batch?;
            if batch.records.is_empty() {
                break;
            }
            if !batch.heavy_done {
                heavy(&mut batch);
            }
            each(&batch)?;
            // The reader may have finished already; a batch it no longer wants is just dropped.
            let _ = empty_tx.send(batch);
        }
        Ok(())
    })
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

/// The byte range (start, length) of field `i` in the record's line as read: the fields
/// joined by one delimiter each, as CALPADS records are (no quoting).
///
/// ```
/// let rec = csv::ByteRecord::from(vec!["SENR", "", "LR-1"]);
/// assert_eq!(rollcall::source::field_span(&rec, 2), Some((6, 4)));
/// ```
pub fn field_span(rec: &ByteRecord, i: usize) -> Option<(usize, usize)> {
    rec.range(i).map(|r| (r.start + i, r.len()))
}

/// Length in bytes of `bytes` once invalid sequences are replaced by U+FFFD.
fn lossy_len(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fills a batch with copies of `rec` until it is full; how many it took.
    fn fill_with(rec: &ByteRecord) -> usize {
        let mut batch = Records::default();
        while let Some((slot, _)) = batch.next_slot() {
            slot.clone_from(rec);
            batch.commit();
        }
        batch.len()
    }

    #[test]
    fn a_batch_is_full_at_its_record_count_or_its_size() {
        assert_eq!(fill_with(&ByteRecord::from(vec!["P"])), Records::SIZE);
        let attendance = ByteRecord::from(vec!["9900000001", "9990011", "2025-09-03", "P", "", "1"]);
        assert_eq!(fill_with(&attendance), Records::BYTES.div_ceil(29 + 24 * 6));
        let value = "X".repeat(20);
        let wide = ByteRecord::from(vec![value.as_str(); 35]);
        let per_record = 20 * 35 + 24 * 35;
        assert_eq!(fill_with(&wide), Records::BYTES.div_ceil(per_record));
        // A batch refilled after `clear` starts empty again.
        let mut batch = Records::default();
        if let Some((slot, _)) = batch.next_slot() {
            slot.clone_from(&wide);
        }
        batch.commit();
        batch.clear();
        assert!(batch.is_empty());
        assert!(batch.next_slot().is_some());
    }

    #[test]
    fn line_text_spans_the_field() {
        let rec = ByteRecord::from(vec!["SENR", "", "LR-1"]);
        let (text, span) = line_text(&rec, b'^', Some(2));
        assert_eq!(text, "SENR^^LR-1");
        assert_eq!(span, Some((6, 4)));
    }
}
