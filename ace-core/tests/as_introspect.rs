//! RFC 9200 §5.9: the introspection endpoint (AS side) and the RS's sans-IO round trip for
//! reference tokens (§5.10.1: "The RS MAY make an introspection request").

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::as_server::{
    AsConfig, AuthorizationServer, ClientEntry, RsEntry, ScopePolicy, TokenFormat,
};
use ace_core::endpoint::{self, Limits};
use ace_core::env::{ManualClock, Method, ResponseCode, UnixTime};
use ace_core::resource_server::{AifScopes, AuthzInfoOutcome, ResourceServer, RsConfig};
use ace_core::{
    AccessTokenRequest, AceMessage, AifScope, Error, IntrospectionRequest, IntrospectionResponse,
    RestMethodSet, Scope,
};
use ace_cwt::{Algorithm, KeySet, PopKey, Protection};
use coap_lite::{CoapOption, MessageClass, Packet, RequestType};
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_700_000_000;

fn setup() -> (AuthorizationServer<ScopePolicy>, ManualClock, StdRng) {
    let mut rng = StdRng::seed_from_u64(59);
    let key = PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, None, &mut rng).unwrap();
    let scope = Scope::aif(
        &AifScope::new()
            .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
            .unwrap(),
    );
    let policy = ScopePolicy::new()
        .allow("c", "ref-rs", scope.clone())
        .allow("c", "other-rs", scope);
    let mut server = AuthorizationServer::new(AsConfig::new("as.example"), policy);
    server.add_client(ClientEntry::with_secret("c", b"s".to_vec()));
    for (aud, identity) in [("ref-rs", "rs-identity"), ("other-rs", "other-identity")] {
        let mut rs = RsEntry::new(
            aud,
            Protection::encrypt0(key.clone(), Algorithm::AesCcm16_64_128).unwrap(),
        );
        rs.token_format = TokenFormat::Reference;
        rs.introspection_identity = Some(identity.into());
        server.add_resource_server(rs);
    }
    (
        server,
        ManualClock::new(Some(UnixTime::from_secs(NOW))),
        rng,
    )
}

fn issue(
    server: &mut AuthorizationServer<ScopePolicy>,
    clock: &ManualClock,
    rng: &mut StdRng,
) -> Vec<u8> {
    let r = AccessTokenRequest {
        client_id: Some("c".into()),
        client_secret: Some(b"s".to_vec()),
        audience: Some("ref-rs".into()),
        ..AccessTokenRequest::default()
    };
    server.token(None, &r, clock, rng).unwrap().access_token
}

#[test]
fn active_reference_token_is_described_with_cnf() {
    let (mut server, clock, mut rng) = setup();
    let token = issue(&mut server, &clock, &mut rng);
    let resp = server
        .introspect(
            Some("rs-identity"),
            &IntrospectionRequest::new(token),
            &clock,
        )
        .unwrap();
    assert!(resp.active);
    assert_eq!(resp.aud.as_deref(), Some("ref-rs"));
    assert_eq!(resp.iss.as_deref(), Some("as.example"));
    assert!(resp.cnf.is_some(), "AS-34: cnf is REQUIRED for a PoP token");
}

#[test]
fn unknown_or_expired_token_is_inactive_not_an_error() {
    let (mut server, clock, mut rng) = setup();
    let resp = server
        .introspect(
            Some("rs-identity"),
            &IntrospectionRequest::new(vec![1, 2, 3]),
            &clock,
        )
        .unwrap();
    assert_eq!(resp, IntrospectionResponse::inactive());
    let token = issue(&mut server, &clock, &mut rng);
    clock.advance(3600);
    let resp = server
        .introspect(
            Some("rs-identity"),
            &IntrospectionRequest::new(token),
            &clock,
        )
        .unwrap();
    assert!(!resp.active);
}

#[test]
fn unauthenticated_requester_is_4_01_and_other_rs_is_4_03_without_payload() {
    let (mut server, clock, mut rng) = setup();
    let token = issue(&mut server, &clock, &mut rng);
    let req = IntrospectionRequest::new(token);
    for who in [None, Some("stranger")] {
        let e = server.introspect(who, &req, &clock).unwrap_err();
        assert_eq!(e, Error::IntrospectionUnauthenticated);
        assert_eq!(e.coap_code(), 0x81);
    }
    let e = server
        .introspect(Some("other-identity"), &req, &clock)
        .unwrap_err();
    assert_eq!(e, Error::IntrospectionForbidden);
    assert_eq!(e.coap_code(), 0x83);

    // Over CoAP: the 4.03 has no payload (§5.9.3), the 4.01 an error map.
    let mut packet = Packet::new();
    packet.header.code = MessageClass::Request(RequestType::Post);
    packet.add_option(CoapOption::ContentFormat, vec![19]);
    packet.payload = req.encode();
    let reply = endpoint::introspect(
        &server,
        Some("other-identity"),
        &packet,
        Limits::default(),
        &clock,
    );
    assert_eq!(reply.code, ResponseCode::FORBIDDEN);
    assert!(reply.payload.is_empty());
    let reply = endpoint::introspect(&server, None, &packet, Limits::default(), &clock);
    assert_eq!(reply.code, ResponseCode::UNAUTHORIZED);
    assert_eq!(reply.content_format, Some(19));
    let reply = endpoint::introspect(
        &server,
        Some("rs-identity"),
        &packet,
        Limits::default(),
        &clock,
    );
    assert_eq!(reply.code, ResponseCode::CREATED);
    assert!(
        IntrospectionResponse::decode(&reply.payload)
            .unwrap()
            .active
    );
}

