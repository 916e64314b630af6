//! Scale: a generated submission of 50,000 students (SENR + SINF + STAS) is checked as one
//! run in CI-friendly time with no finding. The same generator writes the state-sized set
//! for bench/run.sh (`SCALE_STUDENTS=600000`), see BENCHMARKS.md.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use crate::util::{json_lines, rollcall, AS_OF};

/// A name of letters only, unique per number.
fn letters(mut n: u64) -> String {
    let mut s = String::new();
    loop {
        s.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

const SCHOOLS: [(&str, &[&str]); 3] =
    [("9990011", &["TK", "KN", "01", "02", "03", "04", "05"]), ("9990029", &["06", "07", "08"]), ("9990037", &["09", "10", "11", "12"])];

/// Writes senr.txt, sinf.txt and stas.txt for `students` students into `dir`: every student
/// has a year-long enrollment; with `transfers`, two of three transfer to 9990045 on
/// 2025-11-03 (two enrollments and two summaries each).
pub(crate) fn write_submission(dir: &Path, students: u64, transfers: bool) -> u64 {
    let open = |name: &str| BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    let (mut senr, mut sinf, mut stas) = (open("senr.txt"), open("sinf.txt"), open("stas.txt"));
    let mut records = 0;
    for i in 0..students {
        let (school, grades) = SCHOOLS[(i % 3) as usize];
        let grade = grades[(i / 3 % grades.len() as u64) as usize];
        let age = match grade {
            "TK" => 4,
            "KN" => 5,
            g => 5 + g.parse::<u64>().unwrap(),
        };
        let birth = format!("{}{:02}{:02}", 2025 - age - 1, 1 + i % 12, 1 + i % 28);
        let ssid = format!("99{i:08}");
        let (first, last) = (letters(i), letters(i.wrapping_mul(7919) % 1_000_003 + 17));
        let who = format!("{first}^^{last}^^^^^{birth}^{}", if i % 2 == 0 { "F" } else { "M" });
        let spans: Vec<(&str, &str, &str, &str, u32)> = if transfers && i % 3 != 0 {
            vec![(school, "20250813", "20251031", "T160", 56), ("9990045", "20251103", "20260605", "E155", 124)]
        } else {
            vec![(school, "20250813", "20260605", "E155", 180)]
        };
        for (n, (sch, start, exit, reason, days)) in spans.iter().enumerate() {
            writeln!(
                senr,
                "SENR^^LR-{i}-{n}^9912345^{sch}^^2025-2026^{ssid}^{i}^{who}^LOS ANGELES^US-CA^US^{start}^10^{grade}^{exit}^{reason}^^^^^^N^N^^\r"
            )
            .unwrap();
            let absent = u32::try_from(i % 7).unwrap();
            writeln!(
                stas,
                "STAS^^LS-{i}-{n}^9912345^{sch}^2025-2026^{ssid}^{i}^{first}^{last}^{birth}^{}^N^N^{days}^{}^0^0^{absent}^0^0^0^N^\r",
                if i % 2 == 0 { "F" } else { "M" },
                days - absent
            )
            .unwrap();
            records += 2;
        }
        writeln!(sinf, "SINF^^LI-{i}^20250813^^9912345^{school}^2025-2026^{ssid}^{i}^{who}^LOS ANGELES^US-CA^US^N^N^700^^^^^N^^^^^^^^^^^^^^^^^^^^\r")
            .unwrap();
        records += 1;
    }
    for w in [&mut senr, &mut sinf, &mut stas] {
        w.flush().unwrap();
    }
    records
}

#[test]
fn fifty_thousand_students_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let records = write_submission(dir.path(), 50_000, true);
    let started = Instant::now();
    let out = rollcall().args(["check", "--format", "json", "--census", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let elapsed = started.elapsed();
    let lines = json_lines(&out.stdout);
    let summary = lines.last().unwrap();
    let findings: Vec<_> = lines.iter().filter(|l| l["kind"] == "diagnostic").take(5).collect();
    assert!(findings.is_empty(), "unexpected findings: {findings:#?}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(summary["records"], records);
    assert_eq!(summary["files"], 3);
    eprintln!("checked {records} records of 50,000 students in {elapsed:?}");
}

/// The days of the attendance benchmark's calendar: weekdays from 2025-08-13 with holidays
/// (Labor Day, Veterans Day, Thanksgiving week, MLK, Presidents' Day, Memorial Day) and two
/// breaks (winter, spring) left out, until 180 school days. (day, kind) in date order.
fn bench_calendar() -> Vec<(chrono::NaiveDate, &'static str)> {
    use chrono::{Datelike, NaiveDate};
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(if m >= 7 { 2025 } else { 2026 }, m, day).unwrap();
    let holidays = [d(9, 1), d(11, 11), d(11, 24), d(11, 25), d(11, 26), d(11, 27), d(11, 28), d(1, 19), d(2, 16), d(5, 25)];
    let breaks = |day: NaiveDate| (d(12, 22)..=d(1, 2)).contains(&day) || (d(3, 30)..=d(4, 3)).contains(&day);
    let mut out = Vec::new();
    let (mut day, mut taught) = (d(8, 13), 0);
    while taught < 180 {
        let kind = if day.weekday().num_days_from_monday() >= 5 || breaks(day) {
            "non_school"
        } else if holidays.contains(&day) {
            "holiday"
        } else {
            taught += 1;
            "school"
        };
        out.push((day, kind));
        day = day.succ_opt().unwrap();
    }
    out
}

/// Writes the attendance benchmark's data into `dir`: senr.txt (one year-long enrollment per
/// student, at four schools), calendar.csv (180 school days) and attendance.csv, a record per
/// student per school day (every `every`-th school day only, when `every` > 1), date by date
/// as student information systems export them. Returns the attendance rows written.
pub(crate) fn write_attendance(dir: &Path, students: u64, every: usize) -> u64 {
    let open = |name: &str| BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    let (mut senr, mut cal, mut att) = (open("senr.txt"), open("calendar.csv"), open("attendance.csv"));
    let schools: [(&str, &[&str]); 4] = [SCHOOLS[0], SCHOOLS[1], SCHOOLS[2], ("9990045", &["10", "11", "12"])];
    let mut who = Vec::with_capacity(students as usize);
    for i in 0..students {
        let (school, grades) = schools[(i % 4) as usize];
        let grade = grades[(i / 4 % grades.len() as u64) as usize];
        let age = match grade {
            "TK" => 4,
            "KN" => 5,
            g => 5 + g.parse::<u64>().unwrap(),
        };
        let birth = format!("{}{:02}{:02}", 2025 - age - 1, 1 + i % 12, 1 + i % 28);
        let ssid = format!("99{i:08}");
        let (first, last) = (letters(i), letters(i.wrapping_mul(7919) % 1_000_003 + 17));
        writeln!(
            senr,
            "SENR^^LR-{i}^9912345^{school}^^2025-2026^{ssid}^{i}^{first}^^{last}^^^^^{birth}^{}^LOS ANGELES^US-CA^US^20250813^10^{grade}^20260605^E155^^^^^^N^N^^\r",
            if i % 2 == 0 { "F" } else { "M" }
        )
        .unwrap();
        who.push((ssid, school));
    }
    writeln!(cal, "school_of_attendance,date,day_type").unwrap();
    let days = bench_calendar();
    for (day, kind) in &days {
        writeln!(cal, ",{day},{kind}").unwrap();
    }
    writeln!(att, "ssid,school_of_attendance,date,attendance_code,minutes_absent,local_student_id").unwrap();
    let mut rows = 0;
    for (n, (day, _)) in days.iter().filter(|(_, k)| *k == "school").enumerate() {
        if every > 1 && n % every != 0 {
            continue;
        }
        let date = day.to_string();
        for (i, (ssid, school)) in who.iter().enumerate() {
            let h = (i as u64).wrapping_mul(31).wrapping_add(n as u64 * 17);
            let (code, minutes) = match (h % 97, h % 89, h % 53) {
                (0, _, _) => ("A", ""),
                (_, 0, _) => ("U", ""),
                (_, _, 0) => ("T", "35"),
                _ => ("P", ""),
            };
            writeln!(att, "{ssid},{school},{date},{code},{minutes},{i}").unwrap();
            rows += 1;
        }
    }
    for w in [&mut senr, &mut cal, &mut att] {
        w.flush().unwrap();
    }
    rows
}

#[test]
fn daily_attendance_of_two_thousand_students_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let rows = write_attendance(dir.path(), 2_000, 1);
    assert_eq!(rows, 2_000 * 180);
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let lines = json_lines(&out.stdout);
    let findings: Vec<_> = lines.iter().filter(|l| l["kind"] == "diagnostic").take(5).collect();
    assert!(findings.is_empty(), "unexpected findings: {findings:#?}");
    assert_eq!(lines.last().unwrap()["records"], 2_000 + 360_000);
    let ada = rollcall().args(["ada", "--format", "csv", "--period", "annual"]).arg(dir.path()).output().unwrap();
    assert!(ada.status.success());
    // 9990011 K-3 and 4-6, 9990029 4-6 and 7-8, 9990037 9-12, 9990045 9-12.
    assert_eq!(String::from_utf8_lossy(&ada.stdout).lines().count(), 1 + 6);
    assert_district_ada_counts_present_rows(dir.path());
}

/// One calendar for every school of `write_attendance`, so the district's annual classroom ADA
/// is the present and tardy rows of `dir`'s attendance.csv over the 180 days taught.
fn assert_district_ada_counts_present_rows(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("attendance.csv")).unwrap();
    let present = text.lines().skip(1).filter(|l| matches!(l.split(',').nth(3), Some("P" | "T"))).count() as u64;
    let hundredths = (present * 200 + 180) / 360;
    let district = rollcall().args(["ada", "--format", "csv", "--period", "annual", "--district"]).arg(dir).output().unwrap();
    let district = String::from_utf8_lossy(&district.stdout).into_owned();
    let total: f64 = district.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().parse::<f64>().unwrap()).sum();
    // (Per span each figure is rounded once; their sum is within a cent per span of the whole.)
    assert!((total * 100.0 - hundredths as f64).abs() <= 4.0, "{district} vs {hundredths}");
}

/// Writes the attendance benchmark's data; `SCALE_OUT`, `SCALE_STUDENTS` (50,000) and
/// `SCALE_EVERY` (1: every school day; 4: every fourth).
#[test]
#[ignore = "writes a large data set on request (bench/attendance.sh)"]
fn write_scale_attendance() {
    let dir = std::env::var("SCALE_OUT").expect("SCALE_OUT");
    let students = std::env::var("SCALE_STUDENTS").map_or(50_000, |s| s.parse().unwrap());
    let every = std::env::var("SCALE_EVERY").map_or(1, |s| s.parse().unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    let rows = write_attendance(Path::new(&dir), students, every);
    eprintln!("wrote {rows} attendance rows for {students} students to {dir}");
}

/// Writes a state-sized submission for the benchmarks; `SCALE_OUT`, `SCALE_STUDENTS` and
/// `SCALE_TRANSFERS=0` for one enrollment per student.
#[test]
#[ignore = "writes a large data set on request (bench/run.sh)"]
fn write_scale_submission() {
    let dir = std::env::var("SCALE_OUT").expect("SCALE_OUT");
    let students = std::env::var("SCALE_STUDENTS").map_or(600_000, |s| s.parse().unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    let transfers = std::env::var("SCALE_TRANSFERS").map_or(true, |t| t != "0");
    let records = write_submission(Path::new(&dir), students, transfers);
    eprintln!("wrote {records} records for {students} students to {dir}");
}

/// 5,000 students on every fourth school day: more students than the end of a run walks on
/// one core (the ledger splits them in two halves from 4,096 on), and three school days in
/// four of every student missing. The missing days, counted per school and month, add up to
/// every student's 135; the district's ADA is the present and tardy rows over 180 days.
#[test]
fn missing_days_and_ada_of_five_thousand_students_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let rows = write_attendance(dir.path(), 5_000, 4);
    assert_eq!(rows, 5_000 * 45);
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let lines = json_lines(&out.stdout);
    let missing: Vec<_> = lines.iter().filter(|l| l["kind"] == "diagnostic" && l["rule"] == "ATT-MISSING-DAYS").collect();
    assert!(!missing.is_empty());
    let mut days = 0u64;
    for f in &missing {
        // "9990011, school month 3 (…): 5000 school days of 1250 enrolled students have no …"
        let message = f["message"].as_str().unwrap();
        let after = &message[message.find("): ").unwrap() + 3..];
        let mut words = after.split(' ');
        days += words.next().unwrap().parse::<u64>().unwrap();
        assert_eq!(words.nth(3), Some("1250"), "every student of the school misses days: {message}");
    }
    assert_eq!(days, 5_000 * 135);
    assert_district_ada_counts_present_rows(dir.path());
}
