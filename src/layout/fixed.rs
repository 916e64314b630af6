//! Fixed-width records: every value placed at its start, padded to its width on the side
//! its alignment leaves free, positions no field covers left as spaces. A value longer than
//! its field is a [`Problem`], never cut. Reading slices the same positions back.

use super::spec::{LayoutField, LayoutValue, RecordLayout};
use super::value::{self, Problem};

/// Encodes one record of `record_length` bytes; fields whose value does not fit are left
/// blank and reported.
pub fn encode(record_length: usize, record: &RecordLayout, values: &[LayoutValue]) -> (Vec<u8>, Vec<Problem>) {
    let mut buf = vec![b' '; record_length];
    let mut problems = Vec::new();
    for (field, v) in record.fields.iter().zip(values) {
        match value::render(field, v, false) {
            Ok(text) if !matches!(v, LayoutValue::Blank) => place(&mut buf, field, &text),
            Ok(_) => {}
            Err(p) => problems.push(p),
        }
    }
    (buf, problems)
}

/// Writes `text` into its field: the pad character first, then the text on its side.
fn place(buf: &mut [u8], field: &LayoutField, text: &[u8]) {
    let slot = &mut buf[field.start..field.start + field.length];
    slot.fill(field.pad);
    let at = match field.align {
        super::spec::Align::Left => 0,
        super::spec::Align::Right => field.length - text.len(),
    };
    slot[at..at + text.len()].copy_from_slice(text);
}

/// Decodes one record's fields (the caller has checked its length).
pub fn decode(record: &RecordLayout, raw: &[u8]) -> (Vec<(String, LayoutValue)>, Vec<Problem>) {
    let mut values = Vec::with_capacity(record.fields.len());
    let mut problems = Vec::new();
    for field in &record.fields {
        let slice = raw.get(field.start..field.start + field.length).unwrap_or_default();
        match value::read_fixed(field, slice) {
            Ok(v) => values.push((field.name.clone(), v)),
            Err(p) => {
                problems.push(p);
                values.push((field.name.clone(), LayoutValue::Blank));
            }
        }
    }
    (values, problems)
}
