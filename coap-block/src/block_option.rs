//! The Block1 and Block2 option values (RFC 7959 §2.2).

use crate::uint_value::{UintValue, decode_uint};
use crate::{Error, Szx};

/// RFC 7959 §2.2, Figure 1: a Block1 or Block2 option value, `NUM | M | SZX`.
///
/// The value is a 0-3 byte uint, so NUM has at most 20 bits ([`BlockOption::MAX_NUM`]).
/// Decoding refuses SZX 7 (reserved, 4.00) and values longer than 3 bytes (4.02, RFC 7252
/// §5.4.3); constructing one refuses a NUM that does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockOption {
    /// Block number: which block of the body this is, or which is requested.
    pub num: u32,
    /// The M ("more") flag: more blocks follow (descriptive usage), or in a Block1 response
    /// the server collects further blocks before acting (control usage).
    pub more: bool,
    /// The block size exponent.
    pub szx: Szx,
}

impl BlockOption {
    /// RFC 7959 §2.2: the largest block number a 3-byte value can carry (2^20 - 1).
    pub const MAX_NUM: u32 = (1 << 20) - 1;

    /// A block option; refuses `num` above [`BlockOption::MAX_NUM`].
    pub const fn new(num: u32, more: bool, szx: Szx) -> Result<Self, Error> {
        if num > Self::MAX_NUM {
            return Err(Error::BlockNumberTooLarge { num });
        }
        Ok(BlockOption { num, more, szx })
    }

    /// RFC 7959 §2.2: decode an option value (a 0-3 byte uint, leading zeros allowed).
    pub fn decode(value: &[u8]) -> Result<Self, Error> {
        let raw = decode_uint(value, 3).ok_or(Error::BlockOptionTooLong { len: value.len() })?;
        let szx = Szx::new((raw & 0x7) as u8)?;
        Ok(BlockOption {
            num: raw >> 4,
            more: raw & 0x8 != 0,
            szx,
        })
    }

    /// RFC 7959 §2.2: the integer `NUM << 4 | M << 3 | SZX`.
    pub const fn to_uint(self) -> u32 {
        (self.num << 4) | ((self.more as u32) << 3) | self.szx.exponent() as u32
    }

    /// RFC 7959 §2.2 with RFC 7252 §3.2: the shortest uint encoding (empty for 0/0/16).
    pub fn encode(self) -> UintValue {
        UintValue::new(self.to_uint())
    }

    /// The block size `2**(SZX + 4)` in bytes.
    pub const fn size(self) -> usize {
        self.szx.block_size()
    }

    /// RFC 7959 §2.2: the byte position of the block's first byte, `NUM << (SZX + 4)`.
    pub const fn offset(self) -> usize {
        (self.num as usize) << (self.szx.exponent() + 4)
    }

    /// The block that starts at `offset` in blocks of `szx`, if `offset` is a multiple of the
    /// block size and the number fits (used when the size changes mid-transfer, RFC 7959
    /// §2.3 "scaling the block number accordingly").
    pub fn at_offset(offset: usize, more: bool, szx: Szx) -> Result<Self, Error> {
        let size = szx.block_size();
        if !offset.is_multiple_of(size) {
            return Err(Error::MisalignedBlock { offset, size });
        }
        let num = u32::try_from(offset / size)
            .map_err(|_| Error::BlockNumberTooLarge { num: u32::MAX })?;
        Self::new(num, more, szx)
    }
}

impl core::fmt::Display for BlockOption {
    /// The notation of RFC 7959 §3: `NUM/M/size`, e.g. `2/0/128`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}/{}/{}", self.num, u8::from(self.more), self.size())
    }
}
