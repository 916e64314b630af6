//! The attendance ledger: an accumulator of the check engine that takes the enrollments
//! (SENR records), the absence summaries (STAS) and the daily attendance records of one run,
//! and keeps, per student and school, one byte per day of the academic year: the category of
//! that day's record. Memory grows with the students (about 370 bytes for each student and
//! school with attendance), never with the rows. As rows stream by it reports the ones it
//! cannot count (not a school day, outside every enrollment, a second record for a day); at
//! the end, the school days of enrollments with no record (per school and school month) and
//! STAS figures that differ from the daily records. ADA, the STAS file and chronic
//! absenteeism are read from it afterwards.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostic::{Finding, RuleSet};
use crate::domain::attendance::{Category, DayRecord, StasCount, StasFigures};
use crate::domain::calendar::{Calendar, DayType};
use crate::domain::codes::{school_code, StudentKey};
use crate::domain::date::{day_number, from_day_number, AcademicYear};
use crate::domain::enrollment::{Enrollment, EnrollmentStatus, RecordRef, OPEN};
use crate::engine::{Accumulator, Options};
use crate::rules::attendance::{DUPLICATE_DAY, MISSING_DAYS, NON_SCHOOL_DAY, OUTSIDE_ENROLLMENT, STAS_MISMATCH};
use crate::rules::keys::{finding_at, with_related};
use crate::rules::{RecordCtx, Rule};
use crate::schema::names::ATTENDANCE;

/// Days of an academic year, July 1 to June 30 (366 in a leap year).
pub const DAYS: usize = 366;

/// How many pairs ahead [`Ledger::take`] asks for a day byte when rows come date by date.
const PREFETCH_AHEAD: usize = 8;

/// Asks the processor to bring `bytes[at]` into the cache (a hint: nothing is read, and no
/// byte out of range is asked for). Elsewhere than x86-64, nothing.
#[inline]
fn prefetch(bytes: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(b) = bytes.get(at) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch only hints at an address; it reads nothing into the program and
        // cannot fault. The address is of a live byte of `bytes`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(b).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, at);
}

/// The day-byte flag of a record with more than 30 minutes absent (a tardy that counts
/// toward truancy).
pub const OVER_30_MINUTES: u8 = 0x80;

/// The day-byte flag of a record that gives its minutes absent (a partial-day absence).
pub const MINUTES_GIVEN: u8 = 0x40;

/// The flags of a day byte; what is left is the category's index.
pub const FLAGS: u8 = OVER_30_MINUTES | MINUTES_GIVEN;

/// One student at one school: the enrollments there, and the day map of the records.
#[derive(Debug)]
pub struct Pair {
    pub student: StudentKey,
    pub school: u32,
    /// Indices into the ledger's enrollments (sorted by student, school, start).
    pub enrollments: std::ops::Range<usize>,
    /// Per day of the year (from July 1): 0 no record, else `Category::index()`, with
    /// [`OVER_30_MINUTES`] set when the record says so. Empty until the first record.
    pub days: Box<[u8]>,
    /// The school's calendar year in the ledger (`u32::MAX` until looked up).
    school_year: u32,
}

/// A school's calendar, one byte per day of the year, for the per-record checks.
#[derive(Debug)]
struct SchoolYear {
    /// 0 no row, else 1 school, 2 holiday, 3 non-school.
    kind: Box<[u8; DAYS]>,
    /// The school month of each day (0: none).
    month: Box<[u8; DAYS]>,
    /// Whether any record of the school was counted.
    has_records: bool,
}

