//! One value in one layout field: rendered to its text for writing, or read back from a
//! field's text. Never rounds, never truncates: anything that does not fit is a
//! [`Problem`], which the caller turns into a finding.

use crate::domain::date::parse_ccyymmdd;
use crate::rules::Rule;

use super::spec::{decimal_text, FieldType, LayoutField, LayoutValue};
use crate::rules::generate as rules;

/// Why a value cannot go into (or come out of) a field: the rule and its message arguments.
#[derive(Debug, Clone)]
pub struct Problem {
    pub rule: &'static Rule,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    fn new(rule: &'static Rule, field: &LayoutField, value: &str, extra: &[(&'static str, String)]) -> Problem {
        let mut args = vec![("field", field.name.clone()), ("value", value.to_owned())];
        args.extend_from_slice(extra);
        Problem { rule, args }
    }

    /// The message arguments as the renderer takes them.
    pub fn arg_refs(&self) -> Vec<(&str, &str)> {
        self.args.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

/// The text of `value` for `field`, before padding. `point` writes decimals with a decimal
/// point (delimited files) instead of implied (fixed-width files).
pub fn render(field: &LayoutField, value: &LayoutValue, point: bool) -> Result<Vec<u8>, Problem> {
    let text = match (field.kind, value) {
        (_, LayoutValue::Blank) => return Ok(Vec::new()),
        (FieldType::Text, v) => v.display(),
        (FieldType::Number, v) => {
            let units = units_at(field, v, field.decimals)?;
            if point {
                decimal_text(units, field.decimals)
            } else {
                units.to_string()
            }
        }
        (FieldType::Date, v) => render_date(field, v)?,
    };
    if text.len() > field.length {
        let extra = [("len", text.len().to_string()), ("width", field.length.to_string())];
        return Err(Problem::new(&rules::TOO_LONG, field, &text, &extra));
    }
    Ok(text.into_bytes())
}

fn render_date(field: &LayoutField, value: &LayoutValue) -> Result<String, Problem> {
    let format = field.date_format.as_ref();
    let pattern = format.map_or("CCYYMMDD", |f| f.pattern.as_str());
    let date = match value {
        LayoutValue::Date(d) => Some(*d),
        LayoutValue::Text(s) => parse_ccyymmdd(s.as_bytes()).or_else(|| format.and_then(|f| f.read(s.as_bytes()))),
        _ => None,
    };
    match (date, format) {
        (Some(d), Some(f)) => Ok(f.format(d)),
        _ => Err(Problem::new(&rules::DATE_FIELD, field, &value.display(), &[("format", pattern.to_owned())])),
    }
}

/// `value` as a whole number of 10^-`decimals` units; more decimals than that is a problem.
pub fn units_at(field: &LayoutField, value: &LayoutValue, decimals: u32) -> Result<u64, Problem> {
    let not_number = || Problem::new(&rules::NOT_A_NUMBER, field, &value.display(), &[("decimals", decimals.to_string())]);
    let (units, scale) = match value {
        LayoutValue::Number { units, scale } => (*units, *scale),
        LayoutValue::Text(s) => parse_decimal(s.as_bytes()).ok_or_else(not_number)?,
        LayoutValue::Blank => (0, 0),
        LayoutValue::Date(_) => return Err(not_number()),
    };
    if scale <= decimals {
        10u64.checked_pow(decimals - scale).and_then(|m| units.checked_mul(m)).ok_or_else(not_number)
    } else {
        let div = 10u64.checked_pow(scale - decimals).ok_or_else(not_number)?;
        (units % div == 0).then_some(units / div).ok_or_else(not_number)
    }
}

/// A non-negative decimal like `12` or `12.50`: (units, scale).
pub fn parse_decimal(text: &[u8]) -> Option<(u64, u32)> {
    let (int, frac) = match text.iter().position(|b| *b == b'.') {
        Some(p) => (&text[..p], &text[p + 1..]),
        None => (text, &b""[..]),
    };
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if int.is_empty() || !all_digits(int) || !all_digits(frac) || (text.contains(&b'.') && frac.is_empty()) {
        return None;
    }
    let units = int.iter().chain(frac).try_fold(0u64, |a, d| a.checked_mul(10)?.checked_add(u64::from(d - b'0')))?;
    Some((units, u32::try_from(frac.len()).ok()?))
}

/// Reads a value back from a fixed-width field's bytes (padding included).
pub fn read_fixed(field: &LayoutField, raw: &[u8]) -> Result<LayoutValue, Problem> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    if raw.iter().all(|b| *b == b' ') {
        return Ok(LayoutValue::Blank);
    }
    let bad_pad =
        || Problem::new(&rules::PADDING, field, &shown, &[("align", field.align.as_str().to_owned()), ("pad", char::from(field.pad).to_string())]);
    match field.kind {
        FieldType::Date => read_date(field, raw, &shown),
        FieldType::Text => Ok(LayoutValue::Text(String::from_utf8_lossy(strip_pad(field, raw)).into_owned())),
        FieldType::Number => {
            let body = if field.pad.is_ascii_digit() { raw } else { strip_pad(field, raw) };
            if body.iter().any(|b| *b == b' ' || *b == field.pad && !field.pad.is_ascii_digit()) {
                return Err(bad_pad());
            }
            if body.is_empty() || !body.iter().all(u8::is_ascii_digit) {
                return Err(Problem::new(&rules::NOT_A_NUMBER, field, &shown, &[("decimals", field.decimals.to_string())]));
            }
            let (units, _) = parse_decimal(body).ok_or_else(bad_pad)?;
            Ok(LayoutValue::Number { units, scale: field.decimals })
        }
    }
}

/// Reads a value back from a delimited field's text.
pub fn read_delimited(field: &LayoutField, raw: &[u8]) -> Result<LayoutValue, Problem> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    if raw.is_empty() {
        return Ok(LayoutValue::Blank);
    }
    if raw.len() > field.length {
        return Err(Problem::new(&rules::TOO_LONG, field, &shown, &[("len", raw.len().to_string()), ("width", field.length.to_string())]));
    }
    match field.kind {
        FieldType::Text => Ok(LayoutValue::Text(shown)),
        FieldType::Date => read_date(field, raw, &shown),
        FieldType::Number => match parse_decimal(raw) {
            Some((units, scale)) if scale == field.decimals => Ok(LayoutValue::Number { units, scale }),
            _ => Err(Problem::new(&rules::NOT_A_NUMBER, field, &shown, &[("decimals", field.decimals.to_string())])),
        },
    }
}

fn read_date(field: &LayoutField, raw: &[u8], shown: &str) -> Result<LayoutValue, Problem> {
    let format = field.date_format.as_ref();
    match format.and_then(|f| f.read(raw)) {
        Some(d) => Ok(LayoutValue::Date(d)),
        None => Err(Problem::new(&rules::DATE_FIELD, field, shown, &[("format", format.map_or_else(String::new, |f| f.pattern.clone()))])),
    }
}

/// The value part of a padded field: pad removed from the side away from the alignment.
fn strip_pad<'a>(field: &LayoutField, raw: &'a [u8]) -> &'a [u8] {
    match field.align {
        super::spec::Align::Left => {
            let end = raw.iter().rposition(|b| *b != field.pad).map_or(0, |p| p + 1);
            &raw[..end]
        }
        super::spec::Align::Right => {
            let start = raw.iter().position(|b| *b != field.pad).unwrap_or(raw.len());
            &raw[start..]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::spec::{Align, ValueSource};
    use super::*;

    fn number(decimals: u32, pad: u8) -> LayoutField {
        LayoutField {
            name: "n".into(),
            start: 0,
            length: 6,
            kind: FieldType::Number,
            align: Align::Right,
            pad,
            decimals,
            date_format: None,
            source: ValueSource::Blank,
        }
    }

    #[test]
    fn numbers_take_implied_decimals_without_rounding() {
        let f = number(2, b'0');
        assert_eq!(render(&f, &LayoutValue::Text("12.5".into()), false).unwrap(), b"1250");
        assert_eq!(render(&f, &LayoutValue::Text("12.5".into()), true).unwrap(), b"12.50");
        assert!(render(&f, &LayoutValue::Text("1.255".into()), false).is_err());
        assert!(render(&f, &LayoutValue::Text("-1".into()), false).is_err());
        assert_eq!(render(&f, &LayoutValue::Text("99999.99".into()), false).unwrap_err().rule.id, "LAYOUT-TOO-LONG");
    }

    #[test]
    fn fixed_numbers_read_back() {
        assert_eq!(read_fixed(&number(0, b'0'), b"000012").unwrap(), LayoutValue::count(12));
        assert_eq!(read_fixed(&number(0, b'0'), b"000000").unwrap(), LayoutValue::count(0));
        assert_eq!(read_fixed(&number(0, b' '), b"    12").unwrap(), LayoutValue::count(12));
        assert_eq!(read_fixed(&number(0, b'0'), b"  12  ").unwrap_err().rule.id, "LAYOUT-PADDING");
        assert_eq!(read_fixed(&number(0, b'0'), b"00001A").unwrap_err().rule.id, "LAYOUT-NUMBER");
        assert_eq!(read_fixed(&number(1, b'0'), b"000125").unwrap(), LayoutValue::Number { units: 125, scale: 1 });
    }

    #[test]
    fn decimals_parse_strictly() {
        assert_eq!(parse_decimal(b"12.50"), Some((1250, 2)));
        for bad in [&b""[..], b".5", b"5.", b"1,5", b" 5", b"-5", b"1e3"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }
}
