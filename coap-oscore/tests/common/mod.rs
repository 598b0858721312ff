//! Helpers shared by the aiocoap interop tests: peer discovery (fail, never skip), fresh
//! context directories, the RFC 8613 C.1 contexts, Block option values.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Child;

use coap_oscore::{ContextParams, SecurityContext};

pub const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
pub const WRONG: [u8; 16] = [0xff; 16];
pub const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

pub fn peer() -> (PathBuf, PathBuf) {
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
pub fn fresh_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("coap-oscore-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn write_ctx(dir: &Path, name: &str, sender: &str, recipient: &str, secret: &[u8]) {
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

pub struct Kill(pub Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn ctx(secret: &[u8], sid: &[u8], rid: &[u8]) -> SecurityContext {
    SecurityContext::derive(&ContextParams {
        master_salt: &SALT,
        ..ContextParams::new(secret, sid, rid)
    })
    .unwrap()
}

pub fn uint(v: u32) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|x| **x == 0).count();
    b[skip..].to_vec()
}

pub fn block_value(opt: &[u8]) -> (u32, bool, u8) {
    let v = opt.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
    (v >> 4, v & 8 != 0, (v & 7) as u8)
}