/// The attendance ledger of one run.
#[derive(Debug, Default)]
pub struct Ledger {
    rules: RuleSet,
    calendar: Option<Calendar>,
    year: Option<AcademicYear>,
    first_day: i32,
    /// Every enrollment read, sorted by student, school and start once attendance begins.
    pub enrollments: Vec<Enrollment>,
    /// (student, school) -> index into `pairs_list`: an SSID and a school code packed into one
    /// `u64` (hashed with one multiply), and the rare student known by local ID only apart.
    pairs: FxHashMap<u64, u32>,
    pairs_local: FxHashMap<(StudentKey, u32), u32>,
    /// The students at schools, in (student, school) order.
    pub pairs_list: Vec<Pair>,
    built: bool,
    schools: FxHashMap<u32, usize>,
    school_years: Vec<SchoolYear>,
    /// The last school looked up, and its index in `school_years` (records of one school
    /// often come together).
    last_school: Option<(u32, usize)>,
    /// The absence summaries read.
    pub summaries: Vec<StasFigures>,
    /// Schools with at least one daily record.
    pub schools_with_records: FxHashSet<u32>,
    /// The first attendance input, for findings about the whole file.
    pub attendance_input: Option<usize>,
    /// Attendance records taken into the ledger, and records read.
    pub counted: u64,
    pub records: u64,
    /// Records outside every enrollment, reported at the end in runs.
    outside: Vec<Outside>,
    /// Records dated outside the calendar's academic year: how many, and the first.
    outside_year: (u64, Option<Outside>),
    /// Every record not counted for a reason of its day (not a school day, outside every
    /// enrollment, a second record), for the monthly balancing's explanations.
    pub refused: Vec<Refused>,
    /// Per attendance input: records read and counted.
    by_input: Vec<(u64, u64)>,
    /// Which of the per-record rules run.
    on: RulesOn,
    /// Per compiled layout form (by id): whether it is daily attendance.
    forms: Vec<Option<bool>>,
    /// The pair of the last record taken.
    last_pair: Option<u32>,
    /// Only the figures are wanted (ADA, chronic absenteeism): the whole-run findings at the
    /// end (missing days, STAS figures, runs outside enrollments) are not worked out.
    figures_only: bool,
}

/// The per-record rules that run, decided once.
#[derive(Debug, Default, Clone, Copy)]
struct RulesOn {
    non_school_day: bool,
    outside_enrollment: bool,
    duplicate_day: bool,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// A ledger for figures only: the per-record checks still decide what counts, but the
    /// whole-run findings at the end are left to `rollcall check`.
    pub fn for_figures() -> Ledger {
        Ledger { figures_only: true, ..Ledger::default() }
    }

    /// Attendance records read from input `i`.
    pub fn read_of(&self, i: usize) -> u64 {
        self.by_input.get(i).map_or(0, |c| c.0)
    }

    /// Attendance records of input `i` taken into the ledger.
    pub fn counted_of(&self, i: usize) -> u64 {
        self.by_input.get(i).map_or(0, |c| c.1)
    }

    /// The academic year the ledger counts: the calendar's, else the first enrollment's.
    pub fn year(&self) -> Option<AcademicYear> {
        self.year
    }

    /// The calendar of the run, when it had one.
    pub fn calendar(&self) -> Option<&Calendar> {
        self.calendar.as_ref()
    }

    /// The day offset of `day` in the year, when it is inside it.
    pub fn offset(&self, day: i32) -> Option<usize> {
        usize::try_from(day - self.first_day).ok().filter(|o| *o < DAYS)
    }

    /// The day number of offset `o`.
    pub fn day_of(&self, o: usize) -> i32 {
        self.first_day + o as i32
    }

    fn set_year(&mut self, year: AcademicYear) {
        self.year = Some(year);
        self.first_day = day_number(year.first_day());
    }

    /// Sorts the enrollments and makes a pair for every student and school with one.
    fn build(&mut self) {
        self.built = true;
        self.enrollments.sort_by_key(|e| (e.student, e.school, e.span.start, e.at));
        let mut start = 0;
        while start < self.enrollments.len() {
            let (student, school) = (self.enrollments[start].student, self.enrollments[start].school);
            let end = start + self.enrollments[start..].iter().take_while(|e| e.student == student && e.school == school).count();
            let at = self.pairs_list.len() as u32;
            match packed(student, school) {
                Some(k) => self.pairs.insert(k, at),
                None => self.pairs_local.insert((student, school), at),
            };
            self.pairs_list.push(Pair { student, school, enrollments: start..end, days: Box::default(), school_year: u32::MAX });
            start = end;
        }
        if self.year.is_none() {
            let year = self.enrollments.iter().map(|e| e.year).max();
            if let Some(y) = year {
                self.set_year(y);
            }
        }
    }

