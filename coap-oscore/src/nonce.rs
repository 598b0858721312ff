//! AEAD nonce construction (RFC 8613 §5.2).

use crate::algorithm::MAX_NONCE_LEN;

/// RFC 8613 §5.2: left-pad the Partial IV to 5 bytes, left-pad the ID of the endpoint that
/// generated it to nonce length − 6 bytes, prepend the ID's length as one byte, and XOR the
/// result with the Common IV. Returns the nonce in the first `common_iv.len()` bytes.
pub(crate) fn nonce(id: &[u8], partial_iv: &[u8], common_iv: &[u8]) -> [u8; MAX_NONCE_LEN] {
    let mut out = [0u8; MAX_NONCE_LEN];
    let len = common_iv.len();
    let id_field = len.saturating_sub(6);
    if let Some(b) = out.first_mut() {
        *b = id.len() as u8;
    }
    if let Some(slot) = out.get_mut(1 + id_field - id.len().min(id_field)..1 + id_field) {
        slot.copy_from_slice(id.get(..id_field.min(id.len())).unwrap_or(&[]));
    }
    if let Some(slot) = out.get_mut(len.saturating_sub(partial_iv.len())..len) {
        slot.copy_from_slice(partial_iv);
    }
    for (o, iv) in out.iter_mut().zip(common_iv) {
        *o ^= iv;
    }
    out
}
