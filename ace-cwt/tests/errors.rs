//! Every `Error` variant, provoked on purpose, with its exact value and CoAP code; refusing
//! leaves the key store as it was.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_cwt::coset::{
    CoseMac0Builder, CoseSign1Builder, HeaderBuilder, ProtectedHeader, TaggedCborSerializable, iana,
};
use ace_cwt::{
    Algorithm, Claims, Cnf, Error, KeyId, KeySet, PopKey, Protection, issue, structure, verify,
};
use ciborium::Value;
use rand::SeedableRng;

const BAD_REQUEST: u8 = 0x80; // 4.00, RFC 7252 §12.1.2
const UNAUTHORIZED: u8 = 0x81; // 4.01

fn rng() -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(3)
}

fn hmac_key() -> PopKey {
    PopKey::symmetric(vec![7; 32], Algorithm::Hmac256_256, Some(KeyId::from(b"k"))).unwrap()
}

fn keys() -> KeySet {
    KeySet::new().with(hmac_key())
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// A tagged Mac0 over arbitrary payload bytes, correctly MACed with `hmac_key`.
fn mac0_over(payload: Vec<u8>) -> Vec<u8> {
    structure::mac0(payload, &hmac_key(), Algorithm::Hmac256_256, &[])
        .unwrap()
        .to_tagged_vec()
        .unwrap()
}

fn good_token() -> Vec<u8> {
    let claims = Claims {
        iss: Some("as".into()),
        ..Claims::default()
    };
    issue(
        &claims,
        &Protection::mac0(hmac_key(), Algorithm::Hmac256_256).unwrap(),
        &mut rng(),
    )
    .unwrap()
}

fn refused(token: &[u8]) -> Error {
    let store = keys();
    let err = verify(token, &store).unwrap_err();
    assert_eq!(
        store,
        keys(),
        "a refused token must not change the key store"
    );
    err
}

#[test]
fn malformed_cbor_is_bad_request() {
    let e = refused(&[0xd2, 0x84, 0x43]);
    assert!(matches!(e, Error::MalformedCbor(_)), "{e:?}");
    assert_eq!(e.coap_code(), BAD_REQUEST);
}

#[test]
fn trailing_bytes_are_refused() {
    let mut t = good_token();
    t.push(0);
    assert_eq!(refused(&t), Error::TrailingBytes);
    assert_eq!(Error::TrailingBytes.coap_code(), BAD_REQUEST);
}

#[test]
fn duplicate_claim_keys_are_refused() {
    // {1: "a", 1: "b"}
    let t = mac0_over(vec![0xa2, 0x01, 0x61, 0x61, 0x01, 0x61, 0x62]);
    assert_eq!(refused(&t), Error::DuplicateMapKey);
    assert_eq!(
        Claims::from_slice(&[0xa2, 0x01, 0x61, 0x61, 0x01, 0x61, 0x62]),
        Err(Error::DuplicateMapKey)
    );
}

#[test]
fn a_cose_array_of_the_wrong_shape_is_malformed_cose() {
    // 18([h'', {}, h''])  (three elements for Sign1)
    let e = refused(&[0xd2, 0x83, 0x40, 0xa0, 0x40]);
    assert!(matches!(e, Error::MalformedCose(_)), "{e:?}");
    assert_eq!(e.coap_code(), BAD_REQUEST);
}

#[test]
fn cwt_tag_must_be_followed_by_a_cose_tag() {
    let t = good_token();
    let mut bad = vec![0xd8, 0x3d];
    bad.extend_from_slice(&t[1..]); // drop the COSE tag
    assert_eq!(refused(&bad), Error::CwtTagWithoutCoseTag);
}

#[test]
fn cose_sign_and_other_tags_are_unsupported() {
    let mut t = good_token();
    t[0] = 0xd8; // tag 98 (COSE_Sign) needs two bytes
    t.insert(1, 98);
    assert_eq!(refused(&t), Error::UnsupportedTag(98));
}

#[test]
fn untagged_input_of_unknown_shape_is_refused() {
    assert_eq!(refused(&[0x82, 0x40, 0xa0]), Error::UnknownStructure);
    assert_eq!(refused(&[0x01]), Error::UnknownStructure);
}

#[test]
fn alg_only_in_the_unprotected_header_is_refused_for_cwts() {
    let unprotected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::HMAC_256_256)
        .key_id(b"k".to_vec())
        .build();
    let payload = Claims {
        iss: Some("as".into()),
        ..Claims::default()
    }
    .to_vec()
    .unwrap();
    let m = structure::mac0_with_headers(
        ProtectedHeader::default(),
        unprotected,
        payload,
        &hmac_key(),
        &[],
    )
    .unwrap();
    // Plain COSE accepts it (RFC 9052 allows it) ...
    assert!(structure::verify_mac0(&m, &hmac_key(), &[]).is_ok());
    // ... a CWT does not.
    assert_eq!(
        refused(&m.to_tagged_vec().unwrap()),
        Error::MissingAlgorithm
    );
}

