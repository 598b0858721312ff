//! The COSE algorithms this crate implements (RFC 9053).

use crate::Error;
use coset::iana;

/// A COSE algorithm implemented here, with its IANA number (RFC 9053).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RFC 9053 §2.1: ECDSA with SHA-256 on P-256 (-7); signature is r||s, 64 bytes.
    Es256,
    /// RFC 9053 §2.2: EdDSA (-8), here with Ed25519.
    EdDsa,
    /// RFC 9053 §3.1: HMAC with SHA-256 truncated to 64 bits (4).
    Hmac256_64,
    /// RFC 9053 §3.1: HMAC with SHA-256 (5).
    Hmac256_256,
    /// RFC 9053 §3.1: HMAC with SHA-384 (6).
    Hmac384_384,
    /// RFC 9053 §3.1: HMAC with SHA-512 (7).
    Hmac512_512,
    /// RFC 9053 §4.1: AES-GCM with a 128-bit key (1).
    A128Gcm,
    /// RFC 9053 §4.1: AES-GCM with a 192-bit key (2).
    A192Gcm,
    /// RFC 9053 §4.1: AES-GCM with a 256-bit key (3).
    A256Gcm,
    /// RFC 9053 §4.2: AES-CCM, L=16 (13-byte nonce), 64-bit tag, 128-bit key (10).
    AesCcm16_64_128,
    /// RFC 9053 §4.2: AES-CCM, 13-byte nonce, 64-bit tag, 256-bit key (11).
    AesCcm16_64_256,
    /// RFC 9053 §4.2: AES-CCM, 7-byte nonce, 64-bit tag, 128-bit key (12).
    AesCcm64_64_128,
    /// RFC 9053 §4.2: AES-CCM, 7-byte nonce, 64-bit tag, 256-bit key (13).
    AesCcm64_64_256,
    /// RFC 9053 §4.2: AES-CCM, 13-byte nonce, 128-bit tag, 128-bit key (30).
    AesCcm16_128_128,
    /// RFC 9053 §4.2: AES-CCM, 13-byte nonce, 128-bit tag, 256-bit key (31).
    AesCcm16_128_256,
    /// RFC 9053 §4.2: AES-CCM, 7-byte nonce, 128-bit tag, 128-bit key (32).
    AesCcm64_128_128,
    /// RFC 9053 §4.2: AES-CCM, 7-byte nonce, 128-bit tag, 256-bit key (33).
    AesCcm64_128_256,
}

/// What a COSE algorithm does, which fixes the COSE structure it protects (RFC 9052 §4–§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// A signature: COSE_Sign1.
    Sign,
    /// A MAC: COSE_Mac0.
    Mac,
    /// An AEAD: COSE_Encrypt0.
    Encrypt,
}

impl Algorithm {
    /// All implemented algorithms.
    pub const ALL: [Algorithm; 17] = [
        Algorithm::Es256,
        Algorithm::EdDsa,
        Algorithm::Hmac256_64,
        Algorithm::Hmac256_256,
        Algorithm::Hmac384_384,
        Algorithm::Hmac512_512,
        Algorithm::A128Gcm,
        Algorithm::A192Gcm,
        Algorithm::A256Gcm,
        Algorithm::AesCcm16_64_128,
        Algorithm::AesCcm16_64_256,
        Algorithm::AesCcm64_64_128,
        Algorithm::AesCcm64_64_256,
        Algorithm::AesCcm16_128_128,
        Algorithm::AesCcm16_128_256,
        Algorithm::AesCcm64_128_128,
        Algorithm::AesCcm64_128_256,
    ];

    /// The IANA "COSE Algorithms" value.
    pub fn iana(self) -> iana::Algorithm {
        match self {
            Algorithm::Es256 => iana::Algorithm::ES256,
            Algorithm::EdDsa => iana::Algorithm::EdDSA,
            Algorithm::Hmac256_64 => iana::Algorithm::HMAC_256_64,
            Algorithm::Hmac256_256 => iana::Algorithm::HMAC_256_256,
            Algorithm::Hmac384_384 => iana::Algorithm::HMAC_384_384,
            Algorithm::Hmac512_512 => iana::Algorithm::HMAC_512_512,
            Algorithm::A128Gcm => iana::Algorithm::A128GCM,
            Algorithm::A192Gcm => iana::Algorithm::A192GCM,
            Algorithm::A256Gcm => iana::Algorithm::A256GCM,
            Algorithm::AesCcm16_64_128 => iana::Algorithm::AES_CCM_16_64_128,
            Algorithm::AesCcm16_64_256 => iana::Algorithm::AES_CCM_16_64_256,
            Algorithm::AesCcm64_64_128 => iana::Algorithm::AES_CCM_64_64_128,
            Algorithm::AesCcm64_64_256 => iana::Algorithm::AES_CCM_64_64_256,
            Algorithm::AesCcm16_128_128 => iana::Algorithm::AES_CCM_16_128_128,
            Algorithm::AesCcm16_128_256 => iana::Algorithm::AES_CCM_16_128_256,
            Algorithm::AesCcm64_128_128 => iana::Algorithm::AES_CCM_64_128_128,
            Algorithm::AesCcm64_128_256 => iana::Algorithm::AES_CCM_64_128_256,
        }
    }

