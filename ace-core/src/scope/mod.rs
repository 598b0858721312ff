//! Scopes (RFC 9200 §5.8.1, RFC 6749 §3.3, RFC 9237): text, binary and AIF.
//!
//! On the wire a scope is a text string or a byte string (RFC 9200 Table 5: "text or byte
//! string"). A binary scope is opaque to the framework (§5.8.1: "its syntax is left to the
//! profile or application"); RFC 9237 AIF is the binary format this crate understands.

mod aif;
mod binary;
mod dictionary;
mod text;

pub use aif::{AifEntry, AifScope, DYNAMIC_OFFSET, RestMethodSet};
pub use binary::BinaryScope;
pub use dictionary::ScopeDictionary;
pub use text::TextScope;

use ciborium::Value;

use crate::Error;
use crate::env::Method;

/// The value of a `scope` parameter or claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// RFC 6749 §3.3: space-separated scope tokens.
    Text(TextScope),
    /// RFC 9200 §5.8.1: an application-defined byte string (e.g. AIF, RFC 9237).
    Binary(BinaryScope),
}

impl Scope {
    /// A binary scope carrying `aif` in `application/aif+cbor` form.
    #[must_use]
    pub fn aif(aif: &AifScope) -> Self {
        Scope::Binary(BinaryScope::from(aif.to_cbor_bytes()))
    }

    /// The CBOR value (text or byte string).
    #[must_use]
    pub fn to_cbor_value(&self) -> Value {
        match self {
            Scope::Text(t) => Value::Text(alloc::string::String::from(t.as_str())),
            Scope::Binary(b) => Value::Bytes(b.as_bytes().to_vec()),
        }
    }

    /// Strictly parses a CBOR value: a text string must follow RFC 6749 §3.3; a byte string
    /// is kept as is.
    ///
    /// # Errors
    /// [`Error::WrongType`] for other types, and the [`TextScope::parse`] errors.
    pub fn from_cbor_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::Text(t) => TextScope::parse(&t).map(Scope::Text),
            Value::Bytes(b) => Ok(Scope::Binary(BinaryScope::from(b))),
            _ => Err(Error::WrongType {
                parameter: "scope",
                expected: "a text or byte string",
            }),
        }
    }

    /// The scope as AIF: a binary scope decoded as `application/aif+cbor`, or a text scope
    /// translated token by token through `dictionary`.
    ///
    /// # Errors
    /// [`Error::ScopeNotAif`] for a text scope without dictionary or with a token the
    /// dictionary does not know; the [`AifScope::from_cbor_bytes`] errors for binary scopes.
    pub fn to_aif(&self, dictionary: Option<&ScopeDictionary>) -> Result<AifScope, Error> {
        match (self, dictionary) {
            (Scope::Binary(b), _) => AifScope::from_cbor_bytes(b.as_bytes()),
            (Scope::Text(t), Some(d)) => d.resolve(t),
            (Scope::Text(_), None) => Err(Error::ScopeNotAif),
        }
    }

    /// RFC 9200 §5.10.2: whether this scope permits `method` on `path`. Anything that cannot
    /// be interpreted (see [`Scope::to_aif`]) permits nothing.
    #[must_use]
    pub fn permits(
        &self,
        method: Method,
        path: &str,
        dictionary: Option<&ScopeDictionary>,
    ) -> bool {
        self.to_aif(dictionary)
            .is_ok_and(|aif| aif.permits(method, path))
    }

    /// Scope narrowing by the AS (RFC 6749 §3.3): the part of `self` (requested) that
    /// `allowed` also grants. Text scopes intersect by token, AIF scopes by path and method;
    /// other binary scopes are opaque and survive only when equal. `None` when nothing
    /// remains or the formats differ.
    #[must_use]
    pub fn intersect(&self, allowed: &Scope) -> Option<Scope> {
        match (self, allowed) {
            (Scope::Text(a), Scope::Text(b)) => a.intersect(b).map(Scope::Text),
            (Scope::Binary(a), Scope::Binary(b)) => {
                match (
                    AifScope::from_cbor_bytes(a.as_bytes()),
                    AifScope::from_cbor_bytes(b.as_bytes()),
                ) {
                    (Ok(x), Ok(y)) => x.intersect(&y).map(|i| Scope::aif(&i)),
                    _ => (a == b).then(|| self.clone()),
                }
            }
            _ => None,
        }
    }

    /// Whether `self` grants nothing beyond `other` (a granted scope against the requested
    /// one).
    #[must_use]
    pub fn is_subset_of(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::Text(a), Scope::Text(b)) => a.is_subset_of(b),
            (Scope::Binary(a), Scope::Binary(b)) => {
                match (
                    AifScope::from_cbor_bytes(a.as_bytes()),
                    AifScope::from_cbor_bytes(b.as_bytes()),
                ) {
                    (Ok(x), Ok(y)) => x.is_subset_of(&y),
                    _ => a == b,
                }
            }
            _ => false,
        }
    }
}

impl From<TextScope> for Scope {
    fn from(t: TextScope) -> Self {
        Scope::Text(t)
    }
}

impl From<BinaryScope> for Scope {
    fn from(b: BinaryScope) -> Self {
        Scope::Binary(b)
    }
}
