//! Protecting requests and responses (RFC 8613 §8.1, §8.3).

use coap_message::WithSortedOptions;
use coap_message::{Code, MessageOption, MinimalWritableMessage, OptionNumber, ReadableMessage};

use crate::aad::{MAX_AAD_LEN, aad, endpoint_aad};
use crate::error::Error;
use crate::exchange::{EchoChallenge, RequestId, ResponsePartialIv};
use crate::option_class::{
    ECHO, OBSERVE, OptionClass, PROXY_URI, URI_HOST, URI_PATH, URI_PORT, URI_QUERY, classify,
};
use crate::oscore_option::{MAX_ENCODED_LEN, OSCORE, OscoreOption};
use crate::partial_iv::PartialIv;
use crate::plaintext::PlaintextWriter;
use crate::proxy_uri::{DecomposedProxyUri, MAX_PROXY_URI_LEN};
use crate::security_context::{Bytes, MAX_ECHO_LEN, SecurityContext};
use crate::sequence_store::SequenceStore;

/// CoAP 0.02 POST: the outer code of requests (RFC 8613 §4.2).
pub const POST: u8 = 0x02;
/// CoAP 0.05 FETCH: the outer code of Observe requests (RFC 8613 §4.2).
pub const FETCH: u8 = 0x05;
/// CoAP 2.04 Changed: the outer code of responses (RFC 8613 §4.2).
pub const CHANGED: u8 = 0x44;
/// CoAP 2.05 Content: the outer code of Observe responses (RFC 8613 §4.2).
pub const CONTENT: u8 = 0x45;

pub(crate) fn add<O: MinimalWritableMessage>(out: &mut O, n: u16, v: &[u8]) -> Result<(), Error> {
    let n = O::OptionNumber::new(n).map_err(|_| Error::OutputMessage)?;
    out.add_option(n, v).map_err(|_| Error::OutputMessage)
}

pub(crate) fn set_code<O: MinimalWritableMessage>(out: &mut O, code: u8) -> Result<(), Error> {
    out.set_code(O::Code::new(code).map_err(|_| Error::OutputMessage)?);
    Ok(())
}

fn is_request_code(code: u8) -> bool {
    code >> 5 == 0 && code != 0
}

fn is_response_code(code: u8) -> bool {
    (2..=5).contains(&(code >> 5))
}

/// RFC 8613 §4.1.3.3: the request's Proxy-Uri, copied into `buf`; a request that also carries
/// Uri-Host, Uri-Port, Uri-Path or Uri-Query (RFC 7252 §5.10.2) or a second Proxy-Uri is refused.
fn proxy_uri<'b, M: ReadableMessage>(
    request: &M,
    buf: &'b mut [u8; MAX_PROXY_URI_LEN],
) -> Result<Option<&'b [u8]>, Error> {
    let mut len = None;
    let mut uri_options = false;
    for o in request.options() {
        match o.number() {
            PROXY_URI => {
                let v = o.value();
                if len.is_some() {
                    return Err(Error::InvalidProxyUri);
                }
                buf.get_mut(..v.len())
                    .ok_or(Error::InvalidProxyUri)?
                    .copy_from_slice(v);
                len = Some(v.len());
            }
            URI_HOST | URI_PORT | URI_PATH | URI_QUERY => uri_options = true,
            _ => {}
        }
    }
    match len {
        Some(_) if uri_options => Err(Error::InvalidProxyUri),
        Some(n) => Ok(buf.get(..n)),
        None => Ok(None),
    }
}

/// What the single pass over a request's options found (RFC 8613 §4.1, §4.2).
struct RequestScan {
    /// Length of the plaintext written into the caller's buffer.
    plaintext_len: usize,
    /// Observe is present: the outer code is FETCH (§4.2).
    observe: bool,
    /// Some option is class U or E+U: the outer options need their own pass.
    outer_options: bool,
}

