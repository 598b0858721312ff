//! RFC 9200 §5.9: the introspection request (§5.9.1) and response (§5.9.2).

use alloc::string::String;
use alloc::vec::Vec;

use ciborium::Value;

use super::param_map::date_value;
use super::{AceMessage, Confirmation, KeyOrder, NumericDate, ParamMap, with_extensions};
use crate::Error;
use crate::registry::introspect as p;
use crate::registry::{AceProfile, TokenType};
use crate::scope::Scope;

/// RFC 9200 §5.9.1 `token_type_hint` (33).
///
/// Table 6 registers a text string (RFC 7662 §2.1: `access_token`, `refresh_token`), but
/// Figure 9 sends the integer 2 (the `token_type` abbreviation of PoP). Both are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TokenTypeHint {
    /// The Table 6 form.
    Text(String),
    /// The Figure 9 form: a token type abbreviation (§8.7).
    TokenType(TokenType),
}

/// RFC 9200 §5.9.1: "a CBOR map with a "token" entry containing the access token".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntrospectionRequest {
    /// `token` (11), REQUIRED.
    pub token: Vec<u8>,
    /// `token_type_hint` (33).
    pub token_type_hint: Option<TokenTypeHint>,
    /// `client_id` (24) (RFC 9200 Figure 19).
    pub client_id: Option<String>,
    /// Parameters this crate does not know, kept as received.
    pub extensions: ParamMap,
    /// The peer's key order, if it was not deterministic.
    pub key_order: KeyOrder,
}

impl IntrospectionRequest {
    /// A request about `token`.
    #[must_use]
    pub fn new(token: Vec<u8>) -> Self {
        IntrospectionRequest {
            token,
            ..Self::default()
        }
    }

    /// The same request with deterministic encoding (no recorded peer order).
    #[must_use]
    pub fn into_deterministic(mut self) -> Self {
        self.key_order = KeyOrder::default();
        self
    }
}

impl AceMessage for IntrospectionRequest {
    fn from_param_map(mut map: ParamMap) -> Result<Self, Error> {
        let key_order = KeyOrder::of(&map);
        let token = map
            .take_bytes(&p::TOKEN)?
            .ok_or(Error::MissingParameter(p::TOKEN.name))?;
        let token_type_hint = match map.take(&p::TOKEN_TYPE_HINT) {
            None => None,
            Some(Value::Text(t)) => Some(TokenTypeHint::Text(t)),
            Some(Value::Integer(i)) => Some(TokenTypeHint::TokenType(TokenType::from_value(
                i64::try_from(i).map_err(|_| Error::ValueOutOfRange(p::TOKEN_TYPE_HINT.name))?,
            ))),
            Some(_) => {
                return Err(Error::WrongType {
                    parameter: p::TOKEN_TYPE_HINT.name,
                    expected: "a text string (or a token type integer)",
                });
            }
        };
        Ok(IntrospectionRequest {
            token,
            token_type_hint,
            client_id: map.take_text(&p::CLIENT_ID)?,
            extensions: map,
            key_order,
        })
    }

    fn to_param_map(&self) -> ParamMap {
        let mut map = with_extensions(&self.extensions);
        map.put(&p::TOKEN, Some(Value::Bytes(self.token.clone())));
        map.put(
            &p::TOKEN_TYPE_HINT,
            self.token_type_hint.as_ref().map(|h| match h {
                TokenTypeHint::Text(t) => Value::Text(t.clone()),
                TokenTypeHint::TokenType(t) => Value::from(t.value()),
            }),
        );
        map.put(&p::CLIENT_ID, self.client_id.clone().map(Value::Text));
        self.key_order.apply(&mut map);
        map
    }
}

