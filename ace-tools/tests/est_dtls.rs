//! `ace est-server` over real DTLS on 127.0.0.1, against independent peers:
//! libcoap's `coap-client-gnutls` (with `-b 64`: Block1 and Block2) performs /crts, /sen and
//! discovery, OpenSSL makes the factory PKI and verifies what was issued, and the `ace est`
//! client runs every function. Missing tools make the tests FAIL with the reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod common;
use common::*;

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(d: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(ACE)
        .args(["est-server", "--listen", "127.0.0.1:0", "--dir"])
        .arg(d.join("srv"))
        .arg("--client-ca")
        .arg(d.join("fca.pem"))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("server said {line:?}"));
    Server { child, port }
}

fn coap_client(d: &Path, args: &[&str]) -> (bool, String) {
    let mut c = tool("coap-client-gnutls");
    c.current_dir(d)
        .args(["-B", "10", "-c", "dev.pem", "-j", "dev.key"])
        .args(args);
    run(&mut c)
}

fn ace_est(d: &Path, port: u16, args: &[&str]) -> (bool, String) {
    run(Command::new(ACE)
        .current_dir(d)
        .args(["est", "--server", &format!("127.0.0.1:{port}")])
        .args(args))
}

#[test]
fn libcoap_gnutls_performs_crts_sen_and_discovery_blockwise() {
    let d = dir("libcoap");
    factory_pki(&d);
    let srv = start_server(&d, &[]);
    let base = format!("coaps://127.0.0.1:{}", srv.port);
    // /crts in 64-byte Block2 pieces. coap-client exits 0 even when DTLS fails: check output.
    let (_, text) = coap_client(
        &d,
        &[
            "-m",
            "get",
            "-A",
            "281",
            "-b",
            "64",
            "-o",
            "crts.p7",
            &format!("{base}/.well-known/est/crts"),
        ],
    );
    assert!(d.join("crts.p7").exists(), "no /crts response: {text}");
    let (ok, text) = run(tool("openssl")
        .args(["pkcs7", "-inform", "DER", "-print_certs", "-noout", "-in"])
        .arg(d.join("crts.p7")));
    assert!(ok && text.contains("CN = ace EST CA"), "{text}");
    assert!(
        std::fs::read(d.join("crts.p7")).unwrap().len() > 64,
        "must have needed several blocks"
    );
    // /sen: an OpenSSL CSR (399-ish bytes) in Block1 pieces, the certificate back in Block2.
    let (_, text) = coap_client(
        &d,
        &[
            "-m",
            "post",
            "-t",
            "286",
            "-A",
            "281",
            "-b",
            "64",
            "-f",
            "sen.der",
            "-o",
            "sen.p7",
            &format!("{base}/.well-known/est/sen"),
        ],
    );
    assert!(d.join("sen.p7").exists(), "no /sen response: {text}");
    let (ok, text) = run(tool("openssl")
        .args(["pkcs7", "-inform", "DER", "-print_certs", "-out"])
        .arg(d.join("issued.pem"))
        .arg("-in")
        .arg(d.join("sen.p7")));
    assert!(ok, "{text}");
    let (ok, text) = run(tool("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(d.join("srv/ca.pem"))
        .arg(d.join("issued.pem")));
    assert!(ok && text.contains("issued.pem: OK"), "{text}");
    // Discovery (RFC 9148 §5.1).
    let (_, text) = coap_client(
        &d,
        &["-m", "get", &format!("{base}/.well-known/core?rt=ace.est*")],
    );
    assert!(
        text.contains("</.well-known/est/sen>;rt=\"ace.est.sen\";ct=\"281 287\""),
        "{text}"
    );
    // A wrong Content-Format is 4.15 over the wire too.
    let (_, text) = coap_client(
        &d,
        &[
            "-m",
            "post",
            "-t",
            "0",
            "-f",
            "sen.der",
            &format!("{base}/.well-known/est/sen"),
        ],
    );
    assert!(text.contains("4.15"), "{text}");
}

#[test]
fn libcoap_without_a_client_certificate_gets_nothing() {
    let d = dir("nocert");
    factory_pki(&d);
    let srv = start_server(&d, &[]);
    let mut c = tool("coap-client-gnutls");
    let (_, text) = run(c.current_dir(&d).args([
        "-B",
        "3",
        "-m",
        "get",
        "-o",
        "out.p7",
        &format!("coaps://127.0.0.1:{}/.well-known/est/crts", srv.port),
    ]));
    assert!(
        !d.join("out.p7").exists(),
        "served without client authentication: {text}"
    );
}

#[test]
fn ace_est_client_runs_every_function() {
    let d = dir("client");
    factory_pki(&d);
    let srv = start_server(&d, &[]);
    let p = srv.port;
    let (ok, text) = ace_est(
        &d,
        p,
        &[
            "--cert", "dev.pem", "--key", "dev.key", "cacerts", "--out", "ca.pem",
        ],
    );
    assert!(ok, "{text}");
    assert_eq!(
        std::fs::read(d.join("ca.pem")).unwrap(),
        std::fs::read(d.join("srv/ca.pem")).unwrap()
    );
    let (ok, text) = ace_est(
        &d,
        p,
        &[
            "--cert",
            "dev.pem",
            "--key",
            "dev.key",
            "--ca",
            "ca.pem",
            "enroll",
            "--subject",
            "CN=device-1,O=Maker",
            "--out-key",
            "op.key",
            "--out-cert",
            "op.pem",
        ],
    );
    assert!(ok, "{text}");
    // Re-enrol with the operational certificate, in 64-byte blocks.
    let (ok, text) = ace_est(
        &d,
        p,
        &[
            "--cert",
            "op.pem",
            "--key",
            "op.key",
            "--ca",
            "ca.pem",
            "--block-size",
            "64",
            "reenroll",
            "--out-key",
            "op2.key",
            "--out-cert",
            "op2.pem",
        ],
    );
    assert!(ok, "{text}");
    for pkix in [false, true] {
        let mut args = vec![
            "--cert",
            "dev.pem",
            "--key",
            "dev.key",
            "serverkeygen",
            "--subject",
            "CN=skg-1",
            "--out-key",
            "skg.key",
            "--out-cert",
            "skg.pem",
        ];
        if pkix {
            args.push("--pkix");
        }
        let (ok, text) = ace_est(&d, p, &args);
        assert!(ok, "{text}");
        let (ok, text) = run(tool("openssl")
            .args(["pkey", "-noout", "-check", "-in"])
            .arg(d.join("skg.key")));
        assert!(ok, "{text}");
        let (ok, text) = run(tool("openssl")
            .arg("verify")
            .arg("-CAfile")
            .arg(d.join("ca.pem"))
            .arg(d.join("skg.pem")));
        assert!(ok, "{text}");
    }
    let (ok, text) = run(tool("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(d.join("ca.pem"))
        .arg(d.join("op.pem"))
        .arg(d.join("op2.pem")));
    assert!(ok && text.contains("op2.pem: OK"), "{text}");
    // Re-enrolment with the factory certificate (not issued by this CA) is refused: 4.03.
    let (ok, text) = ace_est(
        &d,
        p,
        &[
            "--cert",
            "dev.pem",
            "--key",
            "dev.key",
            "reenroll",
            "--out-key",
            "x.key",
            "--out-cert",
            "x.pem",
        ],
    );
    assert!(!ok && text.contains("4.03"), "{text}");
    assert!(!d.join("x.pem").exists());
}

#[test]
fn ace_est_client_waits_for_max_age_and_resends() {
    let d = dir("delay");
    factory_pki(&d);
    let srv = start_server(&d, &["--delay", "1"]);
    let (ok, text) = ace_est(
        &d,
        srv.port,
        &[
            "--cert",
            "dev.pem",
            "--key",
            "dev.key",
            "enroll",
            "--subject",
            "CN=slow",
            "--out-key",
            "k.pem",
            "--out-cert",
            "c.pem",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("5.03, Max-Age 1 s"), "{text}");
    assert!(d.join("c.pem").exists());
}

/// `openssl s_client -dtls1_2` with the device certificate: the handshake completes with
/// ECDHE-ECDSA-AES128-GCM-SHA256 and Extended Master Secret. Offering only the RFC 9148 §4
/// mandatory ECDHE-ECDSA-AES128-CCM8 fails: dimpl 0.9 lacks that suite (documented
/// deviation, ED-1).
#[test]
fn openssl_s_client_negotiates_gcm_and_ccm8_is_missing() {
    let d = dir("sclient");
    factory_pki(&d);
    let srv = start_server(&d, &[]);
    let connect = format!("127.0.0.1:{}", srv.port);
    let s_client = |cipher: Option<&str>| {
        let mut c = tool("sh");
        let cipher = cipher.map(|c| format!("-cipher {c}")).unwrap_or_default();
        c.current_dir(&d).args([
            "-c",
            &format!("sleep 2 | timeout 10 openssl s_client -dtls1_2 -connect {connect} -cert dev.pem -key dev.key {cipher}"),
        ]);
        run(&mut c).1
    };
    let text = s_client(None);
    assert!(
        text.contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"),
        "{text}"
    );
    assert!(text.contains("Protocol  : DTLSv1.2"), "{text}");
    assert!(text.contains("Extended master secret: yes"), "{text}");
    let text = s_client(Some("ECDHE-ECDSA-AES128-CCM8"));
    assert!(
        !text.contains("Cipher is ECDHE-ECDSA-AES128-CCM8"),
        "{text}"
    );
    // No shared suite: no session (s_client gives up or is stopped by `timeout`).
    assert!(!text.contains("Server certificate"), "{text}");
}

#[test]
fn ace_est_serverkeygen_encrypted_with_a_kek_and_to_the_client_certificate() {
    // RFC 9148 §5.8 / RFC 7030 §4.4: Content-Format 280 over DTLS, end to end.
    let d = dir("skg280");
    factory_pki(&d);
    let kek = "00112233445566778899aabbccddeeff";
    let srv = start_server(&d, &["--kek", &format!("device-kek={kek}")]);
    let p = srv.port;
    let base = ["--cert", "dev.pem", "--key", "dev.key"];
    let (ok, text) = ace_est(
        &d,
        p,
        &[&base[..], &["cacerts", "--out", "ca.pem"]].concat(),
    );
    assert!(ok, "{text}");
    let check = |key: &str, cert: &str| {
        let (ok, text) = run(tool("openssl")
            .args(["pkey", "-noout", "-check", "-in"])
            .arg(d.join(key)));
        assert!(ok, "{text}");
        // The certificate certifies exactly the key that was decrypted.
        let (_, k) = run(tool("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(d.join(key)));
        let (_, c) = run(tool("openssl")
            .args(["x509", "-noout", "-pubkey", "-in"])
            .arg(d.join(cert)));
        assert!(k.contains("BEGIN PUBLIC KEY") && k == c, "{k}\n{c}");
        let (ok, text) = run(tool("openssl")
            .arg("verify")
            .arg("-CAfile")
            .arg(d.join("ca.pem"))
            .arg(d.join(cert)));
        assert!(ok, "{text}");
    };
    let skg = |extra: &[&str], out: &str| {
        let key = format!("{out}.key");
        let cert = format!("{out}.pem");
        let args = [
            &[
                "--ca",
                "ca.pem",
                "--block-size",
                "64",
                "serverkeygen",
                "--subject",
                "CN=skg-280",
            ][..],
            extra,
            &["--out-key", &key, "--out-cert", &cert],
        ]
        .concat();
        ace_est(&d, p, &[&base[..], &args].concat())
    };
    // Symmetric: KEKRecipientInfo, /skg and /skc.
    for (pkix, out) in [(false, "k1"), (true, "k2")] {
        let mut extra = vec!["--kek-id", "device-kek", "--kek", kek];
        if pkix {
            extra.push("--pkix");
        }
        let (ok, text) = skg(&extra, out);
        assert!(ok && text.contains("Content-Format 280"), "{text}");
        check(&format!("{out}.key"), &format!("{out}.pem"));
    }
    // The same identifier with another key: the client cannot unwrap and writes nothing.
    let (ok, text) = skg(
        &[
            "--kek-id",
            "device-kek",
            "--kek",
            "ffeeddccbbaa99887766554433221100",
        ],
        "bad",
    );
    assert!(!ok && text.contains("key unwrap failed"), "{text}");
    assert!(!d.join("bad.key").exists());
    // An identifier the server does not know: 4.00 (RFC 7030 §4.4.1.1).
    let (ok, text) = skg(&["--kek-id", "other", "--kek", kek], "bad");
    assert!(!ok && text.contains("4.00"), "{text}");
    // Key agreement to the client's own certificate: enrol one (keyAgreement + SKI), then
    // ask for a server-generated key encrypted to it (KeyAgreeRecipientInfo).
    let (ok, text) = ace_est(
        &d,
        p,
        &[
            &base[..],
            &[
                "--ca",
                "ca.pem",
                "enroll",
                "--subject",
                "CN=device-1,O=Maker",
            ],
            &["--out-key", "op.key", "--out-cert", "op.pem"],
        ]
        .concat(),
    );
    assert!(ok, "{text}");
    let (ok, text) = ace_est(
        &d,
        p,
        &[
            "--cert",
            "op.pem",
            "--key",
            "op.key",
            "--ca",
            "ca.pem",
            "serverkeygen",
            "--subject",
            "CN=skg-ecdh",
            "--encrypt-to-cert",
            "--out-key",
            "e.key",
            "--out-cert",
            "e.pem",
        ],
    );
    assert!(ok && text.contains("Content-Format 280"), "{text}");
    check("e.key", "e.pem");
}
