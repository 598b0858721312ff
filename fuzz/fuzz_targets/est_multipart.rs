//! Arbitrary bytes as application/multipart-core (62), and as the body of an /skg response
//! to the client engine: never panics; what decodes re-encodes identically when it was in
//! preferred (shortest) form, and always decodes again to the same parts.
#![no_main]

use est_coaps::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Multipart::decode(data) {
        let again = m.to_vec();
        assert_eq!(Multipart::decode(&again).unwrap(), m);
        assert!(again.len() <= data.len());
    }
    let client = EstClient::new(EstPath::default(), Vec::new());
    let mut e = client.serverkeygen(Vec::new(), false);
    let resp = ClientResponse {
        code: Code::CHANGED,
        content_format: Some(62),
        max_age: None,
        payload: data,
    };
    if e.on_response(&resp, UnixTime(0)).is_err() {
        assert_eq!(e.state(), EnrollmentState::Ready);
    }
});
