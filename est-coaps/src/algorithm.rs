//! The one signature algorithm EST-coaps needs: ECDSA on P-256 with SHA-256 (RFC 9148 §4:
//! "Curve secp256r1 MUST be supported"; RFC 5758 §3.2 ecdsa-with-SHA256).

use crate::error::Error;
use der::asn1::{BitString, ObjectIdentifier};
use der::{Encode, referenced::OwnedToRef};
use p256::ecdsa::{DerSignature, VerifyingKey};
use signature::Verifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

/// RFC 5758 §3.2: ecdsa-with-SHA256.
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// The P-256 verifying key in a SubjectPublicKeyInfo.
///
/// # Errors
/// [`Error::UnsupportedAlgorithm`] unless the key is an uncompressed-or-compressed P-256 key.
pub fn p256_key(spki: &SubjectPublicKeyInfoOwned) -> Result<VerifyingKey, Error> {
    VerifyingKey::try_from(spki.owned_to_ref()).map_err(|_| Error::UnsupportedAlgorithm)
}

/// Verifies an ecdsa-with-SHA256 signature over `message`.
///
/// # Errors
/// [`Error::UnsupportedAlgorithm`] for another algorithm, `bad` when the signature fails.
pub fn verify(
    key: &VerifyingKey,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &BitString,
    bad: Error,
) -> Result<(), Error> {
    if algorithm.oid != ECDSA_WITH_SHA256 || algorithm.parameters.is_some() {
        return Err(Error::UnsupportedAlgorithm);
    }
    let raw = signature.as_bytes().ok_or(bad.clone())?;
    let sig = DerSignature::from_bytes(raw).map_err(|_| bad.clone())?;
    key.verify(message, &sig).map_err(|_| bad)
}

/// RFC 5280 §6.1.3 (a)(1): verifies that `issuer`'s key signed `cert`.
///
/// # Errors
/// [`Error::CertificateRejected`] when the signature does not verify or names differ.
pub fn verify_issued_by(cert: &Certificate, issuer: &Certificate) -> Result<(), Error> {
    if cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return Err(Error::CertificateRejected("issuer name does not match"));
    }
    let key = p256_key(issuer.tbs_certificate().subject_public_key_info())?;
    let tbs = cert
        .tbs_certificate()
        .to_der()
        .map_err(|_| Error::CertificateRejected("cannot encode tbsCertificate"))?;
    verify(
        &key,
        cert.signature_algorithm(),
        &tbs,
        cert.signature(),
        Error::CertificateRejected("signature does not verify"),
    )
}
