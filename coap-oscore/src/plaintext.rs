//! The OSCORE plaintext (RFC 8613 §5.3): the inner Code, the class E options in CoAP encoding
//! (RFC 7252 §3.1) and the payload behind 0xFF.

use crate::error::Error;

/// Writes the plaintext into a caller buffer, options in ascending order.
pub(crate) struct PlaintextWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
    last_option: u16,
}

impl<'b> PlaintextWriter<'b> {
    pub(crate) fn new(buf: &'b mut [u8], code: u8) -> Result<Self, Error> {
        *buf.first_mut().ok_or(Error::BufferTooSmall)? = code;
        Ok(Self {
            buf,
            len: 1,
            last_option: 0,
        })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.len + bytes.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// RFC 7252 §3.1 option encoding; `number` must not be below the previous one.
    pub(crate) fn option(&mut self, number: u16, value: &[u8]) -> Result<(), Error> {
        let delta = number
            .checked_sub(self.last_option)
            .ok_or(Error::OutputMessage)?;
        let (head, head_len) = header(usize::from(delta), value.len());
        let start = self.len;
        let end = start + head_len + value.len();
        let (head_out, value_out) = self
            .buf
            .get_mut(start..end)
            .and_then(|dst| dst.split_at_mut_checked(head_len))
            .ok_or(Error::BufferTooSmall)?;
        for (o, b) in head_out.iter_mut().zip(head) {
            *o = b;
        }
        value_out.copy_from_slice(value);
        self.len = end;
        self.last_option = number;
        Ok(())
    }

    /// Like [`PlaintextWriter::option`], with the value produced byte by byte (`len` bytes).
    pub(crate) fn option_from_iter(
        &mut self,
        number: u16,
        len: usize,
        value: impl Iterator<Item = Result<u8, Error>>,
    ) -> Result<(), Error> {
        let delta = number
            .checked_sub(self.last_option)
            .ok_or(Error::OutputMessage)?;
        let (dn, dext, dlen) = nibble(usize::from(delta));
        let (ln, lext, llen) = nibble(len);
        self.put(&[(dn << 4) | ln])?;
        self.put(dext.get(..dlen).unwrap_or(&[]))?;
        self.put(lext.get(..llen).unwrap_or(&[]))?;
        for b in value {
            self.put(&[b?])?;
        }
        self.last_option = number;
        Ok(())
    }

    /// Appends the payload marker and payload (nothing for an empty payload, RFC 7252 §3).
    pub(crate) fn finish(self, payload: &[u8]) -> Result<(&'b mut [u8], usize), Error> {
        if payload.is_empty() {
            return Ok((self.buf, self.len));
        }
        let end = self.len + 1 + payload.len();
        let (marker, rest) = self
            .buf
            .get_mut(self.len..end)
            .and_then(|dst| dst.split_first_mut())
            .ok_or(Error::BufferTooSmall)?;
        *marker = 0xff;
        rest.copy_from_slice(payload);
        Ok((self.buf, end))
    }
}

/// RFC 7252 §3.1: the option header (delta and length nibbles, then their extended bytes) for
/// `delta` and `len`, and how many of its bytes are used.
fn header(delta: usize, len: usize) -> ([u8; 5], usize) {
    let (dn, [d0, d1], dlen) = nibble(delta);
    let (ln, [l0, l1], llen) = nibble(len);
    let first = (dn << 4) | ln;
    match (dlen, llen) {
        (0, 0) => ([first, 0, 0, 0, 0], 1),
        (0, 1) => ([first, l0, 0, 0, 0], 2),
        (0, _) => ([first, l0, l1, 0, 0], 3),
        (1, 0) => ([first, d0, 0, 0, 0], 2),
        (1, 1) => ([first, d0, l0, 0, 0], 3),
        (1, _) => ([first, d0, l0, l1, 0], 4),
        (_, 0) => ([first, d0, d1, 0, 0], 3),
        (_, 1) => ([first, d0, d1, l0, 0], 4),
        (_, _) => ([first, d0, d1, l0, l1], 5),
    }
}

fn nibble(v: usize) -> (u8, [u8; 2], usize) {
    if v < 13 {
        (v as u8, [0, 0], 0)
    } else if v < 269 {
        (13, [(v - 13) as u8, 0], 1)
    } else {
        let e = (v - 269) as u16;
        (14, e.to_be_bytes(), 2)
    }
}

/// A validated plaintext: code, options (iterated without copying) and payload.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plaintext<'a> {
    pub(crate) code: u8,
    options: &'a [u8],
    pub(crate) payload: &'a [u8],
}

