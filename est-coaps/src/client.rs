//! The EST-coaps client engine (RFC 9148 §5): builds requests and checks responses, with the
//! delayed-response loop of RFC 9148 §5.7 (5.03 + Max-Age: wait, resend the identical CSR).

use crate::algorithm;
use crate::ca::UnixTime;
use crate::code::{Code, Method};
use crate::content_format::ContentFormat;
use crate::csr::VerifiedCsr;
use crate::enveloped_key::{self, KeyDecryption};
use crate::error::Error;
use crate::function::{EstPath, Function};
use crate::key_package;
use crate::multipart::Multipart;
use crate::pkcs7::{CertsOnly, certificate_from_der};
use alloc::string::String;
use alloc::vec::Vec;
use der::Decode;
use p256::ecdsa::SigningKey;
use p256::pkcs8::DecodePrivateKey;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

/// A request for the CoAP layer to send (as a CON message, RFC 9148 §5.4 ED-11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    /// The method.
    pub method: Method,
    /// The Uri-Path segments.
    pub uri_path: Vec<String>,
    /// The Content-Format option.
    pub content_format: Option<u16>,
    /// The Accept option.
    pub accept: Option<u16>,
    /// The payload.
    pub payload: Vec<u8>,
}

/// A response as the CoAP layer received it (after Block2 reassembly).
#[derive(Debug, Clone, Copy)]
pub struct ClientResponse<'a> {
    /// The response code.
    pub code: Code,
    /// The Content-Format option.
    pub content_format: Option<u16>,
    /// The Max-Age option.
    pub max_age: Option<u32>,
    /// The payload.
    pub payload: &'a [u8],
}

/// The EST-coaps client: where the server's resources are and which CAs it trusts
/// (RFC 9148 §4, ED-2: the Implicit/Explicit TA database).
#[derive(Debug, Clone)]
pub struct EstClient {
    path: EstPath,
    trust_anchors: Vec<Certificate>,
}

fn unexpected(r: &ClientResponse<'_>) -> Error {
    Error::UnexpectedResponse {
        code: r.code,
        content_format: r.content_format,
    }
}

fn certs_from(format: Option<u16>, payload: &[u8]) -> Result<Vec<Certificate>, Error> {
    match format.and_then(ContentFormat::from_id) {
        Some(ContentFormat::Pkcs7CertsOnly) => {
            Ok(CertsOnly::from_der(payload)?.into_certificates())
        }
        Some(ContentFormat::PkixCert) => Ok(alloc::vec![certificate_from_der(payload)?]),
        _ => Err(Error::UnsupportedContentFormat(format)),
    }
}

impl EstClient {
    /// A client for the resources under `path`, trusting `trust_anchors`.
    #[must_use]
    pub fn new(path: EstPath, trust_anchors: Vec<Certificate>) -> Self {
        EstClient {
            path,
            trust_anchors,
        }
    }

    /// The current trust anchors.
    #[must_use]
    pub fn trust_anchors(&self) -> &[Certificate] {
        &self.trust_anchors
    }

    /// RFC 9148 §10 (EP-27): replaces the Explicit TA database, e.g. with /crts results the
    /// user accepted.
    pub fn set_trust_anchors(&mut self, anchors: Vec<Certificate>) {
        self.trust_anchors = anchors;
    }

    fn request(
        &self,
        f: Function,
        accept: Option<ContentFormat>,
        payload: Vec<u8>,
    ) -> ClientRequest {
        ClientRequest {
            method: f.method(),
            uri_path: self.path.segments(f),
            content_format: f.request_format().map(ContentFormat::id),
            accept: accept.map(ContentFormat::id),
            payload,
        }
    }

    /// GET /crts (RFC 9148 §5.3), asking for `accept` (281 or 287; `None` = server default).
    #[must_use]
    pub fn cacerts_request(&self, accept: Option<ContentFormat>) -> ClientRequest {
        self.request(Function::Crts, accept, Vec::new())
    }

    /// Parses a /crts response (2.05 with 281 or 287) into certificates.
    ///
    /// # Errors
    /// [`Error::UnexpectedResponse`], [`Error::UnsupportedContentFormat`] or a decoding error.
    pub fn on_cacerts(&self, response: &ClientResponse<'_>) -> Result<Vec<Certificate>, Error> {
        if response.code != Code::CONTENT {
            return Err(unexpected(response));
        }
        certs_from(response.content_format, response.payload)
    }

