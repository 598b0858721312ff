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
        let (dn, dext, dlen) = nibble(usize::from(delta));
        let (ln, lext, llen) = nibble(value.len());
        self.put(&[(dn << 4) | ln])?;
        self.put(dext.get(..dlen).unwrap_or(&[]))?;
        self.put(lext.get(..llen).unwrap_or(&[]))?;
        self.put(value)?;
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
    pub(crate) fn finish(mut self, payload: &[u8]) -> Result<(&'b mut [u8], usize), Error> {
        if !payload.is_empty() {
            self.put(&[0xff])?;
            self.put(payload)?;
        }
        Ok((self.buf, self.len))
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
        let (&code, rest) = bytes.split_first().ok_or(Error::MalformedPlaintext)?;
        let mut it = OptionIter {
            rest,
            last: 0,
            payload: None,
        };
        for item in it.by_ref() {
            let (number, _) = item?;
            if crate::option_class::forbidden_inner(number) {
                return Err(Error::MalformedPlaintext);
            }
        }
        let payload = it.payload.unwrap_or(&[]);
        let options_len = rest.len() - payload.len() - usize::from(it.payload.is_some());
        Ok(Self {
            code,
            options: rest.get(..options_len).ok_or(Error::MalformedPlaintext)?,
            payload,
        })
    }

    /// The inner options in ascending order (already validated by [`Plaintext::parse`]).
    pub(crate) fn options(&self) -> impl Iterator<Item = (u16, &'a [u8])> + use<'a> {
        OptionIter {
            rest: self.options,
            last: 0,
            payload: None,
        }
        .map_while(Result::ok)
    }
}

struct OptionIter<'a> {
    rest: &'a [u8],
    last: u16,
    payload: Option<&'a [u8]>,
}

impl<'a> OptionIter<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let (head, tail) = self
            .rest
            .split_at_checked(n)
            .ok_or(Error::MalformedPlaintext)?;
        self.rest = tail;
        Ok(head)
    }

    fn extended(&mut self, nib: u8) -> Result<usize, Error> {
        Ok(match nib {
            0..=12 => usize::from(nib),
            13 => usize::from(*self.take(1)?.first().ok_or(Error::MalformedPlaintext)?) + 13,
            14 => {
                let b = self.take(2)?;
                let hi = *b.first().ok_or(Error::MalformedPlaintext)?;
                let lo = *b.get(1).ok_or(Error::MalformedPlaintext)?;
                usize::from(u16::from_be_bytes([hi, lo])) + 269
            }
            _ => return Err(Error::MalformedPlaintext),
        })
    }

    fn step(&mut self) -> Result<Option<(u16, &'a [u8])>, Error> {
        let Some(&head) = self.rest.first() else {
            return Ok(None);
        };
        self.take(1)?;
        if head == 0xff {
            if self.rest.is_empty() {
                return Err(Error::MalformedPlaintext);
            }
            self.payload = Some(self.rest);
            self.rest = &[];
            return Ok(None);
        }
        let delta = self.extended(head >> 4)?;
        let len = self.extended(head & 0x0f)?;
        let number = usize::from(self.last) + delta;
        let number = u16::try_from(number).map_err(|_| Error::MalformedPlaintext)?;
        let value = self.take(len)?;
        self.last = number;
        Ok(Some((number, value)))
    }
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<(u16, &'a [u8]), Error>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => None,
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}
