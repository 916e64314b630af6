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

/// A scratch folder for this process, `rollcall-fuzz-PID` (libFuzzer ends a process with
/// `exit`, so nothing is dropped): the folders of earlier runs whose process is gone are
/// removed when it is made.
static SCRATCH: LazyLock<PathBuf> = LazyLock::new(|| {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
    if let Ok(entries) = std::fs::read_dir(&base) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix("rollcall-fuzz-").and_then(|p| p.parse::<u32>().ok()) else { continue };
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = base.join(format!("rollcall-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
});

/// The scratch folder.
pub fn scratch() -> &'static Path {
    &SCRATCH
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
