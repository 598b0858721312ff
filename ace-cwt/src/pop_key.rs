//! Typed COSE keys (RFC 9052 §7, RFC 9053 §7): the proof-of-possession keys of RFC 8747 §3.2
//! and the keys that protect tokens.

use crate::{Algorithm, Error, KeyId, deterministic};
use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use ciborium::Value;
use core::fmt;
use coset::{CoseKey, KeyType, Label, RegisteredLabel, iana};
use subtle::ConstantTimeEq;

/// The key bytes of a symmetric key (RFC 9053 §7.3 `k`). Compared in constant time, never
/// printed.
///
/// It may also hold the expanded AES key schedule of these bytes
/// ([`PopKey::with_expanded_aes`]); that cache is not part of the value (equality, encoding and
/// `Debug` ignore it).
#[derive(Clone)]
pub struct SymmetricKey(Vec<u8>, Option<Box<ExpandedAes>>);

/// RFC 9053 §4.1, §4.2: the AES block cipher of a 128-, 192- or 256-bit key with its round keys
/// computed, ready for AES-CCM and AES-GCM.
#[derive(Clone)]
pub(crate) enum ExpandedAes {
    Aes128(aes::Aes128),
    Aes192(aes::Aes192),
    Aes256(aes::Aes256),
}

impl ExpandedAes {
    fn new(key: &[u8]) -> Option<Self> {
        use aes::cipher::KeyInit;
        Some(match key.len() {
            16 => ExpandedAes::Aes128(aes::Aes128::new_from_slice(key).ok()?),
            24 => ExpandedAes::Aes192(aes::Aes192::new_from_slice(key).ok()?),
            32 => ExpandedAes::Aes256(aes::Aes256::new_from_slice(key).ok()?),
            _ => return None,
        })
    }
}

impl SymmetricKey {
    /// Wrap key bytes; an empty key is refused (RFC 9053 §7.3: `k` is REQUIRED).
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        if bytes.is_empty() {
            return Err(Error::InvalidKey("empty symmetric key"));
        }
        Ok(SymmetricKey(bytes, None))
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The expanded AES key schedule, when it was computed.
    pub(crate) fn expanded_aes(&self) -> Option<&ExpandedAes> {
        self.1.as_deref()
    }
}

impl PartialEq for SymmetricKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for SymmetricKey {}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SymmetricKey({} bytes)", self.0.len())
    }
}

/// The key itself, by key type and curve (RFC 9053 §7.1, §7.2, §7.3). Private variants hold the
/// public part too (it is derived from the private one).
#[derive(Clone)]
pub enum KeyMaterial {
    /// kty 4 (Symmetric).
    Symmetric(SymmetricKey),
    /// kty 2 (EC2), crv 1 (P-256), public only.
    P256Public(p256::ecdsa::VerifyingKey),
    /// kty 2 (EC2), crv 1 (P-256), with the private scalar `d`.
    P256Private(p256::ecdsa::SigningKey),
    /// kty 1 (OKP), crv 6 (Ed25519), public only.
    Ed25519Public(ed25519_dalek::VerifyingKey),
    /// kty 1 (OKP), crv 6 (Ed25519), with the private key `d`.
    Ed25519Private(ed25519_dalek::SigningKey),
    /// kty 1 (OKP), crv 4 (X25519), public only.
    X25519Public(x25519_dalek::PublicKey),
    /// kty 1 (OKP), crv 4 (X25519), with the private key `d`.
    X25519Private(x25519_dalek::StaticSecret),
}

impl KeyMaterial {
    fn public_bytes(&self) -> Vec<u8> {
        match self {
            KeyMaterial::Symmetric(_) => Vec::new(),
            KeyMaterial::P256Public(k) => k.to_sec1_point(false).as_bytes().to_vec(),
            KeyMaterial::P256Private(k) => {
                k.verifying_key().to_sec1_point(false).as_bytes().to_vec()
            }
            KeyMaterial::Ed25519Public(k) => k.to_bytes().to_vec(),
            KeyMaterial::Ed25519Private(k) => k.verifying_key().to_bytes().to_vec(),
            KeyMaterial::X25519Public(k) => k.to_bytes().to_vec(),
            KeyMaterial::X25519Private(k) => x25519_dalek::PublicKey::from(k).to_bytes().to_vec(),
        }
    }

