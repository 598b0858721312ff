//! COSE_Encrypt0 with the AEADs of RFC 9053 §4.1 (AES-GCM) and §4.2 (AES-CCM).

use crate::header::{self, AlgPlacement};
use crate::pop_key::ExpandedAes;
use crate::{Algorithm, Error, KeyMaterial, PopKey, SymmetricKey};
use aes_gcm::AesGcm;
use aes_gcm::aead::array::typenum::Unsigned;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{Aead, AeadInOut, KeyInit, Nonce, Payload, Tag};
use alloc::vec::Vec;
use ccm::consts::{U7, U8, U12, U13, U16};
use coset::{CoseEncrypt0, EncryptionContext, Header, ProtectedHeader, enc_structure_data};

type AesCcm<A, M, N> = ccm::Ccm<A, M, N>;
type Aes192Gcm = aes_gcm::AesGcm<aes::Aes192, ccm::consts::U12>;

/// Calls `$f::<C>(args)` with `C` the RustCrypto AEAD type of the COSE algorithm `$alg`
/// (RFC 9053 §4.1 AES-GCM, §4.2 AES-CCM); any other algorithm is
/// [`Error::AlgorithmKeyMismatch`].
macro_rules! with_aead_type {
    ($alg:expr, $f:ident($($arg:expr),*)) => {{
        use aes::{Aes128, Aes256};
        match $alg {
            Algorithm::A128Gcm => $f::<aes_gcm::Aes128Gcm>($($arg),*),
            Algorithm::A192Gcm => $f::<Aes192Gcm>($($arg),*),
            Algorithm::A256Gcm => $f::<aes_gcm::Aes256Gcm>($($arg),*),
            Algorithm::AesCcm16_64_128 => $f::<AesCcm<Aes128, U8, U13>>($($arg),*),
            Algorithm::AesCcm16_64_256 => $f::<AesCcm<Aes256, U8, U13>>($($arg),*),
            Algorithm::AesCcm64_64_128 => $f::<AesCcm<Aes128, U8, U7>>($($arg),*),
            Algorithm::AesCcm64_64_256 => $f::<AesCcm<Aes256, U8, U7>>($($arg),*),
            Algorithm::AesCcm16_128_128 => $f::<AesCcm<Aes128, U16, U13>>($($arg),*),
            Algorithm::AesCcm16_128_256 => $f::<AesCcm<Aes256, U16, U13>>($($arg),*),
            Algorithm::AesCcm64_128_128 => $f::<AesCcm<Aes128, U16, U7>>($($arg),*),
            Algorithm::AesCcm64_128_256 => $f::<AesCcm<Aes256, U16, U7>>($($arg),*),
            _ => Err(Error::AlgorithmKeyMismatch),
        }
    }};
}

/// RFC 9053 §4.1, §4.2: seal `plaintext` with the AEAD `alg`.
pub(crate) fn aead_seal(
    key: &[u8],
    alg: Algorithm,
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    with_aead_type!(alg, seal_with(key, nonce, aad, plaintext))
}

