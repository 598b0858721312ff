//! A small UDP + DTLS 1.2 loop around dimpl (sans-IO): one `Conn` per peer.
//!
//! RFC 9148 §4 (ED-1) names TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 as mandatory; dimpl 0.9 has
//! no ECDHE_ECDSA CCM_8 suite, so this driver negotiates
//! TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (P-256, ECDSA certificates), a documented
//! deviation.

use dimpl::crypto::Dtls12CipherSuite;
use dimpl::{Config, Dtls, DtlsCertificate, Output};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::Instant;

use super::files::BoxError;

/// The DTLS configuration of both roles: DTLS 1.2, ECDHE_ECDSA with AES-128-GCM, client
/// certificate required (RFC 9148 §4, ED-2).
pub fn config() -> Result<Arc<Config>, BoxError> {
    let cfg = Config::builder()
        .require_client_certificate(true)
        .dtls12_cipher_suites(&[Dtls12CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256])
        .mtu(1280)
        .build()?;
    Ok(Arc::new(cfg))
}

/// One DTLS association.
pub struct Conn {
    /// The engine.
    pub dtls: Dtls,
    /// The peer's leaf certificate (DER), once seen.
    pub peer_cert: Option<Vec<u8>>,
    /// Handshake complete.
    pub connected: bool,
    /// When to call `handle_timeout`.
    pub timeout: Option<Instant>,
    /// Received application data (CoAP messages).
    pub inbox: Vec<Vec<u8>>,
    /// The peer closed.
    pub closed: bool,
}

impl Conn {
    /// A server-side association.
    pub fn server(config: Arc<Config>, cert: DtlsCertificate, now: Instant) -> Conn {
        Conn::wrap(Dtls::new_12(config, cert, now))
    }

    /// A client-side association.
    pub fn client(config: Arc<Config>, cert: DtlsCertificate, now: Instant) -> Conn {
        let mut dtls = Dtls::new_12(config, cert, now);
        dtls.set_active(true);
        Conn::wrap(dtls)
    }

    fn wrap(mut dtls: Dtls) -> Conn {
        // dimpl sets up its handshake randoms on the first timeout call.
        let _ = dtls.handle_timeout(Instant::now());
        Conn {
            dtls,
            peer_cert: None,
            connected: false,
            timeout: None,
            inbox: Vec::new(),
            closed: false,
        }
    }

    /// Sends every pending record to `peer` and collects events.
    pub fn drain(&mut self, sock: &UdpSocket, peer: SocketAddr) -> Result<(), BoxError> {
        let mut buf = vec![0u8; 4096];
        for _ in 0..10_000 {
            match self.dtls.poll_output(&mut buf) {
                Output::Packet(p) => {
                    sock.send_to(p, peer)?;
                }
                Output::BufferTooSmall { needed } => buf.resize(needed, 0),
                Output::Timeout(t) => {
                    self.timeout = Some(t);
                    return Ok(());
                }
                Output::Connected => self.connected = true,
                Output::PeerCert(der) => self.peer_cert = Some(der.to_vec()),
                Output::ApplicationData(d) => self.inbox.push(d.to_vec()),
                Output::CloseNotify => {
                    self.closed = true;
                    return Ok(());
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Fires the retransmission timer if due.
    pub fn tick(&mut self, now: Instant) -> Result<(), BoxError> {
        if self.timeout.is_some_and(|t| t <= now) {
            self.timeout = None;
            self.dtls.handle_timeout(now)?;
        }
        Ok(())
    }
}