#[test]
fn an_unimplemented_algorithm_is_named() {
    let s = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES384)
                .build(),
        )
        .payload(vec![0xa0])
        .signature(vec![0; 96])
        .build();
    assert_eq!(
        refused(&s.to_tagged_vec().unwrap()),
        Error::UnsupportedAlgorithm(-35)
    );
}

#[test]
fn algorithm_confusion_is_refused() {
    // A Sign1 whose protected alg is an HMAC: the structure and the algorithm disagree.
    let s = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::HMAC_256_256)
                .build(),
        )
        .unprotected(HeaderBuilder::new().key_id(b"k".to_vec()).build())
        .payload(vec![0xa0])
        .signature(vec![0; 32])
        .build();
    assert_eq!(
        refused(&s.to_tagged_vec().unwrap()),
        Error::AlgorithmKeyMismatch
    );
    // A MAC with HMAC 256/64 looked up to a key restricted to HMAC 256/256.
    let k64 =
        PopKey::symmetric(vec![7; 32], Algorithm::Hmac256_64, Some(KeyId::from(b"k"))).unwrap();
    let t = issue(
        &Claims::default(),
        &Protection::mac0(k64, Algorithm::Hmac256_64).unwrap(),
        &mut rng(),
    )
    .unwrap();
    assert_eq!(refused(&t), Error::AlgorithmKeyMismatch);
    // An EdDSA token whose kid names a P-256 key.
    let mut r = rng();
    let ed = PopKey::generate_ed25519(Some(KeyId::from(b"as")), &mut r);
    let p = PopKey::generate_p256(Some(KeyId::from(b"as")), &mut r)
        .to_public()
        .unwrap();
    let t = issue(
        &Claims::default(),
        &Protection::sign1(ed, Algorithm::EdDsa).unwrap(),
        &mut r,
    )
    .unwrap();
    assert_eq!(
        verify(&t, &KeySet::new().with(p)),
        Err(Error::AlgorithmKeyMismatch)
    );
    // Building a protection with a misfitting key fails too.
    assert_eq!(
        Protection::encrypt0(hmac_key(), Algorithm::A128Gcm),
        Err(Error::AlgorithmKeyMismatch)
    );
    assert_eq!(
        Protection::sign1(hmac_key(), Algorithm::Hmac256_256),
        Err(Error::AlgorithmKeyMismatch)
    );
}

#[test]
fn critical_headers_are_refused() {
    let m = CoseMac0Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::HMAC_256_256)
                .add_critical_label(ace_cwt::coset::RegisteredLabelWithPrivate::PrivateUse(
                    -65_600,
                ))
                .value(-65_600, Value::Bool(true))
                .build(),
        )
        .unprotected(HeaderBuilder::new().key_id(b"k".to_vec()).build())
        .payload(vec![0xa0])
        .tag(vec![0; 32])
        .build();
    assert_eq!(
        refused(&m.to_tagged_vec().unwrap()),
        Error::UnsupportedCriticalHeader
    );
}

#[test]
fn a_parameter_in_both_buckets_is_refused() {
    let m = CoseMac0Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::HMAC_256_256)
                .key_id(b"k".to_vec())
                .build(),
        )
        .unprotected(HeaderBuilder::new().key_id(b"k".to_vec()).build())
        .payload(vec![0xa0])
        .tag(vec![0; 32])
        .build();
    assert_eq!(
        refused(&m.to_tagged_vec().unwrap()),
        Error::DuplicateHeaderParameter
    );
}

#[test]
fn an_unknown_kid_is_named() {
    let other = PopKey::symmetric(
        vec![7; 32],
        Algorithm::Hmac256_256,
        Some(KeyId::from(b"zz")),
    )
    .unwrap();
    let t = issue(
        &Claims::default(),
        &Protection::mac0(other, Algorithm::Hmac256_256).unwrap(),
        &mut rng(),
    )
    .unwrap();
    let e = refused(&t);
    assert_eq!(e, Error::UnknownKid("7a7a".into()));
    assert_eq!(e.coap_code(), UNAUTHORIZED);
}

