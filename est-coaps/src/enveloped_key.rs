//! Content-Format 280, application/pkcs7-mime; smime-type=server-generated-key (RFC 7030
//! §4.4.2, RFC 9148 §5.8): a CMS ContentInfo holding an EnvelopedData (RFC 5652 §6) whose
//! content is the signed key package ([`crate::key_package`]), encrypted with AES-CBC under
//! a fresh content-encryption key that is wrapped (RFC 3394 AES key wrap) either
//!
//! - with the shared secret key named by the client's DecryptKeyIdentifier, in a
//!   KEKRecipientInfo (RFC 5652 §6.2.3; RFC 7030: version 4, kekid = the identifier), or
//! - with a key agreed by ephemeral-static ECDH on P-256 with the client's key named by its
//!   AsymmetricDecryptKeyIdentifier, in a KeyAgreeRecipientInfo (RFC 5652 §6.2.2, RFC 5753
//!   §3.1: dhSinglePass-stdDH-sha256kdf-scheme, the ANSI X9.63 KDF with SHA-256 over the
//!   ECC-CMS-SharedInfo of §7.2; the recipient is named by subjectKeyIdentifier, copied from
//!   the attribute as RFC 7030 §4.4.2 allows).
//!
//! Key transport (KeyTransRecipientInfo) needs an RSA key; this crate has none (P-256 only),
//! so a client cannot ask for it here.

use crate::error::Error;
use crate::key_protection::KeyWrap;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit,
};
use alloc::vec::Vec;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KekIdentifier, KekRecipientInfo,
    KeyAgreeRecipientIdentifier, KeyAgreeRecipientInfo, OriginatorIdentifierOrKey,
    OriginatorPublicKey, RecipientEncryptedKey, RecipientInfo, RecipientInfos,
    RecipientKeyIdentifier,
};
use der::asn1::{Any, BitString, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{PublicKey, SecretKey};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use zeroize::{Zeroize, Zeroizing};

/// RFC 5652 §6.1: id-envelopedData.
pub const ID_ENVELOPED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
/// RFC 5652 §5.1: id-signedData, the type of the encrypted content.
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// RFC 5753 §7.1.4: dhSinglePass-stdDH-sha256kdf-scheme.
pub const DH_SINGLE_PASS_STD_DH_SHA256_KDF: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.132.1.11.1");
/// RFC 5480 §2.1.1: id-ecPublicKey.
pub const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Who can open the package, as the server sees it.
#[derive(Debug, Clone, Copy)]
pub enum Recipient<'a> {
    /// RFC 7030 §4.4.1.1: the secret key `key` the client named `id`.
    Kek {
        /// The DecryptKeyIdentifier.
        id: &'a [u8],
        /// The key-encryption key (16 or 32 bytes, matching the wrap algorithm).
        key: &'a [u8],
    },
    /// RFC 7030 §4.4.1.2: the client's P-256 key agreement key, named `key_id`.
    Agreement {
        /// The AsymmetricDecryptKeyIdentifier (its subjectKeyIdentifier).
        key_id: &'a [u8],
        /// The public key.
        public: PublicKey,
    },
}

/// The client's key that opens the package.
#[derive(Clone)]
pub enum KeyDecryption {
    /// RFC 7030 §4.4.1.1: the shared key-encryption key and its identifier.
    Kek {
        /// The DecryptKeyIdentifier.
        id: Vec<u8>,
        /// The key-encryption key (16 or 32 bytes).
        key: Vec<u8>,
    },
    /// RFC 7030 §4.4.1.2: the client's P-256 key agreement key and its identifier.
    Agreement {
        /// The AsymmetricDecryptKeyIdentifier (subjectKeyIdentifier).
        key_id: Vec<u8>,
        /// The private key.
        secret: SecretKey,
    },
}

impl core::fmt::Debug for KeyDecryption {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeyDecryption::Kek { id, .. } => write!(f, "KeyDecryption::Kek({id:02x?}, hidden)"),
            KeyDecryption::Agreement { key_id, .. } => {
                write!(f, "KeyDecryption::Agreement({key_id:02x?}, hidden)")
            }
        }
    }
}

impl Drop for KeyDecryption {
    fn drop(&mut self) {
        // The P-256 `SecretKey` zeroizes itself.
        if let KeyDecryption::Kek { key, .. } = self {
            key.zeroize();
        }
    }
}

