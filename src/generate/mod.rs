//! `rollcall generate` as a library: district extracts ([`extract`]) converted to CALPADS
//! records, checked in memory by the same engine as `rollcall check` ([`gate`]), written as one
//! whole submission ([`output`]) with a manifest of what went in and came out ([`manifest`]);
//! [`pipeline`] puts these together (`rollcall generate` is it plus a report).

pub mod extract;
pub mod gate;
pub mod manifest;
pub mod output;
pub mod pipeline;
