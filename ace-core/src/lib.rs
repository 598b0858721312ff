#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod error;
pub mod env;
pub mod registry;

pub use error::Error;
pub use registry::{AceErrorCode, AceProfile, ContentFormat, GrantType, TokenType};
