//! The registries against the RFC tables (digest REG-*), one key table per message, and the
//! label traps of digest §1.6.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::registry::{
    AUTHZ_INFO_RESOURCE_TYPE, AceErrorCode, AceProfile, ContentFormat, GrantType, Parameter,
    TokenType, ValueType, hints, introspect, oauth,
};

fn check(table: &'static [Parameter], expected: &[(&str, i64, ValueType)]) {
    assert_eq!(table.len(), expected.len());
    for (name, key, ty) in expected {
        let p = Parameter::by_name(table, name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!((p.key, p.value_type), (*key, *ty), "{name}");
        assert_eq!(Parameter::by_key(table, *key).unwrap().name, *name);
        assert!(p.section.starts_with("RFC 9"), "{name} cites its section");
    }
}

/// REG-1 … REG-27: RFC 9200 Table 5, RFC 9201 §6, RFC 9203 §9.3.
#[test]
fn oauth_parameters_match_table_5_rfc9201_and_rfc9203() {
    use ValueType::*;
    check(
        oauth::ALL,
        &[
            ("access_token", 1, ByteString),
            ("expires_in", 2, UnsignedInteger),
            ("req_cnf", 4, Map),
            ("audience", 5, TextString),
            ("cnf", 8, Map),
            ("scope", 9, TextOrByteString),
            ("client_id", 24, TextString),
            ("client_secret", 25, ByteString),
            ("response_type", 26, TextString),
            ("redirect_uri", 27, TextString),
            ("state", 28, TextString),
            ("code", 29, ByteString),
            ("error", 30, Integer),
            ("error_description", 31, TextString),
            ("error_uri", 32, TextString),
            ("grant_type", 33, UnsignedInteger),
            ("token_type", 34, Integer),
            ("username", 35, TextString),
            ("password", 36, TextString),
            ("refresh_token", 37, ByteString),
            ("ace_profile", 38, Integer),
            ("cnonce", 39, ByteString),
            ("nonce1", 40, ByteString),
            ("rs_cnf", 41, Map),
            ("nonce2", 42, ByteString),
            ("ace_client_recipientid", 43, ByteString),
            ("ace_server_recipientid", 44, ByteString),
        ],
    );
}

/// REG-30 … REG-48: RFC 9200 Table 6 with RFC 9201 §4 `cnf`.
#[test]
fn introspection_parameters_match_table_6() {
    use ValueType::*;
    check(
        introspect::ALL,
        &[
            ("iss", 1, TextString),
            ("sub", 2, TextString),
            ("aud", 3, TextString),
            ("exp", 4, IntegerOrFloat),
            ("nbf", 5, IntegerOrFloat),
            ("iat", 6, IntegerOrFloat),
            ("cti", 7, ByteString),
            ("cnf", 8, Map),
            ("scope", 9, TextOrByteString),
            ("active", 10, Boolean),
            ("token", 11, ByteString),
            ("client_id", 24, TextString),
            ("error", 30, Integer),
            ("error_description", 31, TextString),
            ("error_uri", 32, TextString),
            ("token_type_hint", 33, TextString),
            ("token_type", 34, Integer),
            ("username", 35, TextString),
            ("ace_profile", 38, Integer),
            ("cnonce", 39, ByteString),
            ("exi", 40, UnsignedInteger),
        ],
    );
}

/// REG-50: RFC 9200 Table 1.
#[test]
fn creation_hints_match_table_1() {
    use ValueType::*;
    check(
        hints::ALL,
        &[
            ("AS", 1, TextString),
            ("kid", 2, ByteString),
            ("audience", 5, TextString),
            ("scope", 9, TextOrByteString),
            ("cnonce", 39, ByteString),
        ],
    );
}

/// Digest §1.6: the same label means different things in different messages.
#[test]
fn labels_are_per_message() {
    // T-2: 40 is exi in an introspection response, nonce1 in the OAuth parameters.
    assert_eq!(Parameter::by_key(introspect::ALL, 40).unwrap().name, "exi");
    assert_eq!(Parameter::by_key(oauth::ALL, 40).unwrap().name, "nonce1");
    // T-3: 41 rs_cnf, 42 nonce2.
    assert_eq!(Parameter::by_key(oauth::ALL, 41).unwrap().name, "rs_cnf");
    assert_eq!(Parameter::by_key(oauth::ALL, 42).unwrap().name, "nonce2");
    // T-5: req_cnf 4 in a request; 4 is exp in introspection.
    assert_eq!(Parameter::by_key(oauth::ALL, 4).unwrap().name, "req_cnf");
    assert_eq!(Parameter::by_key(introspect::ALL, 4).unwrap().name, "exp");
    // T-6 / T-7: 2 and 1.
    assert_eq!(Parameter::by_key(oauth::ALL, 2).unwrap().name, "expires_in");
    assert_eq!(Parameter::by_key(hints::ALL, 2).unwrap().name, "kid");
    assert_eq!(Parameter::by_key(introspect::ALL, 2).unwrap().name, "sub");
    assert_eq!(
        Parameter::by_key(oauth::ALL, 1).unwrap().name,
        "access_token"
    );
    assert_eq!(Parameter::by_key(hints::ALL, 1).unwrap().name, "AS");
    assert_eq!(Parameter::by_key(introspect::ALL, 1).unwrap().name, "iss");
    // T-4: scope is 9 everywhere.
    for t in [oauth::ALL, introspect::ALL, hints::ALL] {
        assert_eq!(Parameter::by_name(t, "scope").unwrap().key, 9);
    }
    // T-10: cnonce 39, cti 7.
    assert_eq!(Parameter::by_name(introspect::ALL, "cti").unwrap().key, 7);
    // No table has a key twice.
    for t in [oauth::ALL, introspect::ALL, hints::ALL] {
        for (i, a) in t.iter().enumerate() {
            assert!(t.iter().skip(i + 1).all(|b| b.key != a.key), "{}", a.name);
        }
    }
}

/// REG-80 … REG-86, AS-23.
#[test]
fn value_registries_match_the_rfcs() {
    let errors = [
        (AceErrorCode::InvalidRequest, 1, "invalid_request"),
        (AceErrorCode::InvalidClient, 2, "invalid_client"),
        (AceErrorCode::InvalidGrant, 3, "invalid_grant"),
        (AceErrorCode::UnauthorizedClient, 4, "unauthorized_client"),
        (
            AceErrorCode::UnsupportedGrantType,
            5,
            "unsupported_grant_type",
        ),
        (AceErrorCode::InvalidScope, 6, "invalid_scope"),
        (AceErrorCode::UnsupportedPopKey, 7, "unsupported_pop_key"),
        (
            AceErrorCode::IncompatibleAceProfiles,
            8,
            "incompatible_ace_profiles",
        ),
    ];
    assert_eq!(AceErrorCode::REGISTERED.len(), errors.len());
    for (code, value, name) in errors {
        assert_eq!(code.value(), value);
        assert_eq!(AceErrorCode::from_value(value), code);
        assert_eq!(code.to_string(), name);
    }
    assert_eq!(AceErrorCode::from_value(9), AceErrorCode::Unregistered(9));

    let grants = [
        (GrantType::Password, 0, "password"),
        (GrantType::AuthorizationCode, 1, "authorization_code"),
        (GrantType::ClientCredentials, 2, "client_credentials"),
        (GrantType::RefreshToken, 3, "refresh_token"),
    ];
    for (g, v, n) in grants {
        assert_eq!(
            (g.value(), GrantType::from_value(v), g.name()),
            (v, g, Some(n))
        );
    }
    assert_eq!(TokenType::Bearer.value(), 1);
    assert_eq!(TokenType::PoP.value(), 2);
    assert_eq!(AceProfile::CoapDtls.value(), 1);
    assert_eq!(AceProfile::CoapOscore.value(), 2);
    assert_eq!(AceProfile::from_value(7).name(), None);
    assert_eq!(ContentFormat::ACE_CBOR, ContentFormat(19));
    assert_eq!(ContentFormat::CWT, ContentFormat(61));
    assert_eq!(ContentFormat::AIF_CBOR, ContentFormat(290));
    assert_eq!(ContentFormat::AIF_JSON, ContentFormat(291));
    assert_eq!(ContentFormat::ACE_CBOR.to_string(), "application/ace+cbor");
    assert_eq!(AUTHZ_INFO_RESOURCE_TYPE, "ace.ai");
}
