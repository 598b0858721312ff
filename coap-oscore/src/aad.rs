//! The Additional Authenticated Data (RFC 8613 §5.4): the COSE `Enc_structure` with the OSCORE
//! `external_aad`, CBOR-encoded deterministically into a stack buffer.

use crate::error::Error;

/// Capacity for the encoded AAD: 12 bytes of `Enc_structure` framing plus the `aad_array`
/// (version, `[alg]`, request kid ≤ 7, request Partial IV ≤ 5, empty Class I options).
pub(crate) const MAX_AAD_LEN: usize = 48;

/// RFC 8613 §5.4:
/// ```text
/// aad_array = [ oscore_version : uint (1), algorithms : [ alg_aead : int / tstr ],
///               request_kid : bstr, request_piv : bstr, options : bstr ]
/// Enc_structure = [ "Encrypt0", h'', external_aad = bstr .cbor aad_array ]
/// ```
pub(crate) fn aad(
    out: &mut [u8; MAX_AAD_LEN],
    alg: u8,
    request_kid: &[u8],
    request_piv: &[u8],
) -> Result<usize, Error> {
    let mut array = [0u8; MAX_AAD_LEN];
    let mut a = Cbor {
        out: &mut array,
        at: 0,
    };
    a.raw(&[0x85, 0x01, 0x81])?;
    a.uint(alg)?;
    a.bstr(request_kid)?;
    a.bstr(request_piv)?;
    a.bstr(&[])?;
    let array_len = a.at;
    let mut e = Cbor { out, at: 0 };
    // ["Encrypt0", h'', ...]
    e.raw(&[0x83, 0x68])?;
    e.raw(b"Encrypt0")?;
    e.raw(&[0x40])?;
    e.bstr(array.get(..array_len).ok_or(Error::BufferTooSmall)?)?;
    Ok(e.at)
}

struct Cbor<'o> {
    out: &'o mut [u8],
    at: usize,
}

impl Cbor<'_> {
    fn raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.at + bytes.len();
        self.out
            .get_mut(self.at..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.at = end;
        Ok(())
    }

    /// Deterministic (shortest) head for major type `major` (RFC 8949 §4.2.1).
    fn head(&mut self, major: u8, value: usize) -> Result<(), Error> {
        match value {
            0..=23 => self.raw(&[major << 5 | value as u8]),
            24..=255 => self.raw(&[major << 5 | 24, value as u8]),
            _ => {
                let v = u16::try_from(value).map_err(|_| Error::BufferTooSmall)?;
                let [hi, lo] = v.to_be_bytes();
                self.raw(&[major << 5 | 25, hi, lo])
            }
        }
    }

    fn uint(&mut self, v: u8) -> Result<(), Error> {
        self.head(0, usize::from(v))
    }

    fn bstr(&mut self, b: &[u8]) -> Result<(), Error> {
        self.head(2, b.len())?;
        self.raw(b)
    }
}
