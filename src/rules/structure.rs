//! Structure rules: the file itself, before any field is looked at — field count, header
//! rows, empty files, unknown record types, encoding, line endings. The reader and the
//! check engine ([`crate::engine`]) raise these; this file declares them.

use crate::diagnostic::{Category, Severity};

crate::rules! {
    FIELD_COUNT {
        id: "STRUCT-FIELD-COUNT",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A record has more or fewer fields than its layout",
        message: "{record_type} record has {found} fields; the {year} layout has {expected}",
        help: "export the record again with exactly {expected} fields ({expected_delims} delimiters); an extra or missing delimiter shifts every field after it",
        explanation: "CALPADS files are positional: field N of a record is read as layout field N. A record with a missing or extra delimiter shifts every later field, so none of its fields can be checked. The record is reported once and its fields are not checked further.",
        bad: "STAS^^LR-2^1964733^6019715^2025-2026^1234567890^100234^MARIA^GARCIA^20150412^F^N^N^180^165^1^0^9^5^0^0",
        good: "STAS^^LR-2^1964733^6019715^2025-2026^1234567890^100234^MARIA^GARCIA^20150412^F^N^N^180^165^1^0^9^5^0^0^N^",
    }

    LAYOUT_YEAR {
        id: "STRUCT-LAYOUT-YEAR",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A file's records are in another academic year's layout than the year they name",
        message: "{what} {found} fields, the {record_type} layout of {fits}; the records say {year}, whose layout has {expected} fields",
        help: "export the file again in the {year} layout ({expected} fields), or correct academic_year_id if the records belong to {fits}",
        explanation: "CALPADS changes a layout at a rollover: SENR has 39 fields from 2019-2020 to 2022-2023 and 35 from 2023-2024 (the five program-completion indicators were dropped; 1.34 and 1.35 are new). A record is read with the layout of its own academic year. When a record's field count is wrong for its year but exactly right for another year's layout, the file was exported in the wrong layout (an old extract template) or carries the wrong year. That is reported once per file, with the number of records, at the first such record; the records are not checked field by field, since every field after the change would be misread.",
        bad: "SENR^^LR-1^...^2025-2026^...^N^N^N^N^N^N^N^N   (39 fields, the 2022-2023 and earlier layout)",
        good: "SENR^^LR-1^...^2025-2026^...^N^N^^   (35 fields)",
    }

    HEADER_ROW {
        id: "STRUCT-HEADER-ROW",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "The file starts with a header row, which CALPADS files must not have",
        message: "line 1 looks like a header row ({value}), not a record",
        help: "delete the header line; CALPADS caret and CSV uploads have no header row",
        explanation: "CALPADS upload files have no header row: every line is a record whose first field is the record type. A header row is rejected by the state as a record with an unknown record type. rollcall reports it once and checks the remaining lines.",
        bad: "record_type_code^transaction_type_code^local_record_id^...",
        good: "SENR^^LR-0001^1964733^6019715^^2025-2026^...",
    }

    EMPTY_FILE {
        id: "STRUCT-EMPTY-FILE",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A file holds no records",
        message: "the file holds no records",
        help: "export the file again; an empty upload replaces nothing and usually means the export failed",
        explanation: "An empty file is almost always a failed export. Uploading it does nothing at best; for replacement-type files (STAS) it can remove what the state holds. rollcall reports it so it is not uploaded by mistake.",
        bad: "(a file of 0 bytes)",
        good: "SENR^^LR-0001^1964733^6019715^^2025-2026^...",
    }

    UNKNOWN_TYPE {
        id: "STRUCT-UNKNOWN-TYPE",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A record's first field is not a record type of the schema",
        message: "record type `{value}` is not one of {known}",
        help: "the first field must be the record type code ({known}); check that the file is a CALPADS extract and that it is caret- or comma-delimited",
        explanation: "The record type code in the first field decides which layout a record is checked against. A line whose first field is not a known record type cannot be checked: it is reported and skipped. Binary or truncated files usually show up here.",
        bad: "SENX^^LR-0001^1964733^6019715^^2025-2026^...",
        good: "SENR^^LR-0001^1964733^6019715^^2025-2026^...",
    }

    ENCODING {
        id: "STRUCT-ENCODING",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A record is not valid UTF-8",
        message: "byte 0x{byte} at column {column} is not valid UTF-8",
        help: "save the export as UTF-8; a byte like 0x{byte} usually means the file was written as Windows-1252 (in which it is {cp1252})",
        explanation: "rollcall reads UTF-8, with or without a byte-order mark. It does not guess other encodings: a Windows-1252 byte such as 0xE9 (é) is reported with its line and column, and the rest of the record and file are still checked. Re-export the file as UTF-8.",
        bad: "SENR^^LR-1^1964733^6019715^^2025-2026^1234567890^100234^JOS\\xE9^...",
        good: "SENR^^LR-1^1964733^6019715^^2025-2026^1234567890^100234^JOSE^...",
    }

    RECORD_TOO_LONG {
        id: "STRUCT-RECORD-TOO-LONG",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A record is longer than the longest rollcall reads (1 MiB by default)",
        message: "the record is {length} bytes long, over the limit of {limit}; it was not checked",
        help: "a line this long is not a CALPADS record: the file is probably missing its line breaks, or is not a CALPADS file (raise the limit with --max-record-bytes if the record is real)",
        explanation: "A CALPADS record is a few hundred bytes. A line of megabytes is a file whose line breaks were lost (written with another convention, or joined), or something else given by mistake, like a binary file. rollcall reads at most --max-record-bytes of a line (default 1 MiB), reports the line once with its length, leaves it out of every other rule, and goes on with the next line, so one broken line neither stops the check nor takes the machine's memory.",
        bad: "SENR^^LR-1^...^...(2,000,000 more bytes without a line break)",
        good: "SENR^^LR-1^1964733^6019715^^2025-2026^1234567890^100234^JOSE^...",
    }

    LINE_ENDING {
        id: "STRUCT-LINE-ENDING",
        severity: Severity::Warning,
        category: Category::Structure,
        state_rule: None,
        summary: "Records end with LF or CR alone; CALPADS uploads need CR LF",
        message: "{what}",
        help: "convert the file to CR LF line endings before uploading (`unix2dos FILE` on Linux or macOS; on Windows, open it in Notepad and save it with Windows (CRLF) line endings)",
        explanation: "The CALPADS file specification says every record ends with carriage return + line feed. rollcall reads files whose records end with LF alone or CR alone (classic Mac OS and some spreadsheet exports) record by record, but warns once per file so the upload is converted first: for the file when its first record does not end with CR LF, or at the first record that does not in a file whose first record does (mixed endings, often from lines pasted in with another tool).",
        bad: "SENR^...^N<LF>",
        good: "SENR^...^N<CR><LF>",
    }

    ACADEMIC_YEAR_MIX {
        id: "STRUCT-ACADEMIC-YEAR-MIX",
        severity: Severity::Fatal,
        category: Category::Consistency,
        state_rule: None,
        summary: "Records of one file name different academic years",
        message: "academic year {value} differs from {file_year} on the file's first record",
        help: "split the file by academic year, or correct the academic_year_id of this record",
        explanation: "A CALPADS file belongs to one academic year: code effective years, Census Day and the layout itself are chosen by it. A record with a different academic_year_id is usually a leftover from last year's extract.",
        bad: "line 1: ...^2025-2026^...   line 2: ...^2024-2025^...",
        good: "line 1: ...^2025-2026^...   line 2: ...^2025-2026^...",
    }

    MISSING_TYPE {
        id: "STRUCT-MISSING-TYPE",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A record type the run requires (--require) has no records",
        message: "no {record_type} records in the run, and --require asks for them",
        help: "add the {record_type} file to the run (or check its name and content: rollcall tells files by their first record), or leave {record_type} out of --require",
        explanation: "An automated run that must check a whole submission names the record types it needs with --require senr,sinf,stas. A missing one is then fatal (exit 1) instead of the informational XF-NOT-CHECKED note, so a nightly job cannot pass because a file was not exported.",
        bad: "rollcall check --require senr,sinf,stas senr.txt sinf.txt",
        good: "rollcall check --require senr,sinf,stas senr.txt sinf.txt stas.txt",
    }

    WRONG_YEAR {
        id: "STRUCT-WRONG-YEAR",
        severity: Severity::Fatal,
        category: Category::Calendar,
        state_rule: None,
        summary: "A file is of another academic year than the run requires (--year)",
        message: "{file} is {found}; --year asks for {year}",
        help: "export {file} for {year}, or leave it out of this run",
        explanation: "With --year YYYY-YYYY, every file of the run must be of that academic year: one file of last year among this year's is one finding naming the file and both years, at the top of its section, instead of a record finding for each of its records.",
        bad: "rollcall check --year 2025-2026 senr-2024.txt sinf.txt stas.txt",
        good: "rollcall check --year 2025-2026 senr.txt sinf.txt stas.txt",
    }


    DELIMITER {
        id: "STRUCT-DELIMITER",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "A file's fields are separated by semicolons, tabs or bars instead of carets",
        message: "the fields of this file are separated by {what}; CALPADS files separate them with carets (^)",
        help: "export the file again with the caret (^) as the delimiter; a spreadsheet saved as CSV in a European locale uses semicolons",
        explanation: "CALPADS upload files separate fields with carets. A file saved with semicolons (a spreadsheet's CSV in a locale with decimal commas), tabs or bars is rejected whole; rollcall reports it once, at the top of the file, and still reads its records with that delimiter so every other finding is about the data, not the delimiter.",
        bad: "SENR;;LR-1;9912345;9990011;;2025-2026;…",
        good: "SENR^^LR-1^9912345^9990011^^2025-2026^…",
    }

    TRAILING_DELIMITER {
        id: "STRUCT-TRAILING-DELIMITER",
        severity: Severity::Fatal,
        category: Category::Structure,
        state_rule: None,
        summary: "Records end with an extra delimiter (one empty field too many)",
        message: "{records} of this file end with an extra `{delimiter}`: {found} fields where the {year} layout has {expected}",
        help: "remove the delimiter at the end of each record (the export adds one field too many); the state counts fields",
        explanation: "A record with one empty field more than its layout is almost always an export that ends every line with a delimiter. rollcall reports it once for the file, with the number of records, and reads the records without that empty last field, so the other rules still check the data.",
        bad: "SENR^^LR-1^…^N^N^^^",
        good: "SENR^^LR-1^…^N^N^^",
    }

}
