//! Text scopes: RFC 6749 §3.3 grammar, narrowing, and interpretation through a dictionary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::Error;
use ace_core::env::Method;
use ace_core::registry::AceErrorCode;
use ace_core::scope::{AifScope, RestMethodSet, Scope, ScopeDictionary, TextScope};
use proptest::prelude::*;

#[test]
fn valid_scopes_parse() {
    for s in [
        "rTempC",
        "read write",
        "temperature_g firmware_p",
        "!#[]~ a",
    ] {
        let scope = TextScope::parse(s).unwrap();
        assert_eq!(scope.as_str(), s);
        assert_eq!(scope.to_string(), s);
    }
    let scope = TextScope::parse("open close").unwrap();
    assert_eq!(scope.tokens().collect::<Vec<_>>(), ["open", "close"]);
    assert!(scope.contains("close"));
    assert!(!scope.contains("clos"));
}

#[test]
fn grammar_violations_have_specific_errors() {
    let cases = [
        ("", Error::EmptyScope),
        (" read", Error::EmptyScopeToken(0)),
        ("read ", Error::EmptyScopeToken(5)),
        ("read  write", Error::EmptyScopeToken(5)),
        (" ", Error::EmptyScopeToken(0)),
        ("re\"ad", Error::InvalidScopeCharacter(2)),
        ("re\\ad", Error::InvalidScopeCharacter(2)),
        ("read\twrite", Error::InvalidScopeCharacter(4)),
        ("lecture é", Error::InvalidScopeCharacter(8)),
        ("a\u{7f}", Error::InvalidScopeCharacter(1)),
    ];
    for (text, expected) in cases {
        let err = TextScope::parse(text).unwrap_err();
        assert_eq!(err, expected, "{text:?}");
        assert_eq!(err.ace_error(), Some(AceErrorCode::InvalidScope));
        assert_eq!(err.coap_code(), coap_numbers::code::BAD_REQUEST);
    }
}

#[test]
fn narrowing_keeps_requested_order_and_drops_the_rest() {
    let requested = TextScope::parse("read write admin read").unwrap();
    let allowed = TextScope::parse("write read").unwrap();
    let granted = requested.intersect(&allowed).unwrap();
    assert_eq!(granted.as_str(), "read write");
    assert!(granted.is_subset_of(&requested));
    assert!(granted.is_subset_of(&allowed));
    assert!(!requested.is_subset_of(&allowed));
    assert_eq!(
        requested.intersect(&TextScope::parse("delete").unwrap()),
        None
    );
}

#[test]
fn scope_values_distinguish_text_and_binary() {
    let text = Scope::from_cbor_value(ciborium::Value::Text("a b".into())).unwrap();
    assert!(matches!(text, Scope::Text(_)));
    let binary = Scope::from_cbor_value(ciborium::Value::Bytes(vec![0x20, 0x20])).unwrap();
    assert!(
        matches!(binary, Scope::Binary(_)),
        "binary scopes are opaque (RFC 9200 §5.8.1)"
    );
    assert_eq!(text.intersect(&binary), None);
    assert!(!text.is_subset_of(&binary));
    // Opaque (non-AIF) binary scopes survive narrowing only when equal.
    assert_eq!(binary.intersect(&binary), Some(binary.clone()));
}

/// RFC 9200 §5.8.1 leaves text scope semantics to the application: a dictionary maps the
/// tokens of the RFC's examples to AIF permissions.
#[test]
fn text_scopes_are_checked_through_a_dictionary() {
    let dict = ScopeDictionary::new()
        .define(
            "rTempC",
            AifScope::new()
                .allow("/temp", RestMethodSet::EMPTY.with(Method::Get))
                .unwrap(),
        )
        .define(
            "firmware_p",
            AifScope::new()
                .allow("/fw", RestMethodSet::EMPTY.with(Method::Post))
                .unwrap(),
        );
    let scope = Scope::Text(TextScope::parse("rTempC firmware_p").unwrap());
    assert!(scope.permits(Method::Get, "/temp", Some(&dict)));
    assert!(scope.permits(Method::Post, "/fw", Some(&dict)));
    assert!(!scope.permits(Method::Put, "/temp", Some(&dict)));
    assert!(!scope.permits(Method::Get, "/fw", Some(&dict)));
    // Without a dictionary, or with an unknown token, nothing is permitted.
    assert!(!scope.permits(Method::Get, "/temp", None));
    let unknown = Scope::Text(TextScope::parse("rTempC admin").unwrap());
    assert_eq!(unknown.to_aif(Some(&dict)).unwrap_err(), Error::ScopeNotAif);
    assert!(!unknown.permits(Method::Get, "/temp", Some(&dict)));
}

proptest! {
    #[test]
    fn parse_accepts_exactly_the_grammar(s in "[ -~é\t]{0,12}") {
        let tokens: Vec<&str> = s.split(' ').collect();
        let valid = !s.is_empty()
            && tokens.iter().all(|t| !t.is_empty()
                && t.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b)));
        prop_assert_eq!(TextScope::parse(&s).is_ok(), valid);
    }

    #[test]
    fn intersection_is_a_subset_of_both(
        a in proptest::collection::vec("[a-e]{1,2}", 1..6),
        b in proptest::collection::vec("[a-e]{1,2}", 1..6),
    ) {
        let a = TextScope::from_tokens(a.iter().map(String::as_str)).unwrap();
        let b = TextScope::from_tokens(b.iter().map(String::as_str)).unwrap();
        match a.intersect(&b) {
            Some(i) => {
                prop_assert!(i.is_subset_of(&a));
                prop_assert!(i.is_subset_of(&b));
                prop_assert!(a.tokens().filter(|t| b.contains(t)).all(|t| i.contains(t)));
            }
            None => prop_assert!(a.tokens().all(|t| !b.contains(t))),
        }
    }
}
