//! The CBOR map every ACE message is (RFC 9200 §5.8.5, §5.9.4): strict decoding, deterministic
//! encoding, unknown parameters kept.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use ciborium::Value;

use crate::Error;
use crate::message::Confirmation;
use crate::registry::Parameter;
use crate::scope::Scope;

/// A parameter key: an integer abbreviation (RFC 9200 §5.8.5) or, for parameters without
/// one, the text name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamKey {
    /// A registered CBOR abbreviation.
    Label(i64),
    /// An unabbreviated parameter name.
    Name(String),
}

impl From<i64> for ParamKey {
    fn from(label: i64) -> Self {
        ParamKey::Label(label)
    }
}

impl fmt::Display for ParamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamKey::Label(l) => write!(f, "{l}"),
            ParamKey::Name(n) => write!(f, "{n:?}"),
        }
    }
}

impl ParamKey {
    fn to_value(&self) -> Value {
        match self {
            ParamKey::Label(l) => Value::Integer((*l).into()),
            ParamKey::Name(n) => Value::Text(n.clone()),
        }
    }

    fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::Integer(i) => i64::try_from(i128::from(i))
                .map(ParamKey::Label)
                .map_err(|_| Error::InvalidParameterKey),
            Value::Text(t) => Ok(ParamKey::Name(t)),
            _ => Err(Error::InvalidParameterKey),
        }
    }

    /// RFC 8949 §4.2.1: deterministic order is the bytewise order of the encoded keys.
    fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing a key into a Vec cannot fail.
        let _ = ciborium::into_writer(&self.to_value(), &mut out);
        out
    }
}

/// RFC 8949 §5.6: a map with duplicate keys is not valid CBOR, at any depth (unknown
/// parameters carry arbitrary values). Keys are compared by their encoding, in
/// `O(n log n)` per map; depth is bounded by ciborium's recursion limit.
fn check_nested_maps(value: &Value) -> Result<(), Error> {
    match value {
        Value::Map(pairs) => {
            let mut seen = BTreeSet::new();
            for (k, v) in pairs {
                let mut encoded = Vec::new();
                ciborium::into_writer(k, &mut encoded).map_err(|_| Error::MalformedCbor)?;
                if !seen.insert(encoded) {
                    return Err(Error::DuplicateParameter(alloc::format!("{k:?}")));
                }
                check_nested_maps(k)?;
                check_nested_maps(v)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check_nested_maps),
        Value::Tag(_, inner) => check_nested_maps(inner),
        _ => Ok(()),
    }
}

/// An ordered CBOR map of ACE parameters.
///
/// Decoding is strict: exactly one map, no trailing bytes, no duplicate keys (at any depth),
/// keys are integers or text. Values are kept as received ([`ciborium::Value`]), so a profile's own
/// parameters (RFC 9203's `nonce1`, ...) survive decoding and re-encoding.
///
/// The map remembers the order of its entries. Encoding writes them in that order;
/// [`ParamMap::sort_deterministic`] puts them in RFC 8949 §4.2.1 order, which is what every
/// message built through this crate's API uses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamMap {
    entries: Vec<(ParamKey, Value)>,
}

