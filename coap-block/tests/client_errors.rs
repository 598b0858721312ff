//! Client-side handling of 4.13, 4.08 and refused responses (RFC 7959 §2.9), and the Block2
//! fetcher's refusals, each leaving the state as it was.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use coap_block::{
    Block1Sender, Block2Fetcher, Error, FetchStep, Szx, TransferOptions, UploadStep, serve_block2,
};
use coap_numbers::code;
use common::notation;

fn options(block1: Option<&str>, size1: Option<u32>) -> TransferOptions {
    TransferOptions {
        block1: block1.map(|s| notation(s).1),
        size1,
        ..Default::default()
    }
}

#[test]
fn size1_is_sent_with_the_first_block_only() {
    let body = vec![1u8; 100];
    let mut client = Block1Sender::new(&body, Szx::new(2).unwrap(), 0).unwrap();
    assert_eq!(client.current().unwrap().size1, Some(100));
    client
        .handle_response(code::CONTINUE, &options(Some("0/1/64"), None))
        .unwrap();
    assert_eq!(client.current().unwrap().size1, None);
}

#[test]
fn status_4_13_with_smaller_block1_restarts_from_block_0_at_that_size() {
    // RFC 7959 §2.9.3: "a 4.13 response ... with a smaller SZX in its Block1 Option ... is a
    // hint to try that smaller SZX".
    let body = vec![1u8; 300];
    let mut client = Block1Sender::new(&body, Szx::new(3).unwrap(), 0).unwrap();
    client
        .handle_response(code::CONTINUE, &options(Some("0/1/128"), None))
        .unwrap();
    assert_eq!(
        client.handle_response(
            code::REQUEST_ENTITY_TOO_LARGE,
            &options(Some("1/0/32"), None)
        ),
        Ok(UploadStep::Restarted)
    );
    assert_eq!(client.current().unwrap().block1, notation("0/1/32").1);
    assert_eq!(client.current().unwrap().payload.len(), 32);
}

#[test]
fn status_4_13_with_size1_at_least_the_body_retries_one_size_smaller() {
    let body = vec![1u8; 300];
    let mut client = Block1Sender::new(&body, Szx::new(3).unwrap(), 0).unwrap();
    assert_eq!(
        client.handle_response(code::REQUEST_ENTITY_TOO_LARGE, &options(None, Some(300))),
        Ok(UploadStep::Restarted)
    );
    assert_eq!(client.current().unwrap().block1, notation("0/1/64").1);
}

#[test]
fn status_4_13_with_size1_below_the_body_fails_clearly() {
    // RFC 7252 §5.10.9 / RFC 7959 §4: Size1 in a 4.13 is the largest acceptable body.
    let body = vec![1u8; 300];
    let mut client = Block1Sender::new(&body, Szx::new(3).unwrap(), 0).unwrap();
    assert_eq!(
        client.handle_response(code::REQUEST_ENTITY_TOO_LARGE, &options(None, Some(256))),
        Err(Error::BodyRefused {
            body: 300,
            limit: Some(256)
        })
    );
    assert_eq!(client.current(), Err(Error::TransferFinished));
}

#[test]
fn status_4_13_at_16_bytes_fails() {
    let body = vec![1u8; 40];
    let mut client = Block1Sender::new(&body, Szx::MIN, 0).unwrap();
    assert_eq!(
        client.handle_response(code::REQUEST_ENTITY_TOO_LARGE, &options(None, None)),
        Err(Error::BodyRefused {
            body: 40,
            limit: None
        })
    );
}

#[test]
fn status_4_08_restarts_then_fails_when_restarts_are_exhausted() {
    let body = vec![1u8; 100];
    let mut client = Block1Sender::new(&body, Szx::new(2).unwrap(), 1).unwrap();
    client
        .handle_response(code::CONTINUE, &options(Some("0/1/64"), None))
        .unwrap();
    assert_eq!(client.current().unwrap().block1, notation("1/0/64").1);
    assert_eq!(
        client.handle_response(code::REQUEST_ENTITY_INCOMPLETE, &options(None, None)),
        Ok(UploadStep::Restarted)
    );
    assert_eq!(client.current().unwrap().block1, notation("0/1/64").1);
    assert_eq!(
        client.handle_response(code::REQUEST_ENTITY_INCOMPLETE, &options(None, None)),
        Err(Error::RestartsExhausted)
    );
}