/// RFC 9200 §5.9.2: the introspection response (RFC 7662 §2.2 parameters, Table 6 keys,
/// RFC 9201 §4 `cnf`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntrospectionResponse {
    /// `active` (10), REQUIRED (RFC 7662 §2.2); §5.9.3 (AS-38): `false` for an inactive or
    /// invalid token.
    pub active: bool,
    /// `iss` (1).
    pub iss: Option<String>,
    /// `sub` (2).
    pub sub: Option<String>,
    /// `aud` (3).
    pub aud: Option<String>,
    /// `exp` (4).
    pub exp: Option<NumericDate>,
    /// `nbf` (5).
    pub nbf: Option<NumericDate>,
    /// `iat` (6).
    pub iat: Option<NumericDate>,
    /// `cti` (7).
    pub cti: Option<Vec<u8>>,
    /// `cnf` (8), RFC 9201 §5: "REQUIRED if the access token ... is a PoP token".
    pub cnf: Option<Confirmation>,
    /// `scope` (9).
    pub scope: Option<Scope>,
    /// `client_id` (24).
    pub client_id: Option<String>,
    /// `token_type` (34).
    pub token_type: Option<TokenType>,
    /// `username` (35).
    pub username: Option<String>,
    /// `ace_profile` (38).
    pub ace_profile: Option<AceProfile>,
    /// `cnonce` (39): the RS "MUST verify" it is the nonce it gave the client (RS-7).
    pub cnonce: Option<Vec<u8>>,
    /// `exi` (40): seconds (not `nonce1`: labels are per message).
    pub exi: Option<u64>,
    /// Parameters this crate does not know, kept as received.
    pub extensions: ParamMap,
    /// The peer's key order, if it was not deterministic.
    pub key_order: KeyOrder,
}

impl IntrospectionResponse {
    /// RFC 9200 §5.9.3 (AS-38): the answer about an inactive or invalid token.
    #[must_use]
    pub fn inactive() -> Self {
        Self::default()
    }

    /// The same response with deterministic encoding (no recorded peer order).
    #[must_use]
    pub fn into_deterministic(mut self) -> Self {
        self.key_order = KeyOrder::default();
        self.cnf = self.cnf.map(Confirmation::into_deterministic);
        self
    }
}

impl AceMessage for IntrospectionResponse {
    fn from_param_map(mut map: ParamMap) -> Result<Self, Error> {
        let key_order = KeyOrder::of(&map);
        let active = map
            .take_bool(&p::ACTIVE)?
            .ok_or(Error::MissingParameter(p::ACTIVE.name))?;
        Ok(IntrospectionResponse {
            active,
            iss: map.take_text(&p::ISS)?,
            sub: map.take_text(&p::SUB)?,
            aud: map.take_text(&p::AUD)?,
            exp: map.take_date(&p::EXP)?,
            nbf: map.take_date(&p::NBF)?,
            iat: map.take_date(&p::IAT)?,
            cti: map.take_bytes(&p::CTI)?,
            cnf: map.take_cnf(&p::CNF)?,
            scope: map.take_scope(&p::SCOPE)?,
            client_id: map.take_text(&p::CLIENT_ID)?,
            token_type: map.take_int(&p::TOKEN_TYPE)?.map(TokenType::from_value),
            username: map.take_text(&p::USERNAME)?,
            ace_profile: map.take_int(&p::ACE_PROFILE)?.map(AceProfile::from_value),
            cnonce: map.take_bytes(&p::CNONCE)?,
            exi: map.take_uint(&p::EXI)?,
            extensions: map,
            key_order,
        })
    }

    fn to_param_map(&self) -> ParamMap {
        let mut map = with_extensions(&self.extensions);
        map.put(&p::ACTIVE, Some(Value::Bool(self.active)));
        map.put(&p::ISS, self.iss.clone().map(Value::Text));
        map.put(&p::SUB, self.sub.clone().map(Value::Text));
        map.put(&p::AUD, self.aud.clone().map(Value::Text));
        map.put(&p::EXP, self.exp.as_ref().map(date_value));
        map.put(&p::NBF, self.nbf.as_ref().map(date_value));
        map.put(&p::IAT, self.iat.as_ref().map(date_value));
        map.put(&p::CTI, self.cti.clone().map(Value::Bytes));
        map.put(&p::CNF, self.cnf.as_ref().map(Confirmation::to_cbor_value));
        map.put(&p::SCOPE, self.scope.as_ref().map(Scope::to_cbor_value));
        map.put(&p::CLIENT_ID, self.client_id.clone().map(Value::Text));
        map.put(
            &p::TOKEN_TYPE,
            self.token_type.map(|t| Value::from(t.value())),
        );
        map.put(&p::USERNAME, self.username.clone().map(Value::Text));
        map.put(
            &p::ACE_PROFILE,
            self.ace_profile.map(|a| Value::from(a.value())),
        );
        map.put(&p::CNONCE, self.cnonce.clone().map(Value::Bytes));
        map.put(&p::EXI, self.exi.map(Value::from));
        self.key_order.apply(&mut map);
        map
    }
}
