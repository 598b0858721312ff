//! The client side: one DTLS association to the EST server, CoAP CON requests with
//! block-wise transfers (Block2 fetch, Block1 upload) by `coap-block`, and separate
//! responses (RFC 7252 §5.2.2; RFC 9148 §5.7 short delay).

use super::coap::{self, Retransmission, Retransmit};
use super::dtls::{self, Conn};
use super::files::BoxError;
use coap_block::{Block1Sender, Block2Fetcher, FetchStep, Szx, TransferOptions, UploadStep};
use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use dimpl::DtlsCertificate;
use est_coaps::{ClientRequest, Code};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// A received (reassembled) response.
pub struct Received {
    /// Code.
    pub code: Code,
    /// Content-Format.
    pub content_format: Option<u16>,
    /// Max-Age.
    pub max_age: Option<u32>,
    /// Payload.
    pub payload: Vec<u8>,
}

/// A DTLS association to one server.
pub struct Transport {
    sock: UdpSocket,
    server: SocketAddr,
    conn: Conn,
    mid: u16,
    token: u32,
    szx: Szx,
    /// How long to wait for a separate response after the empty ACK.
    exchange_timeout: Duration,
    /// Message IDs of the separate responses we acknowledged (latest last, bounded).
    acked: Vec<u16>,
    /// The server certificate seen in the handshake (DER).
    pub server_cert: Option<Vec<u8>>,
}

/// At most this many acknowledged separate-response MIDs are remembered for deduplication.
const ACKED_MEMORY: usize = 16;

/// How the client treats one incoming CoAP message while waiting for the response to its
/// CON request with Message ID `mid` and token `token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Incoming {
    /// RFC 7252 §5.2.2: the empty ACK of our request: stop retransmitting, wait for the
    /// separate response.
    EmptyAck,
    /// The response: piggybacked in the ACK, or separate (CON, to be acknowledged, or NON).
    Response,
    /// RFC 7252 §4.5: a retransmission of a separate response already acknowledged: ACK it
    /// again and ignore it.
    Duplicate,
    /// Anything else (stale ACKs, other tokens).
    Ignore,
}

/// Classifies `p` for the request (`mid`, `token`); `acked` holds the MIDs of separate
/// responses already acknowledged.
fn classify(p: &Packet, mid: u16, token: &[u8], acked: &[u16]) -> Incoming {
    let kind = p.header.get_type();
    let pmid = p.header.message_id;
    match p.header.code {
        MessageClass::Empty if kind == MessageType::Acknowledgement && pmid == mid => {
            Incoming::EmptyAck
        }
        MessageClass::Response(_) if kind == MessageType::Confirmable && acked.contains(&pmid) => {
            Incoming::Duplicate
        }
        MessageClass::Response(_) if p.get_token() == token => match kind {
            MessageType::Acknowledgement if pmid == mid => Incoming::Response,
            MessageType::Confirmable | MessageType::NonConfirmable => Incoming::Response,
            _ => Incoming::Ignore,
        },
        _ => Incoming::Ignore,
    }
}

