//! Records held in memory as a source: the CALPADS records `rollcall generate` converted from
//! the district's extracts, checked by the engine before anything is written, with no
//! temporary file anywhere. Each record keeps the line of the input row it came from, so
//! findings point at the extract the clerk edits.

use std::sync::Arc;

use csv::ByteRecord;

use super::{Pos, RecordAt, RecordSource, Records, Shape};
use crate::error::Error;

/// One record: its caret-delimited text (no terminator) and the input line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryRecord {
    pub line: u64,
    pub text: Vec<u8>,
}

/// Some records of one input, in memory.
#[derive(Debug, Clone)]
pub struct MemorySource {
    index: usize,
    records: Arc<Vec<MemoryRecord>>,
    /// Which of `records` to stream, in order.
    picked: Vec<usize>,
    next: usize,
}

impl MemorySource {
    /// Streams `picked` of `records` (indices, in order) as input `index` of the run. A
    /// record's position is its input line, and its index in `records` as the "byte".
    pub fn new(index: usize, records: Arc<Vec<MemoryRecord>>, picked: Vec<usize>) -> MemorySource {
        MemorySource { index, records, picked, next: 0 }
    }
}

/// Splits a caret record into `rec` (no quoting: CALPADS records have none).
fn split(text: &[u8], rec: &mut ByteRecord) {
    rec.clear();
    for field in text.split(|b| *b == b'^') {
        rec.push_field(field);
    }
}

impl RecordSource for MemorySource {
    fn input(&self) -> usize {
        self.index
    }

    fn shape(&self) -> Option<Shape> {
        None
    }

    fn fill(&mut self, batch: &mut Records) -> Result<(), Error> {
        while self.next < self.picked.len() {
            let Some((rec, pos)) = batch.next_slot() else { break };
            let i = self.picked[self.next];
            let record = &self.records[i];
            split(&record.text, rec);
            *pos = Pos { line: record.line, byte: i as u64, lf: false, long: 0 };
            batch.commit();
            self.next += 1;
        }
        Ok(())
    }

    fn reader(&self) -> Box<dyn RecordAt> {
        Box::new(MemoryAt { records: Arc::clone(&self.records) })
    }

    fn size(&self) -> u64 {
        0
    }

    fn ends_without_crlf(&self) -> bool {
        false
    }
}

struct MemoryAt {
    records: Arc<Vec<MemoryRecord>>,
}

impl RecordAt for MemoryAt {
    fn record_at(&self, at: &Pos) -> Result<ByteRecord, Error> {
        let mut rec = ByteRecord::new();
        if let Some(r) = usize::try_from(at.byte).ok().and_then(|i| self.records.get(i)) {
            split(&r.text, &mut rec);
        }
        Ok(rec)
    }

    fn delimiter(&self) -> u8 {
        b'^'
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_the_picked_records_with_their_lines() {
        let records = Arc::new(vec![
            MemoryRecord { line: 2, text: b"SENR^a^".to_vec() },
            MemoryRecord { line: 3, text: b"SINF^b".to_vec() },
            MemoryRecord { line: 5, text: b"SENR^c^d".to_vec() },
        ]);
        let mut source = MemorySource::new(4, Arc::clone(&records), vec![0, 2]);
        let mut batch = Records::default();
        source.fill(&mut batch).unwrap();
        let got: Vec<(Vec<&[u8]>, u64)> = batch.records().iter().map(|(r, p)| (r.iter().collect(), p.line)).collect();
        assert_eq!(got, [(vec![&b"SENR"[..], b"a", b""], 2), (vec![&b"SENR"[..], b"c", b"d"], 5)]);
        let again = source.reader().record_at(&batch.records()[1].1).unwrap();
        assert_eq!(again.iter().collect::<Vec<_>>(), [&b"SENR"[..], b"c", b"d"]);
        batch.clear();
        source.fill(&mut batch).unwrap();
        assert!(batch.is_empty());
    }
}
