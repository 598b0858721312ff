//! A full enrolment in process (CSR build + sign, server verify + issue, client verify), with
//! and without 64-byte block-wise transfer, as a ratio to the raw ECDSA P-256 signatures and
//! verifications it cannot avoid (2 signs + 2 verifies), measured in the same run.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use coap_block::{
    Block1Outcome, Block1Sender, Block2Fetcher, FetchStep, Reassembler, ReassemblyConfig,
    RequestTag, Szx, TransferOptions, UploadStep, serve_block2,
};
use criterion::{Criterion, criterion_group, criterion_main};
use est_coaps::p256::ecdsa::{DerSignature, SigningKey};
use est_coaps::p256::elliptic_curve::Generate;
use est_coaps::x509_cert::name::Name;
use est_coaps::*;
use rand::SeedableRng;
use signature::{Signer, Verifier};
use std::hint::black_box;
use std::str::FromStr;
use std::time::Duration;

const NOW: UnixTime = UnixTime(1_764_072_000);

struct Setup {
    server: EstServer<Ca<ApproveAll>>,
    client: EstClient,
    device_cert: est_coaps::x509_cert::Certificate,
    device_key: SigningKey,
}

fn setup() -> Setup {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut ca = Ca::new_root(
        Name::from_str("CN=Bench CA,O=ACE,C=SE").unwrap(),
        SigningKey::generate_from_rng(&mut rng),
        ApproveAll,
        NOW,
        86400,
        usize::MAX,
    )
    .unwrap();
    let dk = SigningKey::generate_from_rng(&mut rng);
    let csr = build_csr(&Name::from_str("CN=dev").unwrap(), &dk, None).unwrap();
    let req = IssueRequest {
        kind: RequestKind::Enroll,
        subject: csr.subject(),
        client: None,
        csr_digest: [0; 32],
    };
    let device_cert = ca
        .issue(&req, csr.request().info.public_key.clone(), NOW)
        .unwrap();
    let anchor = ca.certificate().unwrap().clone();
    Setup {
        server: EstServer::new(EstPath::default(), ca),
        client: EstClient::new(EstPath::default(), vec![anchor]),
        device_cert,
        device_key: dk,
    }
}

fn request<'a>(
    r: &'a ClientRequest,
    segs: &'a [&'a str],
    body: &'a [u8],
    client: &'a est_coaps::x509_cert::Certificate,
) -> Request<'a> {
    Request {
        method: r.method,
        uri_path: segs,
        uri_query: &[],
        content_format: r.content_format,
        accept: r.accept,
        payload: body,
        client: Some(client),
        pop_link: None,
    }
}

/// One enrolment; with `blocks`, the CSR goes up in 64-byte Block1 pieces and the
/// certificate comes back in 64-byte Block2 pieces (coap-block on both sides).
fn enrol(s: &mut Setup, key: &SigningKey, blocks: bool, rng: &mut rand::rngs::StdRng) {
    let subject = Name::from_str("CN=device-1,O=ACE").unwrap();
    let csr = build_csr(&subject, key, None).unwrap();
    let mut e = s.client.enroll(&csr, false, None).unwrap();
    let r = e.request(NOW).unwrap().clone();
    let segs: Vec<&str> = r.uri_path.iter().map(String::as_str).collect();
    let resp = if blocks {
        let szx = Szx::new(2).unwrap();
        let mut slab = [0u8; 2048];
        let mut reasm: Reassembler<'_, u8, 1> =
            Reassembler::new(&mut slab, ReassemblyConfig::default());
        let mut sender = Block1Sender::new(&r.payload, szx, 0).unwrap();
        let body = loop {
            let b = sender.current().unwrap();
            match reasm
                .handle_block1(
                    &1,
                    &RequestTag::Absent,
                    b.block1,
                    b.size1,
                    b.payload,
                    Duration::ZERO,
                )
                .unwrap()
            {
                Block1Outcome::Continue { ack } => {
                    let o = TransferOptions {
                        block1: Some(ack),
                        ..Default::default()
                    };
                    assert_eq!(
                        sender.handle_response(Code::CONTINUE.0, &o).unwrap(),
                        UploadStep::SendNext
                    );
                }
                Block1Outcome::Complete { body, .. } => break body.to_vec(),
            }
        };
        let resp = s
            .server
            .handle(&request(&r, &segs, &body, &s.device_cert), NOW, rng);
        let mut buf = [0u8; 2048];
        let mut fetch = Block2Fetcher::new(&mut buf, Some(szx));
        let mut want = fetch.next_request();
        let len = loop {
            let slice = serve_block2(&resp.payload, want, szx).unwrap();
            let o = TransferOptions {
                block2: slice.block2,
                ..Default::default()
            };
            match fetch
                .handle_response(resp.code.0, &o, slice.payload)
                .unwrap()
            {
                FetchStep::Request(n) => want = Some(n),
                FetchStep::Complete(len) => break len,
            }
        };
        Response {
            payload: fetch.body()[..len].to_vec(),
            ..resp
        }
    } else {
        s.server
            .handle(&request(&r, &segs, &r.payload, &s.device_cert), NOW, rng)
    };
    let view = ClientResponse {
        code: resp.code,
        content_format: resp.content_format,
        max_age: None,
        payload: &resp.payload,
    };
    match e.on_response(&view, NOW).unwrap() {
        Step::Issued(c) => {
            black_box(c);
        }
        _ => panic!(),
    }
}

