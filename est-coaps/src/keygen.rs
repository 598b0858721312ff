//! Server-side key generation (RFC 7030 §4.4, RFC 9148 §5.8): a fresh P-256 key returned
//! as unencrypted PKCS#8 (Content-Format 284, EP-8).

use crate::error::Error;
use alloc::vec::Vec;
use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use pkcs8::EncodePrivateKey;
use rand_core::CryptoRng;
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};

/// A generated key pair.
pub struct KeyPair {
    key: SigningKey,
}

impl core::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KeyPair(P-256, secret hidden)")
    }
}

impl KeyPair {
    /// RFC 9148 §6 (RG-5): generates a key from a cryptographic RNG.
    ///
    /// # Errors
    /// Never in practice; kept fallible for other curves.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        Ok(KeyPair {
            key: SigningKey::generate_from_rng(rng),
        })
    }

    /// The signing key.
    #[must_use]
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The SubjectPublicKeyInfo to certify.
    ///
    /// # Errors
    /// [`Error::Issuing`] if encoding fails.
    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, Error> {
        spki_of(self.key.verifying_key())
    }

    /// RFC 5958: the private key as PKCS#8 DER.
    ///
    /// # Errors
    /// [`Error::Issuing`] if encoding fails.
    pub fn pkcs8_der(&self) -> Result<Vec<u8>, Error> {
        self.key
            .to_pkcs8_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|_| Error::Issuing("PKCS#8 encoding"))
    }
}

/// The SubjectPublicKeyInfo of a P-256 key.
///
/// # Errors
/// [`Error::Issuing`] if encoding fails.
pub fn spki_of(key: &p256::ecdsa::VerifyingKey) -> Result<SubjectPublicKeyInfoOwned, Error> {
    let der = key
        .to_public_key_der()
        .map_err(|_| Error::Issuing("public key encoding"))?;
    SubjectPublicKeyInfoOwned::try_from(der.as_bytes()).map_err(|_| Error::Issuing("public key"))
}
