//! `ace est-server`: a CA and EST-coaps server over DTLS 1.2 with certificate client
//! authentication, block-wise transfers by `coap-block`.

use super::coap::{self, Due, REQUEST_TAG, Seen, SeparateQueue};
use super::dtls::{self, Conn};
use super::files::{self, BoxError};
use super::unix_now;
use coap_block::{Block1Outcome, Reassembler, ReassemblyConfig, RequestTag, Szx, serve_block2};
use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use dimpl::DtlsCertificate;
use est_coaps::algorithm::verify_issued_by;
use est_coaps::p256::ecdsa::SigningKey;
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::x509_cert::Certificate;
use est_coaps::x509_cert::name::Name;
use est_coaps::*;
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Arguments of `ace est-server`.
#[derive(clap::Args, Debug)]
pub struct ServerArgs {
    /// UDP address to listen on (port 0 picks one; the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:5684")]
    pub listen: SocketAddr,
    /// Directory for the CA and server keys/certificates (created and filled on first run).
    #[arg(long)]
    pub dir: PathBuf,
    /// PEM file of CAs whose certificates may authenticate clients (e.g. a manufacturer's
    /// IDevID CA); certificates issued by this server's CA are always accepted.
    #[arg(long)]
    pub client_ca: Vec<PathBuf>,
    /// Answer /sen, /sren, /skg, /skc with 5.03 + this Max-Age for the first try of each CSR
    /// (RFC 9148 §5.7 demonstration).
    #[arg(long)]
    pub delay: Option<u32>,
    /// Largest Block2 size the server sends (16..1024).
    #[arg(long, default_value_t = 1024)]
    pub block_size: usize,
    /// Answer CON requests that reach the CA (/sen, /sren, /skg, /skc) with an empty ACK
    /// and send the response this many ms later as a separate CON message, retransmitted
    /// until acknowledged (RFC 9148 §5.7 short delay; RFC 7252 §5.2.2).
    #[arg(long)]
    pub separate_ms: Option<u64>,
    /// A shared key-encryption key for encrypted server-side key generation (Content-Format
    /// 280, RFC 7030 §4.4.1.1), as ID=HEX: the DecryptKeyIdentifier (text) and the 16- or
    /// 32-byte key. Repeatable.
    #[arg(long, value_name = "ID=HEX")]
    pub kek: Vec<String>,
    /// A client key agreement certificate (PEM, P-256, with subjectKeyIdentifier) that /skg
    /// and /skc may encrypt generated keys to (RFC 7030 §4.4.1.2). A client's own DTLS
    /// certificate can always be named. Repeatable.
    #[arg(long)]
    pub key_agreement_cert: Vec<PathBuf>,
}

/// RFC 7030 §4.4.1: the keys `--kek` and `--key-agreement-cert` configure.
fn decrypt_keys(args: &ServerArgs) -> Result<DecryptKeys, BoxError> {
    let mut keys = DecryptKeys::new();
    for k in &args.kek {
        let (id, hex_key) = k.split_once('=').ok_or("--kek takes ID=HEX")?;
        keys = keys.with_secret(
            id.as_bytes(),
            &hex::decode(hex_key).map_err(|e| format!("--kek: {e}"))?,
        )?;
    }
    for f in &args.key_agreement_cert {
        keys = keys.with_certificate(&files::read_cert(f)?)?;
    }
    Ok(keys)
}

/// At most this many separate responses are pending at a time; beyond it the server
/// answers piggybacked.
const SEPARATE_CAPACITY: usize = 64;

/// The server's policy: approve, optionally delaying the first try of each CSR.
pub struct DemoPolicy {
    delay: Option<u32>,
    seen: Vec<[u8; 32]>,
}

impl DemoPolicy {
    /// A policy that approves, delaying the first try of each CSR by `delay` if set.
    pub(crate) fn new(delay: Option<u32>) -> Self {
        DemoPolicy {
            delay,
            seen: Vec::new(),
        }
    }
}