    /// The index of `school`'s calendar year in `school_years`, built on first use.
    fn school_year_index(&mut self, school: u32) -> Option<usize> {
        let cal = self.calendar.as_ref()?;
        if let Some((s, i)) = self.last_school {
            if s == school {
                return Some(i);
            }
        }
        let i = match self.schools.get(&school) {
            Some(i) => *i,
            None => {
                let first = self.first_day;
                let mut kind = Box::new([0u8; DAYS]);
                let mut month = Box::new([0u8; DAYS]);
                let at = |d: i32| usize::try_from(d - first).ok().filter(|o| *o < DAYS);
                for (d, c) in cal.effective(Some(school)) {
                    if let Some(o) = at(d) {
                        kind[o] = match c.kind {
                            DayType::School => 1,
                            DayType::Holiday => 2,
                            DayType::NonSchool => 3,
                        };
                    }
                }
                for m in cal.months(Some(school)) {
                    for d in m.first..=m.last {
                        if let Some(o) = at(d) {
                            month[o] = u8::try_from(m.number).unwrap_or(u8::MAX);
                        }
                    }
                }
                self.school_years.push(SchoolYear { kind, month, has_records: false });
                self.schools.insert(school, self.school_years.len() - 1);
                self.school_years.len() - 1
            }
        };
        self.last_school = Some((school, i));
        Some(i)
    }

