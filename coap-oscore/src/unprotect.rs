//! Verifying requests and responses (RFC 8613 §8.2, §8.4, Appendix B.1.2).

use coap_message::{MessageOption, MinimalWritableMessage, ReadableMessage, WithSortedOptions};
use subtle::ConstantTimeEq;

use crate::aad::{MAX_AAD_LEN, aad, endpoint_aad};
use crate::error::Error;
use crate::exchange::{EchoChallenge, RequestId, VerifiedRequest};
use crate::option_class::{ECHO, OBSERVE, kept_from_outer_request};
use crate::oscore_option::{OSCORE, OscoreOption};
use crate::partial_iv::PartialIv;
use crate::plaintext::Plaintext;
use crate::protect::{add, set_code};
use crate::security_context::SecurityContext;
use crate::sequence_store::SequenceStore;

/// Room for one OSCORE option value while it is decoded (longer values cannot name any
/// context of this crate: IDs have at most 7 bytes and ID Contexts at most 32).
pub const OPTION_SCRATCH_LEN: usize = 300;

/// RFC 8613 §8.2 step 1: the OSCORE option of a received message, copied into `scratch` and
/// decoded strictly; `Ok(None)` when the message has none. Lets a server holding several
/// contexts pick one by kid and kid context (Appendix B.2) before calling
/// [`SecurityContext::unprotect_request`]. A repeated OSCORE option is malformed.
pub fn peek_oscore_option<'s, M: ReadableMessage>(
    message: &M,
    scratch: &'s mut [u8; OPTION_SCRATCH_LEN],
) -> Result<Option<OscoreOption<'s>>, Error> {
    match find_oscore_option(message, scratch)? {
        None => Ok(None),
        Some(len) => OscoreOption::decode(scratch.get(..len).unwrap_or(&[])).map(Some),
    }
}

impl<S: SequenceStore> SecurityContext<S> {
    /// RFC 8613 §8.2: verify and decrypt a protected request into `out` (inner code, the
    /// outer Uri-Host/Uri-Port/Proxy-Scheme and the inner options in order, payload), using
    /// `buf` for the plaintext (decrypted into it straight from the message; it needs at least
    /// the length of the protected payload, tag included). Allocates nothing.
    ///
    /// Errors, each leaving the context unchanged: no OSCORE option ([`Error::NotProtected`]),
    /// malformed option or missing kid/Partial IV (4.02), kid or kid context not this
    /// context's (4.01 "Security context not found"), replay (4.01), AEAD failure (4.00
    /// "Decryption failed"), malformed plaintext (4.00). After a reboot (Appendix B.1.2) an
    /// authentic request without the expected Echo yields [`VerifiedRequest::EchoRequired`].
    pub fn unprotect_request<M, O>(
        &mut self,
        request: &M,
        buf: &mut [u8],
        out: &mut O,
    ) -> Result<VerifiedRequest, Error>
    where
        M: ReadableMessage + WithSortedOptions,
        O: MinimalWritableMessage,
    {
        // §8.2 step 1, decoded straight from the message (no copy of the option value); the
        // same pass notes whether outer options must be merged into the output (step 7).
        let mut found = None;
        let mut outer_kept = false;
        for o in request.options() {
            let n = o.number();
            if n == OSCORE {
                if found.is_some() {
                    return Err(Error::MalformedOption);
                }
                // Longer values name no context (as in `find_oscore_option`).
                if o.value().len() > OPTION_SCRATCH_LEN {
                    return Err(Error::ContextNotFound);
                }
                found = Some(self.request_option(o.value()));
            } else {
                outer_kept |= kept_from_outer_request(n);
            }
        }
        let option = found.ok_or(Error::NotProtected)??;
        // RFC 8613 §2: an OSCORE option without payload is malformed.
        if request.payload().is_empty() {
            return Err(Error::MalformedOption);
        }
        let (Some(piv), Some(kid_matches)) = (option.partial_iv, option.kid_matches) else {
            return Err(Error::MalformedOption);
        };
        if !kid_matches || !option.kid_context_matches {
            return Err(Error::ContextNotFound);
        }
        let window_unknown = self.replay.is_unknown();
        if !window_unknown {
            self.replay.check(piv)?;
        }
        let kid = self.recipient_id;
        let nonce = self.recipient_nonce.with(piv);
        let mut aad_buf = [0u8; MAX_AAD_LEN];
        let aad_len = endpoint_aad(
            self.recipient_aad.as_ref(),
            &mut aad_buf,
            self.alg.cose_id(),
            kid.as_bytes(),
            piv,
        )?;
        let pt_len = self.recipient_cipher.open(
            &nonce,
            aad_buf.get(..aad_len).unwrap_or(&[]),
            request.payload(),
            buf,
        )?;
        let plaintext = Plaintext::parse(buf.get(..pt_len).unwrap_or(&[]))?;
        let request_id = RequestId {
            kid,
            piv,
            notification_number: None,
            notification_without_piv: false,
        };
        if window_unknown {
            let echoed = plaintext
                .options()
                .find(|(n, _)| *n == ECHO)
                .map(|(_, v)| v);
            let matches = match (&self.pending_echo, echoed) {
                (Some(expected), Some(got)) => bool::from(expected.as_bytes().ct_eq(got)),
                _ => false,
            };
            if !matches {
                return Ok(VerifiedRequest::EchoRequired(EchoChallenge {
                    request: request_id,
                }));
            }
        }
        write_request(request, outer_kept, &plaintext, out)?;
        if window_unknown {
            self.replay.restart_at(piv);
            self.pending_echo = None;
        } else {
            // Checked above, and the window has not changed since.
            self.replay.mark(piv);
        }
        Ok(VerifiedRequest::Fresh(request_id))
    }

