//! RFC 9200 §5.10.3: the `exi` (expires-in) mechanism for RSs without synchronized time.

use alloc::vec::Vec;

/// The `cti` of a token carrying `exi`: RFC 9200 §5.10.3, "the binary representation of the
/// concatenation of the identifier of the RS with a sequence number counting the tokens
/// containing an "exi" claim, issued by this AS for the RS".
///
/// The RFC does not fix how the two parts are told apart. Here the RS identifier is its
/// audience string as UTF-8 and the sequence number is an 8-byte big-endian unsigned
/// integer, so the split is unambiguous for an RS that knows its own identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExiCti<'a> {
    /// The RS identifier (its audience).
    pub rs_id: &'a str,
    /// The AS's per-RS sequence number.
    pub sequence: u64,
}

impl<'a> ExiCti<'a> {
    /// The `cti` bytes.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.rs_id.len() + 8);
        v.extend_from_slice(self.rs_id.as_bytes());
        v.extend_from_slice(&self.sequence.to_be_bytes());
        v
    }

    /// Reads the sequence number out of `cti` if it is `rs_id` followed by 8 bytes.
    pub fn parse(cti: &[u8], rs_id: &'a str) -> Option<Self> {
        let rest = cti.strip_prefix(rs_id.as_bytes())?;
        let seq: [u8; 8] = rest.try_into().ok()?;
        Some(Self {
            rs_id,
            sequence: u64::from_be_bytes(seq),
        })
    }
}

/// RFC 9200 §5.10.3: "The RS MUST store the highest sequence number of an expired token
/// containing the "exi" claim that it has seen and treat tokens with lower sequence numbers
/// as expired." (A token with exactly that number is the expired one itself.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExiWatermark {
    highest_expired: Option<u64>,
}

impl ExiWatermark {
    /// A watermark restored from storage (RFC 9200 §6.6: persist it to survive reboots).
    pub const fn from_highest_expired(highest_expired: Option<u64>) -> Self {
        Self { highest_expired }
    }

    /// The highest sequence number of an expired `exi` token seen so far.
    pub fn highest_expired(self) -> Option<u64> {
        self.highest_expired
    }

    /// True when a token with this sequence number must be treated as expired.
    pub fn is_expired(self, sequence: u64) -> bool {
        self.highest_expired.is_some_and(|h| sequence <= h)
    }

    /// Records that the token with `sequence` has expired.
    pub fn record_expired(&mut self, sequence: u64) {
        self.highest_expired = Some(self.highest_expired.map_or(sequence, |h| h.max(sequence)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cti_round_trips_and_foreign_rs_is_refused() {
        let cti = ExiCti {
            rs_id: "rs1",
            sequence: 7,
        }
        .to_bytes();
        assert_eq!(cti, b"rs1\0\0\0\0\0\0\0\x07");
        assert_eq!(ExiCti::parse(&cti, "rs1").map(|c| c.sequence), Some(7));
        assert_eq!(ExiCti::parse(&cti, "rs2"), None);
        assert_eq!(ExiCti::parse(b"rs1\x07", "rs1"), None);
    }

    #[test]
    fn tokens_at_or_below_the_watermark_are_expired() {
        let mut w = ExiWatermark::default();
        assert!(!w.is_expired(0));
        w.record_expired(5);
        w.record_expired(3);
        assert_eq!(w.highest_expired(), Some(5));
        assert!(w.is_expired(4) && w.is_expired(5));
        assert!(!w.is_expired(6));
    }
}