    /// Takes one daily record: reports what cannot be counted, else marks the day. (Texts for
    /// messages are made only when there is something to report.)
    fn take(&mut self, ctx: &RecordCtx<'_, '_>, r: &DayRecord, out: &mut Vec<Finding>) {
        if !self.built {
            self.build();
        }
        self.attendance_input.get_or_insert(ctx.file);
        let Some(category) = r.category else { return };
        let offset = self.offset(r.day);
        let report = |on: bool, rule: &'static Rule, args: &[(&str, &str)], out: &mut Vec<Finding>| {
            if on {
                let mut all =
                    vec![("date", from_day_number(r.day).to_string()), ("school", school_code(r.school)), ("student", r.student.describe())];
                all.extend(args.iter().map(|(k, v)| (*k, (*v).to_owned())));
                let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
                out.push(ctx.finding(rule, Some(r.date_field), &all));
            }
        };
        let before = self.last_pair;
        let pair = self.next_pair(r.student, r.school);
        // Date by date in student order, each row's day byte is in another pair's days, a
        // cache miss each: ask for the one a few pairs on while this one is taken.
        if let (Some(b), Some(p), Some(o)) = (before, pair, offset) {
            if p == b + 1 {
                if let Some(ahead) = self.pairs_list.get(p as usize + PREFETCH_AHEAD) {
                    prefetch(&ahead.days, o);
                }
            }
        }
        // The school's calendar: cached in the pair (one hash lookup a record, not two).
        let year_at = match pair {
            Some(p) if self.pairs_list[p as usize].school_year != u32::MAX => Some(self.pairs_list[p as usize].school_year as usize),
            _ => {
                let at = self.school_year_index(r.school);
                if let (Some(p), Some(i)) = (pair, at) {
                    self.pairs_list[p as usize].school_year = i as u32;
                }
                at
            }
        };
        if self.calendar.is_some() {
            let kind = match (offset, year_at) {
                (Some(o), Some(i)) => self.school_years[i].kind[o],
                _ => 0,
            };
            if kind != 1 && offset.is_none() {
                // Outside the calendar's year (last year's calendar, or this record's year
                // mistyped): one finding for all of them, at the end.
                if self.outside_year.0 == 0 {
                    self.outside_year.1 = Some(Outside {
                        student: r.student,
                        school: r.school,
                        day: r.day,
                        at: RecordRef { file: ctx.file as u32, line: ctx.line, byte: ctx.byte },
                    });
                }
                self.outside_year.0 += 1;
                self.refuse(ctx, r, "outside the calendar's academic year");
                return;
            }
            if kind != 1 {
                let what = match kind {
                    2 => "a holiday",
                    3 => "a non-school day",
                    _ => "not in the calendar",
                };
                report(self.on.non_school_day, &NON_SCHOOL_DAY, &[("what", what)], out);
                self.refuse(ctx, r, "not a school day");
                return;
            }
        }
        let inside = pair.is_some_and(|p| self.enrollments[self.pairs_list[p as usize].enrollments.clone()].iter().any(|e| e.is_active_on(r.day)));
        if !inside && self.enrollments.is_empty() {
            // No enrollment in the run at all: nothing to check against (`not_checked` says so).
            return;
        }
        if !inside {
            // Reported at the end, consecutive days of one student and school together.
            self.refuse(ctx, r, "outside every enrollment");
            if self.on.outside_enrollment {
                self.outside.push(Outside {
                    student: r.student,
                    school: r.school,
                    day: r.day,
                    at: RecordRef { file: ctx.file as u32, line: ctx.line, byte: ctx.byte },
                });
            }
            return;
        }
        let Some(p) = pair else { return };
        let Some(o) = offset else { return };
        let pair = &mut self.pairs_list[p as usize];
        if pair.days.is_empty() {
            pair.days = vec![0u8; DAYS].into_boxed_slice();
        }
        if pair.days[o] != 0 {
            let first = Category::from_index(pair.days[o] & !FLAGS).map_or("?", Category::as_str);
            report(self.on.duplicate_day, &DUPLICATE_DAY, &[("first", first)], out);
            self.refuse(ctx, r, "a second record for the day");
            return;
        }
        let over = if r.minutes.is_some_and(|m| m > 30) { OVER_30_MINUTES } else { 0 };
        let given = if r.minutes.is_some() { MINUTES_GIVEN } else { 0 };
        pair.days[o] = category.index() | over | given;
        match year_at {
            Some(i) => self.school_years[i].has_records = true,
            None => {
                self.schools_with_records.insert(r.school);
            }
        }
        self.counted += 1;
        self.by_input[ctx.file].1 += 1;
    }

    fn refuse(&mut self, ctx: &RecordCtx<'_, '_>, r: &DayRecord, why: &'static str) {
        let at = RecordRef { file: ctx.file as u32, line: ctx.line, byte: ctx.byte };
        self.refused.push(Refused { student: r.student, school: r.school, day: r.day, at, why });
    }

    /// Whether `e` counts for STAS, ADA and the monthly reports.
    pub fn counts(&self, e: &Enrollment) -> bool {
        counts(e, e.school, self.year)
    }

    /// The enrollments of `pair` the STAS and ADA count: primary or short-term, TK-12, at a
    /// real school, covering some day.
    pub fn counted_enrollments<'a>(&'a self, pair: &Pair) -> impl Iterator<Item = &'a Enrollment> + 'a {
        let (school, year) = (pair.school, self.year);
        self.enrollments[pair.enrollments.clone()].iter().filter(move |e| counts(e, school, year))
    }

    /// The school days `pair` is expected to attend, up to `until` (a day number, inclusive):
    /// the calendar's school days inside its counted enrollments, leaving out the days the
    /// student spends in a short-term enrollment at another school while primary here.
    pub fn expected_days(&self, pair: &Pair, until: i32) -> Vec<i32> {
        let Some(cal) = &self.calendar else { return Vec::new() };
        let Some(year) = self.year else { return Vec::new() };
        let last = day_number(year.last_day()).min(until);
        let first = self.first_day;
        let mine: Vec<&Enrollment> = self.counted_enrollments(pair).collect();
        let elsewhere: Vec<&Enrollment> = self
            .student_enrollments(pair.student)
            .filter(|e| e.school != pair.school && e.status == Some(EnrollmentStatus::ShortTerm) && counts(e, e.school, self.year))
            .collect();
        let mut days = Vec::new();
        if mine.is_empty() {
            return days;
        }
        // Only the school days inside the enrollments' span are looked at.
        let from = mine.iter().map(|e| e.span.start).min().unwrap_or(first).max(first);
        let to = mine.iter().map(|e| e.span.end).max().unwrap_or(last).min(last);
        let all = cal.school_days_of(pair.school);
        let lo = all.partition_point(|d| *d < from);
        let hi = lo + all[lo..].partition_point(|d| *d <= to);
        if let ([_], []) = (mine.as_slice(), elsewhere.as_slice()) {
            // The usual case, one enrollment here and no short-term one elsewhere: every
            // school day of its span (`from` to `to`).
            return all[lo..hi].to_vec();
        }
        for &d in &all[lo..hi] {
            let mut here = mine.iter().filter(|e| e.is_active_on(d)).peekable();
            if here.peek().is_none() {
                continue;
            }
            let short_term_here = here.all(|e| e.status == Some(EnrollmentStatus::ShortTerm));
            if !short_term_here && elsewhere.iter().any(|e| e.is_active_on(d)) {
                continue;
            }
            days.push(d);
        }
        days
    }

    /// Every enrollment of `student` (at any school).
    pub fn student_enrollments(&self, student: StudentKey) -> impl Iterator<Item = &Enrollment> {
        let lo = self.enrollments.partition_point(|e| e.student < student);
        self.enrollments[lo..].iter().take_while(move |e| e.student == student)
    }

    /// The category of `pair`'s record on day `d`, if it has one.
    pub fn category_on(&self, pair: &Pair, d: i32) -> Option<Category> {
        let o = self.offset(d)?;
        Category::from_index(*pair.days.get(o)? & !FLAGS)
    }

    fn pair_index(&self, student: StudentKey, school: u32) -> Option<u32> {
        match packed(student, school) {
            Some(k) => self.pairs.get(&k).copied(),
            None => self.pairs_local.get(&(student, school)).copied(),
        }
    }

    /// [`Ledger::pair_index`] for the stream of records: exports come student by student (the
    /// same pair again) or date by date in student order (the next pair), so those two are
    /// tried before the hash table.
    fn next_pair(&mut self, student: StudentKey, school: u32) -> Option<u32> {
        let is = |p: u32| self.pairs_list.get(p as usize).is_some_and(|x| x.student == student && x.school == school);
        let found = match self.last_pair {
            Some(p) if is(p) => Some(p),
            Some(p) if is(p + 1) => Some(p + 1),
            _ => self.pair_index(student, school),
        };
        if found.is_some() {
            self.last_pair = found;
        }
        found
    }

    /// The pair of a student at a school.
    pub fn pair(&self, student: StudentKey, school: u32) -> Option<&Pair> {
        self.pair_index(student, school).map(|p| &self.pairs_list[p as usize])
    }

    /// The seven STAS counts of `pair` over `days` (the days it is expected), in
    /// [`StasCount::ALL`] order, and the expected days that have no record.
    pub fn stas_counts(&self, pair: &Pair, days: &[i32]) -> ([u32; 7], Vec<i32>) {
        // The STAS count of each day byte (without its flags); `None` for no record.
        let slot: [Option<usize>; 9] = std::array::from_fn(|i| Category::from_index(i as u8).map(|c| c.stas().index()));
        let mut counts = [0u32; 7];
        let mut missing = Vec::new();
        for &d in days {
            let byte = self.offset(d).and_then(|o| pair.days.get(o)).map_or(0, |b| b & !FLAGS);
            match slot.get(usize::from(byte)).copied().flatten() {
                Some(s) => counts[s] += 1,
                None => missing.push(d),
            }
        }
        (counts, missing)
    }

    /// ATT-MISSING-DAYS: per school and school month, the expected days without a record.
    fn missing_days(&mut self, out: &mut Vec<Finding>) {
        let Some(input) = self.attendance_input else { return };
        if self.calendar.is_none() || !self.rules.on(&MISSING_DAYS) {
            return;
        }
        // The school months of every school with records, built before the walk reads them.
        let schools: Vec<u32> = self.schools_with_records.iter().copied().collect();
        for school in schools {
            self.school_year_index(school);
        }
        let missing = in_halves(
            &self.pairs_list,
            |pairs| self.gaps(pairs),
            |missing, rest| {
                for (key, gap) in rest {
                    let entry = missing.entry(key).or_default();
                    entry.days += gap.days;
                    entry.students += gap.students;
                    // The example of the first student in order, as one walk would find it.
                    entry.example = entry.example.or(gap.example);
                }
            },
        );
        let months: FxHashMap<u32, Vec<crate::domain::calendar::SchoolMonth>> = missing
            .keys()
            .map(|(s, _)| *s)
            .collect::<FxHashSet<u32>>()
            .into_iter()
            .map(|s| (s, self.calendar.as_ref().map(|c| c.months(Some(s))).unwrap_or_default()))
            .collect();
        for ((school, month), Gap { days, students, example }) in missing {
            let m = months.get(&school).and_then(|ms| ms.iter().find(|m| m.number == u16::from(month)));
            let (first, last) =
                m.map_or_else(|| ("?".to_owned(), "?".to_owned()), |m| (from_day_number(m.first).to_string(), from_day_number(m.last).to_string()));
            let example = example.map_or_else(String::new, |(s, d)| format!(" (for example {} on {})", s.describe(), from_day_number(d)));
            let month_text = if month == 0 { "(none)".to_owned() } else { month.to_string() };
            let args = [
                ("school", school_code(school)),
                ("month", month_text),
                ("first", first),
                ("last", last),
                ("have", (if days == 1 { "has" } else { "have" }).to_owned()),
                ("days", plural(days, "school day", "school days")),
                ("students", plural(students, "enrolled student", "enrolled students")),
                ("example", example),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut f = Finding::new(&MISSING_DAYS, &args);
            f.at.input = Some(input);
            f.school = Some(school_code(school));
            f.record_type = Some(ATTENDANCE.to_owned());
            out.push(f);
        }
    }

    /// The school days of `pairs` with no record, per school and school month.
    fn gaps(&self, pairs: &[Pair]) -> BTreeMap<(u32, u8), Gap> {
        let mut missing: BTreeMap<(u32, u8), Gap> = BTreeMap::new();
        for pair in pairs {
            if !self.schools_with_records.contains(&pair.school) {
                continue;
            }
            let days = self.expected_days(pair, i32::MAX);
            let (student, school) = (pair.student, pair.school);
            let (_, gaps) = self.stas_counts(pair, &days);
            let year = self.schools.get(&school).and_then(|i| self.school_years.get(*i));
            let mut months_seen: Vec<u8> = Vec::new();
            for d in gaps {
                let month = self.offset(d).zip(year).map_or(0, |(o, y)| y.month[o]);
                let entry = missing.entry((school, month)).or_default();
                entry.days += 1;
                if !months_seen.contains(&month) {
                    months_seen.push(month);
                    entry.students += 1;
                }
                entry.example.get_or_insert((student, d));
            }
        }
        missing
    }

    /// ATT-OUTSIDE-ENROLLMENT: one finding per run of records of one student and school with
    /// no counted day between them, at the run's first record.
    fn outside_enrollment(&mut self, out: &mut Vec<Finding>) {
        let mut outside = std::mem::take(&mut self.outside);
        outside.sort_by_key(|o| (o.student, o.school, o.day, o.at));
        let mut i = 0;
        while i < outside.len() {
            let first = outside[i];
            let pair = self.pair(first.student, first.school);
            let mut end = i + 1;
            while end < outside.len() && (outside[end].student, outside[end].school) == (first.student, first.school) {
                let (a, b) = (outside[end - 1].day, outside[end].day);
                let counted_between = pair.is_some_and(|p| (a + 1..b).any(|d| self.category_on(p, d).is_some()));
                if counted_between {
                    break;
                }
                end += 1;
            }
            let run = &outside[i..end];
            let last = run[run.len() - 1];
            let what = if run.len() == 1 {
                format!("{} is", from_day_number(first.day))
            } else {
                format!("{} records, {} to {}, are", run.len(), from_day_number(first.day), from_day_number(last.day))
            };
            let enrollments = match pair {
                Some(p) => self.enrollments[p.enrollments.clone()].iter().map(describe_span).collect::<Vec<_>>().join(", "),
                None => "no enrollment there".to_owned(),
            };
            let args = [("what", what.as_str()), ("school", &school_code(first.school)), ("enrollments", &enrollments)];
            let f = finding_at(&OUTSIDE_ENROLLMENT, first.at, ATTENDANCE, Some("date"), Some(first.student), &args);
            out.push(with_related(f, run[1..].iter().map(|o| o.at)));
            i = end;
        }
    }

    /// ATT-STAS-MISMATCH: every STAS figure that differs from the daily records.
    fn stas_mismatch(&self, out: &mut Vec<Finding>) {
        if self.calendar.is_none() || !self.rules.on(&STAS_MISMATCH) {
            return;
        }
        for s in &self.summaries {
            if s.exempt || s.hourly || !self.schools_with_records.contains(&s.school) || Some(s.year) != self.year {
                continue;
            }
            let (days, counts) = match self.pair(s.student, s.school) {
                Some(pair) => {
                    let days = self.expected_days(pair, i32::MAX);
                    let (counts, _) = self.stas_counts(pair, &days);
                    (days.len() as u32, counts)
                }
                None => (0, [0; 7]),
            };
            let mut compare = |field: &str, what: &str, source: &str, given: Option<i64>, counted: u32| {
                let Some(given) = given else { return };
                if given != i64::from(counted) * 100 {
                    let args = [
                        ("value", crate::domain::codes::hundredths_text(given)),
                        ("what", what.to_owned()),
                        ("source", source.to_owned()),
                        ("counted", counted.to_string()),
                    ];
                    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let mut f = finding_at(&STAS_MISMATCH, s.at, "STAS", Some(field), Some(s.student), &args);
                    f.school = Some(school_code(s.school));
                    out.push(f);
                }
            };
            let enrollments = "the calendar's school days in the student's primary and short-term enrollments there are";
            compare("expected_attendance_days", "expected attendance days", enrollments, s.expected, days);
            for c in StasCount::ALL {
                compare(c.field(), c.describe(), "the daily records have", s.counts[c.index()], counts[c.index()]);
            }
        }
    }
}

