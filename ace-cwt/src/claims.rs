//! The CWT Claims Set (RFC 8392 §3, §4) with the claims ACE adds (RFC 8747 §3.1, RFC 9200 §5.8,
//! §5.10, §8.14).

use crate::{Cnf, Error, deterministic};
use alloc::string::String;
use alloc::vec::Vec;
use ciborium::Value;
use coset::AsCborValue;
use coset::cwt::ClaimsSet;

/// RFC 8392 §2 NumericDate: seconds since the epoch, whole or fractional.
pub type NumericDate = coset::cwt::Timestamp;

/// RFC 8392 §3.1.1 `iss`.
pub const ISS: i64 = 1;
/// RFC 8392 §3.1.2 `sub`.
pub const SUB: i64 = 2;
/// RFC 8392 §3.1.3 `aud`.
pub const AUD: i64 = 3;
/// RFC 8392 §3.1.4 `exp`.
pub const EXP: i64 = 4;
/// RFC 8392 §3.1.5 `nbf`.
pub const NBF: i64 = 5;
/// RFC 8392 §3.1.6 `iat`.
pub const IAT: i64 = 6;
/// RFC 8392 §3.1.7 `cti`.
pub const CTI: i64 = 7;
/// RFC 8747 §3.1 `cnf`.
pub const CNF: i64 = 8;
/// RFC 9200 §8.14 (RFC 8693 claim) `scope`.
pub const SCOPE: i64 = 9;
/// RFC 9200 §5.8.4.3, §8.14 `ace_profile`.
pub const ACE_PROFILE: i64 = 38;
/// RFC 9200 §5.10.1.2, §8.14 `cnonce`.
pub const CNONCE: i64 = 39;
/// RFC 9200 §5.10.3, §8.14 `exi`.
pub const EXI: i64 = 40;

/// The key of a claim this crate does not type: RFC 8392 §3 allows integers and text
/// strings, registered or not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClaimKey {
    /// An integer key.
    Int(i64),
    /// A text key.
    Text(String),
}

impl ClaimKey {
    fn from_cbor_value(v: Value) -> Result<Self, Error> {
        match v {
            Value::Text(t) => Ok(ClaimKey::Text(t)),
            Value::Integer(i) => i64::try_from(i)
                .map(ClaimKey::Int)
                .map_err(|_| Error::MalformedCose("claim key out of range".into())),
            _ => Err(Error::MalformedCose(
                "claim key is neither int nor text".into(),
            )),
        }
    }

    fn to_cbor_value(&self) -> Value {
        match self {
            ClaimKey::Int(i) => Value::from(*i),
            ClaimKey::Text(t) => Value::Text(t.clone()),
        }
    }
}

/// A CWT Claims Set with typed ACE claims; claims not listed here are kept in `other`, in the
/// order found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Claims {
    /// RFC 8392 §3.1.1 `iss` (1): issuer.
    pub iss: Option<String>,
    /// RFC 8392 §3.1.2 `sub` (2): subject.
    pub sub: Option<String>,
    /// RFC 8392 §3.1.3 `aud` (3): audience, when it is one string (an array of audiences is
    /// kept in `other`).
    pub aud: Option<String>,
    /// RFC 8392 §3.1.4 `exp` (4): expiration time.
    pub exp: Option<NumericDate>,
    /// RFC 8392 §3.1.5 `nbf` (5): not before.
    pub nbf: Option<NumericDate>,
    /// RFC 8392 §3.1.6 `iat` (6): issued at.
    pub iat: Option<NumericDate>,
    /// RFC 8392 §3.1.7 `cti` (7): CWT ID.
    pub cti: Option<Vec<u8>>,
    /// RFC 9200 §8.14 `scope` (9): a text or byte string (ace-core parses it).
    pub scope: Option<Value>,
    /// RFC 8747 §3.1 `cnf` (8): the proof-of-possession key.
    pub cnf: Option<Cnf>,
    /// RFC 9200 §5.8.4.3 `ace_profile` (38).
    pub ace_profile: Option<i64>,
    /// RFC 9200 §5.10.3 `exi` (40): seconds the token is valid after the RS received it.
    pub exi: Option<u64>,
    /// RFC 9200 §5.10.1.2 `cnonce` (39): the RS's nonce echoed by the AS.
    pub cnonce: Option<Vec<u8>>,
    /// Any other claim, kept for forward compatibility (RFC 8392 §3: unknown claims are not
    /// an error).
    pub other: Vec<(ClaimKey, Value)>,
}

fn text(label: i64, v: Value) -> Result<String, Error> {
    match v {
        Value::Text(t) => Ok(t),
        _ => Err(Error::ClaimType(label)),
    }
}

fn bytes(label: i64, v: Value) -> Result<Vec<u8>, Error> {
    match v {
        Value::Bytes(b) => Ok(b),
        _ => Err(Error::ClaimType(label)),
    }
}

fn date(label: i64, v: Value) -> Result<NumericDate, Error> {
    match v {
        Value::Integer(i) => i64::try_from(i)
            .map(NumericDate::WholeSeconds)
            .map_err(|_| Error::ClaimType(label)),
        Value::Float(f) if f.is_finite() => Ok(NumericDate::FractionalSeconds(f)),
        _ => Err(Error::ClaimType(label)),
    }
}

