//! Criterion benchmarks of the engines, each next to the raw primitive it cannot avoid, on
//! the same bytes and in the same run (ARCHITECTURE §4):
//! - token issue by the AS engine (ES256 COSE_Sign1) vs raw p256 ECDSA sign;
//! - RS `/authz-info` of a Sign1 token vs raw p256 ECDSA verify;
//! - RS `/authz-info` of an Encrypt0 token vs raw AES-CCM-16-64-128 open.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(missing_docs)]

use ace_core::as_server::{AsConfig, AuthorizationServer, ClientEntry, RsEntry, ScopePolicy};
use ace_core::env::{ManualClock, Method, UnixTime};
use ace_core::resource_server::{AifScopes, ResourceServer, RsConfig};
use ace_core::{AccessTokenRequest, AifScope, Confirmation, RestMethodSet, Scope};
use ace_cwt::{
    Algorithm, Claims, Cnf, KeyId, KeyMaterial, KeySet, NumericDate, PopKey, Protection,
};
use ccm::aead::{Aead, KeyInit, Payload};
use ccm::consts::{U8, U13};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use signature::{Signer, Verifier};
use std::hint::black_box;

const NOW: u64 = 1_700_000_000;
type AesCcm16_64_128 = ccm::Ccm<aes::Aes128, U8, U13>;

fn scope() -> Scope {
    Scope::aif(
        &AifScope::new()
            .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
            .unwrap(),
    )
}

fn claims(kid: &[u8]) -> Claims {
    Claims {
        iss: Some("as.example".into()),
        aud: Some("rs1".into()),
        exp: Some(NumericDate::WholeSeconds((NOW + 3600) as i64)),
        iat: Some(NumericDate::WholeSeconds(NOW as i64)),
        cti: Some(vec![7; 16]),
        scope: Some(scope().to_cbor_value()),
        cnf: Some(Cnf::Kid(KeyId::from(kid))),
        ace_profile: Some(1),
        ..Claims::default()
    }
}

fn p256_signing_key(key: &PopKey) -> p256::ecdsa::SigningKey {
    match key.material() {
        KeyMaterial::P256Private(k) => k.clone(),
        _ => unreachable!("a P-256 private key"),
    }
}

fn token_issue(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let as_key = PopKey::generate_p256(Some(KeyId::from(b"as")), &mut rng);
    let client_key = PopKey::generate_p256(Some(KeyId::from(b"client")), &mut rng);
    let mut server = AuthorizationServer::new(
        AsConfig::new("as.example"),
        ScopePolicy::new().allow("client", "rs1", scope()),
    );
    let mut client = ClientEntry::with_secret("client", b"secret".to_vec());
    client.public_keys = vec![client_key.to_public().unwrap()];
    server.add_client(client);
    server.add_resource_server(RsEntry::new(
        "rs1",
        Protection::sign1(as_key.clone(), Algorithm::Es256).unwrap(),
    ));
    let request = AccessTokenRequest {
        client_id: Some("client".into()),
        client_secret: Some(b"secret".to_vec()),
        audience: Some("rs1".into()),
        req_cnf: Some(Confirmation::new(Cnf::Kid(KeyId::from(b"client"))).unwrap()),
        ..AccessTokenRequest::default()
    };
    let clock = ManualClock::new(Some(UnixTime::from_secs(NOW)));
    // The raw primitive signs bytes of the size the engine signs (its Sig_structure).
    let token = server
        .token(None, &request, &clock, &mut rng)
        .unwrap()
        .access_token;
    let tbs = vec![0x5a; token.len()];
    let sk = p256_signing_key(&as_key);

    let mut g = c.benchmark_group("token_issue_es256");
    g.bench_function("as_engine_token", |b| {
        b.iter(|| black_box(server.token(None, &request, &clock, &mut rng).unwrap()))
    });
    g.bench_function("raw_p256_sign", |b| {
        b.iter(|| {
            let sig: p256::ecdsa::Signature = sk.sign(black_box(&tbs));
            black_box(sig)
        })
    });
    g.finish();
}

fn authz_info_sign1(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(2);
    let as_key = PopKey::generate_p256(Some(KeyId::from(b"as")), &mut rng);
    let token = ace_cwt::issue(
        &claims(b"client"),
        &Protection::sign1(as_key.clone(), Algorithm::Es256).unwrap(),
        &mut rng,
    )
    .unwrap();
    let mut rs = ResourceServer::new(
        RsConfig::new("rs1", Some("as.example".into())),
        KeySet::new().with(as_key.to_public().unwrap()),
        AifScopes::new(),
    );
    let clock = ManualClock::new(Some(UnixTime::from_secs(NOW)));
    let sk = p256_signing_key(&as_key);
    let vk = *sk.verifying_key();
    let msg = vec![0x5a; token.len()];
    let sig: p256::ecdsa::Signature = sk.sign(&msg);

    let mut g = c.benchmark_group("authz_info_sign1_es256");
    g.bench_function("rs_engine_authz_info", |b| {
        b.iter(|| black_box(rs.post_authz_info(black_box(&token), &clock).unwrap()))
    });
    g.bench_function("raw_p256_verify", |b| {
        b.iter(|| vk.verify(black_box(&msg), black_box(&sig)).unwrap())
    });
    g.finish();
}

fn authz_info_encrypt0(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(3);
    let key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"as-rs")),
        &mut rng,
    )
    .unwrap();
    let token = ace_cwt::issue(
        &claims(b"client"),
        &Protection::encrypt0(key.clone(), Algorithm::AesCcm16_64_128).unwrap(),
        &mut rng,
    )
    .unwrap();
    let mut rs = ResourceServer::new(
        RsConfig::new("rs1", Some("as.example".into())),
        KeySet::new().with(key.clone()),
        AifScopes::new(),
    );
    let clock = ManualClock::new(Some(UnixTime::from_secs(NOW)));
    let KeyMaterial::Symmetric(k) = key.material() else {
        unreachable!("symmetric")
    };
    let cipher = AesCcm16_64_128::new_from_slice(k.as_bytes()).unwrap();
    let nonce = [9u8; 13];
    // Same ciphertext size as the token's (claims + 8-byte tag), with a comparable AAD.
    let plaintext = vec![0x5a; token.len().saturating_sub(40)];
    let aad = [0u8; 20];
    let ct = cipher
        .encrypt(
            (&nonce).into(),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        )
        .unwrap();

    let mut g = c.benchmark_group("authz_info_encrypt0_ccm");
    g.bench_function("rs_engine_authz_info", |b| {
        b.iter(|| black_box(rs.post_authz_info(black_box(&token), &clock).unwrap()))
    });
    let keys = KeySet::new().with(key.clone());
    g.bench_function("ace_cwt_verify_only", |b| {
        b.iter(|| black_box(ace_cwt::verify(black_box(&token), &keys).unwrap()))
    });
    g.bench_function("raw_aes_ccm_open", |b| {
        b.iter(|| {
            black_box(
                cipher
                    .decrypt(
                        (&nonce).into(),
                        Payload {
                            msg: black_box(&ct),
                            aad: &aad,
                        },
                    )
                    .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, token_issue, authz_info_sign1, authz_info_encrypt0);
criterion_main!(benches);