impl<'a> Plaintext<'a> {
    /// RFC 8613 §5.3: parse strictly: reserved nibbles (15 outside the payload marker), option
    /// numbers above 65535, a payload marker followed by nothing and options that must never
    /// be inner are [`Error::MalformedPlaintext`].
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let (&code, options) = bytes.split_first().ok_or(Error::MalformedPlaintext)?;
        let mut rest = options;
        let mut number = 0usize;
        loop {
            let Some((&head, after)) = rest.split_first() else {
                return Ok(Self {
                    code,
                    options,
                    payload: &[],
                });
            };
            if head == 0xff {
                if after.is_empty() {
                    return Err(Error::MalformedPlaintext);
                }
                let options_len = options.len() - rest.len();
                return Ok(Self {
                    code,
                    options: options
                        .get(..options_len)
                        .ok_or(Error::MalformedPlaintext)?,
                    payload: after,
                });
            }
            let (delta, after) = extended(head >> 4, after).ok_or(Error::MalformedPlaintext)?;
            let (len, after) = extended(head & 0x0f, after).ok_or(Error::MalformedPlaintext)?;
            number += delta;
            let n = u16::try_from(number).map_err(|_| Error::MalformedPlaintext)?;
            rest = after.get(len..).ok_or(Error::MalformedPlaintext)?;
            if crate::option_class::forbidden_inner(n) {
                return Err(Error::MalformedPlaintext);
            }
        }
    }

    /// The inner options in ascending order (already validated by [`Plaintext::parse`]).
    pub(crate) fn options(&self) -> InnerOptions<'a> {
        InnerOptions {
            rest: self.options,
            last: 0,
        }
    }
}

/// RFC 7252 §3.1: an option delta or length from its nibble and extended bytes, and what follows
/// them; `None` for the reserved nibble 15 or truncated extended bytes.
fn extended(nibble: u8, rest: &[u8]) -> Option<(usize, &[u8])> {
    match nibble {
        0..=12 => Some((usize::from(nibble), rest)),
        13 => {
            let (&b, rest) = rest.split_first()?;
            Some((usize::from(b) + 13, rest))
        }
        14 => {
            let (b, rest) = rest.split_first_chunk::<2>()?;
            Some((usize::from(u16::from_be_bytes(*b)) + 269, rest))
        }
        _ => None,
    }
}

/// The options of a plaintext that [`Plaintext::parse`] accepted, decoded without the checks
/// parsing already made (a malformed run, which parsing never lets through, just ends early).
pub(crate) struct InnerOptions<'a> {
    rest: &'a [u8],
    last: u16,
}