impl Claims {
    /// RFC 8392 §7.2 step 7: strict decoding of a Claims Set map. Wrong types give
    /// [`Error::ClaimType`] with the claim key; duplicate keys [`Error::DuplicateMapKey`].
    pub fn from_cbor_value(value: Value) -> Result<Self, Error> {
        deterministic::check_no_duplicate_keys(&value)?;
        Claims::from_checked(value)
    }

    /// As [`Claims::from_cbor_value`], for a value already checked for duplicate keys.
    pub(crate) fn from_checked(value: Value) -> Result<Self, Error> {
        let Value::Map(entries) = value else {
            return Err(Error::ClaimsNotAMap);
        };
        let mut c = Claims::default();
        for (key, v) in entries {
            let Some(label) = deterministic::as_i64(&key) else {
                c.other.push((ClaimKey::from_cbor_value(key)?, v));
                continue;
            };
            match label {
                ISS => c.iss = Some(text(label, v)?),
                SUB => c.sub = Some(text(label, v)?),
                AUD => match v {
                    Value::Text(t) => c.aud = Some(t),
                    // RFC 8392 §3.1.3 also allows an array of StringOrURI; ACE uses one
                    // audience, so an array is kept untyped in `other` (an RS comparing `aud`
                    // then finds no match).
                    Value::Array(items) if items.iter().all(|i| matches!(i, Value::Text(_))) => {
                        c.other.push((ClaimKey::Int(AUD), Value::Array(items)))
                    }
                    _ => return Err(Error::ClaimType(AUD)),
                },
                EXP => c.exp = Some(date(label, v)?),
                NBF => c.nbf = Some(date(label, v)?),
                IAT => c.iat = Some(date(label, v)?),
                CTI => c.cti = Some(bytes(label, v)?),
                CNF => c.cnf = Some(Cnf::from_checked(v)?),
                SCOPE => match v {
                    Value::Text(_) | Value::Bytes(_) => c.scope = Some(v),
                    _ => return Err(Error::ClaimType(label)),
                },
                ACE_PROFILE => {
                    c.ace_profile = Some(deterministic::as_i64(&v).ok_or(Error::ClaimType(label))?)
                }
                EXI => {
                    c.exi = Some(match v {
                        Value::Integer(i) => {
                            u64::try_from(i).map_err(|_| Error::ClaimType(label))?
                        }
                        _ => return Err(Error::ClaimType(label)),
                    })
                }
                CNONCE => c.cnonce = Some(bytes(label, v)?),
                _ => c.other.push((ClaimKey::Int(label), v)),
            }
        }
        Ok(c)
    }

    /// The Claims Set as a CBOR map, in deterministic order (RFC 8949 §4.2.1).
    pub fn to_cbor_value(&self) -> Result<Value, Error> {
        let mut m: Vec<(Value, Value)> = Vec::new();
        let mut put = |label: i64, v: Value| m.push((Value::from(label), v));
        if let Some(v) = &self.iss {
            put(ISS, Value::Text(v.clone()));
        }
        if let Some(v) = &self.sub {
            put(SUB, Value::Text(v.clone()));
        }
        if let Some(v) = &self.aud {
            put(AUD, Value::Text(v.clone()));
        }
        for (label, d) in [(EXP, &self.exp), (NBF, &self.nbf), (IAT, &self.iat)] {
            if let Some(d) = d {
                put(label, d.clone().to_cbor_value()?);
            }
        }
        if let Some(v) = &self.cti {
            put(CTI, Value::Bytes(v.clone()));
        }
        if let Some(v) = &self.cnf {
            put(CNF, v.to_cbor_value()?);
        }
        if let Some(v) = &self.scope {
            if !matches!(v, Value::Text(_) | Value::Bytes(_)) {
                return Err(Error::ClaimType(SCOPE));
            }
            put(SCOPE, v.clone());
        }
        if let Some(v) = self.ace_profile {
            put(ACE_PROFILE, Value::from(v));
        }
        if let Some(v) = &self.cnonce {
            put(CNONCE, Value::Bytes(v.clone()));
        }
        if let Some(v) = self.exi {
            put(EXI, Value::from(v));
        }
        for (name, v) in &self.other {
            m.push((name.to_cbor_value(), v.clone()));
        }
        let mut map = Value::Map(m);
        deterministic::check_no_duplicate_keys(&map)?;
        deterministic::canonicalize(&mut map);
        Ok(map)
    }

    /// The Claims Set in deterministic CBOR: the payload of the COSE structure.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        deterministic::encode(self.to_cbor_value()?)
    }

    /// Decode a Claims Set from CBOR bytes (one item, no trailing bytes).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        Claims::from_checked(deterministic::decode(bytes)?)
    }

    /// Convert to coset's `ClaimsSet` (the ACE claims go into its `rest`). coset refuses
    /// integer claim keys that are neither registered nor private-use; such claims make this
    /// conversion fail.
    pub fn to_claims_set(&self) -> Result<ClaimsSet, Error> {
        Ok(ClaimsSet::from_cbor_value(self.to_cbor_value()?)?)
    }

    /// Strict conversion from coset's `ClaimsSet`.
    pub fn from_claims_set(set: ClaimsSet) -> Result<Self, Error> {
        Claims::from_cbor_value(set.to_cbor_value()?)
    }
}