impl KeyDecryption {
    /// RFC 7030 §4.4.1.2: the client's key agreement `key` and the certificate binding it,
    /// named by the certificate's subjectKeyIdentifier.
    ///
    /// # Errors
    /// As [`crate::decrypt_keys::agreement_key`] (key usage, no subjectKeyIdentifier, not
    /// P-256), and [`Error::KeyProtectionRefused`] when `key` is not the certificate's key.
    pub fn for_certificate(
        cert: &x509_cert::Certificate,
        key: &p256::ecdsa::SigningKey,
    ) -> Result<Self, Error> {
        let (key_id, public) = crate::decrypt_keys::agreement_key(cert)?;
        let secret = SecretKey::from(key.as_nonzero_scalar());
        if secret.public_key() != public {
            return Err(Error::KeyProtectionRefused(
                "the key is not the certificate's key",
            ));
        }
        Ok(KeyDecryption::Agreement { key_id, secret })
    }

    /// The identifier the CSR must carry to ask for this key (RFC 7030 §4.4.1).
    #[must_use]
    pub fn protection_key(&self) -> crate::key_protection::ProtectionKey {
        match self {
            KeyDecryption::Kek { id, .. } => {
                crate::key_protection::ProtectionKey::Symmetric(id.clone())
            }
            KeyDecryption::Agreement { key_id, .. } => {
                crate::key_protection::ProtectionKey::Asymmetric(key_id.clone())
            }
        }
    }
}

const BAD: Error = Error::MalformedDer {
    what: "CMS EnvelopedData",
};

fn enc_err(_: der::Error) -> Error {
    Error::Issuing("EnvelopedData encoding")
}

/// RFC 5753 §7.2: ECC-CMS-SharedInfo.
#[derive(Sequence)]
struct EccCmsSharedInfo {
    key_info: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    entity_u_info: Option<OctetString>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    supp_pub_info: OctetString,
}

/// RFC 5753 §3.1.1 / ANSI X9.63 §3.6.1 with SHA-256: the key-encryption key from the
/// shared secret `z` (one SHA-256 block suffices for both key sizes).
fn x963_kek(
    z: &[u8],
    wrap: KeyWrap,
    ukm: Option<&OctetString>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bits = u32::try_from(wrap.key_len() * 8).map_err(|_| BAD)?;
    let info = EccCmsSharedInfo {
        key_info: wrap.algorithm(),
        entity_u_info: ukm.cloned(),
        supp_pub_info: OctetString::new(bits.to_be_bytes()).map_err(|_| BAD)?,
    }
    .to_der()
    .map_err(|_| BAD)?;
    let block = Sha256::new()
        .chain_update(z)
        .chain_update(1u32.to_be_bytes())
        .chain_update(&info)
        .finalize();
    let mut block = block;
    let kek = Zeroizing::new(block.get(..wrap.key_len()).ok_or(BAD)?.to_vec());
    block.zeroize();
    Ok(kek)
}

/// RFC 3394 AES key wrap of `cek` under `kek` into `out` (8 bytes longer than `cek`).
fn wrap_with<C: KeyInit + BlockCipherEncrypt<BlockSize = U16>>(
    kek: &[u8],
    cek: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    aes_kw::AesKw::<C>::new_from_slice(kek)
        .map_err(|_| Error::Issuing("KEK length"))?
        .wrap_key(cek, out)
        .map(|_| ())
        .map_err(|_| Error::Issuing("AES key wrap"))
}

/// RFC 3394 §2.2.3: unwraps and checks the integrity of `wrapped` into `out`.
fn unwrap_with<C: KeyInit + BlockCipherDecrypt<BlockSize = U16>>(
    kek: &[u8],
    wrapped: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    const FAIL: Error = Error::KeyDecryptionFailed("key unwrap failed");
    aes_kw::AesKw::<C>::new_from_slice(kek)
        .map_err(|_| FAIL)?
        .unwrap_key(wrapped, out)
        .map(|_| ())
        .map_err(|_| FAIL)
}