impl ParamMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Strictly decodes one CBOR map from `bytes`.
    ///
    /// # Errors
    /// [`Error::MalformedCbor`], [`Error::TrailingBytes`], [`Error::NotAMap`],
    /// [`Error::InvalidParameterKey`], [`Error::DuplicateParameter`].
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut rest = bytes;
        let value: Value = ciborium::from_reader(&mut rest).map_err(|_| Error::MalformedCbor)?;
        if !rest.is_empty() {
            return Err(Error::TrailingBytes(rest.len()));
        }
        Self::from_value(value)
    }

    /// Strictly converts a decoded CBOR value (which must be a map).
    ///
    /// # Errors
    /// As [`ParamMap::decode`], without the byte-level errors.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let Value::Map(pairs) = value else {
            return Err(Error::NotAMap);
        };
        let mut map = ParamMap {
            entries: Vec::with_capacity(pairs.len()),
        };
        let mut seen = BTreeSet::new();
        for (k, v) in pairs {
            let key = ParamKey::from_value(k)?;
            if !seen.insert(key.clone()) {
                return Err(Error::DuplicateParameter(alloc::format!("{key}")));
            }
            check_nested_maps(&v)?;
            map.entries.push((key, v));
        }
        Ok(map)
    }

    /// The map as a CBOR value, entries in their current order.
    #[must_use]
    pub fn to_value(&self) -> Value {
        Value::Map(
            self.entries
                .iter()
                .map(|(k, v)| (k.to_value(), v.clone()))
                .collect(),
        )
    }

    /// Encodes the map, entries in their current order.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Serializing a `Value` into a `Vec` has no failure path for the values a ParamMap
        // holds (maps with integer/text keys).
        let _ = ciborium::into_writer(&self.to_value(), &mut out);
        out
    }

    /// Puts the entries in RFC 8949 §4.2.1 deterministic order (bytewise order of the
    /// encoded keys).
    pub fn sort_deterministic(&mut self) {
        self.entries.sort_by_cached_key(|(k, _)| k.encoded());
    }

    /// Whether the entries are in deterministic order.
    #[must_use]
    pub fn is_deterministic(&self) -> bool {
        self.entries
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.0.encoded() < b.0.encoded()))
    }

    /// Whether `key` is present.
    #[must_use]
    pub fn contains(&self, key: &ParamKey) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// The value of `key`.
    #[must_use]
    pub fn get(&self, key: &ParamKey) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key` to `value`, replacing an existing entry in place or appending.
    pub fn insert(&mut self, key: ParamKey, value: Value) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Removes `key` and returns its value.
    pub fn remove(&mut self, key: &ParamKey) -> Option<Value> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&ParamKey, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &ParamKey> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reorders the entries to follow `order` (keys not in `order` go last, in their current
    /// order). Used to reproduce a peer's key order.
    pub(crate) fn reorder(&mut self, order: &[ParamKey]) {
        let position: BTreeMap<&ParamKey, usize> =
            order.iter().enumerate().map(|(i, k)| (k, i)).collect();
        self.entries
            .sort_by_cached_key(|(k, _)| position.get(k).copied().unwrap_or(order.len()));
    }
}

impl IntoIterator for ParamMap {
    type Item = (ParamKey, Value);
    type IntoIter = alloc::vec::IntoIter<(ParamKey, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// The order in which a peer sent a message's keys, when it was not the deterministic one.
///
/// RFC 8949 §4.2.1 deterministic order is what this crate writes; the RFC 9200 figures (and
/// many peers) use other orders. A decoded message remembers its peer's order here so that
/// re-encoding it gives the peer's bytes back; messages built through the API, and messages
/// passed through `into_deterministic()`, have no recorded order and encode
/// deterministically. If the set of parameters changes, the recorded order is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyOrder(Option<Vec<ParamKey>>);

impl KeyOrder {
    /// The order of `map`, recorded only if it is not the deterministic one.
    pub(crate) fn of(map: &ParamMap) -> Self {
        if map.is_deterministic() {
            KeyOrder(None)
        } else {
            KeyOrder(Some(map.keys().cloned().collect()))
        }
    }

    /// Whether a non-deterministic peer order is recorded.
    #[must_use]
    pub fn is_recorded(&self) -> bool {
        self.0.is_some()
    }

    /// Sorts `map` deterministically, then into the recorded order if it has exactly the
    /// recorded keys.
    pub(crate) fn apply(&self, map: &mut ParamMap) {
        map.sort_deterministic();
        if let Some(order) = &self.0
            && order.len() == map.len()
            && order.iter().collect::<BTreeSet<_>>() == map.keys().collect::<BTreeSet<_>>()
        {
            map.reorder(order);
        }
    }
}

fn wrong_type(p: &Parameter) -> Error {
    Error::WrongType {
        parameter: p.name,
        expected: p.value_type.name(),
    }
}

/// Typed access to registered parameters: each `take_*` removes the entry and checks the
/// registry's value type (RFC 9200 Tables 1, 5, 6); what is left are unknown parameters.
impl ParamMap {
    pub(crate) fn take(&mut self, p: &Parameter) -> Option<Value> {
        self.remove(&ParamKey::Label(p.key))
    }

    pub(crate) fn take_bytes(&mut self, p: &Parameter) -> Result<Option<Vec<u8>>, Error> {
        match self.take(p) {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b)),
            Some(_) => Err(wrong_type(p)),
        }
    }

    pub(crate) fn take_text(&mut self, p: &Parameter) -> Result<Option<String>, Error> {
        match self.take(p) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t)),
            Some(_) => Err(wrong_type(p)),
        }
    }

    pub(crate) fn take_uint(&mut self, p: &Parameter) -> Result<Option<u64>, Error> {
        match self.take(p) {
            None => Ok(None),
            Some(Value::Integer(i)) => u64::try_from(i)
                .map(Some)
                .map_err(|_| Error::ValueOutOfRange(p.name)),
            Some(_) => Err(wrong_type(p)),
        }
    }

    pub(crate) fn take_int(&mut self, p: &Parameter) -> Result<Option<i64>, Error> {
        match self.take(p) {
            None => Ok(None),
            Some(Value::Integer(i)) => i64::try_from(i)
                .map(Some)
                .map_err(|_| Error::ValueOutOfRange(p.name)),
            Some(_) => Err(wrong_type(p)),
        }
    }

    pub(crate) fn take_bool(&mut self, p: &Parameter) -> Result<Option<bool>, Error> {
        match self.take(p) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(wrong_type(p)),
        }
    }

    pub(crate) fn take_scope(&mut self, p: &Parameter) -> Result<Option<Scope>, Error> {
        self.take(p).map(Scope::from_cbor_value).transpose()
    }

    pub(crate) fn take_cnf(&mut self, p: &Parameter) -> Result<Option<Confirmation>, Error> {
        match self.take(p) {
            None => Ok(None),
            Some(v @ Value::Map(_)) => Confirmation::from_cbor_value(p.name, v).map(Some),
            Some(_) => Err(wrong_type(p)),
        }
    }

    /// RFC 8392 §2 NumericDate: integer or finite floating-point seconds.
    pub(crate) fn take_date(&mut self, p: &Parameter) -> Result<Option<NumericDate>, Error> {
        match self.take(p) {
            None => Ok(None),
            Some(Value::Integer(i)) => i64::try_from(i)
                .map(|s| Some(NumericDate::WholeSeconds(s)))
                .map_err(|_| Error::ValueOutOfRange(p.name)),
            Some(Value::Float(f)) if f.is_finite() => Ok(Some(NumericDate::FractionalSeconds(f))),
            Some(_) => Err(wrong_type(p)),
        }
    }

    /// Sets a registered parameter when `value` is `Some`.
    pub(crate) fn put(&mut self, p: &Parameter, value: Option<Value>) {
        if let Some(v) = value {
            self.insert(ParamKey::Label(p.key), v);
        }
    }
}

/// RFC 8392 §2 NumericDate (the `exp`, `nbf`, `iat` introspection parameters).
pub use ace_cwt::NumericDate;

/// The CBOR value of a NumericDate.
pub(crate) fn date_value(d: &NumericDate) -> Value {
    match d {
        NumericDate::WholeSeconds(s) => Value::Integer((*s).into()),
        NumericDate::FractionalSeconds(f) => Value::Float(*f),
    }
}
