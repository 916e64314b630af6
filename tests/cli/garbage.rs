//! Garbage in never panics: binary bytes, a 1 MB line, truncated records, NUL bytes, empty
//! files, stray quotes, huge field counts. Each gives findings (exit 1) with file and line, or
//! exit 2 with a reason, in human and JSON output alike.

use std::fs;
use std::path::Path;

use crate::util::{fixture, json_lines, rollcall, AS_OF};

/// A small deterministic byte generator (xorshift), so the binary garbage is the same on
/// every run.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect()
}

/// Named garbage files, built from one valid SENR record.
fn garbage() -> Vec<(&'static str, Vec<u8>)> {
    let good = fs::read(fixture("rules/FIELD-CODE/good/in/senr.txt")).unwrap();
    let with = |from: &[u8], to: &[u8]| {
        let at = good.windows(from.len()).position(|w| w == from).unwrap();
        [&good[..at], to, &good[at + from.len()..]].concat()
    };
    let mut long = b"SENR^".to_vec();
    long.resize(1 << 20, b'A');
    long.extend_from_slice(b"\r\n");
    vec![
        ("binary.txt", noise(64 * 1024, 0x9E37_79B9_7F4A_7C15)),
        ("long-line.txt", long),
        ("truncated.txt", [&good[..], &good[..good.len() / 2]].concat()),
        ("nul.txt", [with(b"ANA", b"A\0A"), b"\0\0\0\r\n".to_vec()].concat()),
        ("empty.txt", Vec::new()),
        ("bom-only.txt", b"\xEF\xBB\xBF".to_vec()),
        ("blank-lines.txt", b"\r\n\r\n\n".to_vec()),
        ("many-carets.txt", [b"SENR".as_slice(), &[b'^'; 100_000], b"\r\n"].concat()),
        ("quotes.txt", b"\"SENR^\"^\"\r\n\"\r\n".to_vec()),
        ("cr-only.txt", good.repeat(3).into_iter().filter(|b| *b != b'\n').collect()),
        ("windows-1252.txt", with(b"ANA", b"AN\xC1")),
        ("utf16.txt", good.iter().flat_map(|b| [*b, 0]).collect()),
        ("half-utf8.txt", with(b"ANA", b"AN\xC3")),
    ]
}

fn write_all(dir: &Path) {
    for (name, bytes) in garbage() {
        fs::write(dir.join(name), bytes).unwrap();
    }
}

fn assert_no_panic(stderr: &[u8]) {
    let stderr = String::from_utf8_lossy(stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn each_garbage_file_gives_findings_with_file_and_line_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path());
    for (name, _) in garbage() {
        let path = dir.path().join(name);
        let out = rollcall().args(["check", "--format", "json", "--as-of", AS_OF]).arg(&path).output().unwrap();
        assert_no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: garbage is a fatal finding");
        let lines = json_lines(&out.stdout);
        let fatal: Vec<_> = lines.iter().filter(|l| l["kind"] == "diagnostic" && l["severity"] == "fatal").collect();
        assert!(!fatal.is_empty(), "{name}: no fatal finding");
        for f in &fatal {
            assert_eq!(f["file"], path.to_string_lossy().as_ref(), "{name}: {f}");
            assert!(
                f["rule"].as_str().unwrap().starts_with("STRUCT-") || f["rule"].as_str().unwrap().starts_with("FIELD-") || f["line"].is_u64(),
                "{name}: {f}"
            );
        }
        assert_eq!(lines.last().unwrap()["kind"], "summary");
    }
}

#[test]
fn a_folder_of_garbage_in_human_output_never_panics_and_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path());
    let out = rollcall().args(["check", "--as-of", AS_OF, "--census", "--width", "80", "--max-per-rule", "0"]).arg(dir.path()).output().unwrap();
    assert_no_panic(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("human output is UTF-8 whatever the input");
    assert!(text.lines().all(|l| l.chars().count() <= 200), "long input lines are trimmed around the field");
    assert!(text.len() < 2_000_000, "output stays bounded: {} bytes", text.len());
    for (name, _) in garbage() {
        assert!(text.contains(name), "{name} is not reported");
    }
}

#[test]
fn garbage_as_extracts_calendar_and_layout_input_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path());
    let calendar = dir.path().join("binary.txt");
    let runs: Vec<Vec<String>> = vec![
        vec!["check".into(), "--calendar".into(), calendar.display().to_string(), fixture("rules/FIELD-CODE/good/in").display().to_string()],
        vec!["check".into(), "--layout".into(), "fixed".into(), dir.path().display().to_string()],
        vec!["check".into(), "--layout".into(), "tab".into(), dir.path().display().to_string()],
        vec!["census".into(), dir.path().display().to_string()],
    ];
    for args in runs {
        let out = rollcall().args(&args).output().unwrap();
        assert_no_panic(&out.stderr);
        assert!(matches!(out.status.code(), Some(0..=2)), "{args:?}: {:?}", out.status);
    }
    for (name, bytes) in garbage() {
        let extracts = tempfile::tempdir().unwrap();
        fs::write(extracts.path().join("senr_extract.csv"), bytes).unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        let out = rollcall().arg("generate").arg(extracts.path()).arg("--out").arg(out_dir.path()).output().unwrap();
        assert_no_panic(&out.stderr);
        assert!(matches!(out.status.code(), Some(1 | 2)), "{name}: {:?}", out.status);
        if out.status.code() == Some(2) {
            assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "), "{name}: a one-line reason");
        }
    }
}
