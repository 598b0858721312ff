//! Property tests: every message type round-trips (value → bytes → equal value), encodes in
//! RFC 8949 §4.2.1 deterministic order, and re-encodes to the same bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::message::{
    Confirmation, NumericDate, ParamKey, ParamMap, ProfileRequest, TokenTypeHint,
};
use ace_core::registry::{AceErrorCode, AceProfile, GrantType, TokenType};
use ace_core::scope::{AifScope, RestMethodSet, Scope, TextScope};
use ace_core::{
    AccessTokenRequest, AccessTokenResponse, AceMessage, CreationHints, ErrorResponse,
    IntrospectionRequest, IntrospectionResponse,
};
use ace_cwt::{Cnf, KeyId, KeyMaterial, PopKey, SymmetricKey};
use ciborium::Value;
use proptest::prelude::*;

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..24)
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,16}"
}

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![
        proptest::collection::vec("[!#-\\[\\]-~]{1,8}", 1..4)
            .prop_map(|t| Scope::Text(TextScope::parse(&t.join(" ")).unwrap())),
        bytes().prop_map(|b| Scope::Binary(b.into())),
        proptest::collection::btree_map("/[a-z]{0,6}", 0u64..128, 0..4).prop_map(|m| {
            let mut aif = AifScope::new();
            for (path, bits) in m {
                aif = aif
                    .allow(
                        &path,
                        RestMethodSet::from_bits(bits | (bits << 32)).unwrap(),
                    )
                    .unwrap();
            }
            Scope::aif(&aif)
        }),
    ]
}

fn confirmation() -> impl Strategy<Value = Confirmation> {
    prop_oneof![
        bytes().prop_map(|b| Confirmation::new(Cnf::Kid(KeyId::from(b))).unwrap()),
        (
            proptest::collection::vec(any::<u8>(), 16..=32),
            proptest::option::of(bytes())
        )
            .prop_map(|(k, kid)| {
                let key = PopKey::new(KeyMaterial::Symmetric(SymmetricKey::new(k).unwrap()))
                    .with_kid(kid.map(KeyId::from));
                Confirmation::new(Cnf::CoseKey(key)).unwrap()
            }),
    ]
}

