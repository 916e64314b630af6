//! The compact per-record keys that cross-record rules need, gathered while files stream by.
//! Memory grows with the number of enrollments and summaries (a few dozen bytes each), never
//! with the size of the records themselves: findings fetch a record again by its byte offset.

use crate::diagnostic::{Finding, Related, Rule};
use crate::domain::codes::{digits, ssid_text, LocalId, StudentKey};
use crate::domain::date::{day_number, AcademicYear};
use crate::domain::enrollment::{DaySpan, EnrollmentStatus, ExitReason, Grade};
pub use crate::domain::enrollment::{Enrollment, RecordRef, OPEN};
use crate::rules::senr::SenrFields;
use crate::rules::sinf::SinfFields;
use crate::rules::stas::StasFields;
use crate::rules::RecordCtx;

/// A finding of a whole-run rule at the record `at` (a `record_type` record of `student`),
/// about `field`: the message's `{ssid}` and `{student}` filled from the student.
pub fn finding_at(
    rule: &'static Rule,
    at: RecordRef,
    record_type: &str,
    field: Option<&str>,
    student: Option<StudentKey>,
    args: &[(&str, &str)],
) -> Finding {
    let ssid = student.and_then(StudentKey::ssid).map(ssid_text);
    let who = student.map(StudentKey::describe);
    let mut all = args.to_vec();
    if let Some(s) = &ssid {
        all.push(("ssid", s));
    }
    if let Some(w) = &who {
        all.push(("student", w));
    }
    let mut f = Finding::new(rule, &all);
    f.at.input = Some(at.file as usize);
    f.at.line = Some(at.line);
    f.at.byte = Some(at.byte);
    f.record_type = Some(record_type.to_owned());
    f.field = field.map(str::to_owned);
    f.ssid = ssid;
    f
}

/// `f` with `refs` as its related records.
pub fn with_related(mut f: Finding, refs: impl IntoIterator<Item = RecordRef>) -> Finding {
    f.relate(refs.into_iter().map(|r| Related { file: r.file as usize, line: r.line }));
    f
}

/// The keys of one STAS summary.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub ssid: u64,
    pub local: Option<LocalId>,
    pub school: u32,
    pub year: AcademicYear,
    /// Attendance recovery days in hundredths.
    pub recovery: i64,
    /// Expected attendance days in hundredths (`None` when the value was not valid).
    pub expected: Option<i64>,
    pub at: RecordRef,
}

/// The keys of one SINF record.
#[derive(Clone, Copy, Debug)]
pub struct Information {
    pub ssid: u64,
    pub local: Option<LocalId>,
    pub effective_start: i32,
    /// Effective end day, or [`OPEN`].
    pub effective_end: i32,
    /// Initial US school enrollment date (K-12), when given and valid.
    pub initial_us: Option<i32>,
    /// Whether the record carries ethnicity or race data (Hispanic indicator, race 1, or a
    /// missing indicator set to Y).
    pub has_ethnicity: bool,
    pub at: RecordRef,
}

/// What the first record of a file said about the file.
#[derive(Clone, Debug, Default)]
pub struct FileFacts {
    pub record_type: Option<String>,
    /// A CALPADS download (`-R`) file, which may hold several academic years.
    pub download: bool,
    pub lea: Option<u32>,
    pub year: Option<AcademicYear>,
    /// Line of the first record.
    pub line: u64,
}

/// Everything the cross-record rules look at, for one run.
#[derive(Debug, Default)]
pub struct Index {
    pub enrollments: Vec<Enrollment>,
    pub summaries: Vec<Summary>,
    pub information: Vec<Information>,
    /// One entry per input file, in input order.
    pub files: Vec<FileFacts>,
    /// Records met per record type (SENR, SINF, STAS), readable or not: compared with what
    /// was indexed, it tells a file that could not be read from one that is absent.
    pub seen: Seen,
    /// Records whose SSID is given but damaged (not 10 digits): they take no part in the
    /// matching, and a record of another type that they would have matched (same local
    /// student ID and school) is not reported as unmatched (the damaged SSID is the finding).
    pub damaged: Vec<Damaged>,
    /// Whether the lists are sorted by student ([`Index::sort_by_student`]).
    sorted: bool,
    /// Entries of the three lists per input file, counted as they are added.
    per_file: Vec<u64>,
}

/// A record with a damaged SSID, as far as it can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Damaged {
    pub record_type: &'static str,
    pub local: Option<LocalId>,
    pub school: Option<u32>,
    pub at: RecordRef,
}

