//! Interop with libcoap (Debian `libcoap3-bin` 4.3.1) over UDP on 127.0.0.1, both directions:
//!
//! - libcoap's `coap-client-notls -b 64` PUTs a 4000-byte body to our server (Block1, our
//!   [`Reassembler`]) and GETs it back (Block2, our [`serve_block2`]);
//! - our client ([`Block1Sender`], [`Block2Fetcher`]) PUTs to and GETs from libcoap's
//!   `coap-server-notls` `/example_data`, including late negotiation of a smaller size.
//!
//! A missing libcoap binary is a failure that says so (install `libcoap3-bin`), never a skip.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use coap_block::{
    Block1Outcome, Block1Sender, Block2Fetcher, FetchStep, Reassembler, ReassemblyConfig, Szx,
    TransferOptions, UploadStep, serve_block2,
};
use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use coap_numbers::code;

fn require(binary: &str) -> String {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {binary}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{binary} not found: install the libcoap peer with `apt-get install -y libcoap3-bin` \
         (scripts/test does this)"
    );
    binary.to_string()
}

/// 4000 bytes of printable data (libcoap's `-f` reads a file).
fn test_body() -> Vec<u8> {
    (0..4000u32)
        .map(|i| b'A' + ((i * 7 + i / 13) % 26) as u8)
        .collect()
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("coap-block-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn option_uint(value: u32) -> Vec<u8> {
    coap_block::UintValue::new(value).as_bytes().to_vec()
}

/// Our server: one resource whose PUT body is reassembled and whose GET serves it block-wise.
struct OurServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<(Option<Vec<u8>>, Vec<String>)>,
}

fn start_our_server(initial: Vec<u8>) -> OurServer {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let handle = thread::spawn(move || {
        let mut slab = vec![0u8; 2 * 8192];
        let mut reassembler: Reassembler<'_, SocketAddr, 2> =
            Reassembler::new(&mut slab, ReassemblyConfig::default());
        let mut stored = initial;
        let mut last_put = None;
        let mut log = Vec::new();
        let started = Instant::now();
        let mut buf = [0u8; 2048];
        while !stop2.load(Ordering::Relaxed) {
            let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                continue;
            };
            let Ok(request) = Packet::from_bytes(&buf[..n]) else {
                log.push("undecodable datagram".into());
                continue;
            };
            if request.header.get_type() != MessageType::Confirmable
                && request.header.get_type() != MessageType::NonConfirmable
            {
                continue;
            }
            let mut response = Packet::new();
            response
                .header
                .set_type(if request.header.get_type() == MessageType::Confirmable {
                    MessageType::Acknowledgement
                } else {
                    MessageType::NonConfirmable
                });
            response.header.message_id = request.header.message_id;
            response.set_token(request.get_token().to_vec());
            let method: u8 = request.header.code.into();
            let mut set = |code: u8, options: &[(CoapOption, Vec<u8>)], payload: &[u8]| {
                response.header.code = MessageClass::from(code);
                for (number, value) in options {
                    response.add_option(*number, value.clone());
                }
                response.payload = payload.to_vec();
            };
            match method {
                // PUT / POST: Block1 reassembly.
                0x03 | 0x02 => {
                    let now = started.elapsed();
                    match reassembler.handle_request(&peer, &request, now) {
                        Ok(None) => {
                            stored = request.payload.clone();
                            last_put = Some(stored.clone());
                            set(code::CHANGED, &[], &[]);
                        }
                        Ok(Some(Block1Outcome::Continue { ack })) => {
                            log.push(format!("PUT 1:{} -> 2.31 1:{ack}", ack));
                            set(
                                code::CONTINUE,
                                &[(CoapOption::Block1, ack.encode().as_bytes().to_vec())],
                                &[],
                            );
                        }
                        Ok(Some(Block1Outcome::Complete { ack, body })) => {
                            log.push(format!("PUT 1:{ack} complete, {} bytes", body.len()));
                            stored = body.to_vec();
                            last_put = Some(stored.clone());
                            set(
                                code::CHANGED,
                                &[(CoapOption::Block1, ack.encode().as_bytes().to_vec())],
                                &[],
                            );
                        }
                        Err(e) => {
                            log.push(format!("PUT refused: {e}"));
                            let mut options = Vec::new();
                            if let Some(size1) = e.size1() {
                                options.push((CoapOption::Size1, option_uint(size1)));
                            }
                            set(e.coap_code().unwrap_or(code::BAD_REQUEST), &options, &[]);
                        }
                    }
                }
                // GET: Block2 slices of the stored representation.
                0x01 => {
                    let result = TransferOptions::from_message(&request)
                        .and_then(|o| serve_block2(&stored, o.block2, Szx::MAX));
                    match result {
                        Ok(slice) => {
                            let mut options = Vec::new();
                            if let Some(b) = slice.block2 {
                                log.push(format!("GET -> 2:{b}"));
                                options.push((CoapOption::Block2, b.encode().as_bytes().to_vec()));
                                if b.num == 0 {
                                    options.push((CoapOption::Size2, option_uint(slice.size2)));
                                }
                            }
                            set(code::CONTENT, &options, slice.payload);
                        }
                        Err(e) => {
                            log.push(format!("GET refused: {e}"));
                            set(e.coap_code().unwrap_or(code::BAD_REQUEST), &[], &[]);
                        }
                    }
                }
                _ => set(code::METHOD_NOT_ALLOWED, &[], &[]),
            }
            socket.send_to(&response.to_bytes().unwrap(), peer).unwrap();
        }
        (last_put, log)
    });
    OurServer { addr, stop, handle }
}

