//! What the AS knows about its clients and resource servers (RFC 9200 §5.5, §5.8.1
//! `audience`): registration itself is out of scope of the RFC, these are its results.

use alloc::string::String;
use alloc::vec::Vec;

use ace_cwt::{Algorithm, KeyMaterial, PopKey, Protection};

use crate::AceProfile;

/// A registered client (RFC 9200 §5.5, RFC 6749 §2.3.1).
#[derive(Clone, Debug)]
pub struct ClientEntry {
    /// RFC 6749 §2.2: the client identifier.
    pub client_id: String,
    /// RFC 6749 §2.3.1: the client secret, when the client authenticates with one.
    pub secret: Option<Vec<u8>>,
    /// RFC 9200 §5.8.4.3: the profiles the client supports, in its order of preference.
    pub profiles: Vec<AceProfile>,
    /// The audience used when a token request names none (RFC 9200 §5.8.1 `audience` is
    /// OPTIONAL).
    pub default_audience: Option<String>,
    /// RFC 9201 §3.1: "The AS MUST verify that the client really is in possession of the
    /// corresponding key". The keys listed here were proven at registration (or by the
    /// secure channel, e.g. a DTLS raw public key); a `req_cnf` must name one of them.
    pub public_keys: Vec<PopKey>,
}

impl ClientEntry {
    /// A client authenticating with `client_id` and `secret`.
    pub fn with_secret(client_id: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        Self {
            client_id: client_id.into(),
            secret: Some(secret.into()),
            profiles: alloc::vec![AceProfile::CoapDtls, AceProfile::CoapOscore],
            default_audience: None,
            public_keys: Vec::new(),
        }
    }
}

/// The kind of an asymmetric PoP key (RFC 9053 §7), for "keys the RS can process"
/// (RFC 9200 §5.8.3 `unsupported_pop_key`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsymmetricKeyType {
    /// EC2 P-256.
    P256,
    /// OKP Ed25519.
    Ed25519,
    /// OKP X25519.
    X25519,
}

impl AsymmetricKeyType {
    /// The type of `key`, `None` for a symmetric key.
    pub fn of(key: &PopKey) -> Option<Self> {
        match key.material() {
            KeyMaterial::Symmetric(_) => None,
            KeyMaterial::P256Public(_) | KeyMaterial::P256Private(_) => Some(Self::P256),
            KeyMaterial::Ed25519Public(_) | KeyMaterial::Ed25519Private(_) => Some(Self::Ed25519),
            KeyMaterial::X25519Public(_) | KeyMaterial::X25519Private(_) => Some(Self::X25519),
        }
    }
}

/// How the AS hands a token to the client for this RS.
#[derive(Clone, Debug)]
pub enum TokenFormat {
    /// A CWT protected as given (RFC 8392): the RS verifies it locally.
    SelfContained(alloc::boxed::Box<Protection>),
    /// A random reference; the RS introspects it (RFC 9200 §5.9, §5.10.1).
    Reference,
}

/// A resource server the AS issues tokens for, found by `audience` (RFC 9200 §5.8.1).
#[derive(Clone, Debug)]
pub struct RsEntry {
    /// The audience string (the `aud` claim), also the RS identifier in `exi` tokens' `cti`.
    pub audience: String,
    /// RFC 9200 §5.8.4.3: the profiles the RS supports, in its order of preference.
    pub profiles: Vec<AceProfile>,
    /// The token format and protection.
    pub token_format: TokenFormat,
    /// RFC 9200 §5.8.1: the COSE algorithm of symmetric PoP keys the AS generates.
    pub symmetric_pop_alg: Algorithm,
    /// RFC 9200 §5.8.3: the asymmetric key types the RS can process (`req_cnf`).
    pub asymmetric_pop_types: Vec<AsymmetricKeyType>,
    /// RFC 8747 §3.3 / RFC 9200 §6.1: the key and algorithm that encrypt a symmetric PoP key
    /// for the RS when the token itself is not encrypted (Sign1, Mac0).
    pub cnf_key_encryption: Option<(PopKey, Algorithm)>,
    /// RFC 9201 §3.2: the RS's public key, returned as `rs_cnf` with asymmetric PoP keys.
    pub rs_public_key: Option<PopKey>,
    /// RFC 9200 §5.10.3: the RS has no synchronized clock; tokens carry `exi` and a `cti`
    /// with the per-RS sequence number.
    pub clockless: bool,
    /// Token lifetime in seconds (`expires_in`, `exp`/`exi`).
    pub token_lifetime: u64,
    /// RFC 9200 §5.9: the identity (from the secure channel) the RS introspects with.
    pub introspection_identity: Option<String>,
}

impl RsEntry {
    /// An RS known as `audience`, with self-contained tokens protected by `protection`,
    /// AES-CCM-16-64-128 PoP keys, both profiles, one-hour tokens.
    pub fn new(audience: impl Into<String>, protection: Protection) -> Self {
        Self {
            audience: audience.into(),
            profiles: alloc::vec![AceProfile::CoapDtls, AceProfile::CoapOscore],
            token_format: TokenFormat::SelfContained(alloc::boxed::Box::new(protection)),
            symmetric_pop_alg: Algorithm::AesCcm16_64_128,
            asymmetric_pop_types: alloc::vec![AsymmetricKeyType::P256, AsymmetricKeyType::Ed25519],
            cnf_key_encryption: None,
            rs_public_key: None,
            clockless: false,
            token_lifetime: 3600,
            introspection_identity: None,
        }
    }
}
