//! The security context (RFC 8613 §3): Common, Sender and Recipient Context, derived once from
//! the input parameters, with the sender's sequence number and the recipient's replay window.

use crate::aad::AadTemplate;
use crate::algorithm::{AeadAlgorithm, Cipher, MAX_KEY_LEN, MAX_NONCE_LEN};
use crate::error::Error;
use crate::identifier::{IdContext, OscoreId};
use crate::key_derivation::{InfoType, Kdf};
use crate::nonce::NonceBase;
use crate::oscore_option::RequestOptionTemplate;
use crate::partial_iv::{MAX_SEQUENCE_NUMBER, PartialIv};
use crate::replay_window::{DEFAULT_REPLAY_WINDOW, ReplayWindow};
use crate::sequence_store::{SequenceStore, Volatile};

/// Capacity for the Master Secret and Master Salt (RFC 8613 §3.1 sets no limit; 64 bytes covers
/// the ACE OSCORE profile's 16–32 byte secrets).
pub const MAX_MASTER_LEN: usize = 64;
/// Default store-ahead step for Appendix B.1.1 (sequence numbers reserved per write).
pub const DEFAULT_STORE_AHEAD: u64 = 64;
/// RFC 9175 §2.2.1: an Echo value is 1 to 40 bytes.
pub const MAX_ECHO_LEN: usize = 40;

/// The input parameters of RFC 8613 §3.2 (HKDF is always HKDF-SHA-256, the default).
#[derive(Debug, Clone, Copy)]
pub struct ContextParams<'a> {
    /// Master Secret (§3.1).
    pub master_secret: &'a [u8],
    /// Master Salt (§3.1); empty when absent (the default of §3.2).
    pub master_salt: &'a [u8],
    /// Sender ID (§3.1).
    pub sender_id: &'a [u8],
    /// Recipient ID (§3.1).
    pub recipient_id: &'a [u8],
    /// ID Context (§3.1), `None` when absent (`nil` in the HKDF `info`).
    pub id_context: Option<&'a [u8]>,
    /// AEAD algorithm (§3.1), default AES-CCM-16-64-128.
    pub algorithm: AeadAlgorithm,
    /// Replay window size (§7.4), default 32.
    pub replay_window: u8,
    /// Appendix B.1.1 store-ahead step (at least 1), default 64.
    pub store_ahead: u64,
}

impl<'a> ContextParams<'a> {
    /// Parameters with the defaults of RFC 8613 §3.2 (no salt, no ID Context,
    /// AES-CCM-16-64-128) and of this crate (window 32, store-ahead 64).
    pub fn new(master_secret: &'a [u8], sender_id: &'a [u8], recipient_id: &'a [u8]) -> Self {
        Self {
            master_secret,
            master_salt: &[],
            sender_id,
            recipient_id,
            id_context: None,
            algorithm: AeadAlgorithm::AesCcm16_64_128,
            replay_window: DEFAULT_REPLAY_WINDOW,
            store_ahead: DEFAULT_STORE_AHEAD,
        }
    }
}

