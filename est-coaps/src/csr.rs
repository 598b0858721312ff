//! PKCS#10 certification requests (RFC 2986), Content-Format 286 (RFC 9148 §5.3): building
//! and signing one on the client, decoding and verifying one on the server.

use crate::algorithm;
use crate::error::Error;
use crate::key_protection::KeyProtection;
use alloc::string::String;
use alloc::vec::Vec;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use x509_cert::builder::{Builder, RequestBuilder};
use x509_cert::ext::pkix::name::DirectoryString;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, attributes::ChallengePassword};

/// RFC 2985 §5.4.1: pkcs-9-at-challengePassword.
pub const CHALLENGE_PASSWORD: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.7");

/// A CSR whose self-signature was checked (RFC 7030 §4.2.1: proof of possession of the key).
/// The only way to get one is [`VerifiedCsr::from_der`] or [`build_csr`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCsr {
    req: CertReq,
    key: VerifyingKey,
}

/// A CSR decoded without checking its signature: RFC 9148 §5.8 says a server-side key
/// generation request's "public key values and signature" MUST be ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedCsr {
    req: CertReq,
}

fn decode(input: &[u8]) -> Result<CertReq, Error> {
    const BAD: Error = Error::MalformedDer {
        what: "PKCS#10 CSR",
    };
    let req = CertReq::from_der(input).map_err(|_| BAD)?;
    if req.to_der().map_err(|_| BAD)? != input {
        return Err(BAD);
    }
    Ok(req)
}

fn challenge_password(req: &CertReq) -> Option<Vec<u8>> {
    req.info
        .attributes
        .iter()
        .find(|a| a.oid == CHALLENGE_PASSWORD)
        .and_then(|a| a.values.iter().next())
        .map(|v| v.value().to_vec())
}

impl UncheckedCsr {
    /// Decodes a DER CSR strictly, without looking at its key or signature.
    ///
    /// # Errors
    /// [`Error::MalformedDer`] if the bytes are not exactly one DER CSR.
    pub fn from_der(input: &[u8]) -> Result<Self, Error> {
        Ok(UncheckedCsr {
            req: decode(input)?,
        })
    }

    /// The requested subject.
    #[must_use]
    pub fn subject(&self) -> &Name {
        &self.req.info.subject
    }

    /// RFC 9148 §5.8 / EP-5, RFC 7030 §4.4.1: `Some` when the CSR carries SMIMECapabilities,
    /// i.e. asks for the private key encrypted (Content-Format 280) rather than as PKCS#8
    /// (284), and with which key and key wrap algorithms.
    ///
    /// # Errors
    /// See [`KeyProtection::from_attributes`].
    pub fn key_protection(&self) -> Result<Option<KeyProtection>, Error> {
        KeyProtection::from_attributes(&self.req.info.attributes)
    }

    /// The challengePassword value bytes, if present.
    #[must_use]
    pub fn challenge_password(&self) -> Option<Vec<u8>> {
        challenge_password(&self.req)
    }
}

impl VerifiedCsr {
    /// Decodes a DER CSR strictly and verifies its ECDSA P-256 self-signature.
    ///
    /// # Errors
    /// [`Error::MalformedDer`], [`Error::UnsupportedAlgorithm`] or
    /// [`Error::CsrSignatureInvalid`].
    pub fn from_der(input: &[u8]) -> Result<Self, Error> {
        let req = decode(input)?;
        let key = algorithm::p256_key(&req.info.public_key)?;
        let info = req.info.to_der().map_err(|_| Error::MalformedDer {
            what: "PKCS#10 CSR",
        })?;
        algorithm::verify(
            &key,
            &req.algorithm,
            &info,
            &req.signature,
            Error::CsrSignatureInvalid,
        )?;
        Ok(VerifiedCsr { req, key })
    }

    /// The requested subject.
    #[must_use]
    pub fn subject(&self) -> &Name {
        &self.req.info.subject
    }

    /// The public key whose possession the signature proves.
    #[must_use]
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The underlying request.
    #[must_use]
    pub fn request(&self) -> &CertReq {
        &self.req
    }

    /// The challengePassword value bytes, if present (RFC 7030 §3.5 linking).
    #[must_use]
    pub fn challenge_password(&self) -> Option<Vec<u8>> {
        challenge_password(&self.req)
    }

    /// DER bytes of the request.
    ///
    /// # Errors
    /// [`Error::MalformedDer`] if encoding fails.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        self.req.to_der().map_err(|_| Error::MalformedDer {
            what: "PKCS#10 CSR",
        })
    }
}

/// RFC 2986 §3: builds and signs a CSR for `subject` with `key` (ecdsa-with-SHA256). A
/// `challenge_password` (RFC 2985 §5.4.1, UTF8String) may carry a linking value
/// (RFC 7030 §3.5).
///
/// # Errors
/// [`Error::Issuing`] if the builder refuses.
pub fn build_csr(
    subject: &Name,
    key: &SigningKey,
    challenge_password: Option<&str>,
) -> Result<VerifiedCsr, Error> {
    build(subject, key, challenge_password, None)
}

/// RFC 7030 §4.4.1, RFC 9148 §5.8: a CSR for /skg or /skc. With `protection`, it carries
/// SMIMECapabilities and the key identifier, asking for the generated key encrypted
/// (Content-Format 280); without, for PKCS#8 (284). The server ignores `key` (any key signs).
///
/// # Errors
/// [`Error::Issuing`] if the builder refuses.
pub fn build_serverkeygen_csr(
    subject: &Name,
    key: &SigningKey,
    protection: Option<&KeyProtection>,
) -> Result<VerifiedCsr, Error> {
    build(subject, key, None, protection)
}

fn build(
    subject: &Name,
    key: &SigningKey,
    challenge_password: Option<&str>,
    protection: Option<&KeyProtection>,
) -> Result<VerifiedCsr, Error> {
    let mut builder =
        RequestBuilder::new(subject.clone()).map_err(|_| Error::Issuing("CSR builder"))?;
    if let Some(p) = protection {
        p.add_to(&mut builder)?;
    }
    if let Some(pw) = challenge_password {
        builder
            .add_attribute(&ChallengePassword(DirectoryString::Utf8String(
                String::from(pw),
            )))
            .map_err(|_| Error::Issuing("challengePassword"))?;
    }
    let req = builder
        .build::<_, DerSignature>(key)
        .map_err(|_| Error::Issuing("CSR signing"))?;
    Ok(VerifiedCsr {
        req,
        key: *key.verifying_key(),
    })
}
