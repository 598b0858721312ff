//! The CA engine: issues certificates under a [`Policy`] (RFC 7030 §4.2, §4.4; RFC 9148
//! §5.3, §5.7, §5.8). Sans-IO: time is an argument, randomness a `CryptoRng`.

use crate::csrattrs::CsrAttrs;
use crate::error::Error;
use crate::key_package::KeySigner;
use crate::profile::{CaProfile, EndEntityProfile};
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use der::asn1::GeneralizedTime;
use p256::ecdsa::{DerSignature, SigningKey};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Seconds since the Unix epoch, given by the caller (no hidden clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixTime(pub u64);

/// What kind of request reaches the CA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// /sen (RFC 7030 §4.2.1).
    Enroll,
    /// /sren (RFC 7030 §4.2.2).
    Reenroll,
    /// /skg or /skc (RFC 7030 §4.4).
    ServerKeygen,
}

/// What the CA is asked to certify.
#[derive(Debug, Clone, Copy)]
pub struct IssueRequest<'a> {
    /// The function.
    pub kind: RequestKind,
    /// The requested subject (from the CSR).
    pub subject: &'a Name,
    /// The client's certificate from the DTLS handshake (RFC 9148 §4, ED-2).
    pub client: Option<&'a Certificate>,
    /// SHA-256 of the CSR bytes: a resent identical CSR (RFC 9148 §5.7) has the same value.
    pub csr_digest: [u8; 32],
}

/// A policy's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Issue now.
    Approve,
    /// Not yet: the client resends the identical CSR after `max_age` seconds (RFC 9148 §5.7).
    Pending {
        /// Seconds to wait.
        max_age: u32,
    },
    /// Refuse, with a reason for the diagnostic payload.
    Reject(String),
}

/// The CA's issuing policy (RFC 7030 §4.2.3: the CA decides what it certifies).
pub trait Policy {
    /// Decides on one request.
    fn decide(&mut self, request: &IssueRequest<'_>, now: UnixTime) -> Decision;

    /// Validity of issued certificates, in seconds.
    fn validity_seconds(&self) -> u64 {
        365 * 24 * 3600
    }
}

/// A policy that approves every authenticated request.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApproveAll;

impl Policy for ApproveAll {
    fn decide(&mut self, _request: &IssueRequest<'_>, _now: UnixTime) -> Decision {
        Decision::Approve
    }
}

/// The interface an EST server needs from a CA (shared with EST over OSCORE).
pub trait CertificateAuthority {
    /// The CA certificates served at /crts (RFC 7030 §4.1).
    fn ca_certificates(&self) -> &[Certificate];

    /// The CSR attributes served at /att (RFC 7030 §4.5).
    fn csr_attributes(&self) -> &CsrAttrs;

    /// Issues a certificate for `public_key` (RFC 7030 §4.2, §4.4). On any error the CA's
    /// state is unchanged.
    ///
    /// # Errors
    /// [`Error::Pending`], [`Error::PolicyRejected`], [`Error::CaFull`], [`Error::Issuing`].
    fn issue(
        &mut self,
        request: &IssueRequest<'_>,
        public_key: SubjectPublicKeyInfoOwned,
        now: UnixTime,
    ) -> Result<Certificate, Error>;

    /// RFC 7030 §4.4.2: the party that signs server-generated keys returned encrypted
    /// (Content-Format 280), "the EST server or the EST CA". `None`: not offered (5.01).
    fn key_generator(&self) -> Option<KeySigner<'_>> {
        None
    }
}

/// What the CA remembers about an issued certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRecord {
    /// Serial number (as issued).
    pub serial: u64,
    /// The certified subject.
    pub subject: Name,
}

/// A single-level ECDSA P-256 CA with a bounded record of what it issued.
#[derive(Debug)]
pub struct Ca<P: Policy> {
    key: SigningKey,
    certs: Vec<Certificate>,
    attrs: CsrAttrs,
    policy: P,
    next_serial: u64,
    issued: Vec<IssuedRecord>,
    capacity: usize,
    key_generator: Option<(SigningKey, Certificate)>,
}

fn time(secs: u64) -> Result<Time, Error> {
    GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
        .map(Time::GeneralTime)
        .map_err(|_| Error::Issuing("time out of range"))
}

fn validity(now: UnixTime, secs: u64) -> Result<Validity, Error> {
    Ok(Validity::new(
        time(now.0)?,
        time(now.0.saturating_add(secs))?,
    ))
}