    fn private_bytes(&self) -> Option<Vec<u8>> {
        match self {
            KeyMaterial::Symmetric(k) => Some(k.as_bytes().to_vec()),
            KeyMaterial::P256Private(k) => Some(k.to_bytes().to_vec()),
            KeyMaterial::Ed25519Private(k) => Some(k.to_bytes().to_vec()),
            KeyMaterial::X25519Private(k) => Some(k.to_bytes().to_vec()),
            _ => None,
        }
    }

    /// Whether this is a symmetric key, or an asymmetric key with its private part.
    pub fn has_secret(&self) -> bool {
        self.private_bytes().is_some()
    }
}

impl PartialEq for KeyMaterial {
    fn eq(&self, other: &Self) -> bool {
        core::mem::discriminant(self) == core::mem::discriminant(other)
            && self.public_bytes() == other.public_bytes()
            && match (self.private_bytes(), other.private_bytes()) {
                (Some(a), Some(b)) => bool::from(a.ct_eq(&b)),
                (None, None) => true,
                _ => false,
            }
    }
}
impl Eq for KeyMaterial {}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            KeyMaterial::Symmetric(k) => return write!(f, "{k:?}"),
            KeyMaterial::P256Public(_) => "P256Public",
            KeyMaterial::P256Private(_) => "P256Private",
            KeyMaterial::Ed25519Public(_) => "Ed25519Public",
            KeyMaterial::Ed25519Private(_) => "Ed25519Private",
            KeyMaterial::X25519Public(_) => "X25519Public",
            KeyMaterial::X25519Private(_) => "X25519Private",
        };
        write!(f, "{name}({})", hex::encode(self.public_bytes()))
    }
}

/// A typed COSE_Key: key material plus the common parameters `kid` (label 2), `alg` (label 3)
/// and `key_ops` (label 4) of RFC 9052 §7.1.
///
/// Used for proof-of-possession keys in `cnf` (RFC 8747 §3.2) and for the keys that sign, MAC
/// or encrypt tokens. Conversion from a COSE_Key is strict: unknown or ill-sized parameters,
/// unsupported key types and curves, and private parts that do not match the public part are
/// refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PopKey {
    kid: Option<KeyId>,
    alg: Option<coset::Algorithm>,
    key_ops: BTreeSet<coset::KeyOperation>,
    material: KeyMaterial,
}

const CRV: i64 = -1;
const X: i64 = -2;
const Y: i64 = -3;
const D: i64 = -4;
const K: i64 = -1;

impl PopKey {
    /// A key from its material, without kid, alg or key_ops.
    pub fn new(material: KeyMaterial) -> Self {
        PopKey {
            kid: None,
            alg: None,
            key_ops: BTreeSet::new(),
            material,
        }
    }

    /// A symmetric key restricted to `alg`; the length must fit the algorithm.
    pub fn symmetric(bytes: Vec<u8>, alg: Algorithm, kid: Option<KeyId>) -> Result<Self, Error> {
        let key = PopKey::new(KeyMaterial::Symmetric(SymmetricKey::new(bytes)?))
            .with_alg(Some(alg.to_coset()))
            .with_kid(kid);
        key.check_algorithm(alg)?;
        Ok(key)
    }

    /// RFC 9200 §5.8.2 / RFC 8747 §3.3: a fresh random symmetric PoP key for `alg` (the AS
    /// makes one per token).
    pub fn generate_symmetric(
        alg: Algorithm,
        kid: Option<KeyId>,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<Self, Error> {
        let len = alg.symmetric_key_len().ok_or(Error::AlgorithmKeyMismatch)?;
        let mut bytes = alloc::vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        PopKey::symmetric(bytes, alg, kid)
    }

    /// A fresh P-256 key pair (alg ES256).
    pub fn generate_p256(kid: Option<KeyId>, rng: &mut impl rand_core::CryptoRng) -> Self {
        let signing = loop {
            let mut d = [0u8; 32];
            rng.fill_bytes(&mut d);
            // A random 32-byte string is a valid scalar except with negligible probability.
            if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&d) {
                break k;
            }
        };
        PopKey::new(KeyMaterial::P256Private(signing))
            .with_alg(Some(Algorithm::Es256.to_coset()))
            .with_kid(kid)
    }

