//! Sender/Recipient IDs and the ID Context (RFC 8613 §3.1, §3.3).

use crate::error::Error;

/// Longest Sender/Recipient ID any supported algorithm allows (13-byte nonce − 6).
pub const MAX_ID_LEN: usize = 7;
/// Capacity for the ID Context (RFC 8613 §3.1 puts no limit on it; this implementation keeps it
/// in a fixed array, and the OSCORE option can carry at most 255 bytes anyway).
pub const MAX_ID_CONTEXT_LEN: usize = 32;

/// A Sender ID or Recipient ID (RFC 8613 §3.1): a byte string of 0 to 7 bytes. Whether it fits a
/// given algorithm's nonce (nonce length − 6) is checked when the context is derived (§3.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OscoreId {
    bytes: [u8; MAX_ID_LEN],
    len: u8,
}

impl OscoreId {
    /// RFC 8613 §3.3: an ID of at most [`MAX_ID_LEN`] bytes (the empty ID is valid).
    pub fn new(id: &[u8]) -> Result<Self, Error> {
        let mut bytes = [0u8; MAX_ID_LEN];
        bytes
            .get_mut(..id.len())
            .ok_or(Error::IdTooLong)?
            .copy_from_slice(id);
        Ok(Self {
            bytes,
            len: id.len() as u8,
        })
    }

    /// The ID's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl core::fmt::Debug for OscoreId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "OscoreId(h'")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, "')")
    }
}

/// The ID Context (RFC 8613 §3.1, "kid context" on the wire, §5.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdContext {
    bytes: [u8; MAX_ID_CONTEXT_LEN],
    len: u8,
}

impl IdContext {
    /// An ID Context of at most [`MAX_ID_CONTEXT_LEN`] bytes.
    pub fn new(id_context: &[u8]) -> Result<Self, Error> {
        let mut bytes = [0u8; MAX_ID_CONTEXT_LEN];
        bytes
            .get_mut(..id_context.len())
            .ok_or(Error::IdContextTooLong)?
            .copy_from_slice(id_context);
        Ok(Self {
            bytes,
            len: id_context.len() as u8,
        })
    }

    /// The ID Context's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl core::fmt::Debug for IdContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "IdContext(h'")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, "')")
    }
}
