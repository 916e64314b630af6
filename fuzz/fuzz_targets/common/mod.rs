//! What the fuzz targets share: a scratch folder (in memory when /dev/shm exists), the date
//! every run takes as today, and the embedded schema loaded once.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::NaiveDate;
use rollcall::schema::Schema;
use rollcall::source::Input;

/// "Today" for every run, as the integration tests take it, so date rules do not drift.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 15).expect("a date")
}

/// The schema compiled into the binary, parsed once per process.
pub static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::embedded().expect("the embedded schema loads"));

/// A scratch folder for this process, removed never (it is small; the fuzzer runs long).
static SCRATCH: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let shm = Path::new("/dev/shm");
    let mut b = tempfile::Builder::new();
    b.prefix("rollcall-fuzz-");
    if shm.is_dir() { b.tempdir_in(shm) } else { b.tempdir() }.expect("a scratch folder")
});

/// The scratch folder.
pub fn scratch() -> &'static Path {
    SCRATCH.path()
}

/// Writes `bytes` to `name` in the scratch folder (replacing what was there).
pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("scratch subfolder");
    }
    std::fs::write(&path, bytes).expect("scratch file");
    path
}

/// An input of a run, named as the user would see it.
pub fn input(path: PathBuf) -> Input {
    let display = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Input { path, display }
}