impl<P: Policy> Ca<P> {
    /// A new root CA: a self-signed certificate for `subject` with `key`, valid from `now` for
    /// `validity_secs`, keeping records of at most `capacity` issued certificates.
    ///
    /// # Errors
    /// [`Error::Issuing`] if the certificate cannot be built.
    pub fn new_root(
        subject: Name,
        key: SigningKey,
        policy: P,
        now: UnixTime,
        validity_secs: u64,
        capacity: usize,
    ) -> Result<Self, Error> {
        let spki = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|_| Error::Issuing("CA key"))
            .and_then(|d| {
                SubjectPublicKeyInfoOwned::try_from(d.as_bytes())
                    .map_err(|_| Error::Issuing("CA key"))
            })?;
        let builder = CertificateBuilder::new(
            CaProfile { subject },
            SerialNumber::from(1u64),
            validity(now, validity_secs)?,
            spki,
        )
        .map_err(|_| Error::Issuing("CA certificate builder"))?;
        let cert = builder
            .build::<_, DerSignature>(&key)
            .map_err(|_| Error::Issuing("CA certificate signing"))?;
        Ok(Self::from_parts(key, cert, policy, capacity))
    }

    /// A CA from an existing key and certificate.
    #[must_use]
    pub fn from_parts(key: SigningKey, cert: Certificate, policy: P, capacity: usize) -> Self {
        Ca {
            key,
            certs: alloc::vec![cert],
            attrs: CsrAttrs::default(),
            policy,
            next_serial: 2,
            issued: Vec::new(),
            capacity,
            key_generator: None,
        }
    }

    /// Sets the CSR attributes served at /att.
    #[must_use]
    pub fn with_csr_attributes(mut self, attrs: CsrAttrs) -> Self {
        self.attrs = attrs;
        self
    }

    /// RFC 7030 §4.4.2: signs the key packages of encrypted server-generated keys with this
    /// key and certificate (e.g. the EST server's) instead of the CA's own.
    #[must_use]
    pub fn with_key_generator(mut self, key: SigningKey, certificate: Certificate) -> Self {
        self.key_generator = Some((key, certificate));
        self
    }

    /// The CA's own certificate.
    #[must_use]
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certs.first()
    }

    /// The CA's signing key.
    #[must_use]
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The issued-certificate records (bounded by the capacity).
    #[must_use]
    pub fn issued(&self) -> &[IssuedRecord] {
        &self.issued
    }

    /// The serial the next certificate will get.
    #[must_use]
    pub fn next_serial(&self) -> u64 {
        self.next_serial
    }

    /// The policy.
    pub fn policy_mut(&mut self) -> &mut P {
        &mut self.policy
    }
}

impl<P: Policy> CertificateAuthority for Ca<P> {
    fn ca_certificates(&self) -> &[Certificate] {
        &self.certs
    }

    fn csr_attributes(&self) -> &CsrAttrs {
        &self.attrs
    }

    fn issue(
        &mut self,
        request: &IssueRequest<'_>,
        public_key: SubjectPublicKeyInfoOwned,
        now: UnixTime,
    ) -> Result<Certificate, Error> {
        match self.policy.decide(request, now) {
            Decision::Approve => {}
            Decision::Pending { max_age } => return Err(Error::Pending { max_age }),
            Decision::Reject(why) => return Err(Error::PolicyRejected(why)),
        }
        if self.issued.len() >= self.capacity {
            return Err(Error::CaFull);
        }
        let issuer = self
            .certs
            .first()
            .ok_or(Error::Issuing("no CA certificate"))?
            .tbs_certificate()
            .subject()
            .clone();
        let builder = CertificateBuilder::new(
            EndEntityProfile {
                issuer,
                subject: request.subject.clone(),
            },
            SerialNumber::from(self.next_serial),
            validity(now, self.policy.validity_seconds())?,
            public_key,
        )
        .map_err(|_| Error::Issuing("certificate builder"))?;
        let cert = builder
            .build::<_, DerSignature>(&self.key)
            .map_err(|_| Error::Issuing("certificate signing"))?;
        // Only now, with the certificate built, does the state change.
        self.issued.push(IssuedRecord {
            serial: self.next_serial,
            subject: request.subject.clone(),
        });
        self.next_serial = self.next_serial.saturating_add(1);
        Ok(cert)
    }

    /// The configured key generator, else the CA itself.
    fn key_generator(&self) -> Option<KeySigner<'_>> {
        match &self.key_generator {
            Some((key, certificate)) => Some(KeySigner { key, certificate }),
            None => self.certs.first().map(|certificate| KeySigner {
                key: &self.key,
                certificate,
            }),
        }
    }
}
