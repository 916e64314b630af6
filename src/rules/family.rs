//! Record families as values: a record type, how its layout's fields are found, its record
//! rules, the keys it gives the whole-run rules and where its identity fields are. The engine
//! knows no record type by name; adding one is a family here, its layout under `schemas/` and
//! its rule cases.

use std::fmt::Debug;

use super::identity::IdentityFields;
use super::keys::Index;
use super::{Lookup, MissingField, RecordCtx};
use crate::diagnostic::Finding;
use crate::domain::attendance::{DayRecord, StasFigures};
use crate::domain::enrollment::Enrollment;

/// One record type's rules, with the positions of the fields they read in one compiled layout.
pub trait RecordRules: Send + Sync + Debug {
    /// Runs the record rules on one record whose fields passed the field rules.
    fn check(&self, ctx: &RecordCtx<'_, '_>, out: &mut Vec<Finding>);
    /// Adds the record's keys for the within-file and cross-file rules.
    fn add_keys(&self, ctx: &RecordCtx<'_, '_>, keys: &mut Index);
    /// Where the student's identity fields are, for the identity rules.
    fn identity(&self) -> Option<IdentityFields>;
    /// The enrollment a record reports (SENR), for accumulators such as attendance.
    fn enrollment(&self, _ctx: &RecordCtx<'_, '_>) -> Option<Enrollment> {
        None
    }
    /// The absence summary a record reports (STAS), for accumulators such as attendance.
    fn summary(&self, _ctx: &RecordCtx<'_, '_>) -> Option<StasFigures> {
        None
    }
    /// The day of attendance a record reports (daily attendance), for the attendance ledger.
    fn day(&self, _ctx: &RecordCtx<'_, '_>) -> Option<DayRecord> {
        None
    }
}

/// A record family: its record type and how to compile its rules for a layout.
#[derive(Debug)]
pub struct Family {
    /// The record type of the layout it checks (`SENR`; also read in `SENR-R` download files).
    pub record_type: &'static str,
    /// Finds the fields the rules read in one year's form of the layout.
    pub compile: fn(&Lookup<'_, '_>) -> Result<Box<dyn RecordRules>, MissingField>,
}

/// Declares a family: `family!(SenrFields, "SENR", add_enrollment)` registers the static
/// `FAMILY` of a family file whose struct resolves its fields (`resolve`), whose record rules
/// are the file's `check`, which gives the whole-run keys through the named [`Index`] method,
/// and whose identity fields are `ssid`, `first_name`, `last_name`, `birth` and `gender`; more
/// methods of [`RecordRules`] (`enrollment`, `summary`) may follow in braces.
macro_rules! family {
    ($fields:ident, $record_type:literal, $add_keys:ident $(, { $($extra:item)* })?) => {
        #[doc = concat!("The ", $record_type, " family.")]
        pub static FAMILY: $crate::rules::family::Family =
            $crate::rules::family::Family { record_type: $record_type, compile: |l| Ok(Box::new($fields::resolve(l)?)) };

        impl $crate::rules::family::RecordRules for $fields {
            fn check(&self, ctx: &$crate::rules::RecordCtx<'_, '_>, out: &mut Vec<$crate::diagnostic::Finding>) {
                check(ctx, self, out);
            }

            fn add_keys(&self, ctx: &$crate::rules::RecordCtx<'_, '_>, keys: &mut $crate::rules::keys::Index) {
                keys.$add_keys(ctx, self);
            }

            fn identity(&self) -> Option<$crate::rules::identity::IdentityFields> {
                Some($crate::rules::identity::IdentityFields {
                    ssid: self.ssid,
                    first: self.first_name,
                    last: self.last_name,
                    birth: self.birth,
                    gender: self.gender,
                })
            }

            $($($extra)*)?
        }
    };
}
pub(crate) use family;

/// Every registered family. A layout of a custom schema whose record type is none of these
/// gets field rules only.
pub static FAMILIES: &[&Family] = &[&super::senr::FAMILY, &super::sinf::FAMILY, &super::stas::FAMILY, &super::attendance::FAMILY];

/// The family of `record_type`, if one is registered.
pub fn family_of(record_type: &str) -> Option<&'static Family> {
    FAMILIES.iter().copied().find(|f| f.record_type == record_type)
}
