//! RFC 9237 AIF-REST: `[* [local-path, REST-method-set]]`.

mod compact;

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use ciborium::Value;

use crate::Error;
use crate::env::Method;

/// RFC 9237 §3: `Dynamic-Offset = 32`.
pub const DYNAMIC_OFFSET: u32 = 32;

/// The bits `methods` defines: GET..iPATCH (0..=6) and Dynamic-GET..Dynamic-iPATCH (32..=38).
const VALID_BITS: u64 = 0x7F | (0x7F << DYNAMIC_OFFSET);

/// RFC 9237 §3 `REST-method-set = uint .bits methods`: bit `n` is the CoAP method number
/// minus 1; bit `n + 32` is its Dynamic-X variant (§2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RestMethodSet(u64);

impl RestMethodSet {
    /// The empty set.
    pub const EMPTY: RestMethodSet = RestMethodSet(0);

    /// A set from its bitmap.
    ///
    /// Returns `None` when a bit outside `methods` (0..=6, 32..=38) is set.
    #[must_use]
    pub const fn from_bits(bits: u64) -> Option<Self> {
        if bits & !VALID_BITS == 0 {
            Some(RestMethodSet(bits))
        } else {
            None
        }
    }

    /// The bitmap.
    #[must_use]
    pub const fn bits(self) -> u64 {
        self.0
    }

    const fn bit(method: Method) -> u64 {
        1 << (method.code() - 1)
    }

    /// This set plus `method`.
    #[must_use]
    pub const fn with(self, method: Method) -> Self {
        RestMethodSet(self.0 | Self::bit(method))
    }

    /// This set plus Dynamic-`method` (RFC 9237 §2.3).
    #[must_use]
    pub const fn with_dynamic(self, method: Method) -> Self {
        RestMethodSet(self.0 | (Self::bit(method) << DYNAMIC_OFFSET))
    }

    /// Whether `method` is allowed on the resource itself.
    #[must_use]
    pub const fn allows(self, method: Method) -> bool {
        self.0 & Self::bit(method) != 0
    }

    /// Whether `method` is allowed on resources created from this one (RFC 9237 §2.3).
    #[must_use]
    pub const fn allows_dynamic(self, method: Method) -> bool {
        self.0 & (Self::bit(method) << DYNAMIC_OFFSET) != 0
    }

    /// Methods in both sets.
    #[must_use]
    pub const fn intersect(self, other: RestMethodSet) -> RestMethodSet {
        RestMethodSet(self.0 & other.0)
    }

    /// Methods in either set (RFC 9237 §3: entries for the same path are merged).
    #[must_use]
    pub const fn union(self, other: RestMethodSet) -> RestMethodSet {
        RestMethodSet(self.0 | other.0)
    }

    /// Whether no method is allowed.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every method of `self` is in `other`.
    #[must_use]
    pub const fn is_subset_of(self, other: RestMethodSet) -> bool {
        self.0 & !other.0 == 0
    }
}

/// One AIF-REST entry: a local path and the methods allowed on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AifEntry {
    path: String,
    methods: RestMethodSet,
}

impl AifEntry {
    /// The URI-local-part (absolute path, optionally with query).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The permitted methods.
    #[must_use]
    pub fn methods(&self) -> RestMethodSet {
        self.methods
    }
}

/// An RFC 9237 AIF-REST authorization: an allow-list of `(path, methods)` with unique paths.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AifScope {
    entries: Vec<AifEntry>,
}

impl AifScope {
    /// The empty allow-list (nothing permitted).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `methods` on `path`; RFC 9237 §3 merges entries for the same path (union).
    ///
    /// # Errors
    /// [`Error::InvalidAifPath`] if `path` does not start with `/`.
    pub fn allow(mut self, path: &str, methods: RestMethodSet) -> Result<Self, Error> {
        if !path.starts_with('/') {
            return Err(Error::InvalidAifPath(self.entries.len()));
        }
        match self.entries.iter_mut().find(|e| e.path == path) {
            Some(e) => e.methods = e.methods.union(methods),
            None => self.entries.push(AifEntry {
                path: String::from(path),
                methods,
            }),
        }
        Ok(self)
    }

    /// The entries in order.
    #[must_use]
    pub fn entries(&self) -> &[AifEntry] {
        &self.entries
    }

    /// The methods allowed on `path` (empty if the path is not listed).
    #[must_use]
    pub fn methods_on(&self, path: &str) -> RestMethodSet {
        self.entries
            .iter()
            .find(|e| e.path == path)
            .map_or(RestMethodSet::EMPTY, |e| e.methods)
    }

    /// RFC 9237 §2 (allow-list): whether `method` on `path` is permitted.
    #[must_use]
    pub fn permits(&self, method: Method, path: &str) -> bool {
        self.methods_on(path).allows(method)
    }

