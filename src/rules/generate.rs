//! The rules that only `rollcall generate` raises: about extract values that cannot be turned
//! into a record without guessing (dates, delimiters), and about fixed-width or delimited
//! files written or read with a layout. Declared like every other family, as data, and registered
//! with the rest so `rollcall rules` and `rollcall explain` know them.

use crate::diagnostic::{Category, Severity};

crate::rules! {
    DATE_INVALID {
        id: "GEN-DATE-INVALID",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("FRMT0002"),
        summary: "An extract date is not a real date in a form rollcall reads",
        message: "column `{column}` holds `{value}`, which is not a date in any form rollcall reads ({field})",
        help: "write the date as 2025-08-14, 08/14/2025 or 20250814 in the extract; rollcall never guesses a date",
        explanation: "Dates in an extract may be written as CCYY-MM-DD, MM/DD/CCYY (DD/MM/CCYY when the mapping file says `slash_order = \"day-first\"`) or CCYYMMDD, and are written to the CALPADS file as CCYYMMDD. Anything else, or a day that does not exist, is reported instead of being guessed at.",
        bad: "Entry Date\n2025-02-30",
        good: "Entry Date\n2025-02-28",
    }

    DATE_AMBIGUOUS {
        id: "GEN-DATE-AMBIGUOUS",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: Some("FRMT0002"),
        summary: "An extract date could be read more than one way",
        message: "column `{column}` holds `{value}`, which could be more than one date ({field})",
        help: "export dates with a four-digit year and no time of day, like 08/14/2025 or 2025-08-14",
        explanation: "A two-digit year (08/14/25) does not say its century, and a date with a time of day may have been shifted by a time zone on export. rollcall reports such dates instead of picking one reading.",
        bad: "Entry Date\n8/14/25",
        good: "Entry Date\n8/14/2025",
    }

    FORBIDDEN_CHAR {
        id: "GEN-FORBIDDEN-CHAR",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A value holds the output delimiter or a line break",
        message: "{field} holds {what}, which the output file cannot carry",
        help: "remove {what} from the value in the student information system; rollcall never alters a value to make it fit",
        explanation: "CALPADS upload files separate fields with carets and records with CR LF, without quoting, so a value that contains a caret or a line break would shift every later field or split the record. rollcall refuses the record instead of changing the value.",
        bad: "Last Name\n\"GARCIA^LOPEZ\"",
        good: "Last Name\nGARCIA-LOPEZ",
    }

    COLUMN_COUNT {
        id: "GEN-COLUMN-COUNT",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "An extract row has more or fewer cells than the header",
        message: "the row has {found} cells; the header has {expected}",
        help: "export the extract again; a stray delimiter or an unclosed quote shifts every later cell",
        explanation: "Extract columns are matched by the header row, so a row with a different number of cells cannot be matched safely: every cell after the stray delimiter would land in the wrong field. The row is refused whole.",
        bad: "SSID,Grade\n1234567890,04,extra",
        good: "SSID,Grade\n1234567890,04",
    }

    FIELD_NOT_IN_YEAR {
        id: "GEN-FIELD-NOT-IN-YEAR",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "An extract value is for a field the row's academic year does not have",
        message: "{source} holds `{value}`, but {field} is not a field of {record_type} records in {year}",
        help: "clear the value for {year} rows (or correct the row's academic year); rollcall never drops a value silently",
        explanation: "Some layout fields exist only from or until a given academic year (`first_year`/`last_year` in the schema). A record of another year has no place for the field, so a value in it cannot be written; it is reported instead of being dropped, since it usually means the row's year or the column mapping is wrong.",
        bad: "Academic Year,Job Program Completion\n2025-2026,Y",
        good: "Academic Year,Job Program Completion\n2025-2026,",
    }

    LEA_MIX {
        id: "GEN-LEA-MIX",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "The rows of one generate run belong to more than one LEA",
        message: "this row is for LEA {value}, but the first row of the run is for LEA {other}",
        help: "generate each LEA's files in a run of its own; one submission is the files of one LEA",
        explanation: "A generated submission is one LEA's upload files (and one census file, whose header names one LEA). Rows of a second LEA in the same run would be mixed into the first LEA's files, so the first row of every other LEA is reported and nothing is written, even with --skip-invalid.",
        bad: "LEA,SSID\n9912345,9900000001\n9954321,9900000002",
        good: "LEA,SSID\n9912345,9900000001\n9912345,9900000002",
    }

    TOO_LONG {
        id: "LAYOUT-TOO-LONG",
        severity: Severity::Fatal,
        category: Category::Length,
        state_rule: None,
        summary: "A value is longer than its fixed-width or delimited field",
        message: "{field} `{value}` is {len} bytes; the field holds {width}",
        help: "shorten the value at its source; rollcall never truncates a value to fit",
        explanation: "Fixed-width fields have an exact width and delimited layout fields a maximum. A longer value would have to be cut, which silently changes the data (and can split a multi-byte character), so it is reported instead.",
        bad: "school `60197150` in a 7-byte field",
        good: "school `6019715` in a 7-byte field",
    }

    NOT_A_NUMBER {
        id: "LAYOUT-NUMBER",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "A number field holds something that is not a non-negative number it can carry",
        message: "{field} holds `{value}`, not a number with at most {decimals} decimals",
        help: "numbers are non-negative, with at most as many decimals as the field's implied decimals; rollcall never rounds",
        explanation: "Number fields are written right-aligned and zero-filled with a fixed count of implied decimals (no decimal point). A value with more decimals would have to be rounded and a negative one would need a sign the layout has no room for, so both are reported.",
        bad: "enrollment `12.5` with 0 implied decimals",
        good: "enrollment `12` with 0 implied decimals",
    }

    DATE_FIELD {
        id: "LAYOUT-DATE",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "A date field does not hold a real date in the layout's date format",
        message: "{field} holds `{value}`, not a date in the form {format}",
        help: "dates are written exactly in the layout's date_format",
        explanation: "Each date field of a layout names its date format (like CCYYMMDD or MM/DD/CCYY). A value that does not have exactly that shape, or names a day that does not exist, is reported.",
        bad: "census_day `20251301` (CCYYMMDD)",
        good: "census_day `20251001` (CCYYMMDD)",
    }

    RECORD_LENGTH {
        id: "LAYOUT-RECORD-LENGTH",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A fixed-width record is not exactly the layout's record length, or a delimited one has the wrong field count",
        message: "the {kind} record is {found} long; the layout says {expected}",
        help: "every record of a fixed-width file has the same length; a short or long record shifts nothing else but cannot be read safely",
        explanation: "Fixed-width files are read by position, so every record must be exactly `record_length` bytes before its terminator. Delimited layout files must have exactly one value per layout field.",
        bad: "D60197150KNF5000012 (one byte short)",
        good: "D60197150KNF50000120",
    }

    PADDING {
        id: "LAYOUT-PADDING",
        severity: Severity::Fatal,
        category: Category::Format,
        state_rule: None,
        summary: "A fixed-width field is not padded the way its layout says",
        message: "{field} `{value}` is not {align}-aligned with `{pad}` padding",
        help: "pad text on the right with spaces and numbers on the left with zeros, as the layout's align and pad say",
        explanation: "A fixed-width field's value sits on one side of the field and the rest is filled with the pad character. A number with spaces inside, or text pushed to the wrong side, usually means the file was written with a different layout.",
        bad: "enrollment `  12  `",
        good: "enrollment `000012`",
    }

    UNKNOWN_RECORD {
        id: "LAYOUT-UNKNOWN-RECORD",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A record is none of the layout's record kinds, or is out of place",
        message: "{message}",
        help: "the file must hold one header record first (when the layout has one), then detail records, then one trailer record last",
        explanation: "Layouts with header and trailer records tell the kinds apart by their constant fields (the record type code). A record that matches no kind, a second header, or a trailer that is not last means the file was cut, joined with another, or written with another layout.",
        bad: "H…\nD…\nX…",
        good: "H…\nD…\nT…",
    }

    CONTROL_TOTAL {
        id: "LAYOUT-CONTROL-TOTAL",
        severity: Severity::Fatal,
        category: Category::Arithmetic,
        state_rule: None,
        summary: "A trailer's record count or control total does not match the records",
        message: "{field} says {found}; the file's records give {expected}",
        help: "write the file again; a trailer that disagrees with the records means records were lost or added after it was written",
        explanation: "Trailer records carry the number of detail records and sums of their count fields, so the receiver can tell a complete file from a cut one. rollcall checks both when it reads a file back.",
        bad: "T0000040000115 with 41 detail records",
        good: "T0000041000115 with 41 detail records",
    }

    STAS_INCOMPLETE {
        id: "GEN-STAS-INCOMPLETE",
        severity: Severity::Fatal,
        category: Category::Consistency,
        state_rule: Some("STAS0318"),
        summary: "A STAS cannot be built from the daily records: they do not cover every expected day",
        message: "no STAS for {student} at {school}: {reason}",
        help: "export the missing days from the attendance system (or correct the enrollment dates if the student was not there); with --skip-invalid the other summaries are written and this one is listed in rejected.csv",
        explanation: "A Student Absence Summary's seven day counts must add up to its expected attendance days (STAS0318). rollcall builds each STAS from the daily records over the school days of the student's enrollments at the school; when some of those days have no record, the counts cannot add up, and rollcall refuses the summary instead of guessing what the missing days were. A student without an SSID gets no STAS either.",
        bad: "enrolled 180 school days, 175 daily records",
        good: "enrolled 180 school days, 180 daily records",
    }

    TERMINATOR {
        id: "LAYOUT-TERMINATOR",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "Records do not end the way the layout says, or the end-of-file marker is wrong",
        message: "{message}",
        help: "records end with the layout's terminator (CR LF or LF); the 0x1A end-of-file marker appears once, after the last record, only when the layout asks for it",
        explanation: "The receiving system splits records on the layout's terminator. A file saved with other line endings, with its last terminator missing, or with a stray or missing end-of-file marker is reported.",
        bad: "H…\\nD…\\n (LF where the layout says CR LF)",
        good: "H…\\r\\nD…\\r\\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_documented_like_the_registry() {
        for r in RULES {
            assert!(r.id.split('-').count() >= 2 && r.id.chars().all(|c| c.is_ascii_uppercase() || c == '-'), "{}", r.id);
            assert!(crate::rules::find(r.id).is_none_or(|found| std::ptr::eq(found, *r)), "{} clashes with a check rule", r.id);
            assert!(!r.summary.is_empty() && !r.summary.ends_with('.'), "{}", r.id);
            assert!(r.explanation.len() > 40 && r.bad != r.good, "{}", r.id);
        }
    }
}
