//! ace-core: the introspection request and response decoders (RFC 9200 §5.9) never panic,
//! and what they accept re-encodes stably.
#![no_main]

use ace_core::{AceMessage, IntrospectionRequest, IntrospectionResponse};
use libfuzzer_sys::fuzz_target;

fn stable<M: AceMessage>(data: &[u8]) {
    if let Ok(msg) = M::decode(data) {
        let bytes = msg.encode();
        let again = M::decode(&bytes).expect("own encoding decodes");
        assert_eq!(again.encode(), bytes);
    }
}

fuzz_target!(|data: &[u8]| {
    stable::<IntrospectionRequest>(data);
    stable::<IntrospectionResponse>(data);
});
