#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod as_server;
pub mod client;
pub mod endpoint;
pub mod env;
mod error;
pub mod message;
mod pop_key_use;
pub mod registry;
pub mod resource_server;
pub mod scope;

pub use error::Error;
pub use message::{
    AccessTokenRequest, AccessTokenResponse, AceMessage, Confirmation, CreationHints,
    ErrorResponse, IntrospectionRequest, IntrospectionResponse, ParamMap,
};
pub use pop_key_use::PopKeyUse;
pub use registry::{AceErrorCode, AceProfile, ContentFormat, GrantType, TokenType};
pub use scope::{AifScope, RestMethodSet, Scope, TextScope};
