//! Delimited records: the CALPADS upload form (caret between fields, CR LF after each
//! record, no header, no padding, no quoting) and the layout-driven form (CBEDS tab
//! files). A value holding the delimiter or a line break is refused, never altered.

use super::spec::{LayoutValue, RecordLayout};
use super::value::{self, Problem};
use crate::rules::generate as rules;

/// What in `value` a delimited file with `delimiter` cannot carry, in words.
///
/// ```
/// use rollcall::layout::delimited::forbidden;
/// assert_eq!(forbidden(b"GARCIA^LOPEZ", b'^'), Some("a caret"));
/// assert_eq!(forbidden(b"GARCIA", b'^'), None);
/// ```
pub fn forbidden(value: &[u8], delimiter: u8) -> Option<&'static str> {
    if value.contains(&delimiter) {
        return Some(match delimiter {
            b'^' => "a caret",
            b'\t' => "a tab",
            b',' => "a comma",
            _ => "the delimiter",
        });
    }
    value.iter().any(|b| *b == b'\r' || *b == b'\n').then_some("a line break")
}

/// Appends one record: fields joined by `delimiter`, then `terminator`. The caller has
/// checked every field with [`forbidden`].
pub fn push_record<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a [u8]>, delimiter: u8, terminator: &[u8]) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        out.extend_from_slice(f);
    }
    out.extend_from_slice(terminator);
}

/// Encodes one layout record's values joined by `delimiter` (no terminator).
pub fn encode(delimiter: u8, record: &RecordLayout, values: &[LayoutValue]) -> (Vec<u8>, Vec<Problem>) {
    let mut texts: Vec<Vec<u8>> = Vec::with_capacity(values.len());
    let mut problems = Vec::new();
    for (field, v) in record.fields.iter().zip(values) {
        let text = match value::render(field, v, true) {
            Ok(t) => t,
            Err(p) => {
                problems.push(p);
                Vec::new()
            }
        };
        if let Some(what) = forbidden(&text, delimiter) {
            problems.push(Problem {
                rule: &rules::FORBIDDEN_CHAR,
                args: vec![("field", field.name.clone()), ("what", what.to_owned()), ("value", String::from_utf8_lossy(&text).into_owned())],
            });
            texts.push(Vec::new());
        } else {
            texts.push(text);
        }
    }
    let mut out = Vec::new();
    push_record(&mut out, texts.iter().map(Vec::as_slice), delimiter, b"");
    (out, problems)
}

/// Decodes one record's fields (the caller has checked the field count).
pub fn decode(record: &RecordLayout, parts: &[&[u8]]) -> (Vec<(String, LayoutValue)>, Vec<Problem>) {
    let mut values = Vec::with_capacity(parts.len());
    let mut problems = Vec::new();
    for (field, raw) in record.fields.iter().zip(parts) {
        match value::read_delimited(field, raw) {
            Ok(v) => values.push((field.name.clone(), v)),
            Err(p) => {
                problems.push(p);
                values.push((field.name.clone(), LayoutValue::Blank));
            }
        }
    }
    (values, problems)
}
