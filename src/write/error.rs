//! Failures of `rollcall generate` that stop it before anything is written (exit code 2):
//! an extract that cannot be matched to a layout, a mapping or layout that contradicts
//! itself, an output that would overwrite an input. Findings about values are never these.

use std::path::PathBuf;

use miette::Diagnostic;

use crate::error::Error;

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
