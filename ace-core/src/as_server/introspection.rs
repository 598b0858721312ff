//! RFC 9200 §5.9: the introspection endpoint, for the reference tokens this AS issued.
//!
//! Self-contained tokens are verified by the RS itself (§5.10.1.1); asked about one, this AS
//! answers `active: false` since it keeps no record of them (§5.9.3: an unknown token is
//! not an error).

use ace_cwt::Claims;

use super::{AuthorizationServer, Policy};
use crate::env::Clock;
use crate::message::{AceMessage, Confirmation, IntrospectionRequest, IntrospectionResponse};
use crate::scope::Scope;
use crate::{AceProfile, Error};

impl<P: Policy> AuthorizationServer<P> {
    /// RFC 9200 §5.9: handles the payload of a POST to `/introspect`. `requester` is the
    /// identity the secure channel authenticated (AS-30: mutual authentication).
    pub fn introspection_request(
        &self,
        requester: Option<&str>,
        payload: &[u8],
        clock: &impl Clock,
    ) -> Result<IntrospectionResponse, Error> {
        // §5.9.3: the requester is authenticated before its request is looked at.
        self.introspecting_rs(requester)?;
        let request = IntrospectionRequest::decode(payload)?;
        self.introspect(requester, &request, clock)
    }

    /// RFC 9200 §5.9.2, §5.9.3: answers a decoded introspection request.
    ///
    /// An unknown requester gets 4.01 ([`Error::IntrospectionUnauthenticated`], AS-35); a
    /// registered RS asking about another audience's token gets 4.03 without payload
    /// ([`Error::IntrospectionForbidden`], AS-31, AS-36); an unknown or expired token is
    /// `active: false` (AS-38).
    pub fn introspect(
        &self,
        requester: Option<&str>,
        request: &IntrospectionRequest,
        clock: &impl Clock,
    ) -> Result<IntrospectionResponse, Error> {
        let rs = self.introspecting_rs(requester)?;
        let Some(entry) = self.references.get(&request.token) else {
            return Ok(IntrospectionResponse::inactive());
        };
        if entry.claims.aud.as_deref() != Some(rs.audience.as_str()) {
            return Err(Error::IntrospectionForbidden);
        }
        let expired = match (entry.expires, clock.now()) {
            (Some(e), Some(n)) => e <= n,
            _ => false,
        };
        if expired {
            return Ok(IntrospectionResponse::inactive());
        }
        active_response(&entry.claims)
    }

    fn introspecting_rs(&self, requester: Option<&str>) -> Result<&super::RsEntry, Error> {
        let id = requester.ok_or(Error::IntrospectionUnauthenticated)?;
        self.resource_servers
            .iter()
            .find(|r| r.introspection_identity.as_deref() == Some(id))
            .ok_or(Error::IntrospectionUnauthenticated)
    }
}

/// RFC 9200 §5.9.2, RFC 9201 §4: the introspection response for an active token with these
/// claims (`cnf` is carried, as AS-34 requires for PoP tokens).
fn active_response(claims: &Claims) -> Result<IntrospectionResponse, Error> {
    let mut r = IntrospectionResponse::inactive();
    r.active = true;
    r.iss.clone_from(&claims.iss);
    r.sub.clone_from(&claims.sub);
    r.aud.clone_from(&claims.aud);
    r.exp.clone_from(&claims.exp);
    r.nbf.clone_from(&claims.nbf);
    r.iat.clone_from(&claims.iat);
    r.cti.clone_from(&claims.cti);
    r.cnf = claims.cnf.clone().map(Confirmation::new).transpose()?;
    r.scope = claims
        .scope
        .clone()
        .map(Scope::from_cbor_value)
        .transpose()?;
    r.ace_profile = claims.ace_profile.map(AceProfile::from_value);
    r.cnonce.clone_from(&claims.cnonce);
    r.exi = claims.exi;
    Ok(r)
}
