//! `ace keygen` and `ace token decode`, run as the built binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_cwt::{Algorithm, KeyId, KeyMaterial, PopKey};
use std::process::{Command, Output};

fn ace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ace"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "ace failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{text}"))
}

fn vector(id: &str) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/ace-examples/rfc8392.json"
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap()["hex"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn keygen_output_decodes_as_the_requested_cose_key() {
    for (kind, check) in [("p256", Algorithm::Es256), ("ed25519", Algorithm::EdDsa)] {
        let text = stdout(&ace(&["keygen", "--type", kind, "--kid", "0a0b"]));
        let key =
            PopKey::from_slice(&hex::decode(line(&text, "COSE_Key (hex): ")).unwrap()).unwrap();
        assert_eq!(key.kid(), Some(&KeyId::from(&[0x0a, 0x0b])));
        assert!(key.check_algorithm(check).is_ok(), "{kind}");
        assert!(key.material().has_secret());
        assert!(line(&text, "COSE_Key (diag): ").starts_with('{'));
        let public =
            PopKey::from_slice(&hex::decode(line(&text, "public COSE_Key (hex): ")).unwrap())
                .unwrap();
        assert!(!public.material().has_secret());
    }
    let text = stdout(&ace(&["keygen", "--type", "x25519"]));
    let key = PopKey::from_slice(&hex::decode(line(&text, "COSE_Key (hex): ")).unwrap()).unwrap();
    assert!(matches!(key.material(), KeyMaterial::X25519Private(_)));
}

#[test]
fn keygen_symmetric_honours_alg_and_writes_the_file() {
    let dir = std::env::temp_dir().join(format!("ace-keygen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("k.hex");
    let text = stdout(&ace(&[
        "keygen",
        "--type",
        "symmetric",
        "--alg",
        "A256GCM",
        "--out",
        file.to_str().unwrap(),
    ]));
    let printed = line(&text, "COSE_Key (hex): ");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), printed);
    let key = PopKey::from_slice(&hex::decode(printed).unwrap()).unwrap();
    assert_eq!(key.alg(), Some(&Algorithm::A256Gcm.to_coset()));
    match key.material() {
        KeyMaterial::Symmetric(k) => assert_eq!(k.as_bytes().len(), 32),
        other => panic!("{other:?}"),
    }
    let bad = ace(&["keygen", "--type", "symmetric", "--alg", "nope"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown algorithm"));
}

#[test]
fn token_decode_of_rfc8392_a3_with_the_a23_key_shows_the_verified_claims() {
    let text = stdout(&ace(&[
        "token",
        "decode",
        &vector("rfc8392-a-3"),
        "--key",
        &vector("rfc8392-a-2-3"),
    ]));
    assert!(text.contains("COSE_Sign1 (tag 18)"), "{text}");
    assert!(text.contains("protected: {1: -7}"), "{text}");
    assert!(text.contains("verified: Sign1 ES256"), "{text}");
    let verified = text.split("claims (verified):").nth(1).unwrap();
    for expected in [
        "iss (1): \"coap://as.example.com\"",
        "sub (2): \"erikw\"",
        "aud (3): \"coap://light.example.com\"",
        "exp (4): 1444064944",
        "cti (7): h'0b71'",
    ] {
        assert!(
            verified.contains(expected),
            "missing {expected} in:\n{text}"
        );
    }
}

#[test]
fn token_decode_without_key_shows_structure_and_with_the_wrong_key_refuses() {
    let text = stdout(&ace(&["token", "decode", &vector("rfc8392-a-5")]));
    assert!(text.contains("COSE_Encrypt0 (tag 16)"), "{text}");
    assert!(text.contains("give --key to decrypt"), "{text}");
    let wrong = ace(&[
        "token",
        "decode",
        &vector("rfc8392-a-3"),
        "--key",
        &vector("rfc8392-a-2-1"),
    ]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("token refused"));
    // Nested A.6 needs both keys.
    let text = stdout(&ace(&[
        "token",
        "decode",
        &vector("rfc8392-a-6"),
        "--key",
        &vector("rfc8392-a-2-1"),
        "--key",
        &vector("rfc8392-a-2-3"),
    ]));
    assert!(
        text.contains("verified: Encrypt0 AES-CCM-16-64-128"),
        "{text}"
    );
    assert!(text.contains("verified: Sign1 ES256"), "{text}");
}
