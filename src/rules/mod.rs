//! The rule registry. Every rule is a `static` [`Rule`] value with a stable ID, severity,
//! category, the state rule it mirrors, message and help templates, and an explanation with
//! a bad and a fixed example. One rule family per file; [`all`] lists every family, and
//! `rollcall rules`, `rollcall explain` and the README catalog are generated from it.

pub mod advice;
pub mod attendance;
pub mod calendar;
pub mod cross;
pub mod directory;
pub mod family;
pub mod field;
pub mod generate;
pub mod identity;
pub mod keys;
pub mod senr;
pub mod sinf;
pub mod stas;
pub mod structure;
pub mod within;

use chrono::NaiveDate;
use csv::ByteRecord;

pub use crate::diagnostic::{render, Rule};
use crate::diagnostic::{Finding, RuleSet};
use crate::domain::date::AcademicYear;
use crate::schema::{CodeSet, FieldSpec, Layout, Required, Schema, ValueFormat};

/// The whole-run rules (within-file, cross-file, identity, directory): the ones a run whose
/// product is a count or a file, not a check, leaves to `rollcall check`.
pub fn whole_run() -> Vec<&'static Rule> {
    [within::RULES, cross::RULES, identity::RULES, directory::RULES].into_iter().flatten().copied().collect()
}

/// `FIRST LAST` from the name fields a record has, if any.
pub fn student_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let name = format!("{} {}", first.unwrap_or_default().trim(), last.unwrap_or_default().trim());
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Every registered rule, family by family, in catalog order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        structure::RULES,
        field::RULES,
        senr::RULES,
        sinf::RULES,
        stas::RULES,
        within::RULES,
        identity::RULES,
        cross::RULES,
        directory::RULES,
        calendar::RULES,
        attendance::RULES,
        generate::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The rule with this ID (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// One field of a layout compiled for one academic year, with its code set resolved.
#[derive(Debug)]
pub struct CompiledField<'s> {
    pub spec: &'s FieldSpec,
    pub codeset: Option<&'s CodeSet>,
    /// What the field rules test, decided once for the year.
    pub plan: FieldPlan,
}

/// What the field rules test of one field in one academic year, resolved when the layout is
/// compiled: the hot loop reads these few bytes and nothing else of the field's spec until a
/// value fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldPlan {
    pub format: ValueFormat,
    /// Maximum length (characters for text, bytes for a typed value).
    pub max: u32,
    /// A blank value is a finding (required `Y`).
    pub required: bool,
    /// The field must be blank in this year (it comes into use later: `blank_before`).
    pub not_yet: bool,
    /// A typed value (a date, a code, a number, digits): its form is checked before its length.
    pub typed: bool,
    /// Text whose length is counted in characters before anything else.
    pub text_length: bool,
}

impl<'s> CompiledField<'s> {
    /// `spec` compiled for `year`, with its code set.
    pub fn new(spec: &'s FieldSpec, codeset: Option<&'s CodeSet>, year: AcademicYear) -> CompiledField<'s> {
        let typed = codeset.is_some()
            || matches!(
                spec.format,
                ValueFormat::Date
                    | ValueFormat::Day
                    | ValueFormat::Digits
                    | ValueFormat::Integer
                    | ValueFormat::Decimal
                    | ValueFormat::Zip
                    | ValueFormat::AcademicYear
            );
        let plan = FieldPlan {
            format: spec.format,
            max: spec.max,
            required: spec.required == Required::Yes,
            not_yet: spec.blank_before.is_some_and(|y| year < y),
            typed,
            text_length: !typed && spec.format != ValueFormat::RecordType,
        };
        CompiledField { spec, codeset, plan }
    }
}

/// A layout compiled for one record type spelling and one academic year.
#[derive(Debug)]
pub struct Compiled<'s> {
    pub layout: &'s Layout,
    /// As written in the file: `SENR` or `SENR-R`.
    pub record_type: String,
    pub year: AcademicYear,
    /// The download (`-R`) form, with its extra trailing fields.
    pub download: bool,
    /// The records hold no record type field: field 0 is the layout's second field.
    pub without_type: bool,
    pub fields: Vec<CompiledField<'s>>,
    /// A number unique to this compiled layout in its run (for caches keyed by layout form).
    pub id: usize,
    /// The record rules of its family, compiled for this layout (`None`: field rules only).
    pub family: Option<Box<dyn family::RecordRules>>,
    /// Its registered family (`None`: a record type of a custom schema), found once here
    /// rather than by name for every record.
    pub registered: Option<&'static family::Family>,
    pub ssid: Option<usize>,
    pub local_record_id: Option<usize>,
    pub school: Option<usize>,
    pub local_student_id: Option<usize>,
    /// The student's legal first and last name, for the heading of a finding.
    pub names: (Option<usize>, Option<usize>),
}

