//! The real clock, for the command line (the only crate allowed to read it).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ace_core::env::{Clock, UnixTime};

/// Wall-clock time from the operating system and a monotonic counter from process start.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock whose monotonic counter starts now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Option<UnixTime> {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .map(|d| UnixTime::from_secs(d.as_secs()))
    }

    fn monotonic(&self) -> u64 {
        self.start.elapsed().as_secs()
    }
}
