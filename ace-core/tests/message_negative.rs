//! The negative catalogue of the message codec: each malformed input gets its specific error
//! (with its CoAP code and ACE error code); unknown parameters are kept.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::message::{ParamKey, ParamMap};
use ace_core::registry::AceErrorCode;
use ace_core::{
    AccessTokenRequest, AccessTokenResponse, AceMessage, CreationHints, Error, ErrorResponse,
    IntrospectionRequest, IntrospectionResponse,
};
use ciborium::Value;

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

fn map(entries: Vec<(Value, Value)>) -> Vec<u8> {
    cbor(&Value::Map(entries))
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

/// Every decoder, so each malformed input is tried against all of them.
fn decode_all(bytes: &[u8]) -> Vec<Result<(), Error>> {
    vec![
        AccessTokenRequest::decode(bytes).map(drop),
        AccessTokenResponse::decode(bytes).map(drop),
        ErrorResponse::decode(bytes).map(drop),
        CreationHints::decode(bytes).map(drop),
        IntrospectionRequest::decode(bytes).map(drop),
        IntrospectionResponse::decode(bytes).map(drop),
    ]
}

/// One message decoder, result reduced to success or the error.
type Decoder = fn(&[u8]) -> Result<(), Error>;

fn all_fail_with(bytes: &[u8], expected: &Error) {
    for r in decode_all(bytes) {
        assert_eq!(r.as_ref().unwrap_err(), expected);
        assert_eq!(expected.coap_code(), coap_numbers::code::BAD_REQUEST);
        assert_eq!(expected.ace_error(), Some(AceErrorCode::InvalidRequest));
    }
}

#[test]
fn truncated_cbor_is_malformed() {
    // a2 (map of 2) with only one entry.
    all_fail_with(
        &hex::decode("a2 0b 41 00".replace(' ', "")).unwrap(),
        &Error::MalformedCbor,
    );
    all_fail_with(&[], &Error::MalformedCbor);
    // 0x1c is a reserved additional-information value.
    all_fail_with(&[0x1c], &Error::MalformedCbor);
}

#[test]
fn trailing_bytes_after_the_map_are_refused() {
    let mut bytes = map(vec![(int(11), Value::Bytes(vec![1]))]);
    bytes.extend_from_slice(&[0x00, 0x00]);
    all_fail_with(&bytes, &Error::TrailingBytes(2));
}

#[test]
fn non_map_payloads_are_refused() {
    for v in [
        Value::Array(vec![int(1)]),
        Value::Bytes(vec![1, 2]),
        Value::Text("token".into()),
        int(19),
        Value::Null,
    ] {
        all_fail_with(&cbor(&v), &Error::NotAMap);
    }
}

#[test]
fn duplicate_keys_are_refused() {
    let bytes = map(vec![
        (int(11), Value::Bytes(vec![1])),
        (int(11), Value::Bytes(vec![2])),
    ]);
    all_fail_with(&bytes, &Error::DuplicateParameter("11".into()));
    // Also for unknown parameters and text keys.
    let bytes = map(vec![
        (Value::Text("x".into()), int(1)),
        (Value::Text("x".into()), int(1)),
    ]);
    all_fail_with(&bytes, &Error::DuplicateParameter("\"x\"".into()));
}

#[test]
fn keys_that_are_neither_integer_nor_text_are_refused() {
    for key in [
        Value::Bytes(vec![1]),
        Value::Float(1.0),
        Value::Bool(true),
        Value::Array(vec![]),
        // Larger than any i64.
        Value::Integer(u64::MAX.into()),
    ] {
        all_fail_with(&map(vec![(key, int(1))]), &Error::InvalidParameterKey);
    }
}

#[test]
fn registered_parameters_of_the_wrong_type_are_refused() {
    let cases: Vec<(Vec<u8>, Decoder, &str, &str)> = vec![
        (
            map(vec![(int(1), Value::Text("tok".into()))]),
            |b| AccessTokenResponse::decode(b).map(drop),
            "access_token",
            "a byte string",
        ),
        (
            map(vec![(int(24), Value::Bytes(b"me".to_vec()))]),
            |b| AccessTokenRequest::decode(b).map(drop),
            "client_id",
            "a text string",
        ),
        (
            map(vec![(int(33), Value::Text("client_credentials".into()))]),
            |b| AccessTokenRequest::decode(b).map(drop),
            "grant_type",
            "an unsigned integer",
        ),
        (
            map(vec![(int(30), Value::Text("invalid_request".into()))]),
            |b| ErrorResponse::decode(b).map(drop),
            "error",
            "an integer",
        ),
        (
            map(vec![(int(2), Value::Text("kid".into()))]),
            |b| CreationHints::decode(b).map(drop),
            "kid",
            "a byte string",
        ),
        (
            map(vec![(int(10), int(1))]),
            |b| IntrospectionResponse::decode(b).map(drop),
            "active",
            "true or false",
        ),
        (
            // Label trap T-2: 40 is exi (uint) in an introspection response.
            map(vec![
                (int(10), Value::Bool(true)),
                (int(40), Value::Bytes(vec![1])),
            ]),
            |b| IntrospectionResponse::decode(b).map(drop),
            "exi",
            "an unsigned integer",
        ),
        (
            map(vec![
                (int(10), Value::Bool(true)),
                (int(4), Value::Text("soon".into())),
            ]),
            |b| IntrospectionResponse::decode(b).map(drop),
            "exp",
            "an integer or a floating-point number",
        ),
        (
            map(vec![(int(9), int(3))]),
            |b| AccessTokenRequest::decode(b).map(drop),
            "scope",
            "a text or byte string",
        ),
        (
            // A tagged byte string is not a byte string.
            map(vec![(
                int(11),
                Value::Tag(24, Box::new(Value::Bytes(vec![1]))),
            )]),
            |b| IntrospectionRequest::decode(b).map(drop),
            "token",
            "a byte string",
        ),
        (
            map(vec![(int(4), Value::Bytes(vec![1]))]),
            |b| AccessTokenRequest::decode(b).map(drop),
            "req_cnf",
            "a map",
        ),
    ];
    for (bytes, decode, parameter, expected) in cases {
        let err = decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            Error::WrongType {
                parameter,
                expected
            },
            "{parameter}"
        );
        assert_eq!(err.coap_code(), coap_numbers::code::BAD_REQUEST);
        assert_eq!(err.ace_error(), Some(AceErrorCode::InvalidRequest));
    }
}

