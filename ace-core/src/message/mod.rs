//! The CBOR messages of RFC 9200 (with RFC 9201): strict decoding, deterministic encoding.
//!
//! Every message is a CBOR map with integer keys from its own registry table
//! ([`crate::registry`]). Decoding refuses malformed CBOR, trailing bytes, duplicate keys and
//! registered parameters of the wrong type; parameters this crate does not know are kept in
//! the message's `extensions` map (profiles add their own, e.g. RFC 9203's `nonce1`).

mod confirmation;
mod creation_hints;
mod error_response;
mod introspection;
mod param_map;
mod token_request;
mod token_response;

pub use confirmation::Confirmation;
pub use creation_hints::CreationHints;
pub use error_response::ErrorResponse;
pub use introspection::{IntrospectionRequest, IntrospectionResponse, TokenTypeHint};
pub use param_map::{KeyOrder, NumericDate, ParamKey, ParamMap};
pub use token_request::{AccessTokenRequest, ProfileRequest};
pub use token_response::AccessTokenResponse;

use alloc::vec::Vec;

use crate::Error;
use crate::registry::ContentFormat;

/// A CBOR-map message of RFC 9200.
pub trait AceMessage: Sized {
    /// RFC 9200 §5 (AC-5): the Content-Format of every message, `application/ace+cbor` (19).
    const CONTENT_FORMAT: ContentFormat = ContentFormat::ACE_CBOR;

    /// Strictly interprets a decoded parameter map.
    ///
    /// # Errors
    /// [`Error::WrongType`], [`Error::MissingParameter`], [`Error::ValueOutOfRange`],
    /// [`Error::InvalidConfirmation`] and the scope errors.
    fn from_param_map(map: ParamMap) -> Result<Self, Error>;

    /// The parameter map, in the order [`AceMessage::encode`] writes it.
    fn to_param_map(&self) -> ParamMap;

    /// Strictly decodes a payload.
    ///
    /// # Errors
    /// The [`ParamMap::decode`] errors and those of [`AceMessage::from_param_map`].
    fn decode(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_param_map(ParamMap::decode(bytes)?)
    }

    /// Encodes the payload: RFC 8949 §4.2.1 deterministic order, or the peer's order for an
    /// unchanged decoded message (see [`KeyOrder`]).
    fn encode(&self) -> Vec<u8> {
        self.to_param_map().encode()
    }
}

/// Copies `extensions` into a map, then lets the typed parameters override any colliding key.
fn with_extensions(extensions: &ParamMap) -> ParamMap {
    // A ParamMap never holds a key twice, so a clone is already duplicate-free.
    extensions.clone()
}
