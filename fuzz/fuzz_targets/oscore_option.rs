//! RFC 8613 §6.1 OSCORE option decoding: never panics; whatever decodes re-encodes to the
//! same bytes (the codec is strict, so there is one wire form per value).
#![no_main]

use coap_oscore::OscoreOption;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(opt) = OscoreOption::decode(data) {
        let mut out = [0u8; 1024];
        if let Ok(bytes) = opt.encode(&mut out) {
            assert_eq!(bytes, data, "decode/encode round trip");
        }
    }
});
