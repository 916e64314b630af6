//! Redaction (`--redact`): a report that leaves the office shows no student's name, birth
//! date, birth place or address, and SSIDs only by their last four digits.
//!
//! A [`Redactor`] first learns the private values of the inputs (the name, birth and address
//! fields of every CALPADS record, found by the layouts of `schemas/`), then rewrites each
//! finding before any report sees it ([`Redacting`], a [`Sink`]): the student's name becomes
//! `Student-0001`, a private field's value a token of its kind (`Name-0003`, `Birthdate-0002`,
//! `Place-0001`, `Address-0004`), the SSID `******1234`, in the finding's fields, in its
//! message and help, and in the record's line (field by field, the highlighted field moved to
//! where it now is). Tokens are stable within a run: the same value (the same student) keeps
//! one token in every report of the run, so a clerk can still tell two students apart.
//!
//! ```
//! use rollcall::report::redact::{mask_ssid, Private};
//! assert_eq!(mask_ssid("9900000001"), "******0001");
//! assert_eq!(Private::of_field("student_legal_last_name"), Some(Private::Name));
//! assert_eq!(Private::of_field("student_legal_name_suffix_code"), None);
//! assert_eq!(Private::of_field("mailing_address_zip_code"), Some(Private::Address));
//! assert_eq!(Private::of_field("address_state_province_code"), None);
//! ```

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::diagnostic::{Finding, Rule, Sink};
use crate::error::Error;
use crate::schema::Schema;
use crate::source::headered::{sniff, Kind};
use crate::source::{CaretFile, Input, RecordSource, Records};

/// What kind of private value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Private {
    /// A student's or guardian's name (legal, alias, preferred).
    Name,
    /// The student's birth date.
    BirthDate,
    /// A city: of birth, of residence, of mailing.
    Place,
    /// A street address line or a ZIP code.
    Address,
}

impl Private {
    /// The kind of private value the field named `name` (a layout's machine name) holds;
    /// `None` for a field that is not private (codes, dates other than the birth date, the
    /// state of an address: they say nothing about who the student is on their own).
    pub fn of_field(name: &str) -> Option<Private> {
        if name == "student_birth_date" {
            Some(Private::BirthDate)
        } else if name.ends_with("city_name") || name == "student_birth_city" {
            Some(Private::Place)
        } else if name.contains("address") {
            (!name.ends_with("state_province_code") && !name.ends_with("country_code")).then_some(Private::Address)
        } else if name.ends_with("_name") {
            Some(Private::Name)
        } else {
            None
        }
    }

