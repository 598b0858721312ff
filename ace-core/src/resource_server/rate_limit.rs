//! RFC 9200 §5.10.1.2: "the RS SHOULD rate-limit" submissions to `/authz-info`; over CoAP a
//! refused submission is 4.29 Too Many Requests (RFC 8516 §3) with Max-Age saying when to
//! try again.
//!
//! Fixed memory: at most `peers` peers are tracked, each with a fixed window of
//! `window_secs` seconds (on the [`crate::env::Clock`]'s monotonic counter) allowing
//! `max_submissions`. A new peer takes a free slot or the slot of a peer whose window has
//! ended; when every slot is busy the newcomer is refused too, so an attacker with many
//! addresses cannot grow the table.

use alloc::vec::Vec;

use crate::Error;

/// The longest peer identity kept inline (an IPv6 address, a port and a scope fit).
pub const MAX_PEER_ID_LEN: usize = 32;

/// Who submitted a token: the transport address, or a digest of it (at most
/// [`MAX_PEER_ID_LEN`] bytes, so the limiter's memory is fixed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PeerId {
    bytes: [u8; MAX_PEER_ID_LEN],
    len: u8,
}

impl PeerId {
    /// The peer named by `bytes`; `None` when longer than [`MAX_PEER_ID_LEN`] (hash it).
    pub fn new(bytes: &[u8]) -> Option<Self> {
        let mut out = [0u8; MAX_PEER_ID_LEN];
        out.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(Self {
            bytes: out,
            len: u8::try_from(bytes.len()).ok()?,
        })
    }

    /// The identity bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// The limiter's configuration (RFC 9200 §5.10.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// How many peers are tracked at once (the memory bound; at least one).
    pub peers: usize,
    /// Submissions allowed per peer and window (at least one).
    pub max_submissions: u32,
    /// The window length in seconds (at least one).
    pub window_secs: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PeerWindow {
    peer: PeerId,
    started: u64,
    count: u32,
}

/// The per-peer submission counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionLimiter {
    limit: RateLimit,
    windows: Vec<PeerWindow>,
}

/// Where a submission goes once admitted.
enum Slot {
    Existing(usize, bool),
    Free,
    Reuse(usize),
}

impl SubmissionLimiter {
    /// An empty limiter (capacities below one are raised to one).
    pub fn new(limit: RateLimit) -> Self {
        let limit = RateLimit {
            peers: limit.peers.max(1),
            max_submissions: limit.max_submissions.max(1),
            window_secs: limit.window_secs.max(1),
        };
        Self {
            limit,
            windows: Vec::with_capacity(limit.peers),
        }
    }

    /// The configuration in force.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// How many peers are tracked now.
    pub fn tracked(&self) -> usize {
        self.windows.len()
    }

    fn end(&self, w: &PeerWindow) -> u64 {
        w.started.saturating_add(self.limit.window_secs)
    }

    /// RFC 9200 §5.10.1.2: may `peer` submit at `uptime`? Reads only; `Err` is
    /// [`Error::TooManyRequests`] with the seconds until a retry can succeed (Max-Age).
    fn admit(&self, peer: &PeerId, uptime: u64) -> Result<Slot, Error> {
        if let Some(i) = self.windows.iter().position(|w| w.peer == *peer) {
            let w = self.windows.get(i).ok_or(Error::TooManyRequests(1))?;
            let end = self.end(w);
            if uptime >= end {
                return Ok(Slot::Existing(i, true));
            }
            if w.count >= self.limit.max_submissions {
                return Err(Error::TooManyRequests(end - uptime));
            }
            return Ok(Slot::Existing(i, false));
        }
        if self.windows.len() < self.limit.peers {
            return Ok(Slot::Free);
        }
        if let Some(i) = self.windows.iter().position(|w| uptime >= self.end(w)) {
            return Ok(Slot::Reuse(i));
        }
        // Every slot is busy: retry when the first window ends.
        let wait = self
            .windows
            .iter()
            .map(|w| self.end(w).saturating_sub(uptime))
            .min()
            .unwrap_or(1);
        Err(Error::TooManyRequests(wait.max(1)))
    }

    /// Checks `peer` at `uptime` without counting (what a refusal would be).
    pub fn check(&self, peer: &PeerId, uptime: u64) -> Result<(), Error> {
        self.admit(peer, uptime).map(|_| ())
    }

    /// Counts one submission of `peer` at `uptime`, or refuses it without changing anything.
    pub fn record(&mut self, peer: &PeerId, uptime: u64) -> Result<(), Error> {
        let fresh = PeerWindow {
            peer: *peer,
            started: uptime,
            count: 1,
        };
        match self.admit(peer, uptime)? {
            Slot::Existing(i, restart) => {
                if let Some(w) = self.windows.get_mut(i) {
                    if restart {
                        *w = fresh;
                    } else {
                        w.count = w.count.saturating_add(1);
                    }
                }
            }
            Slot::Free => self.windows.push(fresh),
            Slot::Reuse(i) => {
                if let Some(w) = self.windows.get_mut(i) {
                    *w = fresh;
                }
            }
        }
        Ok(())
    }
}
