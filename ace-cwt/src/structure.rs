//! One COSE layer at a time: COSE_Sign1 (RFC 9052 §4.2), COSE_Mac0 (§6.2), COSE_Encrypt0
//! (§5.2), each created and checked with a typed key.
//!
//! [`crate::issue`] and [`crate::verify`] stack these into CWTs; they are public for
//! protocols that protect other payloads with the same keys (and for known-answer tests).

use crate::{Algorithm, Error, Operation, PopKey, content_encryption, header, mac, sign};
use alloc::vec::Vec;
use coset::{CoseEncrypt0, CoseMac0, CoseMac0Builder, CoseSign1, CoseSign1Builder};

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

fn require(alg: Algorithm, op: Operation) -> Result<(), Error> {
    if alg.operation() == op {
        Ok(())
    } else {
        Err(Error::AlgorithmKeyMismatch)
    }
}

/// RFC 9052 §4.4: sign `payload` into a COSE_Sign1 (alg protected, the key's kid unprotected).
pub fn sign1(
    payload: Vec<u8>,
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
) -> Result<CoseSign1, Error> {
    require(alg, Operation::Sign)?;
    key.check_algorithm(alg)?;
    CoseSign1Builder::new()
        .protected(header::protected(alg))
        .unprotected(header::unprotected(key.kid(), None))
        .payload(payload)
        .try_create_signature(external_aad, |tbs| sign::sign(key, alg, tbs))
        .map(CoseSign1Builder::build)
}

/// RFC 9052 §4.4: check the headers, that `key` fits the protected alg, and the signature.
/// Returns the algorithm used.
pub fn verify_sign1(
    sign1: &CoseSign1,
    key: &PopKey,
    external_aad: &[u8],
) -> Result<Algorithm, Error> {
    let params = header::read(&sign1.protected, &sign1.unprotected)?;
    require(params.alg, Operation::Sign)?;
    if sign1.payload.is_none() {
        return Err(Error::DetachedPayload);
    }
    sign1.verify_signature(external_aad, |sig, tbs| {
        sign::verify(key, params.alg, tbs, sig)
    })?;
    Ok(params.alg)
}

/// RFC 9052 §6.3: MAC `payload` into a COSE_Mac0.
pub fn mac0(
    payload: Vec<u8>,
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
) -> Result<CoseMac0, Error> {
    require(alg, Operation::Mac)?;
    key.check_algorithm(alg)?;
    CoseMac0Builder::new()
        .protected(header::protected(alg))
        .unprotected(header::unprotected(key.kid(), None))
        .payload(payload)
        .try_create_tag(external_aad, |data| mac::tag(key, alg, data))
        .map(CoseMac0Builder::build)
}

/// RFC 9052 §6.3: check the headers, the key and the tag. Returns the algorithm used.
pub fn verify_mac0(mac0: &CoseMac0, key: &PopKey, external_aad: &[u8]) -> Result<Algorithm, Error> {
    let params = header::read(&mac0.protected, &mac0.unprotected)?;
    require(params.alg, Operation::Mac)?;
    mac0.verify_payload_tag(
        external_aad,
        || Error::DetachedPayload,
        |tag, data| mac::verify(key, params.alg, data, tag),
    )?;
    Ok(params.alg)
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

/// RFC 9052 §5.3 with a given IV, for known-answer tests only: an IV must never be used twice
/// with the same key (RFC 9053 §4.1, §4.2).
pub fn encrypt0_with_iv(
    plaintext: &[u8],
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
    iv: Vec<u8>,
) -> Result<CoseEncrypt0, Error> {
    content_encryption::seal_with_iv(plaintext, key, alg, external_aad, iv)
}

/// RFC 9052 §5.3: check the headers and the key, then decrypt.
pub fn decrypt0(enc: &CoseEncrypt0, key: &PopKey, external_aad: &[u8]) -> Result<Vec<u8>, Error> {
    content_encryption::open(enc, key, external_aad)
}