/// AES-CBC with PKCS#7 padding (RFC 3565 §4.1) of `buf[..len]` in place; the padded length.
fn cbc_encrypt_with<C: KeyInit + BlockCipherEncrypt<BlockSize = U16>>(
    cek: &[u8],
    iv: &[u8; 16],
    buf: &mut [u8],
    len: usize,
) -> Result<usize, Error> {
    cbc::Encryptor::<C>::new_from_slices(cek, iv)
        .map_err(|_| Error::Issuing("AES-CBC key"))?
        .encrypt_padded::<Pkcs7>(buf, len)
        .map(<[u8]>::len)
        .map_err(|_| Error::Issuing("AES-CBC"))
}

/// AES-CBC decryption in place and PKCS#7 padding check; the plaintext length.
fn cbc_decrypt_with<C: KeyInit + BlockCipherDecrypt<BlockSize = U16>>(
    cek: &[u8],
    iv: &[u8],
    buf: &mut [u8],
) -> Result<usize, Error> {
    const FAIL: Error = Error::KeyDecryptionFailed("content decryption failed");
    cbc::Decryptor::<C>::new_from_slices(cek, iv)
        .map_err(|_| FAIL)?
        .decrypt_padded::<Pkcs7>(buf)
        .map(<[u8]>::len)
        .map_err(|_| FAIL)
}

fn wrap_key(wrap: KeyWrap, kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = alloc::vec![0u8; cek.len() + 8];
    match wrap {
        KeyWrap::Aes128 => wrap_with::<aes::Aes128>(kek, cek, &mut out)?,
        KeyWrap::Aes256 => wrap_with::<aes::Aes256>(kek, cek, &mut out)?,
    }
    Ok(out)
}

fn unwrap_key(wrap: KeyWrap, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if wrapped.len() != wrap.key_len() + 8 {
        return Err(Error::KeyDecryptionFailed("key unwrap failed"));
    }
    let mut out = Zeroizing::new(alloc::vec![0u8; wrap.key_len()]);
    match wrap {
        KeyWrap::Aes128 => unwrap_with::<aes::Aes128>(kek, wrapped, &mut out)?,
        KeyWrap::Aes256 => unwrap_with::<aes::Aes256>(kek, wrapped, &mut out)?,
    }
    Ok(out)
}

fn cbc_encrypt(wrap: KeyWrap, cek: &[u8], iv: &[u8; 16], content: &[u8]) -> Result<Vec<u8>, Error> {
    let mut buf = alloc::vec![0u8; content.len() + 16];
    buf.get_mut(..content.len())
        .ok_or(BAD)?
        .copy_from_slice(content);
    let len = match wrap {
        KeyWrap::Aes128 => cbc_encrypt_with::<aes::Aes128>(cek, iv, &mut buf, content.len())?,
        KeyWrap::Aes256 => cbc_encrypt_with::<aes::Aes256>(cek, iv, &mut buf, content.len())?,
    };
    buf.truncate(len);
    Ok(buf)
}

fn cbc_decrypt(
    wrap: KeyWrap,
    cek: &[u8],
    iv: &[u8],
    ct: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buf = Zeroizing::new(ct.to_vec());
    let len = match wrap {
        KeyWrap::Aes128 => cbc_decrypt_with::<aes::Aes128>(cek, iv, &mut buf)?,
        KeyWrap::Aes256 => cbc_decrypt_with::<aes::Aes256>(cek, iv, &mut buf)?,
    };
    buf.truncate(len);
    Ok(buf)
}

fn algorithm_with_params(
    oid: ObjectIdentifier,
    params: &(impl der::EncodeValue + der::Tagged),
) -> Result<AlgorithmIdentifierOwned, Error> {
    Ok(AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::encode_from(params).map_err(enc_err)?),
    })
}

