//! `ace demo` end to end: the binary runs AS, RS and client over UDP on loopback and prints
//! each exchange; the codes must appear in the order of the RFC 9200 flow.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

#[test]
fn demo_prints_401_hints_201_token_201_upload_205_and_403_in_order() {
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
    assert_eq!(codes, ["4.01", "2.01", "2.01", "2.05", "4.03"], "{stdout}");
    assert!(responses[0].starts_with("RS:") && responses[1].starts_with("AS:"));
    // The 4.01 carries creation hints, printed as CBOR diagnostic notation (AS = 1,
    // audience = 5), and the token response a cnf with a COSE_Key (8: {1: {...}}).
    assert!(stdout.contains("{1: \"coap://127.0.0.1:"), "{stdout}");
    assert!(stdout.contains("8: {1: {1: 4"), "{stdout}");
    assert!(stdout.contains("not cryptographically proven"), "{stdout}");
}
