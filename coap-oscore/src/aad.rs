//! The Additional Authenticated Data (RFC 8613 §5.4): the COSE `Enc_structure` with the OSCORE
//! `external_aad`, CBOR-encoded deterministically into a stack buffer.

use crate::error::Error;
use crate::partial_iv::PartialIv;

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

/// Index of the `external_aad` byte-string head (one byte while `aad_array` is shorter than 24).
const EXTERNAL_AAD_HEAD: usize = ENC_STRUCTURE_PREFIX.len();

/// RFC 8613 §5.4 with the per-request-sender part done once: the AAD of a request kid with an
/// empty Partial IV. A message's AAD is this with the Partial IV spliced in before the final
/// empty `options` bstr and the `external_aad` length raised by as much; the result is byte
/// for byte what [`aad`] writes (unit test `prefix_matches_aad`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AadTemplate {
    bytes: [u8; MAX_AAD_LEN],
    len: usize,
}

impl AadTemplate {
    /// `None` when the `aad_array` could not keep a one-byte head with a 5-byte Partial IV
    /// (never for IDs of at most 7 bytes); callers then use [`aad`].
    pub(crate) fn new(alg: u8, request_kid: &[u8]) -> Option<Self> {
        let mut bytes = [0u8; MAX_AAD_LEN];
        let len = aad(&mut bytes, alg, request_kid, &[]).ok()?;
        let head = *bytes.get(EXTERNAL_AAD_HEAD)?;
        // bstr head (major type 2) with a length that stays below 24 after adding 5.
        // The 8-byte store of `write` ends at `len - 2 + 9`.
        (head & 0xe0 == 0x40 && head & 0x1f < 24 - 5 && len + 7 <= MAX_AAD_LEN)
            .then_some(Self { bytes, len })
    }

    /// The AAD for `request_piv`, written into `out`; returns its length.
    #[inline]
    pub(crate) fn write(&self, out: &mut [u8; MAX_AAD_LEN], request_piv: PartialIv) -> usize {
        let n = request_piv.encoded_len();
        *out = self.bytes;
        if let Some(h) = out.get_mut(EXTERNAL_AAD_HEAD) {
            *h += n as u8;
        }
        // Before: ... 0x40 (empty request_piv) 0x40 (empty options); after: ... 0x4n piv 0x40.
        let piv_head = self.len - 2;
        if let Some(h) = out.get_mut(piv_head) {
            *h = 0x40 | n as u8;
        }
        // The n Partial IV bytes and the final 0x40 as one 8-byte big-endian store (what
        // follows them lies beyond the returned length).
        let shift = 64 - 8 * n as u32;
        let tail = (request_piv.value() << shift) | (0x40 << (shift - 8));
        if let Some(dst) = out.get_mut(piv_head + 1..piv_head + 9) {
            dst.copy_from_slice(&tail.to_be_bytes());
        }
        self.len + n
    }
}

/// RFC 8613 §5.4: the AAD of a message protected with an endpoint's own (kid, Partial IV), from
/// the endpoint's precomputed [`AadTemplate`] when it has one, else encoded in full.
#[inline]
pub(crate) fn endpoint_aad(
    template: Option<&AadTemplate>,
    out: &mut [u8; MAX_AAD_LEN],
    alg: u8,
    kid: &[u8],
    piv: PartialIv,
) -> Result<usize, Error> {
    match template {
        Some(template) => Ok(template.write(out, piv)),
        None => aad(out, alg, kid, piv.encode().as_bytes()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The template gives the same bytes as the direct encoding for every algorithm id, kid
    /// length and Partial IV length (1–5 bytes); the direct encoding is checked against RFC 8613 C.4–C.7.
    #[test]
    fn prefix_matches_aad() {
        let kid_bytes = [1u8, 2, 3, 4, 5, 6, 7];
        for alg in [1u8, 3, 10, 11, 30] {
            for kid_len in 0..=7 {
                let kid = kid_bytes.get(..kid_len).unwrap();
                let t = AadTemplate::new(alg, kid).unwrap();
                for seq in [
                    0u64,
                    0x11,
                    0xff,
                    0x1122,
                    0x11_2233,
                    0x1122_3344,
                    (1 << 40) - 1,
                ] {
                    let piv = PartialIv::new(seq).unwrap();
                    let mut direct = [0u8; MAX_AAD_LEN];
                    let dl = aad(&mut direct, alg, kid, piv.encode().as_bytes()).unwrap();
                    let mut fast = [0u8; MAX_AAD_LEN];
                    let fl = t.write(&mut fast, piv);
                    assert_eq!(
                        fast.get(..fl),
                        direct.get(..dl),
                        "alg {alg} kid {kid_len} seq {seq}"
                    );
                }
            }
        }
    }
}
