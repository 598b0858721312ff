//! Option classes E/I/U (RFC 8613 §4.1, Figure 5) and the options with special rules (§4.1.3).

/// If-Match (RFC 7252).
pub const IF_MATCH: u16 = 1;
/// Uri-Host (RFC 7252): class U.
pub const URI_HOST: u16 = 3;
/// Observe (RFC 7641): class E and U (§4.1.3.5).
pub const OBSERVE: u16 = 6;
/// Uri-Port (RFC 7252): class U.
pub const URI_PORT: u16 = 7;
/// Uri-Path (RFC 7252): class E.
pub const URI_PATH: u16 = 11;
/// Max-Age (RFC 7252): class E; an outer Max-Age only on unprotected error responses (§4.1.3.1).
pub const MAX_AGE: u16 = 14;
/// Uri-Query (RFC 7252): class E.
pub const URI_QUERY: u16 = 15;
/// Block2 (RFC 7959): inner (class E) when the endpoint does block-wise inside OSCORE (§4.1.3.4.1).
pub const BLOCK2: u16 = 23;
/// Block1 (RFC 7959): see [`BLOCK2`].
pub const BLOCK1: u16 = 27;
/// Size2 (RFC 7959).
pub const SIZE2: u16 = 28;
/// Proxy-Uri (RFC 7252): class U after decomposition (§4.1.3.3).
pub const PROXY_URI: u16 = 35;
/// Proxy-Scheme (RFC 7252): class U.
pub const PROXY_SCHEME: u16 = 39;
/// Size1 (RFC 7959).
pub const SIZE1: u16 = 60;
/// Echo (RFC 9175 §2.2): class E.
pub const ECHO: u16 = 252;
/// No-Response (RFC 7967): inner only when used with OSCORE (§4.1.3.7... "MUST be Inner").
pub const NO_RESPONSE: u16 = 258;
/// Request-Tag (RFC 9175 §3.3): class E.
pub const REQUEST_TAG: u16 = 292;

/// How an option of the unprotected message is carried (RFC 8613 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionClass {
    /// Class E: encrypted and integrity-protected inside the plaintext.
    Inner,
    /// Class U: sent in the clear in the outer message.
    Outer,
    /// Both an inner and an outer field (Observe, §4.1.3.5).
    Both,
}

/// RFC 8613 §4.1 / Figure 5: the class of an option of the message being protected. Block1/2 and
/// Size1/2 present in the message given to `protect` are the application's (inner, §4.1.3.4.1);
/// outer block-wise is a transport step after protection. Unknown options are class E (§4.1).
pub fn classify(number: u16) -> OptionClass {
    match number {
        URI_HOST | URI_PORT | PROXY_URI | PROXY_SCHEME | crate::oscore_option::OSCORE => {
            OptionClass::Outer
        }
        OBSERVE => OptionClass::Both,
        _ => OptionClass::Inner,
    }
}

/// RFC 8613 §4.1 / §8.2: options that must never appear inside the plaintext.
pub fn forbidden_inner(number: u16) -> bool {
    classify(number) == OptionClass::Outer
}

/// RFC 8613 §8.2 step 7 / §8.4: outer options of a received request that are handed to the
/// application with the decrypted inner ones (the other outer options were hop-by-hop only).
pub fn kept_from_outer_request(number: u16) -> bool {
    matches!(number, URI_HOST | URI_PORT | PROXY_URI | PROXY_SCHEME)
}