/// RFC 9053 §4.1, §4.2: open `ciphertext` (with its tag at the end) with the AEAD `alg`.
pub(crate) fn aead_open(
    key: &[u8],
    alg: Algorithm,
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, Error> {
    let tag = aead_tag_len(alg).ok_or(Error::AlgorithmKeyMismatch)?;
    // A ciphertext shorter than the tag fails in `open_into_cipher`, after the key and
    // nonce checks.
    let mut out = alloc::vec![0u8; ciphertext.len().saturating_sub(tag)];
    aead_open_into_bytes(key, alg, nonce, aad, ciphertext, &mut out)?;
    Ok(out)
}

/// RFC 9053 §4.1, §4.2: [`aead_open`] writing the plaintext into `out`, which must be exactly
/// as long as `ciphertext` without its tag. On failure `out` is all zeros. Uses the key's
/// expanded AES key schedule when it has one ([`PopKey::with_expanded_aes`]).
pub(crate) fn aead_open_into(
    key: &SymmetricKey,
    alg: Algorithm,
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let Some(aes) = key.expanded_aes() else {
        return aead_open_into_bytes(key.as_bytes(), alg, nonce, aad, ciphertext, out);
    };
    let (n, a, c) = (nonce, aad, ciphertext);
    match (aes, alg) {
        (ExpandedAes::Aes128(k), Algorithm::A128Gcm) => {
            open_into_cipher(AesGcm::<_, U12>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes192(k), Algorithm::A192Gcm) => {
            open_into_cipher(AesGcm::<_, U12>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes256(k), Algorithm::A256Gcm) => {
            open_into_cipher(AesGcm::<_, U12>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes128(k), Algorithm::AesCcm16_64_128) => {
            open_into_cipher(AesCcm::<_, U8, U13>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes256(k), Algorithm::AesCcm16_64_256) => {
            open_into_cipher(AesCcm::<_, U8, U13>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes128(k), Algorithm::AesCcm64_64_128) => {
            open_into_cipher(AesCcm::<_, U8, U7>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes256(k), Algorithm::AesCcm64_64_256) => {
            open_into_cipher(AesCcm::<_, U8, U7>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes128(k), Algorithm::AesCcm16_128_128) => {
            open_into_cipher(AesCcm::<_, U16, U13>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes256(k), Algorithm::AesCcm16_128_256) => {
            open_into_cipher(AesCcm::<_, U16, U13>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes128(k), Algorithm::AesCcm64_128_128) => {
            open_into_cipher(AesCcm::<_, U16, U7>::from(k), n, a, c, out)
        }
        (ExpandedAes::Aes256(k), Algorithm::AesCcm64_128_256) => {
            open_into_cipher(AesCcm::<_, U16, U7>::from(k), n, a, c, out)
        }
        // The key length does not fit the algorithm, as `new_from_slice` finds below.
        _ => Err(Error::AlgorithmKeyMismatch),
    }
}

/// [`aead_open_into`] expanding the key from its bytes.
fn aead_open_into_bytes(
    key: &[u8],
    alg: Algorithm,
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    with_aead_type!(alg, open_into_with(key, nonce, aad, ciphertext, out))
}

/// The tag length of the AEAD `alg` (RFC 9053 §4.1: 16 for AES-GCM; §4.2: the `M` of the
/// AES-CCM name, 64 or 128 bits).
pub(crate) fn aead_tag_len(alg: Algorithm) -> Option<usize> {
    match alg {
        Algorithm::AesCcm16_64_128
        | Algorithm::AesCcm16_64_256
        | Algorithm::AesCcm64_64_128
        | Algorithm::AesCcm64_64_256 => Some(8),
        Algorithm::A128Gcm
        | Algorithm::A192Gcm
        | Algorithm::A256Gcm
        | Algorithm::AesCcm16_128_128
        | Algorithm::AesCcm16_128_256
        | Algorithm::AesCcm64_128_128
        | Algorithm::AesCcm64_128_256 => Some(16),
        _ => None,
    }
}

fn open_into_with<C: KeyInit + AeadInOut>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let cipher = C::new_from_slice(key).map_err(|_| Error::AlgorithmKeyMismatch)?;
    open_into_cipher(cipher, nonce, aad, ciphertext, out)
}

fn open_into_cipher<C: AeadInOut>(
    cipher: C,
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let nonce = Nonce::<C>::try_from(nonce).map_err(|_| Error::InvalidIv)?;
    let split = ciphertext
        .len()
        .checked_sub(C::TagSize::USIZE)
        .ok_or(Error::DecryptionFailed)?;
    let (msg, tag) = ciphertext.split_at(split);
    let tag = Tag::<C>::try_from(tag).map_err(|_| Error::DecryptionFailed)?;
    let buffer = InOutBuf::new(msg, out).map_err(|_| Error::DecryptionFailed)?;
    cipher
        .decrypt_inout_detached(&nonce, aad, buffer, &tag)
        .map_err(|_| Error::DecryptionFailed)
}

fn seal_with<C: KeyInit + Aead>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    msg: &[u8],
) -> Result<Vec<u8>, Error> {
    let cipher = C::new_from_slice(key).map_err(|_| Error::AlgorithmKeyMismatch)?;
    let nonce = Nonce::<C>::try_from(nonce).map_err(|_| Error::InvalidIv)?;
    cipher
        .encrypt(&nonce, Payload { msg, aad })
        .map_err(|_| Error::DecryptionFailed)
}

fn symmetric_bytes(key: &PopKey, alg: Algorithm) -> Result<&[u8], Error> {
    key.check_algorithm(alg)?;
    match key.material() {
        KeyMaterial::Symmetric(k) => Ok(k.as_bytes()),
        _ => Err(Error::AlgorithmKeyMismatch),
    }
}

/// RFC 9052 §5.3: build a COSE_Encrypt0 with a fresh random IV (RFC 9053 §4.1, §4.2: an IV
/// must never repeat under a key).
pub(crate) fn seal(
    plaintext: &[u8],
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
    rng: &mut impl rand_core::CryptoRng,
) -> Result<CoseEncrypt0, Error> {
    let mut iv = alloc::vec![0u8; alg.iv_len().ok_or(Error::AlgorithmKeyMismatch)?];
    rng.fill_bytes(&mut iv);
    seal_with_iv(plaintext, key, alg, external_aad, iv)
}

/// RFC 9052 §5.3 with a caller-chosen IV (known-answer tests; the caller must never reuse it).
pub(crate) fn seal_with_iv(
    plaintext: &[u8],
    key: &PopKey,
    alg: Algorithm,
    external_aad: &[u8],
    iv: Vec<u8>,
) -> Result<CoseEncrypt0, Error> {
    let protected = ProtectedHeader {
        original_data: None,
        header: header::protected(alg),
    };
    seal_with_headers(
        protected,
        header::unprotected(key.kid(), Some(iv)),
        plaintext,
        key,
        external_aad,
    )
}

/// RFC 9052 §5.3 with given headers (alg in either bucket, the IV in one of them).
pub(crate) fn seal_with_headers(
    protected: ProtectedHeader,
    unprotected: Header,
    plaintext: &[u8],
    key: &PopKey,
    external_aad: &[u8],
) -> Result<CoseEncrypt0, Error> {
    let params = header::read(&protected, &unprotected, AlgPlacement::Either)?;
    if params.alg.operation() != crate::Operation::Encrypt {
        return Err(Error::AlgorithmKeyMismatch);
    }
    let k = symmetric_bytes(key, params.alg)?;
    key.check_operation(coset::iana::KeyOperation::Encrypt)?;
    if Some(params.iv.len()) != params.alg.iv_len() {
        return Err(Error::InvalidIv);
    }
    let mut enc = CoseEncrypt0 {
        protected,
        unprotected,
        ciphertext: None,
    };
    let aad = enc_structure_data(
        EncryptionContext::CoseEncrypt0,
        header::for_structure(&enc.protected),
        external_aad,
    );
    enc.ciphertext = Some(aead_seal(k, params.alg, &params.iv, &aad, plaintext)?);
    Ok(enc)
}

/// RFC 9052 §5.3: check the headers and the key, then decrypt.
pub(crate) fn open(
    enc: &CoseEncrypt0,
    key: &PopKey,
    external_aad: &[u8],
    placement: AlgPlacement,
) -> Result<Vec<u8>, Error> {
    let params = header::read(&enc.protected, &enc.unprotected, placement)?;
    if params.alg.operation() != crate::Operation::Encrypt {
        return Err(Error::AlgorithmKeyMismatch);
    }
    let k = symmetric_bytes(key, params.alg)?;
    key.check_operation(coset::iana::KeyOperation::Decrypt)?;
    if Some(params.iv.len()) != params.alg.iv_len() {
        return Err(Error::InvalidIv);
    }
    let ct = enc.ciphertext.as_deref().ok_or(Error::DetachedPayload)?;
    let aad = enc_structure_data(
        EncryptionContext::CoseEncrypt0,
        header::for_structure(&enc.protected),
        external_aad,
    );
    aead_open(k, params.alg, &params.iv, &aad, ct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The expanded key schedule is a cache: with it and without it, every AEAD opens (or
    /// refuses) the same ciphertexts to the same bytes.
    #[test]
    fn expanded_and_byte_keys_open_alike() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let aad = b"Enc_structure";
        for alg in Algorithm::ALL.into_iter().filter(|a| a.iv_len().is_some()) {
            let key = PopKey::generate_symmetric(alg, None, &mut rng).unwrap();
            let fast = key.clone().with_expanded_aes();
            let (KeyMaterial::Symmetric(bytes), KeyMaterial::Symmetric(expanded)) =
                (key.material(), fast.material())
            else {
                unreachable!()
            };
            assert!(bytes.expanded_aes().is_none() && expanded.expanded_aes().is_some());
            assert_eq!(key, fast, "the cache is not part of the value");
            let nonce = alloc::vec![3u8; alg.iv_len().unwrap()];
            let plaintext = b"a Claims Set of some length, more than one block";
            let ct = aead_seal(bytes.as_bytes(), alg, &nonce, aad, plaintext).unwrap();
            let tag = aead_tag_len(alg).unwrap();
            assert_eq!(ct.len(), plaintext.len() + tag, "{alg:?}");
            for k in [bytes, expanded] {
                let mut out = alloc::vec![0u8; plaintext.len()];
                aead_open_into(k, alg, &nonce, aad, &ct, &mut out).unwrap();
                assert_eq!(&out, plaintext);
                for i in [0, ct.len() - 1] {
                    let mut bad = ct.clone();
                    bad[i] ^= 1;
                    let mut out = alloc::vec![0u8; plaintext.len()];
                    assert_eq!(
                        aead_open_into(k, alg, &nonce, aad, &bad, &mut out),
                        Err(Error::DecryptionFailed)
                    );
                    assert!(
                        out.iter().all(|b| *b == 0),
                        "{alg:?}: plaintext left behind"
                    );
                }
                let mut short = alloc::vec![0u8; plaintext.len() - 1];
                assert!(aead_open_into(k, alg, &nonce, aad, &ct, &mut short).is_err());
            }
        }
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused_with_or_without_expansion() {
        let k16 = PopKey::new(KeyMaterial::Symmetric(
            SymmetricKey::new(alloc::vec![1; 16]).unwrap(),
        ));
        let ct = [0u8; 24];
        let mut out = [0u8; 8];
        for k in [k16.clone(), k16.with_expanded_aes()] {
            let KeyMaterial::Symmetric(s) = k.material() else {
                unreachable!()
            };
            let r = aead_open_into(s, Algorithm::A256Gcm, &[0; 12], &[], &ct, &mut out);
            assert_eq!(r, Err(Error::AlgorithmKeyMismatch));
        }
    }
}