#[test]
fn integers_out_of_range_are_refused() {
    let bytes = map(vec![(int(1), Value::Bytes(vec![1])), (int(2), int(-1))]);
    assert_eq!(
        AccessTokenResponse::decode(&bytes).unwrap_err(),
        Error::ValueOutOfRange("expires_in")
    );
    let bytes = map(vec![(int(33), int(-3))]);
    assert_eq!(
        AccessTokenRequest::decode(&bytes).unwrap_err(),
        Error::ValueOutOfRange("grant_type")
    );
    let bytes = map(vec![(int(30), Value::Integer(u64::MAX.into()))]);
    assert_eq!(
        ErrorResponse::decode(&bytes).unwrap_err(),
        Error::ValueOutOfRange("error")
    );
}

#[test]
fn required_parameters_must_be_present() {
    let empty = map(vec![]);
    assert_eq!(
        AccessTokenResponse::decode(&empty).unwrap_err(),
        Error::MissingParameter("access_token")
    );
    assert_eq!(
        ErrorResponse::decode(&empty).unwrap_err(),
        Error::MissingParameter("error")
    );
    assert_eq!(
        IntrospectionRequest::decode(&empty).unwrap_err(),
        Error::MissingParameter("token")
    );
    assert_eq!(
        IntrospectionResponse::decode(&empty).unwrap_err(),
        Error::MissingParameter("active")
    );
    // Everything in a token request and in the hints is optional.
    assert!(AccessTokenRequest::decode(&empty).is_ok());
    assert!(CreationHints::decode(&empty).is_ok());
}

#[test]
fn malformed_scopes_are_invalid_scope() {
    let bytes = map(vec![(int(9), Value::Text("read  write".into()))]);
    let err = AccessTokenRequest::decode(&bytes).unwrap_err();
    assert_eq!(err, Error::EmptyScopeToken(5));
    assert_eq!(err.ace_error(), Some(AceErrorCode::InvalidScope));
    assert_eq!(err.coap_code(), coap_numbers::code::BAD_REQUEST);
    let bytes = map(vec![(int(9), Value::Text(String::new()))]);
    assert_eq!(
        CreationHints::decode(&bytes).unwrap_err(),
        Error::EmptyScope
    );
}

#[test]
fn invalid_confirmations_are_refused() {
    // RFC 8747 §3.1: an empty cnf map holds no key.
    let bytes = map(vec![(int(4), Value::Map(vec![]))]);
    let err = AccessTokenRequest::decode(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidConfirmation {
                parameter: "req_cnf",
                ..
            }
        ),
        "{err:?}"
    );
    // A COSE_Key with an unknown key type.
    let bytes = map(vec![
        (int(1), Value::Bytes(vec![1])),
        (
            int(8),
            Value::Map(vec![(int(1), Value::Map(vec![(int(1), int(99))]))]),
        ),
    ]);
    let err = AccessTokenResponse::decode(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidConfirmation {
                parameter: "cnf",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.ace_error(), Some(AceErrorCode::InvalidRequest));
}

