//! The CBOR abbreviations of RFC 9200 §8 (with RFC 9201 §6 and RFC 9203 §9.3), one key table
//! per message, and the value registries.
//!
//! Labels are per message: 40 is `exi` in an introspection response (Table 6) but `nonce1` in
//! the "OAuth Parameters CBOR Mappings" registry (RFC 9203 §9.3); 2 is `expires_in` in a token
//! response but `kid` in the AS Request Creation Hints. Each table below therefore lists only
//! the keys of its own message.

mod creation_hints;
mod introspection;
mod oauth_parameters;
mod parameter;
mod values;

pub use parameter::{Parameter, ValueType};
pub use values::{
    AUTHZ_INFO_RESOURCE_TYPE, AceErrorCode, AceProfile, ContentFormat, GrantType, TokenType,
};

/// RFC 9200 §5.3 Table 1: AS Request Creation Hints.
pub mod hints {
    pub use super::creation_hints::*;
}
/// RFC 9200 §5.9.4 Table 6 (with RFC 9201 §6 `cnf`): token introspection parameters.
pub mod introspect {
    pub use super::introspection::*;
}
/// RFC 9200 §5.8.5 Table 5 / §8.10, RFC 9201 §6, RFC 9203 §9.3: "OAuth Parameters CBOR
/// Mappings", used by token requests and responses and extended by profiles.
pub mod oauth {
    pub use super::oauth_parameters::*;
}
