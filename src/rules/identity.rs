//! Identity rules, checked as records stream by: one SSID described with different birth
//! dates, genders or legal names across records and files, and two SSIDs that describe the
//! same child (possible multiple identifiers). Keeps one small entry per SSID and per
//! name + birth date + gender, never whole records.

use std::hash::Hasher;

use rustc_hash::{FxHashSet, FxHasher};

use super::RecordCtx;
use crate::diagnostic::borrow_args;
use crate::diagnostic::{Category, Finding, Rule, RuleSet, Severity};
use crate::domain::codes::ssid_text;
use crate::domain::codes::StudentKey;
use crate::domain::date::day_number;
use crate::rules::keys::RecordRef;
use crate::rules::keys::{finding_at, with_related};

crate::rules! {
    SSID_DIFFERS {
        id: "XF-SSID-DIFFERS",
        severity: Severity::Warning,
        category: Category::Consistency,
        state_rule: None,
        summary: "One SSID has different birth dates, genders or legal names across records or files",
        message: "{what} `{shown}` for SSID {ssid} differs from {other_value} on {other_file} line {other_line}",
        help: "the same student must be described the same way everywhere; correct the record that is wrong, or check whether the SSID was keyed for the wrong student",
        explanation: "SENR, SINF and STAS all carry the student's legal name, birth date and gender, and the state matches students on them. When one SSID comes with two different values the cause is usually a keying error, or an SSID entered for the wrong student. The finding points at the later record and lists the earlier one.",
        bad: "senr.txt: ...^1234567890^...^MARIA^...^20150412^F^...   stas.txt: ...^1234567890^...^MARIA^...^20150421^F^...",
        good: "senr.txt: ...^1234567890^...^MARIA^...^20150412^F^...   stas.txt: ...^1234567890^...^MARIA^...^20150412^F^...",
    }

    MULTIPLE_IDENTIFIERS {
        id: "XF-MULTIPLE-IDENTIFIERS",
        severity: Severity::Warning,
        category: Category::Consistency,
        state_rule: None,
        summary: "Two SSIDs have the same legal name, birth date and gender (possible multiple identifiers)",
        message: "SSID {ssid} has the same legal name, birth date and gender as SSID {other_ssid} on {other_file} line {other_line}",
        help: "if both are the same child, keep one SSID and ask the state to combine them (MID resolution); if they are twins or namesakes, no change is needed",
        explanation: "The state looks for multiple identifiers (MIDs): one child with two SSIDs. Two SSIDs with identical legal first and last name, birth date and gender in one submission are the strongest sign of it. Resolve it before the state's nightly MID detection flags it during certification.",
        bad: "...^9900000101^...^ANA^...^LOPEZ^...^20140203^F^...   and   ...^9900000177^...^ANA^...^LOPEZ^...^20140203^F^...",
        good: "...^9900000101^...^ANA^...^LOPEZ^...^20140203^F^...   (one SSID for the child)",
    }
}

/// Positions of the identity fields of a record type.
#[derive(Clone, Copy, Debug)]
pub struct IdentityFields {
    pub ssid: usize,
    pub first: usize,
    pub last: usize,
    pub birth: usize,
    pub gender: usize,
}

/// One record's identity as the identity rules compare it: about 64 bytes, gathered while
/// the files stream by and compared at the end by sorting (cache-friendly at millions of
/// records, where per-record hash lookups are not).
#[derive(Clone, Copy, Debug)]
struct Person {
    ssid: u64,
    /// Hashes of the legal first and of the last name, compared without case.
    first: u64,
    last: u64,
    birth: i32,
    gender: u8,
    record_type: &'static str,
    at: RecordRef,
}

impl Person {
    /// The key two records of one child share: names, birth date, gender.
    fn identity(&self) -> (u64, i32, u8) {
        (self.first.rotate_left(17) ^ self.last, self.birth, self.gender)
    }

    /// The fields the SSID rule compares, each on its own.
    fn identity_fields(&self) -> (u64, u64, i32, u8) {
        (self.first, self.last, self.birth, self.gender)
    }
}

/// What the identity rules gather about the students of a run.
#[derive(Debug, Default)]
pub struct People {
    people: Vec<Person>,
}

/// Hash of one name, trimmed and without ASCII case (no allocation: names up to 64 bytes are
/// upper-cased on the stack and hashed in words, longer ones byte by byte).
fn name_key(name: &[u8]) -> u64 {
    let name = name.trim_ascii();
    let mut h = FxHasher::default();
    let mut buf = [0u8; 64];
    if let Some(upper) = buf.get_mut(..name.len()) {
        upper.copy_from_slice(name);
        upper.make_ascii_uppercase();
        h.write(upper);
    } else {
        for b in name {
            h.write_u8(b.to_ascii_uppercase());
        }
    }
    h.write_u8(0xFF);
    h.finish()
}

