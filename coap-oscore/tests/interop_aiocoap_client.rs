//! Interop: aiocoap 0.4.17's OSCORE client against our OSCORE server, over UDP on 127.0.0.1:
//! GET, POST, PUT with payloads, a 4 KB PUT and GET with inner block-wise (RFC 8613
//! §4.1.3.4.1), an Observe registration with notifications, a replayed request rejected
//! (4.01), a wrong key rejected (4.00).
//!
//! Needs `ACE_INTEROP_PYTHON` (a Python with aiocoap[oscore]) and `ACE_INTEROP_SCRIPTS` (the
//! directory holding `oscore_client.py`); `scripts/test` sets both. The test fails, never
//! skips, when either is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coap_lite::{CoapOption, MessageClass, MessageType, Packet, RequestType, ResponseType};
use coap_oscore::{Error, ResponsePartialIv, VerifiedRequest};
use common::*;
use sha2::Digest;

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
