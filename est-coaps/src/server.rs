//! The EST-coaps server engine (RFC 9148 §5): maps one complete CoAP request (after Block1
//! reassembly, RFC 9148 §5.6) to one response. Sans-IO: no sockets, time and randomness are
//! arguments; the DTLS layer hands in the client's certificate.

use crate::ca::{CertificateAuthority, IssueRequest, RequestKind, UnixTime};
use crate::code::{Code, Method};
use crate::content_format::ContentFormat;
use crate::csr::{UncheckedCsr, VerifiedCsr};
use crate::decrypt_keys::DecryptKeys;
use crate::discovery::{self, WELL_KNOWN_CORE};
use crate::error::Error;
use crate::function::{EstPath, Function};
use crate::multipart::Multipart;
use crate::pkcs7::CertsOnly;
use crate::{algorithm, enveloped_key, key_package, keygen};
use alloc::string::ToString;
use alloc::vec::Vec;
use der::Encode;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

/// One complete request, as the CoAP layer saw it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The method.
    pub method: Method,
    /// The Uri-Path segments.
    pub uri_path: &'a [&'a str],
    /// The Uri-Query items (for discovery filters).
    pub uri_query: &'a [&'a str],
    /// The Content-Format option, if present.
    pub content_format: Option<u16>,
    /// The Accept option, if present.
    pub accept: Option<u16>,
    /// The (reassembled) payload.
    pub payload: &'a [u8],
    /// The certificate the client authenticated with in the DTLS handshake (RFC 9148 §4).
    pub client: Option<&'a Certificate>,
    /// RFC 7030 §3.5: the linking value expected in the CSR's challengePassword, if the
    /// server requires proof-of-possession linking for this session.
    pub pop_link: Option<&'a [u8]>,
}

/// The response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The response code.
    pub code: Code,
    /// The Content-Format option.
    pub content_format: Option<u16>,
    /// The Max-Age option (RFC 9148 §5.7: with 5.03 when the CA is slow).
    pub max_age: Option<u32>,
    /// The payload (DER, multipart-core, link-format, or a diagnostic text on errors).
    pub payload: Vec<u8>,
}

impl Response {
    /// The error response for `e`: its code, a diagnostic payload (RFC 7252 §5.5.2), and
    /// Max-Age for [`Error::Pending`].
    #[must_use]
    pub fn from_error(e: &Error) -> Response {
        Response {
            code: e.coap_code(),
            content_format: None,
            max_age: match e {
                Error::Pending { max_age } => Some(*max_age),
                _ => None,
            },
            payload: e.to_string().into_bytes(),
        }
    }

    fn ok(function: Function, format: ContentFormat, payload: Vec<u8>) -> Response {
        Response {
            code: function.success_code(),
            content_format: Some(format.id()),
            max_age: None,
            payload,
        }
    }
}

/// An EST-coaps server over a CA.
#[derive(Debug)]
pub struct EstServer<C: CertificateAuthority> {
    path: EstPath,
    ca: C,
    functions: Vec<Function>,
    decrypt_keys: DecryptKeys,
}

fn der_err(_: der::Error) -> Error {
    Error::Issuing("encoding")
}

impl<C: CertificateAuthority> EstServer<C> {
    /// A server offering every function under `path` (RFC 9148 §5.2: /crts, /sen and /sren
    /// are mandatory; /skg, /skc and /att optional).
    pub fn new(path: EstPath, ca: C) -> Self {
        EstServer {
            path,
            ca,
            functions: Function::ALL.to_vec(),
            decrypt_keys: DecryptKeys::new(),
        }
    }

    /// RFC 7030 §4.4.1: the keys /skg and /skc may encrypt generated keys to (Content-Format
    /// 280). Without them only a client's own key agreement certificate can be named.
    #[must_use]
    pub fn with_decrypt_keys(mut self, keys: DecryptKeys) -> Self {
        self.decrypt_keys = keys;
        self
    }

    /// Restricts the offered functions (the mandatory ones are always kept).
    #[must_use]
    pub fn with_functions(mut self, optional: &[Function]) -> Self {
        self.functions = Function::ALL
            .into_iter()
            .filter(|f| {
                matches!(f, Function::Crts | Function::Sen | Function::Sren) || optional.contains(f)
            })
            .collect();
        self
    }

    /// The CA.
    pub fn ca(&self) -> &C {
        &self.ca
    }

    /// The CA, mutably (to change its policy).
    pub fn ca_mut(&mut self) -> &mut C {
        &mut self.ca
    }

    /// Handles a request; errors become their CoAP error response.
    pub fn handle<R: CryptoRng + ?Sized>(
        &mut self,
        request: &Request<'_>,
        now: UnixTime,
        rng: &mut R,
    ) -> Response {
        self.try_handle(request, now, rng)
            .unwrap_or_else(|e| Response::from_error(&e))
    }

