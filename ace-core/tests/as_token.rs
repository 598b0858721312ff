//! RFC 9200 §5.8: the AS engine's token endpoint. Every error of §5.8.3 with its code and
//! ACE error, state (exi counters, reference table) unchanged after each refusal, and the
//! contents of issued tokens.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::as_server::{
    AsConfig, AsymmetricKeyType, AuthorizationServer, ClientEntry, RsEntry, ScopePolicy,
    TokenFormat,
};
use ace_core::env::{ManualClock, Method, UnixTime};
use ace_core::message::ProfileRequest;
use ace_core::resource_server::ExiCti;
use ace_core::{
    AccessTokenRequest, AceErrorCode, AceProfile, AifScope, Confirmation, Error, GrantType,
    RestMethodSet, Scope, TextScope,
};
use ace_cwt::{Algorithm, Cnf, KeyId, KeySet, PopKey, Protection};
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_700_000_000;

struct Fixture {
    server: AuthorizationServer<ScopePolicy>,
    clock: ManualClock,
    rng: StdRng,
    rs_key: PopKey,
    client_key: PopKey,
}

fn aif(path: &str, methods: &[Method]) -> AifScope {
    let set = methods.iter().fold(RestMethodSet::EMPTY, |s, m| s.with(*m));
    AifScope::new().allow(path, set).unwrap()
}

fn fixture() -> Fixture {
    let mut rng = StdRng::seed_from_u64(58);
    let rs_key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"as-rs1")),
        &mut rng,
    )
    .unwrap();
    let client_key = PopKey::generate_p256(Some(KeyId::from(b"client-ec")), &mut rng);
    let policy = ScopePolicy::new()
        .allow(
            "client1",
            "rs1",
            Scope::aif(&aif("/temp", &[Method::Get, Method::Put])),
        )
        .allow(
            "client1",
            "rs-clockless",
            Scope::Text(TextScope::parse("read").unwrap()),
        )
        .allow(
            "client1",
            "rs-dtls-only",
            Scope::Text(TextScope::parse("read").unwrap()),
        );
    let mut server = AuthorizationServer::new(AsConfig::new("as.example"), policy);
    let mut client = ClientEntry::with_secret("client1", b"secret1".to_vec());
    client.public_keys = vec![client_key.to_public().unwrap()];
    client.profiles = vec![AceProfile::CoapOscore, AceProfile::CoapDtls];
    server.add_client(client);
    let mut oscore_only = ClientEntry::with_secret("client2", b"secret2".to_vec());
    oscore_only.profiles = vec![AceProfile::CoapOscore];
    server.add_client(oscore_only);
    let protection = Protection::encrypt0(rs_key.clone(), Algorithm::AesCcm16_64_128).unwrap();
    let mut rs1 = RsEntry::new("rs1", protection.clone());
    rs1.rs_public_key = Some(
        PopKey::generate_p256(Some(KeyId::from(b"rs-ec")), &mut rng)
            .to_public()
            .unwrap(),
    );
    server.add_resource_server(rs1);
    let mut clockless = RsEntry::new("rs-clockless", protection.clone());
    clockless.clockless = true;
    clockless.token_lifetime = 600;
    server.add_resource_server(clockless);
    let mut dtls_only = RsEntry::new("rs-dtls-only", protection);
    dtls_only.profiles = vec![AceProfile::CoapDtls];
    dtls_only.asymmetric_pop_types = vec![AsymmetricKeyType::Ed25519];
    server.add_resource_server(dtls_only);
    Fixture {
        server,
        clock: ManualClock::new(Some(UnixTime::from_secs(NOW))),
        rng,
        rs_key,
        client_key,
    }
}

fn request(audience: &str) -> AccessTokenRequest {
    AccessTokenRequest {
        client_id: Some("client1".into()),
        client_secret: Some(b"secret1".to_vec()),
        audience: Some(audience.into()),
        ..AccessTokenRequest::default()
    }
}