#[test]
fn tampering_fails_signature_mac_and_decryption() {
    let mut r = rng();
    let ed = PopKey::generate_ed25519(Some(KeyId::from(b"e")), &mut r);
    let aead =
        PopKey::generate_symmetric(Algorithm::A256Gcm, Some(KeyId::from(b"a")), &mut r).unwrap();
    let store = KeySet::new()
        .with(ed.to_public().unwrap())
        .with(aead.clone())
        .with(hmac_key());
    for (p, want) in [
        (
            Protection::sign1(ed, Algorithm::EdDsa).unwrap(),
            Error::BadSignature,
        ),
        (
            Protection::mac0(hmac_key(), Algorithm::Hmac256_256).unwrap(),
            Error::BadMac,
        ),
        (
            Protection::encrypt0(aead, Algorithm::A256Gcm).unwrap(),
            Error::DecryptionFailed,
        ),
    ] {
        let mut t = issue(&Claims::default(), &p, &mut r).unwrap();
        let last = t.len() - 1;
        t[last] ^= 0x01;
        let e = verify(&t, &store).unwrap_err();
        assert_eq!(e, want);
        assert_eq!(e.coap_code(), UNAUTHORIZED);
    }
}

#[test]
fn an_iv_of_the_wrong_length_is_refused() {
    let key = PopKey::symmetric(vec![1; 16], Algorithm::AesCcm16_64_128, None).unwrap();
    let e = structure::encrypt0_with_headers(
        ProtectedHeader {
            original_data: None,
            header: HeaderBuilder::new()
                .algorithm(iana::Algorithm::AES_CCM_16_64_128)
                .build(),
        },
        HeaderBuilder::new().iv(vec![0; 12]).build(),
        b"x",
        &key,
        &[],
    );
    assert_eq!(e.unwrap_err(), Error::InvalidIv);
}

#[test]
fn a_detached_payload_is_refused() {
    let mut m = structure::mac0(vec![0xa0], &hmac_key(), Algorithm::Hmac256_256, &[]).unwrap();
    m.payload = None;
    assert_eq!(refused(&m.to_tagged_vec().unwrap()), Error::DetachedPayload);
}

#[test]
fn nesting_beyond_the_limit_is_refused() {
    let mut t = Claims::default().to_vec().unwrap();
    for _ in 0..=ace_cwt::MAX_NESTING {
        t = mac0_over(t);
    }
    assert_eq!(refused(&t), Error::NestingTooDeep);
}

#[test]
fn a_payload_that_is_not_a_map_is_refused() {
    assert_eq!(refused(&mac0_over(vec![0x80])), Error::ClaimsNotAMap);
}

#[test]
fn claims_of_the_wrong_type_name_their_key() {
    for (key, value, label) in [
        (4, Value::Text("soon".into()), 4),
        (1, Value::Integer(1.into()), 1),
        (7, Value::Text("id".into()), 7),
        (9, Value::Integer(3.into()), 9),
        (38, Value::Text("coap_dtls".into()), 38),
        (40, Value::Integer((-1).into()), 40),
        (39, Value::Text("n".into()), 39),
        (8, Value::Bytes(vec![1]), 8),
    ] {
        let payload = cbor(&Value::Map(vec![(Value::Integer(key.into()), value)]));
        assert_eq!(
            refused(&mac0_over(payload)),
            Error::ClaimType(label),
            "claim {key}"
        );
    }
}

#[test]
fn an_audience_array_is_kept_untyped_and_a_tagged_date_is_refused() {
    let aud = Value::Array(vec![Value::Text("rs1".into()), Value::Text("rs2".into())]);
    let payload = cbor(&Value::Map(vec![(Value::Integer(3.into()), aud.clone())]));
    let claims = verify(&mac0_over(payload), &keys()).unwrap().into_claims();
    assert_eq!(claims.aud, None);
    assert_eq!(claims.other, vec![(ace_cwt::ClaimKey::Int(3), aud)]);
    // RFC 8392 §5: claim values are not tagged (no tag 1 on exp).
    let tagged = Value::Tag(1, Box::new(Value::Integer(5.into())));
    let payload = cbor(&Value::Map(vec![(Value::Integer(4.into()), tagged)]));
    assert_eq!(refused(&mac0_over(payload)), Error::ClaimType(4));
}

#[test]
fn invalid_and_unsupported_keys_are_refused() {
    // EC2 P-256 with a 31-byte x.
    let k = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(2.into())),
        (Value::Integer((-1).into()), Value::Integer(1.into())),
        (Value::Integer((-2).into()), Value::Bytes(vec![1; 31])),
        (Value::Integer((-3).into()), Value::Bytes(vec![1; 32])),
    ]);
    assert_eq!(
        PopKey::from_slice(&cbor(&k)),
        Err(Error::InvalidKey("x must be 32 bytes"))
    );
    // EC2 P-384.
    let k = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(2.into())),
        (Value::Integer((-1).into()), Value::Integer(2.into())),
    ]);
    assert_eq!(
        PopKey::from_slice(&cbor(&k)),
        Err(Error::UnsupportedKeyType)
    );
    // A symmetric key with a parameter it does not have.
    let k = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(4.into())),
        (Value::Integer((-1).into()), Value::Bytes(vec![1; 16])),
        (Value::Integer((-2).into()), Value::Bytes(vec![1; 16])),
    ]);
    assert_eq!(
        PopKey::from_slice(&cbor(&k)),
        Err(Error::InvalidKey("unknown key parameter"))
    );
}

