//! Arbitrary Block2 responses into the client's fetcher: never panics, never writes past its
//! buffer, and the bytes it holds are always a prefix of what the responses described.
#![no_main]

use coap_block::{Block2Fetcher, BlockOption, ETag, FetchStep, Szx, TransferOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut buf = [0u8; 700];
    let mut fetcher = Block2Fetcher::new(
        &mut buf,
        Szx::new(data.first().copied().unwrap_or(0) % 7).ok(),
    );
    // Each record: code, 3 bytes of Block2 value (0xff = absent), ETag byte (0 = absent),
    // payload length, late SZX (7 = none).
    for record in data.get(1..).unwrap_or(&[]).chunks_exact(7) {
        let [code, b0, b1, b2, etag, len, late] = *record else {
            continue;
        };
        let block2 = if b0 == 0xff {
            None
        } else {
            BlockOption::decode(&[b0, b1, b2]).ok()
        };
        let options = TransferOptions {
            block2,
            etag: if etag == 0 {
                None
            } else {
                ETag::new(&[etag]).ok()
            },
            ..Default::default()
        };
        let offset = block2.map_or(0, |b| b.offset());
        let payload: Vec<u8> = (0..usize::from(len) * 5)
            .map(|i| (offset + i) as u8)
            .collect();
        let before = fetcher.body().len();
        match fetcher.handle_response(code, &options, &payload) {
            Ok(FetchStep::Request(next)) => {
                assert!(!next.more);
                assert_eq!(next.offset(), fetcher.body().len());
            }
            Ok(FetchStep::Complete(n)) => assert_eq!(n, fetcher.body().len()),
            Err(_) => assert_eq!(fetcher.body().len(), before),
        }
        for (i, byte) in fetcher.body().iter().enumerate() {
            assert_eq!(*byte, i as u8);
        }
        if let Ok(szx) = Szx::new(late) {
            fetcher.set_preferred_szx(szx);
        }
    }
});
