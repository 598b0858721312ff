//! Helpers shared by the integration tests: the `NUM/M/size` notation of RFC 7959 §3.

#![allow(dead_code)]

use coap_block::{BlockOption, Szx};

/// Parse RFC 7959 §3 notation, `"2:1/0/128"` -> (2, Block2 1/0/128) or `"1/0/128"` -> (0, ...).
pub fn notation(s: &str) -> (u8, BlockOption) {
    let (kind, rest) = match s.split_once(':') {
        Some((k, r)) => (k.parse().unwrap(), r),
        None => (0, s),
    };
    let mut parts = rest.split('/');
    let num: u32 = parts.next().unwrap().parse().unwrap();
    let more = match parts.next().unwrap() {
        "0" => false,
        "1" => true,
        other => panic!("bad M {other}"),
    };
    let size: usize = parts.next().unwrap().parse().unwrap();
    (
        kind,
        BlockOption::new(num, more, Szx::from_block_size(size).unwrap()).unwrap(),
    )
}

/// Read a vector file of `vectors/` (relative to the workspace).
pub fn vector(path: &str) -> String {
    let full = format!("{}/../vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}
