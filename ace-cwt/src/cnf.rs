//! The confirmation claim `cnf` (RFC 8747 §3), also the value of the `req_cnf`, `cnf` and
//! `rs_cnf` parameters of RFC 9201 §3–§5.

use crate::{Algorithm, Error, KeyId, PopKey, content_encryption, deterministic};
use alloc::vec::Vec;
use ciborium::Value;
use coset::{AsCborValue, CoseEncrypt0};

/// RFC 8747 §3.2: confirmation method COSE_Key.
pub const COSE_KEY: i64 = 1;
/// RFC 8747 §3.3: confirmation method Encrypted_COSE_Key.
pub const ENCRYPTED_COSE_KEY: i64 = 2;
/// RFC 8747 §3.4: confirmation method kid.
pub const KID: i64 = 3;
/// RFC 9203 §9.5: confirmation method osc (OSCORE_Input_Material).
pub const OSC: i64 = 4;

/// RFC 8747 §3.1: one proof-of-possession key, by value, encrypted, or by reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Cnf {
    /// RFC 8747 §3.2 (method 1): the key as a COSE_Key (public part for asymmetric keys).
    CoseKey(PopKey),
    /// RFC 8747 §3.3 (method 2): a COSE_Key encrypted in a COSE_Encrypt0 for the recipient.
    EncryptedCoseKey(CoseEncrypt0),
    /// RFC 8747 §3.4 (method 3): a key identifier the recipient can resolve.
    Kid(KeyId),
    /// Another confirmation method, e.g. RFC 9203 `osc` (4): kept as a CBOR value for the
    /// profile to interpret.
    Other(i64, Value),
}

impl Cnf {
    /// The cnf map, e.g. `{1: COSE_Key}`.
    pub fn to_cbor_value(&self) -> Result<Value, Error> {
        let (label, value) = match self {
            Cnf::CoseKey(key) => (COSE_KEY, key.to_cbor_value()?),
            Cnf::EncryptedCoseKey(enc) => (ENCRYPTED_COSE_KEY, enc.clone().to_cbor_value()?),
            Cnf::Kid(kid) => (KID, Value::Bytes(kid.as_bytes().to_vec())),
            Cnf::Other(label, value) => (*label, value.clone()),
        };
        let mut map = Value::Map(alloc::vec![(Value::from(label), value)]);
        deterministic::canonicalize(&mut map);
        Ok(map)
    }

    /// Strict decoding of a cnf map.
    ///
    /// RFC 8747 §3.1: a cnf represents a single key, so at most one of COSE_Key,
    /// Encrypted_COSE_Key and kid may be present ([`Error::MultipleConfirmationKeys`]);
    /// members that are not understood are ignored when a known one is present (POP-2a); a map
    /// with only unknown members must have exactly one, returned as [`Cnf::Other`].
    pub fn from_cbor_value(value: Value) -> Result<Self, Error> {
        deterministic::check_no_duplicate_keys(&value)?;
        Cnf::from_checked(value)
    }

    /// As [`Cnf::from_cbor_value`], for a value already checked for duplicate keys.
    pub(crate) fn from_checked(value: Value) -> Result<Self, Error> {
        let Value::Map(entries) = value else {
            return Err(Error::ClaimType(crate::claims::CNF));
        };
        if entries.is_empty() {
            return Err(Error::EmptyConfirmation);
        }
        let mut known: Option<Cnf> = None;
        let mut unknown: Vec<(i64, Value)> = Vec::new();
        for (label, value) in entries {
            let label =
                deterministic::as_i64(&label).ok_or(Error::ClaimType(crate::claims::CNF))?;
            let cnf = match label {
                COSE_KEY => Cnf::CoseKey(PopKey::from_checked(value)?),
                ENCRYPTED_COSE_KEY => Cnf::EncryptedCoseKey(encrypted_key(value)?),
                KID => match value {
                    Value::Bytes(b) => Cnf::Kid(KeyId::from(b)),
                    _ => return Err(Error::ClaimType(crate::claims::CNF)),
                },
                other => {
                    unknown.push((other, value));
                    continue;
                }
            };
            if known.replace(cnf).is_some() {
                return Err(Error::MultipleConfirmationKeys);
            }
        }
        match known {
            Some(cnf) => Ok(cnf),
            None if unknown.len() == 1 => {
                let (label, value) = unknown.remove(0);
                Ok(Cnf::Other(label, value))
            }
            None => Err(Error::MultipleConfirmationKeys),
        }
    }

    /// RFC 8747 §3.3: encrypt `key` as an Encrypted_COSE_Key (COSE_Encrypt0) under `kek`, a
    /// key shared with the recipient, with a fresh random IV. The kid of `kek` (if any) goes
    /// into the unprotected header.
    pub fn encrypt_key(
        key: &PopKey,
        kek: &PopKey,
        alg: Algorithm,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<Self, Error> {
        let plaintext = key.to_vec()?;
        let enc = content_encryption::seal(&plaintext, kek, alg, &[], rng)?;
        Ok(Cnf::EncryptedCoseKey(enc))
    }

    /// RFC 8747 §3.3: decrypt an Encrypted_COSE_Key with the recipient's key `kek`; other
    /// variants return their key unchanged ([`Cnf::CoseKey`]) or `None` (kid, other methods).
    pub fn decrypt_key(&self, kek: &PopKey) -> Result<Option<PopKey>, Error> {
        match self {
            Cnf::CoseKey(key) => Ok(Some(key.clone())),
            Cnf::EncryptedCoseKey(enc) => {
                let plaintext = content_encryption::open(
                    enc,
                    kek,
                    &[],
                    crate::header::AlgPlacement::Protected,
                )?;
                Ok(Some(PopKey::from_slice(&plaintext)?))
            }
            _ => Ok(None),
        }
    }
}

/// RFC 8747 §3.3: Encrypted_COSE_Key is a COSE_Encrypt0 (optionally tagged 16) here;
/// COSE_Encrypt (tag 96 or four-element array) is refused.
fn encrypted_key(value: Value) -> Result<CoseEncrypt0, Error> {
    let inner = match value {
        Value::Tag(16, inner) => *inner,
        Value::Tag(96, _) => return Err(Error::UnsupportedEncryptedKey),
        Value::Tag(t, _) => return Err(Error::UnsupportedTag(t)),
        Value::Array(a) if a.len() == 4 => return Err(Error::UnsupportedEncryptedKey),
        other => other,
    };
    Ok(CoseEncrypt0::from_cbor_value(inner)?)
}
