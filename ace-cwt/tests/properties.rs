//! Property tests: claims, cnf and keys survive encode/decode; tokens survive issue/verify;
//! arbitrary bytes never panic the decoders.

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
use proptest::prelude::*;
use rand::SeedableRng;

fn date() -> impl Strategy<Value = NumericDate> {
    prop_oneof![
        any::<i64>().prop_map(NumericDate::WholeSeconds),
        (-1.0e12f64..1.0e12).prop_map(NumericDate::FractionalSeconds),
    ]
}

fn key_id() -> impl Strategy<Value = KeyId> {
    proptest::collection::vec(any::<u8>(), 1..8).prop_map(KeyId::from)
}

fn pop_key() -> impl Strategy<Value = PopKey> {
    (any::<u64>(), 0..5u8, proptest::option::of(key_id())).prop_map(|(seed, kind, kid)| {
        let mut r = rand::rngs::StdRng::seed_from_u64(seed);
        match kind {
            0 => PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, kid, &mut r).unwrap(),
            1 => PopKey::generate_p256(kid, &mut r),
            2 => PopKey::generate_p256(kid, &mut r).to_public().unwrap(),
            3 => PopKey::generate_ed25519(kid, &mut r).to_public().unwrap(),
            _ => PopKey::generate_x25519(kid, &mut r),
        }
    })
}

fn cnf() -> impl Strategy<Value = Cnf> {
    prop_oneof![
        pop_key().prop_map(Cnf::CoseKey),
        key_id().prop_map(Cnf::Kid),
        (4i64..100, any::<i64>()).prop_map(|(l, v)| Cnf::Other(l, Value::Integer(v.into()))),
    ]
}

fn claims() -> impl Strategy<Value = Claims> {
    (
        (
            proptest::option::of(".{0,12}"),
            proptest::option::of(".{0,12}"),
            proptest::option::of(".{0,12}"),
            proptest::option::of(date()),
            proptest::option::of(date()),
            proptest::option::of(date()),
        ),
        (
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8)),
            proptest::option::of(prop_oneof![
                ".{0,8}".prop_map(Value::Text),
                proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Bytes)
            ]),
            proptest::option::of(cnf()),
            proptest::option::of(any::<i64>()),
            proptest::option::of(any::<u64>()),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8)),
            proptest::collection::btree_map(
                prop_oneof![
                    (41i64..100_000).prop_map(ace_cwt::ClaimKey::Int),
                    "[a-z]{1,5}".prop_map(ace_cwt::ClaimKey::Text)
                ],
                any::<bool>(),
                0..3,
            ),
        ),
    )
        .prop_map(
            |(
                (iss, sub, aud, exp, nbf, iat),
                (cti, scope, cnf, ace_profile, exi, cnonce, other),
            )| Claims {
                iss,
                sub,
                aud,
                exp,
                nbf,
                iat,
                cti,
                scope,
                cnf,
                ace_profile,
                exi,
                cnonce,
                other: canonical_order(
                    other
                        .into_iter()
                        .map(|(k, v)| (k, Value::Bool(v)))
                        .collect(),
                ),
            },
        )
}

/// Unknown claims come back in RFC 8949 §4.2.1 order (bytewise order of the encoded keys).
fn canonical_order(mut other: Vec<(ace_cwt::ClaimKey, Value)>) -> Vec<(ace_cwt::ClaimKey, Value)> {
    let encoded = |k: &ace_cwt::ClaimKey| {
        let v = match k {
            ace_cwt::ClaimKey::Int(i) => Value::from(*i),
            ace_cwt::ClaimKey::Text(t) => Value::Text(t.clone()),
        };
        let mut out = Vec::new();
        ciborium::into_writer(&v, &mut out).unwrap();
        out
    };
    other.sort_by_key(|(k, _)| encoded(k));
    other
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn claims_round_trip_and_encode_deterministically(c in claims()) {
        let bytes = c.to_vec().unwrap();
        let back = Claims::from_slice(&bytes).unwrap();
        prop_assert_eq!(&back, &c);
        prop_assert_eq!(back.to_vec().unwrap(), bytes);
        if c.other.is_empty() {
            prop_assert_eq!(Claims::from_claims_set(c.to_claims_set().unwrap()).unwrap(), c);
        }
    }

    #[test]
    fn keys_round_trip_through_cose_key(k in pop_key()) {
        prop_assert_eq!(PopKey::from_slice(&k.to_vec().unwrap()).unwrap(), k.clone());
        prop_assert_eq!(PopKey::from_cose_key(k.to_cose_key()).unwrap(), k);
    }

    #[test]
    fn cnf_round_trips(c in cnf()) {
        prop_assert_eq!(Cnf::from_cbor_value(c.to_cbor_value().unwrap()).unwrap(), c);
    }

    #[test]
    fn issued_tokens_verify_to_the_same_claims(c in claims(), seed in any::<u64>()) {
        let mut r = rand::rngs::StdRng::seed_from_u64(seed);
        let key = PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, Some(KeyId::from(b"rs")), &mut r).unwrap();
        let token = issue(&c, &Protection::encrypt0(key.clone(), Algorithm::AesCcm16_64_128).unwrap(), &mut r).unwrap();
        prop_assert_eq!(verify(&token, &KeySet::new().with(key)).unwrap().into_claims(), c);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let keys = KeySet::new().with(PopKey::symmetric(vec![1; 32], Algorithm::Hmac256_256, None).unwrap());
        let _ = verify(&bytes, &keys);
        let _ = Claims::from_slice(&bytes);
        let _ = PopKey::from_slice(&bytes);
    }
}