    /// RFC 8613 §8.4: verify and decrypt a protected response to `request` into `out` (inner
    /// code, inner options, payload; a notification's Observe carries the outer value).
    ///
    /// A response with its own Partial IV uses the server's nonce (§8.4 step 3). For Observe
    /// notifications the Partial IV must exceed the Notification Number kept in `request`
    /// ([`Error::StaleNotification`], §7.4.1), which is updated on success; at most one
    /// notification without Partial IV is accepted, and none after one with a Partial IV
    /// (it is the oldest, §7.4.1, §8.4.2). A response without
    /// OSCORE option is [`Error::NotProtected`] (its code may be an unprotected error, §8.2).
    pub fn unprotect_response<M, O>(
        &mut self,
        request: &mut RequestId,
        response: &M,
        buf: &mut [u8],
        out: &mut O,
    ) -> Result<(), Error>
    where
        M: ReadableMessage + WithSortedOptions,
        O: MinimalWritableMessage,
    {
        let mut option_bytes = [0u8; OPTION_SCRATCH_LEN];
        let option_len =
            find_oscore_option(response, &mut option_bytes)?.ok_or(Error::NotProtected)?;
        let option = OscoreOption::decode(option_bytes.get(..option_len).unwrap_or(&[]))?;
        if response.payload().is_empty() {
            return Err(Error::MalformedOption);
        }
        let notification = response.options().any(|o| o.number() == OBSERVE);
        if let (true, Some(piv), Some(last)) =
            (notification, option.partial_iv, request.notification_number)
            && piv <= last
        {
            return Err(Error::StaleNotification);
        }
        let req_piv = request.piv.encode();
        let nonce = match option.partial_iv {
            Some(piv) => self.recipient_nonce.with(piv),
            None => self.nonce(request.kid.as_bytes(), request.piv),
        };
        let mut aad_buf = [0u8; MAX_AAD_LEN];
        let aad_len = aad(
            &mut aad_buf,
            self.alg.cose_id(),
            request.kid.as_bytes(),
            req_piv.as_bytes(),
        )?;
        let pt_len = self.recipient_cipher.open(
            &nonce,
            aad_buf.get(..aad_len).unwrap_or(&[]),
            response.payload(),
            buf,
        )?;
        let plaintext = Plaintext::parse(buf.get(..pt_len).unwrap_or(&[]))?;
        // RFC 8613 §7.4.1, §8.4.2 A: at most one notification (Inner Observe present) without
        // Partial IV, and it is the oldest: refused once any notification was accepted.
        let piv_less_notification =
            option.partial_iv.is_none() && plaintext.options().any(|(n, _)| n == OBSERVE);
        if piv_less_notification
            && (request.notification_without_piv || request.notification_number.is_some())
        {
            return Err(Error::StaleNotification);
        }
        set_code(out, plaintext.code)?;
        let mut outer_observe = [0u8; 4];
        let mut outer_observe_len = None;
        for o in response.options() {
            if o.number() == OBSERVE {
                let v = o.value();
                if let Some(dst) = outer_observe.get_mut(..v.len()) {
                    dst.copy_from_slice(v);
                    outer_observe_len = Some(v.len());
                }
            }
        }
        for (n, v) in plaintext.options() {
            match (n, outer_observe_len) {
                (OBSERVE, Some(len)) => add(out, n, outer_observe.get(..len).unwrap_or(&[]))?,
                _ => add(out, n, v)?,
            }
        }
        out.set_payload(plaintext.payload)
            .map_err(|_| Error::OutputMessage)?;
        if let (true, Some(piv)) = (notification, option.partial_iv) {
            request.notification_number = Some(piv);
        }
        if piv_less_notification {
            request.notification_without_piv = true;
        }
        Ok(())
    }
}

