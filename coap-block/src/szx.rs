//! The block size exponent (RFC 7959 §2.2).

use crate::Error;

/// RFC 7959 §2.2: the block size exponent SZX; the block size is `2**(SZX + 4)`.
///
/// Only 0 to 6 (16 to 1024 bytes) can be represented: the value 7 is reserved, "MUST NOT be
/// sent and MUST lead to a 4.00 Bad Request response code upon reception".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Szx(u8);

impl Szx {
    /// SZX 0: 16-byte blocks, the smallest size.
    pub const MIN: Szx = Szx(0);
    /// SZX 6: 1024-byte blocks, the largest size.
    pub const MAX: Szx = Szx(6);

    /// RFC 7959 §2.2: accepts 0..=6; 7 (reserved) and larger are refused.
    pub const fn new(szx: u8) -> Result<Self, Error> {
        if szx <= 6 {
            Ok(Szx(szx))
        } else {
            Err(Error::ReservedSzx)
        }
    }

    /// The SZX of a block size in bytes (16, 32, ..., 1024); any other size is refused.
    pub const fn from_block_size(size: usize) -> Result<Self, Error> {
        let mut szx = 0u8;
        while szx <= 6 {
            if (16usize << szx) == size {
                return Ok(Szx(szx));
            }
            szx += 1;
        }
        Err(Error::InvalidBlockSize { size })
    }

    /// The largest SZX whose block size is at most `size` bytes (at least [`Szx::MIN`]).
    pub const fn at_most(size: usize) -> Self {
        let mut szx = 6u8;
        while szx > 0 && (16usize << szx) > size {
            szx -= 1;
        }
        Szx(szx)
    }

    /// The exponent as sent on the wire (0..=6).
    pub const fn exponent(self) -> u8 {
        self.0
    }

    /// RFC 7959 §2.2: the block size `2**(SZX + 4)` in bytes.
    pub const fn block_size(self) -> usize {
        16usize << self.0
    }

    /// The next smaller size, or `None` at 16 bytes.
    pub const fn smaller(self) -> Option<Self> {
        if self.0 == 0 {
            None
        } else {
            Some(Szx(self.0 - 1))
        }
    }
}

impl core::fmt::Display for Szx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.block_size())
    }
}