    /// A fresh Ed25519 key pair (alg EdDSA).
    pub fn generate_ed25519(kid: Option<KeyId>, rng: &mut impl rand_core::CryptoRng) -> Self {
        let mut d = [0u8; 32];
        rng.fill_bytes(&mut d);
        PopKey::new(KeyMaterial::Ed25519Private(
            ed25519_dalek::SigningKey::from_bytes(&d),
        ))
        .with_alg(Some(Algorithm::EdDsa.to_coset()))
        .with_kid(kid)
    }

    /// A fresh X25519 key pair (no alg: ECDH algorithms are chosen by the protocol using it).
    pub fn generate_x25519(kid: Option<KeyId>, rng: &mut impl rand_core::CryptoRng) -> Self {
        let mut d = [0u8; 32];
        rng.fill_bytes(&mut d);
        PopKey::new(KeyMaterial::X25519Private(
            x25519_dalek::StaticSecret::from(d),
        ))
        .with_kid(kid)
    }

    /// A key from its parts, as a COSE_Key decoder finds them (no key_ops).
    pub(crate) fn from_parts(
        kid: Option<KeyId>,
        alg: Option<coset::Algorithm>,
        material: KeyMaterial,
    ) -> Self {
        PopKey {
            kid: kid.filter(|k| !k.as_bytes().is_empty()),
            alg,
            key_ops: BTreeSet::new(),
            material,
        }
    }

    /// RFC 9053 §4.1, §4.2: for a symmetric key of 128, 192 or 256 bits, compute the AES key
    /// schedule now, once, and keep it with the key; opening a COSE_Encrypt0 token with this key
    /// then skips the per-token key expansion. Worth it for a key that opens many tokens (an
    /// RS's token key; [`crate::KeySet`] does it for every key it holds). Other keys are
    /// returned unchanged; nothing else about the key changes (equality, encoding, checks).
    pub fn with_expanded_aes(mut self) -> Self {
        if let KeyMaterial::Symmetric(k) = &mut self.material
            && k.1.is_none()
        {
            k.1 = ExpandedAes::new(&k.0).map(Box::new);
        }
        self
    }

    /// Set or clear the kid.
    pub fn with_kid(mut self, kid: Option<KeyId>) -> Self {
        self.kid = kid.filter(|k| !k.as_bytes().is_empty());
        self
    }

    /// Set or clear the alg restriction.
    pub fn with_alg(mut self, alg: Option<coset::Algorithm>) -> Self {
        self.alg = alg;
        self
    }

    /// Set the `key_ops` restriction (RFC 9052 §7.1); empty means unrestricted.
    pub fn with_key_ops(mut self, ops: impl IntoIterator<Item = iana::KeyOperation>) -> Self {
        self.key_ops = ops.into_iter().map(RegisteredLabel::Assigned).collect();
        self
    }

    /// RFC 9052 §7.1 `kid` (COSE_Key label 2).
    pub fn kid(&self) -> Option<&KeyId> {
        self.kid.as_ref()
    }

    /// RFC 9052 §7.1 `alg` (COSE_Key label 3), as found.
    pub fn alg(&self) -> Option<&coset::Algorithm> {
        self.alg.as_ref()
    }

    /// RFC 9052 §7.1 `key_ops` (COSE_Key label 4).
    pub fn key_ops(&self) -> &BTreeSet<coset::KeyOperation> {
        &self.key_ops
    }

