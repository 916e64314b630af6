//! Attendance accounting: the ledger of daily attendance kept by the check engine's pass
//! ([`ledger`]), and what is read from it: ADA per school and grade span for P-1, P-2 and
//! Annual, the Student Absence Summary file, and chronic absenteeism (attendance.md).

pub mod ledger;

use crate::engine::NotChecked;
use crate::rules::attendance::{MISSING_DAYS, NON_SCHOOL_DAY, STAS_MISMATCH};

/// The attendance rules a run could not apply for want of a calendar.
pub fn not_checked(ledger: &ledger::Ledger) -> Vec<NotChecked> {
    if ledger.calendar().is_some() || ledger.records == 0 {
        return Vec::new();
    }
    [&NON_SCHOOL_DAY, &MISSING_DAYS, &STAS_MISMATCH]
        .into_iter()
        .map(|rule| NotChecked { rule, needs: "a calendar CSV among the inputs, or --calendar FILE" })
        .collect()
}
