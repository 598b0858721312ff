//! Interop: our OSCORE client against aiocoap 0.4.17's OSCORE server, over UDP on 127.0.0.1:
//! GET, POST, PUT with payloads, a 4 KB PUT and GET with inner block-wise (RFC 8613
//! §4.1.3.4.1), an Observe registration with notifications, a replayed request rejected
//! (4.01), a wrong key rejected (4.00).
//!
//! Needs `ACE_INTEROP_PYTHON` (a Python with aiocoap[oscore]) and `ACE_INTEROP_SCRIPTS` (the
//! directory holding `oscore_server.py`); `scripts/test` sets both. The test fails, never
//! skips, when either is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

use coap_lite::{CoapOption, MessageClass, MessageType, Packet, RequestType, ResponseType};
use coap_oscore::{Error, RequestId, SecurityContext};
use common::*;
use sha2::Digest;

struct Client {
    sock: UdpSocket,
    ctx: SecurityContext,
    mid: u16,
    token: u8,
}

struct Exchange {
    sent: Vec<u8>,
    outer: Packet,
    inner: Result<Packet, Error>,
    id: RequestId,
}

impl Client {
    fn new(port: u16, secret: &[u8]) -> Self {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.connect(("127.0.0.1", port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Self {
            sock,
            ctx: ctx(secret, &[], &[1]),
            mid: 0x1000,
            token: 0,
        }
    }

    fn recv(&self, token: &[u8]) -> Packet {
        let mut b = [0u8; 2048];
        loop {
            let n = self
                .sock
                .recv(&mut b)
                .expect("no answer from aiocoap within 10 s");
            let p = Packet::from_bytes(&b[..n]).unwrap();
            if p.header.get_type() == MessageType::Confirmable {
                let mut ack = Packet::new();
                ack.header.set_type(MessageType::Acknowledgement);
                ack.header.message_id = p.header.message_id;
                ack.header.code = MessageClass::Empty;
                self.sock.send(&ack.to_bytes().unwrap()).unwrap();
            }
            if p.get_token() == token {
                return p;
            }
        }
    }

    fn request(&mut self, req: &Packet) -> Exchange {
        let mut buf = [0u8; 2048];
        let mut out = Packet::new();
        let mut id = self.ctx.protect_request(req, &mut buf, &mut out).unwrap();
        self.mid = self.mid.wrapping_add(1);
        self.token = self.token.wrapping_add(1);
        out.header.set_type(MessageType::Confirmable);
        out.header.message_id = self.mid;
        out.set_token(vec![0xa0, self.token]);
        let sent = out.to_bytes().unwrap();
        self.sock.send(&sent).unwrap();
        let outer = self.recv(&[0xa0, self.token]);
        let mut inner = Packet::new();
        let inner = self
            .ctx
            .unprotect_response(&mut id, &outer, &mut buf, &mut inner)
            .map(|()| inner);
        Exchange {
            sent,
            outer,
            inner,
            id,
        }
    }

    fn next_notification(&mut self, id: &mut RequestId, token: &[u8]) -> Packet {
        let outer = self.recv(token);
        let mut buf = [0u8; 2048];
        let mut inner = Packet::new();
        self.ctx
            .unprotect_response(id, &outer, &mut buf, &mut inner)
            .unwrap();
        inner
    }
}

fn req(code: RequestType, path: &str, payload: &[u8]) -> Packet {
    let mut p = Packet::new();
    p.header.code = MessageClass::Request(code);
    p.add_option(CoapOption::UriPath, path.as_bytes().to_vec());
    p.payload = payload.to_vec();
    p
}

fn code(p: &Packet) -> MessageClass {
    p.header.code
}

#[test]
fn rust_client_against_aiocoap_server() {
    let (python, scripts) = peer();
    let dir = fresh_dir("srv");
    write_ctx(&dir, "server-ctx", "01", "", &SECRET);
    std::fs::write(
        dir.join("server.json"),
        r#"{":client": {"oscore": {"basedir": "server-ctx/"}}}"#,
    )
    .unwrap();
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(&python)
        .arg(scripts.join("oscore_server.py"))
        .arg("server.json")
        .arg(port.to_string())
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cannot start the aiocoap OSCORE server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Kill(child);
    assert_eq!(line.trim(), "READY", "aiocoap server did not start");

    let mut c = Client::new(port, &SECRET);
    // GET
    let x = c.request(&req(RequestType::Get, "secret", b""));
    assert_eq!(
        code(&x.outer),
        MessageClass::Response(ResponseType::Changed),
        "outer 2.04"
    );
    let get = x.inner.unwrap();
    assert_eq!(code(&get), MessageClass::Response(ResponseType::Content));
    assert_eq!(get.payload, b"initial");
    let first_request = x.sent;
    // PUT, then GET sees it
    let x = c.request(&req(RequestType::Put, "secret", b"hello-put"));
    assert_eq!(
        code(&x.inner.unwrap()),
        MessageClass::Response(ResponseType::Changed)
    );
    let x = c.request(&req(RequestType::Get, "secret", b""));
    assert_eq!(x.inner.unwrap().payload, b"hello-put");
    // POST
    let x = c.request(&req(RequestType::Post, "secret", b"hi"));
    let post = x.inner.unwrap();
    assert_eq!(code(&post), MessageClass::Response(ResponseType::Changed));
    assert_eq!(post.payload, b"echo:hi");

    // 4 KB PUT with inner Block1 (1024-byte blocks), then GET with inner Block2.
    let body: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    for (num, chunk) in body.chunks(1024).enumerate() {
        let more = (num + 1) * 1024 < body.len();
        let mut r = req(RequestType::Put, "big", chunk);
        r.add_option(
            CoapOption::Block1,
            uint(((num as u32) << 4) | (u32::from(more) << 3) | 6),
        );
        if num == 0 {
            r.add_option(CoapOption::Size1, uint(4096));
        }
        let resp = c.request(&r).inner.unwrap();
        let expected = if more {
            ResponseType::Continue
        } else {
            ResponseType::Changed
        };
        assert_eq!(code(&resp), MessageClass::Response(expected), "block {num}");
        if !more {
            let digest = hex::encode(sha2::Sha256::digest(&body));
            assert_eq!(
                String::from_utf8(resp.payload).unwrap(),
                format!("4096 {digest}")
            );
        }
    }
    let mut got = Vec::new();
    for num in 0.. {
        let mut r = req(RequestType::Get, "big", b"");
        if num > 0 {
            r.add_option(CoapOption::Block2, uint((num << 4) | 6));
        }
        let resp = c.request(&r).inner.unwrap();
        got.extend_from_slice(&resp.payload);
        let (n, more, _) = block_value(
            resp.get_option(CoapOption::Block2)
                .unwrap()
                .front()
                .unwrap(),
        );
        assert_eq!(n, num);
        if !more {
            break;
        }
    }
    assert_eq!(got, body, "4096 bytes back through inner Block2");

    // Observe: registration (outer FETCH) plus two notifications with their own Partial IV.
    let mut r = req(RequestType::Get, "obs", b"");
    r.set_observe_value(0);
    let x = c.request(&r);
    let first = x.inner.unwrap();
    assert!(String::from_utf8(first.payload).unwrap().starts_with("n="));
    let token = x.outer.get_token().to_vec();
    let mut id = x.id;
    let n1 = c.next_notification(&mut id, &token);
    let n2 = c.next_notification(&mut id, &token);
    assert!(n1.get_observe_value().is_some() && n2.get_observe_value().is_some());
    assert_ne!(n1.payload, n2.payload, "a new state per notification");
    assert!(id.notification_number().is_some());

    // Replay of the first request's exact bytes from another port: 4.01, unprotected.
    let replay = UdpSocket::bind("127.0.0.1:0").unwrap();
    replay
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    replay.send_to(&first_request, ("127.0.0.1", port)).unwrap();
    let mut b = [0u8; 512];
    let n = replay.recv(&mut b).unwrap();
    let answer = Packet::from_bytes(&b[..n]).unwrap();
    assert_eq!(
        code(&answer),
        MessageClass::Response(ResponseType::Unauthorized)
    );
    assert_eq!(answer.payload, b"Replay detected");
    assert!(answer.get_option(CoapOption::Oscore).is_none());

    // Wrong key: 4.00 "Decryption failed", unprotected; our client reports NotProtected.
    let mut wrong = Client::new(port, &WRONG);
    let x = wrong.request(&req(RequestType::Get, "secret", b""));
    assert_eq!(x.inner.unwrap_err(), Error::NotProtected);
    assert_eq!(
        code(&x.outer),
        MessageClass::Response(ResponseType::BadRequest)
    );
    assert_eq!(x.outer.payload, b"Decryption failed");
    let _ = std::fs::remove_dir_all(&dir);
}
