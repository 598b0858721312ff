//! application/multipart-core (RFC 8710 §2), Content-Format 62: the /skg and /skc response
//! body (RFC 9148 §5.3, §5.8).
//!
//! The decoder is strict: one definite-length CBOR array with an even number of items, each
//! pair an unsigned integer of at most 16 bits (`uint .size 2`) and a byte string or `null`,
//! and no trailing bytes. Indefinite-length items are refused (RFC 8710 does not need them
//! and a deterministic encoder never produces them). The encoder writes preferred
//! (shortest) heads, RFC 8949 §4.2.1.

use crate::content_format::ContentFormat;
use crate::error::Error;
use alloc::vec::Vec;

/// One part: a Content-Format number and a representation (`None` = CBOR `null`, an optional
/// part not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part<'a> {
    /// The Content-Format of the representation.
    pub content_format: u16,
    /// The representation bytes, or `None` for `null`.
    pub representation: Option<&'a [u8]>,
}

/// A multipart-core collection, borrowing its parts from the decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Multipart<'a> {
    /// The parts in order.
    pub parts: Vec<Part<'a>>,
}

const MAJOR_UINT: u8 = 0;
const MAJOR_BYTES: u8 = 2;
const MAJOR_ARRAY: u8 = 4;
const NULL: u8 = 0xf6;

impl<'a> Multipart<'a> {
    /// An empty collection.
    #[must_use]
    pub fn new() -> Self {
        Multipart { parts: Vec::new() }
    }

    /// Appends a part.
    #[must_use]
    pub fn with(mut self, format: ContentFormat, representation: &'a [u8]) -> Self {
        self.parts.push(Part {
            content_format: format.id(),
            representation: Some(representation),
        });
        self
    }

    /// The first representation with this Content-Format (RFC 8710: parts may come in any
    /// order, RFC 9148 §5.3).
    #[must_use]
    pub fn find(&self, format: ContentFormat) -> Option<&'a [u8]> {
        self.parts
            .iter()
            .find(|p| p.content_format == format.id())
            .and_then(|p| p.representation)
    }

    /// RFC 8710 §2: encodes the collection deterministically.
    #[must_use]
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let items = (self.parts.len() as u64).saturating_mul(2);
        write_head(&mut out, MAJOR_ARRAY, items);
        for p in &self.parts {
            write_head(&mut out, MAJOR_UINT, u64::from(p.content_format));
            match p.representation {
                Some(r) => {
                    write_head(&mut out, MAJOR_BYTES, r.len() as u64);
                    out.extend_from_slice(r);
                }
                None => out.push(NULL),
            }
        }
        out
    }

    /// RFC 8710 §2: decodes a collection strictly.
    ///
    /// # Errors
    /// [`Error::MalformedMultipart`] for anything but a well-formed collection.
    pub fn decode(input: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader { buf: input, pos: 0 };
        let (major, count) = r.head()?;
        if major != MAJOR_ARRAY {
            return Err(Error::MalformedMultipart("not a CBOR array"));
        }
        if count % 2 != 0 {
            return Err(Error::MalformedMultipart("odd number of array items"));
        }
        let mut parts = Vec::new();
        for _ in 0..count / 2 {
            let (major, value) = r.head()?;
            if major != MAJOR_UINT {
                return Err(Error::MalformedMultipart(
                    "content format is not an unsigned integer",
                ));
            }
            let content_format = u16::try_from(value)
                .map_err(|_| Error::MalformedMultipart("content format larger than 16 bits"))?;
            let representation = if r.peek() == Some(NULL) {
                r.pos += 1;
                None
            } else {
                let (major, len) = r.head()?;
                if major != MAJOR_BYTES {
                    return Err(Error::MalformedMultipart(
                        "representation is not a byte string",
                    ));
                }
                Some(r.take(len)?)
            };
            parts.push(Part {
                content_format,
                representation,
            });
        }
        if r.pos != input.len() {
            return Err(Error::MalformedMultipart("trailing bytes after the array"));
        }
        Ok(Multipart { parts })
    }
}

fn write_head(out: &mut Vec<u8>, major: u8, value: u64) {
    let m = major << 5;
    if value < 24 {
        out.push(m | value as u8);
    } else if let Ok(v) = u8::try_from(value) {
        out.push(m | 24);
        out.push(v);
    } else if let Ok(v) = u16::try_from(value) {
        out.push(m | 25);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = u32::try_from(value) {
        out.push(m | 26);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&value.to_be_bytes());
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], Error> {
        let len = usize::try_from(len).map_err(|_| Error::MalformedMultipart("length overflow"))?;
        let end = self
            .pos
            .checked_add(len)
            .ok_or(Error::MalformedMultipart("length overflow"))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(Error::MalformedMultipart("truncated"))?;
        self.pos = end;
        Ok(s)
    }

    fn head(&mut self) -> Result<(u8, u64), Error> {
        let b = self.peek().ok_or(Error::MalformedMultipart("truncated"))?;
        self.pos += 1;
        let major = b >> 5;
        let info = b & 0x1f;
        let value = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let n = 1usize << (info - 24);
                let bytes = self.take(n as u64)?;
                bytes.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x))
            }
            31 => return Err(Error::MalformedMultipart("indefinite length not accepted")),
            _ => return Err(Error::MalformedMultipart("reserved additional information")),
        };
        Ok((major, value))
    }
}
