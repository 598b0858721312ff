//! Server side of a Block2 transfer: serve slices of a stored representation (RFC 7959 §2.4).

use crate::{BlockOption, Error, Szx};

/// One response of a Block2 transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block2Slice<'r> {
    /// RFC 7959 §2.3 (descriptive usage): the Block2 option of the response, `None` when the
    /// whole representation fits and the request had no Block2.
    pub block2: Option<BlockOption>,
    /// The bytes of this block.
    pub payload: &'r [u8],
    /// RFC 7959 §4: the total size, to send as Size2 when the request asked for it (Size2 0)
    /// or with the first block.
    pub size2: u32,
}

/// RFC 7959 §2.4: the block of `representation` that answers a request carrying `requested`
/// (its Block2 option, if any), with blocks of at most `max_szx`.
///
/// The server uses "the block size indicated or a smaller size" (§2.4): the smaller of the
/// requested and `max_szx`; a request in a larger size than ours is served from the same byte
/// offset, with the block number scaled. A block starting beyond the end is refused with
/// [`Error::BlockOutOfRange`] (4.02).
pub fn serve_block2(
    representation: &[u8],
    requested: Option<BlockOption>,
    max_szx: Szx,
) -> Result<Block2Slice<'_>, Error> {
    let len = representation.len();
    let size2 = u32::try_from(len).unwrap_or(u32::MAX);
    let (offset, szx) = match requested {
        None if len <= max_szx.block_size() => {
            return Ok(Block2Slice {
                block2: None,
                payload: representation,
                size2,
            });
        }
        None => (0, max_szx),
        Some(b) => (b.offset(), b.szx.min(max_szx)),
    };
    if offset >= len && offset != 0 {
        return Err(Error::BlockOutOfRange { offset, len });
    }
    let end = offset.saturating_add(szx.block_size()).min(len);
    let payload = representation.get(offset..end).unwrap_or(&[]);
    let block2 = BlockOption::at_offset(offset, end < len, szx)?;
    Ok(Block2Slice {
        block2: Some(block2),
        payload,
        size2,
    })
}