/// An SSID (under 2^34) and a school code (under 2^24) in one `u64`; `None` for a student
/// known by local ID only.
fn packed(student: StudentKey, school: u32) -> Option<u64> {
    match student {
        StudentKey::Ssid(s) if s < 1 << 40 && school < 1 << 24 => Some(s << 24 | u64::from(school)),
        _ => None,
    }
}

/// A daily record not counted, and why.
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    pub student: StudentKey,
    pub school: u32,
    pub day: i32,
    pub at: RecordRef,
    pub why: &'static str,
}

/// A record outside every enrollment of its student at its school.
#[derive(Debug, Clone, Copy)]
struct Outside {
    student: StudentKey,
    school: u32,
    day: i32,
    at: RecordRef,
}

/// The school days without a record in one school month of one school.
#[derive(Debug, Default)]
struct Gap {
    days: u64,
    students: u64,
    /// The first student and day found.
    example: Option<(StudentKey, i32)>,
}

/// `1 school day`, `5 school days`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether an enrollment counts for STAS and ADA at `school` in `year`: primary or
/// short-term, TK-12, at a real school, the year's own record (a prior year's enrollment left
/// open is XF-PRIOR-YEAR-OPEN's finding, not this year's attendance), covering some day.
fn counts(e: &Enrollment, school: u32, year: Option<AcademicYear>) -> bool {
    !e.covers_no_day() && e.status.is_some_and(EnrollmentStatus::takes_attendance) && e.grade.is_k12() && school > 2 && Some(e.year) == year
}

