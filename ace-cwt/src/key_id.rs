//! Key identifiers.

use alloc::vec::Vec;
use core::fmt;

/// A key identifier: an opaque byte string (RFC 9052 §3.1 `kid`, RFC 8747 §3.4).
///
/// The same value travels under different labels: 4 in a COSE header, 2 in a COSE_Key, 3 as a
/// confirmation method in `cnf` (digest trap T-1). `Display` prints it as lowercase hex.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct KeyId(Vec<u8>);

impl KeyId {
    /// The identifier's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The identifier's bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl From<&[u8]> for KeyId {
    fn from(bytes: &[u8]) -> Self {
        KeyId(bytes.to_vec())
    }
}

impl From<Vec<u8>> for KeyId {
    fn from(bytes: Vec<u8>) -> Self {
        KeyId(bytes)
    }
}

impl<const N: usize> From<&[u8; N]> for KeyId {
    fn from(bytes: &[u8; N]) -> Self {
        KeyId(bytes.to_vec())
    }
}

impl AsRef<[u8]> for KeyId {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}
