//! The signed key package inside Content-Format 280 (RFC 7030 §4.4.2, RFC 5958 §4): a CMS
//! SignedData (RFC 5652 §5) whose content is an AsymmetricKeyPackage holding the one
//! server-generated OneAsymmetricKey (the PKCS#8 key), signed by the party that generated
//! the key with ecdsa-with-SHA256 over signed attributes (content-type, message-digest).

use crate::algorithm::{self, ECDSA_WITH_SHA256};
use crate::error::Error;
use alloc::vec::Vec;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::CmsVersion;
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode};
use p256::ecdsa::{DerSignature, Signature, SigningKey};
use sha2::{Digest, Sha256};
use signature::{Signer, Verifier};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

/// RFC 5958 §4: id-ct-KP-aKeyPackage, the content type of an AsymmetricKeyPackage.
pub const ID_CT_KP_A_KEY_PACKAGE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.2.1.2.78.5");
/// RFC 5652 §11.1: id-contentType.
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// RFC 5652 §11.2: id-messageDigest.
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// RFC 5754 §2.2: id-sha256.
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// The party that generated the key and signs the package (RFC 7030 §4.4.2: "the EST
/// server or the EST CA"), with the certificate that names it.
#[derive(Clone, Copy)]
pub struct KeySigner<'a> {
    /// The signing key.
    pub key: &'a SigningKey,
    /// Its certificate (sent in the SignedData and named by the SignerInfo).
    pub certificate: &'a Certificate,
}

impl core::fmt::Debug for KeySigner<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KeySigner(P-256, secret hidden)")
    }
}

const BAD: Error = Error::MalformedDer {
    what: "CMS SignedData key package",
};

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, der::Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(alloc::vec![value])?,
    })
}

fn signed_attributes(digest: &[u8]) -> Result<SetOfVec<Attribute>, der::Error> {
    SetOfVec::try_from(alloc::vec![
        attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_CT_KP_A_KEY_PACKAGE)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest)?)?
        )?,
    ])
}

/// RFC 5958 §4 / RFC 5652 §5: the DER SignedData (not wrapped in a ContentInfo: RFC 5652
/// §6.3 encrypts the SignedData itself) carrying `pkcs8` as a one-key AsymmetricKeyPackage.
///
/// # Errors
/// [`Error::MalformedDer`] if `pkcs8` is not DER; [`Error::Issuing`] if encoding fails.
pub fn sign(pkcs8: &[u8], signer: KeySigner<'_>) -> Result<Vec<u8>, Error> {
    let enc = |_| Error::Issuing("key package encoding");
    let key = Any::from_der(pkcs8).map_err(|_| Error::MalformedDer { what: "PKCS#8 key" })?;
    let package = alloc::vec![key].to_der().map_err(enc)?;
    let attrs = signed_attributes(&Sha256::digest(&package)).map_err(enc)?;
    let signature: Signature = signer
        .key
        .try_sign(&attrs.to_der().map_err(enc)?)
        .map_err(|_| Error::Issuing("key package signature"))?;
    let tbs = signer.certificate.tbs_certificate();
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: ECDSA_WITH_SHA256,
            parameters: None,
        },
        signature: OctetString::new(signature.to_der().as_bytes()).map_err(enc)?,
        unsigned_attrs: None,
    };
    let signed = SignedData {
        // RFC 5652 §5.1: version 3 because eContentType is not id-data.
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(alloc::vec![sha256_alg()]).map_err(enc)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_CT_KP_A_KEY_PACKAGE,
            econtent: Some(
                Any::encode_from(&OctetString::new(package).map_err(enc)?).map_err(enc)?,
            ),
        },
        certificates: Some(
            CertificateSet::try_from(alloc::vec![CertificateChoices::Certificate(
                signer.certificate.clone(),
            )])
            .map_err(enc)?,
        ),
        crls: None,
        signer_infos: SignerInfos::try_from(alloc::vec![info]).map_err(enc)?,
    };
    signed.to_der().map_err(enc)
}

fn one<T>(mut it: impl Iterator<Item = T>) -> Option<T> {
    match (it.next(), it.next()) {
        (Some(x), None) => Some(x),
        _ => None,
    }
}

