//! AEAD algorithms of RFC 8613 §3.2.1 (COSE identifiers from RFC 9053) and their keyed ciphers.

use aes::{Aes128, Aes256};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use ccm::Ccm;
use ccm::aead::array::Array;
use ccm::aead::inout::InOutBuf;
use ccm::aead::{AeadCore, AeadInOut, KeyInit, Nonce, Tag};
use ccm::consts::{U8, U12, U13, U16};

use crate::error::Error;

/// Longest AEAD nonce of the supported algorithms (AES-CCM-16-*: 13 bytes).
pub const MAX_NONCE_LEN: usize = 13;
/// Longest key of the supported algorithms (32 bytes).
pub const MAX_KEY_LEN: usize = 32;

/// An AEAD algorithm usable as the OSCORE "AEAD Algorithm" (RFC 8613 §3.1), by COSE identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadAlgorithm {
    /// AES-CCM-16-64-128 (COSE 10): the mandatory default of RFC 8613 §3.2.1.
    AesCcm16_64_128,
    /// AES-CCM-16-128-128 (COSE 30).
    AesCcm16_128_128,
    /// AES-CCM-16-64-256 (COSE 11).
    AesCcm16_64_256,
    /// A128GCM (COSE 1).
    A128Gcm,
    /// A256GCM (COSE 3).
    A256Gcm,
}

impl AeadAlgorithm {
    /// The algorithm with this COSE identifier (RFC 9053 §4), if supported.
    pub fn from_cose_id(id: i32) -> Result<Self, Error> {
        Ok(match id {
            10 => Self::AesCcm16_64_128,
            30 => Self::AesCcm16_128_128,
            11 => Self::AesCcm16_64_256,
            1 => Self::A128Gcm,
            3 => Self::A256Gcm,
            _ => return Err(Error::UnsupportedAlgorithm),
        })
    }

    /// The COSE identifier, as used in the HKDF `info` and the `external_aad` (RFC 8613 §3.2.1, §5.4).
    pub fn cose_id(self) -> u8 {
        match self {
            Self::AesCcm16_64_128 => 10,
            Self::AesCcm16_128_128 => 30,
            Self::AesCcm16_64_256 => 11,
            Self::A128Gcm => 1,
            Self::A256Gcm => 3,
        }
    }

    /// Key length in bytes (the `L` of the key derivation, RFC 8613 §3.2.1).
    pub fn key_len(self) -> usize {
        match self {
            Self::AesCcm16_64_128 | Self::AesCcm16_128_128 | Self::A128Gcm => 16,
            Self::AesCcm16_64_256 | Self::A256Gcm => 32,
        }
    }

    /// Nonce length in bytes (the `L` of the Common IV derivation, RFC 8613 §3.2.1).
    pub fn nonce_len(self) -> usize {
        match self {
            Self::A128Gcm | Self::A256Gcm => 12,
            _ => 13,
        }
    }

    /// Authentication tag length in bytes.
    pub fn tag_len(self) -> usize {
        match self {
            Self::AesCcm16_64_128 | Self::AesCcm16_64_256 => 8,
            _ => 16,
        }
    }

    /// RFC 8613 §3.3 / §5.2: the longest Sender/Recipient ID the nonce can hold (nonce length − 6).
    pub fn max_id_len(self) -> usize {
        self.nonce_len() - 6
    }
}

type Ccm64x128 = Ccm<Aes128, U8, U13>;
type Ccm128x128 = Ccm<Aes128, U16, U13>;
type Ccm64x256 = Ccm<Aes256, U8, U13>;

/// A keyed AEAD instance; keyed once at context derivation so each message only pays for the
/// AEAD itself.
#[derive(Clone)]
pub(crate) enum Cipher {
    Ccm64x128(Ccm64x128),
    Ccm128x128(Ccm128x128),
    Ccm64x256(Ccm64x256),
    Gcm128(Aes128Gcm),
    Gcm256(Aes256Gcm),
}

impl core::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Cipher(..)")
    }
}

fn keyed<C: KeyInit>(key: &[u8]) -> Result<C, Error> {
    C::new_from_slice(key).map_err(|_| Error::UnsupportedAlgorithm)
}

impl Cipher {
    pub(crate) fn new(alg: AeadAlgorithm, key: &[u8]) -> Result<Self, Error> {
        Ok(match alg {
            AeadAlgorithm::AesCcm16_64_128 => Self::Ccm64x128(keyed(key)?),
            AeadAlgorithm::AesCcm16_128_128 => Self::Ccm128x128(keyed(key)?),
            AeadAlgorithm::AesCcm16_64_256 => Self::Ccm64x256(keyed(key)?),
            AeadAlgorithm::A128Gcm => Self::Gcm128(keyed(key)?),
            AeadAlgorithm::A256Gcm => Self::Gcm256(keyed(key)?),
        })
    }