impl Policy for DemoPolicy {
    fn decide(&mut self, r: &IssueRequest<'_>, _now: UnixTime) -> Decision {
        match self.delay {
            Some(max_age) if !self.seen.contains(&r.csr_digest) => {
                if self.seen.len() >= 1024 {
                    self.seen.remove(0);
                }
                self.seen.push(r.csr_digest);
                Decision::Pending { max_age }
            }
            _ => Decision::Approve,
        }
    }
}

/// Loads the CA and the server's DTLS certificate from `dir`, creating them on first run.
fn load_or_create(
    dir: &Path,
    delay: Option<u32>,
) -> Result<(Ca<DemoPolicy>, DtlsCertificate), BoxError> {
    std::fs::create_dir_all(dir)?;
    let (ca_key, ca_cert, srv_key, srv_cert) = (
        dir.join("ca.key"),
        dir.join("ca.pem"),
        dir.join("server.key"),
        dir.join("server.pem"),
    );
    let policy = DemoPolicy {
        delay,
        seen: Vec::new(),
    };
    let mut rng = rand::rng();
    let now = unix_now();
    let mut ca = if ca_key.exists() && ca_cert.exists() {
        Ca::from_parts(
            files::read_key(&ca_key)?,
            files::read_cert(&ca_cert)?,
            policy,
            100_000,
        )
    } else {
        let key = SigningKey::generate_from_rng(&mut rng);
        let ca = Ca::new_root(
            Name::from_str("CN=ace EST CA,O=ace-tools")?,
            key,
            policy,
            UnixTime(now.0.saturating_sub(60)),
            10 * 365 * 86400,
            100_000,
        )?;
        files::write_key(&ca_key, ca.key())?;
        files::write_certs(
            &ca_cert,
            std::slice::from_ref(ca.certificate().ok_or("no CA cert")?),
        )?;
        ca
    };
    if !(srv_key.exists() && srv_cert.exists()) {
        // The server's own DTLS certificate, issued by its CA.
        let key = SigningKey::generate_from_rng(&mut rng);
        let csr = build_csr(
            &Name::from_str("CN=ace EST server,O=ace-tools")?,
            &key,
            None,
        )?;
        let req = IssueRequest {
            kind: RequestKind::Enroll,
            subject: csr.subject(),
            client: None,
            csr_digest: [0; 32],
        };
        let delay = ca.policy_mut().delay.take();
        let cert = ca.issue(
            &req,
            csr.request().info.public_key.clone(),
            UnixTime(now.0.saturating_sub(60)),
        )?;
        ca.policy_mut().delay = delay;
        files::write_key(&srv_key, &key)?;
        files::write_certs(&srv_cert, &[cert])?;
    }
    let (key, cert) = (files::read_key(&srv_key)?, files::read_cert(&srv_cert)?);
    let dtls_cert = DtlsCertificate {
        certificate: est_coaps::der::Encode::to_der(&cert)?,
        private_key: files::pkcs8_der(&key)?,
    };
    // RFC 7030 §4.4.2: the EST server, which generates the keys, signs encrypted ones.
    Ok((ca.with_key_generator(key, cert), dtls_cert))
}

struct Peer {
    conn: Conn,
    client: Option<Certificate>,
    /// The last large response, served block by block (RFC 7959 §2.4).
    cached: Option<(Vec<String>, Response)>,
}

/// Runs the server until killed.
pub fn run(args: ServerArgs) -> Result<(), BoxError> {
    let sock = UdpSocket::bind(args.listen)?;
    println!("ace est-server listening on coaps://{}", sock.local_addr()?);
    serve(&args, sock, &AtomicBool::new(false))
}

