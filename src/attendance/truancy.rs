//! Truancy under the Education Code (attendance.md): EC 48260 — a pupil of compulsory age
//! absent without a valid excuse on three occasions in a school year is truant (an occasion
//! is a full day absent without excuse, or a tardy or absence without excuse of more than 30
//! minutes); EC 48261 — every further occasion is another report; EC 48262 — three reports
//! make a habitual truant; EC 48263.6 — unexcused absence on 10 % or more of the school days
//! makes a chronic truant. The first notification to the parent (EC 48260.5 as amended by
//! SB 691, operative 2025-07-01) is written by `rollcall truancy --letters`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::ledger::{Ledger, MINUTES_GIVEN, OVER_30_MINUTES};
use crate::diagnostic::Finding;
use crate::domain::attendance::Category;
use crate::domain::codes::{LocalId, StudentKey};
use crate::domain::date::{day_number, from_day_number};
use crate::engine::Accumulator;
use crate::rules::RecordCtx;

/// Compulsory education: from the 6th birthday to the day before the 18th (EC 48200).
pub const COMPULSORY_FROM: i32 = 6;
pub const COMPULSORY_UNTIL: i32 = 18;

/// Whether a day byte of the ledger is a truancy occasion: an unexcused absence (a full day,
/// or, when minutes are given, more than 30 of them), or a tardy of more than 30 minutes.
pub fn is_occasion(byte: u8) -> bool {
    let category = Category::from_index(byte & !(OVER_30_MINUTES | MINUTES_GIVEN));
    let over = byte & OVER_30_MINUTES != 0;
    match category {
        Some(Category::Unexcused) => byte & MINUTES_GIVEN == 0 || over,
        Some(Category::Tardy) => over,
        _ => false,
    }
}

/// Whether `day` falls in a student's compulsory years, by birth date.
pub fn compulsory(birth: NaiveDate, day: NaiveDate) -> bool {
    let birthday = |years: i32| {
        let y = birth.year() + years;
        // (A 29 February birthday falls on 1 March in other years.)
        NaiveDate::from_ymd_opt(y, birth.month(), birth.day()).or_else(|| NaiveDate::from_ymd_opt(y, 3, 1))
    };
    match (birthday(COMPULSORY_FROM), birthday(COMPULSORY_UNTIL)) {
        (Some(from), Some(until)) => from <= day && day < until,
        _ => false,
    }
}

/// One occasion: the day and the school.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occasion {
    pub day: i32,
    pub school: u32,
}

/// A truant student over the LEA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truant {
    pub student: StudentKey,
    /// Every occasion, in date order.
    pub occasions: Vec<Occasion>,
    /// School days the student was expected to attend in the LEA.
    pub expected: u64,
}

impl Truant {
    /// The third occasion: when and where the student became truant.
    pub fn truant_on(&self) -> Occasion {
        self.occasions[2]
    }

    /// EC 48261: the first report at the third occasion, another at each one after.
    pub fn reports(&self) -> u64 {
        self.occasions.len() as u64 - 2
    }

    /// EC 48262: reported three or more times.
    pub fn habitual(&self) -> bool {
        self.reports() >= 3
    }

    /// EC 48263.6: occasions on 10 % or more of the expected days.
    pub fn chronic(&self) -> bool {
        self.expected > 0 && self.occasions.len() as u64 * 10 >= self.expected
    }
}

/// The truant students of a ledger (3 or more occasions through `until`, a day number), in
/// the order they became truant.
pub fn truants(ledger: &Ledger, until: i32) -> Vec<Truant> {
    let mut by_student: BTreeMap<StudentKey, Truant> = BTreeMap::new();
    for pair in ledger.pairs_list.iter().filter(|p| !p.days.is_empty()) {
        let birth = ledger.student_enrollments(pair.student).find_map(|e| e.birth).map(from_day_number);
        let Some(birth) = birth else { continue };
        let t = by_student.entry(pair.student).or_insert_with(|| Truant { student: pair.student, occasions: Vec::new(), expected: 0 });
        for (o, byte) in pair.days.iter().enumerate() {
            let day = ledger.day_of(o);
            if day > until || !is_occasion(*byte) || !compulsory(birth, from_day_number(day)) {
                continue;
            }
            // (One day is one occasion, whatever the schools.)
            if !t.occasions.iter().any(|x| x.day == day) {
                t.occasions.push(Occasion { day, school: pair.school });
            }
        }
    }
    let mut out: Vec<Truant> = by_student
        .into_values()
        .filter(|t| t.occasions.len() >= 3)
        .map(|mut t| {
            t.occasions.sort_by_key(|o| (o.day, o.school));
            t.expected = ledger.pairs_list.iter().filter(|p| p.student == t.student).map(|p| ledger.expected_days(p, until).len() as u64).sum();
            t
        })
        .collect();
    out.sort_by_key(|t| (t.truant_on().day, t.student));
    out
}

/// What a letter says of a student and the people to write to, from SENR and SINF.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub local_id: String,
    pub guardians: Vec<String>,
    pub address: Vec<String>,
    /// The effective start of the SINF record the guardians come from (the latest wins).
    effective: i32,
}