/// A rule needs a field that the schema's layout does not have.
#[derive(Debug)]
pub struct MissingField {
    pub record_type: String,
    pub field: &'static str,
}

impl<'s> Compiled<'s> {
    /// Compiles `layout` for `year`; `download` selects the `-R` form with its extra fields;
    /// `without_type` leaves the record type field out (records of a source that gives the
    /// record type once, [`crate::source::RecordSource::record_type`]).
    pub fn new(
        schema: &'s Schema,
        layout: &'s Layout,
        year: AcademicYear,
        download: bool,
        without_type: bool,
        rules: &RuleSet,
    ) -> Result<Compiled<'s>, MissingField> {
        let fields: Vec<CompiledField<'s>> = layout
            .fields_for(year, download)
            .into_iter()
            .skip(usize::from(without_type))
            .map(|spec| CompiledField::new(spec, spec.codeset.as_deref().and_then(|c| schema.codeset(c)), year))
            .collect();
        let pos = |name: &str| fields.iter().position(|f| f.spec.name == name);
        let mut c = Compiled {
            layout,
            record_type: if download { layout.download_record_type.clone().unwrap_or_default() } else { layout.record_type.clone() },
            year,
            download,
            without_type,
            ssid: pos(crate::schema::names::SSID),
            local_record_id: pos(crate::schema::names::LOCAL_RECORD_ID),
            school: pos(crate::schema::names::SCHOOL_OF_ATTENDANCE),
            local_student_id: pos(crate::schema::names::LOCAL_STUDENT_ID),
            names: (pos("student_legal_first_name"), pos("student_legal_last_name")),
            fields: Vec::new(),
            id: 0,
            family: None,
            registered: family::family_of(&layout.record_type),
        };
        let lookup = Lookup { record_type: &layout.record_type, fields: &fields, rules, year };
        c.family = c.registered.map(|f| (f.compile)(&lookup)).transpose()?;
        c.fields = fields;
        Ok(c)
    }
}

/// Resolves field names to positions while a layout is compiled.
pub struct Lookup<'a, 's> {
    record_type: &'a str,
    fields: &'a [CompiledField<'s>],
    rules: &'a RuleSet,
    /// The academic year the layout is compiled for.
    pub year: AcademicYear,
}

impl Lookup<'_, '_> {
    /// Whether any of `rules` runs (decided once per compiled layout, not per record).
    pub fn on(&self, rules: &[&Rule]) -> bool {
        self.rules.any_on(rules)
    }

    /// The position of a field a rule cannot work without.
    pub fn need(&self, name: &'static str) -> Result<usize, MissingField> {
        self.get(name).ok_or(MissingField { record_type: self.record_type.to_owned(), field: name })
    }

    /// The position of a field that may be absent in some years.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.spec.name == name)
    }
}

/// A value parsed by the field rules, kept so record rules do not parse again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Parsed {
    /// Blank, or not valid for its field (already reported).
    Missing,
    Text,
    Date(NaiveDate),
    /// A day count in hundredths.
    Number(i64),
    /// A code of digits (SSID, LEA, school), as a number.
    Digits(u64),
    /// A local attendance code the code table knows, as its category.
    Category(crate::domain::attendance::Category),
}

/// What record rules see: one record with its parsed values.
pub struct RecordCtx<'r, 's> {
    pub file: usize,
    pub line: u64,
    pub byte: u64,
    pub record: &'r ByteRecord,
    pub compiled: &'r Compiled<'s>,
    pub values: &'r [Parsed],
    pub as_of: NaiveDate,
    pub schema: &'s Schema,
    /// The rules that run (`--ignore` leaves some out).
    pub rules: &'r RuleSet,
}

impl RecordCtx<'_, '_> {
    /// Whether `rule` runs in this run.
    pub fn on(&self, rule: &Rule) -> bool {
        self.rules.on(rule)
    }

    /// The raw bytes of field `i` (empty when the record is short).
    #[inline]
    pub fn raw(&self, i: usize) -> &[u8] {
        self.record.get(i).unwrap_or_default()
    }