impl<'a> Iterator for InnerOptions<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let (&head, rest) = self.rest.split_first()?;
        let (delta, rest) = extended(head >> 4, rest)?;
        let (len, rest) = extended(head & 0x0f, rest)?;
        let (value, rest) = rest.split_at_checked(len)?;
        self.last = self.last.checked_add(u16::try_from(delta).ok()?)?;
        self.rest = rest;
        Some((self.last, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7252 §3.1 written out field by field: the reference the one-copy header is checked
    /// against.
    fn reference_option(last: u16, number: u16, value: &[u8]) -> Vec<u8> {
        fn field(v: usize) -> (u8, Vec<u8>) {
            match v {
                0..=12 => (v as u8, vec![]),
                13..=268 => (13, vec![(v - 13) as u8]),
                _ => (14, ((v - 269) as u16).to_be_bytes().to_vec()),
            }
        }
        let (dn, dext) = field(usize::from(number - last));
        let (ln, lext) = field(value.len());
        let mut out = vec![(dn << 4) | ln];
        out.extend(dext);
        out.extend(lext);
        out.extend_from_slice(value);
        out
    }

    /// Deltas and lengths at every nibble boundary (12/13, 268/269, 65535) give the reference
    /// bytes and parse back to the same option.
    #[test]
    fn option_header_matches_rfc7252_fields() {
        let value = vec![0xabu8; 300];
        for delta in [0u16, 1, 12, 13, 14, 268, 269, 270, 1000, 65535] {
            for len in [0usize, 1, 12, 13, 268, 269, 300] {
                let mut buf = [0u8; 400];
                let mut w = PlaintextWriter::new(&mut buf, 0x01).unwrap();
                w.option(delta, value.get(..len).unwrap()).unwrap();
                let (buf, n) = w.finish(&[]).unwrap();
                let expected = reference_option(0, delta, value.get(..len).unwrap());
                assert_eq!(
                    buf.get(1..n).unwrap(),
                    &expected[..],
                    "delta {delta} len {len}"
                );
                let parsed = Plaintext::parse(buf.get(..n).unwrap()).unwrap();
                let options: Vec<_> = parsed.options().collect();
                assert_eq!(options, vec![(delta, value.get(..len).unwrap())]);
            }
        }
    }

    /// RFC 8613 §5.3 / RFC 7252 §3.1: what the parser accepts and what it refuses.
    #[test]
    fn parse_is_strict() {
        let ok = Plaintext::parse(&[0x01, 0xb3, b't', b'v', b'1', 0x21, 0x00, 0xff, 0x61]).unwrap();
        assert_eq!(ok.code, 0x01);
        assert_eq!(
            ok.options().collect::<Vec<_>>(),
            vec![(11, &b"tv1"[..]), (13, &[0x00][..])]
        );
        assert_eq!(ok.payload, b"a");
        let bare = Plaintext::parse(&[0x45]).unwrap();
        assert_eq!(
            (bare.code, bare.options().count(), bare.payload),
            (0x45, 0, &[][..])
        );
        // Inner Observe (class E+U) and the largest option number are fine.
        assert!(Plaintext::parse(&[0x01, 0x60]).is_ok());
        let max = Plaintext::parse(&[0x01, 0xe0, 0xfe, 0xf2]).unwrap();
        assert_eq!(max.options().collect::<Vec<_>>(), vec![(65535, &[][..])]);
        for bad in [
            &[][..],                         // no code
            &[0x01, 0xff],                   // payload marker without payload
            &[0x01, 0xf0],                   // delta nibble 15 outside the marker
            &[0x01, 0x0f],                   // length nibble 15
            &[0x01, 0xd0],                   // 1-byte extended delta missing
            &[0x01, 0xe0, 0x00],             // 2-byte extended delta truncated
            &[0x01, 0x0d],                   // 1-byte extended length missing
            &[0x01, 0xb3, b't', b'v'],       // value truncated
            &[0x01, 0xe0, 0xfe, 0xf2, 0x10], // option number 65536
            &[0x01, 0xe0, 0xff, 0xff],       // option number above 65535 at once
            &[0x01, 0x30],                   // Uri-Host (class U) inside
            &[0x01, 0x90],                   // OSCORE inside
            &[0x01, 0xd0, 0x16],             // Proxy-Uri (35) inside
        ] {
            assert_eq!(
                Plaintext::parse(bad).map(|_| ()),
                Err(Error::MalformedPlaintext),
                "{bad:02x?}"
            );
        }
    }
}
