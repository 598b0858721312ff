//! RFC 9200 §5.10.1 / §5.10.1.1: the RS engine's `/authz-info` processing, case by case,
//! with exact codes, the RFC's check order, and unchanged state after every refusal.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::env::{ManualClock, Method, UnixTime};
use ace_core::resource_server::{
    AccessDecision, AifScopes, AuthzInfoOutcome, ExiCti, ResourceServer, RsConfig,
};
use ace_core::{AifScope, Error, RestMethodSet, Scope};
use ace_cwt::{Algorithm, Claims, Cnf, KeyId, KeySet, NumericDate, PopKey, Protection};
use ciborium::Value;
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_700_000_000;
const AUD: &str = "rs1";
const ISS: &str = "as.example";

struct Fixture {
    rng: StdRng,
    as_key: PopKey,
    clock: ManualClock,
}

impl Fixture {
    fn new() -> Self {
        let mut rng = StdRng::seed_from_u64(9200);
        let as_key = PopKey::generate_p256(Some(KeyId::from(b"as-sign")), &mut rng);
        Self {
            rng,
            as_key,
            clock: ManualClock::new(Some(UnixTime::from_secs(NOW))),
        }
    }

    fn rs(&self, config: RsConfig) -> ResourceServer<KeySet, AifScopes> {
        ResourceServer::new(
            config,
            KeySet::new().with(self.as_key.to_public().unwrap()),
            AifScopes::new(),
        )
    }

    fn default_rs(&self) -> ResourceServer<KeySet, AifScopes> {
        self.rs(RsConfig::new(AUD, Some(ISS.into())))
    }

    fn sign(&mut self, claims: &Claims) -> Vec<u8> {
        let p = Protection::sign1(self.as_key.clone(), Algorithm::Es256).unwrap();
        ace_cwt::issue(claims, &p, &mut self.rng).unwrap()
    }
}

fn get_temp() -> Value {
    Scope::aif(
        &AifScope::new()
            .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
            .unwrap(),
    )
    .to_cbor_value()
}

fn claims(kid: &[u8]) -> Claims {
    Claims {
        iss: Some(ISS.into()),
        aud: Some(AUD.into()),
        exp: Some(NumericDate::WholeSeconds((NOW + 3600) as i64)),
        scope: Some(get_temp()),
        cnf: Some(Cnf::Kid(KeyId::from(kid))),
        ..Claims::default()
    }
}

/// Posts `token` and asserts the error, its CoAP code, and that nothing changed.
fn refused(
    rs: &mut ResourceServer<KeySet, AifScopes>,
    clock: &ManualClock,
    token: &[u8],
    expected: Error,
    code: u8,
) {
    let store = rs.tokens().clone();
    let nonces = rs.cnonces().cloned();
    let watermark = rs.exi_watermark();
    let err = rs.post_authz_info(token, clock).unwrap_err();
    assert_eq!(err, expected);
    assert_eq!(err.coap_code(), code, "{err}");
    assert_eq!(rs.tokens(), &store, "token store changed");
    assert_eq!(rs.cnonces().cloned(), nonces, "cnonces changed");
    assert_eq!(rs.exi_watermark(), watermark, "exi watermark changed");
}

const C_4_00: u8 = 0x80;
const C_4_01: u8 = 0x81;
const C_4_03: u8 = 0x83;
const C_5_03: u8 = 0xa3;

#[test]
fn valid_token_is_stored_bound_to_its_pop_key_id() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let token = f.sign(&claims(b"client-key"));
    let out = rs.post_authz_info(&token, &f.clock).unwrap();
    assert_eq!(
        out,
        AuthzInfoOutcome::Stored {
            key_id: KeyId::from(b"client-key"),
            replaced: false
        }
    );
    assert!(
        rs.token_for(&KeyId::from(b"client-key"), &f.clock)
            .is_some()
    );
}

#[test]
fn payload_that_is_not_a_token_is_4_00() {
    let f = Fixture::new();
    let mut rs = f.default_rs();
    let err = rs
        .post_authz_info(b"\x01\x02 not cbor", &f.clock)
        .unwrap_err();
    assert!(matches!(err, Error::TokenNotParsed(_)), "{err}");
    assert_eq!(err.coap_code(), C_4_00);
    assert!(rs.tokens().is_empty());
}