/// Asserts the refusal, its CoAP code and ACE error, and that no AS state moved.
fn refused(
    f: &mut Fixture,
    identity: Option<&str>,
    req: &AccessTokenRequest,
    expected: Error,
    code: u8,
    ace: AceErrorCode,
) {
    let counters = (
        f.server.exi_counter("rs1"),
        f.server.exi_counter("rs-clockless"),
        f.server.reference_count(),
    );
    let err = f
        .server
        .token(identity, req, &f.clock, &mut f.rng)
        .unwrap_err();
    assert_eq!(err, expected);
    assert_eq!(err.coap_code(), code, "{err}");
    assert_eq!(err.ace_error(), Some(ace), "{err}");
    let after = (
        f.server.exi_counter("rs1"),
        f.server.exi_counter("rs-clockless"),
        f.server.reference_count(),
    );
    assert_eq!(after, counters, "AS state changed");
}

const C_4_00: u8 = 0x80;
const C_4_01: u8 = 0x81;

#[test]
fn unknown_client_wrong_secret_or_no_credentials_is_invalid_client_4_01() {
    let mut f = fixture();
    let mut r = request("rs1");
    r.client_secret = Some(b"wrong".to_vec());
    refused(
        &mut f,
        None,
        &r,
        Error::InvalidClient,
        C_4_01,
        AceErrorCode::InvalidClient,
    );
    r.client_id = Some("nobody".into());
    refused(
        &mut f,
        None,
        &r,
        Error::InvalidClient,
        C_4_01,
        AceErrorCode::InvalidClient,
    );
    let mut r = request("rs1");
    r.client_id = None;
    refused(
        &mut f,
        None,
        &r,
        Error::InvalidClient,
        C_4_01,
        AceErrorCode::InvalidClient,
    );
    // A client_id that contradicts the identity of the secure channel.
    let r = request("rs1");
    refused(
        &mut f,
        Some("client2"),
        &r,
        Error::InvalidClient,
        C_4_01,
        AceErrorCode::InvalidClient,
    );
}

#[test]
fn channel_identity_authenticates_without_secret() {
    let mut f = fixture();
    let r = AccessTokenRequest {
        audience: Some("rs1".into()),
        ..AccessTokenRequest::default()
    };
    f.server
        .token(Some("client1"), &r, &f.clock, &mut f.rng)
        .unwrap();
}

#[test]
fn grant_types_other_than_client_credentials_are_unsupported() {
    let mut f = fixture();
    for g in [
        GrantType::Password,
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
    ] {
        let mut r = request("rs1");
        r.grant_type = Some(g);
        refused(
            &mut f,
            None,
            &r,
            Error::UnsupportedGrantType(g.value()),
            C_4_00,
            AceErrorCode::UnsupportedGrantType,
        );
    }
    let mut r = request("rs1");
    r.grant_type = Some(GrantType::ClientCredentials);
    f.server.token(None, &r, &f.clock, &mut f.rng).unwrap();
}

#[test]
fn missing_or_unknown_audience_is_invalid_request() {
    let mut f = fixture();
    let mut r = request("rs1");
    r.audience = None;
    refused(
        &mut f,
        None,
        &r,
        Error::MissingAudience,
        C_4_00,
        AceErrorCode::InvalidRequest,
    );
    let r = request("rs-unknown");
    refused(
        &mut f,
        None,
        &r,
        Error::UnknownAudience,
        C_4_00,
        AceErrorCode::InvalidRequest,
    );
}

#[test]
fn scope_outside_policy_is_invalid_scope_and_client_outside_policy_unauthorized() {
    let mut f = fixture();
    let mut r = request("rs1");
    r.scope = Some(Scope::aif(&aif("/config", &[Method::Get])));
    refused(
        &mut f,
        None,
        &r,
        Error::ScopeNotGranted,
        C_4_00,
        AceErrorCode::InvalidScope,
    );
    let r = AccessTokenRequest {
        client_id: Some("client2".into()),
        client_secret: Some(b"secret2".to_vec()),
        audience: Some("rs1".into()),
        ..AccessTokenRequest::default()
    };
    refused(
        &mut f,
        None,
        &r,
        Error::ClientNotAuthorized,
        C_4_00,
        AceErrorCode::UnauthorizedClient,
    );
}

#[test]
fn requested_scope_is_narrowed_to_the_policy() {
    let mut f = fixture();
    let mut r = request("rs1");
    r.scope = Some(Scope::aif(&aif("/temp", &[Method::Get, Method::Delete])));
    let resp = f.server.token(None, &r, &f.clock, &mut f.rng).unwrap();
    assert_eq!(resp.scope, Some(Scope::aif(&aif("/temp", &[Method::Get]))));
}

