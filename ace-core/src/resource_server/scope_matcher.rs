//! How an RS reads a token's `scope` and matches it to a request.
//!
//! RFC 9200 §5.10.1.1: "The RS must recognize value of the "scope" claim"; §5.10.2: "Matching
//! the claims of the access token (e.g., "scope") to a specific request is application
//! specific." The RS engine is generic over this trait; [`AifScopes`] is the RFC 9237 reading.

use ciborium::Value;

use crate::env::Method;
use crate::scope::{AifScope, ScopeDictionary, TextScope};

/// What a recognized scope says about one request (RFC 9200 §5.10.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeDecision {
    /// The scope covers this method on this resource.
    Allow,
    /// The scope does not cover the resource at all: 4.03.
    ResourceNotCovered,
    /// The scope covers the resource, but not this method: 4.05.
    MethodNotCovered,
}

/// The application's reading of the `scope` claim.
pub trait ScopeMatcher {
    /// A recognized scope.
    type Scope: Clone + core::fmt::Debug + PartialEq;

    /// RFC 9200 §5.10.1.1: the scope, if this RS recognizes the value (`None` refuses the
    /// token with 4.00).
    fn recognize(&self, scope: &Value) -> Option<Self::Scope>;

    /// RFC 9200 §5.10.2: whether `scope` covers `method` on `path`.
    fn decide(&self, scope: &Self::Scope, method: Method, path: &str) -> ScopeDecision;
}

/// RFC 9237 AIF-REST scopes: a byte string holding `application/aif+cbor`, or (with a
/// dictionary) a text scope whose tokens name AIF permissions.
#[derive(Clone, Debug, Default)]
pub struct AifScopes {
    dictionary: Option<ScopeDictionary>,
}

impl AifScopes {
    /// Binary AIF scopes only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also text scopes, translated through `dictionary`.
    pub fn with_dictionary(dictionary: ScopeDictionary) -> Self {
        Self {
            dictionary: Some(dictionary),
        }
    }
}

impl ScopeMatcher for AifScopes {
    type Scope = AifScope;

    /// As [`crate::Scope::from_cbor_value`] then [`crate::Scope::to_aif`], without copying the value:
    /// a byte string is `application/aif+cbor`, a text string (RFC 6749 §3.3 syntax) needs the
    /// dictionary.
    fn recognize(&self, scope: &Value) -> Option<AifScope> {
        match scope {
            Value::Bytes(b) => AifScope::from_cbor_bytes(b).ok(),
            Value::Text(t) => self
                .dictionary
                .as_ref()?
                .resolve(&TextScope::parse(t).ok()?)
                .ok(),
            _ => None,
        }
    }

    fn decide(&self, scope: &AifScope, method: Method, path: &str) -> ScopeDecision {
        if !scope.covers_path(path) {
            ScopeDecision::ResourceNotCovered
        } else if scope.permits(method, path) {
            ScopeDecision::Allow
        } else {
            ScopeDecision::MethodNotCovered
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::{RestMethodSet, Scope};
    use alloc::string::String;

    /// The reading `recognize` stands for: parse the value as a `Scope`, then as AIF.
    fn by_scope(m: &AifScopes, v: &Value) -> Option<AifScope> {
        Scope::from_cbor_value(v.clone())
            .ok()?
            .to_aif(m.dictionary.as_ref())
            .ok()
    }

    #[test]
    fn recognize_equals_scope_then_aif() {
        let read = AifScope::new()
            .allow("/r", RestMethodSet::EMPTY.with(Method::Get))
            .unwrap();
        let dictionary = ScopeDictionary::new().define("read", read.clone());
        let values = [
            Value::Bytes(read.to_cbor_bytes()),
            Value::Bytes(alloc::vec![0x81, 0x82, 0x61, b'r', 0x01]),
            Value::Bytes(alloc::vec![]),
            Value::Text("read".into()),
            Value::Text("read unknown".into()),
            Value::Text("bad\"scope".into()),
            Value::Text(String::new()),
            Value::Integer(1.into()),
        ];
        let mut recognized = 0;
        for m in [AifScopes::new(), AifScopes::with_dictionary(dictionary)] {
            for v in &values {
                let got = m.recognize(v);
                assert_eq!(got, by_scope(&m, v), "{v:?}");
                recognized += usize::from(got.is_some());
            }
        }
        assert_eq!(
            recognized, 3,
            "bytes twice, the text token with the dictionary"
        );
    }
}
