#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod algorithm;
pub mod ca;
pub mod client;
pub mod code;
pub mod content_format;
pub mod csr;
pub mod csrattrs;
pub mod decrypt_keys;
pub mod discovery;
pub mod enveloped_key;
pub mod error;
pub mod function;
pub mod key_package;
pub mod key_protection;
pub mod keygen;
pub mod multipart;
pub mod pkcs7;
mod profile;
pub mod server;

pub use ca::{
    ApproveAll, Ca, CertificateAuthority, Decision, IssueRequest, IssuedRecord, Policy,
    RequestKind, UnixTime,
};
pub use client::{ClientRequest, ClientResponse, Enrollment, EnrollmentState, EstClient, Step};
pub use code::{Code, Method};
pub use content_format::ContentFormat;
pub use csr::{UncheckedCsr, VerifiedCsr, build_csr, build_serverkeygen_csr};
pub use csrattrs::{AttrOrOid, CsrAttrs, Oid};
pub use decrypt_keys::DecryptKeys;
pub use enveloped_key::{KeyDecryption, Recipient};
pub use error::Error;
pub use function::{EstPath, Function};
pub use key_package::KeySigner;
pub use key_protection::{KeyProtection, KeyWrap, ProtectionKey};
pub use multipart::{Multipart, Part};
pub use pkcs7::CertsOnly;
pub use server::{EstServer, Request, Response};

/// Re-exported so users name the same types: `x509_cert::Certificate`, `Name`, and p256 keys.
pub use {der, p256, x509_cert};
