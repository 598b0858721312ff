//! RFC 9200 §5.3 Table 1: AS Request Creation Hints.

use super::parameter::parameter_table;

parameter_table! {
    /// RFC 9200 §5.3: absolute URI of the AS.
    AS = "AS", 1, TextString, "RFC 9200 §5.3";
    /// RFC 9200 §5.3: kid of an existing client–RS security association (2 here, unlike
    /// `kid` = 3 inside `cnf`).
    KID = "kid", 2, ByteString, "RFC 9200 §5.3";
    /// RFC 9200 §5.3: audience the client should request.
    AUDIENCE = "audience", 5, TextString, "RFC 9200 §5.3";
    /// RFC 9200 §5.3: suggested scope.
    SCOPE = "scope", 9, TextOrByteString, "RFC 9200 §5.3";
    /// RFC 9200 §5.3.1: client-nonce the client must copy into its token request.
    CNONCE = "cnonce", 39, ByteString, "RFC 9200 §5.3";
}