#[test]
fn token_from_an_unknown_as_key_is_4_01() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    // Same claims, signed by a key the RS does not trust.
    f.as_key = PopKey::generate_p256(Some(KeyId::from(b"rogue")), &mut f.rng);
    let token = f.sign(&claims(b"k"));
    let store = rs.tokens().clone();
    let err = rs.post_authz_info(&token, &f.clock).unwrap_err();
    assert!(matches!(err, Error::TokenVerificationFailed(_)), "{err}");
    assert_eq!(err.coap_code(), C_4_01);
    assert_eq!(rs.tokens(), &store);
}

#[test]
fn tampered_signature_is_4_01() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let mut token = f.sign(&claims(b"k"));
    let last = token.len() - 1;
    token[last] ^= 1;
    let err = rs.post_authz_info(&token, &f.clock).unwrap_err();
    assert!(matches!(err, Error::TokenVerificationFailed(_)), "{err}");
    assert_eq!(err.coap_code(), C_4_01);
}

#[test]
fn wrong_issuer_is_4_01() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let mut c = claims(b"k");
    c.iss = Some("other-as".into());
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::IssuerMismatch, C_4_01);
}

#[test]
fn expired_token_is_4_01() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let mut c = claims(b"k");
    c.exp = Some(NumericDate::WholeSeconds(NOW as i64));
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::TokenExpired, C_4_01);
}

#[test]
fn foreign_audience_is_4_03() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let mut c = claims(b"k");
    c.aud = Some("rs2".into());
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::AudienceMismatch, C_4_03);
}

#[test]
fn unrecognized_or_missing_scope_is_4_00() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let mut c = claims(b"k");
    c.scope = Some(Value::Bytes(vec![0xff, 0x00]));
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::ScopeNotRecognized, C_4_00);
    c.scope = None;
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::ScopeNotRecognized, C_4_00);
}

#[test]
fn checks_follow_the_rfc_order_iss_exp_aud_scope() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    // iss and aud both wrong: iss (4.01) wins.
    let mut c = claims(b"k");
    c.iss = Some("other".into());
    c.aud = Some("rs2".into());
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::IssuerMismatch, C_4_01);
    // expired and wrong audience and bad scope: exp (4.01) wins.
    let mut c = claims(b"k");
    c.exp = Some(NumericDate::WholeSeconds(1));
    c.aud = Some("rs2".into());
    c.scope = Some(Value::Bytes(vec![0xff]));
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::TokenExpired, C_4_01);
    // wrong audience and bad scope: aud (4.03) wins.
    let mut c = claims(b"k");
    c.aud = Some("rs2".into());
    c.scope = Some(Value::Bytes(vec![0xff]));
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::AudienceMismatch, C_4_03);
    // bad scope and nbf in the future: scope (4.00) wins, nbf is additional processing.
    let mut c = claims(b"k");
    c.scope = Some(Value::Bytes(vec![0xff]));
    c.nbf = Some(NumericDate::WholeSeconds((NOW + 100) as i64));
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::ScopeNotRecognized, C_4_00);
}

#[test]
fn future_nbf_is_4_01() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let mut c = claims(b"k");
    c.nbf = Some(NumericDate::WholeSeconds((NOW + 100) as i64));
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::TokenNotYetValid, C_4_01);
}

#[test]
fn token_without_cnf_is_4_00() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let mut c = claims(b"k");
    c.cnf = None;
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::MissingConfirmation, C_4_00);
}

#[test]
fn newer_token_for_the_same_key_replaces_the_old_one() {
    let mut f = Fixture::new();
    let mut rs = f.default_rs();
    let t1 = f.sign(&claims(b"k"));
    rs.post_authz_info(&t1, &f.clock).unwrap();
    let mut c = claims(b"k");
    c.scope = Some(
        Scope::aif(
            &AifScope::new()
                .allow(
                    "/temp",
                    RestMethodSet::EMPTY.with(Method::Get).with(Method::Put),
                )
                .unwrap(),
        )
        .to_cbor_value(),
    );
    let t2 = f.sign(&c);
    let out = rs.post_authz_info(&t2, &f.clock).unwrap();
    assert_eq!(
        out,
        AuthzInfoOutcome::Stored {
            key_id: KeyId::from(b"k"),
            replaced: true
        }
    );
    assert_eq!(rs.tokens().len(), 1);
    // The new rights apply: PUT is now allowed.
    let kid = KeyId::from(b"k");
    assert!(matches!(
        rs.access(Some(&kid), Method::Put, "/temp", &f.clock),
        AccessDecision::Allow(_)
    ));
}

