//! What a hostile or careless user does to rollcall, and what it must survive (issue 14):
//! nothing lost, nothing half-written, nothing left behind.

use std::path::{Path, PathBuf};

use crate::util::{json_lines, rollcall, root, AS_OF};

/// Copies the sample extracts into `dir`, with every line ending replaced by `ending`.
fn extracts_with(dir: &Path, ending: &[u8]) -> PathBuf {
    let to = dir.join("extracts");
    std::fs::create_dir_all(&to).unwrap();
    for name in ["enrollment.csv", "demographics.csv", "mapping.toml"] {
        let bytes = std::fs::read(root().join("samples/extracts").join(name)).unwrap();
        let bytes = if name.ends_with(".csv") {
            let lf = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
            lf.into_bytes().split(|b| *b == b'\n').collect::<Vec<_>>().join(ending)
        } else {
            bytes
        };
        std::fs::write(to.join(name), bytes).unwrap();
    }
    to
}

fn generate(input: &Path, out: &Path) -> std::process::Output {
    rollcall().arg("generate").arg(input).arg("--out").arg(out).args(["--as-of", AS_OF]).output().unwrap()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

/// Item 1: rows ending with CR alone (old Mac and spreadsheet exports) are rows, not one long
/// header: the same records as from CR LF rows.
#[test]
fn issue_14_cr_only_extracts_give_the_same_records_as_crlf_ones() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = extracts_with(&dir.path().join("a"), b"\r\n");
    let cr = extracts_with(&dir.path().join("b"), b"\r");
    let (out_a, out_b) = (dir.path().join("out-a"), dir.path().join("out-b"));
    let (a, b) = (generate(&crlf, &out_a), generate(&cr, &out_b));
    assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(b.status.code(), Some(0), "{}", String::from_utf8_lossy(&b.stderr));
    for name in ["senr.txt", "sinf.txt"] {
        assert!(!read(&out_a, name).is_empty());
        assert_eq!(read(&out_a, name), read(&out_b, name), "{name}");
    }
    assert!(String::from_utf8_lossy(&b.stdout).contains("15 input rows = 15 written + 0 rejected"), "{}", String::from_utf8_lossy(&b.stdout));
}