/// RFC 8613 §5.3 / §4.1 in one pass over the options of a request without Proxy-Uri: the
/// plaintext (inner code, class E options, payload) into `buf`. `None` when the request has a
/// Proxy-Uri or the plaintext does not fit (the general path then handles it).
fn request_plaintext<M: ReadableMessage>(
    request: &M,
    buf: &mut [u8],
    code: u8,
) -> Option<RequestScan> {
    let mut w = PlaintextWriter::new(buf, code).ok()?;
    let (mut observe, mut outer_options) = (false, false);
    for o in request.options() {
        let n = o.number();
        match classify(n) {
            OptionClass::Inner => w.option(n, o.value()).ok()?,
            OptionClass::Both => {
                observe |= n == OBSERVE;
                outer_options = true;
                w.option(n, o.value()).ok()?;
            }
            OptionClass::Outer if n == PROXY_URI => return None,
            OptionClass::Outer => outer_options = true,
        }
    }
    let (_, plaintext_len) = w.finish(request.payload()).ok()?;
    Some(RequestScan {
        plaintext_len,
        observe,
        outer_options,
    })
}

impl<S: SequenceStore> SecurityContext<S> {
    /// RFC 8613 §8.1: protect `request` into `out`, using `buf` for the plaintext and then the
    /// ciphertext (it needs room for the inner code, class E options, payload and the tag).
    ///
    /// Class E options go into the plaintext; Uri-Host, Uri-Port, Proxy-Scheme and the outer
    /// Observe stay outside (§4.1); the outer code is POST, or FETCH with Observe (§4.2).
    /// Token, message ID and type are the caller's (they are not part of OSCORE). Returns the
    /// binding to verify the response with. Allocates nothing.
    pub fn protect_request<M, O>(
        &mut self,
        request: &M,
        buf: &mut [u8],
        out: &mut O,
    ) -> Result<RequestId, Error>
    where
        M: ReadableMessage + WithSortedOptions,
        O: MinimalWritableMessage,
    {
        let code: u8 = request.code().into();
        if !is_request_code(code) {
            return Err(Error::InvalidCode);
        }
        // Without Proxy-Uri the plaintext is written in the same pass that finds Observe and
        // the outer options; anything else (Proxy-Uri, an error) takes the general path, which
        // starts over and so reports exactly its own errors in its own order.
        let Some(scan) = request_plaintext(request, buf, code) else {
            return self.protect_request_general(request, code, buf, out);
        };
        let piv = self.reserve_sequence_number()?;
        self.seal_request(request, None, &scan, piv, buf, out)
    }

    /// [`SecurityContext::protect_request`] for any request, Proxy-Uri (§4.1.3.3) included:
    /// one pass finds Proxy-Uri, one Observe, one writes the plaintext.
    fn protect_request_general<M, O>(
        &mut self,
        request: &M,
        code: u8,
        buf: &mut [u8],
        out: &mut O,
    ) -> Result<RequestId, Error>
    where
        M: ReadableMessage + WithSortedOptions,
        O: MinimalWritableMessage,
    {
        // The 1 KiB scratch for Proxy-Uri is only initialised when one is present.
        let mut proxy_uri_buf: [u8; MAX_PROXY_URI_LEN];
        let proxy = if request.options().any(|o| o.number() == PROXY_URI) {
            proxy_uri_buf = [0u8; MAX_PROXY_URI_LEN];
            match proxy_uri(request, &mut proxy_uri_buf)? {
                Some(uri) => Some(DecomposedProxyUri::parse(uri)?),
                None => None,
            }
        } else {
            None
        };
        let observe = request.options().any(|o| o.number() == OBSERVE);
        let piv = self.reserve_sequence_number()?;
        let mut w = PlaintextWriter::new(buf, code)?;
        let (mut path_due, mut query_due) = (proxy.is_some(), proxy.is_some());
        for o in request.options() {
            if let Some(p) = proxy.as_ref() {
                if path_due && o.number() > URI_PATH {
                    p.write_path(&mut w)?;
                    path_due = false;
                }
                if query_due && o.number() > URI_QUERY {
                    p.write_query(&mut w)?;
                    query_due = false;
                }
            }
            match classify(o.number()) {
                OptionClass::Inner | OptionClass::Both => w.option(o.number(), o.value())?,
                OptionClass::Outer => {}
            }
        }
        if let Some(p) = proxy.as_ref() {
            if path_due {
                p.write_path(&mut w)?;
            }
            if query_due {
                p.write_query(&mut w)?;
            }
        }
        let (_, plaintext_len) = w.finish(request.payload())?;
        let scan = RequestScan {
            plaintext_len,
            observe,
            outer_options: true,
        };
        self.seal_request(request, proxy.as_ref(), &scan, piv, buf, out)
    }