#[test]
fn full_store_refuses_with_5_03_and_never_drops_a_live_token() {
    let mut f = Fixture::new();
    let mut config = RsConfig::new(AUD, Some(ISS.into()));
    config.token_capacity = 2;
    let mut rs = f.rs(config);
    for kid in [b"a", b"b"] {
        let t = f.sign(&claims(kid));
        rs.post_authz_info(&t, &f.clock).unwrap();
    }
    let t = f.sign(&claims(b"c"));
    refused(&mut rs, &f.clock, &t, Error::TokenStoreFull, C_5_03);
    assert!(rs.token_for(&KeyId::from(b"a"), &f.clock).is_some());
    assert!(rs.token_for(&KeyId::from(b"b"), &f.clock).is_some());
}

#[test]
fn full_store_evicts_an_expired_token_first() {
    let mut f = Fixture::new();
    let mut config = RsConfig::new(AUD, Some(ISS.into()));
    config.token_capacity = 2;
    let mut rs = f.rs(config);
    let mut short = claims(b"a");
    short.exp = Some(NumericDate::WholeSeconds((NOW + 10) as i64));
    let t = f.sign(&short);
    rs.post_authz_info(&t, &f.clock).unwrap();
    let t = f.sign(&claims(b"b"));
    rs.post_authz_info(&t, &f.clock).unwrap();
    f.clock.advance(20);
    let t = f.sign(&claims(b"c"));
    rs.post_authz_info(&t, &f.clock).unwrap();
    assert!(rs.tokens().get(&KeyId::from(b"a")).is_none());
    assert!(rs.token_for(&KeyId::from(b"b"), &f.clock).is_some());
    assert!(rs.token_for(&KeyId::from(b"c"), &f.clock).is_some());
}

fn clockless_rs(f: &Fixture) -> (ResourceServer<KeySet, AifScopes>, ManualClock) {
    (
        f.rs(RsConfig::new(AUD, Some(ISS.into()))),
        ManualClock::new(None),
    )
}

fn exi_claims(kid: &[u8], seq: u64, exi: u64) -> Claims {
    Claims {
        exp: None,
        exi: Some(exi),
        cti: Some(
            ExiCti {
                rs_id: AUD,
                sequence: seq,
            }
            .to_bytes(),
        ),
        ..claims(kid)
    }
}

#[test]
fn clockless_rs_runs_exi_from_first_receipt() {
    let mut f = Fixture::new();
    let (mut rs, clock) = clockless_rs(&f);
    let t = f.sign(&exi_claims(b"k", 1, 60));
    rs.post_authz_info(&t, &clock).unwrap();
    let kid = KeyId::from(b"k");
    clock.advance(59);
    assert!(rs.token_for(&kid, &clock).is_some());
    // Posting the same token again must not restart its exi counter.
    rs.post_authz_info(&t, &clock).unwrap();
    clock.advance(1);
    assert!(rs.token_for(&kid, &clock).is_none());
    assert_eq!(rs.expunge_expired(&clock), 1);
    assert_eq!(rs.exi_watermark().highest_expired(), Some(1));
    // RFC 9200 §5.10.3: the expired token and any lower sequence number count as expired.
    refused(&mut rs, &clock, &t, Error::TokenExpired, C_4_01);
    let newer = f.sign(&exi_claims(b"k", 2, 60));
    rs.post_authz_info(&newer, &clock).unwrap();
}

#[test]
fn clockless_rs_refuses_exp_only_tokens_and_exi_without_cti() {
    let mut f = Fixture::new();
    let (mut rs, clock) = clockless_rs(&f);
    let t = f.sign(&claims(b"k"));
    refused(&mut rs, &clock, &t, Error::ExpiryUnverifiable, C_4_01);
    let mut c = exi_claims(b"k", 1, 60);
    c.cti = Some(b"other-rs\0\0\0\0\0\0\0\x01".to_vec());
    let t = f.sign(&c);
    refused(&mut rs, &clock, &t, Error::ExiWithoutSequence, C_4_01);
}

fn cnonce_rs(f: &Fixture) -> ResourceServer<KeySet, AifScopes> {
    let mut config = RsConfig::new(AUD, Some(ISS.into()));
    config.cnonce = Some((4, 30));
    f.rs(config)
}

