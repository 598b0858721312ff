//! Request-Tag (RFC 9175 §3) and ETag (RFC 7252 §5.10.6): short opaque option values.

use crate::Error;

/// RFC 9175 §3.2: the Request-Tag of a block-wise request operation (0-8 opaque bytes).
///
/// RFC 9175 §3.4: "The absence of a Request-Tag option is viewed as a value distinct from all
/// values with a single Request-Tag option set" — so `Absent` and `Tag(b"")` differ. The
/// server treats it as opaque (RFC 9175 §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RequestTag {
    /// No Request-Tag option in the request.
    #[default]
    Absent,
    /// One Request-Tag option with this value.
    Tag(ShortOpaque),
}

impl RequestTag {
    /// RFC 9175 §3.2: a present Request-Tag; refuses values longer than 8 bytes.
    pub fn new(value: &[u8]) -> Result<Self, Error> {
        ShortOpaque::new(value)
            .map(RequestTag::Tag)
            .ok_or(Error::RequestTagTooLong { len: value.len() })
    }

    /// The option value to send, or `None` when the option is absent.
    pub fn value(&self) -> Option<&[u8]> {
        match self {
            RequestTag::Absent => None,
            RequestTag::Tag(v) => Some(v.as_bytes()),
        }
    }
}

/// RFC 7252 §5.10.6: an entity tag (1-8 opaque bytes) identifying one representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ETag(ShortOpaque);

impl ETag {
    /// RFC 7252 §5.10.6: 1 to 8 bytes; other lengths are refused.
    pub fn new(value: &[u8]) -> Result<Self, Error> {
        if value.is_empty() {
            return Err(Error::InvalidETag { len: 0 });
        }
        ShortOpaque::new(value)
            .map(ETag)
            .ok_or(Error::InvalidETag { len: value.len() })
    }

    /// The option value.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Up to 8 opaque bytes stored inline (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShortOpaque {
    bytes: [u8; 8],
    len: u8,
}

impl ShortOpaque {
    /// The value, or `None` when longer than 8 bytes.
    pub fn new(value: &[u8]) -> Option<Self> {
        let mut bytes = [0u8; 8];
        bytes.get_mut(..value.len())?.copy_from_slice(value);
        Some(ShortOpaque {
            bytes,
            len: value.len() as u8,
        })
    }

    /// The stored bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}
