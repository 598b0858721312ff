//! The message flows of RFC 7959 §3 (Figures 2-4, 7, 9-12), replayed through our client and
//! server state machines: every Block option they produce must equal the one in the figure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;

use coap_block::{
    Block1Outcome, Block1Sender, Block2Fetcher, ETag, Error, FetchStep, Reassembler,
    ReassemblyConfig, RequestTag, Szx, TransferOptions, UploadStep, serve_block2,
};
use coap_numbers::code;
use common::notation;

fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

fn szx(size: usize) -> Szx {
    Szx::from_block_size(size).unwrap()
}

/// Drive a Block2 GET: `steps` alternate request option (or "" for none) and response option.
fn block2_flow(
    representation: &[u8],
    server_max: Szx,
    preferred: Option<Szx>,
    late: Option<Szx>,
    steps: &[(&str, &str)],
) {
    let mut buf = vec![0u8; 2048];
    let mut fetcher = Block2Fetcher::new(&mut buf, preferred);
    let mut outcome = None;
    for (i, (request, response)) in steps.iter().enumerate() {
        let ours = fetcher.next_request();
        let expected_request = if request.is_empty() {
            None
        } else {
            Some(notation(request).1)
        };
        assert_eq!(ours, expected_request, "request of step {i}");
        let slice = serve_block2(representation, ours, server_max).unwrap();
        assert_eq!(
            slice.block2,
            Some(notation(response).1),
            "response of step {i}"
        );
        let options = TransferOptions {
            block2: slice.block2,
            ..Default::default()
        };
        outcome = Some(
            fetcher
                .handle_response(code::CONTENT, &options, slice.payload)
                .unwrap(),
        );
        if i == 0
            && let Some(late) = late
        {
            fetcher.set_preferred_szx(late);
        }
    }
    assert_eq!(outcome, Some(FetchStep::Complete(representation.len())));
    assert_eq!(fetcher.body(), representation);
}

#[test]
fn figure_2_simple_block_wise_get() {
    block2_flow(
        &body(300),
        szx(128),
        None,
        None,
        &[
            ("", "2:0/1/128"),
            ("2:1/0/128", "2:1/1/128"),
            ("2:2/0/128", "2:2/0/128"),
        ],
    );
}

#[test]
fn figure_3_block_wise_get_with_early_negotiation() {
    block2_flow(
        &body(350),
        Szx::MAX,
        Some(szx(64)),
        None,
        &[
            ("2:0/0/64", "2:0/1/64"),
            ("2:1/0/64", "2:1/1/64"),
            ("2:2/0/64", "2:2/1/64"),
            ("2:3/0/64", "2:3/1/64"),
            ("2:4/0/64", "2:4/1/64"),
            ("2:5/0/64", "2:5/0/64"),
        ],
    );
}

#[test]
fn figure_4_block_wise_get_with_late_negotiation() {
    block2_flow(
        &body(350),
        szx(128),
        None,
        Some(szx(64)),
        &[
            ("", "2:0/1/128"),
            ("2:2/0/64", "2:2/1/64"),
            ("2:3/0/64", "2:3/1/64"),
            ("2:4/0/64", "2:4/1/64"),
            ("2:5/0/64", "2:5/0/64"),
        ],
    );
}

/// Drive a Block1 PUT/POST against our reassembler; `steps` are (request, code, response).
fn block1_flow(
    body: &[u8],
    first: Szx,
    server_preferred: Szx,
    steps: &[(&str, u8, &str)],
) -> Vec<u8> {
    let mut slab = vec![0u8; 4096];
    let config = ReassemblyConfig {
        preferred_szx: server_preferred,
        ..Default::default()
    };
    let mut server: Reassembler<'_, u8, 2> = Reassembler::new(&mut slab, config);
    let mut client = Block1Sender::new(body, first, 0).unwrap();
    let mut received = Vec::new();
    for (i, (request, response_code, response)) in steps.iter().enumerate() {
        let block = client.current().unwrap();
        assert_eq!(block.block1, notation(request).1, "request of step {i}");
        let (code, ack) = match server
            .handle_block1(
                &1,
                &RequestTag::Absent,
                block.block1,
                block.size1,
                block.payload,
                Duration::ZERO,
            )
            .unwrap()
        {
            Block1Outcome::Continue { ack } => (code::CONTINUE, ack),
            Block1Outcome::Complete { ack, body } => {
                received = body.to_vec();
                (code::CHANGED, ack)
            }
        };
        assert_eq!(code, *response_code, "code of step {i}");
        assert_eq!(ack, notation(response).1, "response of step {i}");
        let step = client
            .handle_response(
                code,
                &TransferOptions {
                    block1: Some(ack),
                    ..Default::default()
                },
            )
            .unwrap();
        let last = i + 1 == steps.len();
        assert_eq!(step == UploadStep::Complete, last, "step {i}");
    }
    assert!(client.is_complete());
    received
}

