//! RFC 9201 §5 (RS-43, CL-9): a COSE_Key in `cnf` / `rs_cnf` whose `alg` or `key_ops` is
//! incompatible with the profile's PoP use is refused: by the RS with 4.00 at `/authz-info`
//! (state unchanged), by the client before it keeps the key.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::client::Client;
use ace_core::env::{ManualClock, Method, ResponseCode, UnixTime};
use ace_core::resource_server::{AifScopes, ResourceServer, RsConfig};
use ace_core::{
    AccessTokenResponse, AceErrorCode, AceMessage, AifScope, Confirmation, Error, PopKeyUse,
    RestMethodSet, Scope,
};
use ace_cwt::coset::iana;
use ace_cwt::{Algorithm, Claims, Cnf, KeyId, KeySet, NumericDate, PopKey, Protection};
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_700_000_000;
const C_4_00: u8 = 0x80;

struct Fixture {
    rng: StdRng,
    as_key: PopKey,
    clock: ManualClock,
}

impl Fixture {
    fn new() -> Self {
        let mut rng = StdRng::seed_from_u64(9201);
        let as_key = PopKey::generate_p256(Some(KeyId::from(b"as-sign")), &mut rng);
        Self {
            rng,
            as_key,
            clock: ManualClock::new(Some(UnixTime::from_secs(NOW))),
        }
    }

    fn rs(&self, pop_key_use: PopKeyUse) -> ResourceServer<KeySet, AifScopes> {
        let mut config = RsConfig::new("rs1", Some("as".into()));
        config.pop_key_use = pop_key_use;
        ResourceServer::new(
            config,
            KeySet::new().with(self.as_key.to_public().unwrap()),
            AifScopes::new(),
        )
    }

    fn token_with(&mut self, key: PopKey) -> Vec<u8> {
        let scope = Scope::aif(
            &AifScope::new()
                .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
                .unwrap(),
        );
        let claims = Claims {
            iss: Some("as".into()),
            aud: Some("rs1".into()),
            exp: Some(NumericDate::WholeSeconds((NOW + 3600) as i64)),
            scope: Some(scope.to_cbor_value()),
            cnf: Some(Cnf::CoseKey(key)),
            ..Claims::default()
        };
        let p = Protection::sign1(self.as_key.clone(), Algorithm::Es256).unwrap();
        ace_cwt::issue(&claims, &p, &mut self.rng).unwrap()
    }

    fn symmetric(&mut self, kid: &[u8]) -> PopKey {
        PopKey::generate_symmetric(
            Algorithm::AesCcm16_64_128,
            Some(KeyId::from(kid)),
            &mut self.rng,
        )
        .unwrap()
    }
}

fn refused(
    rs: &mut ResourceServer<KeySet, AifScopes>,
    f: &Fixture,
    token: &[u8],
    what: &'static str,
) {
    let before = rs.tokens().clone();
    let err = rs.post_authz_info(token, &f.clock).unwrap_err();
    assert_eq!(err, Error::IncompatiblePopKey(what));
    assert_eq!(err.coap_code(), C_4_00, "{err}");
    assert_eq!(err.ace_error(), Some(AceErrorCode::InvalidRequest));
    assert_eq!(rs.tokens(), &before, "token store changed");
}

#[test]
fn rs_refuses_a_cnf_key_whose_key_ops_exclude_every_pop_operation() {
    let mut f = Fixture::new();
    let mut rs = f.rs(PopKeyUse::default());
    // A key-wrapping key: RFC 9052 §7.1 key_ops 5/6 prove nothing.
    let key = f
        .symmetric(b"wrap")
        .with_key_ops([iana::KeyOperation::WrapKey, iana::KeyOperation::UnwrapKey]);
    let t = f.token_with(key);
    refused(&mut rs, &f, &t, "key_ops");
    // The same key allowed to derive keys is accepted.
    let key = f
        .symmetric(b"derive")
        .with_key_ops([iana::KeyOperation::DeriveKey]);
    let t = f.token_with(key);
    rs.post_authz_info(&t, &f.clock).unwrap();
    assert!(rs.token_for(&KeyId::from(b"derive"), &f.clock).is_some());
}

