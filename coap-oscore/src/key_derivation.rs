//! Derivation of Sender Key, Recipient Key and Common IV with HKDF-SHA-256 (RFC 8613 §3.2.1).

use hkdf::Hkdf;
use sha2::Sha256;

use crate::algorithm::AeadAlgorithm;
use crate::error::Error;

/// Capacity for the encoded HKDF `info` (id ≤ 7, id_context ≤ 32, framing).
pub const MAX_INFO_LEN: usize = 64;

/// Which output of the derivation (the `type` member of `info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoType {
    /// "Key": a Sender or Recipient Key.
    Key,
    /// "IV": the Common IV.
    Iv,
}

/// RFC 8613 §3.2.1: the deterministic CBOR encoding of
/// ```text
/// info = [ id : bstr, id_context : bstr / nil, alg_aead : int / tstr, type : tstr, L : uint ]
/// ```
/// into `out`; returns the used length.
pub fn info(
    out: &mut [u8; MAX_INFO_LEN],
    id: &[u8],
    id_context: Option<&[u8]>,
    alg: AeadAlgorithm,
    kind: InfoType,
    len: usize,
) -> Result<usize, Error> {
    let mut at = 0usize;
    let mut put = |bytes: &[u8]| -> Result<(), Error> {
        let end = at + bytes.len();
        out.get_mut(at..end)
            .ok_or(Error::IdContextTooLong)?
            .copy_from_slice(bytes);
        at = end;
        Ok(())
    };
    let head = |major: u8, v: usize| -> ([u8; 2], usize) {
        if v < 24 {
            ([major << 5 | v as u8, 0], 1)
        } else {
            ([major << 5 | 24, v as u8], 2)
        }
    };
    put(&[0x85])?;
    let (h, n) = head(2, id.len());
    put(h.get(..n).unwrap_or(&[]))?;
    put(id)?;
    match id_context {
        Some(ctx) => {
            if ctx.len() > 255 {
                return Err(Error::IdContextTooLong);
            }
            let (h, n) = head(2, ctx.len());
            put(h.get(..n).unwrap_or(&[]))?;
            put(ctx)?;
        }
        None => put(&[0xf6])?,
    }
    let (h, n) = head(0, usize::from(alg.cose_id()));
    put(h.get(..n).unwrap_or(&[]))?;
    match kind {
        InfoType::Key => put(&[0x63, b'K', b'e', b'y'])?,
        InfoType::Iv => put(&[0x62, b'I', b'V'])?,
    }
    let (h, n) = head(0, len);
    put(h.get(..n).unwrap_or(&[]))?;
    Ok(at)
}

/// HKDF-SHA-256 extract with the Master Salt (default: empty byte string, §3.2) and expand with
/// one `info` per output.
pub(crate) struct Kdf(Hkdf<Sha256>);

impl Kdf {
    pub(crate) fn new(master_secret: &[u8], master_salt: &[u8]) -> Self {
        Self(Hkdf::<Sha256>::new(Some(master_salt), master_secret))
    }

    pub(crate) fn expand(
        &self,
        id: &[u8],
        id_context: Option<&[u8]>,
        alg: AeadAlgorithm,
        kind: InfoType,
        out: &mut [u8],
    ) -> Result<(), Error> {
        let mut buf = [0u8; MAX_INFO_LEN];
        let n = info(&mut buf, id, id_context, alg, kind, out.len())?;
        self.0
            .expand(buf.get(..n).unwrap_or(&[]), out)
            .map_err(|_| Error::KeyMaterialTooLong)
    }
}