#[test]
fn ack_for_another_block_is_refused_and_changes_nothing() {
    let body = vec![1u8; 100];
    let mut client = Block1Sender::new(&body, Szx::new(2).unwrap(), 0).unwrap();
    let before = client.current().unwrap();
    assert_eq!(
        client.handle_response(code::CONTINUE, &options(Some("3/1/64"), None)),
        Err(Error::UnexpectedBlock {
            got: 3,
            expected_offset: 0
        })
    );
    assert_eq!(client.current().unwrap(), before);
}

#[test]
fn continue_to_the_last_block_and_other_codes_end_the_transfer() {
    let body = vec![1u8; 10];
    let mut client = Block1Sender::new(&body, Szx::new(2).unwrap(), 0).unwrap();
    assert_eq!(
        client.handle_response(code::CONTINUE, &options(Some("0/1/64"), None)),
        Err(Error::UnexpectedResponse {
            code: code::CONTINUE
        })
    );
    let mut client = Block1Sender::new(&body, Szx::new(2).unwrap(), 0).unwrap();
    assert_eq!(
        client.handle_response(code::UNAUTHORIZED, &options(None, None)),
        Err(Error::UnexpectedResponse {
            code: code::UNAUTHORIZED
        })
    );
}

#[test]
fn stateless_server_acting_per_block_still_advances() {
    // RFC 7959 §3.2 Figure 8: 2.04 with M unset to every block.
    let body = vec![1u8; 300];
    let mut client = Block1Sender::new(&body, Szx::new(3).unwrap(), 0).unwrap();
    for (sent, response, step) in [
        ("1:0/1/128", "1:0/0/128", UploadStep::SendNext),
        ("1:1/1/128", "1:1/0/128", UploadStep::SendNext),
        ("1:2/0/128", "1:2/0/128", UploadStep::Complete),
    ] {
        assert_eq!(client.current().unwrap().block1, notation(sent).1);
        assert_eq!(
            client.handle_response(code::CHANGED, &options(Some(&response[2..]), None)),
            Ok(step)
        );
    }
}

#[test]
fn fetcher_refuses_wrong_block_wrong_size_and_full_buffer_without_change() {
    let representation: Vec<u8> = (0..200u8).collect();
    let mut buf = [0u8; 150];
    let mut fetcher = Block2Fetcher::new(&mut buf, Some(Szx::new(2).unwrap()));
    let first = serve_block2(&representation, fetcher.next_request(), Szx::MAX).unwrap();
    let o = |shown: &str| TransferOptions {
        block2: Some(notation(shown).1),
        ..Default::default()
    };
    assert_eq!(
        fetcher.handle_response(code::CONTENT, &o("0/1/64"), first.payload),
        Ok(FetchStep::Request(notation("1/0/64").1))
    );
    // Block 2 instead of 1.
    assert_eq!(
        fetcher.handle_response(code::CONTENT, &o("2/1/64"), &representation[128..192]),
        Err(Error::UnexpectedBlock {
            got: 2,
            expected_offset: 64
        })
    );
    // M set but a short payload (RFC 7959 §2.3).
    assert_eq!(
        fetcher.handle_response(code::CONTENT, &o("1/1/64"), &representation[64..100]),
        Err(Error::PayloadSizeMismatch {
            payload: 36,
            size: 64
        })
    );
    assert_eq!(fetcher.body(), &representation[..64]);
    // Block 1 fits, block 2 would overflow the 150-byte buffer.
    fetcher
        .handle_response(code::CONTENT, &o("1/1/64"), &representation[64..128])
        .unwrap();
    assert_eq!(
        fetcher.handle_response(code::CONTENT, &o("2/0/64"), &representation[128..200]),
        Err(Error::PayloadSizeMismatch {
            payload: 72,
            size: 64
        })
    );
    assert_eq!(
        fetcher.handle_response(code::CONTENT, &o("2/1/64"), &representation[128..192]),
        Err(Error::BufferTooSmall { capacity: 150 })
    );
    assert_eq!(fetcher.body(), &representation[..128]);
    assert_eq!(
        fetcher.handle_response(code::NOT_FOUND, &o("2/0/64"), &[]),
        Err(Error::UnexpectedResponse {
            code: code::NOT_FOUND
        })
    );
    assert_eq!(fetcher.body(), &representation[..128]);
}

