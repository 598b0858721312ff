//! Server-side Block1 reassembly: bounded memory, 4.08/4.13/5.03, Request-Tag keys,
//! timeouts, and property tests under reordering, duplication and loss.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;

use coap_block::{
    Block1Outcome, BlockOption, Error, Reassembler, ReassemblyConfig, RequestTag, Szx,
};
use coap_numbers::code;
use common::notation;
use proptest::prelude::*;

const T0: Duration = Duration::from_secs(100);

fn block(shown: &str) -> BlockOption {
    notation(shown).1
}

fn tag(v: &[u8]) -> RequestTag {
    RequestTag::new(v).unwrap()
}

/// Feed one block; returns Ok(None) for Continue, Ok(Some(body)) for Complete.
fn feed<const N: usize>(
    server: &mut Reassembler<'_, u16, N>,
    endpoint: u16,
    request_tag: RequestTag,
    block1: BlockOption,
    body: &[u8],
    now: Duration,
) -> Result<Option<Vec<u8>>, Error> {
    let start = block1.offset().min(body.len());
    let end = (start + block1.size()).min(body.len());
    match server.handle_block1(
        &endpoint,
        &request_tag,
        block1,
        None,
        &body[start..end],
        now,
    )? {
        Block1Outcome::Continue { ack } => {
            assert_eq!(ack.num, block1.num);
            assert!(ack.more);
            Ok(None)
        }
        Block1Outcome::Complete { ack, body } => {
            assert_eq!(ack, block1);
            Ok(Some(body.to_vec()))
        }
    }
}

#[test]
fn missing_block_gets_4_08_and_changes_nothing() {
    let body = vec![9u8; 100];
    let mut slab = [0u8; 256];
    let mut server: Reassembler<'_, u16, 2> = Reassembler::new(&mut slab, Default::default());
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("0/1/32"),
        &body,
        T0,
    )
    .unwrap();
    let err = feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("2/1/32"),
        &body,
        T0,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::RequestEntityIncomplete {
            offset: 64,
            expected: 32
        }
    );
    assert_eq!(err.coap_code(), Some(code::REQUEST_ENTITY_INCOMPLETE));
    assert_eq!(server.progress(&1, &RequestTag::Absent), Some(32));
    // The transfer goes on from where it was.
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("1/1/32"),
        &body,
        T0,
    )
    .unwrap();
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("2/1/32"),
        &body,
        T0,
    )
    .unwrap();
    let done = feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("3/0/32"),
        &body,
        T0,
    )
    .unwrap();
    assert_eq!(done, Some(body));
    assert_eq!(server.active_transfers(), 0);
}

#[test]
fn block_of_an_unknown_transfer_gets_4_08() {
    // RFC 7959 §2.5: "If not all previous blocks are available ... 4.08 ... MUST be returned".
    let body = vec![9u8; 100];
    let mut slab = [0u8; 256];
    let mut server: Reassembler<'_, u16, 2> = Reassembler::new(&mut slab, Default::default());
    assert_eq!(
        feed(
            &mut server,
            1,
            RequestTag::Absent,
            block("3/0/32"),
            &body,
            T0
        ),
        Err(Error::RequestEntityIncomplete {
            offset: 96,
            expected: 0
        })
    );
    assert_eq!(server.active_transfers(), 0);
}

#[test]
fn too_large_body_gets_4_13_with_size1_and_changes_nothing() {
    let body = vec![9u8; 300];
    let mut slab = [0u8; 256];
    let mut server: Reassembler<'_, u16, 2> = Reassembler::new(&mut slab, Default::default());
    assert_eq!(server.capacity_per_transfer(), 128);
    // Announced with Size1 on the first block (RFC 7959 §4).
    let err = server
        .handle_block1(
            &1,
            &RequestTag::Absent,
            block("0/1/64"),
            Some(300),
            &body[..64],
            T0,
        )
        .unwrap_err();
    assert_eq!(err, Error::RequestEntityTooLarge { max: 128 });
    assert_eq!(err.coap_code(), Some(code::REQUEST_ENTITY_TOO_LARGE));
    assert_eq!(err.size1(), Some(128));
    assert_eq!(server.active_transfers(), 0);
    // Discovered when the data exceeds the slot.
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("0/1/64"),
        &body,
        T0,
    )
    .unwrap();
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("1/1/64"),
        &body,
        T0,
    )
    .unwrap();
    assert_eq!(
        feed(
            &mut server,
            1,
            RequestTag::Absent,
            block("2/1/64"),
            &body,
            T0
        ),
        Err(Error::RequestEntityTooLarge { max: 128 })
    );
    assert_eq!(server.progress(&1, &RequestTag::Absent), Some(128));
}

