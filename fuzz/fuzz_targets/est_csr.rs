//! Arbitrary bytes as a PKCS#10 CSR (Content-Format 286), checked and unchecked, and as a
//! whole /sen and /skg request to the server engine: never panics; a CSR that decodes
//! re-encodes to the same bytes (strict DER); a refused request issues nothing.
#![no_main]

use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::x509_cert::name::Name;
use est_coaps::*;
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use std::str::FromStr;
use std::sync::OnceLock;

fn ca() -> &'static (SigningKey, est_coaps::x509_cert::Certificate) {
    static CA: OnceLock<(SigningKey, est_coaps::x509_cert::Certificate)> = OnceLock::new();
    CA.get_or_init(|| {
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let ca = Ca::new_root(
            Name::from_str("CN=Fuzz CA,O=F,C=SE").unwrap(),
            key,
            ApproveAll,
            UnixTime(1_700_000_000),
            86400,
            4,
        )
        .unwrap();
        (ca.key().clone(), ca.certificate().unwrap().clone())
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(csr) = VerifiedCsr::from_der(data) {
        assert_eq!(csr.to_der().unwrap(), data);
    }
    let unchecked = UncheckedCsr::from_der(data);
    let (key, cert) = ca();
    let ca = Ca::from_parts(key.clone(), cert.clone(), ApproveAll, 4);
    let mut server = EstServer::new(EstPath::default(), ca);
    for f in ["sen", "skg"] {
        let path = [".well-known", "est", f];
        let req = Request {
            method: Method::Post,
            uri_path: &path,
            uri_query: &[],
            content_format: Some(286),
            accept: None,
            payload: data,
            client: Some(cert),
            pop_link: None,
        };
        let before = server.ca().issued().len();
        match server.try_handle(
            &req,
            UnixTime(1_700_000_100),
            &mut rand::rngs::StdRng::seed_from_u64(0),
        ) {
            Ok(_) => assert_eq!(server.ca().issued().len(), before + 1),
            Err(e) => {
                assert_eq!(server.ca().issued().len(), before);
                let _ = e.coap_code();
                if f == "skg" {
                    assert!(
                        unchecked.is_err()
                            || matches!(
                                e,
                                Error::KeyProtectionRefused(_)
                                    | Error::UnknownDecryptKey
                                    | Error::MalformedDer { .. }
                                    | Error::UnsupportedAlgorithm
                                    | Error::Issuing(_)
                            )
                    );
                }
            }
        }
    }
});