#[test]
fn rs_accepts_a_reference_token_after_introspection() {
    let (mut server, clock, mut rng) = setup();
    let token = issue(&mut server, &clock, &mut rng);
    let mut config = RsConfig::new("ref-rs", Some("as.example".into()));
    config.introspect_reference_tokens = true;
    let mut rs = ResourceServer::new(config, KeySet::new(), AifScopes::new());
    let AuthzInfoOutcome::NeedsIntrospection(pending) = rs.post_authz_info(&token, &clock).unwrap()
    else {
        panic!("a reference token needs introspection");
    };
    assert!(
        rs.tokens().is_empty(),
        "nothing stored before the AS answered"
    );
    let answer = server
        .introspect(Some("rs-identity"), &pending.request(), &clock)
        .unwrap()
        .encode();
    let out = rs.finish_introspection(pending, &answer, &clock).unwrap();
    let AuthzInfoOutcome::Stored { key_id, .. } = out else {
        panic!("stored");
    };
    assert!(rs.token_for(&key_id, &clock).is_some());
}

#[test]
fn rs_refuses_inactive_or_unusable_introspection_answers() {
    let (_server, clock, _) = setup();
    let mut config = RsConfig::new("ref-rs", None);
    config.introspect_reference_tokens = true;
    let mut rs = ResourceServer::new(config, KeySet::new(), AifScopes::new());
    let AuthzInfoOutcome::NeedsIntrospection(pending) =
        rs.post_authz_info(b"\x01\x02", &clock).unwrap()
    else {
        panic!("needs introspection");
    };
    let inactive = IntrospectionResponse::inactive().encode();
    let e = rs
        .finish_introspection(pending.clone(), &inactive, &clock)
        .unwrap_err();
    assert_eq!(e, Error::TokenInactive);
    assert_eq!(e.coap_code(), 0x81);
    let e = rs
        .finish_introspection(pending, b"\xff", &clock)
        .unwrap_err();
    assert!(matches!(e, Error::ClaimsUnavailable(_)), "{e}");
    assert_eq!(e.coap_code(), 0x80);
    assert!(rs.tokens().is_empty());
}

#[test]
fn cnonce_in_an_introspection_response_must_be_one_the_rs_gave_out() {
    let (mut server, clock, mut rng) = setup();
    let mut config = RsConfig::new("ref-rs", Some("as.example".into()));
    config.introspect_reference_tokens = true;
    config.cnonce = Some((4, 60));
    let mut rs = ResourceServer::new(config, KeySet::new(), AifScopes::new());
    let hints = rs.creation_hints(&clock, &mut rng);
    let request = AccessTokenRequest {
        client_id: Some("c".into()),
        client_secret: Some(b"s".to_vec()),
        audience: Some("ref-rs".into()),
        cnonce: hints.cnonce.clone(),
        ..AccessTokenRequest::default()
    };
    let token = server
        .token(None, &request, &clock, &mut rng)
        .unwrap()
        .access_token;
    let introspect = |rs: &mut ResourceServer<KeySet, AifScopes>,
                      server: &AuthorizationServer<ScopePolicy>| {
        let AuthzInfoOutcome::NeedsIntrospection(pending) =
            rs.post_authz_info(&token, &clock).unwrap()
        else {
            panic!("needs introspection");
        };
        let answer = server
            .introspect(Some("rs-identity"), &pending.request(), &clock)
            .unwrap();
        assert_eq!(
            answer.cnonce, hints.cnonce,
            "RS-7: the AS reports the token's cnonce"
        );
        rs.finish_introspection(pending, &answer.encode(), &clock)
    };
    assert!(matches!(
        introspect(&mut rs, &server),
        Ok(AuthzInfoOutcome::Stored { .. })
    ));
    // The nonce is used up: the same reference token presented again is refused with 4.01.
    let e = introspect(&mut rs, &server).unwrap_err();
    assert_eq!(e, Error::CnonceNotFresh);
    assert_eq!(e.coap_code(), 0x81);
}
