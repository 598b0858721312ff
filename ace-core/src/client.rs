//! Client helpers (RFC 9200 §5.8.1, §5.8.2, §5.3, §5.10.1): build token requests, read
//! responses, errors and creation hints, keep tokens and keys, and drive the exchanges over
//! a [`Transport`].

use alloc::string::String;
use alloc::vec::Vec;

use ace_cwt::{Cnf, PopKey};

use crate::env::{Clock, Method, Request, ResponseCode, Transport, UnixTime};
use crate::message::{
    AccessTokenRequest, AccessTokenResponse, AceMessage, Confirmation, CreationHints, ErrorResponse,
};
use crate::scope::Scope;
use crate::{AceProfile, Error, PopKeyUse};

/// application/ace+cbor (RFC 9200 §8.16).
const ACE_CBOR: u16 = 19;
/// application/cwt (RFC 8392 §9.3).
const CWT: u16 = 61;

/// A token the client holds for one audience, with its keys.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientToken {
    /// The audience it was requested for.
    pub audience: String,
    /// The token bytes, opaque to the client (RFC 9200 §5.8.2 `access_token`).
    pub access_token: Vec<u8>,
    /// RFC 9201 §3.2 `cnf`: the symmetric PoP key the AS generated (with its kid).
    pub pop_key: Option<PopKey>,
    /// RFC 9201 §3.2 `rs_cnf`: the RS's public key.
    pub rs_key: Option<PopKey>,
    /// RFC 9200 §5.8.2 `ace_profile`: the profile to use with the RS (CL-5).
    pub profile: Option<AceProfile>,
    /// RFC 9200 §5.10.4: when the token stops being usable.
    pub expires: UnixTime,
}

/// An ACE client: its credentials and the tokens it holds (at most one per audience).
#[derive(Clone, Debug)]
pub struct Client {
    client_id: String,
    client_secret: Option<Vec<u8>>,
    /// RFC 9200 §5.10.4: validity assumed when a response has no `expires_in`; `None` means
    /// such a token is refused (CL-8).
    default_validity: Option<u64>,
    /// RFC 9201 §5 (CL-9): what the profile does with `cnf` / `rs_cnf` keys.
    pop_key_use: PopKeyUse,
    /// RFC 9200 §5.1, §6.4 (CL-1): `(RS audience, AS URI)` pairs this client trusts, set
    /// by configuration (never learned from an RS).
    trusted_as: Vec<(String, String)>,
    tokens: Vec<ClientToken>,
}