    fn label(self) -> &'static str {
        match self {
            Private::Name => "Name",
            Private::BirthDate => "Birthdate",
            Private::Place => "Place",
            Private::Address => "Address",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// An SSID with all but its last four characters starred: `******1234`.
pub fn mask_ssid(ssid: &str) -> String {
    let chars: Vec<char> = ssid.trim().chars().collect();
    let keep = chars.len().saturating_sub(4);
    chars.iter().enumerate().map(|(i, c)| if i < keep { '*' } else { *c }).collect()
}

/// Where a record type keeps its SSID and its private fields.
#[derive(Debug, Default)]
struct Places {
    ssid: Option<usize>,
    private: Vec<(usize, Private)>,
    /// The field counts of the type's layouts (every era, upload and download): a record
    /// with another count has its fields out of place.
    counts: Vec<usize>,
}

impl Places {
    fn kind(&self, i: usize) -> Option<Private> {
        self.private.iter().find(|(j, _)| *j == i).map(|(_, k)| *k)
    }

    fn first_private(&self) -> usize {
        self.private.iter().map(|(i, _)| *i).min().unwrap_or(usize::MAX)
    }
}

/// Learns the private values of a run's inputs and takes them out of its findings.
pub struct Redactor {
    /// Per record type (upload and download spellings), where its fields are.
    places: HashMap<String, Places>,
    /// Every private value seen in the inputs, with its kind.
    known: HashMap<String, Private>,
    /// The known values, for finding them in free text.
    patterns: Vec<String>,
    matcher: Option<AhoCorasick>,
    /// Tokens given so far, per kind and value, and the next number of each kind.
    tokens: HashMap<(Private, String), String>,
    next: [u32; 4],
    /// Per student (SSID, else local student ID, else name), the student's token.
    students: HashMap<String, String>,
    student_count: u32,
}

impl Redactor {
    /// A redactor for records of `schema`'s layouts.
    pub fn new(schema: &Schema) -> Redactor {
        let mut places = HashMap::new();
        for layout in &schema.layouts {
            let mut p = Places::default();
            for era in layout.eras() {
                for (i, name) in era.names().iter().enumerate() {
                    if name == "ssid" {
                        p.ssid.get_or_insert(i);
                    } else if let Some(kind) = Private::of_field(name) {
                        if p.kind(i).is_none() {
                            p.private.push((i, kind));
                        }
                    }
                }
                p.counts.push(era.fields);
                p.counts.push(era.fields + layout.download_fields.len());
            }
            if let Some(download) = &layout.download_record_type {
                let copy = Places { ssid: p.ssid, private: p.private.clone(), counts: p.counts.clone() };
                places.insert(download.clone(), copy);
            }
            places.insert(layout.record_type.clone(), p);
        }
        Redactor {
            places,
            known: HashMap::new(),
            patterns: Vec::new(),
            matcher: None,
            tokens: HashMap::new(),
            next: [0; 4],
            students: HashMap::new(),
            student_count: 0,
        }
    }

    /// Reads the CALPADS files among `inputs` for their private values, so that a value
    /// quoted in another record's finding (the birth date of the record an SSID's other
    /// record disagrees with) is taken out too.
    pub fn learn(&mut self, inputs: &[Input]) -> Result<(), Error> {
        let mut batch = Records::default();
        for (i, input) in inputs.iter().enumerate() {
            if !matches!(sniff(input)?, Kind::Calpads) {
                continue;
            }
            let mut source = CaretFile::open(i, input)?;
            loop {
                batch.clear();
                source.fill(&mut batch)?;
                if batch.is_empty() {
                    break;
                }
                for (rec, _) in batch.records() {
                    self.learn_fields(&rec.iter().collect::<Vec<_>>());
                }
            }
        }
        self.build();
        Ok(())
    }

    /// Learns the private values of records held as caret lines (the converted rows of
    /// `rollcall generate`).
    pub fn learn_lines<'r>(&mut self, lines: impl Iterator<Item = &'r [u8]>) {
        for line in lines {
            self.learn_fields(&line.split(|b| *b == b'^').collect::<Vec<_>>());
        }
        self.build();
    }

    /// Learns the private values of one record's fields.
    fn learn_fields(&mut self, fields: &[&[u8]]) {
        let Some(places) = fields.first().and_then(|t| self.places.get(String::from_utf8_lossy(t).trim())) else { return };
        if !places.counts.contains(&fields.len()) {
            return;
        }
        for (j, kind) in &places.private {
            let value = String::from_utf8_lossy(fields.get(*j).copied().unwrap_or_default()).trim().to_owned();
            remember(&mut self.known, value, *kind);
        }
    }

    /// Builds the matcher of the known values.
    fn build(&mut self) {
        self.patterns = self.known.keys().cloned().collect();
        self.patterns.sort_unstable();
        self.matcher =
            if self.patterns.is_empty() { None } else { AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&self.patterns).ok() };
    }

    /// A sink that redacts every finding before passing it to `inner`.
    pub fn sink<'a>(&'a mut self, inner: &'a mut dyn Sink) -> Redacting<'a> {
        Redacting { inner, redactor: self }
    }

    /// The token of `value` as a private value of `kind`.
    pub fn token(&mut self, kind: Private, value: &str) -> String {
        let key = (kind, value.trim().to_owned());
        if let Some(t) = self.tokens.get(&key) {
            return t.clone();
        }
        self.next[kind.slot()] += 1;
        let token = format!("{}-{:04}", kind.label(), self.next[kind.slot()]);
        self.tokens.insert(key, token.clone());
        token
    }

