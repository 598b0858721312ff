//! Step 6 of `ace demo`: certificate enrolment over DTLS 1.2 (RFC 9148 EST-coaps).
//!
//! The EST server of `ace est-server` runs in a thread on 127.0.0.1 (OS-chosen port) with
//! its CA in a fresh temporary directory. A demo "factory CA" (the manufacturer) issues the
//! device's factory certificate, which the server accepts as a client CA (RFC 9148 §4:
//! the client authenticates with a certificate chaining to a trusted CA). The device then
//! fetches the CA certificates (/crts, §5.3) and enrols a new P-256 key (/sen, §5.4).
//! With its new operational certificate it then asks for a server-generated key, returned
//! encrypted to that certificate's key (/skg, §5.8, Content-Format 280: CMS EnvelopedData
//! with ECDH, inside it the key package signed by the EST server).

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use dimpl::DtlsCertificate;
use est_coaps::algorithm::verify_issued_by;
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::x509_cert::Certificate;
use est_coaps::x509_cert::name::Name;
use est_coaps::*;

use crate::est::client::{Received, Transport};
use crate::est::files::{self, BoxError};
use crate::est::unix_now;
use crate::est::{DemoPolicy, ServerArgs, serve, view};

/// A temporary directory under `std::env::temp_dir()`, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, BoxError> {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("ace-demo-est-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The manufacturer's CA and the device's factory certificate (DER) with its key.
fn factory_identity(dir: &Path) -> Result<DtlsCertificate, BoxError> {
    let mut rng = rand::rng();
    let now = UnixTime(unix_now().0.saturating_sub(60));
    let mut factory = Ca::new_root(
        Name::from_str("CN=Demo Factory CA,O=ace-tools")?,
        SigningKey::generate_from_rng(&mut rng),
        DemoPolicy::new(None),
        now,
        86400,
        16,
    )?;
    files::write_certs(
        &dir.join("factory-ca.pem"),
        std::slice::from_ref(factory.certificate().ok_or("no factory CA certificate")?),
    )?;
    let device_key = SigningKey::generate_from_rng(&mut rng);
    let csr = build_csr(
        &Name::from_str("CN=demo-device,O=Maker")?,
        &device_key,
        None,
    )?;
    let req = IssueRequest {
        kind: RequestKind::Enroll,
        subject: csr.subject(),
        client: None,
        csr_digest: [0; 32],
    };
    let cert = factory.issue(&req, csr.request().info.public_key.clone(), now)?;
    print_cert("factory certificate of the device", &cert);
    Ok(DtlsCertificate {
        certificate: est_coaps::der::Encode::to_der(&cert)?,
        private_key: files::pkcs8_der(&device_key)?,
    })
}

fn format_cf(cf: Option<u16>) -> String {
    match cf {
        Some(281) => " (application/pkcs7-mime; smime-type=certs-only)".into(),
        Some(286) => " (application/pkcs10)".into(),
        Some(287) => " (application/pkix-cert)".into(),
        Some(62) => " (application/multipart-core)".into(),
        Some(0) => " (text/plain)".into(),
        Some(n) => format!(" (Content-Format {n})"),
        None => String::new(),
    }
}

fn describe(code: Code) -> String {
    let name = match code {
        Code::CONTENT => "Content",
        Code::CHANGED => "Changed",
        Code::BAD_REQUEST => "Bad Request",
        Code::FORBIDDEN => "Forbidden",
        _ => "",
    };
    format!("{code} {name}")
}

/// One EST exchange, printed like the other steps of the demo.
fn exchange(t: &mut Transport, r: &ClientRequest) -> Result<Received, BoxError> {
    println!(
        "client -> EST: {} /{}{}{}",
        match r.method {
            Method::Get => "GET",
            Method::Post => "POST",
            _ => "?",
        },
        r.uri_path.join("/"),
        format_cf(r.content_format),
        r.accept
            .map_or_else(String::new, |a| format!(", Accept {a}")),
    );
    if !r.payload.is_empty() {
        println!("    {} bytes", r.payload.len());
    }
    let resp = t.exchange(r)?;
    println!(
        "client <- EST: {}{}",
        describe(resp.code),
        format_cf(resp.content_format)
    );
    if !resp.payload.is_empty() {
        println!("    {} bytes", resp.payload.len());
    }
    println!();
    Ok(resp)
}

fn print_cert(what: &str, c: &Certificate) {
    let tbs = c.tbs_certificate();
    println!(
        "   {what}: subject \"{}\", issuer \"{}\", serial {}",
        tbs.subject(),
        tbs.issuer(),
        hex::encode(tbs.serial_number().as_bytes())
    );
}

