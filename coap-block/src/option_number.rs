//! The option numbers this crate reads and writes (RFC 7252 §12.2, RFC 7959 §6, RFC 9175 §3.2).

/// RFC 7252 §5.10.6: ETag (opaque, 1-8 bytes).
pub const ETAG: u16 = coap_numbers::option::ETAG;
/// RFC 7959 §2.1: Block2 (uint, 0-3 bytes, critical, not repeatable).
pub const BLOCK2: u16 = coap_numbers::option::BLOCK2;
/// RFC 7959 §2.1: Block1 (uint, 0-3 bytes, critical, not repeatable).
pub const BLOCK1: u16 = coap_numbers::option::BLOCK1;
/// RFC 7959 §4: Size2 (uint, 0-4 bytes, elective).
pub const SIZE2: u16 = coap_numbers::option::SIZE2;
/// RFC 7959 §4 / RFC 7252 §5.10.9: Size1 (uint, 0-4 bytes, elective).
pub const SIZE1: u16 = coap_numbers::option::SIZE1;
/// RFC 9175 §3.2: Request-Tag (opaque, 0-8 bytes, repeatable).
pub const REQUEST_TAG: u16 = coap_numbers::option::REQUEST_TAG;