/// Serves EST-coaps on the bound `sock` (CA and keys from `args.dir`) until `stop` is set.
pub(crate) fn serve(args: &ServerArgs, sock: UdpSocket, stop: &AtomicBool) -> Result<(), BoxError> {
    let (ca, dtls_cert) = load_or_create(&args.dir, args.delay)?;
    let mut anchors: Vec<Certificate> = ca.ca_certificates().to_vec();
    for f in &args.client_ca {
        anchors.extend(files::read_certs(f)?);
    }
    let mut server = EstServer::new(EstPath::default(), ca).with_decrypt_keys(decrypt_keys(args)?);
    sock.set_read_timeout(Some(Duration::from_millis(20)))?;
    let config = dtls::config()?;
    let max_szx = Szx::at_most(args.block_size.clamp(16, 1024));
    let mut slab = vec![0u8; 8 * 4096];
    let mut reasm: Reassembler<'_, SocketAddr, 8> =
        Reassembler::new(&mut slab, ReassemblyConfig::default());
    let start = Instant::now();
    let mut peers: HashMap<SocketAddr, Peer> = HashMap::new();
    let mut buf = vec![0u8; 65536];
    let mut mid: u16 = 1;
    let mut rng = rand::rng();
    let mut separate: SeparateQueue<SocketAddr> = SeparateQueue::new(SEPARATE_CAPACITY);
    let separate_delay = args.separate_ms.map(Duration::from_millis);
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        let received = match sock.recv_from(&mut buf) {
            Ok((n, from)) => Some((buf[..n].to_vec(), from)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => return Err(e.into()),
        };
        let mut dead = Vec::new();
        if let Some((data, from)) = received {
            if peers.len() >= 256 && !peers.contains_key(&from) {
                continue; // bounded number of associations
            }
            let peer = peers.entry(from).or_insert_with(|| Peer {
                conn: Conn::server(config.clone(), dtls_cert.clone(), now),
                client: None,
                cached: None,
            });
            if let Err(e) = peer.conn.dtls.handle_packet(&data) {
                eprintln!("{from}: DTLS error: {e}");
                dead.push(from);
            }
        }
        for (addr, peer) in peers.iter_mut() {
            if dead.contains(addr) {
                continue;
            }
            let step = (|| -> Result<(), BoxError> {
                peer.conn.tick(now)?;
                peer.conn.drain(&sock, *addr)?;
                if peer.client.is_none()
                    && let Some(der) = peer.conn.peer_cert.take()
                {
                    let cert = est_coaps::client::parse_certificate(&der)?;
                    // RFC 9148 §4: the client certificate must chain to a trusted CA.
                    if anchors.iter().any(|a| verify_issued_by(&cert, a).is_ok()) {
                        peer.client = Some(cert);
                    } else {
                        eprintln!("{addr}: client certificate not issued by a trusted CA");
                    }
                }
                let inbox = std::mem::take(&mut peer.conn.inbox);
                for msg in inbox {
                    let Ok(req) = Packet::from_bytes(&msg) else {
                        continue;
                    };
                    if std::env::var_os("ACE_EST_DEBUG").is_some() {
                        eprintln!("{addr}: request {:02x?}", msg);
                    }
                    match separate.on_message(addr, &req) {
                        Seen::Other => {}
                        Seen::Acknowledged { mid, reset } => {
                            let how = if reset { "reset" } else { "acknowledged" };
                            eprintln!("{addr}: separate response: MID {mid} {how} by the client");
                            continue;
                        }
                        Seen::DuplicateRequest { empty_ack } => {
                            eprintln!(
                                "{addr}: separate response: duplicate request MID {}, empty ACK again",
                                req.header.message_id
                            );
                            peer.conn.dtls.send_application_data(&empty_ack)?;
                            continue;
                        }
                    }
                    mid = mid.wrapping_add(1);
                    let secs = now.duration_since(start);
                    let Some((mut resp, reached_ca)) = handle_coap(
                        &mut server,
                        peer,
                        *addr,
                        &req,
                        &mut reasm,
                        secs,
                        max_szx,
                        mid,
                        &mut rng,
                    ) else {
                        continue;
                    };
                    // RFC 9148 §5.7 / RFC 7252 §5.2.2: a CON request that reached the CA
                    // gets an empty ACK now and the response later, as a CON message.
                    let separately = separate_delay.filter(|_| {
                        reached_ca && req.header.get_type() == MessageType::Confirmable
                    });
                    if separately.is_some() && !separate.has_room() {
                        eprintln!(
                            "{addr}: separate response: {} pending (the cap), answering piggybacked",
                            separate.len()
                        );
                    }
                    if let Some(delay) = separately
                        && separate.has_room()
                    {
                        mid = mid.wrapping_add(1);
                        resp.header.set_type(MessageType::Confirmable);
                        resp.header.message_id = mid;
                        let code = u8::from(resp.header.code);
                        let bytes = resp.to_bytes().map_err(|e| format!("CoAP: {e:?}"))?;
                        let rmid = req.header.message_id;
                        if separate
                            .push(*addr, rmid, (mid, code), bytes, now + delay)
                            .is_ok()
                        {
                            let ack = coap::empty(MessageType::Acknowledgement, rmid);
                            let ack = ack.to_bytes().map_err(|e| format!("CoAP: {e:?}"))?;
                            peer.conn.dtls.send_application_data(&ack)?;
                        }
                        continue;
                    }
                    let bytes = resp.to_bytes().map_err(|e| format!("CoAP: {e:?}"))?;
                    peer.conn.dtls.send_application_data(&bytes)?;
                }
                peer.conn.drain(&sock, *addr)?;
                Ok(())
            })();
            if let Err(e) = step {
                eprintln!("{addr}: {e}");
                dead.push(*addr);
            } else if peer.conn.closed {
                dead.push(*addr);
            }
        }
        for due in separate.due(now, rand::random) {
            send_due(&mut peers, &sock, due, &mut dead);
        }
        for d in dead {
            peers.remove(&d);
            separate.forget(&d);
        }
    }
    Ok(())
}

