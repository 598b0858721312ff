//! The whole RFC 9200 flow in one process: client -> RS (4.01 + hints with cnonce) -> AS
//! (token, copying the cnonce) -> RS /authz-info (2.01) -> RS resource (2.05, 4.03, 4.05),
//! with every message crossing the CoAP handlers as coap-lite packets through the client's
//! `Transport`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::RefCell;
use std::rc::Rc;

use ace_core::as_server::{AsConfig, AuthorizationServer, ClientEntry, RsEntry, ScopePolicy};
use ace_core::client::Client;
use ace_core::endpoint::{self, AuthzInfoReply, Limits, Reply};
use ace_core::env::{
    ManualClock, Method, Request, Response, ResponseCode, Transport, TransportError, UnixTime,
};
use ace_core::resource_server::{AifScopes, ResourceServer, RsConfig};
use ace_core::{AceErrorCode, AifScope, Error, RestMethodSet, Scope};
use ace_cwt::{Algorithm, KeyId, KeySet, PopKey, Protection};
use coap_lite::{CoapOption, MessageClass, Packet};
use rand::SeedableRng;
use rand::rngs::StdRng;

type Rs = ResourceServer<KeySet, AifScopes>;

fn to_packet(request: &Request) -> Packet {
    let mut p = Packet::new();
    p.header.code = MessageClass::from(request.method.code());
    if let Some(cf) = request.content_format {
        p.add_option(CoapOption::ContentFormat, vec![cf as u8]);
    }
    p.payload = request.payload.clone();
    p
}

fn to_response(reply: Reply) -> Response {
    Response {
        code: reply.code,
        content_format: reply.content_format,
        payload: reply.payload,
    }
}

/// The AS behind a Transport.
struct AsLink<'a> {
    server: &'a mut AuthorizationServer<ScopePolicy>,
    clock: &'a ManualClock,
    rng: StdRng,
}

impl Transport for AsLink<'_> {
    fn exchange(&mut self, request: &Request) -> Result<Response, TransportError> {
        assert_eq!(request.path, "/token");
        let p = to_packet(request);
        Ok(to_response(endpoint::token(
            self.server,
            None,
            &p,
            Limits::default(),
            self.clock,
            &mut self.rng,
        )))
    }
}

/// The RS behind a Transport; the "channel" binds the uploaded token's key id (the demo's
/// stand-in for a security protocol).
struct RsLink<'a> {
    server: Rc<RefCell<Rs>>,
    bound: Option<KeyId>,
    clock: &'a ManualClock,
    rng: StdRng,
}

impl Transport for RsLink<'_> {
    fn exchange(&mut self, request: &Request) -> Result<Response, TransportError> {
        let p = to_packet(request);
        let mut rs = self.server.borrow_mut();
        let reply = if request.path == "/authz-info" {
            match endpoint::authz_info(&mut rs, &p, Limits::default(), self.clock) {
                AuthzInfoReply::Stored { key_id, reply } => {
                    self.bound = Some(key_id);
                    reply
                }
                AuthzInfoReply::Done(reply) => reply,
                AuthzInfoReply::NeedsIntrospection(_) => panic!("self-contained tokens only"),
            }
        } else {
            match endpoint::protected_resource(
                &mut rs,
                self.bound.as_ref(),
                request.method,
                &request.path,
                self.clock,
                &mut self.rng,
            ) {
                Ok(_) => Reply {
                    code: ResponseCode::CONTENT,
                    content_format: Some(0),
                    size1: None,
                    max_age: None,
                    payload: b"21.5".to_vec(),
                },
                Err(reply) => reply,
            }
        };
        Ok(to_response(reply))
    }
}

fn get(path: &str) -> Request {
    Request {
        method: Method::Get,
        path: path.into(),
        content_format: None,
        payload: Vec::new(),
    }
}