fn describe_span(e: &Enrollment) -> String {
    let end = if e.span.end == OPEN { "open".to_owned() } else { from_day_number(e.span.end).to_string() };
    let start = from_day_number(e.span.start);
    if e.exit_reason.is_no_show() {
        format!("{start} to {end}, a no-show")
    } else if e.span.end < e.span.start {
        format!("{start} to {end}, exited before it started")
    } else {
        format!("{start} to {end}")
    }
}

impl Accumulator for Ledger {
    fn begin(&mut self, options: &Options) {
        self.rules = options.rules.clone();
        self.on = RulesOn {
            non_school_day: self.rules.on(&NON_SCHOOL_DAY),
            outside_enrollment: self.rules.on(&OUTSIDE_ENROLLMENT),
            duplicate_day: self.rules.on(&DUPLICATE_DAY),
        };
        self.calendar = options.calendar.clone();
        if let Some(year) = self.calendar.as_ref().and_then(Calendar::year) {
            self.set_year(year);
        }
    }

    fn add(&mut self, ctx: &RecordCtx<'_, '_>, fatal: bool, out: &mut Vec<Finding>) {
        let Some(family) = &ctx.compiled.family else { return };
        // What a compiled layout form holds, worked out once per form.
        let id = ctx.compiled.id;
        if self.forms.len() <= id {
            self.forms.resize(id + 1, None);
        }
        let is_attendance = *self.forms[id].get_or_insert_with(|| ctx.compiled.layout.record_type == ATTENDANCE);
        if is_attendance {
            self.records += 1;
            if self.by_input.len() <= ctx.file {
                self.by_input.resize(ctx.file + 1, (0, 0));
            }
            self.by_input[ctx.file].0 += 1;
            // (A record the field rules refused, or whose student, school or date cannot be
            // read, is not counted; its findings say why.)
            if let (false, Some(day)) = (fatal, family.day(ctx)) {
                self.take(ctx, &day, out);
            }
        } else if let Some(e) = family.enrollment(ctx) {
            self.enrollments.push(e);
        } else if let (false, Some(s)) = (fatal, family.summary(ctx)) {
            // (A summary the state would reject is its own rules' finding; the ones it would
            // take are compared with the daily records.)
            self.summaries.push(s);
        }
    }

