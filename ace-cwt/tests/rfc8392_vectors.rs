//! RFC 8392 Appendix A, byte for byte (vectors/ace-examples/rfc8392.json: the RFC's hex).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_cwt::coset::{CoseEncrypt0, TaggedCborSerializable};
use ace_cwt::{
    Algorithm, Claims, Error, KeyId, KeyMaterial, KeySet, NumericDate, PopKey, Protection,
    Structure, issue, structure, verify,
};
use ciborium::Value;

fn vector(id: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/ace-examples/rfc8392.json"
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let example = json["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no example {id}"));
    hex::decode(example["hex"].as_str().unwrap()).unwrap()
}

/// The claims of RFC 8392 Figure 3 (A.1), written from the RFC's diagnostic notation.
fn a1_claims() -> Claims {
    Claims {
        iss: Some("coap://as.example.com".into()),
        sub: Some("erikw".into()),
        aud: Some("coap://light.example.com".into()),
        exp: Some(NumericDate::WholeSeconds(1444064944)),
        nbf: Some(NumericDate::WholeSeconds(1443944944)),
        iat: Some(NumericDate::WholeSeconds(1443944944)),
        cti: Some(vec![0x0b, 0x71]),
        ..Claims::default()
    }
}

fn key(id: &str) -> PopKey {
    PopKey::from_slice(&vector(id)).unwrap()
}

/// RFC 8392 A.2.2's COSE_Key says alg 10 (AES-CCM-16-64-128) although A.4 and A.7 use it with
/// HMAC 256/64; the RS must be configured with the key for HMAC.
fn a22_for_hmac() -> PopKey {
    key("rfc8392-a-2-2").with_alg(None)
}

fn sorted_map(v: Value) -> Vec<(Value, Value)> {
    let Value::Map(mut m) = v else {
        panic!("not a map")
    };
    m.sort_by(|a, b| format!("{:?}", a.0).cmp(&format!("{:?}", b.0)));
    m
}

#[test]
fn a1_claims_set_decodes_to_the_rfc_values_and_encodes_to_the_rfc_bytes() {
    let bytes = vector("rfc8392-a-1");
    assert_eq!(Claims::from_slice(&bytes).unwrap(), a1_claims());
    assert_eq!(a1_claims().to_vec().unwrap(), bytes);
}

#[test]
fn a2_keys_decode_with_their_kid_alg_and_material_and_re_encode_to_the_same_map() {
    for (id, kid, alg, kind) in [
        (
            "rfc8392-a-2-1",
            "Symmetric128",
            Algorithm::AesCcm16_64_128,
            "sym",
        ),
        (
            "rfc8392-a-2-2",
            "Symmetric256",
            Algorithm::AesCcm16_64_128,
            "sym",
        ),
        (
            "rfc8392-a-2-3",
            "AsymmetricECDSA256",
            Algorithm::Es256,
            "p256",
        ),
    ] {
        let bytes = vector(id);
        let k = PopKey::from_slice(&bytes).unwrap();
        assert_eq!(k.kid(), Some(&KeyId::from(kid.as_bytes())), "{id}");
        assert_eq!(k.alg(), Some(&alg.to_coset()), "{id}");
        match (kind, k.material()) {
            ("sym", KeyMaterial::Symmetric(_)) | ("p256", KeyMaterial::P256Private(_)) => {}
            other => panic!("{id}: unexpected {other:?}"),
        }
        // The RFC's maps are not in deterministic order (-1 before 1), so compare as maps.
        let ours: Value = ciborium::from_reader(k.to_vec().unwrap().as_slice()).unwrap();
        let theirs: Value = ciborium::from_reader(bytes.as_slice()).unwrap();
        assert_eq!(sorted_map(ours), sorted_map(theirs), "{id}");
    }
}

#[test]
fn a3_signed_cwt_verifies_with_the_a23_key() {
    let token = vector("rfc8392-a-3");
    let keys = KeySet::new().with(key("rfc8392-a-2-3").to_public().unwrap());
    let verified = verify(&token, &keys).unwrap();
    assert_eq!(verified.claims(), &a1_claims());
    let layer = verified.authenticated_by().unwrap();
    assert_eq!(
        (layer.structure, layer.alg),
        (Structure::Sign1, Algorithm::Es256)
    );
    assert_eq!(layer.kid, Some(KeyId::from(b"AsymmetricECDSA256")));
}

