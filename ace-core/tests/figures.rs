//! Every byte-exact CBOR figure of RFC 9200 (vectors/ace-examples/rfc9200.json) in both
//! directions: decode → the value the figure describes; encode → the figure's bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::message::{NumericDate, ParamMap, ProfileRequest, TokenTypeHint};
use ace_core::registry::{AceProfile, TokenType};
use ace_core::scope::{Scope, TextScope};
use ace_core::{
    AccessTokenRequest, AccessTokenResponse, AceMessage, CreationHints, IntrospectionRequest,
    IntrospectionResponse,
};
use ace_cwt::{Cnf, KeyId, KeyMaterial};
use serde_json::Value as Json;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/ace-examples/rfc9200.json"
));

/// The hex of figure `id` (part `label`, or the whole figure when `label` is `None`).
fn figure(id: &str, label: Option<&str>) -> Vec<u8> {
    let doc: Json = serde_json::from_str(VECTORS).unwrap();
    let ex = doc["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in vectors"));
    let hex = match label {
        None => ex["hex"].as_str(),
        Some(l) => ex["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["label"] == l)
            .and_then(|p| p["hex"].as_str()),
    };
    hex::decode(hex.unwrap_or_else(|| panic!("{id}/{label:?} has no hex"))).unwrap()
}

/// decode → encode gives the figure's bytes back.
fn round_trips<M: AceMessage>(bytes: &[u8]) -> M {
    let msg = M::decode(bytes).unwrap();
    assert_eq!(hex::encode(msg.encode()), hex::encode(bytes));
    msg
}

fn text_scope(s: &str) -> Option<Scope> {
    Some(Scope::Text(TextScope::parse(s).unwrap()))
}

fn cose_key(cnf: &Cnf) -> &ace_cwt::PopKey {
    match cnf {
        Cnf::CoseKey(k) => k,
        other => panic!("expected a COSE_Key, got {other:?}"),
    }
}

#[test]
fn figure_2_and_3_creation_hints() {
    let bytes = figure("rfc9200-fig2", Some("Payload"));
    // Figure 3 prints these bytes in the RFC itself.
    assert_eq!(bytes, figure("rfc9200-fig3", None));
    let hints: CreationHints = round_trips(&bytes);
    let expected = CreationHints {
        as_uri: Some("coaps://as.example.com/token".into()),
        audience: Some("coaps://rs.example.com".into()),
        scope: text_scope("rTempC"),
        cnonce: Some(hex::decode("e0a156bb3f").unwrap()),
        ..Default::default()
    };
    assert_eq!(hints, expected);
    // Figure 3 is in deterministic order, so the value built by hand encodes to it too.
    assert_eq!(expected.encode(), bytes);
}

#[test]
fn figure_4_token_request_symmetric() {
    let bytes = figure("rfc9200-fig4", Some("Payload"));
    let req: AccessTokenRequest = round_trips(&bytes);
    assert!(
        req.key_order.is_recorded(),
        "24 before 5 is not deterministic order"
    );
    let expected = AccessTokenRequest {
        client_id: Some("myclient".into()),
        audience: Some("tempSensor4711".into()),
        ..Default::default()
    };
    assert_eq!(req.into_deterministic(), expected);
}

#[test]
fn figure_5_token_request_asymmetric_req_cnf() {
    let bytes = figure("rfc9200-fig5", Some("Decrypted payload"));
    let req: AccessTokenRequest = round_trips(&bytes);
    assert_eq!(req.client_id.as_deref(), Some("myclient"));
    let key = cose_key(req.req_cnf.as_ref().unwrap().cnf());
    assert_eq!(key.kid(), Some(&KeyId::from(&[0x11])));
    assert!(matches!(key.material(), KeyMaterial::P256Public(_)));
    assert!(req.extensions.is_empty());
}

#[test]
fn figure_6_token_request_key_reference() {
    let bytes = figure("rfc9200-fig6", Some("Payload"));
    let req: AccessTokenRequest = round_trips(&bytes);
    let expected = AccessTokenRequest {
        client_id: Some("myclient".into()),
        audience: Some("valve424".into()),
        scope: text_scope("read"),
        req_cnf: Some(
            Cnf::Kid(KeyId::from(hex::decode("ea483475724cd775").unwrap()))
                .try_into()
                .unwrap(),
        ),
        ..Default::default()
    };
    assert_eq!(req.into_deterministic(), expected);
}