/// What [`SecurityContext::unprotect_request`] needs from a request's OSCORE option value.
struct RequestOption {
    partial_iv: Option<PartialIv>,
    /// `None` without kid; otherwise whether it is this context's Recipient ID.
    kid_matches: Option<bool>,
    /// True without kid context or when it is this context's ID Context.
    kid_context_matches: bool,
}

impl<S: SequenceStore> SecurityContext<S> {
    /// RFC 8613 §6.1: decode one OSCORE option value strictly and compare its kid and kid
    /// context with this context.
    fn request_option(&self, value: &[u8]) -> Result<RequestOption, Error> {
        // The usual request: exactly this context's kid (and kid context) with a Partial IV.
        if let Some(piv) = self
            .recipient_option
            .as_ref()
            .and_then(|t| t.partial_iv_of(value))
        {
            return Ok(RequestOption {
                partial_iv: Some(piv),
                kid_matches: Some(true),
                kid_context_matches: true,
            });
        }
        self.request_option_general(value)
    }

    /// [`Self::request_option`] for any other value: the strict general decoder (kept out of
    /// line so that the option pass does not carry its set-up).
    #[cold]
    #[inline(never)]
    fn request_option_general(&self, value: &[u8]) -> Result<RequestOption, Error> {
        let option = OscoreOption::decode(value)?;
        Ok(RequestOption {
            partial_iv: option.partial_iv,
            kid_matches: option.kid.map(|kid| kid == self.recipient_id.as_bytes()),
            kid_context_matches: option
                .kid_context
                .is_none_or(|ctx| Some(ctx) == self.id_context()),
        })
    }
}

/// Copies the single OSCORE option value into `out` (it is at most 255 + 14 bytes in any
/// message this crate can verify); `Ok(None)` without one; a repeated one is malformed.
pub(crate) fn find_oscore_option<M: ReadableMessage>(
    message: &M,
    out: &mut [u8; OPTION_SCRATCH_LEN],
) -> Result<Option<usize>, Error> {
    let mut len = None;
    for o in message.options() {
        if o.number() == OSCORE {
            if len.is_some() {
                return Err(Error::MalformedOption);
            }
            let v = o.value();
            out.get_mut(..v.len())
                .ok_or(Error::ContextNotFound)?
                .copy_from_slice(v);
            len = Some(v.len());
        }
    }
    Ok(len)
}

/// RFC 8613 §8.2 step 7: the decrypted request: inner code, outer options that address the
/// request (Uri-Host, Uri-Port, Proxy-*) merged in order with the inner options, payload.
/// `outer_kept` says whether `outer` has any such option.
fn write_request<M: ReadableMessage, O: MinimalWritableMessage>(
    outer: &M,
    outer_kept: bool,
    plaintext: &Plaintext<'_>,
    out: &mut O,
) -> Result<(), Error> {
    set_code(out, plaintext.code)?;
    if !outer_kept {
        for (n, v) in plaintext.options() {
            add(out, n, v)?;
        }
        return out
            .set_payload(plaintext.payload)
            .map_err(|_| Error::OutputMessage);
    }
    let mut outer_opts = outer
        .options()
        .filter(|o| kept_from_outer_request(o.number()))
        .peekable();
    for (n, v) in plaintext.options() {
        while let Some(o) = outer_opts.next_if(|o| o.number() <= n) {
            add(out, o.number(), o.value())?;
        }
        add(out, n, v)?;
    }
    for o in outer_opts {
        add(out, o.number(), o.value())?;
    }
    out.set_payload(plaintext.payload)
        .map_err(|_| Error::OutputMessage)
}
