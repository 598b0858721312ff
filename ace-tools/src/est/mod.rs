//! `ace est-server` and `ace est ...`: EST over secure CoAP (RFC 9148) on UDP with DTLS 1.2
//! (dimpl), block-wise transfers by `coap-block`, EST logic by `est-coaps`.

pub(crate) mod client;
mod coap;
mod dtls;
pub(crate) mod files;
mod server;

pub(crate) use server::{DemoPolicy, serve};
pub use server::{ServerArgs, run as run_server};

use client::Transport;
use dimpl::DtlsCertificate;
use est_coaps::algorithm::verify_issued_by;
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::x509_cert::Certificate;
use est_coaps::x509_cert::name::Name;
use est_coaps::*;
use files::BoxError;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

/// Arguments of `ace est`.
#[derive(clap::Args, Debug)]
pub struct ClientArgs {
    /// The EST server (coaps, UDP).
    #[arg(long, default_value = "127.0.0.1:5684")]
    pub server: SocketAddr,
    /// PEM certificate the client authenticates with in DTLS (factory or current certificate).
    #[arg(long)]
    pub cert: PathBuf,
    /// PEM private key of `--cert`.
    #[arg(long)]
    pub key: PathBuf,
    /// PEM trust anchors (Explicit TA database): the server's DTLS certificate and issued
    /// certificates must chain to one. Without it, the /crts answer is used (bootstrap).
    #[arg(long)]
    pub ca: Option<PathBuf>,
    /// Block size for Block1/Block2 (16..1024).
    #[arg(long, default_value_t = 1024)]
    pub block_size: usize,
    /// The EST function.
    #[command(subcommand)]
    pub command: EstCommand,
}

/// EST functions of the client.
#[derive(clap::Subcommand, Debug)]
pub enum EstCommand {
    /// GET /crts: write the CA certificates as PEM.
    Cacerts {
        /// Output PEM file.
        #[arg(long)]
        out: PathBuf,
    },
    /// POST /sen: new key, CSR for `--subject`, write key and certificate.
    Enroll {
        /// Subject, RFC 4514 string (e.g. "CN=device-1,O=Example").
        #[arg(long)]
        subject: String,
        /// Output key (PKCS#8 PEM).
        #[arg(long)]
        out_key: PathBuf,
        /// Output certificate (PEM).
        #[arg(long)]
        out_cert: PathBuf,
    },
    /// POST /sren with the current certificate's subject and a new key.
    Reenroll {
        /// Output key (PKCS#8 PEM).
        #[arg(long)]
        out_key: PathBuf,
        /// Output certificate (PEM).
        #[arg(long)]
        out_cert: PathBuf,
    },
    /// POST /skg (or /skc with --pkix): the server generates the key.
    Serverkeygen {
        /// Subject, RFC 4514 string.
        #[arg(long)]
        subject: String,
        /// Ask for a single certificate (/skc, 287) instead of PKCS#7 (/skg, 281).
        #[arg(long)]
        pkix: bool,
        /// Ask for the key encrypted (Content-Format 280, RFC 7030 §4.4.1.1) with this shared
        /// key-encryption key, hex (16 or 32 bytes); `--kek-id` names it.
        #[arg(long, requires = "kek_id", conflicts_with = "encrypt_to_cert")]
        kek: Option<String>,
        /// The DecryptKeyIdentifier of `--kek`, as text.
        #[arg(long, requires = "kek")]
        kek_id: Option<String>,
        /// Ask for the key encrypted (Content-Format 280, RFC 7030 §4.4.1.2) to the key of
        /// `--cert` by ECDH, naming it by the certificate's subjectKeyIdentifier.
        #[arg(long)]
        encrypt_to_cert: bool,
        /// Output key (PKCS#8 PEM).
        #[arg(long)]
        out_key: PathBuf,
        /// Output certificate (PEM).
        #[arg(long)]
        out_cert: PathBuf,
    },
}

/// RFC 7030 §4.4.1: the client key that will open an encrypted server-generated key, from
/// `--kek`/`--kek-id` or `--encrypt-to-cert` (the DTLS certificate and key).
fn key_decryption(
    kek: Option<(String, String)>,
    encrypt_to_cert: bool,
    cert: &Certificate,
    key: &SigningKey,
) -> Result<Option<KeyDecryption>, BoxError> {
    if let Some((id, hex_key)) = kek {
        return Ok(Some(KeyDecryption::Kek {
            id: id.into_bytes(),
            key: hex::decode(hex_key).map_err(|e| format!("--kek: {e}"))?,
        }));
    }
    if !encrypt_to_cert {
        return Ok(None);
    }
    Ok(Some(KeyDecryption::for_certificate(cert, key)?))
}

/// The wall clock as the EST engines take it (seconds since the Unix epoch).
pub(crate) fn unix_now() -> UnixTime {
    UnixTime(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    )
}

pub(crate) fn view(r: &client::Received) -> ClientResponse<'_> {
    ClientResponse {
        code: r.code,
        content_format: r.content_format,
        max_age: r.max_age,
        payload: &r.payload,
    }
}

