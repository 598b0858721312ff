//! The COSE WG examples (vectors/cose-wg-examples) for Sign1, Mac0 and Encrypt0.
//!
//! Every case file of the directories named in the issue is listed with the outcome it must
//! have; docs/conformance/ace-cwt.md carries the same table.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_cwt::coset::{CborSerializable, CoseEncrypt0, CoseMac0, CoseSign1, TaggedCborSerializable};
use ace_cwt::{Error, KeyId, KeyMaterial, PopKey, SymmetricKey, structure};
use serde_json::Value as Json;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Verifies/decrypts to the plaintext; `true` if the output bytes are re-created exactly
    /// (ES256 too: the examples used deterministic RFC 6979 nonces, as does p256).
    Pass(bool),
    /// A failure test: must be refused.
    Reject,
    /// An algorithm or curve not implemented here: refused with this error kind.
    Unsupported,
    /// COSE_Sign / COSE_Mac / COSE_Encrypt with recipients: not a structure CWTs use here.
    NotApplicable,
}
use Expect::*;

const CASES: &[(&str, Expect)] = &[
    ("sign1-tests/sign-fail-01.json", Reject),
    ("sign1-tests/sign-fail-02.json", Reject),
    ("sign1-tests/sign-fail-03.json", Reject),
    ("sign1-tests/sign-fail-04.json", Reject),
    ("sign1-tests/sign-fail-06.json", Reject),
    ("sign1-tests/sign-fail-07.json", Reject),
    ("sign1-tests/sign-pass-01.json", Pass(true)),
    ("sign1-tests/sign-pass-02.json", Pass(true)),
    ("sign1-tests/sign-pass-03.json", Pass(true)),
    ("ecdsa-examples/ecdsa-01.json", NotApplicable),
    ("ecdsa-examples/ecdsa-02.json", NotApplicable),
    ("ecdsa-examples/ecdsa-03.json", NotApplicable),
    ("ecdsa-examples/ecdsa-04.json", NotApplicable),
    ("ecdsa-examples/ecdsa-sig-01.json", Pass(true)),
    ("ecdsa-examples/ecdsa-sig-02.json", Unsupported),
    ("ecdsa-examples/ecdsa-sig-03.json", Unsupported),
    ("ecdsa-examples/ecdsa-sig-04.json", Unsupported),
    ("eddsa-examples/eddsa-01.json", NotApplicable),
    ("eddsa-examples/eddsa-02.json", NotApplicable),
    ("eddsa-examples/eddsa-sig-01.json", Pass(true)),
    ("eddsa-examples/eddsa-sig-02.json", Unsupported),
    ("mac0-tests/HMac-01.json", Pass(true)),
    ("mac0-tests/mac-fail-01.json", Reject),
    ("mac0-tests/mac-fail-02.json", Reject),
    ("mac0-tests/mac-fail-03.json", Reject),
    ("mac0-tests/mac-fail-04.json", Reject),
    ("mac0-tests/mac-fail-06.json", Reject),
    ("mac0-tests/mac-fail-07.json", Reject),
    ("mac0-tests/mac-pass-01.json", Pass(true)),
    ("mac0-tests/mac-pass-02.json", Pass(true)),
    ("mac0-tests/mac-pass-03.json", Pass(true)),
    ("hmac-examples/HMac-01.json", NotApplicable),
    ("hmac-examples/HMac-02.json", NotApplicable),
    ("hmac-examples/HMac-03.json", NotApplicable),
    ("hmac-examples/HMac-04.json", NotApplicable),
    ("hmac-examples/HMac-05.json", NotApplicable),
    ("hmac-examples/HMac-enc-01.json", Pass(true)),
    ("hmac-examples/HMac-enc-02.json", Pass(true)),
    ("hmac-examples/HMac-enc-03.json", Pass(true)),
    ("hmac-examples/HMac-enc-04.json", Reject),
    ("hmac-examples/HMac-enc-05.json", Pass(true)),
    ("encrypted-tests/aes-gcm-01.json", Pass(true)),
    ("encrypted-tests/enc-fail-01.json", Reject),
    ("encrypted-tests/enc-fail-02.json", Reject),
    ("encrypted-tests/enc-fail-03.json", Reject),
    ("encrypted-tests/enc-fail-04.json", Reject),
    ("encrypted-tests/enc-fail-06.json", Reject),
    ("encrypted-tests/enc-fail-07.json", Reject),
    ("encrypted-tests/enc-pass-01.json", Pass(true)),
    ("encrypted-tests/enc-pass-02.json", Pass(true)),
    ("encrypted-tests/enc-pass-03.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-01.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-02.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-03.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-04.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-05.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-06.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-07.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-08.json", NotApplicable),
    ("aes-ccm-examples/aes-ccm-enc-01.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-enc-02.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-enc-03.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-enc-04.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-enc-05.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-enc-06.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-enc-07.json", Pass(true)),
    ("aes-ccm-examples/aes-ccm-enc-08.json", Pass(true)),
    ("aes-gcm-examples/aes-gcm-01.json", NotApplicable),
    ("aes-gcm-examples/aes-gcm-02.json", NotApplicable),
    ("aes-gcm-examples/aes-gcm-03.json", NotApplicable),
    ("aes-gcm-examples/aes-gcm-04.json", NotApplicable),
    ("aes-gcm-examples/aes-gcm-05.json", NotApplicable),
    ("aes-gcm-examples/aes-gcm-enc-01.json", Pass(true)),
    ("aes-gcm-examples/aes-gcm-enc-02.json", Pass(true)),
    ("aes-gcm-examples/aes-gcm-enc-03.json", Pass(true)),
    ("aes-gcm-examples/aes-gcm-enc-04.json", Reject),
];

