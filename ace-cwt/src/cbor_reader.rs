//! A borrowing reader for the few CBOR shapes of a compact token (RFC 8949 §3).
//!
//! It is narrower than the general decoder on purpose: definite lengths only, preferred
//! (shortest) argument encoding only (RFC 8949 §4.2.1), UTF-8 checked text. Whatever it does
//! not understand is reported as `None`, and the caller then hands the whole input to the
//! general, strict decoder, which gives the authoritative answer (and error).

/// RFC 8949 §3.1 major types used here.
const UNSIGNED: u8 = 0;
const NEGATIVE: u8 = 1;
pub(crate) const BYTES: u8 = 2;
pub(crate) const TEXT: u8 = 3;
pub(crate) const ARRAY: u8 = 4;
pub(crate) const MAP: u8 = 5;
pub(crate) const TAG: u8 = 6;

/// A cursor over borrowed CBOR bytes.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// Whether every byte was consumed (RFC 8392 §7.2 step 1: no trailing bytes).
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The major type of the next item, without consuming it.
    pub(crate) fn peek_major(&self) -> Option<u8> {
        self.rest.first().map(|b| b >> 5)
    }

    #[inline]
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).and_then(|b| b.first().copied())
    }

    /// RFC 8949 §3: an initial byte and its argument, preferred encoding only.
    #[inline]
    pub(crate) fn head(&mut self) -> Option<(u8, u64)> {
        let initial = self.byte()?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let arg = match info {
            0..=23 => u64::from(info),
            24 => {
                let v = u64::from(self.byte()?);
                (v >= 24).then_some(v)?
            }
            25 => {
                let v = u64::from(u16::from_be_bytes(self.take(2)?.try_into().ok()?));
                (v > 0xff).then_some(v)?
            }
            26 => {
                let v = u64::from(u32::from_be_bytes(self.take(4)?.try_into().ok()?));
                (v > 0xffff).then_some(v)?
            }
            27 => {
                let v = u64::from_be_bytes(self.take(8)?.try_into().ok()?);
                (v > 0xffff_ffff).then_some(v)?
            }
            // 28–30 reserved, 31 indefinite length or break: left to the general decoder.
            _ => return None,
        };
        Some((major, arg))
    }

    /// The head of the next item, which must be of `major`.
    pub(crate) fn expect(&mut self, major: u8) -> Option<u64> {
        match self.head()? {
            (m, arg) if m == major => Some(arg),
            _ => None,
        }
    }

    /// An integer (major 0 or 1) that fits `i64`.
    pub(crate) fn int(&mut self) -> Option<i64> {
        match self.head()? {
            (UNSIGNED, n) => i64::try_from(n).ok(),
            (NEGATIVE, n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    /// An unsigned integer (major 0).
    pub(crate) fn uint(&mut self) -> Option<u64> {
        self.expect(UNSIGNED)
    }

    /// A byte string (major 2), borrowed.
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.expect(BYTES)?).ok()?;
        self.take(len)
    }

    /// A text string (major 3), borrowed and UTF-8 checked.
    pub(crate) fn text(&mut self) -> Option<&'a str> {
        let len = usize::try_from(self.expect(TEXT)?).ok()?;
        core::str::from_utf8(self.take(len)?).ok()
    }
}

/// A fixed-capacity output buffer on the stack; writing past `N` bytes fails (`None`).
pub(crate) struct Writer<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Writer<N> {
    pub(crate) fn new() -> Self {
        Writer {
            buf: [0; N],
            len: 0,
        }
    }

    /// Append `bytes`.
    pub(crate) fn extend(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.buf.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    /// RFC 8949 §3.1: the head of a byte string of `len` bytes, in preferred encoding.
    pub(crate) fn bytes_head(&mut self, len: usize) -> Option<()> {
        let major = BYTES << 5;
        match u64::try_from(len).ok()? {
            n @ 0..=23 => self.extend(&[major | u8::try_from(n).ok()?]),
            n @ 24..=0xff => self.extend(&[major | 24, u8::try_from(n).ok()?]),
            n @ 0x100..=0xffff => {
                self.extend(&[major | 25])?;
                self.extend(&u16::try_from(n).ok()?.to_be_bytes())
            }
            n @ 0x1_0000..=0xffff_ffff => {
                self.extend(&[major | 26])?;
                self.extend(&u32::try_from(n).ok()?.to_be_bytes())
            }
            n => {
                self.extend(&[major | 27])?;
                self.extend(&n.to_be_bytes())
            }
        }
    }

    /// The bytes written.
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_match_ciborium_for_preferred_encodings() {
        for n in [0u64, 1, 23, 24, 255, 256, 65535, 65536, u32::MAX as u64 + 1] {
            let mut enc = alloc::vec::Vec::new();
            ciborium::ser::into_writer(&ciborium::Value::Integer(n.into()), &mut enc).unwrap();
            let mut r = Reader::new(&enc);
            assert_eq!(r.uint(), Some(n));
            assert!(r.is_empty());
            let mut ours = Writer::<16>::new();
            ours.bytes_head(n as usize).unwrap();
            let ours = ours.as_slice().to_vec();
            let mut theirs = alloc::vec::Vec::new();
            ciborium::ser::into_writer(&ciborium::Value::Integer(n.into()), &mut theirs).unwrap();
            theirs[0] |= BYTES << 5;
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn non_preferred_and_indefinite_heads_are_left_to_the_general_decoder() {
        assert_eq!(Reader::new(&[0x18, 0x17]).uint(), None);
        assert_eq!(Reader::new(&[0x19, 0x00, 0xff]).uint(), None);
        assert_eq!(Reader::new(&[0x5f, 0xff]).bytes(), None);
        assert_eq!(Reader::new(&[0x62, 0xff, 0xfe]).text(), None);
        assert_eq!(Reader::new(&[0x3b, 0xff, 0, 0, 0, 0, 0, 0, 0]).int(), None);
        assert_eq!(Reader::new(&[0x20]).int(), Some(-1));
    }
}