/// A field's text in a record, for messages raised after the stream: `value_of(record, field)`.
pub type ValueOf<'a> = dyn Fn(RecordRef, &str) -> Option<String> + 'a;

impl People {
    /// Keeps one record's identity (records whose identity fields are not all valid take no part).
    pub fn add(&mut self, ctx: &RecordCtx<'_, '_>, f: IdentityFields, record_type: &'static str) {
        if ![f.ssid, f.first, f.last, f.birth, f.gender].iter().all(|&i| ctx.is_valid(i)) {
            return;
        }
        let (Some(ssid), Some(birth)) = (ctx.digits(f.ssid), ctx.date(f.birth)) else { return };
        let at = RecordRef { file: u32::try_from(ctx.file).unwrap_or(u32::MAX), line: ctx.line, byte: ctx.byte };
        let gender = ctx.raw(f.gender).first().copied().unwrap_or(b' ');
        self.people.push(Person {
            ssid,
            first: name_key(ctx.raw(f.first)),
            last: name_key(ctx.raw(f.last)),
            birth: day_number(birth),
            gender,
            record_type,
            at,
        });
    }

    /// Compares the records gathered: every record of an SSID with its first (in input order),
    /// and every identity with the first SSID that had it. Findings point at the later record.
    pub fn check(&mut self, rules: &RuleSet, name_of: &dyn Fn(usize) -> String, value_of: &ValueOf<'_>, out: &mut Vec<Finding>) {
        let (differs_on, identities_on) = (rules.on(&SSID_DIFFERS), rules.on(&MULTIPLE_IDENTIFIERS));
        if !differs_on && !identities_on {
            return;
        }
        // The people were gathered in input order; a stable sort of (SSID, position) pairs,
        // small and cheap to move, groups them by SSID with input order kept inside a group
        // (and takes files already in SSID order as the runs they are).
        let people = &self.people;
        let mut by_ssid: Vec<(u64, u32)> = people.iter().enumerate().map(|(i, p)| (p.ssid, i as u32)).collect();
        by_ssid.sort_by_key(|e| e.0);
        // Per SSID, each identity it shows (names, birth date, gender) once, at its first
        // record: (identity hash, position). A student's many records become one entry or two.
        let mut shown: Vec<(u64, u32)> = Vec::new();
        for group in by_ssid.chunk_by(|a, b| a.0 == b.0) {
            let first = &people[group[0].1 as usize];
            let start = shown.len();
            if identities_on {
                shown.push((identity_hash(first), group[0].1));
            }
            for &(_, i) in &group[1..] {
                let me = &people[i as usize];
                if differs_on {
                    differs(first, me, name_of, value_of, out);
                }
                if identities_on
                    && me.identity() != first.identity()
                    && !shown[start..].iter().any(|&(_, j)| people[j as usize].identity() == me.identity())
                {
                    shown.push((identity_hash(me), i));
                }
            }
        }
        if identities_on {
            drop(by_ssid);
            multiple_identifiers(people, shown, name_of, out);
        }
    }
}

/// Every identity shown under more than one SSID: the identity hashed to one number (a
/// collision could only pair two children whose hashes agree, and the pair is compared field
/// by field), sorted with input order kept; within one hash, each distinct identity is
/// compared with its own first record, and each SSID pair is reported once.
fn multiple_identifiers(people: &[Person], mut shown: Vec<(u64, u32)>, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    shown.sort_unstable();
    let mut reported: FxHashSet<(u64, u64)> = FxHashSet::default();
    let mut firsts: Vec<&Person> = Vec::new();
    for group in shown.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        firsts.clear();
        for me in group.iter().map(|&(_, i)| &people[i as usize]) {
            let Some(first) = firsts.iter().copied().find(|f| f.identity() == me.identity()) else {
                firsts.push(me);
                continue;
            };
            if me.ssid == first.ssid {
                continue;
            }
            if reported.insert((first.ssid.min(me.ssid), first.ssid.max(me.ssid))) {
                let args = [
                    ("other_ssid", ssid_text(first.ssid)),
                    ("other_file", name_of(first.at.file as usize)),
                    ("other_line", first.at.line.to_string()),
                ];
                out.push(finding(&MULTIPLE_IDENTIFIERS, me, "ssid", ssid_text(me.ssid), &args, first.at));
            }
        }
    }
}

