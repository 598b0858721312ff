//! The one error type of this crate (RFC 8613 §8 and §7).

/// Everything that can go wrong while configuring a context or protecting/unprotecting a message.
///
/// Every failure leaves the security context unchanged (no sequence number consumed, no replay
/// window slot marked). Variants that reach the wire map to exactly one CoAP code through
/// [`Error::coap_code`]; the diagnostic payload RFC 8613 §8 suggests is [`Error::diagnostic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// RFC 8613 §3.3: a Sender/Recipient ID longer than the AEAD nonce allows (nonce length − 6).
    #[error("Sender/Recipient ID too long for the AEAD nonce (RFC 8613 §3.3)")]
    IdTooLong,
    /// RFC 8613 §3.3: Sender ID and Recipient ID of one context must differ.
    #[error("Sender ID and Recipient ID must be distinct (RFC 8613 §3.3)")]
    IdsNotDistinct,
    /// RFC 8613 §3.1: ID Context longer than this implementation's capacity.
    #[error("ID Context longer than the configured capacity (RFC 8613 §3.1)")]
    IdContextTooLong,
    /// RFC 8613 §3.1: Master Secret or Master Salt longer than this implementation's capacity.
    #[error("Master Secret or Master Salt longer than the configured capacity (RFC 8613 §3.1)")]
    KeyMaterialTooLong,
    /// RFC 8613 §3.2.1: the AEAD algorithm identifier is not one this crate implements.
    #[error("unsupported AEAD algorithm (RFC 8613 §3.2.1)")]
    UnsupportedAlgorithm,
    /// RFC 8613 §7.4: the replay window size is zero or larger than the implementation's maximum.
    #[error("replay window size out of range (RFC 8613 §7.4)")]
    InvalidReplayWindowSize,
    /// RFC 8613 §6.1 / §8.2 step 2: the OSCORE option is malformed (reserved bits, n = 6/7,
    /// truncated kid context, flags byte 0x00 on a non-empty value, missing kid or Partial IV
    /// in a request). Answered with 4.02 (Bad Option).
    #[error("malformed OSCORE option (RFC 8613 §6.1)")]
    MalformedOption,
    /// RFC 8613 §8.2 / §8.4: the message carries no OSCORE option but must be protected (fail
    /// closed: it is never processed as if it were protected).
    #[error("message is not OSCORE-protected (RFC 8613 §8.2)")]
    NotProtected,
    /// RFC 8613 §8.2 step 2: no security context for this kid / kid context. 4.01 "Security
    /// context not found".
    #[error("security context not found (RFC 8613 §8.2)")]
    ContextNotFound,
    /// RFC 8613 §8.2 step 6 / §8.4 step 5: AEAD verification failed. 4.00 "Decryption failed".
    #[error("decryption failed (RFC 8613 §8.2)")]
    DecryptionFailed,
    /// RFC 8613 §5.3 / §8.2: the decrypted plaintext is not a valid CoAP code/options/payload
    /// sequence, or carries an option that must never be inner (OSCORE, Uri-Host, Uri-Port,
    /// Proxy-*). Answered with 4.00 (Bad Request).
    #[error("decrypted plaintext is malformed (RFC 8613 §5.3)")]
    MalformedPlaintext,
    /// RFC 8613 §7.4: the Partial IV was already received or lies below the replay window.
    /// 4.01 "Replay detected".
    #[error("replay detected (RFC 8613 §7.4)")]
    Replay,
    /// RFC 8613 §7.4.1: an Observe notification whose Partial IV is not greater than the
    /// stored Notification Number, or a second (or late) notification without Partial IV; it
    /// is not delivered (never reaches the wire).
    #[error("notification is not newer than the last one (RFC 8613 §7.4.1)")]
    StaleNotification,
    /// RFC 8613 §7.2.1: the Sender Sequence Number would exceed 2^40 − 1; a new security
    /// context must be established before anything else is sent.
    #[error("sender sequence number space exhausted (RFC 8613 §7.2.1)")]
    SequenceNumberExhausted,
    /// RFC 8613 Appendix B.1.1: the sequence number could not be persisted ahead of use, so it
    /// is not used (fail closed).
    #[error("sequence number could not be persisted (RFC 8613 Appendix B.1.1)")]
    StorageFailed,
    /// RFC 8613 §4.1.3.3: a Proxy-Uri that cannot be decomposed into Proxy-Scheme, Uri-Host,
    /// Uri-Port, Uri-Path and Uri-Query.
    #[error("Proxy-Uri cannot be decomposed (RFC 8613 §4.1.3.3)")]
    InvalidProxyUri,
    /// The caller's buffer cannot hold the plaintext plus the authentication tag.
    #[error("caller buffer too small")]
    BufferTooSmall,
    /// The caller's output message refused a code, an option or the payload.
    #[error("output message refused a code, option or payload")]
    OutputMessage,
    /// RFC 8613 §4.1.3.5: the message's code cannot be carried (e.g. an Observe request with a
    /// response code).
    #[error("CoAP code not valid here (RFC 8613 §4.2)")]
    InvalidCode,
}

/// CoAP 4.00 Bad Request.
pub const BAD_REQUEST: u8 = 0x80;
/// CoAP 4.01 Unauthorized.
pub const UNAUTHORIZED: u8 = 0x81;
/// CoAP 4.02 Bad Option.
pub const BAD_OPTION: u8 = 0x82;

impl Error {
    /// The CoAP code of the unprotected error response RFC 8613 §8.2/§7.4 prescribes, or `None`
    /// for errors that stay local (configuration, sending side, client-side checks).
    pub fn coap_code(&self) -> Option<u8> {
        match self {
            Error::MalformedOption => Some(BAD_OPTION),
            Error::ContextNotFound | Error::Replay | Error::NotProtected => Some(UNAUTHORIZED),
            Error::DecryptionFailed | Error::MalformedPlaintext => Some(BAD_REQUEST),
            _ => None,
        }
    }

    /// The diagnostic payload RFC 8613 §8.2 suggests for the error response (empty if none).
    pub fn diagnostic(&self) -> &'static str {
        match self {
            Error::ContextNotFound => "Security context not found",
            Error::DecryptionFailed => "Decryption failed",
            Error::Replay => "Replay detected",
            _ => "",
        }
    }

    /// RFC 8613 §8.2/§8.3: write the *unprotected* error response (code, `Max-Age: 0` so no
    /// cache keeps it (§4.1.3.1), diagnostic payload) into `out`. Returns
    /// [`Error::OutputMessage`] for errors that never reach the wire.
    pub fn write_response<O: coap_message::MinimalWritableMessage>(
        &self,
        out: &mut O,
    ) -> Result<(), Error> {
        use coap_message::{Code, OptionNumber};
        let code = self.coap_code().ok_or(Error::OutputMessage)?;
        out.set_code(O::Code::new(code).map_err(|_| Error::OutputMessage)?);
        let max_age =
            O::OptionNumber::new(crate::option_class::MAX_AGE).map_err(|_| Error::OutputMessage)?;
        out.add_option(max_age, &[])
            .map_err(|_| Error::OutputMessage)?;
        out.set_payload(self.diagnostic().as_bytes())
            .map_err(|_| Error::OutputMessage)
    }
}
