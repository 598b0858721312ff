//! What binds a response to its request (RFC 8613 §5.4 `request_kid`/`request_piv`, §7.4.1
//! Notification Number).

use crate::identifier::OscoreId;
use crate::partial_iv::PartialIv;

/// The request's kid and Partial IV, which the response's AAD (and, without its own Partial
/// IV, its nonce) is built from (RFC 8613 §5.4, §8.3). Keep it with the CoAP token for as long
/// as responses may arrive (§7.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId {
    pub(crate) kid: OscoreId,
    pub(crate) piv: PartialIv,
    /// RFC 8613 §7.4.1: the Partial IV of the newest notification accepted for this
    /// registration (client side).
    pub(crate) notification_number: Option<PartialIv>,
    /// RFC 8613 §7.4.1: a notification without Partial IV (the request's nonce) was accepted;
    /// "a client MUST only accept at most one".
    pub(crate) notification_without_piv: bool,
}

impl RequestId {
    /// The request's kid (the client's Sender ID).
    pub fn kid(&self) -> &[u8] {
        self.kid.as_bytes()
    }
    /// The request's Partial IV.
    pub fn partial_iv(&self) -> PartialIv {
        self.piv
    }
    /// RFC 8613 §7.4.1: the Notification Number (newest accepted notification), if any.
    pub fn notification_number(&self) -> Option<PartialIv> {
        self.notification_number
    }
    /// RFC 8613 §7.4.1: whether the one notification without Partial IV a client may accept
    /// has been accepted.
    pub fn notification_without_partial_iv_seen(&self) -> bool {
        self.notification_without_piv
    }
}

/// Whether a response carries its own Partial IV (RFC 8613 §5 / §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponsePartialIv {
    /// Reuse the request's nonce: no Partial IV in the response (the usual case).
    #[default]
    FromRequest,
    /// Use the server's own Sender Sequence Number (always done for Observe notifications).
    Own,
}

/// The result of [`unprotect_request`](crate::SecurityContext::unprotect_request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum VerifiedRequest {
    /// Authentic and fresh: the decrypted request was written to the output message.
    Fresh(RequestId),
    /// RFC 8613 Appendix B.1.2: authentic, but the replay window is unknown after a reboot;
    /// nothing was written. Answer with
    /// [`protect_echo_challenge`](crate::SecurityContext::protect_echo_challenge).
    EchoRequired(EchoChallenge),
}

/// An authentic request that must be answered with a protected 4.01 carrying Echo (RFC 8613
/// Appendix B.1.2, RFC 9175 §2.4 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoChallenge {
    pub(crate) request: RequestId,
}

impl EchoChallenge {
    /// The request being answered.
    pub fn request(&self) -> &RequestId {
        &self.request
    }
}
