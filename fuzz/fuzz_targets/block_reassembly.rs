//! An arbitrary sequence of Block1 blocks into the reassembler: never panics, never exceeds
//! its slots, and every completed body has exactly the bytes sent for it.
#![no_main]

use core::time::Duration;

use coap_block::{Block1Outcome, BlockOption, Reassembler, ReassemblyConfig, RequestTag};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut slab = [0u8; 4 * 256];
    let mut server: Reassembler<'_, u8, 4> = Reassembler::new(
        &mut slab,
        ReassemblyConfig {
            timeout: Duration::from_secs(5),
            ..Default::default()
        },
    );
    let mut now = Duration::ZERO;
    // Each record: endpoint, tag selector, 3 bytes of Block1 value, payload length, time step.
    for record in data.chunks_exact(7) {
        let [endpoint, tag, b0, b1, b2, len, step] = *record else {
            continue;
        };
        let endpoint = endpoint % 8;
        let Ok(block1) = BlockOption::decode(&[b0, b1, b2]) else {
            continue;
        };
        let request_tag = match tag % 3 {
            0 => RequestTag::Absent,
            _ => RequestTag::new(&[tag]).unwrap_or_default(),
        };
        now += Duration::from_millis(u64::from(step) * 20);
        // The payload's bytes are a function of their position in the body, so a completed
        // body can be checked without remembering what was sent.
        let offset = block1.offset();
        let len = if block1.more && len % 4 != 0 {
            block1.size()
        } else {
            usize::from(len) * 5
        };
        let payload: Vec<u8> = (0..len).map(|i| (offset + i) as u8 ^ endpoint).collect();
        match server.handle_block1(&endpoint, &request_tag, block1, None, &payload, now) {
            Ok(Block1Outcome::Complete { body, .. }) => {
                assert!(body.len() <= 256 || block1.num == 0);
                for (i, byte) in body.iter().enumerate() {
                    assert_eq!(*byte, (i as u8) ^ endpoint);
                }
            }
            Ok(Block1Outcome::Continue { ack }) => assert!(ack.more),
            Err(e) => assert!(e.coap_code().is_some()),
        }
        assert!(server.active_transfers() <= 4);
    }
});
