//! Validating a CWT (RFC 8392 §7.2) against the keys a recipient holds.

use crate::header::{self, AlgPlacement};
use crate::structure::{self, Structure};
use crate::{Algorithm, Claims, Error, KeyId, Operation, PopKey, deterministic};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use ciborium::Value;
use coset::{AsCborValue, CoseEncrypt0, CoseMac0, CoseSign1};

/// RFC 8392 §6: the CWT CBOR tag.
pub const CWT_TAG: u64 = 61;

/// Layers followed at most (RFC 8392 §7.2 step 6); sign-then-encrypt needs two.
pub const MAX_NESTING: usize = 3;

/// Where a recipient finds the key for a COSE layer (RFC 9052 §3.1 `kid`).
pub trait KeyStore {
    /// The key for `kid` (from the layer's header; `None` when the header has none) to be used
    /// with `alg`. Returning a key whose algorithm does not fit makes verification fail with
    /// [`Error::AlgorithmKeyMismatch`], never succeed.
    fn key(&self, kid: Option<&KeyId>, alg: Algorithm) -> Option<&PopKey>;
}

/// A simple [`KeyStore`]: a list of keys. A kid selects the key with that kid; without a kid
/// the first key that fits the algorithm is used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeySet(Vec<PopKey>);

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        KeySet(Vec::new())
    }

    /// Add a key (an AES key gets its key schedule expanded once,
    /// [`PopKey::with_expanded_aes`]).
    pub fn with(mut self, key: PopKey) -> Self {
        self.insert(key);
        self
    }

    /// Add a key (an AES key gets its key schedule expanded once,
    /// [`PopKey::with_expanded_aes`]).
    pub fn insert(&mut self, key: PopKey) {
        self.0.push(key.with_expanded_aes());
    }
}

impl FromIterator<PopKey> for KeySet {
    fn from_iter<I: IntoIterator<Item = PopKey>>(iter: I) -> Self {
        KeySet(iter.into_iter().map(PopKey::with_expanded_aes).collect())
    }
}

impl KeyStore for KeySet {
    fn key(&self, kid: Option<&KeyId>, alg: Algorithm) -> Option<&PopKey> {
        match kid {
            Some(kid) => self.0.iter().find(|k| k.kid() == Some(kid)),
            None => self.0.iter().find(|k| k.check_algorithm(alg).is_ok()),
        }
    }
}

/// One COSE layer that was verified or decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLayer {
    /// The COSE structure.
    pub structure: Structure,
    /// The algorithm from the protected header (checked against the key).
    pub alg: Algorithm,
    /// The kid from the header, if any.
    pub kid: Option<KeyId>,
}

/// A CWT whose every COSE layer was verified or decrypted (RFC 8392 §7.2), with its claims.
///
/// Only [`verify`] makes one: holding a `VerifiedToken` means the checks passed. The claims
/// are not yet checked against time, audience or scope; that is the RS's job (RFC 9200
/// §5.10.1.1).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    claims: Claims,
    layers: Layers,
    cwt_tagged: bool,
}

/// The verified layers: one (the common case, kept without a heap allocation) or more.
/// Always `One` for a single layer, so equal slices mean equal values.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Layers {
    One(VerifiedLayer),
    Nested(Vec<VerifiedLayer>),
}

impl Layers {
    fn from_vec(mut layers: Vec<VerifiedLayer>) -> Self {
        match (layers.len(), layers.pop()) {
            (1, Some(one)) => Layers::One(one),
            (_, last) => {
                layers.extend(last);
                Layers::Nested(layers)
            }
        }
    }

    fn as_slice(&self) -> &[VerifiedLayer] {
        match self {
            Layers::One(one) => core::slice::from_ref(one),
            Layers::Nested(layers) => layers,
        }
    }
}

impl core::fmt::Debug for Layers {
    /// As the list of layers (the representation is not part of the value).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl VerifiedToken {
    pub(crate) fn new(claims: Claims, layers: Layers, cwt_tagged: bool) -> Self {
        VerifiedToken {
            claims,
            layers,
            cwt_tagged,
        }
    }

    pub(crate) fn claims_mut(&mut self) -> &mut Claims {
        &mut self.claims
    }

    /// The claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The claims, owned.
    #[inline]
    pub fn into_claims(self) -> Claims {
        self.claims
    }

    /// The layers from the outside in (one, or two for sign-then-encrypt).
    pub fn layers(&self) -> &[VerifiedLayer] {
        self.layers.as_slice()
    }

    /// The innermost layer: the one whose key vouches for the claims (the signer in
    /// sign-then-encrypt).
    pub fn authenticated_by(&self) -> Option<&VerifiedLayer> {
        self.layers().last()
    }

    /// Whether the input carried the CWT tag 61.
    pub fn cwt_tagged(&self) -> bool {
        self.cwt_tagged
    }
}

fn kid_text(kid: Option<&KeyId>) -> String {
    kid.map_or_else(|| "(none)".to_string(), ToString::to_string)
}

/// RFC 8392 §7.2 step 3: the structure of an untagged object, from its length and the
/// algorithm of its protected header.
fn untagged_structure(items: &[Value]) -> Result<Structure, Error> {
    match items.len() {
        3 => Ok(Structure::Encrypt0),
        4 => {
            let Some(Value::Bytes(protected)) = items.first() else {
                return Err(Error::UnknownStructure);
            };
            let header = coset::Header::from_cbor_value(if protected.is_empty() {
                Value::Map(Vec::new())
            } else {
                deterministic::decode(protected)?
            })?;
            let alg = header.alg.as_ref().ok_or(Error::MissingAlgorithm)?;
            match Algorithm::from_coset(alg)?.operation() {
                Operation::Sign => Ok(Structure::Sign1),
                Operation::Mac => Ok(Structure::Mac0),
                Operation::Encrypt => Err(Error::UnknownStructure),
            }
        }
        _ => Err(Error::UnknownStructure),
    }
}

