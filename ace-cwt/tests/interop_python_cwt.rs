//! Interop with an independent implementation: Python `cwt` 3.3.0, run as a subprocess
//! (`$ACE_INTEROP_PYTHON $ACE_INTEROP_SCRIPTS/cwt_peer.py ...`; CWT has no socket protocol).
//! Missing peer = failed test, never a silent skip.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_cwt::{
    Algorithm, Claims, Cnf, KeyId, KeySet, NumericDate, PopKey, Protection, issue, verify,
};
use ciborium::Value;
use std::collections::HashMap;
use std::process::Command;

fn peer(args: &[&str]) -> HashMap<String, Vec<u8>> {
    let python = std::env::var("ACE_INTEROP_PYTHON").expect(
        "ACE_INTEROP_PYTHON is not set: run scripts/test, or export it to a python with cwt==3.3.0",
    );
    let scripts = std::env::var("ACE_INTEROP_SCRIPTS")
        .expect("ACE_INTEROP_SCRIPTS is not set: it must point at scripts/interop");
    let out = Command::new(&python)
        .arg(format!("{scripts}/cwt_peer.py"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot start the Python cwt peer {python}: {e}"));
    assert!(
        out.status.success(),
        "Python cwt peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), hex::decode(v.trim()).unwrap()))
        .collect()
}

fn rng() -> rand::rngs::StdRng {
    rand::make_rng()
}

/// The claims cwt_peer.py puts in every token.
fn check_peer_claims(c: &Claims, pop: &[u8]) {
    assert_eq!(c.iss.as_deref(), Some("as.example"));
    assert_eq!(c.aud.as_deref(), Some("rs1"));
    assert_eq!(c.exp, Some(NumericDate::WholeSeconds(2_000_000_000)));
    assert_eq!(c.cti.as_deref(), Some(&[1u8, 2][..]));
    assert_eq!(c.scope, Some(Value::Text("read".into())));
    assert_eq!(c.cnf, Some(Cnf::CoseKey(PopKey::from_slice(pop).unwrap())));
    // cwt adds nbf and iat on its own.
    assert!(c.nbf.is_some() && c.iat.is_some());
}

fn our_claims(cnf: Cnf) -> Claims {
    Claims {
        iss: Some("coap://as.example".into()),
        sub: Some("client-1".into()),
        aud: Some("coap://rs.example".into()),
        exp: Some(NumericDate::WholeSeconds(2_000_000_000)),
        iat: Some(NumericDate::WholeSeconds(1_700_000_000)),
        nbf: Some(NumericDate::WholeSeconds(1_700_000_000)),
        cti: Some(vec![9, 9]),
        scope: Some(Value::Bytes(vec![0x81, 0x82])),
        cnf: Some(cnf),
        ..Claims::default()
    }
}

#[test]
fn es256_sign1_token_made_by_python_cwt_is_accepted() {
    let out = peer(&["sign1-make"]);
    let key = PopKey::from_slice(&out["key"]).unwrap();
    let verified = verify(&out["token"], &KeySet::new().with(key)).unwrap();
    assert_eq!(verified.authenticated_by().unwrap().alg, Algorithm::Es256);
    assert_eq!(
        verified.authenticated_by().unwrap().kid,
        Some(KeyId::from(b"as-key-1"))
    );
    check_peer_claims(verified.claims(), &out["pop"]);
}

#[test]
fn es256_sign1_token_made_here_is_verified_by_python_cwt() {
    let mut rng = rng();
    let as_key = PopKey::generate_p256(Some(KeyId::from(b"as-key-9")), &mut rng);
    let client = PopKey::generate_p256(Some(KeyId::from(b"client")), &mut rng);
    let claims = our_claims(Cnf::CoseKey(client.to_public().unwrap()));
    let token = issue(
        &claims,
        &Protection::sign1(as_key.clone(), Algorithm::Es256).unwrap(),
        &mut rng,
    )
    .unwrap();
    let public = as_key.to_public().unwrap().to_vec().unwrap();
    let out = peer(&["sign1-verify", &hex::encode(&token), &hex::encode(public)]);
    assert_eq!(Claims::from_slice(&out["claims"]).unwrap(), claims);
}

#[test]
fn aes_ccm_encrypt0_token_made_by_python_cwt_is_accepted() {
    let key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"rs1-key")),
        &mut rng(),
    )
    .unwrap();
    let out = peer(&["encrypt0-make", &hex::encode(key.to_vec().unwrap())]);
    let verified = verify(&out["token"], &KeySet::new().with(key)).unwrap();
    assert_eq!(
        verified.authenticated_by().unwrap().alg,
        Algorithm::AesCcm16_64_128
    );
    check_peer_claims(verified.claims(), &out["pop"]);
}

#[test]
fn aes_ccm_encrypt0_token_made_here_is_decrypted_by_python_cwt() {
    let mut rng = rng();
    let key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"rs1-key")),
        &mut rng,
    )
    .unwrap();
    let pop = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"pop")),
        &mut rng,
    )
    .unwrap();
    let claims = our_claims(Cnf::CoseKey(pop));
    let token = issue(
        &claims,
        &Protection::encrypt0(key.clone(), Algorithm::AesCcm16_64_128).unwrap(),
        &mut rng,
    )
    .unwrap();
    let out = peer(&[
        "encrypt0-decrypt",
        &hex::encode(&token),
        &hex::encode(key.to_vec().unwrap()),
    ]);
    assert_eq!(Claims::from_slice(&out["claims"]).unwrap(), claims);
}
