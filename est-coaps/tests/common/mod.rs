//! Shared test helpers: a CA, a client with a factory certificate, vectors.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::x509_cert::Certificate;
use est_coaps::x509_cert::name::Name;
use est_coaps::*;
use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;

pub const NOW: UnixTime = UnixTime(1_764_072_000); // 2025-11-25

pub fn vector(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../vectors/est-coaps-rfc9148/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    hex::decode(text.trim()).unwrap()
}

pub fn rng() -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(7)
}

pub fn name(s: &str) -> Name {
    Name::from_str(s).unwrap()
}

/// A CA with a factory (IDevID-like) certificate for one device, issued by the same CA.
pub struct Fixture<P: Policy> {
    pub server: EstServer<Ca<P>>,
    pub device_key: SigningKey,
    pub device_cert: Certificate,
    pub ca_cert: Certificate,
}

pub fn fixture<P: Policy>(policy: P) -> Fixture<P> {
    let mut r = rng();
    let ca_key = SigningKey::generate_from_rng(&mut r);
    let mut ca = Ca::new_root(
        name("CN=Test EST CA,O=ACE,C=SE"),
        ca_key,
        ApproveAll,
        NOW,
        3650 * 86400,
        16,
    )
    .unwrap();
    // Factory certificate for the device, issued by the CA with an approve-all policy.
    let device_key = SigningKey::generate_from_rng(&mut r);
    let csr = build_csr(&name("CN=device-1,O=ACE"), &device_key, None).unwrap();
    let req = IssueRequest {
        kind: RequestKind::Enroll,
        subject: csr.subject(),
        client: None,
        csr_digest: [0; 32],
    };
    let device_cert = ca
        .issue(&req, csr.request().info.public_key.clone(), NOW)
        .unwrap();
    let ca_cert = ca.certificate().unwrap().clone();
    let (key, cert) = (ca.key().clone(), ca_cert.clone());
    let ca = Ca::from_parts(key, cert, policy, 16);
    Fixture {
        server: EstServer::new(EstPath::default(), ca),
        device_key,
        device_cert,
        ca_cert,
    }
}

/// Issued-count and next serial: the CA state a refused request must not change.
pub fn ca_state<P: Policy>(s: &EstServer<Ca<P>>) -> (usize, u64) {
    (s.ca().issued().len(), s.ca().next_serial())
}

pub fn path(f: Function) -> Vec<String> {
    EstPath::default().segments(f)
}

pub fn post<'a>(
    segs: &'a [&'a str],
    cf: Option<u16>,
    accept: Option<u16>,
    payload: &'a [u8],
    client: Option<&'a Certificate>,
) -> Request<'a> {
    Request {
        method: Method::Post,
        uri_path: segs,
        uri_query: &[],
        content_format: cf,
        accept,
        payload,
        client,
        pop_link: None,
    }
}

pub fn get<'a>(
    segs: &'a [&'a str],
    accept: Option<u16>,
    client: Option<&'a Certificate>,
) -> Request<'a> {
    Request {
        method: Method::Get,
        uri_path: segs,
        uri_query: &[],
        content_format: None,
        accept,
        payload: &[],
        client,
        pop_link: None,
    }
}

/// Sends a client request through the server engine, as a transport would.
pub fn exchange<P: Policy>(
    server: &mut EstServer<Ca<P>>,
    req: &ClientRequest,
    client: Option<&Certificate>,
    now: UnixTime,
) -> Response {
    let segs: Vec<&str> = req.uri_path.iter().map(String::as_str).collect();
    let r = Request {
        method: req.method,
        uri_path: &segs,
        uri_query: &[],
        content_format: req.content_format,
        accept: req.accept,
        payload: &req.payload,
        client,
        pop_link: None,
    };
    server.handle(&r, now, &mut rng())
}

pub fn view(r: &Response) -> ClientResponse<'_> {
    ClientResponse {
        code: r.code,
        content_format: r.content_format,
        max_age: r.max_age,
        payload: &r.payload,
    }
}

pub fn rng_seeded(seed: u64) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// Runs `openssl` (an independent implementation); FAILS (never skips) when it is missing.
pub fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `openssl` ({e}): install it (apt-get install openssl); scripts/test does")
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("est-coaps-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn write(dir: &std::path::Path, file: &str, bytes: &[u8]) -> String {
    let p = dir.join(file);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}
