//! RFC 9200 §5.10.1: the RS's store of verified tokens, one per proof-of-possession key.

use alloc::vec::Vec;

use ace_cwt::KeyId;

use crate::env::UnixTime;

/// When a stored token stops authorizing requests (RFC 9200 §5.10.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// `exp`: expires at this wall-clock time.
    At(UnixTime),
    /// `exi`: expires when the RS's monotonic counter reaches this value (the counter at first
    /// receipt plus `exi`).
    AfterUptime(u64),
    /// Both `exp` and `exi` were present; whichever comes first ends the token.
    Both(UnixTime, u64),
    /// Neither `exp` nor `exi`: valid until replaced (or until introspection says otherwise).
    Unbounded,
}

impl Expiry {
    /// True once the token must no longer authorize anything. Without trusted time an
    /// `exp` cannot be checked, so an `At` token counts as expired (fail closed).
    pub fn is_expired(self, now: Option<UnixTime>, uptime: u64) -> bool {
        let wall_expired = |t: UnixTime| now.is_none_or(|n| n >= t);
        match self {
            Self::At(t) => wall_expired(t),
            Self::AfterUptime(u) => uptime >= u,
            Self::Both(t, u) => wall_expired(t) || uptime >= u,
            Self::Unbounded => false,
        }
    }
}

/// One verified token as the RS keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken<A> {
    /// The PoP key id the token is bound to (RFC 9200 §5.10.1: one token per key).
    pub key_id: KeyId,
    /// When it ends.
    pub expiry: Expiry,
    /// What it grants (scope, claims ...).
    pub authorization: A,
}

/// Why a token could not be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreRefusal {
    /// Every slot holds a live token bound to another key; nothing may be evicted.
    Full,
}

/// What storing a token did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored<A> {
    /// A new entry was made.
    Added,
    /// RFC 9200 §5.10.1: the previous token for the same PoP key was superseded.
    Replaced(StoredToken<A>),
    /// A slot was freed by dropping this expired token (of another key).
    EvictedExpired(StoredToken<A>),
}

/// A bounded token store keyed by PoP key id.
///
/// RFC 9200 §5.10.1: "The RS MUST be prepared to store at least one access token" and it is
/// RECOMMENDED to keep one token per PoP key, a newer one superseding the old. The capacity
/// is fixed at construction; when full, expired tokens are evicted first and a live token is
/// never dropped: the new token is refused instead ([`StoreRefusal::Full`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenStore<A> {
    capacity: usize,
    entries: Vec<StoredToken<A>>,
}

