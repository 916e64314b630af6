//! `rollcall truancy`: the truant students of the year under the Education Code
//! ([`crate::attendance::truancy`]) as a table or CSV, and with `--letters DIR` the first
//! notification to the parents of every newly truant student ([`crate::attendance::letters`]),
//! with a log of who was notified when, so the next run writes only the new ones.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use super::{CodesArgs, DataArgs, GlobalArgs, TableReportArgs};
use crate::attendance::letters::{self, LetterData};
use crate::attendance::truancy::{self, Contacts, Truant};
use crate::domain::codes::{school_code, ssid_text, StudentKey};
use crate::domain::date::{day_number, from_day_number};
use crate::error::Error;
use crate::report::csv::{CsvWriter, Framing};
use crate::report::file::write_atomic;
use crate::report::table::{Column, Table};

const AFTER_HELP: &str = "Examples:
  rollcall truancy samples/clean                                 truant students of the year
  rollcall truancy exports/ --as-of 2026-01-30 --format csv
  rollcall truancy exports/ --letters letters/                   first notifications, new ones only
  rollcall truancy exports/ --letters letters/ --template templates/truancy-first-notification.html \\
      --template templates/truancy-first-notification.es.html    with a second language

EC 48260: an occasion is a full day absent without valid excuse (an unexcused code) or, when
the attendance has minutes_absent, an unexcused absence or tardy of more than 30 minutes; only
occasions between the 6th and the 18th birthday count (the birth date comes from SENR). A
student with 3 occasions is truant (truant_on: the third); each further one is another report
(EC 48261); 3 reports make a habitual truant (EC 48262); occasions on 10 % or more of the
expected days a chronic truant (EC 48263.6). --letters writes one HTML letter per newly truant
student and one combined file with a page break after each (print them from a browser), and
records them in letters-log.csv in the folder (--log for another file); students in the log
get no second letter.
Exit status: 0 computed; 2 no calendar, no attendance, or an unreadable input or template.";

/// Truant students under the Education Code, and their first notifications.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Files or folders: daily attendance, calendar, SENR and SINF files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format of the list.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the first notification of every newly truant student into this folder.
    #[arg(long, value_name = "DIR")]
    pub letters: Option<PathBuf>,
    /// Letter template (HTML fragment with placeholders); repeat for a second language.
    /// Default: the project's English template.
    #[arg(long = "template", value_name = "FILE")]
    pub templates: Vec<PathBuf>,
    /// The letter log (CSV); default: letters-log.csv in the letters folder.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// The attendance calendar, when it is not among the paths.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    #[command(flatten)]
    pub codes: CodesArgs,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub report: TableReportArgs,
}

/// `truancy --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
}

pub fn run(args: Args, global: &GlobalArgs, out: &mut dyn Write) -> Result<ExitCode, Error> {
    args.report.check()?;
    if args.report.redact && args.letters.is_some() {
        return Err(Error::Argument {
            arg: "--redact",
            message: "letters go to families and name the student: write them without --redact".to_owned(),
        });
    }
    let templates = load_templates(&args.templates)?;
    let mut contacts = Contacts::default();
    let (inputs, accounted) = super::accounted_with(&args.codes, &args.data, &args.paths, args.calendar.as_ref(), global, &mut contacts)?;
    let ledger = &accounted.ledger;
    if ledger.calendar().is_none() {
        return Err(Error::Argument {
            arg: "PATHS",
            message: "no attendance calendar among the inputs (a CSV with date and day_type columns, or --calendar FILE)".to_owned(),
        });
    }
    if ledger.counted == 0 {
        return Err(Error::Argument { arg: "PATHS", message: "no daily attendance record to count among the inputs".to_owned() });
    }
    // `--as-of`: occasions and expected days through that day (a list as of a past date).
    let until = args.data.as_of.map_or(i32::MAX, day_number);
    let truants = truancy::truants(ledger, until);
    let list = truants_table(&truants);
    let text = match args.format {
        Format::Csv => String::from_utf8_lossy(&list.csv(Framing::Plain).map_err(Error::stdout)?).into_owned(),
        Format::Table => table(&truants),
    };
    out.write_all(args.report.shown(text).as_bytes()).map_err(Error::stdout)?;
    args.report.write("Truant students", &[list, by_school(&truants)], &inputs)?;
    if let Some(dir) = &args.letters {
        let inputs: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).chain(args.templates.iter().cloned()).collect();
        let written = write_letters(dir, args.log.as_deref(), &templates, &truants, &contacts, &args.data.today().to_string(), &inputs)?;
        #[allow(clippy::print_stderr)]
        {
            eprintln!("{written}");
        }
    }
    super::ada::note(&accounted);
    Ok(ExitCode::SUCCESS)
}

