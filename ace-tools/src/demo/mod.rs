//! `ace demo`: an AS, an RS and a client in one process, talking CoAP over UDP on
//! 127.0.0.1 (one thread per server), with in-memory state and freshly generated keys.
//!
//! The story (RFC 9200 Figure 1): the client asks the RS for a resource and gets 4.01 with
//! AS Request Creation Hints (§5.3); it asks the AS for a token with its client credentials
//! (§5.8; the AS generates a symmetric PoP key and protects the token for the RS with
//! COSE_Encrypt0); it POSTs the token to `/authz-info` (§5.10.1); it reads the resource
//! (2.05) and is refused outside its scope (4.03).
//!
//! Neither the DTLS nor the OSCORE profile is part of this demo: there is no secure channel,
//! so the RS binds the token's PoP key id to the client's UDP address. That shows the
//! token flow and access decisions, not proof of possession.
//!
//! A last step enrols a device certificate with EST over DTLS 1.2 (RFC 9148), reusing the
//! `est` module's server and client (see `enrolment`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use ace_core::as_server::{AsConfig, AuthorizationServer, ClientEntry, RsEntry, ScopePolicy};
use ace_core::client::Client;
use ace_core::endpoint::{self, AuthzInfoReply, Limits, Reply};
use ace_core::env::{Method, Request, Response, ResponseCode, Transport, TransportError};
use ace_core::resource_server::{AifScopes, PeerId, RateLimit, ResourceServer, RsConfig};
use ace_core::{AifScope, RestMethodSet, Scope};
use ace_cwt::{Algorithm, KeyId, KeySet, PopKey, Protection};
use coap_lite::Packet;

mod enrolment;
mod labels;
mod system_clock;

use crate::diag;
use crate::udp::{self, UdpServer, UdpTransport};
pub use system_clock::SystemClock;

/// Arguments of `ace demo`.
#[derive(clap::Args, Debug)]
pub struct Args {}

const AUDIENCE: &str = "tempSensor4711";
const CLIENT_ID: &str = "myclient";
const CLIENT_SECRET: &[u8] = b"demo-secret";

type DemoError = Box<dyn std::error::Error>;

/// Runs the demo and prints every exchange.
pub fn run(_args: Args) -> Result<(), DemoError> {
    let mut rng: rand::rngs::StdRng = rand::make_rng();
    println!("ACE-OAuth (RFC 9200) demo: AS, RS and client over CoAP/UDP on 127.0.0.1");
    println!(
        "Note: no DTLS/OSCORE profile here; the RS binds the token's PoP key id to the \
         client's UDP address, so possession is not cryptographically proven.\n"
    );

    // The key the AS and the RS share to protect tokens (COSE_Encrypt0, AES-CCM-16-64-128).
    let token_key = PopKey::generate_symmetric(
        Algorithm::AesCcm16_64_128,
        Some(KeyId::from(b"as-rs-key")),
        &mut rng,
    )?;
    let protection = Protection::encrypt0(token_key.clone(), Algorithm::AesCcm16_64_128)?;
    // RFC 9237 AIF: GET on /temp only.
    let granted =
        Scope::aif(&AifScope::new().allow("/temp", RestMethodSet::EMPTY.with(Method::Get))?);

    let stop = Arc::new(AtomicBool::new(false));
    let (as_addr, as_thread) = start_as(protection, granted, &stop)?;
    let (rs_addr, rs_thread) = start_rs(token_key, as_addr, &stop)?;

    let result = client_story(as_addr, rs_addr);
    stop.store(true, Ordering::Relaxed);
    let _ = as_thread.join();
    let _ = rs_thread.join();
    result
}

fn start_as(
    protection: Protection,
    granted: Scope,
    stop: &Arc<AtomicBool>,
) -> Result<(SocketAddr, JoinHandle<()>), DemoError> {
    let mut server = AuthorizationServer::new(
        AsConfig::new("coap://127.0.0.1/as"),
        ScopePolicy::new().allow(CLIENT_ID, AUDIENCE, granted),
    );
    server.add_client(ClientEntry::with_secret(CLIENT_ID, CLIENT_SECRET));
    server.add_resource_server(RsEntry::new(AUDIENCE, protection));
    let socket = UdpServer::bind_loopback()?;
    let addr = socket.local_addr()?;
    let stop = Arc::clone(stop);
    let thread = std::thread::spawn(move || {
        let mut rng: rand::rngs::StdRng = rand::make_rng();
        let clock = SystemClock::new();
        let _ = socket.serve(&stop, |req, _peer| {
            let reply = match udp::uri_path(req).as_str() {
                "/token" => {
                    endpoint::token(&mut server, None, req, Limits::default(), &clock, &mut rng)
                }
                _ => Reply::empty(ResponseCode::NOT_FOUND),
            };
            to_packet(req, &reply)
        });
    });
    Ok((addr, thread))
}

