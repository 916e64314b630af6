//! Writes the synthetic sample district under `samples/`: a clean CALPADS submission in
//! `clean/`, the same district with planted errors in `errors/` (every finding they cause is
//! listed in `errors.planted.csv`), both with the district's calendar and daily attendance; the
//! calendar and daily attendance of the hand-written SIS extracts in `extracts/`; `README.md`.
//! Seeded and deterministic (a hand-written xorshift generator, std and chrono only): every run
//! writes the same bytes. The samples test (tests/cli/samples.rs) includes this file to check that.
//!
//! Run: `cargo run --example synth -- samples`

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use chrono::{Datelike, Days, NaiveDate, Weekday};

const LEA: &str = "9912345";
const YEAR: &str = "2025-2026";
const PRIOR_YEAR: &str = "2024-2025";
const ELEMENTARY: &str = "9990011";
const MIDDLE: &str = "9990029";
const HIGH: &str = "9990037";
const ALTERNATIVE: &str = "9990045";
/// The non-public school pseudo-school, and the NPS the district places students in.
const NPS_SCHOOL: &str = "0000001";
const NPS_CODE: &str = "9990901";
/// The district of residence of interdistrict transfer students.
const NEIGHBOR_DISTRICT: &str = "0199001";
const SEED: u64 = 0x5EED_2025_2026_0001;
/// The daily attendance's own seed (its codes, then the planted attendance mistakes).
const ATTENDANCE_SEED: u64 = 0x5EED_2025_2026_0A77;

/// School, grades and students per grade of the regular schools.
const COHORTS: [(&str, &[&str], usize); 3] =
    [(ELEMENTARY, &["TK", "KN", "01", "02", "03", "04", "05"], 18), (MIDDLE, &["06", "07", "08"], 24), (HIGH, &["09", "10", "11", "12"], 22)];

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: cargo run --example synth -- DIR   (DIR is usually `samples`)");
        return ExitCode::from(2);
    };
    match write_samples(Path::new(&dir)) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes every sample file into `dir`; returns a one-line summary.
pub(crate) fn write_samples(dir: &Path) -> io::Result<String> {
    let cal = Calendar::new();
    if cal.school.len() != 180 {
        return Err(io::Error::other(format!("the calendar has {} school days, not 180", cal.school.len())));
    }
    let mut rng = Rng(SEED);
    let students = district(&cal, &mut rng);
    let mut clean = render(&students, &cal, &mut rng);
    // The daily attendance came later than the caret files: it draws from a generator of its
    // own, so every file written before it keeps its bytes.
    clean.attendance = attendance(&students, &clean.stas, &cal, &mut Rng(ATTENDANCE_SEED))?;
    let mut planter = Planter::new(&students, &cal, clean.clone());
    planter.plant_all()?;
    let mut errors = planter.files;
    account_for_attendance(&mut errors, &cal)?;
    for (sub, files) in [("clean", &clean), ("errors", &errors)] {
        std::fs::create_dir_all(dir.join(sub))?;
        for (name, records) in files.named() {
            std::fs::write(dir.join(sub).join(name), lines(records))?;
        }
        std::fs::write(dir.join(sub).join("attendance.csv"), attendance_csv(&files.attendance))?;
    }
    let extract_days = extract_attendance(&cal);
    std::fs::create_dir_all(dir.join("extracts"))?;
    std::fs::write(dir.join("extracts").join("attendance.csv"), attendance_csv(&extract_days))?;
    // Each folder carries its calendar, so `rollcall check` and `rollcall generate` find it.
    for sub in ["clean", "errors", "extracts"] {
        std::fs::write(dir.join(sub).join("calendar.csv"), cal.csv())?;
    }
    let planted = planted_csv(&errors);
    std::fs::write(dir.join("errors.planted.csv"), &planted)?;
    std::fs::write(dir.join("README.md"), readme(&students, &clean, &errors, &cal, extract_days.len()))?;
    let rows = planted.lines().count() - 1;
    Ok(format!(
        "wrote {} students, {} clean records, {} days of attendance and {rows} planted findings to {}",
        students.len(),
        clean.len(),
        clean.attendance.len(),
        dir.display()
    ))
}

// ---------------------------------------------------------------------------------------------
// Dates, the calendar and the random generator

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d + Days::new(1)
}

fn prev_day(d: NaiveDate) -> NaiveDate {
    d - Days::new(1)
}

/// A seeded xorshift64* generator: tiny, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DayType {
    School,
    Holiday,
    NonSchool,
}

/// Days off of the 2025-2026 calendar: first day, last day, kind.
fn days_off() -> Vec<(NaiveDate, NaiveDate, DayType)> {
    let one = |y, m, d, kind| (date(y, m, d), date(y, m, d), kind);
    vec![
        one(2025, 9, 1, DayType::Holiday),                          // Labor Day
        one(2025, 10, 10, DayType::NonSchool),                      // staff development
        one(2025, 10, 13, DayType::Holiday),                        // Indigenous Peoples' Day
        one(2025, 11, 11, DayType::Holiday),                        // Veterans Day
        (date(2025, 11, 24), date(2025, 11, 28), DayType::Holiday), // Thanksgiving break
        (date(2025, 12, 22), date(2026, 1, 2), DayType::Holiday),   // winter break
        one(2026, 1, 5, DayType::NonSchool),                        // staff development
        one(2026, 1, 19, DayType::Holiday),                         // Martin Luther King Jr. Day
        one(2026, 2, 13, DayType::Holiday),                         // Lincoln's Birthday
        (date(2026, 2, 16), date(2026, 2, 20), DayType::Holiday),   // Presidents' Day and mid-winter break
        (date(2026, 3, 30), date(2026, 4, 3), DayType::Holiday),    // spring break
        one(2026, 5, 25, DayType::Holiday),                         // Memorial Day
    ]
}

/// The district's 180-day calendar, the same for every school.
struct Calendar {
    first: NaiveDate,
    last: NaiveDate,
    days: Vec<(NaiveDate, DayType)>,
    school: Vec<NaiveDate>,
}

impl Calendar {
    fn new() -> Calendar {
        let (first, last) = (date(2025, 8, 13), date(2026, 6, 5));
        let off = days_off();
        let mut days = Vec::new();
        let mut d = first;
        while d <= last {
            let kind = match (d.weekday(), off.iter().find(|(a, b, _)| *a <= d && d <= *b)) {
                (Weekday::Sat | Weekday::Sun, _) => DayType::NonSchool,
                (_, Some((_, _, kind))) => *kind,
                _ => DayType::School,
            };
            days.push((d, kind));
            d = next_day(d);
        }
        let school = days.iter().filter(|(_, k)| *k == DayType::School).map(|(d, _)| *d).collect();
        Calendar { first, last, days, school }
    }

    fn is_school_day(&self, d: NaiveDate) -> bool {
        self.school.binary_search(&d).is_ok()
    }

    /// School days from `from` to `to`, both included.
    fn count(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let lo = self.school.partition_point(|d| *d < from);
        let hi = self.school.partition_point(|d| *d <= to);
        u32::try_from(hi.saturating_sub(lo)).unwrap_or(0)
    }

    /// The first school day after `d`.
    fn next_school_day(&self, d: NaiveDate) -> NaiveDate {
        let i = self.school.partition_point(|x| *x <= d);
        self.school.get(i).copied().unwrap_or(self.last)
    }

    /// School days in `from..=to` that follow a day off: the days new students start.
    fn week_starts(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        self.school.iter().copied().filter(|d| (from..=to).contains(d) && !self.is_school_day(prev_day(*d))).collect()
    }

    /// School days in `from..=to` before a day off: the days students leave.
    fn week_ends(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        self.school.iter().copied().filter(|d| (from..=to).contains(d) && !self.is_school_day(next_day(*d))).collect()
    }

    /// Any school day in `from..=to`.
    fn any_day(&self, rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let days: Vec<NaiveDate> = self.school.iter().copied().filter(|d| (from..=to).contains(d)).collect();
        rng.pick(&days)
    }

    /// The school months, first and last day: runs of 20 weekdays that are school days or
    /// holidays, counted from the first day of instruction (the last run may be shorter).
    fn months(&self) -> Vec<(NaiveDate, NaiveDate)> {
        let counted: Vec<NaiveDate> =
            self.days.iter().filter(|(d, kind)| *kind != DayType::NonSchool && d.weekday().num_days_from_monday() < 5).map(|(d, _)| *d).collect();
        counted.chunks(20).map(|run| (run[0], run[run.len() - 1])).collect()
    }