impl Index {
    /// Notes a record whose SSID field is filled but not valid.
    fn note_damaged(&mut self, ctx: &RecordCtx<'_, '_>, record_type: &'static str, ssid: usize, local: usize, school: usize) {
        if !ctx.is_blank(ssid) && !ctx.is_valid(ssid) {
            let school = digits(ctx.raw(school)).and_then(|s| u32::try_from(s).ok());
            self.damaged.push(Damaged { record_type, local: Self::local(ctx, local), school, at: Self::at(ctx) });
        }
    }

    /// Records of the index per input file.
    pub fn records_per_file(&self) -> Vec<u64> {
        let mut records = self.per_file.clone();
        records.resize(self.files.len(), 0);
        records
    }

    /// Counts one entry added for the record at `at`.
    fn count(&mut self, at: RecordRef) {
        let file = at.file as usize;
        if self.per_file.len() <= file {
            self.per_file.resize(file + 1, 0);
        }
        self.per_file[file] += 1;
    }

    /// Leaves the records of `files` out of every list (files of another LEA or year).
    pub fn leave_out(&mut self, files: &[u32]) {
        self.enrollments.retain(|e| !files.contains(&e.at.file));
        self.summaries.retain(|s| !files.contains(&s.at.file));
        self.information.retain(|r| !files.contains(&r.at.file));
        for &f in files {
            if let Some(n) = self.per_file.get_mut(f as usize) {
                *n = 0;
            }
        }
    }

    /// The academic year of most of the upload (not download) files' records (the later year
    /// on a tie): the submission's year.
    pub fn majority_year(&self) -> Option<AcademicYear> {
        let records = self.records_per_file();
        let mut totals: Vec<(AcademicYear, u64)> = Vec::new();
        for (i, f) in self.files.iter().enumerate().filter(|(_, f)| !f.download) {
            let Some(y) = f.year else { continue };
            match totals.iter_mut().find(|(x, _)| *x == y) {
                Some((_, n)) => *n += records[i].max(1),
                None => totals.push((y, records[i].max(1))),
            }
        }
        totals.into_iter().max_by_key(|(y, n)| (*n, *y)).map(|(y, _)| y)
    }

    /// A damaged record of `record_type` that is probably the student `local` at `school`.
    ///
    /// Binary search once [`Index::sort_damaged`] ran (thousands of damaged records must not
    /// cost a scan per enrollment).
    pub fn damaged_match(&self, record_type: &str, local: Option<LocalId>, school: u32) -> Option<&Damaged> {
        let key = (record_type, Some(local?), Some(school));
        let at = self.damaged.partition_point(|d| (d.record_type, d.local, d.school) < key);
        self.damaged.get(at).filter(|d| (d.record_type, d.local, d.school) == key)
    }

    /// Sorts the damaged records for [`Index::damaged_match`].
    pub fn sort_damaged(&mut self) {
        self.damaged.sort_by_key(|d| (d.record_type, d.local, d.school, d.at.file, d.at.line));
    }
}

