//! CoAP over UDP on loopback (RFC 7252 §4) with coap-lite as the codec: a server loop that
//! hands each request to a handler, and a blocking client [`Transport`] for the sans-IO
//! client drivers of `ace-core`.
//!
//! Only what the demo and the servers need: piggybacked responses, confirmable requests
//! retransmitted with exponential back-off (RFC 7252 §4.2), responses matched by message ID
//! and token, no separate responses, no deduplication cache.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ace_core::env::{Method, Request, Response, ResponseCode, Transport, TransportError};
use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use rand::Rng as _;

/// RFC 7252 §4.8: ACK_TIMEOUT (without the random factor) and MAX_RETRANSMIT.
const ACK_TIMEOUT: Duration = Duration::from_secs(2);
const MAX_RETRANSMIT: u32 = 4;
/// Largest datagram read.
const MAX_DATAGRAM: usize = 2048;

/// The request path of `packet` as "/a/b" from its Uri-Path options.
pub fn uri_path(packet: &Packet) -> String {
    let mut path = String::new();
    if let Some(segments) = packet.get_option(CoapOption::UriPath) {
        for s in segments {
            path.push('/');
            path.push_str(&String::from_utf8_lossy(s));
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

/// A response packet for `request` (piggybacked ACK for CON, NON for NON) with `code`.
pub fn response_to(request: &Packet, code: u8) -> Packet {
    let mut p = Packet::new();
    let t = match request.header.get_type() {
        MessageType::Confirmable => MessageType::Acknowledgement,
        _ => MessageType::NonConfirmable,
    };
    p.header.set_type(t);
    p.header.message_id = request.header.message_id;
    p.header.code = MessageClass::from(code);
    p.set_token(request.get_token().to_vec());
    p
}

/// A UDP CoAP server bound to 127.0.0.1.
pub struct UdpServer {
    socket: UdpSocket,
}

impl UdpServer {
    /// Binds 127.0.0.1 on a port the OS picks.
    pub fn bind_loopback() -> std::io::Result<Self> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        Ok(Self { socket })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Serves until `stop` is set: each well-formed request goes to `handler`, which returns
    /// the response packet (see [`response_to`]). Undecodable datagrams are dropped
    /// (RFC 7252 §4.2 would answer a Reset; silence is allowed for NON and harmless here).
    pub fn serve(
        &self,
        stop: &Arc<AtomicBool>,
        mut handler: impl FnMut(&Packet, SocketAddr) -> Packet,
    ) -> std::io::Result<()> {
        let mut buf = [0u8; MAX_DATAGRAM];
        while !stop.load(Ordering::Relaxed) {
            let (n, peer) = match self.socket.recv_from(&mut buf) {
                Ok(x) => x,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            };
            let Some(datagram) = buf.get(..n) else {
                continue;
            };
            let Ok(request) = Packet::from_bytes(datagram) else {
                continue;
            };
            if !matches!(request.header.code, MessageClass::Request(_)) {
                continue;
            }
            let response = handler(&request, peer);
            if let Ok(bytes) = response.to_bytes() {
                self.socket.send_to(&bytes, peer)?;
            }
        }
        Ok(())
    }
}

/// A blocking client [`Transport`]: one confirmable request, the piggybacked response.
pub struct UdpTransport {
    socket: UdpSocket,
    peer: SocketAddr,
    next_message_id: u16,
    next_token: u32,
    ack_timeout: Duration,
}

impl UdpTransport {
    /// A transport to `peer` from an ephemeral loopback port.
    pub fn connect(peer: SocketAddr) -> std::io::Result<Self> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        // RFC 7252 §4.4, §5.3.1: message IDs and tokens start at random values.
        let mut rng: rand::rngs::StdRng = rand::make_rng();
        Ok(Self {
            socket,
            peer,
            next_message_id: rng.next_u32() as u16,
            next_token: rng.next_u32(),
            ack_timeout: ACK_TIMEOUT,
        })
    }

    fn packet_for(&mut self, request: &Request) -> Packet {
        let mut p = Packet::new();
        p.header.set_type(MessageType::Confirmable);
        p.header.code = MessageClass::from(request.method.code());
        p.header.message_id = self.next_message_id;
        self.next_message_id = self.next_message_id.wrapping_add(1);
        p.set_token(self.next_token.to_be_bytes().to_vec());
        self.next_token = self.next_token.wrapping_add(1);
        for segment in request.path.split('/').filter(|s| !s.is_empty()) {
            p.add_option(CoapOption::UriPath, segment.as_bytes().to_vec());
        }
        if let Some(cf) = request.content_format {
            p.add_option(CoapOption::ContentFormat, uint_bytes(u32::from(cf)));
        }
        p.payload = request.payload.clone();
        p
    }
}

/// RFC 7252 §3.2: uint option value in the fewest bytes.
fn uint_bytes(v: u32) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|x| **x == 0).count();
    b.get(skip..).unwrap_or_default().to_vec()
}

