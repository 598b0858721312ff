//! Certificate profiles (RFC 5280 §4.2) for the CA certificate and the end-entity
//! certificates EST issues.

use alloc::vec::Vec;
use spki::SubjectPublicKeyInfoRef;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;

/// A self-signed CA: basicConstraints cA, keyCertSign + cRLSign, SKI, AKI (RFC 5280 §4.2.1).
pub(crate) struct CaProfile {
    pub(crate) subject: Name,
}

impl BuilderProfile for CaProfile {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut ext = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        let subject = tbs.subject();
        ext.push(
            BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            }
            .to_extension(subject, &ext)?,
        );
        ext.push(
            KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign).to_extension(subject, &ext)?,
        );
        ext.push(
            AuthorityKeyIdentifier {
                key_identifier: Some(ski.0.clone()),
                ..Default::default()
            }
            .to_extension(subject, &ext)?,
        );
        ext.push(ski.to_extension(subject, &ext)?);
        Ok(ext)
    }
}

/// An end-entity certificate for an EST client: not a CA, digitalSignature (ECDSA in DTLS
/// client authentication, RFC 9148 §4) and keyAgreement (RFC 5480 §3; so the device can name
/// its certificate's key in an AsymmetricDecryptKeyIdentifier, RFC 7030 §4.4.1.2), SKI and
/// AKI (RFC 5280 §4.2.1.1–2).
pub(crate) struct EndEntityProfile {
    pub(crate) issuer: Name,
    pub(crate) subject: Name,
}

impl BuilderProfile for EndEntityProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut ext = Vec::new();
        let subject = tbs.subject();
        ext.push(
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            }
            .to_extension(subject, &ext)?,
        );
        ext.push(
            KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyAgreement)
                .to_extension(subject, &ext)?,
        );
        ext.push(AuthorityKeyIdentifier::try_from(issuer_spk)?.to_extension(subject, &ext)?);
        ext.push(SubjectKeyIdentifier::try_from(spk)?.to_extension(subject, &ext)?);
        Ok(ext)
    }
}
