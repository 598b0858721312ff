//! RFC 8613 §8.4 on arbitrary responses to a real request: never panics; a failure leaves
//! the request binding (Notification Number) unchanged.
#![no_main]

#[path = "oscore_message.rs"]
mod oscore_message;

use coap_oscore::SecurityContext;
use libfuzzer_sys::fuzz_target;
use oscore_message::{FuzzMessage, c1};

fuzz_target!(|data: &[u8]| {
    let Ok(mut client) = SecurityContext::derive(&c1(true)) else { return };
    let request = FuzzMessage { code: 1, options: vec![(11, b"obs".to_vec())], payload: vec![] };
    let mut buf = [0u8; 512];
    let mut wire = FuzzMessage::default();
    let Ok(mut id) = client.protect_request(&request, &mut buf, &mut wire) else { return };
    let before = id;
    let msg = FuzzMessage::parse(data);
    let mut out = FuzzMessage::default();
    if client.unprotect_response(&mut id, &msg, &mut buf, &mut out).is_err() {
        assert_eq!(id, before);
    }
});
