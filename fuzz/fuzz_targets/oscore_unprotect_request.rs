//! RFC 8613 §8.2 on arbitrary requests, with a fresh context and with one rebooted onto a
//! stored sequence number (unknown replay window, Appendix B.1.2): never panics, and a
//! failure leaves the context unchanged.
#![no_main]

#[path = "oscore_message.rs"]
mod oscore_message;

use coap_oscore::{InMemoryStore, SecurityContext};
use libfuzzer_sys::fuzz_target;
use oscore_message::{FuzzMessage, c1};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let store = InMemoryStore { bound: (selector & 1 == 1).then_some(100), writes: 0 };
    let Ok(mut server) = SecurityContext::with_store(&c1(false), store) else { return };
    let msg = FuzzMessage::parse(rest);
    let before = format!("{server:?}");
    let mut buf = [0u8; 512];
    let mut out = FuzzMessage::default();
    if let Err(e) = server.unprotect_request(&msg, &mut buf, &mut out) {
        assert_eq!(format!("{server:?}"), before, "{e:?} changed the context");
        let _ = e.coap_code();
    }
});