    fn finish(&mut self, out: &mut Vec<Finding>) {
        if !self.built {
            self.build();
        }
        let with_records: Vec<u32> = self.schools.iter().filter(|(_, i)| self.school_years[**i].has_records).map(|(s, _)| *s).collect();
        self.schools_with_records.extend(with_records);
        if self.figures_only {
            return;
        }
        if let (n, Some(first)) = self.outside_year {
            if self.on.non_school_day {
                let year = self.year.map(|y| y.to_string()).unwrap_or_default();
                let what = if n == 1 {
                    format!("outside the calendar's academic year {year}")
                } else {
                    format!("outside the calendar's academic year {year}, as are {} more attendance records (is the calendar another year's?)", n - 1)
                };
                let date = from_day_number(first.day).to_string();
                let args = [("date", date.as_str()), ("what", &what), ("school", &school_code(first.school))];
                out.push(finding_at(&NON_SCHOOL_DAY, first.at, ATTENDANCE, Some("date"), Some(first.student), &args));
            }
        }
        self.outside_enrollment(out);
        self.missing_days(out);
        self.stas_mismatch(out);
    }
}

/// Walks every student and school of a run with `walk`, which the end of a run does once all
/// records are in and the reading core has nothing left to do: from [`IN_HALVES_FROM`] pairs
/// on, the two halves side by side, the second half's result merged into the first's by
/// `merge` (so what the first half found stays first, as one walk in order would have it).
pub fn in_halves<T: Send>(pairs: &[Pair], walk: impl Fn(&[Pair]) -> T + Sync, merge: impl FnOnce(&mut T, T)) -> T {
    if pairs.len() < IN_HALVES_FROM {
        return walk(pairs);
    }
    let (first, second) = pairs.split_at(pairs.len() / 2);
    let (mut out, rest) = std::thread::scope(|scope| {
        let rest = scope.spawn(|| walk(second));
        (walk(first), rest.join())
    });
    merge(&mut out, rest.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    out
}

/// The number of pairs from which [`in_halves`] uses a second thread (below it, starting one
/// costs more than it saves).
pub const IN_HALVES_FROM: usize = 4096;

/// The record a finding about a pair's enrollment points at: its latest enrollment there.
pub fn latest_enrollment<'a>(ledger: &'a Ledger, pair: &Pair) -> Option<&'a Enrollment> {
    ledger.enrollments[pair.enrollments.clone()].iter().max_by_key(|e| (e.span.start, e.at))
}
