//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The date every test takes as "today", so date rules do not drift with the calendar.
pub(crate) const AS_OF: &str = "2026-07-15";

/// `rollcall` with colors off and a fixed environment.
pub(crate) fn rollcall() -> Command {
    let mut cmd = Command::cargo_bin("rollcall").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE").current_dir(root());
    cmd
}

/// The repository root (tests run with paths relative to it).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under tests/fixtures.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new("tests/fixtures").join(rel)
}

/// Parses JSON Lines output.
pub(crate) fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}