    /// RFC 8613 §8.1 steps 2–5 for a request whose plaintext is in `buf`: encrypt with the
    /// reserved `piv`, then write the outer message (code, class U options with the OSCORE
    /// option in its place, ciphertext).
    fn seal_request<M, O>(
        &mut self,
        request: &M,
        proxy: Option<&DecomposedProxyUri<'_>>,
        scan: &RequestScan,
        piv: PartialIv,
        buf: &mut [u8],
        out: &mut O,
    ) -> Result<RequestId, Error>
    where
        M: ReadableMessage + WithSortedOptions,
        O: MinimalWritableMessage,
    {
        let kid = self.sender_id;
        let nonce = self.sender_nonce.with(piv);
        let mut aad_buf = [0u8; MAX_AAD_LEN];
        let aad_len = endpoint_aad(
            self.sender_aad.as_ref(),
            &mut aad_buf,
            self.alg.cose_id(),
            kid.as_bytes(),
            piv,
        )?;
        let ct_len = self.sender_cipher.seal(
            &nonce,
            aad_buf.get(..aad_len).unwrap_or(&[]),
            buf,
            scan.plaintext_len,
        )?;
        self.consume_sequence_number();

        let mut opt_buf = [0u8; MAX_ENCODED_LEN];
        let opt = match self.sender_option.as_ref() {
            Some(template) => {
                let len = template.write(piv, &mut opt_buf);
                opt_buf.get(..len).unwrap_or(&[])
            }
            None => OscoreOption {
                partial_iv: Some(piv),
                kid_context: self.id_context.as_ref().map(|c| c.as_bytes()),
                kid: Some(kid.as_bytes()),
            }
            .encode(&mut opt_buf)?,
        };
        set_code(out, if scan.observe { FETCH } else { POST })?;
        if scan.outer_options {
            let mut oscore_written = false;
            for o in request.options() {
                if classify(o.number()) == OptionClass::Inner {
                    continue;
                }
                if !oscore_written && o.number() > OSCORE {
                    add(out, OSCORE, opt)?;
                    oscore_written = true;
                }
                match (o.number(), proxy) {
                    (PROXY_URI, Some(p)) => add(out, PROXY_URI, p.outer)?,
                    _ => add(out, o.number(), o.value())?,
                }
            }
            if !oscore_written {
                add(out, OSCORE, opt)?;
            }
        } else {
            add(out, OSCORE, opt)?;
        }
        out.set_payload(buf.get(..ct_len).unwrap_or(&[]))
            .map_err(|_| Error::OutputMessage)?;
        Ok(RequestId {
            kid,
            piv,
            notification_number: None,
            notification_without_piv: false,
        })
    }

