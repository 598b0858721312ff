//! Behaviour of the engine: errors of RFC 8613 §8 with their codes (state unchanged), replay
//! protection (§7.4), sequence-number limit (§7.2.1), Observe (§4.1.3.5, §7.4.1), Appendix B.1
//! (store-ahead, Echo) and B.2 (re-derivation), all five AEAD algorithms.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use coap_lite::{CoapOption, MessageClass, Packet, RequestType, ResponseType};
use coap_oscore::{
    AeadAlgorithm, ContextParams, Error, InMemoryStore, MAX_SEQUENCE_NUMBER, ResponsePartialIv,
    SecurityContext, SequenceStore, VerifiedRequest,
};

const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

fn params<'a>(sid: &'a [u8], rid: &'a [u8]) -> ContextParams<'a> {
    ContextParams {
        master_salt: &SALT,
        ..ContextParams::new(&SECRET, sid, rid)
    }
}

fn pair() -> (SecurityContext, SecurityContext) {
    (
        SecurityContext::derive(&params(&[], &[1])).unwrap(),
        SecurityContext::derive(&params(&[1], &[])).unwrap(),
    )
}

fn get(path: &str) -> Packet {
    let mut p = Packet::new();
    p.header.code = MessageClass::Request(RequestType::Get);
    p.add_option(CoapOption::UriPath, path.as_bytes().to_vec());
    p
}

fn protect(client: &mut SecurityContext, msg: &Packet) -> (Packet, coap_oscore::RequestId) {
    let mut buf = [0u8; 2048];
    let mut out = Packet::new();
    let id = client.protect_request(msg, &mut buf, &mut out).unwrap();
    (out, id)
}

fn unprotect(server: &mut SecurityContext, wire: &Packet) -> Result<VerifiedRequest, Error> {
    let mut buf = [0u8; 2048];
    let mut out = Packet::new();
    server.unprotect_request(wire, &mut buf, &mut out)
}

fn snapshot(ctx: &SecurityContext) -> String {
    format!("{ctx:?}")
}

#[test]
fn replayed_partial_iv_is_rejected_with_401_and_window_unchanged() {
    let (mut c, mut s) = pair();
    let (wire, _) = protect(&mut c, &get("a"));
    assert!(matches!(
        unprotect(&mut s, &wire),
        Ok(VerifiedRequest::Fresh(_))
    ));
    let before = snapshot(&s);
    let err = unprotect(&mut s, &wire).unwrap_err();
    assert_eq!(err, Error::Replay);
    assert_eq!(err.coap_code(), Some(0x81));
    assert_eq!(err.diagnostic(), "Replay detected");
    assert_eq!(snapshot(&s), before);
}

#[test]
fn unknown_kid_is_security_context_not_found_401() {
    let (_, mut s) = pair();
    let mut other = SecurityContext::derive(&params(&[5], &[1])).unwrap();
    let (wire, _) = protect(&mut other, &get("a"));
    let before = snapshot(&s);
    let err = unprotect(&mut s, &wire).unwrap_err();
    assert_eq!(err, Error::ContextNotFound);
    assert_eq!(err.coap_code(), Some(0x81));
    assert_eq!(err.diagnostic(), "Security context not found");
    assert_eq!(snapshot(&s), before);
}

#[test]
fn wrong_key_is_decryption_failed_400_and_window_unchanged() {
    let (_, mut s) = pair();
    let wrong = [0xffu8; 16];
    let mut c = SecurityContext::derive(&ContextParams {
        master_salt: &SALT,
        ..ContextParams::new(&wrong, &[], &[1])
    })
    .unwrap();
    let (wire, _) = protect(&mut c, &get("a"));
    let before = snapshot(&s);
    let err = unprotect(&mut s, &wire).unwrap_err();
    assert_eq!(err, Error::DecryptionFailed);
    assert_eq!(err.coap_code(), Some(0x80));
    assert_eq!(err.diagnostic(), "Decryption failed");
    assert_eq!(snapshot(&s), before);
    // The genuine request with the same Partial IV is still accepted afterwards.
    let (mut good, _) = pair();
    let (wire, _) = protect(&mut good, &get("a"));
    assert!(matches!(
        unprotect(&mut s, &wire),
        Ok(VerifiedRequest::Fresh(_))
    ));
}

