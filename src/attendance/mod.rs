//! Attendance accounting: the ledger of daily attendance kept by the check engine's pass
//! ([`ledger`]), and what is read from it: ADA per school and grade span for P-1, P-2 and
//! Annual, the Student Absence Summary file, and chronic absenteeism (attendance.md).

pub mod ada;
pub mod chronic;
pub mod ledger;
pub mod letters;
pub mod monthly;
pub mod stas;
pub mod truancy;

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

/// A run of the engine with the attendance ledger: the ledger, and the findings counted.
pub struct Accounted {
    pub ledger: ledger::Ledger,
    pub tally: crate::report::Tally,
    pub totals: crate::engine::Totals,
}

/// Reads `inputs` (enrollments, calendar, daily attendance, absence summaries) through the
/// engine with the attendance ledger, the field and record rules on (they decide which records
/// count) and the whole-run rules off (they are `rollcall check`'s).
pub fn account(
    schema: &crate::schema::Schema,
    inputs: &[crate::source::Input],
    mut options: crate::engine::Options,
) -> Result<Accounted, crate::error::Error> {
    let mut off = crate::rules::whole_run();
    off.extend(options.rules.off().iter().copied());
    options.rules = crate::diagnostic::RuleSet::without(off);
    account_with(schema, inputs, options, &mut crate::engine::Nothing)
}

/// [`account`], feeding `extra` (names and addresses for letters, say) in the same pass.
pub fn account_with(
    schema: &crate::schema::Schema,
    inputs: &[crate::source::Input],
    mut options: crate::engine::Options,
    extra: &mut dyn crate::engine::Accumulator,
) -> Result<Accounted, crate::error::Error> {
    let mut off = crate::rules::whole_run();
    off.extend(options.rules.off().iter().copied());
    options.rules = crate::diagnostic::RuleSet::without(off);
    let mut ledger = ledger::Ledger::for_figures();
    let mut sink = crate::report::Counting::default();
    let mut both = crate::engine::Both(&mut ledger, extra);
    let totals = crate::engine::Checker::new(schema, inputs, options).run_files_accumulating(&mut sink, &mut both)?;
    Ok(Accounted { ledger, tally: sink.tally, totals })
}
