//! Binary scopes (RFC 9200 §5.8.1): opaque bytes whose syntax the application defines.

use alloc::vec::Vec;

/// RFC 9200 §5.8.1: "the scope parameter can also be encoded as a byte string"; its syntax
/// "is left to the profile or application" and need not use 0x20 as a delimiter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BinaryScope(Vec<u8>);

impl BinaryScope {
    /// The scope bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for BinaryScope {
    fn from(bytes: Vec<u8>) -> Self {
        BinaryScope(bytes)
    }
}

impl From<&[u8]> for BinaryScope {
    fn from(bytes: &[u8]) -> Self {
        BinaryScope(bytes.to_vec())
    }
}

impl AsRef<[u8]> for BinaryScope {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
