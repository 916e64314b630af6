//! `rollcall check --layout`: re-validates files written with a layout (a generated census
//! file, another state's fixed-width form) by reading them back with the same layout, so a
//! file rollcall wrote can be checked like any CALPADS file: findings with file, line, the
//! record shown and the field underlined.

use crate::diagnostic::{Excerpt, Finding};
use crate::engine::{Sink, Totals};
use crate::error::Error;
use crate::source::Input;

use super::read_layout;
use super::spec::{FileLayout, Framing};

/// Reads every input with `layout` and sends what is wrong with it to `sink`.
pub fn check_files(layout: &FileLayout, inputs: &[Input], sink: &mut dyn Sink) -> Result<Totals, Error> {
    let mut totals = Totals::default();
    for (i, input) in inputs.iter().enumerate() {
        let bytes = std::fs::read(&input.path).map_err(|source| Error::Read { path: input.path.clone(), source })?;
        let back = read_layout(layout, &bytes);
        let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        totals.files += 1;
        totals.records += lines.iter().filter(|l| !matches!(l, [] | [b'\r'] | [0x1A])).count() as u64;
        for mut finding in back.findings {
            finding.at.input = Some(i);
            let line = finding.at.line.and_then(|n| lines.get(usize::try_from(n).ok()?.checked_sub(1)?));
            if let Some(raw) = line {
                if sink.wants_excerpt(finding.rule) {
                    finding.excerpt = Some(excerpt(layout, raw, &finding));
                }
            }
            sink.finding(finding).map_err(Error::stdout)?;
        }
    }
    Ok(totals)
}

/// The record's text with the finding's field marked.
fn excerpt(layout: &FileLayout, raw: &[u8], finding: &Finding) -> Excerpt {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let text = String::from_utf8_lossy(raw).into_owned();
    let field = finding.field.as_deref().and_then(|name| {
        let record = layout.records.iter().find(|r| Some(r.kind.as_str()) == finding.record_type.as_deref())?;
        let at = record.fields.iter().position(|f| f.name == name)?;
        Some((record, at))
    });
    let span = field.and_then(|(record, at)| match layout.form {
        Framing::Fixed { .. } => {
            let f = &record.fields[at];
            (f.start < text.len() && text.is_char_boundary(f.start)).then(|| (f.start, f.length.min(text.len() - f.start)))
        }
        Framing::Delimited { delimiter } => {
            let parts: Vec<&[u8]> = raw.split(|b| *b == delimiter).collect();
            let start: usize = parts.iter().take(at).map(|p| p.len() + 1).sum();
            parts.get(at).map(|p| (start, p.len()))
        }
    });
    let span = span.filter(|(s, l)| text.is_char_boundary(*s) && text.is_char_boundary(s + l));
    Excerpt { text, span }
}