#[test]
fn no_common_profile_is_incompatible_ace_profiles() {
    let mut f = fixture();
    let mut r = request("rs-dtls-only");
    r.ace_profile = Some(ProfileRequest::Profile(AceProfile::CoapOscore));
    refused(
        &mut f,
        None,
        &r,
        Error::IncompatibleProfiles,
        C_4_00,
        AceErrorCode::IncompatibleAceProfiles,
    );
    // An empty ace_profile gets the common profile named in the response (AS-9).
    r.ace_profile = Some(ProfileRequest::AskAs);
    let resp = f.server.token(None, &r, &f.clock, &mut f.rng).unwrap();
    assert_eq!(resp.ace_profile, Some(AceProfile::CoapDtls));
}

#[test]
fn pop_key_errors_of_req_cnf() {
    let mut f = fixture();
    // Symmetric key value in req_cnf (RFC 9201 §3.1: RECOMMENDED to reject).
    let sym = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"s")),
        &mut f.rng,
    )
    .unwrap();
    let mut r = request("rs1");
    r.req_cnf = Some(Confirmation::new(Cnf::CoseKey(sym)).unwrap());
    refused(
        &mut f,
        None,
        &r,
        Error::SymmetricReqCnf,
        C_4_00,
        AceErrorCode::InvalidRequest,
    );
    // An asymmetric key type the RS cannot process: unsupported_pop_key.
    let mut r = request("rs-dtls-only");
    r.req_cnf = Some(Confirmation::new(Cnf::CoseKey(f.client_key.to_public().unwrap())).unwrap());
    refused(
        &mut f,
        None,
        &r,
        Error::UnsupportedPopKey,
        C_4_00,
        AceErrorCode::UnsupportedPopKey,
    );
    // A key whose possession the AS cannot establish.
    let stranger = PopKey::generate_p256(Some(KeyId::from(b"x")), &mut f.rng);
    let mut r = request("rs1");
    r.req_cnf = Some(Confirmation::new(Cnf::CoseKey(stranger.to_public().unwrap())).unwrap());
    refused(
        &mut f,
        None,
        &r,
        Error::PopKeyNotProven,
        C_4_00,
        AceErrorCode::InvalidRequest,
    );
    r.req_cnf = Some(Confirmation::new(Cnf::Kid(KeyId::from(b"unknown-kid"))).unwrap());
    refused(
        &mut f,
        None,
        &r,
        Error::PopKeyNotProven,
        C_4_00,
        AceErrorCode::InvalidRequest,
    );
}

#[test]
fn symmetric_pop_key_goes_to_client_in_cnf_and_to_rs_inside_the_encrypted_token() {
    let mut f = fixture();
    let mut r = request("rs1");
    r.cnonce = Some(b"nonce-01".to_vec());
    let resp = f.server.token(None, &r, &f.clock, &mut f.rng).unwrap();
    assert_eq!(resp.expires_in, Some(3600));
    assert!(resp.rs_cnf.is_none());
    // AS-10: token_type omitted, PoP is the default.
    assert_eq!(resp.token_type, None);
    assert_eq!(resp.effective_token_type(), ace_core::TokenType::PoP);
    let Some(Cnf::CoseKey(client_copy)) = resp.cnf.map(Confirmation::into_cnf) else {
        panic!("cnf must carry the symmetric key");
    };
    let verified =
        ace_cwt::verify(&resp.access_token, &KeySet::new().with(f.rs_key.clone())).unwrap();
    let claims = verified.claims();
    assert_eq!(claims.iss.as_deref(), Some("as.example"));
    assert_eq!(claims.aud.as_deref(), Some("rs1"));
    assert_eq!(claims.cnonce.as_deref(), Some(&b"nonce-01"[..]));
    // The RS's most preferred profile that the client also supports.
    assert_eq!(claims.ace_profile, Some(AceProfile::CoapDtls.value()));
    assert_eq!(
        claims.exp,
        Some(ace_cwt::NumericDate::WholeSeconds((NOW + 3600) as i64))
    );
    assert_eq!(claims.cnf, Some(Cnf::CoseKey(client_copy)));
}

