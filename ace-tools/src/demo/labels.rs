//! The map-key names `ace demo` prints (RFC 9200 figure style), one table per message: the
//! ACE registries of `ace-core` for the messages, the CWT claims registry for tokens, and
//! RFC 8747 §3.1 / RFC 9052 §7.1 for confirmation and COSE_Key maps nested inside them.

use ace_core::registry::{self, Parameter};
use ace_cwt::claims;
use ciborium::Value;

/// Which message a CBOR map is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// RFC 9200 §5.8.1, §5.8.2, §5.8.3: token request, response or error (Table 5).
    OAuth,
    /// RFC 9200 §5.3 Table 1: AS Request Creation Hints.
    CreationHints,
    /// RFC 8392 §4, RFC 9200 §8.13: a CWT claims set.
    Claims,
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => i64::try_from(i128::from(*i)).ok(),
        _ => None,
    }
}

/// RFC 8392 §3.1, RFC 9200 §8.13 (and RFC 8747 §3.1 `cnf`, RFC 9200 §5.8.1 `scope`).
fn claim_name(key: i64) -> Option<&'static str> {
    Some(match key {
        claims::ISS => "iss",
        claims::SUB => "sub",
        claims::AUD => "aud",
        claims::EXP => "exp",
        claims::NBF => "nbf",
        claims::IAT => "iat",
        claims::CTI => "cti",
        claims::CNF => "cnf",
        claims::SCOPE => "scope",
        claims::ACE_PROFILE => "ace_profile",
        claims::CNONCE => "cnonce",
        claims::EXI => "exi",
        _ => return None,
    })
}

/// RFC 8747 §3.1: the members of a confirmation map.
fn confirmation_name(key: i64) -> Option<&'static str> {
    Some(match key {
        1 => "COSE_Key",
        2 => "Encrypted_COSE_Key",
        3 => "kid",
        _ => return None,
    })
}

/// RFC 9052 §7.1 common COSE_Key parameters; RFC 9053 §7.1, §7.2, §6.1 the key-type ones.
fn cose_key_name(map: &[(Value, Value)], key: i64) -> Option<&'static str> {
    let kty = map
        .iter()
        .find(|(k, _)| int(k) == Some(1))
        .and_then(|(_, v)| int(v));
    Some(match (key, kty) {
        (1, _) => "kty",
        (2, _) => "kid",
        (3, _) => "alg",
        (4, _) => "key_ops",
        (5, _) => "Base IV",
        (-1, Some(4)) => "k",
        (-1, Some(1 | 2)) => "crv",
        (-2, Some(1 | 2)) => "x",
        (-3, Some(2)) => "y",
        (-4, Some(1 | 2)) => "d",
        _ => return None,
    })
}

/// Names a key of `message` at `path` (integer keys of the enclosing maps).
pub fn name(
    message: Message,
    path: &[i128],
    map: &[(Value, Value)],
    key: &Value,
) -> Option<&'static str> {
    let key = int(key)?;
    // The confirmation members that hold a map: cnf (8) in claims and token responses,
    // req_cnf (4) and rs_cnf (41) in token requests and responses.
    let is_cnf = |k: &i128| match message {
        Message::Claims => *k == i128::from(claims::CNF),
        Message::OAuth => [4, 8, 41].contains(k),
        Message::CreationHints => false,
    };
    match path {
        [] => match message {
            Message::OAuth => Parameter::by_key(registry::oauth::ALL, key).map(|p| p.name),
            Message::CreationHints => Parameter::by_key(registry::hints::ALL, key).map(|p| p.name),
            Message::Claims => claim_name(key),
        },
        [c] if is_cnf(c) => confirmation_name(key),
        [c, 1] if is_cnf(c) => cose_key_name(map, key),
        _ => None,
    }
}
