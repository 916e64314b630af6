//! Getting generated files onto disk without ever leaving half of them, and without ever
//! replacing an input: every file is written to a temporary name in the output folder
//! first, and renamed only when all of them were written. SHA-256 hashes for the manifest.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::GenerateError;
use crate::error::Error;

/// The output folder, with the inputs it must never write over.
#[derive(Debug)]
pub struct OutputDir {
    pub dir: PathBuf,
    /// Canonical paths of every input file.
    inputs: Vec<PathBuf>,
}

impl OutputDir {
    /// Checks `dir` against the input files and folders: exit 2 when it is one of the
    /// input folders or inside one (the next run would read the outputs as inputs), or
    /// when it exists and is not a folder. The folder is created only when files are
    /// written.
    pub fn new(dir: &Path, input_files: &[PathBuf], input_dirs: &[PathBuf]) -> Result<OutputDir, Error> {
        let canon = |p: &Path| std::fs::canonicalize(p).ok();
        if dir.exists() && !dir.is_dir() {
            return Err(GenerateError::OutNotFolder { path: dir.to_path_buf() }.into());
        }
        let out = resolve(dir);
        if input_dirs.iter().filter_map(|d| canon(d)).any(|d| out.starts_with(&d)) {
            return Err(GenerateError::OutIsInput { path: dir.to_path_buf() }.into());
        }
        Ok(OutputDir { dir: dir.to_path_buf(), inputs: input_files.iter().filter_map(|p| canon(p)).collect() })
    }

    /// The path of output `name`; exit 2 when it is one of the inputs.
    pub fn path(&self, name: &str) -> Result<PathBuf, Error> {
        let path = self.dir.join(name);
        let target = std::fs::canonicalize(&self.dir).map(|d| d.join(name)).ok();
        let existing = std::fs::canonicalize(&path).ok();
        if [target, existing].iter().flatten().any(|t| self.inputs.contains(t)) {
            return Err(GenerateError::OverwriteInput { path }.into());
        }
        Ok(path)
    }

    /// Writes every file to a temporary name, then renames them all into place. Every
    /// target is checked before the first rename, and a previous `manifest.json` is removed
    /// first and the new one renamed last, so a run that fails half-way never leaves a
    /// manifest that describes files it did not write.
    pub fn write_all(&self, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
        for (name, _) in files {
            let path = self.path(name)?;
            if path.is_dir() {
                return Err(GenerateError::OutputIsFolder { path }.into());
            }
        }
        std::fs::create_dir_all(&self.dir).map_err(|source| Error::Write { path: self.dir.clone(), source })?;
        let mut staged = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            staged.push((name.as_str(), self.stage(bytes)?, self.path(name)?));
        }
        staged.sort_by_key(|(name, _, _)| *name == MANIFEST);
        let manifest = self.dir.join(MANIFEST);
        if staged.iter().any(|(name, _, _)| *name == MANIFEST) && manifest.is_file() {
            std::fs::remove_file(&manifest).map_err(|source| Error::Write { path: manifest.clone(), source })?;
        }
        for (_, temp, path) in staged {
            temp.persist(&path).map_err(|e| Error::Write { path, source: e.error })?;
        }
        Ok(())
    }

    fn stage(&self, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
        let err = |source| Error::Write { path: self.dir.clone(), source };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".rollcall-").suffix(".tmp");
        // Temporary files are private (0600); the outputs are ordinary files.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let mut temp = builder.tempfile_in(&self.dir).map_err(err)?;
        temp.write_all(bytes).map_err(err)?;
        temp.as_file().sync_all().map_err(err)?;
        Ok(temp)
    }
}

/// The file that describes a run's outputs; renamed into place last.
const MANIFEST: &str = "manifest.json";

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
/// assert_eq!(&rollcall::write::output::sha256_hex(b"")[..8], "e3b0c442");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a file, read in blocks.
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let mut file = std::fs::File::open(path).map_err(err)?;
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

    #[test]
    fn refuses_to_write_over_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("senr.txt");
        std::fs::write(&input, "x").unwrap();
        let out = OutputDir::new(dir.path(), std::slice::from_ref(&input), &[]).unwrap();
        assert!(out.write_all(&[("senr.txt".into(), b"y".to_vec())]).is_err());
        assert_eq!(std::fs::read(&input).unwrap(), b"x");
        out.write_all(&[("sinf.txt".into(), b"y".to_vec())]).unwrap();
        assert_eq!(std::fs::read(dir.path().join("sinf.txt")).unwrap(), b"y");
        assert!(OutputDir::new(dir.path(), &[], &[dir.path().to_path_buf()]).is_err());
    }

    #[test]
    fn a_rename_that_fails_half_way_leaves_no_manifest_of_the_old_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), "old").unwrap();
        let out = OutputDir::new(dir.path(), &[], &[]).unwrap();
        // The manifest comes first in the list but is renamed last; `missing/b.txt` cannot be
        // renamed into place (no such folder), after `a.txt` was.
        let files = [("manifest.json".to_owned(), b"new".to_vec()), ("a.txt".to_owned(), b"a".to_vec()), ("missing/b.txt".to_owned(), b"b".to_vec())];
        assert!(out.write_all(&files).is_err());
        assert!(!dir.path().join("manifest.json").exists(), "neither the old manifest nor the new one");
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"a");
        let names: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "temporary files are removed: {names:?}");
        out.write_all(&files[..2]).unwrap();
        assert_eq!(std::fs::read(dir.path().join("manifest.json")).unwrap(), b"new");
    }
}
