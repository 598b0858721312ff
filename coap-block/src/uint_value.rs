//! The CoAP `uint` option value format (RFC 7252 §3.2).

/// RFC 7252 §3.2: a uint option value in its shortest form (leading zero bytes removed; the
/// value 0 is the empty string). Holds up to 4 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UintValue {
    bytes: [u8; 4],
    start: usize,
}

impl UintValue {
    /// RFC 7252 §3.2: encode `value` with no leading zero bytes.
    pub fn new(value: u32) -> Self {
        let bytes = value.to_be_bytes();
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        UintValue { bytes, start }
    }

    /// The bytes to put into the option value.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or(&[])
    }
}

impl AsRef<[u8]> for UintValue {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// RFC 7252 §3.2: decode a uint of at most `max_len` bytes; "a recipient MUST be prepared to
/// process values with leading zero bytes", so those are accepted. `None` when too long.
pub(crate) fn decode_uint(value: &[u8], max_len: usize) -> Option<u32> {
    if value.len() > max_len || value.len() > 4 {
        return None;
    }
    Some(value.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}
