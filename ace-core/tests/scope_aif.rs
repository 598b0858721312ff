//! RFC 9237 AIF-REST scopes: the RFC's example, permissions, dynamic methods, strict
//! parsing, narrowing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ace_core::Error;
use ace_core::env::Method;
use ace_core::registry::AceErrorCode;
use ace_core::scope::{AifScope, RestMethodSet, Scope};
use ciborium::Value;
use proptest::prelude::*;

/// RFC 9237 Figure 5, as printed in the RFC (28 bytes).
const FIGURE_5: &str = "83 82 67 2f732f74656d70 01 82 66 2f612f6c6564 05 82 65 2f64746c73 02";
/// RFC 9237 Figure 3, the same authorization in JSON.
const FIGURE_3: &str = r#"[["/s/temp",1],["/a/led",5],["/dtls",2]]"#;

fn figure_5() -> Vec<u8> {
    hex::decode(FIGURE_5.replace(' ', "")).unwrap()
}

fn aif_bytes(v: Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(&v, &mut out).unwrap();
    out
}

fn entry(path: Value, bits: Value) -> Value {
    Value::Array(vec![path, bits])
}

#[test]
fn rfc9237_figure_5_round_trips_and_matches_figure_3() {
    let bytes = figure_5();
    assert_eq!(bytes.len(), 28);
    let aif = AifScope::from_cbor_bytes(&bytes).unwrap();
    assert_eq!(aif.to_cbor_bytes(), bytes);
    assert_eq!(aif.to_string(), FIGURE_3);
    // Table 1: /s/temp GET; /a/led PUT, GET; /dtls POST.
    let built = AifScope::new()
        .allow("/s/temp", RestMethodSet::EMPTY.with(Method::Get))
        .unwrap()
        .allow(
            "/a/led",
            RestMethodSet::EMPTY.with(Method::Put).with(Method::Get),
        )
        .unwrap()
        .allow("/dtls", RestMethodSet::EMPTY.with(Method::Post))
        .unwrap();
    assert_eq!(aif, built);
}

#[test]
fn permits_follows_the_allow_list() {
    let aif = AifScope::from_cbor_bytes(&figure_5()).unwrap();
    assert!(aif.permits(Method::Get, "/s/temp"));
    assert!(!aif.permits(Method::Put, "/s/temp"));
    assert!(aif.permits(Method::Put, "/a/led"));
    assert!(aif.permits(Method::Get, "/a/led"));
    assert!(!aif.permits(Method::Delete, "/a/led"));
    assert!(aif.permits(Method::Post, "/dtls"));
    assert!(!aif.permits(Method::Get, "/dtls"));
    assert!(!aif.permits(Method::Get, "/s/temp/"));
    assert!(!aif.permits(Method::Get, "/unknown"));
    assert!(aif.covers_path("/dtls"));
    assert!(!aif.covers_path("/unknown"));
    // As a binary scope parameter (application/aif+cbor in a byte string).
    let scope = Scope::Binary(figure_5().into());
    assert!(scope.permits(Method::Get, "/s/temp", None));
    assert!(!scope.permits(Method::Fetch, "/s/temp", None));
}

/// RFC 9237 §2.3 Table 2: POST, Dynamic-GET, Dynamic-DELETE on /a/make-coffee.
#[test]
fn dynamic_methods_apply_to_created_resources_only() {
    // POST = 2^1, Dynamic-GET = 2^(0+32), Dynamic-DELETE = 2^(3+32).
    let bits = (1u64 << 1) | (1u64 << 32) | (1u64 << 35);
    let aif = AifScope::from_cbor_bytes(&aif_bytes(Value::Array(vec![entry(
        Value::Text("/a/make-coffee".into()),
        Value::Integer(bits.into()),
    )])))
    .unwrap();
    let methods = aif.methods_on("/a/make-coffee");
    assert_eq!(
        methods,
        RestMethodSet::EMPTY
            .with(Method::Post)
            .with_dynamic(Method::Get)
            .with_dynamic(Method::Delete)
    );
    assert!(aif.permits(Method::Post, "/a/make-coffee"));
    assert!(!aif.permits(Method::Get, "/a/make-coffee"));
    assert!(aif.permits_dynamic(Method::Get, "/a/make-coffee"));
    assert!(aif.permits_dynamic(Method::Delete, "/a/make-coffee"));
    assert!(!aif.permits_dynamic(Method::Post, "/a/make-coffee"));
    assert!(!aif.permits_dynamic(Method::Get, "/other"));
}

#[test]
fn bad_method_sets_are_refused() {
    for bad in [
        Value::Integer((1u64 << 7).into()),
        Value::Integer((1u64 << 31).into()),
        Value::Integer((1u64 << 39).into()),
        Value::Integer((1u64 << 63).into()),
        Value::Integer((-1).into()),
        Value::Text("GET".into()),
        Value::Float(1.0),
    ] {
        let bytes = aif_bytes(Value::Array(vec![
            entry(Value::Text("/ok".into()), Value::Integer(1.into())),
            entry(Value::Text("/bad".into()), bad.clone()),
        ]));
        let err = AifScope::from_cbor_bytes(&bytes).unwrap_err();
        assert_eq!(err, Error::InvalidAifMethodSet(1), "{bad:?}");
        assert_eq!(err.ace_error(), Some(AceErrorCode::InvalidScope));
    }
    assert_eq!(RestMethodSet::from_bits(1 << 7), None);
    assert!(RestMethodSet::from_bits(0x7f | (0x7f << 32)).is_some());
}

