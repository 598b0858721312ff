//! RFC 8613 §4.1.3.5.2, §7.4.1, §8.4.2: the first notification MAY omit the Partial IV (it
//! then uses the request's nonce); "A client MUST only accept at most one Observe
//! notification without Partial IV, and treat it as the oldest notification received".
//! Our server always sends a Partial IV in notifications, so the notification without one is
//! built here by hand from the server's key and nonce, the way §5.3/§5.4 define it; a wrong
//! construction would fail the first (accepting) assertion.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccm::aead::array::Array;
use ccm::aead::{AeadInOut, KeyInit};
use coap_lite::{CoapOption, MessageClass, Packet, RequestType, ResponseType};
use coap_oscore::{
    ContextParams, Error, RequestId, ResponsePartialIv, SecurityContext, VerifiedRequest,
};

type AesCcm16_64_128 = ccm::Ccm<aes::Aes128, ccm::consts::U8, ccm::consts::U13>;

const SECRET: [u8; 16] = [7; 16];

fn pair() -> (SecurityContext, SecurityContext) {
    (
        SecurityContext::derive(&ContextParams::new(&SECRET, &[], &[1])).unwrap(),
        SecurityContext::derive(&ContextParams::new(&SECRET, &[1], &[])).unwrap(),
    )
}

/// A 2.05 notification with an empty Inner Observe and no Partial IV (AES-CCM-16-64-128
/// under the server's Sender Key with the request's nonce; AAD = Enc_structure over
/// external_aad = [1, [10], request_kid, request_piv, h'']).
fn notification_without_piv(s: &SecurityContext, id: &RequestId, payload: &[u8]) -> Packet {
    let mut pt = vec![0x45, 0x60, 0xff];
    pt.extend_from_slice(payload);
    let kid = id.kid();
    let piv = id.partial_iv().encode();
    let mut ext = vec![0x85, 0x01, 0x81, 0x0a, 0x40 | kid.len() as u8];
    ext.extend_from_slice(kid);
    ext.push(0x40 | piv.as_bytes().len() as u8);
    ext.extend_from_slice(piv.as_bytes());
    ext.push(0x40);
    let mut aad = vec![0x83, 0x68];
    aad.extend_from_slice(b"Encrypt0");
    aad.push(0x40);
    aad.push(0x40 | ext.len() as u8);
    aad.extend_from_slice(&ext);
    let nonce = s.nonce(kid, id.partial_iv());
    let nonce = Array::try_from(&nonce[..13]).unwrap();
    let cipher = AesCcm16_64_128::new_from_slice(s.sender_key()).unwrap();
    let tag = cipher
        .encrypt_inout_detached(&nonce, &aad, (&mut pt[..]).into())
        .unwrap();
    pt.extend_from_slice(&tag);
    let mut wire = Packet::new();
    wire.header.code = MessageClass::Response(ResponseType::Content);
    wire.set_observe_value(1);
    wire.add_option(CoapOption::Oscore, vec![]);
    wire.payload = pt;
    wire
}

/// Registers an observation; returns the client's and the server's view of the request.
fn register(c: &mut SecurityContext, s: &mut SecurityContext) -> (RequestId, RequestId) {
    let mut req = Packet::new();
    req.header.code = MessageClass::Request(RequestType::Get);
    req.add_option(CoapOption::UriPath, b"obs".to_vec());
    req.set_observe_value(0);
    let mut buf = [0u8; 512];
    let mut wire = Packet::new();
    let id = c.protect_request(&req, &mut buf, &mut wire).unwrap();
    let mut plain = Packet::new();
    let VerifiedRequest::Fresh(rid) = s.unprotect_request(&wire, &mut buf, &mut plain).unwrap()
    else {
        panic!()
    };
    (id, rid)
}

fn notification_with_piv(s: &mut SecurityContext, rid: &RequestId, n: u32) -> Packet {
    let mut resp = Packet::new();
    resp.header.code = MessageClass::Response(ResponseType::Content);
    resp.set_observe_value(n);
    resp.payload = format!("n={n}").into_bytes();
    let mut buf = [0u8; 512];
    let mut wire = Packet::new();
    s.protect_response(rid, &resp, ResponsePartialIv::Own, &mut buf, &mut wire)
        .unwrap();
    wire
}

fn receive(c: &mut SecurityContext, id: &mut RequestId, wire: &Packet) -> Result<Packet, Error> {
    let mut buf = [0u8; 512];
    let mut out = Packet::new();
    c.unprotect_response(id, wire, &mut buf, &mut out)
        .map(|()| out)
}

#[test]
fn at_most_one_notification_without_partial_iv_then_newer_ones() {
    let (mut c, mut s) = pair();
    let (mut id, rid) = register(&mut c, &mut s);
    let first = notification_without_piv(&s, &rid, b"first");
    let out = receive(&mut c, &mut id, &first).unwrap();
    assert_eq!(out.payload, b"first");
    assert_eq!(
        out.get_observe_value(),
        Some(Ok(1)),
        "delivered as a notification"
    );
    assert!(id.notification_without_partial_iv_seen());
    // The same one again, or another one without Partial IV: refused, nothing changes.
    let before = id;
    assert_eq!(
        receive(&mut c, &mut id, &first).unwrap_err(),
        Error::StaleNotification
    );
    let second = notification_without_piv(&s, &rid, b"second");
    assert_eq!(
        receive(&mut c, &mut id, &second).unwrap_err(),
        Error::StaleNotification
    );
    assert_eq!(id, before);
    // Notifications with a Partial IV still arrive and set the Notification Number.
    let n2 = notification_with_piv(&mut s, &rid, 2);
    assert_eq!(receive(&mut c, &mut id, &n2).unwrap().payload, b"n=2");
    assert!(id.notification_number().is_some());
}

#[test]
fn a_notification_without_partial_iv_after_a_newer_one_is_the_oldest_and_refused() {
    let (mut c, mut s) = pair();
    let (mut id, rid) = register(&mut c, &mut s);
    let n1 = notification_with_piv(&mut s, &rid, 1);
    receive(&mut c, &mut id, &n1).unwrap();
    let late = notification_without_piv(&s, &rid, b"late");
    let before = id;
    assert_eq!(
        receive(&mut c, &mut id, &late).unwrap_err(),
        Error::StaleNotification
    );
    assert_eq!(id, before);
}

#[test]
fn plain_responses_without_partial_iv_are_not_notifications() {
    // A response without Inner Observe (RFC 8613 §4.1.3.5.2: verified as a non-Observe
    // response) does not use up the one notification without Partial IV.
    let (mut c, mut s) = pair();
    let (mut id, rid) = register(&mut c, &mut s);
    let mut resp = Packet::new();
    resp.header.code = MessageClass::Response(ResponseType::Content);
    resp.payload = b"plain".to_vec();
    let mut buf = [0u8; 512];
    let mut wire = Packet::new();
    s.protect_response(
        &rid,
        &resp,
        ResponsePartialIv::FromRequest,
        &mut buf,
        &mut wire,
    )
    .unwrap();
    assert_eq!(receive(&mut c, &mut id, &wire).unwrap().payload, b"plain");
    assert!(!id.notification_without_partial_iv_seen());
    let first = notification_without_piv(&s, &rid, b"first");
    assert_eq!(receive(&mut c, &mut id, &first).unwrap().payload, b"first");
}