#[test]
fn asymmetric_req_cnf_is_bound_and_rs_cnf_returned() {
    let mut f = fixture();
    for req_cnf in [
        Cnf::CoseKey(f.client_key.to_public().unwrap()),
        Cnf::Kid(KeyId::from(b"client-ec")),
    ] {
        let mut r = request("rs1");
        r.req_cnf = Some(Confirmation::new(req_cnf).unwrap());
        let resp = f.server.token(None, &r, &f.clock, &mut f.rng).unwrap();
        assert!(resp.cnf.is_none());
        assert!(matches!(
            resp.rs_cnf.map(Confirmation::into_cnf),
            Some(Cnf::CoseKey(k)) if k.kid() == Some(&KeyId::from(b"rs-ec"))
        ));
        let verified =
            ace_cwt::verify(&resp.access_token, &KeySet::new().with(f.rs_key.clone())).unwrap();
        assert_eq!(
            verified.claims().cnf,
            Some(Cnf::CoseKey(f.client_key.to_public().unwrap()))
        );
    }
}

#[test]
fn clockless_rs_gets_exi_and_a_monotonic_cti_counter() {
    let mut f = fixture();
    for expected in 1..=3u64 {
        let r = request("rs-clockless");
        let resp = f.server.token(None, &r, &f.clock, &mut f.rng).unwrap();
        let verified =
            ace_cwt::verify(&resp.access_token, &KeySet::new().with(f.rs_key.clone())).unwrap();
        let claims = verified.claims();
        assert_eq!(claims.exi, Some(600));
        assert_eq!(claims.exp, None);
        let cti = claims.cti.as_deref().unwrap();
        assert_eq!(
            ExiCti::parse(cti, "rs-clockless").unwrap().sequence,
            expected
        );
        assert_eq!(f.server.exi_counter("rs-clockless"), expected);
    }
    assert_eq!(f.server.exi_counter("rs1"), 0);
}

#[test]
fn reference_tokens_are_remembered_and_bounded() {
    let mut f = fixture();
    let mut config = AsConfig::new("as.example");
    config.reference_capacity = 1;
    let policy =
        ScopePolicy::new().allow("c", "ref-rs", Scope::Text(TextScope::parse("r").unwrap()));
    let mut server = AuthorizationServer::new(config, policy);
    server.add_client(ClientEntry::with_secret("c", b"s".to_vec()));
    let mut rs = RsEntry::new(
        "ref-rs",
        Protection::encrypt0(f.rs_key.clone(), Algorithm::AesCcm16_64_128).unwrap(),
    );
    rs.token_format = TokenFormat::Reference;
    server.add_resource_server(rs);
    let r = AccessTokenRequest {
        client_id: Some("c".into()),
        client_secret: Some(b"s".to_vec()),
        audience: Some("ref-rs".into()),
        ..AccessTokenRequest::default()
    };
    let resp = server.token(None, &r, &f.clock, &mut f.rng).unwrap();
    assert_eq!(resp.access_token.len(), 16);
    assert_eq!(server.reference_count(), 1);
    let err = server.token(None, &r, &f.clock, &mut f.rng).unwrap_err();
    assert_eq!(err, Error::ReferenceStoreFull);
    assert_eq!(server.reference_count(), 1);
    // Once the first has expired, its slot is reused.
    f.clock.advance(3600);
    server.token(None, &r, &f.clock, &mut f.rng).unwrap();
    assert_eq!(server.reference_count(), 1);
}

#[test]
fn symmetric_key_in_an_unencrypted_token_is_refused() {
    let mut f = fixture();
    let sign_key = PopKey::generate_p256(Some(KeyId::from(b"as-sig")), &mut f.rng);
    let policy = ScopePolicy::new().allow(
        "c",
        "signed-rs",
        Scope::Text(TextScope::parse("r").unwrap()),
    );
    let mut server = AuthorizationServer::new(AsConfig::new("as"), policy);
    server.add_client(ClientEntry::with_secret("c", b"s".to_vec()));
    server.add_resource_server(RsEntry::new(
        "signed-rs",
        Protection::sign1(sign_key, Algorithm::Es256).unwrap(),
    ));
    let r = AccessTokenRequest {
        client_id: Some("c".into()),
        client_secret: Some(b"s".to_vec()),
        audience: Some("signed-rs".into()),
        ..AccessTokenRequest::default()
    };
    let err = server.token(None, &r, &f.clock, &mut f.rng).unwrap_err();
    assert_eq!(err, Error::SymmetricPopKeyExposed);
    assert_eq!(err.coap_code(), 0xa0);
}
