//! Arbitrary bytes as certs-only PKCS#7 (281), a single certificate (287) and csrattrs (285):
//! never panics, and whatever decodes re-encodes to the same bytes.
#![no_main]

use est_coaps::{CertsOnly, CsrAttrs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p7) = CertsOnly::from_der(data) {
        assert_eq!(p7.to_der().unwrap(), data);
    }
    if let Ok(attrs) = CsrAttrs::from_der(data) {
        assert_eq!(attrs.to_der().unwrap(), data);
    }
    let _ = est_coaps::pkcs7::certificate_from_der(data);
});
