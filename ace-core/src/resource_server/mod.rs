//! The Resource Server engine (RFC 9200 §5.10): `/authz-info`, the token store and access
//! decisions. Sans-IO: time comes from a [`Clock`], randomness from the caller, and an
//! introspection round trip is a value the caller carries to the AS and back.

mod access;
mod authz_info;
mod cnonce;
mod exi;
mod rate_limit;
mod scope_matcher;
mod token_store;

use alloc::string::String;
use alloc::vec::Vec;

use ace_cwt::{Claims, KeyId, PopKey};
use rand_core::CryptoRng;

use crate::PopKeyUse;
use crate::env::Clock;
use crate::message::CreationHints;

pub use access::{AccessDecision, LongRunningRequest};
pub use authz_info::{AuthzInfoOutcome, PendingIntrospection};
pub use cnonce::{CNONCE_LEN, CnonceStore};
pub use exi::{ExiCti, ExiWatermark};
pub use rate_limit::{MAX_PEER_ID_LEN, PeerId, RateLimit, SubmissionLimiter};
pub use scope_matcher::{AifScopes, ScopeDecision, ScopeMatcher};
pub use token_store::{Expiry, StoreRefusal, Stored, StoredToken, TokenStore};

/// What the RS keeps for one accepted token (RFC 9200 §5.10.1).
#[derive(Clone, Debug, PartialEq)]
pub struct Authorization<S> {
    /// The recognized scope.
    pub scope: S,
    /// All claims of the token, as verified.
    pub claims: Claims,
    /// The PoP key when the token carried one (`cnf` COSE_Key or Encrypted_COSE_Key); `None`
    /// when `cnf` only named a key id the profile already knows.
    pub pop_key: Option<PopKey>,
    /// RFC 9200 §5.10.3: the `exi` sequence number read from `cti`, for the watermark.
    pub exi_sequence: Option<u64>,
}

/// The RS's configuration.
#[derive(Clone, Debug)]
pub struct RsConfig {
    /// RFC 9200 §5.10.1.1 `aud`: the audiences this RS identifies with. The first one is also
    /// its identifier inside `exi` tokens' `cti` (§5.10.3).
    pub audiences: Vec<String>,
    /// RFC 9200 §5.10.1.1 `iss`: the AS that protects tokens for this RS. A token whose `iss`
    /// claim is present and differs is refused with 4.01.
    pub issuer: Option<String>,
    /// RFC 9200 §5.3 Table 1 `AS`: the AS URI given in creation hints.
    pub as_uri: Option<String>,
    /// RFC 9200 §5.10.1: how many tokens are kept (at least one).
    pub token_capacity: usize,
    /// RFC 9200 §5.3.1: use the client-nonce mechanism, with at most this many outstanding
    /// nonces, each fresh for this many seconds. `None` disables it.
    pub cnonce: Option<(usize, u64)>,
    /// RFC 9200 §5.10.1: treat payloads that are not COSE as reference tokens and ask the AS
    /// (§5.9). When false they are refused with 4.00.
    pub introspect_reference_tokens: bool,
    /// RFC 8747 §3.3: the key shared with the AS that decrypts an Encrypted_COSE_Key `cnf`.
    pub cnf_key_encryption_key: Option<PopKey>,
    /// RFC 9201 §5: what the profile does with a PoP key in `cnf`; a key whose `alg` or
    /// `key_ops` is incompatible is refused with 4.00.
    pub pop_key_use: PopKeyUse,
    /// RFC 9200 §5.10.1.2: limit `/authz-info` submissions per peer (used by
    /// [`ResourceServer::post_authz_info_from`]); `None` disables it.
    pub rate_limit: Option<RateLimit>,
}

impl RsConfig {
    /// A configuration for an RS known as `audience`, trusting tokens from `issuer`.
    pub fn new(audience: impl Into<String>, issuer: Option<String>) -> Self {
        Self {
            audiences: alloc::vec![audience.into()],
            issuer,
            as_uri: None,
            token_capacity: 16,
            cnonce: None,
            introspect_reference_tokens: false,
            cnf_key_encryption_key: None,
            pop_key_use: PopKeyUse::default(),
            rate_limit: None,
        }
    }