    /// RFC 9052 §7.1: refuse `op` if the key has `key_ops` and `op` is not among them.
    pub fn check_operation(&self, op: iana::KeyOperation) -> Result<(), Error> {
        if self.key_ops.is_empty() || self.key_ops.contains(&RegisteredLabel::Assigned(op)) {
            Ok(())
        } else {
            Err(Error::KeyOperationNotPermitted)
        }
    }

    /// The key material.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// RFC 8747 §3.2: the public part only (what goes into `cnf` for an asymmetric key);
    /// `None` for a symmetric key.
    pub fn to_public(&self) -> Option<PopKey> {
        let material = match &self.material {
            KeyMaterial::Symmetric(_) => return None,
            KeyMaterial::P256Private(k) => KeyMaterial::P256Public(*k.verifying_key()),
            KeyMaterial::Ed25519Private(k) => KeyMaterial::Ed25519Public(k.verifying_key()),
            KeyMaterial::X25519Private(k) => {
                KeyMaterial::X25519Public(x25519_dalek::PublicKey::from(k))
            }
            public => public.clone(),
        };
        Some(PopKey {
            material,
            ..self.clone()
        })
    }

    /// RFC 9052 §3.1, §7.1: refuse `alg` if the key's own alg differs or the material cannot
    /// be used with it (wrong key type, curve or length).
    pub fn check_algorithm(&self, alg: Algorithm) -> Result<(), Error> {
        if let Some(own) = &self.alg
            && *own != alg.to_coset()
        {
            return Err(Error::AlgorithmKeyMismatch);
        }
        let fits = match (&self.material, alg) {
            (KeyMaterial::P256Public(_) | KeyMaterial::P256Private(_), Algorithm::Es256) => true,
            (KeyMaterial::Ed25519Public(_) | KeyMaterial::Ed25519Private(_), Algorithm::EdDsa) => {
                true
            }
            (KeyMaterial::Symmetric(k), alg) => match alg.operation() {
                // RFC 9053 §3.1: HMAC keys at least as long as the hash output.
                crate::Operation::Mac => alg
                    .symmetric_key_len()
                    .is_some_and(|min| k.as_bytes().len() >= min),
                crate::Operation::Encrypt => alg.symmetric_key_len() == Some(k.as_bytes().len()),
                crate::Operation::Sign => false,
            },
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::AlgorithmKeyMismatch)
        }
    }

    /// Convert to coset's COSE_Key.
    pub fn to_cose_key(&self) -> CoseKey {
        let mut params: Vec<(Label, Value)> = Vec::new();
        let kty = match &self.material {
            KeyMaterial::Symmetric(k) => {
                params.push((Label::Int(K), Value::Bytes(k.as_bytes().to_vec())));
                iana::KeyType::Symmetric
            }
            KeyMaterial::P256Public(_) | KeyMaterial::P256Private(_) => {
                let point = self.material.public_bytes();
                let (x, y) = (point.get(1..33), point.get(33..65));
                params.push((
                    Label::Int(CRV),
                    Value::from(iana::EllipticCurve::P_256 as i64),
                ));
                params.push((Label::Int(X), Value::Bytes(x.unwrap_or_default().to_vec())));
                params.push((Label::Int(Y), Value::Bytes(y.unwrap_or_default().to_vec())));
                iana::KeyType::EC2
            }
            KeyMaterial::Ed25519Public(_)
            | KeyMaterial::Ed25519Private(_)
            | KeyMaterial::X25519Public(_)
            | KeyMaterial::X25519Private(_) => {
                let crv = match &self.material {
                    KeyMaterial::Ed25519Public(_) | KeyMaterial::Ed25519Private(_) => {
                        iana::EllipticCurve::Ed25519
                    }
                    _ => iana::EllipticCurve::X25519,
                };
                params.push((Label::Int(CRV), Value::from(crv as i64)));
                params.push((Label::Int(X), Value::Bytes(self.material.public_bytes())));
                iana::KeyType::OKP
            }
        };
        if !matches!(self.material, KeyMaterial::Symmetric(_))
            && let Some(d) = self.material.private_bytes()
        {
            params.push((Label::Int(D), Value::Bytes(d)));
        }
        CoseKey {
            kty: KeyType::Assigned(kty),
            key_id: self.kid.clone().map(KeyId::into_bytes).unwrap_or_default(),
            alg: self.alg.clone(),
            key_ops: self.key_ops.clone(),
            base_iv: Vec::new(),
            params,
        }
    }

    /// Strict conversion from coset's COSE_Key (RFC 9052 §7, RFC 9053 §7).
    pub fn from_cose_key(key: CoseKey) -> Result<Self, Error> {
        if !key.base_iv.is_empty() {
            return Err(Error::InvalidKey("Base IV is not supported"));
        }
        let mut params = Params(key.params);
        let material = match key.kty {
            RegisteredLabel::Assigned(iana::KeyType::Symmetric) => {
                let k = params.bytes(K)?.ok_or(Error::InvalidKey("k missing"))?;
                KeyMaterial::Symmetric(SymmetricKey::new(k)?)
            }
            RegisteredLabel::Assigned(iana::KeyType::EC2) => {
                if params.int(CRV)? != Some(iana::EllipticCurve::P_256 as i64) {
                    return Err(Error::UnsupportedKeyType);
                }
                ec2_p256(params.bytes(X)?, params.take(Y), params.bytes(D)?)?
            }
            RegisteredLabel::Assigned(iana::KeyType::OKP) => {
                let crv = params.int(CRV)?;
                let x = params.bytes(X)?;
                let d = params.bytes(D)?;
                match crv {
                    Some(c) if c == iana::EllipticCurve::Ed25519 as i64 => okp_ed25519(x, d)?,
                    Some(c) if c == iana::EllipticCurve::X25519 as i64 => okp_x25519(x, d)?,
                    _ => return Err(Error::UnsupportedKeyType),
                }
            }
            _ => return Err(Error::UnsupportedKeyType),
        };
        if !params.0.is_empty() {
            return Err(Error::InvalidKey("unknown key parameter"));
        }
        Ok(PopKey {
            kid: Some(KeyId::from(key.key_id)).filter(|k| !k.as_bytes().is_empty()),
            alg: key.alg,
            key_ops: key.key_ops,
            material,
        })
    }

    /// The COSE_Key as a CBOR value.
    pub fn to_cbor_value(&self) -> Result<Value, Error> {
        use coset::AsCborValue;
        Ok(self.to_cose_key().to_cbor_value()?)
    }

    /// Strict conversion from a CBOR value holding a COSE_Key map.
    pub fn from_cbor_value(value: Value) -> Result<Self, Error> {
        deterministic::check_no_duplicate_keys(&value)?;
        PopKey::from_checked(value)
    }

    /// As [`PopKey::from_cbor_value`], for a value already checked for duplicate keys.
    pub(crate) fn from_checked(value: Value) -> Result<Self, Error> {
        use coset::AsCborValue;
        PopKey::from_cose_key(CoseKey::from_cbor_value(value)?)
    }

    /// The COSE_Key in deterministic CBOR (RFC 8949 §4.2.1).
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        deterministic::encode(self.to_cbor_value()?)
    }

    /// Decode a COSE_Key from CBOR bytes (one item, no trailing bytes).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        PopKey::from_checked(deterministic::decode(bytes)?)
    }
}

