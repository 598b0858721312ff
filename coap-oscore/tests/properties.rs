//! Property tests: protect∘unprotect is the identity (RFC 8613 §8), the replay window never
//! accepts a Partial IV twice (§7.4), and across thousands of simulated crashes with the
//! Appendix B.1.1 store-ahead no (key, nonce) pair is ever used twice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;

use coap_lite::{CoapOption, MessageClass, Packet, RequestType, ResponseType};
use coap_oscore::{
    ContextParams, InMemoryStore, PartialIv, ReplayWindow, ResponsePartialIv, SecurityContext,
    VerifiedRequest,
};
use proptest::prelude::*;

const SECRET: [u8; 16] = [0x42; 16];

fn method() -> impl Strategy<Value = RequestType> {
    prop_oneof![
        Just(RequestType::Get),
        Just(RequestType::Post),
        Just(RequestType::Put),
        Just(RequestType::Delete),
        Just(RequestType::Fetch),
        Just(RequestType::Patch),
    ]
}

/// Options of every class: E (If-Match, ETag, Uri-Path, Content-Format, Uri-Query, Accept,
/// Block1/2, Size1, Echo, Request-Tag, an unknown one), U (Uri-Host, Uri-Port, Proxy-Scheme).
fn options() -> impl Strategy<Value = Vec<(u16, Vec<u8>)>> {
    let number = prop::sample::select(vec![
        1u16, 3, 4, 5, 7, 8, 11, 12, 14, 15, 17, 20, 23, 27, 28, 39, 60, 252, 258, 292, 2000,
    ]);
    prop::collection::vec((number, prop::collection::vec(any::<u8>(), 0..20)), 0..8)
}

fn packet(code: MessageClass, opts: &[(u16, Vec<u8>)], payload: &[u8]) -> Packet {
    let mut p = Packet::new();
    p.header.code = code;
    for (n, v) in opts {
        p.add_option(CoapOption::from(*n), v.clone());
    }
    p.payload = payload.to_vec();
    p
}

fn pair(id_context: Option<&[u8]>) -> (SecurityContext, SecurityContext) {
    let c = ContextParams {
        id_context,
        ..ContextParams::new(&SECRET, b"cl", b"sv")
    };
    let s = ContextParams {
        id_context,
        ..ContextParams::new(&SECRET, b"sv", b"cl")
    };
    (
        SecurityContext::derive(&c).unwrap(),
        SecurityContext::derive(&s).unwrap(),
    )
}

proptest! {
    #[test]
    fn protect_then_unprotect_is_the_identity(
        m in method(),
        req_opts in options(),
        req_payload in prop::collection::vec(any::<u8>(), 0..300),
        resp_opts in options(),
        resp_payload in prop::collection::vec(any::<u8>(), 0..300),
        own_piv in any::<bool>(),
        with_ctx in any::<bool>(),
    ) {
        let idc = with_ctx.then_some(&b"group"[..]);
        let (mut c, mut s) = pair(idc);
        let request = packet(MessageClass::Request(m), &req_opts, &req_payload);
        let mut buf = [0u8; 1024];
        let mut wire = Packet::new();
        let mut id = c.protect_request(&request, &mut buf, &mut wire).unwrap();
        let mut plain = Packet::new();
        let VerifiedRequest::Fresh(rid) = s.unprotect_request(&wire, &mut buf, &mut plain).unwrap() else {
            panic!("fresh")
        };
        prop_assert_eq!(plain.to_bytes().unwrap(), request.to_bytes().unwrap());

        // Responses never carry class-U-only options.
        let resp_opts: Vec<_> = resp_opts.into_iter().filter(|(n, _)| ![3, 7, 39].contains(n)).collect();
        let response = packet(MessageClass::Response(ResponseType::Content), &resp_opts, &resp_payload);
        let mode = if own_piv { ResponsePartialIv::Own } else { ResponsePartialIv::FromRequest };
        let mut wire = Packet::new();
        s.protect_response(&rid, &response, mode, &mut buf, &mut wire).unwrap();
        let mut back = Packet::new();
        c.unprotect_response(&mut id, &wire, &mut buf, &mut back).unwrap();
        prop_assert_eq!(back.to_bytes().unwrap(), response.to_bytes().unwrap());
    }

    #[test]
    fn replay_window_never_accepts_a_partial_iv_twice(
        size in 1u8..=128,
        pivs in prop::collection::vec(0u64..400, 1..400),
    ) {
        let mut w = ReplayWindow::new(size).unwrap();
        let mut accepted = HashSet::new();
        let mut highest: Option<u64> = None;
        for p in pivs {
            let before = w;
            match w.accept(PartialIv::new(p).unwrap()) {
                Ok(()) => {
                    prop_assert!(accepted.insert(p), "accepted {} twice", p);
                    if let Some(h) = highest {
                        prop_assert!(p > h || h - p < u64::from(size), "below the window");
                    }
                    highest = Some(highest.map_or(p, |h| h.max(p)));
                }
                Err(_) => prop_assert_eq!(w, before, "a rejection changes nothing"),
            }
        }
    }
}

proptest! {
    // 16 cases of 200-400 crashes each: several thousand simulated reboots per run.
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn crashes_and_restarts_never_reuse_a_key_nonce_pair(
        store_ahead in 1u64..50,
        bursts in prop::collection::vec(0u32..20, 200..400),
    ) {
        // Each burst sends some messages and then the endpoint crashes (the context is
        // dropped without any shutdown; only the store survives).
        let mut store = InMemoryStore::default();
        let mut used: HashSet<(Vec<u8>, Vec<u8>)> = HashSet::new();
        let mut buf = [0u8; 64];
        let mut req = Packet::new();
        req.header.code = MessageClass::Request(RequestType::Get);
        for burst in bursts {
            let params = ContextParams { store_ahead, ..ContextParams::new(&SECRET, b"cl", b"sv") };
            let mut c = SecurityContext::with_store(&params, &mut store).unwrap();
            for _ in 0..burst {
                let mut wire = Packet::new();
                let id = c.protect_request(&req, &mut buf, &mut wire).unwrap();
                let nonce = c.nonce(c.sender_id(), id.partial_iv()).to_vec();
                prop_assert!(used.insert((c.sender_key().to_vec(), nonce)), "(key, nonce) reused");
            }
        }
    }
}