    fn rs_id(&self) -> &str {
        self.audiences.first().map_or("", String::as_str)
    }
}

/// The Resource Server: verifies and stores tokens, decides access.
///
/// `K` finds the AS's token-protection keys by kid ([`ace_cwt::KeyStore`]); holding a key
/// there is what gives an AS "the right to issue access tokens for this RS"
/// (RFC 9200 §5.10.1.1). `M` reads scopes.
#[derive(Debug)]
pub struct ResourceServer<K, M: ScopeMatcher> {
    config: RsConfig,
    keys: K,
    scopes: M,
    store: TokenStore<Authorization<M::Scope>>,
    cnonces: Option<CnonceStore>,
    exi: ExiWatermark,
    limiter: Option<SubmissionLimiter>,
}

impl<K: ace_cwt::KeyStore, M: ScopeMatcher> ResourceServer<K, M> {
    /// A new RS with an empty token store.
    pub fn new(config: RsConfig, keys: K, scopes: M) -> Self {
        let store = TokenStore::new(config.token_capacity);
        let cnonces = config
            .cnonce
            .map(|(capacity, lifetime)| CnonceStore::new(capacity, lifetime));
        let limiter = config.rate_limit.map(SubmissionLimiter::new);
        Self {
            config,
            keys,
            scopes,
            store,
            cnonces,
            exi: ExiWatermark::default(),
            limiter,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &RsConfig {
        &self.config
    }

    /// The token store (read-only).
    pub fn tokens(&self) -> &TokenStore<Authorization<M::Scope>> {
        &self.store
    }

    /// The outstanding client-nonces, when the mechanism is enabled.
    pub fn cnonces(&self) -> Option<&CnonceStore> {
        self.cnonces.as_ref()
    }

    /// The submission rate limiter, when configured (RFC 9200 §5.10.1.2).
    pub fn rate_limiter(&self) -> Option<&SubmissionLimiter> {
        self.limiter.as_ref()
    }

    /// The `exi` watermark (RFC 9200 §5.10.3).
    pub fn exi_watermark(&self) -> ExiWatermark {
        self.exi
    }

    /// RFC 9200 §6.6: restores a persisted `exi` watermark after a reboot. It only ever
    /// moves up, so an old copy cannot re-open expired sequence numbers.
    pub fn restore_exi_watermark(&mut self, persisted: ExiWatermark) {
        if let Some(seq) = persisted.highest_expired() {
            self.exi.record_expired(seq);
        }
    }

    /// The token bound to `key_id`, if stored and not expired.
    pub fn token_for(
        &self,
        key_id: &KeyId,
        clock: &impl Clock,
    ) -> Option<&StoredToken<Authorization<M::Scope>>> {
        self.store
            .get(key_id)
            .filter(|t| !t.expiry.is_expired(clock.now(), clock.monotonic()))
    }

    /// RFC 9200 §5.2, §5.3: the AS Request Creation Hints for an Unauthorized Resource
    /// Request; with the client-nonce mechanism on, a fresh `cnonce` (§5.3.1) is included.
    pub fn creation_hints(
        &mut self,
        clock: &impl Clock,
        rng: &mut impl CryptoRng,
    ) -> CreationHints {
        let mut hints = CreationHints {
            as_uri: self.config.as_uri.clone(),
            audience: self.config.audiences.first().cloned(),
            ..CreationHints::default()
        };
        if let Some(store) = self.cnonces.as_mut() {
            hints.cnonce = Some(store.issue(clock.monotonic(), rng).to_vec());
        }
        hints
    }

    /// RFC 9200 §5.10.3: drops expired tokens and raises the `exi` watermark for those that
    /// carried `exi`. Returns how many were removed.
    pub fn expunge_expired(&mut self, clock: &impl Clock) -> usize {
        let removed = self.store.expunge_expired(clock.now(), clock.monotonic());
        for t in &removed {
            self.note_expired(t);
        }
        removed.len()
    }

    fn note_expired(&mut self, token: &StoredToken<Authorization<M::Scope>>) {
        if let Some(seq) = token.authorization.exi_sequence {
            self.exi.record_expired(seq);
        }
    }
}