#[test]
fn malformed_oscore_option_is_bad_option_402() {
    let (mut c, mut s) = pair();
    let (mut wire, _) = protect(&mut c, &get("a"));
    for bad in [
        vec![0x20u8, 0x00],
        vec![0x06, 1, 2, 3, 4, 5, 6],
        vec![0x00],
        vec![0x19, 0x14, 0x09],
    ] {
        wire.set_option(CoapOption::Oscore, [bad].into());
        let before = snapshot(&s);
        let err = unprotect(&mut s, &wire).unwrap_err();
        assert_eq!(err, Error::MalformedOption);
        assert_eq!(err.coap_code(), Some(0x82));
        assert_eq!(snapshot(&s), before);
    }
    // §2: an OSCORE option without payload is malformed.
    let mut empty = wire.clone();
    empty.set_option(CoapOption::Oscore, [vec![0x09, 0x00]].into());
    empty.payload.clear();
    assert_eq!(
        unprotect(&mut s, &empty).unwrap_err(),
        Error::MalformedOption
    );
    // A request without kid or without Partial IV is malformed too (§6.1 / §8.2).
    wire.set_option(CoapOption::Oscore, [vec![0x01, 0x00]].into());
    assert_eq!(
        unprotect(&mut s, &wire).unwrap_err(),
        Error::MalformedOption
    );
    wire.set_option(CoapOption::Oscore, [vec![0x08]].into());
    assert_eq!(
        unprotect(&mut s, &wire).unwrap_err(),
        Error::MalformedOption
    );
}

#[test]
fn unprotected_request_fails_closed() {
    let (_, mut s) = pair();
    let err = unprotect(&mut s, &get("a")).unwrap_err();
    assert_eq!(err, Error::NotProtected);
    assert_eq!(err.coap_code(), Some(0x81));
}

#[test]
fn error_response_is_unprotected_with_max_age_zero_and_diagnostic() {
    let mut out = Packet::new();
    Error::ContextNotFound.write_response(&mut out).unwrap();
    assert_eq!(
        out.header.code,
        MessageClass::Response(ResponseType::Unauthorized)
    );
    assert_eq!(out.payload, b"Security context not found");
    assert!(out.get_option(CoapOption::Oscore).is_none());
    assert_eq!(
        out.get_option(CoapOption::MaxAge).unwrap().front().unwrap(),
        &Vec::<u8>::new()
    );
    assert_eq!(
        Error::BufferTooSmall.write_response(&mut out),
        Err(Error::OutputMessage)
    );
}

#[test]
fn sequence_number_limit_is_2_pow_40_minus_1_and_nothing_beyond_is_sent() {
    let (mut c, mut s) = pair();
    c.skip_to_sequence_number(MAX_SEQUENCE_NUMBER).unwrap();
    let (wire, id) = protect(&mut c, &get("a"));
    assert_eq!(id.partial_iv().value(), MAX_SEQUENCE_NUMBER);
    assert!(matches!(
        unprotect(&mut s, &wire),
        Ok(VerifiedRequest::Fresh(_))
    ));
    let mut buf = [0u8; 256];
    let mut out = Packet::new();
    let before = snapshot(&c);
    assert_eq!(
        c.protect_request(&get("a"), &mut buf, &mut out)
            .unwrap_err(),
        Error::SequenceNumberExhausted
    );
    assert_eq!(snapshot(&c), before);
    assert!(out.payload.is_empty(), "nothing was written");
}

#[test]
fn id_checks_of_section_3_3() {
    let long = [0u8; 8];
    assert_eq!(
        SecurityContext::derive(&params(&long, &[1])).unwrap_err(),
        Error::IdTooLong
    );
    let seven = [0u8; 7];
    assert!(SecurityContext::derive(&params(&seven, &[1])).is_ok());
    let gcm = ContextParams {
        algorithm: AeadAlgorithm::A128Gcm,
        ..params(&seven, &[1])
    };
    assert_eq!(SecurityContext::derive(&gcm).unwrap_err(), Error::IdTooLong);
    assert_eq!(
        SecurityContext::derive(&params(&[1], &[1])).unwrap_err(),
        Error::IdsNotDistinct
    );
    assert_eq!(
        AeadAlgorithm::from_cose_id(24).unwrap_err(),
        Error::UnsupportedAlgorithm
    );
}

