//! The school directory (`--schools FILE`): for each school code, its name, the grades it
//! offers and whether it is an Educational Options school. Loads rollcall's own CSV
//! (`school_of_attendance,school_name,low_grade,high_grade,school_type`) or the California
//! School Directory export of the CDE (`pubschls.txt`: `CDSCode`, `School`, `GSoffered`,
//! `EdOpsCode`, tab-delimited) as it is, telling the two apart by their headers.

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::error::Error;

pub use crate::domain::enrollment::grade_rank;

/// Educational Options school types of the directory's `EdOpsCode` (SENR0189): juvenile court,
/// county community, community day, continuation, home and hospital, opportunity.
const ED_OPTIONS: [&str; 6] = ["JUV", "COMM", "COMMDAY", "CON", "HOMHOS", "OPP"];

/// One school of the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct School {
    pub name: String,
    /// Lowest and highest grade rank offered; `None` when the directory gives no span.
    pub span: Option<(u8, u8)>,
    /// The span as the directory wrote it, for messages.
    pub span_text: String,
    /// An Educational Options school (may take short-term enrollments).
    pub ed_options: bool,
    /// The school type as written.
    pub kind: String,
}

/// The loaded directory.
#[derive(Debug, Default)]
pub struct Directory {
    schools: FxHashMap<u32, School>,
    /// Where it came from, for messages.
    pub origin: String,
}

/// The columns a directory file is read from.
struct Columns {
    code: usize,
    name: Option<usize>,
    low: Option<usize>,
    high: Option<usize>,
    span: Option<usize>,
    kind: Option<usize>,
}

fn bad(path: &Path, line: u64, message: String) -> Error {
    Error::Directory { path: path.to_path_buf(), line, message }
}

impl Directory {
    /// Loads a directory file; a malformed row is an error naming its line.
    pub fn load(path: &Path) -> Result<Directory, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).into_owned();
        let first = text.lines().next().unwrap_or_default();
        let delimiter = if first.contains('\t') { b'\t' } else { b',' };
        let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
        let headers = rdr.headers().map_err(|e| bad(path, 1, e.to_string()))?.clone();
        let cols = columns(&headers)
            .ok_or_else(|| bad(path, 1, "no school code column (school_of_attendance, or CDSCode in the CDE directory export)".to_owned()))?;
        let mut dir = Directory { schools: FxHashMap::default(), origin: path.display().to_string() };
        for row in rdr.records() {
            let row = row.map_err(|e| bad(path, e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let line = row.position().map_or(0, |p| p.line());
            let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or_default().trim();
            let raw_code = cell(Some(cols.code));
            if raw_code.is_empty() {
                continue;
            }
            let code =
                school_code(raw_code).ok_or_else(|| bad(path, line, format!("`{raw_code}` is not a 7-digit school code or a 14-digit CDS code")))?;
            let (span, span_text) = match (cell(cols.span), cell(cols.low), cell(cols.high)) {
                (s, _, _) if !s.is_empty() => {
                    (parse_span(s).ok_or_else(|| bad(path, line, format!("grade span `{s}` is not like K-12, 9-12 or P-8")))?, s.to_owned())
                }
                (_, lo, hi) if !lo.is_empty() && !hi.is_empty() => {
                    let rank =
                        |g: &str| grade_rank(normal_grade(g).as_bytes()).ok_or_else(|| bad(path, line, format!("`{g}` is not a grade level code")));
                    // A school that offers kindergarten offers transitional kindergarten too, and
                    // one that offers preschool takes infants (as `K-` and `P-` spans do).
                    let low = match rank(lo)? {
                        r if Some(r) == grade_rank(b"KN") => grade_rank(b"TK").unwrap_or(r),
                        r if Some(r) == grade_rank(b"PS") => 0,
                        r => r,
                    };
                    (Some((low, rank(hi)?)), format!("{lo}-{hi}"))
                }
                _ => (None, String::new()),
            };
            let kind = cell(cols.kind).to_owned();
            let ed_options = ED_OPTIONS.iter().any(|k| k.eq_ignore_ascii_case(&kind)) || kind.eq_ignore_ascii_case("educational_options");
            dir.schools.insert(code, School { name: cell(cols.name).to_owned(), span, span_text, ed_options, kind });
        }
        Ok(dir)
    }

    /// The school with this code, when the directory lists it.
    pub fn school(&self, code: u32) -> Option<&School> {
        self.schools.get(&code)
    }

    pub fn len(&self) -> usize {
        self.schools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.schools.is_empty()
    }
}