#[test]
fn figure_7_simple_atomic_block_wise_put() {
    let body = body(300);
    let received = block1_flow(
        &body,
        szx(128),
        Szx::MAX,
        &[
            ("1:0/1/128", code::CONTINUE, "1:0/1/128"),
            ("1:1/1/128", code::CONTINUE, "1:1/1/128"),
            ("1:2/0/128", code::CHANGED, "1:2/0/128"),
        ],
    );
    assert_eq!(received, body);
}

#[test]
fn figure_9_atomic_put_with_server_size_negotiation() {
    let body = body(200);
    let received = block1_flow(
        &body,
        szx(128),
        szx(32),
        &[
            ("1:0/1/128", code::CONTINUE, "1:0/1/32"),
            ("1:4/1/32", code::CONTINUE, "1:4/1/32"),
            ("1:5/1/32", code::CONTINUE, "1:5/1/32"),
            ("1:6/0/32", code::CHANGED, "1:6/0/32"),
        ],
    );
    assert_eq!(received, body);
}

#[test]
fn figure_10_and_11_block_wise_post_with_block_wise_response() {
    // Figure 10: the response body continues at 128 bytes, Figure 11 asks for 64 early.
    for (preferred, response_len, expected) in [
        (
            None,
            400,
            &["2:0/1/128", "2:1/1/128", "2:2/1/128", "2:3/0/128"][..],
        ),
        (
            Some(szx(64)),
            250,
            &["2:0/1/64", "2:1/1/64", "2:2/1/64", "2:3/0/64"][..],
        ),
    ] {
        let request = body(300);
        let received = block1_flow(
            &request,
            szx(128),
            Szx::MAX,
            &[
                ("1:0/1/128", code::CONTINUE, "1:0/1/128"),
                ("1:1/1/128", code::CONTINUE, "1:1/1/128"),
                ("1:2/0/128", code::CHANGED, "1:2/0/128"),
            ],
        );
        assert_eq!(received, request);
        // The final response carries the first Block2 block (RFC 7959 §2.7).
        let response: Vec<u8> = received
            .iter()
            .cycle()
            .take(response_len)
            .copied()
            .collect();
        let mut buf = [0u8; 512];
        let mut fetcher = Block2Fetcher::new(&mut buf, preferred);
        let mut requested = fetcher.next_request();
        for (i, shown) in expected.iter().enumerate() {
            let slice = serve_block2(&response, requested, szx(128)).unwrap();
            assert_eq!(slice.block2, Some(notation(shown).1), "block {i}");
            let options = TransferOptions {
                block2: slice.block2,
                ..Default::default()
            };
            match fetcher
                .handle_response(code::CHANGED, &options, slice.payload)
                .unwrap()
            {
                FetchStep::Request(next) => {
                    assert_eq!(next.num as usize, i + 1);
                    assert!(!next.more, "RFC 7959 §2.4: M is zero in a request");
                    requested = Some(next);
                }
                FetchStep::Complete(len) => assert_eq!(len, response_len),
            }
        }
        assert_eq!(fetcher.body(), &response[..]);
    }
}

/// Figure 12: the notification's ETag 6f00f392 differs from the first transfer's 6f00f38e; the
/// remaining blocks carry 6f00f392; the last block has 53 bytes (128 + 128 + 53).
#[test]
fn figure_12_changed_etag_is_detected_and_restart_succeeds() {
    let old = ETag::new(&[0x6f, 0x00, 0xf3, 0x8e]).unwrap();
    let new = ETag::new(&[0x6f, 0x00, 0xf3, 0x92]).unwrap();
    let representation = body(309);
    let response = |shown: &str, etag: ETag| {
        let block = notation(shown).1;
        let payload = &representation[block.offset()..(block.offset() + block.size()).min(309)];
        (
            TransferOptions {
                block2: Some(block),
                etag: Some(etag),
                ..Default::default()
            },
            payload.to_vec(),
        )
    };
    let mut buf = [0u8; 400];
    let mut fetcher = Block2Fetcher::new(&mut buf, None);
    let (o, p) = response("0/1/128", old);
    fetcher.handle_response(code::CONTENT, &o, &p).unwrap();
    let (o, p) = response("1/1/128", new);
    assert_eq!(
        fetcher.handle_response(code::CONTENT, &o, &p),
        Err(Error::RepresentationChanged)
    );
    // Unchanged: still waiting for block 1, still the old ETag.
    assert_eq!(fetcher.body().len(), 128);
    assert_eq!(fetcher.etag(), Some(&old));

    fetcher.restart();
    assert_eq!(fetcher.next_request(), Some(notation("0/0/128").1));
    let mut last = None;
    for shown in ["0/1/128", "1/1/128", "2/0/128"] {
        let (o, p) = response(shown, new);
        last = Some(fetcher.handle_response(code::CONTENT, &o, &p).unwrap());
    }
    assert_eq!(last, Some(FetchStep::Complete(309)));
    assert_eq!(fetcher.body(), &representation[..]);
}