impl Transport {
    /// Connects (DTLS handshake with the client certificate).
    pub fn connect(
        server: SocketAddr,
        cert: DtlsCertificate,
        block_size: usize,
        timeout: Duration,
    ) -> Result<Transport, BoxError> {
        let sock = UdpSocket::bind(if server.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        })?;
        sock.set_read_timeout(Some(Duration::from_millis(20)))?;
        let conn = Conn::client(dtls::config()?, cert, Instant::now());
        let mut t = Transport {
            sock,
            server,
            conn,
            mid: rand::random(),
            token: rand::random(),
            szx: Szx::at_most(block_size.clamp(16, 1024)),
            exchange_timeout: timeout,
            acked: Vec::new(),
            server_cert: None,
        };
        t.conn.drain(&t.sock, server)?;
        let deadline = Instant::now() + timeout;
        while !t.conn.connected {
            if Instant::now() > deadline {
                return Err("DTLS handshake timed out".into());
            }
            t.pump()?;
        }
        t.server_cert = t.conn.peer_cert.take();
        Ok(t)
    }

    fn pump(&mut self) -> Result<(), BoxError> {
        let mut buf = vec![0u8; 65536];
        match self.sock.recv_from(&mut buf) {
            Ok((n, from)) if from == self.server => self.conn.dtls.handle_packet(&buf[..n])?,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e.into()),
        }
        self.conn.tick(Instant::now())?;
        self.conn.drain(&self.sock, self.server)?;
        if self.conn.closed {
            return Err("server closed the DTLS association".into());
        }
        Ok(())
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), BoxError> {
        self.conn.dtls.send_application_data(bytes)?;
        self.conn.drain(&self.sock, self.server)
    }

    /// RFC 7252 §4.2: acknowledges a CON message with an empty ACK.
    fn acknowledge(&mut self, mid: u16) -> Result<(), BoxError> {
        let ack = coap::empty(MessageType::Acknowledgement, mid)
            .to_bytes()
            .map_err(|e| format!("CoAP encoding: {e:?}"))?;
        self.send(&ack)
    }

    /// One CON request/response: retransmitted with RFC 7252 §4.2 back-off until the
    /// response or an empty ACK comes; after an empty ACK (RFC 7252 §5.2.2), waits up to
    /// the exchange timeout for the separate response and acknowledges it if it is CON.
    fn roundtrip(&mut self, req: &mut Packet) -> Result<Packet, BoxError> {
        self.mid = self.mid.wrapping_add(1);
        self.token = self.token.wrapping_add(1);
        req.header.message_id = self.mid;
        req.header.set_type(MessageType::Confirmable);
        let token = self.token.to_be_bytes().to_vec();
        req.set_token(token.clone());
        let bytes = req
            .to_bytes()
            .map_err(|e| format!("CoAP encoding: {e:?}"))?;
        self.send(&bytes)?;
        let mut timer = Some(Retransmission::start(Instant::now(), rand::random()));
        let mut separate_deadline = None;
        loop {
            self.pump()?;
            let mut response = None;
            for msg in std::mem::take(&mut self.conn.inbox) {
                let Ok(p) = Packet::from_bytes(&msg) else {
                    continue;
                };
                match classify(&p, self.mid, &token, &self.acked) {
                    Incoming::EmptyAck => {
                        timer = None;
                        separate_deadline.get_or_insert(Instant::now() + self.exchange_timeout);
                    }
                    Incoming::Response if response.is_none() => {
                        if p.header.get_type() == MessageType::Confirmable {
                            if self.acked.len() >= ACKED_MEMORY {
                                self.acked.remove(0);
                            }
                            self.acked.push(p.header.message_id);
                            self.acknowledge(p.header.message_id)?;
                        }
                        response = Some(p);
                    }
                    Incoming::Duplicate => self.acknowledge(p.header.message_id)?,
                    Incoming::Response | Incoming::Ignore => {}
                }
            }
            if let Some(p) = response {
                return Ok(p);
            }
            let now = Instant::now();
            match timer.as_mut().map(|t| t.poll(now)) {
                Some(Retransmit::Wait) => {}
                Some(Retransmit::Resend) => self.send(&bytes)?,
                Some(Retransmit::GiveUp) => return Err("no response from the server".into()),
                None if separate_deadline.is_some_and(|d| now > d) => {
                    return Err(
                        "the server acknowledged the request (empty ACK) but its separate \
                         response did not come in time"
                            .into(),
                    );
                }
                None => {}
            }
        }
    }

    /// Sends an EST request and returns the reassembled response.
    pub fn exchange(&mut self, r: &ClientRequest) -> Result<Received, BoxError> {
        let base = |r: &ClientRequest| {
            let mut p = Packet::new();
            p.header.code = MessageClass::from(r.method.code());
            for seg in &r.uri_path {
                p.add_option(CoapOption::UriPath, seg.as_bytes().to_vec());
            }
            if let Some(cf) = r.content_format {
                coap::set_uint(&mut p, CoapOption::ContentFormat, u32::from(cf));
            }
            if let Some(a) = r.accept {
                coap::set_uint(&mut p, CoapOption::Accept, u32::from(a));
            }
            p
        };
        // Block1 upload when the body does not fit one block (RFC 7959 §2.5).
        let mut first = if r.payload.len() > self.szx.block_size() {
            let mut sender = Block1Sender::new(&r.payload, self.szx, 2)?;
            loop {
                let blk = sender.current()?;
                let mut p = base(r);
                coap::set_block(&mut p, CoapOption::Block1, blk.block1);
                if let Some(s) = blk.size1 {
                    coap::set_uint(&mut p, CoapOption::Size1, s);
                }
                p.payload = blk.payload.to_vec();
                let resp = self.roundtrip(&mut p)?;
                let opts = TransferOptions {
                    block1: coap::get_block(&resp, CoapOption::Block1)?,
                    size1: coap::get_uint(&resp, CoapOption::Size1),
                    ..Default::default()
                };
                match sender.handle_response(u8::from(resp.header.code), &opts)? {
                    UploadStep::Complete => break resp,
                    _ => continue,
                }
            }
        } else {
            let mut p = base(r);
            p.payload = r.payload.clone();
            self.roundtrip(&mut p)?
        };
        // Block2 fetch (RFC 7959 §2.4): EST-coaps clients MUST implement Block2 (§5.6).
        if coap::get_block(&first, CoapOption::Block2)?.is_some() {
            let mut buf = vec![0u8; 64 * 1024];
            let mut fetcher = Block2Fetcher::new(&mut buf, Some(self.szx));
            loop {
                let opts = TransferOptions {
                    block2: coap::get_block(&first, CoapOption::Block2)?,
                    ..Default::default()
                };
                match fetcher.handle_response(u8::from(first.header.code), &opts, &first.payload)? {
                    FetchStep::Complete(_) => break,
                    FetchStep::Request(b2) => {
                        let mut p = base(r);
                        coap::set_block(&mut p, CoapOption::Block2, b2);
                        let code = first.header.code;
                        let cf = first.get_first_option(CoapOption::ContentFormat).cloned();
                        first = self.roundtrip(&mut p)?;
                        if first.header.code != code
                            || first.get_first_option(CoapOption::ContentFormat).cloned() != cf
                        {
                            return Err("response changed during the Block2 transfer".into());
                        }
                    }
                }
            }
            first.payload = fetcher.body().to_vec();
        }
        Ok(Received {
            code: Code(u8::from(first.header.code)),
            content_format: coap::get_uint(&first, CoapOption::ContentFormat)
                .and_then(|v| u16::try_from(v).ok()),
            max_age: coap::get_uint(&first, CoapOption::MaxAge),
            payload: first.payload,
        })
    }

    /// Closes the association (close_notify).
    pub fn close(mut self) {
        let _ = self.conn.dtls.close();
        let _ = self.conn.drain(&self.sock, self.server);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(kind: MessageType, code: MessageClass, mid: u16, token: &[u8]) -> Packet {
        let mut p = Packet::new();
        p.header.set_type(kind);
        p.header.code = code;
        p.header.message_id = mid;
        p.set_token(token.to_vec());
        p
    }

    const CHANGED: MessageClass = MessageClass::Response(coap_lite::ResponseType::Changed);

    #[test]
    fn empty_ack_of_our_request_announces_a_separate_response() {
        let ack = coap::empty(MessageType::Acknowledgement, 7);
        assert_eq!(classify(&ack, 7, b"tk", &[]), Incoming::EmptyAck);
        // An empty ACK for another MID, or an RST, is not ours.
        assert_eq!(classify(&ack, 8, b"tk", &[]), Incoming::Ignore);
        let rst = coap::empty(MessageType::Reset, 7);
        assert_eq!(classify(&rst, 7, b"tk", &[]), Incoming::Ignore);
    }

    #[test]
    fn responses_match_by_token_and_piggybacked_ones_by_mid_too() {
        let t = b"tk";
        let con = packet(MessageType::Confirmable, CHANGED, 900, t);
        let non = packet(MessageType::NonConfirmable, CHANGED, 901, t);
        let ack = packet(MessageType::Acknowledgement, CHANGED, 7, t);
        let stale_ack = packet(MessageType::Acknowledgement, CHANGED, 6, t);
        let other = packet(MessageType::Confirmable, CHANGED, 902, b"xx");
        assert_eq!(classify(&con, 7, t, &[]), Incoming::Response);
        assert_eq!(classify(&non, 7, t, &[]), Incoming::Response);
        assert_eq!(classify(&ack, 7, t, &[]), Incoming::Response);
        assert_eq!(classify(&stale_ack, 7, t, &[]), Incoming::Ignore);
        assert_eq!(classify(&other, 7, t, &[]), Incoming::Ignore);
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("ace-est-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// A self-signed P-256 certificate `c.pem` with key `k.pem` made by OpenSSL, and a CSR
    /// `sen.der` for it; returns the DTLS identity.
    fn openssl_identity(d: &std::path::Path) -> DtlsCertificate {
        use super::super::files::{pkcs8_der, read_cert, read_key};
        let sh = "set -e; \
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem \
              -out c.pem -subj /CN=peer -days 2; \
            openssl req -new -key k.pem -subj /CN=peer -outform DER -out sen.der";
        let made = std::process::Command::new("sh")
            .current_dir(d)
            .args(["-c", sh])
            .output()
            .unwrap();
        assert!(made.status.success(), "openssl: {made:?}");
        DtlsCertificate {
            certificate: est_coaps::der::Encode::to_der(&read_cert(&d.join("c.pem")).unwrap())
                .unwrap(),
            private_key: pkcs8_der(&read_key(&d.join("k.pem")).unwrap()).unwrap(),
        }
    }

    /// libcoap's `coap-server-gnutls` (an independent peer) answers `GET /async?1` with an
    /// empty ACK and, a second later, a CON 2.05 "done": the Transport stops retransmitting,
    /// waits, and acknowledges the CON (the server logs our empty ACK with its MID).
    #[test]
    fn separate_response_from_libcoap_async_is_received_and_acknowledged() {
        use std::process::{Command, Stdio};
        let found = Command::new("sh")
            .args(["-c", "command -v coap-server-gnutls && command -v openssl"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "coap-server-gnutls or openssl is not installed: apt-get install libcoap3-bin openssl (scripts/test does)"
        );
        let d = temp_dir("async");
        let cert = openssl_identity(&d);
        // coap-server takes a port for CoAP (UDP+TCP) and listens for DTLS on port+1: try
        // OS-chosen ports until one pair is free.
        let mut started = None;
        for _ in 0..20 {
            let port = UdpSocket::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            if port >= u16::MAX - 1 {
                continue;
            }
            // libcoap logs (at -v 7 every PDU it receives) on stdout and stderr.
            let log = std::fs::File::create(d.join("server.log")).unwrap();
            let mut child = Command::new("coap-server-gnutls")
                .current_dir(&d)
                .args(["-A", "127.0.0.1", "-p", &port.to_string()])
                .args(["-c", "c.pem", "-j", "k.pem", "-n", "-v", "7"])
                .stdout(Stdio::from(log.try_clone().unwrap()))
                .stderr(log)
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(300));
            if child.try_wait().unwrap().is_none() {
                started = Some((child, port + 1));
                break;
            }
        }
        let (mut child, dtls_port) = started.expect("coap-server-gnutls did not start");
        let result = (|| -> Result<(Packet, Duration, u16), BoxError> {
            let addr = SocketAddr::from(([127, 0, 0, 1], dtls_port));
            let mut t = Transport::connect(addr, cert, 1024, Duration::from_secs(10))?;
            let mut req = Packet::new();
            req.header.code = MessageClass::Request(coap_lite::RequestType::Get);
            req.add_option(CoapOption::UriPath, b"async".to_vec());
            req.add_option(CoapOption::UriQuery, b"1".to_vec());
            let t0 = Instant::now();
            let resp = t.roundtrip(&mut req)?;
            let took = t0.elapsed();
            // Let the ACK reach the server before it is stopped.
            for _ in 0..10 {
                t.pump()?;
            }
            let acked = t
                .acked
                .last()
                .copied()
                .ok_or("no CON response acknowledged")?;
            t.close();
            Ok((resp, took, acked))
        })();
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(d.join("server.log")).unwrap_or_default();
        let (resp, took, acked) = result.unwrap_or_else(|e| panic!("{e}; server log:\n{log}"));
        assert_eq!(resp.header.get_type(), MessageType::Confirmable);
        assert_eq!(u8::from(resp.header.code), 0x45, "2.05");
        assert_eq!(resp.payload, b"done");
        assert!(took >= Duration::from_millis(900), "{took:?}");
        assert_eq!(acked, resp.header.message_id);
        assert!(log.contains("t:ACK c:0.00 i:"), "{log}");
        let ours = format!("v:1 t:ACK c:0.00 i:{acked:04x} {{}}");
        assert!(
            log.contains(&ours),
            "the server never got our ACK {ours}:\n{log}"
        );
    }

    /// Pumps `t` until `until`, or until `stop` says so, collecting (arrival, raw, packet).
    fn collect(
        t: &mut Transport,
        until: Instant,
        stop: impl Fn(&Packet) -> bool,
    ) -> Vec<(Instant, Vec<u8>, Packet)> {
        let mut got = Vec::new();
        while Instant::now() < until {
            t.pump().unwrap();
            for raw in std::mem::take(&mut t.conn.inbox) {
                let p = Packet::from_bytes(&raw).unwrap();
                let done = stop(&p);
                got.push((Instant::now(), raw, p));
                if done {
                    return got;
                }
            }
        }
        got
    }

    /// `ace est-server --separate-ms 100` over a real socket, seen by a raw peer that
    /// controls its ACKs: the final request gets an empty ACK, the CON 2.04 follows; a
    /// retransmitted request gets the empty ACK again (the CA does not issue twice); the
    /// unacknowledged CON is retransmitted unchanged no earlier than ACK_TIMEOUT
    /// (RFC 7252 §4.2); once ACKed it is not sent again.
    #[test]
    fn server_separate_response_retransmits_until_acknowledged() {
        use super::super::server::{ServerArgs, serve};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let found = std::process::Command::new("sh")
            .args(["-c", "command -v openssl"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(found, "openssl is not installed: apt-get install openssl");
        let d = temp_dir("separate-raw");
        let cert = openssl_identity(&d);
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = sock.local_addr().unwrap();
        let args = ServerArgs {
            listen: addr,
            dir: d.join("srv"),
            // The self-signed peer certificate is its own trusted CA.
            client_ca: vec![d.join("c.pem")],
            delay: None,
            block_size: 1024,
            separate_ms: Some(100),
            kek: Vec::new(),
            key_agreement_cert: Vec::new(),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let server = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || serve(&args, sock, &stop).map_err(|e| e.to_string()))
        };
        let mut t = Transport::connect(addr, cert, 1024, Duration::from_secs(10)).unwrap();
        let mut req = Packet::new();
        req.header.set_type(MessageType::Confirmable);
        req.header.code = MessageClass::Request(coap_lite::RequestType::Post);
        req.header.message_id = 0x1111;
        req.set_token(vec![7]);
        for seg in [".well-known", "est", "sen"] {
            req.add_option(CoapOption::UriPath, seg.as_bytes().to_vec());
        }
        coap::set_uint(&mut req, CoapOption::ContentFormat, 286);
        req.payload = std::fs::read(d.join("sen.der")).unwrap();
        let request = req.to_bytes().unwrap();
        let is_con = |p: &Packet| p.header.get_type() == MessageType::Confirmable;
        t.send(&request).unwrap();
        let sent_at = Instant::now();
        let got = collect(&mut t, sent_at + Duration::from_secs(5), is_con);
        let [(_, _, ack), (con_at, con_raw, con)] = got.as_slice() else {
            panic!("expected empty ACK then CON: {got:?}");
        };
        assert_eq!(ack.header.get_type(), MessageType::Acknowledgement);
        assert_eq!(ack.header.code, MessageClass::Empty);
        assert_eq!(ack.header.message_id, 0x1111);
        assert!(ack.get_token().is_empty() && ack.payload.is_empty());
        assert!(*con_at - sent_at >= Duration::from_millis(100));
        assert_eq!(u8::from(con.header.code), 0x44, "2.04");
        assert_eq!(con.get_token(), [7]);
        assert_ne!(con.header.message_id, 0x1111, "a fresh Message ID");
        assert_eq!(coap::get_uint(con, CoapOption::ContentFormat), Some(281));
        let issued = est_coaps::CertsOnly::from_der(&con.payload).unwrap();
        assert_eq!(issued.certificates().len(), 1);
        let (con_at, con_raw, con_mid) = (*con_at, con_raw.clone(), con.header.message_id);
        // The request again (its empty ACK was "lost"): only the empty ACK again.
        t.send(&request).unwrap();
        let got = collect(&mut t, Instant::now() + Duration::from_millis(800), |_| {
            false
        });
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, [0x60, 0x00, 0x11, 0x11]);
        // No ACK from us: the CON 2.04 comes again, byte for byte, after ACK_TIMEOUT.
        let got = collect(&mut t, con_at + Duration::from_secs(8), is_con);
        let Some((again_at, again_raw, _)) = got.last() else {
            panic!("no retransmission");
        };
        assert_eq!(*again_raw, con_raw);
        let gap = *again_at - con_at;
        assert!(gap >= coap::ACK_TIMEOUT, "{gap:?}");
        // Acknowledged now: the next retransmission (due 2 x the timeout later) never comes.
        t.acknowledge(con_mid).unwrap();
        let got = collect(
            &mut t,
            *again_at + gap * 2 + Duration::from_millis(700),
            |_| false,
        );
        assert!(got.is_empty(), "{got:?}");
        t.close();
        stop.store(true, Ordering::Relaxed);
        server.join().unwrap().unwrap();
    }

    #[test]
    fn retransmitted_separate_response_is_a_duplicate() {
        // The CON response MID 900 was acknowledged during an earlier request; its
        // retransmission (ACK lost) arrives while the next request (MID 8, new token) waits.
        let again = packet(MessageType::Confirmable, CHANGED, 900, b"old");
        assert_eq!(classify(&again, 8, b"new", &[900]), Incoming::Duplicate);
        assert_eq!(classify(&again, 8, b"new", &[]), Incoming::Ignore);
    }
}