fn b64url(s: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("bad base64url {s}"),
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

/// A JWK from the examples as a typed key (no alg: the header decides).
fn jwk(j: &Json) -> Result<PopKey, Error> {
    let field = |name: &str| {
        j[name].as_str().map(b64url).or_else(|| {
            j[format!("{name}_hex")]
                .as_str()
                .map(|h| hex::decode(h).unwrap())
        })
    };
    let kid = j["kid"].as_str().map(|k| KeyId::from(k.as_bytes()));
    let material = match (j["kty"].as_str().unwrap(), j["crv"].as_str()) {
        ("oct", _) => KeyMaterial::Symmetric(SymmetricKey::new(field("k").unwrap())?),
        ("EC", Some("P-256")) => KeyMaterial::P256Private(
            p256::ecdsa::SigningKey::from_slice(&field("d").unwrap()).unwrap(),
        ),
        ("OKP", Some("Ed25519")) => KeyMaterial::Ed25519Private(
            ed25519_dalek::SigningKey::from_bytes(&field("d").unwrap().try_into().unwrap()),
        ),
        _ => return Err(Error::UnsupportedKeyType),
    };
    Ok(PopKey::new(material).with_kid(kid))
}

fn bytes_of(output: &str) -> Vec<u8> {
    hex::decode(output).unwrap()
}

/// Run one case: Ok(recreated bytes equal) on success, Err on refusal.
fn run(case: &Json) -> Result<bool, Error> {
    let input = &case["input"];
    let out = bytes_of(case["output"]["cbor"].as_str().unwrap());
    let plaintext = input["plaintext"].as_str().unwrap().as_bytes();
    let tagged = !matches!(input["failures"]["RemoveCBORTag"], Json::Number(_));
    let (section, key) = if input["sign0"].is_object() {
        ("sign0", &input["sign0"]["key"])
    } else if input["mac0"].is_object() {
        ("mac0", &input["mac0"]["recipients"][0]["key"])
    } else {
        ("encrypted", &input["encrypted"]["recipients"][0]["key"])
    };
    let aad = input[section]["external"]
        .as_str()
        .map(|h| hex::decode(h).unwrap())
        .unwrap_or_default();
    let key = jwk(key)?;
    // The tag, if any, must be the structure's own (RFC 9052 §2).
    let tag = match section {
        "sign0" => 18,
        "mac0" => 17,
        _ => 16,
    };
    let value: ciborium::Value = ciborium::from_reader(out.as_slice()).unwrap();
    if let ciborium::Value::Tag(t, _) = value
        && t != tag
    {
        return Err(Error::UnsupportedTag(t));
    }
    let reencode =
        |tagged_bytes: Vec<u8>, untagged: Vec<u8>| if tagged { tagged_bytes } else { untagged };
    match section {
        "sign0" => {
            let s = if tagged {
                CoseSign1::from_tagged_slice(&out)
            } else {
                CoseSign1::from_slice(&out)
            }?;
            structure::verify_sign1(&s, &key, &aad)?;
            assert_eq!(s.payload.as_deref(), Some(plaintext));
            let again = structure::sign1_with_headers(
                s.protected.clone(),
                s.unprotected.clone(),
                plaintext.to_vec(),
                &key,
                &aad,
            )?;
            Ok(reencode(again.clone().to_tagged_vec()?, again.to_vec()?) == out)
        }
        "mac0" => {
            let m = if tagged {
                CoseMac0::from_tagged_slice(&out)
            } else {
                CoseMac0::from_slice(&out)
            }?;
            structure::verify_mac0(&m, &key, &aad)?;
            assert_eq!(m.payload.as_deref(), Some(plaintext));
            let again = structure::mac0_with_headers(
                m.protected.clone(),
                m.unprotected.clone(),
                plaintext.to_vec(),
                &key,
                &aad,
            )?;
            Ok(reencode(again.clone().to_tagged_vec()?, again.to_vec()?) == out)
        }
        _ => {
            let e = if tagged {
                CoseEncrypt0::from_tagged_slice(&out)
            } else {
                CoseEncrypt0::from_slice(&out)
            }?;
            assert_eq!(structure::decrypt0(&e, &key, &aad)?, plaintext);
            let again = structure::encrypt0_with_headers(
                e.protected.clone(),
                e.unprotected.clone(),
                plaintext,
                &key,
                &aad,
            )?;
            Ok(reencode(again.clone().to_tagged_vec()?, again.to_vec()?) == out)
        }
    }
}

#[test]
fn every_listed_case_has_its_expected_outcome() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/cose-wg-examples/");
    let mut report = String::new();
    let mut mismatches = Vec::new();
    for (file, expect) in CASES {
        let case: Json =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}{file}")).unwrap())
                .unwrap();
        let is_fail = case["fail"].as_bool().unwrap_or(false);
        let input = &case["input"];
        let single = input["sign0"].is_object()
            || input["mac0"].is_object()
            || input["encrypted"].is_object();
        let got = if !single {
            NotApplicable
        } else {
            match run(&case) {
                Ok(recreated) => Pass(recreated),
                Err(Error::UnsupportedAlgorithm(_) | Error::UnsupportedKeyType) if !is_fail => {
                    Unsupported
                }
                Err(e) => {
                    report.push_str(&format!("{file}: refused with {e:?}\n"));
                    Reject
                }
            }
        };
        report.push_str(&format!("{file}: {got:?}\n"));
        if got != *expect {
            mismatches.push(format!("{file}: got {got:?}, expected {expect:?}"));
        }
        if *expect != NotApplicable {
            assert_eq!(
                is_fail,
                *expect == Reject,
                "{file}: fail flag and expectation disagree"
            );
        }
    }
    println!("{report}");
    assert!(mismatches.is_empty(), "{}\n{report}", mismatches.join("\n"));
}

#[test]
fn every_case_file_in_the_listed_directories_is_covered() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/cose-wg-examples/");
    let mut on_disk = Vec::new();
    for d in [
        "sign1-tests",
        "ecdsa-examples",
        "eddsa-examples",
        "mac0-tests",
        "hmac-examples",
        "encrypted-tests",
        "aes-ccm-examples",
        "aes-gcm-examples",
    ] {
        for entry in std::fs::read_dir(format!("{dir}{d}")).unwrap() {
            on_disk.push(format!(
                "{d}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|(f, _)| (*f).to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}
