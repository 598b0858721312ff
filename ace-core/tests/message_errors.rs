//! The crate error's CoAP codes and ACE error codes, case by case, and the §5.8.3 error map.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::message::{ParamKey, ParamMap};
use ace_core::registry::AceErrorCode;
use ace_core::{AceMessage, Error, ErrorResponse};
use ciborium::Value;
use coap_numbers::code;

/// Every variant of the message and scope layer: 4.00 and its ACE error code (RFC 9200
/// §5.8.3: "4.00 (Bad Request) MUST be used for all error responses" of the token endpoint).
#[test]
fn codec_errors_map_to_400_and_one_ace_code() {
    let request_errors = [
        Error::MalformedCbor,
        Error::TrailingBytes(1),
        Error::NotAMap,
        Error::DuplicateParameter("1".into()),
        Error::InvalidParameterKey,
        Error::WrongType {
            parameter: "scope",
            expected: "a text or byte string",
        },
        Error::MissingParameter("token"),
        Error::ValueOutOfRange("expires_in"),
        Error::InvalidConfirmation {
            parameter: "req_cnf",
            reason: "empty".into(),
        },
    ];
    for e in &request_errors {
        assert_eq!(e.coap_code(), code::BAD_REQUEST, "{e:?}");
        assert_eq!(e.ace_error(), Some(AceErrorCode::InvalidRequest), "{e:?}");
    }
    let scope_errors = [
        Error::EmptyScope,
        Error::EmptyScopeToken(0),
        Error::InvalidScopeCharacter(0),
        Error::MalformedAif,
        Error::InvalidAifPath(0),
        Error::InvalidAifMethodSet(0),
        Error::DuplicateAifPath(1),
        Error::ScopeNotAif,
    ];
    for e in &scope_errors {
        assert_eq!(e.coap_code(), code::BAD_REQUEST, "{e:?}");
        assert_eq!(e.ace_error(), Some(AceErrorCode::InvalidScope), "{e:?}");
    }
}

/// RFC 9200 §5.8.3 (AS-20, AS-22): the error payload is a CBOR map with `error` (30) as a
/// Table 3 integer and `error_description` (31).
#[test]
fn to_error_response_builds_the_5_8_3_map() {
    let err = Error::MissingParameter("token");
    let resp = err.to_error_response().unwrap();
    assert_eq!(resp.error, AceErrorCode::InvalidRequest);
    let map = ParamMap::decode(&resp.encode()).unwrap();
    assert_eq!(
        map.get(&ParamKey::Label(30)),
        Some(&Value::Integer(1.into()))
    );
    assert_eq!(
        map.get(&ParamKey::Label(31)),
        Some(&Value::Text("required parameter token is missing".into()))
    );
    assert_eq!(map.len(), 2);
    assert_eq!(resp.coap_code(), code::BAD_REQUEST);

    let scope = Error::EmptyScope.to_error_response().unwrap();
    assert_eq!(
        ParamMap::decode(&scope.encode()).unwrap().get(&30.into()),
        Some(&Value::Integer(6.into()))
    );
}

/// RFC 9200 §5.8.3 (AS-21): 4.00 for all errors except invalid_client, which may be 4.01.
#[test]
fn error_response_codes_follow_5_8_3() {
    for code_ in AceErrorCode::REGISTERED {
        let expected = if *code_ == AceErrorCode::InvalidClient {
            code::UNAUTHORIZED
        } else {
            code::BAD_REQUEST
        };
        assert_eq!(ErrorResponse::new(*code_).coap_code(), expected, "{code_}");
    }
    // AS-24 / AS-25: the RFC 9200 error codes travel as 7 and 8.
    let bytes = ErrorResponse::new(AceErrorCode::UnsupportedPopKey).encode();
    assert_eq!(bytes, [0xa1, 0x18, 0x1e, 0x07]);
    let bytes = ErrorResponse::new(AceErrorCode::IncompatibleAceProfiles).encode();
    assert_eq!(bytes, [0xa1, 0x18, 0x1e, 0x08]);
}
