//! The server's replay window (RFC 8613 §7.4, Appendix B.1.2).

use crate::error::Error;
use crate::partial_iv::PartialIv;

/// RFC 8613 §7.4 suggests a sliding window; its default size here is 32 (as in aiocoap and the
/// DTLS anti-replay window of RFC 6347 §4.1.2.6).
pub const DEFAULT_REPLAY_WINDOW: u8 = 32;
/// The largest configurable window (one `u128` bitmap).
pub const MAX_REPLAY_WINDOW: u8 = 128;

/// A sliding replay window over received Partial IVs.
///
/// Checking ([`ReplayWindow::check`]) and marking ([`ReplayWindow::accept`]) are separate so
/// that a message is only marked after its AEAD verification succeeded (§7.4, §8.2 step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayWindow {
    size: u8,
    state: WindowState,
}

/// Whether the window knows which Partial IVs were already seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    /// Fresh context: nothing received yet; every Partial IV is new.
    Empty,
    /// `highest` was received; bit `i` of `seen` means `highest − i` was received.
    Tracking {
        /// The highest Partial IV received.
        highest: u64,
        /// Bitmap of received Partial IVs below `highest`, bit 0 = `highest`.
        seen: u128,
    },
    /// RFC 8613 Appendix B.1.2: after a reboot the window was lost; no request can be
    /// accepted until freshness is established with the Echo option.
    Unknown,
}

impl ReplayWindow {
    /// A window of `size` Partial IVs (1..=[`MAX_REPLAY_WINDOW`]).
    pub fn new(size: u8) -> Result<Self, Error> {
        if size == 0 || size > MAX_REPLAY_WINDOW {
            return Err(Error::InvalidReplayWindowSize);
        }
        Ok(Self {
            size,
            state: WindowState::Empty,
        })
    }

    /// A window of `size` whose state was lost (RFC 8613 Appendix B.1.2).
    pub(crate) fn unknown(size: u8) -> Result<Self, Error> {
        Ok(Self {
            state: WindowState::Unknown,
            ..Self::new(size)?
        })
    }

    /// The window's state.
    pub fn state(&self) -> WindowState {
        self.state
    }

    /// Whether the window must be re-established with Echo (Appendix B.1.2).
    pub fn is_unknown(&self) -> bool {
        self.state == WindowState::Unknown
    }

    /// RFC 8613 §7.4: [`Error::Replay`] if `piv` was seen or lies below the window. An unknown
    /// window accepts nothing here (the caller runs the Echo exchange instead).
    pub fn check(&self, piv: PartialIv) -> Result<(), Error> {
        let piv = piv.value();
        match self.state {
            WindowState::Empty => Ok(()),
            WindowState::Unknown => Err(Error::Replay),
            WindowState::Tracking { highest, seen } => {
                if piv > highest {
                    return Ok(());
                }
                let back = highest - piv;
                if back >= u64::from(self.size) || seen & (1u128 << back) != 0 {
                    Err(Error::Replay)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Marks `piv` as received; call only after [`ReplayWindow::check`] and successful
    /// decryption. Returns [`Error::Replay`] (and changes nothing) if it was not acceptable.
    pub fn accept(&mut self, piv: PartialIv) -> Result<(), Error> {
        self.check(piv)?;
        self.mark(piv);
        Ok(())
    }

    /// RFC 8613 Appendix B.1.2: the Partial IV of a request verified fresh with Echo becomes the
    /// lower limit of the window: it and everything below count as seen.
    pub(crate) fn restart_at(&mut self, piv: PartialIv) {
        self.state = WindowState::Tracking {
            highest: piv.value(),
            seen: u128::MAX,
        };
    }

    /// Marks `piv` as received; only for a `piv` that [`ReplayWindow::check`] accepted with
    /// the window unchanged since ([`ReplayWindow::accept`] checks again).
    pub(crate) fn mark(&mut self, piv: PartialIv) {
        let piv = piv.value();
        self.state = match self.state {
            WindowState::Empty | WindowState::Unknown => WindowState::Tracking {
                highest: piv,
                seen: 1,
            },
            WindowState::Tracking { highest, seen } if piv > highest => {
                let shift = piv - highest;
                let seen = if shift >= 128 { 0 } else { seen << shift };
                WindowState::Tracking {
                    highest: piv,
                    seen: seen | 1,
                }
            }
            WindowState::Tracking { highest, seen } => WindowState::Tracking {
                highest,
                seen: seen | (1u128 << ((highest - piv) & 127)),
            },
        };
    }
}

impl ReplayWindow {
    /// The window size.
    pub fn size(&self) -> u8 {
        self.size
    }
}
