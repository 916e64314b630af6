//! "Did you mean": the known name closest to a mistyped one, by edit distance, for the help
//! text of errors and findings.

/// The candidate closest to `target` (fewest edits, compared without case), if at most half of
/// the longer name differs.
///
/// ```
/// assert_eq!(rollcall::diagnostic::closest("schol", ["school", "grade"]), Some("school"));
/// assert_eq!(rollcall::diagnostic::closest("xyz", ["school", "grade"]), None);
/// ```
pub fn closest<'c>(target: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let t = target.to_ascii_lowercase();
    let scored = candidates.into_iter().map(|c| {
        let n = c.to_ascii_lowercase();
        (distance(&t, &n), t.len().max(n.len()), c)
    });
    scored.filter(|(d, len, _)| *d * 2 <= *len).min_by_key(|(d, _, c)| (*d, *c)).map(|(_, _, c)| c)
}

/// Levenshtein distance between two short ASCII strings.
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
