//! Arbitrary bytes as a Content-Format 280 payload (CMS EnvelopedData, RFC 7030 §4.4.2) for
//! both kinds of client key, and as the signed key package inside: never panics; no key comes
//! out of bytes our keys did not seal (a random AES key wrap check passes with probability
//! 2^-64), and a package with no trust anchor is never accepted.
#![no_main]

use est_coaps::p256::SecretKey;
use est_coaps::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kek = KeyDecryption::Kek {
        id: b"kek".to_vec(),
        key: vec![0x42; 16],
    };
    let agree = KeyDecryption::Agreement {
        key_id: vec![1; 20],
        secret: SecretKey::from_slice(&[0x11; 32]).unwrap(),
    };
    for key in [&kek, &agree] {
        if let Ok(inner) = est_coaps::enveloped_key::open(data, key) {
            assert!(est_coaps::key_package::verify(&inner, &[]).is_err());
        }
    }
    assert!(est_coaps::key_package::verify(data, &[]).is_err());
    // The same bytes as the 280 part of an /skg response to a client expecting one.
    let client = EstClient::new(EstPath::default(), Vec::new());
    let mut e = client.serverkeygen(Vec::new(), false).decrypting_with(kek);
    let body = Multipart::new()
        .with(ContentFormat::Pkcs7ServerGeneratedKey, data)
        .with(ContentFormat::Pkcs7CertsOnly, &[])
        .to_vec();
    let resp = ClientResponse {
        code: Code::CHANGED,
        content_format: Some(62),
        max_age: None,
        payload: &body,
    };
    assert!(e.on_response(&resp, UnixTime(0)).is_err());
    assert_eq!(e.state(), EnrollmentState::Ready);
});
