//! RFC 9200 §5.8.2: the access token response, "Access Information" (AS → Client, 2.01).

use alloc::string::String;
use alloc::vec::Vec;

use ciborium::Value;

use super::{AceMessage, Confirmation, KeyOrder, ParamMap, with_extensions};
use crate::Error;
use crate::registry::oauth as p;
use crate::registry::{AceProfile, TokenType};
use crate::scope::Scope;

/// RFC 9200 §5.8.2 Table 2 (with RFC 9201 §3.2 `cnf`, `rs_cnf`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessTokenResponse {
    /// `access_token` (1), REQUIRED (RFC 6749 §5.1): opaque to the client.
    pub access_token: Vec<u8>,
    /// `token_type` (34); absent means PoP (§5.8.2, AS-10), see
    /// [`AccessTokenResponse::effective_token_type`].
    pub token_type: Option<TokenType>,
    /// `expires_in` (2), seconds.
    pub expires_in: Option<u64>,
    /// `refresh_token` (37).
    pub refresh_token: Option<Vec<u8>>,
    /// `scope` (9): present when the granted scope differs from the requested one.
    pub scope: Option<Scope>,
    /// `state` (28).
    pub state: Option<String>,
    /// `ace_profile` (38): an integer (§5.8.4.3: the text form "MUST NOT be used" in CBOR).
    pub ace_profile: Option<AceProfile>,
    /// `cnf` (8), RFC 9201 §3.2: the PoP key for the client.
    pub cnf: Option<Confirmation>,
    /// `rs_cnf` (41), RFC 9201 §3.2: the RS's public key.
    pub rs_cnf: Option<Confirmation>,
    /// Parameters this crate does not know (profile extensions), kept as received.
    pub extensions: ParamMap,
    /// The peer's key order, if it was not deterministic.
    pub key_order: KeyOrder,
}

impl AccessTokenResponse {
    /// A response carrying `access_token` and nothing else.
    #[must_use]
    pub fn new(access_token: Vec<u8>) -> Self {
        AccessTokenResponse {
            access_token,
            ..Self::default()
        }
    }

    /// RFC 9200 §5.8.2: "implementations of this framework SHOULD assume that the
    /// "token_type" is "PoP"" when it is absent.
    #[must_use]
    pub fn effective_token_type(&self) -> TokenType {
        self.token_type.unwrap_or(TokenType::PoP)
    }

    /// The same response with deterministic encoding (no recorded peer order).
    #[must_use]
    pub fn into_deterministic(mut self) -> Self {
        self.key_order = KeyOrder::default();
        self.cnf = self.cnf.map(Confirmation::into_deterministic);
        self.rs_cnf = self.rs_cnf.map(Confirmation::into_deterministic);
        self
    }
}

impl AceMessage for AccessTokenResponse {
    fn from_param_map(mut map: ParamMap) -> Result<Self, Error> {
        let key_order = KeyOrder::of(&map);
        let access_token = map
            .take_bytes(&p::ACCESS_TOKEN)?
            .ok_or(Error::MissingParameter(p::ACCESS_TOKEN.name))?;
        Ok(AccessTokenResponse {
            access_token,
            token_type: map.take_int(&p::TOKEN_TYPE)?.map(TokenType::from_value),
            expires_in: map.take_uint(&p::EXPIRES_IN)?,
            refresh_token: map.take_bytes(&p::REFRESH_TOKEN)?,
            scope: map.take_scope(&p::SCOPE)?,
            state: map.take_text(&p::STATE)?,
            ace_profile: map.take_int(&p::ACE_PROFILE)?.map(AceProfile::from_value),
            cnf: map.take_cnf(&p::CNF)?,
            rs_cnf: map.take_cnf(&p::RS_CNF)?,
            extensions: map,
            key_order,
        })
    }

    fn to_param_map(&self) -> ParamMap {
        let mut map = with_extensions(&self.extensions);
        map.put(
            &p::ACCESS_TOKEN,
            Some(Value::Bytes(self.access_token.clone())),
        );
        map.put(
            &p::TOKEN_TYPE,
            self.token_type.map(|t| Value::from(t.value())),
        );
        map.put(&p::EXPIRES_IN, self.expires_in.map(Value::from));
        map.put(
            &p::REFRESH_TOKEN,
            self.refresh_token.clone().map(Value::Bytes),
        );
        map.put(&p::SCOPE, self.scope.as_ref().map(Scope::to_cbor_value));
        map.put(&p::STATE, self.state.clone().map(Value::Text));
        map.put(
            &p::ACE_PROFILE,
            self.ace_profile.map(|a| Value::from(a.value())),
        );
        map.put(&p::CNF, self.cnf.as_ref().map(Confirmation::to_cbor_value));
        map.put(
            &p::RS_CNF,
            self.rs_cnf.as_ref().map(Confirmation::to_cbor_value),
        );
        self.key_order.apply(&mut map);
        map
    }
}