#[test]
fn every_aead_algorithm_round_trips_requests_and_responses() {
    for alg in [
        AeadAlgorithm::AesCcm16_64_128,
        AeadAlgorithm::AesCcm16_128_128,
        AeadAlgorithm::AesCcm16_64_256,
        AeadAlgorithm::A128Gcm,
        AeadAlgorithm::A256Gcm,
    ] {
        let secret = [7u8; 32];
        let sid = [0xaau8; 6];
        let mk = |s: &'static [u8], r: &'static [u8]| {
            SecurityContext::derive(&ContextParams {
                algorithm: alg,
                id_context: Some(b"ctx"),
                ..ContextParams::new(&secret, s, r)
            })
            .unwrap()
        };
        let mut c = mk(&[0xaa; 6], &[]);
        let mut s = mk(&[], &[0xaa; 6]);
        assert_eq!(c.sender_key().len(), alg.key_len());
        assert_eq!(c.common_iv().len(), alg.nonce_len());
        assert_eq!(c.sender_id(), sid);
        let mut req = get("x");
        req.payload = vec![9; 100];
        let (wire, mut id) = protect(&mut c, &req);
        assert_eq!(wire.payload.len(), 1 + 2 + 1 + 100 + alg.tag_len());
        let mut buf = [0u8; 512];
        let mut plain = Packet::new();
        let VerifiedRequest::Fresh(rid) = s.unprotect_request(&wire, &mut buf, &mut plain).unwrap()
        else {
            panic!()
        };
        assert_eq!(plain.payload, req.payload);
        for mode in [ResponsePartialIv::FromRequest, ResponsePartialIv::Own] {
            let mut resp = Packet::new();
            resp.header.code = MessageClass::Response(ResponseType::Content);
            resp.payload = b"ok".to_vec();
            let mut wire = Packet::new();
            s.protect_response(&rid, &resp, mode, &mut buf, &mut wire)
                .unwrap();
            let mut back = Packet::new();
            c.unprotect_response(&mut id, &wire, &mut buf, &mut back)
                .unwrap();
            assert_eq!(back.payload, b"ok", "{alg:?} {mode:?}");
        }
    }
}

#[test]
fn observe_uses_fetch_and_2_05_and_notifications_carry_partial_iv_and_stale_ones_are_refused() {
    let (mut c, mut s) = pair();
    let mut req = get("obs");
    req.set_observe_value(0);
    let (wire, mut id) = protect(&mut c, &req);
    assert_eq!(wire.header.code, MessageClass::Request(RequestType::Fetch));
    assert_eq!(wire.get_observe_value(), Some(Ok(0)), "outer Observe");
    let mut buf = [0u8; 512];
    let mut plain = Packet::new();
    let VerifiedRequest::Fresh(rid) = s.unprotect_request(&wire, &mut buf, &mut plain).unwrap()
    else {
        panic!()
    };
    assert_eq!(plain.get_observe_value(), Some(Ok(0)), "inner Observe");
    let mut notes = Vec::new();
    for n in 1..=3u32 {
        let mut resp = Packet::new();
        resp.header.code = MessageClass::Response(ResponseType::Content);
        resp.set_observe_value(n);
        resp.payload = format!("n={n}").into_bytes();
        let mut wire = Packet::new();
        s.protect_response(
            &rid,
            &resp,
            ResponsePartialIv::FromRequest,
            &mut buf,
            &mut wire,
        )
        .unwrap();
        assert_eq!(
            wire.header.code,
            MessageClass::Response(ResponseType::Content)
        );
        let opt = wire
            .get_option(CoapOption::Oscore)
            .unwrap()
            .front()
            .unwrap()
            .clone();
        assert_eq!(
            opt[0] & 0x07,
            1,
            "a notification carries its own Partial IV"
        );
        notes.push(wire);
    }
    for (i, w) in notes.iter().enumerate() {
        let mut back = Packet::new();
        c.unprotect_response(&mut id, w, &mut buf, &mut back)
            .unwrap();
        assert_eq!(back.payload, format!("n={}", i + 1).into_bytes());
        assert_eq!(back.get_observe_value(), Some(Ok(i as u32 + 1)));
    }
    let mut back = Packet::new();
    assert_eq!(
        c.unprotect_response(&mut id, &notes[1], &mut buf, &mut back)
            .unwrap_err(),
        Error::StaleNotification
    );
}