#[test]
fn rs_refuses_a_cnf_key_whose_alg_does_not_fit_it_or_the_profile() {
    let mut f = Fixture::new();
    let mut rs = f.rs(PopKeyUse::default());
    // alg ES256 on a symmetric key: the key cannot run its own algorithm.
    let key = f
        .symmetric(b"mislabeled")
        .with_alg(Some(Algorithm::Es256.to_coset()));
    let t = f.token_with(key);
    refused(&mut rs, &f, &t, "alg");

    // A signature-only profile (DTLS RPK) refuses a symmetric AES-CCM key.
    let mut rs = f.rs(PopKeyUse::signature());
    let key = f.symmetric(b"psk");
    let t = f.token_with(key);
    refused(&mut rs, &f, &t, "alg");
    // ... and accepts an ES256 public key limited to verify.
    let key = PopKey::generate_p256(Some(KeyId::from(b"rpk")), &mut f.rng)
        .to_public()
        .unwrap()
        .with_key_ops([iana::KeyOperation::Verify]);
    let t = f.token_with(key);
    rs.post_authz_info(&t, &f.clock).unwrap();
    assert!(rs.token_for(&KeyId::from(b"rpk"), &f.clock).is_some());

    // A symmetric profile refuses a signature key.
    let mut rs = f.rs(PopKeyUse::symmetric());
    let key = PopKey::generate_ed25519(Some(KeyId::from(b"ed")), &mut f.rng)
        .to_public()
        .unwrap();
    let t = f.token_with(key);
    refused(&mut rs, &f, &t, "alg");
}

fn response_with(cnf: Option<PopKey>, rs_cnf: Option<PopKey>) -> Vec<u8> {
    let mut r = AccessTokenResponse::new(vec![1, 2, 3]);
    r.expires_in = Some(3600);
    r.cnf = cnf.map(|k| Confirmation::new(Cnf::CoseKey(k)).unwrap());
    r.rs_cnf = rs_cnf.map(|k| Confirmation::new(Cnf::CoseKey(k)).unwrap());
    r.encode()
}

#[test]
fn client_refuses_to_keep_an_incompatible_cnf_or_rs_cnf_key() {
    let mut f = Fixture::new();
    let mut client = Client::new("c", None).with_pop_key_use(PopKeyUse::symmetric());

    let wrap = f
        .symmetric(b"wrap")
        .with_key_ops([iana::KeyOperation::WrapKey]);
    let payload = response_with(Some(wrap), None);
    let e = client
        .handle_token_response("rs1", ResponseCode::CREATED, &payload, &f.clock)
        .unwrap_err();
    assert_eq!(e, Error::IncompatiblePopKey("key_ops"));
    assert!(client.token_for("rs1", &f.clock).is_none());

    // rs_cnf: an RS key the profile cannot use (a signature key for a symmetric profile).
    let rs_key = PopKey::generate_p256(Some(KeyId::from(b"rs")), &mut f.rng)
        .to_public()
        .unwrap();
    let good = f.symmetric(b"good");
    let payload = response_with(Some(good.clone()), Some(rs_key));
    let e = client
        .handle_token_response("rs1", ResponseCode::CREATED, &payload, &f.clock)
        .unwrap_err();
    assert_eq!(e, Error::IncompatiblePopKey("alg"));
    assert!(client.token_for("rs1", &f.clock).is_none());

    // A compatible key is kept.
    let payload = response_with(Some(good.clone()), None);
    client
        .handle_token_response("rs1", ResponseCode::CREATED, &payload, &f.clock)
        .unwrap();
    assert_eq!(
        client.token_for("rs1", &f.clock).unwrap().pop_key.as_ref(),
        Some(&good)
    );
}