fn key_for<'k>(
    keys: &'k impl KeyStore,
    kid: Option<&KeyId>,
    alg: Algorithm,
) -> Result<&'k PopKey, Error> {
    keys.key(kid, alg)
        .ok_or_else(|| Error::UnknownKid(kid_text(kid)))
}

/// Verify or decrypt one layer, returning its payload.
fn open_layer(
    structure: Structure,
    value: Value,
    keys: &impl KeyStore,
) -> Result<(VerifiedLayer, Vec<u8>), Error> {
    let (params, payload) = match structure {
        Structure::Sign1 => {
            let s = CoseSign1::from_cbor_value(value)?;
            let params = header::read(&s.protected, &s.unprotected, AlgPlacement::Protected)?;
            if params.alg.operation() != Operation::Sign {
                return Err(Error::AlgorithmKeyMismatch);
            }
            let key = key_for(keys, params.kid.as_ref(), params.alg)?;
            structure::verify_sign1_placed(&s, key, &[], AlgPlacement::Protected)?;
            (params, s.payload.unwrap_or_default())
        }
        Structure::Mac0 => {
            let m = CoseMac0::from_cbor_value(value)?;
            let params = header::read(&m.protected, &m.unprotected, AlgPlacement::Protected)?;
            if params.alg.operation() != Operation::Mac {
                return Err(Error::AlgorithmKeyMismatch);
            }
            let key = key_for(keys, params.kid.as_ref(), params.alg)?;
            structure::verify_mac0_placed(&m, key, &[], AlgPlacement::Protected)?;
            (params, m.payload.unwrap_or_default())
        }
        Structure::Encrypt0 => {
            let e = CoseEncrypt0::from_cbor_value(value)?;
            let params = header::read(&e.protected, &e.unprotected, AlgPlacement::Protected)?;
            if params.alg.operation() != Operation::Encrypt {
                return Err(Error::AlgorithmKeyMismatch);
            }
            let key = key_for(keys, params.kid.as_ref(), params.alg)?;
            let plaintext = structure::decrypt0_placed(&e, key, &[], AlgPlacement::Protected)?;
            (params, plaintext)
        }
    };
    Ok((
        VerifiedLayer {
            structure,
            alg: params.alg,
            kid: params.kid,
        },
        payload,
    ))
}

/// RFC 8392 §7.2: validate a CWT.
///
/// 1. the input is one well-formed CBOR item (no trailing bytes, no duplicate map keys);
/// 2. an optional CWT tag 61 must be followed by a COSE tag;
/// 3. the COSE tag (18 Sign1, 17 Mac0, 16 Encrypt0) gives the structure; untagged input is
///    recognised by its length and the algorithm of its protected header;
/// 4. headers with `crit` are refused, parameters in both buckets are refused, `alg` must be
///    protected;
/// 5. the key is looked up by kid in `keys` and must fit the algorithm (no algorithm
///    confusion), then the signature, MAC or AEAD is checked;
/// 6. a payload that is itself a tagged COSE object is processed again (at most
///    [`MAX_NESTING`] layers);
/// 7. the final payload must be a Claims Set map with well-typed claims.
///
/// The common ACE shape (one COSE_Encrypt0, registered claims, symmetric or kid `cnf`) is
/// verified in place without CBOR value trees; every other input, and every input that fails
/// there, goes through the general path, which gives the result and the error.
pub fn verify(token: &[u8], keys: &impl KeyStore) -> Result<VerifiedToken, Error> {
    if let Some(verified) = crate::compact_token::verify(token, keys) {
        return Ok(verified);
    }
    verify_general(token, keys)
}

/// [`verify`] for every shape, through `ciborium` values and coset.
pub(crate) fn verify_general(token: &[u8], keys: &impl KeyStore) -> Result<VerifiedToken, Error> {
    let mut value = deterministic::decode(token)?;
    let mut cwt_tagged = false;
    if let Value::Tag(CWT_TAG, inner) = value {
        if !matches!(*inner, Value::Tag(t, _) if Structure::from_tag(t).is_some()) {
            return Err(Error::CwtTagWithoutCoseTag);
        }
        cwt_tagged = true;
        value = *inner;
    }
    let mut layers = Vec::new();
    loop {
        if layers.len() >= MAX_NESTING {
            return Err(Error::NestingTooDeep);
        }
        let (structure, body) = match value {
            Value::Tag(tag, inner) => (
                Structure::from_tag(tag).ok_or(Error::UnsupportedTag(tag))?,
                *inner,
            ),
            Value::Array(items) if layers.is_empty() => {
                (untagged_structure(&items)?, Value::Array(items))
            }
            Value::Map(_) if !layers.is_empty() => break,
            _ if layers.is_empty() => return Err(Error::UnknownStructure),
            _ => return Err(Error::ClaimsNotAMap),
        };
        let (layer, payload) = open_layer(structure, body, keys)?;
        layers.push(layer);
        value = deterministic::decode(&payload)?;
    }
    Ok(VerifiedToken {
        claims: Claims::from_checked(value)?,
        layers: Layers::from_vec(layers),
        cwt_tagged,
    })
}