fn columns(headers: &csv::StringRecord) -> Option<Columns> {
    let find = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    Some(Columns {
        code: find(&["school_of_attendance", "school_code", "cdscode"])?,
        name: find(&["school_name", "school"]),
        low: find(&["low_grade"]),
        high: find(&["high_grade"]),
        span: find(&["grade_span", "gsoffered"]),
        kind: find(&["school_type", "edopscode"]),
    })
}

/// A school code from a 7-digit school code or a 14-digit CDS code (county, district, school).
fn school_code(raw: &str) -> Option<u32> {
    let digits = match raw.len() {
        7 => raw,
        14 => &raw[7..],
        _ => return None,
    };
    digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok()).flatten()
}

/// A grade as the directory writes it (`K`, `P`, `1`, `Adult`) in CALPADS form (`KN`, `PS`, `01`, `AD`).
fn normal_grade(g: &str) -> String {
    match g.trim().to_ascii_uppercase().as_str() {
        "K" | "KN" => "KN".to_owned(),
        "P" | "PS" | "PK" => "PS".to_owned(),
        "ADULT" | "AD" => "AD".to_owned(),
        n if n.len() == 1 && n.as_bytes()[0].is_ascii_digit() => format!("0{n}"),
        other => other.to_owned(),
    }
}

/// A directory grade span like `K-12`, `P-8`, `9-12`, `K-Adult` or a single grade (`K`).
/// A span from preschool (`P`) includes infants; one from kindergarten includes TK.
///
/// ```
/// use rollcall::domain::directory::{grade_rank, parse_span};
/// let k5 = parse_span("K-5").unwrap().unwrap();
/// assert_eq!(k5, (grade_rank(b"TK").unwrap(), grade_rank(b"05").unwrap()));
/// assert_eq!(parse_span("P-Adult").unwrap().unwrap(), (0, grade_rank(b"AD").unwrap()));
/// assert!(parse_span("Q-12").is_none());
/// ```
pub fn parse_span(text: &str) -> Option<Option<(u8, u8)>> {
    let text = text.replace('\u{2013}', "-");
    if text.trim().is_empty() {
        return Some(None);
    }
    let (lo, hi) = text.split_once('-').unwrap_or((&text, &text));
    let lo = match normal_grade(lo).as_str() {
        "PS" => 0,
        "KN" => grade_rank(b"TK")?,
        g => grade_rank(g.as_bytes())?,
    };
    let hi = grade_rank(normal_grade(hi).as_bytes())?;
    (lo <= hi).then_some(Some((lo, hi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_rollcall_and_cde_forms() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("schools.csv");
        std::fs::write(
            &own,
            "school_of_attendance,school_name,low_grade,high_grade,school_type\n9990011,Elm Elementary,TK,05,\n9990045,Bay Continuation,10,12,CON\n",
        )
        .unwrap();
        let d = Directory::load(&own).unwrap();
        assert_eq!(d.school(9990011).unwrap().span, Some((2, 8)));
        let kn = dir.path().join("kn.csv");
        std::fs::write(&kn, "school_of_attendance,low_grade,high_grade\n9990011,KN,05\n").unwrap();
        assert_eq!(Directory::load(&kn).unwrap().school(9990011).unwrap().span, Some((2, 8)), "a span from KN takes TK");
        assert!(d.school(9990045).unwrap().ed_options);
        assert!(!d.school(9990011).unwrap().ed_options);
        let cde = dir.path().join("pubschls.txt");
        std::fs::write(&cde, "CDSCode\tStatusType\tSchool\tEdOpsCode\tGSoffered\n19647339990037\tActive\tOak High\tTRAD\t9-12\n19647330000000\tActive\tDistrict Office\t\t\n").unwrap();
        let d = Directory::load(&cde).unwrap();
        let oak = d.school(9990037).unwrap();
        assert_eq!((oak.name.as_str(), oak.span), ("Oak High", Some((12, 15))));
        assert_eq!(d.school(0).unwrap().span, None);
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schools.csv");
        std::fs::write(&path, "school_of_attendance,grade_span\n9990011,K-5\n99900,K-5\n").unwrap();
        match Directory::load(&path).unwrap_err() {
            Error::Directory { line, .. } => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
    }
}
