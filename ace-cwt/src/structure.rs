//! One COSE layer at a time: COSE_Sign1 (RFC 9052 §4.2), COSE_Mac0 (§6.2), COSE_Encrypt0
//! (§5.2), each created and checked with a typed key.
//!
//! [`crate::issue`] and [`crate::verify`] stack these into CWTs with `alg` always protected.
//! The functions here follow plain RFC 9052, where `alg` may also be unprotected; they are
//! public for protocols that protect other payloads with the same keys, and for
//! known-answer tests (`*_with_headers` reproduce given header bytes exactly).

use crate::header::{self, AlgPlacement};
use crate::{Algorithm, Error, Operation, PopKey, content_encryption, mac, sign};
use alloc::vec::Vec;
use coset::{CoseEncrypt0, CoseMac0, CoseSign1, Header, ProtectedHeader};

/// The COSE structure of one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Structure {
    /// RFC 9052 §4.2, CBOR tag 18.
    Sign1,
    /// RFC 9052 §6.2, CBOR tag 17.
    Mac0,
    /// RFC 9052 §5.2, CBOR tag 16.
    Encrypt0,
}

impl Structure {
    /// RFC 9052 §2 Table 1: the CBOR tag of the structure.
    pub fn tag(self) -> u64 {
        match self {
            Structure::Sign1 => 18,
            Structure::Mac0 => 17,
            Structure::Encrypt0 => 16,
        }
    }

    /// The structure a tag announces.
    pub fn from_tag(tag: u64) -> Option<Self> {
        match tag {
            18 => Some(Structure::Sign1),
            17 => Some(Structure::Mac0),
            16 => Some(Structure::Encrypt0),
            _ => None,
        }
    }

    /// The structure an algorithm of this operation protects.
    pub fn for_operation(op: Operation) -> Self {
        match op {
            Operation::Sign => Structure::Sign1,
            Operation::Mac => Structure::Mac0,
            Operation::Encrypt => Structure::Encrypt0,
        }
    }
}

fn read(
    protected: &ProtectedHeader,
    unprotected: &Header,
    op: Operation,
    placement: AlgPlacement,
) -> Result<Algorithm, Error> {
    let params = header::read(protected, unprotected, placement)?;
    if params.alg.operation() == op {
        Ok(params.alg)
    } else {
        Err(Error::AlgorithmKeyMismatch)
    }
}

fn fresh(alg: Algorithm) -> ProtectedHeader {
    ProtectedHeader {
        original_data: None,
        header: header::protected(alg),
    }
}

/// RFC 9052 §4.4: the ToBeSigned bytes (Sig_structure "Signature1").
fn tbs(s: &CoseSign1, external_aad: &[u8]) -> Vec<u8> {
    coset::sig_structure_data(
        coset::SignatureContext::CoseSign1,
        header::for_structure(&s.protected),
        None,
        external_aad,
        s.payload.as_deref().unwrap_or_default(),
    )
}

/// RFC 9052 §6.3: the ToBeMaced bytes (MAC_structure "MAC0").
fn tbm(protected: &ProtectedHeader, payload: &[u8], external_aad: &[u8]) -> Vec<u8> {
    coset::mac_structure_data(
        coset::MacContext::CoseMac0,
        header::for_structure(protected),
        external_aad,
        payload,
    )
}

/// RFC 9052 §4.4: sign `payload` into a COSE_Sign1 (alg protected, the key's kid unprotected).
pub fn sign1(
    payload: Vec<u8>,
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
) -> Result<CoseSign1, Error> {
    let unprotected = header::unprotected(key.kid(), None);
    sign1_with_headers(fresh(alg), unprotected, payload, key, external_aad)
}

/// RFC 9052 §4.4 with given headers (kept byte for byte if `protected.original_data` is set).
pub fn sign1_with_headers(
    protected: ProtectedHeader,
    unprotected: Header,
    payload: Vec<u8>,
    key: &PopKey,
    external_aad: &[u8],
) -> Result<CoseSign1, Error> {
    let alg = read(
        &protected,
        &unprotected,
        Operation::Sign,
        AlgPlacement::Either,
    )?;
    let mut s = CoseSign1 {
        protected,
        unprotected,
        payload: Some(payload),
        signature: Vec::new(),
    };
    s.signature = sign::sign(key, alg, &tbs(&s, external_aad))?;
    Ok(s)
}