    /// GET /att.
    #[must_use]
    pub fn csrattrs_request(&self) -> ClientRequest {
        self.request(Function::Att, None, Vec::new())
    }

    /// Starts /sen (or /sren with `reenroll`) for a signed CSR; the response certificate must
    /// certify the CSR's key and chain to a trust anchor.
    ///
    /// # Errors
    /// [`Error::MalformedDer`] if the CSR cannot be encoded.
    pub fn enroll(
        &self,
        csr: &VerifiedCsr,
        reenroll: bool,
        accept: Option<ContentFormat>,
    ) -> Result<Enrollment, Error> {
        let f = if reenroll {
            Function::Sren
        } else {
            Function::Sen
        };
        let expected = crate::keygen::spki_of(csr.public_key())?;
        Ok(Enrollment {
            function: f,
            request: self.request(f, accept, csr.to_der()?),
            expected_key: Some(expected),
            trust_anchors: self.trust_anchors.clone(),
            state: EnrollmentState::Ready,
            decryption: None,
        })
    }

    /// Starts /skg (PKCS#7 certificate) or /skc (`pkix_cert`: a single certificate) with a
    /// CSR in DER (its key is ignored by the server, RFC 9148 §5.8).
    #[must_use]
    pub fn serverkeygen(&self, csr_der: Vec<u8>, pkix_cert: bool) -> Enrollment {
        let f = if pkix_cert {
            Function::Skc
        } else {
            Function::Skg
        };
        Enrollment {
            function: f,
            request: self.request(f, Some(ContentFormat::MultipartCore), csr_der),
            expected_key: None,
            trust_anchors: self.trust_anchors.clone(),
            state: EnrollmentState::Ready,
            decryption: None,
        }
    }
}

/// Where an enrolment stands (RFC 9148 §5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentState {
    /// The request may be sent now.
    Ready,
    /// The server said 5.03 + Max-Age: resend the identical request at this time.
    Waiting {
        /// When to resend.
        until: UnixTime,
    },
    /// A certificate was received and checked.
    Done,
}

/// The result of one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// /sen or /sren: the issued certificate.
    Issued(Certificate),
    /// /skg or /skc: the server-generated key (PKCS#8 DER) and its certificate.
    IssuedWithKey {
        /// The private key, PKCS#8 DER (Content-Format 284, or taken out of 280).
        pkcs8: Vec<u8>,
        /// The certificate.
        certificate: Certificate,
    },
    /// RFC 9148 §5.7: wait until this time, then send [`Enrollment::request`] again.
    RetryAt(UnixTime),
}

/// One enrolment exchange (sen, sren, skg or skc).
#[derive(Debug, Clone)]
pub struct Enrollment {
    function: Function,
    request: ClientRequest,
    expected_key: Option<SubjectPublicKeyInfoOwned>,
    trust_anchors: Vec<Certificate>,
    state: EnrollmentState,
    decryption: Option<KeyDecryption>,
}

impl Enrollment {
    /// The function.
    #[must_use]
    pub fn function(&self) -> Function {
        self.function
    }

    /// RFC 7030 §4.4.2: expect the server-generated key encrypted (Content-Format 280) and
    /// open it with `key` (the CSR must ask for it: [`crate::build_serverkeygen_csr`]). The
    /// key package's signer must chain to the trust anchors; an unencrypted key is refused.
    #[must_use]
    pub fn decrypting_with(mut self, key: KeyDecryption) -> Self {
        self.decryption = Some(key);
        self
    }

    /// The state.
    #[must_use]
    pub fn state(&self) -> EnrollmentState {
        self.state
    }

    /// The request to send at `now`: always the identical CSR (RFC 9148 §5.7); `None` while
    /// waiting for Max-Age to pass or after completion.
    #[must_use]
    pub fn request(&self, now: UnixTime) -> Option<&ClientRequest> {
        match self.state {
            EnrollmentState::Ready => Some(&self.request),
            EnrollmentState::Waiting { until } if now >= until => Some(&self.request),
            _ => None,
        }
    }

