//! ace-core: the ErrorResponse decoder (RFC 9200) never panics, and what it accepts re-encodes stably.
#![no_main]

use ace_core::{AceMessage, ErrorResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = ErrorResponse::decode(data) {
        let bytes = msg.encode();
        let again = ErrorResponse::decode(&bytes).expect("own encoding decodes");
        assert_eq!(again.encode(), bytes);
    }
});
