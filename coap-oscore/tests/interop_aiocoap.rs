//! Interop with aiocoap 0.4.17 (an independent OSCORE implementation) over UDP on 127.0.0.1, in
//! both roles: GET, POST, PUT with payloads, a 4 KB PUT and GET with inner block-wise
//! (RFC 8613 §4.1.3.4.1), an Observe registration with notifications, a replayed request
//! rejected, a wrong key rejected.
//!
//! Needs `ACE_INTEROP_PYTHON` (a Python with aiocoap[oscore]) and `ACE_INTEROP_SCRIPTS` (the
//! directory holding `oscore_server.py` / `oscore_client.py`); `scripts/test` sets both. The
//! tests fail, never skip, when either is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coap_lite::{CoapOption, MessageClass, MessageType, Packet, RequestType, ResponseType};
use coap_oscore::{
    ContextParams, Error, RequestId, ResponsePartialIv, SecurityContext, VerifiedRequest,
};
use sha2::Digest;

const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const WRONG: [u8; 16] = [0xff; 16];
const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

fn peer() -> (PathBuf, PathBuf) {
    let python = std::env::var_os("ACE_INTEROP_PYTHON").unwrap_or_else(|| {
        panic!("ACE_INTEROP_PYTHON is not set: run scripts/test, or point it at a Python with aiocoap[oscore] 0.4.17")
    });
    let scripts = std::env::var_os("ACE_INTEROP_SCRIPTS").unwrap_or_else(|| {
        panic!("ACE_INTEROP_SCRIPTS is not set: it must name scripts/interop (oscore_server.py, oscore_client.py)")
    });
    let (python, scripts) = (PathBuf::from(python), PathBuf::from(scripts));
    assert!(
        python.exists(),
        "ACE_INTEROP_PYTHON={} does not exist",
        python.display()
    );
    assert!(
        scripts.join("oscore_server.py").exists(),
        "no oscore_server.py in ACE_INTEROP_SCRIPTS={}",
        scripts.display()
    );
    (python, scripts)
}

/// A fresh directory per run: aiocoap persists sequence numbers in its context directories.
fn fresh_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("coap-oscore-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_ctx(dir: &Path, name: &str, sender: &str, recipient: &str, secret: &[u8]) {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("settings.json"),
        format!(
            r#"{{"sender-id_hex": "{sender}", "recipient-id_hex": "{recipient}", "secret_hex": "{}", "salt_hex": "{}", "algorithm": "AES-CCM-16-64-128", "kdf-hashfun": "sha256"}}"#,
            hex::encode(secret),
            hex::encode(SALT)
        ),
    )
    .unwrap();
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ctx(secret: &[u8], sid: &[u8], rid: &[u8]) -> SecurityContext {
    SecurityContext::derive(&ContextParams {
        master_salt: &SALT,
        ..ContextParams::new(secret, sid, rid)
    })
    .unwrap()
}

fn uint(v: u32) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|x| **x == 0).count();
    b[skip..].to_vec()
}

fn block_value(opt: &[u8]) -> (u32, bool, u8) {
    let v = opt.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
    (v >> 4, v & 8 != 0, (v & 7) as u8)
}

// ---------------------------------------------------------------- Rust client, aiocoap server

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

// ---------------------------------------------------------------- aiocoap client, Rust server

/// What the Rust server saw: the bytes of the first protected request, and every error code
/// it answered with.
#[derive(Default)]
struct ServerLog {
    first_request: Option<Vec<u8>>,
    errors: Vec<Error>,
}

struct App {
    secret: Vec<u8>,
    big: Vec<u8>,
    upload: Vec<u8>,
}

