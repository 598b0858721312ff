//! application/pkcs7-mime; smime-type=certs-only (Content-Format 281): a degenerate CMS
//! SignedData that carries certificates and no signature (RFC 5652 §5.1, RFC 7030 §4.1.3,
//! RFC 9148 §5.3).
//!
//! A small `der`-derived model of exactly the certs-only shape is used instead of the
//! `cms` 0.3 release candidate (which pulls RSA and SHA-1/SHA-3 into the tree for a
//! structure that carries no signature).

use crate::error::Error;
use alloc::vec::Vec;
use der::asn1::{Any, ObjectIdentifier, SetOfVec};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

/// RFC 5652 §5.1: id-signedData.
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// RFC 5652 §4: id-data, the eContentType of a certs-only message.
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ContentInfo {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: SignedData,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EncapsulatedContentInfo {
    e_content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    e_content: Option<Any>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SignedData {
    version: u8,
    digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    encap_content_info: EncapsulatedContentInfo,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<SetOfVec<Certificate>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    crls: Option<SetOfVec<Any>>,
    signer_infos: SetOfVec<Any>,
}

/// A certs-only PKCS#7 message: a list of certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertsOnly {
    certificates: Vec<Certificate>,
    empty_crls: bool,
}

impl CertsOnly {
    /// A message with these certificates. Like OpenSSL (and the RFC 9148 Appendix A
    /// examples) it is encoded with an empty `crls [1]` field.
    #[must_use]
    pub fn new(certificates: Vec<Certificate>) -> Self {
        CertsOnly {
            certificates,
            empty_crls: true,
        }
    }

    /// The certificates (in DER SET OF order).
    #[must_use]
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// Takes the certificates out.
    #[must_use]
    pub fn into_certificates(self) -> Vec<Certificate> {
        self.certificates
    }

    /// RFC 7030 §4.1.3: decodes a certs-only message strictly: a SignedData v1 with no
    /// digest algorithms, no eContent, no CRLs, no signerInfos, and DER that re-encodes to
    /// the same bytes.
    ///
    /// # Errors
    /// [`Error::MalformedDer`] for anything else.
    pub fn from_der(input: &[u8]) -> Result<Self, Error> {
        const BAD: Error = Error::MalformedDer {
            what: "PKCS#7 certs-only",
        };
        let ci = ContentInfo::from_der(input).map_err(|_| BAD)?;
        let sd = &ci.content;
        let certs_only = ci.content_type == ID_SIGNED_DATA
            && sd.version == 1
            && sd.digest_algorithms.is_empty()
            && sd.encap_content_info.e_content_type == ID_DATA
            && sd.encap_content_info.e_content.is_none()
            && sd.crls.as_ref().is_none_or(|c| c.is_empty())
            && sd.signer_infos.is_empty();
        if !certs_only {
            return Err(BAD);
        }
        // DER is canonical: a SET OF in the wrong order would be re-sorted by the decoder.
        if ci.to_der().map_err(|_| BAD)? != input {
            return Err(BAD);
        }
        let empty_crls = sd.crls.is_some();
        let certificates = ci
            .content
            .certificates
            .map(SetOfVec::into_vec)
            .unwrap_or_default();
        Ok(CertsOnly {
            certificates,
            empty_crls,
        })
    }

    /// Encodes the message as DER.
    ///
    /// # Errors
    /// [`Error::MalformedDer`] if a certificate cannot be encoded.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        const BAD: Error = Error::MalformedDer {
            what: "PKCS#7 certs-only",
        };
        let certs = SetOfVec::try_from(self.certificates.clone()).map_err(|_| BAD)?;
        let ci = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: SignedData {
                version: 1,
                digest_algorithms: SetOfVec::new(),
                encap_content_info: EncapsulatedContentInfo {
                    e_content_type: ID_DATA,
                    e_content: None,
                },
                certificates: Some(certs),
                crls: self.empty_crls.then(SetOfVec::new),
                signer_infos: SetOfVec::new(),
            },
        };
        ci.to_der().map_err(|_| BAD)
    }
}

/// RFC 9148 §5.3 (Content-Format 287): decodes one DER certificate, strictly.
///
/// # Errors
/// [`Error::MalformedDer`] if the bytes are not exactly one DER certificate.
pub fn certificate_from_der(input: &[u8]) -> Result<Certificate, Error> {
    Certificate::from_der(input).map_err(|_| Error::MalformedDer {
        what: "certificate",
    })
}
