//! Server side of a Block1 transfer: reassemble request bodies in bounded memory
//! (RFC 7959 §2.5, RFC 9175 §3.3).

use core::time::Duration;

use coap_message::ReadableMessage;

use crate::{BlockOption, Error, RequestTag, Szx, TransferOptions};

/// Settings of a [`Reassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReassemblyConfig {
    /// RFC 7959 §2.5 / §7.1: a partial body is discarded when no block arrived for this long
    /// (RFC 7959 suggests EXCHANGE_LIFETIME, 247 s, as the time a server can expect to keep it).
    pub timeout: Duration,
    /// RFC 7959 §2.3 (control usage): the largest block size this server prefers; a larger
    /// one in a request is answered with this SZX in the 2.31's Block1.
    pub preferred_szx: Szx,
}

impl Default for ReassemblyConfig {
    fn default() -> Self {
        ReassemblyConfig {
            timeout: Duration::from_secs(247),
            preferred_szx: Szx::MAX,
        }
    }
}

/// What the server answers after [`Reassembler::handle_block1`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block1Outcome<'a> {
    /// RFC 7959 §2.9.1: answer 2.31 Continue carrying Block1 = `ack` (M set: the server acts
    /// atomically on the last block; SZX is the server's preferred size, §2.3).
    Continue {
        /// The Block1 option of the 2.31 response.
        ack: BlockOption,
    },
    /// The whole body has arrived: act on it and send the final response with Block1 = `ack`
    /// (M unset). The slot is free again.
    Complete {
        /// The Block1 option of the final response.
        ack: BlockOption,
        /// The reassembled request body.
        body: &'a [u8],
    },
}

/// Who a transfer belongs to: the endpoint (any type the caller uses for peers, e.g. a socket
/// address, optionally paired with the resource) and the Request-Tag (RFC 9175 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TransferKey<E> {
    endpoint: E,
    request_tag: RequestTag,
}

#[derive(Debug, Clone)]
struct Transfer<E> {
    key: TransferKey<E>,
    received: usize,
    last_activity: Duration,
}

#[derive(Debug)]
struct Slot<'s, E> {
    buf: &'s mut [u8],
    transfer: Option<Transfer<E>>,
}

/// RFC 7959 §2.5: atomic reassembly of Block1 request bodies with bounded memory.
///
/// The caller lends one byte slab; it is split into `N` equal slots, so at most `N` transfers
/// run at once (the total bound) and each body holds at most `slab.len() / N` bytes (the
/// per-request bound). Transfers are keyed by endpoint and Request-Tag (RFC 9175 §3.3); a new
/// block 0 for a key in progress restarts it (RFC 7959 §2.5 "simply overwrites the context").
/// Time is the `now` argument (any monotonic clock, as a duration since its origin).
///
/// Every refused block leaves all transfers as they were (expiry of timed-out transfers
/// aside, which happens first on each call).
#[derive(Debug)]
pub struct Reassembler<'s, E, const N: usize> {
    slots: [Slot<'s, E>; N],
    config: ReassemblyConfig,
}

impl<'s, E: PartialEq + Clone, const N: usize> Reassembler<'s, E, N> {
    /// A reassembler that splits `slab` into `N` slots.
    pub fn new(slab: &'s mut [u8], config: ReassemblyConfig) -> Self {
        let per_slot = (slab.len() / N.max(1)).max(1);
        let mut chunks = slab.chunks_exact_mut(per_slot);
        let slots = core::array::from_fn(|_| Slot {
            buf: chunks.next().unwrap_or(&mut []),
            transfer: None,
        });
        Reassembler { slots, config }
    }

    /// The largest body one transfer can hold (sent as Size1 in 4.13).
    pub fn capacity_per_transfer(&self) -> usize {
        self.slots.first().map_or(0, |s| s.buf.len())
    }

    /// How many transfers are in progress.
    pub fn active_transfers(&self) -> usize {
        self.slots.iter().filter(|s| s.transfer.is_some()).count()
    }

    /// Bytes received so far by the transfer of `endpoint` with `request_tag`, if one is active.
    pub fn progress(&self, endpoint: &E, request_tag: &RequestTag) -> Option<usize> {
        self.find(endpoint, request_tag)
            .and_then(|i| self.slots.get(i))
            .and_then(|s| s.transfer.as_ref())
            .map(|t| t.received)
    }

    /// The earliest time at which an active transfer times out, for the caller's timer.
    pub fn next_timeout(&self) -> Option<Duration> {
        self.slots
            .iter()
            .filter_map(|s| s.transfer.as_ref())
            .map(|t| t.last_activity.saturating_add(self.config.timeout))
            .min()
    }

    /// RFC 7959 §2.5, §7.1: drop the transfers idle for the configured timeout; later blocks
    /// of them get 4.08. Returns how many were dropped.
    pub fn expire(&mut self, now: Duration) -> usize {
        let timeout = self.config.timeout;
        let mut dropped = 0;
        for slot in &mut self.slots {
            if slot
                .transfer
                .as_ref()
                .is_some_and(|t| now.saturating_sub(t.last_activity) >= timeout)
            {
                slot.transfer = None;
                dropped += 1;
            }
        }
        dropped
    }