/// RFC 7030 §4.4.2 on the client: checks the SignedData and returns the PKCS#8 key. The
/// signer's certificate must be in the SignedData, be a trust anchor or be issued by one,
/// and its key must have signed the content-type and message-digest attributes over the
/// one-key package.
///
/// # Errors
/// [`Error::MalformedDer`] for a structure that is not such a package,
/// [`Error::UnsupportedAlgorithm`] for another digest or signature algorithm,
/// [`Error::KeyPackageRejected`] when the signature, digest or signer does not check.
pub fn verify(signed_data: &[u8], trust_anchors: &[Certificate]) -> Result<Vec<u8>, Error> {
    let sd = SignedData::from_der(signed_data).map_err(|_| BAD)?;
    if sd.version != CmsVersion::V3
        || sd
            .digest_algorithms
            .iter()
            .ne(core::iter::once(&sha256_alg()))
    {
        return Err(BAD);
    }
    let encap = &sd.encap_content_info;
    if encap.econtent_type != ID_CT_KP_A_KEY_PACKAGE {
        return Err(Error::KeyPackageRejected(
            "content is not an AsymmetricKeyPackage",
        ));
    }
    let content: OctetString = encap
        .econtent
        .as_ref()
        .ok_or(BAD)?
        .decode_as()
        .map_err(|_| BAD)?;
    let info = one(sd.signer_infos.0.iter())
        .ok_or(Error::KeyPackageRejected("exactly one SignerInfo expected"))?;
    if info.digest_alg != sha256_alg() {
        return Err(Error::UnsupportedAlgorithm);
    }
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &info.sid else {
        return Err(Error::KeyPackageRejected(
            "signer not named by issuer and serial",
        ));
    };
    let signer = sd
        .certificates
        .as_ref()
        .and_then(|set| {
            set.0.iter().find_map(|c| match c {
                CertificateChoices::Certificate(c)
                    if c.tbs_certificate().issuer() == &sid.issuer
                        && c.tbs_certificate().serial_number() == &sid.serial_number =>
                {
                    Some(c)
                }
                _ => None,
            })
        })
        .ok_or(Error::KeyPackageRejected("signer certificate not included"))?;
    if !trust_anchors
        .iter()
        .any(|ta| ta == signer || algorithm::verify_issued_by(signer, ta).is_ok())
    {
        return Err(Error::KeyPackageRejected(
            "signer does not chain to a trust anchor",
        ));
    }
    let attrs = info
        .signed_attrs
        .as_ref()
        .ok_or(Error::KeyPackageRejected("no signed attributes"))?;
    let value = |oid| {
        one(attrs.iter().filter(|a| a.oid == oid))
            .and_then(|a| one(a.values.iter()))
            .ok_or(Error::KeyPackageRejected(
                "signed attribute missing or repeated",
            ))
    };
    let ct: ObjectIdentifier = value(ID_CONTENT_TYPE)?.decode_as().map_err(|_| BAD)?;
    let md: OctetString = value(ID_MESSAGE_DIGEST)?.decode_as().map_err(|_| BAD)?;
    if ct != ID_CT_KP_A_KEY_PACKAGE {
        return Err(Error::KeyPackageRejected("content-type attribute mismatch"));
    }
    if md.as_bytes() != Sha256::digest(content.as_bytes()).as_slice() {
        return Err(Error::KeyPackageRejected("message digest mismatch"));
    }
    if info.signature_algorithm.oid != ECDSA_WITH_SHA256
        || info.signature_algorithm.parameters.is_some()
    {
        return Err(Error::UnsupportedAlgorithm);
    }
    let key = algorithm::p256_key(signer.tbs_certificate().subject_public_key_info())?;
    let sig = DerSignature::from_bytes(info.signature.as_bytes())
        .map_err(|_| Error::KeyPackageRejected("signature does not verify"))?;
    key.verify(&attrs.to_der().map_err(|_| BAD)?, &sig)
        .map_err(|_| Error::KeyPackageRejected("signature does not verify"))?;
    let keys: Vec<Any> = Vec::from_der(content.as_bytes()).map_err(|_| BAD)?;
    let key = one(keys.iter()).ok_or(Error::KeyPackageRejected(
        "exactly one key expected in the package",
    ))?;
    key.to_der().map_err(|_| BAD)
}
