//! Defaults and fixed encodings the RFC spells out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::message::ProfileRequest;
use ace_core::registry::{GrantType, TokenType};
use ace_core::{AccessTokenRequest, AccessTokenResponse, AceMessage, IntrospectionResponse};

/// RFC 9200 §5.8.1 (AS-3): no grant_type means client_credentials.
#[test]
fn missing_grant_type_means_client_credentials() {
    let req = AccessTokenRequest::decode(&[0xa0]).unwrap();
    assert_eq!(req.grant_type, None);
    assert_eq!(req.effective_grant_type(), GrantType::ClientCredentials);
    // {33: 0} (password) is kept as sent.
    let req = AccessTokenRequest::decode(&[0xa1, 0x18, 0x21, 0x00]).unwrap();
    assert_eq!(req.effective_grant_type(), GrantType::Password);
}

/// RFC 9200 §5.8.2 (AS-10): no token_type means PoP; Bearer (1) is kept.
#[test]
fn missing_token_type_means_pop() {
    // {1: h'00'}
    let resp = AccessTokenResponse::decode(&[0xa1, 0x01, 0x41, 0x00]).unwrap();
    assert_eq!(resp.effective_token_type(), TokenType::PoP);
    // {1: h'00', 34: 1}
    let resp = AccessTokenResponse::decode(&[0xa2, 0x01, 0x41, 0x00, 0x18, 0x22, 0x01]).unwrap();
    assert_eq!(resp.effective_token_type(), TokenType::Bearer);
}

/// RFC 9200 §5.8.4.3 (CL-4): `ace_profile` = null (CBOR simple value 22) asks the AS.
#[test]
fn null_ace_profile_is_a_request_for_the_profile() {
    // {38: null}
    let req = AccessTokenRequest::decode(&[0xa1, 0x18, 0x26, 0xf6]).unwrap();
    assert_eq!(req.ace_profile, Some(ProfileRequest::AskAs));
    let built = AccessTokenRequest {
        ace_profile: Some(ProfileRequest::AskAs),
        ..Default::default()
    };
    assert_eq!(built.encode(), [0xa1, 0x18, 0x26, 0xf6]);
    // A text profile is refused (the text form "MUST NOT be used" in CBOR).
    assert!(AccessTokenRequest::decode(&[0xa1, 0x18, 0x26, 0x61, 0x78]).is_err());
}

/// RFC 9200 §5.9.3 (AS-38): an inactive token is answered with `{active: false}`.
#[test]
fn inactive_introspection_response_is_active_false() {
    assert_eq!(
        IntrospectionResponse::inactive().encode(),
        [0xa1, 0x0a, 0xf4]
    );
    let resp = IntrospectionResponse::decode(&[0xa1, 0x0a, 0xf4]).unwrap();
    assert!(!resp.active);
}