impl Client {
    /// A client authenticating with `client_id` and, unless the secure channel authenticates
    /// it, `client_secret`.
    pub fn new(client_id: impl Into<String>, client_secret: Option<Vec<u8>>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            default_validity: None,
            pop_key_use: PopKeyUse::default(),
            trusted_as: Vec::new(),
            tokens: Vec::new(),
        }
    }

    /// RFC 9200 §5.10.4: the validity to assume when the AS sends no `expires_in`.
    #[must_use]
    pub fn with_default_validity(mut self, seconds: Option<u64>) -> Self {
        self.default_validity = seconds;
        self
    }

    /// RFC 9201 §5 (CL-9): what the profile does with the keys in `cnf` and `rs_cnf`; a
    /// response whose key is incompatible is refused with [`Error::IncompatiblePopKey`].
    #[must_use]
    pub fn with_pop_key_use(mut self, pop_key_use: PopKeyUse) -> Self {
        self.pop_key_use = pop_key_use;
        self
    }

    /// RFC 9200 §5.1, §6.4 (CL-1): trust the AS at `as_uri` to issue tokens for the RS
    /// known as `audience`. This is configuration the client got from a trusted source;
    /// creation hints are checked against it.
    #[must_use]
    pub fn trust_as(mut self, audience: impl Into<String>, as_uri: impl Into<String>) -> Self {
        self.trusted_as.push((audience.into(), as_uri.into()));
        self
    }

    /// RFC 9200 §5.1: "the client MUST validate that the AS with this URI is authorized to
    /// provide access tokens for this RS" — the hints of an unprotected 4.01 are not
    /// authentic (§6.4). Given the RS the client contacted (`audience`, from its own
    /// configuration) and the hints it answered with, returns the AS URI to ask: the hinted
    /// one when trusted for that RS, or the configured one when the hints name none.
    /// Otherwise [`Error::UntrustedAuthorizationServer`].
    pub fn authorization_server_for(
        &self,
        audience: &str,
        hints: &CreationHints,
    ) -> Result<&str, Error> {
        let mut trusted = self
            .trusted_as
            .iter()
            .filter(|(aud, _)| aud == audience)
            .map(|(_, uri)| uri.as_str());
        match hints.as_uri.as_deref() {
            Some(hinted) => trusted
                .find(|uri| *uri == hinted)
                .ok_or(Error::UntrustedAuthorizationServer),
            None => trusted.next().ok_or(Error::UntrustedAuthorizationServer),
        }
    }

    /// RFC 9200 §5.1, §5.3, §5.8.1: [`Client::token_request`] for the RS `audience` from its
    /// creation hints, only after [`Client::authorization_server_for`] accepted the hinted
    /// AS (CL-1). Returns the AS URI to send the request to.
    pub fn token_request_for_hints(
        &self,
        audience: &str,
        hints: &CreationHints,
        scope: Option<Scope>,
        req_cnf: Option<Cnf>,
    ) -> Result<(String, AccessTokenRequest), Error> {
        let as_uri = String::from(self.authorization_server_for(audience, hints)?);
        Ok((
            as_uri,
            self.token_request(Some(audience), scope, Some(hints), req_cnf),
        ))
    }

    /// RFC 9200 §5.8.1: a client-credentials token request for `audience` and `scope`. With
    /// creation hints, their `cnonce` is copied (§5.3.1, CL-2) and their audience and scope
    /// are used where the caller gave none. `req_cnf` asks for an asymmetric PoP key
    /// (RFC 9201 §3.1); without it the AS generates a symmetric one.
    pub fn token_request(
        &self,
        audience: Option<&str>,
        scope: Option<Scope>,
        hints: Option<&CreationHints>,
        req_cnf: Option<Cnf>,
    ) -> AccessTokenRequest {
        let audience = audience
            .map(String::from)
            .or_else(|| hints.and_then(|h| h.audience.clone()));
        let scope = scope.or_else(|| hints.and_then(|h| h.scope.clone()));
        AccessTokenRequest {
            client_id: Some(self.client_id.clone()),
            client_secret: self.client_secret.clone(),
            audience,
            scope,
            req_cnf: req_cnf.and_then(|c| Confirmation::new(c).ok()),
            cnonce: hints.and_then(|h| h.cnonce.clone()),
            ..AccessTokenRequest::default()
        }
    }

    /// RFC 9200 §5.8.2, §5.8.3: reads the AS's answer to a token request for `audience`.
    /// A success is kept (replacing an older token for that audience); an error response
    /// becomes [`Error::TokenRequestRefused`].
    pub fn handle_token_response(
        &mut self,
        audience: &str,
        code: ResponseCode,
        payload: &[u8],
        clock: &impl Clock,
    ) -> Result<&ClientToken, Error> {
        if code != ResponseCode::CREATED {
            return Err(refusal(code, payload));
        }
        let response = AccessTokenResponse::decode(payload)?;
        // CL-8: a token whose expiry cannot be known MUST NOT be used.
        let validity = response
            .expires_in
            .or(self.default_validity)
            .ok_or(Error::NoExpiryInformation)?;
        let now = clock.now().ok_or(Error::NoExpiryInformation)?;
        let pop_key = match response.cnf.map(Confirmation::into_cnf) {
            Some(Cnf::CoseKey(k)) => Some(k),
            _ => None,
        };
        let rs_key = match response.rs_cnf.map(Confirmation::into_cnf) {
            Some(Cnf::CoseKey(k)) => Some(k),
            _ => None,
        };
        // CL-9 (RFC 9201 §5): never keep a key the profile cannot use.
        for key in pop_key.iter().chain(rs_key.iter()) {
            self.pop_key_use.check(key)?;
        }
        let token = ClientToken {
            audience: String::from(audience),
            access_token: response.access_token,
            pop_key,
            rs_key,
            profile: response.ace_profile,
            expires: now.saturating_add(validity),
        };
        self.tokens.retain(|t| t.audience != audience);
        self.tokens.push(token);
        self.tokens
            .iter()
            .find(|t| t.audience == audience)
            .ok_or(Error::NoExpiryInformation)
    }

    /// RFC 9200 §5.10.2 (CL-7): the token for `audience`, if it is still valid.
    pub fn token_for(&self, audience: &str, clock: &impl Clock) -> Option<&ClientToken> {
        let now = clock.now()?;
        self.tokens
            .iter()
            .find(|t| t.audience == audience && t.expires > now)
    }

    /// RFC 9200 §5.3: reads the AS Request Creation Hints from a 4.01 response.
    pub fn creation_hints(code: ResponseCode, payload: &[u8]) -> Result<CreationHints, Error> {
        if code != ResponseCode::UNAUTHORIZED {
            return Err(Error::UnexpectedResponse(code.as_u8()));
        }
        CreationHints::decode(payload)
    }

    /// RFC 9200 §5.8: POSTs a token request to `/token` and keeps the token.
    pub fn request_token(
        &mut self,
        transport: &mut impl Transport,
        request: &AccessTokenRequest,
        clock: &impl Clock,
    ) -> Result<&ClientToken, Error> {
        let audience = request.audience.clone().ok_or(Error::MissingAudience)?;
        let response = transport
            .exchange(&Request {
                method: Method::Post,
                path: String::from("/token"),
                content_format: Some(ACE_CBOR),
                payload: request.encode(),
            })
            .map_err(Error::Transport)?;
        self.handle_token_response(&audience, response.code, &response.payload, clock)
    }

    /// RFC 9200 §5.10.1 (CL-6): POSTs `token` to the RS's `/authz-info` as application/cwt.
    pub fn upload_token(transport: &mut impl Transport, token: &ClientToken) -> Result<(), Error> {
        let response = transport
            .exchange(&Request {
                method: Method::Post,
                path: String::from("/authz-info"),
                content_format: Some(CWT),
                payload: token.access_token.clone(),
            })
            .map_err(Error::Transport)?;
        if response.code == ResponseCode::CREATED {
            Ok(())
        } else {
            Err(Error::UnexpectedResponse(response.code.as_u8()))
        }
    }
}

/// §5.8.3: the error a refused token request carries.
fn refusal(code: ResponseCode, payload: &[u8]) -> Error {
    match ErrorResponse::decode(payload) {
        Ok(e) => Error::TokenRequestRefused {
            code: code.as_u8(),
            error: e.error,
            description: e.error_description,
        },
        Err(_) => Error::UnexpectedResponse(code.as_u8()),
    }
}
