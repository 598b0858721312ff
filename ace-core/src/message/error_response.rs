//! RFC 9200 §5.8.3 (token endpoint) and §5.9.3 (introspection endpoint): the error response.

use alloc::string::String;

use ciborium::Value;

use super::{AceMessage, KeyOrder, ParamMap, with_extensions};
use crate::Error;
use crate::registry::AceErrorCode;
use crate::registry::oauth as p;

/// RFC 9200 §5.8.3: "the payload MUST be encoded as a CBOR map" with `error` (30, an
/// integer from Table 3), and optional `error_description` (31) and `error_uri` (32).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse {
    /// `error` (30), REQUIRED (RFC 6749 §5.2).
    pub error: AceErrorCode,
    /// `error_description` (31).
    pub error_description: Option<String>,
    /// `error_uri` (32).
    pub error_uri: Option<String>,
    /// Parameters this crate does not know, kept as received.
    pub extensions: ParamMap,
    /// The peer's key order, if it was not deterministic.
    pub key_order: KeyOrder,
}

impl ErrorResponse {
    /// An error response with only the `error` code.
    #[must_use]
    pub fn new(error: AceErrorCode) -> Self {
        ErrorResponse {
            error,
            error_description: None,
            error_uri: None,
            extensions: ParamMap::new(),
            key_order: KeyOrder::default(),
        }
    }

    /// Adds an `error_description`.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.error_description = Some(description.into());
        self
    }

    /// RFC 9200 §5.8.3 (AS-21): 4.00 for every error, except `invalid_client`, for which
    /// 4.01 "MAY be used" (RFC 6749 §5.2: when the client authenticated through a means the
    /// server challenges); this returns 4.01 for `invalid_client`.
    #[must_use]
    pub fn coap_code(&self) -> u8 {
        match self.error {
            AceErrorCode::InvalidClient => coap_numbers::code::UNAUTHORIZED,
            _ => coap_numbers::code::BAD_REQUEST,
        }
    }

    /// The same response with deterministic encoding (no recorded peer order).
    #[must_use]
    pub fn into_deterministic(mut self) -> Self {
        self.key_order = KeyOrder::default();
        self
    }
}

impl AceMessage for ErrorResponse {
    fn from_param_map(mut map: ParamMap) -> Result<Self, Error> {
        let key_order = KeyOrder::of(&map);
        let error = map
            .take_int(&p::ERROR)?
            .map(AceErrorCode::from_value)
            .ok_or(Error::MissingParameter(p::ERROR.name))?;
        Ok(ErrorResponse {
            error,
            error_description: map.take_text(&p::ERROR_DESCRIPTION)?,
            error_uri: map.take_text(&p::ERROR_URI)?,
            extensions: map,
            key_order,
        })
    }

    fn to_param_map(&self) -> ParamMap {
        let mut map = with_extensions(&self.extensions);
        map.put(&p::ERROR, Some(Value::from(self.error.value())));
        map.put(
            &p::ERROR_DESCRIPTION,
            self.error_description.clone().map(Value::Text),
        );
        map.put(&p::ERROR_URI, self.error_uri.clone().map(Value::Text));
        self.key_order.apply(&mut map);
        map
    }
}

impl Error {
    /// RFC 9200 §5.8.3: the error map for this error, `None` if it has no ACE error code.
    /// The description is [`Error::description`]; the CoAP code is [`Error::coap_code`].
    #[must_use]
    pub fn to_error_response(&self) -> Option<ErrorResponse> {
        self.ace_error()
            .map(|code| ErrorResponse::new(code).with_description(self.description()))
    }
}
