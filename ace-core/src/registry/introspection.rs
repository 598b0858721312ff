//! RFC 9200 §5.9.4 Table 6 / §8.12 (with RFC 9201 §6): "OAuth Token Introspection Response
//! CBOR Mappings" (also used for the introspection request's `token`, `token_type_hint`).

use super::parameter::parameter_table;

parameter_table! {
    /// RFC 9200 Table 6: issuer (RFC 7662).
    ISS = "iss", 1, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: subject (RFC 7662).
    SUB = "sub", 2, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: audience (RFC 7662).
    AUD = "aud", 3, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: expiration time, NumericDate.
    EXP = "exp", 4, IntegerOrFloat, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: not-before time, NumericDate.
    NBF = "nbf", 5, IntegerOrFloat, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: issued-at time, NumericDate.
    IAT = "iat", 6, IntegerOrFloat, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6, §5.9.2: the token's `cti` claim.
    CTI = "cti", 7, ByteString, "RFC 9200 §5.9.4";
    /// RFC 9201 §4, §6: the PoP key of the introspected token.
    CNF = "cnf", 8, Map, "RFC 9201 §6";
    /// RFC 9200 Table 6: scope, text or binary.
    SCOPE = "scope", 9, TextOrByteString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: whether the token is active (RFC 7662 §2.2, REQUIRED).
    ACTIVE = "active", 10, Boolean, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6, §5.9.1: the token to introspect.
    TOKEN = "token", 11, ByteString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: client identifier.
    CLIENT_ID = "client_id", 24, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6, §5.9.3: error code (§8.4 registry).
    ERROR = "error", 30, Integer, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: human-readable error text.
    ERROR_DESCRIPTION = "error_description", 31, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: URI of an error page.
    ERROR_URI = "error_uri", 32, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: a hint about the token's type. Table 6 says text string; Figure 9
    /// sends the integer 2 (PoP). Both are accepted (see `TokenTypeHint`).
    TOKEN_TYPE_HINT = "token_type_hint", 33, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: token type, abbreviated per §8.7.
    TOKEN_TYPE = "token_type", 34, Integer, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6: resource owner user name.
    USERNAME = "username", 35, TextString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6, §5.9.2: the profile the RS must use with the client.
    ACE_PROFILE = "ace_profile", 38, Integer, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6, §5.9.2: the client-nonce bound into the token.
    CNONCE = "cnonce", 39, ByteString, "RFC 9200 §5.9.4";
    /// RFC 9200 Table 6, §5.9.2: the token's `exi` claim (seconds).
    EXI = "exi", 40, UnsignedInteger, "RFC 9200 §5.9.4";
}
