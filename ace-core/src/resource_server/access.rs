//! RFC 9200 §5.10.2: the access decision for a request to a protected resource.

use ace_cwt::KeyId;

use super::{Authorization, ResourceServer, ScopeDecision, ScopeMatcher};
use crate::Error;
use crate::env::{Clock, Method};

/// The outcome of an access check.
#[derive(Debug, PartialEq)]
pub enum AccessDecision<'a, S> {
    /// The request is authorized by this token; the application goes on.
    Allow(&'a Authorization<S>),
    /// The request is refused; [`Error::coap_code`] is 4.01, 4.03 or 4.05.
    Deny(Error),
}

impl<K: ace_cwt::KeyStore, M: ScopeMatcher> ResourceServer<K, M> {
    /// RFC 9200 §5.10.2: may the client that proved possession of `key_id` perform `method`
    /// on `path`? `key_id` is `None` when the request did not come with a proof of possession
    /// (unprotected channel): 4.01, like a missing or expired token (§5.2 "Unauthorized
    /// Resource Request"); a token not covering the resource is 4.03, not covering the method
    /// 4.05.
    pub fn access(
        &self,
        key_id: Option<&KeyId>,
        method: Method,
        path: &str,
        clock: &impl Clock,
    ) -> AccessDecision<'_, M::Scope> {
        let Some(token) = key_id.and_then(|k| self.token_for(k, clock)) else {
            return AccessDecision::Deny(Error::NoValidToken);
        };
        let auth = &token.authorization;
        match self.scopes.decide(&auth.scope, method, path) {
            ScopeDecision::Allow => AccessDecision::Allow(auth),
            ScopeDecision::ResourceNotCovered => AccessDecision::Deny(Error::ResourceNotCovered),
            ScopeDecision::MethodNotCovered => AccessDecision::Deny(Error::MethodNotCovered),
        }
    }
}

/// RFC 9200 §5.10.3: what to do with a long-running request (e.g. an Observe registration,
/// RFC 7641) at the time of its next notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongRunningRequest {
    /// The token bound to the key is still valid: send the notification.
    Continue,
    /// The token has expired (or is gone): send 4.01 and terminate the request.
    Terminate,
}

impl<K: ace_cwt::KeyStore, M: ScopeMatcher> ResourceServer<K, M> {
    /// RFC 9200 §5.10.3: "if the access token ... that authorizes a long-running request such
    /// as a CoAP Observe ... expires, the RS MUST send an error response with the response
    /// code equivalent to the CoAP code 4.01 (Unauthorized) to the client and then terminate
    /// processing the long-running request". Call this before each notification with the
    /// key id the observation was registered under; `Err` carries
    /// [`Error::LongRunningRequestExpired`] (4.01) for the final response.
    ///
    /// Only reads state: the caller drops the observation; [`ResourceServer::expunge_expired`]
    /// drops the token.
    pub fn long_running_request(
        &self,
        key_id: &KeyId,
        clock: &impl Clock,
    ) -> Result<LongRunningRequest, Error> {
        match self.token_for(key_id, clock) {
            Some(_) => Ok(LongRunningRequest::Continue),
            None => Err(Error::LongRunningRequestExpired),
        }
    }
}