/// The key-type specific parameters of a COSE_Key, consumed one by one so that leftovers can
/// be refused.
struct Params(Vec<(Label, Value)>);

impl Params {
    fn take(&mut self, label: i64) -> Option<Value> {
        let pos = self.0.iter().position(|(l, _)| *l == Label::Int(label))?;
        Some(self.0.remove(pos).1)
    }
    fn bytes(&mut self, label: i64) -> Result<Option<Vec<u8>>, Error> {
        match self.take(label) {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b)),
            Some(_) => Err(Error::InvalidKey("key parameter is not a byte string")),
        }
    }
    fn int(&mut self, label: i64) -> Result<Option<i64>, Error> {
        match self.take(label) {
            None => Ok(None),
            Some(v) => deterministic::as_i64(&v)
                .map(Some)
                .ok_or(Error::InvalidKey("curve is not an integer")),
        }
    }
}

fn array32(bytes: &[u8], what: &'static str) -> Result<[u8; 32], Error> {
    bytes.try_into().map_err(|_| Error::InvalidKey(what))
}

/// RFC 9053 §7.1.1: EC2 P-256 key; `y` may be the full coordinate or the sign bit.
fn ec2_p256(
    x: Option<Vec<u8>>,
    y: Option<Value>,
    d: Option<Vec<u8>>,
) -> Result<KeyMaterial, Error> {
    let public = match x {
        Some(x) => {
            let x = array32(&x, "x must be 32 bytes")?;
            let mut sec1 = Vec::with_capacity(65);
            match y {
                Some(Value::Bytes(y)) => {
                    let y = array32(&y, "y must be 32 bytes")?;
                    sec1.push(0x04);
                    sec1.extend_from_slice(&x);
                    sec1.extend_from_slice(&y);
                }
                Some(Value::Bool(sign)) => {
                    sec1.push(if sign { 0x03 } else { 0x02 });
                    sec1.extend_from_slice(&x);
                }
                Some(_) => return Err(Error::InvalidKey("y must be a byte string or a bool")),
                None => return Err(Error::InvalidKey("y missing")),
            }
            Some(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                    .map_err(|_| Error::InvalidKey("point not on P-256"))?,
            )
        }
        None if y.is_some() => return Err(Error::InvalidKey("y without x")),
        None => None,
    };
    match (public, d) {
        (Some(p), None) => Ok(KeyMaterial::P256Public(p)),
        (public, Some(d)) => {
            let d = array32(&d, "d must be 32 bytes")?;
            let sk = p256::ecdsa::SigningKey::from_slice(&d)
                .map_err(|_| Error::InvalidKey("d is not a P-256 scalar"))?;
            if public.is_some_and(|p| p != *sk.verifying_key()) {
                return Err(Error::InvalidKey("d does not match x, y"));
            }
            Ok(KeyMaterial::P256Private(sk))
        }
        (None, None) => Err(Error::InvalidKey("x missing")),
    }
}

