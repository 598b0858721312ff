//! MACs for COSE_Mac0 (RFC 9053 §3.1 HMAC).

use crate::{Algorithm, Error, KeyMaterial, PopKey};
use alloc::vec::Vec;
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

fn full_hmac(key: &[u8], alg: Algorithm, data: &[u8]) -> Result<Vec<u8>, Error> {
    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        let mut m = <M as KeyInit>::new_from_slice(key).map_err(|_| Error::AlgorithmKeyMismatch)?;
        m.update(data);
        Ok(m.finalize().into_bytes().to_vec())
    }
    match alg {
        Algorithm::Hmac256_64 | Algorithm::Hmac256_256 => {
            run::<hmac::Hmac<sha2::Sha256>>(key, data)
        }
        Algorithm::Hmac384_384 => run::<hmac::Hmac<sha2::Sha384>>(key, data),
        Algorithm::Hmac512_512 => run::<hmac::Hmac<sha2::Sha512>>(key, data),
        _ => Err(Error::AlgorithmKeyMismatch),
    }
}

fn tag_len(alg: Algorithm) -> usize {
    match alg {
        Algorithm::Hmac256_64 => 8,
        Algorithm::Hmac384_384 => 48,
        Algorithm::Hmac512_512 => 64,
        _ => 32,
    }
}

fn symmetric_bytes(key: &PopKey, alg: Algorithm) -> Result<&[u8], Error> {
    key.check_algorithm(alg)?;
    match key.material() {
        KeyMaterial::Symmetric(k) => Ok(k.as_bytes()),
        _ => Err(Error::AlgorithmKeyMismatch),
    }
}

/// RFC 9052 §6.3, RFC 9053 §3.1: the (truncated) HMAC tag over the MAC_structure bytes.
pub(crate) fn tag(key: &PopKey, alg: Algorithm, data: &[u8]) -> Result<Vec<u8>, Error> {
    key.check_operation(coset::iana::KeyOperation::MacCreate)?;
    compute(key, alg, data)
}

fn compute(key: &PopKey, alg: Algorithm, data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut t = full_hmac(symmetric_bytes(key, alg)?, alg, data)?;
    t.truncate(tag_len(alg));
    Ok(t)
}

/// RFC 9052 §6.3: recompute and compare in constant time; a tag of the wrong length fails.
pub(crate) fn verify(key: &PopKey, alg: Algorithm, data: &[u8], tag: &[u8]) -> Result<(), Error> {
    key.check_operation(coset::iana::KeyOperation::MacVerify)?;
    let expected = compute(key, alg, data)?;
    if expected.len() == tag.len() && bool::from(expected.ct_eq(tag)) {
        Ok(())
    } else {
        Err(Error::BadMac)
    }
}
