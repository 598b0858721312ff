//! The `/authz-info` payload through the RS engine (RFC 9200 §5.10.1). First byte 0: the
//! rest is the POSTed token as is. Otherwise the rest is taken as a CWT claims set and
//! encrypted (COSE_Encrypt0) with the key the RS trusts, so that the claim checks, the cnf
//! handling and the store are reached too. Must never panic, and a refusal must leave the
//! store, nonces and exi watermark unchanged.
#![no_main]

use ace_core::env::{ManualClock, UnixTime};
use ace_core::resource_server::{AifScopes, ResourceServer, RsConfig};
use ace_cwt::{Algorithm, Claims, KeyId, KeySet, PopKey, Protection};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let key = PopKey::symmetric(vec![0x42; 16], Algorithm::AesCcm16_64_128, Some(KeyId::from(b"k")))
        .expect("valid key");
    let mut config = RsConfig::new("rs1", Some("as".into()));
    config.token_capacity = 2;
    if mode & 2 != 0 {
        config.cnonce = Some((2, 30));
    }
    let clock = ManualClock::new(if mode & 4 != 0 { None } else { Some(UnixTime::from_secs(1_000)) });
    let mut rs = ResourceServer::new(config, KeySet::new().with(key.clone()), AifScopes::new());
    let token = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let Ok(claims) = Claims::from_slice(rest) else {
            return;
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(0);
        let protection = Protection::encrypt0(key, Algorithm::AesCcm16_64_128).expect("valid");
        match ace_cwt::issue(&claims, &protection, &mut rng) {
            Ok(t) => t,
            Err(_) => return,
        }
    };
    for _ in 0..2 {
        let store = rs.tokens().clone();
        let nonces = rs.cnonces().cloned();
        let watermark = rs.exi_watermark();
        if let Err(e) = rs.post_authz_info(&token, &clock) {
            let _ = e.coap_code();
            assert_eq!(rs.tokens(), &store);
            assert_eq!(rs.cnonces().cloned(), nonces);
            assert_eq!(rs.exi_watermark(), watermark);
        }
        clock.advance(1);
    }
});
