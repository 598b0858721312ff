#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod algorithm;
mod cbor_reader;
pub mod claims;
pub mod cnf;
mod compact_token;
mod content_encryption;
mod deterministic;
mod error;
mod header;
mod key_id;
mod mac;
mod pop_key;
mod protection;
mod sign;
pub mod structure;
mod verification;

pub use algorithm::{Algorithm, Operation};
pub use claims::{ClaimKey, Claims, NumericDate};
pub use cnf::Cnf;
pub use error::Error;
pub use key_id::KeyId;
pub use pop_key::{KeyMaterial, PopKey, SymmetricKey};
pub use protection::{Protection, issue};
pub use structure::Structure;
pub use verification::{KeySet, KeyStore, MAX_NESTING, VerifiedLayer, VerifiedToken, verify};

/// Re-exported so that users name the same COSE and CBOR types.
pub use {ciborium, coset};