#[test]
fn cnonce_from_the_hints_is_accepted_once() {
    let mut f = Fixture::new();
    let mut rs = cnonce_rs(&f);
    let hints = rs.creation_hints(&f.clock, &mut f.rng);
    let nonce = hints.cnonce.clone().unwrap();
    assert_eq!(hints.audience.as_deref(), Some(AUD));
    let mut c = claims(b"k");
    c.cnonce = Some(nonce);
    let t = f.sign(&c);
    rs.post_authz_info(&t, &f.clock).unwrap();
    assert!(rs.cnonces().unwrap().is_empty());
    // The same nonce a second time (another key, so no replacement) is refused.
    let mut c2 = claims(b"k2");
    c2.cnonce = c.cnonce.clone();
    let t2 = f.sign(&c2);
    refused(&mut rs, &f.clock, &t2, Error::CnonceNotFresh, C_4_01);
}

#[test]
fn missing_unknown_or_stale_cnonce_is_4_01() {
    let mut f = Fixture::new();
    let mut rs = cnonce_rs(&f);
    let hints = rs.creation_hints(&f.clock, &mut f.rng);
    let t = f.sign(&claims(b"k"));
    refused(&mut rs, &f.clock, &t, Error::CnonceNotFresh, C_4_01);
    let mut c = claims(b"k");
    c.cnonce = Some(b"12345678".to_vec());
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::CnonceNotFresh, C_4_01);
    f.clock.advance(30);
    c.cnonce = hints.cnonce;
    let t = f.sign(&c);
    refused(&mut rs, &f.clock, &t, Error::CnonceNotFresh, C_4_01);
}

#[test]
fn encrypt0_token_with_symmetric_cose_key_is_stored_with_its_key() {
    let mut f = Fixture::new();
    let rs_key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"as-rs")),
        &mut f.rng,
    )
    .unwrap();
    let mut rs = ResourceServer::new(
        RsConfig::new(AUD, Some(ISS.into())),
        KeySet::new().with(rs_key.clone()),
        AifScopes::new(),
    );
    let pop = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"pop1")),
        &mut f.rng,
    )
    .unwrap();
    let mut c = claims(b"unused");
    c.cnf = Some(Cnf::CoseKey(pop.clone()));
    let p = Protection::encrypt0(rs_key, Algorithm::AesCcm16_64_128).unwrap();
    let t = ace_cwt::issue(&c, &p, &mut f.rng).unwrap();
    rs.post_authz_info(&t, &f.clock).unwrap();
    let stored = rs.token_for(&KeyId::from(b"pop1"), &f.clock).unwrap();
    assert_eq!(stored.authorization.pop_key.as_ref(), Some(&pop));
}

#[test]
fn encrypted_cose_key_is_decrypted_with_the_configured_kek() {
    let mut f = Fixture::new();
    let kek = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"kek")),
        &mut f.rng,
    )
    .unwrap();
    let pop = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"pop2")),
        &mut f.rng,
    )
    .unwrap();
    let mut c = claims(b"unused");
    c.cnf = Some(Cnf::encrypt_key(&pop, &kek, Algorithm::AesCcm16_64_128, &mut f.rng).unwrap());
    let t = f.sign(&c);
    // Without the KEK the cnf is unusable: 4.00.
    let mut rs = f.default_rs();
    refused(&mut rs, &f.clock, &t, Error::UnusableConfirmation, C_4_00);
    let mut config = RsConfig::new(AUD, Some(ISS.into()));
    config.cnf_key_encryption_key = Some(kek);
    let mut rs = f.rs(config);
    rs.post_authz_info(&t, &f.clock).unwrap();
    let stored = rs.token_for(&KeyId::from(b"pop2"), &f.clock).unwrap();
    assert_eq!(stored.authorization.pop_key.as_ref(), Some(&pop));
}

#[test]
fn restored_exi_watermark_survives_a_reboot() {
    let mut f = Fixture::new();
    let (mut rs, clock) = clockless_rs(&f);
    // A fresh RS (after reboot) gets the persisted watermark back: sequence 5 and below
    // stay expired; restoring an older value never lowers it.
    rs.restore_exi_watermark(
        ace_core::resource_server::ExiWatermark::from_highest_expired(Some(5)),
    );
    rs.restore_exi_watermark(
        ace_core::resource_server::ExiWatermark::from_highest_expired(Some(2)),
    );
    assert_eq!(rs.exi_watermark().highest_expired(), Some(5));
    let old = f.sign(&exi_claims(b"k", 5, 60));
    refused(&mut rs, &clock, &old, Error::TokenExpired, C_4_01);
    let new = f.sign(&exi_claims(b"k", 6, 60));
    rs.post_authz_info(&new, &clock).unwrap();
}