    /// Handles a request, returning the specific error on failure (nothing is issued then).
    ///
    /// # Errors
    /// Any [`Error`] a request can cause; see [`Error::coap_code`].
    pub fn try_handle<R: CryptoRng + ?Sized>(
        &mut self,
        request: &Request<'_>,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<Response, Error> {
        if request.uri_path == WELL_KNOWN_CORE {
            if request.method != Method::Get {
                return Err(Error::MethodNotAllowed);
            }
            if request
                .accept
                .is_some_and(|a| a != ContentFormat::LinkFormat.id())
            {
                return Err(Error::NotAcceptable(request.accept.unwrap_or(0)));
            }
            let body = discovery::link_format(&self.path, &self.functions, request.uri_query);
            return Ok(Response {
                code: Code::CONTENT,
                content_format: Some(ContentFormat::LinkFormat.id()),
                max_age: None,
                payload: body.into_bytes(),
            });
        }
        let function = self
            .path
            .match_path(request.uri_path)
            .filter(|f| self.functions.contains(f))
            .ok_or(Error::NotFound)?;
        if request.method != function.method() {
            return Err(Error::MethodNotAllowed);
        }
        // RFC 9148 §5 (ED-3): the client MUST be authenticated for all functions.
        let client = request.client.ok_or(Error::Unauthorized)?;
        if let Some(expected) = function.request_format()
            && request.content_format != Some(expected.id())
        {
            return Err(Error::UnsupportedContentFormat(request.content_format));
        }
        let format = function.negotiate(request.accept)?;
        match function {
            Function::Crts => self.crts(format),
            Function::Att => {
                let attrs = self.ca.csr_attributes();
                // RFC 7030 §4.5.2 (HTTP 204/404) -> RFC 9148 §5.5: 4.04 when there are none.
                if attrs.entries.is_empty() {
                    return Err(Error::NotFound);
                }
                Ok(Response::ok(function, format, attrs.to_der()?))
            }
            Function::Sen | Function::Sren => {
                let csr = VerifiedCsr::from_der(request.payload)?;
                if let Some(link) = request.pop_link
                    && csr.challenge_password().as_deref() != Some(link)
                {
                    return Err(Error::PopLinkingFailed);
                }
                let kind = if function == Function::Sren {
                    // RFC 7030 §4.2.2: the current certificate (the one the client
                    // authenticated with) must be ours, and the subject must not change.
                    let ours = self
                        .ca
                        .ca_certificates()
                        .iter()
                        .any(|ca| algorithm::verify_issued_by(client, ca).is_ok());
                    if !ours || client.tbs_certificate().subject() != csr.subject() {
                        return Err(Error::IdentityMismatch);
                    }
                    RequestKind::Reenroll
                } else {
                    RequestKind::Enroll
                };
                let spki = csr.request().info.public_key.clone();
                let issue = IssueRequest {
                    kind,
                    subject: csr.subject(),
                    client: Some(client),
                    csr_digest: Sha256::digest(request.payload).into(),
                };
                let cert = self.ca.issue(&issue, spki, now)?;
                Ok(Response::ok(function, format, cert_payload(cert, format)?))
            }
            Function::Skg | Function::Skc => {
                let csr = UncheckedCsr::from_der(request.payload)?;
                // RFC 7030 §4.4.1 / RFC 9148 §5.8: the key format follows the CSR (EP-5/6);
                // everything that can refuse the request is checked before the CA issues.
                let protection = csr.key_protection()?;
                let sealing = match &protection {
                    None => None,
                    Some(p) => {
                        if self.ca.key_generator().is_none() {
                            return Err(Error::EncryptedKeyUnsupported);
                        }
                        Some(self.decrypt_keys.recipient(p, Some(client))?)
                    }
                };
                // RFC 9148 §5.8 (EP-7): the CSR's public key and signature are ignored.
                let key = keygen::KeyPair::generate(rng)?;
                let issue = IssueRequest {
                    kind: RequestKind::ServerKeygen,
                    subject: csr.subject(),
                    client: Some(client),
                    csr_digest: Sha256::digest(request.payload).into(),
                };
                let cert = self.ca.issue(&issue, key.spki()?, now)?;
                let pkcs8 = key.pkcs8_der()?;
                let (key_format, key_bytes) = match sealing {
                    None => (ContentFormat::Pkcs8, pkcs8),
                    Some((recipient, wrap)) => {
                        let signer = self
                            .ca
                            .key_generator()
                            .ok_or(Error::EncryptedKeyUnsupported)?;
                        let signed = key_package::sign(&pkcs8, signer)?;
                        let sealed = enveloped_key::seal(&signed, recipient, wrap, rng)?;
                        (ContentFormat::Pkcs7ServerGeneratedKey, sealed)
                    }
                };
                let (cert_format, cert_bytes) = if function == Function::Skg {
                    let p7 = CertsOnly::new(alloc::vec![cert]).to_der()?;
                    (ContentFormat::Pkcs7CertsOnly, p7)
                } else {
                    (ContentFormat::PkixCert, cert.to_der().map_err(der_err)?)
                };
                let body = Multipart::new()
                    .with(key_format, key_bytes.as_slice())
                    .with(cert_format, &cert_bytes)
                    .to_vec();
                Ok(Response::ok(function, format, body))
            }
        }
    }

    fn crts(&self, format: ContentFormat) -> Result<Response, Error> {
        let certs = self.ca.ca_certificates();
        let payload = if format == ContentFormat::PkixCert {
            certs
                .first()
                .ok_or(Error::NotFound)?
                .to_der()
                .map_err(der_err)?
        } else {
            CertsOnly::new(certs.to_vec()).to_der()?
        };
        Ok(Response::ok(Function::Crts, format, payload))
    }
}

/// The certificate in the negotiated format: 281 (certs-only) or 287 (one DER certificate).
fn cert_payload(cert: Certificate, format: ContentFormat) -> Result<Vec<u8>, Error> {
    if format == ContentFormat::PkixCert {
        cert.to_der().map_err(der_err)
    } else {
        CertsOnly::new(alloc::vec![cert]).to_der()
    }
}