/// RFC 9052 §4.4: check the headers, that `key` fits the alg, and the signature. Returns the
/// algorithm used.
pub fn verify_sign1(
    sign1: &CoseSign1,
    key: &PopKey,
    external_aad: &[u8],
) -> Result<Algorithm, Error> {
    verify_sign1_placed(sign1, key, external_aad, AlgPlacement::Either)
}

pub(crate) fn verify_sign1_placed(
    sign1: &CoseSign1,
    key: &PopKey,
    external_aad: &[u8],
    placement: AlgPlacement,
) -> Result<Algorithm, Error> {
    let alg = read(
        &sign1.protected,
        &sign1.unprotected,
        Operation::Sign,
        placement,
    )?;
    if sign1.payload.is_none() {
        return Err(Error::DetachedPayload);
    }
    sign::verify(key, alg, &tbs(sign1, external_aad), &sign1.signature)?;
    Ok(alg)
}

/// RFC 9052 §6.3: MAC `payload` into a COSE_Mac0.
pub fn mac0(
    payload: Vec<u8>,
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
) -> Result<CoseMac0, Error> {
    let unprotected = header::unprotected(key.kid(), None);
    mac0_with_headers(fresh(alg), unprotected, payload, key, external_aad)
}

/// RFC 9052 §6.3 with given headers.
pub fn mac0_with_headers(
    protected: ProtectedHeader,
    unprotected: Header,
    payload: Vec<u8>,
    key: &PopKey,
    external_aad: &[u8],
) -> Result<CoseMac0, Error> {
    let alg = read(
        &protected,
        &unprotected,
        Operation::Mac,
        AlgPlacement::Either,
    )?;
    let data = tbm(&protected, &payload, external_aad);
    Ok(CoseMac0 {
        protected,
        unprotected,
        payload: Some(payload),
        tag: mac::tag(key, alg, &data)?,
    })
}

/// RFC 9052 §6.3: check the headers, the key and the tag. Returns the algorithm used.
pub fn verify_mac0(mac0: &CoseMac0, key: &PopKey, external_aad: &[u8]) -> Result<Algorithm, Error> {
    verify_mac0_placed(mac0, key, external_aad, AlgPlacement::Either)
}

pub(crate) fn verify_mac0_placed(
    mac0: &CoseMac0,
    key: &PopKey,
    external_aad: &[u8],
    placement: AlgPlacement,
) -> Result<Algorithm, Error> {
    let alg = read(
        &mac0.protected,
        &mac0.unprotected,
        Operation::Mac,
        placement,
    )?;
    let payload = mac0.payload.as_deref().ok_or(Error::DetachedPayload)?;
    mac::verify(
        key,
        alg,
        &tbm(&mac0.protected, payload, external_aad),
        &mac0.tag,
    )?;
    Ok(alg)
}

/// RFC 9052 §5.3: encrypt `plaintext` into a COSE_Encrypt0 with a fresh random IV.
pub fn encrypt0(
    plaintext: &[u8],
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
    rng: &mut impl rand_core::CryptoRng,
) -> Result<CoseEncrypt0, Error> {
    content_encryption::seal(plaintext, key, alg, external_aad, rng)
}

/// RFC 9052 §5.3 with given headers, which must carry the IV: for known-answer tests only,
/// as an IV must never be used twice with the same key (RFC 9053 §4.1, §4.2).
pub fn encrypt0_with_headers(
    protected: ProtectedHeader,
    unprotected: Header,
    plaintext: &[u8],
    key: &PopKey,
    external_aad: &[u8],
) -> Result<CoseEncrypt0, Error> {
    content_encryption::seal_with_headers(protected, unprotected, plaintext, key, external_aad)
}

/// RFC 9052 §5.3: check the headers and the key, then decrypt.
pub fn decrypt0(enc: &CoseEncrypt0, key: &PopKey, external_aad: &[u8]) -> Result<Vec<u8>, Error> {
    content_encryption::open(enc, key, external_aad, AlgPlacement::Either)
}

pub(crate) fn decrypt0_placed(
    enc: &CoseEncrypt0,
    key: &PopKey,
    external_aad: &[u8],
    placement: AlgPlacement,
) -> Result<Vec<u8>, Error> {
    content_encryption::open(enc, key, external_aad, placement)
}