    /// The token of the student known by any of `keys` (SSID, local student ID, name; the
    /// first known one decides), kept under all of them, so a student keeps one token whether
    /// a finding names the SSID or only the local ID.
    pub fn student(&mut self, keys: &[Option<&str>]) -> String {
        let keys: Vec<String> = keys.iter().flatten().map(|k| k.trim()).filter(|k| !k.is_empty()).map(str::to_owned).collect();
        let token = match keys.iter().find_map(|k| self.students.get(k)) {
            Some(t) => t.clone(),
            None => {
                self.student_count += 1;
                format!("Student-{:04}", self.student_count)
            }
        };
        for k in keys {
            self.students.entry(k).or_insert_with(|| token.clone());
        }
        token
    }

    /// Takes every private value out of `f`.
    pub fn finding(&mut self, f: &mut Finding) {
        // Replacements this finding knows of: its SSID, its student's name, its value.
        let mut own: Vec<(String, String)> = Vec::new();
        if let Some(name) = &f.student_name {
            let token = self.student(&[f.ssid.as_deref(), f.local_student_id.as_deref(), Some(name.as_str())]);
            own.push((name.clone(), token.clone()));
            f.student_name = Some(token);
        }
        if let Some(ssid) = &f.ssid {
            let masked = mask_ssid(ssid);
            own.push((ssid.trim().to_owned(), masked.clone()));
            f.ssid = Some(masked);
        }
        if let (Some(field), Some(value)) = (&f.field, &f.value) {
            let redacted = if field == "ssid" {
                Some(mask_ssid(value))
            } else {
                Private::of_field(field).filter(|_| !value.trim().is_empty()).map(|kind| self.token(kind, value))
            };
            if let Some(r) = redacted {
                own.push((value.trim().to_owned(), r.clone()));
                f.value = Some(r);
            }
        }
        own.retain(|(from, _)| !from.is_empty());
        if let Some(v) = &f.value {
            f.value = Some(self.scrub(v, &own));
        }
        f.message = self.scrub(&f.message, &own);
        f.help = self.scrub(&f.help, &own);
        if let Some(local) = &f.local_record_id {
            f.local_record_id = Some(self.scrub(local, &own));
        }
        self.excerpt(f, &own);
    }

    /// The record's line with each private field replaced, and the highlighted field's span
    /// moved to where that field now is.
    fn excerpt(&mut self, f: &mut Finding, own: &[(String, String)]) {
        let Some(excerpt) = f.excerpt.take() else { return };
        let text = &excerpt.text;
        let delimiter = if text.contains('^') { '^' } else { ',' };
        let cells: Vec<&str> = text.split(delimiter).collect();
        let record_type = cells.first().map(|c| c.trim()).unwrap_or_default();
        let places = self.places.get(record_type).map(|p| (p.ssid, p.private.clone(), p.counts.contains(&cells.len()), p.first_private()));
        let mut out: Vec<String> = Vec::with_capacity(cells.len());
        for (i, cell) in cells.iter().enumerate() {
            let value = cell.trim();
            let new = match &places {
                _ if value.is_empty() => (*cell).to_owned(),
                Some((ssid, _, _, _)) if *ssid == Some(i) => mask_ssid(value),
                Some((_, private, true, _)) if private.iter().any(|(j, _)| *j == i) => {
                    let kind = private.iter().find(|(j, _)| *j == i).map_or(Private::Name, |(_, k)| *k);
                    self.token(kind, value)
                }
                // Fields out of place (a record with the wrong field count): every field from
                // the first private one on that holds letters or a number is hidden.
                Some((_, _, false, first)) if i >= *first && value.bytes().any(|b| b.is_ascii_alphanumeric()) => "[redacted]".to_owned(),
                _ => self.scrub(cell, own),
            };
            out.push(new);
        }
        let span = excerpt.span.and_then(|(start, len)| moved_span(&cells, &out, start, len));
        let joined = out.join(&delimiter.to_string());
        f.excerpt = Some(crate::diagnostic::Excerpt { text: joined, span });
    }