/// Sends (or gives up) one separate response whose timer fired.
fn send_due(
    peers: &mut HashMap<SocketAddr, Peer>,
    sock: &UdpSocket,
    due: Due<SocketAddr>,
    dead: &mut Vec<SocketAddr>,
) {
    match due {
        Due::Send {
            peer: addr,
            request_mid,
            mid,
            code,
            message,
            first,
        } => {
            let Some(peer) = peers.get_mut(&addr) else {
                return;
            };
            let sent = peer
                .conn
                .dtls
                .send_application_data(&message)
                .map_err(BoxError::from)
                .and_then(|_| peer.conn.drain(sock, addr));
            if let Err(e) = sent {
                eprintln!("{addr}: {e}");
                dead.push(addr);
            } else if first {
                let block2 = Packet::from_bytes(&message).ok().and_then(|p| {
                    let size2 = coap::get_uint(&p, CoapOption::Size2)?;
                    Some(format!(", Block2 #0 of {size2} bytes"))
                });
                eprintln!(
                    "{addr}: separate response: empty ACK for MID {request_mid}, CON {} sent (MID {mid}{})",
                    Code(code),
                    block2.unwrap_or_default()
                );
            } else {
                eprintln!("{addr}: separate response: retransmitting CON MID {mid}");
            }
        }
        Due::GiveUp { peer, mid } => {
            eprintln!("{peer}: separate response: MID {mid} never acknowledged, dropped");
        }
    }
}

