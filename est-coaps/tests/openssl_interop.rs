//! Interop with OpenSSL (an independent implementation), run as a real process:
//! `openssl req -verify` accepts our CSRs, `openssl verify` accepts the chains we issue,
//! `openssl pkcs7` reads our certs-only messages, and CSRs made by `openssl req` are enrolled
//! by our server engine. When `openssl` is missing the tests FAIL saying so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use est_coaps::der::{EncodePem, pem::LineEnding};
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::*;

fn at() -> String {
    (NOW.0 + 3600).to_string()
}

#[test]
fn openssl_req_verifies_our_csrs() {
    let d = tmpdir("req");
    let key = SigningKey::generate_from_rng(&mut rng());
    for pw in [None, Some("linking-value")] {
        let csr = build_csr(&name("CN=device-1,O=ACE,C=SE"), &key, pw).unwrap();
        let f = write(&d, "csr.der", &csr.to_der().unwrap());
        let (ok, text) = openssl(&[
            "req", "-inform", "DER", "-in", &f, "-noout", "-verify", "-subject",
        ]);
        assert!(ok, "{text}");
        assert!(text.contains("verify OK"), "{text}");
        assert!(text.contains("CN = device-1"), "{text}");
    }
}

#[test]
fn openssl_verify_accepts_issued_chains_and_reads_pkcs7() {
    let d = tmpdir("verify");
    let mut f = fixture(ApproveAll);
    let ca_pem = f.ca_cert.to_pem(LineEnding::LF).unwrap();
    let ca_file = write(&d, "ca.pem", ca_pem.as_bytes());
    // /sen
    let client = EstClient::new(EstPath::default(), vec![f.ca_cert.clone()]);
    let key = SigningKey::generate_from_rng(&mut rng_seeded(3));
    let csr = build_csr(&name("CN=device-9,O=ACE"), &key, None).unwrap();
    let mut e = client.enroll(&csr, false, None).unwrap();
    let resp = exchange(
        &mut f.server,
        e.request(NOW).unwrap(),
        Some(&f.device_cert),
        NOW,
    );
    let Step::Issued(cert) = e.on_response(&view(&resp), NOW).unwrap() else {
        panic!()
    };
    let leaf = write(
        &d,
        "leaf.pem",
        cert.to_pem(LineEnding::LF).unwrap().as_bytes(),
    );
    // Certificates are valid from NOW (a fixed test time): verify at NOW + 1 h.
    let (ok, text) = openssl(&["verify", "-attime", &at(), "-CAfile", &ca_file, &leaf]);
    assert!(ok && text.contains("leaf.pem: OK"), "{text}");
    // The certs-only message of the same response, read by openssl pkcs7.
    let p7 = write(&d, "sen.p7", &resp.payload);
    let (ok, text) = openssl(&[
        "pkcs7",
        "-inform",
        "DER",
        "-in",
        &p7,
        "-print_certs",
        "-noout",
    ]);
    assert!(
        ok && text.contains("subject=O = ACE, CN = device-9"),
        "{text}"
    );
    // /crts
    let crts = exchange(
        &mut f.server,
        &client.cacerts_request(None),
        Some(&f.device_cert),
        NOW,
    );
    let p7 = write(&d, "crts.p7", &crts.payload);
    let (ok, text) = openssl(&[
        "pkcs7",
        "-inform",
        "DER",
        "-in",
        &p7,
        "-print_certs",
        "-noout",
    ]);
    assert!(
        ok && text.contains("subject=C = SE, O = ACE, CN = Test EST CA"),
        "{text}"
    );
    // /skg: the PKCS#8 key is read by openssl pkey, and its certificate verifies.
    let mut e = client.serverkeygen(csr.to_der().unwrap(), false);
    let resp = exchange(
        &mut f.server,
        e.request(NOW).unwrap(),
        Some(&f.device_cert),
        NOW,
    );
    let Step::IssuedWithKey { pkcs8, certificate } = e.on_response(&view(&resp), NOW).unwrap()
    else {
        panic!()
    };
    let k = write(&d, "key.der", &pkcs8);
    let (ok, text) = openssl(&["pkey", "-inform", "DER", "-in", &k, "-noout", "-check"]);
    assert!(ok && text.contains("valid"), "{text}");
    let leaf = write(
        &d,
        "skg.pem",
        certificate.to_pem(LineEnding::LF).unwrap().as_bytes(),
    );
    let (ok, text) = openssl(&["verify", "-attime", &at(), "-CAfile", &ca_file, &leaf]);
    assert!(ok && text.contains("skg.pem: OK"), "{text}");
}

#[test]
fn csrs_made_by_openssl_req_are_enrolled() {
    let d = tmpdir("enrol");
    let key = d.join("k.pem").to_string_lossy().into_owned();
    let csr = d.join("r.der").to_string_lossy().into_owned();
    let (ok, text) = openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-subj",
        "/CN=openssl-device/O=Interop",
        "-outform",
        "DER",
        "-out",
        &csr,
    ]);
    assert!(ok, "{text}");
    let der = std::fs::read(&csr).unwrap();
    let mut f = fixture(ApproveAll);
    let segs = path(Function::Sen);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let cert = f.device_cert.clone();
    let resp = f.server.handle(
        &post(&segs, Some(286), None, &der, Some(&cert)),
        NOW,
        &mut rng(),
    );
    assert_eq!((resp.code, resp.content_format), (Code::CHANGED, Some(281)));
    let issued = CertsOnly::from_der(&resp.payload)
        .unwrap()
        .into_certificates()
        .remove(0);
    // The certificate holds openssl's key: compare with `openssl pkey -pubout`.
    let (ok, pubkey) = openssl(&[
        "pkey",
        "-in",
        &key,
        "-pubout",
        "-outform",
        "DER",
        "-out",
        &d.join("p.der").to_string_lossy(),
    ]);
    assert!(ok, "{pubkey}");
    let spki = std::fs::read(d.join("p.der")).unwrap();
    use est_coaps::der::Encode;
    assert_eq!(
        issued
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap(),
        spki
    );
    let ca_file = write(
        &d,
        "ca.pem",
        f.ca_cert.to_pem(LineEnding::LF).unwrap().as_bytes(),
    );
    let leaf = write(
        &d,
        "leaf.pem",
        issued.to_pem(LineEnding::LF).unwrap().as_bytes(),
    );
    let (ok, text) = openssl(&["verify", "-attime", &at(), "-CAfile", &ca_file, &leaf]);
    assert!(ok && text.contains("OK"), "{text}");
    // A tampered openssl CSR is refused (4.00), nothing issued.
    let mut bad = der.clone();
    let n = bad.len();
    bad[n - 5] ^= 0x40;
    let before = ca_state(&f.server);
    let resp = f.server.handle(
        &post(&segs, Some(286), None, &bad, Some(&cert)),
        NOW,
        &mut rng(),
    );
    assert_eq!(resp.code, Code::BAD_REQUEST);
    assert_eq!(ca_state(&f.server), before);
}
