//! The one error type of this crate.

use coap_numbers::code;

/// Everything that can go wrong in a block-wise transfer.
///
/// Variants that reach the wire map to exactly one CoAP response code through
/// [`Error::coap_code`]; client-side outcomes (the peer refused, our buffer is full) have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// RFC 7959 §2.2: SZX 7 is reserved and "MUST lead to a 4.00 Bad Request".
    #[error("reserved block size exponent SZX=7 (RFC 7959 §2.2)")]
    ReservedSzx,
    /// RFC 7959 §2.2: a block size must be 2**(SZX+4) with SZX 0..=6.
    #[error("{size} is not a block size 16..=1024 that is a power of two (RFC 7959 §2.2)")]
    InvalidBlockSize {
        /// The refused size in bytes.
        size: usize,
    },
    /// RFC 7959 §2.2: a Block option value is a 0-3 byte uint; RFC 7252 §5.4.3 treats a
    /// length outside the range like an unrecognized (here critical) option: 4.02.
    #[error("Block option value of {len} bytes (at most 3, RFC 7959 §2.2)")]
    BlockOptionTooLong {
        /// The length received.
        len: usize,
    },
    /// RFC 7959 §2.2: NUM is at most 20 bits.
    #[error("block number {num} does not fit in 20 bits (RFC 7959 §2.2)")]
    BlockNumberTooLarge {
        /// The refused block number.
        num: u32,
    },
    /// RFC 7959 §2.3: a block size change must scale the block number exactly.
    #[error("offset {offset} is not a multiple of the block size {size} (RFC 7959 §2.3)")]
    MisalignedBlock {
        /// The byte offset.
        offset: usize,
        /// The block size.
        size: usize,
    },
    /// RFC 7959 §2.1 / RFC 7252 §5.4.5: a non-repeatable critical option occurred twice.
    #[error("option {number} repeated (RFC 7959 §2.1, RFC 7252 §5.4.5)")]
    RepeatedOption {
        /// The option number.
        number: u16,
    },
    /// RFC 9175 §3.2: a Request-Tag is 0-8 bytes.
    #[error("Request-Tag of {len} bytes (at most 8, RFC 9175 §3.2)")]
    RequestTagTooLong {
        /// The length received.
        len: usize,
    },
    /// RFC 7252 §5.10.6: an ETag is 1-8 bytes.
    #[error("ETag of {len} bytes (1 to 8, RFC 7252 §5.10.6)")]
    InvalidETag {
        /// The length given.
        len: usize,
    },
    /// RFC 7959 §2.3: "The block size implied by SZX MUST match the size of the payload in
    /// bytes, if the M bit is set" (or the last block is larger than the block size).
    #[error("payload of {payload} bytes in a block of size {size} (RFC 7959 §2.3)")]
    PayloadSizeMismatch {
        /// The payload length received.
        payload: usize,
        /// The block size announced by SZX.
        size: usize,
    },
    /// RFC 7959 §2.5 / §2.9.2: a block arrived out of order (a gap), or for a transfer the
    /// server has no state for (never started, timed out, or already completed): 4.08.
    #[error(
        "block starting at byte {offset} but {expected} bytes received so far (RFC 7959 §2.9.2)"
    )]
    RequestEntityIncomplete {
        /// Byte offset of the block received.
        offset: usize,
        /// Bytes of the body assembled so far (0 when no transfer is known).
        expected: usize,
    },
    /// RFC 7959 §2.9.3 / RFC 7252 §5.10.9: the body exceeds what the server can store; the
    /// 4.13 response carries Size1 = `max`.
    #[error("request body larger than {max} bytes (RFC 7959 §2.9.3)")]
    RequestEntityTooLarge {
        /// The largest body the server accepts (sent as Size1).
        max: u32,
    },
    /// RFC 9175 §3.3 / RFC 7959 §7.1: every reassembly slot is in use; answered with 5.03
    /// (and a Max-Age for how long the caller expects existing transfers to take).
    #[error("all {slots} reassembly slots are busy (RFC 9175 §3.3, RFC 7959 §7.1)")]
    NoCapacity {
        /// The number of slots.
        slots: usize,
    },
    /// RFC 7959 §2.2: a Block2 request for a block that starts beyond the representation.
    #[error(
        "block starting at byte {offset} is beyond the {len}-byte representation (RFC 7959 §2.2)"
    )]
    BlockOutOfRange {
        /// The requested block's offset.
        offset: usize,
        /// The representation's length.
        len: usize,
    },
    /// RFC 7959 §2.4: the ETag changed between blocks of one Block2 transfer ("the client ...
    /// MUST compare ETag Options"); the blocks are not from the same representation.
    #[error("representation changed during the Block2 transfer (ETag differs, RFC 7959 §2.4)")]
    RepresentationChanged,
    /// RFC 7959 §2.3/§2.4: the response describes a block other than the one requested.
    #[error(
        "response carries block {got}, expected block at byte {expected_offset} (RFC 7959 §2.4)"
    )]
    UnexpectedBlock {
        /// The block number received.
        got: u32,
        /// The byte offset the client asked for.
        expected_offset: usize,
    },
    /// The caller's receive buffer cannot hold the representation.
    #[error("receive buffer of {capacity} bytes is too small for the body")]
    BufferTooSmall {
        /// The buffer's capacity.
        capacity: usize,
    },
    /// RFC 7959 §2.9.3: the server cannot take the body at all (Size1 in its 4.13 is smaller
    /// than the body), or refused even the smallest block size.
    #[error("server refused the {body}-byte body as too large (limit {limit:?}, RFC 7959 §2.9.3)")]
    BodyRefused {
        /// Our body's length.
        body: usize,
        /// The Size1 the server sent, if any.
        limit: Option<u32>,
    },
    /// RFC 7959 §2.9.2: the server answered 4.08 more often than the configured restarts.
    #[error("server answered 4.08 Request Entity Incomplete; restarts exhausted (RFC 7959 §2.9.2)")]
    RestartsExhausted,
    /// The peer answered with a code this transfer cannot continue from.
    #[error("transfer ended by response code {}.{:02}", .code >> 5, .code & 0x1f)]
    UnexpectedResponse {
        /// The raw CoAP code received.
        code: u8,
    },
    /// The transfer has already finished or failed; no further input is accepted.
    #[error("the transfer is already finished")]
    TransferFinished,
}

