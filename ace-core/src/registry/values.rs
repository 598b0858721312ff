//! Value registries: error codes, grant types, token types, profiles, Content-Formats.

use core::fmt;

/// Declares an integer-coded registry enum with an `Unregistered` escape for values other
/// documents may register later (kept, never refused).
macro_rules! value_registry {
    (
        $(#[$doc:meta])* $name:ident : $int:ty {
            $( $(#[$vdoc:meta])* $variant:ident = $value:literal, $text:literal; )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value this crate does not know; kept as received.
            Unregistered($int),
        }

        impl $name {
            /// Every registered value.
            pub const REGISTERED: &[$name] = &[$($name::$variant),*];

            /// The CBOR abbreviation.
            #[must_use]
            pub const fn value(self) -> $int {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unregistered(v) => v,
                }
            }

            /// The value for a CBOR abbreviation (unknown values are `Unregistered`).
            #[must_use]
            pub const fn from_value(value: $int) -> Self {
                match value {
                    $( $value => $name::$variant, )*
                    other => $name::Unregistered(other),
                }
            }

            /// The registered name (for JSON and for humans; RFC 9200 §5.8.4.3: never on
            /// the wire in CBOR).
            #[must_use]
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($text), )*
                    $name::Unregistered(_) => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "unregistered({})", self.value()),
                }
            }
        }
    };
}

value_registry! {
    /// RFC 9200 §5.8.3 Table 3 (§8.4): CBOR abbreviations of the error codes.
    AceErrorCode: i64 {
        /// RFC 6749 §5.2.
        InvalidRequest = 1, "invalid_request";
        /// RFC 6749 §5.2 (RFC 9200 §5.8.3: 4.01 MAY be used).
        InvalidClient = 2, "invalid_client";
        /// RFC 6749 §5.2.
        InvalidGrant = 3, "invalid_grant";
        /// RFC 6749 §5.2; RFC 9200 §5.2 for unauthorized resource requests.
        UnauthorizedClient = 4, "unauthorized_client";
        /// RFC 6749 §5.2.
        UnsupportedGrantType = 5, "unsupported_grant_type";
        /// RFC 6749 §5.2.
        InvalidScope = 6, "invalid_scope";
        /// RFC 9200 §5.8.3: an asymmetric PoP key the RS cannot process.
        UnsupportedPopKey = 7, "unsupported_pop_key";
        /// RFC 9200 §5.8.3: client and RS share no profile.
        IncompatibleAceProfiles = 8, "incompatible_ace_profiles";
    }
}

value_registry! {
    /// RFC 9200 §5.8.4.1 Table 4 (§8.5): CBOR abbreviations of the grant types.
    GrantType: u64 {
        /// RFC 6749 §4.3.2.
        Password = 0, "password";
        /// RFC 6749 §4.1.3.
        AuthorizationCode = 1, "authorization_code";
        /// RFC 6749 §4.4.2; RFC 9200 §5.8.1: the default when `grant_type` is absent.
        ClientCredentials = 2, "client_credentials";
        /// RFC 6749 §6.
        RefreshToken = 3, "refresh_token";
    }
}

value_registry! {
    /// RFC 9200 §5.8.4.2, §8.7.1: CBOR abbreviations of the token types.
    TokenType: i64 {
        /// RFC 6750.
        Bearer = 1, "Bearer";
        /// RFC 9200 §5.8.4.2: proof-of-possession, the default (§5.8.2).
        PoP = 2, "PoP";
    }
}

value_registry! {
    /// RFC 9200 §5.8.4.3, §8.8: ACE profile identifiers (RFC 9202 §9, RFC 9203 §9.1).
    AceProfile: i64 {
        /// RFC 9202: the DTLS profile.
        CoapDtls = 1, "coap_dtls";
        /// RFC 9203: the OSCORE profile.
        CoapOscore = 2, "coap_oscore";
    }
}

/// A CoAP Content-Format number (RFC 7252 §12.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentFormat(pub u16);

impl ContentFormat {
    /// RFC 9200 §8.16: `application/ace+cbor`, the format of every ACE CBOR payload (§5).
    pub const ACE_CBOR: ContentFormat = ContentFormat(19);
    /// RFC 8392 §9.3: `application/cwt`, for tokens POSTed to `/authz-info` (§5.10.1).
    pub const CWT: ContentFormat = ContentFormat(61);
    /// RFC 7252 §12.3: `application/octet-stream`, for other tokens (RFC 9200 §5.10.1).
    pub const OCTET_STREAM: ContentFormat = ContentFormat(42);
    /// RFC 9237 §5.3: `application/aif+cbor`.
    pub const AIF_CBOR: ContentFormat = ContentFormat(290);
    /// RFC 9237 §5.3: `application/aif+json`.
    pub const AIF_JSON: ContentFormat = ContentFormat(291);
}

impl fmt::Display for ContentFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            ContentFormat::ACE_CBOR => "application/ace+cbor",
            ContentFormat::CWT => "application/cwt",
            ContentFormat::OCTET_STREAM => "application/octet-stream",
            ContentFormat::AIF_CBOR => "application/aif+cbor",
            ContentFormat::AIF_JSON => "application/aif+json",
            ContentFormat(n) => return write!(f, "Content-Format {n}"),
        };
        f.write_str(name)
    }
}

/// RFC 9200 §8.2: the resource type of the authz-info endpoint.
pub const AUTHZ_INFO_RESOURCE_TYPE: &str = "ace.ai";
