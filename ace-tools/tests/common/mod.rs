//! Helpers shared by the `ace est-server` tests: the binary, external tools (which FAIL the
//! test, with the reason, when missing), temporary directories and a factory PKI.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const ACE: &str = env!("CARGO_BIN_EXE_ace");

pub fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` is not installed: apt-get install libcoap3-bin openssl (scripts/test does)"
    );
    Command::new(name)
}

pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

pub fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ace-est-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A factory CA (as a device manufacturer would run it) and one device certificate.
pub fn factory_pki(d: &Path) {
    let sh = format!(
        "set -e; cd {d}; \
         openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout fca.key -out fca.pem -subj '/CN=Factory CA/O=Maker' -days 30; \
         openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout dev.key -out dev.csr -subj '/CN=device-1/O=Maker'; \
         openssl x509 -req -in dev.csr -CA fca.pem -CAkey fca.key -CAcreateserial -out dev.pem -days 30; \
         openssl req -new -key dev.key -subj '/CN=device-1/O=Maker' -outform DER -out sen.der",
        d = s(d)
    );
    tool("openssl");
    let (ok, text) = run(Command::new("sh").args(["-c", &sh]));
    assert!(ok, "factory PKI: {text}");
}