/// Bytes with a length, in a fixed array (no heap).
#[derive(Clone, Copy)]
pub(crate) struct Bytes<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Bytes<N> {
    pub(crate) fn new(value: &[u8], too_long: Error) -> Result<Self, Error> {
        let mut bytes = [0u8; N];
        bytes
            .get_mut(..value.len())
            .ok_or(too_long)?
            .copy_from_slice(value);
        Ok(Self {
            bytes,
            len: value.len(),
        })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// An OSCORE security context: Common Context, Sender Context and Recipient Context (§3.1).
///
/// `S` persists the Sender Sequence Number (Appendix B.1.1). A context whose sequence numbers
/// are exhausted refuses to protect ([`Error::SequenceNumberExhausted`]).
pub struct SecurityContext<S: SequenceStore = Volatile> {
    pub(crate) alg: AeadAlgorithm,
    pub(crate) common_iv: [u8; MAX_NONCE_LEN],
    /// §5.2 nonce part of the Sender ID, computed once at derivation.
    pub(crate) sender_nonce: NonceBase,
    /// §5.2 nonce part of the Recipient ID, computed once at derivation.
    pub(crate) recipient_nonce: NonceBase,
    /// §5.4 AAD of requests from this endpoint (request kid = Sender ID), less the Partial IV.
    pub(crate) sender_aad: Option<AadTemplate>,
    /// §5.4 AAD of requests from the peer (request kid = Recipient ID), less the Partial IV.
    pub(crate) recipient_aad: Option<AadTemplate>,
    /// §6.1 OSCORE option of requests from this endpoint, less the Partial IV.
    pub(crate) sender_option: Option<RequestOptionTemplate>,
    /// §6.1 OSCORE option of requests from the peer (kid = Recipient ID), less the Partial IV.
    pub(crate) recipient_option: Option<RequestOptionTemplate>,
    master_secret: Bytes<MAX_MASTER_LEN>,
    master_salt: Bytes<MAX_MASTER_LEN>,
    pub(crate) id_context: Option<IdContext>,
    pub(crate) sender_id: OscoreId,
    sender_key: [u8; MAX_KEY_LEN],
    pub(crate) sender_cipher: Cipher,
    pub(crate) recipient_id: OscoreId,
    recipient_key: [u8; MAX_KEY_LEN],
    pub(crate) recipient_cipher: Cipher,
    next_sequence: u64,
    persisted_bound: u64,
    store_ahead: u64,
    store: S,
    pub(crate) replay: ReplayWindow,
    pub(crate) pending_echo: Option<Bytes<MAX_ECHO_LEN>>,
}

impl<S: SequenceStore> core::fmt::Debug for SecurityContext<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecurityContext")
            .field("alg", &self.alg)
            .field("sender_id", &self.sender_id)
            .field("recipient_id", &self.recipient_id)
            .field("id_context", &self.id_context)
            .field("next_sequence", &self.next_sequence)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}

impl SecurityContext<Volatile> {
    /// Derives a context that is not persisted (its sequence numbers start at 0).
    pub fn derive(params: &ContextParams<'_>) -> Result<Self, Error> {
        Self::with_store(params, Volatile)
    }
}

impl<S: SequenceStore> SecurityContext<S> {
    /// RFC 8613 §3.2: derives Sender Key, Recipient Key and Common IV, checks §3.3 (ID lengths,
    /// distinct IDs) and restores the Sender Sequence Number from `store` (Appendix B.1.1).
    ///
    /// If `store` holds a bound, this is a reboot: sending continues at that bound and the
    /// replay window is unknown until an Echo exchange re-establishes it (Appendix B.1.2).
    pub fn with_store(params: &ContextParams<'_>, mut store: S) -> Result<Self, Error> {
        let alg = params.algorithm;
        let sender_id = OscoreId::new(params.sender_id)?;
        let recipient_id = OscoreId::new(params.recipient_id)?;
        if params.sender_id.len() > alg.max_id_len() || params.recipient_id.len() > alg.max_id_len()
        {
            return Err(Error::IdTooLong);
        }
        if params.sender_id == params.recipient_id {
            return Err(Error::IdsNotDistinct);
        }
        let id_context = params.id_context.map(IdContext::new).transpose()?;
        let master_secret = Bytes::new(params.master_secret, Error::KeyMaterialTooLong)?;
        let master_salt = Bytes::new(params.master_salt, Error::KeyMaterialTooLong)?;
        let kdf = Kdf::new(params.master_secret, params.master_salt);
        let ctx = params.id_context;
        let key_len = alg.key_len();
        let mut sender_key = [0u8; MAX_KEY_LEN];
        let mut recipient_key = [0u8; MAX_KEY_LEN];
        let mut common_iv = [0u8; MAX_NONCE_LEN];
        let sk = sender_key
            .get_mut(..key_len)
            .ok_or(Error::UnsupportedAlgorithm)?;
        kdf.expand(params.sender_id, ctx, alg, InfoType::Key, sk)?;
        let rk = recipient_key
            .get_mut(..key_len)
            .ok_or(Error::UnsupportedAlgorithm)?;
        kdf.expand(params.recipient_id, ctx, alg, InfoType::Key, rk)?;
        let iv = common_iv
            .get_mut(..alg.nonce_len())
            .ok_or(Error::UnsupportedAlgorithm)?;
        kdf.expand(&[], ctx, alg, InfoType::Iv, iv)?;
        if params.store_ahead == 0 {
            return Err(Error::StorageFailed);
        }
        let restored = store.load().map_err(|_| Error::StorageFailed)?;
        let replay = match restored {
            Some(_) => ReplayWindow::unknown(params.replay_window)?,
            None => ReplayWindow::new(params.replay_window)?,
        };
        let next_sequence = restored.unwrap_or(0);
        // First boot: persist at once, so that a later boot knows the context was in use (and
        // that its replay window is lost) even if this endpoint never sent anything.
        let persisted_bound = match restored {
            Some(bound) => bound,
            None => {
                let bound = params.store_ahead.min(MAX_SEQUENCE_NUMBER + 1);
                store.store(bound).map_err(|_| Error::StorageFailed)?;
                bound
            }
        };
        let iv = common_iv.get(..alg.nonce_len()).unwrap_or(&[]);
        let sender_nonce = NonceBase::new(sender_id.as_bytes(), iv);
        let recipient_nonce = NonceBase::new(recipient_id.as_bytes(), iv);
        Ok(Self {
            alg,
            common_iv,
            sender_nonce,
            recipient_nonce,
            sender_aad: AadTemplate::new(alg.cose_id(), sender_id.as_bytes()),
            recipient_aad: AadTemplate::new(alg.cose_id(), recipient_id.as_bytes()),
            sender_option: RequestOptionTemplate::new(
                id_context.as_ref().map(IdContext::as_bytes),
                sender_id.as_bytes(),
            ),
            recipient_option: RequestOptionTemplate::new(
                id_context.as_ref().map(IdContext::as_bytes),
                recipient_id.as_bytes(),
            ),
            master_secret,
            master_salt,
            id_context,
            sender_id,
            sender_cipher: Cipher::new(alg, sender_key.get(..key_len).unwrap_or(&[]))?,
            sender_key,
            recipient_id,
            recipient_cipher: Cipher::new(alg, recipient_key.get(..key_len).unwrap_or(&[]))?,
            recipient_key,
            next_sequence,
            persisted_bound,
            store_ahead: params.store_ahead,
            store,
            replay,
            pending_echo: None,
        })
    }