#[test]
fn payload_not_matching_szx_gets_4_00() {
    // RFC 7959 §2.3: "The block size implied by SZX MUST match the size of the payload".
    let mut slab = [0u8; 256];
    let mut server: Reassembler<'_, u16, 2> = Reassembler::new(&mut slab, Default::default());
    let err = server
        .handle_block1(&1, &RequestTag::Absent, block("0/1/64"), None, &[0; 63], T0)
        .unwrap_err();
    assert_eq!(
        err,
        Error::PayloadSizeMismatch {
            payload: 63,
            size: 64
        }
    );
    assert_eq!(err.coap_code(), Some(code::BAD_REQUEST));
    assert_eq!(server.active_transfers(), 0);
}

#[test]
fn parallel_transfers_beyond_capacity_are_refused_with_5_03_and_change_nothing() {
    const N: usize = 3;
    let body = vec![5u8; 100];
    let mut slab = [0u8; 3 * 128];
    let mut server: Reassembler<'_, u16, N> = Reassembler::new(&mut slab, Default::default());
    for endpoint in 0..N as u16 {
        feed(
            &mut server,
            endpoint,
            RequestTag::Absent,
            block("0/1/32"),
            &body,
            T0,
        )
        .unwrap();
    }
    assert_eq!(server.active_transfers(), N);
    let err = feed(
        &mut server,
        99,
        RequestTag::Absent,
        block("0/1/32"),
        &body,
        T0,
    )
    .unwrap_err();
    assert_eq!(err, Error::NoCapacity { slots: N });
    assert_eq!(err.coap_code(), Some(code::SERVICE_UNAVAILABLE));
    assert_eq!(server.active_transfers(), N);
    for endpoint in 0..N as u16 {
        assert_eq!(server.progress(&endpoint, &RequestTag::Absent), Some(32));
    }
    assert_eq!(server.progress(&99, &RequestTag::Absent), None);
    // The existing transfers still complete with the right bodies.
    for endpoint in 0..N as u16 {
        for shown in ["1/1/32", "2/1/32"] {
            feed(
                &mut server,
                endpoint,
                RequestTag::Absent,
                block(shown),
                &body,
                T0,
            )
            .unwrap();
        }
        let done = feed(
            &mut server,
            endpoint,
            RequestTag::Absent,
            block("3/0/32"),
            &body,
            T0,
        );
        assert_eq!(done, Ok(Some(body.clone())));
    }
}

#[test]
fn request_tags_keep_transfers_of_one_endpoint_apart() {
    // RFC 9175 §3.3: messages with different Request-Tags are not the same operation.
    let a: Vec<u8> = (0..64).collect();
    let b: Vec<u8> = (100..164).collect();
    let mut slab = [0u8; 256];
    let mut server: Reassembler<'_, u16, 2> = Reassembler::new(&mut slab, Default::default());
    feed(&mut server, 1, tag(b"a"), block("0/1/32"), &a, T0).unwrap();
    feed(&mut server, 1, RequestTag::Absent, block("0/1/32"), &b, T0).unwrap();
    assert_eq!(
        feed(&mut server, 1, tag(b"a"), block("1/0/32"), &a, T0),
        Ok(Some(a.clone()))
    );
    assert_eq!(
        feed(&mut server, 1, RequestTag::Absent, block("1/0/32"), &b, T0),
        Ok(Some(b.clone()))
    );
    // A tag unknown to the server does not continue another tag's transfer.
    feed(&mut server, 1, tag(b"x"), block("0/1/32"), &a, T0).unwrap();
    assert_eq!(
        feed(&mut server, 1, tag(b"y"), block("1/0/32"), &a, T0),
        Err(Error::RequestEntityIncomplete {
            offset: 32,
            expected: 0
        })
    );
    // Nor does another endpoint with the same tag.
    assert!(feed(&mut server, 2, tag(b"x"), block("1/0/32"), &a, T0).is_err());
    assert_eq!(server.progress(&1, &tag(b"x")), Some(32));
}

