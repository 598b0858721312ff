//! Differential tests: coap-oscore and the independent `oscore` 0.1.2 crate, both with the
//! RFC 8613 C.1 contexts, on random requests and responses (AES-CCM-16-64-128, the only
//! algorithm `oscore` has). Deterministic crypto makes the comparison byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use coap_lite::{CoapOption, MessageClass, Packet, ResponseType};
use coap_oscore::{ResponsePartialIv, SecurityContext, VerifiedRequest};
use oscore_harness::{MASTER_SALT, MASTER_SECRET, c1};
use proptest::prelude::*;

/// Accepts every reservation (the harness restarts nothing).
struct AcceptAll;
impl oscore::SenderStateStore for AcceptAll {
    type Error = ();
    fn load(&mut self, _: &oscore::ContextId) -> Result<Option<oscore::SenderSequenceState>, ()> {
        Ok(None)
    }
    fn compare_exchange(
        &mut self,
        _: &oscore::ContextId,
        _: Option<oscore::SenderSequenceState>,
        _: oscore::SenderSequenceState,
    ) -> Result<bool, ()> {
        Ok(true)
    }
}

fn theirs(client: bool, next_seq: u64) -> oscore::Context {
    let (s, r): (&[u8], &[u8]) = if client { (&[], &[1]) } else { (&[1], &[]) };
    oscore::Context::restore_for_vectors(&MASTER_SECRET, Some(&MASTER_SALT), s, r, next_seq)
        .unwrap()
}

/// RFC 7252 §3.1 encoding of Uri-Path segments (all shorter than 13 bytes).
fn encode_uri_path(segments: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut last = 0u8;
    for s in segments {
        let delta = 11 - last;
        out.push((delta << 4) | s.len() as u8);
        out.extend_from_slice(s);
        last = 11;
    }
    out
}

fn request(code: u8, segments: &[Vec<u8>], payload: &[u8]) -> Packet {
    let mut p = Packet::new();
    p.header.code = MessageClass::from(code);
    for s in segments {
        p.add_option(CoapOption::UriPath, s.clone());
    }
    p.payload = payload.to_vec();
    p
}

fn oscore_option(p: &Packet) -> Vec<u8> {
    p.get_option(CoapOption::Oscore)
        .unwrap()
        .front()
        .unwrap()
        .clone()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn requests_are_byte_identical_and_cross_decrypt(
        code in prop::sample::select(vec![1u8, 2, 3, 4]),
        segments in prop::collection::vec(prop::collection::vec(b'a'..=b'z', 1..12), 0..4),
        payload in prop::collection::vec(any::<u8>(), 0..80),
        seq in 0u64..100_000,
    ) {
        let mut ours = SecurityContext::derive(&c1(true)).unwrap();
        ours.skip_to_sequence_number(seq).unwrap();
        let plain = request(code, &segments, &payload);
        let mut buf = [0u8; 512];
        let mut wire = Packet::new();
        let mut id = ours.protect_request(&plain, &mut buf, &mut wire).unwrap();

        let mut their_client = theirs(true, seq);
        let class_e = encode_uri_path(&segments);
        let (ct, opt) = their_client
            .reserve_sender(&mut AcceptAll)
            .unwrap()
            .protect_request(code, &class_e, &payload)
            .unwrap();
        prop_assert_eq!(&oscore_option(&wire)[..], &opt[..], "OSCORE option value");
        prop_assert_eq!(&wire.payload[..], &ct[..], "ciphertext");

        // Their server decrypts ours.
        let mut their_server = theirs(false, 0);
        let (c, o, p) = their_server.unprotect_request(&oscore_option(&wire), &wire.payload).unwrap();
        prop_assert_eq!(c, code);
        prop_assert_eq!(&o[..], &class_e[..]);
        prop_assert_eq!(&p[..], &payload[..]);

        // Their server's response (with or without Partial IV) decrypts with ours, and ours
        // with theirs.
        for include_piv in [false, true] {
            let (rct, ropt) = their_server
                .protect_response(0x45, &[], b"answer", &[], id.partial_iv().encode().as_bytes(), include_piv)
                .unwrap();
            let mut resp = Packet::new();
            resp.header.code = MessageClass::Response(ResponseType::Changed);
            resp.add_option(CoapOption::Oscore, ropt.to_vec());
            resp.payload = rct.to_vec();
            let mut back = Packet::new();
            ours.unprotect_response(&mut id, &resp, &mut buf, &mut back).unwrap();
            prop_assert_eq!(back.header.code, MessageClass::Response(ResponseType::Content));
            prop_assert_eq!(&back.payload[..], b"answer");
        }

        let mut our_server = SecurityContext::derive(&c1(false)).unwrap();
        let mut inner = Packet::new();
        let VerifiedRequest::Fresh(rid) = our_server.unprotect_request(&wire, &mut buf, &mut inner).unwrap() else {
            panic!("fresh")
        };
        let mut resp = Packet::new();
        resp.header.code = MessageClass::Response(ResponseType::Content);
        resp.payload = payload.clone();
        let mut rwire = Packet::new();
        our_server.protect_response(&rid, &resp, ResponsePartialIv::FromRequest, &mut buf, &mut rwire).unwrap();
        let (c, _, p) = their_client
            .unprotect_response(&oscore_option(&rwire), &rwire.payload, id.partial_iv().encode().as_bytes())
            .unwrap();
        prop_assert_eq!(c, 0x45);
        prop_assert_eq!(&p[..], &payload[..]);
    }
}
