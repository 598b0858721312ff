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
        }
    }

    /// A short human-readable description for the `error_description` parameter.
    #[must_use]
    pub fn description(&self) -> alloc::string::String {
        self.to_string()
    }
}
