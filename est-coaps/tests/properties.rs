//! Property tests: multipart-core encode/decode, path routing, and the client state machine
//! under arbitrary responses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use est_coaps::*;
use proptest::prelude::*;

fn parts() -> impl Strategy<Value = Vec<(u16, Option<Vec<u8>>)>> {
    prop::collection::vec(
        (
            any::<u16>(),
            prop::option::of(prop::collection::vec(any::<u8>(), 0..300)),
        ),
        0..6,
    )
}

proptest! {
    #[test]
    fn multipart_round_trips(p in parts()) {
        let m = Multipart {
            parts: p.iter().map(|(cf, r)| Part { content_format: *cf, representation: r.as_deref() }).collect(),
        };
        let bytes = m.to_vec();
        let back = Multipart::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.to_vec(), bytes);
    }

    #[test]
    fn multipart_decoder_never_panics_and_is_canonical(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(m) = Multipart::decode(&bytes) {
            let again = m.to_vec();
            prop_assert_eq!(Multipart::decode(&again).unwrap(), m);
        }
    }

    #[test]
    fn paths_route_to_their_function(label in prop::option::of("[a-z]{1,8}"), i in 0usize..6) {
        let f = Function::ALL[i];
        let p = match &label {
            Some(l) => EstPath::default().with_label(l),
            None => EstPath::default(),
        };
        let segs = p.segments(f);
        prop_assert_eq!(p.match_path(&segs), Some(f));
        prop_assert_eq!(p.match_path(&segs[..segs.len() - 1]), None);
    }

    #[test]
    fn client_state_unchanged_by_bad_responses(code in any::<u8>(), cf in prop::option::of(any::<u16>()), body in prop::collection::vec(any::<u8>(), 0..80)) {
        let client = EstClient::new(EstPath::default(), Vec::new());
        let mut e = client.serverkeygen(vec![0x30, 0x00], false);
        let r = ClientResponse { code: Code(code), content_format: cf, max_age: None, payload: &body };
        if e.on_response(&r, UnixTime(0)).is_err() {
            prop_assert_eq!(e.state(), EnrollmentState::Ready);
        }
    }
}
