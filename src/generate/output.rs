//! Getting generated files onto disk as one submission, never half of one, never over an
//! input, never two runs at once:
//!
//! - a lock file beside the output folder (`.NAME.rollcall.lock`) is held for the whole run;
//!   a second run into the same folder stops with exit 2 and names the holder;
//! - every file is written into a fresh private folder (mode 700) beside the output folder,
//!   synced, and that folder is swapped with the output folder in one step (Linux
//!   `renameat2(RENAME_EXCHANGE)`; elsewhere two renames with the old folder kept aside until
//!   the new one is in place), so a reader of the output folder sees the old submission whole
//!   or the new one whole, manifest included;
//! - a run killed half-way leaves at most that private folder behind, which the next run into
//!   the same output folder removes (or puts back, if it was the previous submission);
//! - the output folder must hold nothing but what rollcall wrote there (the files of the run,
//!   or of the previous run's manifest): rollcall replaces the folder, so it refuses one with
//!   other files in it.
//!
//! SHA-256 hashes for the manifest are here too.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::error::GenerateError;

/// The output folder, locked for this run, with the inputs it must never write over.
#[derive(Debug)]
pub struct OutputDir {
    pub dir: PathBuf,
    /// `dir` made absolute, with what exists of it resolved.
    resolved: PathBuf,
    /// Canonical paths of every input file.
    inputs: Vec<PathBuf>,
    /// Held until the run ends (the lock goes with the file handle).
    _lock: File,
}

/// The file that describes a run's outputs; written last.
const MANIFEST: &str = "manifest.json";

/// Private folders of runs in progress, removed if the process is stopped by a signal.
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the private folders of runs in progress (call from a signal handler thread before
/// exiting; the output folder itself is never half-replaced, so it needs nothing).
pub fn remove_staged() {
    let list = STAGED.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
    for dir in list {
        let _ = std::fs::remove_dir_all(dir);
    }
}

impl OutputDir {
    /// Checks `dir` against the input files and folders (exit 2 when it is one of the input
    /// folders or inside one, or exists and is not a folder), then takes its lock: exit 2,
    /// naming the holder, when another run holds it. Leftovers of a killed run are cleared.
    pub fn new(dir: &Path, input_files: &[PathBuf], input_dirs: &[PathBuf]) -> Result<OutputDir, Error> {
        let canon = |p: &Path| std::fs::canonicalize(p).ok();
        if dir.exists() && !dir.is_dir() {
            return Err(GenerateError::OutNotFolder { path: dir.to_path_buf() }.into());
        }
        let resolved = resolve(dir);
        if input_dirs.iter().filter_map(|d| canon(d)).any(|d| resolved.starts_with(&d)) {
            return Err(GenerateError::OutIsInput { path: dir.to_path_buf() }.into());
        }
        let (Some(parent), Some(name)) = (resolved.parent(), resolved.file_name()) else {
            return Err(GenerateError::OutNotFolder { path: dir.to_path_buf() }.into());
        };
        std::fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_path_buf(), source })?;
        let lock = lock(&parent.join(format!(".{}.rollcall.lock", name.to_string_lossy())), dir)?;
        let out = OutputDir {
            dir: dir.to_path_buf(),
            resolved: resolved.clone(),
            inputs: input_files.iter().filter_map(|p| canon(p)).collect(),
            _lock: lock,
        };
        out.clear_leftovers()?;
        Ok(out)
    }

    /// The path of output `name`; exit 2 when it is one of the inputs.
    pub fn path(&self, name: &str) -> Result<PathBuf, Error> {
        let path = self.dir.join(name);
        let target = self.resolved.join(name);
        let existing = std::fs::canonicalize(&path).ok();
        if [Some(target), existing].iter().flatten().any(|t| self.inputs.contains(t)) {
            return Err(GenerateError::OverwriteInput { path }.into());
        }
        Ok(path)
    }

    /// A sibling of the output folder: `.NAME.rollcall-KIND-PID`.
    fn sibling(&self, kind: &str) -> PathBuf {
        let name = self.resolved.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.resolved.with_file_name(format!(".{name}.rollcall-{kind}-{}", std::process::id()))
    }

    /// Removes what killed runs left beside the output folder; a previous submission that was
    /// set aside (the output folder missing) is put back first.
    fn clear_leftovers(&self) -> Result<(), Error> {
        let Some(parent) = self.resolved.parent() else { return Ok(()) };
        let name = self.resolved.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{name}.rollcall-");
        let entries = std::fs::read_dir(parent).map_err(|source| Error::Read { path: parent.to_path_buf(), source })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
            .collect();
        found.sort();
        if !self.resolved.exists() {
            if let Some(old) = found.iter().find(|p| p.to_string_lossy().contains(".rollcall-old-")) {
                std::fs::rename(old, &self.resolved).map_err(write_error(old))?;
            }
        }
        for p in found.iter().filter(|p| p.exists()) {
            std::fs::remove_dir_all(p).map_err(write_error(p))?;
        }
        Ok(())
    }

    /// Writes every file (the manifest, when there is one, last) into a private folder and
    /// swaps it with the output folder in one step.
    pub fn write_all(&self, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
        for (name, _) in files {
            if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
                return Err(GenerateError::OutputName { name: name.clone() }.into());
            }
            self.path(name)?;
        }
        self.check_contents(files)?;
        let staging = self.sibling("new");
        let guard = Staging::create(&staging)?;
        let mut ordered: Vec<&(String, Vec<u8>)> = files.iter().collect();
        ordered.sort_by_key(|(name, _)| name == MANIFEST);
        for (name, bytes) in ordered {
            write_synced(&staging.join(name), bytes)?;
        }
        let mode = std::fs::metadata(&self.resolved).ok().map(|m| permissions_of(&m));
        set_folder_mode(&staging, mode)?;
        sync_dir(&staging)?;
        self.swap_in(&staging)?;
        drop(guard);
        if let Some(parent) = self.resolved.parent() {
            sync_dir(parent)?;
        }
        Ok(())
    }

    /// The output folder may hold only files of this run or of the previous run's manifest.
    fn check_contents(&self, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
        let Ok(entries) = std::fs::read_dir(&self.resolved) else { return Ok(()) };
        let mut ours: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        ours.push(MANIFEST.to_owned());
        ours.extend(previous_outputs(&self.resolved.join(MANIFEST)));
        let mut other: Vec<String> = Vec::new();
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if !is_file || !ours.contains(&name) {
                other.push(name);
            }
        }
        if other.is_empty() {
            return Ok(());
        }
        other.sort();
        Err(GenerateError::OutHasOtherFiles { path: self.dir.clone(), names: other.join(", ") }.into())
    }

    /// Puts `staging` in the output folder's place in one step; the old folder is removed.
    fn swap_in(&self, staging: &Path) -> Result<(), Error> {
        if !self.resolved.exists() {
            return std::fs::rename(staging, &self.resolved).map_err(write_error(&self.resolved));
        }
        if exchange(staging, &self.resolved).is_ok() {
            // `staging` now holds the previous submission.
            return std::fs::remove_dir_all(staging).map_err(write_error(staging));
        }
        let old = self.sibling("old");
        std::fs::rename(&self.resolved, &old).map_err(write_error(&self.resolved))?;
        if let Err(source) = std::fs::rename(staging, &self.resolved) {
            let _ = std::fs::rename(&old, &self.resolved);
            return Err(Error::Write { path: self.resolved.clone(), source });
        }
        std::fs::remove_dir_all(&old).map_err(write_error(&old))
    }
}