impl App {
    /// The resources of oscore_server.py, written against plain CoAP (the OSCORE layer is ours).
    fn handle(&mut self, r: &Packet) -> Packet {
        let mut resp = Packet::new();
        let path: Vec<u8> = r
            .get_option(CoapOption::UriPath)
            .map(|l| l.iter().flatten().copied().collect())
            .unwrap_or_default();
        let method = match r.header.code {
            MessageClass::Request(m) => m,
            _ => panic!("not a request"),
        };
        let set = |resp: &mut Packet, t: ResponseType, payload: &[u8]| {
            resp.header.code = MessageClass::Response(t);
            resp.payload = payload.to_vec();
        };
        match (path.as_slice(), method) {
            (b"secret", RequestType::Get) => {
                set(&mut resp, ResponseType::Content, &self.secret.clone())
            }
            (b"secret", RequestType::Put) => {
                self.secret = r.payload.clone();
                set(&mut resp, ResponseType::Changed, b"");
            }
            (b"secret", RequestType::Post) => set(
                &mut resp,
                ResponseType::Changed,
                &[b"echo:", &r.payload[..]].concat(),
            ),
            (b"big", RequestType::Put) => {
                let (num, more, szx) = r
                    .get_option(CoapOption::Block1)
                    .map(|v| block_value(v.front().unwrap()))
                    .unwrap_or((0, false, 6));
                if num == 0 {
                    self.upload.clear();
                }
                self.upload.extend_from_slice(&r.payload);
                if more {
                    set(&mut resp, ResponseType::Continue, b"");
                } else {
                    self.big = std::mem::take(&mut self.upload);
                    let digest = hex::encode(sha2::Sha256::digest(&self.big));
                    set(
                        &mut resp,
                        ResponseType::Changed,
                        format!("{} {digest}", self.big.len()).as_bytes(),
                    );
                }
                resp.add_option(
                    CoapOption::Block1,
                    uint((num << 4) | (u32::from(more) << 3) | u32::from(szx)),
                );
            }
            (b"big", RequestType::Get) => {
                let (num, _, szx) = r
                    .get_option(CoapOption::Block2)
                    .map(|v| block_value(v.front().unwrap()))
                    .unwrap_or((0, false, 6));
                let size = 16usize << szx;
                let start = (num as usize * size).min(self.big.len());
                let end = (start + size).min(self.big.len());
                let more = end < self.big.len();
                set(&mut resp, ResponseType::Content, &self.big[start..end]);
                resp.add_option(
                    CoapOption::Block2,
                    uint((num << 4) | (u32::from(more) << 3) | u32::from(szx)),
                );
            }
            (b"obs", RequestType::Get) => set(&mut resp, ResponseType::Content, b"n=0"),
            _ => set(&mut resp, ResponseType::NotFound, b""),
        }
        resp
    }
}

fn reply_header(to: &Packet, resp: &mut Packet) {
    let t = if to.header.get_type() == MessageType::Confirmable {
        MessageType::Acknowledgement
    } else {
        MessageType::NonConfirmable
    };
    resp.header.set_type(t);
    resp.header.message_id = to.header.message_id;
    resp.set_token(to.get_token().to_vec());
}

fn serve(sock: UdpSocket, stop: Arc<AtomicBool>, log: Arc<Mutex<ServerLog>>) {
    let mut ctx = ctx(&SECRET, &[1], &[]);
    let mut app = App {
        secret: b"initial".to_vec(),
        big: (0..4096u32).map(|i| (i % 251) as u8).collect(),
        upload: Vec::new(),
    };
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut b = [0u8; 2048];
    let mut buf = [0u8; 2048];
    let mut notify_mid = 0x7000u16;
    while !stop.load(Ordering::Relaxed) {
        let Ok((n, from)) = sock.recv_from(&mut b) else {
            continue;
        };
        let Ok(wire) = Packet::from_bytes(&b[..n]) else {
            continue;
        };
        if !matches!(wire.header.code, MessageClass::Request(_)) {
            continue; // ACKs of our notifications
        }
        let mut plain = Packet::new();
        let mut out = Packet::new();
        match ctx.unprotect_request(&wire, &mut buf, &mut plain) {
            Err(e) => {
                log.lock().unwrap().errors.push(e);
                e.write_response(&mut out).unwrap();
            }
            Ok(VerifiedRequest::EchoRequired(_)) => panic!("a fresh context never needs Echo"),
            Ok(VerifiedRequest::Fresh(rid)) => {
                log.lock()
                    .unwrap()
                    .first_request
                    .get_or_insert_with(|| b[..n].to_vec());
                let mut resp = app.handle(&plain);
                let observe = plain.get_observe_value() == Some(Ok(0));
                if observe {
                    resp.set_observe_value(0);
                }
                ctx.protect_response(
                    &rid,
                    &resp,
                    ResponsePartialIv::FromRequest,
                    &mut buf,
                    &mut out,
                )
                .unwrap();
                if observe {
                    reply_header(&wire, &mut out);
                    sock.send_to(&out.to_bytes().unwrap(), from).unwrap();
                    for k in 1..=2u32 {
                        std::thread::sleep(Duration::from_millis(150));
                        let mut note = Packet::new();
                        note.header.code = MessageClass::Response(ResponseType::Content);
                        note.set_observe_value(k);
                        note.payload = format!("n={k}").into_bytes();
                        let mut wire_note = Packet::new();
                        ctx.protect_response(
                            &rid,
                            &note,
                            ResponsePartialIv::Own,
                            &mut buf,
                            &mut wire_note,
                        )
                        .unwrap();
                        wire_note.header.set_type(MessageType::NonConfirmable);
                        notify_mid = notify_mid.wrapping_add(1);
                        wire_note.header.message_id = notify_mid;
                        wire_note.set_token(wire.get_token().to_vec());
                        sock.send_to(&wire_note.to_bytes().unwrap(), from).unwrap();
                    }
                    continue;
                }
            }
        }
        reply_header(&wire, &mut out);
        sock.send_to(&out.to_bytes().unwrap(), from).unwrap();
    }
}