fn start_rs(
    token_key: PopKey,
    as_addr: SocketAddr,
    stop: &Arc<AtomicBool>,
) -> Result<(SocketAddr, JoinHandle<()>), DemoError> {
    let mut config = RsConfig::new(AUDIENCE, Some("coap://127.0.0.1/as".into()));
    config.as_uri = Some(format!("coap://{as_addr}/token"));
    // RFC 9200 §5.10.1.2: at most 8 token submissions per client address and minute.
    config.rate_limit = Some(RateLimit {
        peers: 64,
        max_submissions: 8,
        window_secs: 60,
    });
    let mut server = ResourceServer::new(config, KeySet::new().with(token_key), AifScopes::new());
    let socket = UdpServer::bind_loopback()?;
    let addr = socket.local_addr()?;
    let stop = Arc::clone(stop);
    let thread = std::thread::spawn(move || {
        let mut rng: rand::rngs::StdRng = rand::make_rng();
        let clock = SystemClock::new();
        // The demo's stand-in for a secure channel: client address -> PoP key id.
        let mut bindings: HashMap<SocketAddr, KeyId> = HashMap::new();
        let _ = socket.serve(&stop, |req, peer| {
            let path = udp::uri_path(req);
            let reply = if path == "/authz-info" {
                let limits = Limits::default();
                let outcome = match PeerId::new(peer.to_string().as_bytes()) {
                    Some(id) => endpoint::authz_info_from(&mut server, &id, req, limits, &clock),
                    None => endpoint::authz_info(&mut server, req, limits, &clock),
                };
                match outcome {
                    AuthzInfoReply::Stored { key_id, reply } => {
                        // The RS knows the token key, so it can show what it accepted.
                        if let Some(t) = server.token_for(&key_id, &clock)
                            && let Ok(claims) = t.authorization.claims.to_cbor_value()
                        {
                            println!(
                                "    RS: token accepted, claims: {}",
                                diag::annotated(&claims, &|p, m, k| {
                                    labels::name(labels::Message::Claims, p, m, k)
                                })
                            );
                        }
                        bindings.insert(peer, key_id);
                        reply
                    }
                    AuthzInfoReply::Done(reply) => reply,
                    // Self-contained tokens only in this demo.
                    AuthzInfoReply::NeedsIntrospection(_) => {
                        Reply::empty(ResponseCode::SERVICE_UNAVAILABLE)
                    }
                }
            } else {
                match udp::method(req) {
                    Some(method) => {
                        let key_id = bindings.get(&peer);
                        match endpoint::protected_resource(
                            &mut server,
                            key_id,
                            method,
                            &path,
                            &clock,
                            &mut rng,
                        ) {
                            Ok(_) => resource(&path, method),
                            Err(reply) => reply,
                        }
                    }
                    None => Reply::empty(ResponseCode::METHOD_NOT_ALLOWED),
                }
            };
            to_packet(req, &reply)
        });
    });
    Ok((addr, thread))
}

/// The RS's resources once access is granted.
fn resource(path: &str, method: Method) -> Reply {
    match (path, method) {
        ("/temp", Method::Get) => Reply {
            code: ResponseCode::CONTENT,
            content_format: Some(0),
            size1: None,
            max_age: None,
            payload: b"21.5 C".to_vec(),
        },
        _ => Reply::empty(ResponseCode::NOT_FOUND),
    }
}

fn to_packet(request: &Packet, reply: &Reply) -> Packet {
    let mut p = udp::response_to(request, reply.code.as_u8());
    // Writing into a coap-lite packet cannot fail (its errors are Infallible).
    let _ = reply.write(&mut p);
    p
}

/// A transport that prints each exchange.
struct Printing<T> {
    name: &'static str,
    inner: T,
}

