//! Attendance accounting end to end on a case small enough to count by hand
//! (`tests/fixtures/attendance/handmade/`, its README says how it was built): every ADA, STAS
//! and chronic absenteeism figure below was worked out on paper from the calendar and the
//! daily records, not taken from rollcall's output.
//!
//! The calendar runs Monday 2025-09-01 to Friday 2025-10-31, district-wide, with one holiday
//! (Tuesday 2025-09-09). School months (20 weekdays of school or holiday from the first day):
//! month 1 = Sep 1 - Sep 26 (19 days taught, the holiday counts toward the month), month 2 =
//! Sep 29 - Oct 24 (20 days taught), month 3 = Oct 27 - Oct 31 (5 days, partial). P-1 and P-2
//! count the two full months (39 days taught); Annual counts all three (44).
//!
//! - A (9900000101) at 9990011: grade 03 from Sep 1, exit Oct 10 (E150), grade 04 from Oct 11
//!   (a grade change); excused Sep 3, tardy 40 minutes Oct 14, ADA independent study Oct 20-21.
//! - B (9900000102): grade 06 at 9990011 Sep 1 - Sep 17 (transfer, T160), unexcused Sep 16;
//!   then 9990029 from Sep 18 (mid-month), suspended Oct 2, in-school suspension Oct 3.
//! - C (9900000103): grade 07 at 9990029 from Sep 1; excused Sep 5 and 12, unexcused Sep 19
//!   and Oct 8, non-ADA independent study Oct 29.

use crate::util::{rollcall, AS_OF};

const CASE: &str = "tests/fixtures/attendance/handmade";