/// Runs the enrolment step: server thread, /crts, /sen, chain check.
pub fn run() -> Result<(), BoxError> {
    let dir = TempDir::new()?;
    let device = factory_identity(&dir.0)?;
    let args = ServerArgs {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        dir: dir.0.join("ca"),
        client_ca: vec![dir.0.join("factory-ca.pem")],
        delay: None,
        block_size: 1024,
        separate_ms: None,
        kek: Vec::new(),
        key_agreement_cert: Vec::new(),
    };
    let sock = UdpSocket::bind(args.listen)?;
    let addr = sock.local_addr()?;
    println!(
        "   EST server (CA) on coaps://{addr}; the device connects with its factory certificate"
    );
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || serve(&args, sock, &stop).map_err(|e| e.to_string()))
    };
    let result = device_story(addr, device);
    stop.store(true, Ordering::Relaxed);
    let served = server.join();
    result?;
    match served {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("EST server: {e}").into()),
        Err(_) => Err("EST server thread panicked".into()),
    }
}

fn device_story(addr: SocketAddr, device: DtlsCertificate) -> Result<(), BoxError> {
    let mut t = Transport::connect(addr, device, 1024, Duration::from_secs(5))?;
    let mut est = EstClient::new(EstPath::default(), Vec::new());

    let resp = exchange(&mut t, &est.cacerts_request(None))?;
    if resp.code != Code::CONTENT {
        return Err(format!("GET /crts: expected 2.05, got {}", resp.code).into());
    }
    let cas = est.on_cacerts(&view(&resp))?;
    let ca = cas.first().ok_or("GET /crts: no CA certificate")?.clone();
    print_cert("CA certificate", &ca);
    est.set_trust_anchors(cas);

    let key = SigningKey::generate_from_rng(&mut rand::rng());
    let csr = build_csr(&Name::from_str("CN=demo-device,O=ace-tools")?, &key, None)?;
    let mut e = est.enroll(&csr, false, None)?;
    let now = unix_now();
    let req = e.request(now).cloned().ok_or("no /sen request")?;
    let resp = exchange(&mut t, &req)?;
    if resp.code != Code::CHANGED {
        return Err(format!(
            "POST /sen: expected 2.04, got {} ({})",
            resp.code,
            String::from_utf8_lossy(&resp.payload)
        )
        .into());
    }
    let Step::Issued(cert) = e.on_response(&view(&resp), now)? else {
        return Err("POST /sen: no certificate issued".into());
    };
    t.close();
    print_cert("issued certificate", &cert);
    verify_issued_by(&cert, &ca)?;
    println!(
        "   the issued certificate chains to the CA \"{}\" (signature verified)\n",
        ca.tbs_certificate().subject()
    );
    server_keygen(addr, &est, &cert, &key)
}

/// /skg with the new certificate: the key comes back encrypted to that certificate's key
/// (RFC 7030 §4.4.1.2: AsymmetricDecryptKeyIdentifier = its subjectKeyIdentifier).
fn server_keygen(
    addr: SocketAddr,
    est: &EstClient,
    cert: &Certificate,
    key: &SigningKey,
) -> Result<(), BoxError> {
    println!(
        "   the device reconnects with its new certificate and asks for a server-generated key,"
    );
    println!("   encrypted to that certificate's key (ECDH), for a second identity:");
    let identity = DtlsCertificate {
        certificate: est_coaps::der::Encode::to_der(cert)?,
        private_key: files::pkcs8_der(key)?,
    };
    let mut t = Transport::connect(addr, identity, 1024, Duration::from_secs(5))?;
    let decryption = KeyDecryption::for_certificate(cert, key)?;
    let protection = KeyProtection::new(decryption.protection_key(), &[KeyWrap::Aes128])?;
    let throwaway = SigningKey::generate_from_rng(&mut rand::rng());
    let csr = build_serverkeygen_csr(
        &Name::from_str("CN=demo-device-2,O=ace-tools")?,
        &throwaway,
        Some(&protection),
    )?;
    let mut e = est
        .serverkeygen(csr.to_der()?, false)
        .decrypting_with(decryption);
    let now = unix_now();
    let req = e.request(now).cloned().ok_or("no /skg request")?;
    let resp = exchange(&mut t, &req)?;
    t.close();
    if resp.code != Code::CHANGED {
        return Err(format!(
            "POST /skg: expected 2.04, got {} ({})",
            resp.code,
            String::from_utf8_lossy(&resp.payload)
        )
        .into());
    }
    let parts: Vec<String> = Multipart::decode(&resp.payload)?
        .parts
        .iter()
        .map(|p| {
            format!(
                "{} ({} bytes)",
                p.content_format,
                p.representation.map_or(0, <[u8]>::len)
            )
        })
        .collect();
    println!("   multipart-core parts: {}", parts.join(", "));
    let Step::IssuedWithKey { certificate, .. } = e.on_response(&view(&resp), now)? else {
        return Err("POST /skg: no key issued".into());
    };
    print_cert("server-generated identity", &certificate);
    println!(
        "   the key (Content-Format 280) was decrypted with the device key, its package signature\n   checked against the CA, and it is the key this certificate certifies\n"
    );
    Ok(())
}