    /// Encrypts `buf[..plaintext_len]` in place and writes the tag after it; returns the
    /// ciphertext length (plaintext + tag).
    ///
    /// `nonce` holds the algorithm's nonce in its first [`AeadAlgorithm::nonce_len`] bytes.
    #[inline]
    pub(crate) fn seal(
        &self,
        nonce: &[u8; MAX_NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize, Error> {
        match self {
            Self::Ccm64x128(c) => seal(c, &Array::from(*nonce), aad, buf, plaintext_len),
            Self::Ccm128x128(c) => seal(c, &Array::from(*nonce), aad, buf, plaintext_len),
            Self::Ccm64x256(c) => seal(c, &Array::from(*nonce), aad, buf, plaintext_len),
            Self::Gcm128(c) => seal(c, &gcm_nonce(nonce), aad, buf, plaintext_len),
            Self::Gcm256(c) => seal(c, &gcm_nonce(nonce), aad, buf, plaintext_len),
        }
    }

    /// Verifies `input` (ciphertext followed by the tag) and decrypts it into the start of
    /// `out`, which must hold at least `input.len()` bytes ([`Error::BufferTooSmall`]
    /// otherwise); returns the plaintext length. Decrypting from the message straight into the
    /// caller's buffer spares copying the ciphertext there first. On failure the content of
    /// `out` is unspecified but never released.
    #[inline]
    pub(crate) fn open(
        &self,
        nonce: &[u8; MAX_NONCE_LEN],
        aad: &[u8],
        input: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let out = out.get_mut(..input.len()).ok_or(Error::BufferTooSmall)?;
        match self {
            Self::Ccm64x128(c) => open(c, &Array::from(*nonce), aad, input, out),
            Self::Ccm128x128(c) => open(c, &Array::from(*nonce), aad, input, out),
            Self::Ccm64x256(c) => open(c, &Array::from(*nonce), aad, input, out),
            Self::Gcm128(c) => open(c, &gcm_nonce(nonce), aad, input, out),
            Self::Gcm256(c) => open(c, &gcm_nonce(nonce), aad, input, out),
        }
    }
}

/// The 12-byte GCM nonce: the first 12 bytes (RFC 8613 §5.2 builds it in the nonce length).
fn gcm_nonce(nonce: &[u8; MAX_NONCE_LEN]) -> Array<u8, U12> {
    Array::from(nonce.first_chunk::<12>().copied().unwrap_or_default())
}

fn seal<C: AeadInOut>(
    cipher: &C,
    nonce: &Nonce<C>,
    aad: &[u8],
    buf: &mut [u8],
    plaintext_len: usize,
) -> Result<usize, Error> {
    let (plaintext, rest) = buf
        .split_at_mut_checked(plaintext_len)
        .ok_or(Error::BufferTooSmall)?;
    let tag_len = <C as AeadCore>::TagSize::USIZE;
    // A fixed-size view of the tag's place, so storing the tag is a fixed-size copy.
    let tag_out = rest
        .get_mut(..tag_len)
        .and_then(|t| <&mut Tag<C>>::try_from(t).ok())
        .ok_or(Error::BufferTooSmall)?;
    *tag_out = cipher
        .encrypt_inout_detached(nonce, aad, plaintext.into())
        .map_err(|_| Error::BufferTooSmall)?;
    Ok(plaintext_len + tag_len)
}

fn open<C: AeadInOut>(
    cipher: &C,
    nonce: &Nonce<C>,
    aad: &[u8],
    input: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    let tag_len = <C as AeadCore>::TagSize::USIZE;
    let plaintext_len = input
        .len()
        .checked_sub(tag_len)
        .ok_or(Error::DecryptionFailed)?;
    let (ciphertext, tag) = input
        .split_at_checked(plaintext_len)
        .ok_or(Error::DecryptionFailed)?;
    let tag = <&Tag<C>>::try_from(tag).map_err(|_| Error::DecryptionFailed)?;
    let out = out.get_mut(..plaintext_len).ok_or(Error::BufferTooSmall)?;
    let buf = InOutBuf::new(ciphertext, out).map_err(|_| Error::BufferTooSmall)?;
    cipher
        .decrypt_inout_detached(nonce, aad, buf, tag)
        .map_err(|_| Error::DecryptionFailed)?;
    Ok(plaintext_len)
}

use ccm::aead::array::typenum::Unsigned;