/// Unknown parameters: labels no registry of this crate uses, and text names; values of
/// several types. Sorted deterministically, as a decoded deterministic message has them.
fn extensions() -> impl Strategy<Value = ParamMap> {
    let key = prop_oneof![
        (1000i64..2000).prop_map(ParamKey::Label),
        (-2000i64..-1000).prop_map(ParamKey::Label),
        "x-[a-z]{1,6}".prop_map(ParamKey::Name),
    ];
    let value = prop_oneof![
        any::<i64>().prop_map(|i| Value::Integer(i.into())),
        bytes().prop_map(Value::Bytes),
        text().prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    proptest::collection::vec((key, value), 0..4).prop_map(|entries| {
        let mut map = ParamMap::new();
        for (k, v) in entries {
            map.insert(k, v);
        }
        map.sort_deterministic();
        map
    })
}

fn date() -> impl Strategy<Value = NumericDate> {
    prop_oneof![
        any::<i64>().prop_map(NumericDate::WholeSeconds),
        (-1.0e12f64..1.0e12).prop_map(NumericDate::FractionalSeconds),
    ]
}

prop_compose! {
    fn token_request()(
        grant_type in proptest::option::of((0u64..6).prop_map(GrantType::from_value)),
        client_id in proptest::option::of(text()),
        client_secret in proptest::option::of(bytes()),
        audience in proptest::option::of(text()),
        scope in proptest::option::of(scope()),
        req_cnf in proptest::option::of(confirmation()),
        ace_profile in proptest::option::of(prop_oneof![
            Just(ProfileRequest::AskAs),
            (-3i64..5).prop_map(|p| ProfileRequest::Profile(AceProfile::from_value(p))),
        ]),
        cnonce in proptest::option::of(bytes()),
        (code, redirect_uri, username, password, refresh_token, state) in (
            proptest::option::of(bytes()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(bytes()),
            proptest::option::of(text()),
        ),
        extensions in extensions(),
    ) -> AccessTokenRequest {
        AccessTokenRequest {
            grant_type, client_id, client_secret, audience, scope, req_cnf, ace_profile,
            cnonce, code, redirect_uri, username, password, refresh_token, state, extensions,
            ..Default::default()
        }
    }
}

prop_compose! {
    fn token_response()(
        access_token in bytes(),
        token_type in proptest::option::of((-2i64..4).prop_map(TokenType::from_value)),
        expires_in in proptest::option::of(any::<u64>()),
        refresh_token in proptest::option::of(bytes()),
        scope in proptest::option::of(scope()),
        state in proptest::option::of(text()),
        ace_profile in proptest::option::of((-3i64..5).prop_map(AceProfile::from_value)),
        cnf in proptest::option::of(confirmation()),
        rs_cnf in proptest::option::of(confirmation()),
        extensions in extensions(),
    ) -> AccessTokenResponse {
        AccessTokenResponse {
            access_token, token_type, expires_in, refresh_token, scope, state, ace_profile,
            cnf, rs_cnf, extensions, ..Default::default()
        }
    }
}

prop_compose! {
    fn error_response()(
        error in (-5i64..12).prop_map(AceErrorCode::from_value),
        error_description in proptest::option::of(text()),
        error_uri in proptest::option::of(text()),
        extensions in extensions(),
    ) -> ErrorResponse {
        let mut e = ErrorResponse::new(error);
        e.error_description = error_description;
        e.error_uri = error_uri;
        e.extensions = extensions;
        e
    }
}

prop_compose! {
    fn creation_hints()(
        as_uri in proptest::option::of(text()),
        kid in proptest::option::of(bytes().prop_map(KeyId::from)),
        audience in proptest::option::of(text()),
        scope in proptest::option::of(scope()),
        cnonce in proptest::option::of(bytes()),
        extensions in extensions(),
    ) -> CreationHints {
        CreationHints { as_uri, kid, audience, scope, cnonce, extensions, ..Default::default() }
    }
}

prop_compose! {
    fn introspection_request()(
        token in bytes(),
        token_type_hint in proptest::option::of(prop_oneof![
            text().prop_map(TokenTypeHint::Text),
            (-2i64..4).prop_map(|t| TokenTypeHint::TokenType(TokenType::from_value(t))),
        ]),
        client_id in proptest::option::of(text()),
        extensions in extensions(),
    ) -> IntrospectionRequest {
        IntrospectionRequest { token, token_type_hint, client_id, extensions, ..Default::default() }
    }
}

prop_compose! {
    fn introspection_response()(
        active in any::<bool>(),
        (iss, sub, aud) in (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
        ),
        (exp, nbf, iat) in (
            proptest::option::of(date()),
            proptest::option::of(date()),
            proptest::option::of(date()),
        ),
        cti in proptest::option::of(bytes()),
        cnf in proptest::option::of(confirmation()),
        scope in proptest::option::of(scope()),
        (client_id, username) in (proptest::option::of(text()), proptest::option::of(text())),
        token_type in proptest::option::of((-2i64..4).prop_map(TokenType::from_value)),
        ace_profile in proptest::option::of((-3i64..5).prop_map(AceProfile::from_value)),
        cnonce in proptest::option::of(bytes()),
        exi in proptest::option::of(any::<u64>()),
        extensions in extensions(),
    ) -> IntrospectionResponse {
        IntrospectionResponse {
            active, iss, sub, aud, exp, nbf, iat, cti, cnf, scope, client_id, token_type,
            username, ace_profile, cnonce, exi, extensions, ..Default::default()
        }
    }
}

/// value → bytes → value is the identity; the bytes are deterministic and stable.
fn check<M: AceMessage + PartialEq + std::fmt::Debug>(msg: &M) -> Result<(), TestCaseError> {
    let bytes = msg.encode();
    let back = M::decode(&bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(&back, msg);
    prop_assert!(ParamMap::decode(&bytes).unwrap().is_deterministic());
    prop_assert_eq!(back.encode(), bytes);
    Ok(())
}

proptest! {
    #[test]
    fn access_token_request_round_trips(m in token_request()) { check(&m)?; }

    #[test]
    fn access_token_response_round_trips(m in token_response()) { check(&m)?; }

    #[test]
    fn error_response_round_trips(m in error_response()) { check(&m)?; }

    #[test]
    fn creation_hints_round_trip(m in creation_hints()) { check(&m)?; }

    #[test]
    fn introspection_request_round_trips(m in introspection_request()) { check(&m)?; }

    #[test]
    fn introspection_response_round_trips(m in introspection_response()) { check(&m)?; }

    /// A peer's key order is reproduced, and dropping it gives deterministic bytes of the
    /// same value.
    #[test]
    fn shuffled_peer_order_is_reproduced(m in token_request(), seed in any::<u64>()) {
        let mut map = ParamMap::decode(&m.encode()).unwrap();
        let mut entries: Vec<_> = map.clone().into_iter().collect();
        // A deterministic shuffle from the seed.
        let n = entries.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            entries.swap(i, j);
        }
        map = ParamMap::new();
        for (k, v) in entries { map.insert(k, v); }
        let shuffled = map.encode();
        let decoded = AccessTokenRequest::decode(&shuffled).unwrap();
        prop_assert_eq!(decoded.encode(), shuffled);
        prop_assert_eq!(decoded.into_deterministic().encode(), m.encode());
    }
}
