//! The one error type of this crate.

use alloc::string::String;

/// Every way a token, a key or a confirmation can be refused.
///
/// Each variant names the RFC section whose requirement it enforces. Refusing never changes
/// any state: the functions of this crate are pure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// RFC 8392 §7.2 step 1: the input is not well-formed CBOR.
    #[error("malformed CBOR: {0}")]
    MalformedCbor(String),
    /// RFC 8949 §5.3 / RFC 8392 §7.2 step 1: bytes follow the CBOR item.
    #[error("trailing bytes after the CBOR item")]
    TrailingBytes,
    /// RFC 8949 §5.6 / RFC 9052 §3, §7: a map has the same key twice.
    #[error("duplicate map key")]
    DuplicateMapKey,
    /// RFC 9052 §2, §4.2, §6.2, §5.2: the COSE structure does not have the shape of its CDDL.
    #[error("malformed COSE structure: {0}")]
    MalformedCose(String),
    /// RFC 8392 §6 (POP-13): the CWT tag 61 must prefix a COSE-tagged object.
    #[error("CWT tag 61 is not followed by a COSE tag")]
    CwtTagWithoutCoseTag,
    /// RFC 8392 §7.2 step 3: a tag other than COSE_Sign1 (18), COSE_Mac0 (17) or
    /// COSE_Encrypt0 (16) (COSE_Sign, COSE_Mac and COSE_Encrypt are not supported).
    #[error("unsupported CBOR tag {0}")]
    UnsupportedTag(u64),
    /// RFC 8392 §7.2 step 3: an untagged object whose type cannot be told from its shape and
    /// algorithm.
    #[error("cannot tell which COSE structure this is")]
    UnknownStructure,
    /// RFC 9052 §3.1: the protected header carries no `alg` (label 1).
    #[error("no algorithm in the protected header")]
    MissingAlgorithm,
    /// RFC 9053 §2, §3, §4: an algorithm this crate does not implement.
    #[error("unsupported COSE algorithm {0}")]
    UnsupportedAlgorithm(i64),
    /// RFC 9052 §3.1 / RFC 8747 §3.2: the algorithm does not fit the key (wrong key type,
    /// wrong key length, or the key's own `alg` differs), or does not fit the operation.
    #[error("algorithm does not match the key or the operation")]
    AlgorithmKeyMismatch,
    /// RFC 8392 §7.2 step 4 / RFC 9052 §3.1: a critical header parameter this crate does not
    /// understand.
    #[error("unsupported critical header parameter")]
    UnsupportedCriticalHeader,
    /// RFC 9052 §3: a header parameter appears in both the protected and the unprotected bucket.
    #[error("header parameter in both protected and unprotected header")]
    DuplicateHeaderParameter,
    /// RFC 9052 §3.1: the key store holds no key for this `kid` (or none at all without kid).
    #[error("no key for kid {0}")]
    UnknownKid(String),
    /// RFC 9052 §4.4: the signature does not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// RFC 9052 §6.3: the MAC tag does not verify.
    #[error("MAC verification failed")]
    BadMac,
    /// RFC 9052 §5.3: authenticated decryption failed.
    #[error("decryption failed")]
    DecryptionFailed,
    /// RFC 9053 §4.1, §4.2: the IV is missing or has the wrong length for the algorithm.
    #[error("missing or invalid IV")]
    InvalidIv,
    /// RFC 9052 §4.1, §6.1: the payload is detached (nil); a CWT always carries its claims.
    #[error("detached payload")]
    DetachedPayload,
    /// RFC 8392 §7.2 step 6: nesting deeper than this crate follows.
    #[error("COSE nesting too deep")]
    NestingTooDeep,
    /// RFC 8392 §7.2 step 7: the payload is not a CBOR map of claims.
    #[error("claims set is not a CBOR map")]
    ClaimsNotAMap,
    /// RFC 8392 §3.1 / RFC 9200 §5.10: a claim has the wrong CBOR type.
    #[error("claim {0} has the wrong type")]
    ClaimType(i64),
    /// RFC 9052 §7, RFC 9053 §7: a COSE_Key is missing a member, has one of the wrong type or
    /// size, or its public and private parts disagree.
    #[error("invalid COSE_Key: {0}")]
    InvalidKey(&'static str),
    /// RFC 9053 §7: a key type or curve this crate does not implement.
    #[error("unsupported key type or curve")]
    UnsupportedKeyType,
    /// RFC 9052 §7.1: the key's `key_ops` do not include the operation asked for.
    #[error("the key's key_ops do not permit this operation")]
    KeyOperationNotPermitted,
    /// An operation needs the private part of an asymmetric key that only has its public part.
    #[error("the key has no private part")]
    MissingPrivateKey,
    /// RFC 8747 §3.1 (POP-2): a `cnf` must represent a single key.
    #[error("cnf carries more than one proof-of-possession key")]
    MultipleConfirmationKeys,
    /// RFC 8747 §3.1: a `cnf` map without any confirmation method.
    #[error("cnf has no confirmation method")]
    EmptyConfirmation,
    /// RFC 8747 §3.3: Encrypted_COSE_Key as COSE_Encrypt (with recipients) is not supported.
    #[error("Encrypted_COSE_Key as COSE_Encrypt is not supported")]
    UnsupportedEncryptedKey,
}

impl Error {
    /// The CoAP response code for this error when it is the result of checking a token POSTed
    /// to `/authz-info` (RFC 9200 §5.10.1.1): a token that is not valid gets 4.01
    /// (Unauthorized); input that is not even a CBOR item of the right shape gets 4.00
    /// (Bad Request).
    pub fn coap_code(&self) -> u8 {
        use coap_numbers::code;
        match self {
            Error::MalformedCbor(_)
            | Error::TrailingBytes
            | Error::DuplicateMapKey
            | Error::MalformedCose(_)
            | Error::CwtTagWithoutCoseTag
            | Error::UnsupportedTag(_)
            | Error::UnknownStructure => code::BAD_REQUEST,
            _ => code::UNAUTHORIZED,
        }
    }
}

impl From<coset::CoseError> for Error {
    fn from(e: coset::CoseError) -> Self {
        use alloc::string::ToString;
        match &e {
            coset::CoseError::DuplicateMapKey => Error::DuplicateMapKey,
            coset::CoseError::ExtraneousData => Error::TrailingBytes,
            coset::CoseError::DecodeFailed(_) => Error::MalformedCbor(e.to_string()),
            _ => Error::MalformedCose(e.to_string()),
        }
    }
}