#[test]
fn figure_9_introspection_request_with_integer_hint() {
    let bytes = figure("rfc9200-fig9", None);
    let req: IntrospectionRequest = round_trips(&bytes);
    let expected = IntrospectionRequest {
        token: hex::decode("ee08f4757250e375").unwrap(),
        token_type_hint: Some(TokenTypeHint::TokenType(TokenType::PoP)),
        ..Default::default()
    };
    assert_eq!(req, expected);
    assert_eq!(expected.encode(), bytes);
}

#[test]
fn figure_10_introspection_response() {
    let bytes = figure("rfc9200-fig10", Some("Payload"));
    let resp: IntrospectionResponse = round_trips(&bytes);
    assert!(resp.active);
    assert_eq!(resp.scope, text_scope("read"));
    assert_eq!(resp.ace_profile, Some(AceProfile::CoapDtls));
    let key = cose_key(resp.cnf.as_ref().unwrap().cnf());
    assert_eq!(
        key.kid(),
        Some(&KeyId::from(hex::decode("dfd1aa97").unwrap()))
    );
    match key.material() {
        KeyMaterial::Symmetric(k) => {
            assert_eq!(hex::encode(k.as_bytes()), "849b5786457c1491be3a76dcea6c42")
        }
        other => panic!("expected a symmetric key, got {other:?}"),
    }
}

#[test]
fn figure_12_request_with_kid_before_kty() {
    let bytes = figure("rfc9200-fig12", Some("Request-Payload"));
    let req: AccessTokenRequest = round_trips(&bytes);
    assert_eq!(req.audience.as_deref(), Some("tempSensorInLivingRoom"));
    assert_eq!(req.client_id.as_deref(), Some("myclient"));
    let key = cose_key(req.req_cnf.as_ref().unwrap().cnf());
    assert_eq!(
        key.kid(),
        Some(&KeyId::from(
            hex::decode("d4183cbee6fdb4b7b580733357be9e").unwrap()
        ))
    );
    assert!(matches!(key.material(), KeyMaterial::P256Public(_)));
}

#[test]
fn figure_17_token_request_and_response() {
    let req_bytes = figure("rfc9200-fig17", Some("Request-Payload"));
    let req: AccessTokenRequest = round_trips(&req_bytes);
    assert_eq!(req.client_id.as_deref(), Some("keyfob"));
    assert_eq!(req.audience.as_deref(), Some("PACS1337"));

    let resp_bytes = figure("rfc9200-fig17", Some("Response-Payload"));
    let resp: AccessTokenResponse = round_trips(&resp_bytes);
    assert_eq!(resp.access_token, b"Test token");
    let key = cose_key(resp.cnf.as_ref().unwrap().cnf());
    assert_eq!(key.kid(), Some(&KeyId::from(&b"some public key id"[..])));
    match key.material() {
        KeyMaterial::Symmetric(k) => assert_eq!(
            hex::encode(k.as_bytes()),
            "6684523ab17337f173500e5728c628547cb37dfe68449c65f885d1b73b49eae1"
        ),
        other => panic!("expected a symmetric key, got {other:?}"),
    }
    // RFC 9200 §5.8.2: no token_type means PoP.
    assert_eq!(resp.effective_token_type(), TokenType::PoP);
}

#[test]
fn figure_19_introspection_request_and_response() {
    let req_bytes = figure("rfc9200-fig19", Some("Request-Payload"));
    let req: IntrospectionRequest = round_trips(&req_bytes);
    assert_eq!(req.token, b"Test token");
    assert_eq!(req.client_id.as_deref(), Some("FrontDoor"));

    let resp_bytes = figure("rfc9200-fig19", Some("Response-Payload"));
    let resp: IntrospectionResponse = round_trips(&resp_bytes);
    let expected = IntrospectionResponse {
        active: true,
        aud: Some("lockOfDoor4711".into()),
        scope: text_scope("open close"),
        iat: Some(NumericDate::WholeSeconds(1_563_454_000)),
        cnf: Some(
            Cnf::Kid(KeyId::from(&b"some public key id"[..]))
                .try_into()
                .unwrap(),
        ),
        ..Default::default()
    };
    assert_eq!(resp.into_deterministic(), expected);
}

