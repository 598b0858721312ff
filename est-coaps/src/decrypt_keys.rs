//! The keys an EST server can encrypt server-generated keys to (RFC 7030 §4.4.1): secret
//! keys by their DecryptKeyIdentifier (§4.4.1.1) and P-256 key agreement keys by their
//! AsymmetricDecryptKeyIdentifier, taken as the subjectKeyIdentifier of the certificate that
//! binds them (§4.4.1.2). "Distribution of the key ... is outside the scope" of RFC 7030:
//! the operator configures them here.

use crate::enveloped_key::Recipient;
use crate::error::Error;
use crate::key_protection::{KeyProtection, KeyWrap, ProtectionKey};
use alloc::vec::Vec;
use der::referenced::OwnedToRef;
use p256::PublicKey;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages, SubjectKeyIdentifier};
use zeroize::Zeroize;

/// Secret and public keys for Content-Format 280, by identifier.
#[derive(Clone, Default)]
pub struct DecryptKeys {
    secrets: Vec<(Vec<u8>, Vec<u8>)>,
    agreement: Vec<(Vec<u8>, PublicKey)>,
}

impl Drop for DecryptKeys {
    fn drop(&mut self) {
        for (_, key) in &mut self.secrets {
            key.zeroize();
        }
    }
}

impl core::fmt::Debug for DecryptKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "DecryptKeys({} secret, {} key agreement)",
            self.secrets.len(),
            self.agreement.len()
        )
    }
}

/// RFC 7030 §4.4.1.2: "If the key identified is bound to an X.509 certificate, then the key
/// MUST either explicitly support keyTransport or keyAgreement or its use MUST be
/// unrestricted." Returns the P-256 key and the certificate's subjectKeyIdentifier.
///
/// # Errors
/// [`Error::KeyProtectionRefused`] when the key usage forbids key agreement or the
/// certificate has no subjectKeyIdentifier; [`Error::UnsupportedAlgorithm`] for a key that
/// is not P-256.
pub fn agreement_key(cert: &Certificate) -> Result<(Vec<u8>, PublicKey), Error> {
    let tbs = cert.tbs_certificate();
    if let Ok(Some((_, usage))) = tbs.get_extension::<KeyUsage>()
        && !usage.0.contains(KeyUsages::KeyAgreement)
    {
        return Err(Error::KeyProtectionRefused(
            "the certificate's key usage does not allow key agreement",
        ));
    }
    let Ok(Some((_, ski))) = tbs.get_extension::<SubjectKeyIdentifier>() else {
        return Err(Error::KeyProtectionRefused(
            "the certificate has no subjectKeyIdentifier",
        ));
    };
    let public = PublicKey::try_from(tbs.subject_public_key_info().owned_to_ref())
        .map_err(|_| Error::UnsupportedAlgorithm)?;
    Ok((ski.0.as_bytes().to_vec(), public))
}

impl DecryptKeys {
    /// No keys: every request for an encrypted key is refused with 4.00.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret key-encryption key (16 bytes: AES-128 key wrap, 32: AES-256).
    ///
    /// # Errors
    /// [`Error::KeyProtectionRefused`] for another length or an empty identifier.
    pub fn with_secret(mut self, id: &[u8], key: &[u8]) -> Result<Self, Error> {
        if !KeyWrap::ALL.iter().any(|w| w.key_len() == key.len()) {
            return Err(Error::KeyProtectionRefused(
                "a key-encryption key has 16 or 32 bytes",
            ));
        }
        if id.is_empty() {
            return Err(Error::KeyProtectionRefused("empty key identifier"));
        }
        for (_, old) in self.secrets.iter_mut().filter(|(i, _)| i == id) {
            old.zeroize();
        }
        self.secrets.retain(|(i, _)| i != id);
        self.secrets.push((id.to_vec(), key.to_vec()));
        Ok(self)
    }

    /// Adds a client's key agreement certificate, named by its subjectKeyIdentifier.
    ///
    /// # Errors
    /// See [`agreement_key`].
    pub fn with_certificate(mut self, cert: &Certificate) -> Result<Self, Error> {
        let (id, public) = agreement_key(cert)?;
        self.agreement.retain(|(i, _)| *i != id);
        self.agreement.push((id, public));
        Ok(self)
    }

    /// RFC 7030 §4.4.2: the recipient and key wrap algorithm for a request. The asymmetric
    /// key is looked up among the configured certificates, then in the certificate the
    /// client authenticated with (if its subjectKeyIdentifier matches and its key usage
    /// allows key agreement). The wrap algorithm is the client's first that fits the key.
    ///
    /// # Errors
    /// [`Error::UnknownDecryptKey`] when no key has the identifier;
    /// [`Error::KeyProtectionRefused`] when no listed wrap algorithm fits the secret key.
    pub fn recipient<'a>(
        &'a self,
        request: &'a KeyProtection,
        client: Option<&Certificate>,
    ) -> Result<(Recipient<'a>, KeyWrap), Error> {
        match request.key() {
            ProtectionKey::Symmetric(id) => {
                let (_, key) = self
                    .secrets
                    .iter()
                    .find(|(i, _)| i == id)
                    .ok_or(Error::UnknownDecryptKey)?;
                let wrap = request
                    .wraps()
                    .iter()
                    .copied()
                    .find(|w| w.key_len() == key.len())
                    .ok_or(Error::KeyProtectionRefused(
                        "no listed key wrap algorithm fits the key named by DecryptKeyIdentifier",
                    ))?;
                Ok((Recipient::Kek { id, key }, wrap))
            }
            ProtectionKey::Asymmetric(id) => {
                let public = match self.agreement.iter().find(|(i, _)| i == id) {
                    Some((_, p)) => *p,
                    None => match client.map(agreement_key) {
                        Some(Ok((i, p))) if &i == id => p,
                        _ => return Err(Error::UnknownDecryptKey),
                    },
                };
                let wrap = request
                    .wraps()
                    .first()
                    .copied()
                    .ok_or(Error::KeyProtectionRefused("no key wrap algorithm"))?;
                Ok((Recipient::Agreement { key_id: id, public }, wrap))
            }
        }
    }
}
