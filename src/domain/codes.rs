//! The codes a student record is keyed by: SSIDs and school codes as numbers, local student
//! IDs packed exactly, and the key that names a student in cross-record rules.

/// Parses a code of ASCII digits (SSID, LEA, school) into a number.
pub fn digits(raw: &[u8]) -> Option<u64> {
    (!raw.is_empty() && raw.len() <= 18).then_some(())?;
    raw.iter().try_fold(0u64, |a, d| d.is_ascii_digit().then(|| a * 10 + u64::from(d - b'0')))
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
