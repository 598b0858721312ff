//! ace-cwt: arbitrary token bytes against a fixed key store (one key per structure) must give
//! a result or an error, never a panic.
#![no_main]

use ace_cwt::{Algorithm, KeyId, KeySet, PopKey, verify};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut set = KeySet::new();
        for (kid, alg, len) in [
            (&b"m"[..], Algorithm::Hmac256_64, 32),
            (&b"e"[..], Algorithm::AesCcm16_64_128, 16),
            (&b"g"[..], Algorithm::A128Gcm, 16),
        ] {
            set.insert(PopKey::symmetric(vec![0x42; len], alg, Some(KeyId::from(kid))).unwrap());
        }
        // RFC 8392 A.2.3 (public part), kid "AsymmetricECDSA256".
        let a23 = unhex("a72358206c1382765aec5358f117733d281c1c7bdc39884d04a45a1e6c67c858bc206c1922582060f7f1a780d8a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9215820143329cce7868e416927599cf65a34f3ce2ffda55a7eca69ed8919a394d42f0f2001010202524173796d6d657472696345434453413235360326");
        set.insert(PopKey::from_slice(&a23).unwrap().to_public().unwrap());
        set
    })
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let _ = verify(data, keys());
});