/// One /skg with the key returned encrypted to the device's certificate (Content-Format 280,
/// KeyAgreeRecipientInfo): server key generation, certificate and key package signatures,
/// ephemeral ECDH and AES key wrap + CBC; the client's ECDH, unwrap, decryption and two
/// verifications (key package, certificate).
fn skg_encrypted(s: &mut Setup, d: &KeyDecryption, rng: &mut rand::rngs::StdRng) {
    let p = KeyProtection::new(d.protection_key(), &[KeyWrap::Aes128]).unwrap();
    let throwaway = SigningKey::from_slice(&[0x33; 32]).unwrap();
    let csr =
        build_serverkeygen_csr(&Name::from_str("CN=skg").unwrap(), &throwaway, Some(&p)).unwrap();
    let mut e = s
        .client
        .serverkeygen(csr.to_der().unwrap(), false)
        .decrypting_with(d.clone());
    let r = e.request(NOW).unwrap().clone();
    let segs: Vec<&str> = r.uri_path.iter().map(String::as_str).collect();
    let resp = s
        .server
        .handle(&request(&r, &segs, &r.payload, &s.device_cert), NOW, rng);
    let view = ClientResponse {
        code: resp.code,
        content_format: resp.content_format,
        max_age: None,
        payload: &resp.payload,
    };
    match e.on_response(&view, NOW).unwrap() {
        Step::IssuedWithKey { pkcs8, .. } => {
            black_box(pkcs8);
        }
        _ => panic!(),
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let key = SigningKey::generate_from_rng(&mut rng);
    let msg = [0x5au8; 300];
    let sig: DerSignature = key.sign(&msg);
    let vk = *key.verifying_key();
    let mut g = c.benchmark_group("est-coaps");
    g.bench_function("raw ecdsa-p256 sign", |b| {
        b.iter(|| -> DerSignature { key.sign(black_box(&msg)) })
    });
    g.bench_function("raw ecdsa-p256 verify", |b| {
        b.iter(|| vk.verify(black_box(&msg), &sig).unwrap())
    });
    let sig2: DerSignature = key.sign(&msg[..200]);
    g.bench_function("raw 2 sign + 2 verify (the enrolment's crypto)", |b| {
        b.iter(|| {
            let a: DerSignature = key.sign(black_box(&msg));
            let c: DerSignature = key.sign(black_box(&msg[..200]));
            vk.verify(black_box(&msg), &sig).unwrap();
            vk.verify(black_box(&msg[..200]), &sig2).unwrap();
            (a, c)
        })
    });
    let mut s = setup();
    g.bench_function("enrolment (sen) in process", |b| {
        b.iter(|| enrol(&mut s, &key, false, &mut rng))
    });
    let mut s = setup();
    g.bench_function("enrolment (sen) with 64-byte Block1/Block2", |b| {
        b.iter(|| enrol(&mut s, &key, true, &mut rng))
    });
    // Content-Format 280 with key agreement: the primitives it cannot avoid are 3 signs (the
    // CSR, which the protocol requires though the server ignores it; the certificate; the key
    // package), 2 verifies (key package, certificate), the key generation, the ephemeral key,
    // two ECDH computations, and the client deriving the received key's public key to match
    // it with the certificate: 5 scalar multiplications.
    let peer = est_coaps::p256::SecretKey::from_slice(&[0x44; 32]).unwrap();
    let peer_pub = peer.public_key();
    g.bench_function("raw 3 sign + 2 verify + 5 scalar mults", |b| {
        b.iter(|| {
            let k = SigningKey::generate_from_rng(&mut rng);
            let pk = est_coaps::p256::SecretKey::from(k.as_nonzero_scalar()).public_key();
            let csr_sig: DerSignature = key.sign(black_box(&msg[..150]));
            let a: DerSignature = key.sign(black_box(&msg));
            let c: DerSignature = key.sign(black_box(&msg[..200]));
            vk.verify(black_box(&msg), &sig).unwrap();
            vk.verify(black_box(&msg[..200]), &sig2).unwrap();
            let eph = est_coaps::p256::ecdh::EphemeralSecret::generate_from_rng(&mut rng);
            let z1 = eph.diffie_hellman(&peer_pub);
            let z2 = est_coaps::p256::ecdh::diffie_hellman(
                peer.to_nonzero_scalar(),
                eph.public_key().as_affine(),
            );
            black_box((k, pk, csr_sig, a, c)).3.to_bytes().len()
                + usize::from(z1.raw_secret_bytes()[0] ^ z2.raw_secret_bytes()[0])
        })
    });
    let mut s = setup();
    let d = KeyDecryption::for_certificate(&s.device_cert, &s.device_key).unwrap();
    g.bench_function(
        "skg with Content-Format 280 (ECDH to the device certificate)",
        |b| b.iter(|| skg_encrypted(&mut s, &d, &mut rng)),
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