    /// `text` with the finding's own values, every known private value (as a whole word)
    /// and every ten-digit number (an SSID) replaced.
    fn scrub(&mut self, text: &str, own: &[(String, String)]) -> String {
        let mut cuts: Vec<(usize, usize, String)> = Vec::new();
        for (from, to) in own {
            for (at, _) in text.match_indices(from.as_str()) {
                if is_word(text, at, at + from.len()) {
                    cuts.push((at, at + from.len(), to.clone()));
                }
            }
        }
        if let Some(matcher) = &self.matcher {
            let found: Vec<(usize, usize, usize)> = matcher.find_iter(text).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect();
            for (start, end, p) in found {
                if is_word(text, start, end) {
                    let value = self.patterns[p].clone();
                    let kind = self.known.get(&value).copied().unwrap_or(Private::Name);
                    let token = self.token(kind, &value);
                    cuts.push((start, end, token));
                }
            }
        }
        ssid_cuts(text, &mut cuts);
        apply(text, cuts)
    }
}

/// `text` with every ten-digit number (an SSID) shown by its last four digits: for the
/// figures of the attendance commands, whose only private value is the SSID.
///
/// ```
/// use rollcall::report::redact::mask_ssids;
/// assert_eq!(mask_ssids("9900000105,9990011,12345678901"), "******0105,9990011,12345678901");
/// ```
pub fn mask_ssids(text: &str) -> String {
    let mut cuts = Vec::new();
    ssid_cuts(text, &mut cuts);
    apply(text, cuts)
}

/// The ten-digit numbers of `text`, each as a cut to its masked form.
fn ssid_cuts(text: &str, cuts: &mut Vec<(usize, usize, String)>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 10 && is_word(text, start, i) {
                cuts.push((start, i, mask_ssid(&text[start..i])));
            }
        } else {
            i += 1;
        }
    }
}

/// `text` with each cut `(start, end, replacement)` made; of overlapping cuts, the earliest
/// (then the longest) wins.
fn apply(text: &str, mut cuts: Vec<(usize, usize, String)>) -> String {
    if cuts.is_empty() {
        return text.to_owned();
    }
    cuts.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, to) in cuts {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&to);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Keeps `value` as a private value of `kind` (a birth date also in its ISO form), unless it
/// is too short to tell from a code.
fn remember(known: &mut HashMap<String, Private>, value: String, kind: Private) {
    if value.chars().count() < 2 {
        return;
    }
    if kind == Private::BirthDate {
        if let Some(d) = crate::domain::date::parse_ccyymmdd(value.as_bytes()) {
            known.entry(d.format("%Y-%m-%d").to_string()).or_insert(kind);
        }
    }
    known.entry(value).or_insert(kind);
}

/// Whether `text[start..end]` is a whole word: no letter or digit right before or after it.
fn is_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    before && after
}

/// Where the span `(start, len)` of the line made of `old` cells lies in the line made of
/// `new` cells: the whole new cell when its cell changed, else the same place in it.
fn moved_span(old: &[&str], new: &[String], start: usize, len: usize) -> Option<(usize, usize)> {
    let (mut old_at, mut new_at) = (0, 0);
    for (o, n) in old.iter().zip(new) {
        if start <= old_at + o.len() {
            if *o == n.as_str() {
                return Some((new_at + (start - old_at), len));
            }
            return Some((new_at, n.len()));
        }
        old_at += o.len() + 1;
        new_at += n.len() + 1;
    }
    None
}

/// A [`Sink`] that redacts findings on their way to another.
pub struct Redacting<'a> {
    inner: &'a mut dyn Sink,
    redactor: &'a mut Redactor,
}