/// Item 1: a CALPADS file with CR-only records is read record by record (one line-ending
/// warning), not as one long record.
#[test]
fn issue_14_a_cr_only_calpads_file_is_read_record_by_record() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(root().join("samples/clean/senr.txt")).unwrap();
    let cr: Vec<u8> = String::from_utf8(text).unwrap().replace("\r\n", "\r").into_bytes();
    std::fs::write(dir.path().join("senr.txt"), cr).unwrap();
    let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(dir.path().join("senr.txt")).output().unwrap();
    let lines = json_lines(&out.stdout);
    let rules: Vec<&str> = lines.iter().filter(|l| l["kind"] == "diagnostic").map(|l| l["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["STRUCT-LINE-ENDING"], "{lines:#?}");
    assert_eq!(lines.last().unwrap()["records"], 310);
}

/// Item 1: an extract that holds a header and no data row is an error, never a "balanced"
/// empty output that would replace a good file.
#[test]
fn issue_14_an_extract_without_rows_stops_the_run_and_keeps_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    let x = extracts_with(&dir.path().join("x"), b"\r\n");
    let out = dir.path().join("out");
    assert_eq!(generate(&x, &out).status.code(), Some(0));
    let before = read(&out, "senr.txt");
    let header = std::fs::read_to_string(x.join("enrollment.csv")).unwrap().lines().next().unwrap().to_owned();
    std::fs::write(x.join("enrollment.csv"), header + "\r\n").unwrap();
    let run = generate(&x, &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("has a header row but no data rows"), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(read(&out, "senr.txt"), before);
}

/// Item 2: runs into one output folder at the same time never leave a manifest that lies:
/// each run writes its whole submission or is refused naming the run that holds the folder.
#[test]
fn issue_14_concurrent_runs_never_leave_a_manifest_that_lies() {
    let dir = tempfile::tempdir().unwrap();
    let a = extracts_with(&dir.path().join("a"), b"\r\n");
    let b = extracts_with(&dir.path().join("b"), b"\r\n");
    // The second input differs (one name), so its files have other hashes.
    let text = std::fs::read_to_string(b.join("enrollment.csv")).unwrap().replace("MARIA", "MARIE");
    std::fs::write(b.join("enrollment.csv"), text).unwrap();
    let out = dir.path().join("out");
    for _ in 0..3 {
        let runs: Vec<_> = (0..6)
            .map(|i| {
                let input = if i % 2 == 0 { a.clone() } else { b.clone() };
                let out = out.clone();
                std::thread::spawn(move || generate(&input, &out))
            })
            .collect();
        for run in runs {
            let run = run.join().unwrap();
            let code = run.status.code();
            assert!(
                code == Some(0) || (code == Some(2) && String::from_utf8_lossy(&run.stderr).contains("is in use by another run")),
                "{code:?}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
        }
        let manifest: serde_json::Value = serde_json::from_slice(&read(&out, "manifest.json")).unwrap();
        for o in manifest["outputs"].as_array().unwrap() {
            let name = o["path"].as_str().unwrap();
            let bytes = read(&out, name);
            assert_eq!(o["sha256"].as_str().unwrap(), rollcall::generate::output::sha256_hex(&bytes), "{name}");
        }
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".rollcall-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

/// Item 3: no copy of the students' records outside --out: the check before writing reads the
/// rows from memory, so the temporary folder stays empty, and nothing is left beside the
/// output but its lock.
#[test]
fn issue_14_no_plaintext_copy_outside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let x = extracts_with(&dir.path().join("x"), b"\r\n");
    let out = dir.path().join("out");
    let run = rollcall().arg("generate").arg(&x).arg("--out").arg(&out).args(["--as-of", AS_OF]).env("TMPDIR", &tmp).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "nothing written to TMPDIR");
    let mut beside: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    beside.sort();
    assert_eq!(beside, [".out.rollcall.lock", "out", "tmp", "x"]);
}

/// `rollcall check FILE --format json` under a cap on its address space (`ulimit -v`, KiB),
/// so a run whose memory grows with the square of a student's records fails instead of
/// swapping the machine.
fn check_capped(file: &Path, kib: u64) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("rollcall");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" check \"$1\" --format json --max-per-rule 0 --as-of {AS_OF}"))
        .arg(bin)
        .arg(file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// 20,000 SENR records of one student, each made from the first clean record by `vary`.
fn one_student(dir: &Path, name: &str, vary: impl Fn(usize, &mut Vec<String>)) -> PathBuf {
    let clean = std::fs::read_to_string(root().join("samples/clean/senr.txt")).unwrap();
    let first: Vec<String> = clean.lines().next().unwrap().split('^').map(str::to_owned).collect();
    let mut text = String::new();
    for i in 0..20_000 {
        let mut f = first.clone();
        f[2] = format!("LR-{i:05}");
        vary(i, &mut f);
        text.push_str(&f.join("^"));
        text.push_str("\r\n");
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Item 4: 20,000 records of one student (duplicates; overlapping primaries at 20,000
/// schools; a new student without an SSID, known by local ID) cost bounded memory: every
/// finding lists at most 100 related records and counts the rest.
#[test]
fn issue_14_one_students_twenty_thousand_records_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    type Vary = Box<dyn Fn(usize, &mut Vec<String>)>;
    let cases: [(&str, &str, Vary); 3] = [
        ("dups.txt", "SENR-DUPLICATE-KEY", Box::new(|_, _| {})),
        ("primaries.txt", "SENR-OVERLAP-PRIMARY", Box::new(|i, f| f[4] = format!("{}", 8_000_000 + i))),
        ("no-ssid.txt", "SENR-DUPLICATE-KEY", Box::new(|_, f| f[7] = String::new())),
    ];
    for (name, rule, vary) in cases {
        let file = one_student(dir.path(), name, vary);
        let started = std::time::Instant::now();
        let run = check_capped(&file, 1_500_000);
        assert_eq!(run.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let lines = json_lines(&run.stdout);
        let of_rule: Vec<&serde_json::Value> = lines.iter().filter(|l| l["rule"] == rule).collect();
        assert!(of_rule.len() >= 19_000, "{name}: {} findings of {rule}", of_rule.len());
        let most = of_rule.iter().map(|l| l["related"].as_array().unwrap().len()).max().unwrap();
        assert!(most <= 100, "{name}: a finding lists {most} related records");
        let last = of_rule.last().unwrap();
        let total = last["related"].as_array().unwrap().len() as u64 + last["related_more"].as_u64().unwrap_or(0);
        assert!(total >= 500, "{name}: the last finding counts {total} related records");
        assert!(started.elapsed().as_secs() < 120, "{name}: {:?}", started.elapsed());
    }
}

/// Item 5: a FIFO never blocks a run. Given by name it is refused with a one-line reason
/// (exit 2); found in a folder, `check` names it as not checked and `census` refuses it; two
/// links back to their folder (`a -> .`, `b -> .`) are walked once.
#[test]
fn issue_14_fifos_and_symlink_loops_neither_hang_nor_grow() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(root().join("samples/clean/senr.txt"), folder.join("senr.txt")).unwrap();
    let fifo = folder.join("pipe.txt");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink(".", folder.join("a")).unwrap();
    std::os::unix::fs::symlink(".", folder.join("b")).unwrap();
    let timed =
        |args: &[&std::ffi::OsStr]| rollcall().args(args).args(["--as-of", AS_OF]).timeout(std::time::Duration::from_secs(60)).output().unwrap();
    let given = timed(&[std::ffi::OsStr::new("check"), fifo.as_os_str()]);
    assert_eq!(given.status.code(), Some(2));
    let err = String::from_utf8_lossy(&given.stderr);
    assert!(err.contains("pipe.txt is a FIFO"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let walked = timed(&[std::ffi::OsStr::new("check"), folder.as_os_str(), std::ffi::OsStr::new("--format"), std::ffi::OsStr::new("json")]);
    assert_eq!(walked.status.code(), Some(0), "{}", String::from_utf8_lossy(&walked.stderr));
    let lines = json_lines(&walked.stdout);
    let summary = lines.last().unwrap();
    let records = std::fs::read_to_string(root().join("samples/clean/senr.txt")).unwrap().lines().count();
    assert_eq!(summary["records"], records, "senr.txt once, through neither link: {summary}");
    let skipped = summary["files_not_checked"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    assert!(skipped[0]["looks_like"].as_str().unwrap().contains("FIFO"), "{summary}");
    let census = timed(&[std::ffi::OsStr::new("census"), folder.as_os_str()]);
    assert_eq!(census.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&census.stderr).contains("FIFO"));
}

/// Item 6: one line of 100 MB is one finding, read in bounded memory, and the records after
/// it are still checked (a record of the right shape after it: no other finding).
#[test]
fn issue_14_a_hundred_megabyte_line_is_one_finding_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let clean = std::fs::read(root().join("samples/clean/senr.txt")).unwrap();
    let mut lines = clean.split(|b| *b == b'\n');
    let mut bytes = lines.next().unwrap().to_vec();
    bytes.push(b'\n');
    bytes.extend_from_slice(b"SENR^");
    bytes.resize(bytes.len() + (100 << 20), b'9');
    bytes.extend_from_slice(b"\r\n");
    for line in lines.take(3) {
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    let file = dir.path().join("senr.txt");
    std::fs::write(&file, &bytes).unwrap();
    let run = check_capped(&file, 1_000_000);
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let lines = json_lines(&run.stdout);
    let (summary, findings) = lines.split_last().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "STRUCT-RECORD-TOO-LONG");
    assert_eq!(findings[0]["line"], 2);
    assert!(findings[0]["message"].as_str().unwrap().contains(&format!("{} bytes long", (100 << 20) + 5 + 1)));
    assert_eq!(summary["records"], 5);
    // The limit is an option; below 64 bytes (or above 1 GiB) it is refused.
    let low = rollcall().arg("check").arg(&file).args(["--max-record-bytes", "10"]).output().unwrap();
    assert_eq!(low.status.code(), Some(2));
}

/// Item 8: file names, extract headers and messages reach a terminal with control characters
/// and bidirectional overrides and isolates shown, never sent raw.
#[test]
fn issue_14_no_escape_or_bidi_control_reaches_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "senr\x1b]0;owned\x07\u{2066}\u{202e}.txt";
    let file = dir.path().join(hostile);
    let mut bytes = std::fs::read(root().join("samples/clean/senr.txt")).unwrap();
    bytes.extend_from_slice(b"SENR^^LR-X\x1b[2J^9912345\r\n");
    std::fs::write(&file, bytes).unwrap();
    let run = rollcall().arg("check").arg(&file).args(["--as-of", AS_OF, "--color", "never"]).output().unwrap();
    let mut shown = run.stdout.clone();
    shown.extend_from_slice(&run.stderr);
    let text = String::from_utf8(shown).unwrap();
    assert!(text.contains("senr␛]0;owned␇"), "{text}");
    for raw in ['\x1b', '\x07', '\u{2066}', '\u{202e}', '\u{61c}'] {
        assert!(!text.contains(raw), "U+{:04X} reached the terminal", u32::from(raw));
    }
    // An extract header (named in the "columns not used" note) and an error message.
    let extracts = extracts_with(&dir.path().join("x"), b"\r\n");
    let enrollment = std::fs::read_to_string(extracts.join("enrollment.csv")).unwrap();
    let (header, rest) = enrollment.split_once("\r\n").unwrap();
    std::fs::write(extracts.join("enrollment.csv"), format!("{header},Note\x1b[2J\u{2067}\r\n{}", rest.replace("\r\n", ",x\r\n"))).unwrap();
    let run = generate(&extracts, &dir.path().join("out"));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("Note␛[2J␣"), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\u{2067}'), "{err}");
}

/// Item 9: a schema may only name files inside its folder; `/etc/passwd` is refused without
/// being read (nothing of it is echoed), and a FIFO among the schema files does not block.
#[test]
fn issue_14_schema_files_stay_inside_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |name: &str| {
        let to = dir.path().join(name);
        std::fs::create_dir(&to).unwrap();
        for f in std::fs::read_dir(root().join("schemas/calpads")).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
        }
        to
    };
    let outside = copy("outside");
    let schema = std::fs::read_to_string(outside.join("schema.toml")).unwrap();
    assert!(schema.contains("\"codesets.toml\""));
    std::fs::write(outside.join("schema.toml"), schema.replace("\"codesets.toml\"", "\"/etc/passwd\"")).unwrap();
    let run = rollcall().args(["check", "samples/clean", "--schemas"]).arg(&outside).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("/etc/passwd") && err.contains("outside the schema folder"), "{err}");
    assert!(!err.contains("root:"), "{err}");
    let parent = copy("parent");
    std::fs::write(parent.join("schema.toml"), schema.replace("\"codesets.toml\"", "\"../outside/codesets.toml\"")).unwrap();
    let run = rollcall().args(["check", "samples/clean", "--schemas"]).arg(&parent).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let fifo = copy("fifo");
    std::fs::remove_file(fifo.join("codesets.toml")).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(fifo.join("codesets.toml")).status().unwrap().success());
    let run = rollcall().args(["check", "samples/clean", "--schemas"]).arg(&fifo).timeout(std::time::Duration::from_secs(60)).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("FIFO"));
}

