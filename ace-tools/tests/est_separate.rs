//! RFC 9148 §5.7 short delay over real DTLS on 127.0.0.1: `ace est-server --separate-ms`
//! answers the final /sen block with an empty ACK and sends the certificate later as a CON
//! response (RFC 7252 §5.2.2), retransmitted until acknowledged. Peers: our `ace est`
//! client and libcoap's `coap-client-gnutls`; OpenSSL makes the factory PKI and verifies
//! what was issued. Missing tools make the tests FAIL with the reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::*;

/// `ace est-server` with its stdout and stderr (the request log) collected.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
    /// The server's CA certificate.
    ca: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts a server keeping its CA in `d/name`.
    fn start(d: &Path, name: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(ACE)
            .args(["est-server", "--listen", "127.0.0.1:0", "--dir"])
            .arg(d.join(name))
            .arg("--client-ca")
            .arg(d.join("fca.pem"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("server said {line:?}"));
        let log = Arc::new(Mutex::new(String::new()));
        // Keep both pipes drained so the server never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Server {
            child,
            port,
            log,
            ca: d.join(name).join("ca.pem"),
        }
    }

    /// Waits (up to 10 s) until the log has `n` lines containing `what`; returns the log.
    fn wait_log(&self, what: &str, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log.lock().unwrap().clone();
            if log.matches(what).count() >= n || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn verify(ca: &Path, pem: &Path) {
    let (ok, text) = run(tool("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(ca)
        .arg(pem));
    assert!(ok && text.contains(": OK"), "{text}");
}

const SEPARATE: &str = "separate response: empty ACK for MID";
const ACKED: &str = "acknowledged by the client";

#[test]
fn ace_est_enroll_gets_a_separate_response() {
    let d = dir("ace");
    factory_pki(&d);
    // The server sends 64-byte Block2 blocks: the separate CON response carries Block2 #0,
    // the client fetches the rest piggybacked (RFC 9148 Figure 2).
    let srv = Server::start(&d, "srv", &["--separate-ms", "300", "--block-size", "64"]);
    // The CSR in one message, then in 64-byte Block1 blocks.
    for (i, block) in ["1024", "64"].into_iter().enumerate() {
        let (key, cert) = (format!("op{i}.key"), format!("op{i}.pem"));
        let started = Instant::now();
        let (ok, text) = run(Command::new(ACE).current_dir(&d).args([
            "est",
            "--server",
            &format!("127.0.0.1:{}", srv.port),
            "--cert",
            "dev.pem",
            "--key",
            "dev.key",
            "--block-size",
            block,
            "enroll",
            "--subject",
            "CN=device-1,O=Maker",
            "--out-key",
            &key,
            "--out-cert",
            &cert,
        ]));
        assert!(ok, "{text}");
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "the response cannot come before the simulated CA delay"
        );
        verify(&srv.ca, &d.join(&cert));
        let log = srv.wait_log(ACKED, i + 1);
        assert_eq!(log.matches(SEPARATE).count(), i + 1, "{log}");
        assert_eq!(log.matches("CON 2.04 sent (MID").count(), i + 1, "{log}");
        assert_eq!(log.matches(", Block2 #0 of").count(), i + 1, "{log}");
        assert_eq!(log.matches(ACKED).count(), i + 1, "{log}");
    }
    // /crts is not a CA operation: it stays piggybacked.
    let (ok, text) = run(Command::new(ACE).current_dir(&d).args([
        "est",
        "--server",
        &format!("127.0.0.1:{}", srv.port),
        "--cert",
        "dev.pem",
        "--key",
        "dev.key",
        "cacerts",
        "--out",
        "ca.pem",
    ]));
    assert!(ok, "{text}");
    // (Each enroll above fetched /crts first, for its trust anchors: 3 GETs in all.)
    let log = srv.wait_log("GET /.well-known/est/crts -> 2.05", 3);
    assert_eq!(
        log.matches("GET /.well-known/est/crts -> 2.05").count(),
        3,
        "{log}"
    );
    assert_eq!(log.matches(SEPARATE).count(), 2, "{log}");
}

fn libcoap_sen(d: &Path, port: u16, out: &str, block: Option<&str>) -> String {
    let mut c = tool("coap-client-gnutls");
    c.current_dir(d)
        .args(["-B", "10", "-c", "dev.pem", "-j", "dev.key"])
        .args(["-m", "post", "-t", "286", "-A", "281"]);
    if let Some(b) = block {
        c.args(["-b", b]);
    }
    c.args(["-f", "sen.der", "-o", out])
        .arg(format!("coaps://127.0.0.1:{port}/.well-known/est/sen"));
    // coap-client exits 0 even when DTLS or CoAP fail: the caller checks the output file.
    run(&mut c).1
}

#[test]
fn libcoap_gnutls_enrolls_with_a_separate_response() {
    let d = dir("libcoap");
    factory_pki(&d);
    // Whole messages; then the CSR in 64-byte Block1 blocks and the certificate in 64-byte
    // Block2 blocks (the separate CON response carries Block2 #0).
    for (i, (block, server_block)) in [(None, "1024"), (Some("64"), "64")].into_iter().enumerate() {
        let srv = Server::start(
            &d,
            &format!("srv{i}"),
            &["--separate-ms", "300", "--block-size", server_block],
        );
        let out = format!("sen{i}.p7");
        let text = libcoap_sen(&d, srv.port, &out, block);
        assert!(d.join(&out).exists(), "no /sen response: {text}");
        let issued = d.join(format!("issued{i}.pem"));
        let (ok, text) = run(tool("openssl")
            .args(["pkcs7", "-inform", "DER", "-print_certs", "-out"])
            .arg(&issued)
            .arg("-in")
            .arg(d.join(&out)));
        assert!(ok, "{text}");
        let (ok, text) = run(tool("openssl")
            .args(["x509", "-noout", "-subject", "-in"])
            .arg(&issued));
        assert!(ok && text.contains("CN = device-1"), "{text}");
        verify(&srv.ca, &issued);
        // libcoap got the empty ACK, then acknowledged our CON 2.04.
        let log = srv.wait_log(ACKED, 1);
        assert_eq!(log.matches(SEPARATE).count(), 1, "{log}");
        assert_eq!(log.matches(ACKED).count(), 1, "{log}");
        let blockwise = log.matches(", Block2 #0 of").count();
        assert_eq!(blockwise, i, "{log}");
    }
}