fn stdout(args: &[&str]) -> String {
    let out = rollcall().args(args).output().unwrap();
    assert!(out.status.success(), "rollcall {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn school_months_by_hand() {
    let csv = stdout(&["calendar", &format!("{CASE}/calendar.csv"), "--format", "csv"]);
    assert_eq!(
        csv,
        "school_of_attendance,month,first_date,last_date,school_days,full\n\
         ,1,2025-09-01,2025-09-26,19,Y\n\
         ,2,2025-09-29,2025-10-24,20,Y\n\
         ,3,2025-10-27,2025-10-31,5,N\n"
    );
}

#[test]
fn ada_by_hand() {
    // 9990011 K-3: A's 18 classroom days in month 1 (19 less the excused day) and 10 in month 2
    //   (Sep 29 - Oct 10, grade 03): P-1 28/39 = 0.7179 -> 0.72; Annual 28/44 = 0.6364 -> 0.64.
    // 9990011 4-6: B's 11 days in month 1 (12 less the unexcused), A's 8 classroom (the tardy
    //   counts) and 2 independent study in month 2 (Oct 13-24, grade 04), A's 5 in month 3:
    //   P-1 19/39 = 0.4872 -> 0.49, IS 2/39 = 0.0513 -> 0.05, total 21/39 = 0.5385 -> 0.54;
    //   Annual 24/44 = 0.5455 -> 0.55, 2/44 -> 0.05, 26/44 = 0.5909 -> 0.59.
    // 9990029 4-6: B's 7 days in month 1 (Sep 18-26), 19 in month 2 (the suspension earns
    //   nothing, the in-school suspension counts), 5 in month 3: P-1 26/39 = 0.6667 -> 0.67;
    //   Annual 31/44 = 0.7045 -> 0.70.
    // 9990029 7-8: C's 16 + 19 (+ 4 in month 3): P-1 35/39 = 0.8974 -> 0.90; Annual 39/44 =
    //   0.8864 -> 0.89.
    let csv = stdout(&["ada", CASE, "--format", "csv", "--as-of", AS_OF]);
    assert_eq!(
        csv,
        "period,school_of_attendance,grade_span,months,days_taught,classroom_attendance_days,classroom_ada,independent_study_days,independent_study_ada,total_ada\n\
         P1,9990011,K-3,2,39,28,0.72,0,0.00,0.72\n\
         P1,9990011,4-6,2,39,19,0.49,2,0.05,0.54\n\
         P1,9990029,4-6,2,39,26,0.67,0,0.00,0.67\n\
         P1,9990029,7-8,2,39,35,0.90,0,0.00,0.90\n\
         P2,9990011,K-3,2,39,28,0.72,0,0.00,0.72\n\
         P2,9990011,4-6,2,39,19,0.49,2,0.05,0.54\n\
         P2,9990029,4-6,2,39,26,0.67,0,0.00,0.67\n\
         P2,9990029,7-8,2,39,35,0.90,0,0.00,0.90\n\
         ANNUAL,9990011,K-3,3,44,28,0.64,0,0.00,0.64\n\
         ANNUAL,9990011,4-6,3,44,24,0.55,2,0.05,0.59\n\
         ANNUAL,9990029,4-6,3,44,31,0.70,0,0.00,0.70\n\
         ANNUAL,9990029,7-8,3,44,39,0.89,0,0.00,0.89\n"
    );
    // The district's 4-6 is the exact sum of its schools', rounded once: P-1 classroom 19/39 +
    // 26/39 = 45/39 = 1.1538 -> 1.15 and total 47/39 = 1.2051 -> 1.21 (the rounded school
    // figures would give 0.54 + 0.67 = 1.21 by luck); Annual classroom 55/44 = 1.25, total
    // 57/44 = 1.2955 -> 1.30 (0.59 + 0.70 = 1.29 from rounded figures).
    let district = stdout(&["ada", CASE, "--format", "csv", "--district", "--period", "p1,annual", "--as-of", AS_OF]);
    assert_eq!(
        district,
        "period,grade_span,classroom_ada,independent_study_ada,total_ada\n\
         P1,K-3,0.72,0.00,0.72\n\
         P1,4-6,1.15,0.05,1.21\n\
         P1,7-8,0.90,0.00,0.90\n\
         ANNUAL,K-3,0.64,0.00,0.64\n\
         ANNUAL,4-6,1.25,0.05,1.30\n\
         ANNUAL,7-8,0.89,0.00,0.89\n"
    );
    // The table shows numerator and denominator.
    let table = stdout(&["ada", CASE, "--period", "annual", "--as-of", AS_OF]);
    assert!(table.contains("classroom        24 / 44   =      0.55"), "{table}");
    assert!(table.contains("9990011: months 1-3 (2025-09-01 to 2025-10-31), 44 days taught"), "{table}");
}

#[test]
fn chronic_absenteeism_by_hand() {
    // A: excused 1 of 44 = 2.27 % -> 2.3, le5. B at 9990011: 1 of 12 = 8.3 %, not eligible
    // (12 days is not more than 30). B at 9990029: suspended 1 of 32 = 3.125 % -> 3.1. C: 2
    // excused + 2 unexcused + 1 non-ADA independent study = 5 of 44 = 11.36 % -> 11.4,
    // chronically absent. Grades: the latest enrollment's (A is in grade 04 by then).
    let csv = stdout(&["chronic", CASE, "--format", "csv"]);
    assert_eq!(
        csv,
        "school_of_attendance,ssid,grade_level_code,dashboard_grade,expected_attendance_days,absent_days,absence_rate_pct,band,eligible,chronically_absent\n\
         9990011,9900000101,04,Y,44,1,2.3,le5,Y,N\n\
         9990011,9900000102,06,Y,12,1,8.3,gt5_lt10,N,N\n\
         9990029,9900000102,06,Y,32,1,3.1,le5,Y,N\n\
         9990029,9900000103,07,Y,44,5,11.4,ge10_lt20,Y,Y\n"
    );
    // Over the LEA, B has 12 + 32 = 44 days and 2 absences: 4.5 %.
    let lea = stdout(&["chronic", CASE, "--format", "csv", "--by", "lea"]);
    assert_eq!(
        lea,
        "ssid,grade_level_code,expected_attendance_days,absent_days,absence_rate_pct,band,eligible,chronically_absent\n\
         9900000101,04,44,1,2.3,le5,Y,N\n\
         9900000102,06,44,2,4.5,le5,Y,N\n\
         9900000103,07,44,5,11.4,ge10_lt20,Y,Y\n"
    );
    let grade = stdout(&["chronic", CASE, "--format", "csv", "--by", "grade"]);
    assert_eq!(
        grade,
        "school_of_attendance,grade_level_code,eligible_students,chronically_absent_students,rate_pct\n\
         9990011,04,1,0,0.0\n\
         9990011,06,0,0,0.0\n\
         9990029,06,1,0,0.0\n\
         9990029,07,1,1,100.0\n"
    );
    // Mid-year, through Friday 2025-09-26 (month 1): C has 19 expected days, 3 absences
    // (15.8 %), not eligible yet (19 is not more than 30).
    let mid = stdout(&["chronic", CASE, "--format", "csv", "--as-of", "2025-09-26"]);
    assert!(mid.contains("9990029,9900000103,07,Y,19,3,15.8,ge10_lt20,N,N\n"), "{mid}");
}

#[test]
fn stas_from_the_daily_records_by_hand() {
    // Expected days, then in person, suspension, in-school suspension, excused, unexcused,
    // non-ADA independent study, ADA independent study: the seven add up to the expected days.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("submission");
    let run = rollcall().args(["generate", CASE, "--out", dir.to_str().unwrap(), "--as-of", AS_OF]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stdout));
    let stas = std::fs::read_to_string(dir.join("stas.txt")).unwrap();
    assert_eq!(
        stas,
        "STAS^^^9912345^9990011^2025-2026^9900000101^260101^ANWEN^PELLICORD^20170304^F^N^N^44^41^0^0^1^0^0^2^^\r\n\
         STAS^^^9912345^9990011^2025-2026^9900000102^260102^BRISCO^TAMBERLY^20140611^M^N^N^12^11^0^0^0^1^0^0^^\r\n\
         STAS^^^9912345^9990029^2025-2026^9900000102^260102^BRISCO^TAMBERLY^20140611^M^N^N^32^30^1^1^0^0^0^0^^\r\n\
         STAS^^^9912345^9990029^2025-2026^9900000103^260103^CORALIE^VANTWISK^20130122^F^N^N^44^39^0^0^2^2^1^0^^\r\n"
    );
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let attendance = manifest["inputs"].as_array().unwrap().iter().find(|i| i["kind"] == "attendance").unwrap();
    assert_eq!((attendance["rows"].as_u64(), attendance["written"].as_u64()), (Some(132), Some(132)));
    assert!(manifest["outputs"].as_array().unwrap().iter().any(|o| o["path"] == "stas.txt" && o["records"] == 4));
    // The STAS checks clean against the same enrollments, calendar and daily records: the
    // figures agree with the daily records (ATT-STAS-MISMATCH) and add up (STAS0318).
    std::fs::copy(format!("{CASE}/senr.txt"), out.path().join("senr.txt")).unwrap();
    std::fs::copy(format!("{CASE}/calendar.csv"), out.path().join("calendar.csv")).unwrap();
    std::fs::copy(format!("{CASE}/attendance.csv"), out.path().join("attendance.csv")).unwrap();
    std::fs::copy(dir.join("stas.txt"), out.path().join("stas.txt")).unwrap();
    let mut check = rollcall();
    check.args(["check", "--format", "json", "--as-of", AS_OF, "--ignore", "XF-SINF-CENSUS,CAL-TOO-FEW-DAYS"]);
    for f in ["senr.txt", "calendar.csv", "attendance.csv", "stas.txt"] {
        check.arg(out.path().join(f));
    }
    let check = check.output().unwrap();
    let findings: Vec<String> =
        crate::util::json_lines(&check.stdout).iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap().to_owned()).collect();
    // (No SINF in this case: the cross-file rules that want one are the only findings.)
    assert!(findings.iter().all(|r| r.starts_with("XF-")), "{findings:?}");
    assert!(!findings.iter().any(|r| r.starts_with("ATT-") || r.starts_with("STAS-")), "{findings:?}");
}