/// Item 10: numbers that would allocate without end are refused by their bounds, exit 2.
#[test]
fn issue_14_numeric_options_are_bounded() {
    for width in ["18446744073709551615", "4000000000", "0"] {
        let run = rollcall().args(["check", "samples/clean", "--width", width]).output().unwrap();
        assert_eq!(run.status.code(), Some(2), "--width {width}");
        assert!(String::from_utf8_lossy(&run.stderr).contains("40 to 1000"));
    }
    let dir = tempfile::tempdir().unwrap();
    let layout = std::fs::read_to_string(root().join("schemas/cbeds/census-fixed.toml")).unwrap();
    let line = layout.lines().find(|l| l.starts_with("record_length")).unwrap();
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, layout.replace(line, "record_length = 4000000000")).unwrap();
    let run = rollcall().args(["check", "--layout"]).arg(&huge).arg(root().join("samples/clean/senr.txt")).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("record_length (1 to 65536)"), "{}", String::from_utf8_lossy(&run.stderr));
}

/// Item 11: loading stays linear. A calendar of 20,000 district-wide days (55 years) and 5,000
/// schools with one row each is trimmed to its academic year before the per-school lists are
/// built (it used to cost days × schools); a megabyte mapping constant is refused at load,
/// not copied into every row.
#[test]
fn issue_14_calendars_and_mappings_load_in_linear_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("school_of_attendance,date,day_type\n");
    let first = chrono::NaiveDate::from_ymd_opt(2025, 8, 13).unwrap();
    for i in 0..20_000 {
        text.push_str(&format!(",{},school\n", first + chrono::Days::new(i)));
    }
    for s in 0..5_000 {
        text.push_str(&format!("{},2025-11-11,holiday\n", 8_000_000 + s));
    }
    let calendar = dir.path().join("calendar.csv");
    std::fs::write(&calendar, text).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("rollcall");
    let started = std::time::Instant::now();
    let run = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 400000 && exec \"$0\" calendar \"$1\" --format csv")
        .arg(bin)
        .arg(&calendar)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(started.elapsed().as_secs() < 120, "{:?}", started.elapsed());
    let months = String::from_utf8(run.stdout).unwrap();
    assert!(months.lines().filter(|l| l.starts_with("8000000,")).count() >= 10, "{}", &months[..months.len().min(2000)]);
    // The mapping constant.
    let extracts = extracts_with(&dir.path().join("x"), b"\r\n");
    let mapping = std::fs::read_to_string(extracts.join("mapping.toml")).unwrap();
    let huge = mapping.replacen("[constants]\n", &format!("[constants]\nstudent_birth_city = \"{}\"\n", "X".repeat(1 << 20)), 1);
    std::fs::write(extracts.join("mapping.toml"), huge).unwrap();
    let run = generate(&extracts, &dir.path().join("out"));
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("the constant for student_birth_city is 1048576 characters long"), "{}", &err[..err.len().min(500)]);
}

/// Item 11, code sets: a code set of 100,000 codes loads in linear time (it took over a
/// minute at 200,000 when each code was checked against the others one by one).
#[test]
fn issue_14_a_large_code_set_loads_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    std::fs::create_dir(&schemas).unwrap();
    for f in std::fs::read_dir(root().join("schemas/calpads")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, schemas.join(f.file_name().unwrap())).unwrap();
    }
    let mut codesets = std::fs::read_to_string(schemas.join("codesets.toml")).unwrap();
    codesets.push_str("\n[codeset.big]\ndescription = \"big\"\ncodes = [\n");
    for i in 0..100_000 {
        codesets.push_str(&format!("  {{ code = \"Z{i:06}\", name = \"Code {i}\" }},\n"));
    }
    codesets.push_str("]\n");
    std::fs::write(schemas.join("codesets.toml"), codesets).unwrap();
    let started = std::time::Instant::now();
    let run = rollcall().args(["check", "samples/clean/senr.txt", "--as-of", AS_OF, "--schemas"]).arg(&schemas).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}
