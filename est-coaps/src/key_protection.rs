//! What a server-side key generation CSR asks for (RFC 7030 §4.4.1, RFC 9148 §5.8): an
//! unencrypted PKCS#8 key (Content-Format 284) when it has no SMIMECapabilities, or a key
//! encrypted in CMS EnvelopedData (Content-Format 280) for the symmetric key named by a
//! DecryptKeyIdentifier (§4.4.1.1) or the asymmetric key named by an
//! AsymmetricDecryptKeyIdentifier (§4.4.1.2), with a key wrap algorithm the client listed.

use crate::error::Error;
use alloc::vec::Vec;
use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::oid::AssociatedOid;
use der::{EncodeValue, FixedTag, Length, Tag, Writer};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::builder::RequestBuilder;
use x509_cert::request::attributes::AsAttribute;

/// RFC 8551 §2.5.2: smimeCapabilities.
pub const SMIME_CAPABILITIES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15");
/// RFC 4108 §2.2.5: id-aa-decryptKeyID (RFC 7030 §4.4.1.1).
pub const DECRYPT_KEY_ID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.37");
/// RFC 7030 §4.4.1.2: id-aa-asymmDecryptKeyID (id-aa 54).
pub const ASYMM_DECRYPT_KEY_ID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.54");

/// An AES key wrap algorithm (RFC 3394, OIDs from RFC 3565 §2.3.2), each with the AES-CBC
/// content encryption of the same key size (RFC 3565 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyWrap {
    /// id-aes128-wrap, content encrypted with aes128-CBC.
    Aes128,
    /// id-aes256-wrap, content encrypted with aes256-CBC.
    Aes256,
}

impl KeyWrap {
    /// Both, in the order a client offers them.
    pub const ALL: [KeyWrap; 2] = [KeyWrap::Aes128, KeyWrap::Aes256];

    /// RFC 3565 §2.3.2: the key wrap algorithm's OID.
    #[must_use]
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            KeyWrap::Aes128 => ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.5"),
            KeyWrap::Aes256 => ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.45"),
        }
    }

    /// RFC 3565 §4.1: the OID of AES-CBC with the same key size.
    #[must_use]
    pub const fn content_oid(self) -> ObjectIdentifier {
        match self {
            KeyWrap::Aes128 => ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2"),
            KeyWrap::Aes256 => ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42"),
        }
    }

    /// The key size in bytes (of the KEK and of the content-encryption key).
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            KeyWrap::Aes128 => 16,
            KeyWrap::Aes256 => 32,
        }
    }

    /// The wrap algorithm with this OID.
    #[must_use]
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<KeyWrap> {
        KeyWrap::ALL.into_iter().find(|w| &w.oid() == oid)
    }

    /// The AlgorithmIdentifier (RFC 3565 §2.3.2: parameters absent).
    #[must_use]
    pub fn algorithm(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }
}

/// Which key protects the server-generated private key (RFC 7030 §4.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtectionKey {
    /// §4.4.1.1: a secret key the client and the server share, by its DecryptKeyIdentifier.
    Symmetric(Vec<u8>),
    /// §4.4.1.2: an asymmetric key of the client, by its AsymmetricDecryptKeyIdentifier
    /// (here: the subjectKeyIdentifier of a P-256 key agreement certificate).
    Asymmetric(Vec<u8>),
}

impl ProtectionKey {
    /// The identifier bytes.
    #[must_use]
    pub fn id(&self) -> &[u8] {
        match self {
            ProtectionKey::Symmetric(id) | ProtectionKey::Asymmetric(id) => id,
        }
    }
}

/// The encryption a server-side key generation request asks for (RFC 7030 §4.4.1): the key
/// and the key wrap algorithms the client accepts, in its order of preference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProtection {
    key: ProtectionKey,
    wraps: Vec<KeyWrap>,
}

fn single_value(attr: &Attribute) -> Result<&Any, Error> {
    let mut values = attr.values.iter();
    match (values.next(), values.next()) {
        (Some(v), None) => Ok(v),
        _ => Err(Error::KeyProtectionRefused(
            "a key protection attribute must have exactly one value",
        )),
    }
}

fn identifier(attr: &Attribute) -> Result<Vec<u8>, Error> {
    let id: OctetString = single_value(attr)?
        .decode_as()
        .map_err(|_| Error::MalformedDer {
            what: "key identifier attribute",
        })?;
    if id.as_bytes().is_empty() {
        return Err(Error::KeyProtectionRefused("empty key identifier"));
    }
    Ok(id.as_bytes().to_vec())
}

