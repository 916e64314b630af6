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