#[test]
fn idle_transfer_times_out_and_later_blocks_get_4_08() {
    let body = vec![1u8; 64];
    let mut slab = [0u8; 128];
    let config = ReassemblyConfig {
        timeout: Duration::from_secs(10),
        preferred_szx: Szx::MAX,
    };
    let mut server: Reassembler<'_, u16, 1> = Reassembler::new(&mut slab, config);
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("0/1/32"),
        &body,
        T0,
    )
    .unwrap();
    assert_eq!(server.next_timeout(), Some(T0 + Duration::from_secs(10)));
    // Just before the timeout the slot is still held.
    let later = T0 + Duration::from_millis(9_999);
    assert_eq!(
        feed(
            &mut server,
            2,
            RequestTag::Absent,
            block("0/1/32"),
            &body,
            later
        ),
        Err(Error::NoCapacity { slots: 1 })
    );
    let expired = T0 + Duration::from_secs(10);
    assert_eq!(
        feed(
            &mut server,
            1,
            RequestTag::Absent,
            block("1/0/32"),
            &body,
            expired
        ),
        Err(Error::RequestEntityIncomplete {
            offset: 32,
            expected: 0
        })
    );
    assert_eq!(server.active_transfers(), 0);
    // The freed slot serves a new transfer.
    feed(
        &mut server,
        2,
        RequestTag::Absent,
        block("0/1/32"),
        &body,
        expired,
    )
    .unwrap();
    assert_eq!(server.expire(expired + Duration::from_secs(10)), 1);
}

#[test]
fn new_block_0_restarts_a_transfer_in_progress() {
    // RFC 7959 §2.5: a new sequence "simply overwrites the context".
    let old = vec![1u8; 96];
    let new = vec![2u8; 64];
    let mut slab = [0u8; 128];
    let mut server: Reassembler<'_, u16, 1> = Reassembler::new(&mut slab, Default::default());
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("0/1/32"),
        &old,
        T0,
    )
    .unwrap();
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("1/1/32"),
        &old,
        T0,
    )
    .unwrap();
    feed(
        &mut server,
        1,
        RequestTag::Absent,
        block("0/1/32"),
        &new,
        T0,
    )
    .unwrap();
    assert_eq!(server.progress(&1, &RequestTag::Absent), Some(32));
    assert_eq!(
        feed(
            &mut server,
            1,
            RequestTag::Absent,
            block("1/0/32"),
            &new,
            T0
        ),
        Ok(Some(new))
    );
}

#[test]
fn request_without_block1_is_a_whole_body() {
    let mut slab = [0u8; 64];
    let mut server: Reassembler<'_, u16, 1> = Reassembler::new(&mut slab, Default::default());
    let mut packet = coap_lite::Packet::new();
    packet.payload = b"small".to_vec();
    assert_eq!(server.handle_request(&1, &packet, T0), Ok(None));
    packet.add_option(coap_lite::CoapOption::Block1, vec![0x02]); // 0/0/64
    match server.handle_request(&1, &packet, T0).unwrap() {
        Some(Block1Outcome::Complete { body, .. }) => assert_eq!(body, b"small"),
        other => panic!("{other:?}"),
    }
}

/// What happens to a block on the way: delivered, duplicated, lost, or swapped with the next.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Deliver,
    Duplicate,
    Lose,
    SwapWithNext,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        6 => Just(Fate::Deliver),
        1 => Just(Fate::Duplicate),
        1 => Just(Fate::Lose),
        1 => Just(Fate::SwapWithNext),
    ]
}