/// Records met per record type (`SENR`, `SINF`, …), read or not.
#[derive(Debug, Default, Clone)]
pub struct Seen(Vec<(&'static str, u64)>);

impl Seen {
    /// Counts one record of `record_type`.
    pub fn add(&mut self, record_type: &'static str) {
        // (The names are the families' own statics: the pointer usually decides.)
        match self.0.iter_mut().find(|(t, _)| std::ptr::eq(*t, record_type) || *t == record_type) {
            Some((_, n)) => *n += 1,
            None => self.0.push((record_type, 1)),
        }
    }

    /// Records of `record_type` met so far.
    pub fn of(&self, record_type: &str) -> u64 {
        self.0.iter().find(|(t, _)| *t == record_type).map_or(0, |(_, n)| *n)
    }
}

fn code<const N: usize>(raw: &[u8]) -> [u8; N] {
    let mut out = [b' '; N];
    let n = raw.len().min(N);
    out[..n].copy_from_slice(&raw[..n]);
    out
}

impl Index {
    /// Sorts the enrollments, summaries and student information by student, keeping input
    /// order within a student (they were gathered in input order). The whole-run rules read
    /// them one student at a time.
    pub fn sort_by_student(&mut self) {
        if self.sorted {
            return;
        }
        self.enrollments.sort_by_key(|e| e.student);
        self.summaries.sort_by_key(|s| s.ssid);
        self.information.sort_by_key(|i| i.ssid);
        self.sorted = true;
    }

    pub fn at(ctx: &RecordCtx<'_, '_>) -> RecordRef {
        RecordRef { file: u32::try_from(ctx.file).unwrap_or(u32::MAX), line: ctx.line, byte: ctx.byte }
    }

    /// Whether the record deletes rather than adds (deletes take part in no cross-record rule).
    fn is_delete(ctx: &RecordCtx<'_, '_>, transaction: Option<usize>) -> bool {
        transaction.is_some_and(|i| ctx.raw(i) == b"D")
    }

    /// The local student ID of field `i`, when it passed its field rules.
    fn local(ctx: &RecordCtx<'_, '_>, i: usize) -> Option<LocalId> {
        ctx.is_valid(i).then(|| LocalId::new(ctx.raw(i))).flatten()
    }

    /// Adds a SENR record whose key fields are valid. A record without SSID (a new student)
    /// is keyed by its local student ID.
    pub fn add_enrollment(&mut self, ctx: &RecordCtx<'_, '_>, f: &SenrFields) {
        match Self::enrollment_of(ctx, f) {
            Some(e) => {
                self.count(e.at);
                self.enrollments.push(e);
            }
            None => self.note_damaged(ctx, "SENR", f.ssid, f.local_id, f.school),
        }
    }

    /// The enrollment a SENR record reports; `None` for a delete, or when its student, school
    /// or dates cannot be read.
    pub fn enrollment_of(ctx: &RecordCtx<'_, '_>, f: &SenrFields) -> Option<Enrollment> {
        if Self::is_delete(ctx, Some(f.transaction)) || !ctx.is_valid(f.school) {
            return None;
        }
        let local = Self::local(ctx, f.local_id);
        let student = if ctx.is_blank(f.ssid) {
            match local {
                Some(l) => StudentKey::Local(l),
                None => return None,
            }
        } else if ctx.is_valid(f.ssid) {
            match ctx.digits(f.ssid) {
                Some(s) => StudentKey::Ssid(s),
                None => return None,
            }
        } else {
            return None;
        };
        let (Some(school), Some(start)) = (ctx.digits(f.school), ctx.date(f.start)) else { return None };
        let exit = if ctx.is_blank(f.exit) {
            OPEN
        } else {
            match ctx.date(f.exit) {
                Some(d) => day_number(d),
                None => return None,
            }
        };
        Some(Enrollment {
            student,
            local,
            school: u32::try_from(school).unwrap_or(u32::MAX),
            span: DaySpan { start: day_number(start), end: exit },
            status: EnrollmentStatus::from_code(ctx.raw(f.status)),
            exit_reason: ExitReason::new(ctx.raw(f.exit_reason)),
            completion: code(ctx.raw(f.completion)),
            grade: Grade::new(ctx.raw(f.grade)).unwrap_or_default(),
            year: ctx.compiled.year,
            birth: ctx.date(f.birth).map(day_number),
            at: Self::at(ctx),
        })
    }

    /// Adds a STAS record whose key fields are valid.
    pub fn add_summary(&mut self, ctx: &RecordCtx<'_, '_>, f: &StasFields) {
        if Self::is_delete(ctx, None) || !ctx.is_valid(f.ssid) || !ctx.is_valid(f.school) {
            self.note_damaged(ctx, "STAS", f.ssid, f.local_id, f.school);
            return;
        }
        let (Some(ssid), Some(school)) = (ctx.digits(f.ssid), ctx.digits(f.school)) else { return };
        self.count(Self::at(ctx));
        self.summaries.push(Summary {
            ssid,
            local: Self::local(ctx, f.local_id),
            school: u32::try_from(school).unwrap_or(u32::MAX),
            year: ctx.compiled.year,
            recovery: f.recovery.and_then(|r| ctx.number(r)).unwrap_or(0),
            expected: ctx.number(f.expected),
            at: Self::at(ctx),
        });
    }

    /// Adds a SINF record whose key fields are valid.
    pub fn add_information(&mut self, ctx: &RecordCtx<'_, '_>, f: &SinfFields) {
        let (Some(ssid), Some(start)) = (ctx.digits(f.ssid).filter(|_| ctx.is_valid(f.ssid)), ctx.date(f.effective_start)) else { return };
        // A Hispanic indicator or race code is data; so are the missing indicators set to Y
        // (the family declined to state), which is how CALPADS takes "not reported".
        let has_ethnicity =
            !ctx.is_blank(f.hispanic) || !ctx.is_blank(f.races[0]) || ctx.raw(f.ethnicity_missing) == b"Y" || ctx.raw(f.race_missing) == b"Y";
        self.count(Self::at(ctx));
        self.information.push(Information {
            ssid,
            local: Self::local(ctx, f.local_id),
            effective_start: day_number(start),
            effective_end: ctx.date(f.effective_end).map_or(OPEN, day_number),
            initial_us: ctx.date(f.initial_us_enrollment).map(day_number),
            has_ethnicity,
            at: Self::at(ctx),
        });
    }
}