#[test]
fn a_changed_stas_figure_is_named() {
    // Two of C's present days turned into excused absences in the daily records: the STAS
    // that says 39 in person and 2 excused now differs in exactly those two counts.
    let dir = tempfile::tempdir().unwrap();
    for f in ["senr.txt", "calendar.csv"] {
        std::fs::copy(format!("{CASE}/{f}"), dir.path().join(f)).unwrap();
    }
    let daily = std::fs::read_to_string(format!("{CASE}/attendance.csv")).unwrap();
    let daily = daily
        .replace("9900000103,9990029,2025-09-22,P,", "9900000103,9990029,2025-09-22,A,")
        .replace("9900000103,9990029,2025-09-23,P,", "9900000103,9990029,2025-09-23,A,");
    std::fs::write(dir.path().join("attendance.csv"), daily).unwrap();
    std::fs::write(
        dir.path().join("stas.txt"),
        "STAS^^^9912345^9990029^2025-2026^9900000103^260103^CORALIE^VANTWISK^20130122^F^N^N^44^39^0^0^2^2^1^0^^\r\n",
    )
    .unwrap();
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    let mismatch: Vec<(String, u64)> = crate::util::json_lines(&out.stdout)
        .iter()
        .filter(|l| l["rule"] == "ATT-STAS-MISMATCH")
        .map(|l| (l["field"].as_str().unwrap().to_owned(), l["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(mismatch, [("days_attended_in_person".to_owned(), 1), ("days_absent_in_person_excused_non_suspension".to_owned(), 1)]);
}

#[test]
fn figures_are_byte_stable() {
    for args in [&["ada", CASE, "--format", "csv"][..], &["chronic", CASE, "--format", "csv", "--by", "lea"][..], &["ada", CASE][..]] {
        assert_eq!(stdout(args), stdout(args), "{args:?}");
    }
}

#[test]
fn a_districts_own_codes_come_from_the_mapping_file() {
    // C's excused absence of 2025-09-05 exported as the district's code `EX`.
    let dir = tempfile::tempdir().unwrap();
    for f in ["senr.txt", "calendar.csv"] {
        std::fs::copy(format!("{CASE}/{f}"), dir.path().join(f)).unwrap();
    }
    let daily = std::fs::read_to_string(format!("{CASE}/attendance.csv")).unwrap();
    std::fs::write(dir.path().join("attendance.csv"), daily.replace("9900000103,9990029,2025-09-05,A,", "9900000103,9990029,2025-09-05,EX,"))
        .unwrap();
    let rules = |extra: &[&str]| -> Vec<String> {
        let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).args(extra).arg(dir.path()).output().unwrap();
        crate::util::json_lines(&out.stdout).iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap().to_owned()).collect()
    };
    assert!(rules(&[]).contains(&"ATT-UNKNOWN-CODE".to_owned()));
    // A mapping.toml in the folder is found; --mapping names one elsewhere.
    std::fs::write(dir.path().join("mapping.toml"), "[attendance_codes]\nEX = \"excused\"\n").unwrap();
    assert!(!rules(&[]).iter().any(|r| r.starts_with("ATT-")), "{:?}", rules(&[]));
    let chronic = stdout(&["chronic", dir.path().to_str().unwrap(), "--format", "csv"]);
    assert!(chronic.contains("9990029,9900000103,07,Y,44,5,11.4,ge10_lt20,Y,Y\n"), "{chronic}");
    // A category that does not exist is an error pointing into the file (exit 2).
    std::fs::write(dir.path().join("mapping.toml"), "[attendance_codes]\nEX = \"excuse\"\n").unwrap();
    let out = rollcall().args(["check", "--as-of", AS_OF]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("excuse"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn monthly_reports_by_hand() {
    // 9990011, month 1 (Sep 1-26, 19 days taught): A and B enrolled on Sep 1 (beginning 2), B
    // leaves Sep 17 (a loss), A alone at the end. A: 18 days attended + 1 excused; B: 11 + 1
    // unexcused: 29 days of attendance = 1.53 ADA, and 31 enrolled days counted.
    // Month 2: A's grade change (exit Oct 10, E150; new enrollment Oct 11) is a loss and a
    // gain; 18 days of attendance (the tardy counts), 2 of independent study: 0.90 and 1.00.
    // 9990029, month 1: C from Sep 1, B from Sep 18 (a gain mid-month): 16 + 7 = 23 days = 1.21;
    // month 2: C's unexcused Oct 8, B's suspension Oct 2 (in-school Oct 3 is attendance):
    // 19 + 19 = 38 = 1.90; month 3: C's non-ADA independent study Oct 29: 4 + 5 = 9 = 1.80.
    let csv = stdout(&["monthly", CASE, "--format", "csv"]);
    assert_eq!(
        csv,
        "school_of_attendance,month,first_school_day,last_school_day,days_taught,beginning_enrollment,gains,losses,ending_enrollment,attendance_days,independent_study_days,excused_absence_days,unexcused_absence_days,suspension_days,non_ada_independent_study_days,classroom_ada,total_ada\n\
         9990011,1,2025-09-01,2025-09-26,19,2,0,1,1,29,0,1,1,0,0,1.53,1.53\n\
         9990011,2,2025-09-29,2025-10-24,20,1,1,1,1,18,2,0,0,0,0,0.90,1.00\n\
         9990011,3,2025-10-27,2025-10-31,5,1,0,0,1,5,0,0,0,0,0,1.00,1.00\n\
         9990029,1,2025-09-01,2025-09-26,19,1,1,0,2,23,0,2,1,0,0,1.21,1.21\n\
         9990029,2,2025-09-29,2025-10-24,20,2,0,0,2,38,0,0,1,1,0,1.90,1.90\n\
         9990029,3,2025-10-27,2025-10-31,5,2,0,0,2,9,0,0,0,0,1,1.80,1.80\n"
    );
    let table = stdout(&["monthly", CASE, "--school", "9990011"]);
    assert!(table.contains("year to date  2 + 1 - 2 = 1 holds; day counts add up to the 56 enrolled school days"), "{table}");
    assert!(!table.contains("9990029"));
}

#[test]
fn the_sample_district_balances_and_three_differences_are_found_with_their_students() {
    let table = stdout(&["monthly", "samples/clean"]);
    assert!(table.matches(" holds; day counts add up to the ").count() >= 40, "{table}");
    assert!(!table.contains("NOT"), "{table}");
    // The schools' own totals with three figures changed: a gain too many at 9990011 in month
    // 3, an unexcused absence too many at 9990029 in month 5, a student too few at the end of
    // month 8 at 9990037.
    let out = rollcall()
        .args(["monthly", "samples/clean", "--format", "csv", "--reconcile", "tests/fixtures/attendance/schools-monthly.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<Vec<String>> = rdr.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let found: Vec<(&str, &str, &str, &str, &str)> =
        rows.iter().map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str())).collect();
    assert_eq!(
        found,
        [
            ("9990011", "3", "gains", "2", "1"),
            ("9990029", "5", "unexcused_absence_days", "8", "7"),
            ("9990037", "8", "ending_enrollment", "79", "80")
        ]
    );
    // With the students behind each: the gain of the month, the unexcused absences, the loss.
    assert!(rows[0][5].contains("gain: SSID 9900000075 enrolled 2025-10-14"), "{}", rows[0][5]);
    assert!(rows[1][5].contains("unexcused absences: SSID 9900000190 on 2025-12-08, 2025-12-16"), "{}", rows[1][5]);
    assert!(rows[2][5].contains("loss: SSID 9900000276 exited 2026-03-06"), "{}", rows[2][5]);
    // The schools' totals as they are balance.
    let exact = tempfile::tempdir().unwrap();
    let mine = stdout(&["monthly", "samples/clean", "--format", "csv"]);
    std::fs::write(exact.path().join("monthly.csv"), mine).unwrap();
    let ok = rollcall().args(["monthly", "samples/clean", "--reconcile"]).arg(exact.path().join("monthly.csv")).output().unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
}

const TRUANCY: &str = "tests/fixtures/attendance/truancy";

#[test]
fn truancy_by_hand() {
    // G: five full unexcused days, 09-02 to 09-08: truant on the third (09-04), reports 5 - 2 =
    //    3 (habitual), 5 of 44 expected days is 11 % (chronic); the 20-minute absence of 09-29
    //    is no occasion.
    // F: unexcused 09-08, the 31-minute tardy of 09-15 (the 30-minute one of 09-10 is not an
    //    occasion), unexcused 09-22 at 9990045 after the mid-month transfer (the third: truant
    //    there), 10-06: 4 occasions, 2 reports; 4 of 44 days is not 10 %.
    // D: turns 6 on 10-15, so the unexcused days of 09-10, 09-24 and 10-01 do not count;
    //    10-16, 10-20, 10-22 do: truant on 10-22, 1 report.
    let csv = stdout(&["truancy", TRUANCY, "--format", "csv"]);
    assert_eq!(
        csv,
        "ssid,school_of_attendance,unexcused_absence_days,truant_on,truancy_reports,habitual_truant,expected_attendance_days,chronic_truant\n\
         9900000106,9990011,5,2025-09-04,3,Y,44,Y\n\
         9900000105,9990045,4,2025-09-22,2,N,44,N\n\
         9900000104,9990011,3,2025-10-22,1,N,44,N\n"
    );
    // As of 2025-10-21 D is not truant yet, and F's 4 occasions are 10 % or more of the 36
    // days expected so far (12 at 9990037 and 24 at 9990045): chronic.
    let csv = stdout(&["truancy", TRUANCY, "--format", "csv", "--as-of", "2025-10-21"]);
    assert_eq!(
        csv,
        "ssid,school_of_attendance,unexcused_absence_days,truant_on,truancy_reports,habitual_truant,expected_attendance_days,chronic_truant\n\
         9900000106,9990011,5,2025-09-04,3,Y,36,Y\n\
         9900000105,9990045,4,2025-09-22,2,N,36,Y\n"
    );
}

/// The headless browser the letters are rendered with (Debian package `chromium`; `.ci/run`
/// installs it when absent).
fn chromium() -> String {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if std::process::Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return name.to_owned();
        }
    }
    panic!("no headless Chromium found: install the Debian package `chromium` (.ci/run does)");
}

#[test]
fn first_notifications_are_written_once_and_render_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let letters = dir.path().join("letters");
    let args = ["truancy", TRUANCY, "--as-of", "2025-10-21", "--letters", letters.to_str().unwrap()];
    stdout(&args);
    // As of 2025-10-21: G and F are truant, D not yet.
    let mut files: Vec<String> = std::fs::read_dir(&letters).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(files, ["letters-log.csv", "truancy-9900000105.html", "truancy-9900000106.html", "truancy-letters-2025-10-21.html"]);
    let f = std::fs::read_to_string(letters.join("truancy-9900000105.html")).unwrap();
    // Every value escaped: the apostrophe of O'BRANNOCK reaches the page as an entity.
    assert!(f.contains("FENWICK O&#39;BRANNOCK") && !f.contains("O'BRANNOCK"), "{f}");
    assert!(f.contains("SEAMUS O&#39;BRANNOCK and ELENA O&#39;BRANNOCK") && f.contains("88 ORCHARD ROW"));
    assert!(f.contains("<li>2025-09-15</li>") && !f.contains("2025-09-10"), "the 31-minute tardy is an occasion, the 30-minute one is not");
    // A second run on the same day writes nothing new; a later one writes D's letter only.
    stdout(&args);
    assert_eq!(std::fs::read_dir(&letters).unwrap().count(), 4);
    stdout(&["truancy", TRUANCY, "--as-of", "2025-10-31", "--letters", letters.to_str().unwrap()]);
    assert!(letters.join("truancy-9900000104.html").exists());
    let combined = std::fs::read_to_string(letters.join("truancy-letters-2025-10-31.html")).unwrap();
    assert!(combined.contains("DARIA QUELLTON") && !combined.contains("GALEN"), "only the new letter");
    let log = std::fs::read_to_string(letters.join("letters-log.csv")).unwrap();
    assert_eq!(log.lines().count(), 4, "{log}");
    assert!(log.contains("9900000104,,9990011,2025-10-22,3,2025-10-31,truancy-9900000104.html"), "{log}");

    // The combined letters of the first run, in headless Chromium: a screenshot is taken, and
    // the rendered page holds the students' names and the dates of their occasions.
    let page = letters.join("truancy-letters-2025-10-21.html");
    let url = format!("file://{}", page.display());
    let shot = dir.path().join("letters.png");
    let browser = chromium();
    let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"];
    let out = std::process::Command::new(&browser)
        .args(common)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=900,1300")
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a screenshot of a page with text ({} bytes)", png.len());
    let dom = std::process::Command::new(&browser).args(common).arg("--dump-dom").arg(&url).output().unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    for needle in ["GALEN PRISMOOR", "FENWICK O'BRANNOCK", "2025-09-04", "2025-09-22", "Notice of truancy", "48260.5"] {
        assert!(dom.contains(needle), "{needle} not on the rendered page");
    }
    assert_eq!(dom.matches("class=\"letter\"").count(), 2, "one letter per new truant student");
}

#[test]
fn a_second_language_and_a_bad_template() {
    let dir = tempfile::tempdir().unwrap();
    let letters = dir.path().join("letters");
    let en = "templates/truancy-first-notification.html";
    let es = "templates/truancy-first-notification.es.html";
    stdout(&["truancy", TRUANCY, "--as-of", "2025-10-21", "--letters", letters.to_str().unwrap(), "--template", en, "--template", es]);
    let f = std::fs::read_to_string(letters.join("truancy-9900000106.html")).unwrap();
    assert!(f.contains("Notice of truancy") && f.contains("Aviso de ausentismo escolar"), "both languages in one letter");
    let bad = dir.path().join("bad.html");
    std::fs::write(&bad, "<p>Dear parent of {{studnt_name}}</p>").unwrap();
    let out = rollcall().args(["truancy", TRUANCY, "--letters", letters.to_str().unwrap(), "--template", bad.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("studnt_name"));
}

#[test]
fn the_sample_districts_letters_render() {
    let dir = tempfile::tempdir().unwrap();
    let letters = dir.path().join("letters");
    let csv = stdout(&["truancy", "samples/clean", "--as-of", "2026-07-15", "--format", "csv", "--letters", letters.to_str().unwrap()]);
    let first: Vec<String> = csv.lines().nth(1).unwrap().split(',').map(str::to_owned).collect();
    let (ssid, truant_on) = (&first[0], &first[3]);
    let page = letters.join(format!("truancy-{ssid}.html"));
    // The student's name as the SENR has it.
    let senr = std::fs::read_to_string("samples/clean/senr.txt").unwrap();
    let fields: Vec<&str> = senr.lines().find(|l| l.split('^').nth(7) == Some(ssid)).unwrap().split('^').collect();
    let name = format!("{} {}", fields[9], fields[11]);
    let url = format!("file://{}", page.display());
    let shot = dir.path().join("letter.png");
    let browser = chromium();
    let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"];
    let out = std::process::Command::new(&browser)
        .args(common)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=900,1300")
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success() && std::fs::read(&shot).unwrap().len() > 20_000);
    let dom = std::process::Command::new(&browser).args(common).arg("--dump-dom").arg(&url).output().unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains(&name) && dom.contains(truant_on.as_str()), "{name} {truant_on} not on the page");
}