/// RFC 8949 allows indefinite lengths and RFC 9200 does not forbid them: an indefinite map
/// or string decodes to the same message as the definite form (and re-encodes definite).
#[test]
fn indefinite_lengths_are_accepted_and_reencoded_definite() {
    // {_ 11: (_ h'01', h'02'), 24: (_ "Fr", "ont") }
    let indefinite = hex::decode("bf0b5f41014102ff18187f624672636f6e74ffff").unwrap();
    let req = IntrospectionRequest::decode(&indefinite).unwrap();
    assert_eq!(req.token, vec![1, 2]);
    assert_eq!(req.client_id.as_deref(), Some("Front"));
    let definite = map(vec![
        (int(11), Value::Bytes(vec![1, 2])),
        (int(24), Value::Text("Front".into())),
    ]);
    assert_eq!(req.encode(), definite);
}

/// Deeply nested unknown values end in a clear error, not a stack overflow.
#[test]
fn deep_nesting_is_refused_not_crashing() {
    let mut bytes = vec![0xa1, 0x19, 0x03, 0xe8];
    bytes.extend(std::iter::repeat_n(0x81, 10_000));
    bytes.push(0x00);
    all_fail_with(&bytes, &Error::MalformedCbor);
}

/// Unknown parameters are kept and written back: RFC 9203's nonce1 (40) and
/// ace_client_recipientid (43) in a profile's token request, and a text-keyed one.
#[test]
fn unknown_parameters_are_kept_and_reencoded() {
    let bytes = map(vec![
        (int(24), Value::Text("me".into())),
        (int(40), Value::Bytes(vec![0x01, 0x8a])),
        (int(43), Value::Bytes(vec![0x00])),
        (
            Value::Text("x-app".into()),
            Value::Array(vec![int(1), Value::Null]),
        ),
    ]);
    let req = AccessTokenRequest::decode(&bytes).unwrap();
    assert_eq!(req.client_id.as_deref(), Some("me"));
    assert_eq!(req.extensions.len(), 3);
    assert_eq!(
        req.extensions.get(&ParamKey::Label(40)),
        Some(&Value::Bytes(vec![0x01, 0x8a]))
    );
    assert_eq!(
        req.extensions.get(&ParamKey::Name("x-app".into())),
        Some(&Value::Array(vec![int(1), Value::Null]))
    );
    assert_eq!(req.encode(), bytes);
}

/// A typed field wins over an extension entry with the same key: no duplicate key is ever
/// written.
#[test]
fn extensions_cannot_duplicate_a_typed_parameter() {
    let mut req = AccessTokenRequest {
        client_id: Some("typed".into()),
        ..Default::default()
    };
    req.extensions
        .insert(24.into(), Value::Text("shadow".into()));
    let bytes = req.encode();
    let back = ParamMap::decode(&bytes).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back.get(&24.into()), Some(&Value::Text("typed".into())));
}

#[test]
fn unregistered_codes_are_kept() {
    let bytes = map(vec![(int(30), int(42))]);
    let resp = ErrorResponse::decode(&bytes).unwrap();
    assert_eq!(resp.error, AceErrorCode::Unregistered(42));
    assert_eq!(resp.encode(), bytes);
}

/// RFC 8949 §5.6: duplicate keys are refused inside unknown parameters too.
#[test]
fn duplicate_keys_inside_unknown_values_are_refused() {
    let nested = Value::Map(vec![(int(1), int(1)), (int(1), int(2))]);
    let bytes = map(vec![(int(1000), Value::Array(vec![nested]))]);
    for r in decode_all(&bytes) {
        assert!(matches!(r, Err(Error::DuplicateParameter(_))), "{r:?}");
    }
}

/// Many parameters are checked for duplicates in O(n log n): a 20 000-entry map of unknown
/// parameters decodes and re-encodes.
#[test]
fn large_maps_decode_without_quadratic_work() {
    let entries: Vec<(Value, Value)> = (0..20_000).map(|i| (int(1000 + i), Value::Null)).collect();
    let bytes = map(entries);
    let req = AccessTokenRequest::decode(&bytes).unwrap();
    assert_eq!(req.extensions.len(), 20_000);
    assert_eq!(req.encode(), bytes);
}