fn content_format(p: &Packet) -> Option<u16> {
    let v = p.get_first_option(CoapOption::ContentFormat)?;
    if v.len() > 2 {
        return None;
    }
    Some(v.iter().fold(0u16, |acc, b| (acc << 8) | u16::from(*b)))
}

impl Transport for UdpTransport {
    fn exchange(&mut self, request: &Request) -> Result<Response, TransportError> {
        let packet = self.packet_for(request);
        let bytes = packet
            .to_bytes()
            .map_err(|e| TransportError::Malformed(format!("{e:?}")))?;
        let io = |e: std::io::Error| TransportError::Io(e.to_string());
        let mut timeout = self.ack_timeout;
        let mut buf = [0u8; MAX_DATAGRAM];
        for _ in 0..=MAX_RETRANSMIT {
            self.socket.send_to(&bytes, self.peer).map_err(io)?;
            self.socket.set_read_timeout(Some(timeout)).map_err(io)?;
            loop {
                let (n, from) = match self.socket.recv_from(&mut buf) {
                    Ok(x) => x,
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                    {
                        break;
                    }
                    Err(e) => return Err(io(e)),
                };
                let Some(datagram) = buf.get(..n) else {
                    continue;
                };
                let Ok(reply) = Packet::from_bytes(datagram) else {
                    continue;
                };
                if from != self.peer
                    || reply.header.message_id != packet.header.message_id
                    || reply.get_token() != packet.get_token()
                {
                    continue;
                }
                let code = ResponseCode::from_u8(u8::from(reply.header.code)).ok_or_else(|| {
                    TransportError::Malformed(format!("not a response: {:?}", reply.header.code))
                })?;
                return Ok(Response {
                    code,
                    content_format: content_format(&reply),
                    payload: reply.payload,
                });
            }
            timeout *= 2;
        }
        Err(TransportError::Timeout)
    }
}

/// The method of a request packet.
pub fn method(packet: &Packet) -> Option<Method> {
    Method::from_code(u8::from(packet.header.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_cross_a_real_socket() {
        let server = UdpServer::bind_loopback().unwrap();
        let addr = server.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let t = std::thread::spawn(move || {
            server
                .serve(&stop2, |req, _| {
                    let mut r = response_to(req, ResponseCode::CONTENT.as_u8());
                    r.payload = uri_path(req).into_bytes();
                    r
                })
                .unwrap();
        });
        let mut client = UdpTransport::connect(addr).unwrap();
        let resp = client
            .exchange(&Request {
                method: Method::Get,
                path: "/a/b".into(),
                content_format: Some(19),
                payload: vec![1],
            })
            .unwrap();
        stop.store(true, Ordering::Relaxed);
        t.join().unwrap();
        assert_eq!(resp.code, ResponseCode::CONTENT);
        assert_eq!(resp.payload, b"/a/b");
    }
}
