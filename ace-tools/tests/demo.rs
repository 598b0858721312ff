//! `ace demo` end to end: the binary runs AS, RS and client over UDP on loopback and prints
//! each exchange; the codes must appear in the order of the RFC 9200 flow, followed by the
//! RFC 9148 enrolment over DTLS (step 6).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

#[test]
fn demo_prints_401_hints_201_token_201_upload_205_403_then_est_205_crts_204_sen() {
    let out = Command::new(env!("CARGO_BIN_EXE_ace"))
        .arg("demo")
        .output()
        .expect("run ace demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let responses: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("client <- "))
        .collect();
    let codes: Vec<&str> = responses
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        [
            "4.01", "2.01", "2.01", "2.05", "4.03", "2.05", "2.04", "2.04"
        ],
        "{stdout}"
    );
    assert!(responses[0].starts_with("RS:") && responses[1].starts_with("AS:"));
    // The 4.01 carries creation hints, printed as CBOR diagnostic notation annotated with
    // the RFC 9200 §5.3 Table 1 names (AS = 1, audience = 5).
    assert!(
        stdout.contains("{ / AS / 1 : \"coap://127.0.0.1:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("/ audience / 5 : \"tempSensor4711\""),
        "{stdout}"
    );
    // The token request and response use the Table 5 names (not the claims' ones: 2 is
    // expires_in here), and cnf nests a COSE_Key (RFC 8747 §3.1) with RFC 9052 labels.
    assert!(
        stdout.contains("/ client_id / 24 : \"myclient\""),
        "{stdout}"
    );
    assert!(stdout.contains("{ / access_token / 1 : h'"), "{stdout}");
    assert!(stdout.contains("/ expires_in / 2 : 3600"), "{stdout}");
    assert!(
        stdout.contains("/ cnf / 8 : { / COSE_Key / 1 : { / kty / 1 : 4, / kid / 2 : h'"),
        "{stdout}"
    );
    assert!(stdout.contains("/ k / -1 : h'"), "{stdout}");
    // The profile by name, not as a Rust value.
    assert!(stdout.contains("(profile coap_dtls)"), "{stdout}");
    assert!(!stdout.contains("Some(CoapDtls)"), "{stdout}");
    // The RS shows the claims of the token it decrypted and accepted, with claim names
    // (RFC 8392 §3.1: aud = 3, exp = 4; RFC 9200 §8.13: ace_profile = 38).
    let accepted = stdout
        .lines()
        .find(|l| l.contains("RS: token accepted, claims: "))
        .expect("accepted claims line");
    assert!(
        accepted.contains("/ iss / 1 : \"coap://127.0.0.1/as\""),
        "{accepted}"
    );
    assert!(
        accepted.contains("/ aud / 3 : \"tempSensor4711\""),
        "{accepted}"
    );
    assert!(accepted.contains("/ exp / 4 : "), "{accepted}");
    assert!(
        accepted.contains("/ cnf / 8 : { / COSE_Key / 1 : {"),
        "{accepted}"
    );
    assert!(accepted.contains("/ ace_profile / 38 : 1"), "{accepted}");
    assert!(stdout.contains("not cryptographically proven"), "{stdout}");

    // Step 6, RFC 9148 over DTLS: GET /crts answers 2.05 with PKCS#7 certs-only (281),
    // POST /sen sends a PKCS#10 CSR (286) and answers 2.04 with the certificate (281).
    let step6 = stdout
        .split("6. Certificate enrolment over DTLS (RFC 9148)")
        .nth(1)
        .expect("step 6 printed");
    assert!(
        step6.contains("client -> EST: GET /.well-known/est/crts\n"),
        "{step6}"
    );
    assert!(
        step6.contains(
            "client <- EST: 2.05 Content (application/pkcs7-mime; smime-type=certs-only)"
        ),
        "{step6}"
    );
    assert!(
        step6.contains("client -> EST: POST /.well-known/est/sen (application/pkcs10)"),
        "{step6}"
    );
    assert!(
        step6.contains(
            "client <- EST: 2.04 Changed (application/pkcs7-mime; smime-type=certs-only)"
        ),
        "{step6}"
    );
    // The issued certificate: the CSR's subject, issued by the EST CA (not the factory CA).
    assert!(
        step6.contains(
            "issued certificate: subject \"CN=demo-device,O=ace-tools\", issuer \"CN=ace EST CA,O=ace-tools\", serial "
        ),
        "{step6}"
    );
    assert!(step6.contains("chains to the CA"), "{step6}");
    // Then /skg with the key encrypted to the new certificate (RFC 9148 §5.8): a
    // multipart-core answer whose key part is Content-Format 280 and certificate part 281.
    assert!(
        step6.contains("client -> EST: POST /.well-known/est/skg (application/pkcs10), Accept 62"),
        "{step6}"
    );
    assert!(
        step6.contains("client <- EST: 2.04 Changed (application/multipart-core)"),
        "{step6}"
    );
    assert!(step6.contains("multipart-core parts: 280 ("), "{step6}");
    assert!(step6.contains(", 281 ("), "{step6}");
    assert!(
        step6.contains("server-generated identity: subject \"CN=demo-device-2,O=ace-tools\""),
        "{step6}"
    );
    assert!(stdout.trim_end().ends_with("Demo complete."), "{stdout}");
}
