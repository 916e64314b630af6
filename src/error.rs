//! Failures that stop a run (exit code 2): unreadable paths, broken schema files, bad
//! arguments, and what stops `rollcall generate` before anything is written ([`GenerateError`]:
//! an extract that cannot be matched to a layout, a mapping that contradicts itself, an output
//! that would overwrite an input). Findings about the data are never errors; they are
//! [`crate::diagnostic::Finding`]s. This module sits at the bottom: it imports no other layer.

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
    #[error("nothing is known as `{id}`: no rule, state rule ID, field or code")]
    #[diagnostic(code(rollcall::rules::unknown), help("{hint}"))]
    UnknownRule { id: String, hint: String },
    /// `rollcall generate` cannot go on (an extract, the mapping or the output folder is unusable).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Generate(Box<GenerateError>),
}

impl Error {
    /// A failure to write a report to standard output.
    pub fn stdout(source: std::io::Error) -> Error {
        Error::Write { path: "standard output".into(), source }
    }
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
    let line = visible(&line).into_owned();
    let mut out = format!("error: {line}\n");
    if report.labels().is_some_and(|mut l| l.next().is_some()) {
        out.push_str(&format!("{report:?}\n"));
    } else if let Some(help) = report.help() {
        out.push_str(&format!("help: {}\n", visible(&help.to_string())));
    }
    out
}

/// Why `rollcall generate` cannot go on.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum GenerateError {
    /// Required layout fields have no column, no mapping and no constant.
    #[error("{file} has no column for {missing}")]
    #[diagnostic(
        code(rollcall::generate::missing_column),
        help(
            "name the column in the mapping file, e.g. [columns] \"Your Header\" = \"{first}\", or give a value every row shares under [constants]"
        )
    )]
    MissingColumns { file: String, missing: String, first: String },
    /// Two columns of one extract feed the same field.
    #[error("{file}: columns `{first}` and `{second}` both map to {field}")]
    #[diagnostic(code(rollcall::generate::duplicate_column), help("keep one of them, or map the other to a different field in the mapping file"))]
    DuplicateColumn { file: String, field: String, first: String, second: String },
    /// A field has both a column and a constant.
    #[error("{file}: {field} has both a column (`{column}`) and a constant in the mapping file")]
    #[diagnostic(code(rollcall::generate::constant_and_column), help("remove the constant or the column; rollcall does not pick one for you"))]
    ConstantAndColumn { file: String, field: String, column: String },
    /// The record type of an extract cannot be told from its name, mapping or columns.
    #[error("cannot tell which record type {file} holds: {reason}")]
    #[diagnostic(code(rollcall::generate::record_type), help("name it in the mapping file: [files.\"{name}\"] record_type = \"SENR\""))]
    RecordType { file: String, name: String, reason: String },
    /// An extract has no header row, or a header rollcall cannot use.
    #[error("{file}: {reason}")]
    #[diagnostic(code(rollcall::generate::header), help("an extract is a CSV file whose first line names its columns"))]
    Header { file: String, reason: String },
    /// An extract has its header row and nothing else.
    #[error("{file} has a header row but no data rows")]
    #[diagnostic(
        code(rollcall::generate::no_rows),
        help("export the extract again; an empty output would replace the state's records with nothing")
    )]
    NoRows { file: String },
    /// An extract ends inside a quoted value: its last row would swallow the rest of the file.
    #[error("{file}:{line}: a quote opened on this line is never closed{note}, so the rest of the file would be read as one value")]
    #[diagnostic(
        code(rollcall::generate::unclosed_quote),
        help("close the quote (a quote inside a quoted value is written twice: \"\"), or export the extract again")
    )]
    UnclosedQuote { file: String, line: u64, note: String },
    /// `--census-date` is not a day of the submission's academic year.
    #[error("the census day {day} is not in the academic year {year} ({first} to {last})")]
    #[diagnostic(
        code(rollcall::generate::census_date),
        help("give a --census-date inside the academic year, or leave it out for the first Wednesday in October")
    )]
    CensusDate { day: String, year: String, first: String, last: String },
    /// A census layout does not read back the values it wrote.
    #[error("layout {layout} does not read back what it wrote: {field} on record {line} was `{written}` and reads back as `{read}`")]
    #[diagnostic(code(rollcall::generate::layout_round_trip), help("check the field's type, align and pad in the layout file"))]
    LayoutRoundTrip { layout: String, line: u64, field: String, written: String, read: String },
    /// An output would replace one of the inputs.
    #[error("refusing to write {path}: it is one of the inputs")]
    #[diagnostic(code(rollcall::generate::overwrite_input), help("choose another --out folder; rollcall never writes over its inputs"))]
    OverwriteInput { path: PathBuf },
    /// The output folder is one of the input folders, or inside one.
    #[error("the output folder {path} is inside an input folder")]
    #[diagnostic(code(rollcall::generate::out_is_input), help("write to a folder of its own, or the next run would read the outputs as extracts"))]
    OutIsInput { path: PathBuf },
    /// `--out` names something that is not a folder.
    #[error("the output folder {path} exists and is not a folder")]
    #[diagnostic(code(rollcall::generate::out_not_folder), help("give a folder for --out (it is created when missing)"))]
    OutNotFolder { path: PathBuf },
    /// Another run holds the output folder's lock.
    #[error("the output folder {path} is in use by another run ({holder})")]
    #[diagnostic(code(rollcall::generate::out_locked), help("wait for that run to finish, or write to another --out folder"))]
    OutLocked { path: PathBuf, holder: String },
    /// The output folder holds files rollcall did not write.
    #[error("the output folder {path} holds files rollcall did not write: {names}")]
    #[diagnostic(
        code(rollcall::generate::out_has_other_files),
        help("rollcall replaces its output folder as a whole: give an empty folder or one a previous run wrote, and keep other files elsewhere")
    )]
    OutHasOtherFiles { path: PathBuf, names: String },
    /// An output file name is not a plain file name.
    #[error("output file name `{name}` is not a plain file name")]
    #[diagnostic(code(rollcall::generate::output_name), help("file names in layouts are plain names without folders, like census.txt"))]
    OutputName { name: String },
    /// Nothing would be written.
    #[error("nothing to generate: {reason}")]
    #[diagnostic(code(rollcall::generate::nothing), help("give district extracts (CSV with a header row), or CALPADS files together with --census"))]
    Nothing { reason: String },
    /// Two outputs of one run would have the same file name.
    #[error("two outputs would be named {name}")]
    #[diagnostic(
        code(rollcall::generate::name_clash),
        help("give each --census-layout its own file_name (a layout named twice writes the same file)")
    )]
    NameClash { name: String },
    /// Census rows of more than one LEA would share one header.
    #[error("the census rows belong to several LEAs ({leas})")]
    #[diagnostic(code(rollcall::generate::several_leas), help("generate one census per LEA: give each LEA's files to its own run"))]
    SeveralLeas { leas: String },
    /// A layout needs a value the run does not supply.
    #[error("layout {layout} asks for {what} `{name}`, which rollcall does not supply")]
    #[diagnostic(code(rollcall::generate::layout_value), help("known names: {known}"))]
    LayoutValue { layout: String, what: &'static str, name: String, known: String },
}