#[test]
fn malformed_aif_has_specific_errors() {
    let cases = [
        (aif_bytes(Value::Map(vec![])), Error::MalformedAif),
        (
            aif_bytes(Value::Array(vec![Value::Text("/x".into())])),
            Error::MalformedAif,
        ),
        (
            aif_bytes(Value::Array(vec![Value::Array(vec![
                Value::Text("/x".into()),
                Value::Integer(1.into()),
                Value::Integer(1.into()),
            ])])),
            Error::MalformedAif,
        ),
        (
            aif_bytes(Value::Array(vec![entry(
                Value::Text("s/temp".into()),
                Value::Integer(1.into()),
            )])),
            Error::InvalidAifPath(0),
        ),
        (
            aif_bytes(Value::Array(vec![entry(
                Value::Bytes(b"/s".to_vec()),
                Value::Integer(1.into()),
            )])),
            Error::InvalidAifPath(0),
        ),
        (
            aif_bytes(Value::Array(vec![
                entry(Value::Text("/a".into()), Value::Integer(1.into())),
                entry(Value::Text("/a".into()), Value::Integer(2.into())),
            ])),
            Error::DuplicateAifPath(1),
        ),
        (
            {
                let mut b = figure_5();
                b.push(0x00);
                b
            },
            Error::TrailingBytes(1),
        ),
        (vec![0x83, 0x82], Error::MalformedCbor),
    ];
    for (bytes, expected) in cases {
        assert_eq!(AifScope::from_cbor_bytes(&bytes).unwrap_err(), expected);
    }
}

#[test]
fn narrowing_intersects_paths_and_methods() {
    let requested = AifScope::new()
        .allow(
            "/s/temp",
            RestMethodSet::EMPTY.with(Method::Get).with(Method::Put),
        )
        .unwrap()
        .allow("/a/led", RestMethodSet::EMPTY.with(Method::Get))
        .unwrap();
    let allowed = AifScope::from_cbor_bytes(&figure_5()).unwrap();
    let granted = requested.intersect(&allowed).unwrap();
    assert_eq!(granted.to_string(), r#"[["/s/temp",1],["/a/led",1]]"#);
    assert!(granted.is_subset_of(&requested));
    assert!(granted.is_subset_of(&allowed));
    assert!(!requested.is_subset_of(&allowed));
    // Through the Scope wrapper (binary scopes holding AIF).
    let granted_scope = Scope::aif(&requested)
        .intersect(&Scope::aif(&allowed))
        .unwrap();
    assert_eq!(granted_scope, Scope::aif(&granted));
    assert!(granted_scope.is_subset_of(&Scope::aif(&requested)));
    // Nothing in common.
    let other = AifScope::new()
        .allow("/x", RestMethodSet::EMPTY.with(Method::Get))
        .unwrap();
    assert_eq!(requested.intersect(&other), None);
}

#[test]
fn allow_merges_entries_for_the_same_path() {
    let aif = AifScope::new()
        .allow("/a", RestMethodSet::EMPTY.with(Method::Get))
        .unwrap()
        .allow("/a", RestMethodSet::EMPTY.with(Method::Put))
        .unwrap();
    assert_eq!(aif.entries().len(), 1);
    assert_eq!(aif.to_string(), r#"[["/a",5]]"#);
    assert_eq!(
        AifScope::new()
            .allow("a", RestMethodSet::EMPTY)
            .unwrap_err(),
        Error::InvalidAifPath(0)
    );
}

fn aif() -> impl Strategy<Value = AifScope> {
    proptest::collection::btree_map("/[a-c]{0,2}", (0u64..128, 0u64..128), 0..5).prop_map(|m| {
        m.into_iter().fold(AifScope::new(), |acc, (p, (lo, hi))| {
            acc.allow(&p, RestMethodSet::from_bits(lo | (hi << 32)).unwrap())
                .unwrap()
        })
    })
}

const METHODS: [Method; 7] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Delete,
    Method::Fetch,
    Method::Patch,
    Method::IPatch,
];

proptest! {
    #[test]
    fn aif_round_trips(a in aif()) {
        let bytes = a.to_cbor_bytes();
        prop_assert_eq!(AifScope::from_cbor_bytes(&bytes).unwrap(), a);
    }

    /// permits(a ∩ b) ⇔ permits(a) ∧ permits(b), for every method and path.
    #[test]
    fn intersection_permits_exactly_what_both_permit(a in aif(), b in aif()) {
        let i = a.intersect(&b).unwrap_or_default();
        prop_assert!(i.is_subset_of(&a) && i.is_subset_of(&b));
        for path in ["/", "/a", "/b", "/c", "/ab", "/ca"] {
            for m in METHODS {
                prop_assert_eq!(i.permits(m, path), a.permits(m, path) && b.permits(m, path));
                prop_assert_eq!(
                    i.permits_dynamic(m, path),
                    a.permits_dynamic(m, path) && b.permits_dynamic(m, path)
                );
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = AifScope::from_cbor_bytes(&bytes);
    }
}