/// The findings of a check, as (rule, line, field, value) without where in the line they sit.
fn findings_of(dir: &std::path::Path) -> Vec<(String, u64, String, String)> {
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut found: Vec<(String, u64, String, String)> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["kind"] == "diagnostic")
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (s("rule"), v["line"].as_u64().unwrap_or(0), s("field"), s("value"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn columns_in_layout_order_and_out_of_it_read_alike() {
    // A file whose columns are the layout's fields in order is parsed straight into the
    // engine's records; one with its columns moved and an extra column is arranged. A short
    // row and a long row take the arranging path in either file. Findings and figures agree.
    let rows: Vec<Vec<String>> =
        std::fs::read_to_string(format!("{CASE}/attendance.csv")).unwrap().lines().map(|l| l.split(',').map(str::to_owned).collect()).collect();
    let (straight, moved) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let order = [5, 2, 0, 3, 1, 4];
    let (mut a, mut b) = (String::new(), String::new());
    for (k, row) in rows.iter().enumerate() {
        let (mut left, mut right): (Vec<&str>, Vec<&str>) =
            (row.iter().map(String::as_str).collect(), order.iter().map(|&i| row[i].as_str()).collect());
        right.push(if k == 0 { "note" } else { "x" });
        if k == 3 {
            // A short row: the cells it lacks are blank in both files.
            left.truncate(3);
            right = order.iter().map(|&i| if i < 3 { row[i].as_str() } else { "" }).collect();
            right.push("");
        }
        if k == 4 {
            left.push("extra");
        }
        a += &format!("{}\n", left.join(","));
        b += &format!("{}\n", right.join(","));
    }
    for dir in [&straight, &moved] {
        for f in ["calendar.csv", "senr.txt"] {
            std::fs::copy(format!("{CASE}/{f}"), dir.path().join(f)).unwrap();
        }
    }
    std::fs::write(straight.path().join("attendance.csv"), a).unwrap();
    std::fs::write(moved.path().join("attendance.csv"), b).unwrap();
    let found = findings_of(straight.path());
    assert!(found.iter().any(|f| f.1 == 4 && f.2 == "attendance_code"), "the short row's missing code is reported: {found:?}");
    assert_eq!(found, findings_of(moved.path()));
    for figures in ["ada", "chronic"] {
        let run = |dir: &tempfile::TempDir| stdout(&[figures, "--format", "csv", "--as-of", AS_OF, dir.path().to_str().unwrap()]);
        assert_eq!(run(&straight), run(&moved), "{figures}");
    }
}
