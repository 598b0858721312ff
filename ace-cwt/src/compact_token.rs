//! The common shape of an ACE access token, verified without building CBOR value trees.
//!
//! RFC 9200 §5.10.1 has the RS process every token posted to /authz-info, and most are one
//! COSE_Encrypt0 (RFC 9052 §5.2) with `alg` protected, `kid` and `IV` unprotected, over a
//! Claims Set of registered claims (RFC 8392 §3, RFC 9200 §5.10) whose `cnf` is a symmetric
//! COSE_Key or a kid (RFC 8747 §3.2, §3.4). For that shape only, this module reads the bytes in
//! place, writes the Enc_structure (RFC 9052 §5.3) directly into one buffer and fills
//! [`Claims`] without intermediate values.
//!
//! It only ever *accepts*: anything outside the shape, and every failure (including a failed
//! AEAD open), returns `None`, and [`crate::verify`] then runs the general strict path, which
//! gives the result and the precise error. So the checks of RFC 8392 §7.2 are not duplicated
//! here in a weaker form: an input is accepted here only if it is in a subset that the
//! general path accepts with the same result (the tests compare both paths).

use crate::cbor_reader::{self, ARRAY, BYTES, MAP, Reader, TAG, TEXT};
use crate::claims::{ACE_PROFILE, AUD, CNF, CNONCE, CTI, EXI, EXP, IAT, ISS, NBF, SCOPE, SUB};
use crate::structure::Structure;
use crate::verification::{CWT_TAG, KeyStore, Layers, VerifiedLayer, VerifiedToken};
use crate::{
    Algorithm, Claims, Cnf, KeyId, KeyMaterial, NumericDate, Operation, PopKey, SymmetricKey,
    content_encryption,
};
use alloc::string::ToString;
use ciborium::Value;
use coset::AsCborValue;

/// RFC 9052 §3.1 header labels.
const HDR_ALG: i64 = 1;
const HDR_KID: i64 = 4;
const HDR_IV: i64 = 5;

/// RFC 9052 §7.1, RFC 9053 §7.3 COSE_Key labels of a symmetric key.
const KEY_KTY: i64 = 1;
const KEY_KID: i64 = 2;
const KEY_ALG: i64 = 3;
const KEY_K: i64 = -1;
const KTY_SYMMETRIC: i64 = 4;

/// RFC 9052 §5.3: `Enc_structure = ["Encrypt0", protected, external_aad]` with an empty
/// external_aad; the array head and the context string.
const ENC_STRUCTURE_PREFIX: &[u8] = b"\x83\x68Encrypt0";

/// A COSE algorithm number as coset represents it (same conversion as the general path);
/// the algorithms implemented here are mapped without building a CBOR value.
fn coset_alg(n: i64) -> Option<coset::Algorithm> {
    match Algorithm::from_i64(n) {
        Ok(alg) => Some(alg.to_coset()),
        Err(_) => coset::Algorithm::from_cbor_value(Value::Integer(n.into())).ok(),
    }
}

/// RFC 8392 §7.2 for one COSE_Encrypt0 over a Claims Set; `None` means "not this shape, or
/// not valid: ask the general path".
pub(crate) fn verify(token: &[u8], keys: &impl KeyStore) -> Option<VerifiedToken> {
    let mut r = Reader::new(token);
    let mut cwt_tagged = false;
    if r.peek_major()? == TAG {
        let mut tag = r.expect(TAG)?;
        if tag == CWT_TAG {
            cwt_tagged = true;
            tag = r.expect(TAG)?;
        }
        if Structure::from_tag(tag)? != Structure::Encrypt0 {
            return None;
        }
    }
    // RFC 9052 §5.2: [protected: bstr .cbor header_map, unprotected: header_map, ciphertext].
    if r.expect(ARRAY)? != 3 {
        return None;
    }
    let protected = r.bytes()?;
    let alg = protected_alg(protected)?;
    let (kid, iv) = unprotected_kid_iv(&mut r)?;
    let ciphertext = r.bytes()?;
    if !r.is_empty() || alg.operation() != Operation::Encrypt || alg.iv_len()? != iv.len() {
        return None;
    }
    let kid = kid.map(KeyId::from);
    let key = keys.key(kid.as_ref(), alg)?;
    let KeyMaterial::Symmetric(symmetric) = key.material() else {
        return None;
    };
    key.check_algorithm(alg).ok()?;
    key.check_operation(coset::iana::KeyOperation::Decrypt)
        .ok()?;
    let mut aad = cbor_reader::Writer::<ENC_STRUCTURE_CAPACITY>::new();
    aad.extend(ENC_STRUCTURE_PREFIX)?;
    aad.bytes_head(protected.len())?;
    aad.extend(protected)?;
    aad.extend(&[BYTES << 5])?; // external_aad: h''
    // The plaintext goes into a stack buffer when it fits (it is only read, then dropped).
    let len = ciphertext
        .len()
        .checked_sub(content_encryption::aead_tag_len(alg)?)?;
    let mut stack = [0u8; PLAINTEXT_ON_STACK];
    let mut heap = alloc::vec::Vec::new();
    let plaintext = match stack.get_mut(..len) {
        Some(buf) => buf,
        None => {
            heap.resize(len, 0);
            heap.as_mut_slice()
        }
    };
    content_encryption::aead_open_into(symmetric, alg, iv, aad.as_slice(), ciphertext, plaintext)
        .ok()?;
    let mut token = VerifiedToken::new(
        Claims::default(),
        Layers::One(VerifiedLayer {
            structure: Structure::Encrypt0,
            alg,
            kid,
        }),
        cwt_tagged,
    );
    claims(plaintext, token.claims_mut())?;
    Some(token)
}

