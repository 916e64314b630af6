//! Line endings as the files come: CR LF, LF, or CR alone (classic Mac OS and some Excel
//! exports). [`LoneCr`] reads any input with every lone CR turned into LF, byte for byte in
//! place, so one LF-terminated reader splits every file into its lines and every byte offset
//! and line number stays the one of the file.

use std::io::{self, Read};

/// How the first line of a file ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    CrLf,
    Lf,
    /// CR alone: every record of the file would otherwise read as one line.
    Cr,
}

impl Ending {
    /// How the first line of `head` ends (`CrLf` when it has no line end at all).
    pub fn sniff(head: &[u8]) -> Ending {
        match head.iter().position(|b| matches!(b, b'\r' | b'\n')) {
            Some(p) if head[p] == b'\n' => Ending::Lf,
            Some(p) if head.get(p + 1).is_some_and(|b| *b != b'\n') => Ending::Cr,
            _ => Ending::CrLf,
        }
    }

    /// In words, for a finding.
    pub fn describe(self) -> &'static str {
        match self {
            Ending::CrLf => "CR LF",
            Ending::Lf => "LF only",
            Ending::Cr => "CR only (an old Mac or spreadsheet export)",
        }
    }
}

/// Reads `inner` with every CR that is not followed by LF turned into LF.
///
/// ```
/// use std::io::Read;
/// let mut out = String::new();
/// rollcall::source::LoneCr::new(&b"a\rb\r\nc\n\r"[..]).read_to_string(&mut out).unwrap();
/// assert_eq!(out, "a\nb\r\nc\n\n");
/// ```
#[derive(Debug)]
pub struct LoneCr<R> {
    inner: R,
    /// A byte read ahead to see what follows a CR at the end of a buffer.
    ahead: Option<u8>,
}

impl<R: Read> LoneCr<R> {
    pub fn new(inner: R) -> LoneCr<R> {
        LoneCr { inner, ahead: None }
    }
}

impl<R: Read> Read for LoneCr<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        if let Some(b) = self.ahead.take() {
            buf[0] = b;
            n = 1;
        }
        if n < buf.len() {
            n += self.inner.read(&mut buf[n..])?;
        }
        if n == 0 {
            return Ok(0);
        }
        if buf[n - 1] == b'\r' {
            let mut one = [0u8; 1];
            if self.inner.read(&mut one)? == 1 {
                self.ahead = Some(one[0]);
            }
        }
        // CRs are rare beside the text (one per line at most), so find them with memchr.
        let mut from = 0;
        while let Some(p) = memchr::memchr(b'\r', &buf[from..n]) {
            let i = from + p;
            let next = if i + 1 < n { Some(buf[i + 1]) } else { self.ahead };
            if next != Some(b'\n') {
                buf[i] = b'\n';
            }
            from = i + 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads through the adapter with a tiny buffer, so a CR lands on every buffer boundary.
    fn through(input: &[u8], chunk: usize) -> Vec<u8> {
        let mut r = LoneCr::new(input);
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn lone_crs_become_lf_in_place() {
        for chunk in [1, 2, 3, 64] {
            assert_eq!(through(b"a\rb\r\nc\nd\r", chunk), b"a\nb\r\nc\nd\n", "chunk {chunk}");
            assert_eq!(through(b"\r\r\n\r", chunk), b"\n\r\n\n", "chunk {chunk}");
        }
    }

    #[test]
    fn sniffs_the_first_line_end() {
        assert_eq!(Ending::sniff(b"a^b\r\nc"), Ending::CrLf);
        assert_eq!(Ending::sniff(b"a^b\nc"), Ending::Lf);
        assert_eq!(Ending::sniff(b"a^b\rc"), Ending::Cr);
        assert_eq!(Ending::sniff(b"a^b"), Ending::CrLf);
        assert_eq!(Ending::sniff(b"a^b\r"), Ending::CrLf);
    }
}
