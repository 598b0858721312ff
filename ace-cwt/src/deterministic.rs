//! Strict CBOR decoding and deterministic CBOR encoding (RFC 8949 §4.2.1, §5.6).

use crate::Error;
use alloc::string::ToString;
use alloc::vec::Vec;
use ciborium::Value;

/// RFC 8949 §4.2.1: sort every map by the bytewise order of its encoded keys, recursively.
pub(crate) fn canonicalize(value: &mut Value) {
    match value {
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                canonicalize(k);
                canonicalize(v);
            }
            entries.sort_by_cached_key(|(k, _)| encode_raw(k).unwrap_or_default());
        }
        Value::Array(items) => items.iter_mut().for_each(canonicalize),
        Value::Tag(_, inner) => canonicalize(inner),
        _ => {}
    }
}

fn encode_raw(value: &Value) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(|e| Error::MalformedCbor(e.to_string()))?;
    Ok(out)
}

/// Encode with RFC 8949 §4.2.1 core deterministic encoding (preferred serialisation is what
/// ciborium writes; map order is fixed here).
pub(crate) fn encode(mut value: Value) -> Result<Vec<u8>, Error> {
    canonicalize(&mut value);
    encode_raw(&value)
}

/// Decode exactly one CBOR item: trailing bytes and duplicate map keys (at any depth) are
/// errors (RFC 8949 §5.6, RFC 8392 §7.2 step 1).
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, Error> {
    let mut reader = bytes;
    let value: Value = ciborium::de::from_reader(&mut reader)
        .map_err(|e| Error::MalformedCbor(alloc::format!("{e:?}")))?;
    if !reader.is_empty() {
        return Err(Error::TrailingBytes);
    }
    check_no_duplicate_keys(&value)?;
    Ok(value)
}

/// RFC 8949 §5.6: a map with the same key twice is not valid CBOR for our purposes.
pub(crate) fn check_no_duplicate_keys(value: &Value) -> Result<(), Error> {
    match value {
        Value::Map(entries) => {
            if !simple_keys_unique(entries)? {
                return Err(Error::DuplicateMapKey);
            }
            for (k, v) in entries {
                check_no_duplicate_keys(k)?;
                check_no_duplicate_keys(v)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check_no_duplicate_keys),
        Value::Tag(_, inner) => check_no_duplicate_keys(inner),
        _ => Ok(()),
    }
}

/// Whether the keys of a map are unique. Integer and text keys (all that COSE and CWT use)
/// are compared directly; other keys by their encoding.
fn simple_keys_unique(entries: &[(Value, Value)]) -> Result<bool, Error> {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Key<'a> {
        Int(i128),
        Text(&'a str),
        Encoded(Vec<u8>),
    }
    if entries.len() < 2 {
        return Ok(true);
    }
    if entries.len() <= 16
        && entries
            .iter()
            .all(|(k, _)| matches!(k, Value::Integer(_) | Value::Text(_)))
    {
        // Small maps of int/text keys (every COSE header, COSE_Key and claims set seen in
        // practice): compare pairwise, without allocating.
        for (i, (a, _)) in entries.iter().enumerate() {
            if entries.iter().skip(i + 1).any(|(b, _)| a == b) {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let mut keys = entries
        .iter()
        .map(|(k, _)| match k {
            Value::Integer(i) => Ok(Key::Int(i128::from(*i))),
            Value::Text(t) => Ok(Key::Text(t)),
            other => encode_raw(other).map(Key::Encoded),
        })
        .collect::<Result<Vec<_>, _>>()?;
    keys.sort_unstable();
    Ok(!keys.windows(2).any(|w| w.first() == w.get(1)))
}

/// Read a CBOR integer as `i64` (`None` if it is not an integer or out of range).
pub(crate) fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Integer(i) => i64::try_from(*i).ok(),
        _ => None,
    }
}