/// RFC 7030 §4.4.2: encrypts `signed_data` (the DER SignedData of the key package) for
/// `recipient` with `wrap`, and returns the Content-Format 280 payload (a DER ContentInfo).
///
/// # Errors
/// [`Error::KeyProtectionRefused`] when a KEK's length does not fit `wrap`;
/// [`Error::Issuing`] if encoding fails.
pub fn seal<R: CryptoRng + ?Sized>(
    signed_data: &[u8],
    recipient: Recipient<'_>,
    wrap: KeyWrap,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let mut cek = Zeroizing::new(alloc::vec![0u8; wrap.key_len()]);
    rng.fill_bytes(&mut cek);
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut iv);
    let info = match recipient {
        Recipient::Kek { id, key } => {
            if key.len() != wrap.key_len() {
                return Err(Error::KeyProtectionRefused(
                    "the key named by DecryptKeyIdentifier does not fit the key wrap algorithm",
                ));
            }
            RecipientInfo::Kekri(KekRecipientInfo {
                version: CmsVersion::V4,
                kek_id: KekIdentifier {
                    kek_identifier: OctetString::new(id).map_err(enc_err)?,
                    date: None,
                    other: None,
                },
                key_enc_alg: wrap.algorithm(),
                encrypted_key: OctetString::new(wrap_key(wrap, key, &cek)?).map_err(enc_err)?,
            })
        }
        Recipient::Agreement { key_id, public } => {
            let eph = p256::ecdh::EphemeralSecret::generate_from_rng(rng);
            let shared = eph.diffie_hellman(&public);
            let kek = x963_kek(shared.raw_secret_bytes(), wrap, None)?;
            let point = eph.public_key().to_sec1_point(false);
            RecipientInfo::Kari(KeyAgreeRecipientInfo {
                version: CmsVersion::V3,
                originator: OriginatorIdentifierOrKey::OriginatorKey(OriginatorPublicKey {
                    // RFC 5753 §3.1.1: id-ecPublicKey, parameters absent (as OpenSSL sends).
                    algorithm: AlgorithmIdentifierOwned {
                        oid: ID_EC_PUBLIC_KEY,
                        parameters: None,
                    },
                    public_key: BitString::from_bytes(point.as_bytes()).map_err(enc_err)?,
                }),
                ukm: None,
                key_enc_alg: algorithm_with_params(
                    DH_SINGLE_PASS_STD_DH_SHA256_KDF,
                    &wrap.algorithm(),
                )?,
                recipient_enc_keys: alloc::vec![RecipientEncryptedKey {
                    rid: KeyAgreeRecipientIdentifier::RKeyId(RecipientKeyIdentifier {
                        subject_key_identifier: SubjectKeyIdentifier(
                            OctetString::new(key_id).map_err(enc_err)?,
                        ),
                        date: None,
                        other: None,
                    }),
                    enc_key: OctetString::new(wrap_key(wrap, &kek, &cek)?).map_err(enc_err)?,
                }],
            })
        }
    };
    let ciphertext = cbc_encrypt(wrap, &cek, &iv, signed_data)?;
    let enveloped = EnvelopedData {
        // RFC 5652 §6.1: version 2 (a kari or kekri recipient, no originatorInfo).
        version: CmsVersion::V2,
        originator_info: None,
        recip_infos: RecipientInfos::try_from(alloc::vec![info]).map_err(enc_err)?,
        encrypted_content: EncryptedContentInfo {
            content_type: ID_SIGNED_DATA,
            content_enc_alg: algorithm_with_params(
                wrap.content_oid(),
                &OctetString::new(iv).map_err(enc_err)?,
            )?,
            encrypted_content: Some(OctetString::new(ciphertext).map_err(enc_err)?),
        },
        unprotected_attrs: None,
    };
    ContentInfo {
        content_type: ID_ENVELOPED_DATA,
        content: Any::encode_from(&enveloped).map_err(enc_err)?,
    }
    .to_der()
    .map_err(enc_err)
}

/// What unwraps the content-encryption key: the wrap algorithm, the key-encryption key and
/// the wrapped key.
type Unwrapping = (KeyWrap, Zeroizing<Vec<u8>>, Vec<u8>);