#[test]
fn a3_recreated_with_the_a23_key_has_the_rfc_layout_and_verifies() {
    // ECDSA is randomised in the RFC, so compare everything but the signature.
    let ours = issue(
        &a1_claims(),
        &Protection::sign1(key("rfc8392-a-2-3"), Algorithm::Es256).unwrap(),
        &mut rand::make_rng::<rand::rngs::StdRng>(),
    )
    .unwrap();
    let rfc = vector("rfc8392-a-3");
    assert_eq!(ours.len(), rfc.len());
    assert_eq!(ours[..ours.len() - 64], rfc[..rfc.len() - 64]);
    let keys = KeySet::new().with(key("rfc8392-a-2-3").to_public().unwrap());
    assert_eq!(verify(&ours, &keys).unwrap().claims(), &a1_claims());
}

#[test]
fn a4_maced_cwt_with_tag_61_verifies_and_is_recreated_byte_for_byte() {
    let token = vector("rfc8392-a-4");
    let verified = verify(&token, &KeySet::new().with(a22_for_hmac())).unwrap();
    assert!(verified.cwt_tagged());
    assert_eq!(verified.claims(), &a1_claims());
    let protection = Protection::mac0(a22_for_hmac(), Algorithm::Hmac256_64)
        .unwrap()
        .with_cwt_tag(true);
    let ours = issue(
        &a1_claims(),
        &protection,
        &mut rand::make_rng::<rand::rngs::StdRng>(),
    )
    .unwrap();
    assert_eq!(ours, token);
}

#[test]
fn a4_with_the_a22_key_as_published_is_an_algorithm_mismatch() {
    let token = vector("rfc8392-a-4");
    let keys = KeySet::new().with(key("rfc8392-a-2-2"));
    assert_eq!(
        verify(&token, &keys).unwrap_err(),
        Error::AlgorithmKeyMismatch
    );
}

#[test]
fn a5_encrypted_cwt_decrypts_and_is_recreated_byte_for_byte() {
    let token = vector("rfc8392-a-5");
    let verified = verify(&token, &KeySet::new().with(key("rfc8392-a-2-1"))).unwrap();
    assert_eq!(verified.claims(), &a1_claims());
    let parsed = CoseEncrypt0::from_tagged_slice(&token).unwrap();
    let ours = structure::encrypt0_with_headers(
        parsed.protected,
        parsed.unprotected,
        &vector("rfc8392-a-1"),
        &key("rfc8392-a-2-1"),
        &[],
    )
    .unwrap();
    assert_eq!(ours.to_tagged_vec().unwrap(), token);
}

#[test]
fn a6_nested_cwt_decrypts_then_verifies_and_its_outer_layer_is_recreated() {
    let token = vector("rfc8392-a-6");
    let keys = KeySet::new()
        .with(key("rfc8392-a-2-1"))
        .with(key("rfc8392-a-2-3").to_public().unwrap());
    let verified = verify(&token, &keys).unwrap();
    assert_eq!(verified.claims(), &a1_claims());
    let structures: Vec<_> = verified.layers().iter().map(|l| l.structure).collect();
    assert_eq!(structures, [Structure::Encrypt0, Structure::Sign1]);
    // The plaintext of A.6 is the A.3 token.
    let parsed = CoseEncrypt0::from_tagged_slice(&token).unwrap();
    assert_eq!(
        structure::decrypt0(&parsed, &key("rfc8392-a-2-1"), &[]).unwrap(),
        vector("rfc8392-a-3")
    );
    let ours = structure::encrypt0_with_headers(
        parsed.protected,
        parsed.unprotected,
        &vector("rfc8392-a-3"),
        &key("rfc8392-a-2-1"),
        &[],
    )
    .unwrap();
    assert_eq!(ours.to_tagged_vec().unwrap(), token);
}

#[test]
fn a7_float_iat_verifies_and_is_recreated_byte_for_byte() {
    let token = vector("rfc8392-a-7");
    let verified = verify(&token, &KeySet::new().with(a22_for_hmac())).unwrap();
    let claims = Claims {
        iat: Some(NumericDate::FractionalSeconds(1443944944.5)),
        ..Claims::default()
    };
    assert_eq!(verified.claims(), &claims);
    let protection = Protection::mac0(a22_for_hmac(), Algorithm::Hmac256_64).unwrap();
    let ours = issue(
        &claims,
        &protection,
        &mut rand::make_rng::<rand::rngs::StdRng>(),
    )
    .unwrap();
    assert_eq!(ours, token);
}

#[test]
fn a3_with_one_flipped_signature_bit_is_refused() {
    let mut token = vector("rfc8392-a-3");
    let last = token.len() - 1;
    token[last] ^= 1;
    let keys = KeySet::new().with(key("rfc8392-a-2-3").to_public().unwrap());
    assert_eq!(verify(&token, &keys).unwrap_err(), Error::BadSignature);
}
