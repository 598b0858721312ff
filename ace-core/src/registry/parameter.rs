//! A registry entry: name, CBOR key, value type and the defining section.

/// The CBOR value type a registry entry requires (RFC 9200 Tables 1, 5 and 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// Major type 2.
    ByteString,
    /// Major type 3.
    TextString,
    /// Major type 0.
    UnsignedInteger,
    /// Major type 0 or 1.
    Integer,
    /// Major type 2 or 3 (`scope`).
    TextOrByteString,
    /// Integer or floating-point NumericDate (`exp`, `nbf`, `iat`).
    IntegerOrFloat,
    /// `true` or `false` (`active`).
    Boolean,
    /// A map (`cnf`, `req_cnf`, `rs_cnf`: RFC 8747 §3.1 confirmation).
    Map,
}

impl ValueType {
    /// The name used in error messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ValueType::ByteString => "a byte string",
            ValueType::TextString => "a text string",
            ValueType::UnsignedInteger => "an unsigned integer",
            ValueType::Integer => "an integer",
            ValueType::TextOrByteString => "a text or byte string",
            ValueType::IntegerOrFloat => "an integer or a floating-point number",
            ValueType::Boolean => "true or false",
            ValueType::Map => "a map",
        }
    }
}

/// One entry of a CBOR mapping registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Parameter {
    /// The parameter name as registered (`access_token`, `req_cnf`, ...).
    pub name: &'static str,
    /// The CBOR map key.
    pub key: i64,
    /// The required value type.
    pub value_type: ValueType,
    /// The document and section that define the abbreviation.
    pub section: &'static str,
}

impl Parameter {
    /// Look up an entry by CBOR key in a table.
    #[must_use]
    pub fn by_key(table: &'static [Parameter], key: i64) -> Option<&'static Parameter> {
        table.iter().find(|p| p.key == key)
    }

    /// Look up an entry by name in a table.
    #[must_use]
    pub fn by_name(table: &'static [Parameter], name: &str) -> Option<&'static Parameter> {
        table.iter().find(|p| p.name == name)
    }
}

/// Declares `pub const NAME: Parameter` entries and the `ALL` table of one registry.
macro_rules! parameter_table {
    ($( $(#[$doc:meta])* $konst:ident = $name:literal, $key:literal, $ty:ident, $section:literal; )*) => {
        $(
            $(#[$doc])*
            pub const $konst: $crate::registry::Parameter = $crate::registry::Parameter {
                name: $name,
                key: $key,
                value_type: $crate::registry::ValueType::$ty,
                section: $section,
            };
        )*
        /// Every entry of this table, in key order.
        pub const ALL: &[$crate::registry::Parameter] = &[$($konst),*];
    };
}
pub(crate) use parameter_table;