#[test]
fn server_slicer_refuses_blocks_beyond_the_end() {
    let representation = [0u8; 100];
    let err = serve_block2(&representation, Some(notation("2/0/64").1), Szx::MAX).unwrap_err();
    assert_eq!(
        err,
        Error::BlockOutOfRange {
            offset: 128,
            len: 100
        }
    );
    assert_eq!(err.coap_code(), Some(code::BAD_OPTION));
    // Small enough and no Block2 asked: the whole representation without Block2.
    let whole = serve_block2(&representation, None, Szx::MAX).unwrap();
    assert_eq!(
        (whole.block2, whole.payload.len(), whole.size2),
        (None, 100, 100)
    );
}

#[test]
fn server_ignores_m_in_a_block2_request_and_uses_the_smaller_size() {
    // RFC 7959 §2.4: "the server MUST ignore it [M] on reception"; "A server MUST use the
    // block size indicated or a smaller size".
    let representation: Vec<u8> = (0..=255u8).collect();
    let with_m = serve_block2(&representation, Some(notation("1/1/64").1), Szx::MAX).unwrap();
    let without_m = serve_block2(&representation, Some(notation("1/0/64").1), Szx::MAX).unwrap();
    assert_eq!(with_m, without_m);
    assert_eq!(with_m.block2, Some(notation("1/1/64").1));
    let smaller = serve_block2(
        &representation,
        Some(notation("0/0/1024").1),
        Szx::new(1).unwrap(),
    )
    .unwrap();
    assert_eq!(smaller.block2, Some(notation("0/1/32").1));
    assert_eq!(smaller.payload, &representation[..32]);
}

#[test]
fn fetcher_moves_down_to_the_size_the_server_used() {
    // RFC 7959 §2.3: "if the request suggested a larger value of SZX, the next request MUST
    // move SZX down to the size given in the response".
    let representation: Vec<u8> = (0..100u8).collect();
    let mut buf = [0u8; 100];
    let mut fetcher = Block2Fetcher::new(&mut buf, Some(Szx::MAX));
    assert_eq!(fetcher.next_request(), Some(notation("0/0/1024").1));
    let slice = serve_block2(
        &representation,
        fetcher.next_request(),
        Szx::new(1).unwrap(),
    )
    .unwrap();
    let options = TransferOptions {
        block2: slice.block2,
        ..Default::default()
    };
    assert_eq!(
        fetcher.handle_response(code::CONTENT, &options, slice.payload),
        Ok(FetchStep::Request(notation("1/0/32").1))
    );
}

#[test]
fn block1_in_an_error_response_is_not_taken_as_an_acknowledgement() {
    let body = vec![1u8; 100];
    let mut client = Block1Sender::new(&body, Szx::new(2).unwrap(), 1).unwrap();
    client
        .handle_response(code::CONTINUE, &options(Some("0/1/64"), None))
        .unwrap();
    assert_eq!(
        client.handle_response(
            code::REQUEST_ENTITY_INCOMPLETE,
            &options(Some("5/0/64"), None)
        ),
        Ok(UploadStep::Restarted)
    );
    assert_eq!(client.current().unwrap().block1, notation("0/1/64").1);
}