/// Handles one request: the response (piggybacked for CON) and whether the request
/// reached the CA (the whole body of /sen, /sren, /skg or /skc), which may be answered by a
/// separate response instead (RFC 9148 §5.7).
#[allow(clippy::too_many_arguments)]
fn handle_coap(
    server: &mut EstServer<Ca<DemoPolicy>>,
    peer: &mut Peer,
    addr: SocketAddr,
    req: &Packet,
    reasm: &mut Reassembler<'_, SocketAddr, 8>,
    now: Duration,
    max_szx: Szx,
    mid: u16,
    rng: &mut impl rand::CryptoRng,
) -> Option<(Packet, bool)> {
    let MessageClass::Request(method) = req.header.code else {
        return None;
    };
    let method = Method::from_code(u8::from(MessageClass::Request(method)));
    let path = coap::uri_path(req);
    let mut out = |code: Code| coap::response_to(req, code.0, mid);
    let block2 = match coap::get_block(req, CoapOption::Block2) {
        Ok(b) => b,
        Err(e) => return Some((out(block_err(&e)), false)),
    };
    // A later Block2 request for the cached response (RFC 7959 §2.4): serve the slice.
    if let (Some(b2), Some((p, cached))) = (block2, &peer.cached)
        && b2.num > 0
        && *p == path
    {
        return Some((block2_response(&mut out, cached, Some(b2), max_szx), false));
    }
    let block1 = match coap::get_block(req, CoapOption::Block1) {
        Ok(b) => b,
        Err(e) => return Some((out(block_err(&e)), false)),
    };
    let tag = match req.get_first_option(CoapOption::Unknown(REQUEST_TAG)) {
        Some(v) => RequestTag::new(v).ok()?,
        None => RequestTag::Absent,
    };
    let mut ack1 = None;
    let body: Vec<u8> = match block1 {
        None => req.payload.clone(),
        Some(b1) => {
            let size1 = coap::get_uint(req, CoapOption::Size1);
            match reasm.handle_block1(&addr, &tag, b1, size1, &req.payload, now) {
                Ok(Block1Outcome::Continue { ack }) => {
                    let mut p = out(Code::CONTINUE);
                    coap::set_block(&mut p, CoapOption::Block1, ack);
                    return Some((p, false));
                }
                Ok(Block1Outcome::Complete { ack, body }) => {
                    ack1 = Some(ack);
                    body.to_vec()
                }
                Err(e) => return Some((out(block_err(&e)), false)),
            }
        }
    };
    let segs: Vec<&str> = path.iter().map(String::as_str).collect();
    let query = coap::uri_query(req);
    // RFC 9148 §5.7: the functions where the CA works (and may be slow).
    let reached_ca = method == Method::Post
        && matches!(
            EstPath::default().match_path(&segs),
            Some(Function::Sen | Function::Sren | Function::Skg | Function::Skc)
        );
    let query: Vec<&str> = query.iter().map(String::as_str).collect();
    let request = Request {
        method,
        uri_path: &segs,
        uri_query: &query,
        content_format: coap::get_uint(req, CoapOption::ContentFormat)
            .and_then(|v| u16::try_from(v).ok()),
        accept: coap::get_uint(req, CoapOption::Accept).and_then(|v| u16::try_from(v).ok()),
        payload: &body,
        client: peer.client.as_ref(),
        pop_link: None,
    };
    let resp = server.handle(&request, unix_now(), rng);
    eprintln!(
        "{addr}: {} /{} -> {}",
        method_name(method),
        path.join("/"),
        resp.code
    );
    let mut reply = out(resp.code);
    if let Some(a) = ack1 {
        coap::set_block(&mut reply, CoapOption::Block1, a);
    }
    if resp.payload.len() > max_szx.block_size() || block2.is_some() {
        peer.cached = Some((path, resp.clone()));
        let mut out2 = |c: Code| {
            let mut p = coap::response_to(req, c.0, mid);
            if let Some(a) = ack1 {
                coap::set_block(&mut p, CoapOption::Block1, a);
            }
            p
        };
        return Some((
            block2_response(&mut out2, &resp, block2, max_szx),
            reached_ca,
        ));
    }
    fill(&mut reply, &resp);
    reply.payload = resp.payload;
    Some((reply, reached_ca))
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Other(_) => "?",
    }
}

fn fill(p: &mut Packet, resp: &Response) {
    if let Some(cf) = resp.content_format {
        coap::set_uint(p, CoapOption::ContentFormat, u32::from(cf));
    }
    if let Some(ma) = resp.max_age {
        coap::set_uint(p, CoapOption::MaxAge, ma);
    }
}

fn block2_response(
    out: &mut impl FnMut(Code) -> Packet,
    resp: &Response,
    requested: Option<coap_block::BlockOption>,
    max_szx: Szx,
) -> Packet {
    match serve_block2(&resp.payload, requested, max_szx) {
        Ok(slice) => {
            let mut p = out(resp.code);
            fill(&mut p, resp);
            if let Some(b) = slice.block2 {
                coap::set_block(&mut p, CoapOption::Block2, b);
                if b.num == 0 {
                    coap::set_uint(&mut p, CoapOption::Size2, slice.size2);
                }
            }
            p.payload = slice.payload.to_vec();
            p
        }
        Err(e) => out(block_err(&e)),
    }
}

fn block_err(e: &coap_block::Error) -> Code {
    Code(e.coap_code().unwrap_or(Code::BAD_REQUEST.0))
}
