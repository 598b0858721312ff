//! RFC 9200 §5.3: AS Request Creation Hints (RS → Client, with 4.01 Unauthorized).

use alloc::string::String;
use alloc::vec::Vec;

use ace_cwt::KeyId;
use ciborium::Value;

use super::{AceMessage, KeyOrder, ParamMap, with_extensions};
use crate::Error;
use crate::registry::hints as p;
use crate::scope::Scope;

/// RFC 9200 §5.3 Table 1: all parameters are OPTIONAL.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreationHints {
    /// `AS` (1): absolute URI of the AS. CL-1: a client must check this AS is entitled for
    /// the RS before trusting it (the hints are not authenticated).
    pub as_uri: Option<String>,
    /// `kid` (2): key of an existing security association the token should be bound to.
    pub kid: Option<KeyId>,
    /// `audience` (5).
    pub audience: Option<String>,
    /// `scope` (9).
    pub scope: Option<Scope>,
    /// `cnonce` (39), §5.3.1: the client "MUST copy" it into its token request.
    pub cnonce: Option<Vec<u8>>,
    /// Parameters this crate does not know, kept as received.
    pub extensions: ParamMap,
    /// The peer's key order, if it was not deterministic.
    pub key_order: KeyOrder,
}

impl CreationHints {
    /// The same hints with deterministic encoding (no recorded peer order).
    #[must_use]
    pub fn into_deterministic(mut self) -> Self {
        self.key_order = KeyOrder::default();
        self
    }
}

impl AceMessage for CreationHints {
    fn from_param_map(mut map: ParamMap) -> Result<Self, Error> {
        let key_order = KeyOrder::of(&map);
        Ok(CreationHints {
            as_uri: map.take_text(&p::AS)?,
            kid: map.take_bytes(&p::KID)?.map(KeyId::from),
            audience: map.take_text(&p::AUDIENCE)?,
            scope: map.take_scope(&p::SCOPE)?,
            cnonce: map.take_bytes(&p::CNONCE)?,
            extensions: map,
            key_order,
        })
    }

    fn to_param_map(&self) -> ParamMap {
        let mut map = with_extensions(&self.extensions);
        map.put(&p::AS, self.as_uri.clone().map(Value::Text));
        map.put(
            &p::KID,
            self.kid
                .as_ref()
                .map(|k| Value::Bytes(k.as_bytes().to_vec())),
        );
        map.put(&p::AUDIENCE, self.audience.clone().map(Value::Text));
        map.put(&p::SCOPE, self.scope.as_ref().map(Scope::to_cbor_value));
        map.put(&p::CNONCE, self.cnonce.clone().map(Value::Bytes));
        self.key_order.apply(&mut map);
        map
    }
}
