//! The compact path accepts only what the general path accepts, with the same result.

use super::verify as compact;
use crate::verification::verify_general;
use crate::{
    Algorithm, Claims, Cnf, KeyId, KeySet, NumericDate, PopKey, Protection, issue, structure,
};
use ciborium::Value;
use coset::TaggedCborSerializable;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

fn claims(cnf: Option<Cnf>) -> Claims {
    Claims {
        iss: Some("as.example".into()),
        aud: Some("rs1".into()),
        exp: Some(NumericDate::WholeSeconds(1_700_000_000)),
        iat: Some(NumericDate::WholeSeconds(1_600_000_000)),
        cti: Some(vec![1, 2, 3]),
        scope: Some(Value::Text("r_temp w_led".into())),
        cnf,
        exi: Some(3600),
        ace_profile: Some(1),
        cnonce: Some(vec![9; 8]),
        ..Claims::default()
    }
}

fn rs_key(alg: Algorithm) -> PopKey {
    PopKey::generate_symmetric(alg, Some(KeyId::from(b"rs")), &mut rng()).unwrap()
}

/// Assert the subset property for one input: compact acceptance implies the same general result.
fn agree(token: &[u8], keys: &KeySet) -> bool {
    match compact(token, keys) {
        Some(fast) => {
            assert_eq!(
                verify_general(token, keys).as_ref(),
                Ok(&fast),
                "{token:02x?}"
            );
            true
        }
        None => false,
    }
}

#[test]
fn the_common_shapes_take_the_compact_path_with_the_general_result() {
    let mut rng = rng();
    let sym_cnf = |kid: Option<&[u8]>| {
        let k = PopKey::generate_symmetric(
            Algorithm::AesCcm16_64_128,
            kid.map(KeyId::from),
            &mut StdRng::seed_from_u64(3),
        )
        .unwrap();
        Some(Cnf::CoseKey(k))
    };
    let bare = PopKey::new(crate::KeyMaterial::Symmetric(
        crate::SymmetricKey::new(vec![5; 16]).unwrap(),
    ));
    let cnfs = [
        sym_cnf(None),
        sym_cnf(Some(b"pop")),
        Some(Cnf::CoseKey(bare)),
        Some(Cnf::Kid(KeyId::from(b"k1"))),
        None,
    ];
    for alg in Algorithm::ALL.into_iter().filter(|a| a.iv_len().is_some()) {
        let key = rs_key(alg);
        let keys = KeySet::new().with(key.clone());
        for cnf in cnfs.clone() {
            let token = issue(
                &claims(cnf),
                &Protection::encrypt0(key.clone(), alg).unwrap(),
                &mut rng,
            )
            .unwrap();
            assert!(agree(&token, &keys), "{alg:?} not compact");
        }
    }
}

#[test]
fn claims_sets_around_the_stack_buffer_size_take_the_compact_path() {
    let mut rng = rng();
    for alg in Algorithm::ALL.into_iter().filter(|a| a.iv_len().is_some()) {
        let key = rs_key(alg);
        let keys = KeySet::new().with(key.clone());
        // Claims Sets from well below to well above the stack buffer (heap path).
        for sub_len in [0, 200, 300, 320, 340, 360, 380, 1000] {
            let mut c = claims(Some(Cnf::Kid(KeyId::from(b"k1"))));
            c.sub = Some("s".repeat(sub_len));
            let token = issue(
                &c,
                &Protection::encrypt0(key.clone(), alg).unwrap(),
                &mut rng,
            )
            .unwrap();
            assert!(agree(&token, &keys), "{alg:?} sub {sub_len} not compact");
            assert_eq!(crate::verify(&token, &keys).unwrap().claims(), &c);
        }
    }
}

/// A key store that hands out keys as given (no expanded AES key schedule), unlike [`KeySet`].
struct PlainKeys(PopKey);

impl crate::KeyStore for PlainKeys {
    fn key(&self, kid: Option<&KeyId>, _alg: Algorithm) -> Option<&PopKey> {
        (kid == self.0.kid()).then_some(&self.0)
    }
}

