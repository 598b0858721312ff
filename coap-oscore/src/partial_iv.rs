//! The Partial IV (RFC 8613 §5, §6.1) and the Sender Sequence Number it encodes (§3.1, §7.2.1).

use crate::error::Error;

/// RFC 8613 §7.2.1: the largest Sender Sequence Number, 2^40 − 1 (Partial IV of 5 bytes).
pub const MAX_SEQUENCE_NUMBER: u64 = (1 << 40) - 1;

/// A Partial IV: a sequence number in 0..=2^40−1, encoded big-endian in the fewest bytes
/// (one byte for 0) as RFC 8613 §6.1 and Appendix C show.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PartialIv(u64);

/// The wire form of a Partial IV (1 to 5 bytes), stack-allocated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EncodedPartialIv {
    bytes: [u8; 5],
    len: u8,
}

impl EncodedPartialIv {
    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(5 - usize::from(self.len)..).unwrap_or(&[])
    }
}

impl PartialIv {
    /// Partial IV 0 (sequence number 0).
    pub(crate) const ZERO: Self = Self(0);

    /// The Partial IV for a sequence number; `None` above 2^40 − 1 (RFC 8613 §7.2.1).
    pub fn new(sequence_number: u64) -> Option<Self> {
        (sequence_number <= MAX_SEQUENCE_NUMBER).then_some(Self(sequence_number))
    }

    /// The sequence number.
    pub fn value(self) -> u64 {
        self.0
    }

    /// RFC 8613 §6.1: decode the 1..=5 bytes of the option. Non-minimal encodings (leading zero
    /// bytes) are rejected so that one sequence number has one wire form and one AAD.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        match bytes {
            [] => Err(Error::MalformedOption),
            [0, _, ..] => Err(Error::MalformedOption),
            _ if bytes.len() > 5 => Err(Error::MalformedOption),
            _ => Ok(Self(
                bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
            )),
        }
    }

    /// The length of [`PartialIv::encode`]: 1 to 5 bytes.
    #[inline]
    pub(crate) fn encoded_len(self) -> usize {
        (64 - (self.0 | 1).leading_zeros()).div_ceil(8).min(5) as usize
    }

    /// The minimal big-endian encoding.
    pub fn encode(self) -> EncodedPartialIv {
        // The value has at most 40 bits (checked on construction): its low 5 bytes, of which
        // the significant ones (at least one, for 0).
        let [_, _, _, bytes @ ..] = self.0.to_be_bytes();
        EncodedPartialIv {
            bytes,
            len: self.encoded_len() as u8,
        }
    }
}

impl core::fmt::Display for PartialIv {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Partial IV {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding is the shortest big-endian form (one byte for 0), checked against the
    /// definition for values at every byte boundary up to 2^40 − 1.
    #[test]
    fn encode_is_minimal_big_endian() {
        for shift in 0..40 {
            for seq in [
                1u64 << shift,
                (1u64 << shift) - 1,
                (1u64 << (shift + 1)) - 1,
            ] {
                let expected: Vec<u8> = seq
                    .to_be_bytes()
                    .into_iter()
                    .skip_while(|b| *b == 0)
                    .collect();
                let expected = if expected.is_empty() {
                    vec![0]
                } else {
                    expected
                };
                let piv = PartialIv::new(seq).unwrap();
                assert_eq!(piv.encode().as_bytes(), &expected[..], "seq {seq}");
                assert_eq!(PartialIv::decode(piv.encode().as_bytes()), Ok(piv));
            }
        }
    }
}
