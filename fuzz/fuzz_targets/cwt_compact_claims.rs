//! ace-cwt: arbitrary Claims Set bytes, validly encrypted into a COSE_Encrypt0, reach the claims
//! reader of the compact verification path; it must give a result or hand over to the general
//! path, never panic, and the two must agree on acceptance.
#![no_main]

use ace_cwt::coset::{HeaderBuilder, ProtectedHeader, TaggedCborSerializable, iana};
use ace_cwt::{Algorithm, KeyId, KeySet, PopKey, structure, verify};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn key() -> &'static PopKey {
    static KEY: OnceLock<PopKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PopKey::symmetric(
            vec![0x42; 16],
            Algorithm::AesCcm16_64_128,
            Some(KeyId::from(b"e")),
        )
        .unwrap()
    })
}

fuzz_target!(|plaintext: &[u8]| {
    let protected = ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::AES_CCM_16_64_128)
            .build(),
    };
    let unprotected = HeaderBuilder::new()
        .key_id(b"e".to_vec())
        .iv(vec![7; 13])
        .build();
    let enc =
        structure::encrypt0_with_headers(protected, unprotected, plaintext, key(), &[]).unwrap();
    let token = enc.to_tagged_vec().unwrap();
    let keys = KeySet::new().with(key().clone());
    // Acceptance must not depend on the path: the claims decoded alone agree with verify.
    let verified = verify(&token, &keys);
    let alone = ace_cwt::Claims::from_slice(plaintext);
    match (&verified, &alone) {
        (Ok(v), Ok(c)) => assert_eq!(v.claims(), c),
        (Err(_), Err(_)) => {}
        // A payload that is itself a tagged COSE object is a nested layer, not a Claims Set.
        (Err(_), Ok(_)) | (Ok(_), Err(_)) => assert_eq!(plaintext.first().map(|b| b >> 5), Some(6)),
    }
});