impl KeyProtection {
    /// A request for `key` with these wrap algorithms (the server picks the first it can use).
    ///
    /// # Errors
    /// [`Error::KeyProtectionRefused`] if `wraps` is empty or the identifier is empty.
    pub fn new(key: ProtectionKey, wraps: &[KeyWrap]) -> Result<Self, Error> {
        if wraps.is_empty() {
            return Err(Error::KeyProtectionRefused("no key wrap algorithm"));
        }
        if key.id().is_empty() {
            return Err(Error::KeyProtectionRefused("empty key identifier"));
        }
        Ok(KeyProtection {
            key,
            wraps: wraps.to_vec(),
        })
    }

    /// The protecting key.
    #[must_use]
    pub fn key(&self) -> &ProtectionKey {
        &self.key
    }

    /// The key wrap algorithms the client listed that this crate implements, in its order.
    #[must_use]
    pub fn wraps(&self) -> &[KeyWrap] {
        &self.wraps
    }

    /// RFC 7030 §4.4.1: reads the CSR attributes. `Ok(None)`: no SMIMECapabilities, so an
    /// unencrypted PKCS#8 key (284) is asked for (RFC 9148 §5.8).
    ///
    /// # Errors
    /// [`Error::KeyProtectionRefused`] when SMIMECapabilities is present but no (or both)
    /// key identifier attributes are, or no listed algorithm is an AES key wrap this crate
    /// implements; [`Error::MalformedDer`] for undecodable attribute values.
    pub fn from_attributes(attrs: &SetOfVec<Attribute>) -> Result<Option<Self>, Error> {
        let find = |oid| attrs.iter().find(|a| a.oid == oid);
        let Some(caps) = find(SMIME_CAPABILITIES) else {
            return Ok(None);
        };
        let caps: Vec<AlgorithmIdentifierOwned> =
            single_value(caps)?
                .decode_as()
                .map_err(|_| Error::MalformedDer {
                    what: "SMIMECapabilities",
                })?;
        let key = match (find(DECRYPT_KEY_ID), find(ASYMM_DECRYPT_KEY_ID)) {
            (Some(a), None) => ProtectionKey::Symmetric(identifier(a)?),
            (None, Some(a)) => ProtectionKey::Asymmetric(identifier(a)?),
            (None, None) => {
                return Err(Error::KeyProtectionRefused(
                    "SMIMECapabilities without DecryptKeyIdentifier or \
                     AsymmetricDecryptKeyIdentifier",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(Error::KeyProtectionRefused(
                    "both DecryptKeyIdentifier and AsymmetricDecryptKeyIdentifier",
                ));
            }
        };
        let mut wraps = Vec::new();
        for w in caps.iter().filter_map(|c| KeyWrap::from_oid(&c.oid)) {
            if !wraps.contains(&w) {
                wraps.push(w);
            }
        }
        if wraps.is_empty() {
            return Err(Error::KeyProtectionRefused(
                "SMIMECapabilities lists no supported key wrap algorithm (id-aes128-wrap, \
                 id-aes256-wrap)",
            ));
        }
        Ok(Some(KeyProtection { key, wraps }))
    }

    /// RFC 7030 §4.4.1: the two CSR attributes that ask for this protection
    /// (SMIMECapabilities and the key identifier).
    ///
    /// # Errors
    /// [`Error::Issuing`] if encoding fails.
    pub fn to_attributes(&self) -> Result<[Attribute; 2], Error> {
        let enc = |_: der::Error| Error::Issuing("key protection attribute");
        let caps = SmimeCapabilities(self.wraps.iter().map(|w| w.algorithm()).collect());
        let id = OctetString::new(self.key.id()).map_err(enc)?;
        let id = match self.key {
            ProtectionKey::Symmetric(_) => DecryptKeyIdentifier(id).to_attribute(),
            ProtectionKey::Asymmetric(_) => AsymmetricDecryptKeyIdentifier(id).to_attribute(),
        };
        Ok([caps.to_attribute().map_err(enc)?, id.map_err(enc)?])
    }

    /// Adds the two attributes to a CSR being built (before it is signed).
    ///
    /// # Errors
    /// [`Error::Issuing`] if the builder refuses.
    pub fn add_to(&self, builder: &mut RequestBuilder) -> Result<(), Error> {
        let enc = |_: der::Error| Error::Issuing("key protection attribute");
        builder
            .add_attribute(&SmimeCapabilities(
                self.wraps.iter().map(|w| w.algorithm()).collect(),
            ))
            .map_err(|_| Error::Issuing("SMIMECapabilities attribute"))?;
        let id = OctetString::new(self.key.id()).map_err(enc)?;
        match self.key {
            ProtectionKey::Symmetric(_) => builder.add_attribute(&DecryptKeyIdentifier(id)),
            ProtectionKey::Asymmetric(_) => {
                builder.add_attribute(&AsymmetricDecryptKeyIdentifier(id))
            }
        }
        .map_err(|_| Error::Issuing("key identifier attribute"))
    }
}

/// Declares a CSR attribute type whose value is `$inner` (x509-cert's `AsAttribute`).
macro_rules! csr_attribute {
    ($(#[$doc:meta])* $name:ident($inner:ty), $oid:expr, $tag:expr) => {
        $(#[$doc])*
        struct $name($inner);
        impl AssociatedOid for $name {
            const OID: ObjectIdentifier = $oid;
        }
        impl FixedTag for $name {
            const TAG: Tag = $tag;
        }
        impl EncodeValue for $name {
            fn value_len(&self) -> der::Result<Length> {
                self.0.value_len()
            }
            fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
                self.0.encode_value(writer)
            }
        }
        impl AsAttribute for $name {}
    };
}

csr_attribute!(
    /// RFC 8551 §2.5.2: SMIMECapabilities ::= SEQUENCE OF SMIMECapability (same shape as
    /// AlgorithmIdentifier).
    SmimeCapabilities(Vec<AlgorithmIdentifierOwned>),
    SMIME_CAPABILITIES,
    Tag::Sequence
);
csr_attribute!(
    /// RFC 4108 §2.2.5: DecryptKeyIdentifier ::= OCTET STRING.
    DecryptKeyIdentifier(OctetString),
    DECRYPT_KEY_ID,
    Tag::OctetString
);
csr_attribute!(
    /// RFC 7030 §4.4.1.2: AsymmetricDecryptKeyIdentifier ::= OCTET STRING.
    AsymmetricDecryptKeyIdentifier(OctetString),
    ASYMM_DECRYPT_KEY_ID,
    Tag::OctetString
);

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    fn attrs(list: &[Attribute]) -> SetOfVec<Attribute> {
        SetOfVec::try_from(list.to_vec()).unwrap()
    }

    #[test]
    fn round_trip_both_kinds() {
        for key in [
            ProtectionKey::Symmetric(b"kek-1".to_vec()),
            ProtectionKey::Asymmetric(alloc::vec![7; 20]),
        ] {
            let p = KeyProtection::new(key, &[KeyWrap::Aes256, KeyWrap::Aes128]).unwrap();
            let back = KeyProtection::from_attributes(&attrs(&p.to_attributes().unwrap()))
                .unwrap()
                .unwrap();
            assert_eq!(back, p);
        }
    }

    #[test]
    fn no_capabilities_means_pkcs8() {
        assert_eq!(KeyProtection::from_attributes(&attrs(&[])).unwrap(), None);
    }

    #[test]
    fn refusals() {
        let p = KeyProtection::new(ProtectionKey::Symmetric(b"k".to_vec()), &[KeyWrap::Aes128])
            .unwrap();
        let [caps, id] = p.to_attributes().unwrap();
        // Capabilities without an identifier.
        assert!(matches!(
            KeyProtection::from_attributes(&attrs(core::slice::from_ref(&caps))),
            Err(Error::KeyProtectionRefused(_))
        ));
        // Both identifiers.
        let mut other = id.clone();
        other.oid = ASYMM_DECRYPT_KEY_ID;
        assert!(matches!(
            KeyProtection::from_attributes(&attrs(&[caps.clone(), id.clone(), other])),
            Err(Error::KeyProtectionRefused(_))
        ));
        // Only unknown algorithms (aes128-CBC is not a key wrap).
        let unknown: Vec<AlgorithmIdentifierOwned> = alloc::vec![AlgorithmIdentifierOwned {
            oid: KeyWrap::Aes128.content_oid(),
            parameters: None,
        }];
        let caps2 = Attribute {
            oid: SMIME_CAPABILITIES,
            values: SetOfVec::try_from(alloc::vec![
                Any::from_der(&unknown.to_der().unwrap()).unwrap()
            ])
            .unwrap(),
        };
        assert!(matches!(
            KeyProtection::from_attributes(&attrs(&[caps2, id])),
            Err(Error::KeyProtectionRefused(_))
        ));
        assert!(
            KeyProtection::new(ProtectionKey::Symmetric(Vec::new()), &[KeyWrap::Aes128]).is_err()
        );
        assert!(KeyProtection::new(ProtectionKey::Symmetric(b"k".to_vec()), &[]).is_err());
    }
}