/// Claims Sets up to this size are decrypted into a stack buffer, larger ones into a `Vec`.
const PLAINTEXT_ON_STACK: usize = 384;

/// Room for the Enc_structure of a protected header of up to 40 bytes (ours is 3 or 4);
/// larger ones are left to the general path.
const ENC_STRUCTURE_CAPACITY: usize = 64;

/// The protected header `{1: alg}` and nothing else (RFC 8392 §7.2 step 4: no `crit`).
fn protected_alg(protected: &[u8]) -> Option<Algorithm> {
    let mut r = Reader::new(protected);
    if r.expect(MAP)? != 1 || r.int()? != HDR_ALG {
        return None;
    }
    // `Algorithm::from_coset` of coset's view of a number is `from_i64` of the number.
    let alg = Algorithm::from_i64(r.int()?).ok()?;
    r.is_empty().then_some(alg)
}

/// The unprotected header: `kid` and `IV` at most once each, nothing else.
fn unprotected_kid_iv<'a>(r: &mut Reader<'a>) -> Option<(Option<&'a [u8]>, &'a [u8])> {
    let (mut kid, mut iv) = (None, None);
    for _ in 0..r.expect(MAP)? {
        let slot = match r.int()? {
            HDR_KID => &mut kid,
            HDR_IV => &mut iv,
            _ => return None,
        };
        if slot.replace(r.bytes()?).is_some() {
            return None;
        }
    }
    // An empty kid is left to the general path (coset's view of it decides).
    if kid.is_some_and(<[u8]>::is_empty) {
        return None;
    }
    Some((kid, iv?))
}

/// RFC 8392 §7.2 step 7 for a Claims Set of registered claims only, each at most once.
/// The claims are written into `c` in place (a Claims Set is large to move around).
fn claims(payload: &[u8], c: &mut Claims) -> Option<()> {
    let mut r = Reader::new(payload);
    let mut seen = 0u64;
    for _ in 0..r.expect(MAP)? {
        let label = r.int()?;
        let bit = 1u64.checked_shl(u32::try_from(label).ok()?)?;
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        match label {
            ISS => c.iss = Some(r.text()?.to_string()),
            SUB => c.sub = Some(r.text()?.to_string()),
            AUD => c.aud = Some(r.text()?.to_string()),
            EXP => c.exp = Some(NumericDate::WholeSeconds(r.int()?)),
            NBF => c.nbf = Some(NumericDate::WholeSeconds(r.int()?)),
            IAT => c.iat = Some(NumericDate::WholeSeconds(r.int()?)),
            CTI => c.cti = Some(r.bytes()?.to_vec()),
            CNF => cnf(&mut r, &mut c.cnf)?,
            SCOPE => {
                c.scope = Some(match r.peek_major()? {
                    TEXT => Value::Text(r.text()?.to_string()),
                    BYTES => Value::Bytes(r.bytes()?.to_vec()),
                    _ => return None,
                })
            }
            ACE_PROFILE => c.ace_profile = Some(r.int()?),
            EXI => c.exi = Some(r.uint()?),
            CNONCE => c.cnonce = Some(r.bytes()?.to_vec()),
            _ => return None,
        }
    }
    r.is_empty().then_some(())
}

/// RFC 8747 §3.1: a `cnf` with exactly one member, a symmetric COSE_Key (§3.2) or a kid (§3.4).
fn cnf(r: &mut Reader<'_>, out: &mut Option<Cnf>) -> Option<()> {
    if r.expect(MAP)? != 1 {
        return None;
    }
    *out = Some(match r.int()? {
        crate::cnf::COSE_KEY => Cnf::CoseKey(symmetric_key(r)?),
        crate::cnf::KID => Cnf::Kid(KeyId::from(r.bytes()?)),
        _ => return None,
    });
    Some(())
}

/// RFC 9053 §7.3: a symmetric COSE_Key with `kty`, `k` and optionally `kid` and `alg`.
fn symmetric_key(r: &mut Reader<'_>) -> Option<PopKey> {
    let (mut kty, mut kid, mut alg, mut k) = (None, None, None, None);
    for _ in 0..r.expect(MAP)? {
        let label = r.int()?;
        let fresh = match label {
            KEY_KTY => kty.replace(r.int()?).is_none(),
            KEY_KID => kid.replace(r.bytes()?).is_none(),
            KEY_ALG => alg.replace(coset_alg(r.int()?)?).is_none(),
            KEY_K => k.replace(r.bytes()?).is_none(),
            _ => return None,
        };
        if !fresh {
            return None;
        }
    }
    if kty? != KTY_SYMMETRIC || kid.is_some_and(<[u8]>::is_empty) {
        return None;
    }
    let material = KeyMaterial::Symmetric(SymmetricKey::new(k?.to_vec()).ok()?);
    Some(PopKey::from_parts(kid.map(KeyId::from), alg, material))
}

#[cfg(test)]
mod tests;
