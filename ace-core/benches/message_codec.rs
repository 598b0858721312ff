//! The message codec next to the CBOR parsing it cannot avoid: strict typed decoding and
//! encoding of RFC 9200 figures versus a plain `ciborium` decode/encode of the same bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use ace_core::{AccessTokenRequest, AccessTokenResponse, AceMessage};
use ciborium::Value;
use criterion::{Criterion, criterion_group, criterion_main};

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vectors/ace-examples/rfc9200.json"
));

fn part(id: &str, label: &str) -> Vec<u8> {
    let doc: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
    let ex = doc["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap();
    let p = ex["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["label"] == label)
        .unwrap();
    hex::decode(p["hex"].as_str().unwrap()).unwrap()
}

fn raw_decode(bytes: &[u8]) -> Value {
    let mut rest = bytes;
    ciborium::from_reader(&mut rest).unwrap()
}

fn raw_encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

fn codec(c: &mut Criterion) {
    // Figure 17 response: access_token + cnf with a symmetric COSE_Key (kid before kty).
    let resp = part("rfc9200-fig17", "Response-Payload");
    // Figure 4 request: client_id + audience.
    let req = part("rfc9200-fig4", "Payload");

    let mut g = c.benchmark_group("fig17_response");
    g.bench_function("raw_ciborium_decode", |b| {
        b.iter(|| raw_decode(black_box(&resp)))
    });
    g.bench_function("AccessTokenResponse_decode", |b| {
        b.iter(|| AccessTokenResponse::decode(black_box(&resp)).unwrap())
    });
    let value = raw_decode(&resp);
    let msg = AccessTokenResponse::decode(&resp).unwrap();
    g.bench_function("raw_ciborium_encode", |b| {
        b.iter(|| raw_encode(black_box(&value)))
    });
    g.bench_function("AccessTokenResponse_encode", |b| {
        b.iter(|| black_box(&msg).encode())
    });
    g.finish();

    let mut g = c.benchmark_group("fig4_request");
    g.bench_function("raw_ciborium_decode", |b| {
        b.iter(|| raw_decode(black_box(&req)))
    });
    g.bench_function("AccessTokenRequest_decode", |b| {
        b.iter(|| AccessTokenRequest::decode(black_box(&req)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
