//! RFC 9200 §5.8.1: the access token request (Client → AS, POST to `/token`).

use alloc::string::String;
use alloc::vec::Vec;

use ciborium::Value;

use super::{AceMessage, Confirmation, KeyOrder, ParamMap, with_extensions};
use crate::Error;
use crate::registry::oauth as p;
use crate::registry::{AceProfile, GrantType};
use crate::scope::Scope;

/// RFC 9200 §5.8.1, §5.8.4.3: the `ace_profile` parameter of a token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileRequest {
    /// CBOR `null`: "the AS MUST" name the profile in its response (CL-4, AS-9).
    AskAs,
    /// A profile the client wants.
    Profile(AceProfile),
}

/// RFC 9200 §5.8.1: access token request parameters (Table 5, RFC 9201 `req_cnf`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessTokenRequest {
    /// `grant_type` (33); absent means `client_credentials` (§5.8.1), see
    /// [`AccessTokenRequest::effective_grant_type`].
    pub grant_type: Option<GrantType>,
    /// `client_id` (24).
    pub client_id: Option<String>,
    /// `client_secret` (25).
    pub client_secret: Option<Vec<u8>>,
    /// `audience` (5), RFC 8693.
    pub audience: Option<String>,
    /// `scope` (9), text or binary.
    pub scope: Option<Scope>,
    /// `req_cnf` (4), RFC 9201 §3.1: the client's key or a key id.
    pub req_cnf: Option<Confirmation>,
    /// `ace_profile` (38).
    pub ace_profile: Option<ProfileRequest>,
    /// `cnonce` (39), §5.8.4.4: copied from the AS Request Creation Hints.
    pub cnonce: Option<Vec<u8>>,
    /// `code` (29), RFC 6749 §4.1.3.
    pub code: Option<Vec<u8>>,
    /// `redirect_uri` (27), RFC 6749 §4.1.3.
    pub redirect_uri: Option<String>,
    /// `username` (35), RFC 6749 §4.3.2.
    pub username: Option<String>,
    /// `password` (36), RFC 6749 §4.3.2.
    pub password: Option<String>,
    /// `refresh_token` (37), RFC 6749 §6.
    pub refresh_token: Option<Vec<u8>>,
    /// `state` (28).
    pub state: Option<String>,
    /// Parameters this crate does not know (profile extensions), kept as received.
    pub extensions: ParamMap,
    /// The peer's key order, if it was not deterministic.
    pub key_order: KeyOrder,
}

impl AccessTokenRequest {
    /// RFC 9200 §5.8.1 (AS-3): "if missing, the default value "client_credentials" is implied".
    #[must_use]
    pub fn effective_grant_type(&self) -> GrantType {
        self.grant_type.unwrap_or(GrantType::ClientCredentials)
    }

    /// The same request with deterministic encoding (no recorded peer order).
    #[must_use]
    pub fn into_deterministic(mut self) -> Self {
        self.key_order = KeyOrder::default();
        self.req_cnf = self.req_cnf.map(Confirmation::into_deterministic);
        self
    }
}

impl AceMessage for AccessTokenRequest {
    fn from_param_map(mut map: ParamMap) -> Result<Self, Error> {
        let key_order = KeyOrder::of(&map);
        let ace_profile = match map.take(&p::ACE_PROFILE) {
            None => None,
            Some(Value::Null) => Some(ProfileRequest::AskAs),
            Some(Value::Integer(i)) => Some(ProfileRequest::Profile(AceProfile::from_value(
                i64::try_from(i).map_err(|_| Error::ValueOutOfRange(p::ACE_PROFILE.name))?,
            ))),
            Some(_) => {
                return Err(Error::WrongType {
                    parameter: p::ACE_PROFILE.name,
                    expected: "an integer or null",
                });
            }
        };
        Ok(AccessTokenRequest {
            grant_type: map.take_uint(&p::GRANT_TYPE)?.map(GrantType::from_value),
            client_id: map.take_text(&p::CLIENT_ID)?,
            client_secret: map.take_bytes(&p::CLIENT_SECRET)?,
            audience: map.take_text(&p::AUDIENCE)?,
            scope: map.take_scope(&p::SCOPE)?,
            req_cnf: map.take_cnf(&p::REQ_CNF)?,
            ace_profile,
            cnonce: map.take_bytes(&p::CNONCE)?,
            code: map.take_bytes(&p::CODE)?,
            redirect_uri: map.take_text(&p::REDIRECT_URI)?,
            username: map.take_text(&p::USERNAME)?,
            password: map.take_text(&p::PASSWORD)?,
            refresh_token: map.take_bytes(&p::REFRESH_TOKEN)?,
            state: map.take_text(&p::STATE)?,
            extensions: map,
            key_order,
        })
    }

    fn to_param_map(&self) -> ParamMap {
        let mut map = with_extensions(&self.extensions);
        map.put(
            &p::GRANT_TYPE,
            self.grant_type.map(|g| Value::from(g.value())),
        );
        map.put(&p::CLIENT_ID, self.client_id.clone().map(Value::Text));
        map.put(
            &p::CLIENT_SECRET,
            self.client_secret.clone().map(Value::Bytes),
        );
        map.put(&p::AUDIENCE, self.audience.clone().map(Value::Text));
        map.put(&p::SCOPE, self.scope.as_ref().map(Scope::to_cbor_value));
        map.put(
            &p::REQ_CNF,
            self.req_cnf.as_ref().map(Confirmation::to_cbor_value),
        );
        map.put(
            &p::ACE_PROFILE,
            self.ace_profile.map(|a| match a {
                ProfileRequest::AskAs => Value::Null,
                ProfileRequest::Profile(p) => Value::from(p.value()),
            }),
        );
        map.put(&p::CNONCE, self.cnonce.clone().map(Value::Bytes));
        map.put(&p::CODE, self.code.clone().map(Value::Bytes));
        map.put(&p::REDIRECT_URI, self.redirect_uri.clone().map(Value::Text));
        map.put(&p::USERNAME, self.username.clone().map(Value::Text));
        map.put(&p::PASSWORD, self.password.clone().map(Value::Text));
        map.put(
            &p::REFRESH_TOKEN,
            self.refresh_token.clone().map(Value::Bytes),
        );
        map.put(&p::STATE, self.state.clone().map(Value::Text));
        self.key_order.apply(&mut map);
        map
    }
}