/// Runs an enrolment to completion, waiting out 5.03 + Max-Age (RFC 9148 §5.7).
fn complete(t: &mut Transport, mut e: Enrollment) -> Result<Step, BoxError> {
    for _ in 0..10 {
        let now = unix_now();
        let Some(req) = e.request(now).cloned() else {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        let resp = t.exchange(&req)?;
        match e.on_response(&view(&resp), now) {
            Ok(Step::RetryAt(at)) => {
                println!(
                    "server busy (5.03, Max-Age {} s): waiting to resend the identical CSR",
                    at.0 - now.0
                );
                std::thread::sleep(Duration::from_secs(at.0 - now.0));
            }
            Ok(step) => return Ok(step),
            Err(err) => {
                return Err(format!(
                    "{err} (response {}: {})",
                    resp.code,
                    String::from_utf8_lossy(&resp.payload)
                )
                .into());
            }
        }
    }
    Err("gave up after 10 tries".into())
}

/// Runs `ace est ...`.
pub fn run_client(args: ClientArgs) -> Result<(), BoxError> {
    let cert = files::read_cert(&args.cert)?;
    let key = files::read_key(&args.key)?;
    let dtls_cert = DtlsCertificate {
        certificate: est_coaps::der::Encode::to_der(&cert)?,
        private_key: files::pkcs8_der(&key)?,
    };
    let mut t = Transport::connect(
        args.server,
        dtls_cert,
        args.block_size,
        Duration::from_secs(10),
    )?;
    let explicit = args.ca.as_deref().map(files::read_certs).transpose()?;
    if let (Some(anchors), Some(der)) = (&explicit, &t.server_cert) {
        let server_cert = est_coaps::client::parse_certificate(der)?;
        if !anchors
            .iter()
            .any(|a| verify_issued_by(&server_cert, a).is_ok() || a == &server_cert)
        {
            return Err("the server's DTLS certificate does not chain to --ca".into());
        }
    }
    let mut est = EstClient::new(EstPath::default(), explicit.clone().unwrap_or_default());
    let mut anchors = || -> Result<(), BoxError> {
        if explicit.is_none() {
            let resp = t.exchange(&est.cacerts_request(None))?;
            let certs = est.on_cacerts(&view(&resp))?;
            est.set_trust_anchors(certs);
        }
        Ok(())
    };
    match args.command {
        EstCommand::Cacerts { out } => {
            let resp = t.exchange(&est.cacerts_request(None))?;
            let certs: Vec<Certificate> = est
                .on_cacerts(&view(&resp))
                .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&resp.payload)))?;
            files::write_certs(&out, &certs)?;
            println!(
                "wrote {} CA certificate(s) to {}",
                certs.len(),
                out.display()
            );
        }
        EstCommand::Enroll {
            subject,
            out_key,
            out_cert,
        } => {
            anchors()?;
            let new_key = SigningKey::generate_from_rng(&mut rand::rng());
            let csr = build_csr(&Name::from_str(&subject)?, &new_key, None)?;
            let e = est.enroll(&csr, false, None)?;
            let Step::Issued(c) = complete(&mut t, e)? else {
                return Err("unexpected".into());
            };
            files::write_key(&out_key, &new_key)?;
            files::write_certs(&out_cert, &[c])?;
            println!(
                "enrolled: wrote {} and {}",
                out_key.display(),
                out_cert.display()
            );
        }
        EstCommand::Reenroll { out_key, out_cert } => {
            anchors()?;
            let new_key = SigningKey::generate_from_rng(&mut rand::rng());
            let csr = build_csr(cert.tbs_certificate().subject(), &new_key, None)?;
            let e = est.enroll(&csr, true, None)?;
            let Step::Issued(c) = complete(&mut t, e)? else {
                return Err("unexpected".into());
            };
            files::write_key(&out_key, &new_key)?;
            files::write_certs(&out_cert, &[c])?;
            println!(
                "re-enrolled: wrote {} and {}",
                out_key.display(),
                out_cert.display()
            );
        }
        EstCommand::Serverkeygen {
            subject,
            pkix,
            kek,
            kek_id,
            encrypt_to_cert,
            out_key,
            out_cert,
        } => {
            anchors()?;
            let decryption = key_decryption(kek_id.zip(kek), encrypt_to_cert, &cert, &key)?;
            let protection = decryption
                .as_ref()
                .map(|d| KeyProtection::new(d.protection_key(), &KeyWrap::ALL))
                .transpose()?;
            // RFC 9148 §5.8: the server ignores this CSR's key; any key signs it.
            let throwaway = SigningKey::generate_from_rng(&mut rand::rng());
            let csr = build_serverkeygen_csr(
                &Name::from_str(&subject)?,
                &throwaway,
                protection.as_ref(),
            )?;
            let mut e = est.serverkeygen(csr.to_der()?, pkix);
            let encrypted = decryption.is_some();
            if let Some(d) = decryption {
                e = e.decrypting_with(d);
            }
            let Step::IssuedWithKey { pkcs8, certificate } = complete(&mut t, e)? else {
                return Err("unexpected".into());
            };
            files::write_pkcs8_der(&out_key, &pkcs8)?;
            files::write_certs(&out_cert, &[certificate])?;
            println!(
                "server-generated key{}: wrote {} and {}",
                if encrypted {
                    " (Content-Format 280: decrypted, key package signature checked)"
                } else {
                    ""
                },
                out_key.display(),
                out_cert.display()
            );
        }
    }
    t.close();
    Ok(())
}
