//! CoAP handlers for `/token`, `/introspect` (RFC 9200 §5.8, §5.9) and `/authz-info`
//! (§5.10.1), over the `coap-message` 0.3 traits, so that any CoAP stack implementing them
//! (coap-lite, RIOT, embedded-nal-coap) can route requests here.
//!
//! Each handler checks the request the same way before the engine sees it: POST only (4.05
//! otherwise, RFC 9200 §5.10.1.2 / AS-2 / AS-32), the Content-Format (4.15 otherwise), the
//! payload size (4.13 with Size1, RFC 7959 §4); a payload the engine cannot decode is 4.00
//! with an error map (§5.8.3).

mod reply;

use ace_cwt::KeyId;
use coap_message::{MessageOption, ReadableMessage};
use rand_core::CryptoRng;

use crate::Error;
use crate::as_server::{AuthorizationServer, Policy};
use crate::env::{Clock, Method, ResponseCode};
use crate::message::AceMessage;
use crate::resource_server::{
    AccessDecision, Authorization, AuthzInfoOutcome, PeerId, PendingIntrospection, ResourceServer,
    ScopeMatcher,
};

pub use reply::Reply;

use reply::ACE_CBOR;

/// application/cwt (RFC 8392 §9.3).
const CWT: u16 = 61;
/// application/octet-stream (RFC 9200 §5.10.1 for token formats without their own).
const OCTET_STREAM: u16 = 42;
/// CoAP option Content-Format (RFC 7252 §5.10.3).
const CONTENT_FORMAT: u16 = 12;

/// Limits applied before any parsing (bounded memory; RFC 9200 §5.10.1.2 rate limits are
/// the RS's [`crate::resource_server::RateLimit`], see [`authz_info_from`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted payload in bytes; larger is 4.13.
    pub max_payload: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_payload: 1024 }
    }
}

/// What `/authz-info` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthzInfoReply {
    /// The token was stored (2.01 Created): the channel the client uses with this key id
    /// is now authorized as the token says.
    Stored {
        /// The PoP key id the token is bound to.
        key_id: KeyId,
        /// The response to send.
        reply: Reply,
    },
    /// The token was refused: send this response.
    Done(Reply),
    /// RFC 9200 §5.10.1: introspect first, then call [`ResourceServer::finish_introspection`].
    NeedsIntrospection(PendingIntrospection),
}

/// The common request checks; returns the payload.
fn check_request<'m, M: ReadableMessage>(
    request: &'m M,
    accepted: &[u16],
    limits: Limits,
) -> Result<&'m [u8], Reply> {
    if request.code().into() != Method::Post.code() {
        return Err(Reply::empty(ResponseCode::METHOD_NOT_ALLOWED));
    }
    let mut format = None;
    for option in request.options() {
        if option.number() == CONTENT_FORMAT {
            if format.is_some() {
                // RFC 7252 §5.4.5: Content-Format is not repeatable.
                return Err(Reply::empty(ResponseCode::BAD_REQUEST));
            }
            format = Some(option.value_uint::<u16>());
        }
    }
    match format {
        Some(Some(cf)) if accepted.contains(&cf) => {}
        _ => return Err(Reply::empty(ResponseCode::UNSUPPORTED_CONTENT_FORMAT)),
    }
    let payload = request.payload();
    if payload.len() > limits.max_payload {
        let mut reply = Reply::empty(ResponseCode::REQUEST_ENTITY_TOO_LARGE);
        reply.size1 = u32::try_from(limits.max_payload).ok();
        return Err(reply);
    }
    Ok(payload)
}

/// RFC 9200 §5.8: `/token`. `identity` is the client identity the secure channel
/// authenticated, if any.
pub fn token<P: Policy, M: ReadableMessage>(
    server: &mut AuthorizationServer<P>,
    identity: Option<&str>,
    request: &M,
    limits: Limits,
    clock: &impl Clock,
    rng: &mut impl CryptoRng,
) -> Reply {
    let payload = match check_request(request, &[ACE_CBOR], limits) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    match server.token_request(identity, payload, clock, rng) {
        // §5.8.2: 2.01 Created with the Access Information.
        Ok(response) => Reply::ace_cbor(ResponseCode::CREATED, response.encode()),
        Err(e) => Reply::error(&e),
    }
}