    fn csv(&self) -> String {
        let mut out = String::from("school_of_attendance,date,day_type\n");
        for (d, kind) in &self.days {
            let kind = match kind {
                DayType::School => "school",
                DayType::Holiday => "holiday",
                DayType::NonSchool => "non_school",
            };
            let _ = writeln!(out, ",{},{kind}", d.format("%Y-%m-%d"));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// The students

const FIRST_F: &[&str] = &[
    "ANA", "AMARA", "BEATRIZ", "CHLOE", "DANIELA", "ELENA", "FATIMA", "GRACE", "HANA", "ISABEL", "JADE", "KEIKO", "LAYLA", "LUCÍA", "MAYA", "MEI",
    "NADIA", "NOOR", "OLIVIA", "PRIYA", "RENÉE", "ROSA", "SOFIA", "TALIA", "VALERIA", "XIMENA", "YARA", "ZOË", "AMELIA", "CAMILA",
];
const FIRST_M: &[&str] = &[
    "AARAV", "ANDRÉS", "BENJAMIN", "CARLOS", "DIEGO", "ELIJAH", "EMILIO", "FELIX", "GABRIEL", "HIRO", "ISAAC", "JAVIER", "JOSÉ", "KOFI", "LIAM",
    "LUIS", "MATEO", "MIGUEL", "NOAH", "OMAR", "PABLO", "RAFAEL", "SAMUEL", "TOMÁS", "VIKRAM", "WEI", "XAVIER", "YUSUF", "ZANE", "DMITRI",
];
const FIRST_X: &[&str] = &["ALEX", "JORDAN", "RIVER", "SAGE", "QUINN", "ROWAN"];
const MIDDLE_NAMES: &[&str] = &["ANN", "JAMES", "LEE", "MARIE", "J", "ROSE", "LUIS", "KAI", "MAE", "JO", "ELENA", "T"];
/// Surnames are invented: a head and a tail that no real family name is made of.
const LAST_HEAD: &[&str] = &[
    "AMBER", "BRAMBLE", "CLOVER", "DUSK", "EMBER", "FERN", "GLIM", "HOLLOW", "IVY", "JUNIPER", "KESTREL", "LARK", "MOSS", "NETTLE", "OAK", "PEBBLE",
    "QUILL", "RUSH", "SORREL", "THISTLE", "UMBER", "VALE", "WREN", "YARROW", "ZEPHYR",
];
const LAST_TAIL: &[&str] = &["BROOK", "DALE", "FIELD", "FORD", "HAVEN", "HOLT", "MERE", "SHAW", "STONE", "WICK", "WOOD", "TON"];
const ADULT_FIRST: &[&str] =
    &["MARIA", "JOSE", "JENNIFER", "DAVID", "LINH", "ROBERTO", "ANGELA", "MICHAEL", "SUNITA", "KWAME", "PATRICIA", "HECTOR", "YUKI", "OKSANA"];
const STREETS: &[&str] =
    &["EXAMPLE AVE", "SAMPLE ST", "PLACEHOLDER WAY", "FICTION LN", "TEMPLATE CT", "SYNTHESIS BLVD", "DUMMY DATA DR", "MOCKUP RD"];
const CITIES: &[&str] = &["MESA FICTA", "PUEBLO MUESTRA", "SANTA INÉS"];
type Place = (&'static str, &'static str, &'static str);
const BORN_US: &[Place] = &[
    ("LOS ANGELES", "US-CA", "US"),
    ("FRESNO", "US-CA", "US"),
    ("SACRAMENTO", "US-CA", "US"),
    ("SAN DIEGO", "US-CA", "US"),
    ("OAKLAND", "US-CA", "US"),
    ("PHOENIX", "US-AZ", "US"),
    ("HOUSTON", "US-TX", "US"),
    ("", "", "US"),
];
const BORN_ABROAD: &[Place] = &[
    ("GUADALAJARA", "MX-JAL", "MX"),
    ("OAXACA", "MX-OAX", "MX"),
    ("SAN SALVADOR", "", "SV"),
    ("GUATEMALA CITY", "", "GT"),
    ("MANILA", "", "PH"),
    ("HO CHI MINH CITY", "", "VN"),
    ("PUNE", "", "IN"),
    ("KYIV", "", "UA"),
];
const RACES_HISPANIC: &[&str] = &["700", "700", "700", "700", "100"];
const RACES_OTHER: &[&str] =
    &["700", "700", "700", "700", "600", "600", "600", "201", "203", "204", "205", "207", "208", "299", "400", "400", "400", "301", "303", "100"];

/// What happens to a student during the year (the planted errors pick students by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Enrolled all year at one school.
    Plain,
    /// Arrived after the first day.
    Late,
    /// Left the district during the year.
    Leaver,
    /// Moved from the high school to the alternative school (T160, or T165 disciplinary).
    Mover,
    /// A mid-year update at the same school (E150 exit, new record the next school day).
    MidYear,
    /// A short-term (30) stay at the alternative school on top of the primary enrollment.
    ShortTerm,
    /// A secondary (20) enrollment at the alternative school.
    Secondary,
    Alternative,
    Nps,
    NonAda,
    NoShow,
}

/// One enrollment.
#[derive(Clone, Debug)]
struct Spell {
    school: &'static str,
    nps: &'static str,
    status: &'static str,
    grade: &'static str,
    start: NaiveDate,
    exit: NaiveDate,
    reason: &'static str,
    completion: &'static str,
    receiver: &'static str,
    uc_csu: &'static str,
    transfer: &'static str,
    residence: &'static str,
    gssmd: &'static str,
    biliteracy: &'static str,
}

impl Spell {
    fn new(school: &'static str, status: &'static str, grade: &'static str, start: NaiveDate, exit: NaiveDate) -> Spell {
        Spell {
            school,
            nps: "",
            status,
            grade,
            start,
            exit,
            reason: "",
            completion: "",
            receiver: "",
            uc_csu: "",
            transfer: "",
            residence: "",
            gssmd: "N",
            biliteracy: "N",
        }
    }

    /// Whether the enrollment needs an absence summary (primary or short-term, attended, not NPS).
    fn needs_stas(&self) -> bool {
        matches!(self.status, "10" | "30") && self.school != NPS_SCHOOL && self.exit >= self.start
    }
}

#[derive(Clone, Debug)]
struct Student {
    n: u32,
    role: Role,
    first: &'static str,
    middle: &'static str,
    last: String,
    suffix: &'static str,
    birth: NaiveDate,
    gender: &'static str,
    born: Place,
    hispanic: bool,
    races: Vec<&'static str>,
    initial_us: Option<NaiveDate>,
    recent_arrival: &'static str,
    street: String,
    city: &'static str,
    zip: String,
    guardians: [(&'static str, String); 2],
    education: [&'static str; 2],
    spells: Vec<Spell>,
    /// A second SINF record (new address) effective on this day.
    update: Option<(NaiveDate, String)>,
}

impl Student {
    fn ssid(&self) -> String {
        format!("99{:08}", self.n)
    }

    fn local_id(&self) -> String {
        (240_000 + self.n).to_string()
    }

    fn first_spell(&self) -> &Spell {
        &self.spells[0]
    }

    fn grade(&self) -> &'static str {
        self.spells[0].grade
    }

    fn school(&self) -> &'static str {
        self.spells[0].school
    }

    fn move_abroad(&mut self, rng: &mut Rng, initial_us: NaiveDate) {
        self.born = rng.pick(BORN_ABROAD);
        self.initial_us = Some(initial_us);
        self.recent_arrival = if initial_us.year() >= 2023 { "Y" } else { "N" };
    }
}

/// Birth dates that make a student the usual age for the grade on September 1, 2025.
fn birth_for(grade: &str, rng: &mut Rng) -> NaiveDate {
    let years_after_kn: i32 = match grade {
        "TK" => -1,
        "KN" => 0,
        g => g.parse().unwrap_or(0),
    };
    date(2019 - years_after_kn, 9, 2) + Days::new(rng.below(365) as u64)
}

fn invented_surname(rng: &mut Rng) -> String {
    let one = |rng: &mut Rng| format!("{}{}", rng.pick(LAST_HEAD), rng.pick(LAST_TAIL));
    match rng.below(100) {
        0..=3 => format!("O'{}", one(rng)),
        4..=8 => format!("{}-{}", one(rng), one(rng)),
        _ => one(rng),
    }
}

/// Hands out student numbers and keeps legal name + birth date + gender unique.
#[derive(Default)]
struct People {
    next: u32,
    seen: HashSet<(&'static str, String, NaiveDate, &'static str)>,
}

impl People {
    fn student(&mut self, rng: &mut Rng, grade: &'static str, role: Role, spells: Vec<Spell>) -> Student {
        self.next += 1;
        let gender = match rng.below(100) {
            0 => "X",
            1..=49 => "F",
            _ => "M",
        };
        let names = match gender {
            "F" => FIRST_F,
            "M" => FIRST_M,
            _ => FIRST_X,
        };
        loop {
            let (first, last, birth) = (rng.pick(names), invented_surname(rng), birth_for(grade, rng));
            if self.seen.insert((first, last.clone(), birth, gender)) {
                return person(self.next, (first, last, birth, gender), rng, role, spells);
            }
        }
    }
}

/// A student with the given number and identity; the rest is drawn from `rng`.
fn person(n: u32, who: (&'static str, String, NaiveDate, &'static str), rng: &mut Rng, role: Role, spells: Vec<Spell>) -> Student {
    let (first, last, birth, gender) = who;
    let hispanic = rng.chance(52);
    let mut races = vec![rng.pick(if hispanic { RACES_HISPANIC } else { RACES_OTHER })];
    let second = rng.pick(RACES_OTHER);
    if rng.chance(8) && !races.contains(&second) {
        races.push(second);
    }
    let guardian_2 = if rng.chance(60) { (rng.pick(ADULT_FIRST), last.clone()) } else { ("", String::new()) };
    let education = [rng.pick(&["10", "11", "12", "13", "14", "15"]), if guardian_2.0.is_empty() { "" } else { rng.pick(&["11", "12", "13", "14"]) }];
    let mut s = Student {
        n,
        role,
        first,
        middle: if rng.chance(45) { rng.pick(MIDDLE_NAMES) } else { "" },
        suffix: if gender == "M" && rng.chance(3) { rng.pick(&["JR", "II", "III"]) } else { "" },
        guardians: [(rng.pick(ADULT_FIRST), last.clone()), guardian_2],
        last,
        birth,
        gender,
        born: rng.pick(BORN_US),
        hispanic,
        races,
        initial_us: None,
        recent_arrival: "",
        street: format!("{} {}", 100 + rng.below(9800), rng.pick(STREETS)),
        city: rng.pick(CITIES),
        zip: format!("959{:02}", 10 + rng.below(80)),
        education,
        spells,
        update: None,
    };
    let age = 2025 - birth.year();
    if rng.chance(10) && age >= 8 {
        let years_here = 1 + rng.below((age - 6).min(7) as usize) as i32;
        s.move_abroad(rng, date(2025 - years_here, 8, 14));
    }
    s
}

/// The whole district: 300 students, their enrollments and what happened to them.
fn district(cal: &Calendar, rng: &mut Rng) -> Vec<Student> {
    let mut people = People::default();
    let mut students = Vec::new();
    for (school, grades, per_grade) in COHORTS {
        for grade in grades {
            for _ in 0..per_grade {
                students.push(people.student(rng, grade, Role::Plain, vec![Spell::new(school, "10", grade, cal.first, cal.last)]));
            }
        }
    }
    special_students(&mut people, cal, rng, &mut students);
    events(&mut students, cal, rng);
    close_year(&mut students, rng);
    students
}

/// The alternative school's own students, the NPS placements, a non-ADA student, a no-show.
fn special_students(people: &mut People, cal: &Calendar, rng: &mut Rng, students: &mut Vec<Student>) {
    for (k, grade) in ["10", "10", "11", "11", "11", "12", "12", "12", "12", "12"].into_iter().enumerate() {
        let start = if k % 4 == 1 { rng.pick(&cal.week_starts(date(2025, 9, 2), date(2026, 2, 27))) } else { cal.first };
        students.push(people.student(rng, grade, Role::Alternative, vec![Spell::new(ALTERNATIVE, "10", grade, start, cal.last)]));
    }
    for grade in ["07", "10"] {
        let mut spell = Spell::new(NPS_SCHOOL, "10", grade, cal.first, cal.last);
        spell.nps = NPS_CODE;
        students.push(people.student(rng, grade, Role::Nps, vec![spell]));
    }
    let mut exchange = people.student(rng, "11", Role::NonAda, vec![Spell::new(HIGH, "50", "11", cal.first, cal.last)]);
    exchange.born = ("HAMBURG", "", "DE");
    exchange.initial_us = Some(cal.first);
    exchange.recent_arrival = "Y";
    students.push(exchange);
    let mut no_show = Spell::new(MIDDLE, "10", "06", cal.first, prev_day(cal.first));
    no_show.reason = "N470";
    students.push(people.student(rng, "06", Role::NoShow, vec![no_show]));
}

/// Students no event has claimed yet (never the first twenty, which stay simple).
struct Pool(Vec<usize>);

impl Pool {
    fn take(&mut self, students: &[Student], rng: &mut Rng, school: &str, grades: &[&str]) -> Option<usize> {
        let hits: Vec<usize> =
            (0..self.0.len()).filter(|&i| students[self.0[i]].school() == school && grades.contains(&students[self.0[i]].grade())).collect();
        (!hits.is_empty()).then(|| self.0.remove(hits[rng.below(hits.len())]))
    }
}

/// Transfers, late arrivals, leavers, mid-year updates, short-term and secondary enrollments.
fn events(students: &mut [Student], cal: &Calendar, rng: &mut Rng) {
    let mut pool = Pool(students.iter().enumerate().filter(|(_, s)| s.n > 20 && s.role == Role::Plain).map(|(i, _)| i).collect());
    let upper = ["10", "11", "12"];
    for k in 0..4 {
        if let Some(i) = pool.take(students, rng, HIGH, &upper) {
            mover(&mut students[i], k == 0, cal, rng);
        }
    }
    for (school, grade, second) in [(ELEMENTARY, "KN", "01"), (HIGH, "11", "11")] {
        if let Some(i) = pool.take(students, rng, school, &[grade]) {
            mid_year(&mut students[i], second, cal);
        }
    }
    let short_terms = [(HIGH, "10", date(2025, 9, 22), date(2025, 10, 9)), (MIDDLE, "08", date(2026, 2, 23), date(2026, 3, 13))];
    let secondaries = [(HIGH, "11", date(2025, 8, 25)), (HIGH, "12", date(2026, 3, 2))];
    for (school, grade, start, exit) in short_terms {
        if let Some(i) = pool.take(students, rng, school, &[grade]) {
            let mut spell = Spell::new(ALTERNATIVE, "30", grade, start, exit);
            // Back to the primary school: a transfer code (E170 is only for status 20 or 50, SENR0523).
            spell.reason = "T160";
            students[i].spells.push(spell);
            students[i].role = Role::ShortTerm;
        }
    }
    for (school, grade, start) in secondaries {
        if let Some(i) = pool.take(students, rng, school, &[grade]) {
            students[i].spells.push(Spell::new(ALTERNATIVE, "20", grade, start, cal.last));
            students[i].role = Role::Secondary;
        }
    }
    arrivals_and_leavers(students, &mut pool, cal, rng);
    for s in students.iter_mut().filter(|s| s.role == Role::Plain) {
        if s.n % 17 == 5 {
            s.spells[0].transfer = "1";
            s.spells[0].residence = NEIGHBOR_DISTRICT;
        }
        if s.n % 23 == 7 {
            let day = rng.pick(&cal.week_starts(date(2026, 1, 20), date(2026, 4, 30)));
            s.update = Some((day, format!("{} {}", 100 + rng.below(9800), rng.pick(STREETS))));
        }
    }
}

fn arrivals_and_leavers(students: &mut [Student], pool: &mut Pool, cal: &Calendar, rng: &mut Rng) {
    let every: Vec<(&str, Vec<&str>)> = COHORTS.iter().map(|(school, grades, _)| (*school, grades.to_vec())).collect();
    for k in 0..36 {
        let (school, grades) = &every[k % every.len()];
        let Some(i) = pool.take(students, rng, school, grades) else { continue };
        let s = &mut students[i];
        if k % 2 == 0 {
            let start = rng.pick(&cal.week_starts(date(2025, 8, 25), date(2026, 4, 24)));
            s.spells[0].start = start;
            s.role = Role::Late;
            if rng.chance(40) {
                s.move_abroad(rng, start);
            } else if s.initial_us.is_some_and(|d| d > start) {
                s.initial_us = Some(start);
            }
        } else {
            s.spells[0].exit = cal.any_day(rng, date(2025, 9, 8), date(2026, 5, 15));
            s.spells[0].reason = rng.pick(&["T160", "T160", "T160", "T180", "T200", "T240"]);
            s.role = Role::Leaver;
        }
    }
}

/// High school to the alternative school at the end of a week.
fn mover(s: &mut Student, disciplinary: bool, cal: &Calendar, rng: &mut Rng) {
    let exit = rng.pick(&cal.week_ends(date(2025, 9, 26), date(2026, 3, 20)));
    let first = &mut s.spells[0];
    first.exit = exit;
    first.reason = if disciplinary { "T165" } else { "T160" };
    if disciplinary {
        first.receiver = ALTERNATIVE;
    }
    let grade = first.grade;
    s.spells.push(Spell::new(ALTERNATIVE, "10", grade, cal.next_school_day(exit), cal.last));
    s.role = Role::Mover;
}

/// An E150 mid-year update: a grade placement change, or an interdistrict transfer permit.
fn mid_year(s: &mut Student, grade: &'static str, cal: &Calendar) {
    let (exit, start) = (date(2026, 1, 15), date(2026, 1, 16));
    let first = &mut s.spells[0];
    first.exit = exit;
    first.reason = "E150";
    let mut next = Spell::new(first.school, "10", grade, start, cal.last);
    if first.school == HIGH {
        next.transfer = "1";
        next.residence = NEIGHBOR_DISTRICT;
    }
    s.spells.push(next);
    s.role = Role::MidYear;
}

/// Year-end exits: E230 with 480 at the top grade of a school, graduates in grade 12, E155 else.
fn close_year(students: &mut [Student], rng: &mut Rng) {
    let mut seniors = 0;
    for spell in students.iter_mut().flat_map(|s| s.spells.iter_mut()).filter(|sp| sp.reason.is_empty()) {
        match (spell.status, spell.school, spell.grade) {
            ("20" | "50", _, _) => spell.reason = "E170",
            (_, ELEMENTARY, "05") | (_, MIDDLE, "08") => (spell.reason, spell.completion) = ("E230", "480"),
            (_, HIGH | ALTERNATIVE, "12") => {
                seniors += 1;
                graduate(spell, seniors, rng);
            }
            _ => spell.reason = "E155",
        }
    }
}

fn graduate(spell: &mut Spell, nth: u32, rng: &mut Rng) {
    match nth {
        3 | 17 => (spell.reason, spell.completion) = ("E230", "360"),
        7 => spell.reason = "E156",
        11 => (spell.reason, spell.completion) = ("E230", "120"),
        _ => {
            (spell.reason, spell.completion) = ("E230", "100");
            spell.uc_csu = if rng.chance(45) { "Y" } else { "N" };
            spell.gssmd = if rng.chance(15) { "Y" } else { "N" };
            spell.biliteracy = if rng.chance(12) { "Y" } else { "N" };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Records

// The field lists are written out from calpads-layouts.md here rather than read from
// schemas/: the samples are an independent check of the schema files, not an echo of them.
// The SENR, SINF and STAS lists share their identity fields because the layouts do.

const SENR_FIELDS: &[&str] = &[
    "record_type_code",
    "transaction_type_code",
    "local_record_id",
    "reporting_lea",
    "school_of_attendance",
    "school_of_attendance_nps",
    "academic_year_id",
    "ssid",
    "local_student_id",
    "student_legal_first_name",
    "student_legal_middle_name",
    "student_legal_last_name",
    "student_legal_name_suffix_code",
    "student_alias_first_name",
    "student_alias_middle_name",
    "student_alias_last_name",
    "student_birth_date",
    "student_gender_code",
    "student_birth_city",
    "student_birth_state_province_code",
    "student_birth_country_code",
    "enrollment_start_date",
    "enrollment_status_code",
    "grade_level_code",
    "enrollment_exit_date",
    "student_exit_reason_code",
    "student_school_completion_status",
    "expected_receiver_school_of_attendance",
    "student_met_all_uc_csu_requirements_indicator",
    "student_school_transfer_code",
    "district_of_geographic_residence",
    "golden_state_seal_merit_diploma_indicator",
    "seal_of_biliteracy_indicator",
    "adult_age_students_with_disabilities_in_transition_status",
    "graduation_exemption_indicator",
];

const SINF_FIELDS: &[&str] = &[
    "record_type_code",
    "transaction_type_code",
    "local_record_id",
    "effective_start_date",
    "effective_end_date",
    "reporting_lea",
    "school_of_attendance",
    "academic_year_id",
    "ssid",
    "local_student_id",
    "student_legal_first_name",
    "student_legal_middle_name",
    "student_legal_last_name",
    "student_legal_name_suffix_code",
    "student_alias_first_name",
    "student_alias_middle_name",
    "student_alias_last_name",
    "student_birth_date",
    "student_gender_code",
    "student_birth_city",
    "student_birth_state_province_code",
    "student_birth_country_code",
    "student_hispanic_ethnicity_indicator",
    "student_ethnicity_missing_indicator",
    "student_race_1_code",
    "student_race_2_code",
    "student_race_3_code",
    "student_race_4_code",
    "student_race_5_code",
    "student_race_missing_indicator",
    "address_line_1",
    "address_line_2",
    "address_city_name",
    "address_state_province_code",
    "address_zip_code",
    "student_initial_us_school_enrollment_date_k12",
    "enrolled_in_us_school_less_than_three_cumulative_years_indicator",
    "parent_guardian_highest_education_level_code",
    "guardian_1_first_name",
    "guardian_1_last_name",
    "guardian_2_first_name",
    "guardian_2_last_name",
    "student_preferred_first_name",
    "student_preferred_last_name",
    "mailing_address_line_1",
    "mailing_address_line_2",
    "mailing_address_city_name",
    "mailing_address_state_province_code",
    "mailing_address_zip_code",
    "parent_guardian_2_highest_education_level_code",
];

const STAS_FIELDS: &[&str] = &[
    "record_type_code",
    "transaction_type_code",
    "local_record_id",
    "reporting_lea",
    "school_of_attendance",
    "academic_year_id",
    "ssid",
    "local_student_id",
    "student_legal_first_name",
    "student_legal_last_name",
    "student_birth_date",
    "student_gender_code",
    "student_absence_summary_data_collection_exemption_indicator",
    "hourly_attendance_school_type_indicator",
    "expected_attendance_days",
    "days_attended_in_person",
    "days_absent_out_of_school_suspension",
    "days_in_attendance_in_school_suspension",
    "days_absent_in_person_excused_non_suspension",
    "days_absent_in_person_unexcused_non_suspension",
    "non_ada_generating_independent_study_days",
    "ada_generating_independent_study_days",
    "period_by_period_attendance_method_indicator",
    "attendance_recovery_days",
];

/// A line that is no CALPADS record (the trailer some exports add).
const TRAILER_FIELDS: &[&str] = &["record_type_code", "file_name", "record_count"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Senr,
    Sinf,
    Stas,
    Trailer,
}

impl Kind {
    fn names(self) -> &'static [&'static str] {
        match self {
            Kind::Senr => SENR_FIELDS,
            Kind::Sinf => SINF_FIELDS,
            Kind::Stas => STAS_FIELDS,
            Kind::Trailer => TRAILER_FIELDS,
        }
    }
}

/// A finding a planted error causes, attached to the record it is reported at.
#[derive(Clone, Debug)]
struct Plant {
    field: &'static str,
    rule: &'static str,
    needs: &'static str,
    description: String,
}

/// One record: its fields as bytes (a planted error writes a non-UTF-8 byte).
#[derive(Clone, Debug)]
struct Rec {
    kind: Kind,
    ssid: String,
    fields: Vec<Vec<u8>>,
    plants: Vec<Plant>,
}

impl Rec {
    fn blank(kind: Kind, ssid: &str) -> Rec {
        Rec { kind, ssid: ssid.to_owned(), fields: vec![Vec::new(); kind.names().len()], plants: Vec::new() }
    }

    fn has(&self, name: &str) -> bool {
        self.kind.names().contains(&name)
    }

    fn pos(&self, name: &str) -> usize {
        self.kind.names().iter().position(|n| *n == name).unwrap_or_else(|| panic!("{name} is not a {:?} field", self.kind))
    }

    fn set(&mut self, name: &str, value: &str) -> &mut Rec {
        let i = self.pos(name);
        self.fields[i] = value.as_bytes().to_vec();
        self
    }

    fn get(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.fields[self.pos(name)]).into_owned()
    }

    fn number(&self, name: &str) -> u32 {
        self.get(name).parse().unwrap_or(0)
    }

    /// Sets the student's identity fields that this record type has.
    fn person(&mut self, s: &Student) -> &mut Rec {
        let birth = ymd(s.birth);
        let all = [
            ("ssid", s.ssid()),
            ("local_student_id", s.local_id()),
            ("student_legal_first_name", s.first.to_owned()),
            ("student_legal_middle_name", s.middle.to_owned()),
            ("student_legal_last_name", s.last.clone()),
            ("student_legal_name_suffix_code", s.suffix.to_owned()),
            ("student_birth_date", birth),
            ("student_gender_code", s.gender.to_owned()),
        ];
        for (name, value) in &all {
            if self.has(name) {
                self.set(name, value);
            }
        }
        self
    }

    fn plant(&mut self, field: &'static str, rule: &'static str, needs: &'static str, description: impl Into<String>) -> &mut Rec {
        self.plants.push(Plant { field, rule, needs, description: description.into() });
        self
    }

    fn line(&self) -> Vec<u8> {
        let mut out = self.fields.join(&b'^');
        out.extend_from_slice(b"\r\n");
        out
    }
}

fn lines(records: &[Rec]) -> Vec<u8> {
    records.iter().flat_map(Rec::line).collect()
}

fn senr_record(s: &Student, sp: &Spell, seq: usize) -> Rec {
    let mut r = Rec::blank(Kind::Senr, &s.ssid());
    r.set("record_type_code", "SENR").set("local_record_id", &format!("LR-{seq:04}")).set("reporting_lea", LEA).set("academic_year_id", YEAR);
    r.set("school_of_attendance", sp.school).set("school_of_attendance_nps", sp.nps).person(s);
    r.set("student_birth_city", s.born.0).set("student_birth_state_province_code", s.born.1).set("student_birth_country_code", s.born.2);
    r.set("enrollment_start_date", &ymd(sp.start)).set("enrollment_status_code", sp.status).set("grade_level_code", sp.grade);
    r.set("enrollment_exit_date", &ymd(sp.exit)).set("student_exit_reason_code", sp.reason).set("student_school_completion_status", sp.completion);
    r.set("expected_receiver_school_of_attendance", sp.receiver).set("student_met_all_uc_csu_requirements_indicator", sp.uc_csu);
    r.set("student_school_transfer_code", sp.transfer).set("district_of_geographic_residence", sp.residence);
    r.set("golden_state_seal_merit_diploma_indicator", sp.gssmd).set("seal_of_biliteracy_indicator", sp.biliteracy);
    // Every diploma graduate exits after 2023-06-30, so the exemption indicator is Y or N (SENR0632).
    if sp.completion == "100" {
        r.set("graduation_exemption_indicator", "N");
    }
    r
}

fn sinf_record(s: &Student, seq: usize, effective: NaiveDate, street: &str) -> Rec {
    let mut r = Rec::blank(Kind::Sinf, &s.ssid());
    r.set("record_type_code", "SINF").set("local_record_id", &format!("LI-{seq:04}")).set("effective_start_date", &ymd(effective));
    r.set("reporting_lea", LEA).set("school_of_attendance", s.school()).set("academic_year_id", YEAR).person(s);
    r.set("student_birth_city", s.born.0).set("student_birth_state_province_code", s.born.1).set("student_birth_country_code", s.born.2);
    r.set("student_hispanic_ethnicity_indicator", if s.hispanic { "Y" } else { "N" }).set("student_ethnicity_missing_indicator", "N");
    for (k, race) in s.races.iter().enumerate() {
        r.set(&format!("student_race_{}_code", k + 1), race);
    }
    r.set("student_race_missing_indicator", "N").set("address_line_1", street).set("address_city_name", s.city);
    r.set("address_state_province_code", "US-CA").set("address_zip_code", &s.zip);
    r.set("student_initial_us_school_enrollment_date_k12", &s.initial_us.map(ymd).unwrap_or_default());
    r.set("enrolled_in_us_school_less_than_three_cumulative_years_indicator", s.recent_arrival);
    r.set("parent_guardian_highest_education_level_code", s.education[0]).set("parent_guardian_2_highest_education_level_code", s.education[1]);
    let [(f1, l1), (f2, l2)] = &s.guardians;
    r.set("guardian_1_first_name", f1).set("guardian_1_last_name", l1).set("guardian_2_first_name", f2).set("guardian_2_last_name", l2);
    r
}

/// The day counts of one absence summary.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    expected: u32,
    in_person: u32,
    suspended: u32,
    in_school_suspension: u32,
    excused: u32,
    unexcused: u32,
    non_ada_study: u32,
    ada_study: u32,
    recovery: Option<u32>,
}

impl Counts {
    fn draw(expected: u32, rng: &mut Rng) -> Counts {
        let mut c = Counts { expected, ..Counts::default() };
        c.excused = rng.below(expected as usize / 18 + 2) as u32;
        c.unexcused = if rng.chance(35) { rng.below(expected as usize / 25 + 2) as u32 } else { 0 };
        c.suspended = if rng.chance(4) { 1 + rng.below(3) as u32 } else { 0 };
        c.in_school_suspension = if rng.chance(3) { 1 + rng.below(2) as u32 } else { 0 };
        c.ada_study = if rng.chance(4) && expected > 40 { 5 } else { 0 };
        let away = c.excused + c.unexcused + c.suspended + c.in_school_suspension + c.ada_study;
        if away > expected {
            c = Counts { expected, ..Counts::default() };
        }
        c.in_person = expected - (c.excused + c.unexcused + c.suspended + c.in_school_suspension + c.ada_study);
        if c.excused + c.unexcused >= 3 && rng.chance(25) {
            c.recovery = Some(1 + rng.below(4) as u32);
        }
        c
    }
}

fn stas_record(s: &Student, school: &'static str, seq: usize, c: &Counts) -> Rec {
    let mut r = Rec::blank(Kind::Stas, &s.ssid());
    r.set("record_type_code", "STAS").set("local_record_id", &format!("LS-{seq:04}")).set("reporting_lea", LEA);
    r.set("school_of_attendance", school).set("academic_year_id", YEAR).person(s);
    r.set("student_absence_summary_data_collection_exemption_indicator", "N").set("hourly_attendance_school_type_indicator", "N");
    let days = [
        ("expected_attendance_days", c.expected),
        ("days_attended_in_person", c.in_person),
        ("days_absent_out_of_school_suspension", c.suspended),
        ("days_in_attendance_in_school_suspension", c.in_school_suspension),
        ("days_absent_in_person_excused_non_suspension", c.excused),
        ("days_absent_in_person_unexcused_non_suspension", c.unexcused),
        ("non_ada_generating_independent_study_days", c.non_ada_study),
        ("ada_generating_independent_study_days", c.ada_study),
    ];
    for (name, value) in days {
        r.set(name, &value.to_string());
    }
    r.set("period_by_period_attendance_method_indicator", if school == ELEMENTARY { "N" } else { "Y" });
    r.set("attendance_recovery_days", &c.recovery.map(|n| n.to_string()).unwrap_or_default());
    r
}

/// School days in the union of the student's enrollments at `school` that need a summary.
fn expected_days(s: &Student, school: &str, cal: &Calendar) -> u32 {
    let mut spans: Vec<(NaiveDate, NaiveDate)> =
        s.spells.iter().filter(|sp| sp.school == school && sp.needs_stas()).map(|sp| (sp.start, sp.exit)).collect();
    spans.sort();
    let mut total = 0;
    let mut current: Option<(NaiveDate, NaiveDate)> = None;
    for (start, exit) in spans {
        current = match current {
            Some((a, b)) if start <= next_day(b) => Some((a, b.max(exit))),
            Some((a, b)) => {
                total += cal.count(a, b);
                Some((start, exit))
            }
            None => Some((start, exit)),
        };
    }
    total + current.map_or(0, |(a, b)| cal.count(a, b))
}

/// One summary per school with a primary or short-term enrollment; days spent in a short-term
/// enrollment elsewhere are not expected at the primary school.
fn summaries(s: &Student, cal: &Calendar, rng: &mut Rng) -> Vec<(&'static str, Counts)> {
    let mut schools: Vec<&'static str> = Vec::new();
    for sp in s.spells.iter().filter(|sp| sp.needs_stas()) {
        if !schools.contains(&sp.school) {
            schools.push(sp.school);
        }
    }
    let away: Vec<(&str, u32)> = s.spells.iter().filter(|sp| sp.status == "30").map(|sp| (sp.school, cal.count(sp.start, sp.exit))).collect();
    schools
        .into_iter()
        .map(|school| {
            let elsewhere: u32 = away.iter().filter(|(other, _)| *other != school).map(|(_, days)| days).sum();
            (school, Counts::draw(expected_days(s, school, cal) - elsewhere, rng))
        })
        .collect()
}

/// The three files of one submission, and the district's daily attendance beside them.
#[derive(Clone, Debug, Default)]
struct Files {
    senr: Vec<Rec>,
    sinf: Vec<Rec>,
    stas: Vec<Rec>,
    attendance: Vec<Day>,
    /// Findings about the attendance file as a whole (no line of their own), each with the
    /// student it was planted in.
    attendance_plants: Vec<(String, Plant)>,
}

impl Files {
    fn named(&self) -> [(&'static str, &[Rec]); 3] {
        [("senr.txt", &self.senr), ("sinf.txt", &self.sinf), ("stas.txt", &self.stas)]
    }

    fn len(&self) -> usize {
        self.senr.len() + self.sinf.len() + self.stas.len()
    }

    fn of(&mut self, kind: Kind) -> &mut Vec<Rec> {
        match kind {
            Kind::Senr => &mut self.senr,
            Kind::Sinf => &mut self.sinf,
            Kind::Stas | Kind::Trailer => &mut self.stas,
        }
    }

    /// The `i`-th record of `ssid` in the file of `kind`.
    fn find(&mut self, kind: Kind, ssid: &str, i: usize) -> io::Result<&mut Rec> {
        self.of(kind).iter_mut().filter(|r| r.ssid == ssid).nth(i).ok_or_else(|| io::Error::other(format!("no {kind:?} record {i} for {ssid}")))
    }

    /// Every planted finding, the attendance's included.
    fn plants(&self) -> impl Iterator<Item = &Plant> {
        let records = self.senr.iter().chain(&self.sinf).chain(&self.stas).flat_map(|r| &r.plants);
        records.chain(self.attendance.iter().flat_map(|d| &d.plants)).chain(self.attendance_plants.iter().map(|(_, p)| p))
    }

    /// Applies `edit` to every record of `ssid` in all three files.
    fn each(&mut self, ssid: &str, mut edit: impl FnMut(&mut Rec)) {
        for r in self.senr.iter_mut().chain(&mut self.sinf).chain(&mut self.stas).filter(|r| r.ssid == ssid) {
            edit(r);
        }
    }
}

fn render(students: &[Student], cal: &Calendar, rng: &mut Rng) -> Files {
    let mut f = Files::default();
    for s in students {
        for sp in &s.spells {
            f.senr.push(senr_record(s, sp, f.senr.len() + 1));
        }
        f.sinf.push(sinf_record(s, f.sinf.len() + 1, s.first_spell().start, &s.street));
        if let Some((day, street)) = &s.update {
            f.sinf.push(sinf_record(s, f.sinf.len() + 1, *day, street));
        }
        for (school, counts) in summaries(s, cal, rng) {
            f.stas.push(stas_record(s, school, f.stas.len() + 1, &counts));
        }
    }
    f
}

// ---------------------------------------------------------------------------------------------
// Daily attendance

/// One row of a daily attendance file (attendance.csv).
#[derive(Clone, Debug)]
struct Day {
    ssid: String,
    school: String,
    date: NaiveDate,
    code: &'static str,
    /// Minutes late, on tardy (T) rows only.
    minutes: Option<u32>,
    local_id: String,
    plants: Vec<Plant>,
}

impl Day {
    fn new(ssid: &str, school: &str, date: NaiveDate, code: &'static str, local_id: &str) -> Day {
        Day { ssid: ssid.to_owned(), school: school.to_owned(), date, code, minutes: None, local_id: local_id.to_owned(), plants: Vec::new() }
    }

    /// The file's sort order: school, date, student.
    fn key(&self) -> (&str, NaiveDate, &str) {
        (&self.school, self.date, &self.ssid)
    }

    fn plant(&mut self, field: &'static str, rule: &'static str, description: impl Into<String>) -> &mut Day {
        self.plants.push(Plant { field, rule, needs: "attendance", description: description.into() });
        self
    }
}

fn attendance_csv(rows: &[Day]) -> String {
    let mut out = String::from("ssid,school_of_attendance,date,attendance_code,minutes_absent,local_student_id\n");
    for d in rows {
        let minutes = d.minutes.map(|m| m.to_string()).unwrap_or_default();
        let _ = writeln!(out, "{},{},{},{},{minutes},{}", d.ssid, d.school, d.date.format("%Y-%m-%d"), d.code, d.local_id);
    }
    out
}

/// The school days `s` is expected at `school`, as `summaries` counts them: the days of its
/// primary and short-term enrollments there, less the days of a short-term stay elsewhere.
fn expected_dates(s: &Student, school: &str, cal: &Calendar) -> Vec<NaiveDate> {
    let here: Vec<&Spell> = s.spells.iter().filter(|sp| sp.school == school && sp.needs_stas()).collect();
    let away: Vec<&Spell> = s.spells.iter().filter(|sp| sp.school != school && sp.status == "30").collect();
    let within = |d: NaiveDate, spells: &[&Spell]| spells.iter().any(|sp| sp.start <= d && d <= sp.exit);
    cal.school.iter().copied().filter(|d| within(*d, &here) && !within(*d, &away)).collect()
}

/// The day counts an absence summary record states.
fn stated_counts(r: &Rec) -> Counts {
    Counts {
        expected: r.number("expected_attendance_days"),
        in_person: r.number("days_attended_in_person"),
        suspended: r.number("days_absent_out_of_school_suspension"),
        in_school_suspension: r.number("days_in_attendance_in_school_suspension"),
        excused: r.number("days_absent_in_person_excused_non_suspension"),
        unexcused: r.number("days_absent_in_person_unexcused_non_suspension"),
        non_ada_study: r.number("non_ada_generating_independent_study_days"),
        ada_study: r.number("ada_generating_independent_study_days"),
        recovery: None,
    }
}

/// One row per expected school day of every absence summary in `stas`, with codes that count
/// up to the summary exactly; sorted by school, date and student as a SIS exports them.
fn attendance(students: &[Student], stas: &[Rec], cal: &Calendar, rng: &mut Rng) -> io::Result<Vec<Day>> {
    let mut rows = Vec::new();
    for r in stas {
        let s = students.iter().find(|s| s.ssid() == r.ssid).ok_or_else(|| io::Error::other(format!("no student {}", r.ssid)))?;
        let school = r.get("school_of_attendance");
        let days = expected_dates(s, &school, cal);
        let counts = stated_counts(r);
        if days.len() != counts.expected as usize {
            return Err(io::Error::other(format!("{} at {school}: {} school days, the STAS expects {}", r.ssid, days.len(), counts.expected)));
        }
        for (date, (code, minutes)) in days.iter().zip(day_codes(&counts, &days, cal, rng)?) {
            let mut row = Day::new(&r.ssid, &school, *date, code, &s.local_id());
            row.minutes = minutes;
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| a.key().cmp(&b.key()));
    Ok(rows)
}

/// Codes for a student's expected `days` at one school that count up to `c`: ADA independent
/// study as one run of school days, suspensions in runs of one to three days, excused absences
/// of a day or two and unexcused single days spread over the year, about 3% of the days
/// present tardy (5 to 45 minutes late).
fn day_codes(c: &Counts, days: &[NaiveDate], cal: &Calendar, rng: &mut Rng) -> io::Result<Vec<(&'static str, Option<u32>)>> {
    // The position of each day in the calendar's school days: a run must not jump a school day.
    let at: Vec<usize> = days.iter().map(|d| cal.school.partition_point(|x| x < d)).collect();
    let mut codes: Vec<Option<&'static str>> = vec![None; days.len()];
    // Code, days, longest run (none: independent study is one agreement, a single run).
    let plan = [
        ("IS", c.ada_study, None),
        ("N", c.non_ada_study, None),
        ("S", c.suspended, Some(3)),
        ("I", c.in_school_suspension, Some(3)),
        ("A", c.excused, Some(2)),
        ("U", c.unexcused, Some(1)),
    ];
    for (code, total, longest) in plan {
        let mut left = total as usize;
        while left > 0 {
            let len = longest.map_or(left, |n| (1 + rng.below(n)).min(left));
            place_run(&mut codes, &at, code, len, rng);
            left -= len;
        }
    }
    let mut out = Vec::with_capacity(days.len());
    for code in codes {
        out.push(match code {
            Some(code) => (code, None),
            None if rng.chance(3) => ("T", Some(if rng.chance(25) { 31 + rng.below(15) as u32 } else { 5 + rng.below(26) as u32 })),
            None => ("P", None),
        });
    }
    let in_person = out.iter().filter(|(code, _)| matches!(*code, "P" | "T")).count();
    if in_person != c.in_person as usize {
        return Err(io::Error::other(format!("{in_person} days in person, the STAS says {}", c.in_person)));
    }
    Ok(out)
}

/// Codes `len` consecutive school days that have no code yet, starting anywhere they fit; as
/// single days where no run fits.
fn place_run(codes: &mut [Option<&'static str>], at: &[usize], code: &'static str, len: usize, rng: &mut Rng) {
    let fits = |i: usize| i + len <= codes.len() && (i..i + len).all(|k| codes[k].is_none() && at[k] == at[i] + (k - i));
    let starts: Vec<usize> = (0..codes.len()).filter(|&i| fits(i)).collect();
    if starts.is_empty() {
        for _ in 0..len {
            let free: Vec<usize> = (0..codes.len()).filter(|&i| codes[i].is_none()).collect();
            if !free.is_empty() {
                codes[rng.pick(&free)] = Some(code);
            }
        }
        return;
    }
    let start = rng.pick(&starts);
    for slot in &mut codes[start..start + len] {
        *slot = Some(code);
    }
}

/// The enrollments of the hand-written samples/extracts/enrollment.csv that take attendance,
/// read through its mapping.toml (Enr Status P = 10, primary; TR = T160): school, Perm ID, SSID,
/// entry date, leave date. Keep in step with the extract.
fn extract_enrollments() -> Vec<(&'static str, &'static str, &'static str, NaiveDate, Option<NaiveDate>)> {
    let entry = date(2025, 8, 14);
    vec![
        ("6019715", "100234", "1234567890", entry, None),
        ("6019715", "100235", "2234567891", entry, None),
        ("6019715", "100236", "3234567892", entry, None),
        ("6019723", "100237", "4234567893", entry, None),
        ("6019723", "100238", "5234567894", entry, Some(date(2025, 11, 20))), // left, TR
        ("6019715", "100239", "6234567895", date(2025, 10, 6), None),         // arrived from Korea
        // AVA PATEL: primary at 6019723; her secondary (S = 20) enrollment at 6019715 takes none.
        ("6019723", "100240", "7234567896", entry, None),
    ]
}

/// Daily attendance of the extracts' students: every school day of their enrollments, mostly
/// present, a few absences and tardies, drawn from a generator of its own.
fn extract_attendance(cal: &Calendar) -> Vec<Day> {
    let mut rng = Rng(ATTENDANCE_SEED ^ 0x0E87_12AC);
    let mut rows = Vec::new();
    for (school, local_id, ssid, entry, leave) in extract_enrollments() {
        let last = leave.unwrap_or(cal.last);
        for d in cal.school.iter().copied().filter(|d| entry <= *d && *d <= last) {
            let mut row = Day::new(ssid, school, d, "P", local_id);
            match rng.below(100) {
                0..=2 => row.code = "A",
                3 => row.code = "U",
                4..=6 => (row.code, row.minutes) = ("T", Some(5 + rng.below(41) as u32)),
                _ => {}
            }
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| a.key().cmp(&b.key()));
    rows
}

// ---------------------------------------------------------------------------------------------
// Planted errors

/// The category `rollcall` reports for a rule (checked by the samples test).
fn category(rule: &str) -> &'static str {
    match rule {
        "STRUCT-FIELD-COUNT" | "STRUCT-TRAILING-DELIMITER" | "STRUCT-UNKNOWN-TYPE" | "STRUCT-ENCODING" => "structure",
        "STRUCT-ACADEMIC-YEAR-MIX"
        | "XF-SSID-DIFFERS"
        | "XF-MULTIPLE-IDENTIFIERS"
        | "XF-US-DATE-AFTER-START"
        | "ATT-OUTSIDE-ENROLLMENT"
        | "ATT-MISSING-DAYS"
        | "ATT-STAS-MISMATCH" => "consistency",
        "FIELD-REQUIRED" | "XF-NO-ETHNICITY" => "required",
        "FIELD-LENGTH" => "length",
        "FIELD-DATE"
        | "FIELD-NUMBER"
        | "FIELD-DIGITS"
        | "FIELD-ACADEMIC-YEAR"
        | "FIELD-NAME-CHARS"
        | "FIELD-ZIP"
        | "STAS-FRACTION-NOT-HOURLY"
        | "STAS-RECOVERY-RANGE" => "format",
        "FIELD-CODE" | "FIELD-CODE-YEAR" | "FIELD-TRANSACTION-TYPE" | "ATT-UNKNOWN-CODE" => "code",
        "FIELD-ACADEMIC-YEAR-FUTURE"
        | "SENR-START-FUTURE"
        | "SENR-EXIT-FUTURE"
        | "SENR-DATE-OUTSIDE-YEAR"
        | "XF-PRIOR-YEAR-OPEN"
        | "XF-NON-SCHOOL-DAY"
        | "XF-EXPECTED-DAYS"
        | "ATT-NON-SCHOOL-DAY" => "calendar",
        "STAS-SUM" | "STAS-NON-ADA-IS" | "STAS-RECOVERY-TOTAL" => "arithmetic",
        "SENR-DUPLICATE-KEY" | "SINF-DUPLICATE-KEY" | "STAS-DUPLICATE" | "ATT-DUPLICATE-DAY" => "duplicate",
        "SENR-OVERLAP-SCHOOL" | "SENR-OVERLAP-PRIMARY" => "overlap",
        "SENR-SHORT-TERM-NO-PRIMARY" | "XF-STAS-MISSING" | "XF-STAS-WITHOUT-ENROLLMENT" | "XF-SINF-CENSUS" => "reference",
        "SENR-AGE-GRADE" => "plausibility",
        _ => "conditional",
    }
}

/// A student enrolled all year at one school, with one SINF record.
fn plain(s: &Student) -> bool {
    s.role == Role::Plain && s.update.is_none()
}

fn plain_in(school: &'static str, grades: &'static [&'static str]) -> impl Fn(&Student) -> bool {
    move |s| plain(s) && s.school() == school && grades.contains(&s.grade())
}

/// A graduate with a standard diploma and no seals.
fn diploma(s: &Student) -> bool {
    let sp = s.first_spell();
    plain(s) && sp.completion == "100" && sp.gssmd == "N" && sp.biliteracy == "N"
}

/// Plants the errors into a copy of the clean files, each in a student no other error touches.
struct Planter<'a> {
    students: &'a [Student],
    cal: &'a Calendar,
    files: Files,
    free: Vec<usize>,
    rng: Rng,
    /// Sequence numbers of appended records: SENR, SINF, STAS.
    next: [usize; 3],
}

impl<'a> Planter<'a> {
    fn new(students: &'a [Student], cal: &'a Calendar, files: Files) -> Planter<'a> {
        let free = students.iter().enumerate().filter(|(_, s)| s.n != 12).map(|(i, _)| i).collect();
        let next = [files.senr.len() + 1, files.sinf.len() + 1, files.stas.len() + 1];
        Planter { students, cal, files, free, rng: Rng(SEED ^ 0x00E7_7075), next }
    }

    /// A student no plant has used yet, drawn among those matching `pred`.
    fn take(&mut self, what: &str, pred: impl Fn(&Student) -> bool) -> io::Result<&'a Student> {
        let students = self.students;
        let hits: Vec<usize> = (0..self.free.len()).filter(|&i| pred(&students[self.free[i]])).collect();
        if hits.is_empty() {
            return Err(io::Error::other(format!("no student left for {what}")));
        }
        let i = self.free.remove(hits[self.rng.below(hits.len())]);
        Ok(&students[i])
    }

    fn edit(&mut self, kind: Kind, s: &Student, i: usize) -> io::Result<&mut Rec> {
        self.files.find(kind, &s.ssid(), i)
    }

    fn seq(&mut self, kind: Kind) -> usize {
        let slot = match kind {
            Kind::Senr => 0,
            Kind::Sinf => 1,
            Kind::Stas | Kind::Trailer => 2,
        };
        self.next[slot] += 1;
        self.next[slot] - 1
    }

    fn append(&mut self, rec: Rec) -> &mut Rec {
        let list = self.files.of(rec.kind);
        list.push(rec);
        let last = list.len() - 1;
        &mut list[last]
    }

    fn plant_all(&mut self) -> io::Result<()> {
        self.structure()?;
        self.field_formats()?;
        self.field_codes()?;
        self.senr_dates()?;
        self.senr_completion()?;
        self.senr_schools_and_status()?;
        self.sinf_rules()?;
        self.stas_rules()?;
        self.within_files()?;
        self.cross_files()?;
        self.identities()?;
        self.calendar()?;
        self.trailer();
        self.attendance()
    }

    fn structure(&mut self) -> io::Result<()> {
        let s = self.take("STRUCT-ENCODING", |s| plain(s) && s.city == "SANTA INÉS")?;
        let r = self.edit(Kind::Sinf, s, 0)?;
        let i = r.pos("address_city_name");
        r.fields[i] = b"SANTA IN\xC9S".to_vec();
        r.plant("address_city_name", "STRUCT-ENCODING", "", "address city SANTA INÉS written in Windows-1252 (byte C9 for É), not UTF-8");
        let s = self.take("STRUCT-TRAILING-DELIMITER", |s| s.role == Role::Plain && s.update.is_some())?;
        let r = self.edit(Kind::Sinf, s, 1)?;
        r.fields.push(Vec::new());
        r.plant("", "STRUCT-TRAILING-DELIMITER", "", "address-change SINF record exported with a trailing caret: 51 fields instead of 50");
        Ok(())
    }

    fn field_formats(&mut self) -> io::Result<()> {
        let s = self.take("FIELD-REQUIRED", plain)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_birth_country_code", "");
        r.plant("student_birth_country_code", "FIELD-REQUIRED", "", "birth country left blank by the SIS export");
        let s = self.take("FIELD-LENGTH", plain)?;
        let long = format!("{} APARTMENT BUILDING C UNIT 1204 REAR ENTRANCE OFF ALLEY", s.street);
        self.edit(Kind::Sinf, s, 0)?.set("address_line_1", &long).plant(
            "address_line_1",
            "FIELD-LENGTH",
            "",
            "address line 1 over 60 characters (unit and directions typed into it)",
        );
        let s = self.take("FIELD-DATE", plain)?;
        let us_style = s.birth.format("%m%d%Y").to_string();
        let r = self.edit(Kind::Senr, s, 0)?.set("student_birth_date", &us_style);
        r.plant("student_birth_date", "FIELD-DATE", "", format!("birth date written MMDDCCYY ({us_style}) instead of CCYYMMDD"));
        let s = self.take("FIELD-NUMBER", plain)?;
        let r = self.edit(Kind::Stas, s, 0)?.set("days_absent_out_of_school_suspension", "O");
        r.plant("days_absent_out_of_school_suspension", "FIELD-NUMBER", "", "letter O typed for a zero");
        let s = self.take("FIELD-DIGITS", |s| s.role == Role::MidYear && s.school() == HIGH)?;
        let r = self.edit(Kind::Senr, s, 1)?.set("district_of_geographic_residence", "199001");
        r.plant("district_of_geographic_residence", "FIELD-DIGITS", "", "district of residence 0199001 lost its leading zero in a spreadsheet");
        let s = self.take("FIELD-ACADEMIC-YEAR", plain)?;
        self.edit(Kind::Sinf, s, 0)?.set("academic_year_id", "2025-26").plant(
            "academic_year_id",
            "FIELD-ACADEMIC-YEAR",
            "",
            "academic year written 2025-26",
        );
        let s = self.take("FIELD-ACADEMIC-YEAR-FUTURE", plain)?;
        let r = self.edit(Kind::Sinf, s, 0)?.set("academic_year_id", "2029-2030");
        r.plant("academic_year_id", "STRUCT-ACADEMIC-YEAR-MIX", "", "this 2029-2030 record makes the file mix academic years");
        r.plant("academic_year_id", "FIELD-ACADEMIC-YEAR-FUTURE", "", "academic year keyed as 2029-2030");
        let s = self.take("FIELD-NAME-CHARS", plain)?;
        let first = format!("{}\u{a0}", s.first);
        let r = self.edit(Kind::Senr, s, 0)?.set("student_legal_first_name", &first);
        r.plant("student_legal_first_name", "FIELD-NAME-CHARS", "", "first name pasted with a trailing no-break space (U+00A0)");
        let s = self.take("FIELD-NAME-CHARS", plain)?;
        let guardian = format!("O\u{2019}{}", s.guardians[0].1);
        let r = self.edit(Kind::Sinf, s, 0)?.set("guardian_1_last_name", &guardian);
        r.plant("guardian_1_last_name", "FIELD-NAME-CHARS", "", "guardian name with a typographic apostrophe (U+2019) from a word processor");
        let s = self.take("FIELD-ZIP", plain)?;
        let zip = s.zip[..4].to_owned();
        self.edit(Kind::Sinf, s, 0)?.set("address_zip_code", &zip).plant("address_zip_code", "FIELD-ZIP", "", "ZIP code with a digit missing");
        Ok(())
    }

    fn field_codes(&mut self) -> io::Result<()> {
        let s = self.take("FIELD-CODE grade", plain_in(ELEMENTARY, &["04"]))?;
        self.edit(Kind::Senr, s, 0)?.set("grade_level_code", "4").plant(
            "grade_level_code",
            "FIELD-CODE",
            "",
            "grade 04 written without its leading zero",
        );
        let s = self.take("FIELD-CODE race", |s| plain(s) && s.races.len() == 1)?;
        self.edit(Kind::Sinf, s, 0)?.set("student_race_1_code", "800").plant(
            "student_race_1_code",
            "FIELD-CODE",
            "",
            "race code 800 is not a CALPADS race code (local SIS code)",
        );
        let s = self.take("FIELD-CODE-YEAR", |s| s.role == Role::Leaver && ["09", "10", "11", "12"].contains(&s.grade()))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_exit_reason_code", "T270");
        r.plant("student_exit_reason_code", "FIELD-CODE-YEAR", "", "exit code T270 (retired after 2017-2018) from an old SIS mapping");
        let s = self.take("FIELD-TRANSACTION-TYPE", plain)?;
        let r = self.edit(Kind::Sinf, s, 0)?.set("transaction_type_code", "A");
        r.plant("transaction_type_code", "FIELD-TRANSACTION-TYPE", "", "transaction type A, which SINF does not accept (blank or D)");
        Ok(())
    }

    fn senr_dates(&mut self) -> io::Result<()> {
        let s = self.students.iter().find(|s| s.n == 12).ok_or_else(|| io::Error::other("no student 12"))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_exit_reason_code", "");
        r.plant("student_exit_reason_code", "SENR-EXIT-PAIR", "", "year-end exit date without its exit reason (E155)");
        let first_day = self.cal.first;
        let s = self.take("SENR-EXIT-BEFORE-START", |s| s.role == Role::Leaver && s.first_spell().start == first_day)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("enrollment_exit_date", "20250811");
        r.plant("enrollment_exit_date", "SENR-EXIT-BEFORE-START", "", "transfer exit dated 20250811, before the enrollment started");
        let s = self.take("SENR-N470-DATE", |s| s.role == Role::Leaver)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_exit_reason_code", "N470");
        r.plant("enrollment_exit_date", "SENR-N470-DATE", "", "student who attended for weeks exited as a no-show (N470)");
        let s = self.take("SENR-N420-DATE", |s| s.role == Role::Leaver && !matches!(s.first_spell().exit.month(), 5..=8))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_exit_reason_code", "N420");
        r.plant("enrollment_exit_date", "SENR-N420-DATE", "", "mid-year transfer exited as a summer no-show (N420)");
        let s = self.take("SENR-START-BEFORE-BIRTH", |s| plain(s) && (s.birth.month(), s.birth.day()) > (8, 13))?;
        let birth = ymd(s.birth.with_year(2025).unwrap_or(s.birth));
        self.files.each(&s.ssid(), |r| {
            r.set("student_birth_date", &birth);
        });
        let r = self.edit(Kind::Senr, s, 0)?;
        r.plant("enrollment_start_date", "SENR-START-BEFORE-BIRTH", "", format!("birth year keyed as 2025 ({birth}) in every file"));
        let s = self.take("SENR-START-FUTURE", |s| s.role == Role::Secondary && s.spells[1].start.month() == 3)?;
        let r = self.edit(Kind::Senr, s, 1)?.set("enrollment_start_date", "20270302");
        r.plant("enrollment_start_date", "SENR-START-FUTURE", "", "secondary enrollment start keyed as 20270302 instead of 20260302");
        r.plant("enrollment_start_date", "SENR-DATE-OUTSIDE-YEAR", "", "the same mistyped start date is outside 2025-2026");
        r.plant("enrollment_exit_date", "SENR-EXIT-BEFORE-START", "", "the year-end exit now comes before the mistyped start date");
        let s = self.take("SENR-EXIT-FUTURE", plain_in(MIDDLE, &["06", "07"]))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("enrollment_exit_date", "20270605");
        r.plant("enrollment_exit_date", "SENR-EXIT-FUTURE", "", "year-end exit keyed as 20270605 instead of 20260605");
        r.plant("enrollment_exit_date", "SENR-DATE-OUTSIDE-YEAR", "", "the same mistyped exit date is outside 2025-2026");
        Ok(())
    }

    fn senr_completion(&mut self) -> io::Result<()> {
        let s = self.take("SENR-COMPLETION-REQUIRED", diploma)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_school_completion_status", "").set("graduation_exemption_indicator", "");
        r.plant("student_school_completion_status", "SENR-COMPLETION-REQUIRED", "", "graduate exited E230 without a completion status");
        let s = self.take("SENR-COMPLETION-WITHOUT-E230", diploma)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_exit_reason_code", "E155");
        r.plant("student_school_completion_status", "SENR-COMPLETION-WITHOUT-E230", "", "graduate (completion 100) exited with E155 instead of E230");
        let s = self.take("SENR-UC-CSU-REQUIRED", diploma)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_met_all_uc_csu_requirements_indicator", "");
        r.plant("student_met_all_uc_csu_requirements_indicator", "SENR-UC-CSU-REQUIRED", "", "graduate without the UC/CSU requirements indicator");
        let s = self.take("SENR-COMPLETION-GRADE", diploma)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_school_completion_status", "480").set("graduation_exemption_indicator", "");
        r.plant(
            "student_school_completion_status",
            "SENR-COMPLETION-GRADE",
            "",
            "senior given completion 480 (promoted), which ends grades up to 11",
        );
        let s = self.take("SENR-SEAL-WITHOUT-DIPLOMA", plain_in(HIGH, &["11"]))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("seal_of_biliteracy_indicator", "Y");
        r.plant(
            "seal_of_biliteracy_indicator",
            "SENR-SEAL-WITHOUT-DIPLOMA",
            "",
            "junior marked with the Seal of Biliteracy, awarded only with a diploma",
        );
        let s = self.take("SENR-EXIT-GRADE", plain_in(HIGH, &["11"]))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_exit_reason_code", "E156");
        r.plant("student_exit_reason_code", "SENR-EXIT-GRADE", "", "junior exited E156 (grade 12 continuing) instead of E155");
        let s = self.take("SENR-T165-RECEIVER", |s| s.role == Role::Mover && s.first_spell().reason == "T165")?;
        let r = self.edit(Kind::Senr, s, 0)?.set("expected_receiver_school_of_attendance", "");
        r.plant(
            "expected_receiver_school_of_attendance",
            "SENR-T165-RECEIVER",
            "",
            "disciplinary transfer (T165) without the receiving school 9990045",
        );
        Ok(())
    }

    fn senr_schools_and_status(&mut self) -> io::Result<()> {
        let s = self.take("SENR-NPS-WITHOUT-SCHOOL", plain_in(MIDDLE, &["07", "08"]))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("school_of_attendance_nps", NPS_CODE);
        r.plant("school_of_attendance_nps", "SENR-NPS-WITHOUT-SCHOOL", "", "NPS code 9990901 left on an enrollment at the middle school");
        let s = self.take("SENR-NPS-MISSING", |s| s.role == Role::Nps && s.grade() == "10")?;
        let r = self.edit(Kind::Senr, s, 0)?.set("school_of_attendance_nps", "");
        r.plant("school_of_attendance_nps", "SENR-NPS-MISSING", "", "non-public school placement (0000001) without the NPS code");
        let s = self.take("SENR-STATUS50-EXIT", |s| s.role == Role::NonAda)?;
        let r = self.edit(Kind::Senr, s, 0)?.set("student_exit_reason_code", "E155");
        r.plant("student_exit_reason_code", "SENR-STATUS50-EXIT", "", "exchange student (non-ADA, status 50) exited E155 instead of E170");
        let s = self.take("SENR-STATUS50-TK", plain_in(ELEMENTARY, &["TK"]))?;
        let r = self.edit(Kind::Senr, s, 0)?.set("enrollment_status_code", "50").set("student_exit_reason_code", "E170");
        r.plant("enrollment_status_code", "SENR-STATUS50-TK", "", "TK student reported as non-ADA (status 50, closed with E170)");
        let s = self.take("SENR-AGE-GRADE", plain_in(ELEMENTARY, &["03"]))?;
        let birth = ymd(s.birth.with_year(s.birth.year() - 20).unwrap_or(s.birth));
        self.files.each(&s.ssid(), |r| {
            r.set("student_birth_date", &birth);
        });
        let r = self.edit(Kind::Senr, s, 0)?;
        r.plant("student_birth_date", "SENR-AGE-GRADE", "", format!("third grader's birth year keyed 20 years early ({birth}) in every file"));
        let s = self.take("SENR-SHORT-TERM-LENGTH", |s| s.role == Role::ShortTerm && s.spells[1].start.year() == 2026)?;
        let r = self.edit(Kind::Senr, s, 1)?.set("enrollment_exit_date", "20260410");
        r.plant("enrollment_exit_date", "SENR-SHORT-TERM-LENGTH", "", "short-term stay extended to 20260410: 47 days");
        r.plant(
            "enrollment_start_date",
            "SENR-OVERLAP-PRIMARY",
            "",
            "lasting over 30 days the short-term stay counts as primary and overlaps the primary enrollment",
        );
        Ok(())
    }

    fn sinf_rules(&mut self) -> io::Result<()> {
        let s = self.take("SINF-ETHNICITY-MISSING", |s| plain(s) && !s.hispanic)?;
        let r = self.edit(Kind::Sinf, s, 0)?.set("student_ethnicity_missing_indicator", "Y");
        r.plant("student_hispanic_ethnicity_indicator", "SINF-ETHNICITY-MISSING", "", "ethnicity marked missing while the Hispanic indicator says N");
        let s = self.take("SINF-RACE-MISSING", |s| plain(s) && s.hispanic && s.races.len() == 1)?;
        let r = self.edit(Kind::Sinf, s, 0)?.set("student_race_1_code", "");
        r.plant("student_race_1_code", "SINF-RACE-MISSING", "", "race 1 blank but race not marked missing");
        let s = self.take("SINF-RACE-REPEATED", |s| plain(s) && s.races.len() == 1)?;
        let race = s.races[0];
        let r = self.edit(Kind::Sinf, s, 0)?.set("student_race_2_code", race);
        r.plant("student_race_2_code", "SINF-RACE-REPEATED", "", format!("race {race} given twice"));
        let s = self.take("SINF-EFFECTIVE-DATES", |s| s.role == Role::Plain && s.update.is_some())?;
        let end = s.update.as_ref().map(|(d, _)| ymd(*d - Days::new(3))).unwrap_or_default();
        let r = self.edit(Kind::Sinf, s, 1)?.set("effective_end_date", &end);
        r.plant("effective_end_date", "SINF-EFFECTIVE-DATES", "", "address-change record closed three days before it starts");
        Ok(())
    }

    fn stas_rules(&mut self) -> io::Result<()> {
        let s = self.take("STAS-SUM", plain)?;
        let r = self.edit(Kind::Stas, s, 0)?;
        let fewer = (r.number("days_attended_in_person") - 2).to_string();
        r.set("days_attended_in_person", &fewer).plant(
            "expected_attendance_days",
            "STAS-SUM",
            "",
            "two in-person days lost: the counts add up to 2 less than expected",
        );
        let s = self.take("STAS-NON-ADA-IS", plain)?;
        let r = self.edit(Kind::Stas, s, 0)?;
        let limit = r.number("expected_attendance_days") - r.number("days_attended_in_person") - r.number("days_in_attendance_in_school_suspension");
        r.set("non_ada_generating_independent_study_days", &(limit + 2).to_string());
        r.plant("non_ada_generating_independent_study_days", "STAS-NON-ADA-IS", "", "non-ADA independent study days counted on top of the absences");
        r.plant("expected_attendance_days", "STAS-SUM", "", "the same extra independent study days break the sum");
        let s = self.take("STAS-FRACTION-NOT-HOURLY", plain)?;
        let r = self.edit(Kind::Stas, s, 0)?;
        let (present, excused) = (r.number("days_attended_in_person") - 1, r.number("days_absent_in_person_excused_non_suspension"));
        r.set("days_attended_in_person", &format!("{present}.5")).set("days_absent_in_person_excused_non_suspension", &format!("{excused}.5"));
        r.plant("days_attended_in_person", "STAS-FRACTION-NOT-HOURLY", "", "half day reported at a daily-attendance school");
        r.plant("days_absent_in_person_excused_non_suspension", "STAS-FRACTION-NOT-HOURLY", "", "the other half of the same day");
        let s = self.take("STAS-RECOVERY-RANGE", plain)?;
        let r = self.edit(Kind::Stas, s, 0)?.set("attendance_recovery_days", "12");
        r.plant("attendance_recovery_days", "STAS-RECOVERY-RANGE", "", "12 attendance recovery days (at most 10)");
        let s = self.take("STAS-RECOVERY-TOTAL", |s| s.role == Role::Mover && s.first_spell().reason == "T160")?;
        self.edit(Kind::Stas, s, 0)?.set("attendance_recovery_days", "6");
        let r = self.edit(Kind::Stas, s, 1)?.set("attendance_recovery_days", "6");
        r.plant("attendance_recovery_days", "STAS-RECOVERY-TOTAL", "", "6 recovery days at each of two schools: 12 in the LEA");
        let s = self.take("STAS-PSEUDO-SCHOOL", |s| s.role == Role::Nps && s.grade() == "07")?;
        let counts = Counts { expected: 180, in_person: 171, excused: 7, unexcused: 2, ..Counts::default() };
        let seq = self.seq(Kind::Stas);
        self.append(stas_record(s, NPS_SCHOOL, seq, &counts)).plant(
            "school_of_attendance",
            "STAS-PSEUDO-SCHOOL",
            "",
            "absence summary sent for a non-public school placement (0000001)",
        );
        Ok(())
    }

    fn within_files(&mut self) -> io::Result<()> {
        let s = self.take("SENR-DUPLICATE-KEY", plain)?;
        let mut dup = self.edit(Kind::Senr, s, 0)?.clone();
        dup.set("local_record_id", &format!("LR-{:04}", self.seq(Kind::Senr)));
        self.append(dup).plant("enrollment_start_date", "SENR-DUPLICATE-KEY", "", "the enrollment exported a second time under another record ID");
        let s = self.take("SENR-OVERLAP-SCHOOL", |s| s.role == Role::MidYear && s.school() == ELEMENTARY)?;
        self.edit(Kind::Senr, s, 0)?.set("enrollment_exit_date", "20260130");
        let r = self.edit(Kind::Senr, s, 1)?;
        r.plant(
            "enrollment_start_date",
            "SENR-OVERLAP-SCHOOL",
            "",
            "E150 exit keyed 20260130, after the next enrollment at the same school starts (20260116)",
        );
        let s = self.take("SENR-OVERLAP-PRIMARY", |s| s.role == Role::Mover && s.first_spell().reason == "T160")?;
        let later = self.cal.school[self.cal.school.partition_point(|d| *d <= s.first_spell().exit) + 9];
        self.edit(Kind::Senr, s, 0)?.set("enrollment_exit_date", &ymd(later));
        let r = self.edit(Kind::Senr, s, 1)?;
        r.plant(
            "enrollment_start_date",
            "SENR-OVERLAP-PRIMARY",
            "",
            format!("high school exit keyed {} although the student started at 9990045 earlier", ymd(later)),
        );
        let s = self.take("SENR-SHORT-TERM-NO-PRIMARY", |s| s.role == Role::ShortTerm)?;
        self.edit(Kind::Senr, s, 0)?.set("enrollment_status_code", "20");
        let r = self.edit(Kind::Senr, s, 1)?;
        r.plant("enrollment_status_code", "SENR-SHORT-TERM-NO-PRIMARY", "", "the student's only primary enrollment was reported as secondary (20)");
        self.edit(Kind::Senr, s, 0)?.plant(
            "student_exit_reason_code",
            "SENR-SECONDARY-EXIT",
            "",
            "the enrollment reported as secondary (20) keeps its E155 year-end exit",
        );
        let s = self.take("SINF-DUPLICATE-KEY", plain)?;
        let mut dup = self.edit(Kind::Sinf, s, 0)?.clone();
        dup.set("local_record_id", &format!("LI-{:04}", self.seq(Kind::Sinf)));
        self.append(dup).plant("effective_start_date", "SINF-DUPLICATE-KEY", "", "student information exported twice with the same effective date");
        let recovering: HashSet<String> =
            self.files.stas.iter().filter(|r| !r.get("attendance_recovery_days").is_empty()).map(|r| r.ssid.clone()).collect();
        let s = self.take("STAS-DUPLICATE", |s| plain(s) && !recovering.contains(&s.ssid()))?;
        let mut dup = self.edit(Kind::Stas, s, 0)?.clone();
        dup.set("local_record_id", &format!("LS-{:04}", self.seq(Kind::Stas)));
        self.append(dup).plant("school_of_attendance", "STAS-DUPLICATE", "", "absence summary exported twice");
        Ok(())
    }

    fn cross_files(&mut self) -> io::Result<()> {
        let s = self.take("XF-STAS-MISSING", |s| s.role == Role::Late)?;
        let ssid = s.ssid();
        self.files.stas.retain(|r| r.ssid != ssid);
        let r = self.edit(Kind::Senr, s, 0)?;
        r.plant("school_of_attendance", "XF-STAS-MISSING", "", "mid-year arrival whose absence summary was left out of the export");
        let s = self.take("XF-STAS-WITHOUT-ENROLLMENT", plain_in(HIGH, &["10", "11"]))?;
        let counts = Counts { expected: 12, in_person: 11, excused: 1, ..Counts::default() };
        let seq = self.seq(Kind::Stas);
        let r = self.append(stas_record(s, ALTERNATIVE, seq, &counts));
        r.plant(
            "school_of_attendance",
            "XF-STAS-WITHOUT-ENROLLMENT",
            "",
            "summary for a credit-recovery class at 9990045 whose enrollment was never reported",
        );
        let s = self.take("XF-SINF-CENSUS", |s| plain(s) && s.initial_us.is_none())?;
        self.edit(Kind::Sinf, s, 0)?.set("effective_start_date", "20251103");
        let r = self.edit(Kind::Senr, s, 0)?;
        r.plant("ssid", "XF-SINF-CENSUS", "census", "student information effective only from 20251103, after Census Day");
        let s = self.take("XF-US-DATE-AFTER-START", |s| plain(s) && s.initial_us.is_none())?;
        let r = self.edit(Kind::Sinf, s, 0)?.set("student_initial_us_school_enrollment_date_k12", "20251006");
        r.plant(
            "student_initial_us_school_enrollment_date_k12",
            "XF-US-DATE-AFTER-START",
            "",
            "initial US school enrollment 20251006, after the student started here on 20250813",
        );
        let after_census = date(2025, 10, 8);
        let s = self.take("XF-NO-ETHNICITY", |s| s.role == Role::Late && s.first_spell().start > after_census)?;
        let ssid = s.ssid();
        self.files.sinf.retain(|r| r.ssid != ssid);
        let r = self.edit(Kind::Senr, s, 0)?;
        r.plant("ssid", "XF-NO-ETHNICITY", "", "arrival after Census Day whose SINF record was left out of the export: no ethnicity or race data");
        self.prior_year()
    }

    /// A student who left during the summer of 2025 whose 2024-2025 enrollment was never exited.
    fn prior_year(&mut self) -> io::Result<()> {
        let n = u32::try_from(self.students.len() + 1).unwrap_or(u32::MAX);
        let start = date(2024, 8, 14);
        let who = ("DELPHINE", "OPENSHAW-LATCH".to_owned(), date(2009, 5, 17), "F");
        let s = person(n, who, &mut self.rng, Role::Plain, vec![Spell::new(HIGH, "10", "10", start, start)]);
        let seq = self.seq(Kind::Senr);
        let r = self.append(senr_record(&s, &s.spells[0], seq));
        r.set("academic_year_id", PRIOR_YEAR).set("enrollment_exit_date", "").set("student_exit_reason_code", "");
        r.plant("academic_year_id", "STRUCT-ACADEMIC-YEAR-MIX", "", "a 2024-2025 enrollment in the 2025-2026 file");
        r.plant(
            "enrollment_exit_date",
            "XF-PRIOR-YEAR-OPEN",
            "",
            "2024-2025 enrollment never exited (should have been E155 on the last day of 2024-2025)",
        );
        let seq = self.seq(Kind::Sinf);
        self.append(sinf_record(&s, seq, start, &s.street));
        Ok(())
    }

    fn identities(&mut self) -> io::Result<()> {
        let s = self.take("XF-SSID-DIFFERS", plain)?;
        let keyed = ymd(next_day(s.birth));
        let r = self.edit(Kind::Stas, s, 0)?.set("student_birth_date", &keyed);
        r.plant("student_birth_date", "XF-SSID-DIFFERS", "", format!("birth date {keyed} in the absence summary, {} elsewhere", ymd(s.birth)));
        let one = self.take("XF-MULTIPLE-IDENTIFIERS", plain_in(ELEMENTARY, &["02"]))?;
        let other = self.take("XF-MULTIPLE-IDENTIFIERS", plain_in(ELEMENTARY, &["02"]))?;
        // The finding points at the later record, so the copy goes to the later student.
        let (a, b) = if one.n < other.n { (one, other) } else { (other, one) };
        let birth = ymd(a.birth);
        self.files.each(&b.ssid(), |r| {
            r.set("student_legal_first_name", a.first)
                .set("student_legal_last_name", &a.last)
                .set("student_birth_date", &birth)
                .set("student_gender_code", a.gender);
        });
        let r = self.edit(Kind::Senr, b, 0)?;
        r.plant(
            "ssid",
            "XF-MULTIPLE-IDENTIFIERS",
            "",
            format!("same name, birth date and gender as SSID {} in the same class: one child with two SSIDs", a.ssid()),
        );
        Ok(())
    }

    fn calendar(&mut self) -> io::Result<()> {
        let after_census = date(2025, 10, 8);
        let s = self.take("XF-NON-SCHOOL-DAY", |s| s.role == Role::Late && s.initial_us.is_none() && s.first_spell().start > after_census)?;
        let day_off = prev_day(s.first_spell().start);
        let r = self.edit(Kind::Senr, s, 0)?.set("enrollment_start_date", &ymd(day_off));
        r.plant(
            "enrollment_start_date",
            "XF-NON-SCHOOL-DAY",
            "calendar",
            format!("start date {} is a day off; the student started the next school day", ymd(day_off)),
        );
        let s = self.take("XF-EXPECTED-DAYS", |s| s.role == Role::Late)?;
        let r = self.edit(Kind::Stas, s, 0)?;
        let (expected, present) = (r.number("expected_attendance_days") + 20, r.number("days_attended_in_person") + 20);
        r.set("expected_attendance_days", &expected.to_string()).set("days_attended_in_person", &present.to_string());
        r.plant(
            "expected_attendance_days",
            "XF-EXPECTED-DAYS",
            "calendar",
            format!("{expected} expected days counted from the first day of school, not from the late start"),
        );
        Ok(())
    }

    /// A record-count trailer some exports add at the end.
    fn trailer(&mut self) {
        let count = self.files.stas.len().to_string();
        let mut r = Rec::blank(Kind::Trailer, "");
        r.set("record_type_code", "TRL").set("file_name", "STAS").set("record_count", &count);
        self.append(r).plant("", "STRUCT-UNKNOWN-TYPE", "", "record-count trailer line added by the export");
    }

    /// Mistakes in the daily attendance. They came after the others and draw their students
    /// from a generator of their own, so the plants above keep theirs.
    fn attendance(&mut self) -> io::Result<()> {
        self.rng = Rng(ATTENDANCE_SEED ^ 0x00E7_7075);
        self.attendance_rows()?;
        self.attendance_dates()?;
        self.missing_days()?;
        self.stas_mismatch()
    }

    /// Indices of the attendance rows of `s` coded `code`.
    fn rows_coded(&self, s: &Student, code: &str) -> Vec<usize> {
        let (ssid, rows) = (s.ssid(), &self.files.attendance);
        (0..rows.len()).filter(|&i| rows[i].ssid == ssid && rows[i].code == code).collect()
    }

    /// One of the days `s` was present (P).
    fn present_day(&mut self, s: &Student) -> io::Result<usize> {
        let present = self.rows_coded(s, "P");
        if present.is_empty() {
            return Err(io::Error::other(format!("{} was never present", s.ssid())));
        }
        Ok(self.rng.pick(&present))
    }

    /// Adds a row where the export puts it: in school, date and student order, after a row for
    /// the same student, school and day.
    fn insert_day(&mut self, day: Day) -> &mut Day {
        let rows = &mut self.files.attendance;
        let i = rows.partition_point(|d| d.key() <= day.key());
        rows.insert(i, day);
        &mut rows[i]
    }

    fn attendance_rows(&mut self) -> io::Result<()> {
        let s = self.take("ATT-UNKNOWN-CODE", plain)?;
        let i = self.present_day(s)?;
        let row = &mut self.files.attendance[i];
        row.code = "X9";
        row.plant("attendance_code", "ATT-UNKNOWN-CODE", "local code X9 exported as is: no mapping gives it a category");
        let s = self.take("ATT-DUPLICATE-DAY", plain)?;
        let i = self.present_day(s)?;
        let mut again = self.files.attendance[i].clone();
        again.code = "A";
        let day = again.date;
        self.insert_day(again).plant("date", "ATT-DUPLICATE-DAY", format!("{day} exported twice: present, then an excused absence"));
        Ok(())
    }

    fn attendance_dates(&mut self) -> io::Result<()> {
        let s = self.take("ATT-NON-SCHOOL-DAY", plain)?;
        let holiday = date(2025, 11, 11);
        self.insert_day(Day::new(&s.ssid(), s.school(), holiday, "P", &s.local_id())).plant(
            "date",
            "ATT-NON-SCHOOL-DAY",
            format!("marked present on Veterans Day ({holiday}), a holiday"),
        );
        let s = self.take("ATT-OUTSIDE-ENROLLMENT", |s| s.role == Role::Late)?;
        let start = s.first_spell().start;
        let cal = self.cal;
        let before = cal.school.partition_point(|d| *d < start).checked_sub(1).map(|i| cal.school[i]);
        let before = before.ok_or_else(|| io::Error::other(format!("{} starts on the first day", s.ssid())))?;
        self.insert_day(Day::new(&s.ssid(), s.school(), before, "P", &s.local_id())).plant(
            "date",
            "ATT-OUTSIDE-ENROLLMENT",
            format!("marked present on {before}, the school day before the enrollment starts ({start})"),
        );
        Ok(())
    }

    /// Five school days of one student never exported, well inside one school month.
    fn missing_days(&mut self) -> io::Result<()> {
        let s = self.take("ATT-MISSING-DAYS", plain)?;
        let cal = self.cal;
        // Months with room for the five days and four school days on either side.
        let mut months = Vec::new();
        for (k, (first, last)) in cal.months().into_iter().enumerate() {
            let days: Vec<NaiveDate> = cal.school.iter().copied().filter(|d| first <= *d && *d <= last).collect();
            if days.len() >= 13 {
                months.push((k + 1, (first, last), days));
            }
        }
        if months.is_empty() {
            return Err(io::Error::other("no school month has thirteen school days"));
        }
        let (month, (first, last), days) = &months[self.rng.below(months.len())];
        let from = 4 + self.rng.below(days.len() - 12);
        let gap = &days[from..from + 5];
        let ssid = s.ssid();
        let before = self.files.attendance.len();
        self.files.attendance.retain(|d| !(d.ssid == ssid && gap.contains(&d.date)));
        if before - self.files.attendance.len() != gap.len() {
            return Err(io::Error::other(format!("{ssid} is not expected on every day from {} to {}", gap[0], gap[4])));
        }
        let plant = Plant {
            field: "",
            rule: "ATT-MISSING-DAYS",
            needs: "attendance",
            description: format!(
                "no records for {ssid} at {} from {} to {}: five school days of school month {month} ({first} to {last}) never exported",
                s.school(),
                gap[0],
                gap[4]
            ),
        };
        self.files.attendance_plants.push((ssid, plant));
        Ok(())
    }

    /// Two days turned into excused absences in the attendance system after the STAS was made.
    fn stas_mismatch(&mut self) -> io::Result<()> {
        let s = self.take("ATT-STAS-MISMATCH", plain)?;
        let present = self.rows_coded(s, "P");
        if present.len() < 2 {
            return Err(io::Error::other(format!("{} was present less than two days", s.ssid())));
        }
        let one = self.rng.below(present.len());
        let other = (one + 1 + self.rng.below(present.len() - 1)) % present.len();
        for i in [present[one], present[other]] {
            self.files.attendance[i].code = "A";
        }
        let r = self.edit(Kind::Stas, s, 0)?;
        let (in_person, excused) = (r.number("days_attended_in_person"), r.number("days_absent_in_person_excused_non_suspension"));
        r.plant(
            "days_attended_in_person",
            "ATT-STAS-MISMATCH",
            "attendance",
            format!("{in_person} days in person in the STAS, {} in the daily records: two days were later changed to excused (A)", in_person - 2),
        );
        r.plant(
            "days_absent_in_person_excused_non_suspension",
            "ATT-STAS-MISMATCH",
            "attendance",
            format!("the same two days: excused absences {excused} in the STAS, {} in the daily records", excused + 2),
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// What the daily attendance finds in the error set

/// The seven day counts of an absence summary in file order: field, what it counts, and the
/// attendance codes counted in it.
const STAS_COUNTS: [(&str, &str, &[&str]); 7] = [
    ("days_attended_in_person", "days attended in person", &["P", "T"]),
    ("days_absent_out_of_school_suspension", "days of out-of-school suspension", &["S"]),
    ("days_in_attendance_in_school_suspension", "days of in-school suspension", &["I"]),
    ("days_absent_in_person_excused_non_suspension", "excused absences", &["A"]),
    ("days_absent_in_person_unexcused_non_suspension", "unexcused absences", &["U"]),
    ("non_ada_generating_independent_study_days", "days of non-ADA independent study", &["N"]),
    ("ada_generating_independent_study_days", "days of ADA independent study", &["IS"]),
];

const K12: [&str; 14] = ["TK", "KN", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"];

/// The absence summary count an attendance code goes to; none for a code of no category.
fn stas_count(code: &str) -> Option<usize> {
    STAS_COUNTS.iter().position(|(_, _, codes)| codes.contains(&code))
}

fn ccyymmdd(value: &str) -> Option<NaiveDate> {
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y%m%d").ok()
}

fn is_code(value: &str, digits: usize) -> bool {
    value.len() == digits && value.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a finding refuses its record as it is read (a fatal field or record rule): the
/// state would reject the record, so its figures are not compared with the daily records.
fn refuses(rule: &str) -> bool {
    rule.starts_with("FIELD-")
        || matches!(
            rule,
            "STRUCT-FIELD-COUNT"
                | "STRUCT-ENCODING"
                | "STRUCT-ACADEMIC-YEAR-MIX"
                | "STAS-SUM"
                | "STAS-NON-ADA-IS"
                | "STAS-FRACTION-NOT-HOURLY"
                | "STAS-PSEUDO-SCHOOL"
                | "STAS-RECOVERY-RANGE"
        )
}

/// A SENR record as attendance accounting reads it: attendance is taken in a primary or
/// short-term enrollment of a TK-12 grade at a real school (not a pseudo-school), on the school
/// days from its start to its exit, both included; a no-show (N420, N470) or an enrollment
/// exited before it started covers no day.
struct Enrolled {
    ssid: String,
    school: String,
    start: NaiveDate,
    /// None: open.
    exit: Option<NaiveDate>,
    status: String,
    grade: String,
    no_show: bool,
    /// The record's academic year: only the year's own enrollments count for STAS and ADA.
    year: String,
}

impl Enrolled {
    /// The enrollment a SENR record reports; none when its student, school or dates cannot be
    /// read (whatever else is wrong with it: a refused enrollment still says who was enrolled).
    fn read(r: &Rec) -> Option<Enrolled> {
        let (ssid, school) = (r.get("ssid"), r.get("school_of_attendance"));
        if r.get("transaction_type_code") == "D" || !is_code(&ssid, 10) || !is_code(&school, 7) {
            return None;
        }
        let start = ccyymmdd(&r.get("enrollment_start_date"))?;
        let exit = match r.get("enrollment_exit_date").as_str() {
            "" => None,
            value => Some(ccyymmdd(value)?),
        };
        let no_show = matches!(r.get("student_exit_reason_code").as_str(), "N420" | "N470");
        let (status, grade, year) = (r.get("enrollment_status_code"), r.get("grade_level_code"), r.get("academic_year_id"));
        Some(Enrolled { ssid, school, start, exit, status, grade, no_show, year })
    }

    fn covers_no_day(&self) -> bool {
        self.no_show || self.exit.is_some_and(|e| e < self.start)
    }

    fn active_on(&self, d: NaiveDate) -> bool {
        !self.covers_no_day() && self.start <= d && self.exit.is_none_or(|e| d <= e)
    }

    fn takes_attendance(&self) -> bool {
        let real_school = self.school.parse::<u32>().is_ok_and(|n| n > 2);
        let this_year = self.year == "2025-2026";
        this_year && matches!(self.status.as_str(), "10" | "30") && K12.contains(&self.grade.as_str()) && real_school && !self.covers_no_day()
    }
}

/// A finding of the daily attendance rules at a record of the attendance or STAS file.
struct Found {
    at: usize,
    field: &'static str,
    rule: &'static str,
    ssid: String,
    detail: String,
}

/// The error set's daily records counted against its enrollments, the way attendance.md
/// defines it; written from the definitions, not from rollcall's code.
struct Tally<'a> {
    cal: &'a Calendar,
    enrollments: Vec<Enrolled>,
    /// Per student and school, the days counted and the absence summary count of each.
    counted: HashMap<(String, String), BTreeMap<NaiveDate, usize>>,
    /// Schools with at least one counted record: only their summaries and enrollments are
    /// held against the daily records.
    schools: HashSet<String>,
}

impl<'a> Tally<'a> {
    fn new(cal: &'a Calendar, senr: &[Rec]) -> Tally<'a> {
        Tally { cal, enrollments: senr.iter().filter_map(Enrolled::read).collect(), counted: HashMap::new(), schools: HashSet::new() }
    }

    fn enrollments_of<'s>(&'s self, ssid: &'s str, school: &'s str) -> impl Iterator<Item = &'s Enrolled> + 's {
        self.enrollments.iter().filter(move |e| e.ssid == ssid && e.school == school)
    }

    /// The school days a student is expected at a school: those inside an enrollment there that
    /// takes attendance, less the days of a short-term enrollment at another school (unless the
    /// student is there short-term too).
    fn expected(&self, ssid: &str, school: &str) -> Vec<NaiveDate> {
        let here: Vec<&Enrolled> = self.enrollments_of(ssid, school).filter(|e| e.takes_attendance()).collect();
        let away: Vec<&Enrolled> =
            self.enrollments.iter().filter(|e| e.ssid == ssid && e.school != school && e.status == "30" && e.takes_attendance()).collect();
        let expected = |d: NaiveDate| {
            let on: Vec<&&Enrolled> = here.iter().filter(|e| e.active_on(d)).collect();
            !on.is_empty() && (on.iter().all(|e| e.status == "30") || !away.iter().any(|e| e.active_on(d)))
        };
        self.cal.school.iter().copied().filter(|d| expected(*d)).collect()
    }

    /// Takes the daily records in file order: a record whose code has no category, on a day
    /// that is not a school day, outside every enrollment of the student at the school, or a
    /// second one for the day is not counted. Returns the findings about single records.
    fn take(&mut self, rows: &[Day]) -> Vec<Found> {
        let mut found = Vec::new();
        let mut outside = Vec::new();
        for (i, d) in rows.iter().enumerate() {
            let mut finding = |field, rule, detail| found.push(Found { at: i, field, rule, ssid: d.ssid.clone(), detail });
            let Some(count) = stas_count(d.code) else {
                finding("attendance_code", "ATT-UNKNOWN-CODE", format!("code {} of {} on {} has no attendance category", d.code, d.ssid, d.date));
                continue;
            };
            if !self.cal.is_school_day(d.date) {
                finding("date", "ATT-NON-SCHOOL-DAY", format!("{} is not a school day", d.date));
                continue;
            }
            if !self.enrollments_of(&d.ssid, &d.school).any(|e| e.active_on(d.date)) {
                outside.push(i);
                continue;
            }
            let days = self.counted.entry((d.ssid.clone(), d.school.clone())).or_default();
            if days.contains_key(&d.date) {
                finding("date", "ATT-DUPLICATE-DAY", format!("a second record for {} at {} on {}", d.ssid, d.school, d.date));
                continue;
            }
            days.insert(d.date, count);
            self.schools.insert(d.school.clone());
        }
        found.extend(self.outside_runs(rows, outside));
        found.sort_by_key(|f| f.at);
        found
    }

    /// Records outside every enrollment, one finding per run of them (a student and school, no
    /// counted day between), at the run's first record.
    fn outside_runs(&self, rows: &[Day], mut outside: Vec<usize>) -> Vec<Found> {
        outside.sort_by_key(|&i| (&rows[i].ssid, &rows[i].school, rows[i].date, i));
        let mut found = Vec::new();
        let mut k = 0;
        while k < outside.len() {
            let first = &rows[outside[k]];
            let counted = self.counted.get(&(first.ssid.clone(), first.school.clone()));
            let mut end = k + 1;
            while end < outside.len() {
                let (a, b) = (&rows[outside[end - 1]], &rows[outside[end]]);
                let same = (&b.ssid, &b.school) == (&first.ssid, &first.school);
                if !same || (a.date < b.date && counted.is_some_and(|c| c.range(next_day(a.date)..b.date).next().is_some())) {
                    break;
                }
                end += 1;
            }
            let last = &rows[outside[end - 1]];
            let what = if end - k == 1 { format!("{} is", first.date) } else { format!("{} records, {} to {}, are", end - k, first.date, last.date) };
            let detail = format!("{what} outside every enrollment of {} at {} as reported", first.ssid, first.school);
            found.push(Found { at: outside[k], field: "date", rule: "ATT-OUTSIDE-ENROLLMENT", ssid: first.ssid.clone(), detail });
            k = end;
        }
        found
    }

    /// Expected school days without a counted record, per school and school month, then student.
    fn missing(&self) -> BTreeMap<(String, usize), BTreeMap<String, u32>> {
        let months = self.cal.months();
        let pairs: BTreeSet<(&str, &str)> =
            self.enrollments.iter().filter(|e| self.schools.contains(&e.school)).map(|e| (e.ssid.as_str(), e.school.as_str())).collect();
        let mut gaps: BTreeMap<(String, usize), BTreeMap<String, u32>> = BTreeMap::new();
        for (ssid, school) in pairs {
            let counted = self.counted.get(&(ssid.to_owned(), school.to_owned()));
            for d in self.expected(ssid, school) {
                if counted.is_some_and(|c| c.contains_key(&d)) {
                    continue;
                }
                let month = months.iter().position(|(a, b)| *a <= d && d <= *b).map_or(0, |m| m + 1);
                *gaps.entry((school.to_owned(), month)).or_default().entry(ssid.to_owned()).or_default() += 1;
            }
        }
        gaps
    }

    /// Absence summary figures that differ from the daily records: the expected days and the
    /// seven counts over them. Summaries the state would refuse, of another year, exempt, of
    /// an hourly school or of a school without daily records are not compared.
    fn stas_mismatch(&self, stas: &[Rec]) -> Vec<Found> {
        let mut found = Vec::new();
        for (i, r) in stas.iter().enumerate().filter(|(_, r)| r.kind == Kind::Stas) {
            let (ssid, school) = (r.get("ssid"), r.get("school_of_attendance"));
            let exempt = r.get("student_absence_summary_data_collection_exemption_indicator") == "Y";
            if r.plants.iter().any(|p| refuses(p.rule)) || exempt {
                continue;
            }
            if r.get("hourly_attendance_school_type_indicator") == "Y" || r.get("academic_year_id") != YEAR || !self.schools.contains(&school) {
                continue;
            }
            let days = self.expected(&ssid, &school);
            let mut counts = [0u32; 7];
            if let Some(c) = self.counted.get(&(ssid.clone(), school.clone())) {
                for k in days.iter().filter_map(|d| c.get(d)) {
                    counts[*k] += 1;
                }
            }
            let days_of_enrollments = "expected attendance days (school days of the enrollments as reported)";
            let expected = ("expected_attendance_days", days_of_enrollments, u32::try_from(days.len()).unwrap_or(u32::MAX));
            let figures = std::iter::once(expected).chain(STAS_COUNTS.iter().zip(counts).map(|((field, what, _), n)| (*field, *what, n)));
            for (field, what, counted) in figures {
                let Ok(stated) = r.get(field).parse::<u32>() else { continue };
                if stated != counted {
                    let detail = format!("{what}: {stated} in the STAS, {counted} in the daily records");
                    found.push(Found { at: i, field, rule: "ATT-STAS-MISMATCH", ssid: ssid.clone(), detail });
                }
            }
        }
        found
    }
}

/// What was planted in each student's records, as a consequence names its cause: `senr.txt
/// line 39 (SENR-EXIT-BEFORE-START: transfer exit dated ...)`.
struct Causes(HashMap<String, Vec<String>>);

impl Causes {
    fn new(files: &Files) -> Causes {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        let mut add = |ssid: &str, place: String, plants: &[Plant]| {
            if !plants.is_empty() {
                let what: Vec<String> = plants.iter().map(|p| format!("{}: {}", p.rule, p.description)).collect();
                out.entry(ssid.to_owned()).or_default().push(format!("{place} ({})", what.join("; ")));
            }
        };
        for (name, records) in files.named() {
            for (i, r) in records.iter().enumerate() {
                add(&r.ssid, format!("{name} line {}", i + 1), &r.plants);
            }
        }
        for (i, d) in files.attendance.iter().enumerate() {
            add(&d.ssid, format!("attendance.csv line {}", i + 2), &d.plants);
        }
        for (ssid, p) in &files.attendance_plants {
            add(ssid, "attendance.csv".to_owned(), std::slice::from_ref(p));
        }
        Causes(out)
    }

    /// `consequence of the error planted on ...`; an error when nothing was planted in `ssid`.
    fn of(&self, ssid: &str) -> io::Result<String> {
        match self.0.get(ssid).map(Vec::as_slice) {
            Some([one]) => Ok(format!("consequence of the error planted on {one}")),
            Some(many) if !many.is_empty() => Ok(format!("consequence of the errors planted on {}", many.join(" and "))),
            _ => Err(io::Error::other(format!("the daily records disagree with the records of {ssid}, in whom no error was planted"))),
        }
    }
}

/// Checks the planted attendance findings of one record against what the accounting found
/// there, and adds the others as consequences.
fn settle(plants: &mut Vec<Plant>, found: Vec<Found>, place: &str, causes: &Causes) -> io::Result<()> {
    if let Some(p) = plants.iter().find(|p| p.rule.starts_with("ATT-") && !found.iter().any(|f| (f.field, f.rule) == (p.field, p.rule))) {
        return Err(io::Error::other(format!("{place}: {} planted at {}, which the daily records do not give", p.rule, p.field)));
    }
    for f in found {
        if !plants.iter().any(|p| (p.field, p.rule) == (f.field, f.rule)) {
            let description = format!("{}: {}", causes.of(&f.ssid)?, f.detail);
            plants.push(Plant { field: f.field, rule: f.rule, needs: "attendance", description });
        }
    }
    Ok(())
}

fn school_days(n: u32) -> String {
    if n == 1 {
        "1 school day".to_owned()
    } else {
        format!("{n} school days")
    }
}

/// Counts the error set's daily records against its enrollments and absence summaries (from
/// the generator's own records, not with rollcall) and accounts for every finding: each
/// planted attendance error must be among them, and every other is listed as a consequence of
/// what was planted in the student's records. (The daily attendance was made from the clean
/// district, so an enrollment or summary changed by a plant disagrees with it.)
fn account_for_attendance(files: &mut Files, cal: &Calendar) -> io::Result<()> {
    let causes = Causes::new(files);
    let mut tally = Tally::new(cal, &files.senr);
    let mut by_row: BTreeMap<usize, Vec<Found>> = BTreeMap::new();
    for f in tally.take(&files.attendance) {
        by_row.entry(f.at).or_default().push(f);
    }
    for (i, d) in files.attendance.iter_mut().enumerate() {
        settle(&mut d.plants, by_row.remove(&i).unwrap_or_default(), &format!("attendance.csv line {}", i + 2), &causes)?;
    }
    let mut by_record: BTreeMap<usize, Vec<Found>> = BTreeMap::new();
    for f in tally.stas_mismatch(&files.stas) {
        by_record.entry(f.at).or_default().push(f);
    }
    for (i, r) in files.stas.iter_mut().enumerate() {
        settle(&mut r.plants, by_record.remove(&i).unwrap_or_default(), &format!("stas.txt line {}", i + 1), &causes)?;
    }
    let months = cal.months();
    let mut planted = std::mem::take(&mut files.attendance_plants);
    for ((school, month), students) in tally.missing() {
        let (first, last) =
            months.get(month.wrapping_sub(1)).copied().ok_or_else(|| io::Error::other(format!("{school}: a day in no school month")))?;
        let intended = planted.iter().position(|(ssid, p)| p.rule == "ATT-MISSING-DAYS" && students.contains_key(ssid));
        let intended = intended.map(|k| planted.remove(k));
        let mut parts = Vec::new();
        for (ssid, days) in students.iter().filter(|(ssid, _)| intended.as_ref().is_none_or(|(planted, _)| planted != *ssid)) {
            parts.push((ssid, days, causes.of(ssid)?));
        }
        let plant = match (intended, parts.as_slice()) {
            (Some((ssid, mut p)), _) => {
                for (other, days, cause) in &parts {
                    let _ = write!(p.description, "; also {} of {other} at {school} in this month, {cause}", school_days(**days));
                }
                (ssid, p)
            }
            (None, [(ssid, days, cause)]) => {
                let description =
                    format!("{cause}: {school}, school month {month} ({first} to {last}): {} of {ssid} without a record", school_days(**days));
                ((*ssid).clone(), Plant { field: "", rule: "ATT-MISSING-DAYS", needs: "attendance", description })
            }
            (None, _) => {
                let total: u32 = parts.iter().map(|(_, days, _)| **days).sum();
                let each: Vec<String> = parts.iter().map(|(ssid, days, cause)| format!("{days} of {ssid}, {cause}")).collect();
                let description = format!(
                    "consequence of the errors planted in {} students: {school}, school month {month} ({first} to {last}): {} without a record: {}",
                    parts.len(),
                    school_days(total),
                    each.join("; ")
                );
                (parts[0].0.clone(), Plant { field: "", rule: "ATT-MISSING-DAYS", needs: "attendance", description })
            }
        };
        files.attendance_plants.push(plant);
    }
    if let Some((ssid, p)) = planted.first() {
        return Err(io::Error::other(format!("{} planted in {ssid}, which the daily records do not give", p.rule)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The planted list and the README

fn csv_cell(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// One row per finding the error set produces, in file and line order: the CALPADS files, then
/// the attendance (its header is line 1), then findings about the attendance file as a whole.
fn planted_csv(errors: &Files) -> String {
    let mut out = String::from("file,line,field,rule,category,description,needs\n");
    let mut row = |file: &str, line: String, p: &Plant| {
        let cells = [file, &line, p.field, p.rule, category(p.rule), &csv_cell(&p.description), p.needs];
        let _ = writeln!(out, "{}", cells.join(","));
    };
    for (name, records) in errors.named() {
        for (i, r) in records.iter().enumerate() {
            for p in &r.plants {
                row(name, (i + 1).to_string(), p);
            }
        }
    }
    for (i, d) in errors.attendance.iter().enumerate() {
        for p in &d.plants {
            row("attendance.csv", (i + 2).to_string(), p);
        }
    }
    for (_, p) in &errors.attendance_plants {
        row("attendance.csv", String::new(), p);
    }
    out
}

fn count_roles(students: &[Student], role: Role) -> usize {
    students.iter().filter(|s| s.role == role).count()
}

fn readme(students: &[Student], clean: &Files, errors: &Files, cal: &Calendar, extract_days: usize) -> String {
    let plants: Vec<&Plant> = errors.plants().collect();
    let mut rules: Vec<&str> = plants.iter().map(|p| p.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let needing = |needs: &str| plants.iter().filter(|p| p.needs == needs).count();
    let consequences = plants.iter().filter(|p| p.description.starts_with("consequence")).count();
    let graduates = clean.senr.iter().filter(|r| r.get("student_school_completion_status") == "100").count();
    let mut out = String::new();
    let _ = write!(
        out,
        "# Sample district (synthetic)

Generated by `examples/synth.rs` (seeded, byte-identical on every run). Regenerate with

```sh
cargo run --example synth -- samples
```

and never edit these files by hand: `cargo test` checks that the generator reproduces them.
Every name, SSID and address is invented (SSIDs start with 99, surnames are made-up words).

## The district

LEA 9912345, academic year 2025-2026, {students} students, a {days}-day calendar from {first} to {last}
(`calendar.csv`; Census Day is 2025-10-01).

| school | what | grades |
|---|---|---|
| 9990011 | elementary | TK, KN, 01-05 |
| 9990029 | middle | 06-08 |
| 9990037 | high | 09-12 |
| 9990045 | alternative / educational options | 10-12 primary; short-term (30) and secondary (20) stays |
| 0000001 | non-public school placements (NPS 9990901) | 07, 10 |

Besides students enrolled all year it has {late} mid-year arrivals (some from abroad, with their initial
US enrollment date), {leavers} students who left (T160, T180, T200, T240), {movers} transfers from 9990037 to
9990045 (one T165 with its receiving school), two E150 mid-year updates, two short-term and two secondary
enrollments at 9990045, a non-ADA exchange student (status 50), an N470 no-show, {graduates} graduates
(E230, completion 100, UC/CSU indicator, some seals), completers 360/120, a fifth-year senior (E156),
year-end exits E155 and E230/480 at the top grade of the elementary and middle schools, and a second SINF
record (address change) for some students.

## Files

- `clean/`: senr.txt ({senr} records), sinf.txt ({sinf}), stas.txt ({stas}); caret-delimited, CR LF, no header.
  Beside them `calendar.csv` and `attendance.csv` ({days_clean} rows). `rollcall check samples/clean --census`
  finds the calendar and the attendance in the folder by their headers, and nothing wrong.
  `rollcall generate samples/clean/senr.txt samples/clean/calendar.csv samples/clean/attendance.csv --out DIR`
  writes a stas.txt from the daily records with the same figures as `clean/stas.txt`.
- `errors/`: the same district with realistic mistakes, in the daily attendance too. `rollcall check
  samples/errors --census --as-of 2026-07-15` reports exactly the {rows} findings of {nrules} rules listed in
  `errors.planted.csv`. The daily attendance was taken from the clean district, so a planted mistake that
  changes an enrollment's days or a summary's figures also disagrees with it: {consequences} of the rows (of
  ATT-STAS-MISMATCH, ATT-OUTSIDE-ENROLLMENT and ATT-MISSING-DAYS) are such consequences, each description
  starting with `consequence of` and naming the planted mistake it follows from. The generator finds them by
  counting the daily records against its own enrollments and summaries, not by running rollcall.
- `errors.planted.csv`: `file,line,field,rule,category,description,needs`, one row per finding (field empty
  for a record-level finding, line empty for one about the whole file; attendance lines count the header as
  line 1). `needs` says what a run must have for the finding to appear: `census` the `--census` option,
  `calendar` the calendar, `attendance` (every ATT rule) the daily attendance and the calendar, empty nothing
  ({census}, {calendar}, {attendance} and {plain} rows). The CALPADS files alone, `rollcall check
  samples/errors/senr.txt samples/errors/sinf.txt samples/errors/stas.txt --as-of 2026-07-15`, report just
  the rows with an empty `needs`.
- `extracts/`: another district's SIS exports, written by hand (enrollment.csv, demographics.csv,
  mapping.toml), with `calendar.csv` and its students' `attendance.csv` ({extract_days} rows) written by the
  generator. `rollcall generate samples/extracts --out DIR` turns them into SENR, SINF and STAS files.

`calendar.csv`, the same in every folder, has `school_of_attendance,date,day_type` for every day of the
school year (an empty school applies to every school). `attendance.csv` has
`ssid,school_of_attendance,date,attendance_code,minutes_absent,local_student_id`: one row per student,
school and school day of the enrollments, sorted by school, date and student, LF line ends. In `clean/` its
codes add up to stas.txt: P present, T tardy (with the minutes late), A excused, U unexcused, S suspended,
I in-school suspension, N non-ADA and IS ADA-generating independent study.

The planted list sits outside `errors/` because `rollcall check` reads every `.txt` and `.csv` file of a
folder: a calendar or daily attendance told by its header, anything else as a CALPADS file.
",
        students = students.len(),
        days = cal.school.len(),
        first = cal.first,
        last = cal.last,
        late = count_roles(students, Role::Late),
        leavers = count_roles(students, Role::Leaver),
        movers = count_roles(students, Role::Mover),
        senr = clean.senr.len(),
        sinf = clean.sinf.len(),
        stas = clean.stas.len(),
        days_clean = clean.attendance.len(),
        rows = plants.len(),
        nrules = rules.len(),
        census = needing("census"),
        calendar = needing("calendar"),
        attendance = needing("attendance"),
        plain = needing(""),
    );
    out
}