fn run_client(
    python: &Path,
    scripts: &Path,
    dir: &Path,
    creds: &str,
    port: u16,
    steps: &[&str],
) -> Vec<serde_json::Value> {
    let out = Command::new(python)
        .arg(scripts.join("oscore_client.py"))
        .arg(creds)
        .arg(format!("coap://127.0.0.1:{port}"))
        .args(steps)
        .current_dir(dir)
        .stderr(Stdio::null())
        .output()
        .expect("cannot run the aiocoap OSCORE client");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn aiocoap_client_against_rust_server() {
    let (python, scripts) = peer();
    let dir = fresh_dir("cli");
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    write_ctx(&dir, "client-ctx", "", "01", &SECRET);
    write_ctx(&dir, "wrong-ctx", "", "01", &WRONG);
    for (file, ctxdir) in [("client.json", "client-ctx"), ("wrong.json", "wrong-ctx")] {
        std::fs::write(
            dir.join(file),
            format!(r#"{{"coap://127.0.0.1:{port}/*": {{"oscore": {{"basedir": "{ctxdir}/"}}}}}}"#),
        )
        .unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let log = Arc::new(Mutex::new(ServerLog::default()));
    let server = {
        let (stop, log) = (stop.clone(), log.clone());
        std::thread::spawn(move || serve(sock, stop, log))
    };

    // First, aiocoap with the wrong key (the replay window is still empty, so the AEAD runs):
    // our server answers 4.00 "Decryption failed", unprotected, which aiocoap reports as an
    // unprotected answer.
    let lines = run_client(&python, &scripts, &dir, "wrong.json", port, &["get"]);
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .contains("NotAProtectedMessage"),
        "{lines:?}"
    );
    assert_eq!(log.lock().unwrap().errors, vec![Error::DecryptionFailed]);

    let lines = run_client(
        &python,
        &scripts,
        &dir,
        "client.json",
        port,
        &["get", "put", "get", "post", "big", "observe"],
    );
    let by = |i: usize| &lines[i];
    assert_eq!(lines.len(), 6, "one line per step: {lines:?}");
    assert_eq!(by(0)["code"], "2.05 Content");
    assert_eq!(by(0)["payload"], "initial");
    assert_eq!(by(1)["code"], "2.04 Changed");
    assert_eq!(by(2)["payload"], "hello-put");
    assert_eq!(by(3)["code"], "2.04 Changed");
    assert_eq!(by(3)["payload"], "echo:hi");
    assert_eq!(by(4)["code"], "2.04 Changed", "{:?}", by(4));
    assert_eq!(
        by(4)["payload"],
        by(4)["expected"],
        "4 KB PUT reassembled by the Rust server"
    );
    assert_eq!(
        by(4)["get_equal"],
        true,
        "4 KB GET through inner Block2: {:?}",
        by(4)
    );
    assert_eq!(by(5)["code"], "2.05 Content", "{:?}", by(5));
    assert_eq!(by(5)["notifications"], serde_json::json!(["n=1", "n=2"]));
    assert_eq!(log.lock().unwrap().errors, vec![Error::DecryptionFailed]);

    // Replay of aiocoap's first request from another port: our server answers 4.01.
    let first = log.lock().unwrap().first_request.clone().unwrap();
    let replay = UdpSocket::bind("127.0.0.1:0").unwrap();
    replay
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    replay.send_to(&first, ("127.0.0.1", port)).unwrap();
    let mut b = [0u8; 512];
    let n = replay.recv(&mut b).unwrap();
    let answer = Packet::from_bytes(&b[..n]).unwrap();
    assert_eq!(
        answer.header.code,
        MessageClass::Response(ResponseType::Unauthorized)
    );
    assert_eq!(answer.payload, b"Replay detected");
    assert_eq!(
        log.lock().unwrap().errors,
        vec![Error::DecryptionFailed, Error::Replay]
    );

    stop.store(true, Ordering::Relaxed);
    server.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