#[test]
fn keys_without_an_expanded_schedule_give_the_same_result() {
    let mut rng = rng();
    for alg in Algorithm::ALL.into_iter().filter(|a| a.iv_len().is_some()) {
        let key = rs_key(alg);
        let token = issue(
            &claims(Some(Cnf::Kid(KeyId::from(b"k1")))),
            &Protection::encrypt0(key.clone(), alg).unwrap(),
            &mut rng,
        )
        .unwrap();
        let plain = compact(&token, &PlainKeys(key.clone())).expect("compact path");
        let expanded = KeySet::new().with(key.clone());
        assert_eq!(Some(&plain), compact(&token, &expanded).as_ref());
        assert_eq!(Ok(&plain), verify_general(&token, &expanded).as_ref());
        let mut bad = token.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(compact(&bad, &PlainKeys(key)).is_none());
        assert!(compact(&bad, &expanded).is_none());
    }
}

#[test]
fn other_shapes_fall_back_to_the_general_path() {
    let mut rng = rng();
    let alg = Algorithm::AesCcm16_64_128;
    let key = rs_key(alg);
    let keys = KeySet::new().with(key.clone());
    let ec = PopKey::generate_p256(None, &mut rng).to_public().unwrap();
    let with_ops = PopKey::generate_symmetric(alg, None, &mut rng)
        .unwrap()
        .with_key_ops([coset::iana::KeyOperation::Decrypt]);
    for cnf in [Cnf::CoseKey(ec), Cnf::CoseKey(with_ops)] {
        let token = issue(
            &claims(Some(cnf)),
            &Protection::encrypt0(key.clone(), alg).unwrap(),
            &mut rng,
        )
        .unwrap();
        assert!(!agree(&token, &keys));
        assert!(verify_general(&token, &keys).is_ok());
    }
    let mut other = claims(None);
    other.exp = Some(NumericDate::FractionalSeconds(1.5));
    let token = issue(
        &other,
        &Protection::encrypt0(key.clone(), alg).unwrap(),
        &mut rng,
    )
    .unwrap();
    assert!(!agree(&token, &keys));
    assert_eq!(crate::verify(&token, &keys).unwrap().claims(), &other);
}

#[test]
fn every_byte_mutation_of_a_token_agrees_with_the_general_path() {
    let mut rng = rng();
    let alg = Algorithm::AesCcm16_64_128;
    let key = rs_key(alg);
    let keys = KeySet::new().with(key.clone());
    let token = issue(
        &claims(None),
        &Protection::encrypt0(key, alg).unwrap(),
        &mut rng,
    )
    .unwrap();
    for i in 0..token.len() {
        for delta in [1u8, 0x20, 0x80, 0xff] {
            let mut t = token.clone();
            t[i] = t[i].wrapping_add(delta);
            agree(&t, &keys);
        }
        agree(&token[..i], &keys);
    }
    let mut longer = token.clone();
    longer.push(0);
    assert!(!agree(&longer, &keys));
}

/// Mutated Claims Sets, validly encrypted: the claims reader must be as strict as the general one.
#[test]
fn every_byte_mutation_of_the_claims_agrees_with_the_general_path() {
    let mut rng = rng();
    let alg = Algorithm::AesCcm16_64_128;
    let key = rs_key(alg);
    let keys = KeySet::new().with(key.clone());
    let pop = PopKey::generate_symmetric(alg, Some(KeyId::from(b"p")), &mut rng).unwrap();
    let plain = claims(Some(Cnf::CoseKey(pop))).to_vec().unwrap();
    let (mut accepted, mut total) = (0, 0);
    for i in 0..plain.len() {
        for delta in [1u8, 0x20, 0x40, 0x80, 0xff] {
            let mut p = plain.clone();
            p[i] = p[i].wrapping_add(delta);
            let enc = structure::encrypt0(&p, &key, alg, &[], &mut rng).unwrap();
            let token = enc.to_tagged_vec().unwrap();
            total += 1;
            if agree(&token, &keys) {
                accepted += 1;
            } else {
                // Whatever the compact path refused is answered by the general path alone.
                let general = verify_general(&token, &keys);
                assert_eq!(crate::verify(&token, &keys), general);
            }
        }
    }
    assert!(accepted > 0 && accepted < total, "{accepted} of {total}");
}
