//! Failures that stop a run (exit code 2): unreadable paths, broken schema files, bad
//! arguments. Findings about the data are never errors; they are [`crate::diagnostic::Finding`]s.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// A failure that prevents rollcall from doing what it was asked.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// A path given on the command line (or found under a folder) cannot be read.
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(rollcall::io::read), help("check that the path exists and is readable"))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Output could not be written.
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(rollcall::io::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A folder given as input holds no `.txt` or `.csv` file.
    #[error("no .txt or .csv file found under {path}")]
    #[diagnostic(code(rollcall::io::empty_folder), help("give the folder that holds the exported files, or the files themselves"))]
    NoInputs { path: PathBuf },
    /// A schema file is broken: not valid TOML, not of the schema format, or breaking one
    /// of its constraints.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Schema(Box<SchemaError>),
    /// The attendance calendar given with `--calendar` has a malformed row.
    #[error("calendar {path} line {line}: {message}")]
    #[diagnostic(
        code(rollcall::calendar),
        help("the calendar is a CSV with headers school_of_attendance,date,day_type; day_type is school, holiday or non_school")
    )]
    Calendar { path: PathBuf, line: u64, message: String },
    /// The school directory given with `--schools` has a malformed row.
    #[error("school directory {path} line {line}: {message}")]
    #[diagnostic(code(rollcall::directory), help("the school directory is a CSV with headers school_of_attendance,school_name,low_grade,high_grade,school_type (or grade_span), or the CDE directory export pubschls.txt as downloaded"))]
    Directory { path: PathBuf, line: u64, message: String },
    /// A command-line value that clap could not check by itself.
    #[error("invalid argument {arg}: {message}")]
    #[diagnostic(code(rollcall::args))]
    Argument { arg: &'static str, message: String },
    /// `rollcall explain` was given an ID that no rule has.
    #[error("no rule has the ID {id}")]
    #[diagnostic(code(rollcall::rules::unknown), help("{hint}"))]
    UnknownRule { id: String, hint: String },
    /// `rollcall generate` cannot go on (an extract, the mapping or the output folder is unusable).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Generate(Box<crate::write::error::GenerateError>),
}

/// What is wrong with a schema file, pointing into it.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("schema file {name} is invalid: {message}")]
#[diagnostic(code(rollcall::schema))]
pub struct SchemaError {
    pub name: String,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{message}")]
    pub span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

impl SchemaError {
    /// An [`Error`] for schema file `name` (with text `text`).
    pub fn error(name: &str, text: &str, message: String, span: Option<SourceSpan>, help: Option<String>) -> Error {
        Error::Schema(Box::new(SchemaError { name: name.to_owned(), message, src: NamedSource::new(name, text.to_owned()), span, help }))
    }
}

/// How `main` prints an error that stops a run (exit 2): one line `error: …` that says what
/// went wrong, with the causes the message does not already name; then, for errors that point
/// into a file (a broken schema or layout), the file excerpt with the spot labelled; then the
/// help, if any.
pub fn render(err: Error) -> String {
    let report = miette::Report::new(err);
    let mut line = report.to_string();
    let mut cause = std::error::Error::source(report.as_ref() as &dyn std::error::Error);
    while let Some(c) = cause {
        let text = c.to_string();
        if !line.contains(&text) {
            line = format!("{line}: {text}");
        }
        cause = c.source();
    }
    let mut out = format!("error: {line}\n");
    if report.labels().is_some_and(|mut l| l.next().is_some()) {
        out.push_str(&format!("{report:?}\n"));
    } else if let Some(help) = report.help() {
        out.push_str(&format!("help: {help}\n"));
    }
    out
}
