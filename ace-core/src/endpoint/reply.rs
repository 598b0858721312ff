//! A CoAP response as a value, and writing it into any `coap-message` response.

use alloc::vec::Vec;

use coap_message::{Code as _, MinimalWritableMessage, OptionNumber as _};

use crate::Error;
use crate::env::ResponseCode;
use crate::message::AceMessage;

/// CoAP option numbers used here (RFC 7252 §5.10, RFC 7959 §4).
const CONTENT_FORMAT: u16 = 12;
const SIZE1: u16 = 60;
const MAX_AGE: u16 = 14;

/// application/ace+cbor (RFC 9200 §8.16).
pub(crate) const ACE_CBOR: u16 = 19;

/// The response a handler decided on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The response code.
    pub code: ResponseCode,
    /// The Content-Format, when there is a payload.
    pub content_format: Option<u16>,
    /// RFC 7959 §4: Size1 in a 4.13 response, the largest payload accepted.
    pub size1: Option<u32>,
    /// RFC 7252 §5.10.5 Max-Age; RFC 8516 §3: in a 4.29, the seconds until a retry.
    pub max_age: Option<u32>,
    /// The payload.
    pub payload: Vec<u8>,
}

impl Reply {
    /// A response with an `application/ace+cbor` payload.
    pub fn ace_cbor(code: ResponseCode, payload: Vec<u8>) -> Self {
        Self {
            code,
            content_format: Some(ACE_CBOR),
            size1: None,
            max_age: None,
            payload,
        }
    }

    /// A response without payload.
    pub fn empty(code: ResponseCode) -> Self {
        Self {
            code,
            content_format: None,
            size1: None,
            max_age: None,
            payload: Vec::new(),
        }
    }

    /// RFC 9200 §5.8.3 / §5.9.3: the error response for `error`: its CoAP code and, when the
    /// error has an ACE error code, the CBOR error map with `error` and `error_description`
    /// (never for the §5.9.3 4.03, which has "no payload").
    pub fn error(error: &Error) -> Self {
        let code =
            ResponseCode::from_u8(error.coap_code()).unwrap_or(ResponseCode::INTERNAL_SERVER_ERROR);
        if matches!(error, Error::IntrospectionForbidden) {
            return Self::empty(code);
        }
        if let Error::TooManyRequests(wait) = error {
            let mut reply = Self::empty(code);
            reply.max_age = Some(u32::try_from(*wait).unwrap_or(u32::MAX));
            return reply;
        }
        match error.to_error_response() {
            Some(body) => Self::ace_cbor(code, body.encode()),
            None => Self::empty(code),
        }
    }

    /// Writes this reply into `response`.
    pub fn write<W: MinimalWritableMessage>(&self, response: &mut W) -> Result<(), W::UnionError> {
        let code = W::Code::new(self.code.as_u8()).map_err(W::convert_code_error)?;
        response.set_code(code);
        if let Some(cf) = self.content_format {
            add_uint(response, CONTENT_FORMAT, u32::from(cf))?;
        }
        if let Some(age) = self.max_age {
            add_uint(response, MAX_AGE, age)?;
        }
        if let Some(size) = self.size1 {
            add_uint(response, SIZE1, size)?;
        }
        if !self.payload.is_empty() {
            response
                .set_payload(&self.payload)
                .map_err(W::convert_set_payload_error)?;
        }
        Ok(())
    }
}

/// RFC 7252 §3.2: a uint option value in the fewest bytes.
fn add_uint<W: MinimalWritableMessage>(
    response: &mut W,
    number: u16,
    value: u32,
) -> Result<(), W::UnionError> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let option = W::OptionNumber::new(number).map_err(W::convert_option_number_error)?;
    response
        .add_option(option, bytes.get(skip..).unwrap_or_default())
        .map_err(W::convert_add_option_error)
}
