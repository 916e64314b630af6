//! The codes a student record is keyed by: SSIDs and school codes as numbers, local student
//! IDs packed exactly, and the key that names a student in cross-record rules.

/// Parses a code of ASCII digits (SSID, LEA, school) into a number: `None` when it is empty,
/// longer than 18 digits, or holds anything but `0`-`9`.
///
/// Every daily attendance row and enrollment has two or three of these, so eight digits are
/// checked and converted at a time, in one `u64` (SWAR), rather than one by one.
///
/// ```
/// use rollcall::domain::codes::digits;
/// assert_eq!(digits(b"9900000001"), Some(9_900_000_001));
/// assert_eq!(digits(b"0012"), Some(12));
/// assert_eq!(digits(b"99O0000001"), None);
/// assert_eq!(digits(b""), None);
/// ```
#[inline]
pub fn digits(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 18 {
        return None;
    }
    let (head, tail) = raw.split_at(raw.len() % 8);
    let mut n = 0u64;
    for &d in head {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    for chunk in tail.chunks_exact(8) {
        n = n * 100_000_000 + eight_digits(chunk.try_into().ok()?)?;
    }
    Some(n)
}

/// Eight ASCII digits as a number, or `None` when one is not a digit.
#[inline]
fn eight_digits(chunk: [u8; 8]) -> Option<u64> {
    // The first character in the lowest byte.
    let x = u64::from_le_bytes(chunk);
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Every byte 0x30..=0x39: its high nibble is 3, and adding 6 does not carry out of its
    // low nibble.
    let high = 0xF0 * ONES;
    if x & high != 0x30 * ONES || (x.wrapping_add(0x06 * ONES)) & high != 0x30 * ONES {
        return None;
    }
    let x = x - 0x30 * ONES;
    // Pairs, then fours, then the eight: each step joins neighbours (the left one is the
    // more significant digit).
    let x = (x.wrapping_mul(10) + (x >> 8)) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul(100) + (x >> 16)) & 0x0000_FFFF_0000_FFFF;
    let x = (x.wrapping_mul(10_000) + (x >> 32)) & 0xFFFF_FFFF;
    Some(x)
}

/// A local student ID (at most 15 bytes) packed exactly into a number: the bytes, and the
/// length in the top bits. Local IDs are unique within an LEA, and a submission is one LEA.
///
/// Never zero (the length is at least 1), so `Option<LocalId>` takes no more room than the ID:
/// millions of enrollments carry one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalId(std::num::NonZeroU128);

impl LocalId {
    /// `None` for a blank value or one longer than 15 bytes (a field finding).
    ///
    /// ```
    /// use rollcall::domain::codes::LocalId;
    /// assert_eq!(LocalId::new(b"240311").map(LocalId::text).as_deref(), Some("240311"));
    /// assert_eq!(LocalId::new(b""), None);
    /// assert_eq!(std::mem::size_of::<Option<LocalId>>(), 16);
    /// ```
    pub fn new(raw: &[u8]) -> Option<LocalId> {
        if raw.is_empty() || raw.len() > 15 {
            return None;
        }
        let packed = raw.iter().fold(0u128, |a, b| (a << 8) | u128::from(*b)) | ((raw.len() as u128) << 120);
        std::num::NonZeroU128::new(packed).map(LocalId)
    }

    /// The ID as written.
    pub fn text(self) -> String {
        let value = self.0.get();
        let len = (value >> 120) as usize;
        let bytes: Vec<u8> = (0..len).rev().map(|i| (value >> (8 * i)) as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Who a record is about: the SSID, or for a SENR add/update without one (a new student who
/// has no SSID yet), the local student ID. Cross-record rules group records by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StudentKey {
    Ssid(u64),
    Local(LocalId),
}

impl StudentKey {
    /// The SSID, when the key is one.
    pub fn ssid(self) -> Option<u64> {
        match self {
            StudentKey::Ssid(s) => Some(s),
            StudentKey::Local(_) => None,
        }
    }

    /// How messages name the student: `SSID 9900000101` or `local student ID 240311 (no SSID)`.
    pub fn describe(self) -> String {
        match self {
            StudentKey::Ssid(s) => format!("SSID {}", ssid_text(s)),
            StudentKey::Local(l) => format!("local student ID {} (no SSID)", l.text()),
        }
    }
}

/// Formats a school code back to its 7 digits.
pub fn school_code(school: u32) -> String {
    format!("{school:07}")
}

/// Formats an SSID back to its 10 digits.
pub fn ssid_text(ssid: u64) -> String {
    format!("{ssid:010}")
}

/// A count kept in hundredths (STAS day counts, recovery days) as CALPADS writes it: whole
/// numbers without decimals, else two decimals.
///
/// ```
/// use rollcall::domain::codes::hundredths_text;
/// assert_eq!(hundredths_text(18000), "180");
/// assert_eq!(hundredths_text(1050), "10.50");
/// assert_eq!(hundredths_text(-5), "-0.05");
/// ```
pub fn hundredths_text(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    if abs.is_multiple_of(100) {
        format!("{sign}{}", abs / 100)
    } else {
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod hundredths_tests {
    use super::hundredths_text;

    #[test]
    fn day_counts_print_with_their_sign() {
        assert_eq!(hundredths_text(1200), "12");
        assert_eq!(hundredths_text(-50), "-0.50");
        assert_eq!(hundredths_text(-1225), "-12.25");
        assert_eq!(hundredths_text(5), "0.05");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digit-by-digit reading `digits` must agree with.
    fn naive(raw: &[u8]) -> Option<u64> {
        (!raw.is_empty() && raw.len() <= 18).then_some(())?;
        raw.iter().try_fold(0u64, |a, d| d.is_ascii_digit().then(|| a * 10 + u64::from(d - b'0')))
    }

    #[test]
    fn digits_agree_with_reading_one_by_one() {
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"0".to_vec(),
            b"9990011".to_vec(),
            b"9900000001".to_vec(),
            b"12345678".to_vec(),
            b"00000000".to_vec(),
            b"99999999".to_vec(),
            b"999999999999999999".to_vec(),
            b"1234567890123456789".to_vec(),
            b"1234 678".to_vec(),
            b" 9990011".to_vec(),
            b"-1".to_vec(),
        ];
        // Every position of codes of 8, 10, 16 and 17 digits holding a byte next to the digits
        // (`/` `:`), a letter, a space, a high byte, or a digit.
        for len in [8usize, 10, 16, 17] {
            for at in 0..len {
                for b in [b'/', b':', b'O', b' ', 0x80, 0xB0, b'5'] {
                    let mut v = vec![b'7'; len];
                    v[at] = b;
                    cases.push(v);
                }
            }
        }
        for case in cases {
            assert_eq!(digits(&case), naive(&case), "{:?}", String::from_utf8_lossy(&case));
        }
    }
}
