//! ace-cwt: arbitrary bytes as a cnf map, a COSE_Key and a Claims Set must decode or be
//! refused, never panic; what decodes must re-encode and decode to the same value.
#![no_main]

use ace_cwt::ciborium;
use ace_cwt::{Claims, Cnf, PopKey};

fn encoded(cnf: &Cnf) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(&cnf.to_cbor_value().unwrap(), &mut out).unwrap();
    out
}
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = data;
    if let Ok(value) = ciborium::from_reader::<ciborium::Value, _>(&mut reader)
        && let Ok(cnf) = Cnf::from_cbor_value(value)
    {
        // Compare bytes, not values: a NaN inside an unknown method is not equal to itself.
        let again = Cnf::from_cbor_value(cnf.to_cbor_value().unwrap()).unwrap();
        assert_eq!(encoded(&again), encoded(&cnf));
    }
    if let Ok(key) = PopKey::from_slice(data) {
        assert_eq!(PopKey::from_slice(&key.to_vec().unwrap()).unwrap(), key);
    }
    if let Ok(claims) = Claims::from_slice(data) {
        let _ = claims.to_vec();
    }
});