/// RFC 9053 §7.2 (RFC 8032): OKP Ed25519 key.
fn okp_ed25519(x: Option<Vec<u8>>, d: Option<Vec<u8>>) -> Result<KeyMaterial, Error> {
    let public = match x {
        Some(x) => Some(
            ed25519_dalek::VerifyingKey::from_bytes(&array32(&x, "x must be 32 bytes")?)
                .map_err(|_| Error::InvalidKey("x is not an Ed25519 point"))?,
        ),
        None => None,
    };
    match (public, d) {
        (Some(p), None) => Ok(KeyMaterial::Ed25519Public(p)),
        (public, Some(d)) => {
            let sk = ed25519_dalek::SigningKey::from_bytes(&array32(&d, "d must be 32 bytes")?);
            if public.is_some_and(|p| p != sk.verifying_key()) {
                return Err(Error::InvalidKey("d does not match x"));
            }
            Ok(KeyMaterial::Ed25519Private(sk))
        }
        (None, None) => Err(Error::InvalidKey("x missing")),
    }
}

/// RFC 9053 §7.2 (RFC 7748): OKP X25519 key.
fn okp_x25519(x: Option<Vec<u8>>, d: Option<Vec<u8>>) -> Result<KeyMaterial, Error> {
    let public = match x {
        Some(x) => Some(x25519_dalek::PublicKey::from(array32(
            &x,
            "x must be 32 bytes",
        )?)),
        None => None,
    };
    match (public, d) {
        (Some(p), None) => Ok(KeyMaterial::X25519Public(p)),
        (public, Some(d)) => {
            let sk = x25519_dalek::StaticSecret::from(array32(&d, "d must be 32 bytes")?);
            if public.is_some_and(|p| p != x25519_dalek::PublicKey::from(&sk)) {
                return Err(Error::InvalidKey("d does not match x"));
            }
            Ok(KeyMaterial::X25519Private(sk))
        }
        (None, None) => Err(Error::InvalidKey("x missing")),
    }
}