/// Figure 13 is a CWT claims set (ace-cwt's `Claims`), not an ACE message. The claims are
/// checked with ace-cwt; the generic parameter map reproduces its bytes.
#[test]
fn figure_13_token_claims() {
    let bytes = figure("rfc9200-fig13", None);
    let map = ParamMap::decode(&bytes).unwrap();
    assert_eq!(map.encode(), bytes);
    let claims = ace_cwt::Claims::from_slice(&bytes).unwrap();
    assert_eq!(claims.aud.as_deref(), Some("tempSensorInLivingRoom"));
    let scope = Scope::from_cbor_value(claims.scope.clone().unwrap()).unwrap();
    assert_eq!(Some(scope), text_scope("temperature_g firmware_p"));
    assert!(matches!(claims.cnf, Some(Cnf::CoseKey(_))));
}

/// RFC 9200 Figure 7 writes `ace_profile` as the text "coap_dtls", which §5.8.4.3 forbids in
/// CBOR ("it MUST NOT be used for CBOR-based interactions"); the figure also elides the token,
/// so it has no bytes. A response with a text `ace_profile` is refused.
#[test]
fn figure_7_text_ace_profile_is_refused() {
    let mut map = ParamMap::new();
    map.insert(1.into(), ciborium::Value::Bytes(vec![0x4a, 0x50, 0x15]));
    map.insert(38.into(), ciborium::Value::Text("coap_dtls".into()));
    let err = AccessTokenResponse::decode(&map.encode()).unwrap_err();
    assert_eq!(
        err,
        ace_core::Error::WrongType {
            parameter: "ace_profile",
            expected: "an integer"
        }
    );
    // The integer form is accepted.
    let mut map = ParamMap::new();
    map.insert(1.into(), ciborium::Value::Bytes(vec![0x4a, 0x50, 0x15]));
    map.insert(38.into(), ciborium::Value::Integer(1.into()));
    let resp = AccessTokenResponse::decode(&map.encode()).unwrap();
    assert_eq!(resp.ace_profile, Some(AceProfile::CoapDtls));
}

#[test]
fn figure_4_ace_profile_null_asks_the_as() {
    let mut req = AccessTokenRequest::decode(&figure("rfc9200-fig4", Some("Payload"))).unwrap();
    req.ace_profile = Some(ProfileRequest::AskAs);
    let again = AccessTokenRequest::decode(&req.encode()).unwrap();
    assert_eq!(again.ace_profile, Some(ProfileRequest::AskAs));
}

/// No byte-exact figure is left without a test: the list above covers every one.
#[test]
fn every_byte_exact_figure_is_covered() {
    let covered = [
        ("rfc9200-fig2", "Payload"),
        ("rfc9200-fig3", ""),
        ("rfc9200-fig4", "Payload"),
        ("rfc9200-fig5", "Decrypted payload"),
        ("rfc9200-fig6", "Payload"),
        ("rfc9200-fig9", "whole figure"),
        ("rfc9200-fig10", "Payload"),
        ("rfc9200-fig12", "Request-Payload"),
        ("rfc9200-fig13", "whole figure"),
        ("rfc9200-fig17", "Request-Payload"),
        ("rfc9200-fig17", "Response-Payload"),
        ("rfc9200-fig19", "Request-Payload"),
        ("rfc9200-fig19", "Response-Payload"),
    ];
    let doc: Json = serde_json::from_str(VECTORS).unwrap();
    for ex in doc["examples"].as_array().unwrap() {
        let id = ex["id"].as_str().unwrap();
        let parts = ex["parts"].as_array().cloned().unwrap_or_default();
        if parts.is_empty() {
            if ex["byte_exact"] == true {
                assert!(covered.contains(&(id, "")), "{id} not covered");
            }
            continue;
        }
        for p in parts {
            if p["byte_exact"] == true {
                let label = p["label"].as_str().unwrap();
                assert!(covered.contains(&(id, label)), "{id}/{label} not covered");
            }
        }
    }
}