impl<A> TokenStore<A> {
    /// A store for at most `capacity` tokens (at least one, RFC 9200 §5.10.1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Vec::new(),
        }
    }

    /// The configured capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of stored tokens (live or not yet expunged).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The token bound to `key_id`, if any (expired or not).
    pub fn get(&self, key_id: &KeyId) -> Option<&StoredToken<A>> {
        self.entries.iter().find(|e| &e.key_id == key_id)
    }

    /// All stored tokens.
    pub fn iter(&self) -> impl Iterator<Item = &StoredToken<A>> {
        self.entries.iter()
    }

    /// Checks whether `key_id` could be stored now, without changing anything.
    pub fn can_store(&self, key_id: &KeyId, now: Option<UnixTime>, uptime: u64) -> bool {
        self.entries.len() < self.capacity
            || self.entries.iter().any(|e| &e.key_id == key_id)
            || self
                .entries
                .iter()
                .any(|e| e.expiry.is_expired(now, uptime))
    }

    /// Stores `token`: replaces the token of the same key, else uses a free slot, else evicts
    /// the expired token that expired first, else refuses (and changes nothing).
    pub fn store(
        &mut self,
        token: StoredToken<A>,
        now: Option<UnixTime>,
        uptime: u64,
    ) -> Result<Stored<A>, StoreRefusal> {
        if let Some(slot) = self.entries.iter_mut().find(|e| e.key_id == token.key_id) {
            return Ok(Stored::Replaced(core::mem::replace(slot, token)));
        }
        if self.entries.len() < self.capacity {
            self.entries.push(token);
            return Ok(Stored::Added);
        }
        let expired = self
            .entries
            .iter()
            .position(|e| e.expiry.is_expired(now, uptime));
        match expired {
            Some(i) => {
                let old = self.entries.swap_remove(i);
                self.entries.push(token);
                Ok(Stored::EvictedExpired(old))
            }
            None => Err(StoreRefusal::Full),
        }
    }

    /// [`TokenStore::store`] for the RS's `/authz-info` path: a superseded token of the same
    /// key is overwritten in place (not moved out and handed back; a token is large), and
    /// `true` says that one was replaced. An evicted expired token goes to `evicted`. The
    /// store ends in the same state as with [`TokenStore::store`] (tests compare both).
    pub(crate) fn store_in_place(
        &mut self,
        token: StoredToken<A>,
        now: Option<UnixTime>,
        uptime: u64,
        evicted: impl FnOnce(StoredToken<A>),
    ) -> Result<bool, StoreRefusal> {
        if let Some(slot) = self.entries.iter_mut().find(|e| e.key_id == token.key_id) {
            *slot = token;
            return Ok(true);
        }
        if self.entries.len() < self.capacity {
            self.entries.push(token);
            return Ok(false);
        }
        let expired = self
            .entries
            .iter()
            .position(|e| e.expiry.is_expired(now, uptime));
        match expired {
            Some(i) => {
                let old = self.entries.swap_remove(i);
                self.entries.push(token);
                evicted(old);
                Ok(false)
            }
            None => Err(StoreRefusal::Full),
        }
    }

    /// RFC 9200 §5.10.3: "revisit that list regularly to expunge expired tokens". Returns the
    /// removed tokens (the caller may need their `exi` sequence numbers).
    pub fn expunge_expired(&mut self, now: Option<UnixTime>, uptime: u64) -> Vec<StoredToken<A>> {
        let mut removed = Vec::new();
        let mut i = 0;
        while i < self.entries.len() {
            if self
                .entries
                .get(i)
                .is_some_and(|e| e.expiry.is_expired(now, uptime))
            {
                removed.push(self.entries.swap_remove(i));
            } else {
                i += 1;
            }
        }
        removed
    }

    /// Removes the token bound to `key_id`.
    pub fn remove(&mut self, key_id: &KeyId) -> Option<StoredToken<A>> {
        let i = self.entries.iter().position(|e| &e.key_id == key_id)?;
        Some(self.entries.swap_remove(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(kid: &[u8], expiry: Expiry, a: u32) -> StoredToken<u32> {
        StoredToken {
            key_id: KeyId::from(kid),
            expiry,
            authorization: a,
        }
    }

    const T100: UnixTime = UnixTime::from_secs(100);

    #[test]
    fn newer_token_for_same_key_replaces_the_old_one() {
        let mut s = TokenStore::new(1);
        s.store(
            token(b"k", Expiry::At(T100), 1),
            Some(UnixTime::from_secs(0)),
            0,
        )
        .unwrap();
        let r = s
            .store(
                token(b"k", Expiry::At(T100), 2),
                Some(UnixTime::from_secs(0)),
                0,
            )
            .unwrap();
        assert_eq!(r, Stored::Replaced(token(b"k", Expiry::At(T100), 1)));
        assert_eq!(s.get(&KeyId::from(b"k")).unwrap().authorization, 2);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn full_store_of_live_tokens_refuses_and_is_unchanged() {
        let now = Some(UnixTime::from_secs(10));
        let mut s = TokenStore::new(2);
        s.store(token(b"a", Expiry::At(T100), 1), now, 0).unwrap();
        s.store(token(b"b", Expiry::Unbounded, 2), now, 0).unwrap();
        let before = s.clone();
        assert!(!s.can_store(&KeyId::from(b"c"), now, 0));
        assert_eq!(
            s.store(token(b"c", Expiry::At(T100), 3), now, 0),
            Err(StoreRefusal::Full)
        );
        assert_eq!(s, before);
    }

    #[test]
    fn full_store_evicts_an_expired_token_first() {
        let mut s = TokenStore::new(2);
        let t0 = Some(UnixTime::from_secs(10));
        s.store(token(b"a", Expiry::At(T100), 1), t0, 0).unwrap();
        s.store(token(b"b", Expiry::AfterUptime(50), 2), t0, 0)
            .unwrap();
        // at uptime 60 "b" (exi) has expired, "a" (exp 100) has not
        let r = s
            .store(
                token(b"c", Expiry::Unbounded, 3),
                Some(UnixTime::from_secs(60)),
                60,
            )
            .unwrap();
        assert_eq!(
            r,
            Stored::EvictedExpired(token(b"b", Expiry::AfterUptime(50), 2))
        );
        assert!(s.get(&KeyId::from(b"a")).is_some());
    }

    proptest::proptest! {
        /// `store_in_place` leaves the store as `store` does and reports the same outcome.
        #[test]
        fn store_in_place_equals_store(
            ops in proptest::collection::vec((0u8..5, 0u64..100, 0u64..60, 0u32..1000), 0..30),
            capacity in 1usize..4,
        ) {
            let mut a = TokenStore::new(capacity);
            let mut b = TokenStore::new(capacity);
            for (kid, exi, uptime, v) in ops {
                let t = token(&[kid], Expiry::AfterUptime(exi), v);
                let now = Some(UnixTime::from_secs(uptime));
                let mut evicted = None;
                let fast = b.store_in_place(t.clone(), now, uptime, |old| evicted = Some(old));
                let slow = a.store(t, now, uptime);
                match slow {
                    Ok(Stored::Replaced(_)) => proptest::prop_assert_eq!(fast, Ok(true)),
                    Ok(Stored::Added) => proptest::prop_assert_eq!(fast, Ok(false)),
                    Ok(Stored::EvictedExpired(old)) => {
                        proptest::prop_assert_eq!(fast, Ok(false));
                        proptest::prop_assert_eq!(evicted.take(), Some(old));
                    }
                    Err(e) => proptest::prop_assert_eq!(fast, Err(e)),
                }
                proptest::prop_assert!(evicted.is_none());
                proptest::prop_assert_eq!(&a, &b);
            }
        }
    }

    #[test]
    fn exp_token_counts_as_expired_without_trusted_time() {
        assert!(Expiry::At(T100).is_expired(None, 0));
        assert!(!Expiry::At(T100).is_expired(Some(UnixTime::from_secs(99)), 0));
        assert!(Expiry::At(T100).is_expired(Some(T100), 0));
        assert!(Expiry::Both(T100, 5).is_expired(Some(UnixTime::from_secs(1)), 5));
    }

    #[test]
    fn expunge_removes_only_expired_tokens() {
        let mut s = TokenStore::new(3);
        let now = Some(UnixTime::from_secs(0));
        s.store(token(b"a", Expiry::AfterUptime(5), 1), now, 0)
            .unwrap();
        s.store(token(b"b", Expiry::AfterUptime(50), 2), now, 0)
            .unwrap();
        let gone = s.expunge_expired(now, 10);
        assert_eq!(gone, alloc::vec![token(b"a", Expiry::AfterUptime(5), 1)]);
        assert_eq!(s.len(), 1);
    }
}