/// Maps an I/O failure on `path` to an [`Error`].
fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Write { path, source }
}

/// Takes the lock file of an output folder, writing who holds it.
fn lock(path: &Path, shown: &Path) -> Result<File, Error> {
    let err = |source| Error::Write { path: path.to_path_buf(), source };
    let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim().to_owned();
            let holder = if holder.is_empty() { "another rollcall run".to_owned() } else { holder };
            return Err(GenerateError::OutLocked { path: shown.to_path_buf(), holder }.into());
        }
        Err(std::fs::TryLockError::Error(source)) => return Err(err(source)),
    }
    let holder = format!("rollcall generate, process {}, started {}", std::process::id(), chrono::Local::now().format("%Y-%m-%d %H:%M:%S"));
    file.set_len(0).map_err(err)?;
    file.write_all(holder.as_bytes()).map_err(err)?;
    Ok(file)
}

/// The file names the manifest at `path` lists as outputs (none when it cannot be read).
fn previous_outputs(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    let outputs = json.get("outputs").and_then(|o| o.as_array()).cloned().unwrap_or_default();
    outputs.iter().filter_map(|o| o.get("path")?.as_str().map(str::to_owned)).collect()
}

/// A private folder being filled: registered for removal on a signal, removed when dropped
/// unless it was swapped into place.
struct Staging {
    dir: PathBuf,
}

impl Staging {
    fn create(dir: &Path) -> Result<Staging, Error> {
        let err = |source| Error::Write { path: dir.to_path_buf(), source };
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(err)?;
        }
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(err)?;
        if let Ok(mut list) = STAGED.lock() {
            list.push(dir.to_path_buf());
        }
        Ok(Staging { dir: dir.to_path_buf() })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Ok(mut list) = STAGED.lock() {
            list.retain(|d| d != &self.dir);
        }
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let err = |source| Error::Write { path: path.to_path_buf(), source };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
    let mut file = options.open(path).map_err(err)?;
    file.write_all(bytes).map_err(err)?;
    file.sync_all().map_err(err)
}

#[cfg(unix)]
fn permissions_of(meta: &std::fs::Metadata) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777
}

#[cfg(not(unix))]
fn permissions_of(_: &std::fs::Metadata) -> u32 {
    0
}

/// Gives the filled folder the previous output folder's mode (or 755 for a new one), so the
/// swap changes the files and nothing else.
fn set_folder_mode(dir: &Path, mode: Option<u32>) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(mode.unwrap_or(0o755));
        std::fs::set_permissions(dir, perms).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
    }
    #[cfg(not(unix))]
    let _ = (dir, mode);
    Ok(())
}

