//! The CoAP handlers over coap-message (here with coap-lite packets): POST only (4.05),
//! Content-Format (4.15), payload size (4.13 with Size1), malformed payloads (4.00 with an
//! error map), success codes and Content-Formats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::as_server::{AsConfig, AuthorizationServer, ClientEntry, RsEntry, ScopePolicy};
use ace_core::endpoint::{self, AuthzInfoReply, Limits, Reply};
use ace_core::env::{ManualClock, Method, ResponseCode, UnixTime};
use ace_core::resource_server::{AifScopes, ResourceServer, RsConfig};
use ace_core::scope::ScopeDictionary;
use ace_core::{
    AccessTokenRequest, AccessTokenResponse, AceErrorCode, AceMessage, AifScope, ErrorResponse,
    RestMethodSet, Scope, TextScope,
};
use ace_cwt::{Algorithm, KeySet, PopKey, Protection};
use coap_lite::{CoapOption, MessageClass, Packet, RequestType};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn packet(method: RequestType, content_format: Option<&[u8]>, payload: &[u8]) -> Packet {
    let mut p = Packet::new();
    p.header.code = MessageClass::Request(method);
    if let Some(cf) = content_format {
        p.add_option(CoapOption::ContentFormat, cf.to_vec());
    }
    p.payload = payload.to_vec();
    p
}

struct Setup {
    server: AuthorizationServer<ScopePolicy>,
    rs: ResourceServer<KeySet, AifScopes>,
    clock: ManualClock,
    rng: StdRng,
    key: PopKey,
}

fn setup() -> Setup {
    let mut rng = StdRng::seed_from_u64(7252);
    let key = PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, None, &mut rng).unwrap();
    let policy =
        ScopePolicy::new().allow("c", "rs1", Scope::Text(TextScope::parse("read").unwrap()));
    let mut server = AuthorizationServer::new(AsConfig::new("as"), policy);
    server.add_client(ClientEntry::with_secret("c", b"s".to_vec()));
    server.add_resource_server(RsEntry::new(
        "rs1",
        Protection::encrypt0(key.clone(), Algorithm::AesCcm16_64_128).unwrap(),
    ));
    let rs = ResourceServer::new(
        RsConfig::new("rs1", Some("as".into())),
        KeySet::new().with(key.clone()),
        AifScopes::new(),
    );
    Setup {
        key,
        server,
        rs,
        clock: ManualClock::new(Some(UnixTime::from_secs(1_700_000_000))),
        rng,
    }
}

fn token_request() -> Vec<u8> {
    AccessTokenRequest {
        client_id: Some("c".into()),
        client_secret: Some(b"s".to_vec()),
        audience: Some("rs1".into()),
        ..AccessTokenRequest::default()
    }
    .encode()
}

fn token(s: &mut Setup, p: &Packet) -> Reply {
    endpoint::token(
        &mut s.server,
        None,
        p,
        Limits::default(),
        &s.clock,
        &mut s.rng,
    )
}

#[test]
fn token_endpoint_answers_2_01_with_ace_cbor() {
    let mut s = setup();
    let reply = token(
        &mut s,
        &packet(RequestType::Post, Some(&[19]), &token_request()),
    );
    assert_eq!(reply.code, ResponseCode::CREATED);
    assert_eq!(reply.content_format, Some(19));
    AccessTokenResponse::decode(&reply.payload).unwrap();
    // And the reply lands in a coap-lite response through MutableWritableMessage.
    let mut response = Packet::new();
    reply.write(&mut response).unwrap();
    assert_eq!(u8::from(response.header.code), 0x41);
    assert_eq!(
        response.get_first_option(CoapOption::ContentFormat),
        Some(&vec![19])
    );
    assert_eq!(response.payload, reply.payload);
}

#[test]
fn methods_other_than_post_are_4_05_everywhere() {
    let mut s = setup();
    for m in [RequestType::Get, RequestType::Put, RequestType::Delete] {
        let p = packet(m, Some(&[19]), &token_request());
        assert_eq!(token(&mut s, &p).code, ResponseCode::METHOD_NOT_ALLOWED);
        let r = endpoint::introspect(&s.server, Some("x"), &p, Limits::default(), &s.clock);
        assert_eq!(r.code, ResponseCode::METHOD_NOT_ALLOWED);
        let p = packet(m, Some(&[61]), b"");
        let r = endpoint::authz_info(&mut s.rs, &p, Limits::default(), &s.clock);
        assert_eq!(
            r,
            AuthzInfoReply::Done(Reply::empty(ResponseCode::METHOD_NOT_ALLOWED))
        );
    }
}