impl<T: Transport> Transport for Printing<T> {
    fn exchange(&mut self, request: &Request) -> Result<Response, TransportError> {
        println!(
            "client -> {}: {} {}{}",
            self.name,
            request.method,
            request.path,
            format_cf(request.content_format)
        );
        let message = if request.path == "/token" {
            Some(labels::Message::OAuth)
        } else {
            None
        };
        if !request.payload.is_empty() {
            println!("    {}", print_payload(&request.payload, message));
        }
        let response = self.inner.exchange(request)?;
        println!(
            "client <- {}: {}{}",
            self.name,
            describe(response.code),
            format_cf(response.content_format)
        );
        if !response.payload.is_empty() {
            if response.content_format == Some(0) {
                println!("    {:?}", String::from_utf8_lossy(&response.payload));
            } else {
                let message = match (self.name, response.content_format) {
                    ("AS", _) => Some(labels::Message::OAuth),
                    (_, Some(19)) => Some(labels::Message::CreationHints),
                    _ => None,
                };
                println!("    {}", print_payload(&response.payload, message));
            }
        }
        println!();
        Ok(response)
    }
}

/// A payload in diagnostic notation, annotated with the names of `message`'s keys.
fn print_payload(payload: &[u8], message: Option<labels::Message>) -> String {
    match message {
        Some(m) => diag::bytes_annotated(payload, &|p, map, k| labels::name(m, p, map, k)),
        None => diag::bytes(payload),
    }
}

/// RFC 9200 §5.8.4.3, §8.8: the profile by its registered name.
fn profile_name(profile: Option<ace_core::AceProfile>) -> String {
    match profile {
        Some(p) => p.name().map_or_else(|| format!("{p:?}"), String::from),
        None => "not indicated (known to the client implicitly, §5.8.2)".into(),
    }
}

fn format_cf(cf: Option<u16>) -> String {
    match cf {
        Some(19) => " (application/ace+cbor)".into(),
        Some(61) => " (application/cwt)".into(),
        Some(0) => " (text/plain)".into(),
        Some(n) => format!(" (Content-Format {n})"),
        None => String::new(),
    }
}

fn describe(code: ResponseCode) -> String {
    let name = match code {
        ResponseCode::CREATED => "Created",
        ResponseCode::CONTENT => "Content",
        ResponseCode::BAD_REQUEST => "Bad Request",
        ResponseCode::UNAUTHORIZED => "Unauthorized",
        ResponseCode::FORBIDDEN => "Forbidden",
        ResponseCode::METHOD_NOT_ALLOWED => "Method Not Allowed",
        _ => "",
    };
    format!("{code} {name}")
}

fn expect(step: &str, got: ResponseCode, want: ResponseCode) -> Result<(), DemoError> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{step}: expected {want}, got {got}").into())
    }
}

fn client_story(as_addr: SocketAddr, rs_addr: SocketAddr) -> Result<(), DemoError> {
    let clock = SystemClock::new();
    let mut to_as = Printing {
        name: "AS",
        inner: UdpTransport::connect(as_addr)?,
    };
    let mut to_rs = Printing {
        name: "RS",
        inner: UdpTransport::connect(rs_addr)?,
    };
    let mut client = Client::new(CLIENT_ID, Some(CLIENT_SECRET.to_vec()));
    let get = |path: &str| Request {
        method: Method::Get,
        path: path.into(),
        content_format: None,
        payload: Vec::new(),
    };

    println!("1. Unauthorized Resource Request (RFC 9200 §5.2): the RS answers with hints");
    let r = to_rs.exchange(&get("/temp"))?;
    expect(
        "resource request without token",
        r.code,
        ResponseCode::UNAUTHORIZED,
    )?;
    let hints = Client::creation_hints(r.code, &r.payload)?;

    println!("2. Token request with client credentials (RFC 9200 §5.8)");
    let request = client.token_request(None, None, Some(&hints), None);
    let token = client.request_token(&mut to_as, &request, &clock)?.clone();
    println!(
        "   token for {} bound to PoP key {} (profile {}), {} bytes (COSE_Encrypt0)\n",
        token.audience,
        token
            .pop_key
            .as_ref()
            .and_then(|k| k.kid())
            .map_or_else(|| "?".into(), |k| k.to_string()),
        profile_name(token.profile),
        token.access_token.len()
    );

    println!("3. Token upload to /authz-info (RFC 9200 §5.10.1)");
    Client::upload_token(&mut to_rs, &token)?;

    println!("4. Access within the scope (RFC 9200 §5.10.2)");
    let r = to_rs.exchange(&get("/temp"))?;
    expect("GET /temp with token", r.code, ResponseCode::CONTENT)?;

    println!("5. Access outside the scope: 4.03 (RFC 9200 §5.10.2)");
    let r = to_rs.exchange(&get("/config"))?;
    expect("GET /config with token", r.code, ResponseCode::FORBIDDEN)?;

    println!("6. Certificate enrolment over DTLS (RFC 9148)");
    enrolment::run().map_err(|e| -> DemoError { e })?;

    println!("Demo complete.");
    Ok(())
}