/// RFC 9200 §5.9: `/introspect`. `identity` is the RS identity the secure channel
/// authenticated.
pub fn introspect<P: Policy, M: ReadableMessage>(
    server: &AuthorizationServer<P>,
    identity: Option<&str>,
    request: &M,
    limits: Limits,
    clock: &impl Clock,
) -> Reply {
    let payload = match check_request(request, &[ACE_CBOR], limits) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    match server.introspection_request(identity, payload, clock) {
        // §5.9.2: 2.01 Created.
        Ok(response) => Reply::ace_cbor(ResponseCode::CREATED, response.encode()),
        Err(e) => Reply::error(&e),
    }
}

/// RFC 9200 §5.10.1: `/authz-info`. The Content-Format "MUST reflect the format of the
/// token": application/cwt (61) or application/octet-stream (42).
pub fn authz_info<K: ace_cwt::KeyStore, S: ScopeMatcher, M: ReadableMessage>(
    server: &mut ResourceServer<K, S>,
    request: &M,
    limits: Limits,
    clock: &impl Clock,
) -> AuthzInfoReply {
    let payload = match check_request(request, &[CWT, OCTET_STREAM], limits) {
        Ok(p) => p,
        Err(reply) => return AuthzInfoReply::Done(reply),
    };
    authz_info_outcome(server.post_authz_info(payload, clock))
}

/// RFC 9200 §5.10.1.2: [`authz_info`] for a request from `peer`, rate-limited when the RS
/// has [`crate::resource_server::RsConfig::rate_limit`]: over the limit the reply is 4.29
/// Too Many Requests with Max-Age (RFC 8516 §3), before the payload is even parsed.
pub fn authz_info_from<K: ace_cwt::KeyStore, S: ScopeMatcher, M: ReadableMessage>(
    server: &mut ResourceServer<K, S>,
    peer: &PeerId,
    request: &M,
    limits: Limits,
    clock: &impl Clock,
) -> AuthzInfoReply {
    if let Some(limiter) = server.rate_limiter()
        && let Err(e) = limiter.check(peer, clock.monotonic())
    {
        return AuthzInfoReply::Done(Reply::error(&e));
    }
    let payload = match check_request(request, &[CWT, OCTET_STREAM], limits) {
        Ok(p) => p,
        Err(reply) => return AuthzInfoReply::Done(reply),
    };
    authz_info_outcome(server.post_authz_info_from(peer, payload, clock))
}

/// The reply for an `/authz-info` result (also after introspection).
pub fn authz_info_outcome(result: Result<AuthzInfoOutcome, Error>) -> AuthzInfoReply {
    match result {
        // §5.10.1: 2.01 Created.
        Ok(AuthzInfoOutcome::Stored { key_id, .. }) => AuthzInfoReply::Stored {
            key_id,
            reply: Reply::empty(ResponseCode::CREATED),
        },
        Ok(AuthzInfoOutcome::NeedsIntrospection(p)) => AuthzInfoReply::NeedsIntrospection(p),
        Err(e) => AuthzInfoReply::Done(Reply::error(&e)),
    }
}

/// RFC 9200 §5.2, §5.3, §5.10.2: the access decision for a request to a protected resource,
/// as a CoAP reply when refused: 4.01 with AS Request Creation Hints (application/ace+cbor),
/// 4.03 or 4.05 without payload.
pub fn protected_resource<K: ace_cwt::KeyStore, S: ScopeMatcher>(
    server: &mut ResourceServer<K, S>,
    key_id: Option<&KeyId>,
    method: Method,
    path: &str,
    clock: &impl Clock,
    rng: &mut impl CryptoRng,
) -> Result<Authorization<S::Scope>, Reply> {
    let refusal = match server.access(key_id, method, path, clock) {
        AccessDecision::Allow(auth) => return Ok(auth.clone()),
        AccessDecision::Deny(e) => e,
    };
    if matches!(refusal, Error::NoValidToken) {
        let hints = server.creation_hints(clock, rng);
        return Err(Reply::ace_cbor(ResponseCode::UNAUTHORIZED, hints.encode()));
    }
    Err(Reply::empty(
        ResponseCode::from_u8(refusal.coap_code()).unwrap_or(ResponseCode::FORBIDDEN),
    ))
}
