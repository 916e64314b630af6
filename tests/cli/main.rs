//! The one integration-test binary: the command line end to end (assert_cmd), snapshots of
//! human output (insta), fixtures under tests/fixtures/.
#![allow(clippy::unwrap_used)]

mod util;

mod attendance;
mod catalog;
mod check;
mod diagnostics;
mod garbage;
mod generate;
mod hostile;
mod html;
mod layers;
mod layouts;
mod properties;
mod reports;
mod rules;
mod samples;
mod sarif;
mod scale;
