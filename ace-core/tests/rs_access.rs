//! RFC 9200 §5.10.2: access decisions `(key id, method, path)` -> allow / 4.01 / 4.03 / 4.05,
//! and §5.2/§5.3: the 4.01 carries AS Request Creation Hints.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::endpoint;
use ace_core::env::{ManualClock, Method, ResponseCode, UnixTime};
use ace_core::resource_server::{AccessDecision, AifScopes, ResourceServer, RsConfig};
use ace_core::{AceMessage, AifScope, CreationHints, Error, RestMethodSet, Scope};
use ace_cwt::{Algorithm, Claims, Cnf, KeyId, KeySet, NumericDate, PopKey, Protection};
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_700_000_000;

fn setup() -> (ResourceServer<KeySet, AifScopes>, ManualClock, StdRng) {
    let mut rng = StdRng::seed_from_u64(5102);
    let as_key = PopKey::generate_p256(Some(KeyId::from(b"as")), &mut rng);
    let mut config = RsConfig::new("rs1", None);
    config.as_uri = Some("coap://as.example/token".into());
    let mut rs = ResourceServer::new(
        config,
        KeySet::new().with(as_key.to_public().unwrap()),
        AifScopes::new(),
    );
    let clock = ManualClock::new(Some(UnixTime::from_secs(NOW)));
    let scope = AifScope::new()
        .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
        .unwrap();
    let claims = Claims {
        aud: Some("rs1".into()),
        exp: Some(NumericDate::WholeSeconds((NOW + 60) as i64)),
        scope: Some(Scope::aif(&scope).to_cbor_value()),
        cnf: Some(Cnf::Kid(KeyId::from(b"client"))),
        ..Claims::default()
    };
    let p = Protection::sign1(as_key, Algorithm::Es256).unwrap();
    let token = ace_cwt::issue(&claims, &p, &mut rng).unwrap();
    rs.post_authz_info(&token, &clock).unwrap();
    (rs, clock, rng)
}

fn denied(d: AccessDecision<'_, AifScope>) -> Error {
    match d {
        AccessDecision::Deny(e) => e,
        AccessDecision::Allow(_) => panic!("expected a refusal"),
    }
}

#[test]
fn method_and_path_in_scope_is_allowed() {
    let (rs, clock, _) = setup();
    let kid = KeyId::from(b"client");
    assert!(matches!(
        rs.access(Some(&kid), Method::Get, "/temp", &clock),
        AccessDecision::Allow(_)
    ));
}

#[test]
fn resource_outside_the_scope_is_4_03() {
    let (rs, clock, _) = setup();
    let kid = KeyId::from(b"client");
    let e = denied(rs.access(Some(&kid), Method::Get, "/config", &clock));
    assert_eq!(e, Error::ResourceNotCovered);
    assert_eq!(e.coap_code(), 0x83);
}

#[test]
fn method_outside_the_scope_is_4_05() {
    let (rs, clock, _) = setup();
    let kid = KeyId::from(b"client");
    let e = denied(rs.access(Some(&kid), Method::Put, "/temp", &clock));
    assert_eq!(e, Error::MethodNotCovered);
    assert_eq!(e.coap_code(), 0x85);
}

#[test]
fn no_proof_of_possession_unknown_key_or_expired_token_is_4_01() {
    let (rs, clock, _) = setup();
    let e = denied(rs.access(None, Method::Get, "/temp", &clock));
    assert_eq!(e, Error::NoValidToken);
    assert_eq!(e.coap_code(), 0x81);
    let other = KeyId::from(b"someone-else");
    assert_eq!(
        denied(rs.access(Some(&other), Method::Get, "/temp", &clock)),
        Error::NoValidToken
    );
    clock.advance(60);
    let kid = KeyId::from(b"client");
    assert_eq!(
        denied(rs.access(Some(&kid), Method::Get, "/temp", &clock)),
        Error::NoValidToken
    );
}

#[test]
fn unauthorized_reply_carries_creation_hints() {
    let (mut rs, clock, mut rng) = setup();
    let reply = endpoint::protected_resource(&mut rs, None, Method::Get, "/temp", &clock, &mut rng)
        .unwrap_err();
    assert_eq!(reply.code, ResponseCode::UNAUTHORIZED);
    assert_eq!(reply.content_format, Some(19));
    let hints = CreationHints::decode(&reply.payload).unwrap();
    assert_eq!(hints.as_uri.as_deref(), Some("coap://as.example/token"));
    assert_eq!(hints.audience.as_deref(), Some("rs1"));
    // 4.03 and 4.05 come without payload.
    let kid = KeyId::from(b"client");
    let reply = endpoint::protected_resource(
        &mut rs,
        Some(&kid),
        Method::Delete,
        "/temp",
        &clock,
        &mut rng,
    )
    .unwrap_err();
    assert_eq!(reply.code, ResponseCode::METHOD_NOT_ALLOWED);
    assert!(reply.payload.is_empty());
}

/// RFC 9200 §5.10.3 (RS-40): an Observe registration lives while its token does; once the
/// token expires the RS answers 4.01 and ends it. Asking changes nothing.
#[test]
fn long_running_request_ends_with_4_01_when_its_token_expires() {
    use ace_core::resource_server::LongRunningRequest;
    let (rs, clock, _) = setup();
    let kid = KeyId::from(b"client");
    assert_eq!(
        rs.long_running_request(&kid, &clock),
        Ok(LongRunningRequest::Continue)
    );
    clock.advance(59);
    assert_eq!(
        rs.long_running_request(&kid, &clock),
        Ok(LongRunningRequest::Continue)
    );
    let before = rs.tokens().clone();
    clock.advance(1);
    let err = rs.long_running_request(&kid, &clock).unwrap_err();
    assert_eq!(err, Error::LongRunningRequestExpired);
    assert_eq!(err.coap_code(), 0x81, "4.01 Unauthorized");
    assert_eq!(rs.tokens(), &before, "asking must not change the store");
    // A registration under a key that never had a token is refused the same way.
    clock.set(Some(UnixTime::from_secs(NOW)));
    let err = rs
        .long_running_request(&KeyId::from(b"stranger"), &clock)
        .unwrap_err();
    assert_eq!(err.coap_code(), 0x81);
}
