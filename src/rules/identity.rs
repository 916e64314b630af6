//! Identity rules, checked as records stream by: one SSID described with different birth
//! dates, genders or legal names across records and files, and two SSIDs that describe the
//! same child (possible multiple identifiers). Keeps one small entry per SSID and per
//! name + birth date + gender, never whole records.

use std::collections::hash_map::Entry;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::RecordCtx;
use crate::diagnostic::{Category, Finding, Related, Severity};
use crate::domain::codes::digits;
use crate::domain::date::day_number;
use crate::rules::keys::RecordRef;

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

#[derive(Clone, Copy, Debug)]
struct Person {
    birth: i32,
    gender: u8,
    /// Hashes of the legal first and of the last name, compared without case.
    first: u64,
    last: u64,
    at: RecordRef,
}

/// What the identity rules remember about the students seen so far.
#[derive(Debug, Default)]
pub struct People {
    by_ssid: FxHashMap<u64, Person>,
    by_identity: FxHashMap<(u64, i32, u8), (u64, RecordRef)>,
    reported: FxHashSet<(u64, u64)>,
}

/// Hash of one name, trimmed and without ASCII case (no allocation).
fn name_key(name: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    for b in name.trim_ascii() {
        h.write_u8(b.to_ascii_uppercase());
    }
    h.write_u8(0xFF);
    h.finish()
}

impl People {
    /// Checks one record's identity fields against what earlier records said.
    /// `name_of` turns a file index into the name findings show.
    pub fn check(&mut self, ctx: &RecordCtx<'_, '_>, f: IdentityFields, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
        let valid = [f.ssid, f.first, f.last, f.birth, f.gender].iter().all(|&i| ctx.is_valid(i));
        let (Some(ssid), Some(birth)) = (digits(ctx.raw(f.ssid)), ctx.date(f.birth)) else { return };
        if !valid {
            return;
        }
        let at = RecordRef { file: u32::try_from(ctx.file).unwrap_or(u32::MAX), line: ctx.line, byte: ctx.byte };
        let me =
            Person { birth: day_number(birth), gender: ctx.raw(f.gender)[0], first: name_key(ctx.raw(f.first)), last: name_key(ctx.raw(f.last)), at };
        let key = (me.first.rotate_left(17) ^ me.last, me.birth, me.gender);
        match self.by_ssid.entry(ssid) {
            Entry::Vacant(v) => {
                v.insert(me);
            }
            Entry::Occupied(o) => differs(ctx, f, o.get(), &me, name_of, out),
        }
        match self.by_identity.entry(key) {
            Entry::Vacant(v) => {
                v.insert((ssid, at));
            }
            Entry::Occupied(o) => {
                let (other, other_at) = *o.get();
                if other != ssid && self.reported.insert((other.min(ssid), other.max(ssid))) {
                    let args = [
                        ("other_ssid", crate::domain::codes::ssid_text(other)),
                        ("other_file", name_of(other_at.file as usize)),
                        ("other_line", other_at.line.to_string()),
                    ];
                    out.push(with_related(ctx.finding(&MULTIPLE_IDENTIFIERS, Some(f.ssid), &borrow(&args)), other_at));
                }
            }
        }
    }
}

fn borrow<'a>(args: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn with_related(mut f: Finding, at: RecordRef) -> Finding {
    f.related.push(Related { file: at.file as usize, line: at.line });
    f
}

/// One finding per attribute that differs from the first record of the SSID.
fn differs(ctx: &RecordCtx<'_, '_>, f: IdentityFields, first: &Person, me: &Person, name_of: &dyn Fn(usize) -> String, out: &mut Vec<Finding>) {
    let other_file = name_of(first.at.file as usize);
    let other_line = first.at.line.to_string();
    let mut report = |field: usize, what: &str, shown: String, other_value: String| {
        let args = [
            ("what", what.to_owned()),
            ("shown", shown),
            ("other_value", other_value),
            ("other_file", other_file.clone()),
            ("other_line", other_line.clone()),
        ];
        out.push(with_related(ctx.finding(&SSID_DIFFERS, Some(field), &borrow(&args)), first.at));
    };
    if first.birth != me.birth {
        report(
            f.birth,
            "student_birth_date",
            ctx.text(f.birth).into_owned(),
            format!("`{}`", crate::domain::date::format_ccyymmdd(crate::domain::date::from_day_number(first.birth))),
        );
    }
    if first.gender != me.gender {
        report(f.gender, "student_gender_code", ctx.text(f.gender).into_owned(), format!("`{}`", char::from(first.gender)));
    }
    if first.first != me.first {
        report(f.first, "student_legal_first_name", ctx.text(f.first).into_owned(), "the legal first name".to_owned());
    }
    if first.last != me.last {
        report(f.last, "student_legal_last_name", ctx.text(f.last).into_owned(), "the legal last name".to_owned());
    }
}