/// Flushes a folder's entries to disk (where the system allows opening a folder).
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Exchanges two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// `path` made absolute and free of `.` and `..`, with the part that exists resolved
/// (symbolic links included), so a folder that does not exist yet can still be compared
/// with the input folders.
fn resolve(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    out.extend(rest.iter().rev());
    out
}

/// The SHA-256 of `bytes`, in lowercase hex.
///
/// ```
/// assert_eq!(&rollcall::generate::output::sha256_hex(b"")[..8], "e3b0c442");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a file, read in blocks.
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let mut file = File::open(path).map_err(err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    }

    #[test]
    fn refuses_to_write_over_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("senr.txt");
        std::fs::write(&input, "x").unwrap();
        let out = OutputDir::new(dir.path(), std::slice::from_ref(&input), &[]).unwrap();
        assert!(out.write_all(&[("senr.txt".into(), b"y".to_vec())]).is_err());
        assert_eq!(std::fs::read(&input).unwrap(), b"x");
        assert!(OutputDir::new(dir.path(), &[], &[dir.path().to_path_buf()]).is_err());
    }

    #[test]
    fn the_folder_is_replaced_whole_and_keeps_nothing_of_the_old_run() {
        let root = tempfile::tempdir().unwrap();
        let out_path = root.path().join("out");
        let out = OutputDir::new(&out_path, &[], &[]).unwrap();
        let manifest = br#"{"outputs":[{"path":"senr.txt"},{"path":"census.txt"}]}"#.to_vec();
        out.write_all(&[("senr.txt".into(), b"a".to_vec()), ("census.txt".into(), b"c".to_vec()), ("manifest.json".into(), manifest)]).unwrap();
        assert_eq!(names(&out_path), ["census.txt", "manifest.json", "senr.txt"]);
        out.write_all(&[("senr.txt".into(), b"b".to_vec()), ("manifest.json".into(), b"{}".to_vec())]).unwrap();
        assert_eq!(names(&out_path), ["manifest.json", "senr.txt"], "the old census file does not stay behind");
        assert_eq!(std::fs::read(out_path.join("senr.txt")).unwrap(), b"b");
        let beside = names(root.path());
        assert_eq!(beside, [".out.rollcall.lock", "out"], "nothing but the lock beside the folder");
    }

    #[test]
    fn a_folder_with_other_files_is_refused_untouched() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("notes.docx"), "mine").unwrap();
        let out = OutputDir::new(root.path(), &[], &[]).unwrap();
        let err = out.write_all(&[("senr.txt".into(), b"a".to_vec())]).unwrap_err();
        assert!(err.to_string().contains("notes.docx"), "{err}");
        assert_eq!(names(root.path()), ["notes.docx"]);
    }

    #[test]
    fn a_second_run_into_the_same_folder_is_refused_naming_the_first() {
        let root = tempfile::tempdir().unwrap();
        let out_path = root.path().join("out");
        let first = OutputDir::new(&out_path, &[], &[]).unwrap();
        let err = OutputDir::new(&out_path, &[], &[]).unwrap_err();
        assert!(err.to_string().contains(&format!("process {}", std::process::id())), "{err}");
        drop(first);
        assert!(OutputDir::new(&out_path, &[], &[]).is_ok(), "the lock goes with the first run");
    }

    #[test]
    fn leftovers_of_a_killed_run_are_cleared_and_a_set_aside_submission_put_back() {
        let root = tempfile::tempdir().unwrap();
        let out_path = root.path().join("out");
        std::fs::create_dir(root.path().join(".out.rollcall-new-1")).unwrap();
        std::fs::write(root.path().join(".out.rollcall-new-1/senr.txt"), "half").unwrap();
        std::fs::create_dir(root.path().join(".out.rollcall-old-1")).unwrap();
        std::fs::write(root.path().join(".out.rollcall-old-1/senr.txt"), "previous").unwrap();
        let _out = OutputDir::new(&out_path, &[], &[]).unwrap();
        assert_eq!(std::fs::read(out_path.join("senr.txt")).unwrap(), b"previous");
        assert_eq!(names(root.path()), [".out.rollcall.lock", "out"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_submission_whole() {
        let root = tempfile::tempdir().unwrap();
        let out_path = root.path().join("out");
        let out = OutputDir::new(&out_path, &[], &[]).unwrap();
        out.write_all(&[("senr.txt".into(), b"a".to_vec()), ("manifest.json".into(), b"{\"outputs\":[{\"path\":\"senr.txt\"}]}".to_vec())]).unwrap();
        assert!(out.write_all(&[("senr.txt".into(), b"b".to_vec()), ("bad/name.txt".into(), b"x".to_vec())]).is_err());
        assert_eq!(std::fs::read(out_path.join("senr.txt")).unwrap(), b"a");
        assert_eq!(names(root.path()), [".out.rollcall.lock", "out"]);
    }
}