    /// The IANA number as an integer.
    pub fn to_i64(self) -> i64 {
        self.iana() as i64
    }

    /// Look an IANA number up; numbers not implemented here are
    /// [`Error::UnsupportedAlgorithm`].
    pub fn from_i64(value: i64) -> Result<Self, Error> {
        Algorithm::ALL
            .iter()
            .copied()
            .find(|a| a.to_i64() == value)
            .ok_or(Error::UnsupportedAlgorithm(value))
    }

    /// Read the algorithm of a COSE header or COSE_Key (RFC 9052 §3.1 `alg`).
    pub fn from_coset(alg: &coset::Algorithm) -> Result<Self, Error> {
        match alg {
            coset::RegisteredLabelWithPrivate::Assigned(a) => Algorithm::from_i64(*a as i64),
            coset::RegisteredLabelWithPrivate::PrivateUse(v) => {
                Err(Error::UnsupportedAlgorithm(*v))
            }
            // A text algorithm name has no number; report it as the reserved value 0.
            coset::RegisteredLabelWithPrivate::Text(_) => Err(Error::UnsupportedAlgorithm(0)),
        }
    }

    /// The algorithm as a COSE header value.
    pub fn to_coset(self) -> coset::Algorithm {
        coset::RegisteredLabelWithPrivate::Assigned(self.iana())
    }

    /// Which operation (and so which COSE structure) the algorithm belongs to.
    pub fn operation(self) -> Operation {
        match self {
            Algorithm::Es256 | Algorithm::EdDsa => Operation::Sign,
            Algorithm::Hmac256_64
            | Algorithm::Hmac256_256
            | Algorithm::Hmac384_384
            | Algorithm::Hmac512_512 => Operation::Mac,
            _ => Operation::Encrypt,
        }
    }

    /// RFC 9053 §3.1, §4.1, §4.2: the length in bytes of the symmetric key the algorithm
    /// takes (`None` for signature algorithms). HMAC keys are the hash length (RFC 9053 §3.1
    /// says the key should be at least that long; we require exactly as the registry's
    /// key sizes).
    pub fn symmetric_key_len(self) -> Option<usize> {
        match self {
            Algorithm::Es256 | Algorithm::EdDsa => None,
            Algorithm::Hmac256_64 | Algorithm::Hmac256_256 => Some(32),
            Algorithm::Hmac384_384 => Some(48),
            Algorithm::A192Gcm => Some(24),
            Algorithm::Hmac512_512 => Some(64),
            Algorithm::A128Gcm
            | Algorithm::AesCcm16_64_128
            | Algorithm::AesCcm64_64_128
            | Algorithm::AesCcm16_128_128
            | Algorithm::AesCcm64_128_128 => Some(16),
            Algorithm::A256Gcm
            | Algorithm::AesCcm16_64_256
            | Algorithm::AesCcm64_64_256
            | Algorithm::AesCcm16_128_256
            | Algorithm::AesCcm64_128_256 => Some(32),
        }
    }

    /// RFC 9053 §4.1, §4.2: the nonce (IV) length of an AEAD (`None` for other algorithms).
    pub fn iv_len(self) -> Option<usize> {
        match self {
            Algorithm::A128Gcm | Algorithm::A192Gcm | Algorithm::A256Gcm => Some(12),
            Algorithm::AesCcm16_64_128
            | Algorithm::AesCcm16_64_256
            | Algorithm::AesCcm16_128_128
            | Algorithm::AesCcm16_128_256 => Some(13),
            Algorithm::AesCcm64_64_128
            | Algorithm::AesCcm64_64_256
            | Algorithm::AesCcm64_128_128
            | Algorithm::AesCcm64_128_256 => Some(7),
            _ => None,
        }
    }
}
