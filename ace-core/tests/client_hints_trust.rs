//! RFC 9200 §5.1, §6.4 (CL-1): the AS Request Creation Hints come in an unprotected 4.01, so
//! the client only follows them to an AS it is configured to trust for that RS.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::client::Client;
use ace_core::env::{ManualClock, ResponseCode, UnixTime};
use ace_core::resource_server::{AifScopes, ResourceServer, RsConfig};
use ace_core::{AceMessage, CreationHints, Error};
use ace_cwt::KeySet;
use rand::SeedableRng;
use rand::rngs::StdRng;

const AS: &str = "coap://as.example/token";

/// The hints an RS engine configured with `as_uri` sends, as the client decodes them.
fn hints_from_rs(as_uri: Option<&str>) -> CreationHints {
    let mut config = RsConfig::new("rs1", None);
    config.as_uri = as_uri.map(String::from);
    let mut rs = ResourceServer::new(config, KeySet::new(), AifScopes::new());
    let clock = ManualClock::new(Some(UnixTime::from_secs(1)));
    let hints = rs.creation_hints(&clock, &mut StdRng::seed_from_u64(1));
    Client::creation_hints(ResponseCode::UNAUTHORIZED, &hints.encode()).unwrap()
}

#[test]
fn hints_naming_the_trusted_as_are_followed() {
    let client = Client::new("c", None).trust_as("rs1", AS);
    let hints = hints_from_rs(Some(AS));
    assert_eq!(client.authorization_server_for("rs1", &hints), Ok(AS));
    let (uri, request) = client
        .token_request_for_hints("rs1", &hints, None, None)
        .unwrap();
    assert_eq!(uri, AS);
    assert_eq!(request.audience.as_deref(), Some("rs1"));
}

#[test]
fn hints_naming_another_as_are_refused() {
    let client = Client::new("c", None).trust_as("rs1", AS);
    // An attacker (or a misconfigured RS) points the client at its own AS.
    let hints = hints_from_rs(Some("coap://evil.example/token"));
    assert_eq!(
        client.authorization_server_for("rs1", &hints),
        Err(Error::UntrustedAuthorizationServer)
    );
    assert_eq!(
        client
            .token_request_for_hints("rs1", &hints, None, None)
            .unwrap_err(),
        Error::UntrustedAuthorizationServer
    );
}

#[test]
fn an_as_trusted_for_another_rs_is_not_trusted_for_this_one() {
    let client = Client::new("c", None).trust_as("rs2", AS);
    let hints = hints_from_rs(Some(AS));
    assert_eq!(
        client.authorization_server_for("rs1", &hints),
        Err(Error::UntrustedAuthorizationServer)
    );
}

#[test]
fn hints_without_an_as_use_the_configured_one_or_fail() {
    let hints = hints_from_rs(None);
    assert_eq!(hints.as_uri, None);
    let client = Client::new("c", None).trust_as("rs1", AS);
    assert_eq!(client.authorization_server_for("rs1", &hints), Ok(AS));
    let unconfigured = Client::new("c", None);
    assert_eq!(
        unconfigured.authorization_server_for("rs1", &hints),
        Err(Error::UntrustedAuthorizationServer)
    );
}
