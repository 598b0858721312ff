//! CoAP messages for the EST driver (RFC 7252 over coap-lite), with block-wise options
//! (RFC 7959) handled by `coap-block`.

use coap_block::BlockOption;
use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use std::time::{Duration, Instant};

/// RFC 9175 §3.2: the Request-Tag option number.
pub const REQUEST_TAG: u16 = 292;

/// RFC 7252 §3.2: the minimal big-endian bytes of a uint option.
pub fn uint_bytes(v: u32) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|x| **x == 0).count();
    b[skip..].to_vec()
}

/// A uint option value (at most 4 bytes).
pub fn uint_of(bytes: &[u8]) -> Option<u32> {
    if bytes.len() > 4 {
        return None;
    }
    Some(bytes.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
}

/// The first value of a uint option.
pub fn get_uint(p: &Packet, opt: CoapOption) -> Option<u32> {
    p.get_first_option(opt).and_then(|v| uint_of(v))
}

/// The first value of a block option, if valid.
pub fn get_block(p: &Packet, opt: CoapOption) -> Result<Option<BlockOption>, coap_block::Error> {
    p.get_first_option(opt)
        .map(|v| BlockOption::decode(v))
        .transpose()
}

/// Sets a uint option (replacing it).
pub fn set_uint(p: &mut Packet, opt: CoapOption, v: u32) {
    p.clear_option(opt);
    p.add_option(opt, uint_bytes(v));
}

/// Sets a block option.
pub fn set_block(p: &mut Packet, opt: CoapOption, b: BlockOption) {
    set_uint(p, opt, b.to_uint());
}

/// The Uri-Path segments as strings.
pub fn uri_path(p: &Packet) -> Vec<String> {
    p.get_option(CoapOption::UriPath)
        .map(|l| {
            l.iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The Uri-Query items as strings.
pub fn uri_query(p: &Packet) -> Vec<String> {
    p.get_option(CoapOption::UriQuery)
        .map(|l| {
            l.iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A response to `req`: piggybacked ACK for CON, NON otherwise (RFC 7252 §5.2).
pub fn response_to(req: &Packet, code: u8, mid: u16) -> Packet {
    let mut p = Packet::new();
    if req.header.get_type() == MessageType::Confirmable {
        p.header.set_type(MessageType::Acknowledgement);
        p.header.message_id = req.header.message_id;
    } else {
        p.header.set_type(MessageType::NonConfirmable);
        p.header.message_id = mid;
    }
    p.header.code = MessageClass::from(code);
    p.set_token(req.get_token().to_vec());
    p
}

/// RFC 7252 §4.3: an empty message (code 0.00, no token, no payload) of type ACK or RST
/// echoing `mid`.
pub fn empty(kind: MessageType, mid: u16) -> Packet {
    let mut p = Packet::new();
    p.header.set_type(kind);
    p.header.code = MessageClass::Empty;
    p.header.message_id = mid;
    p
}

/// RFC 7252 §4.8: ACK_TIMEOUT.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(2);
/// RFC 7252 §4.8: MAX_RETRANSMIT.
pub const MAX_RETRANSMIT: u32 = 4;

/// RFC 7252 §4.2: the initial timeout of a CON message, a random duration between
/// ACK_TIMEOUT and ACK_TIMEOUT * ACK_RANDOM_FACTOR (1.5); `jitter` picks the point
/// (0 gives 2 s, `u16::MAX` gives 3 s).
pub fn initial_timeout(jitter: u16) -> Duration {
    ACK_TIMEOUT + ACK_TIMEOUT / 2 * u32::from(jitter) / u32::from(u16::MAX)
}

/// RFC 7252 §4.2: what to do with an unacknowledged CON message now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retransmit {
    /// The timeout has not expired.
    Wait,
    /// The timeout expired: send the message again (the timeout has doubled).
    Resend,
    /// The timeout after the MAX_RETRANSMIT-th retransmission expired: give up.
    GiveUp,
}

/// RFC 7252 §4.2: the retransmission timer of one CON message (exponential back-off).
#[derive(Debug, Clone, Copy)]
pub struct Retransmission {
    timeout: Duration,
    retransmissions: u32,
    deadline: Instant,
}

impl Retransmission {
    /// The timer of a CON message sent for the first time at `now`.
    pub fn start(now: Instant, jitter: u16) -> Self {
        let timeout = initial_timeout(jitter);
        Retransmission {
            timeout,
            retransmissions: 0,
            deadline: now + timeout,
        }
    }

    /// At `now`: wait, resend (the timeout doubles), or give up once the timeout after the
    /// MAX_RETRANSMIT-th retransmission has expired.
    pub fn poll(&mut self, now: Instant) -> Retransmit {
        if now < self.deadline {
            Retransmit::Wait
        } else if self.retransmissions >= MAX_RETRANSMIT {
            Retransmit::GiveUp
        } else {
            self.retransmissions += 1;
            self.timeout *= 2;
            self.deadline += self.timeout;
            Retransmit::Resend
        }
    }
}

/// Where a separate response is in its life (RFC 7252 §5.2.2).
#[derive(Debug, Clone, Copy)]
enum SeparateState {
    /// The request was acknowledged with an empty ACK; the response is sent at `ready`.
    Preparing { ready: Instant },
    /// The CON response was sent and waits for its ACK.
    Sent(Retransmission),
}

/// One separate response the server owes a peer.
#[derive(Debug)]
struct Separate<K> {
    peer: K,
    request_mid: u16,
    mid: u16,
    code: u8,
    message: Vec<u8>,
    state: SeparateState,
}

/// Work the [`SeparateQueue`] hands out when timers fire.
#[derive(Debug, PartialEq, Eq)]
pub enum Due<K> {
    /// Send (`first`) or resend this CON response to `peer`.
    Send {
        /// The peer.
        peer: K,
        /// The Message ID of the request the empty ACK answered.
        request_mid: u16,
        /// The response's own Message ID.
        mid: u16,
        /// The response code.
        code: u8,
        /// The encoded CON response.
        message: Vec<u8>,
        /// First transmission (not a retransmission).
        first: bool,
    },
    /// The response was never acknowledged (RFC 7252 §4.2): it is dropped.
    GiveUp {
        /// The peer.
        peer: K,
        /// The response's Message ID.
        mid: u16,
    },
}

/// What an incoming message means for the pending separate responses.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// RFC 7252 §4.2/§4.3: an empty ACK (or RST, `reset`) ended the retransmission of the
    /// response with Message ID `mid`.
    Acknowledged {
        /// The response's Message ID.
        mid: u16,
        /// It was an RST.
        reset: bool,
    },
    /// RFC 7252 §4.5: a retransmission of a request that already got an empty ACK: send
    /// `empty_ack` again, do not handle the request twice.
    DuplicateRequest {
        /// The encoded empty ACK.
        empty_ack: Vec<u8>,
    },
    /// Nothing to do with separate responses (a request to handle, a stray message).
    Other,
}

/// The queue of pending separate responses is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

/// RFC 7252 §5.2.2 separate responses a server owes, at most `capacity` at a time.
#[derive(Debug)]
pub struct SeparateQueue<K> {
    entries: Vec<Separate<K>>,
    capacity: usize,
}

impl<K: PartialEq + Clone> SeparateQueue<K> {
    /// An empty queue holding at most `capacity` responses.
    pub fn new(capacity: usize) -> Self {
        SeparateQueue {
            entries: Vec::new(),
            capacity,
        }
    }

    /// Pending responses.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether another response fits.
    pub fn has_room(&self) -> bool {
        self.entries.len() < self.capacity
    }

    /// Owes `peer` the CON response `message` (Message ID `mid`, code `code`) to its request
    /// `request_mid`, to be sent at `ready`. Refused (queue unchanged) when full.
    pub fn push(
        &mut self,
        peer: K,
        request_mid: u16,
        (mid, code): (u16, u8),
        message: Vec<u8>,
        ready: Instant,
    ) -> Result<(), QueueFull> {
        if !self.has_room() {
            return Err(QueueFull);
        }
        self.entries.push(Separate {
            peer,
            request_mid,
            mid,
            code,
            message,
            state: SeparateState::Preparing { ready },
        });
        Ok(())
    }

    /// RFC 7252 §4.5: whether the request `request_mid` of `peer` already got an empty ACK
    /// (a retransmitted request is answered with the empty ACK again, not handled twice).
    pub fn owes(&self, peer: &K, request_mid: u16) -> bool {
        self.entries
            .iter()
            .any(|e| e.peer == *peer && e.request_mid == request_mid)
    }

    /// RFC 7252 §4.2/§4.3: an empty ACK or RST from `peer` for `mid` ends the retransmission
    /// of a sent response; true if it matched one.
    pub fn acknowledge(&mut self, peer: &K, mid: u16) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| {
            !(e.peer == *peer && e.mid == mid && matches!(e.state, SeparateState::Sent(_)))
        });
        self.entries.len() != before
    }

    /// Sorts an incoming message from `peer`: an empty ACK/RST for a sent response
    /// (removed from the queue), a duplicate of an acknowledged request, or other.
    pub fn on_message(&mut self, peer: &K, msg: &Packet) -> Seen {
        let mid = msg.header.message_id;
        match (msg.header.get_type(), msg.header.code) {
            (kind @ (MessageType::Acknowledgement | MessageType::Reset), MessageClass::Empty)
                if self.acknowledge(peer, mid) =>
            {
                Seen::Acknowledged {
                    mid,
                    reset: kind == MessageType::Reset,
                }
            }
            (MessageType::Confirmable, MessageClass::Request(_)) if self.owes(peer, mid) => {
                match empty(MessageType::Acknowledgement, mid).to_bytes() {
                    Ok(empty_ack) => Seen::DuplicateRequest { empty_ack },
                    Err(_) => Seen::Other,
                }
            }
            _ => Seen::Other,
        }
    }

    /// Drops everything owed to `peer` (its association ended).
    pub fn forget(&mut self, peer: &K) {
        self.entries.retain(|e| e.peer != *peer);
    }

    /// The sends, resends and give-ups due at `now`; `jitter` randomizes each first timeout.
    pub fn due(&mut self, now: Instant, mut jitter: impl FnMut() -> u16) -> Vec<Due<K>> {
        let mut out = Vec::new();
        self.entries.retain_mut(|e| {
            let first = match &mut e.state {
                SeparateState::Preparing { ready } if *ready <= now => {
                    e.state = SeparateState::Sent(Retransmission::start(now, jitter()));
                    true
                }
                SeparateState::Preparing { .. } => return true,
                SeparateState::Sent(r) => match r.poll(now) {
                    Retransmit::Wait => return true,
                    Retransmit::Resend => false,
                    Retransmit::GiveUp => {
                        out.push(Due::GiveUp {
                            peer: e.peer.clone(),
                            mid: e.mid,
                        });
                        return false;
                    }
                },
            };
            out.push(Due::Send {
                peer: e.peer.clone(),
                request_mid: e.request_mid,
                mid: e.mid,
                code: e.code,
                message: e.message.clone(),
                first,
            });
            true
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_ack_is_four_bytes_with_the_message_id() {
        // RFC 7252 §3: Ver 1, T=2 (ACK), TKL 0, Code 0.00, then the Message ID.
        let b = empty(MessageType::Acknowledgement, 0x1234)
            .to_bytes()
            .unwrap();
        assert_eq!(b, [0x60, 0x00, 0x12, 0x34]);
        let r = empty(MessageType::Reset, 7).to_bytes().unwrap();
        assert_eq!(r, [0x70, 0x00, 0x00, 0x07]);
    }

    #[test]
    fn initial_timeout_spans_ack_timeout_to_ack_random_factor() {
        // RFC 7252 §4.8: ACK_TIMEOUT 2 s, ACK_RANDOM_FACTOR 1.5.
        assert_eq!(initial_timeout(0), Duration::from_secs(2));
        assert_eq!(initial_timeout(u16::MAX), Duration::from_secs(3));
        let mid = initial_timeout(u16::MAX / 2);
        assert!(mid > Duration::from_millis(2400) && mid < Duration::from_millis(2600));
    }

    /// Walks a timer in 10 ms steps and returns when it resent and when it gave up.
    fn schedule(jitter: u16) -> (Vec<Duration>, Duration) {
        let t0 = Instant::now();
        let mut r = Retransmission::start(t0, jitter);
        let mut resends = Vec::new();
        let mut t = t0;
        loop {
            t += Duration::from_millis(10);
            match r.poll(t) {
                Retransmit::Wait => {}
                Retransmit::Resend => resends.push(t - t0),
                Retransmit::GiveUp => return (resends, t - t0),
            }
        }
    }

    #[test]
    fn back_off_doubles_and_gives_up_at_max_transmit_wait() {
        // RFC 7252 §4.8.2: with the largest initial timeout (3 s), the last retransmission
        // is MAX_TRANSMIT_SPAN = 45 s after the first transmission and the sender gives up
        // at MAX_TRANSMIT_WAIT = 93 s.
        let (resends, gave_up) = schedule(u16::MAX);
        let secs: Vec<u64> = resends.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [3, 9, 21, 45]);
        assert_eq!(resends.len(), MAX_RETRANSMIT as usize);
        assert_eq!(gave_up, Duration::from_secs(93));
        // The smallest initial timeout (2 s): 2, 6, 14, 30, give up at 62 s.
        let (resends, gave_up) = schedule(0);
        let secs: Vec<u64> = resends.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [2, 6, 14, 30]);
        assert_eq!(gave_up, Duration::from_secs(62));
    }

    #[test]
    fn separate_response_is_sent_when_ready_and_resent_until_acknowledged() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut q = SeparateQueue::new(4);
        q.push("a", 10, (500, 0x44), vec![1, 2, 3], t0 + ms(300))
            .unwrap();
        assert!(q.owes(&"a", 10) && !q.owes(&"a", 11) && !q.owes(&"b", 10));
        // An ACK before the response was even sent matches nothing.
        assert!(!q.acknowledge(&"a", 500));
        assert!(q.due(t0 + ms(299), || 0).is_empty());
        let sent = q.due(t0 + ms(300), || 0);
        assert_eq!(
            sent,
            [Due::Send {
                peer: "a",
                request_mid: 10,
                mid: 500,
                code: 0x44,
                message: vec![1, 2, 3],
                first: true
            }]
        );
        // ACK_TIMEOUT (jitter 0): nothing before 2 s, a retransmission at 2 s.
        assert!(q.due(t0 + ms(2299), || 0).is_empty());
        let resent = q.due(t0 + ms(2300), || 0);
        assert!(matches!(
            resent.as_slice(),
            [Due::Send {
                first: false,
                mid: 500,
                ..
            }]
        ));
        // Another peer's ACK, or the wrong MID, does not end it; the right one does.
        assert!(!q.acknowledge(&"b", 500));
        assert!(!q.acknowledge(&"a", 501));
        assert!(q.acknowledge(&"a", 500));
        assert_eq!(q.len(), 0);
        assert!(q.due(t0 + ms(100_000), || 0).is_empty());
    }

    #[test]
    fn unacknowledged_separate_response_is_dropped_after_max_retransmit() {
        let t0 = Instant::now();
        let mut q = SeparateQueue::new(1);
        q.push(1u8, 1, (2, 0x44), vec![0], t0).unwrap();
        let mut sends = 0;
        let mut gave_up = None;
        for step in 0..10_000u64 {
            let t = t0 + Duration::from_millis(10 * step);
            for d in q.due(t, || u16::MAX) {
                match d {
                    Due::Send { .. } => sends += 1,
                    Due::GiveUp { peer, mid } => gave_up = Some((peer, mid, t - t0)),
                }
            }
        }
        // One transmission plus MAX_RETRANSMIT retransmissions, then given up at 93 s.
        assert_eq!(sends, 1 + MAX_RETRANSMIT);
        assert_eq!(gave_up, Some((1, 2, Duration::from_secs(93))));
        assert_eq!(q.len(), 0);
    }

    fn request(kind: MessageType, mid: u16) -> Packet {
        let mut p = Packet::new();
        p.header.set_type(kind);
        p.header.code = MessageClass::Request(coap_lite::RequestType::Post);
        p.header.message_id = mid;
        p.set_token(vec![1, 2]);
        p
    }

    #[test]
    fn incoming_acks_resets_and_duplicate_requests_are_sorted() {
        let t0 = Instant::now();
        let mut q = SeparateQueue::new(4);
        q.push("a", 10, (500, 0x44), vec![1], t0).unwrap();
        q.push("a", 11, (501, 0x44), vec![2], t0).unwrap();
        // The retransmitted request MID 10 gets the empty ACK again (RFC 7252 §4.5).
        let dup = request(MessageType::Confirmable, 10);
        assert_eq!(
            q.on_message(&"a", &dup),
            Seen::DuplicateRequest {
                empty_ack: vec![0x60, 0x00, 0x00, 10]
            }
        );
        // From another peer, or as NON, or a new MID, it is a request to handle.
        assert_eq!(q.on_message(&"b", &dup), Seen::Other);
        assert_eq!(
            q.on_message(&"a", &request(MessageType::NonConfirmable, 10)),
            Seen::Other
        );
        assert_eq!(
            q.on_message(&"a", &request(MessageType::Confirmable, 12)),
            Seen::Other
        );
        // Before the responses are sent, an ACK for their MIDs matches nothing.
        let ack500 = empty(MessageType::Acknowledgement, 500);
        assert_eq!(q.on_message(&"a", &ack500), Seen::Other);
        assert_eq!(q.due(t0, || 0).len(), 2);
        assert_eq!(
            q.on_message(&"a", &ack500),
            Seen::Acknowledged {
                mid: 500,
                reset: false
            }
        );
        // A second ACK for the same MID is stale.
        assert_eq!(q.on_message(&"a", &ack500), Seen::Other);
        let rst501 = empty(MessageType::Reset, 501);
        assert_eq!(q.on_message(&"b", &rst501), Seen::Other);
        assert_eq!(
            q.on_message(&"a", &rst501),
            Seen::Acknowledged {
                mid: 501,
                reset: true
            }
        );
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn queue_is_bounded_and_refusal_changes_nothing() {
        let t0 = Instant::now();
        let mut q = SeparateQueue::new(2);
        q.push(1u8, 1, (11, 0x44), vec![1], t0).unwrap();
        q.push(2u8, 2, (12, 0x44), vec![2], t0).unwrap();
        assert!(!q.has_room());
        assert_eq!(q.push(3u8, 3, (13, 0x44), vec![3], t0), Err(QueueFull));
        assert_eq!(q.len(), 2);
        assert!(!q.owes(&3, 3));
        // Forgetting a peer frees its slot.
        q.forget(&1);
        assert!(q.has_room() && !q.owes(&1, 1) && q.owes(&2, 2));
        q.push(3u8, 3, (13, 0x44), vec![3], t0).unwrap();
        assert_eq!(q.len(), 2);
    }
}