#[test]
fn after_reboot_sequence_continues_past_the_stored_bound_and_echo_reestablishes_the_window() {
    let mut client_store = InMemoryStore::default();
    let mut server_store = InMemoryStore::default();
    let mut buf = [0u8; 512];
    let mut c = SecurityContext::with_store(&params(&[], &[1]), &mut client_store).unwrap();
    let mut s = SecurityContext::with_store(&params(&[1], &[]), &mut server_store).unwrap();
    let mut used = Vec::new();
    for _ in 0..3 {
        let mut wire = Packet::new();
        let id = c.protect_request(&get("a"), &mut buf, &mut wire).unwrap();
        used.push(id.partial_iv().value());
        let mut p = Packet::new();
        assert!(matches!(
            s.unprotect_request(&wire, &mut buf, &mut p).unwrap(),
            VerifiedRequest::Fresh(_)
        ));
    }
    let (old_wire, _) = {
        let mut wire = Packet::new();
        let id = c.protect_request(&get("old"), &mut buf, &mut wire).unwrap();
        (wire, id)
    };
    assert_eq!(
        c.store().bound,
        Some(64),
        "one write covers the first 64 numbers"
    );
    drop(c);
    drop(s);
    // Reboot of both endpoints.
    let mut c = SecurityContext::with_store(&params(&[], &[1]), &mut client_store).unwrap();
    assert_eq!(c.sender_sequence_number(), 64);
    let mut s = SecurityContext::with_store(&params(&[1], &[]), &mut server_store).unwrap();
    assert!(s.replay_window().is_unknown());
    // An old request (never delivered before) is not accepted: freshness is unknown.
    let mut p = Packet::new();
    let VerifiedRequest::EchoRequired(ch) =
        s.unprotect_request(&old_wire, &mut buf, &mut p).unwrap()
    else {
        panic!("must ask for Echo")
    };
    assert!(
        p.payload.is_empty() && p.options().next().is_none(),
        "nothing delivered"
    );
    let mut wire = Packet::new();
    let mut req = get("a");
    let mut id = c.protect_request(&req, &mut buf, &mut wire).unwrap();
    assert!(id.partial_iv().value() >= 64 && !used.contains(&id.partial_iv().value()));
    let VerifiedRequest::EchoRequired(ch2) = s.unprotect_request(&wire, &mut buf, &mut p).unwrap()
    else {
        panic!()
    };
    let _ = ch;
    let mut challenge = Packet::new();
    s.protect_echo_challenge(ch2, b"\x42\x79\x8b\x46", &mut buf, &mut challenge)
        .unwrap();
    let opt = challenge
        .get_option(CoapOption::Oscore)
        .unwrap()
        .front()
        .unwrap()
        .clone();
    assert_ne!(
        opt[0] & 0x07,
        0,
        "the Echo response carries the server's Partial IV"
    );
    let mut inner = Packet::new();
    c.unprotect_response(&mut id, &challenge, &mut buf, &mut inner)
        .unwrap();
    assert_eq!(
        inner.header.code,
        MessageClass::Response(ResponseType::Unauthorized)
    );
    let echo = inner
        .get_option(CoapOption::Unknown(252))
        .unwrap()
        .front()
        .unwrap()
        .clone();
    // The client repeats the request with the Echo value.
    req.add_option(CoapOption::Unknown(252), echo);
    let mut wire = Packet::new();
    c.protect_request(&req, &mut buf, &mut wire).unwrap();
    let mut p = Packet::new();
    assert!(matches!(
        s.unprotect_request(&wire, &mut buf, &mut p).unwrap(),
        VerifiedRequest::Fresh(_)
    ));
    assert!(!s.replay_window().is_unknown());
    // Requests older than the Echo-verified one are now replays.
    assert_eq!(
        s.unprotect_request(&old_wire, &mut buf, &mut p)
            .unwrap_err(),
        Error::Replay
    );
}

#[test]
fn failing_store_means_nothing_is_sent() {
    /// Accepts `ok` writes, then fails.
    struct Flaky {
        ok: u32,
    }
    impl SequenceStore for Flaky {
        fn load(&mut self) -> Result<Option<u64>, coap_oscore::StoreFailed> {
            Ok(None)
        }
        fn store(&mut self, _: u64) -> Result<(), coap_oscore::StoreFailed> {
            if self.ok == 0 {
                return Err(coap_oscore::StoreFailed);
            }
            self.ok -= 1;
            Ok(())
        }
    }
    assert_eq!(
        SecurityContext::with_store(&params(&[], &[1]), Flaky { ok: 0 }).unwrap_err(),
        Error::StorageFailed
    );
    let mut c = SecurityContext::with_store(&params(&[], &[1]), Flaky { ok: 1 }).unwrap();
    c.skip_to_sequence_number(64).unwrap();
    let mut buf = [0u8; 128];
    let mut out = Packet::new();
    assert_eq!(
        c.protect_request(&get("a"), &mut buf, &mut out)
            .unwrap_err(),
        Error::StorageFailed
    );
    assert_eq!(c.sender_sequence_number(), 64);
    assert!(out.payload.is_empty());
}

