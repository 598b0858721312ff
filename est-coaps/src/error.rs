//! The one error type of the crate, with the CoAP response code each error maps to.

use crate::code::Code;
use alloc::string::String;

/// Everything that can go wrong in EST-coaps processing.
///
/// Every variant that reaches the wire maps to exactly one CoAP response code through
/// [`Error::coap_code`] (RFC 9148 §5.5, Table 4). A request refused with any of these
/// errors leaves the CA state unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// RFC 9148 §5.3 / RFC 7030 §4.2.1: a payload is not valid DER (or not the structure its
    /// Content-Format announces). Maps to 4.00.
    #[error("malformed {what}: not valid DER of the expected structure")]
    MalformedDer {
        /// Which structure failed to decode.
        what: &'static str,
    },
    /// RFC 8710 §2: an application/multipart-core body is not a strict CBOR array of
    /// (uint .size 2, bytes / null) pairs. Maps to 4.00.
    #[error("malformed multipart-core payload: {0}")]
    MalformedMultipart(&'static str),
    /// RFC 2986 §3 / RFC 7030 §4.2.1: the CSR's self-signature does not verify. Maps to 4.00.
    #[error("the CSR signature does not verify")]
    CsrSignatureInvalid,
    /// RFC 9148 §4: only ECDSA with P-256 and SHA-256 is supported for keys and signatures.
    /// Maps to 4.00.
    #[error("unsupported key or signature algorithm")]
    UnsupportedAlgorithm,
    /// RFC 7030 §3.5: the CSR's challengePassword does not carry the expected
    /// proof-of-possession linking value. Maps to 4.00.
    #[error("challengePassword does not match the linking value of this session")]
    PopLinkingFailed,
    /// RFC 9148 §5.3: the request Content-Format is not the one the function takes (286 for
    /// /sen, /sren, /skg, /skc). Maps to 4.15.
    #[error("unsupported Content-Format {0:?}")]
    UnsupportedContentFormat(Option<u16>),
    /// RFC 9148 §5.3 / RFC 7252 §5.10.4: the Accept option names a format this function cannot
    /// produce. Maps to 4.06.
    #[error("cannot produce the requested Content-Format {0}")]
    NotAcceptable(u16),
    /// RFC 9148 §5.5: the method is not the one the function uses (GET for /crts and /att,
    /// POST for the others). Maps to 4.05.
    #[error("method not allowed for this EST resource")]
    MethodNotAllowed,
    /// RFC 9148 §5.5: no such EST resource (or the function is not offered). Maps to 4.04.
    #[error("no such EST resource")]
    NotFound,
    /// RFC 9148 §5 (ED-3): the client is not authenticated (no certificate from the DTLS
    /// handshake). Maps to 4.01.
    #[error("client not authenticated")]
    Unauthorized,
    /// RFC 7030 §4.2.2: a re-enrolment whose CSR subject differs from the current
    /// certificate, or whose current certificate was not issued by this CA. Maps to 4.03.
    #[error("re-enrolment identity does not match the current certificate")]
    IdentityMismatch,
    /// RFC 7030 §4.2.3: the CA policy refused the request. Maps to 4.03.
    #[error("refused by CA policy: {0}")]
    PolicyRejected(String),
    /// RFC 9148 §5.7: the CA has not finished; retry the identical request after `max_age`
    /// seconds (5.03 with Max-Age).
    #[error("CA busy, retry after {max_age} s")]
    Pending {
        /// Seconds to wait (the Max-Age option of the 5.03 response).
        max_age: u32,
    },
    /// The CA's configured capacity of issued-certificate records is used up. Maps to 5.03.
    #[error("CA capacity exhausted")]
    CaFull,
    /// RFC 9148 §5.8 / EP-5: the CSR asks for an encrypted private key (Content-Format 280)
    /// but this server's CA has no key generator to sign the key package. Maps to 5.01.
    #[error("encrypted server-generated keys (Content-Format 280) are not offered here")]
    EncryptedKeyUnsupported,
    /// RFC 7030 §4.4.1: the CSR's request for an encrypted key cannot be served: no key
    /// identifier with SMIMECapabilities, both identifiers, no supported key wrap algorithm,
    /// or a key that does not fit the listed algorithms. Maps to 4.00.
    #[error("key protection refused: {0}")]
    KeyProtectionRefused(&'static str),
    /// RFC 7030 §4.4.1.1 / §4.4.1.2: "If the server does not have a [secret / public] key
    /// matching the identifier specified by the client, the request MUST be terminated and an
    /// error returned". Maps to 4.00.
    #[error("no key matching the DecryptKeyIdentifier / AsymmetricDecryptKeyIdentifier")]
    UnknownDecryptKey,
    /// Client side: the encrypted key (Content-Format 280) cannot be decrypted with our key,
    /// or the server sent an unencrypted key when an encrypted one was asked for.
    #[error("server-generated key decryption failed: {0}")]
    KeyDecryptionFailed(&'static str),
    /// Client side: the signed key package inside Content-Format 280 does not check (RFC
    /// 7030 §4.4.2: signature, message digest, or signer not from a trust anchor).
    #[error("key package rejected: {0}")]
    KeyPackageRejected(&'static str),
    /// Building or signing a certificate failed inside the CA. Maps to 5.00.
    #[error("certificate issuing failed: {0}")]
    Issuing(&'static str),
    /// Client side: the server answered with an unexpected code or Content-Format.
    #[error("unexpected response: code {code}, content-format {content_format:?}")]
    UnexpectedResponse {
        /// The response code received.
        code: Code,
        /// The Content-Format received.
        content_format: Option<u16>,
    },
    /// Client side: a received certificate does not chain to the trust anchors or does not
    /// hold the key the client asked for.
    #[error("certificate verification failed: {0}")]
    CertificateRejected(&'static str),
}

impl Error {
    /// RFC 9148 §5.5 (Table 4): the CoAP response code for this error.
    #[must_use]
    pub fn coap_code(&self) -> Code {
        match self {
            Error::MalformedDer { .. }
            | Error::MalformedMultipart(_)
            | Error::CsrSignatureInvalid
            | Error::UnsupportedAlgorithm
            | Error::PopLinkingFailed
            | Error::KeyProtectionRefused(_)
            | Error::UnknownDecryptKey => Code::BAD_REQUEST,
            Error::UnsupportedContentFormat(_) => Code::UNSUPPORTED_CONTENT_FORMAT,
            Error::NotAcceptable(_) => Code::NOT_ACCEPTABLE,
            Error::MethodNotAllowed => Code::METHOD_NOT_ALLOWED,
            Error::NotFound => Code::NOT_FOUND,
            Error::Unauthorized => Code::UNAUTHORIZED,
            Error::IdentityMismatch | Error::PolicyRejected(_) => Code::FORBIDDEN,
            Error::Pending { .. } | Error::CaFull => Code::SERVICE_UNAVAILABLE,
            Error::EncryptedKeyUnsupported => Code::NOT_IMPLEMENTED,
            Error::Issuing(_)
            | Error::UnexpectedResponse { .. }
            | Error::CertificateRejected(_)
            | Error::KeyDecryptionFailed(_)
            | Error::KeyPackageRejected(_) => Code::INTERNAL_SERVER_ERROR,
        }
    }
}
