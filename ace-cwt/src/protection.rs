//! How an AS protects a token for an RS, and issuing it (RFC 8392 §7.1).

use crate::structure::{self, Structure};
use crate::{Algorithm, Claims, Error, Operation, PopKey};
use alloc::vec::Vec;
use coset::TaggedCborSerializable;

/// One layer: a key and the algorithm it is used with, checked to fit each other.
#[derive(Debug, Clone, PartialEq)]
struct Layer {
    key: PopKey,
    alg: Algorithm,
}

impl Layer {
    fn new(key: PopKey, alg: Algorithm, op: Operation) -> Result<Self, Error> {
        if alg.operation() != op {
            return Err(Error::AlgorithmKeyMismatch);
        }
        key.check_algorithm(alg)?;
        key.check_operation(match op {
            Operation::Sign => coset::iana::KeyOperation::Sign,
            Operation::Mac => coset::iana::KeyOperation::MacCreate,
            Operation::Encrypt => coset::iana::KeyOperation::Encrypt,
        })?;
        if !key.material().has_secret() {
            return Err(Error::MissingPrivateKey);
        }
        Ok(Layer { key, alg })
    }

    /// Protect `payload`, giving the tagged COSE structure (RFC 8392 §7.1 step 5: nested
    /// structures wrap the tagged object).
    fn protect(
        &self,
        payload: Vec<u8>,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<Vec<u8>, Error> {
        match Structure::for_operation(self.alg.operation()) {
            Structure::Sign1 => {
                Ok(structure::sign1(payload, &self.key, self.alg, &[])?.to_tagged_vec()?)
            }
            Structure::Mac0 => {
                Ok(structure::mac0(payload, &self.key, self.alg, &[])?.to_tagged_vec()?)
            }
            Structure::Encrypt0 => {
                Ok(
                    structure::encrypt0(&payload, &self.key, self.alg, &[], rng)?
                        .to_tagged_vec()?,
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Single(alloc::boxed::Box<Layer>),
    SignThenEncrypt {
        sign: alloc::boxed::Box<Layer>,
        encrypt: alloc::boxed::Box<Layer>,
    },
}

/// How a token is protected for its audience (RFC 8392 §7.1, RFC 9200 §6.1): COSE_Sign1,
/// COSE_Mac0, COSE_Encrypt0, or a COSE_Sign1 nested in a COSE_Encrypt0. Each key is checked
/// against its algorithm when the value is built, so a `Protection` cannot hold a mismatch.
#[derive(Debug, Clone, PartialEq)]
pub struct Protection {
    kind: Kind,
    cwt_tag: bool,
}

impl Protection {
    /// COSE_Sign1 with ES256 or EdDSA; `key` must hold the private part.
    pub fn sign1(key: PopKey, alg: Algorithm) -> Result<Self, Error> {
        Ok(Protection::single(Layer::new(key, alg, Operation::Sign)?))
    }

    /// COSE_Mac0 with an HMAC algorithm and a key shared with the RS.
    pub fn mac0(key: PopKey, alg: Algorithm) -> Result<Self, Error> {
        Ok(Protection::single(Layer::new(key, alg, Operation::Mac)?))
    }

    /// COSE_Encrypt0 with an AEAD and a key shared with the RS.
    pub fn encrypt0(key: PopKey, alg: Algorithm) -> Result<Self, Error> {
        Ok(Protection::single(Layer::new(
            key,
            alg,
            Operation::Encrypt,
        )?))
    }

    /// RFC 8392 §7.1 / Appendix A.6: a COSE_Sign1 by the AS, nested in a COSE_Encrypt0 for
    /// the RS.
    pub fn sign_then_encrypt(
        sign_key: PopKey,
        sign_alg: Algorithm,
        encrypt_key: PopKey,
        encrypt_alg: Algorithm,
    ) -> Result<Self, Error> {
        Ok(Protection {
            kind: Kind::SignThenEncrypt {
                sign: alloc::boxed::Box::new(Layer::new(sign_key, sign_alg, Operation::Sign)?),
                encrypt: alloc::boxed::Box::new(Layer::new(
                    encrypt_key,
                    encrypt_alg,
                    Operation::Encrypt,
                )?),
            },
            cwt_tag: false,
        })
    }

    fn single(layer: Layer) -> Self {
        Protection {
            kind: Kind::Single(alloc::boxed::Box::new(layer)),
            cwt_tag: false,
        }
    }

    /// RFC 8392 §6: prefix the output with the optional CWT tag 61.
    pub fn with_cwt_tag(mut self, cwt_tag: bool) -> Self {
        self.cwt_tag = cwt_tag;
        self
    }
}

/// RFC 8392 §7.1: create a CWT from `claims`: encode the Claims Set deterministically, then
/// protect it with the COSE structure(s) of `protection`. The output carries the COSE tag
/// (and tag 61 if asked for). `rng` supplies the IVs of COSE_Encrypt0.
pub fn issue(
    claims: &Claims,
    protection: &Protection,
    rng: &mut impl rand_core::CryptoRng,
) -> Result<Vec<u8>, Error> {
    let payload = claims.to_vec()?;
    let cose = match &protection.kind {
        Kind::Single(layer) => layer.protect(payload, rng)?,
        Kind::SignThenEncrypt { sign, encrypt } => {
            let inner = sign.protect(payload, rng)?;
            encrypt.protect(inner, rng)?
        }
    };
    if protection.cwt_tag {
        // Tag 61 is 0xd8 0x3d in front of the tagged COSE object (RFC 8392 §6).
        let mut out = Vec::with_capacity(cose.len() + 2);
        out.extend_from_slice(&[0xd8, 0x3d]);
        out.extend_from_slice(&cose);
        Ok(out)
    } else {
        Ok(cose)
    }
}
