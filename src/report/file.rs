//! Report files: `--report FILE` (repeatable) names a file whose format is told by its
//! extension, and every report file is written the same way ([`write_atomic`]): whole or not
//! at all, never over an input.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The formats a report file can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// A worklist or table for a spreadsheet (UTF-8 with byte-order mark, CR LF).
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// One self-contained HTML page.
    Html,
    /// SARIF 2.1.0, for code-scanning views.
    Sarif,
}

impl FileFormat {
    /// The format of a file name's extension.
    pub fn of(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => FileFormat::Csv,
            "xlsx" => FileFormat::Xlsx,
            "html" | "htm" => FileFormat::Html,
            "sarif" => FileFormat::Sarif,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::Xlsx => "Excel workbook",
            FileFormat::Html => "HTML",
            FileFormat::Sarif => "SARIF",
        }
    }
}

/// One `--report FILE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFile {
    pub path: PathBuf,
    pub format: FileFormat,
}

impl std::str::FromStr for ReportFile {
    type Err = String;

    fn from_str(s: &str) -> Result<ReportFile, String> {
        let path = PathBuf::from(s);
        match FileFormat::of(&path) {
            Some(format) => Ok(ReportFile { path, format }),
            None => Err(format!("`{s}` has no report extension: name the file .csv, .xlsx, .html or .sarif")),
        }
    }
}

/// Refuses a report that `formats` cannot write (exit 2 with the reason), before any work.
pub fn check_formats(files: &[ReportFile], formats: &[FileFormat], what: &str) -> Result<(), Error> {
    match files.iter().find(|f| !formats.contains(&f.format)) {
        Some(f) => Err(Error::Argument {
            arg: "--report",
            message: format!(
                "{} cannot be {} ({what} writes {})",
                f.path.display(),
                f.format.name(),
                formats.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            ),
        }),
        None => Ok(()),
    }
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file beside it (mode 600 on
/// Unix, as the bytes may be student records), then renamed over it. A path that is one of
/// `inputs` is refused: a report never replaces the data it reports on.
pub fn write_atomic(path: &Path, bytes: &[u8], inputs: &[PathBuf]) -> Result<(), Error> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let full = canonical(&dir).map(|d| d.join(path.file_name().unwrap_or_default()));
    if full.is_some_and(|f| inputs.iter().filter_map(|i| canonical(i)).any(|i| i == f)) {
        return Err(Error::Argument { arg: "--report", message: format!("{} is an input; a report is never written over an input", path.display()) });
    }
    let err = |source| Error::Write { path: path.to_path_buf(), source };
    let mut tmp = tempfile::Builder::new().prefix(".rollcall-").suffix(".tmp").tempfile_in(&dir).map_err(err)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        assert_eq!("x/Work List.XLSX".parse::<ReportFile>().map(|r| r.format), Ok(FileFormat::Xlsx));
        assert_eq!("r.sarif".parse::<ReportFile>().map(|r| r.format), Ok(FileFormat::Sarif));
        assert!("r.pdf".parse::<ReportFile>().unwrap_err().contains(".xlsx"));
        assert!("noext".parse::<ReportFile>().is_err());
    }

    #[test]
    fn never_over_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("senr.csv");
        std::fs::write(&input, "keep").unwrap();
        assert!(write_atomic(&input, b"x", std::slice::from_ref(&input)).is_err());
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "keep");
        let out = dir.path().join("report.csv");
        write_atomic(&out, b"new", &[input]).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
    }
}