impl Sink for Redacting<'_> {
    fn wants_excerpt(&mut self, rule: &'static Rule) -> bool {
        self.inner.wants_excerpt(rule)
    }
    fn finding(&mut self, mut finding: Finding) -> std::io::Result<()> {
        self.redactor.finding(&mut finding);
        self.inner.finding(finding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Excerpt;

    /// A SINF record of the current layout (synthetic).
    const LINE: &str = "SINF^^LI-0001^20250813^^9912345^9990011^2025-2026^9900000001^240001^CAMILA^ROSE^MOSSSHAW^^^^^20210513^F^PHOENIX^US-AZ^US^N^N^700^^^^^N^3775 TEMPLATE CT^^PUEBLO MUESTRA^US-CA^95912^^^15^HECTOR^MOSSSHAW^ROBERTO^MOSSSHAW^^^^^^^^12";

    fn redactor() -> Redactor {
        let schema = Schema::embedded().unwrap();
        let mut r = Redactor::new(&schema);
        for (v, k) in [("MOSSSHAW", Private::Name), ("CAMILA", Private::Name), ("20210513", Private::BirthDate)] {
            remember(&mut r.known, v.to_owned(), k);
        }
        r.build();
        r
    }

    #[test]
    fn free_text_loses_known_values_ssids_and_iso_birth_dates() {
        let mut r = redactor();
        let text = r.scrub("SSID 9900000001 has birth date 20210513 (2021-05-13) like CAMILA MOSSSHAW; CAMILAS stays", &[]);
        assert_eq!(text, "SSID ******0001 has birth date Birthdate-0001 (Birthdate-0002) like Name-0001 Name-0002; CAMILAS stays");
        // The same value keeps its token.
        assert_eq!(r.scrub("MOSSSHAW", &[]), "Name-0002");
    }

    #[test]
    fn an_excerpt_keeps_its_codes_and_its_highlight() {
        let mut r = redactor();
        let line = LINE;
        let gender = line.find("^F^").unwrap() + 1;
        let mut f = Finding::new(&crate::rules::field::REQUIRED, &[]);
        f.record_type = Some("SINF".into());
        f.excerpt = Some(Excerpt { text: line.to_owned(), span: Some((gender, 1)) });
        r.finding(&mut f);
        let ex = f.excerpt.unwrap();
        for gone in ["CAMILA", "ROSE", "MOSSSHAW", "20210513", "PHOENIX", "3775 TEMPLATE CT", "PUEBLO MUESTRA", "95912", "HECTOR", "9900000001"] {
            assert!(!ex.text.contains(gone), "{gone} left in {}", ex.text);
        }
        assert!(ex.text.contains("^******0001^240001^Name-0001^"), "{}", ex.text);
        assert!(ex.text.contains("^US-AZ^US^"));
        let (start, len) = ex.span.unwrap();
        assert_eq!(&ex.text[start..start + len], "F");
    }

    #[test]
    fn a_private_value_is_a_token_and_the_span_covers_it() {
        let mut r = redactor();
        let line = LINE;
        let at = line.find("20210513").unwrap();
        let mut f = Finding::new(&crate::rules::field::REQUIRED, &[]);
        f.field = Some("student_birth_date".into());
        f.value = Some("20210513".into());
        f.ssid = Some("9900000001".into());
        f.student_name = Some("CAMILA ROSE MOSSSHAW".into());
        f.message = "student_birth_date 20210513 is in the future for CAMILA ROSE MOSSSHAW".into();
        f.excerpt = Some(Excerpt { text: line.to_owned(), span: Some((at, 8)) });
        r.finding(&mut f);
        assert_eq!(f.value.as_deref(), Some("Birthdate-0001"));
        assert_eq!(f.ssid.as_deref(), Some("******0001"));
        assert_eq!(f.student_name.as_deref(), Some("Student-0001"));
        assert_eq!(f.message, "student_birth_date Birthdate-0001 is in the future for Student-0001");
        let ex = f.excerpt.unwrap();
        let (start, len) = ex.span.unwrap();
        assert_eq!(&ex.text[start..start + len], "Birthdate-0001");
    }

    #[test]
    fn a_record_out_of_shape_hides_everything_past_the_ids() {
        let mut r = redactor();
        let mut f = Finding::new(&crate::rules::field::REQUIRED, &[]);
        f.excerpt = Some(Excerpt { text: "SINF^^LI-9^20250813^^9912345^9990011^2025-2026^9900000009^240009^ZED^^QUUX^20100101".into(), span: None });
        r.finding(&mut f);
        let text = f.excerpt.unwrap().text;
        assert!(!text.contains("ZED") && !text.contains("QUUX") && !text.contains("20100101"), "{text}");
        assert!(text.starts_with("SINF^^LI-9^20250813^^9912345^9990011^2025-2026^******0009^240009^"), "{text}");
    }
}