impl From<GenerateError> for Error {
    fn from(e: GenerateError) -> Error {
        Error::Generate(Box::new(e))
    }
}

/// What a file that is not a regular file is, in words (`None` for a regular file).
pub fn irregular_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        None
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_block_device() || t.is_char_device() {
        Some("a device")
    } else {
        Some("not a regular file")
    }
}

/// How a character of the data is shown: control characters as their Unicode control picture
/// (`␀`, `␛`: never sent raw to a terminal), invisible and zero-width characters as `␣`, so
/// the reader sees them and the underline stays under the right columns.
pub fn shown(c: char) -> char {
    match c {
        '\0'..='\x1f' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('·'),
        '\x7f' => '␡',
        '\u{80}'..='\u{9f}' => '·',
        '\u{a0}' | '\u{ad}' | '\u{2007}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' => '␣',
        // Bidirectional isolates and the Arabic letter mark reorder what follows them.
        '\u{2066}'..='\u{2069}' | '\u{61c}' => '␣',
        c => c,
    }
}

/// `text` with every character as [`shown`]: any text from a file (a value, a file name, a
/// header, a mapping key) before it reaches a terminal.
///
/// ```
/// assert_eq!(rollcall::error::visible("a\x1b[2Jb\u{2066}c"), "a␛[2Jb␣c");
/// ```
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| shown(c) == c) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().map(shown).collect())
    }
}
