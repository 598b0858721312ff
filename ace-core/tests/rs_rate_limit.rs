//! RFC 9200 §5.10.1.2 (RS-27): `/authz-info` submissions are rate-limited per peer with fixed
//! memory; over the limit the answer is 4.29 Too Many Requests with Max-Age (RFC 8516 §3)
//! and nothing changes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::endpoint::{self, AuthzInfoReply, Limits};
use ace_core::env::{ManualClock, Method, ResponseCode, UnixTime};
use ace_core::resource_server::{
    AifScopes, PeerId, RateLimit, ResourceServer, RsConfig, SubmissionLimiter,
};
use ace_core::{AifScope, Error, RestMethodSet, Scope};
use ace_cwt::{Algorithm, Claims, Cnf, KeyId, KeySet, NumericDate, PopKey, Protection};
use coap_lite::{CoapOption, MessageClass, Packet, RequestType};
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_700_000_000;
const C_4_29: u8 = 0x9d;

fn limit() -> RateLimit {
    RateLimit {
        peers: 2,
        max_submissions: 2,
        window_secs: 10,
    }
}

fn setup() -> (ResourceServer<KeySet, AifScopes>, Vec<u8>, ManualClock) {
    let mut rng = StdRng::seed_from_u64(8516);
    let as_key = PopKey::generate_p256(Some(KeyId::from(b"as")), &mut rng);
    let mut config = RsConfig::new("rs1", None);
    config.rate_limit = Some(limit());
    let rs = ResourceServer::new(
        config,
        KeySet::new().with(as_key.to_public().unwrap()),
        AifScopes::new(),
    );
    let scope = AifScope::new()
        .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
        .unwrap();
    let claims = Claims {
        aud: Some("rs1".into()),
        exp: Some(NumericDate::WholeSeconds((NOW + 3600) as i64)),
        scope: Some(Scope::aif(&scope).to_cbor_value()),
        cnf: Some(Cnf::Kid(KeyId::from(b"client"))),
        ..Claims::default()
    };
    let p = Protection::sign1(as_key, Algorithm::Es256).unwrap();
    let token = ace_cwt::issue(&claims, &p, &mut rng).unwrap();
    (rs, token, ManualClock::new(Some(UnixTime::from_secs(NOW))))
}

fn peer(b: &[u8]) -> PeerId {
    PeerId::new(b).unwrap()
}

#[test]
fn a_peer_over_its_limit_gets_4_29_with_max_age_and_nothing_changes() {
    let (mut rs, token, clock) = setup();
    let a = peer(b"192.0.2.1:5683");
    // Two submissions fit in the window: an invalid one counts as well.
    assert!(rs.post_authz_info_from(&a, b"garbage", &clock).is_err());
    clock.advance(3);
    rs.post_authz_info_from(&a, &token, &clock).unwrap();

    let tokens = rs.tokens().clone();
    let limiter = rs.rate_limiter().cloned();
    let err = rs.post_authz_info_from(&a, &token, &clock).unwrap_err();
    // The window started at uptime 0 and lasts 10 s; we are at 3.
    assert_eq!(err, Error::TooManyRequests(7));
    assert_eq!(err.coap_code(), C_4_29);
    assert_eq!(rs.tokens(), &tokens, "token store changed");
    assert_eq!(rs.rate_limiter().cloned(), limiter, "limiter changed");

    // Once the window is over the peer may submit again.
    clock.advance(7);
    rs.post_authz_info_from(&a, &token, &clock).unwrap();
}

#[test]
fn the_peer_table_is_bounded_and_a_newcomer_waits_for_a_window_to_end() {
    let mut l = SubmissionLimiter::new(limit());
    l.record(&peer(b"a"), 0).unwrap();
    l.record(&peer(b"b"), 4).unwrap();
    let before = l.clone();
    // Both slots are busy: the third peer is refused until a's window ends at 10.
    assert_eq!(l.record(&peer(b"c"), 5), Err(Error::TooManyRequests(5)));
    assert_eq!(l, before);
    assert_eq!(l.tracked(), 2);
    // At 10 a's window is over; c takes its slot, the table does not grow.
    l.record(&peer(b"c"), 10).unwrap();
    assert_eq!(l.tracked(), 2);
    // b is still counted in its own window (one submission left).
    l.record(&peer(b"b"), 11).unwrap();
    assert_eq!(l.record(&peer(b"b"), 12), Err(Error::TooManyRequests(2)));
}

#[test]
fn peer_ids_are_bounded() {
    assert!(PeerId::new(&[0u8; 32]).is_some());
    assert!(PeerId::new(&[0u8; 33]).is_none());
    assert_eq!(peer(b"xy").as_bytes(), b"xy");
}

#[test]
fn the_coap_handler_answers_4_29_with_the_max_age_option() {
    let (mut rs, token, clock) = setup();
    let a = peer(b"[2001:db8::1]:5683");
    let mut request = Packet::new();
    request.header.code = MessageClass::Request(RequestType::Post);
    request.add_option(CoapOption::ContentFormat, vec![61]);
    request.payload = token;
    for _ in 0..2 {
        let r = endpoint::authz_info_from(&mut rs, &a, &request, Limits::default(), &clock);
        assert!(matches!(r, AuthzInfoReply::Stored { .. }), "{r:?}");
    }
    clock.advance(4);
    let AuthzInfoReply::Done(reply) =
        endpoint::authz_info_from(&mut rs, &a, &request, Limits::default(), &clock)
    else {
        panic!("expected a refusal");
    };
    assert_eq!(reply.code, ResponseCode::TOO_MANY_REQUESTS);
    let mut response = Packet::new();
    reply.write(&mut response).unwrap();
    assert_eq!(u8::from(response.header.code), C_4_29);
    let max_age = response.get_option(CoapOption::MaxAge).unwrap();
    assert_eq!(max_age.front().unwrap(), &vec![6u8]);
    assert!(response.payload.is_empty());
}

proptest::proptest! {
    /// Any sequence of submissions: the table never grows past its capacity, a peer never
    /// gets more than `max_submissions` within one window, and a refusal changes nothing.
    #[test]
    fn memory_stays_bounded_and_refusals_change_nothing(
        steps in proptest::collection::vec((0u8..6, 0u64..4), 1..200)
    ) {
        let mut l = SubmissionLimiter::new(limit());
        let mut uptime = 0u64;
        let mut admitted: Vec<(u8, u64)> = Vec::new();
        for (who, dt) in steps {
            uptime += dt;
            let p = peer(&[who]);
            let before = l.clone();
            match l.record(&p, uptime) {
                Ok(()) => admitted.push((who, uptime)),
                Err(Error::TooManyRequests(wait)) => {
                    proptest::prop_assert!(wait >= 1 && wait <= limit().window_secs);
                    proptest::prop_assert_eq!(&l, &before);
                }
                Err(other) => proptest::prop_assert!(false, "unexpected {other}"),
            }
            proptest::prop_assert!(l.tracked() <= limit().peers);
            let recent = admitted
                .iter()
                .filter(|(w, t)| *w == who && uptime - t < limit().window_secs)
                .count();
            // Fixed windows allow at most 2 * max in any sliding window of the same length.
            proptest::prop_assert!(recent <= 2 * limit().max_submissions as usize);
        }
    }
}
