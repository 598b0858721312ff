//! ace-core: the AIF (RFC 9237) and text scope (RFC 6749 §3.3) parsers never panic; accepted
//! AIF round-trips.
#![no_main]

use ace_core::env::Method;
use ace_core::scope::{AifScope, TextScope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(aif) = AifScope::from_cbor_bytes(data) {
        let bytes = aif.to_cbor_bytes();
        assert_eq!(AifScope::from_cbor_bytes(&bytes).expect("own encoding decodes"), aif);
        let narrowed = aif.intersect(&aif).unwrap_or_default();
        assert!(narrowed.is_subset_of(&aif));
        for e in aif.entries() {
            let _ = aif.permits(Method::Get, e.path());
        }
    }
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(scope) = TextScope::parse(text) {
            assert_eq!(scope.as_str(), text);
            assert!(scope.tokens().all(|t| !t.is_empty()));
        }
    }
});
