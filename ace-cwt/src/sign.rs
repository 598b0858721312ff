//! Signatures for COSE_Sign1 (RFC 9053 §2.1 ECDSA, §2.2 EdDSA).

use crate::{Algorithm, Error, KeyMaterial, PopKey};
use alloc::vec::Vec;
use signature::{Signer, Verifier};

/// RFC 9052 §4.4: sign the ToBeSigned bytes. ES256 gives r||s, 64 bytes (RFC 9053 §2.1),
/// deterministic per RFC 6979; EdDSA gives the 64-byte RFC 8032 signature.
pub(crate) fn sign(key: &PopKey, alg: Algorithm, tbs: &[u8]) -> Result<Vec<u8>, Error> {
    key.check_algorithm(alg)?;
    key.check_operation(coset::iana::KeyOperation::Sign)?;
    match key.material() {
        KeyMaterial::P256Private(k) => {
            let sig: p256::ecdsa::Signature = k.try_sign(tbs).map_err(|_| Error::BadSignature)?;
            Ok(sig.to_bytes().to_vec())
        }
        KeyMaterial::Ed25519Private(k) => Ok(k.sign(tbs).to_bytes().to_vec()),
        KeyMaterial::P256Public(_) | KeyMaterial::Ed25519Public(_) => Err(Error::MissingPrivateKey),
        _ => Err(Error::AlgorithmKeyMismatch),
    }
}

/// RFC 9052 §4.4: verify a signature over the ToBeSigned bytes. An ES256 signature that is
/// not exactly 64 bytes (e.g. DER) is refused.
pub(crate) fn verify(key: &PopKey, alg: Algorithm, tbs: &[u8], sig: &[u8]) -> Result<(), Error> {
    key.check_algorithm(alg)?;
    key.check_operation(coset::iana::KeyOperation::Verify)?;
    match key.material() {
        KeyMaterial::P256Public(_) | KeyMaterial::P256Private(_) => {
            let vk = match key.material() {
                KeyMaterial::P256Private(k) => *k.verifying_key(),
                KeyMaterial::P256Public(k) => *k,
                _ => return Err(Error::AlgorithmKeyMismatch),
            };
            if sig.len() != 64 {
                return Err(Error::BadSignature);
            }
            let sig = p256::ecdsa::Signature::from_slice(sig).map_err(|_| Error::BadSignature)?;
            vk.verify(tbs, &sig).map_err(|_| Error::BadSignature)
        }
        KeyMaterial::Ed25519Public(_) | KeyMaterial::Ed25519Private(_) => {
            let vk = match key.material() {
                KeyMaterial::Ed25519Private(k) => k.verifying_key(),
                KeyMaterial::Ed25519Public(k) => *k,
                _ => return Err(Error::AlgorithmKeyMismatch),
            };
            let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| Error::BadSignature)?;
            vk.verify_strict(tbs, &sig).map_err(|_| Error::BadSignature)
        }
        _ => Err(Error::AlgorithmKeyMismatch),
    }
}