fn load_templates(paths: &[PathBuf]) -> Result<Vec<String>, Error> {
    if paths.is_empty() {
        return Ok(vec![letters::DEFAULT_TEMPLATE.to_owned()]);
    }
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.clone(), source })?;
        letters::check_template(&text).map_err(|message| Error::Argument { arg: "--template", message: format!("{}: {message}", path.display()) })?;
        out.push(text);
    }
    Ok(out)
}

fn id_of(student: StudentKey) -> (String, String) {
    match student {
        StudentKey::Ssid(s) => (ssid_text(s), String::new()),
        StudentKey::Local(l) => (String::new(), l.text()),
    }
}

fn yes(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

/// One row per truant student, in the order they became truant.
fn truants_table(truants: &[Truant]) -> Table {
    let columns = vec![
        Column::text("ssid"),
        Column::text("school_of_attendance"),
        Column::number("unexcused_absence_days"),
        Column::text("truant_on"),
        Column::number("truancy_reports"),
        Column::text("habitual_truant"),
        Column::number("expected_attendance_days"),
        Column::text("chronic_truant"),
    ];
    let mut t = Table::new("Truant students", columns);
    for tr in truants {
        let on = tr.truant_on();
        t.push(vec![
            id_of(tr.student).0,
            school_code(on.school),
            tr.occasions.len().to_string(),
            from_day_number(on.day).to_string(),
            tr.reports().to_string(),
            yes(tr.habitual()).to_owned(),
            tr.expected.to_string(),
            yes(tr.chronic()).to_owned(),
        ]);
    }
    t
}

/// Truant students per school (the school they became truant at), charted.
fn by_school(truants: &[Truant]) -> Table {
    let mut counts: std::collections::BTreeMap<u32, u64> = std::collections::BTreeMap::new();
    for t in truants {
        *counts.entry(t.truant_on().school).or_default() += 1;
    }
    let mut t = Table::new("Truant students by school", vec![Column::text("school_of_attendance"), Column::number("truant_students")]);
    for (school, n) in counts {
        t.push(vec![school_code(school), n.to_string()]);
    }
    t.with_chart("Truant students by school", "school_of_attendance", "truant_students")
}

fn table(truants: &[Truant]) -> String {
    if truants.is_empty() {
        return "No student is truant.\n".to_owned();
    }
    let mut text = format!("{} truant students (EC 48260), in the order they became truant:\n\n", truants.len());
    text.push_str(&format!("  {:<34} {:<8} {:<11} {:>9} {:>8}  {}\n", "student", "school", "truant on", "occasions", "reports", "also"));
    for t in truants {
        let on = t.truant_on();
        let mut also = Vec::new();
        if t.habitual() {
            also.push("habitual (EC 48262)".to_owned());
        }
        if t.chronic() {
            also.push(format!("chronic: {} of {} days (EC 48263.6)", t.occasions.len(), t.expected));
        }
        text.push_str(&format!(
            "  {:<34} {:<8} {:<11} {:>9} {:>8}  {}\n",
            t.student.describe(),
            school_code(on.school),
            from_day_number(on.day).to_string(),
            t.occasions.len(),
            t.reports(),
            also.join("; ")
        ));
    }
    text
}

/// The students of the log (SSID or local ID), if it exists.
fn logged(log: &Path) -> Result<BTreeSet<(String, String)>, Error> {
    if !log.exists() {
        return Ok(BTreeSet::new());
    }
    let bad = |message: String| Error::Argument { arg: "--log", message: format!("{}: {message}", log.display()) };
    let mut rdr = csv::Reader::from_path(log).map_err(|e| bad(e.to_string()))?;
    let headers = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
    let (Some(s), Some(l)) = (headers.iter().position(|h| h == "ssid"), headers.iter().position(|h| h == "local_student_id")) else {
        return Err(bad("not a letter log (no ssid and local_student_id columns)".to_owned()));
    };
    let mut out = BTreeSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        out.insert((rec.get(s).unwrap_or_default().to_owned(), rec.get(l).unwrap_or_default().to_owned()));
    }
    Ok(out)
}