    /// Processes a response received at `now`.
    ///
    /// # Errors
    /// [`Error::UnexpectedResponse`] for an error code, decoding errors, or
    /// [`Error::CertificateRejected`] when the certificate does not chain to a trust anchor or
    /// does not certify the expected key. The state is unchanged on error.
    pub fn on_response(
        &mut self,
        response: &ClientResponse<'_>,
        now: UnixTime,
    ) -> Result<Step, Error> {
        if self.state == EnrollmentState::Done {
            return Err(unexpected(response));
        }
        if response.code == Code::SERVICE_UNAVAILABLE
            && let Some(max_age) = response.max_age
        {
            let until = UnixTime(now.0.saturating_add(u64::from(max_age)));
            self.state = EnrollmentState::Waiting { until };
            return Ok(Step::RetryAt(until));
        }
        if response.code != self.function.success_code() {
            return Err(unexpected(response));
        }
        let step = match self.function {
            Function::Sen | Function::Sren => {
                let cert = certs_from(response.content_format, response.payload)?
                    .into_iter()
                    .next()
                    .ok_or(Error::CertificateRejected("no certificate in the response"))?;
                self.check(&cert, self.expected_key.as_ref())?;
                Step::Issued(cert)
            }
            _ => {
                if response.content_format != Some(ContentFormat::MultipartCore.id()) {
                    return Err(Error::UnsupportedContentFormat(response.content_format));
                }
                let mp = Multipart::decode(response.payload)?;
                let encrypted = mp.find(ContentFormat::Pkcs7ServerGeneratedKey);
                let pkcs8 = match (&self.decryption, mp.find(ContentFormat::Pkcs8), encrypted) {
                    (None, Some(plain), None) => plain.to_vec(),
                    (Some(key), None, Some(sealed)) => {
                        let signed = enveloped_key::open(sealed, key)?;
                        key_package::verify(&signed, &self.trust_anchors)?
                    }
                    (Some(_), Some(_), _) => {
                        return Err(Error::KeyDecryptionFailed(
                            "an encrypted key was asked for, the server sent it unencrypted",
                        ));
                    }
                    (None, _, Some(_)) => {
                        return Err(Error::KeyDecryptionFailed(
                            "the server sent an encrypted key that was not asked for",
                        ));
                    }
                    _ => return Err(Error::MalformedMultipart("no private key part")),
                };
                let cert = if self.function == Function::Skg {
                    let der = mp
                        .find(ContentFormat::Pkcs7CertsOnly)
                        .ok_or(Error::MalformedMultipart("no certs-only part"))?;
                    CertsOnly::from_der(der)?
                        .into_certificates()
                        .into_iter()
                        .next()
                        .ok_or(Error::CertificateRejected("no certificate in the response"))?
                } else {
                    let der = mp
                        .find(ContentFormat::PkixCert)
                        .ok_or(Error::MalformedMultipart("no pkix-cert part"))?;
                    certificate_from_der(der)?
                };
                let key = SigningKey::from_pkcs8_der(&pkcs8)
                    .map_err(|_| Error::MalformedDer { what: "PKCS#8 key" })?;
                let spki = crate::keygen::spki_of(key.verifying_key())?;
                self.check(&cert, Some(&spki))?;
                Step::IssuedWithKey {
                    pkcs8,
                    certificate: cert,
                }
            }
        };
        self.state = EnrollmentState::Done;
        Ok(step)
    }

    fn check(
        &self,
        cert: &Certificate,
        key: Option<&SubjectPublicKeyInfoOwned>,
    ) -> Result<(), Error> {
        if let Some(k) = key
            && cert.tbs_certificate().subject_public_key_info() != k
        {
            return Err(Error::CertificateRejected("certificate is for another key"));
        }
        if !self
            .trust_anchors
            .iter()
            .any(|ta| algorithm::verify_issued_by(cert, ta).is_ok())
        {
            return Err(Error::CertificateRejected(
                "does not chain to a trust anchor",
            ));
        }
        Ok(())
    }
}

/// Decodes a DER certificate (helper for callers holding trust anchors as bytes).
///
/// # Errors
/// [`Error::MalformedDer`].
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, Error> {
    Certificate::from_der(der).map_err(|_| Error::MalformedDer {
        what: "certificate",
    })
}
