//! application/csrattrs (Content-Format 285), the /att response (RFC 7030 §4.5.2,
//! RFC 9148 §5.3).
//!
//! ```text
//! CsrAttrs ::= SEQUENCE SIZE (0..MAX) OF AttrOrOID
//! AttrOrOID ::= CHOICE { oid OBJECT IDENTIFIER, attribute Attribute }
//! Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET SIZE(1..MAX) OF ANY }
//! ```
//!
//! OIDs are kept as their DER content bytes: RFC 7030's own example uses arcs like `2.999.1`
//! that `const-oid` cannot represent.

use crate::error::Error;
use alloc::string::String;
use alloc::vec::Vec;
use der::asn1::{Any, ObjectIdentifier};
use der::{Decode, Encode, Reader, SliceReader, Tag, Tagged};

const BAD: Error = Error::MalformedDer { what: "csrattrs" };

/// An OBJECT IDENTIFIER as its DER content octets (X.690 §8.19), checked to be well formed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Oid(Vec<u8>);

impl Oid {
    /// Checks X.690 §8.19: non-empty, every subidentifier minimal and terminated.
    ///
    /// # Errors
    /// [`Error::MalformedDer`].
    pub fn from_content(bytes: &[u8]) -> Result<Oid, Error> {
        let mut start = true;
        for b in bytes {
            if start && *b == 0x80 {
                return Err(BAD);
            }
            start = b & 0x80 == 0;
        }
        if bytes.is_empty() || !start {
            return Err(BAD);
        }
        Ok(Oid(bytes.to_vec()))
    }

    /// The content octets.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<ObjectIdentifier> for Oid {
    fn from(o: ObjectIdentifier) -> Oid {
        Oid(o.as_bytes().to_vec())
    }
}

impl core::fmt::Display for Oid {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut arcs: Vec<u128> = Vec::new();
        let mut acc: u128 = 0;
        for b in &self.0 {
            acc = (acc << 7) | u128::from(b & 0x7f);
            if b & 0x80 == 0 {
                arcs.push(acc);
                acc = 0;
            }
        }
        let mut s = String::new();
        for (i, a) in arcs.iter().enumerate() {
            if i == 0 {
                let (x, y) = match *a {
                    a if a < 40 => (0, a),
                    a if a < 80 => (1, a - 40),
                    a => (2, a - 80),
                };
                s.push_str(&alloc::format!("{x}.{y}"));
            } else {
                s.push_str(&alloc::format!(".{a}"));
            }
        }
        f.write_str(&s)
    }
}

/// RFC 7030 §4.5.2: one entry of a CsrAttrs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrOrOid {
    /// An OID the client should use (an attribute type, an algorithm, ...).
    Oid(Oid),
    /// An attribute type with its values (each a complete DER element).
    Attribute {
        /// The attribute type.
        oid: Oid,
        /// The values, in DER SET OF order.
        values: Vec<Any>,
    },
}

/// RFC 7030 §4.5.2: the CSR attributes a server asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsrAttrs {
    /// The entries, in order.
    pub entries: Vec<AttrOrOid>,
}

fn oid_of(any: &Any) -> Result<Oid, Error> {
    if any.tag() != Tag::ObjectIdentifier {
        return Err(BAD);
    }
    Oid::from_content(any.value())
}

fn elements(content: &[u8]) -> Result<Vec<Any>, Error> {
    let mut r = SliceReader::new(content).map_err(|_| BAD)?;
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(Any::decode(&mut r).map_err(|_| BAD)?);
    }
    Ok(out)
}

fn attribute(item: &Any) -> Result<AttrOrOid, Error> {
    let parts = elements(item.value())?;
    let [oid, set] = parts.as_slice() else {
        return Err(BAD);
    };
    if set.tag() != Tag::Set {
        return Err(BAD);
    }
    let values = elements(set.value())?;
    if values.is_empty() {
        return Err(BAD);
    }
    Ok(AttrOrOid::Attribute {
        oid: oid_of(oid)?,
        values,
    })
}

impl CsrAttrs {
    /// Decodes a CsrAttrs strictly (DER, SET OF in order, no trailing bytes).
    ///
    /// # Errors
    /// [`Error::MalformedDer`] for anything else.
    pub fn from_der(input: &[u8]) -> Result<Self, Error> {
        let items: Vec<Any> = Vec::from_der(input).map_err(|_| BAD)?;
        let mut entries = Vec::new();
        for item in &items {
            entries.push(match item.tag() {
                Tag::ObjectIdentifier => AttrOrOid::Oid(oid_of(item)?),
                Tag::Sequence => attribute(item)?,
                _ => return Err(BAD),
            });
        }
        let out = CsrAttrs { entries };
        if out.to_der()? != input {
            return Err(BAD);
        }
        Ok(out)
    }

    /// Encodes the CsrAttrs as DER (SET OF values sorted, X.690 §11.6).
    ///
    /// # Errors
    /// [`Error::MalformedDer`] if an entry cannot be encoded.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let mut items = Vec::new();
        for e in &self.entries {
            let any = match e {
                AttrOrOid::Oid(o) => Any::new(Tag::ObjectIdentifier, o.0.clone()),
                AttrOrOid::Attribute { oid, values } => {
                    let mut encoded = Vec::new();
                    for v in values {
                        encoded.push(v.to_der().map_err(|_| BAD)?);
                    }
                    encoded.sort();
                    let set = Any::new(Tag::Set, encoded.concat()).map_err(|_| BAD)?;
                    let oid = Any::new(Tag::ObjectIdentifier, oid.0.clone()).map_err(|_| BAD)?;
                    let body = [
                        oid.to_der().map_err(|_| BAD)?,
                        set.to_der().map_err(|_| BAD)?,
                    ]
                    .concat();
                    Any::new(Tag::Sequence, body)
                }
            }
            .map_err(|_| BAD)?;
            items.push(any);
        }
        items.to_der().map_err(|_| BAD)
    }

    /// Whether the server asks for this OID (alone or as an attribute type).
    #[must_use]
    pub fn mentions(&self, oid: ObjectIdentifier) -> bool {
        let oid = Oid::from(oid);
        self.entries.iter().any(|e| match e {
            AttrOrOid::Oid(o) => *o == oid,
            AttrOrOid::Attribute { oid: o, .. } => *o == oid,
        })
    }
}