/// The letters of the truant students not in the log, and the log extended with them.
fn write_letters(
    dir: &Path,
    log: Option<&Path>,
    templates: &[String],
    truants: &[Truant],
    contacts: &Contacts,
    today: &str,
    inputs: &[PathBuf],
) -> Result<String, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
    let log = log.map_or_else(|| dir.join("letters-log.csv"), Path::to_path_buf);
    let sent = logged(&log)?;
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let inputs: Vec<PathBuf> = inputs.iter().filter_map(|p| canonical(p)).collect();
    let guard = |path: &Path| -> Result<(), Error> {
        let full = canonical(path.parent().unwrap_or(Path::new("."))).map(|d| d.join(path.file_name().unwrap_or_default()));
        if full.is_some_and(|f| inputs.contains(&f)) {
            return Err(Error::Argument {
                arg: "--letters",
                message: format!("{} is an input; letters are never written over an input", path.display()),
            });
        }
        Ok(())
    };
    let mut bodies = Vec::new();
    let mut log_rows = Vec::new();
    for t in truants {
        let (ssid, local) = id_of(t.student);
        if sent.contains(&(ssid.clone(), local.clone())) {
            continue;
        }
        let contact = contacts.by_student.get(&t.student).cloned().unwrap_or_default();
        let on = t.truant_on();
        let data = LetterData {
            letter_date: today.to_owned(),
            guardian_names: contact.guardians.clone(),
            address_lines: contact.address.clone(),
            student_name: format!("{} {}", contact.first_name, contact.last_name).trim().to_owned(),
            student_id: if contact.local_id.is_empty() { local.clone() } else { contact.local_id.clone() },
            ssid: ssid.clone(),
            school: school_code(on.school),
            truant_on: from_day_number(on.day).to_string(),
            occasion_dates: t.occasions.iter().map(|o| from_day_number(o.day).to_string()).collect(),
        };
        let body = letters::fill(templates, &data);
        let name = format!("truancy-{}.html", if ssid.is_empty() { format!("local-{local}") } else { ssid.clone() });
        let path = dir.join(&name);
        guard(&path)?;
        write_atomic(
            &path,
            letters::document(&format!("Notice of truancy: {}", data.student_name), std::slice::from_ref(&body)).as_bytes(),
            &inputs,
        )?;
        bodies.push(body);
        log_rows.push([ssid, local, data.school.clone(), data.truant_on.clone(), t.occasions.len().to_string(), today.to_owned(), name]);
    }
    if bodies.is_empty() {
        return Ok(format!("no new truant student: no letter written ({} in {})", sent.len(), log.display()));
    }
    let combined = dir.join(format!("truancy-letters-{today}.html"));
    guard(&combined)?;
    write_atomic(&combined, letters::document(&format!("Notices of truancy, {today}"), &bodies).as_bytes(), &inputs)?;
    // The log: what it held, and the letters of this run.
    let mut w = CsvWriter::new(Framing::Crlf);
    let header = ["ssid", "local_student_id", "school_of_attendance", "truant_on", "occasions", "notified_on", "letter"];
    let fail = |source: std::io::Error| Error::Write { path: log.clone(), source };
    w.row(header).map_err(fail)?;
    if log.exists() {
        let old = std::fs::read(&log).map_err(|source| Error::Read { path: log.clone(), source })?;
        let mut rdr = csv::Reader::from_reader(old.as_slice());
        for rec in rdr.records() {
            w.row(rec.map_err(|e| fail(std::io::Error::other(e)))?.iter()).map_err(fail)?;
        }
    }
    for row in &log_rows {
        w.row(row).map_err(fail)?;
    }
    let bytes = w.into_bytes().map_err(fail)?;
    guard(&log)?;
    write_atomic(&log, &bytes, &inputs)?;
    Ok(format!("wrote {} letters to {} ({}), logged in {}", bodies.len(), dir.display(), combined.display(), log.display()))
}
