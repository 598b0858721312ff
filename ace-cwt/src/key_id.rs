//! Key identifiers.

use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

/// Key ids up to this many bytes are kept inline (no heap allocation); ACE kids are short
/// (RFC 9203 recommends short OSCORE ids, RFC 9200 examples use 1–8 bytes).
const INLINE: usize = 22;

/// A key identifier: an opaque byte string (RFC 9052 §3.1 `kid`, RFC 8747 §3.4).
///
/// The same value travels under different labels: 4 in a COSE header, 2 in a COSE_Key, 3 as a
/// confirmation method in `cnf` (digest trap T-1). `Display` prints it as lowercase hex.
///
/// Equality, ordering and hashing are those of the bytes (as for a `Vec<u8>`); short ids are
/// stored without a heap allocation, which the RS's `/authz-info` path creates and copies
/// several of per token.
#[derive(Clone)]
pub struct KeyId(Repr);

/// The storage: inline up to [`INLINE`] bytes, on the heap above. Always the inline form when
/// the bytes fit, so one id has one representation.
#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Vec<u8>),
}

impl KeyId {
    /// The identifier's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(v) => v,
        }
    }

    /// The identifier's bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        match self.0 {
            Repr::Inline { .. } => self.as_bytes().to_vec(),
            Repr::Heap(v) => v,
        }
    }

    /// The inline form of `bytes`, if they fit.
    fn inline(bytes: &[u8]) -> Option<Self> {
        let mut buf = [0u8; INLINE];
        buf.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(KeyId(Repr::Inline {
            len: u8::try_from(bytes.len()).ok()?,
            bytes: buf,
        }))
    }
}

impl Default for KeyId {
    fn default() -> Self {
        KeyId(Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        })
    }
}

impl From<&[u8]> for KeyId {
    fn from(bytes: &[u8]) -> Self {
        KeyId::inline(bytes).unwrap_or_else(|| KeyId(Repr::Heap(bytes.to_vec())))
    }
}

impl From<Vec<u8>> for KeyId {
    fn from(bytes: Vec<u8>) -> Self {
        KeyId::inline(&bytes).unwrap_or(KeyId(Repr::Heap(bytes)))
    }
}

impl<const N: usize> From<&[u8; N]> for KeyId {
    fn from(bytes: &[u8; N]) -> Self {
        KeyId::from(bytes.as_slice())
    }
}

impl AsRef<[u8]> for KeyId {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for KeyId {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for KeyId {}

impl PartialOrd for KeyId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for KeyId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.as_bytes() {
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

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;
    use std::hash::DefaultHasher;

    fn hash_of(v: &impl Hash) -> u64 {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    proptest! {
        /// The representation is invisible: every operation gives what it gives on the
        /// `Vec<u8>` the type used to wrap, for lengths on both sides of the inline limit.
        #[test]
        fn behaves_like_the_bytes(
            a in proptest::collection::vec(any::<u8>(), 0..40),
            b in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let ka = KeyId::from(a.clone());
            let kb = KeyId::from(b.as_slice());
            prop_assert_eq!(ka.as_bytes(), a.as_slice());
            prop_assert_eq!(KeyId::from(a.as_slice()), ka.clone());
            prop_assert_eq!(ka == kb, a == b);
            prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            prop_assert_eq!(ka.partial_cmp(&kb), a.partial_cmp(&b));
            prop_assert_eq!(hash_of(&ka), hash_of(&a));
            prop_assert_eq!(ka.to_string(), hex::encode(&a));
            prop_assert_eq!(ka.clone().into_bytes(), a.clone());
            prop_assert_eq!(matches!(ka.0, Repr::Inline { .. }), a.len() <= INLINE);
        }
    }

    #[test]
    fn default_is_empty_and_arrays_convert() {
        assert_eq!(KeyId::default().as_bytes(), b"");
        assert_eq!(KeyId::default(), KeyId::from(Vec::new()));
        assert_eq!(KeyId::from(b"as-rs").as_bytes(), b"as-rs");
        assert_eq!(format!("{:?}", KeyId::from(b"\x01\xab")), "KeyId(01ab)");
    }
}