proptest! {
    /// Whatever the network does, the server either completes with exactly the original body
    /// or refuses with 4.08; it never completes with a different body.
    #[test]
    fn reassembly_under_reordering_duplication_and_loss_never_yields_a_wrong_body(
        body in proptest::collection::vec(any::<u8>(), 1..600),
        szx in 0u8..=3,
        fates in proptest::collection::vec(fate(), 40),
    ) {
        let szx = Szx::new(szx).unwrap();
        let size = szx.block_size();
        let count = body.len().div_ceil(size);
        let blocks: Vec<BlockOption> = (0..count)
            .map(|n| BlockOption::new(n as u32, n + 1 < count, szx).unwrap())
            .collect();
        // The order in which blocks reach the server.
        let mut wire = Vec::new();
        let mut i = 0;
        while i < blocks.len() {
            match fates[i % fates.len()] {
                Fate::Deliver => wire.push(blocks[i]),
                Fate::Duplicate => { wire.push(blocks[i]); wire.push(blocks[i]); }
                Fate::Lose => {}
                Fate::SwapWithNext if i + 1 < blocks.len() => {
                    wire.push(blocks[i + 1]);
                    wire.push(blocks[i]);
                    i += 1;
                }
                Fate::SwapWithNext => wire.push(blocks[i]),
            }
            i += 1;
        }
        let mut slab = vec![0u8; 2 * 1024];
        let mut server: Reassembler<'_, u16, 2> = Reassembler::new(&mut slab, Default::default());
        let mut completed = None;
        for b in wire {
            match feed(&mut server, 7, RequestTag::Absent, b, &body, T0) {
                Ok(Some(got)) => { completed = Some(got); break; }
                Ok(None) => {}
                Err(e) => prop_assert_eq!(e.coap_code(), Some(code::REQUEST_ENTITY_INCOMPLETE)),
            }
        }
        if let Some(got) = completed {
            prop_assert_eq!(got, body);
        }
    }

    /// In order and without loss, every body up to the capacity is reassembled exactly.
    #[test]
    fn in_order_delivery_always_completes(
        body in proptest::collection::vec(any::<u8>(), 1..1024),
        szx in 0u8..=6,
    ) {
        let szx = Szx::new(szx).unwrap();
        let count = body.len().div_ceil(szx.block_size());
        let mut slab = vec![0u8; 1024];
        let mut server: Reassembler<'_, u16, 1> = Reassembler::new(&mut slab, Default::default());
        let mut result = None;
        for n in 0..count {
            let b = BlockOption::new(n as u32, n + 1 < count, szx).unwrap();
            result = feed(&mut server, 1, RequestTag::Absent, b, &body, T0).unwrap();
        }
        prop_assert_eq!(result, Some(body));
        prop_assert_eq!(server.active_transfers(), 0);
    }
}

#[test]
fn blocks_with_another_content_format_are_not_assembled() {
    // RFC 7959 §2.3: "If blocks of a request arrive at a server with mismatching
    // Content-Format Options, the server MUST NOT assemble them into a single request; this
    // usually leads to a 4.08". The caller puts the Content-Format into the endpoint key.
    let body = [3u8; 64];
    let mut slab = [0u8; 256];
    let mut server: Reassembler<'_, (u16, Option<u16>), 2> =
        Reassembler::new(&mut slab, Default::default());
    let first = block("0/1/32");
    server
        .handle_block1(
            &(1, Some(286)),
            &RequestTag::Absent,
            first,
            None,
            &body[..32],
            T0,
        )
        .unwrap();
    let err = server
        .handle_block1(
            &(1, Some(0)),
            &RequestTag::Absent,
            block("1/0/32"),
            None,
            &body[32..],
            T0,
        )
        .unwrap_err();
    assert_eq!(err.coap_code(), Some(code::REQUEST_ENTITY_INCOMPLETE));
    assert_eq!(
        server.progress(&(1, Some(286)), &RequestTag::Absent),
        Some(32)
    );
}

#[test]
fn request_tag_without_block1_is_ignored() {
    // RFC 9175 §3.4: Request-Tag options in requests without a Block option "MUST be ignored".
    let mut slab = [0u8; 64];
    let mut server: Reassembler<'_, u16, 1> = Reassembler::new(&mut slab, Default::default());
    let mut packet = coap_lite::Packet::new();
    packet.payload = b"whole".to_vec();
    packet.add_option(coap_lite::CoapOption::Unknown(292), vec![1, 2]);
    assert_eq!(server.handle_request(&1, &packet, T0), Ok(None));
    assert_eq!(server.active_transfers(), 0);
}
