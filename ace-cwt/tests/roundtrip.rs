//! Issue then verify, for every kind of protection and every supported algorithm.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_cwt::{
    Algorithm, Claims, Cnf, Error, KeyId, KeySet, NumericDate, PopKey, Protection, Structure,
    issue, verify,
};
use ciborium::Value;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

fn sample_claims(cnf: Option<Cnf>) -> Claims {
    Claims {
        iss: Some("coap://as.example.com".into()),
        sub: Some("erikw".into()),
        aud: Some("coap://light.example.com".into()),
        exp: Some(NumericDate::WholeSeconds(1_444_064_944)),
        nbf: Some(NumericDate::WholeSeconds(1_443_944_944)),
        iat: Some(NumericDate::FractionalSeconds(1_443_944_944.5)),
        cti: Some(vec![0x0b, 0x71]),
        scope: Some(Value::Text("r_temp w_led".into())),
        cnf,
        ace_profile: Some(2),
        exi: Some(3600),
        cnonce: Some(vec![1, 2, 3]),
        // In RFC 8949 §4.2.1 order, which is how they come back.
        other: vec![
            (ace_cwt::ClaimKey::Int(1000), Value::Null),
            (ace_cwt::ClaimKey::Int(-70_000), Value::Bool(true)),
            (
                ace_cwt::ClaimKey::Text("private".into()),
                Value::Bool(false),
            ),
        ],
    }
}

#[test]
fn every_symmetric_algorithm_round_trips_with_a_symmetric_cnf() {
    let mut rng = rng();
    for alg in Algorithm::ALL {
        if alg.symmetric_key_len().is_none() {
            continue;
        }
        let key = PopKey::generate_symmetric(alg, Some(KeyId::from(b"rs-key")), &mut rng).unwrap();
        let pop = PopKey::generate_symmetric(
            Algorithm::AesCcm16_64_128,
            Some(KeyId::from(b"pop")),
            &mut rng,
        )
        .unwrap();
        let claims = sample_claims(Some(Cnf::CoseKey(pop)));
        let protection = match alg.operation() {
            ace_cwt::Operation::Mac => Protection::mac0(key.clone(), alg).unwrap(),
            _ => Protection::encrypt0(key.clone(), alg).unwrap(),
        };
        let token = issue(&claims, &protection, &mut rng).unwrap();
        let verified = verify(&token, &KeySet::new().with(key)).unwrap();
        assert_eq!(verified.claims(), &claims, "{alg:?}");
        assert_eq!(verified.layers().len(), 1);
        assert_eq!(verified.layers()[0].alg, alg);
        assert_eq!(verified.layers()[0].kid, Some(KeyId::from(b"rs-key")));
    }
}

#[test]
fn es256_and_eddsa_sign1_round_trip_with_public_cnf() {
    let mut rng = rng();
    let p256 = PopKey::generate_p256(Some(KeyId::from(b"as-p256")), &mut rng);
    let ed = PopKey::generate_ed25519(Some(KeyId::from(b"as-ed")), &mut rng);
    let client = PopKey::generate_ed25519(Some(KeyId::from(b"client")), &mut rng);
    let keys = KeySet::new()
        .with(p256.to_public().unwrap())
        .with(ed.to_public().unwrap());
    for (key, alg) in [(p256, Algorithm::Es256), (ed, Algorithm::EdDsa)] {
        let claims = sample_claims(Some(Cnf::CoseKey(client.to_public().unwrap())));
        let token = issue(&claims, &Protection::sign1(key, alg).unwrap(), &mut rng).unwrap();
        assert_eq!(&token[..1], &[0xd2], "tagged COSE_Sign1");
        let verified = verify(&token, &keys).unwrap();
        assert_eq!(verified.claims(), &claims);
        assert_eq!(
            verified.authenticated_by().unwrap().structure,
            Structure::Sign1
        );
        assert_eq!(verified.authenticated_by().unwrap().alg, alg);
    }
}

#[test]
fn sign_then_encrypt_nests_a_tagged_sign1_in_an_encrypt0() {
    let mut rng = rng();
    let signer = PopKey::generate_p256(Some(KeyId::from(b"as")), &mut rng);
    let shared = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"rs")),
        &mut rng,
    )
    .unwrap();
    let claims = sample_claims(Some(Cnf::Kid(KeyId::from(b"client-key"))));
    let protection = Protection::sign_then_encrypt(
        signer.clone(),
        Algorithm::Es256,
        shared.clone(),
        Algorithm::AesCcm16_64_128,
    )
    .unwrap()
    .with_cwt_tag(true);
    let token = issue(&claims, &protection, &mut rng).unwrap();
    assert_eq!(&token[..3], &[0xd8, 0x3d, 0xd0], "61(16(...))");
    let keys = KeySet::new().with(shared).with(signer.to_public().unwrap());
    let verified = verify(&token, &keys).unwrap();
    assert!(verified.cwt_tagged());
    assert_eq!(verified.claims(), &claims);
    let structures: Vec<_> = verified.layers().iter().map(|l| l.structure).collect();
    assert_eq!(structures, [Structure::Encrypt0, Structure::Sign1]);
}

#[test]
fn untagged_structures_are_recognised_by_their_algorithm() {
    let mut rng = rng();
    let hmac = PopKey::generate_symmetric(Algorithm::Hmac256_256, None, &mut rng).unwrap();
    let sign = PopKey::generate_ed25519(None, &mut rng);
    let aead = PopKey::generate_symmetric(Algorithm::A128Gcm, None, &mut rng).unwrap();
    let keys = KeySet::new()
        .with(hmac.clone())
        .with(sign.to_public().unwrap())
        .with(aead.clone());
    let claims = sample_claims(None);
    for p in [
        Protection::mac0(hmac, Algorithm::Hmac256_256).unwrap(),
        Protection::sign1(sign, Algorithm::EdDsa).unwrap(),
        Protection::encrypt0(aead, Algorithm::A128Gcm).unwrap(),
    ] {
        let token = issue(&claims, &p, &mut rng).unwrap();
        // Drop the one-byte COSE tag (16, 17 and 18 all encode as one byte).
        let untagged = &token[1..];
        assert_eq!(verify(untagged, &keys).unwrap().claims(), &claims);
    }
}

#[test]
fn a_wrong_key_of_the_right_type_fails_with_the_specific_error() {
    let mut rng = rng();
    let a = PopKey::generate_symmetric(Algorithm::Hmac256_64, Some(KeyId::from(b"k")), &mut rng)
        .unwrap();
    let b = PopKey::generate_symmetric(Algorithm::Hmac256_64, Some(KeyId::from(b"k")), &mut rng)
        .unwrap();
    let token = issue(
        &sample_claims(None),
        &Protection::mac0(a, Algorithm::Hmac256_64).unwrap(),
        &mut rng,
    )
    .unwrap();
    assert_eq!(verify(&token, &KeySet::new().with(b)), Err(Error::BadMac));
}