    /// RFC 9237 §2.3: whether `method` is permitted on a resource that was created (and
    /// returned by a Location-indicating mechanism) by a request to `created_from`.
    #[must_use]
    pub fn permits_dynamic(&self, method: Method, created_from: &str) -> bool {
        self.methods_on(created_from).allows_dynamic(method)
    }

    /// Whether `path` is listed at all (RFC 9200 §5.10.2: 4.03 versus 4.05).
    #[must_use]
    pub fn covers_path(&self, path: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.path == path && !e.methods.is_empty())
    }

    /// The permissions in both (scope narrowing: requested ∩ allowed); entries left with no
    /// method are dropped; `None` if nothing remains.
    #[must_use]
    pub fn intersect(&self, other: &AifScope) -> Option<AifScope> {
        let entries: Vec<AifEntry> = self
            .entries
            .iter()
            .filter_map(|e| {
                let methods = e.methods.intersect(other.methods_on(&e.path));
                (!methods.is_empty()).then(|| AifEntry {
                    path: e.path.clone(),
                    methods,
                })
            })
            .collect();
        (!entries.is_empty()).then_some(AifScope { entries })
    }

    /// Whether every permission of `self` is also in `other`.
    #[must_use]
    pub fn is_subset_of(&self, other: &AifScope) -> bool {
        self.entries
            .iter()
            .all(|e| e.methods.is_subset_of(other.methods_on(&e.path)))
    }

    /// The CBOR data item (RFC 9237 §3, Figure 5 shape).
    #[must_use]
    pub fn to_cbor_value(&self) -> Value {
        Value::Array(
            self.entries
                .iter()
                .map(|e| {
                    Value::Array(alloc::vec![
                        Value::Text(e.path.clone()),
                        Value::Integer(e.methods.bits().into()),
                    ])
                })
                .collect(),
        )
    }

    /// Strictly parses the CBOR data item.
    ///
    /// # Errors
    /// [`Error::MalformedAif`], [`Error::InvalidAifPath`], [`Error::InvalidAifMethodSet`],
    /// [`Error::DuplicateAifPath`].
    pub fn from_cbor_value(value: Value) -> Result<Self, Error> {
        let Value::Array(items) = value else {
            return Err(Error::MalformedAif);
        };
        let mut scope = AifScope {
            entries: Vec::with_capacity(items.len()),
        };
        let mut seen = BTreeSet::new();
        for (index, item) in items.into_iter().enumerate() {
            let Value::Array(pair) = item else {
                return Err(Error::MalformedAif);
            };
            let [path, methods]: [Value; 2] = pair.try_into().map_err(|_| Error::MalformedAif)?;
            let Value::Text(path) = path else {
                return Err(Error::InvalidAifPath(index));
            };
            if !path.starts_with('/') {
                return Err(Error::InvalidAifPath(index));
            }
            let Value::Integer(bits) = methods else {
                return Err(Error::InvalidAifMethodSet(index));
            };
            let methods = u64::try_from(bits)
                .ok()
                .and_then(RestMethodSet::from_bits)
                .ok_or(Error::InvalidAifMethodSet(index))?;
            if !seen.insert(path.clone()) {
                return Err(Error::DuplicateAifPath(index));
            }
            scope.entries.push(AifEntry { path, methods });
        }
        Ok(scope)
    }

    /// The `application/aif+cbor` encoding (RFC 9237 §5.1.1), carried in a binary scope.
    #[must_use]
    pub fn to_cbor_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing an array of text/uint pairs into a Vec cannot fail.
        let _ = ciborium::into_writer(&self.to_cbor_value(), &mut out);
        out
    }

    /// Strictly decodes `application/aif+cbor` bytes (exactly one item, no trailing bytes).
    ///
    /// # Errors
    /// [`Error::MalformedCbor`], [`Error::TrailingBytes`] and those of
    /// [`AifScope::from_cbor_value`].
    pub fn from_cbor_bytes(bytes: &[u8]) -> Result<Self, Error> {
        // The common shape is read in place; everything else, and every error, comes from the
        // general path below (the `compact` tests check both agree).
        if let Some(scope) = compact::decode(bytes) {
            return Ok(scope);
        }
        Self::from_cbor_bytes_general(bytes)
    }

    /// [`AifScope::from_cbor_bytes`] for every encoding, through a `ciborium::Value`.
    fn from_cbor_bytes_general(bytes: &[u8]) -> Result<Self, Error> {
        let mut rest = bytes;
        let value: Value = ciborium::from_reader(&mut rest).map_err(|_| Error::MalformedCbor)?;
        if !rest.is_empty() {
            return Err(Error::TrailingBytes(rest.len()));
        }
        Self::from_cbor_value(value)
    }
}

impl fmt::Display for AifScope {
    /// The JSON form of RFC 9237 Figure 3.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "[{:?},{}]", e.path, e.methods.bits())?;
        }
        f.write_str("]")
    }
}