#[test]
fn signing_needs_the_private_key() {
    let public = PopKey::generate_p256(None, &mut rng()).to_public().unwrap();
    assert_eq!(
        Protection::sign1(public, Algorithm::Es256),
        Err(Error::MissingPrivateKey)
    );
}

#[test]
fn cnf_with_two_keys_or_none_is_refused() {
    let key = hmac_key().to_cbor_value().unwrap();
    let two = Value::Map(vec![
        (Value::Integer(1.into()), key.clone()),
        (Value::Integer(3.into()), Value::Bytes(b"k".to_vec())),
    ]);
    assert_eq!(
        Cnf::from_cbor_value(two),
        Err(Error::MultipleConfirmationKeys)
    );
    assert_eq!(
        Cnf::from_cbor_value(Value::Map(vec![])),
        Err(Error::EmptyConfirmation)
    );
    let cose_encrypt = Value::Map(vec![(
        Value::Integer(2.into()),
        Value::Tag(96, Box::new(Value::Array(vec![]))),
    )]);
    assert_eq!(
        Cnf::from_cbor_value(cose_encrypt),
        Err(Error::UnsupportedEncryptedKey)
    );
    // An unknown member next to a known one is ignored (RFC 8747 §3.1).
    let with_unknown = Value::Map(vec![
        (Value::Integer(3.into()), Value::Bytes(b"k".to_vec())),
        (Value::Integer(99.into()), Value::Null),
    ]);
    assert_eq!(
        Cnf::from_cbor_value(with_unknown),
        Ok(Cnf::Kid(KeyId::from(b"k")))
    );
}

#[test]
fn encrypted_cose_key_round_trips_and_refuses_the_wrong_kek() {
    let mut r = rng();
    let kek =
        PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, Some(KeyId::from(b"rs")), &mut r)
            .unwrap();
    let other =
        PopKey::generate_symmetric(Algorithm::AesCcm16_64_128, Some(KeyId::from(b"rs")), &mut r)
            .unwrap();
    let pop = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"pop")),
        &mut r,
    )
    .unwrap();
    let cnf = Cnf::encrypt_key(&pop, &kek, Algorithm::AesCcm16_64_128, &mut r).unwrap();
    let decoded = Cnf::from_cbor_value(cnf.to_cbor_value().unwrap()).unwrap();
    assert_eq!(decoded.decrypt_key(&kek), Ok(Some(pop)));
    assert_eq!(decoded.decrypt_key(&other), Err(Error::DecryptionFailed));
}

#[test]
fn key_ops_restrict_what_a_key_may_do() {
    use ace_cwt::coset::iana::KeyOperation;
    // A MAC-verify-only key verifies a token but cannot make one.
    let verify_only = hmac_key().with_key_ops([KeyOperation::MacVerify]);
    assert!(verify(&good_token(), &KeySet::new().with(verify_only.clone())).is_ok());
    assert_eq!(
        Protection::mac0(verify_only, Algorithm::Hmac256_256),
        Err(Error::KeyOperationNotPermitted)
    );
    // A MAC-create-only key cannot verify.
    let create_only = hmac_key().with_key_ops([KeyOperation::MacCreate]);
    assert_eq!(
        verify(&good_token(), &KeySet::new().with(create_only)),
        Err(Error::KeyOperationNotPermitted)
    );
    // An encrypt-only AEAD key cannot decrypt; key_ops survive the COSE_Key round trip.
    let mut r = rng();
    let enc_only = PopKey::generate_symmetric(Algorithm::A128Gcm, None, &mut r)
        .unwrap()
        .with_key_ops([KeyOperation::Encrypt]);
    let again = PopKey::from_slice(&enc_only.to_vec().unwrap()).unwrap();
    assert_eq!(again, enc_only);
    let t = issue(
        &Claims::default(),
        &Protection::encrypt0(enc_only.clone(), Algorithm::A128Gcm).unwrap(),
        &mut r,
    )
    .unwrap();
    assert_eq!(
        verify(&t, &KeySet::new().with(enc_only)),
        Err(Error::KeyOperationNotPermitted)
    );
    assert_eq!(Error::KeyOperationNotPermitted.coap_code(), UNAUTHORIZED);
}
