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