    /// RFC 8613 §8.3: protect `response` to the request `request` into `out`.
    ///
    /// With [`ResponsePartialIv::Own`], or whenever the response carries Observe (a
    /// notification, §4.1.3.5.2), the server's own sequence number is used and sent as Partial
    /// IV; otherwise the request's nonce is reused and the OSCORE option is empty. The inner
    /// Observe of a notification is empty and the outer carries the value (§4.1.3.5.2); the
    /// outer code is 2.04, or 2.05 with Observe (§4.2).
    pub fn protect_response<M, O>(
        &mut self,
        request: &RequestId,
        response: &M,
        partial_iv: ResponsePartialIv,
        buf: &mut [u8],
        out: &mut O,
    ) -> Result<(), Error>
    where
        M: ReadableMessage + WithSortedOptions,
        O: MinimalWritableMessage,
    {
        let code: u8 = response.code().into();
        if !is_response_code(code) {
            return Err(Error::InvalidCode);
        }
        let observe = response.options().any(|o| o.number() == OBSERVE);
        let mut w = PlaintextWriter::new(buf, code)?;
        for o in response.options() {
            match classify(o.number()) {
                OptionClass::Inner => w.option(o.number(), o.value())?,
                OptionClass::Both => w.option(o.number(), &[])?,
                OptionClass::Outer => {}
            }
        }
        let (buf, pt_len) = w.finish(response.payload())?;
        let own = observe || partial_iv == ResponsePartialIv::Own;
        self.seal_response(request, own, buf, pt_len, out, |out| {
            for o in response.options() {
                if o.number() == OBSERVE {
                    add(out, OBSERVE, o.value())?;
                }
            }
            Ok(observe)
        })
    }

    /// RFC 8613 Appendix B.1.2 / RFC 9175 §2.4: answer an authentic request received while the
    /// replay window is unknown with a protected 4.01 that carries only `echo` (1..=40 bytes,
    /// chosen by the caller, unpredictable), using the server's own Partial IV. The next request
    /// that repeats `echo` re-establishes the window.
    pub fn protect_echo_challenge<O: MinimalWritableMessage>(
        &mut self,
        challenge: EchoChallenge,
        echo: &[u8],
        buf: &mut [u8],
        out: &mut O,
    ) -> Result<(), Error> {
        if echo.is_empty() {
            return Err(Error::OutputMessage);
        }
        let value = Bytes::<MAX_ECHO_LEN>::new(echo, Error::OutputMessage)?;
        let mut w = PlaintextWriter::new(buf, crate::error::UNAUTHORIZED)?;
        w.option(ECHO, echo)?;
        let (buf, pt_len) = w.finish(&[])?;
        self.seal_response(&challenge.request, true, buf, pt_len, out, |_| Ok(false))?;
        self.pending_echo = Some(value);
        Ok(())
    }

    fn seal_response<O: MinimalWritableMessage>(
        &mut self,
        request: &RequestId,
        own_piv: bool,
        buf: &mut [u8],
        pt_len: usize,
        out: &mut O,
        outer_observe: impl FnOnce(&mut O) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        let req_piv = request.piv.encode();
        let mut aad_buf = [0u8; MAX_AAD_LEN];
        let aad_len = aad(
            &mut aad_buf,
            self.alg.cose_id(),
            request.kid.as_bytes(),
            req_piv.as_bytes(),
        )?;
        let own: Option<PartialIv> = if own_piv {
            Some(self.reserve_sequence_number()?)
        } else {
            None
        };
        let nonce = match own {
            Some(p) => self.sender_nonce.with(p),
            None => self.nonce(request.kid.as_bytes(), request.piv),
        };
        let ct_len =
            self.sender_cipher
                .seal(&nonce, aad_buf.get(..aad_len).unwrap_or(&[]), buf, pt_len)?;
        if own.is_some() {
            self.consume_sequence_number();
        }
        let option = OscoreOption {
            partial_iv: own,
            kid_context: None,
            kid: None,
        };
        let mut opt_buf = [0u8; MAX_ENCODED_LEN];
        let opt = option.encode(&mut opt_buf)?;
        // Outer options must be added in order: Observe (6) before OSCORE (9).
        let observe = outer_observe(out)?;
        set_code(out, if observe { CONTENT } else { CHANGED })?;
        add(out, OSCORE, opt)?;
        out.set_payload(buf.get(..ct_len).unwrap_or(&[]))
            .map_err(|_| Error::OutputMessage)
    }
}
