//! The crate's error type: one variant per failure the specifications name.

use alloc::string::ToString;

use coap_numbers::code;

use crate::registry::AceErrorCode;

/// Everything that can go wrong in `ace-core`.
///
/// Each variant names the section that defines the failure. [`Error::coap_code`] maps each
/// variant to exactly one CoAP response code, and [`Error::ace_error`] to the ACE error code
/// (RFC 9200 §5.8.3, Table 3) where the specification has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// RFC 9200 §5 / RFC 8949 §5.3: the payload is not well-formed CBOR.
    #[error("payload is not well-formed CBOR")]
    MalformedCbor,
    /// RFC 9200 §5.8.1, §5.9.1: the payload must be exactly one CBOR map; bytes follow it.
    #[error("{0} bytes follow the CBOR map")]
    TrailingBytes(usize),
    /// RFC 9200 §5.8.1, §5.8.2, §5.9.1, §5.9.2, §5.3: the payload must be a CBOR map.
    #[error("payload is not a CBOR map")]
    NotAMap,
    /// RFC 8949 §5.6: a map with a duplicate key is not valid CBOR.
    #[error("duplicate parameter {0}")]
    DuplicateParameter(alloc::string::String),
    /// RFC 9200 §5.8.5, §5.9.4: parameter keys are integer abbreviations (or, for
    /// unregistered parameters, text strings); any other key type is refused.
    #[error("parameter key is neither an integer nor a text string")]
    InvalidParameterKey,
    /// RFC 9200 §5.8.5 Table 5, §5.9.4 Table 6, §5.3 Table 1: a parameter has the wrong CBOR type.
    #[error("parameter {parameter} must be {expected}")]
    WrongType {
        /// The parameter name as the registry spells it.
        parameter: &'static str,
        /// The CBOR type the registry requires.
        expected: &'static str,
    },
    /// RFC 9200 §5.8.2 (`access_token`), §5.8.3 (`error`), §5.9.1 (`token`),
    /// RFC 7662 §2.2 (`active`): a required parameter is absent.
    #[error("required parameter {0} is missing")]
    MissingParameter(&'static str),
    /// RFC 9200 §5.8.5: an integer parameter is outside the range its registry allows.
    #[error("parameter {0} is out of range")]
    ValueOutOfRange(&'static str),
    /// RFC 8747 §3.1, RFC 9201 §3: the `cnf`, `req_cnf` or `rs_cnf` value is not a valid
    /// confirmation.
    #[error("invalid confirmation in {parameter}: {reason}")]
    InvalidConfirmation {
        /// `cnf`, `req_cnf` or `rs_cnf`.
        parameter: &'static str,
        /// What `ace-cwt` found wrong.
        reason: alloc::string::String,
    },
    /// RFC 6749 §3.3: a text scope is a non-empty list of scope tokens.
    #[error("scope is empty")]
    EmptyScope,
    /// RFC 6749 §3.3: scope tokens are separated by exactly one space; an empty token (leading,
    /// trailing or doubled space) at this byte offset is refused.
    #[error("empty scope token at byte {0}")]
    EmptyScopeToken(usize),
    /// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`; the character at this
    /// byte offset is not allowed.
    #[error("character not allowed in a scope token at byte {0}")]
    InvalidScopeCharacter(usize),
    /// RFC 9237 §3: an AIF-REST scope is a CBOR array of `[local-path, REST-method-set]` pairs.
    #[error("AIF scope is not an array of [path, methods] pairs")]
    MalformedAif,
    /// RFC 9237 §3: the local path of AIF entry `index` is not an absolute path (text
    /// starting with `/`).
    #[error("AIF entry {0}: path must be a text string starting with '/'")]
    InvalidAifPath(usize),
    /// RFC 9237 §3: the REST-method-set of AIF entry `index` is not an unsigned integer
    /// with only the bits of `methods` (0..=6 and 32..=38), or is empty.
    #[error("AIF entry {0}: invalid REST-method-set")]
    InvalidAifMethodSet(usize),
    /// RFC 9237 §3: entries with the same path are merged, so a path appears at most once.
    #[error("AIF entry {0}: path appears twice")]
    DuplicateAifPath(usize),
    /// RFC 9200 §5.8.1, §5.10.1.1: a binary scope was expected to carry AIF but does not
    /// decode as AIF-REST CBOR, or a text scope was given where AIF is required.
    #[error("scope is not in the AIF format")]
    ScopeNotAif,

    // --- Resource Server (RFC 9200 §5.10), engine of `resource_server` ---
    /// RFC 9200 §5.10.1: the payload "does not parse to a token" (not a COSE-protected CWT).
    #[error("payload does not parse to a token: {0}")]
    TokenNotParsed(alloc::string::String),
    /// RFC 9200 §5.10.1.1 (step 1b): the claims cannot be obtained (unreadable claims set, or
    /// an introspection response that cannot be used).
    #[error("claims cannot be obtained: {0}")]
    ClaimsUnavailable(alloc::string::String),
    /// RFC 9200 §5.10.1.1 (step 1): the security wrapper fails to verify, or the issuing AS
    /// has no right to issue tokens for this RS (its key is unknown here).
    #[error("token verification failed: {0}")]
    TokenVerificationFailed(alloc::string::String),
    /// RFC 9200 §5.9.2, §5.10.1.1: the AS says the token is not active.
    #[error("token is not active")]
    TokenInactive,
    /// RFC 9200 §5.10.1.1 `iss`: the issuer is not the AS that protected the token.
    #[error("iss does not identify the AS that protected the token")]
    IssuerMismatch,
    /// RFC 9200 §5.10.1.1 `exp`, §5.10.3: the token has expired (or its `exi` sequence number
    /// is at or below the highest expired one).
    #[error("token has expired")]
    TokenExpired,
    /// RFC 9200 §5.10.3: the token has `exp` but no `exi`, and this RS has no trusted time.
    #[error("exp cannot be verified without trusted time and the token has no exi")]
    ExpiryUnverifiable,
    /// RFC 9200 §5.10.1.1 `aud`: the RS does not identify with the audience.
    #[error("aud does not name this RS")]
    AudienceMismatch,
    /// RFC 9200 §5.10.1.1 `scope`: the RS does not recognize the scope (or it is absent).
    #[error("scope not recognized")]
    ScopeNotRecognized,
    /// RFC 9200 §5.10.3 / RFC 7519 §4.1.5: `nbf` is in the future (4.01, as for `exp`; the
    /// RFC's ordered list names no code for it).
    #[error("token is not yet valid (nbf)")]
    TokenNotYetValid,
    /// RFC 9200 §5.10.3: a token with `exi` must carry a `cti` of this RS's identifier and a
    /// sequence number.
    #[error("exi token without a cti sequence number for this RS")]
    ExiWithoutSequence,
    /// RFC 9200 §5.3.1: the RS uses client-nonces and the token's `cnonce` is absent, unknown,
    /// stale or already used.
    #[error("cnonce missing or not fresh")]
    CnonceNotFresh,
    /// RFC 8747 §3.1, RFC 9200 §5.10.1: the token has no `cnf`, so it cannot be bound to a
    /// PoP key.
    #[error("token has no cnf")]
    MissingConfirmation,
    /// RFC 8747 §3, RFC 9201 §5: the `cnf` cannot be used here (no kid, an encrypted key
    /// this RS cannot decrypt, or a method it does not know).
    #[error("token cnf cannot be used by this RS")]
    UnusableConfirmation,
    /// RFC 9201 §5: the PoP key's COSE_Key `alg` or `key_ops` (named here) is incompatible
    /// with the profile's use of it (4.00 at the RS; the client refuses to use the key).
    #[error("the PoP key's {0} is incompatible with the profile (RFC 9201 §5)")]
    IncompatiblePopKey(&'static str),
    /// RFC 9200 §5.10.1: the token store is full of live tokens; the RS refuses rather than
    /// drop one (5.03).
    #[error("token store is full of live tokens")]
    TokenStoreFull,
    /// RFC 9200 §5.10.1.2, RFC 8516 §3: this peer submitted too many tokens; retry after
    /// this many seconds (the Max-Age of the 4.29 response).
    #[error("too many token submissions; retry in {0} s (RFC 9200 §5.10.1.2)")]
    TooManyRequests(u64),
    /// RFC 9200 §5.10.2: no valid token for this client, or no proof of possession (4.01).
    #[error("no valid access token for this client")]
    NoValidToken,
    /// RFC 9200 §5.10.3: the token authorizing a long-running request (e.g. Observe) has
    /// expired; the RS sends 4.01 and terminates the request.
    #[error("the token authorizing this long-running request has expired (RFC 9200 §5.10.3)")]
    LongRunningRequestExpired,
    /// RFC 9200 §5.10.2: the token does not cover the requested resource (4.03).
    #[error("token does not authorize this resource")]
    ResourceNotCovered,
    /// RFC 9200 §5.10.2: the token covers the resource but not this method (4.05).
    #[error("token does not authorize this method")]
    MethodNotCovered,

    // --- Authorization Server (RFC 9200 §5.8, §5.9), engine of `as_server` ---
    /// RFC 9200 §5.8.3 `invalid_client` (RFC 6749 §5.2): client authentication failed
    /// (4.01, as §5.8.3 allows).
    #[error("client authentication failed")]
    InvalidClient,
    /// RFC 9200 §5.8.3 `unsupported_grant_type`: only client_credentials is supported.
    #[error("grant type {0} is not supported")]
    UnsupportedGrantType(u64),
    /// RFC 9200 §5.8.1 `audience` (`invalid_request`): no audience in the request and none
    /// registered for the client.
    #[error("no audience requested")]
    MissingAudience,
    /// RFC 9200 §5.8.1 `audience` (`invalid_request`): the AS knows no RS of that audience.
    #[error("unknown audience")]
    UnknownAudience,
    /// RFC 9200 §5.8.3 `invalid_scope`: nothing of the requested scope can be granted.
    #[error("requested scope cannot be granted")]
    ScopeNotGranted,
    /// RFC 9200 §5.8.3 `unauthorized_client`: this client may not get tokens for this
    /// audience.
    #[error("client is not authorized for this audience")]
    ClientNotAuthorized,
    /// RFC 9200 §5.8.3 `incompatible_ace_profiles`: client and RS share no profile.
    #[error("client and RS share no ACE profile")]
    IncompatibleProfiles,
    /// RFC 9200 §5.8.3 `unsupported_pop_key`: the RS cannot process this key type.
    #[error("the RS cannot process this PoP key")]
    UnsupportedPopKey,
    /// RFC 9201 §3.1 (`invalid_request`): `req_cnf` carries a symmetric key value, which the
    /// AS rejects as RECOMMENDED.
    #[error("req_cnf must not carry a symmetric key")]
    SymmetricReqCnf,
    /// RFC 9201 §3.1 (`invalid_request`): the AS cannot verify that the client possesses the
    /// `req_cnf` key (not registered for this client).
    #[error("possession of the req_cnf key is not established")]
    PopKeyNotProven,
    /// RFC 8392 §7.1: the token could not be created (5.00).
    #[error("token could not be created: {0}")]
    TokenIssueFailed(alloc::string::String),
    /// RFC 9200 §6.1 (AC-13): a symmetric PoP key would travel in a token that is not
    /// encrypted; the RS entry needs an encrypting protection or a key-encryption key (5.00).
    #[error("symmetric PoP key would be readable in the token")]
    SymmetricPopKeyExposed,
    /// RFC 9200 §5.9: the table of reference tokens is full of live ones (5.03).
    #[error("reference token table is full")]
    ReferenceStoreFull,
    /// RFC 9200 §5.9.3 (AS-35): the introspecting party is not authenticated (4.01).
    #[error("introspection requester not authenticated")]
    IntrospectionUnauthenticated,
    /// RFC 9200 §5.9.3 (AS-36): the requester may not introspect this token (4.03, no payload).
    #[error("requester may not introspect this token")]
    IntrospectionForbidden,

    // --- Client (RFC 9200 §5.8.2, §5.8.3, §5.10.4); these never reach the wire ---
    /// RFC 9200 §5.8.3: the AS refused the token request.
    #[error("token request refused ({code:#04x}): {error:?} {description:?}")]
    TokenRequestRefused {
        /// The CoAP response code.
        code: u8,
        /// The ACE error code.
        error: AceErrorCode,
        /// `error_description`, if sent.
        description: Option<alloc::string::String>,
    },
    /// A response code the exchange does not expect (e.g. not 2.01 after a token upload).
    #[error("unexpected response code {0:#04x}")]
    UnexpectedResponse(u8),
    /// RFC 9200 §5.10.4 (CL-8): the token's expiry cannot be known, so it must not be used.
    #[error("token expiry unknown: it must not be used")]
    NoExpiryInformation,
    /// RFC 9200 §5.1, §6.4 (CL-1): the AS named in (unauthenticated) creation hints is not
    /// one this client is configured to trust for that RS, or none is known for it.
    #[error("the AS is not trusted to issue tokens for this RS (RFC 9200 §5.1)")]
    UntrustedAuthorizationServer,
    /// The [`crate::env::Transport`] failed.
    #[error("transport: {0}")]
    Transport(crate::env::TransportError),
}

impl Error {
    /// The CoAP response code for this error when it reaches the wire.
    ///
    /// RFC 9200 §5.8.3: "4.00 (Bad Request) MUST be used for all error responses" of the
    /// token endpoint; malformed payloads at the other endpoints are 4.00 as well
    /// (§5.9.1, §5.10.1).
    #[must_use]
    pub fn coap_code(&self) -> u8 {
        match self {
            Error::MalformedCbor
            | Error::TrailingBytes(_)
            | Error::NotAMap
            | Error::DuplicateParameter(_)
            | Error::InvalidParameterKey
            | Error::WrongType { .. }
            | Error::MissingParameter(_)
            | Error::ValueOutOfRange(_)
            | Error::InvalidConfirmation { .. }
            | Error::EmptyScope
            | Error::EmptyScopeToken(_)
            | Error::InvalidScopeCharacter(_)
            | Error::MalformedAif
            | Error::InvalidAifPath(_)
            | Error::InvalidAifMethodSet(_)
            | Error::DuplicateAifPath(_)
            | Error::ScopeNotAif => code::BAD_REQUEST,
            Error::TokenNotParsed(_)
            | Error::ClaimsUnavailable(_)
            | Error::ScopeNotRecognized
            | Error::MissingConfirmation
            | Error::UnusableConfirmation
            | Error::IncompatiblePopKey(_)
            | Error::UnsupportedGrantType(_)
            | Error::MissingAudience
            | Error::UnknownAudience
            | Error::ScopeNotGranted
            | Error::ClientNotAuthorized
            | Error::IncompatibleProfiles
            | Error::UnsupportedPopKey
            | Error::SymmetricReqCnf
            | Error::PopKeyNotProven => code::BAD_REQUEST,
            Error::TokenVerificationFailed(_)
            | Error::TokenInactive
            | Error::IssuerMismatch
            | Error::TokenExpired
            | Error::ExpiryUnverifiable
            | Error::TokenNotYetValid
            | Error::ExiWithoutSequence
            | Error::CnonceNotFresh
            | Error::NoValidToken
            | Error::LongRunningRequestExpired
            | Error::InvalidClient
            | Error::IntrospectionUnauthenticated => code::UNAUTHORIZED,
            Error::AudienceMismatch | Error::ResourceNotCovered | Error::IntrospectionForbidden => {
                code::FORBIDDEN
            }
            Error::MethodNotCovered => code::METHOD_NOT_ALLOWED,
            Error::TokenStoreFull | Error::ReferenceStoreFull => code::SERVICE_UNAVAILABLE,
            Error::TooManyRequests(_) => code::TOO_MANY_REQUESTS,
            // Server-side faults, and client-side errors that are never sent.
            Error::TokenIssueFailed(_)
            | Error::SymmetricPopKeyExposed
            | Error::TokenRequestRefused { .. }
            | Error::UnexpectedResponse(_)
            | Error::NoExpiryInformation
            | Error::UntrustedAuthorizationServer
            | Error::Transport(_) => code::INTERNAL_SERVER_ERROR,
        }
    }

    /// The ACE error code (RFC 9200 §5.8.3 Table 3) for this error, if it has one.
    ///
    /// Malformed messages are `invalid_request` (RFC 6749 §5.2: "missing a required parameter,
    /// includes an unsupported parameter value ... or is otherwise malformed"); malformed
    /// scopes are `invalid_scope` ("invalid, unknown, or malformed").
    #[must_use]
    pub fn ace_error(&self) -> Option<AceErrorCode> {
        match self {
            Error::MalformedCbor
            | Error::TrailingBytes(_)
            | Error::NotAMap
            | Error::DuplicateParameter(_)
            | Error::InvalidParameterKey
            | Error::WrongType { .. }
            | Error::MissingParameter(_)
            | Error::ValueOutOfRange(_) => Some(AceErrorCode::InvalidRequest),
            Error::InvalidConfirmation { .. } => Some(AceErrorCode::InvalidRequest),
            Error::EmptyScope
            | Error::EmptyScopeToken(_)
            | Error::InvalidScopeCharacter(_)
            | Error::MalformedAif
            | Error::InvalidAifPath(_)
            | Error::InvalidAifMethodSet(_)
            | Error::DuplicateAifPath(_)
            | Error::ScopeNotAif => Some(AceErrorCode::InvalidScope),
            // RS 4.00 refusals carry `invalid_request` (RFC 9200 §5.10.1.1 allows RFC 6750
            // §3.1 codes; `invalid_request` is the one both registries share).
            Error::TokenNotParsed(_)
            | Error::ClaimsUnavailable(_)
            | Error::ScopeNotRecognized
            | Error::MissingConfirmation
            | Error::UnusableConfirmation
            | Error::IncompatiblePopKey(_) => Some(AceErrorCode::InvalidRequest),
            Error::InvalidClient | Error::IntrospectionUnauthenticated => {
                Some(AceErrorCode::InvalidClient)
            }
            Error::UnsupportedGrantType(_) => Some(AceErrorCode::UnsupportedGrantType),
            Error::MissingAudience
            | Error::UnknownAudience
            | Error::SymmetricReqCnf
            | Error::PopKeyNotProven => Some(AceErrorCode::InvalidRequest),
            Error::ScopeNotGranted => Some(AceErrorCode::InvalidScope),
            Error::ClientNotAuthorized => Some(AceErrorCode::UnauthorizedClient),
            Error::IncompatibleProfiles => Some(AceErrorCode::IncompatibleAceProfiles),
            Error::UnsupportedPopKey => Some(AceErrorCode::UnsupportedPopKey),
            Error::TokenVerificationFailed(_)
            | Error::TokenInactive
            | Error::IssuerMismatch
            | Error::TokenExpired
            | Error::ExpiryUnverifiable
            | Error::AudienceMismatch
            | Error::TokenNotYetValid
            | Error::ExiWithoutSequence
            | Error::CnonceNotFresh
            | Error::TokenStoreFull
            | Error::TooManyRequests(_)
            | Error::NoValidToken
            | Error::LongRunningRequestExpired
            | Error::ResourceNotCovered
            | Error::MethodNotCovered
            | Error::TokenIssueFailed(_)
            | Error::SymmetricPopKeyExposed
            | Error::ReferenceStoreFull
            | Error::IntrospectionForbidden
            | Error::TokenRequestRefused { .. }
            | Error::UnexpectedResponse(_)
            | Error::NoExpiryInformation
            | Error::UntrustedAuthorizationServer
            | Error::Transport(_) => None,
        }
    }

    /// A short human-readable description for the `error_description` parameter.
    #[must_use]
    pub fn description(&self) -> alloc::string::String {
        self.to_string()
    }
}