    /// Field `i` as text (lossy for invalid UTF-8, which is reported separately).
    pub fn text(&self, i: usize) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.raw(i))
    }

    /// Whether field `i` is blank (empty or spaces only).
    #[inline]
    pub fn is_blank(&self, i: usize) -> bool {
        is_blank(self.raw(i))
    }

    /// The parsed date in field `i`, if it was valid.
    #[inline]
    pub fn date(&self, i: usize) -> Option<NaiveDate> {
        match self.values.get(i) {
            Some(Parsed::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// The digits code in field `i` as a number, if it was valid: parsed by the field rules
    /// when the field has the digits format, else read now.
    #[inline]
    pub fn digits(&self, i: usize) -> Option<u64> {
        match self.values.get(i) {
            Some(Parsed::Digits(n)) => Some(*n),
            _ => crate::domain::codes::digits(self.raw(i)),
        }
    }

    /// The parsed number (hundredths) in field `i`, if it was valid.
    #[inline]
    pub fn number(&self, i: usize) -> Option<i64> {
        match self.values.get(i) {
            Some(Parsed::Number(n)) => Some(*n),
            _ => None,
        }
    }

    /// Whether field `i` passed its field rules and is not blank.
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        !matches!(self.values.get(i), Some(Parsed::Missing) | None)
    }

    /// A finding of `rule` about this record, pointing at field `field` when given.
    pub fn finding(&self, rule: &'static Rule, field: Option<usize>, args: &[(&str, &str)]) -> Finding {
        let text_of = |i: Option<usize>| i.map(|i| self.text(i).into_owned());
        let value = text_of(field).unwrap_or_default();
        let ssid = text_of(self.compiled.ssid).unwrap_or_default();
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(args.len() + 3);
        all.extend_from_slice(args);
        all.push(("value", &value));
        all.push(("record_type", &self.compiled.record_type));
        all.push(("ssid", &ssid));
        let mut f = Finding::new(rule, &all);
        f.at.input = Some(self.file);
        f.at.line = Some(self.line);
        f.at.byte = Some(self.byte);
        f.at.span = field.and_then(|i| crate::source::field_span(self.record, i));
        f.record_type = Some(self.compiled.record_type.clone());
        f.field = field.and_then(|i| self.compiled.fields.get(i)).map(|c| c.spec.name.clone());
        f.value = field.map(|_| value.clone());
        f.ssid = text_of(self.compiled.ssid).filter(|s| !s.is_empty());
        f.local_record_id = text_of(self.compiled.local_record_id).filter(|s| !s.is_empty());
        f.school = text_of(self.compiled.school).filter(|s| !s.is_empty());
        f.local_student_id = text_of(self.compiled.local_student_id).filter(|s| !s.is_empty());
        f.student_name = student_name(text_of(self.compiled.names.0), text_of(self.compiled.names.1));
        f
    }

    /// The name of field `i`, for messages.
    pub fn name(&self, i: usize) -> &str {
        self.compiled.fields.get(i).map_or("", |c| c.spec.name.as_str())
    }
}

/// Blank means empty or only spaces.
pub fn is_blank(value: &[u8]) -> bool {
    value.iter().all(|b| *b == b' ')
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::diagnostic::{Category, Severity};

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for r in all() {
            assert!(seen.insert(r.id), "duplicate rule ID {}", r.id);
            let ok = r.id.split('-').count() >= 2
                && r.id.split('-').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
            assert!(ok, "rule ID {} is not FAMILY-NAME in capitals", r.id);
        }
        assert!(seen.len() > 40);
    }

    #[test]
    fn every_rule_is_documented() {
        for r in all() {
            assert!(!r.summary.is_empty() && !r.summary.ends_with('.'), "{}: summary", r.id);
            assert!(r.explanation.len() > 40, "{}: explanation too short", r.id);
            assert!(!r.bad.is_empty() && !r.good.is_empty() && r.bad != r.good, "{}: examples", r.id);
            assert!(!r.help.is_empty() && !r.message.is_empty(), "{}: message/help", r.id);
            assert!(r.severity != Severity::Fatal || r.category != Category::Plausibility, "{}: plausibility is never fatal", r.id);
        }
    }

    #[test]
    fn render_fills_known_placeholders_only() {
        assert_eq!(render("{a} and {b} and {", &[("a", "1")]), "1 and {b} and {");
    }
}
