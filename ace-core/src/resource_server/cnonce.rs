//! RFC 9200 §5.3.1: the client-nonce an RS without synchronized time hands out in its AS
//! Request Creation Hints and later finds again in the token's `cnonce` claim.

use alloc::vec::Vec;

use rand_core::CryptoRng;

/// Length of the nonces this RS issues (RFC 9200 §5.3.1 leaves it open; 8 random bytes make
/// a guess hopeless within a nonce's lifetime).
pub const CNONCE_LEN: usize = 8;

/// The outstanding client-nonces: bounded, single-use, each valid for a configured number of
/// seconds on the RS's monotonic counter.
///
/// RFC 9200 §5.3.1: the RS "MUST store information to validate that a given cnonce is
/// fresh"; expiry "should be based roughly on the time it would take a client to obtain an
/// access token". When the table is full the oldest nonce is forgotten: that only makes one
/// pending client ask again, while refusing would let anyone block the hints for everybody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CnonceStore {
    capacity: usize,
    lifetime: u64,
    /// (nonce, issued at uptime), oldest first.
    pending: Vec<([u8; CNONCE_LEN], u64)>,
}

impl CnonceStore {
    /// A store of at most `capacity` outstanding nonces, each fresh for `lifetime` seconds.
    pub fn new(capacity: usize, lifetime: u64) -> Self {
        Self {
            capacity: capacity.max(1),
            lifetime,
            pending: Vec::new(),
        }
    }

    /// Number of outstanding nonces.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when no nonce is outstanding.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Issues a fresh nonce at monotonic time `uptime`.
    pub fn issue(&mut self, uptime: u64, rng: &mut impl CryptoRng) -> [u8; CNONCE_LEN] {
        let lifetime = self.lifetime;
        self.pending
            .retain(|(_, at)| uptime.saturating_sub(*at) < lifetime);
        if self.pending.len() >= self.capacity {
            self.pending.remove(0);
        }
        let mut nonce = [0u8; CNONCE_LEN];
        rng.fill_bytes(&mut nonce);
        self.pending.push((nonce, uptime));
        nonce
    }

    /// True when `nonce` is outstanding and still fresh at `uptime` (no change).
    pub fn is_fresh(&self, nonce: &[u8], uptime: u64) -> bool {
        self.pending
            .iter()
            .any(|(n, at)| n.as_slice() == nonce && uptime.saturating_sub(*at) < self.lifetime)
    }

    /// Uses up `nonce`: true if it was outstanding and fresh, and it is then forgotten, so a
    /// second token with the same nonce is refused.
    pub fn consume(&mut self, nonce: &[u8], uptime: u64) -> bool {
        if !self.is_fresh(nonce, uptime) {
            return false;
        }
        self.pending.retain(|(n, _)| n.as_slice() != nonce);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn nonce_is_single_use() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut s = CnonceStore::new(4, 60);
        let n = s.issue(0, &mut rng);
        assert!(s.consume(&n, 10));
        assert!(!s.consume(&n, 10));
        assert!(s.is_empty());
    }

    #[test]
    fn stale_or_unknown_nonce_is_refused_and_store_unchanged() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let mut s = CnonceStore::new(4, 60);
        let n = s.issue(0, &mut rng);
        let before = s.clone();
        assert!(!s.consume(&n, 60));
        assert!(!s.consume(b"unknown!", 1));
        assert_eq!(s, before);
    }

    #[test]
    fn store_is_bounded_and_forgets_the_oldest() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut s = CnonceStore::new(2, 60);
        let a = s.issue(0, &mut rng);
        let b = s.issue(1, &mut rng);
        let c = s.issue(2, &mut rng);
        assert_eq!(s.len(), 2);
        assert!(!s.is_fresh(&a, 3));
        assert!(s.is_fresh(&b, 3) && s.is_fresh(&c, 3));
    }
}
