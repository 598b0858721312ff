//! Reading COSE headers the way RFC 9052 §3 and RFC 8392 §7.2 step 4 require.

use crate::{Algorithm, Error, KeyId};
use alloc::vec::Vec;
use coset::{Header, ProtectedHeader};

/// Where `alg` may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlgPlacement {
    /// Only in the protected bucket (CWTs: RFC 8392 §7.1 and this crate's policy against
    /// algorithm substitution).
    Protected,
    /// In either bucket (plain RFC 9052 §3, which allows an unprotected `alg`).
    Either,
}

/// The parameters this crate acts on, read from both buckets after the checks.
pub(crate) struct Parameters {
    /// RFC 9052 §3.1 `alg` (label 1), from the protected bucket.
    pub alg: Algorithm,
    /// RFC 9052 §3.1 `kid` (label 4), from either bucket.
    pub kid: Option<KeyId>,
    /// RFC 9052 §3.1 `IV` (label 5), from either bucket.
    pub iv: Vec<u8>,
}

/// RFC 9052 §3: a parameter must not be in both buckets; `crit` (label 2) lists parameters the
/// recipient must understand, and this crate understands no extension parameters, so any
/// `crit` is refused (RFC 8392 §7.2 step 4). `alg` must be protected (RFC 9052 §3.1 asks for it
/// there, and RFC 8392 §7.1 follows RFC 9052) unless `placement` allows either bucket.
pub(crate) fn read(
    protected: &ProtectedHeader,
    unprotected: &Header,
    placement: AlgPlacement,
) -> Result<Parameters, Error> {
    let p = &protected.header;
    let u = unprotected;
    if !p.crit.is_empty() || !u.crit.is_empty() {
        return Err(Error::UnsupportedCriticalHeader);
    }
    let both = (p.alg.is_some() && u.alg.is_some())
        || (p.content_type.is_some() && u.content_type.is_some())
        || (!p.key_id.is_empty() && !u.key_id.is_empty())
        || (!p.iv.is_empty() && !u.iv.is_empty())
        || (!p.partial_iv.is_empty() && !u.partial_iv.is_empty())
        || (!p.iv.is_empty() || !u.iv.is_empty())
            && (!p.partial_iv.is_empty() || !u.partial_iv.is_empty())
        || p.rest
            .iter()
            .any(|(l, _)| u.rest.iter().any(|(m, _)| l == m));
    if both {
        return Err(Error::DuplicateHeaderParameter);
    }
    let alg = match (&p.alg, &u.alg) {
        (Some(alg), _) => Algorithm::from_coset(alg)?,
        (None, Some(alg)) if placement == AlgPlacement::Either => Algorithm::from_coset(alg)?,
        (None, _) => return Err(Error::MissingAlgorithm),
    };
    let kid = if p.key_id.is_empty() {
        &u.key_id
    } else {
        &p.key_id
    };
    let iv = if p.iv.is_empty() { &u.iv } else { &p.iv };
    Ok(Parameters {
        alg,
        kid: Some(KeyId::from(kid.as_slice())).filter(|k| !k.as_bytes().is_empty()),
        iv: iv.clone(),
    })
}

/// The protected header of a new structure: only `alg` (RFC 9052 §3.1).
pub(crate) fn protected(alg: Algorithm) -> Header {
    coset::HeaderBuilder::new().algorithm(alg.iana()).build()
}

/// The unprotected header of a new structure: the key's kid and, for Encrypt0, the IV.
pub(crate) fn unprotected(kid: Option<&KeyId>, iv: Option<Vec<u8>>) -> Header {
    let mut h = coset::HeaderBuilder::new();
    if let Some(kid) = kid {
        h = h.key_id(kid.as_bytes().to_vec());
    }
    if let Some(iv) = iv {
        h = h.iv(iv);
    }
    h.build()
}

/// RFC 9052 §4.4, §5.3, §6.3: in the Sig/MAC/Enc_structure, "if there are no protected
/// attributes, a zero-length byte string is used", even when the message carried an empty
/// map (h'a0'), which §3 says recipients must accept.
pub(crate) fn for_structure(protected: &ProtectedHeader) -> ProtectedHeader {
    if protected.header.is_empty() {
        ProtectedHeader::default()
    } else {
        protected.clone()
    }
}
