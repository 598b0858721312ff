//! ace-core: the AccessTokenRequest decoder (RFC 9200) never panics, and what it accepts re-encodes stably.
#![no_main]

use ace_core::{AceMessage, AccessTokenRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = AccessTokenRequest::decode(data) {
        let bytes = msg.encode();
        let again = AccessTokenRequest::decode(&bytes).expect("own encoding decodes");
        assert_eq!(again.encode(), bytes);
    }
});
