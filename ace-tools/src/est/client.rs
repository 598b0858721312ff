//! The client side: one DTLS association to the EST server, CoAP CON requests with
//! block-wise transfers (Block2 fetch, Block1 upload) by `coap-block`.

use super::coap::{self};
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
    /// The server certificate seen in the handshake (DER).
    pub server_cert: Option<Vec<u8>>,
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

    /// One CON request/response (RFC 7252 §4.2), retransmitted up to 4 times.
    fn roundtrip(&mut self, req: &mut Packet) -> Result<Packet, BoxError> {
        self.mid = self.mid.wrapping_add(1);
        self.token = self.token.wrapping_add(1);
        req.header.message_id = self.mid;
        req.header.set_type(MessageType::Confirmable);
        req.set_token(self.token.to_be_bytes().to_vec());
        let bytes = req
            .to_bytes()
            .map_err(|e| format!("CoAP encoding: {e:?}"))?;
        for attempt in 0..5u32 {
            self.conn.dtls.send_application_data(&bytes)?;
            self.conn.drain(&self.sock, self.server)?;
            let deadline = Instant::now() + Duration::from_secs(2u64 << attempt.min(4));
            while Instant::now() < deadline {
                self.pump()?;
                for msg in std::mem::take(&mut self.conn.inbox) {
                    let Ok(p) = Packet::from_bytes(&msg) else {
                        continue;
                    };
                    if p.get_token() == req.get_token()
                        && matches!(p.header.code, MessageClass::Response(_))
                    {
                        return Ok(p);
                    }
                }
            }
        }
        Err("no response from the server".into())
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