    fn find(&self, endpoint: &E, request_tag: &RequestTag) -> Option<usize> {
        self.slots.iter().position(|s| {
            s.transfer
                .as_ref()
                .is_some_and(|t| t.key.endpoint == *endpoint && t.key.request_tag == *request_tag)
        })
    }

    fn too_large(&self) -> Error {
        Error::RequestEntityTooLarge {
            max: u32::try_from(self.capacity_per_transfer()).unwrap_or(u32::MAX),
        }
    }

    /// Read Block1, Size1 and Request-Tag from `request` and pass it to
    /// [`handle_block1`](Self::handle_block1). A request without Block1 is a complete body
    /// by itself (RFC 7959 §2.2: absence means "first and only block").
    pub fn handle_request<'a, M: ReadableMessage + ?Sized>(
        &'a mut self,
        endpoint: &E,
        request: &'a M,
        now: Duration,
    ) -> Result<Option<Block1Outcome<'a>>, Error> {
        let options = TransferOptions::from_message(request)?;
        match options.block1 {
            None => Ok(None),
            Some(block1) => self
                .handle_block1(
                    endpoint,
                    &options.request_tag,
                    block1,
                    options.size1,
                    request.payload(),
                    now,
                )
                .map(Some),
        }
    }

    /// RFC 7959 §2.5: take one Block1 block (descriptive usage) of the transfer keyed by
    /// `endpoint` and `request_tag`.
    ///
    /// Errors (each leaves the transfers unchanged): payload size not matching SZX with M set
    /// ([`Error::PayloadSizeMismatch`], 4.00); a gap, or a block for no known transfer
    /// ([`Error::RequestEntityIncomplete`], 4.08); a body or Size1 above the per-transfer
    /// capacity ([`Error::RequestEntityTooLarge`], 4.13 with Size1); a new transfer while all
    /// slots are busy ([`Error::NoCapacity`], 5.03). A duplicate of an already received block is
    /// acknowledged again without being stored twice.
    pub fn handle_block1<'a>(
        &'a mut self,
        endpoint: &E,
        request_tag: &RequestTag,
        block1: BlockOption,
        size1: Option<u32>,
        payload: &'a [u8],
        now: Duration,
    ) -> Result<Block1Outcome<'a>, Error> {
        self.expire(now);
        let size = block1.size();
        if (block1.more && payload.len() != size) || payload.len() > size {
            return Err(Error::PayloadSizeMismatch {
                payload: payload.len(),
                size,
            });
        }
        let capacity = self.capacity_per_transfer();
        if size1.is_some_and(|s| s as usize > capacity) {
            return Err(self.too_large());
        }
        let offset = block1.offset();
        let end = offset.saturating_add(payload.len());
        let existing = self.find(endpoint, request_tag);
        let ack_szx = block1.szx.min(self.config.preferred_szx);
        let ack = BlockOption {
            num: block1.num,
            more: block1.more,
            szx: if block1.more { ack_szx } else { block1.szx },
        };

        if block1.num == 0 && !block1.more {
            // A body in one block: nothing to store. It replaces any transfer of this key.
            if let Some(slot) = existing.and_then(|i| self.slots.get_mut(i)) {
                slot.transfer = None;
            }
            return Ok(Block1Outcome::Complete { ack, body: payload });
        }

        let index = match existing {
            Some(i) => i,
            None if block1.num == 0 => self
                .slots
                .iter()
                .position(|s| s.transfer.is_none())
                .ok_or(Error::NoCapacity { slots: N })?,
            None => {
                return Err(Error::RequestEntityIncomplete {
                    offset,
                    expected: 0,
                });
            }
        };
        if end > capacity {
            return Err(self.too_large());
        }
        let slot = self
            .slots
            .get_mut(index)
            .ok_or(Error::NoCapacity { slots: N })?;
        let received = match (&slot.transfer, block1.num) {
            (_, 0) => 0,
            (Some(t), _) => t.received,
            (None, _) => 0,
        };
        if offset != received {
            if block1.more && end <= received && offset < received {
                // A duplicate (e.g. a retransmission the message layer did not catch).
                return Ok(Block1Outcome::Continue { ack });
            }
            return Err(Error::RequestEntityIncomplete {
                offset,
                expected: received,
            });
        }
        slot.buf
            .get_mut(offset..end)
            .ok_or(Error::RequestEntityTooLarge {
                max: u32::try_from(capacity).unwrap_or(u32::MAX),
            })?
            .copy_from_slice(payload);
        if block1.more {
            slot.transfer = Some(Transfer {
                key: TransferKey {
                    endpoint: endpoint.clone(),
                    request_tag: *request_tag,
                },
                received: end,
                last_activity: now,
            });
            Ok(Block1Outcome::Continue { ack })
        } else {
            slot.transfer = None;
            let body = slot.buf.get(..end).unwrap_or(&[]);
            Ok(Block1Outcome::Complete { ack, body })
        }
    }
}
