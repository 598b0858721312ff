//! Criterion benchmarks, each next to the raw primitive it cannot avoid (docs/performance.md):
//! protect+unprotect of a request vs raw AES-CCM-16-64-128 seal+open of the same payload, and
//! context derivation vs the raw HKDF-SHA-256 extract and three expands.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use aes::Aes128;
use ccm::Ccm;
use ccm::aead::array::Array;
use ccm::aead::{AeadInOut, KeyInit};
use ccm::consts::{U8, U13};
use coap_message::{MessageOption, MinimalWritableMessage, ReadableMessage, WithSortedOptions};
use coap_oscore::{ContextParams, SecurityContext, VerifiedRequest};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hkdf::Hkdf;
use sha2::Sha256;

/// A message on the stack, so the benchmark measures OSCORE and not a message library.
struct StackMessage {
    code: u8,
    options: [(u16, [u8; 16], usize); 4],
    n: usize,
    payload: [u8; 1100],
    len: usize,
}

impl StackMessage {
    /// Empties the message for reuse, as a caller with a long-lived message buffer would.
    fn clear(&mut self) {
        self.n = 0;
        self.len = 0;
    }

    fn new() -> Self {
        Self {
            code: 0,
            options: [(0, [0; 16], 0); 4],
            n: 0,
            payload: [0; 1100],
            len: 0,
        }
    }
}

struct Opt<'a>(u16, &'a [u8]);
impl MessageOption for Opt<'_> {
    fn number(&self) -> u16 {
        self.0
    }
    fn value(&self) -> &[u8] {
        self.1
    }
}

impl ReadableMessage for StackMessage {
    type Code = u8;
    type MessageOption<'a> = Opt<'a>;
    type OptionsIter<'a> = std::iter::Map<
        std::slice::Iter<'a, (u16, [u8; 16], usize)>,
        fn(&'a (u16, [u8; 16], usize)) -> Opt<'a>,
    >;
    fn code(&self) -> u8 {
        self.code
    }
    fn options(&self) -> Self::OptionsIter<'_> {
        self.options[..self.n]
            .iter()
            .map(|(n, v, l)| Opt(*n, &v[..*l]))
    }
    fn payload(&self) -> &[u8] {
        &self.payload[..self.len]
    }
}
impl WithSortedOptions for StackMessage {}

impl MinimalWritableMessage for StackMessage {
    type Code = u8;
    type OptionNumber = u16;
    type AddOptionError = core::convert::Infallible;
    type SetPayloadError = core::convert::Infallible;
    type UnionError = core::convert::Infallible;
    fn set_code(&mut self, code: u8) {
        self.code = code;
    }
    fn add_option(&mut self, number: u16, value: &[u8]) -> Result<(), Self::AddOptionError> {
        let slot = &mut self.options[self.n];
        slot.0 = number;
        slot.1[..value.len()].copy_from_slice(value);
        slot.2 = value.len();
        self.n += 1;
        Ok(())
    }
    fn set_payload(&mut self, data: &[u8]) -> Result<(), Self::SetPayloadError> {
        self.payload[..data.len()].copy_from_slice(data);
        self.len = data.len();
        Ok(())
    }
}

const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