    /// RFC 8613 Appendix B.2: a new context from the same Master Secret, Master Salt, IDs and
    /// algorithm with a new ID Context; its sequence numbers and replay window start afresh.
    pub fn rederive<T: SequenceStore>(
        &self,
        id_context: &[u8],
        store: T,
    ) -> Result<SecurityContext<T>, Error> {
        let params = ContextParams {
            master_secret: self.master_secret.as_bytes(),
            master_salt: self.master_salt.as_bytes(),
            sender_id: self.sender_id.as_bytes(),
            recipient_id: self.recipient_id.as_bytes(),
            id_context: Some(id_context),
            algorithm: self.alg,
            replay_window: self.replay_window_size(),
            store_ahead: self.store_ahead,
        };
        SecurityContext::with_store(&params, store)
    }

    /// The AEAD algorithm.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.alg
    }
    /// The Sender ID.
    pub fn sender_id(&self) -> &[u8] {
        self.sender_id.as_bytes()
    }
    /// The Recipient ID.
    pub fn recipient_id(&self) -> &[u8] {
        self.recipient_id.as_bytes()
    }
    /// The ID Context, if any.
    pub fn id_context(&self) -> Option<&[u8]> {
        self.id_context.as_ref().map(IdContext::as_bytes)
    }
    /// The derived Sender Key (§3.2.1).
    pub fn sender_key(&self) -> &[u8] {
        self.sender_key.get(..self.alg.key_len()).unwrap_or(&[])
    }
    /// The derived Recipient Key (§3.2.1).
    pub fn recipient_key(&self) -> &[u8] {
        self.recipient_key.get(..self.alg.key_len()).unwrap_or(&[])
    }
    /// The derived Common IV (§3.2.1).
    pub fn common_iv(&self) -> &[u8] {
        self.common_iv.get(..self.alg.nonce_len()).unwrap_or(&[])
    }
    /// The Sender Sequence Number the next protected message will use.
    pub fn sender_sequence_number(&self) -> u64 {
        self.next_sequence
    }
    /// The replay window of the Recipient Context.
    pub fn replay_window(&self) -> &ReplayWindow {
        &self.replay
    }
    fn replay_window_size(&self) -> u8 {
        self.replay.size()
    }
    /// The sequence-number store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// RFC 8613 §5.2: the AEAD nonce for a Partial IV generated by the endpoint with `id`.
    pub fn nonce(&self, id: &[u8], partial_iv: PartialIv) -> [u8; MAX_NONCE_LEN] {
        if id == self.sender_id.as_bytes() {
            self.sender_nonce.with(partial_iv)
        } else if id == self.recipient_id.as_bytes() {
            self.recipient_nonce.with(partial_iv)
        } else {
            crate::nonce::nonce(id, partial_iv, self.common_iv())
        }
    }

    /// Sets the next Sender Sequence Number (for tests and vectors; never lowers it below a
    /// number already used, so no nonce can be reused).
    pub fn skip_to_sequence_number(&mut self, next: u64) -> Result<(), Error> {
        if next < self.next_sequence || next > MAX_SEQUENCE_NUMBER + 1 {
            return Err(Error::SequenceNumberExhausted);
        }
        self.next_sequence = next;
        Ok(())
    }

    /// RFC 8613 §7.2.1 and Appendix B.1.1: the Partial IV the next message will use, persisting
    /// a new bound first when the current one is reached. Does not consume it.
    pub(crate) fn reserve_sequence_number(&mut self) -> Result<PartialIv, Error> {
        let seq = self.next_sequence;
        let piv = PartialIv::new(seq).ok_or(Error::SequenceNumberExhausted)?;
        if seq >= self.persisted_bound {
            let bound = seq
                .saturating_add(self.store_ahead)
                .min(MAX_SEQUENCE_NUMBER + 1);
            self.store.store(bound).map_err(|_| Error::StorageFailed)?;
            self.persisted_bound = bound;
        }
        Ok(piv)
    }

    /// Consumes the reserved sequence number once the AEAD has used it.
    pub(crate) fn consume_sequence_number(&mut self) {
        self.next_sequence += 1;
    }
}
