//! The Additional Authenticated Data (RFC 8613 §5.4): the COSE `Enc_structure` with the OSCORE
//! `external_aad`, CBOR-encoded deterministically into a stack buffer.

use crate::error::Error;

/// Capacity for the encoded AAD: 12 bytes of `Enc_structure` framing plus the `aad_array`
/// (version, `[alg]`, request kid ≤ 7, request Partial IV ≤ 5, empty Class I options).
pub(crate) const MAX_AAD_LEN: usize = 48;

/// `["Encrypt0", h'', ` : the constant start of the `Enc_structure` (RFC 9052 §5.3).
const ENC_STRUCTURE_PREFIX: [u8; 11] = [
    0x83, 0x68, b'E', b'n', b'c', b'r', b'y', b'p', b't', b'0', 0x40,
];

/// RFC 8613 §5.4:
/// ```text
/// aad_array = [ oscore_version : uint (1), algorithms : [ alg_aead : int / tstr ],
///               request_kid : bstr, request_piv : bstr, options : bstr ]
/// Enc_structure = [ "Encrypt0", h'', external_aad = bstr .cbor aad_array ]
/// ```
/// Written in one pass: the length of `aad_array` is known in advance, so the `external_aad`
/// byte-string head is written first and the array directly behind it.
pub(crate) fn aad(
    out: &mut [u8; MAX_AAD_LEN],
    alg: u8,
    request_kid: &[u8],
    request_piv: &[u8],
) -> Result<usize, Error> {
    let array_len = 3
        + head_len(usize::from(alg))
        + head_len(request_kid.len())
        + request_kid.len()
        + head_len(request_piv.len())
        + request_piv.len()
        + 1;
    let mut e = Cbor { out, at: 0 };
    e.raw(&ENC_STRUCTURE_PREFIX)?;
    e.head(2, array_len)?;
    e.raw(&[0x85, 0x01, 0x81])?;
    e.head(0, usize::from(alg))?;
    e.bstr(request_kid)?;
    e.bstr(request_piv)?;
    e.raw(&[0x40])?;
    Ok(e.at)
}

/// Length of a deterministic CBOR head for `value` (RFC 8949 §4.2.1), as [`Cbor::head`] writes it.
fn head_len(value: usize) -> usize {
    match value {
        0..=23 => 1,
        24..=255 => 2,
        _ => 3,
    }
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

    fn bstr(&mut self, b: &[u8]) -> Result<(), Error> {
        self.head(2, b.len())?;
        self.raw(b)
    }
}
