//! RFC 9200 §5.8.5 Table 5 / §8.10, RFC 9201 §6, RFC 9203 §9.3: "OAuth Parameters CBOR Mappings".

use super::parameter::parameter_table;

parameter_table! {
    /// RFC 9200 Table 5: the access token (RFC 6749), opaque bytes.
    ACCESS_TOKEN = "access_token", 1, ByteString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: lifetime in seconds of the access token (RFC 6749).
    EXPIRES_IN = "expires_in", 2, UnsignedInteger, "RFC 9200 §5.8.5";
    /// RFC 9201 §3.1, §6: the PoP key the client requests the token to be bound to.
    REQ_CNF = "req_cnf", 4, Map, "RFC 9201 §6";
    /// RFC 9200 Table 5: the requested audience (RFC 8693).
    AUDIENCE = "audience", 5, TextString, "RFC 9200 §5.8.5";
    /// RFC 9201 §3.2, §6: the PoP key the AS selected for the client.
    CNF = "cnf", 8, Map, "RFC 9201 §6";
    /// RFC 9200 Table 5, §5.8.1: text or (RFC 9200 §5.8.1) binary scope.
    SCOPE = "scope", 9, TextOrByteString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: client identifier (RFC 6749).
    CLIENT_ID = "client_id", 24, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: client secret (RFC 6749), a byte string in CBOR.
    CLIENT_SECRET = "client_secret", 25, ByteString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: response type (RFC 6749).
    RESPONSE_TYPE = "response_type", 26, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: redirection URI (RFC 6749).
    REDIRECT_URI = "redirect_uri", 27, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: opaque client state (RFC 6749).
    STATE = "state", 28, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: authorization code (RFC 6749), a byte string in CBOR.
    CODE = "code", 29, ByteString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5, §5.8.3: error code, abbreviated per Table 3.
    ERROR = "error", 30, Integer, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: human-readable error text (RFC 6749).
    ERROR_DESCRIPTION = "error_description", 31, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: URI of an error page (RFC 6749).
    ERROR_URI = "error_uri", 32, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5, §5.8.4.1: grant type, abbreviated per Table 4.
    GRANT_TYPE = "grant_type", 33, UnsignedInteger, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5, §5.8.4.2: token type, abbreviated per §8.7.
    TOKEN_TYPE = "token_type", 34, Integer, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: resource owner user name (RFC 6749).
    USERNAME = "username", 35, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: resource owner password (RFC 6749).
    PASSWORD = "password", 36, TextString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5: refresh token (RFC 6749), a byte string in CBOR.
    REFRESH_TOKEN = "refresh_token", 37, ByteString, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5, §5.8.4.3: the profile, abbreviated per §8.8 (null in a request asks
    /// the AS to name it).
    ACE_PROFILE = "ace_profile", 38, Integer, "RFC 9200 §5.8.5";
    /// RFC 9200 Table 5, §5.8.4.4: client-nonce copied from the creation hints.
    CNONCE = "cnonce", 39, ByteString, "RFC 9200 §5.8.5";
    /// RFC 9203 §4.1, §9.3: the client's nonce in the OSCORE profile's `/authz-info` POST.
    NONCE1 = "nonce1", 40, ByteString, "RFC 9203 §9.3";
    /// RFC 9201 §3.2, §6: the RS's public key, returned to the client.
    RS_CNF = "rs_cnf", 41, Map, "RFC 9201 §6";
    /// RFC 9203 §4.2, §9.3: the RS's nonce in the OSCORE profile.
    NONCE2 = "nonce2", 42, ByteString, "RFC 9203 §9.3";
    /// RFC 9203 §4.1, §9.3: the client's OSCORE Recipient ID.
    ACE_CLIENT_RECIPIENTID = "ace_client_recipientid", 43, ByteString, "RFC 9203 §9.3";
    /// RFC 9203 §4.2, §9.3: the RS's OSCORE Recipient ID.
    ACE_SERVER_RECIPIENTID = "ace_server_recipientid", 44, ByteString, "RFC 9203 §9.3";
}