/// The key-encryption key and wrap algorithm for our recipient info, or `None` if `info` is
/// for someone else.
fn our_kek(info: &RecipientInfo, key: &KeyDecryption) -> Result<Option<Unwrapping>, Error> {
    match (info, key) {
        (RecipientInfo::Kekri(k), KeyDecryption::Kek { id, key }) => {
            if k.kek_id.kek_identifier.as_bytes() != id.as_slice() {
                return Ok(None);
            }
            if k.key_enc_alg.parameters.is_some() {
                return Err(Error::UnsupportedAlgorithm);
            }
            let wrap = KeyWrap::from_oid(&k.key_enc_alg.oid).ok_or(Error::UnsupportedAlgorithm)?;
            Ok(Some((
                wrap,
                Zeroizing::new(key.clone()),
                k.encrypted_key.as_bytes().to_vec(),
            )))
        }
        (RecipientInfo::Kari(k), KeyDecryption::Agreement { key_id, secret }) => {
            let Some(rek) = k.recipient_enc_keys.iter().find(|r| match &r.rid {
                KeyAgreeRecipientIdentifier::RKeyId(rk) => {
                    rk.subject_key_identifier.0.as_bytes() == key_id.as_slice()
                }
                KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(_) => false,
            }) else {
                return Ok(None);
            };
            if k.key_enc_alg.oid != DH_SINGLE_PASS_STD_DH_SHA256_KDF {
                return Err(Error::UnsupportedAlgorithm);
            }
            let inner: AlgorithmIdentifierOwned = k
                .key_enc_alg
                .parameters
                .as_ref()
                .ok_or(BAD)?
                .decode_as()
                .map_err(|_| BAD)?;
            if inner.parameters.is_some() {
                return Err(Error::UnsupportedAlgorithm);
            }
            let wrap = KeyWrap::from_oid(&inner.oid).ok_or(Error::UnsupportedAlgorithm)?;
            let OriginatorIdentifierOrKey::OriginatorKey(orig) = &k.originator else {
                return Err(Error::UnsupportedAlgorithm);
            };
            if orig.algorithm.oid != ID_EC_PUBLIC_KEY {
                return Err(Error::UnsupportedAlgorithm);
            }
            let point = orig.public_key.as_bytes().ok_or(BAD)?;
            let eph = PublicKey::from_sec1_bytes(point)
                .map_err(|_| Error::KeyDecryptionFailed("originator key is not a P-256 point"))?;
            let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), eph.as_affine());
            let kek = x963_kek(shared.raw_secret_bytes(), wrap, k.ukm.as_ref())?;
            Ok(Some((wrap, kek, rek.enc_key.as_bytes().to_vec())))
        }
        _ => Ok(None),
    }
}

/// RFC 7030 §4.4.2 on the client: decrypts a Content-Format 280 payload with `key` and
/// returns the DER SignedData inside (check it with [`crate::key_package::verify`]); it holds
/// the private key, so it is zeroed when dropped.
///
/// # Errors
/// [`Error::MalformedDer`] for a structure that is not such an EnvelopedData;
/// [`Error::UnsupportedAlgorithm`] for algorithms other than AES key wrap + AES-CBC (+ ECDH
/// with the SHA-256 X9.63 KDF); [`Error::KeyDecryptionFailed`] when no recipient info is
/// ours or unwrapping/decryption fails.
pub fn open(payload: &[u8], key: &KeyDecryption) -> Result<Zeroizing<Vec<u8>>, Error> {
    let ci = ContentInfo::from_der(payload).map_err(|_| BAD)?;
    if ci.content_type != ID_ENVELOPED_DATA {
        return Err(BAD);
    }
    let ed: EnvelopedData = ci.content.decode_as().map_err(|_| BAD)?;
    if ed.encrypted_content.content_type != ID_SIGNED_DATA {
        return Err(Error::KeyPackageRejected(
            "encrypted content is not a SignedData",
        ));
    }
    let mut found = None;
    for info in ed.recip_infos.0.iter() {
        if let Some(k) = our_kek(info, key)? {
            found = Some(k);
            break;
        }
    }
    let (wrap, kek, wrapped) =
        found.ok_or(Error::KeyDecryptionFailed("no recipient info for our key"))?;
    let alg = &ed.encrypted_content.content_enc_alg;
    if alg.oid != wrap.content_oid() {
        return Err(Error::UnsupportedAlgorithm);
    }
    let iv: OctetString = alg
        .parameters
        .as_ref()
        .ok_or(BAD)?
        .decode_as()
        .map_err(|_| BAD)?;
    if iv.as_bytes().len() != 16 {
        return Err(BAD);
    }
    let cek = unwrap_key(wrap, &kek, &wrapped)?;
    let ct = ed.encrypted_content.encrypted_content.as_ref().ok_or(BAD)?;
    cbc_decrypt(wrap, &cek, iv.as_bytes(), ct.as_bytes())
}