/// The identity key of a person as one number.
fn identity_hash(p: &Person) -> u64 {
    let (names, birth, gender) = p.identity();
    let mut h = FxHasher::default();
    h.write_u64(names);
    h.write_i32(birth);
    h.write_u8(gender);
    h.finish()
}

/// A finding of `rule` at `me`'s record about `field`, with `first` related.
fn finding(rule: &'static Rule, me: &Person, field: &str, value: String, args: &[(&str, String)], first: RecordRef) -> Finding {
    let mut f = finding_at(rule, me.at, me.record_type, Some(field), Some(StudentKey::Ssid(me.ssid)), &borrow_args(args));
    f.value = Some(value);
    with_related(f, [first])
}

/// One finding per attribute that differs from the first record of the SSID.
fn differs(first: &Person, me: &Person, name_of: &dyn Fn(usize) -> String, value_of: &ValueOf<'_>, out: &mut Vec<Finding>) {
    if first.identity_fields() == me.identity_fields() {
        return;
    }
    let mut report = |field: &str, shown: String, other_value: String| {
        let args = [
            ("what", field.to_owned()),
            ("shown", shown.clone()),
            ("other_value", other_value),
            ("other_file", name_of(first.at.file as usize)),
            ("other_line", first.at.line.to_string()),
        ];
        out.push(finding(&SSID_DIFFERS, me, field, shown, &args, first.at));
    };
    let date = |d: i32| crate::domain::date::format_ccyymmdd(crate::domain::date::from_day_number(d));
    if first.birth != me.birth {
        report("student_birth_date", date(me.birth), format!("`{}`", date(first.birth)));
    }
    if first.gender != me.gender {
        report("student_gender_code", char::from(me.gender).to_string(), format!("`{}`", char::from(first.gender)));
    }
    for (field, a, b) in [("student_legal_first_name", first.first, me.first), ("student_legal_last_name", first.last, me.last)] {
        if a != b {
            let what = if field.ends_with("first_name") { "the legal first name" } else { "the legal last name" };
            report(field, value_of(me.at, field).unwrap_or_default(), what.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(ssid: u64, first: &str, last: &str, birth: i32, line: u64) -> Person {
        let at = RecordRef { file: 0, line, byte: line * 100 };
        Person { ssid, first: name_key(first.as_bytes()), last: name_key(last.as_bytes()), birth, gender: b'F', record_type: "SENR", at }
    }

    fn run(people: Vec<Person>) -> Vec<(&'static str, u64, Option<String>)> {
        let mut out = Vec::new();
        let value_of = |_: RecordRef, _: &str| Some("X".to_owned());
        People { people }.check(&RuleSet::default(), &|_| "senr.txt".to_owned(), &value_of, &mut out);
        out.iter().map(|f| (f.rule.id, f.at.line.unwrap_or(0), f.ssid.clone())).collect()
    }

    #[test]
    fn an_identity_shown_by_a_second_ssid_is_reported_once_at_its_first_record() {
        // SSID 1 is ANA RIVERA, then (renamed) ANA LOPEZ; SSID 2 is ANA LOPEZ twice; SSID 3
        // is someone else. The later SSID's first ANA LOPEZ record is the finding, naming
        // SSID 1's ANA LOPEZ record (the first with that identity).
        let found = run(vec![
            person(1, "ana", "rivera", 100, 1),
            person(3, "eva", "ruiz", 200, 2),
            person(2, "ANA", "LOPEZ", 100, 3),
            person(1, "Ana", "Lopez", 100, 4),
            person(2, "ana", "lopez ", 100, 5),
        ]);
        // SSID 1's second record differs from its first (last name), reported once.
        assert!(found.contains(&("XF-SSID-DIFFERS", 4, Some("0000000001".to_owned()))), "{found:?}");
        let multiple: Vec<_> = found.iter().filter(|f| f.0 == "XF-MULTIPLE-IDENTIFIERS").collect();
        // ANA LOPEZ first appears with SSID 2 (line 3): SSID 1's record at line 4 is reported.
        assert_eq!(multiple, [&("XF-MULTIPLE-IDENTIFIERS", 4, Some("0000000001".to_owned()))]);
    }

    #[test]
    fn one_ssid_with_one_identity_reports_nothing() {
        let found = run(vec![person(7, "ana", "rivera", 100, 1), person(7, "ANA", "RIVERA", 100, 2), person(8, "bo", "li", 100, 3)]);
        assert!(found.is_empty(), "{found:?}");
    }
}
