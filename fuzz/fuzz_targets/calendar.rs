//! The attendance calendar reader (`rollcall check --calendar`, `rollcall calendar`) on one
//! file of arbitrary bytes, then the questions the rules and reports ask of the calendar read.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let path = common::write("calendar.csv", body);
    // Census Day: the first Wednesday in October, or one given (in or out of the year).
    let census = match pick % 3 {
        0 => None,
        1 => chrono::NaiveDate::from_ymd_opt(2025, 10, 1),
        _ => chrono::NaiveDate::from_ymd_opt(1999, 2, 28),
    };
    let Ok((calendar, _findings)) = rollcall::rules::calendar::read(&path, 0, census) else { return };
    let _ = calendar.year();
    let _ = calendar.is_empty();
    let _ = calendar.has_default();
    let _ = calendar.months(None);
    let schools: Vec<u32> = calendar.schools().collect();
    for &school in schools.iter().take(8) {
        let _ = calendar.months(Some(school));
        let days = calendar.school_days_of(school).to_vec();
        if let (Some(first), Some(last)) = (days.first(), days.last()) {
            let _ = calendar.school_days(school, *first, *last);
            let _ = calendar.school_days(school, *last, *first);
            let _ = calendar.is_school_day(school, *first);
            let _ = calendar.knows(school, *last);
        }
        let _ = calendar.effective(Some(school)).count();
        let _ = calendar.rows(Some(school)).count();
    }
    let _ = rollcall::rules::calendar::schools_without_calendar(&calendar, [6019715, 0, u32::MAX], 0);
});
