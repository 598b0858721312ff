//! AEAD nonce construction (RFC 8613 §5.2).

use crate::algorithm::MAX_NONCE_LEN;
use crate::partial_iv::PartialIv;

/// RFC 8613 §5.2: left-pad the Partial IV to 5 bytes, left-pad the ID of the endpoint that
/// generated it to nonce length − 6 bytes, prepend the ID's length as one byte, and XOR the
/// result with the Common IV. Returns the nonce in the first `common_iv.len()` bytes.
///
/// The padded fields are assembled as one big-endian integer (length byte, ID, 40-bit Partial
/// IV), so building a nonce costs a few shifts and one XOR pass, with no per-field copies.
pub(crate) fn nonce(id: &[u8], partial_iv: PartialIv, common_iv: &[u8]) -> [u8; MAX_NONCE_LEN] {
    let len = common_iv.len().min(MAX_NONCE_LEN);
    let id_field = len.saturating_sub(6);
    // An ID longer than its field cannot reach here (checked at derivation, §3.3); like a
    // copy into the field, only its first `id_field` bytes would count.
    let id_bytes = id.get(..id_field).unwrap_or(id);
    let id_value = id_bytes
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let fields = ((id.len() as u128 & 0xff) << (8 * (len.saturating_sub(1))))
        | (id_value << 40)
        | u128::from(partial_iv.value());
    let be = fields.to_be_bytes();
    let mut out = [0u8; MAX_NONCE_LEN];
    let padded = be.get(16 - len..).unwrap_or(&[]);
    for ((o, f), iv) in out.iter_mut().zip(padded).zip(common_iv) {
        *o = f ^ iv;
    }
    out
}
