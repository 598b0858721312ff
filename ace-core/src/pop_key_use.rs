//! RFC 9201 §5: a COSE_Key in `cnf` or `rs_cnf` that carries `alg` or `key_ops` restricts
//! how the key may be used. The client "MUST NOT use a key that is incompatible with the
//! profile or PoP algorithm according to those parameters", and the RS "MUST reject a proof of
//! possession using such a key" with 4.00 (Bad Request).
//!
//! [`PopKeyUse`] says what a profile does with a PoP key: which algorithms it runs and which
//! COSE key operations (RFC 9052 §7.1, Table 4) it performs. A key is compatible when its
//! `alg` (if any) is one of those algorithms and fits the key material, and its `key_ops`
//! (if any) allow at least one of those operations.

use alloc::vec::Vec;

use ace_cwt::coset::{RegisteredLabel, iana};
use ace_cwt::{Algorithm, Operation, PopKey};

use crate::Error;

/// What a profile does with a proof-of-possession key (RFC 9201 §5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopKeyUse {
    algorithms: Vec<Algorithm>,
    operations: Vec<iana::KeyOperation>,
}

impl Default for PopKeyUse {
    /// Signatures, MACs and AEADs that `ace-cwt` implements, with every key operation except
    /// key wrapping (a key-wrapping key transports keys; it proves nothing).
    fn default() -> Self {
        Self {
            algorithms: Algorithm::ALL.to_vec(),
            operations: alloc::vec![
                iana::KeyOperation::Sign,
                iana::KeyOperation::Verify,
                iana::KeyOperation::Encrypt,
                iana::KeyOperation::Decrypt,
                iana::KeyOperation::DeriveKey,
                iana::KeyOperation::DeriveBits,
                iana::KeyOperation::MacCreate,
                iana::KeyOperation::MacVerify,
            ],
        }
    }
}

impl PopKeyUse {
    /// A profile that runs `algorithms` and performs `operations` with the PoP key.
    pub fn new(
        algorithms: impl IntoIterator<Item = Algorithm>,
        operations: impl IntoIterator<Item = iana::KeyOperation>,
    ) -> Self {
        Self {
            algorithms: algorithms.into_iter().collect(),
            operations: operations.into_iter().collect(),
        }
    }

    /// RFC 9202 §3.3 (DTLS with raw public keys): the PoP key signs (client) and verifies
    /// (RS) the handshake with ES256 or EdDSA.
    pub fn signature() -> Self {
        Self::new(
            Algorithm::ALL
                .into_iter()
                .filter(|a| a.operation() == Operation::Sign),
            [iana::KeyOperation::Sign, iana::KeyOperation::Verify],
        )
    }

    /// RFC 9202 §3.2, RFC 9203 §3.2: a symmetric PoP key is a pre-shared or master secret
    /// from which MAC and AEAD keys are derived.
    pub fn symmetric() -> Self {
        Self::new(
            Algorithm::ALL
                .into_iter()
                .filter(|a| a.operation() != Operation::Sign),
            [
                iana::KeyOperation::MacCreate,
                iana::KeyOperation::MacVerify,
                iana::KeyOperation::Encrypt,
                iana::KeyOperation::Decrypt,
                iana::KeyOperation::DeriveKey,
                iana::KeyOperation::DeriveBits,
            ],
        )
    }

    /// RFC 9201 §5: refuses a key whose `alg` or `key_ops` make it unusable for this use.
    /// The error is [`Error::IncompatiblePopKey`] (4.00).
    pub fn check(&self, key: &PopKey) -> Result<(), Error> {
        if let Some(alg) = key.alg() {
            let usable = self
                .algorithms
                .iter()
                .any(|a| a.to_coset() == *alg && key.check_algorithm(*a).is_ok());
            if !usable {
                return Err(Error::IncompatiblePopKey("alg"));
            }
        }
        let ops = key.key_ops();
        if !ops.is_empty()
            && !self
                .operations
                .iter()
                .any(|op| ops.contains(&RegisteredLabel::Assigned(*op)))
        {
            return Err(Error::IncompatiblePopKey("key_ops"));
        }
        Ok(())
    }
}
