//! A cap on the length of one line (`--max-record-bytes`, default 1 MiB): a file of one
//! 200 MB line, or `/dev/zero` renamed, must not take gigabytes. [`LineCap`] passes lines up
//! to the cap through unchanged; of a longer line it passes the first `cap` bytes and leaves
//! out the rest up to the line's end, noting the line ([`Cut`]) so the reader can report it as
//! one finding and map later byte offsets back to the file. In [`Mode::Fail`] a long line is
//! an error naming the line instead (for readers that cannot skip a row).
//!
//! ```
//! use std::io::Read;
//! use rollcall::source::cap::{LineCap, Mode};
//! let mut out = String::new();
//! let mut capped = LineCap::new(&b"short\nmuch too long\nok\n"[..], 5, Mode::Cut);
//! capped.read_to_string(&mut out).unwrap();
//! assert_eq!(out, "short\nmuch \nok\n");
//! let cut = capped.cuts().lock().unwrap()[0];
//! assert_eq!((cut.line, cut.len, cut.out_start, cut.skipped_total), (2, 13, 6, 8));
//! ```

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// The default longest line, in bytes: far beyond any CALPADS record (a few hundred bytes)
/// or extract row.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 1 << 20;

/// What to do with a line over the cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Pass its first bytes, leave out the rest, note the line.
    Cut,
    /// Fail the read with an error naming the line.
    Fail,
}

/// A line that was cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// 1-based line number.
    pub line: u64,
    /// Where the line starts in the output (the bytes passed on).
    pub out_start: u64,
    /// The line's length in the input, without its LF.
    pub len: u64,
    /// Bytes left out of the output up to the end of this line, this line's included.
    pub skipped_total: u64,
}

/// A reader that caps the length of each LF-terminated line.
#[derive(Debug)]
pub struct LineCap<R> {
    inner: R,
    cap: u64,
    mode: Mode,
    /// Bytes passed on so far.
    out: u64,
    /// Where the current line starts in the output, its number and its length so far.
    line_start: u64,
    line: u64,
    run: u64,
    skipping: bool,
    skipped: u64,
    cuts: Arc<Mutex<Vec<Cut>>>,
}

impl<R: Read> LineCap<R> {
    /// Caps the lines of `inner` at `cap` bytes.
    pub fn new(inner: R, cap: u64, mode: Mode) -> LineCap<R> {
        LineCap { inner, cap: cap.max(1), mode, out: 0, line_start: 0, line: 1, run: 0, skipping: false, skipped: 0, cuts: Arc::default() }
    }

    /// The lines cut so far (shared: the reader reads ahead of the records it returns).
    pub fn cuts(&self) -> Arc<Mutex<Vec<Cut>>> {
        Arc::clone(&self.cuts)
    }

    /// Ends the current line (at an LF, or at the end of the input).
    fn end_line(&mut self) {
        if self.skipping {
            let cut = Cut { line: self.line, out_start: self.line_start, len: self.run, skipped_total: self.skipped };
            self.cuts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(cut);
            self.skipping = false;
        }
        self.run = 0;
        self.line += 1;
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                if self.run > 0 {
                    self.end_line();
                }
                return Ok(0);
            }
            let base = self.out;
            // The usual case, in three vector scans: no line is being skipped, the buffer is
            // no longer than the cap (so a line that starts and ends in it fits), and the line
            // it continues still fits. Nothing moves.
            if !self.skipping && n as u64 <= self.cap {
                match (memchr::memchr(b'\n', &buf[..n]), memchr::memrchr(b'\n', &buf[..n])) {
                    (None, _) if self.run + n as u64 <= self.cap => {
                        self.run += n as u64;
                        self.out = base + n as u64;
                        return Ok(n);
                    }
                    (Some(first), Some(last)) if self.run + first as u64 <= self.cap => {
                        self.line += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
                        self.run = (n - last - 1) as u64;
                        self.line_start = base + last as u64 + 1;
                        self.out = base + n as u64;
                        return Ok(n);
                    }
                    _ => {}
                }
            }
            // Compacts `buf` in place: `w` bytes kept so far, `i` the next byte to look at;
            // byte `w` of this read is byte `base + w` of the output.
            let (mut w, mut i) = (0, 0);
            while i < n {
                let lf = memchr::memchr(b'\n', &buf[i..n]).map(|p| i + p);
                let end = lf.unwrap_or(n);
                let len = (end - i) as u64;
                if self.skipping {
                    self.run += len;
                    self.skipped += len;
                } else if self.run + len <= self.cap {
                    // (Until a line is cut, nothing moves: `w == i`.)
                    if w != i {
                        buf.copy_within(i..end, w);
                    }
                    w += end - i;
                    self.run += len;
                } else {
                    if self.mode == Mode::Fail {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("line {} is longer than {} bytes (--max-record-bytes)", self.line, self.cap),
                        ));
                    }
                    let keep = (self.cap - self.run) as usize;
                    buf.copy_within(i..i + keep, w);
                    w += keep;
                    self.skipped += len - keep as u64;
                    self.run += len;
                    self.skipping = true;
                }
                match lf {
                    Some(lf) => {
                        buf[w] = b'\n';
                        w += 1;
                        self.end_line();
                        self.line_start = base + w as u64;
                        i = lf + 1;
                    }
                    None => i = n,
                }
            }
            self.out = base + w as u64;
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capped(input: &[u8], cap: u64, chunk: usize) -> (Vec<u8>, Vec<Cut>) {
        // A reader that hands out `chunk` bytes at a time, to cross read boundaries.
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = LineCap::new(Chunks(input, chunk), cap, Mode::Cut);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        let cuts = r.cuts().lock().unwrap().clone();
        (out, cuts)
    }

    #[test]
    fn lines_under_the_cap_pass_unchanged_in_any_chunking() {
        let input = b"SENR^a^b\nSINF^c\n\nlast";
        for chunk in 1..8 {
            assert_eq!(capped(input, 8, chunk), (input.to_vec(), vec![]));
        }
    }

    #[test]
    fn a_long_line_is_cut_and_noted_whatever_the_chunking() {
        let input = b"ab\n0123456789\ncd\nxyzxyzxyz";
        for chunk in 1..12 {
            let (out, cuts) = capped(input, 4, chunk);
            assert_eq!(out, b"ab\n0123\ncd\nxyzx", "chunk {chunk}");
            assert_eq!(
                cuts,
                [Cut { line: 2, out_start: 3, len: 10, skipped_total: 6 }, Cut { line: 4, out_start: 11, len: 9, skipped_total: 11 }],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn fail_mode_names_the_line() {
        let mut out = Vec::new();
        let err = LineCap::new(&b"ok\nlong line\n"[..], 4, Mode::Fail).read_to_end(&mut out).unwrap_err();
        assert_eq!(err.to_string(), "line 2 is longer than 4 bytes (--max-record-bytes)");
    }
}