/// An accumulator of the names and addresses letters need, per student (a few dozen bytes
/// each): the student's name from SENR or SINF, the guardians and the mailing address (else
/// the residential one) from the latest SINF record.
#[derive(Debug, Default)]
pub struct Contacts {
    pub by_student: BTreeMap<StudentKey, Contact>,
    positions: Vec<Option<Positions>>,
}

#[derive(Debug, Clone, Default)]
struct Positions {
    record_type: String,
    ssid: Option<usize>,
    local: Option<usize>,
    first: Option<usize>,
    last: Option<usize>,
    effective: Option<usize>,
    guardians: [Option<usize>; 4],
    mailing: [Option<usize>; 5],
    residence: [Option<usize>; 5],
}

impl Accumulator for Contacts {
    fn add(&mut self, ctx: &RecordCtx<'_, '_>, _fatal: bool, _out: &mut Vec<Finding>) {
        let id = ctx.compiled.id;
        if self.positions.len() <= id {
            self.positions.resize(id + 1, None);
        }
        let at = self.positions[id]
            .get_or_insert_with(|| {
                let p = |name: &str| ctx.compiled.fields.iter().position(|f| f.spec.name == name);
                let address = |prefix: &str| {
                    ["address_line_1", "address_line_2", "address_city_name", "address_state_province_code", "address_zip_code"]
                        .map(|f| p(&format!("{prefix}{f}")))
                };
                Positions {
                    record_type: ctx.compiled.layout.record_type.clone(),
                    ssid: p("ssid"),
                    local: p("local_student_id"),
                    first: p("student_legal_first_name"),
                    last: p("student_legal_last_name"),
                    effective: p("effective_start_date"),
                    guardians: ["guardian_1_first_name", "guardian_1_last_name", "guardian_2_first_name", "guardian_2_last_name"].map(p),
                    mailing: address("mailing_"),
                    residence: address(""),
                }
            })
            .clone();
        if at.record_type != "SENR" && at.record_type != "SINF" {
            return;
        }
        let text = |i: Option<usize>| i.map(|i| ctx.text(i).trim().to_owned()).unwrap_or_default();
        let student = match at.ssid.and_then(|i| ctx.digits(i)) {
            Some(s) if !ctx.is_blank(at.ssid.unwrap_or(0)) => StudentKey::Ssid(s),
            _ => match at.local.and_then(|i| LocalId::new(ctx.raw(i))) {
                Some(l) => StudentKey::Local(l),
                None => return,
            },
        };
        let c = self.by_student.entry(student).or_default();
        if c.first_name.is_empty() {
            (c.first_name, c.last_name, c.local_id) = (text(at.first), text(at.last), text(at.local));
        }
        if at.record_type == "SINF" {
            let effective = at.effective.and_then(|i| ctx.date(i)).map_or(i32::MIN, day_number);
            if effective >= c.effective || c.guardians.is_empty() {
                c.effective = effective;
                let g = at.guardians.map(text);
                c.guardians = [format!("{} {}", g[0], g[1]), format!("{} {}", g[2], g[3])]
                    .into_iter()
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty())
                    .collect();
                let lines = |a: [Option<usize>; 5]| {
                    let v = a.map(text);
                    let city = format!("{}, {} {}", v[2], v[3].rsplit('-').next().unwrap_or_default(), v[4]);
                    [v[0].clone(), v[1].clone(), city].into_iter().filter(|l| !l.trim().is_empty() && l.trim() != ",").collect::<Vec<_>>()
                };
                let mailing = lines(at.mailing);
                c.address = if mailing.is_empty() || at.mailing[0].is_none_or(|i| ctx.is_blank(i)) { lines(at.residence) } else { mailing };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn compulsory_age_runs_from_the_6th_to_the_day_before_the_18th_birthday() {
        let birth = d(2019, 10, 15);
        assert!(!compulsory(birth, d(2025, 10, 14)));
        assert!(compulsory(birth, d(2025, 10, 15)));
        assert!(compulsory(d(2008, 3, 2), d(2026, 3, 1)) && !compulsory(d(2008, 3, 2), d(2026, 3, 2)));
        assert!(compulsory(d(2016, 2, 29), d(2022, 3, 1)) && !compulsory(d(2016, 2, 29), d(2022, 2, 28)));
    }

    #[test]
    fn thirty_minutes_is_not_an_occasion_thirty_one_is() {
        let unexcused = Category::Unexcused.index();
        let tardy = Category::Tardy.index();
        assert!(is_occasion(unexcused), "a full day unexcused");
        assert!(!is_occasion(unexcused | MINUTES_GIVEN), "30 minutes or less unexcused");
        assert!(is_occasion(unexcused | MINUTES_GIVEN | OVER_30_MINUTES));
        assert!(!is_occasion(tardy | MINUTES_GIVEN) && is_occasion(tardy | MINUTES_GIVEN | OVER_30_MINUTES));
        assert!(!is_occasion(Category::Excused.index()) && !is_occasion(0));
    }
}
