//! Token costs as ratios to the crypto they cannot avoid, measured in the same run:
//! ES256 Sign1 issue vs p256 signing the same Sig_structure, Sign1 verify vs p256 verify,
//! Encrypt0 verify (decrypt + claims decode) vs raw AES-CCM-16-64-128 open.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use ace_cwt::coset::{CoseEncrypt0, CoseSign1, TaggedCborSerializable};
use ace_cwt::{
    Algorithm, Claims, Cnf, KeyId, KeySet, NumericDate, PopKey, Protection, issue, verify,
};
use ccm::aead::{Aead, KeyInit, Payload};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use signature::{Signer, Verifier};
use std::hint::black_box;

fn claims(cnf: PopKey) -> Claims {
    Claims {
        iss: Some("coap://as.example.com".into()),
        aud: Some("coap://light.example.com".into()),
        exp: Some(NumericDate::WholeSeconds(2_000_000_000)),
        iat: Some(NumericDate::WholeSeconds(1_700_000_000)),
        cti: Some(vec![1, 2, 3, 4]),
        scope: Some(ciborium::Value::Text("r_temp w_led".into())),
        cnf: Some(Cnf::CoseKey(cnf)),
        ..Claims::default()
    }
}

fn es256(c: &mut Criterion) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let as_key = PopKey::generate_p256(Some(KeyId::from(b"as")), &mut rng);
    let claims = claims(PopKey::generate_p256(None, &mut rng).to_public().unwrap());
    let protection = Protection::sign1(as_key.clone(), Algorithm::Es256).unwrap();
    let token = issue(&claims, &protection, &mut rng).unwrap();
    let tbs = CoseSign1::from_tagged_slice(&token).unwrap().tbs_data(&[]);
    let ace_cwt::KeyMaterial::P256Private(sk) = as_key.material().clone() else {
        unreachable!()
    };
    let vk = *sk.verifying_key();
    let keys = KeySet::new().with(as_key.to_public().unwrap());
    let sig: p256::ecdsa::Signature = sk.sign(&tbs);

    let mut g = c.benchmark_group("es256");
    g.bench_function("raw p256 sign (Sig_structure)", |b| {
        b.iter(|| -> p256::ecdsa::Signature { sk.sign(black_box(&tbs)) })
    });
    g.bench_function("issue Sign1 token", |b| {
        b.iter(|| issue(black_box(&claims), &protection, &mut rng).unwrap())
    });
    g.bench_function("raw p256 verify (Sig_structure)", |b| {
        b.iter(|| vk.verify(black_box(&tbs), &sig).unwrap())
    });
    g.bench_function("verify Sign1 token", |b| {
        b.iter(|| verify(black_box(&token), &keys).unwrap())
    });
    g.finish();
}

fn encrypt0(c: &mut Criterion) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"rs")),
        &mut rng,
    )
    .unwrap();
    let pop = PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, None, &mut rng).unwrap();
    let token = issue(
        &claims(pop),
        &Protection::encrypt0(key.clone(), Algorithm::AesCcm16_64_128).unwrap(),
        &mut rng,
    )
    .unwrap();
    let enc = CoseEncrypt0::from_tagged_slice(&token).unwrap();
    let aad = ace_cwt::coset::enc_structure_data(
        ace_cwt::coset::EncryptionContext::CoseEncrypt0,
        enc.protected.clone(),
        &[],
    );
    let ciphertext = enc.ciphertext.clone().unwrap();
    let nonce = enc.unprotected.iv.clone();
    let ace_cwt::KeyMaterial::Symmetric(k) = key.material().clone() else {
        unreachable!()
    };
    let cipher =
        ccm::Ccm::<aes::Aes128, ccm::consts::U8, ccm::consts::U13>::new_from_slice(k.as_bytes())
            .unwrap();
    let keys_key = key.clone();
    let keys = KeySet::new().with(key);

    let mut g = c.benchmark_group("encrypt0");
    g.bench_function("raw AES-CCM-16-64-128 open", |b| {
        b.iter(|| {
            let n = ccm::aead::Nonce::<ccm::Ccm<aes::Aes128, ccm::consts::U8, ccm::consts::U13>>::try_from(nonce.as_slice()).unwrap();
            cipher.decrypt(&n, Payload { msg: black_box(&ciphertext), aad: &aad }).unwrap()
        })
    });
    g.bench_function("verify Encrypt0 token", |b| {
        b.iter(|| verify(black_box(&token), &keys).unwrap())
    });
    // Breakdown of the verify time.
    let plaintext = ace_cwt::structure::decrypt0(&enc, &keys_key, &[]).unwrap();
    g.bench_function("part: parse COSE_Encrypt0", |b| {
        b.iter(|| CoseEncrypt0::from_tagged_slice(black_box(&token)).unwrap())
    });
    g.bench_function("part: decrypt0 (headers + AEAD)", |b| {
        b.iter(|| ace_cwt::structure::decrypt0(black_box(&enc), &keys_key, &[]).unwrap())
    });
    g.bench_function("part: decode claims", |b| {
        b.iter(|| Claims::from_slice(black_box(&plaintext)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, es256, encrypt0);
criterion_main!(benches);
