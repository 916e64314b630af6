#!/usr/bin/env python3
"""Builds the seed corpora under fuzz/seeds/<target>/ from the repository's samples, schemas
and rule fixtures (run from anywhere; rewrites the folder). Small on purpose: the samples'
first lines, not whole files (the seeds stay well under 200 KB together)."""
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"


def head(path, lines):
    data = (ROOT / path).read_bytes()
    return b"".join(data.splitlines(keepends=True)[:lines])


def put(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def rule_files(prefixes, pattern):
    for p in sorted((ROOT / "tests/fixtures/rules").glob(pattern)):
        rule = p.relative_to(ROOT / "tests/fixtures/rules").parts[0]
        if any(rule.startswith(x) for x in prefixes):
            yield rule, p


shutil.rmtree(SEEDS, ignore_errors=True)

# caret_check: the input file as is.
for kind in ["clean", "errors"]:
    for name in ["senr.txt", "sinf.txt", "stas.txt"]:
        put("caret_check", f"{kind}-{name}", head(f"samples/{kind}/{name}", 12))
    put("caret_check", f"{kind}-calendar.csv", head(f"samples/{kind}/calendar.csv", 25))
    put("caret_check", f"{kind}-attendance.csv", head(f"samples/{kind}/attendance.csv", 25))

# extract_mapping: flags byte (bits 0-2 the file name), the extract, 0xFF, the mapping.
NAMES = ["enrollment.csv", "senr_extract.csv", "demographics.csv", "sinf_extract.csv", "stas_extract.csv", "extract.csv", "calendar.csv", "attendance.csv"]
mapping = (ROOT / "samples/extracts/mapping.toml").read_bytes()
put("extract_mapping", "enrollment", bytes([0]) + head("samples/extracts/enrollment.csv", 8) + b"\xff" + mapping)
put("extract_mapping", "enrollment-census", bytes([8 | 16]) + head("samples/extracts/enrollment.csv", 8) + b"\xff" + mapping)
put("extract_mapping", "demographics", bytes([2]) + head("samples/extracts/demographics.csv", 8) + b"\xff" + mapping)
put("extract_mapping", "attendance", bytes([7]) + head("samples/extracts/attendance.csv", 20) + b"\xff" + mapping)
for case in ["golden/extracts", "invalid", "cascade"]:
    d = ROOT / "tests/fixtures/generate" / case
    for extract in sorted(d.glob("*_extract.csv")):
        flags = NAMES.index(extract.name) | 16
        put("extract_mapping", f"{case.split('/')[0]}-{extract.stem}", bytes([flags]) + extract.read_bytes() + b"\xff" + (d / "mapping.toml").read_bytes())
for rule, p in rule_files(["GEN-"], "*/bad/in/*_extract.csv"):
    m = p.parent / "mapping.toml"
    flags = NAMES.index(p.name) | 16 if p.name in NAMES else 5
    put("extract_mapping", f"{rule}", bytes([flags]) + p.read_bytes() + (b"\xff" + m.read_bytes() if m.exists() else b""))

# fixed_width: a byte picking the layout (0 fixed, 1 tab), then the file.
put("fixed_width", "golden-census.txt", b"\x00" + (ROOT / "tests/fixtures/generate/golden/expected/census.txt").read_bytes())
put("fixed_width", "golden-census.tsv", b"\x01" + (ROOT / "tests/fixtures/generate/golden/expected/census.tsv").read_bytes())
for rule, p in rule_files(["LAYOUT-"], "*/*/in/census*"):
    put("fixed_width", f"{rule}-{p.parent.parent.name}", (b"\x01" if p.suffix == ".tsv" else b"\x00") + p.read_bytes())

# schema_load: a byte picking the file (0-8 the schema set's, 9 a census layout), then the text.
FILES = ["schema.toml", "senr.toml", "sinf.toml", "stas.toml", "codesets.toml", "iso3166.toml", "combinations.toml", "attendance.toml", "attendance-codes.toml"]
for i, name in enumerate(FILES):
    text = (ROOT / "schemas/calpads" / name).read_bytes()
    if name == "iso3166.toml":
        text = head("schemas/calpads/iso3166.toml", 60)
    put("schema_load", name, bytes([i]) + text)
for name in ["census-fixed.toml", "census-tab.toml"]:
    put("schema_load", name, b"\x09" + (ROOT / "schemas/cbeds" / name).read_bytes())
for p in sorted((ROOT / "tests/fixtures/rules").glob("LAYOUT-*/**/*.toml")):
    put("schema_load", f"{p.relative_to(ROOT / 'tests/fixtures/rules').parts[0]}-{p.name}", b"\x09" + p.read_bytes())

# calendar: a byte picking Census Day (0 the default, 1 a day in the year, 2 one outside), then the file.
put("calendar", "clean", b"\x00" + head("samples/clean/calendar.csv", 60))
put("calendar", "extract", b"\x01" + head("samples/extracts/calendar.csv", 60))
for rule, p in rule_files(["CAL-"], "*/*/in/calendar*.csv"):
    put("calendar", f"{rule}-{p.parent.parent.name}", b"\x00" + p.read_bytes())

total = sum(f.stat().st_size for f in SEEDS.rglob("*") if f.is_file())
count = sum(1 for f in SEEDS.rglob("*") if f.is_file())
print(f"{count} seeds, {total} bytes")

# Dictionaries (-dict=dicts/<target>.dict): tokens the checks compare against.
import re


def write_dict(name, comment, toks):
    lines = []
    for t in sorted(toks):
        esc = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02X" % ord(c) for c in t)
        lines.append(f'"{esc}"')
    d = ROOT / "fuzz" / "dicts"
    d.mkdir(exist_ok=True)
    (d / name).write_text(f"# {comment}\n" + "\n".join(lines) + "\n")


toks = set()
for f in ["codesets.toml", "attendance-codes.toml"]:
    toks |= set(re.findall(r'code = "([^"]+)"', (ROOT / "schemas/calpads" / f).read_text()))
toks |= {"SENR", "SINF", "STAS", "SENR^", "SINF^", "STAS^", "^", "^^", "\r\n", "\n", "\r", "\xef\xbb\xbf",
         "2025-2026", "2024-2025", "2026-2027", "20250813", "20260605", "20251001", "20250230", "19000101",
         "9912345", "9990011", "9900000001", "US-CA", "US", "KR", "LR-0001",
         "school_of_attendance,date,day_type", "school", "non_school", "holiday", "ssid,school_of_attendance,date,attendance_code",
         "record_type", "ssid"}
write_dict("caret_check.dict", "Tokens of CALPADS files: record types, codes of the embedded code sets, years, dates, ids.", toks)

toks = set()
for f in ["senr.toml", "sinf.toml", "stas.toml", "attendance.toml"]:
    toks |= set(re.findall(r'name = "([a-z_0-9]+)"', (ROOT / "schemas/calpads" / f).read_text()))
toks |= {"[columns]", "[constants]", "[codes.", "[files.\"", "[dates]", "[attendance_codes]", "record_type = \"SENR\"", "record_type = \"SINF\"",
         "record_type = \"STAS\"", "slash_order = \"day-first\"", "slash_order = \"month-first\"", "replace = true", " = \"", "\"\n",
         "present", "absent", "excused", "unexcused", "tardy", "suspension",
         "SSID", "Perm ID", "Birthdate", "Grade", "Leave Code", "Hispanic", "Race 1", "School", "Entry Date", "Leave Date",
         "08/14/2025", "14/08/2025", "2025-08-14", "20250814", "1/2/25", "2025-2026", "1964733", "6019715", "US-CA", "\r\n", ",", ";", "\t", "\"\"", "\xef\xbb\xbf"}
write_dict("extract_mapping.dict", "Tokens of extracts and mapping files: layout field names, mapping tables and keys, SIS headers, dates.", toks)