fn protect_unprotect(c: &mut Criterion) {
    let mut g = c.benchmark_group("protect+unprotect request");
    for size in [0usize, 64, 1024] {
        let payload = vec![0x5a; size];
        let cipher = Ccm::<Aes128, U8, U13>::new_from_slice(&[7; 16]).unwrap();
        let nonce = Array::try_from(&[3u8; 13][..]).unwrap();
        // The bytes OSCORE encrypts for this request (RFC 8613 §5.3): inner code 0.02, Uri-Path
        // "tv1" (0xb3 't' 'v' '1'), payload marker, payload; and a 20-byte AAD, the length of
        // the Enc_structure for an empty kid and a 1-byte Partial IV (§5.4).
        let mut plaintext = vec![0x02, 0xb3, b't', b'v', b'1'];
        if size > 0 {
            plaintext.push(0xff);
            plaintext.extend_from_slice(&payload);
        }
        // Raw AES-CCM-16-64-128 seal + open in place with the key schedule done once (as the
        // context does at derivation): of the payload alone, and of the full OSCORE plaintext.
        // Opening restores the plaintext, so every iteration seals the same bytes.
        for (name, bytes) in [
            ("raw AES-CCM-16-64-128 seal+open (payload)", &payload),
            (
                "raw AES-CCM-16-64-128 seal+open (OSCORE plaintext)",
                &plaintext,
            ),
        ] {
            let mut buf = bytes.clone();
            g.bench_with_input(BenchmarkId::new(name, size), &size, |b, _| {
                b.iter(|| {
                    let tag = cipher
                        .encrypt_inout_detached(
                            &nonce,
                            b"aad-of-20-bytes-xxxx",
                            buf.as_mut_slice().into(),
                        )
                        .unwrap();
                    cipher
                        .decrypt_inout_detached(
                            &nonce,
                            b"aad-of-20-bytes-xxxx",
                            buf.as_mut_slice().into(),
                            &tag,
                        )
                        .unwrap();
                    black_box(&buf);
                })
            });
        }

        let mut client = SecurityContext::derive(&ContextParams {
            master_salt: &SALT,
            ..ContextParams::new(&SECRET, &[], &[1])
        })
        .unwrap();
        let mut server = SecurityContext::derive(&ContextParams {
            master_salt: &SALT,
            ..ContextParams::new(&SECRET, &[1], &[])
        })
        .unwrap();
        let mut request = StackMessage::new();
        request.set_code(0x02);
        request.add_option(11, b"tv1").unwrap();
        request.set_payload(&payload).unwrap();
        let mut scratch = [0u8; 1200];
        let mut wire = StackMessage::new();
        let mut plain = StackMessage::new();
        g.bench_with_input(
            BenchmarkId::new("OSCORE protect+unprotect", size),
            &size,
            |b, _| {
                b.iter(|| {
                    wire.clear();
                    plain.clear();
                    client
                        .protect_request(&request, &mut scratch, &mut wire)
                        .unwrap();
                    let v = server
                        .unprotect_request(&wire, &mut scratch, &mut plain)
                        .unwrap();
                    assert!(matches!(v, VerifiedRequest::Fresh(_)));
                    black_box(&plain);
                })
            },
        );
    }
    g.finish();
}

fn derivation(c: &mut Criterion) {
    let mut g = c.benchmark_group("context derivation");
    // The three HKDF-SHA-256 outputs of RFC 8613 §3.2.1 with the C.1 info structures.
    let infos: [&[u8]; 3] = [
        &[0x85, 0x40, 0xf6, 0x0a, 0x63, 0x4b, 0x65, 0x79, 0x10],
        &[0x85, 0x41, 0x01, 0xf6, 0x0a, 0x63, 0x4b, 0x65, 0x79, 0x10],
        &[0x85, 0x40, 0xf6, 0x0a, 0x62, 0x49, 0x56, 0x0d],
    ];
    g.bench_function("raw HKDF-SHA-256 extract + 3 expands", |b| {
        b.iter(|| {
            let hk = Hkdf::<Sha256>::new(Some(&SALT), &SECRET);
            let mut k1 = [0u8; 16];
            let mut k2 = [0u8; 16];
            let mut iv = [0u8; 13];
            hk.expand(infos[0], &mut k1).unwrap();
            hk.expand(infos[1], &mut k2).unwrap();
            hk.expand(infos[2], &mut iv).unwrap();
            black_box((k1, k2, iv));
        })
    });
    let params = ContextParams {
        master_salt: &SALT,
        ..ContextParams::new(&SECRET, &[], &[1])
    };
    g.bench_function("SecurityContext::derive", |b| {
        b.iter(|| black_box(SecurityContext::derive(black_box(&params)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, protect_unprotect, derivation);
criterion_main!(benches);