#[test]
fn appendix_b2_rederived_context_with_new_id_context_works_and_old_one_is_not_found() {
    let (c0, s0) = pair();
    let mut c = c0.rederive(b"R1R2", coap_oscore::Volatile).unwrap();
    let mut s = s0.rederive(b"R1R2", coap_oscore::Volatile).unwrap();
    assert_ne!(c.sender_key(), c0.sender_key());
    assert_eq!(c.id_context(), Some(&b"R1R2"[..]));
    let (wire, _) = protect(&mut c, &get("a"));
    let mut scratch = [0u8; coap_oscore::OPTION_SCRATCH_LEN];
    let opt = coap_oscore::peek_oscore_option(&wire, &mut scratch)
        .unwrap()
        .unwrap();
    assert_eq!(opt.kid_context, Some(&b"R1R2"[..]));
    assert!(matches!(
        unprotect(&mut s, &wire),
        Ok(VerifiedRequest::Fresh(_))
    ));
    let (_, mut s_old) = pair();
    assert_eq!(
        unprotect(&mut s_old, &wire).unwrap_err(),
        Error::ContextNotFound
    );
}

#[test]
fn class_u_options_stay_outer_and_class_e_go_inner() {
    let (mut c, mut s) = pair();
    let mut req = get("secret");
    req.add_option(CoapOption::UriHost, b"example.org".to_vec());
    req.add_option(CoapOption::UriPort, vec![0x16, 0x33]);
    req.add_option(CoapOption::UriQuery, b"q=1".to_vec());
    req.add_option(CoapOption::ProxyScheme, b"coap".to_vec());
    req.add_option(CoapOption::Block1, vec![0x0e]);
    req.add_option(CoapOption::Unknown(292), vec![1]); // Request-Tag
    let (wire, _) = protect(&mut c, &req);
    let outer: Vec<u16> = wire.options().map(|(n, _)| *n).collect();
    assert_eq!(outer, vec![3, 7, 9, 39]);
    let mut buf = [0u8; 512];
    let mut plain = Packet::new();
    let _ = s.unprotect_request(&wire, &mut buf, &mut plain).unwrap();
    assert_eq!(plain.to_bytes().unwrap(), req.to_bytes().unwrap());
}

#[test]
fn proxy_uri_is_decomposed_path_and_query_inner_scheme_and_authority_outer() {
    let (mut c, mut s) = pair();
    let mut req = Packet::new();
    req.header.code = MessageClass::Request(RequestType::Get);
    req.add_option(
        CoapOption::ProxyUri,
        b"coap://example.com:5683/sensors/a%20b?x=1&y".to_vec(),
    );
    req.add_option(CoapOption::Accept, vec![0]);
    let (wire, _) = protect(&mut c, &req);
    let outer: Vec<(u16, Vec<u8>)> = wire
        .options()
        .flat_map(|(n, l)| l.iter().map(move |v| (*n, v.clone())))
        .filter(|(n, _)| *n != 9)
        .collect();
    assert_eq!(outer, vec![(35, b"coap://example.com:5683".to_vec())]);
    let mut buf = [0u8; 512];
    let mut plain = Packet::new();
    let _ = s.unprotect_request(&wire, &mut buf, &mut plain).unwrap();
    let got = |o: CoapOption| -> Vec<Vec<u8>> {
        plain
            .get_option(o)
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        got(CoapOption::UriPath),
        vec![b"sensors".to_vec(), b"a b".to_vec()]
    );
    assert_eq!(
        got(CoapOption::UriQuery),
        vec![b"x=1".to_vec(), b"y".to_vec()]
    );
    assert_eq!(got(CoapOption::Accept), vec![vec![0]]);
    assert_eq!(
        got(CoapOption::ProxyUri),
        vec![b"coap://example.com:5683".to_vec()]
    );

    // Not decomposable, or mixed with Uri-* options: refused before any number is used.
    for bad in [
        &b"coap://h/p#frag"[..],
        b"no-scheme",
        b"coap:///p",
        b"coap://h/%zz",
        b"coap://h/%4",
    ] {
        let mut p = Packet::new();
        p.header.code = MessageClass::Request(RequestType::Get);
        p.add_option(CoapOption::ProxyUri, bad.to_vec());
        let before = snapshot(&c);
        let mut out = Packet::new();
        assert_eq!(
            c.protect_request(&p, &mut buf, &mut out).unwrap_err(),
            Error::InvalidProxyUri
        );
        assert_eq!(snapshot(&c), before);
    }
    let mut p = get("a");
    p.add_option(CoapOption::ProxyUri, b"coap://h/p".to_vec());
    let mut out = Packet::new();
    assert_eq!(
        c.protect_request(&p, &mut buf, &mut out).unwrap_err(),
        Error::InvalidProxyUri
    );
}