fn run_client(args: &[&str]) -> String {
    let output = Command::new(require("coap-client-notls"))
        .args(args)
        .output()
        .unwrap();
    format!(
        "rc={:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `coap-client-notls -b SIZE` PUTs the body to our server and GETs it back.
fn libcoap_client_against_our_server(size: usize) {
    let body = test_body();
    let input = temp_path(&format!("put-body-{size}.txt"));
    let output = temp_path(&format!("got-{size}.txt"));
    std::fs::write(&input, &body).unwrap();
    let _ = std::fs::remove_file(&output);
    let server = start_our_server(Vec::new());
    let uri = format!("coap://127.0.0.1:{}/data", server.addr.port());
    let b = size.to_string();
    let put = run_client(&[
        "-m",
        "put",
        "-b",
        &b,
        "-B",
        "10",
        "-f",
        input.to_str().unwrap(),
        &uri,
    ]);
    let get = run_client(&[
        "-m",
        "get",
        "-b",
        &b,
        "-B",
        "10",
        "-o",
        output.to_str().unwrap(),
        &uri,
    ]);
    server.stop.store(true, Ordering::Relaxed);
    let (last_put, log) = server.handle.join().unwrap();
    let continues = log.iter().filter(|l| l.contains("-> 2.31")).count();
    let served: Vec<&String> = log.iter().filter(|l| l.starts_with("GET -> 2:")).collect();
    assert_eq!(
        last_put.as_deref(),
        Some(&body[..]),
        "our server did not reassemble the body\nPUT: {put}\nlog: {log:#?}"
    );
    // 4000 bytes in blocks of `size`: all but the last block are answered with 2.31.
    let blocks = body.len().div_ceil(size);
    assert_eq!(continues, blocks - 1, "{log:#?}");
    assert_eq!(served.len(), blocks, "{log:#?}\nGET: {get}");
    assert_eq!(served[0], &format!("GET -> 2:0/1/{size}"), "{log:#?}");
    // coap-client exits 0 on some failures: its output must not report an error either.
    for (what, out) in [("PUT", &put), ("GET", &get)] {
        assert!(
            !out.contains("ERR") && !out.contains("4.") && !out.contains("5."),
            "{what}: {out}"
        );
    }
    let got = std::fs::read(&output).unwrap_or_default();
    assert_eq!(got, body, "libcoap did not get the body back\nGET: {get}");
}

#[test]
fn libcoap_client_puts_and_gets_4000_bytes_in_64_byte_blocks_against_our_server() {
    libcoap_client_against_our_server(64);
}

/// 250 blocks: block numbers above 15 need 2-byte option values.
#[test]
fn libcoap_client_puts_and_gets_4000_bytes_in_16_byte_blocks_against_our_server() {
    libcoap_client_against_our_server(16);
}

#[test]
fn libcoap_client_puts_and_gets_4000_bytes_in_1024_byte_blocks_against_our_server() {
    libcoap_client_against_our_server(1024);
}

/// A CoAP request/response exchange over UDP: CON with retransmission, piggybacked or
/// separate response.
struct UdpClient {
    socket: UdpSocket,
    server: SocketAddr,
    mid: u16,
}

impl UdpClient {
    fn exchange(&mut self, mut request: Packet) -> Packet {
        self.mid = self.mid.wrapping_add(1);
        request.header.message_id = self.mid;
        request.header.set_type(MessageType::Confirmable);
        let token = self.mid.to_be_bytes().to_vec();
        request.set_token(token.clone());
        let bytes = request.to_bytes().unwrap();
        let mut buf = [0u8; 2048];
        for _attempt in 0..40 {
            self.socket.send_to(&bytes, self.server).unwrap();
            let deadline = Instant::now() + Duration::from_millis(250);
            while Instant::now() < deadline {
                let Ok((n, _)) = self.socket.recv_from(&mut buf) else {
                    continue;
                };
                let response = Packet::from_bytes(&buf[..n]).unwrap();
                if response.get_token() != token.as_slice() {
                    continue;
                }
                if response.header.get_type() == MessageType::Confirmable {
                    let mut ack = Packet::new();
                    ack.header.set_type(MessageType::Acknowledgement);
                    ack.header.message_id = response.header.message_id;
                    self.socket
                        .send_to(&ack.to_bytes().unwrap(), self.server)
                        .unwrap();
                }
                return response;
            }
        }
        panic!(
            "no response from libcoap's coap-server-notls at {}",
            self.server
        );
    }
}

fn common_block(shown: &str) -> coap_block::BlockOption {
    common::notation(shown).1
}

fn request(method: u8, path: &str) -> Packet {
    let mut p = Packet::new();
    p.header.code = MessageClass::from(method);
    p.add_option(CoapOption::UriPath, path.as_bytes().to_vec());
    p
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn fetch(
    client: &mut UdpClient,
    preferred: Option<Szx>,
    late: Option<Szx>,
) -> (Vec<u8>, Vec<String>) {
    let mut buf = vec![0u8; 8192];
    let mut fetcher = Block2Fetcher::new(&mut buf, preferred);
    let mut seen = Vec::new();
    let mut block2 = fetcher.next_request();
    loop {
        let mut get = request(0x01, "example_data");
        if let Some(b) = block2 {
            get.add_option(CoapOption::Block2, b.encode().as_bytes().to_vec());
        }
        let response = client.exchange(get);
        let options = TransferOptions::from_message(&response).unwrap();
        if let Some(b) = options.block2 {
            seen.push(format!("2:{b}"));
        }
        let code: u8 = response.header.code.into();
        match fetcher
            .handle_response(code, &options, &response.payload)
            .unwrap()
        {
            FetchStep::Request(next) => block2 = Some(next),
            FetchStep::Complete(_) => break,
        }
        if let Some(late) = late {
            fetcher.set_preferred_szx(late);
            block2 = fetcher.next_request();
        }
    }
    (fetcher.body().to_vec(), seen)
}

#[test]
fn our_client_puts_and_gets_against_libcoap_server() {
    let binary = require("coap-server-notls");
    let port = {
        let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let _server = KillOnDrop(
        Command::new(binary)
            .args(["-A", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut client = UdpClient {
        socket,
        server: SocketAddr::from(([127, 0, 0, 1], port)),
        mid: 0x1000,
    };

    // Block1 PUT in 64-byte blocks.
    let body = test_body();
    let mut sender = Block1Sender::new(&body, Szx::new(2).unwrap(), 1).unwrap();
    let mut codes = Vec::new();
    loop {
        let block = sender.current().unwrap();
        let mut put = request(0x03, "example_data");
        put.add_option(
            CoapOption::Block1,
            block.block1.encode().as_bytes().to_vec(),
        );
        if let Some(size1) = block.size1 {
            put.add_option(CoapOption::Size1, option_uint(size1));
        }
        put.payload = block.payload.to_vec();
        let response = client.exchange(put);
        let code: u8 = response.header.code.into();
        codes.push(code);
        let options = TransferOptions::from_message(&response).unwrap();
        match sender.handle_response(code, &options) {
            Ok(UploadStep::Complete) => break,
            Ok(_) => {}
            Err(e) => panic!("PUT failed: {e}; codes so far {codes:02x?}"),
        }
    }
    assert_eq!(codes.len(), 63);
    assert!(
        codes[..62].iter().all(|c| *c == code::CONTINUE),
        "{codes:02x?}"
    );
    assert!(codes[62] >> 5 == 2, "final code {:#04x}", codes[62]);

    // Block2 GET with early negotiation of 64 bytes.
    let (got, seen) = fetch(&mut client, Some(Szx::new(2).unwrap()), None);
    assert_eq!(got, body);
    assert_eq!(seen.len(), 63);
    assert_eq!(seen[0], "2:0/1/64");
    assert_eq!(seen[62], "2:62/0/64");

    // Block2 GET with late negotiation: libcoap picks the size, we move down to 32.
    let (got, seen) = fetch(&mut client, None, Some(Szx::new(1).unwrap()));
    assert_eq!(got, body);
    assert!(seen.len() > 2, "{seen:?}");
    // libcoap chose a larger size for block 0; every later block is at our 32 bytes, starting
    // at the byte offset where block 0 ended (RFC 7959 §2.4, Figure 4).
    let first = common_block(&seen[0]);
    assert!(
        first.size() > 32 && first.num == 0 && first.more,
        "{seen:?}"
    );
    let second = common_block(&seen[1]);
    assert_eq!(second.offset(), first.size(), "{seen:?}");
    assert!(seen[1..].iter().all(|s| s.ends_with("/32")), "{seen:?}");
}