#[test]
fn client_gets_hints_token_uploads_and_reads_within_scope_only() {
    let mut rng = StdRng::seed_from_u64(9200);
    let clock = ManualClock::new(Some(UnixTime::from_secs(1_700_000_000)));
    let token_key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"as-rs")),
        &mut rng,
    )
    .unwrap();
    let scope = AifScope::new()
        .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
        .unwrap();
    let mut server = AuthorizationServer::new(
        AsConfig::new("as"),
        ScopePolicy::new().allow("client", "rs1", Scope::aif(&scope)),
    );
    server.add_client(ClientEntry::with_secret("client", b"secret".to_vec()));
    server.add_resource_server(RsEntry::new(
        "rs1",
        Protection::encrypt0(token_key.clone(), Algorithm::AesCcm16_64_128).unwrap(),
    ));
    let mut config = RsConfig::new("rs1", Some("as".into()));
    config.cnonce = Some((8, 60));
    let rs = Rc::new(RefCell::new(ResourceServer::new(
        config,
        KeySet::new().with(token_key),
        AifScopes::new(),
    )));

    let mut to_as = AsLink {
        server: &mut server,
        clock: &clock,
        rng: StdRng::seed_from_u64(1),
    };
    let mut to_rs = RsLink {
        server: Rc::clone(&rs),
        bound: None,
        clock: &clock,
        rng: StdRng::seed_from_u64(2),
    };
    let mut client = Client::new("client", Some(b"secret".to_vec()));

    // 1. Unauthorized Resource Request: 4.01 with hints (RFC 9200 §5.2, §5.3).
    let r = to_rs.exchange(&get("/temp")).unwrap();
    assert_eq!(r.code, ResponseCode::UNAUTHORIZED);
    let hints = Client::creation_hints(r.code, &r.payload).unwrap();
    assert_eq!(hints.audience.as_deref(), Some("rs1"));
    assert!(hints.cnonce.is_some());

    // 2. Token request built from the hints copies the cnonce (CL-2).
    let request = client.token_request(None, None, Some(&hints), None);
    assert_eq!(request.cnonce, hints.cnonce);
    let token = client
        .request_token(&mut to_as, &request, &clock)
        .unwrap()
        .clone();
    assert!(token.pop_key.is_some(), "symmetric PoP key from cnf");
    assert!(client.token_for("rs1", &clock).is_some());

    // 3. Upload (2.01), 4. access in scope (2.05), 5. outside scope (4.03) and method (4.05).
    Client::upload_token(&mut to_rs, &token).unwrap();
    assert_eq!(rs.borrow().cnonces().unwrap().len(), 0, "cnonce used up");
    assert_eq!(
        to_rs.exchange(&get("/temp")).unwrap().code,
        ResponseCode::CONTENT
    );
    assert_eq!(
        to_rs.exchange(&get("/config")).unwrap().code,
        ResponseCode::FORBIDDEN
    );
    let put = Request {
        method: Method::Put,
        ..get("/temp")
    };
    assert_eq!(
        to_rs.exchange(&put).unwrap().code,
        ResponseCode::METHOD_NOT_ALLOWED
    );

    // Uploading the same token again: its cnonce is spent, 4.01.
    let e = Client::upload_token(&mut to_rs, &token).unwrap_err();
    assert_eq!(e, Error::UnexpectedResponse(0x81));

    // CL-7: once expired the client no longer offers the token.
    clock.advance(3600);
    assert!(client.token_for("rs1", &clock).is_none());
}

#[test]
fn refused_token_request_surfaces_the_ace_error() {
    let mut rng = StdRng::seed_from_u64(3);
    let clock = ManualClock::new(Some(UnixTime::from_secs(1_700_000_000)));
    let key = PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, None, &mut rng).unwrap();
    let mut server = AuthorizationServer::new(AsConfig::new("as"), ScopePolicy::new());
    server.add_client(ClientEntry::with_secret("client", b"secret".to_vec()));
    server.add_resource_server(RsEntry::new(
        "rs1",
        Protection::encrypt0(key, Algorithm::AesCcm16_64_128).unwrap(),
    ));
    let mut to_as = AsLink {
        server: &mut server,
        clock: &clock,
        rng,
    };
    let mut client = Client::new("client", Some(b"wrong".to_vec()));
    let request = client.token_request(Some("rs1"), None, None, None);
    let e = client
        .request_token(&mut to_as, &request, &clock)
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::TokenRequestRefused {
                code: 0x81,
                error: AceErrorCode::InvalidClient,
                ..
            }
        ),
        "{e}"
    );
    assert!(client.token_for("rs1", &clock).is_none());
}

#[test]
fn token_response_without_expiry_is_not_used() {
    let clock = ManualClock::new(Some(UnixTime::from_secs(1)));
    let mut client = Client::new("c", None);
    let payload = ace_core::AceMessage::encode(&ace_core::AccessTokenResponse::new(vec![1, 2]));
    let e = client
        .handle_token_response("rs1", ResponseCode::CREATED, &payload, &clock)
        .unwrap_err();
    assert_eq!(e, Error::NoExpiryInformation);
    let mut client = client.with_default_validity(Some(60));
    client
        .handle_token_response("rs1", ResponseCode::CREATED, &payload, &clock)
        .unwrap();
    assert!(client.token_for("rs1", &clock).is_some());
}