impl Error {
    /// The CoAP response code a server sends for this error, or `None` for errors that are
    /// client-side outcomes and never reach the wire.
    pub const fn coap_code(&self) -> Option<u8> {
        match self {
            Error::ReservedSzx | Error::PayloadSizeMismatch { .. } => Some(code::BAD_REQUEST),
            Error::BlockOptionTooLong { .. }
            | Error::RepeatedOption { .. }
            | Error::RequestTagTooLong { .. }
            | Error::BlockOutOfRange { .. } => Some(code::BAD_OPTION),
            Error::RequestEntityIncomplete { .. } => Some(code::REQUEST_ENTITY_INCOMPLETE),
            Error::RequestEntityTooLarge { .. } => Some(code::REQUEST_ENTITY_TOO_LARGE),
            Error::NoCapacity { .. } => Some(code::SERVICE_UNAVAILABLE),
            Error::InvalidBlockSize { .. }
            | Error::BlockNumberTooLarge { .. }
            | Error::MisalignedBlock { .. }
            | Error::InvalidETag { .. }
            | Error::RepresentationChanged
            | Error::UnexpectedBlock { .. }
            | Error::BufferTooSmall { .. }
            | Error::BodyRefused { .. }
            | Error::RestartsExhausted
            | Error::UnexpectedResponse { .. }
            | Error::TransferFinished => None,
        }
    }

    /// The Size1 value to put into a 4.13 response (RFC 7252 §5.10.9), if any.
    pub const fn size1(&self) -> Option<u32> {
        match self {
            Error::RequestEntityTooLarge { max } => Some(*max),
            _ => None,
        }
    }
}
