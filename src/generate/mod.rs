//! `rollcall generate` as a library: district extracts ([`extract`]) converted to CALPADS
//! records, checked in memory by the same engine as `rollcall check` ([`gate`]), written as one
//! whole submission ([`output`]) with a manifest of what went in and came out ([`manifest`]).

pub mod extract;
pub mod gate;
pub mod manifest;
pub mod output;