#[test]
fn wrong_or_missing_content_format_is_4_15() {
    let mut s = setup();
    for cf in [None, Some(&[0u8][..]), Some(&[50u8][..]), Some(&[61u8][..])] {
        let r = token(&mut s, &packet(RequestType::Post, cf, &token_request()));
        assert_eq!(r.code, ResponseCode::UNSUPPORTED_CONTENT_FORMAT);
    }
    // /authz-info takes application/cwt (61) or octet-stream (42), not ace+cbor.
    let r = endpoint::authz_info(
        &mut s.rs,
        &packet(RequestType::Post, Some(&[19]), b"x"),
        Limits::default(),
        &s.clock,
    );
    assert_eq!(
        r,
        AuthzInfoReply::Done(Reply::empty(ResponseCode::UNSUPPORTED_CONTENT_FORMAT))
    );
}

#[test]
fn oversize_payload_is_4_13_with_size1() {
    let mut s = setup();
    let limits = Limits { max_payload: 16 };
    let p = packet(RequestType::Post, Some(&[19]), &[0xa0; 17]);
    let r = endpoint::token(&mut s.server, None, &p, limits, &s.clock, &mut s.rng);
    assert_eq!(r.code, ResponseCode::REQUEST_ENTITY_TOO_LARGE);
    assert_eq!(r.size1, Some(16));
    let mut response = Packet::new();
    r.write(&mut response).unwrap();
    assert_eq!(
        response.get_first_option(CoapOption::Size1),
        Some(&vec![16])
    );
}

#[test]
fn malformed_payload_is_4_00_with_an_error_map() {
    let mut s = setup();
    for bad in [&b"\xff"[..], b"\xa1\x01", b"\x80", b"\xa0\x00"] {
        let r = token(&mut s, &packet(RequestType::Post, Some(&[19]), bad));
        assert_eq!(r.code, ResponseCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(r.content_format, Some(19));
        let e = ErrorResponse::decode(&r.payload).unwrap();
        assert_eq!(e.error, AceErrorCode::InvalidRequest);
    }
    let r = endpoint::authz_info(
        &mut s.rs,
        &packet(RequestType::Post, Some(&[61]), b"\xff"),
        Limits::default(),
        &s.clock,
    );
    let AuthzInfoReply::Done(r) = r else {
        panic!("refused")
    };
    assert_eq!(r.code, ResponseCode::BAD_REQUEST);
    assert_eq!(
        ErrorResponse::decode(&r.payload).unwrap().error,
        AceErrorCode::InvalidRequest
    );
}

#[test]
fn token_errors_carry_their_ace_code_in_the_map() {
    let mut s = setup();
    let mut req = AccessTokenRequest::decode(&token_request()).unwrap();
    req.client_secret = Some(b"wrong".to_vec());
    let r = token(
        &mut s,
        &packet(RequestType::Post, Some(&[19]), &req.encode()),
    );
    assert_eq!(r.code, ResponseCode::UNAUTHORIZED);
    assert_eq!(
        ErrorResponse::decode(&r.payload).unwrap().error,
        AceErrorCode::InvalidClient
    );
}

#[test]
fn uploaded_token_is_2_01_and_bound_to_its_key() {
    let mut s = setup();
    let reply = token(
        &mut s,
        &packet(RequestType::Post, Some(&[19]), &token_request()),
    );
    let resp = AccessTokenResponse::decode(&reply.payload).unwrap();
    let upload = |cf: u8| packet(RequestType::Post, Some(&[cf]), &resp.access_token);
    // The scope "read" is a text scope this AIF-only RS does not recognize: 4.00.
    let r = endpoint::authz_info(&mut s.rs, &upload(61), Limits::default(), &s.clock);
    let AuthzInfoReply::Done(r) = r else {
        panic!("refused")
    };
    assert_eq!(r.code, ResponseCode::BAD_REQUEST);
    // With a dictionary for "read" the same token is accepted (2.01, no payload).
    let dict = ScopeDictionary::new().define(
        "read",
        AifScope::new()
            .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
            .unwrap(),
    );
    let mut rs = ResourceServer::new(
        RsConfig::new("rs1", Some("as".into())),
        KeySet::new().with(s.key.clone()),
        AifScopes::with_dictionary(dict.clone()),
    );
    let r = endpoint::authz_info(&mut rs, &upload(42), Limits::default(), &s.clock);
    let AuthzInfoReply::Stored { key_id, reply } = r else {
        panic!("stored")
    };
    assert_eq!(reply, Reply::empty(ResponseCode::CREATED));
    assert!(rs.token_for(&key_id, &s.clock).is_some());
    // An RS without the AS's key: the AS has no right to issue for it, 4.01.
    let mut rs = ResourceServer::new(
        RsConfig::new("rs1", Some("as".into())),
        KeySet::new(),
        AifScopes::with_dictionary(dict),
    );
    let r = endpoint::authz_info(&mut rs, &upload(61), Limits::default(), &s.clock);
    let AuthzInfoReply::Done(r) = r else {
        panic!("refused")
    };
    assert_eq!(r.code, ResponseCode::UNAUTHORIZED);
}
